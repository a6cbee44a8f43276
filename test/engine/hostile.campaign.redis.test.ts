/**
 * Hostile tests of Bulk SMS Campaign in n8n's queue mode: Share Rate Limits Via = Redis (the sender's rate budget and
 * the Campaign Key's sent-ledger in a real redis-server), with two "workers" in this process (the second an engine
 * with a module registry of its own: its own ledger owner, renewals, rate lines and Redis clients).
 *
 * 1. Two workers at once: one campaign (same workflow, same key) started on both at the same moment over 4,000
 *    recipients under the fault storm of hostile.campaign.storm.test.ts, then a third run; reconciled message by
 *    message with the sandbox and the storm's model (the sends of a recipient, serialised by the claims, are the
 *    model's sends in turn).
 * 2. Redis restarted mid-campaign (it keeps nothing: it comes back empty): one worker waits it out and sends each once,
 *    but a re-run sends again to everyone settled before the restart (the README's promise does not survive a Redis
 *    that loses its data); two workers across the restart; Redis gone for 35 s (the stop, within 30 s); a Redis that
 *    never answers (bounded: 5 s + 30 s).
 * 3. Secrets: a password and a user name in the credential, against a wrong password, an unreachable port and fake
 *    servers that echo the AUTH line back: never in an item, the summary, the error, the execution data or a log line.
 * 4. Garbage at the ledger's keys (`sent:<scope>:<number>`) and at the rate keys (`rate:twilio:+15005550006` and its
 *    log): wrong types, text, NaN, inf, 1e300: nothing sent twice or without a budget, runs that end, sentences that
 *    name the key.
 * 5. A worker cut off from Redis while its claim is taken over (it must not send when it gets Redis back; a Sinch
 *    batch goes without the numbers taken over, which without 07ef2dc went twice: stored [2,2,1,1,1]); an owner
 *    alive whose answer takes 25 s (its claim is renewed, never taken over); two workers sharing one sender's rate;
 *    Send SMS from 1,000 senders with a shared Rate Limit.
 *
 * The slow ones (each waits out 30 s, 20 s or 25 s) run side by side in one test, each with credentials of its own.
 */
import type { IDataObject } from 'n8n-workflow';
import { campaignNode, countsProblems, recipientsOf, storedByTo, storedIds, summaryOf, tallyRequests, ACCEPTED, type RequestTally } from '../helpers/campaign';
import { countOf, faultsOf, longestStall, Model, offModel, phone, recipientKind, STORM_OPTIONS, category, type Outcome } from '../helpers/campaignStorm';
import { busiestSecond } from '../../nodes/shared/rules/throttle';
import type { Engine, RunResult } from '../helpers/engine';
import { captureOutput, closedPort, rng } from '../helpers/hostile';
import { freePort, useRedis } from '../helpers/redis';
import { closeDistRedisClients, credentialsById, echoingRedis, isolatedWorker, ledgerKey, nodeCredentials, redisProxy, restartableRedis, silentRedis, type Worker } from '../helpers/redisWorkers';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';
import { startSandbox } from '../../sandbox/server';
import { sandboxCredentials } from '../helpers/credentials';

