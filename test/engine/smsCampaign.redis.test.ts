/**
 * Bulk SMS Campaign and Send SMS with Share Rate Limits Via = Redis (queue mode), run by n8n's engine against the
 * sandbox over real HTTP, with a real redis-server. "Another worker" is another n8n process (test/helpers/engineWorker.ts):
 * it shares nothing with this one but the sandbox and Redis.
 */
import { createHash, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IDataObject } from 'n8n-workflow';
import { busiestSecond } from '../../nodes/shared/rules/throttle';
import { CAMPAIGN, campaignNode, countsProblems, recipientsOf, summaryOf } from '../helpers/campaign';
import { Engine, type RunResult } from '../helpers/engine';
import { startEngineWorker } from '../helpers/engineWorker';
import { startRedis, useRedis } from '../helpers/redis';
import { twilioSdk, useSandbox, waitFor } from '../helpers/sandbox';
import { startTcpProxy } from '../helpers/tcpProxy';
import { useEngine } from '../helpers/useEngine';

const box = useSandbox({ limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
const engines = useEngine(box);
const redis = useRedis();
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
	// A key prefix of its own for each test: nothing one test keeps in Redis reaches the next.
	engine.setCredentials('messagingRedisApi', redis.get().credentials());
});

const FAST = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 };
const FROM = '+15005550006';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let keys = 0;
const freshKey = () => `redis-${process.pid}-${Date.now()}-${++keys}`;
/** French mobiles +33 6 <prefix> …: each test its own prefix. */
const people = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ phone: `+336${prefix}${String(100000 + i)}`, name: `P${prefix}-${i}` }));
/** Bulk SMS Campaign sharing its state through Redis. */
const shared = (params: IDataObject = {}, extra: IDataObject = {}) => campaignNode({ sharedState: 'redis', ...params }, extra, FAST);
/** Send SMS with a Rate Limit, its budget kept as `sharedState` says. */
const sendSms = (sharedState: string, ratePerSecond: number, from = FROM) => ({
	type: 'sendSms',
	name: 'Send SMS',
	parameters: {
		operation: 'send',
		provider: 'twilio',
		to: '={{ $json.phone }}',
		message: '={{ "Hi " + $json.name }}',
		twilioFrom: from,
		sharedState,
		options: { ...FAST, ratePerSecond, concurrency: 2 },
	},
});
const storedTo = (to: string) => [...box.get().messages.values()].filter((m) => m.to === to);
const storedAmong = (numbers: Set<string>) => [...box.get().messages.values()].filter((m) => numbers.has(m.to));
const prefixOf = (engineOf: Engine) => String(engineOf.credentials.messagingRedisApi.keyPrefix);
/** The sent-ledger's key of a recipient of a campaign run with a Campaign Key in a workflow (send.ts's ledgerScope). */
const ledgerKey = (prefix: string, workflowId: string, campaignKey: string, to: string) =>
	`${prefix}sent:${createHash('sha256').update(`campaign:${workflowId}:${campaignKey}`).digest('hex').slice(0, 32)}:${to}`;

