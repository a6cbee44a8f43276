/**
 * The sandbox under a campaign's load, as bench/run.ts starts it (timeScale 0.01, limits lifted): batches of 1,000
 * recipients arriving together move through their statuses in order, and Twilio's per-sender rate can be lifted so
 * thousands of messages to one sender are neither queued for hours nor refused with 21611.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { waitFor } from '../helpers/sandbox';

let sandbox: Sandbox;

afterEach(async () => {
	await sandbox?.stop();
});

function sinchBatch(to: string[], extra: Record<string, unknown> = {}) {
	const { servicePlanId, apiToken } = sandbox.accounts.sinch;
	return fetch(`${sandbox.url}/xms/v1/${servicePlanId}/batches`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ from: '+12025550150', to, body: 'Your order ships today.', ...extra }),
	});
}

function twilioSend(to: string, from = '+12025550134') {
	const { accountSid, authToken } = sandbox.accounts.twilio;
	return fetch(`${sandbox.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
		method: 'POST',
		headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ To: to, From: from, Body: 'Your order ships today.' }).toString(),
	});
}

/** `count` requests, `concurrency` at a time. */
async function inParallel<T>(count: number, concurrency: number, send: (i: number) => Promise<T>): Promise<T[]> {
	const out: T[] = [];
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) {
				const i = next++;
				out[i] = await send(i);
			}
		}),
	);
	return out;
}

describe('the sandbox under load', () => {
	it('20 Sinch batches of 1,000 sent 4 at a time: every message goes Queued → Dispatched → Delivered, never back', async () => {
		sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { sinchPerSecond: 1e6 } });
		const answers = await inParallel(20, 4, async (i) => {
			const res = await sinchBatch(Array.from({ length: 1000 }, (_, k) => `+3361${String(i * 1000 + k).padStart(7, '0')}`));
			await res.arrayBuffer();
			return res.status;
		});
		expect(answers.every((status) => status === 201)).toBe(true);
		await waitFor(() => [...sandbox.messages.values()].every((m) => m.status === 'Delivered'), 30_000, 100);
		const histories = new Set([...sandbox.messages.values()].map((m) => m.history.map((h) => h.status).join(' → ')));
		expect([...histories]).toEqual(['Queued → Dispatched → Delivered']);
		expect(sandbox.messages.size).toBe(20_000);
	});

	it('2,000 delivery reports due at once go out 64 connections at a time, kept alive, each once', async () => {
		sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { sinchPerSecond: 1e6 } });
		let open = 0;
		let most = 0;
		let connections = 0;
		const reports: string[] = [];
		const receiver = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				reports.push(JSON.parse(Buffer.concat(chunks).toString()).recipient);
				res.end();
			});
		});
		receiver.on('connection', (socket) => {
			connections++;
			most = Math.max(most, ++open);
			socket.on('close', () => open--);
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		try {
			const callback_url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/dlr`;
			for (const offset of [0, 1000]) {
				const res = await sinchBatch(Array.from({ length: 1000 }, (_, k) => `+3361${String(offset + k).padStart(7, '0')}`), { delivery_report: 'per_recipient_final', callback_url });
				expect(res.status).toBe(201);
			}
			await waitFor(() => reports.length >= 2000, 30_000, 50);
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(reports).toHaveLength(2000);
			expect(new Set(reports).size).toBe(2000);
			expect(most).toBeLessThanOrEqual(64);
			expect(connections).toBeLessThanOrEqual(64);
			expect(sandbox.callbacks.every((c) => c.attempts === 1 && c.responseStatus === 200)).toBe(true);
		} finally {
			await sandbox.stop();
			receiver.close();
		}
	});

	it("Twilio's per-sender rate lifted (limits.twilioSenderPerSecond): 2,000 messages to one long code, none refused, no backlog", async () => {
		sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { twilioSenderPerSecond: 1e6 } });
		const answers = await inParallel(2000, 8, async (i) => {
			const res = await twilioSend(`+3362${String(i).padStart(7, '0')}`);
			await res.arrayBuffer();
			return res.status;
		});
		expect(answers.filter((status) => status !== 201)).toEqual([]);
		// At 1 segment a second (the long code's real rate) the last would wait 2,000 s × 0.01 = 20 s; lifted, it does not.
		await waitFor(() => [...sandbox.messages.values()].every((m) => m.status === 'delivered'), 10_000, 100);
	});

	it('by default the real rate holds: the same long code queues 1 segment a second, then refuses with 21611', async () => {
		// 10 h of backlog allowed at 0.01 is 6 minutes; 1 minute here (0.6 s), and 400 segments need 4 s.
		sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { twilioMaxQueueMs: 60_000 } });
		const answers = await inParallel(400, 8, async (i) => {
			const res = await twilioSend(`+3362${String(i).padStart(7, '0')}`);
			return res.status === 201 ? 201 : ((await res.json()) as { code: number }).code;
		});
		expect(answers.slice(0, 50)).toEqual(Array(50).fill(201));
		expect(answers).toContain(21611);
	});
});
