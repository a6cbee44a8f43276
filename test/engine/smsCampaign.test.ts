/** Bulk SMS Campaign, run by n8n's engine against the sandbox over real HTTP. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { Engine, RunResult } from '../helpers/engine';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';
import { busiestSecond } from '../../nodes/shared/rules/throttle';
import { TWILIO_MESSAGING_PRICES } from '../../sandbox/twilioPricing';

const box = useSandbox({ limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
});

const fast = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 };
let keyCounter = 0;
/** A campaign key no other test uses (the sent-ledger lives as long as the process). */
const freshKey = () => `test-${process.pid}-${Date.now()}-${++keyCounter}`;

function campaign(params: IDataObject = {}, extra: IDataObject = {}) {
	const { options, ...rest } = params as { options?: IDataObject };
	return {
		type: 'smsCampaign',
		name: 'Campaign',
		...extra,
		parameters: {
			provider: 'twilio',
			twilioFrom: '+15005550006',
			sinchFrom: '+12025550150',
			to: '={{ $json.phone }}',
			message: 'Hi {name}, your appointment is tomorrow at {time}.',
			translations: { translation: [{ language: 'tr', message: 'Merhaba {name}, randevunuz yarın saat {time}.' }] },
			language: '={{ $json.language }}',
			rateMode: 'none',
			...rest,
			options: { ...fast, ...options },
		},
	};
}

const recipientsOf = (result: RunResult) => result.items('Campaign').map((i) => i.json);
const summaryOf = (result: RunResult) => result.task('Campaign')?.data?.main?.[1]?.[0]?.json as IDataObject;
const stored = (provider?: string) => [...box.get().messages.values()].filter((m) => !provider || m.provider === provider);
const requestsTo = (provider: string) => box.get().requests.filter((r) => r.provider === provider);

/** The summary's counts must add up to the recipients, whatever happened. */
function expectCountsAddUp(result: RunResult, recipients: number) {
	const summary = summaryOf(result);
	expect(summary.recipients).toBe(recipients);
	const statuses = summary.statuses as Record<string, number>;
	expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(recipients);
	const items = recipientsOf(result);
	expect(items).toHaveLength(recipients);
	const counted: Record<string, number> = {};
	for (const item of items) counted[String(item.status)] = (counted[String(item.status)] ?? 0) + 1;
	expect(counted).toEqual(statuses);
	const reasons: Record<string, number> = {};
	for (const item of items) if (item.reason) reasons[String(item.reason)] = (reasons[String(item.reason)] ?? 0) + 1;
	expect(summary.reasons).toEqual(reasons);
}

