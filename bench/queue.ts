/**
 * Queue mode's figures (docs/scale.md; part of `npm run bench`, or `node build/bench/run.js queue [ops accuracy
 * capacity memory n8n]` for these alone, or some of them), against a redis-server of their own: 1. the Redis
 * operations a campaign's message costs as workers are added; 2. the shared limiter's accuracy with 1 to 8 workers on
 * one sender (workers as separate lines of one process, and as separate processes); 3. what one redis-server gives;
 * 4. the memory a settled recipient takes; 5. when n8n is installed, what an execution costs n8n in queue mode.
 * BENCH_QUEUE_SCALE (default 1) lengthens or shortens the timed runs.
 *
 * A worker here runs the campaign's steps for each message as nodes/shared/campaign/send.ts does for one recipient
 * at a time (claim → the sender's budget → leaving → the request → settle), with the package's own Redis budget and
 * ledger; the provider is a wait of `latencyMs`. Three times are kept per message, all on this machine's clock (the
 * one Redis's TIME reads too): when the pace script granted the start (Redis's TIME, from its answer), when the
 * worker learnt of it, and when the request would have left (after `leaving`).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { paced, rateLimitedFor, type RateBudget } from '../nodes/shared/campaign/budget';
import { busiestSecond } from '../nodes/shared/rules/throttle';
import { redisBudget } from '../nodes/shared/state/redisBudget';
import { redisLedger } from '../nodes/shared/state/redisLedger';
import { closeRedisClients, runRedis } from '../nodes/shared/state/redisStore';
import type { Figures } from './campaign';
import { startRedisServer, type BenchRedis, type CommandStat } from './redisServer';

/** What one worker does. */
interface WorkerSpec {
	port: number;
	prefix: string;
	/** The budget's line and the ledger's owner: what makes two workers two. */
	name: string;
	campaign: string;
	senders: string[];
	/**
	 * This worker takes messages index, index + workers, … of `messages`; its k-th goes from sender k mod senders, so
	 * that every worker sends from every sender.
	 */
	index: number;
	workers: number;
	messages: number;
	/** Tells one scenario's recipients from another's. */
	run: number;
	perSecond?: number;
	ledger: boolean;
	concurrency: number;
	latencyMs: number;
	/** Send from this time (epoch ms) on, so that every worker starts together. */
	startAt: number;
	/** Stop taking new messages after this time (epoch ms); 0 for none. */
	stopAt: number;
}

interface WorkerResult {
	/** Per message: sender index, when the budget granted it, when it left. */
	starts: Array<[sender: number, granted: number, left: number]>;
	/** Commands sent, by script or command name. */
	calls: Record<string, number>;
	/** Redis's own time (TIME, ms) of each start the pace script granted: what the script enforces its window on. */
	redisGrants: number[];
	refused: number;
	/** This process's CPU time over the run, µs (a worker in a process of its own only). */
	cpuUs: number;
}

/** A sender as senderKey() names it: provider and number. */
const SENDER = (i: number) => `twilio:+1202555${String(1000 + i).padStart(4, '0')}`;
/** Distinct French mobiles, by scenario and message. */
const RECIPIENT = (run: number, i: number) => `+336${String(run % 100).padStart(2, '0')}${String(i).padStart(6, '0')}`;

/** Milliseconds since the epoch, with a fraction: comparable across processes of this machine. */
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function credentialsOf(port: number, prefix: string): ICredentialDataDecryptedObject {
	return { host: '127.0.0.1', port, database: 0, user: '', password: '', tls: false, keyPrefix: prefix };
}

/** Commands this process sent to Redis, by script name (`gatewayPace`…) or command (`set`, `info`…). */
const calls: Record<string, number> = {};
/** Redis's time of each start the pace script granted in this process (its answer {1, now, cold}). */
const redisGrants: number[] = [];

interface Countable {
	sendCommand(command: { name: string; args: unknown[]; promise?: Promise<unknown> }, stream?: unknown): unknown;
	scriptsSet?: Record<string, { sha: string }>;
	benchCounted?: boolean;
}

/** Count what the package's shared client sends (its scripts go as EVALSHA, or EVAL the first time on a connection). */
async function countCommands(credentials: ICredentialDataDecryptedObject): Promise<void> {
	await runRedis(credentials, async (client) => {
		const c = client as unknown as Countable;
		if (c.benchCounted) return;
		c.benchCounted = true;
		const send = c.sendCommand.bind(c);
		const names = new Map<string, string>();
		c.sendCommand = (command, stream) => {
			let name = command.name;
			if (name === 'evalsha' || name === 'eval') {
				const sha = String(command.args[0]);
				if (!names.has(sha)) for (const [scriptName, script] of Object.entries(c.scriptsSet ?? {})) names.set(script.sha, scriptName);
				name = names.get(sha) ?? name;
			}
			calls[name] = (calls[name] ?? 0) + 1;
			if (name === 'gatewayPace') {
				void command.promise?.then(
					(answer) => {
						if (Array.isArray(answer) && Number(answer[0]) === 1) redisGrants.push(Number(answer[1]));
					},
					() => undefined,
				);
			}
			return send(command, stream);
		};
	});
}