describe('Bulk SMS Campaign with Redis: never twice, across workers', () => {
	it('sends each recipient once; a re-run with the same Campaign Key sends nothing, in this process or another n8n process', async () => {
		const key = freshKey();
		const workflowId = `wf-${key}`;
		const items = people(6, '71');
		const one = await engine.run(items, [shared({ campaignKey: key })], { workflowId });
		expect(one.error()).toBeUndefined();
		expect(countsProblems(one, 6)).toEqual([]);
		const first = recipientsOf(one);
		expect(first.map((i) => i.status)).toEqual(Array(6).fill('queued'));
		for (const item of items) expect(storedTo(item.phone)).toHaveLength(1);

		const again = await engine.run(items, [shared({ campaignKey: key })], { workflowId });
		expect(recipientsOf(again).map((i) => [i.status, i.reason, i.messageId])).toEqual(first.map((i) => ['skipped', 'alreadySent', i.messageId]));

		// Another worker: its own process, its own memory, the same Redis. With one more recipient.
		const worker = await startEngineWorker(engine.credentials);
		try {
			const more = people(7, '71');
			const elsewhere = await worker.run(more, [shared({ campaignKey: key })], CAMPAIGN, { workflowId });
			expect(elsewhere.error).toBeUndefined();
			expect(elsewhere.outputs[0].map((i) => [i.status, i.reason ?? null, i.messageId])).toEqual([
				...first.map((i) => ['skipped', 'alreadySent', i.messageId]),
				['queued', null, expect.stringMatching(/^SM/)],
			]);
			// …and what it sent, this process knows.
			const last = await engine.run(more, [shared({ campaignKey: key })], { workflowId });
			expect(recipientsOf(last).map((i) => i.reason)).toEqual(Array(7).fill('alreadySent'));
			expect(recipientsOf(last)[6].messageId).toBe(elsewhere.outputs[0][6].messageId);
			for (const item of more) expect(storedTo(item.phone)).toHaveLength(1);

			// (The test can fail: with This Process, the other worker knows nothing of what this one sent, and sends again.)
			const processKey = freshKey();
			const here = await engine.run(items.slice(0, 2), [shared({ campaignKey: processKey, sharedState: 'process' })], { workflowId });
			expect(recipientsOf(here).map((i) => i.status)).toEqual(['queued', 'queued']);
			const there = await worker.run(items.slice(0, 2), [shared({ campaignKey: processKey, sharedState: 'process' })], CAMPAIGN, { workflowId });
			expect(there.outputs[0].map((i) => i.status)).toEqual(['queued', 'queued']);
			expect(storedTo(items[0].phone)).toHaveLength(3);
		} finally {
			await worker.stop();
		}
		// The ledger is in Redis: one key per recipient, kept 7 days.
		const admin = redis.get().admin();
		for (const item of people(7, '71')) {
			const ttl = await admin.pttl(ledgerKey(prefixOf(engine), workflowId, key, item.phone));
			expect(ttl).toBeGreaterThan(7 * 24 * 3600 * 1000 - 120_000);
		}
	});

	it('claims a killed worker left: asked of Twilio when they may have left, sent once when not, and a live one is not touched', async () => {
		const key = freshKey();
		const workflowId = `wf-${key}`;
		const items = people(6, '72');
		const body = (i: number) => `Hi ${items[i].name}`;
		// What a killed worker left in Redis: claims of 30 s ago, whose lease ran out 5 s ago (one still held, by a live one).
		const admin = redis.get().admin();
		const now = Date.now();
		const claim = (i: number, leaving: 0 | 1, until = now - 5_000) =>
			admin.set(ledgerKey(prefixOf(engine), workflowId, key, items[i].phone), JSON.stringify({ p: 1, at: now - 30_000, owner: 'killed-worker', until, leaving }), 'PX', 7 * 24 * 3600 * 1000);
		// 0: it left, and Twilio has it (the same text, from the same sender).
		const sdk = twilioSdk(box.get());
		const earlier = await sdk.messages.create({ to: items[0].phone, from: FROM, body: body(0) });
		await claim(0, 1);
		// 1: it was leaving, and Twilio has nothing.
		await claim(1, 1);
		// 2: it had not left.
		await claim(2, 0);
		// 3: it was leaving, and Twilio has a message to that number, with another text.
		await sdk.messages.create({ to: items[3].phone, from: FROM, body: 'Something else' });
		await claim(3, 1);
		// 4: a live worker's claim, its lease good for another minute.
		await claim(4, 1, now + 60_000);
		// 5: nobody's.
		const run = await engine.run(items, [shared({ campaignKey: key })], { workflowId });
		expect(run.error()).toBeUndefined();
		expect(countsProblems(run, 6)).toEqual([]);
		const out = recipientsOf(run);
		expect(out.map((i) => [i.status, i.reason ?? null])).toEqual([
			['skipped', 'alreadySent'],
			['queued', null],
			['queued', null],
			['queued', null],
			['skipped', 'beingSent'],
			['queued', null],
		]);
		expect(out[0]).toMatchObject({ messageId: earlier.sid, reasonText: `Already sent in this campaign by a run that stopped (Twilio has it: ${earlier.sid}): not sent again` });
		expect(out[4].reasonText).toMatch(/^Not sent here: another run of this campaign claimed this number at \d{4}-\d\d-\d\dT[\d:.]+Z and is sending to it\. If that run stopped \(its worker was killed\), its claim lapses 20 s after its last renewal/);
		expect([0, 1, 2, 3, 4, 5].map((i) => storedTo(items[i].phone).length)).toEqual([1, 1, 1, 2, 0, 1]);
		expect(storedTo(items[3].phone).map((m) => m.body).sort()).toEqual([body(3), 'Something else'].sort());
		// What Twilio had is in the ledger now: a re-run reports the same message, and sends nothing.
		expect(JSON.parse(String(await admin.get(ledgerKey(prefixOf(engine), workflowId, key, items[0].phone))))).toMatchObject({ outcome: 'accepted', provider: 'twilio', messageId: earlier.sid });
		const rerun = await engine.run(items, [shared({ campaignKey: key })], { workflowId });
		expect(recipientsOf(rerun).map((i) => [i.reason, i.messageId ?? null])).toEqual([
			['alreadySent', earlier.sid],
			...[1, 2, 3].map((i) => ['alreadySent', out[i].messageId]),
			['beingSent', null],
			['alreadySent', out[5].messageId],
		]);
		expect([0, 1, 2, 3, 4, 5].map((i) => storedTo(items[i].phone).length)).toEqual([1, 1, 1, 2, 0, 1]);
	});
});