describe('Bulk SMS Campaign: before sending', () => {
	const mixed = [
		{ phone: '+90 532 123 45 67', name: 'Ayşe', language: 'tr', time: '10:00' },
		{ phone: '06 12 34 56 78', name: 'Émile', language: 'fr', time: '10:30' },
		{ phone: '+33 6 12 34 56 78', name: 'Émile again', language: 'fr', time: '10:30' },
		{ phone: 'call me', name: 'Nobody', time: '11:00' },
		{ phone: '+447911123456', name: 'Grace', language: 'en-GB', time: '11:30', optedOut: true },
		{ phone: '+14155550123', name: 'Opted out by list', time: '12:00' },
		{ phone: '+12125550100', time: '12:30' },
		{ phone: '+4915112345678', name: 'Kai', language: 'de', time: '13:00' },
		{ phone: '+905551112233', name: 'Mehmet', language: 'tr-TR', time: '13:30' },
	];

	it('dry run: cleans, dedupes, drops opted-out numbers, writes each message in its language, counts segments and cost, sends nothing', async () => {
		const result = await engine.run(mixed, [
			campaign({
				dryRun: true,
				defaultCountry: 'FR',
				options: { optOutList: '+1 415 555 0123', providerPrices: false, pricePerSegment: 0.05, countryPrices: { price: [{ country: 'TR', price: 0.02 }] } },
			}),
		]);
		expect(result.error()).toBeUndefined();
		const items = recipientsOf(result);
		expect(items.map((i) => [i.status, i.reason ?? null])).toEqual([
			['planned', null],
			['planned', null],
			['skipped', 'duplicate'],
			['invalid', 'invalidNumber'],
			['skipped', 'optedOut'],
			['skipped', 'optedOut'],
			['invalid', 'missingField'],
			['planned', null],
			['planned', null],
		]);
		expect(items[0]).toMatchObject({ to: '+905321234567', language: 'tr', message: 'Merhaba Ayşe, randevunuz yarın saat 10:00.', segments: 1, encoding: 'UCS-2', country: 'TR', estimatedCost: 0.02 });
		expect(items[1]).toMatchObject({ to: '+33612345678', language: null, message: 'Hi Émile, your appointment is tomorrow at 10:30.', encoding: 'GSM-7', estimatedCost: 0.05 });
		expect(items[2].reasonText).toBe('Same number as item 2: sent once');
		expect(items[6].reasonText).toContain('{name} has no value');
		expect(items[8]).toMatchObject({ language: 'tr', message: 'Merhaba Mehmet, randevunuz yarın saat 13:30.' });
		expect(result.items('Campaign').map((i) => i.pairedItem)).toEqual(mixed.map((_, item) => ({ item })));
		const summary = summaryOf(result);
		expect(summary).toMatchObject({ dryRun: true, segments: 4, estimatedCost: 0.14, currency: 'USD', requests: 0, canceled: false });
		expectCountsAddUp(result, mixed.length);
		expect(stored()).toHaveLength(0);
	});

	it("estimates the cost from Twilio's price list (the highest mobile price of each country), the node's own prices where it has none", async () => {
		const list = [
			{ phone: '+905321234567', name: 'Ayşe', time: '10:00' },
			{ phone: '+34612345678', name: 'Lucía', time: '10:00' },
			{ phone: '+8613812345678', name: 'Wei', time: '10:00' },
		];
		const result = await engine.run(list, [campaign({ dryRun: true, options: { pricePerSegment: 0.1 } })]);
		expect(result.error()).toBeUndefined();
		const items = recipientsOf(result);
		const highest = (iso: string) => Math.max(...(TWILIO_MESSAGING_PRICES.find((c) => c.iso_country === iso)?.outbound_sms_prices ?? []).flatMap((c) => c.prices.filter((p) => p.number_type === 'mobile').map((p) => Number(p.current_price))));
		expect(items.map((i) => i.estimatedCost)).toEqual([highest('TR'), highest('ES'), 0.1]);
		expect(summaryOf(result)).toMatchObject({ priceSource: 'twilio+node', currency: 'USD', estimatedCost: Math.round((highest('TR') + highest('ES') + 0.1) * 1e5) / 1e5 });
		// Looked up once per country, and nothing sent.
		expect(box.get().requests.filter((r) => r.path?.includes('/Messaging/Countries/')).length).toBe(3);
		expect(stored()).toHaveLength(0);
	});

	it('sends the same plan for real: each stored message is the planned one, exactly once', async () => {
		const result = await engine.run(mixed, [campaign({ defaultCountry: 'FR', options: { optOutList: ['+14155550123'] } })]);
		expect(result.error()).toBeUndefined();
		const items = recipientsOf(result);
		const sent = items.filter((i) => i.messageId);
		expect(sent).toHaveLength(4);
		expect(stored().map((m) => [m.to, m.body]).sort()).toEqual(sent.map((i) => [i.to, i.message]).sort());
		for (const item of sent) expect(item).toMatchObject({ status: 'queued', provider: 'twilio', from: '+15005550006', attempts: 1, fallbackUsed: false });
		expectCountsAddUp(result, mixed.length);
	});

	it('refuses a campaign-wide problem before sending anything, with Continue On Fail on the summary output', async () => {
		const badFrom = await engine.run(mixed, [campaign({ provider: 'sinch', sinchFrom: '   ' })]);
		expect(badFrom.error()?.message).toMatch(/Sinch needs a From/);
		const badRate = await engine.run(mixed, [campaign({ provider: 'sinch', rateMode: 'auto' })]);
		expect(badRate.error()?.message).toBe('The sending rate cannot be told from this Sinch sender');
		const continued = await engine.run(mixed, [campaign({ quietHours: true, quietStart: '25:00' }, { onError: 'continueRegularOutput' })]);
		expect(continued.error()).toBeUndefined();
		expect(continued.items('Campaign')).toHaveLength(0);
		expect(summaryOf(continued)).toMatchObject({ error: expect.stringContaining('Quiet From'), sent: 0 });
		expect(stored()).toHaveLength(0);
	});
});