/** One worker's campaign-shaped loop over its messages. */
async function runWorker(spec: WorkerSpec): Promise<WorkerResult> {
	const credentials = credentialsOf(spec.port, spec.prefix);
	await countCommands(credentials);
	const budget = redisBudget(credentials, { line: spec.name });
	const ledger = redisLedger(credentials, { owner: spec.name });
	const starts: WorkerResult['starts'] = [];
	let refused = 0;
	await sleep(spec.startAt - Date.now());
	const cpu = process.cpuUsage();
	let next = spec.index;
	const one = async (i: number) => {
		const to = RECIPIENT(spec.run, i);
		const s = Math.floor(i / spec.workers) % spec.senders.length;
		const sender = spec.senders[s];
		if (spec.ledger && !(await ledger.claim(spec.campaign, to)).claimed) {
			refused++;
			return;
		}
		let granted = 0;
		// The budget as send.ts uses it (paced: take, send, say it was answered), with the grant's time kept.
		const timed: RateBudget = {
			take: async (...args) => {
				const taken = await budget.take(...args);
				granted = clock();
				return taken;
			},
			slowDown: (...args) => budget.slowDown(...args),
		};
		const messageId = await paced(
			timed,
			sender,
			1,
			spec.perSecond,
			undefined,
			async () => {
				if (spec.ledger) await ledger.leaving(spec.campaign, [to]);
				const left = clock();
				starts.push([s, granted || left, left]);
				await sleep(spec.latencyMs);
				return `SM${randomBytes(16).toString('hex')}`;
			},
			rateLimitedFor,
		);
		if (spec.ledger) await ledger.settle(spec.campaign, to, { outcome: 'accepted', at: new Date().toISOString(), provider: 'twilio', messageId, status: 'queued' });
	};
	await Promise.all(
		Array.from({ length: Math.max(1, spec.concurrency) }, async () => {
			while (next < spec.messages && (spec.stopAt === 0 || Date.now() < spec.stopAt)) {
				const i = next;
				next += spec.workers;
				await one(i);
			}
		}),
	);
	const used = process.cpuUsage(cpu);
	return { starts, calls: { ...calls }, redisGrants: [...redisGrants], refused, cpuUs: used.user + used.system };
}

/** A worker in a process of its own: this file, forked with `worker`. */
class WorkerProcess {
	private constructor(private readonly child: ChildProcess) {}

	static async start(): Promise<WorkerProcess> {
		const child = fork(join(__dirname, 'queue.js'), ['worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		await new Promise<void>((resolve, reject) => {
			child.once('message', () => resolve());
			child.once('exit', (code) => reject(new Error(`queue worker exited (${code})`)));
		});
		return new WorkerProcess(child);
	}