describe('Bulk SMS Campaign with Redis: Redis lost mid-campaign', () => {
	it('at 2 a second, Redis cut after 3 arrivals: nothing more leaves; with Continue On Fail the rest are skipped (sharedStateUnavailable) and the summary says why, without it the node fails; once Redis is back a re-run sends exactly the rest', async () => {
		// Redis behind a proxy that can be cut: for the node, Redis is gone (connections refused); Redis itself keeps what
		// it had, so that the re-run afterwards can be checked against it.
		const server = await startRedis();
		const proxy = await startTcpProxy(server.port);
		// Two campaigns at once, on two prefixes (budgets and ledgers of their own): with and without Continue On Fail.
		const other = await Engine.load();
		for (const [type, data] of Object.entries(engine.credentials)) other.setCredentials(type, { ...data });
		engine.setCredentials('messagingRedisApi', server.credentials({ port: proxy.port }));
		other.setCredentials('messagingRedisApi', server.credentials({ port: proxy.port }));
		const key = freshKey();
		const [listA, listB] = [people(12, '73'), people(12, '74')];
		const [numbersA, numbersB] = [new Set(listA.map((p) => p.phone)), new Set(listB.map((p) => p.phone))];
		const node = (extra: IDataObject = {}) => shared({ campaignKey: key, rateMode: 'custom', ratePerSecond: 2, rateUnit: 'messages' }, extra);
		try {
			const started = Date.now();
			const running = Promise.all([
				engine.run(listA, [node({ onError: 'continueRegularOutput' })], { workflowId: `wf-a-${key}` }),
				other.run(listB, [node()], { workflowId: `wf-b-${key}` }),
			]);
			await waitFor(() => storedAmong(numbersA).length >= 3 && storedAmong(numbersB).length >= 3, 15_000);
			await proxy.cut();
			const cutAt = Date.now();
			// Send SMS with a Rate Limit, asked to send now (from another number: a budget of its own): two items at once
			// without Continue On Fail, three one at a time with it.
			const [twoAtOnce, threeInTurn] = [people(2, '81'), people(3, '82')];
			const since = (result: RunResult) => ({ result, seconds: (Date.now() - cutAt) / 1000 });
			const sending = Promise.all([
				engine.run(twoAtOnce, [sendSms('redis', 1, '+12025550134')]).then(since),
				engine.run(threeInTurn, [{ ...sendSms('redis', 1, '+447911000001'), onError: 'continueRegularOutput' }]).then(since),
			]);
			const [a, b] = await running;
			const seconds = (Date.now() - cutAt) / 1000;
			const [sentA, sentB] = [storedAmong(numbersA).length, storedAmong(numbersB).length];
			// What was on its way when Redis went may have left; nothing after.
			expect(sentA).toBeGreaterThanOrEqual(3);
			expect(sentA).toBeLessThanOrEqual(5);
			expect(sentB).toBeGreaterThanOrEqual(3);
			expect(sentB).toBeLessThanOrEqual(5);
			await sleep(500);
			expect([storedAmong(numbersA).length, storedAmong(numbersB).length]).toEqual([sentA, sentB]);
			const stoppedBy = new RegExp(`^Redis, which holds the shared rate budget and sent-ledger, could not be reached for 30 s: Could not reach Redis at 127\\.0\\.0\\.1:${proxy.port} \\(.+\\): check the Messaging Gateway Redis credential; nothing was sent$`);

			// With Continue On Fail: every recipient has an item, the counts add up, the summary says why it stopped.
			expect(a.error()).toBeUndefined();
			expect(countsProblems(a, 12)).toEqual([]);
			const itemsA = recipientsOf(a);
			const leftA = itemsA.filter((i) => i.status === 'queued');
			expect(leftA.map((i) => i.to).sort()).toEqual(storedAmong(numbersA).map((m) => m.to).sort());
			expect(itemsA.filter((i) => i.status !== 'queued').map((i) => [i.status, i.reason])).toEqual(Array(12 - sentA).fill(['skipped', 'sharedStateUnavailable']));
			expect(String(itemsA.find((i) => i.reason === 'sharedStateUnavailable')?.reasonText)).toMatch(/^Not sent: Redis, which holds .*\. A re-run with the same Campaign Key sends only to the rest$/);
			expect(summaryOf(a)).toMatchObject({ stoppedBy: expect.stringMatching(stoppedBy), sent: sentA, recipients: 12 });

			// Without: the node fails, saying so.
			const error = b.error();
			expect(error?.message).toMatch(new RegExp(`^The campaign stopped: ${stoppedBy.source.slice(1)}`));
			expect(error?.description).toBe(
				`${sentB} messages had left; ${12 - sentB} recipients were not sent (nothing is sent without the shared rate budget and sent-ledger). Once Redis is back, run it again with the same Campaign Key: it sends only to the rest.`,
			);
			// OUTAGE_MS is 30 s: nothing is given up sooner, and the node says so soon after.
			console.log(`Redis cut: the campaigns returned after ${seconds.toFixed(1)} s (started ${((cutAt - started) / 1000).toFixed(1)} s before the cut)`);
			expect(seconds).toBeGreaterThanOrEqual(29);
			expect(seconds).toBeLessThan(40);

			// Send SMS: Redis is waited out once (not once per item), then each item fails with the sentence; nothing sent.
			const [stopped, continued] = await sending;
			console.log(`Redis cut: Send SMS returned after ${stopped.seconds.toFixed(1)} s (2 items at once) and ${continued.seconds.toFixed(1)} s (3 in turn, Continue On Fail)`);
			for (const { seconds: took } of [stopped, continued]) {
				expect(took).toBeGreaterThanOrEqual(29);
				expect(took).toBeLessThan(40);
			}
			expect(stopped.result.error()?.message).toMatch(stoppedBy);
			expect(continued.result.error()).toBeUndefined();
			expect(continued.result.items('Send SMS').map((i) => String(i.json.error))).toEqual(Array(3).fill(expect.stringMatching(stoppedBy)));
			expect(storedAmong(new Set([...twoAtOnce, ...threeInTurn].map((p) => p.phone)))).toEqual([]);

			// Redis back: a re-run of each sends exactly the rest. What had left but was not yet recorded when Redis went
			// is found at Twilio; each number has one message.
			await proxy.restore();
			const [againA, againB] = await Promise.all([
				engine.run(listA, [node({ onError: 'continueRegularOutput' })], { workflowId: `wf-a-${key}` }),
				other.run(listB, [node()], { workflowId: `wf-b-${key}` }),
			]);
			for (const [again, sent, numbers] of [
				[againA, sentA, numbersA],
				[againB, sentB, numbersB],
			] as Array<[RunResult, number, Set<string>]>) {
				expect(again.error()).toBeUndefined();
				expect(countsProblems(again, 12)).toEqual([]);
				const out = recipientsOf(again);
				expect(out.filter((i) => i.reason === 'alreadySent')).toHaveLength(sent);
				expect(out.filter((i) => i.status === 'queued')).toHaveLength(12 - sent);
				for (const to of numbers) expect(storedTo(to)).toHaveLength(1);
			}
		} finally {
			await proxy.stop();
			await server.stop();
		}
	}, 180_000);
});