describe('Bulk SMS Campaign: the rate', () => {
	it('no one-second window holds more than the rate (20 a second, 60 recipients), measured at the sandbox', async () => {
		const items = Array.from({ length: 60 }, (_, i) => ({ phone: `+3361${String(1000000 + i)}`, name: `N${i}`, time: '09:00' }));
		// The sandbox runs in this process: its arrival stamps are late by as much as the event loop stalls, so the
		// window checked is a second less the longest stall seen (none on a quiet machine).
		const lag = monitorEventLoopDelay({ resolution: 5 });
		lag.enable();
		const started = Date.now();
		const result = await engine.run(items, [campaign({ rateMode: 'custom', ratePerSecond: 20, rateUnit: 'messages' })]);
		const seconds = (Date.now() - started) / 1000;
		lag.disable();
		const stallMs = Math.max(0, Math.round(lag.max / 1e6) - 15);
		expect(result.error()).toBeUndefined();
		const arrivals = stored('twilio').map((m) => [Date.parse(m.createdAt), 1] as const);
		expect(arrivals).toHaveLength(60);
		expect({ busiest: busiestSecond(arrivals, 1000 - Math.min(stallMs, 100)), stallMs }).toEqual({ busiest: 20, stallMs: expect.any(Number) });
		// 60 at 20 a second: about 3 seconds, not much more.
		expect(seconds).toBeGreaterThan(2.8);
		expect(seconds).toBeLessThan(6);
		expect(summaryOf(result)).toMatchObject({ rate: { perSecond: 20, unit: 'messages' } });
	});

	it('a "too many requests" pauses the whole campaign for its Retry-After, not just the one message', async () => {
		const items = Array.from({ length: 30 }, (_, i) => ({ phone: `+3362${String(1000000 + i)}`, name: `N${i}`, time: '09:00' }));
		box.get().addFault({ provider: 'twilio', to: items[5].phone, type: 'status', status: 429, retryAfter: 1, count: 1 });
		const result = await engine.run(items, [campaign({ rateMode: 'custom', ratePerSecond: 30, rateUnit: 'messages', options: { concurrency: 1 } })]);
		expect(result.error()).toBeUndefined();
		const times = stored('twilio')
			.map((m) => Date.parse(m.createdAt))
			.sort((a, b) => a - b);
		expect(times).toHaveLength(30);
		// The gap after the 429: everyone waited about a second.
		const gaps = times.slice(1).map((t, i) => t - times[i]);
		expect(Math.max(...gaps)).toBeGreaterThanOrEqual(900);
		expect(recipientsOf(result)[5]).toMatchObject({ attempts: 2, status: 'queued' });
	});
});

describe('Bulk SMS Campaign: Sinch batches', () => {
	it('one request per up to 1,000 recipients that share a template, each message personalised', async () => {
		const items = Array.from({ length: 2500 }, (_, i) => ({ phone: `+3363${String(1000000 + i)}`, name: `N${i}`, time: `${8 + (i % 10)}:00`, language: i % 5 === 0 ? 'tr' : 'en' }));
		const result = await engine.run(items, [campaign({ provider: 'sinch' })]);
		expect(result.error()).toBeUndefined();
		// 500 Turkish (one batch), 2000 English (two batches).
		expect(requestsTo('sinch').filter((r) => r.method === 'POST')).toHaveLength(3);
		const byTo = new Map(stored('sinch').map((m) => [m.to, m.body]));
		expect(byTo.size).toBe(2500);
		for (const item of recipientsOf(result)) expect(byTo.get(String(item.to))).toBe(item.message);
		expect(recipientsOf(result).every((i) => i.status === 'accepted' && (i.batchSize === 500 || i.batchSize === 1000))).toBe(true);
		expectCountsAddUp(result, 2500);
	});
});