	run(spec: WorkerSpec): Promise<WorkerResult> {
		return new Promise((resolve, reject) => {
			this.child.once('message', (m: WorkerResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
			this.child.send(spec);
		});
	}

	stop(): void {
		this.child.send('stop');
	}
}

async function workerMain(): Promise<void> {
	process.on('message', (message: WorkerSpec | 'stop') => {
		if (message === 'stop') {
			void closeRedisClients().then(() => process.exit(0));
			return;
		}
		for (const key of Object.keys(calls)) delete calls[key];
		redisGrants.length = 0;
		runWorker(message).then(
			(result) => process.send?.(result),
			(error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
		);
	});
	process.send?.('ready');
}

interface Scenario {
	workers: number;
	/** Workers as processes of their own (else lines of this process). */
	processes: boolean;
	senders: number;
	perSecond?: number;
	ledger: boolean;
	messages: number;
	concurrency: number;
	latencyMs: number;
	/** Stop after this long (ms); 0 for when every message is sent. */
	maxMs?: number;
}

interface Outcome {
	scenario: Scenario;
	results: WorkerResult[];
	seconds: number;
	sent: number;
	calls: Record<string, number>;
	/** INFO commandstats over the run. */
	server: Map<string, CommandStat>;
	redisCpuSeconds: number;
	/** This process's CPU over the run (µs): the workers' when they are lines of it. */
	benchCpuUs: number;
}

let scenarios = 0;

async function runScenario(redis: BenchRedis, scenario: Scenario, pool: WorkerProcess[], prefix = `bench-${++scenarios}:`): Promise<Outcome> {
	const run = scenarios;
	const campaign = `campaign-${run}`;
	const senders = Array.from({ length: scenario.senders }, (_, i) => SENDER(i));
	const startAt = Date.now() + (scenario.processes ? 300 : 50);
	const spec = (w: number): WorkerSpec => ({
		port: redis.port,
		prefix,
		name: `worker-${run}-${w}`,
		campaign,
		senders,
		index: w,
		workers: scenario.workers,
		messages: scenario.messages,
		run,
		perSecond: scenario.perSecond,
		ledger: scenario.ledger,
		concurrency: scenario.concurrency,
		latencyMs: scenario.latencyMs,
		startAt,
		stopAt: scenario.maxMs ? startAt + scenario.maxMs : 0,
	});
	await redis.admin.config('RESETSTAT');
	const cpu0 = await redis.cpuSeconds();
	const bench0 = process.cpuUsage();
	let results: WorkerResult[];
	if (scenario.processes) {
		while (pool.length < scenario.workers) pool.push(await WorkerProcess.start());
		results = await Promise.all(Array.from({ length: scenario.workers }, (_, w) => pool[w].run(spec(w))));
	} else {
		// Lines of this process share its counters: counted once for them all.
		for (const key of Object.keys(calls)) delete calls[key];
		redisGrants.length = 0;
		results = await Promise.all(Array.from({ length: scenario.workers }, (_, w) => runWorker(spec(w))));
		results[0].calls = { ...calls };
		results[0].redisGrants = [...redisGrants];
		for (const r of results.slice(1)) {
			r.calls = {};
			r.redisGrants = [];
		}
	}
	const benchCpu = process.cpuUsage(bench0);
	const redisCpuSeconds = (await redis.cpuSeconds()) - cpu0;
	const server = await redis.commandStats();
	const all = results.flatMap((r) => r.starts);
	const times = all.map((s) => s[1]);
	const seconds = (Math.max(...times) - startAt) / 1000;
	const total: Record<string, number> = {};
	for (const r of results) for (const [name, n] of Object.entries(r.calls)) total[name] = (total[name] ?? 0) + n;
	return { scenario, results, seconds, sent: all.length, calls: total, server, redisCpuSeconds, benchCpuUs: benchCpu.user + benchCpu.system };
}

/** Messages per second over the run: each sender's starts after its first, over the time from its first to its last. */
function achievedRate(o: Outcome): number {
	const bySender = new Map<number, number[]>();
	for (const r of o.results) for (const [sender, granted] of r.starts) bySender.set(sender, [...(bySender.get(sender) ?? []), granted]);
	let total = 0;
	for (const times of bySender.values()) {
		if (times.length < 2) continue;
		times.sort((a, b) => a - b);
		total += ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]);
	}
	return total;
}

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A markdown table, printed as it is. */
function table(headers: string[], rows: string[][]): void {
	console.log(`\n| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`);
	for (const row of rows) console.log(`| ${row.join(' | ')} |`);
	console.log('');
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const perMessage = (n: number, sent: number) => (sent ? (n / sent).toFixed(2) : '–');

/**
 * 1. Redis operations per message: four senders, a campaign's steps per message, W workers; from this process's
 * count of what its client sent (by script) and from INFO commandstats (every command Redis ran, those inside the
 * scripts too).
 */
async function operationsPerMessage(out: Figures, redis: BenchRedis, pool: WorkerProcess[]): Promise<void> {
	console.log(`\nQueue mode 1: Redis operations per message (load average ${load()})`);
	const rows: string[][] = [];
	const base = { senders: 4, ledger: true, messages: 800, concurrency: 10, latencyMs: 20 };
	const cases: Array<Omit<Scenario, keyof typeof base> & { label: string }> = [
		{ label: 'no rate (ledger only)', workers: 1, processes: false },
		...[1, 2, 4, 8].map((workers) => ({ label: `${workers} line${workers > 1 ? 's' : ''}`, workers, processes: false, perSecond: 40 })),
		...[2, 4].map((workers) => ({ label: `${workers} processes`, workers, processes: true, perSecond: 40 })),
	];
	for (const c of cases) {
		const o = await runScenario(redis, { ...base, ...c }, pool);
		const sent = o.sent;
		const paceCalls = o.calls.gatewayPace ?? 0;
		const known = ['gatewayLedgerClaim', 'gatewayPace', 'gatewayPaceAnswered', 'gatewayLedgerLeaving', 'set', 'gatewayLedgerRenew'];
		const other = Object.entries(o.calls)
			.filter(([name]) => !known.includes(name))
			.reduce((sum, [, n]) => sum + n, 0);
		const roundTrips = Object.values(o.calls).reduce((a, b) => a + b, 0);
		const serverCommands = [...o.server.entries()].filter(([name]) => !name.startsWith('config') && name !== 'info').reduce((sum, [, s]) => sum + s.calls, 0);
		// Scripts' time includes the commands they ran; of SET's, only the top-level ones (settle) are added.
		const set = o.server.get('set');
		const scriptUs = ['evalsha', 'eval'].reduce((sum, name) => sum + (o.server.get(name)?.usec ?? 0), 0) + (set ? (set.usec / set.calls) * (o.calls.set ?? 0) : 0);
		rows.push([
			c.label,
			c.perSecond ? `4 × ${c.perSecond}/s` : '–',
			String(sent),
			o.seconds.toFixed(1),
			perMessage(o.calls.gatewayLedgerClaim ?? 0, sent),
			perMessage(Math.min(paceCalls, sent), sent),
			perMessage(Math.max(0, paceCalls - sent), sent),
			perMessage((o.calls.gatewayPaceAnswered ?? 0) + (o.calls.gatewayLedgerRenew ?? 0) + other, sent),
			perMessage(o.calls.gatewayLedgerLeaving ?? 0, sent),
			perMessage(o.calls.set ?? 0, sent),
			`**${perMessage(roundTrips, sent)}**`,
			perMessage(serverCommands, sent),
			perMessage(scriptUs, sent),
			perMessage(o.redisCpuSeconds * 1e6, sent),
		]);
		if (c.perSecond && !c.processes) out.row(`Queue mode, ${c.label} on 4 senders at 40/s: Redis round trips per message (claim, pace, leaving, settle, renewals)`, perMessage(roundTrips, sent));
		if (c.perSecond && !c.processes) out.row(`Queue mode, ${c.label}: of which pace calls that only said "wait" (per message)`, perMessage(Math.max(0, paceCalls - sent), sent));
	}
	table(
		[
			'workers',
			'rate',
			'messages',
			's',
			'claim',
			'pace, granted',
			'pace, "wait" (asked again)',
			'cold-start answer, renewals, connect',
			'leaving',
			'settle (SET)',
			'**round trips / message**',
			'commands Redis ran / message (inside scripts too)',
			'Redis µs in commands / message',
			'Redis CPU µs / message',
		],
		rows,
	);
}

interface Accuracy {
	label: string;
	perSecond: number;
	sent: number;
	/** By Redis's clock, as the script granted them. */
	busiestRedis: number;
	/** When the worker learnt of the grant. */
	busiestGranted: number;
	/** When the request left (after `leaving`). */
	busiestLeft: number;
	achieved: number;
	/** Grant-to-grant gaps by Redis's clock, ms: [min, p1, median]. */
	redisGaps: [number, number, number];
	/** The same as the workers saw the grants. */
	workerGaps: [number, number, number];
	waitsPerMessage: number;
}

function accuracyOf(o: Outcome, label: string): Accuracy {
	const perSecond = o.scenario.perSecond as number;
	const starts = o.results.flatMap((r) => r.starts);
	const granted = starts.map((s) => s[1]).sort((a, b) => a - b);
	const left = starts.map((s) => s[2]).sort((a, b) => a - b);
	const redisTimes = o.results.flatMap((r) => r.redisGrants);
	const gapsOf = (times: number[]): [number, number, number] => {
		const sorted = [...times].sort((a, b) => a - b);
		const gaps = sorted
			.slice(1)
			.map((t, k) => t - sorted[k])
			.sort((a, b) => a - b);
		return [gaps[0], percentile(gaps, 1), percentile(gaps, 50)];
	};
	return {
		label,
		perSecond,
		sent: starts.length,
		busiestRedis: busiestSecond(redisTimes.map((t) => [t, 1] as const)),
		busiestGranted: busiestSecond(granted.map((t) => [t, 1] as const)),
		busiestLeft: busiestSecond(left.map((t) => [t, 1] as const)),
		achieved: ((granted.length - 1) * 1000) / (granted[granted.length - 1] - granted[0]),
		redisGaps: gapsOf(redisTimes),
		workerGaps: gapsOf(granted),
		waitsPerMessage: Math.max(0, (o.calls.gatewayPace ?? 0) - starts.length) / Math.max(1, starts.length),
	};
}

/**
 * 2. The limiter's accuracy as workers are added: one sender, W workers (lines of this process, and processes of
 * their own), at 1/s (short), 10/s, 30/s and 100/s.
 */
async function limiterAccuracy(out: Figures, redis: BenchRedis, pool: WorkerProcess[]): Promise<void> {
	const scale = Number(process.env.BENCH_QUEUE_SCALE ?? 1);
	const rates: Array<[perSecond: number, seconds: number]> = [
		[1, 12],
		[10, 12],
		[30, 10],
		[100, 8],
	];
	const configs: Array<{ workers: number; processes: boolean }> = [
		{ workers: 1, processes: false },
		{ workers: 2, processes: false },
		{ workers: 4, processes: false },
		{ workers: 8, processes: false },
		{ workers: 2, processes: true },
		{ workers: 4, processes: true },
	];
	console.log(`\nQueue mode 2: the limiter's accuracy as workers are added (load average ${load()})`);
	const rows: string[][] = [];
	for (const [perSecond, seconds] of rates) {
		for (const config of configs) {
			const messages = Math.max(4, Math.round(perSecond * seconds * scale)) + 1;
			const o = await runScenario(redis, { ...config, senders: 1, perSecond, ledger: true, messages, concurrency: 10, latencyMs: 50 }, pool);
			const label = `${config.workers} ${config.processes ? 'processes' : config.workers > 1 ? 'lines' : 'line'}`;
			const a = accuracyOf(o, label);
			const guarded = (perSecond * 1000) / 1015;
			rows.push([
				`${perSecond}/s`,
				label,
				String(a.sent),
				`${a.busiestRedis}${a.busiestRedis > perSecond ? ' **over**' : ''}`,
				`${a.busiestGranted}${a.busiestGranted > perSecond ? ' **over**' : ''}`,
				`${a.busiestLeft}${a.busiestLeft > perSecond ? ' **over**' : ''}`,
				a.achieved.toFixed(3),
				`${((a.achieved / guarded - 1) * 100).toFixed(2)} %`,
				(1000 / perSecond).toFixed(1),
				a.redisGaps.map((g) => g.toFixed(1)).join(' / '),
				a.workerGaps.map((g) => g.toFixed(1)).join(' / '),
				a.waitsPerMessage.toFixed(2),
			]);
			out.row(`Queue limiter ${perSecond}/s, ${label}: busiest 1,000 ms by Redis's clock / as the worker saw the grant / at departure (≤ ${perSecond}?)`, `${a.busiestRedis} / ${a.busiestGranted} / ${a.busiestLeft}`);
			out.row(`Queue limiter ${perSecond}/s, ${label}: achieved ÷ (rate × 1000/1015)`, `${((a.achieved / guarded - 1) * 100).toFixed(2)} %`);
		}
	}
	table(
		[
			'rate',
			'workers',
			'messages',
			"busiest 1,000 ms, grants by Redis's clock",
			'busiest 1,000 ms, grants as the worker saw them',
			'busiest 1,000 ms, departures (after leaving)',
			'achieved /s',
			'achieved ÷ (rate × 1000/1015)',
			'interval ms',
			"gap ms min / p1 / median, Redis's clock",
			'gap ms min / p1 / median, as the workers saw them',
			'"wait" answers / message',
		],
		rows,
	);
}

/**
 * 3. What one redis-server gives: pace alone, and a campaign's whole message, from many senders at once, with the
 * server's CPU time read before and after (Redis runs commands on one thread: messages per CPU-second of the server
 * is what it gives with a core to itself). Then the Redis cost of a message by kind of sender as workers are added,
 * and what a pace call costs as a sender's log (its starts of the last 1,015 ms) grows with its rate.
 */
async function redisCapacity(out: Figures, redis: BenchRedis, pool: WorkerProcess[]): Promise<void> {
	console.log(`\nQueue mode 3: what one redis-server gives (load average ${load()})`);
	const scale = Number(process.env.BENCH_QUEUE_SCALE ?? 1);
	const seconds = Math.max(2, 5 * scale);
	const rows: string[][] = [];
	const capacity = async (label: string, scenario: Omit<Scenario, 'maxMs'>) => {
		const o = await runScenario(redis, { ...scenario, maxMs: seconds * 1000 }, pool);
		const perSecond = achievedRate(o);
		const perCpuSecond = o.sent / o.redisCpuSeconds;
		rows.push([
			label,
			`${scenario.workers} × ${scenario.concurrency}`,
			out.fmt(perSecond),
			`${((o.redisCpuSeconds / o.seconds) * 100).toFixed(0)} %`,
			perMessage(o.redisCpuSeconds * 1e6, o.sent),
			`**${out.fmt(perCpuSecond)}**`,
			perMessage(Object.values(o.calls).reduce((a, b) => a + b, 0), o.sent),
		]);
		out.row(`Redis capacity, ${label}: messages per CPU-second of redis-server (what one core gives)`, out.fmt(perCpuSecond));
	};
	// 1,000 senders, each far under its rate: pace calls grant at once. Two processes make the load, a line per sender each.
	const many = { workers: 2, processes: true, senders: 1000, messages: 1_000_000, concurrency: 2000, latencyMs: 0 };
	await capacity('pace alone, 1,000 senders', { ...many, perSecond: 10_000, ledger: false });
	await capacity('ledger alone (claim, leaving, settle), no rate', { ...many, ledger: true });
	await capacity('whole message (claim, pace, leaving, settle), 1,000 senders', { ...many, perSecond: 10_000, ledger: true });
	table(['what', 'processes × at once', 'messages/s here', 'redis-server CPU (of one core)', 'Redis CPU µs / message', '**messages per Redis CPU-second**', 'round trips / message'], rows);

	// The Redis cost of a message at each kind of sender's rate, one worker process against four, the provider
	// answering in `latencyMs`.
	const kinds: Array<{ label: string; perSecond: number; senders: number; latencyMs: number; workers: number[] }> = [
		{ label: 'long codes at 1/s', perSecond: 1, senders: 200, latencyMs: 200, workers: [1, 4] },
		{ label: 'Sinch-like at 30/s', perSecond: 30, senders: 4, latencyMs: 100, workers: [1, 4] },
		{ label: 'short codes at 100/s', perSecond: 100, senders: 4, latencyMs: 100, workers: [1, 4] },
		// 10 M a day at a peak of 10 × the average: 1,160 messages/s, twelve short codes.
		{ label: 'short codes at 100/s', perSecond: 100, senders: 12, latencyMs: 100, workers: [4] },
	];
	const costRows: string[][] = [];
	for (const kind of kinds) {
		for (const workers of kind.workers) {
			// Enough at once in every worker that the rate, not the pool, limits: each of its lines always has a message waiting.
			const concurrency = Math.ceil(kind.senders * Math.max(2, kind.perSecond * (kind.latencyMs / 1000) * 2));
			const o = await runScenario(redis, { workers, processes: true, senders: kind.senders, perSecond: kind.perSecond, ledger: true, messages: 1_000_000, concurrency, latencyMs: kind.latencyMs, maxMs: seconds * 1000 }, pool);
			const paceCalls = o.calls.gatewayPace ?? 0;
			const evalsha = o.server.get('evalsha');
			costRows.push([
				kind.label,
				String(kind.senders),
				`${kind.latencyMs} ms`,
				String(workers),
				`${out.fmt(achievedRate(o))} of ${out.fmt((kind.perSecond * kind.senders * 1000) / 1015)}`,
				`${((o.redisCpuSeconds / o.seconds) * 100).toFixed(0)} %`,
				perMessage(paceCalls, o.sent),
				perMessage(Object.values(o.calls).reduce((a, b) => a + b, 0), o.sent),
				evalsha ? (evalsha.usec / evalsha.calls).toFixed(1) : '–',
				`**${perMessage(o.redisCpuSeconds * 1e6, o.sent)}**`,
			]);
			out.row(`Redis CPU µs per message, ${kind.senders} ${kind.label}, ${workers} worker process${workers > 1 ? 'es' : ''} (whole message)`, perMessage(o.redisCpuSeconds * 1e6, o.sent));
		}
	}
	table(['senders', 'how many', 'provider answers in', 'worker processes', 'messages/s (of rate × 1000/1015)', 'redis-server CPU (of one core)', 'pace calls / message', 'round trips / message', 'µs per script call (commandstats)', '**Redis CPU µs / message**'], costRows);

	// The pace script reads a sender's whole log on every call, those that only answer "wait" too: its cost grows
	// with the rate, and one sender at a high rate can take the whole server.
	const logRows: string[][] = [];
	for (const [perSecond, senders] of [
		[1, 200],
		[10, 100],
		[100, 4],
		[300, 1],
		[1000, 1],
	]) {
		const o = await runScenario(redis, { workers: 1, processes: false, senders, perSecond, ledger: false, messages: 1_000_000, concurrency: senders * 4, latencyMs: 0, maxMs: 3000 * Math.max(1, scale) }, pool);
		const evalsha = o.server.get('evalsha');
		const calls = evalsha?.calls ?? 0;
		const achievedPerSender = achievedRate(o) / senders;
		const cpuPerCall = calls ? (o.redisCpuSeconds * 1e6) / calls : NaN;
		logRows.push([
			`${perSecond}/s`,
			String(senders),
			`${achievedPerSender.toFixed(1)} (${((achievedPerSender / ((perSecond * 1000) / 1015)) * 100).toFixed(0)} %)`,
			`${((o.redisCpuSeconds / o.seconds) * 100).toFixed(0)} %`,
			perMessage(calls, o.sent),
			evalsha ? (evalsha.usec / calls).toFixed(1) : '–',
			`**${cpuPerCall.toFixed(1)}**`,
		]);
		out.row(`Pace script, a sender at ${perSecond}/s (log ≈ ${Math.round(achievedPerSender)} starts): Redis CPU µs per call`, cpuPerCall.toFixed(1));
		out.row(`Pace script, a sender at ${perSecond}/s, one worker: achieved ÷ (rate × 1000/1015)`, `${((achievedPerSender / ((perSecond * 1000) / 1015)) * 100).toFixed(0)} %`);
	}
	table(['rate of each sender', 'senders', 'achieved per sender /s (≈ its log; of rate × 1000/1015)', 'redis-server CPU (of one core)', 'pace calls / grant', 'µs per pace call (commandstats, wall time in Redis)', '**Redis CPU µs per pace call**'], logRows);
}

/** 4. The size of a settled recipient in Redis, with the default key prefix, over 10,000 recipients. */
async function bytesPerRecipient(out: Figures, redis: BenchRedis): Promise<void> {
	const count = 10_000;
	const credentials = redis.credentials();
	const ledger = redisLedger(credentials, { owner: 'bench-memory' });
	const campaign = `reminders-${new Date().toISOString().slice(0, 10)}`;
	await redis.admin.flushall();
	const before = await redis.usedMemory();
	for (let i = 0; i < count; i += 200) {
		await Promise.all(
			Array.from({ length: Math.min(200, count - i) }, async (_, k) => {
				const to = `+4479${String(i + k).padStart(8, '0')}`;
				await ledger.claim(campaign, to);
				await ledger.settle(campaign, to, { outcome: 'accepted', at: new Date().toISOString(), provider: 'twilio', messageId: `SM${randomBytes(16).toString('hex')}`, status: 'queued' });
			}),
		);
	}
	const after = await redis.usedMemory();
	const keys = await redis.admin.keys('n8n-messaging-gateway:sent:*');
	const sample = keys[0];
	const usage = Number(await redis.admin.memory('USAGE', sample));
	const value = (await redis.admin.get(sample)) ?? '';
	const perRecipient = (after - before) / count;
	console.log(`\nQueue mode 4: a settled recipient in Redis: key ${sample.length} bytes (${sample}), value ${value.length} bytes (${value})`);
	out.row(`Redis memory per settled recipient (default prefix, Twilio record; used_memory over ${count.toLocaleString('en-US')}; bytes)`, perRecipient.toFixed(0));
	out.row('Redis MEMORY USAGE of one settled recipient key (bytes)', String(usage));
	out.row('Redis memory for 10 M recipients a day kept 7 days, at the figure above (GB)', ((perRecipient * 10e6 * 7) / 1e9).toFixed(1));
	await redis.admin.flushall();
}

/** A process's CPU time so far (user + system, seconds), from /proc. */
function processCpuSeconds(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf-8');
	// After the command name in parentheses: field 3 (state) onwards; utime and stime are fields 14 and 15.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface N8nProcess {
	child: ChildProcess;
	logs: string[];
	stop(): Promise<void>;
}

function spawnN8n(args: string[], env: NodeJS.ProcessEnv, n8n: typeof import('../scripts/n8nServer')): N8nProcess {
	const child = spawn(n8n.NODE24, [n8n.N8N_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	const logs: string[] = [];
	const keep = (chunk: Buffer) => logs.push(...chunk.toString('utf-8').split('\n').filter((l) => l.trim()));
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	return {
		child,
		logs,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
				child.once('exit', () => {
					clearTimeout(timer);
					resolve();
				});
				child.kill('SIGTERM');
			}),
	};
}

async function until(what: string, check: () => Promise<boolean> | boolean, proc: N8nProcess, timeoutMs = 180_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (proc.child.exitCode !== null) throw new Error(`${what}: n8n exited:\n${proc.logs.slice(-30).join('\n')}`);
		if (await check()) return;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s:\n${proc.logs.slice(-30).join('\n')}`);
		await sleep(500);
	}
}

/**
 * 5. What an execution costs n8n in queue mode: n8n 2.41.1 (Node 24, SQLite) with a main process and one worker, Bull
 * on a redis-server of its own, this package installed from its tarball, a workflow Webhook → Split Out → Bulk SMS
 * Campaign (Twilio, no rate, Share Rate Limits Via Redis, sent-ledger on) against the sandbox. One execution per
 * recipient, against one execution for a batch of recipients: wall time, CPU of n8n's two processes, Bull's Redis
 * commands, and the execution data kept.
 */
async function n8nExecutions(out: Figures, redis: BenchRedis): Promise<void> {
	const n8n = await import('../scripts/n8nServer');
	if (!existsSync(n8n.NODE24)) {
		console.log('\nQueue mode 5: n8n is not installed here (`bash scripts/install-n8n.sh`): skipped');
		return;
	}
	console.log(`\nQueue mode 5: what an execution costs n8n in queue mode (load average ${load()}); setting up n8n…`);
	const { startSandbox } = await import('../sandbox/server');
	const sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { snsPerSecond: 1e6, sinchPerSecond: 1e7, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12, twilioSenderPerSecond: 1e6 } });
	const bull = await startRedisServer();
	const userFolder = mkdtempSync(join(tmpdir(), 'gateway-bench-n8n-'));
	const processes: N8nProcess[] = [];
	try {
		const port = await n8n.freePort();
		n8n.installPackage(userFolder, n8n.packPackage(join(userFolder, 'tarball')));
		const redisCredential = { id: 'gwBenchRedis0001', name: 'Bench Redis', type: 'messagingRedisApi', data: { host: '127.0.0.1', port: redis.port, database: 0, user: '', password: '', tls: false, keyPrefix: 'n8n-messaging-gateway:' } };
		const credentialsFile = join(userFolder, 'credentials.json');
		writeFileSync(credentialsFile, JSON.stringify([...n8n.sandboxCredentials(sandbox.url, sandbox.accounts), redisCredential]));
		const workflowId = 'gwBenchQueue0001';
		const path = 'gateway-bench-campaign';
		const workflowFile = join(userFolder, 'workflow.json');
		writeFileSync(
			workflowFile,
			JSON.stringify({
				id: workflowId,
				name: 'Bench: webhook → Bulk SMS Campaign',
				active: false,
				settings: { executionOrder: 'v1' },
				nodes: [
					{ id: 'b0000000-0000-4000-8000-000000000001', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'b0000000-0000-4000-8000-0000000000aa', parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} } },
					{ id: 'b0000000-0000-4000-8000-000000000002', name: 'Recipients', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [220, 0], parameters: { fieldToSplitOut: 'body.recipients', options: {} } },
					{
						id: 'b0000000-0000-4000-8000-000000000003',
						name: 'Campaign',
						type: `${n8n.PACKAGE_NAME}.smsCampaign`,
						typeVersion: 1,
						position: [440, 0],
						parameters: {
							provider: 'twilio',
							twilioFrom: '+15005550006',
							to: '={{ $json.phone }}',
							message: 'Hi {name}, your appointment is tomorrow at {time}.',
							rateMode: 'none',
							campaignKey: `bench-${Date.now()}`,
							sharedState: 'redis',
							options: { concurrency: 8 },
						},
						credentials: { messagingTwilioApi: { id: n8n.CREDENTIAL_IDS.twilio, name: 'Sandbox Twilio' }, messagingRedisApi: { id: redisCredential.id, name: redisCredential.name } },
					},
				],
				connections: { Webhook: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] }, Recipients: { main: [[{ node: 'Campaign', type: 'main', index: 0 }]] } },
			}),
		);
		for (const args of [['import:credentials', `--input=${credentialsFile}`], ['import:workflow', `--input=${workflowFile}`], ['publish:workflow', `--id=${workflowId}`]]) {
			const { status, output } = await n8n.n8nCli(userFolder, port, args);
			if (status !== 0) throw new Error(`n8n ${args.join(' ')} failed:\n${output}`);
		}
		const queue = { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(bull.port), N8N_LOG_LEVEL: 'info' };
		const main = spawnN8n(['start'], n8n.n8nEnv(userFolder, port, queue), n8n);
		processes.push(main);
		const url = `http://127.0.0.1:${port}`;
		await until('n8n main ready', async () => (await fetch(`${url}/healthz/readiness`).catch(() => undefined))?.ok === true, main);
		const worker = spawnN8n(['worker', '--concurrency=10'], n8n.n8nEnv(userFolder, port, { ...queue, N8N_RUNNERS_BROKER_PORT: String(port + 2) }), n8n);
		processes.push(worker);
		await until('n8n worker ready', () => worker.logs.some((l) => l.includes('worker is now ready')), worker);
		await n8n.N8nSession.ownerSetup(url);
		const session = await n8n.N8nSession.login(url);

		let person = 0;
		const recipients = (n: number) => Array.from({ length: n }, () => ({ phone: `+4479${String(person++).padStart(8, '0')}`, name: `P${person}`, time: '10:00' }));
		const post = async (n: number) => {
			const r = await fetch(`${url}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ recipients: recipients(n) }) });
			const text = await r.text();
			if (!r.ok) throw new Error(`webhook answered ${r.status}: ${text.slice(0, 300)}`);
		};
		const lastExecutionBytes = async () => {
			type Listing = { data: { results: Array<{ id: string; status: string }> } };
			const list = await session.request<Listing>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
			const latest = list.body.data.results[0];
			const one = await session.request<{ data: { data: string } }>('GET', `/rest/executions/${latest.id}`);
			return Buffer.byteLength(one.body.data.data, 'utf-8');
		};
		interface Cost {
			seconds: number;
			n8nCpu: number;
			bullCommands: number;
			bullCpu: number;
			ourCommands: number;
		}
		const measure = async (fn: () => Promise<void>): Promise<Cost> => {
			await bull.admin.config('RESETSTAT');
			await redis.admin.config('RESETSTAT');
			const [cpu0, bull0] = [processCpuSeconds(main.child.pid ?? 0) + processCpuSeconds(worker.child.pid ?? 0), await bull.cpuSeconds()];
			const start = performance.now();
			await fn();
			const seconds = (performance.now() - start) / 1000;
			// Bull's last commands for the job (completion, clean-up) a moment after the answer.
			await sleep(1000);
			const count = async (r: BenchRedis) => [...(await r.commandStats()).entries()].filter(([name]) => !name.startsWith('config') && name !== 'info').reduce((sum, [, st]) => sum + st.calls, 0);
			return {
				seconds,
				n8nCpu: processCpuSeconds(main.child.pid ?? 0) + processCpuSeconds(worker.child.pid ?? 0) - cpu0,
				bullCommands: await count(bull),
				bullCpu: (await bull.cpuSeconds()) - bull0,
				ourCommands: await count(redis),
			};
		};
		for (let i = 0; i < 5; i++) await post(1);
		await post(200);
		const single = 200;
		const atOnce = 10;
		const sequential = await measure(async () => {
			for (let i = 0; i < 30; i++) await post(1);
		});
		const perRecipient = await measure(async () => {
			let next = 0;
			await Promise.all(
				Array.from({ length: atOnce }, async () => {
					while (next++ < single) await post(1);
				}),
			);
		});
		const singleBytes = await lastExecutionBytes();
		const batchSize = 2000;
		const batch = await measure(() => post(batchSize));
		const batchBytes = await lastExecutionBytes();
		const rows: string[][] = [];
		const add = (label: string, executions: number, recipientsEach: number, c: Cost, bytes: number) => {
			const recipientsAll = executions * recipientsEach;
			rows.push([
				label,
				`${(c.seconds * 1000) / executions > 1000 ? ((c.seconds * 1000) / executions).toFixed(0) : ((c.seconds * 1000) / executions).toFixed(1)}`,
				out.fmt(recipientsAll / c.seconds),
				((c.n8nCpu * 1000) / recipientsAll).toFixed(2),
				perMessage(c.bullCommands, recipientsAll),
				perMessage(c.bullCpu * 1e6, recipientsAll),
				perMessage(c.ourCommands, recipientsAll),
				out.fmt(bytes / recipientsEach),
			]);
			out.row(`n8n queue mode, ${label}: n8n CPU ms per recipient (main + worker)`, ((c.n8nCpu * 1000) / recipientsAll).toFixed(2));
			out.row(`n8n queue mode, ${label}: Bull's Redis commands per recipient`, perMessage(c.bullCommands, recipientsAll));
		};
		add('one execution per recipient, one after another (30)', 30, 1, sequential, singleBytes);
		add(`one execution per recipient, ${atOnce} at once (${single})`, single, 1, perRecipient, singleBytes);
		add(`one execution for ${batchSize.toLocaleString('en-US')} recipients`, 1, batchSize, batch, batchBytes);
		table(
			[
				'how',
				'ms per execution',
				'recipients/s',
				'n8n CPU ms / recipient (main + worker)',
				"Bull's Redis commands / recipient",
				"Bull's Redis CPU µs / recipient",
				"this package's Redis commands / recipient",
				'execution data, bytes / recipient',
			],
			rows,
		);
	} finally {
		for (const p of processes.reverse()) await p.stop();
		await bull.stop();
		await sandbox.stop();
		rmSync(userFolder, { recursive: true, force: true });
	}
}

/** Every queue-mode figure; `parts` picks some (ops, accuracy, capacity, memory). */
export async function queueFigures(out: Figures, parts: string[] = ['ops', 'accuracy', 'capacity', 'memory', 'n8n']): Promise<void> {
	const redis = await startRedisServer();
	const pool: WorkerProcess[] = [];
	try {
		const version = /redis_version:(\S+)/.exec(await redis.admin.info('server'))?.[1];
		console.log(`\nQueue mode figures: redis-server ${version} on 127.0.0.1:${redis.port}, this machine's ${cpus().length} cores`);
		if (parts.includes('ops')) await operationsPerMessage(out, redis, pool);
		if (parts.includes('accuracy')) await limiterAccuracy(out, redis, pool);
		if (parts.includes('capacity')) await redisCapacity(out, redis, pool);
		if (parts.includes('memory')) await bytesPerRecipient(out, redis);
		if (parts.includes('n8n')) await n8nExecutions(out, redis);
	} finally {
		for (const worker of pool) worker.stop();
		await closeRedisClients();
		await redis.stop();
	}
}

if (require.main === module && process.argv[2] === 'worker') void workerMain();