describe('Send SMS with a Rate Limit shared through Redis', () => {
	it('two n8n processes sending from one number at once keep to its rate together (and would not, each with its own)', async () => {
		const worker = await startEngineWorker(engine.credentials);
		try {
			const arrivalsOf = async (sharedState: string, prefixes: [string, string]) => {
				const [here, there] = [people(8, prefixes[0]), people(8, prefixes[1])];
				const numbers = new Set([...here, ...there].map((p) => p.phone));
				const lag = monitorEventLoopDelay({ resolution: 5 });
				lag.enable();
				const [a, b] = await Promise.all([engine.run(here, [sendSms(sharedState, 4)]), worker.run(there, [sendSms(sharedState, 4)], 'Send SMS')]);
				lag.disable();
				expect(a.error()).toBeUndefined();
				expect(b.error).toBeUndefined();
				const arrivals = storedAmong(numbers).map((m) => [Date.parse(m.createdAt), 1] as const);
				expect(arrivals).toHaveLength(16);
				// The sandbox stamps arrivals in this process: late by as much as its event loop stalled (less the guard).
				const stallMs = Math.min(100, Math.max(0, Math.round(lag.max / 1e6) - 15));
				return { busiest: busiestSecond(arrivals, 1000 - stallMs), span: (Math.max(...arrivals.map(([t]) => t)) - Math.min(...arrivals.map(([t]) => t))) / 1000 };
			};
			const viaRedis = await arrivalsOf('redis', ['75', '76']);
			expect(viaRedis.busiest).toBeLessThanOrEqual(4);
			// 16 at 4 a second: about 4 s.
			expect(viaRedis.span).toBeGreaterThan(3.5);
			const apart = await arrivalsOf('process', ['77', '78']);
			expect(apart.busiest).toBeGreaterThanOrEqual(6);
		} finally {
			await worker.stop();
		}
	}, 120_000);
});