const REDIS_PASSWORD = 'hq-redis-pass/word+7';
// Rate limits out of the way: every 429 here is an injected one.
const box = useSandbox({ limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
const engines = useEngine(box);
const redis = useRedis({ password: REDIS_PASSWORD });
let engine: Engine;
let worker: Worker;
let tally: RequestTally;

beforeAll(async () => {
	tally = tallyRequests(box.get());
	worker = await isolatedWorker();
}, 60_000);
afterAll(async () => {
	tally?.restore();
	await worker?.close();
	await closeDistRedisClients();
});
beforeEach(() => {
	engine = engines.get();
	const creds = redis.get().credentials({ keyPrefix: 'hq:' });
	engine.setCredentials('messagingRedisApi', { ...creds });
	for (const [type, data] of Object.entries(sandboxCredentials(box.get()))) worker.engine.setCredentials(type, { ...data });
	worker.engine.setCredentials('messagingRedisApi', { ...creds });
});

const unique = () => `${process.pid}-${Date.now()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sendsOf = (from: number) => tally.sends(from, 'twilio').length;
const listLookups = (from: number) => tally.all.slice(from).filter((q) => q.method === 'GET' && /\/Messages\.json$/.test(q.path)).length;

/** An item's outcome as the model writes it (status, attempts), for comparing multisets. */
const asModel = (item: IDataObject) => JSON.stringify({ status: category(item.status), attempts: item.attempts });
const modelAs = (o: Outcome) => JSON.stringify({ status: o.status, attempts: o.attempts });
const tookPart = (item: IDataObject) => item.status !== 'skipped';

describe('Bulk SMS Campaign in queue mode (Redis): two workers at once under a fault storm', () => {
	const N = 4000;
	it(
		`${N} recipients, two executions of one campaign started at once on two workers, then a third: no recipient stored twice, each accounted for once, counts add up`,
		async () => {
			const r = rng(20261201);
			const key = `two-workers-${unique()}`;
			const workflowId = `wf-${key}`;
			const tos = Array.from({ length: N }, (_, i) => phone(3, i));
			const kinds = tos.map(() => recipientKind(r));
			const faults = tos.flatMap((to, i) => faultsOf(r, kinds[i], 'twilio', to));
			for (const f of faults) box.get().addFault({ ...f, count: 1 });
			const model = new Model(faults);
			const items = tos.map((phone, i) => ({ phone, name: `N${i}` }));
			const node = campaignNode({ campaignKey: key, message: 'Two {name}', sharedState: 'redis' }, {}, STORM_OPTIONS);

			const before = storedIds(box.get());
			const from = tally.all.length;
			const started = Date.now();
			// The claims' owners, seen in Redis while both run: two processes' worth.
			const owners = new Set<string>();
			let running = true;
			const admin = redis.get().admin();
			const scope = ledgerKey('hq:', workflowId, key, '');
			const watching = (async () => {
				while (running) {
					let cursor = '0';
					do {
						const [next, found] = await admin.scan(cursor, 'MATCH', `${scope}*`, 'COUNT', 1000);
						cursor = next;
						for (const value of found.length ? await admin.mget(...found) : []) {
							const claim = value?.startsWith('{"') ? (JSON.parse(value) as { p?: number; owner?: string }) : undefined;
							if (claim?.p === 1 && claim.owner) owners.add(claim.owner);
						}
					} while (cursor !== '0' && running);
					await sleep(200);
				}
			})();
			const [a, b] = await Promise.all([engine.run(items, [node], { workflowId }), worker.engine.run(items, [node], { workflowId })]);
			running = false;
			await watching;
			const seconds = (Date.now() - started) / 1000;
			const runs: RunResult[] = [a, b];
			const outs = runs.map(recipientsOf);
			for (const run of runs) {
				expect(run.error()).toBeUndefined();
				expect(countsProblems(run, N)).toEqual([]);
			}
			// Recipient by recipient: the sends the runs made (claims serialise them) are the model's sends in turn.
			const problems: string[] = [];
			const firstPair: Outcome[][] = [];
			const fresh = storedByTo(box.get(), (m) => !before.has(m.id));
			tos.forEach((to, i) => {
				const pair = outs.map((o) => o[i]);
				const sending = pair.filter(tookPart);
				const wanted = sending.map(() => model.send(to, ['twilio']));
				firstPair.push(wanted);
				const got = sending.map(asModel).sort();
				const want = wanted.map(modelAs).sort();
				if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${to} (${kinds[i]}): runs ${JSON.stringify(got)}, the rules say ${JSON.stringify(want)}`);
				// Only the last send of a recipient may be anything but a certain failure (which gives the claim back).
				if (wanted.slice(0, -1).some((o) => o.status !== 'failed')) problems.push(`${to}: sent again after ${JSON.stringify(wanted.map((o) => o.status))}`);
				const took = pair.filter((item) => ACCEPTED.has(String(item.status)) || item.status === 'unknown');
				if (took.length > 1) problems.push(`${to}: ${took.length} runs report it sent or possibly sent`);
				for (const item of pair) {
					if (item.status === 'skipped' && item.reason !== 'beingSent' && item.reason !== 'alreadySent') problems.push(`${to}: skipped for ${String(item.reason)}`);
				}
				const stored = fresh.get(to) ?? [];
				const wantStored = wanted.reduce((n, o) => n + o.stored, 0);
				if (stored.length !== wantStored || stored.length > 1) problems.push(`${to}: ${stored.length} stored, the rules say ${wantStored}`);
				const accepted = pair.find((item) => ACCEPTED.has(String(item.status)));
				if (accepted && stored[0]?.id !== accepted.messageId) problems.push(`${to}: reported ${String(accepted.messageId)}, stored ${String(stored[0]?.id)}`);
				const replay = pair.find((item) => item.reason === 'alreadySent' && item.messageId !== undefined);
				if (replay && replay.messageId !== accepted?.messageId) problems.push(`${to}: alreadySent names ${String(replay.messageId)}, the other run ${String(accepted?.messageId)}`);
			});
			const requests = runs.map((run) => Number(summaryOf(run)?.requests));
			console.log(
				`two workers at once, ${N} recipients: ${seconds.toFixed(1)} s; ` +
					runs.map((run, k) => `run ${k + 1}: statuses ${JSON.stringify(summaryOf(run)?.statuses)} reasons ${JSON.stringify(summaryOf(run)?.reasons)} requests ${requests[k]}`).join('; ') +
					`; kinds ${JSON.stringify(countOf(kinds))}; sends ${sendsOf(from)}, model ${model.requests}; list look-ups ${listLookups(from)}`,
			);
			expect(problems.slice(0, 20)).toEqual([]);
			expect(owners.size).toBe(2);
			// Every claim settled or given back: none left pending.
			const left = (await admin.keys(`${scope}*`)).length;
			expect(left).toBe(tos.filter((_, i) => firstPair[i].at(-1)?.status !== 'failed').length);
			expect(sendsOf(from)).toBe(model.requests);
			expect(requests[0] + requests[1]).toBe(model.requests);
			// Both workers are alive: no claim goes stale, nothing is looked up.
			expect(listLookups(from)).toBe(0);
			// Both really ran at once: each sent some.
			expect(outs.map((o) => o.filter((item) => ACCEPTED.has(String(item.status))).length).every((n) => n > 0)).toBe(true);

			// ---- A third run with the key: only the recipients whose every send failed are sent. ----
			const before3 = storedIds(box.get());
			const from3 = tally.all.length;
			const modelBefore = model.requests;
			const third = await engine.run(items, [node], { workflowId });
			expect(third.error()).toBeUndefined();
			expect(countsProblems(third, N)).toEqual([]);
			const out3 = recipientsOf(third);
			const off3: string[] = [];
			const fresh3 = storedByTo(box.get(), (m) => !before3.has(m.id));
			tos.forEach((to, i) => {
				const last = firstPair[i].at(-1);
				const item = out3[i];
				if (last && last.status !== 'failed') {
					if (item.status !== 'skipped' || item.reason !== 'alreadySent') off3.push(`${to} (${last.status} before): ${String(item.status)}/${String(item.reason)}`);
					if ((fresh3.get(to) ?? []).length) off3.push(`${to}: stored again`);
					return;
				}
				const want = model.send(to, ['twilio']);
				const why = offModel(item, want);
				if (why) off3.push(`${to} (retried): ${why}`);
				if ((fresh3.get(to) ?? []).length !== want.stored) off3.push(`${to}: ${(fresh3.get(to) ?? []).length} stored, the rules say ${want.stored}`);
			});
			console.log(`third run: statuses ${JSON.stringify(summaryOf(third)?.statuses)} reasons ${JSON.stringify(summaryOf(third)?.reasons)}; sends ${sendsOf(from3)}, model ${model.requests - modelBefore}`);
			expect(off3.slice(0, 20)).toEqual([]);
			expect(sendsOf(from3)).toBe(model.requests - modelBefore);
			const all = storedByTo(box.get());
			expect(tos.filter((to) => (all.get(to)?.length ?? 0) > 1)).toEqual([]);
		},
		150_000,
	);
});