describe('Bulk SMS Campaign: quiet hours, with a fixed clock', () => {
	afterEach(() => jest.useRealTimers());
	const fixedNow = new Date('2026-12-01T19:30:00Z');
	const people = [
		// 22:30 in Istanbul: quiet.
		{ phone: '+905321234567', name: 'Ayşe', time: '10:00' },
		// 14:30 in New York: fine.
		{ phone: '+12125550100', name: 'Ada', time: '10:00' },
		// 01:00 in Kolkata: quiet.
		{ phone: '+919812345678', name: 'Ravi', time: '10:00' },
		// A Turkish number whose item says Los Angeles: 11:30 there, fine.
		{ phone: '+905551112233', name: 'Deniz', time: '10:00', timeZone: 'America/Los_Angeles' },
	];

	it('skips recipients for whom it is night, in their own time zone, with the reason and when they may be sent', async () => {
		jest.useFakeTimers({ now: fixedNow, doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'hrtime', 'performance'] });
		const result = await engine.run(people, [campaign({ quietHours: true, quietStart: '21:00', quietEnd: '08:00', timeZone: '={{ $json.timeZone }}' })]);
		expect(result.error()).toBeUndefined();
		const items = recipientsOf(result);
		expect(items.map((i) => [i.status, i.reason ?? null, i.timeZone, i.timeZoneSource])).toEqual([
			['skipped', 'quietHours', 'Europe/Istanbul', 'number'],
			['queued', null, 'America/New_York', 'number'],
			['skipped', 'quietHours', 'Asia/Calcutta', 'number'],
			['queued', null, 'America/Los_Angeles', 'item'],
		]);
		expect(items[0].reasonText).toBe('It is 22:30 in Europe/Istanbul, within quiet hours (21:00–08:00); it may be sent from 2026-12-02T05:00:00.000Z');
		expect(stored().map((m) => m.to).sort()).toEqual(['+12125550100', '+905551112233']);
	});

	it('schedules them for the next allowed local time where the provider can schedule (Sinch)', async () => {
		jest.useFakeTimers({ now: fixedNow, doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'hrtime', 'performance'] });
		const result = await engine.run(people, [campaign({ provider: 'sinch', quietHours: true, quietAction: 'schedule', timeZone: '={{ $json.timeZone }}' })]);
		expect(result.error()).toBeUndefined();
		const items = recipientsOf(result);
		expect(items.map((i) => [i.status, i.sendAt ?? null])).toEqual([
			['scheduled', '2026-12-02T05:00:00.000Z'],
			['accepted', null],
			['scheduled', '2026-12-02T02:30:00.000Z'],
			['accepted', null],
		]);
		expect(requestsTo('sinch').filter((r) => r.method === 'POST')).toHaveLength(3);
	});

	it('on Twilio without a Messaging Service, cannot schedule: skipped with Twilio\'s reason', async () => {
		jest.useFakeTimers({ now: fixedNow, doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'hrtime', 'performance'] });
		const result = await engine.run(people, [campaign({ quietHours: true, quietAction: 'schedule' })]);
		const items = recipientsOf(result);
		expect(items[0]).toMatchObject({ status: 'invalid', reason: 'refused' });
		expect(String(items[0].reasonText)).toMatch(/Messaging Service/);
		expect(items[1]).toMatchObject({ status: 'queued' });
	});
});

