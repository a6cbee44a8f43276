/** Send SMS with many items: requests at once, a rate per sender, and the same guarantees as one at a time. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IDataObject } from 'n8n-workflow';
import { busiestSecond } from '../../nodes/shared/rules/throttle';
import type { Engine } from '../helpers/engine';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';

const box = useSandbox({ limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
});

function send(options: IDataObject, extra: IDataObject = {}, provider = 'twilio') {
	return {
		type: 'sendSms',
		name: 'Send SMS',
		...extra,
		parameters: {
			operation: 'send',
			provider,
			to: '={{ $json.phone }}',
			message: '={{ "Hi " + $json.name }}',
			twilioFrom: '+15005550006',
			sinchFrom: '+12025550150',
			options: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000, ...options },
		},
	};
}

const people = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ phone: `+33${prefix}${String(1000000 + i)}`, name: `N${i}` }));
const stored = () => [...box.get().messages.values()];

describe('Send SMS: requests at once', () => {
	it.each(['twilio', 'sinch', 'sns'])('%s: 300 items 8 at a time, each sent once, the output in input order and paired', async (provider) => {
		const items = people(300, '61');
		const result = await engine.run(items, [send({ concurrency: 8 }, {}, provider)]);
		expect(result.error()).toBeUndefined();
		const out = result.items('Send SMS');
		expect(out.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(out.map((i) => i.json.to)).toEqual(items.map((i) => i.phone));
		const byTo = new Map(stored().map((m) => [m.to, m]));
		expect(stored()).toHaveLength(300);
		for (const item of out) expect(byTo.get(String(item.json.to))?.body).toBe(`Hi N${out.indexOf(item)}`);
	});

	it('without Continue On Fail, the first failing item (in input order) stops the node and nothing new starts after it', async () => {
		const items = people(200, '62');
		items[40].phone = 'not a number';
		const result = await engine.run(items, [send({ concurrency: 8 })]);
		const error = result.error() as { context?: { itemIndex?: number }; message?: string } | undefined;
		expect(error?.message).toMatch(/Invalid recipient/);
		expect(error?.context?.itemIndex).toBe(40);
		// Items before it were all sent; of those after it, at most the ones already on their way.
		expect(stored().length).toBeGreaterThanOrEqual(40);
		expect(stored().length).toBeLessThanOrEqual(40 + 8);
	});

	it("with n8n's Retry On Fail, a re-run of the node never sends an item twice", async () => {
		const items = people(60, '63');
		// Items 30 and 31 fail once: the first try stops at 30 with 31–35 on their way (32–35 go out); the second try
		// must send 30 and 31 and the rest, and take 32–35 from the sent-ledger instead of sending them again.
		for (const item of items.slice(30, 32)) box.get().addFault({ provider: 'twilio', to: item.phone, type: 'status', status: 503, count: 1 });
		const result = await engine.run(items, [send({ concurrency: 6, maxRetries: 0 }, { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 })]);
		expect(result.error()).toBeUndefined();
		const counts = new Map<string, number>();
		for (const m of stored()) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
		expect(counts.size).toBe(60);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);
		expect(box.get().requests.filter((r) => r.provider === 'twilio' && r.method === 'POST').length).toBe(62);
	});

	it('a rate limit holds across the items at once: no second above it at the sandbox', async () => {
		const items = people(50, '64');
		const lag = monitorEventLoopDelay({ resolution: 5 });
		lag.enable();
		const started = Date.now();
		const result = await engine.run(items, [send({ concurrency: 8, ratePerSecond: 20 })]);
		const seconds = (Date.now() - started) / 1000;
		lag.disable();
		expect(result.error()).toBeUndefined();
		// The sandbox runs in this process: its stamps are late by as much as the event loop stalls (less the guard).
		const stallMs = Math.min(100, Math.max(0, Math.round(lag.max / 1e6) - 15));
		const arrivals = stored().map((m) => [Date.parse(m.createdAt), 1] as const);
		expect(arrivals).toHaveLength(50);
		expect(busiestSecond(arrivals, 1000 - stallMs)).toBeLessThanOrEqual(20);
		expect(seconds).toBeGreaterThan(2.2);
	});
});