describe('Bulk SMS Campaign in queue mode (Redis): Redis restarted mid-campaign (no persistence: it comes back empty)', () => {
	const creds = (port: number) => ({ host: '127.0.0.1', port, database: 0, user: '', password: REDIS_PASSWORD, tls: false, keyPrefix: 'restart:' });

	it('one worker, Redis down 3 s: the run waits it out and sends each recipient once; a re-run with the key sends again to every recipient settled before the restart (what Redis forgot)', async () => {
		const N = 500;
		const port = await freePort();
		const server = await restartableRedis(port, REDIS_PASSWORD);
		try {
			engine.setCredentials('messagingRedisApi', creds(port));
			const key = `restart-one-${unique()}`;
			const workflowId = `wf-${key}`;
			const tos = Array.from({ length: N }, (_, i) => phone(4, i));
			const items = tos.map((phone, i) => ({ phone, name: `R${i}` }));
			// 100 a second through the shared budget: 5 s of sending, Redis killed 2 s in.
			const node = campaignNode({ campaignKey: key, message: 'Restart {name}', sharedState: 'redis', rateMode: 'custom', ratePerSecond: 100, rateUnit: 'messages' }, {}, STORM_OPTIONS);
			const before = storedIds(box.get());
			const running = engine.run(items, [node], { workflowId });
			await sleep(2000);
			await server.stop();
			const sentBeforeStop = new Set(storedByTo(box.get(), (m) => !before.has(m.id)).keys());
			await sleep(3000);
			const sentDuringOutage = storedByTo(box.get(), (m) => !before.has(m.id)).size - sentBeforeStop.size;
			await server.start();
			const run = await running;
			console.log(`restart, one worker: ${sentBeforeStop.size} sent before the kill, ${sentDuringOutage} more while Redis was down; statuses ${JSON.stringify(summaryOf(run)?.statuses)} stoppedBy ${String(summaryOf(run)?.stoppedBy)}`);
			expect(run.error()).toBeUndefined();
			expect(countsProblems(run, N)).toEqual([]);
			expect(summaryOf(run)?.statuses).toEqual({ queued: N });
			// Nothing sent on a budget of its own while Redis was away (requests already on their way may land).
			expect(sentDuringOutage).toBeLessThanOrEqual(STORM_OPTIONS.concurrency as number);
			const byTo = storedByTo(box.get(), (m) => !before.has(m.id));
			expect(tos.filter((to) => (byTo.get(to)?.length ?? 0) !== 1)).toEqual([]);

			// The re-run. The README promises "a recipient accepted under the key is never sent again by any worker"; a
			// Redis that restarts without its data has forgotten every recipient settled before it went down.
			const before2 = storedIds(box.get());
			const again = await engine.run(items, [node], { workflowId });
			const sentAgain = [...storedByTo(box.get(), (m) => !before2.has(m.id)).keys()];
			console.log(`restart, one worker, re-run with the key: statuses ${JSON.stringify(summaryOf(again)?.statuses)} reasons ${JSON.stringify(summaryOf(again)?.reasons)}; sent again to ${sentAgain.length} of ${N}`);
			expect(countsProblems(again, N)).toEqual([]);
			// Exactly what was settled before the kill (those still on their way then were settled after it, and are kept).
			expect(sentAgain.filter((to) => !sentBeforeStop.has(to))).toEqual([]);
			expect(sentAgain.length).toBeGreaterThanOrEqual(sentBeforeStop.size - (STORM_OPTIONS.concurrency as number));
		} finally {
			await server.dispose();
		}
	}, 60_000);

	it('two workers: A waits out a 503 (Retry-After 5 s) on 10 numbers while Redis restarts empty; B, started then, claims them and sends; A’s retries must not send them again', async () => {
		const N = 100;
		const port = await freePort();
		const server = await restartableRedis(port, REDIS_PASSWORD);
		try {
			engine.setCredentials('messagingRedisApi', creds(port));
			worker.engine.setCredentials('messagingRedisApi', creds(port));
			const key = `restart-two-${unique()}`;
			const workflowId = `wf-${key}`;
			const tos = Array.from({ length: N }, (_, i) => phone(5, i));
			const waiting = new Set(tos.filter((_, i) => i % 10 === 0));
			for (const to of waiting) box.get().addFault({ provider: 'twilio', to, type: 'status', status: 503, retryAfter: 5, count: 1 });
			const items = tos.map((phone, i) => ({ phone, name: `R${i}` }));
			const node = campaignNode({ campaignKey: key, message: 'Restart {name}', sharedState: 'redis' }, {}, { ...STORM_OPTIONS, maxRetryAfterMs: 6000 });
			const before = storedIds(box.get());
			const from = tally.all.length;
			const a = engine.run(items, [node], { workflowId });
			// A has been through every number: the 90 others sent, the 10 waiting for their retry.
			for (let i = 0; i < 300 && tally.sends(from).length < N; i++) await sleep(10);
			const sentByA = new Set(storedByTo(box.get(), (m) => !before.has(m.id)).keys());
			// None of the retries has gone yet (Retry-After 5 s).
			const retried = tally.sends(from).filter((q) => q.status !== 503 && q.recipients.some((to) => waiting.has(to)));
			expect(retried).toHaveLength(0);
			await server.stop();
			await server.start();
			const b = await worker.engine.run(items, [node], { workflowId });
			const aRun = await a;
			const [outA, outB] = [recipientsOf(aRun), recipientsOf(b)];
			const byTo = storedByTo(box.get(), (m) => !before.has(m.id));
			const twice = tos.filter((to) => (byTo.get(to)?.length ?? 0) > 1);
			console.log(
				`restart, two workers: A ${JSON.stringify(summaryOf(aRun)?.statuses)} ${JSON.stringify(summaryOf(aRun)?.reasons)}; B ${JSON.stringify(summaryOf(b)?.statuses)} ${JSON.stringify(summaryOf(b)?.reasons)}; ` +
					`sent twice: ${twice.length} (of the 10 A was retrying: ${twice.filter((to) => waiting.has(to)).length})`,
			);
			expect(countsProblems(aRun, N)).toEqual([]);
			expect(countsProblems(b, N)).toEqual([]);
			// The 10: sent once, by B; A says another run took them over.
			expect([...waiting].filter((to) => (byTo.get(to)?.length ?? 0) !== 1)).toEqual([]);
			tos.forEach((to, i) => {
				if (!waiting.has(to)) return;
				expect(ACCEPTED.has(String(outB[i].status))).toBe(true);
				expect(outA[i]).toMatchObject({ status: 'skipped', reason: 'beingSent' });
			});
			// The limit, as it is: the 90 A sent before the restart are forgotten, and B sends them again.
			expect(sentByA.size).toBe(N - waiting.size);
			expect(twice.sort()).toEqual([...sentByA].sort());
		} finally {
			await server.dispose();
		}
	}, 60_000);
});


describe('Bulk SMS Campaign in queue mode (Redis): two workers, one sender', () => {
	it('two campaigns from +15005550006 at 20 a second on two workers: together no second holds more than 20; a 429 on one pauses both', async () => {
		const tosA = Array.from({ length: 40 }, (_, i) => phone(6, 600_000 + i));
		const tosB = Array.from({ length: 40 }, (_, i) => phone(6, 600_100 + i));
		box.get().addFault({ provider: 'twilio', to: tosA[15], type: 'status', status: 429, retryAfter: 1, count: 1 });
		const rate = { sharedState: 'redis', rateMode: 'custom', ratePerSecond: 20, rateUnit: 'messages', message: 'Shared {name}' };
		const { value: runs, stallMs } = await longestStall(() =>
			Promise.all([
				engine.run(tosA.map((phone, i) => ({ phone, name: `A${i}` })), [campaignNode({ ...rate, campaignKey: `share-a-${unique()}` }, {}, STORM_OPTIONS)], { workflowId: `wf-share-a-${unique()}` }),
				worker.engine.run(tosB.map((phone, i) => ({ phone, name: `B${i}` })), [campaignNode({ ...rate, campaignKey: `share-b-${unique()}` }, {}, STORM_OPTIONS)], { workflowId: `wf-share-b-${unique()}` }),
			]),
		);
		for (const run of runs) expect(run.error()).toBeUndefined();
		const mine = new Set([...tosA, ...tosB]);
		const times = [...box.get().messages.values()]
			.filter((m) => mine.has(m.to))
			.map((m) => Date.parse(m.createdAt))
			.sort((a, b) => a - b);
		const gaps = times.slice(1).map((t, i) => t - times[i]);
		const busiest = busiestSecond(
			times.map((t) => [t, 1] as const),
			1000 - Math.min(stallMs, 100),
		);
		console.log(`two workers, one sender at 20/s: ${times.length} messages in ${((times.at(-1) ?? 0) - times[0]) / 1000} s; busiest second ${busiest}; longest gap ${Math.max(...gaps)} ms; stall ${stallMs} ms`);
		expect(times).toHaveLength(80);
		expect(busiest).toBeLessThanOrEqual(20);
		// Both waited out the Retry-After: no message from either in the second after it.
		expect(Math.max(...gaps)).toBeGreaterThanOrEqual(900);
	}, 30_000);
});