describe('Share Rate Limits Via = Redis without a Redis credential', () => {
	beforeEach(() => {
		delete engine.credentials.messagingRedisApi;
	});
	const MESSAGE = 'Share Rate Limits Via is Redis, but no Redis credential is set';

	it('Bulk SMS Campaign: fails before sending anything, naming the parameter', async () => {
		const result = await engine.run(people(3, '79'), [shared({ campaignKey: freshKey() })], { workflowId: `wf-${randomUUID()}` });
		expect(result.error()?.message).toBe(MESSAGE);
		expect(result.error()?.description).toMatch(/Pick or create a Messaging Gateway Redis credential.*Share Rate Limits Via.*Nothing was sent\.$/);
		expect(box.get().messages.size).toBe(0);
		// A dry run shares nothing: no credential needed.
		const dry = await engine.run(people(3, '79'), [shared({ dryRun: true })]);
		expect(dry.error()).toBeUndefined();
		expect(recipientsOf(dry).map((i) => i.status)).toEqual(['planned', 'planned', 'planned']);
	});

	it('Send SMS with a Rate Limit: fails before sending, naming the parameter; without a Rate Limit nothing is shared, and it sends', async () => {
		const items = people(2, '80');
		const limited = await engine.run(items, [{ type: 'sendSms', name: 'Send SMS', parameters: { operation: 'send', provider: 'twilio', to: '={{ $json.phone }}', message: 'Hi', twilioFrom: FROM, sharedState: 'redis', options: { ...FAST, ratePerSecond: 1 } } }]);
		expect(limited.error()?.message).toBe(MESSAGE);
		expect(box.get().messages.size).toBe(0);
		const unlimited = await engine.run(items, [{ type: 'sendSms', name: 'Send SMS', parameters: { operation: 'send', provider: 'twilio', to: '={{ $json.phone }}', message: 'Hi', twilioFrom: FROM, sharedState: 'redis', options: FAST } }]);
		expect(unlimited.error()).toBeUndefined();
		expect(box.get().messages.size).toBe(2);
	});
});