describe('Bulk SMS Campaign: never twice', () => {
	it('a re-run with the same campaign key sends only to those not yet sent, and says so for the others', async () => {
		const key = freshKey();
		const first = Array.from({ length: 5 }, (_, i) => ({ phone: `+3364${String(1000000 + i)}`, name: `N${i}`, time: '09:00' }));
		const workflowId = `wf-${key}`;
		const one = await engine.run(first, [campaign({ campaignKey: key })], { workflowId });
		const second = [...first, { phone: '+33641000005', name: 'New', time: '09:00' }, { phone: '+33641000006', name: 'New too', time: '09:00' }];
		const two = await engine.run(second, [campaign({ campaignKey: key })], { workflowId });
		const items = recipientsOf(two);
		expect(items.map((i) => i.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'queued', 'queued']);
		expect(items[0]).toMatchObject({ reason: 'alreadySent', messageId: recipientsOf(one)[0].messageId });
		expect(stored()).toHaveLength(7);
		// Another key is another campaign.
		await engine.run(first.slice(0, 1), [campaign({ campaignKey: freshKey() })], { workflowId });
		// The same key in another workflow is another campaign too.
		await engine.run(first.slice(0, 1), [campaign({ campaignKey: key })], { workflowId: `${workflowId}-copy` });
		expect(stored()).toHaveLength(9);
	});

	it('cancel mid-campaign: what had left is reported, nothing more starts; the re-run sends exactly the rest', async () => {
		const key = freshKey();
		const items = Array.from({ length: 120 }, (_, i) => ({ phone: `+3365${String(1000000 + i)}`, name: `N${i}`, time: '09:00' }));
		const canceled = await engine.run(items, [campaign({ campaignKey: key, rateMode: 'custom', ratePerSecond: 40, rateUnit: 'messages' })], {
			workflowId: `wf-${key}`,
			waitForNodes: true,
			onStarted: (cancel) => setTimeout(cancel, 1000),
		});
		const outputs = canceled.task('Campaign')?.data?.main as INodeExecutionData[][] | undefined;
		const afterCancel = stored().length;
		// At 40 a second, canceled after a second: some had left, most had not (how many depends on the machine's load).
		expect(afterCancel).toBeGreaterThan(0);
		expect(afterCancel).toBeLessThan(100);
		// Nothing left after the cancel was handled.
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(stored()).toHaveLength(afterCancel);
		if (outputs) {
			const json = outputs[0].map((i) => i.json);
			expect(json.filter((i) => i.messageId)).toHaveLength(afterCancel);
			expect(json.filter((i) => i.reason === 'canceled')).toHaveLength(120 - afterCancel);
		}
		const rerun = await engine.run(items, [campaign({ campaignKey: key })], { workflowId: `wf-${key}` });
		const again = recipientsOf(rerun);
		expect(again.filter((i) => i.reason === 'alreadySent')).toHaveLength(afterCancel);
		expect(again.filter((i) => i.status === 'queued')).toHaveLength(120 - afterCancel);
		const byTo = new Map<string, number>();
		for (const m of stored()) byTo.set(m.to, (byTo.get(m.to) ?? 0) + 1);
		expect(byTo.size).toBe(120);
		expect([...byTo.values()].every((n) => n === 1)).toBe(true);
	});
});

describe('Bulk SMS Campaign: fallback', () => {
	it('Twilio goes down mid-campaign: the rest go through AWS SNS, each exactly once', async () => {
		const items = Array.from({ length: 40 }, (_, i) => ({ phone: `+3366${String(1000000 + i)}`, name: `N${i}`, time: '09:00' }));
		for (const item of items.slice(20)) box.get().addFault({ provider: 'twilio', to: item.phone, type: 'status', status: 503, count: 10 });
		const result = await engine.run(items, [campaign({ provider: 'twilio,sns', options: { concurrency: 4 } })]);
		expect(result.error()).toBeUndefined();
		const out = recipientsOf(result);
		expect(out.slice(0, 20).every((i) => i.provider === 'twilio' && i.fallbackUsed === false)).toBe(true);
		expect(out.slice(20).every((i) => i.provider === 'sns' && i.fallbackUsed === true && String(i.fallbackReason).includes('Twilio'))).toBe(true);
		expect(stored()).toHaveLength(40);
		expect(new Set(stored().map((m) => m.to)).size).toBe(40);
		expect(summaryOf(result)).toMatchObject({ fallbackUsed: 20 });
	});

	it('a Sinch batch refused by a server error goes recipient by recipient through the fallback', async () => {
		const items = Array.from({ length: 10 }, (_, i) => ({ phone: `+3367${String(1000000 + i)}`, name: `N${i}`, time: '09:00' }));
		box.get().addFault({ provider: 'sinch', type: 'status', status: 503, count: 10 });
		const result = await engine.run(items, [campaign({ provider: 'sinch,twilio' })]);
		const out = recipientsOf(result);
		expect(out.every((i) => i.provider === 'twilio' && i.fallbackUsed === true)).toBe(true);
		expect(stored('sinch')).toHaveLength(0);
		expect(stored('twilio')).toHaveLength(10);
	});
});