describe('Send SMS in queue mode (Redis): 1,000 senders', () => {
	it('1,000 items from 1,000 different Sinch senders at 1 a second each: none waits for another, each sender gets its two keys (expiring), nothing is left behind', async () => {
		const prefix = `senders-${unique()}:`;
		engine.setCredentials('messagingRedisApi', redis.get().credentials({ keyPrefix: prefix }));
		const items = Array.from({ length: 1000 }, (_, i) => ({ phone: phone(6, 800_000 + i), from: `HQ${String(i).padStart(4, '0')}` }));
		const node = {
			type: 'sendSms',
			name: 'Send SMS',
			parameters: { operation: 'send', provider: 'sinch', to: '={{ $json.phone }}', message: 'One of a thousand', sinchFrom: '={{ $json.from }}', sharedState: 'redis', options: { concurrency: 8, ratePerSecond: 1, maxRetries: 0, timeoutMs: 5000 } },
		};
		const started = Date.now();
		const run = await engine.run(items, [node]);
		const seconds = (Date.now() - started) / 1000;
		expect(run.error()).toBeUndefined();
		const out = run.items('Send SMS');
		const admin = redis.get().admin();
		const keys = await admin.keys(`${prefix}*`);
		const ttls = await Promise.all(keys.slice(0, 50).map((key) => admin.pttl(key)));
		console.log(`1,000 senders: ${seconds.toFixed(1)} s; ${out.filter((item) => ACCEPTED.has(String(item.json.status))).length} accepted; ${keys.length} keys; time to live ${Math.min(...ttls)}–${Math.max(...ttls)} ms`);
		expect(out.filter((item) => ACCEPTED.has(String(item.json.status)))).toHaveLength(1000);
		expect(new Set(out.map((item) => item.json.from)).size).toBe(1000);
		// Each sender's hash and log, and nothing else; all expire (10 minutes after their use).
		expect(keys.length).toBe(2000);
		expect(ttls.every((ttl) => ttl > 0 && ttl <= 600_000)).toBe(true);
		// 1,000 first messages of their senders, 8 at a time: not a second each.
		expect(seconds).toBeLessThan(60);
	}, 90_000);
});

// ---------------------------------------------------------------------------------------------------------------
// The slow ones, side by side (each waits out Redis's 30 s, a lease of 20 s, or a 25 s answer): one test, many runs
// at once on the two engines, each with credentials of its own (credentialsById).
// ---------------------------------------------------------------------------------------------------------------

interface Scenario {
	name: string;
	problems: string[];
	notes: string[];
	/** Passwords that must appear nowhere, and the runs to look into. */
	secrets: string[];
	runs: RunResult[];
}

/** An engine run that is canceled after `ms` if it has not ended by itself (a run that never ends must fail the test, not hang it). */
async function bounded(on: Engine, items: IDataObject[], node: ReturnType<typeof campaignNode>, workflowId: string, ms: number): Promise<{ run: RunResult; seconds: number; endedByItself: boolean }> {
	const started = Date.now();
	let timer: NodeJS.Timeout | undefined;
	let canceled = false;
	const run = await on.run(items, [node], {
		workflowId,
		waitForNodes: true,
		onStarted: (cancel) => {
			timer = setTimeout(() => {
				canceled = true;
				cancel();
			}, ms);
		},
	});
	clearTimeout(timer);
	return { run, seconds: (Date.now() - started) / 1000, endedByItself: !canceled };
}

