/**
 * Hostile tests of Bulk SMS Campaign in n8n's queue mode: Share Rate Limits Via = Redis (the sender's rate budget and
 * the Campaign Key's sent-ledger in a real redis-server), with two "workers" in this process (the second an engine
 * with a module registry of its own: its own ledger owner, renewals, rate lines and Redis clients).
 */
import type { IDataObject } from 'n8n-workflow';
import { campaignNode, countsProblems, recipientsOf, storedByTo, storedIds, summaryOf, tallyRequests, ACCEPTED, type RequestTally } from '../helpers/campaign';
import { countOf, faultsOf, Model, offModel, phone, recipientKind, STORM_OPTIONS, category, type Outcome } from '../helpers/campaignStorm';
import type { Engine, RunResult } from '../helpers/engine';
import { rng } from '../helpers/hostile';
import { freePort, useRedis } from '../helpers/redis';
import { closeDistRedisClients, isolatedWorker, ledgerKey, redisProxy, restartableRedis, type Worker } from '../helpers/redisWorkers';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';
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
const sendsOf = (from: number) => tally.sends(from, 'twilio').length;
const listLookups = (from: number) => tally.all.slice(from).filter((q) => q.method === 'GET' && /\/Messages\.json$/.test(q.path)).length;

/** An item's outcome as the model writes it (status, attempts), for comparing multisets. */
const asModel = (item: IDataObject) => JSON.stringify({ status: category(item.status), attempts: item.attempts });
const modelAs = (o: Outcome) => JSON.stringify({ status: o.status, attempts: o.attempts });
const tookPart = (item: IDataObject) => item.status !== 'skipped';

describe('Bulk SMS Campaign in queue mode (Redis): two workers at once under a fault storm', () => {
	const N = 3000;
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
			const [a, b] = await Promise.all([engine.run(items, [node], { workflowId }), worker.engine.run(items, [node], { workflowId })]);
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

/** Wait `ms`. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

describe('Bulk SMS Campaign in queue mode (Redis): a worker cut off from Redis while its claim is taken over', () => {
	it('worker A loses Redis between a 503 and its retry; its claim goes stale, worker B takes the recipient over and sends; A gets Redis back within its 30 s: A must not send it again', async () => {
		const proxy = await redisProxy(redis.get().port);
		try {
			const prefix = `part-${unique()}:`;
			engine.setCredentials('messagingRedisApi', redis.get().credentials({ keyPrefix: prefix, port: proxy.port }));
			worker.engine.setCredentials('messagingRedisApi', redis.get().credentials({ keyPrefix: prefix }));
			const key = `partition-${unique()}`;
			const workflowId = `wf-${key}`;
			const Y = phone(6, 1);
			box.get().addFault({ provider: 'twilio', to: Y, type: 'status', status: 503, retryAfter: 3, count: 1 });
			const node = campaignNode({ campaignKey: key, message: 'Partition', sharedState: 'redis' }, {}, { ...STORM_OPTIONS, maxRetryAfterMs: 5000 });
			const from = tally.all.length;
			const a = engine.run([{ phone: Y }], [node], { workflowId });
			// A's first attempt reached Twilio (503, Retry-After 3 s): cut A off from Redis before its retry.
			for (let i = 0; i < 500 && !tally.sends(from).some((q) => q.status === 503); i++) await sleep(10);
			proxy.cut(true);
			const cutAt = Date.now();
			const admin = redis.get().admin();
			const ledger = ledgerKey(prefix, workflowId, key, Y);
			const claim = async () => JSON.parse((await admin.get(ledger)) ?? '{}') as { until?: number; owner?: string; leaving?: number; p?: number };
			const held = await claim();
			while (Number((await claim()).until) >= Date.now()) await sleep(200);
			const staleAfter = Date.now() - cutAt;
			const b = await worker.engine.run([{ phone: Y }], [node], { workflowId });
			const bItem = recipientsOf(b)[0];
			const takenBy = await claim();
			// A gets Redis back, within its 30 s of waiting.
			proxy.cut(false);
			const aRun = await a;
			const aItem = recipientsOf(aRun)[0];
			const stored = storedByTo(box.get()).get(Y) ?? [];
			console.log(
				`partition: A's claim ${JSON.stringify({ leaving: held.leaving })} went stale ${staleAfter} ms after the cut; B: ${String(bItem.status)}/${String(bItem.reason)} ${String(bItem.reasonText ?? '')}; ` +
					`ledger after B ${JSON.stringify({ p: takenBy.p, owner: takenBy.owner === held.owner ? 'A' : 'other' })}; A healed at ${Date.now() - cutAt} ms: ${String(aItem.status)}/${String(aItem.reason)} ${String(aItem.reasonText ?? '')}; stored for Y: ${stored.length}; list look-ups ${listLookups(from)}`,
			);
			expect(ACCEPTED.has(String(bItem.status))).toBe(true);
			expect(stored).toHaveLength(1);
			expect(aItem).toMatchObject({ status: 'skipped', reason: 'beingSent' });
			expect(countsProblems(aRun, 1)).toEqual([]);
		} finally {
			proxy.cut(false);
			await proxy.close();
		}
	}, 60_000);
});