/** Where a secret shows: the run's items, summary, error and execution data. */
function secretProblems(run: RunResult, secrets: readonly string[]): string[] {
	const error = run.error(CAMPAIGN_NAME) ?? run.error();
	const places: Record<string, string> = {
		items: JSON.stringify(recipientsOf(run)),
		summary: JSON.stringify(summaryOf(run) ?? {}),
		error: `${error?.message ?? ''} ${error?.description ?? ''} ${JSON.stringify(error?.context ?? {})}`,
		executionData: JSON.stringify(run.run),
	};
	return Object.entries(places).flatMap(([where, text]) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${where}`));
}
const CAMPAIGN_NAME = 'Campaign';

describe('Bulk SMS Campaign in queue mode (Redis): gone, silent, refusing, echoing, full of garbage; a worker cut off or slow', () => {
	it('side by side: each stops (or goes on) as it should, bounded in time, nothing sent twice or without the shared state, no password anywhere', async () => {
		const byIdA = credentialsById(engine);
		const byIdB = credentialsById(worker.engine);
		const output = captureOutput();
		const sandbox2 = await startSandbox({ port: 0, timeScale: 1, limits: { twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
		const tidy: Array<() => Promise<void>> = [async () => await sandbox2.stop()];
		const base = () => redis.get().credentials();
		const scenario = (name: string): Scenario => ({ name, problems: [], notes: [], secrets: [], runs: [] });
		let results: Scenario[] = [];
		try {
			// ---- 2b. Redis gone for 35 s mid-campaign: both runs stop after 30 s, nothing sent after the stop. ----
			const away = async (): Promise<Scenario> => {
				const sc = scenario('Redis away 35 s');
				const password = 'Away-Pass-9931!';
				sc.secrets.push(password);
				const port = await freePort();
				const server = await restartableRedis(port, password);
				tidy.push(() => server.dispose());
				byIdA.set('redis-away', { host: '127.0.0.1', port, database: 0, user: '', password, tls: false, keyPrefix: 'away:' });
				const key = `away-${unique()}`;
				const cofTos = Array.from({ length: 120 }, (_, i) => phone(7, i));
				const plainTos = Array.from({ length: 60 }, (_, i) => phone(8, i));
				const rate = { sharedState: 'redis', rateMode: 'custom', ratePerSecond: 20, rateUnit: 'messages', message: 'Away {name}' };
				const cofNode = campaignNode({ campaignKey: `${key}-cof`, ...rate }, { ...nodeCredentials({ redis: 'redis-away' }), onError: 'continueRegularOutput' }, STORM_OPTIONS);
				const plainNode = campaignNode({ campaignKey: `${key}-plain`, ...rate }, nodeCredentials({ redis: 'redis-away' }), STORM_OPTIONS);
				const running = [
					bounded(engine, cofTos.map((phone, i) => ({ phone, name: `A${i}` })), cofNode, `wf-${key}`, 70_000),
					bounded(engine, plainTos.map((phone, i) => ({ phone, name: `B${i}` })), plainNode, `wf-${key}`, 70_000),
				];
				await sleep(2000);
				await server.stop();
				const stopAt = Date.now();
				const [cof, plain] = await Promise.all(running);
				const endedAfter = (Date.now() - stopAt) / 1000;
				sc.runs.push(cof.run, plain.run);
				// Back after 35 s: nothing more goes.
				const from = tally.all.length;
				await sleep(Math.max(0, stopAt + 35_000 - Date.now()));
				await server.start();
				await sleep(1000);
				const mine = new Set([...cofTos, ...plainTos]);
				const late = tally.all.filter((q) => q.method === 'POST' && q.recipients.some((to) => mine.has(to)) && Date.parse(q.at) > stopAt + 200);
				const afterReturn = tally.all.slice(from).filter((q) => q.recipients.some((to) => mine.has(to)));
				const summary = summaryOf(cof.run) ?? {};
				sc.notes.push(`ended ${endedAfter.toFixed(1)} s after Redis went (${cof.seconds.toFixed(1)} s and ${plain.seconds.toFixed(1)} s in all); COF statuses ${JSON.stringify(summary.statuses)} reasons ${JSON.stringify(summary.reasons)}; stoppedBy ${JSON.stringify(summary.stoppedBy)}; plain error ${JSON.stringify(plain.run.error()?.message)} / ${JSON.stringify(plain.run.error()?.description)}`);
				if (!cof.endedByItself || !plain.endedByItself) sc.problems.push('a run did not end by itself within 70 s');
				if (!(endedAfter >= 29 && endedAfter <= 45)) sc.problems.push(`ended ${endedAfter} s after Redis went, not within 30 s and a little`);
				if (cof.run.error()) sc.problems.push(`Continue On Fail run failed: ${cof.run.error()?.message}`);
				sc.problems.push(...countsProblems(cof.run, cofTos.length));
				if (!/could not be reached for 30 s/.test(String(summary.stoppedBy))) sc.problems.push(`stoppedBy ${JSON.stringify(summary.stoppedBy)}`);
				const byTo = storedByTo(box.get());
				recipientsOf(cof.run).forEach((item) => {
					const stored = byTo.get(String(item.to))?.length ?? 0;
					if (ACCEPTED.has(String(item.status))) {
						if (stored !== 1) sc.problems.push(`${String(item.to)} accepted, ${stored} stored`);
					} else if (item.status !== 'skipped' || item.reason !== 'sharedStateUnavailable' || stored !== 0) sc.problems.push(`${String(item.to)}: ${String(item.status)}/${String(item.reason)}, ${stored} stored`);
				});
				if (!(Number((summary.reasons as IDataObject | undefined)?.sharedStateUnavailable) > 0)) sc.problems.push('no recipient left for the stop');
				if (!/^The campaign stopped: Redis, which holds the shared rate budget and sent-ledger, could not be reached for 30 s/.test(String(plain.run.error()?.message))) sc.problems.push(`plain run's error: ${String(plain.run.error()?.message)}`);
				if (!/messages had left; \d+ recipients were not sent/.test(String(plain.run.error()?.description))) sc.problems.push(`plain run's description: ${String(plain.run.error()?.description)}`);
				if (late.length) sc.problems.push(`${late.length} requests after the stop`);
				if (afterReturn.length) sc.problems.push(`${afterReturn.length} requests once Redis was back`);
				return sc;
			};

			// ---- 2c. A Redis that accepts connections and never answers. ----
			const silent = async (): Promise<Scenario> => {
				const sc = scenario('Redis silent');
				const password = 'Silent-Pass-4417!';
				sc.secrets.push(password);
				const fake = await silentRedis();
				tidy.push(() => fake.close());
				byIdA.set('redis-silent', { host: '127.0.0.1', port: fake.port, database: 0, user: 'hq-silent', password, tls: false, keyPrefix: 'silent:' });
				const tos = Array.from({ length: 10 }, (_, i) => phone(6, 100_000 + i));
				const from = tally.all.length;
				const { run, seconds, endedByItself } = await bounded(engine, tos.map((phone) => ({ phone })), campaignNode({ campaignKey: `silent-${unique()}`, sharedState: 'redis', message: 'Silent' }, nodeCredentials({ redis: 'redis-silent' }), STORM_OPTIONS), `wf-silent-${unique()}`, 70_000);
				sc.runs.push(run);
				const error = run.error();
				sc.notes.push(`${seconds.toFixed(1)} s; error ${JSON.stringify(error?.message)}`);
				if (!endedByItself || seconds > 45) sc.problems.push(`took ${seconds} s (bound: 5 s command timeout + 30 s outage)`);
				if (!/could not be reached for 30 s: Redis at 127\.0\.0\.1:\d+ did not answer within 5 s/.test(String(error?.message))) sc.problems.push(`error: ${String(error?.message)}`);
				const sent = tally.all.slice(from).filter((q) => q.recipients.some((to) => tos.includes(to)));
				if (sent.length) sc.problems.push(`${sent.length} requests sent`);
				return sc;
			};

			// ---- 3. Refusing, unreachable, echoing: the node fails, saying so; the password nowhere. ----
			const refusal = async (slot: number, name: string, make: () => Promise<{ port: number; heard?: () => string; close?: () => Promise<void> }>, user: string, password: string, expected: RegExp): Promise<Scenario> => {
				const sc = scenario(name);
				sc.secrets.push(password);
				const target = await make();
				if (target.close) tidy.push(target.close);
				const id = `redis-${name.replace(/\W+/g, '-')}`;
				byIdA.set(id, { host: '127.0.0.1', port: target.port, database: 0, user, password, tls: false, keyPrefix: 'refusal:' });
				const tos = Array.from({ length: 5 }, (_, i) => phone(6, 200_000 + 100 * slot + i));
				const from = tally.all.length;
				const { run, seconds } = await bounded(engine, tos.map((phone) => ({ phone })), campaignNode({ campaignKey: `refusal-${unique()}`, sharedState: 'redis', message: 'Refusal' }, nodeCredentials({ redis: id }), STORM_OPTIONS), `wf-refusal-${unique()}`, 70_000);
				sc.runs.push(run);
				const error = run.error();
				sc.notes.push(`${seconds.toFixed(1)} s; error ${JSON.stringify(error?.message)}`);
				if (!expected.test(String(error?.message))) sc.problems.push(`error: ${String(error?.message)}`);
				if (tally.all.slice(from).some((q) => q.recipients.some((to) => tos.includes(to)))) sc.problems.push('something was sent');
				if (target.heard && !target.heard().includes(password)) sc.problems.push('the fake Redis never heard the password (the test proves nothing)');
				return sc;
			};

			// ---- 4. Garbage at the ledger's keys: not sent twice, the process lives, the campaign says what it found. ----
			const ledgerGarbage = async (): Promise<Scenario> => {
				const sc = scenario('garbage at the ledger keys');
				const prefix = `garbage-ledger-${unique()}:`;
				byIdA.set('redis-garbage-ledger', { ...base(), keyPrefix: prefix });
				const key = `garbage-${unique()}`;
				const workflowId = `wf-${key}`;
				const admin = redis.get().admin();
				const garbage: Array<[string, (k: string) => Promise<unknown>, 'not sent' | 'sent']> = [
					['a plain string', (k) => admin.set(k, 'hello'), 'not sent'],
					['a hash (WRONGTYPE)', (k) => admin.hset(k, 'p', '1'), 'not sent'],
					['a list (WRONGTYPE)', (k) => admin.rpush(k, 'x'), 'not sent'],
					['a claim whose until is text', (k) => admin.set(k, JSON.stringify({ p: 1, until: 'soon', owner: 'ghost', leaving: 0, at: 1 })), 'not sent'],
					['a claim without until', (k) => admin.set(k, JSON.stringify({ p: 1, owner: 'ghost' })), 'not sent'],
					['a stale leaving claim whose at is text', (k) => admin.set(k, JSON.stringify({ p: 1, until: 0, owner: 'ghost', leaving: 1, at: 'garbage' })), 'not sent'],
					['a stale leaving claim whose at is 1e300', (k) => admin.set(k, '{"p":1,"until":0,"owner":"ghost","leaving":1,"at":1e300}'), 'not sent'],
					['a claim held until 1e308', (k) => admin.set(k, JSON.stringify({ p: 1, until: 1e308, owner: 'ghost', leaving: 1, at: 1 })), 'not sent'],
					['null', (k) => admin.set(k, 'null'), 'not sent'],
					['a record with a number as message ID', (k) => admin.set(k, JSON.stringify({ outcome: 'accepted', at: 'x', messageId: 123 })), 'not sent'],
					['1 MB of text', (k) => admin.set(k, 'x'.repeat(1 << 20)), 'not sent'],
					['a stale claim that never left (a killed worker’s)', (k) => admin.set(k, JSON.stringify({ p: 1, until: 0, owner: 'ghost', leaving: 0, at: Date.now() - 60_000 })), 'sent'],
				];
				const tos = Array.from({ length: garbage.length + 4 }, (_, i) => phone(6, 300_000 + i));
				for (const [i, [, write]] of garbage.entries()) await write(ledgerKey(prefix, workflowId, key, tos[i]));
				const node = campaignNode({ campaignKey: key, sharedState: 'redis', message: 'Garbage' }, { ...nodeCredentials({ redis: 'redis-garbage-ledger' }), onError: 'continueRegularOutput' }, STORM_OPTIONS);
				const before = storedIds(box.get());
				const { run, seconds, endedByItself } = await bounded(engine, tos.map((phone) => ({ phone })), node, workflowId, 70_000);
				sc.runs.push(run);
				const out = recipientsOf(run);
				const fresh = storedByTo(box.get(), (m) => !before.has(m.id));
				const summary = summaryOf(run) ?? {};
				sc.notes.push(`${seconds.toFixed(1)} s; statuses ${JSON.stringify(summary.statuses)} reasons ${JSON.stringify(summary.reasons)} stoppedBy ${JSON.stringify(summary.stoppedBy)}`);
				garbage.forEach(([what], i) => sc.notes.push(`  ${what}: ${String(out[i]?.status)}/${String(out[i]?.reason)} "${String(out[i]?.reasonText ?? '')}"`));
				if (!endedByItself || seconds > 20) sc.problems.push(`took ${seconds} s`);
				if (run.error()) sc.problems.push(`failed: ${run.error()?.message}`);
				if (summary.stoppedBy) sc.problems.push(`stopped: ${String(summary.stoppedBy)}`);
				sc.problems.push(...countsProblems(run, tos.length));
				// What it found, and what to do: the key to delete (a well-formed claim or record is taken as one).
				const wellFormed = new Set(['a claim held until 1e308', 'a record with a number as message ID', 'a stale claim that never left (a killed worker’s)']);
				garbage.forEach(([what], i) => {
					const text = String(out[i]?.reasonText ?? '');
					if (!wellFormed.has(what) && !(text.includes(ledgerKey(prefix, workflowId, key, tos[i])) && /which this version cannot read .*Delete that key/.test(text))) sc.problems.push(`${what}: says ${JSON.stringify(text)}`);
				});
				tos.forEach((to, i) => {
					const stored = fresh.get(to)?.length ?? 0;
					const want = i < garbage.length ? garbage[i][2] : 'sent';
					if (stored !== (want === 'sent' ? 1 : 0)) sc.problems.push(`${i < garbage.length ? garbage[i][0] : 'a clean number'}: ${stored} sent (${String(out[i]?.status)}/${String(out[i]?.reason)})`);
				});
				return sc;
			};

			// ---- 4. Garbage at the rate keys: never a send without a budget, never a run that cannot end. ----
			const rateGarbage = async (slot: number, what: string, write: (hash: string, log: string) => Promise<unknown>, sends: 'none' | 'first' | 'all'): Promise<Scenario> => {
				const sc = scenario(`rate keys: ${what}`);
				const prefix = `garbage-rate-${slot}-${unique()}:`;
				const id = `redis-garbage-rate-${slot}`;
				byIdA.set(id, { ...base(), keyPrefix: prefix });
				await write(`${prefix}rate:twilio:+15005550006`, `${prefix}rate:twilio:+15005550006:log`);
				const tos = Array.from({ length: 3 }, (_, i) => phone(6, 400_000 + 10 * slot + i));
				const node = campaignNode({ campaignKey: `rate-${slot}-${unique()}`, sharedState: 'redis', message: 'Rate', rateMode: 'custom', ratePerSecond: 50, rateUnit: 'messages' }, { ...nodeCredentials({ redis: id }), onError: 'continueRegularOutput' }, STORM_OPTIONS);
				const from = tally.all.length;
				const { run, seconds, endedByItself } = await bounded(engine, tos.map((phone) => ({ phone })), node, `wf-rate-${slot}-${unique()}`, 60_000);
				sc.runs.push(run);
				const summary = summaryOf(run) ?? {};
				const sent = tally.all.slice(from).filter((q) => q.method === 'POST' && q.recipients.some((to) => tos.includes(to))).length;
				sc.notes.push(`${seconds.toFixed(1)} s${endedByItself ? '' : ' (canceled: it did not end by itself)'}; ${sent} requests; statuses ${JSON.stringify(summary.statuses)}; stoppedBy ${JSON.stringify(summary.stoppedBy)}`);
				if (!endedByItself) sc.problems.push(`did not end by itself within 60 s`);
				// 'first': the script grants one start on what it read (factor 0), and the next asks to wait for ever.
				if (sends !== 'all' && sent > (sends === 'first' ? 1 : 0)) sc.problems.push(`${sent} requests went out`);
				if (sends !== 'all' && !/rate:twilio:\+15005550006/.test(String(summary.stoppedBy))) sc.problems.push(`the stop does not name the key: ${JSON.stringify(summary.stoppedBy)}`);
				if (sends === 'all' && (sent !== tos.length || run.error())) sc.problems.push(`${sent} requests, error ${String(run.error()?.message)}`);
				return sc;
			};
			const admin = () => redis.get().admin();
			const rateCases: Array<[string, (hash: string, log: string) => Promise<unknown>, 'none' | 'first' | 'all']> = [
				['the hash is a string (WRONGTYPE)', (hash) => admin().set(hash, 'garbage'), 'none'],
				['the log is a hash (WRONGTYPE)', (_hash, log) => admin().hset(log, 'a', 'b'), 'none'],
				['next = inf', (hash) => admin().hset(hash, 'next', 'inf'), 'none'],
				['next = 1e300', (hash) => admin().hset(hash, 'next', '1e300'), 'none'],
				['paused = 1e15 (year 33658)', (hash) => admin().hset(hash, 'paused', '1e15'), 'none'],
				['factor = 0', (hash) => admin().hset(hash, 'factor', '0'), 'first'],
				['a log member without units', (_hash, log) => admin().zadd(log, Date.now() + 600_000, 'garbage'), 'none'],
				['a log member of 1,000 units scored 1e300', (_hash, log) => admin().zadd(log, '1e300', 'x|1000'), 'none'],
				['next = nan (read as nothing)', (hash) => admin().hset(hash, 'next', 'nan'), 'all'],
			];

			// ---- 5. A worker cut off from Redis (a partition) while its claim is taken over by another. ----
			const partition = async (): Promise<Scenario> => {
				const sc = scenario('a worker cut off while its claim is taken over');
				const proxy = await redisProxy(redis.get().port);
				tidy.push(async () => {
					proxy.cut(false);
					await proxy.close();
				});
				const prefix = `part-${unique()}:`;
				byIdA.set('redis-part', { ...base(), port: proxy.port, keyPrefix: prefix });
				byIdB.set('redis-part', { ...base(), keyPrefix: prefix });
				const key = `partition-${unique()}`;
				const workflowId = `wf-${key}`;
				const Y = phone(6, 500_001);
				// The retry after 10 s: A then waits for Redis until 40 s after the cut, B takes Y over from 20 s.
				box.get().addFault({ provider: 'twilio', to: Y, type: 'status', status: 503, retryAfter: 10, count: 1 });
				const node = campaignNode({ campaignKey: key, message: 'Partition', sharedState: 'redis' }, nodeCredentials({ redis: 'redis-part' }), { ...STORM_OPTIONS, maxRetryAfterMs: 12_000 });
				const from = tally.all.length;
				const a = bounded(engine, [{ phone: Y }], node, workflowId, 70_000);
				// A's first attempt reached Twilio (503, Retry-After 10 s): cut A off from Redis before its retry.
				for (let i = 0; i < 1000 && !tally.sends(from).some((q) => q.status === 503 && q.recipients.includes(Y)); i++) await sleep(10);
				proxy.cut(true);
				const cutAt = Date.now();
				const ledger = ledgerKey(prefix, workflowId, key, Y);
				const claim = async () => JSON.parse((await admin().get(ledger)) ?? '{}') as { until?: number; owner?: string; leaving?: number };
				const held = await claim();
				while (Number((await claim()).until) >= Date.now()) await sleep(200);
				const staleAfter = Date.now() - cutAt;
				const b = await bounded(worker.engine, [{ phone: Y }], node, workflowId, 30_000);
				const bItem = recipientsOf(b.run)[0] ?? {};
				// A gets Redis back, within its 30 s of waiting.
				proxy.cut(false);
				const aRun = await a;
				sc.runs.push(aRun.run, b.run);
				const aItem = recipientsOf(aRun.run)[0] ?? {};
				const stored = storedByTo(box.get()).get(Y) ?? [];
				sc.notes.push(`A's claim (leaving ${String(held.leaving)}) went stale ${staleAfter} ms after the cut; B (${b.seconds.toFixed(1)} s): ${String(bItem.status)}/${String(bItem.reason)}; A, back at ${Date.now() - cutAt} ms: ${String(aItem.status)}/${String(aItem.reason)} "${String(aItem.reasonText ?? '')}"; stored for Y: ${stored.length}; list look-ups ${listLookups(from)}`);
				if (!ACCEPTED.has(String(bItem.status))) sc.problems.push(`B: ${String(bItem.status)}/${String(bItem.reason)}`);
				if (stored.length !== 1) sc.problems.push(`${stored.length} messages stored for Y`);
				if (aItem.status !== 'skipped' || aItem.reason !== 'beingSent') sc.problems.push(`A: ${String(aItem.status)}/${String(aItem.reason)}`);
				sc.problems.push(...countsProblems(aRun.run, 1));
				return sc;
			};

			// ---- 5. The same with a Sinch batch: claimed, then cut off while the sender's pause holds the request back. ----
			const partitionBatch = async (): Promise<Scenario> => {
				const sc = scenario('a worker cut off before its Sinch batch leaves; two of its five taken over');
				const proxy = await redisProxy(redis.get().port);
				tidy.push(async () => {
					proxy.cut(false);
					await proxy.close();
				});
				const prefix = `part-batch-${unique()}:`;
				byIdA.set('redis-part-batch', { ...base(), port: proxy.port, keyPrefix: prefix });
				byIdB.set('redis-part-batch', { ...base(), keyPrefix: prefix });
				const key = `partition-batch-${unique()}`;
				const workflowId = `wf-${key}`;
				const tos = Array.from({ length: 5 }, (_, i) => phone(6, 700_000 + i));
				// The sender is paused (a Retry-After) for 4 s: A's batch waits for its turn with its claims made.
				const [seconds, micros] = await admin().time();
				await admin().hset(`${prefix}rate:sinch:+12025550150`, 'paused', String(Number(seconds) * 1000 + Number(micros) / 1000 + 4000));
				const node = campaignNode({ provider: 'sinch', campaignKey: key, message: 'Batch', sharedState: 'redis', rateMode: 'custom', ratePerSecond: 50, rateUnit: 'messages' }, nodeCredentials({ redis: 'redis-part-batch' }), { ...STORM_OPTIONS, timeoutMs: 5000 });
				const before = storedIds(box.get());
				const a = bounded(engine, tos.map((phone) => ({ phone })), node, workflowId, 70_000);
				const ledger = (to: string) => ledgerKey(prefix, workflowId, key, to);
				for (let i = 0; i < 500 && (await admin().exists(...tos.map(ledger))) < tos.length; i++) await sleep(10);
				proxy.cut(true);
				const cutAt = Date.now();
				while (Number((JSON.parse((await admin().get(ledger(tos[0]))) ?? '{}') as { until?: number }).until) >= Date.now()) await sleep(200);
				// B has two of A's five numbers: it takes them over (they never left) and sends them.
				const b = await bounded(worker.engine, tos.slice(0, 2).map((phone) => ({ phone })), node, workflowId, 30_000);
				proxy.cut(false);
				const aRun = await a;
				sc.runs.push(aRun.run, b.run);
				const [outA, outB] = [recipientsOf(aRun.run), recipientsOf(b.run)];
				const fresh = storedByTo(box.get(), (m) => !before.has(m.id));
				sc.notes.push(
					`B (${((Date.now() - cutAt) / 1000).toFixed(1)} s after the cut): ${outB.map((item) => `${String(item.status)}/${String(item.reason ?? item.batchSize)}`).join(', ')}; A: ${outA.map((item) => `${String(item.status)}/${String(item.reason ?? item.batchSize)}`).join(', ')}; stored ${JSON.stringify(tos.map((to) => fresh.get(to)?.length ?? 0))}`,
				);
				if (tos.some((to) => (fresh.get(to)?.length ?? 0) !== 1)) sc.problems.push(`stored ${JSON.stringify(tos.map((to) => fresh.get(to)?.length ?? 0))}, not one each`);
				if (!outB.every((item) => ACCEPTED.has(String(item.status)) && item.batchSize === 2)) sc.problems.push(`B: ${JSON.stringify(outB.map((item) => [item.status, item.reason, item.batchSize]))}`);
				if (!outA.slice(0, 2).every((item) => item.status === 'skipped' && item.reason === 'beingSent')) sc.problems.push(`A's two taken over: ${JSON.stringify(outA.slice(0, 2).map((item) => [item.status, item.reason]))}`);
				if (!outA.slice(2).every((item) => ACCEPTED.has(String(item.status)) && item.batchSize === 3)) sc.problems.push(`A's three: ${JSON.stringify(outA.slice(2).map((item) => [item.status, item.reason, item.batchSize]))}`);
				sc.problems.push(...countsProblems(aRun.run, tos.length));
				return sc;
			};

			// ---- 5. An owner alive but slow: its request takes 25 s (more than the 20 s lease). ----
			const slowOwner = async (): Promise<Scenario> => {
				const sc = scenario('an owner alive whose answer takes 25 s');
				const twilio = sandboxCredentials(sandbox2).messagingTwilioApi;
				for (const byId of [byIdA, byIdB]) {
					byId.set('twilio-slow', twilio);
					byId.set('redis-slow', { ...base(), keyPrefix: `slow-${unique()}:` });
				}
				const key = `slow-${unique()}`;
				const workflowId = `wf-${key}`;
				const Y = phone(6, 500_002);
				sandbox2.addFault({ provider: 'twilio', to: Y, type: 'delay', delayMs: 25_000, count: 1 });
				const node = campaignNode({ campaignKey: key, message: 'Slow', sharedState: 'redis' }, nodeCredentials({ twilio: 'twilio-slow', redis: 'redis-slow' }), { ...STORM_OPTIONS, timeoutMs: 40_000 });
				const a = bounded(engine, [{ phone: Y }], node, workflowId, 70_000);
				for (let i = 0; i < 1000 && !sandbox2.requests.some((q) => q.recipients.includes(Y)); i++) await sleep(10);
				const sentAt = Date.now();
				await sleep(21_000);
				const b = await bounded(worker.engine, [{ phone: Y }], node, workflowId, 30_000);
				const bAt = (Date.now() - sentAt) / 1000;
				const aRun = await a;
				sc.runs.push(aRun.run, b.run);
				const [aItem, bItem] = [recipientsOf(aRun.run)[0] ?? {}, recipientsOf(b.run)[0] ?? {}];
				const stored = [...sandbox2.messages.values()].filter((m) => m.to === Y);
				const lookups = sandbox2.requests.filter((q) => q.method === 'GET' && /\/Messages\.json$/.test(q.path)).length;
				sc.notes.push(`B ran ${bAt.toFixed(1)} s after A's request left: ${String(bItem.status)}/${String(bItem.reason)}; A, answered after ${aRun.seconds.toFixed(1)} s: ${String(aItem.status)}; stored ${stored.length}; list look-ups ${lookups}`);
				if (bItem.status !== 'skipped' || bItem.reason !== 'beingSent') sc.problems.push(`B: ${String(bItem.status)}/${String(bItem.reason)} (the live owner's claim was taken)`);
				if (!ACCEPTED.has(String(aItem.status))) sc.problems.push(`A: ${String(aItem.status)}`);
				if (stored.length !== 1) sc.problems.push(`${stored.length} messages stored`);
				if (lookups) sc.problems.push(`${lookups} look-ups of the message list`);
				return sc;
			};

			// HQ_ONLY=away,silent,… runs only those (while working on one).
			const only = process.env.HQ_ONLY?.split(',');
			const all: Array<[string, () => Promise<Scenario>]> = [
				['away', away],
				['silent', silent],
				['wrongPassword', () => refusal(1, 'wrong password', async () => ({ port: redis.get().port }), 'hq-user', 'Wrong-Pass-5521!', /refused the user name or password/)],
				['unreachable', async () => refusal(2, 'unreachable', async () => ({ port: await closedPort() }), 'hq-user', 'Unreached-Pass-7713!', /Could not reach Redis at 127\.0\.0\.1:\d+/)],
				['echoRefuse', () => refusal(3, 'echoing AUTH refused', () => echoingRedis('refuse'), 'hq-echo', 'Echo-Pass-3301!', /answered with an error \(ERR unknown command 'AUTH'/)],
				['echoNoperm', () => refusal(4, 'echoing, NOPERM after AUTH', () => echoingRedis('accept'), 'hq-echo2', 'Echo-Pass-8802!', /may not run what the Messaging Gateway needs/)],
				['ledgerGarbage', ledgerGarbage],
				['partition', partition],
				['partitionBatch', partitionBatch],
				['slowOwner', slowOwner],
				...rateCases.map(([what, write, sends], slot): [string, () => Promise<Scenario>] => ['rateGarbage', () => rateGarbage(slot, what, write, sends)]),
			];
			results = await Promise.all(all.filter(([name]) => !only || only.includes(name)).map(([, run]) => run()));
			void base;
		} finally {
			output.restore();
			byIdA.restore();
			byIdB.restore();
			for (const close of tidy.reverse()) await close().catch(() => undefined);
		}
		const logged = output.text();
		for (const sc of results) {
			for (const run of sc.runs) sc.problems.push(...secretProblems(run, sc.secrets));
			for (const secret of sc.secrets) if (logged.includes(secret)) sc.problems.push(`${secret} in the log: …${logged.slice(Math.max(0, logged.indexOf(secret) - 200), logged.indexOf(secret) + 40)}…`);
			console.log(`${sc.name}: ${sc.notes.join('; ')}`);
		}
		expect(Object.fromEntries(results.map((sc) => [sc.name, sc.problems.slice(0, 10)]))).toEqual(Object.fromEntries(results.map((sc) => [sc.name, []])));
	}, 120_000);
});
