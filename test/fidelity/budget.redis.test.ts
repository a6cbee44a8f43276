/**
 * The sender's rate budget in Redis (nodes/shared/state/redisBudget.ts) against a real redis-server:
 *
 * - on a fake clock (`options.now`, `options.wait`), the same takes, answers and slow-downs give the same start times
 *   as this process's budget (InProcessBudget, the pure rule of rules/throttle.ts), at 1, 3, 10 and 30 a second;
 * - on the real clock, several workers (budgets on different lines, as different processes would be) taking from one
 *   sender at once: no second holds more than the rate, at Redis's own clock (its log's ZADDs, seen by MONITOR), and
 *   the rate achieved is the rate less the guard; two senders do not share; a slow-down by one pauses the others;
 * - Redis stopped while a take waits: it waits, then gives up with SharedStateUnavailable, having granted nothing; Redis
 *   back in time: the take goes through; a cancel while waiting: CanceledWhileWaiting.
 */
import { randomUUID } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { CanceledWhileWaiting, InProcessBudget, SharedStateUnavailable, type RateBudget, type Taken } from '../../nodes/shared/campaign/budget';
import { busiestSecond } from '../../nodes/shared/rules/throttle';
import { redisBudget } from '../../nodes/shared/state/redisBudget';
import { closeRedisClients, runRedis } from '../../nodes/shared/state/redisStore';
import { startRedis, useRedis, type RedisServer } from '../helpers/redis';

const redis = useRedis();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Everything sent to Redis on the connection before this has been carried out (one connection, in order). */
const flushed = async (credentials: ICredentialDataDecryptedObject): Promise<void> => {
	await runRedis(credentials, (client) => client.ping());
};

// ───────────────────────────────────────── the model: a fake clock ─────────────────────────────────────────

interface ClockEvent {
	at: number;
	seq: number;
	run: () => void | Promise<void>;
	/** A timer the budget set with a signal (InProcessBudget's wait for a cold start's answer): fired by the driver. */
	background: boolean;
}

/**
 * A clock that moves only when something waits on it. A wait without a signal (a take waiting for its turn, in either
 * budget) moves it at once, running on the way what falls due (answers and slow-downs the scenario scheduled, each at
 * its own time); a wait with a signal is a timer in the background, fired by the driver when the take can go no
 * further without it. Whole milliseconds, as Node's timers: InProcessBudget's waits are rounded up, as Redis's are.
 */
class FakeClock {
	t: number;
	private seq = 0;
	private events: ClockEvent[] = [];

	constructor(start: number) {
		this.t = start;
	}

	readonly now = (): number => this.t;

	readonly wait = (ms: number, signal?: AbortSignal): Promise<void> => {
		if (signal?.aborted) return Promise.reject(new CanceledWhileWaiting());
		const at = this.t + Math.ceil(ms);
		if (!signal) return this.advance(at);
		return new Promise<void>((resolve, reject) => {
			const event = this.add(at, () => resolve(), true);
			signal.addEventListener(
				'abort',
				() => {
					this.events = this.events.filter((e) => e !== event);
					reject(new CanceledWhileWaiting());
				},
				{ once: true },
			);
		});
	};

	add(at: number, run: () => void | Promise<void>, background = false): ClockEvent {
		const event = { at, seq: ++this.seq, run, background };
		this.events.push(event);
		this.events.sort((a, b) => a.at - b.at || a.seq - b.seq);
		return event;
	}

	hasBackground(): boolean {
		return this.events.some((e) => e.background);
	}

	/** Run the next event, whatever its time. */
	async step(): Promise<void> {
		const next = this.events.shift();
		if (!next) throw new Error('the take waits, and nothing is left to wait for');
		this.t = Math.max(this.t, next.at);
		await next.run();
		await tick();
	}

	/** Move to `to`, running what falls due on the way, in order. */
	async advance(to: number): Promise<void> {
		while (this.events.length && this.events[0].at <= to) await this.step();
		this.t = Math.max(this.t, to);
	}
}

/** A take on the fake clock: InProcessBudget's line may wait for a background timer, which the driver fires. */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
	let settled = false;
	promise.then(
		() => (settled = true),
		() => (settled = true),
	);
	const end = Date.now() + 30_000;
	for (;;) {
		await tick();
		if (settled) return await promise;
		if (Date.now() > end) throw new Error('a take on the fake clock did not settle within 30 s');
		// Redis's budget never sets one: while it is unsettled it is talking to Redis, and moves the clock itself.
		if (clock.hasBackground()) await clock.step();
		else await sleep(0);
	}
}

interface Step {
	/** Milliseconds after the previous start (the scenario's beginning for the first) that the take is asked for. */
	gap: number;
	units: number;
	/** Milliseconds after its start that the request is answered (sent()); null: never (a cold start's hold runs out). */
	answer: number | null;
	/** The provider says "too many requests" this long after the start. */
	slowDown?: { after: number; retryAfterMs?: number };
}

interface ModelBudget {
	budget: RateBudget;
	clock: FakeClock;
	/** What an answer or slow-down needs after it is called: Redis's is sent without waiting, so wait for it here. */
	settle: () => Promise<void>;
}

const T0 = 1_800_000_000_000;

/** The starts (ms after T0) a scenario gets from a budget. */
async function play(model: ModelBudget, sender: string, perSecond: number, steps: readonly Step[]): Promise<number[]> {
	const { budget, clock, settle } = model;
	const starts: number[] = [];
	let last = clock.t;
	for (const step of steps) {
		await clock.advance(last + step.gap);
		const taken: Taken = await drive(clock, budget.take(sender, step.units, perSecond));
		last = clock.t;
		starts.push(last - T0);
		const answer = async () => {
			taken.sent();
			await settle();
		};
		if (step.answer === 0) await answer();
		else if (step.answer !== null) clock.add(last + step.answer, answer);
		const { slowDown } = step;
		if (slowDown) {
			clock.add(last + slowDown.after, async () => {
				budget.slowDown(sender, slowDown.retryAfterMs);
				await settle();
			});
		}
	}
	return starts;
}

function inProcessModel(): ModelBudget {
	const clock = new FakeClock(T0);
	return { clock, budget: new InProcessBudget(clock.now, clock.wait), settle: async () => undefined };
}

function redisModel(credentials: ICredentialDataDecryptedObject): ModelBudget {
	const clock = new FakeClock(T0);
	return { clock, budget: redisBudget(credentials, { now: clock.now, wait: clock.wait, line: `model-${randomUUID()}` }), settle: () => flushed(credentials) };
}

/** A seeded pseudo-random source (an LCG), so that a failing scenario can be run again as it was. */
function random(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

/**
 * A scenario: mostly back-to-back takes of 1–3 units, with quiet spells that make cold starts (over the 1,015 ms
 * window) and recoveries (over 5 s), answers at once, later (while the next take waits for it) or never (the hold of 5 s
 * runs out), and slow-downs with and without a Retry-After. An answer that comes while the next take is already
 * waiting comes a multiple of 50 ms after that take was asked for: Redis's budget looks again every 50 ms while a cold
 * start holds the sender, where this process's is woken by the answer itself (an answer between two looks is seen up
 * to 50 ms later by Redis's budget, never earlier).
 */
function scenario(seed: number, length = 40): Step[] {
	const r = random(seed);
	const pick = <T>(options: readonly T[]) => options[Math.floor(r() * options.length)];
	const steps: Step[] = [];
	for (let i = 0; i < length; i++) {
		const kind = r();
		const gap = i === 0 ? 0 : kind < 0.2 ? 0 : kind < 0.5 ? 1 + Math.floor(r() * 60) : kind < 0.72 ? 1 + Math.floor(r() * 700) : kind < 0.88 ? 1_100 + Math.floor(r() * 1_500) : 5_200 + Math.floor(r() * 7_000);
		steps.push({ gap, units: pick([1, 1, 2, 3]), answer: 0 });
	}
	for (let i = 0; i < length; i++) {
		const nextGap = steps[i + 1]?.gap ?? 0;
		const a = r();
		// Before the next take is asked for (a request takes at least a millisecond); while it waits (50 ms steps after
		// it was asked for); never.
		steps[i].answer = a < 0.6 && nextGap >= 1 ? 1 + Math.floor(r() * nextGap) : a < 0.85 ? nextGap + 50 * (1 + Math.floor(r() * 5)) : null;
		if (r() < 0.14) steps[i].slowDown = { after: Math.floor(r() * 1_200), retryAfterMs: pick([undefined, 0, 300, 1_000, 2_500]) };
	}
	// Each at least once: an answer while the next take waits, one never given, a slow-down.
	if (!steps.some((s, i) => s.answer !== null && i + 1 < length && s.answer > steps[i + 1].gap)) steps[length - 3].answer = steps[length - 2].gap + 100;
	if (!steps.some((s) => s.answer === null)) steps[length - 5].answer = null;
	if (!steps.some((s) => s.slowDown)) steps[length - 7].slowDown = { after: 100 };
	return steps;
}

describe('redisBudget on a fake clock: the same starts as this process’s budget', () => {
	let credentials: ICredentialDataDecryptedObject;
	beforeAll(() => {
		credentials = redis.get().credentials();
	});

	const both = async (perSecond: number, steps: readonly Step[]) => {
		const sender = `twilio:+1500555${randomUUID().slice(0, 8)}`;
		const inProcess = await play(inProcessModel(), sender, perSecond, steps);
		const shared = await play(redisModel(credentials), sender, perSecond, steps);
		return { inProcess, shared };
	};

	// Worked out by hand from rules/throttle.ts: each row is checked against both budgets.
	const once = (extra: Partial<Step> = {}): Step => ({ gap: 0, units: 1, answer: 0, ...extra });
	it.each<[string, number, Step[], number[]]>([
		['3 a second, five at once: spaced 333⅓ ms (on whole ms), the fourth waits for the first to leave the 1,015 ms window', 3, [once(), once(), once(), once(), once()], [0, 334, 667, 1015, 1349]],
		['1 a second, a 3-part start goes alone and the next waits 3 s', 1, [once({ units: 3 }), once(), once()], [0, 3000, 4015]],
		['10 a second, a cold start never answered holds the sender 5 s; the next is cold again and holds it too', 10, [once({ answer: null }), once({ answer: null }), once()], [0, 5000, 10000]],
		['10 a second, a cold start answered after 200 ms: the next counts from the answer', 10, [once({ answer: 200 }), once(), once()], [0, 300, 400]],
		['10 a second, "too many requests" (Retry-After 1 s) at 200 ms: paused to 1,200, then 5 a second', 10, [once(), once(), once({ slowDown: { after: 0, retryAfterMs: 1000 } }), once(), once()], [0, 100, 200, 1200, 1400]],
		[
			'30 a second, halved at 0, back a quarter after 5 s (18.75 a second: 53⅓ ms apart) and once more after 10 s',
			30,
			[once({ slowDown: { after: 0, retryAfterMs: 0 } }), once({ gap: 5_100 }), once(), once({ gap: 4_900 }), once()],
			[0, 5100, 5154, 10054, 10097],
		],
		[
			// Halved at 0 (5 a second); the cold start at 4,900 is answered at 5,100, after a quiet spell of 5 s: the rate in
			// force then is 6.25 a second, and the next start comes 160 ms after the answer (not the 200 of the halved rate).
			'10 a second, a cold start answered after a quiet spell: the next counts from the answer at the recovered rate',
			10,
			[once({ answer: 1, slowDown: { after: 0, retryAfterMs: 0 } }), once({ gap: 4_900, answer: 200 }), once({ answer: 1 })],
			[0, 4900, 5260],
		],
	])('%s', async (_, perSecond, steps, expected) => {
		expect(await both(perSecond, steps)).toEqual({ inProcess: expected, shared: expected });
	});

	it('an answer that comes while a take of another run waits: this process wakes at once, Redis’s budget at its next look (50 ms), never sooner', async () => {
		// 30 a second: the cold start at 0 is answered at 101; the next may start 33⅓ ms after (135 on whole ms). Redis's
		// budget looks at 50, 100 and 150: it starts at 150.
		expect(await both(30, [once({ answer: 101 }), once({ answer: 1 })])).toEqual({ inProcess: [0, 135], shared: [0, 150] });
		// At 10 a second the next start is 100 ms after the answer, later than the next look: the same start for both.
		expect(await both(10, [once({ answer: 101 }), once({ answer: 1 })])).toEqual({ inProcess: [0, 201], shared: [0, 201] });
	});

	// Two scenarios a rate; MODEL_SEEDS=40 runs forty, MODEL_TRACE=1 prints a scenario up to its first difference.
	it.each([1, 3, 10, 30].flatMap((perSecond) => Array.from({ length: Number(process.env.MODEL_SEEDS ?? 2) }, (_, n) => [perSecond, perSecond * 100 + n + 1] as const)))('%i a second, scenario seed %i: the same start for every take', async (perSecond, seed) => {
		const steps = scenario(seed);
		// The scenario has what it is meant to have.
		expect(steps.filter((s) => s.gap > 1_015).length).toBeGreaterThan(0);
		expect(steps.filter((s) => s.units > 1).length).toBeGreaterThan(0);
		expect(steps.filter((s) => s.answer === null).length).toBeGreaterThan(0);
		expect(steps.filter((s, i) => s.answer !== null && s.answer > (steps[i + 1]?.gap ?? Infinity)).length).toBeGreaterThan(0);
		expect(steps.filter((s) => s.slowDown).length).toBeGreaterThan(0);
		const { inProcess, shared } = await both(perSecond, steps);
		expect(shared).toHaveLength(steps.length);
		// Compared one by one, so that a failure names the first take that differs.
		const firstDifference = shared.findIndex((t, i) => t !== inProcess[i]);
		if (process.env.MODEL_TRACE && firstDifference >= 0) console.log(JSON.stringify({ perSecond, seed, rows: steps.slice(0, firstDifference + 1).map((s, i) => [inProcess[i], shared[i], JSON.stringify(s)]) }, null, 1));
		expect({ firstDifference, step: steps[firstDifference], inProcess: inProcess[firstDifference], shared: shared[firstDifference] }).toEqual({ firstDifference: -1, step: undefined, inProcess: undefined, shared: undefined });
		// And whatever the scenario, no window of a second holds more than the rate, or one start larger than it.
		const starts = shared.map((t, i) => [t, steps[i].units] as const);
		for (const [t, units] of starts) expect(busiestSecond(starts.filter(([s]) => s > t - 1000 && s <= t))).toBeLessThanOrEqual(Math.max(perSecond, units));
	});
});

// ───────────────────────────────────────── workers on the real clock ─────────────────────────────────────────

type Start = readonly [at: number, units: number];

/**
 * The starts Redis granted on a sender, at Redis's own clock: the ZADDs of the sender's log, as MONITOR shows the
 * commands the scripts run (the first of each start: the answer to a cold start moves it later).
 */
async function watchStarts(server: RedisServer, credentials: ICredentialDataDecryptedObject, sender: string) {
	const monitor = await server.admin().monitor();
	const log = `${String(credentials.keyPrefix)}rate:${sender}:log`;
	const first = new Map<string, number>();
	monitor.on('monitor', (_time: string, args: string[]) => {
		if (String(args[0]).toLowerCase() === 'zadd' && args[1] === log && !first.has(args[3])) first.set(args[3], Number(args[2]));
	});
	return {
		starts: (): Start[] => [...first].map(([member, at]) => [at, Number(member.split('|')[1])] as const).sort((a, b) => a[0] - b[0]),
		stop: () => monitor.disconnect(),
	};
}

/** `workers` budgets on lines of their own (as many processes), taking from `sender` until `count` starts were granted (or `enough` says so). */
async function takeTogether(make: (worker: number) => RateBudget, sender: string, perSecond: number, count: number, workers: number, enough = new AbortController()): Promise<number> {
	let granted = 0;
	const latency = random(perSecond * 7 + workers);
	await Promise.all(
		Array.from({ length: workers }, async (_, w) => {
			const budget = make(w);
			while (!enough.signal.aborted) {
				let taken: Taken;
				try {
					taken = await budget.take(sender, 1, perSecond, enough.signal);
				} catch (error) {
					if (error instanceof CanceledWhileWaiting) return;
					throw error;
				}
				if (++granted >= count) enough.abort();
				// The request: answered 10 to 60 ms later.
				await sleep(10 + Math.floor(latency() * 50));
				taken.sent();
			}
		}),
	);
	return granted;
}

/** Starts a second, from the second start (the first, cold, holds the sender until its answer) to the last. */
const achieved = (starts: readonly Start[]) => ((starts.length - 2) / (starts[starts.length - 1][0] - starts[1][0])) * 1000;

describe('redisBudget: workers taking from one sender at once, on the real clock', () => {
	let credentials: ICredentialDataDecryptedObject;
	beforeAll(() => {
		credentials = redis.get().credentials();
	});
	const worker = (w: number) => redisBudget(credentials, { line: `worker-${w}-${randomUUID()}` });

	it.each([
		[1, 7, 3],
		[5, 26, 4],
		[30, 91, 5],
	])('%i a second, %i starts by %i workers: no second holds more than the rate, and the rate achieved is the rate less the guard', async (perSecond, count, workers) => {
		const sender = `twilio:+1500555${randomUUID().slice(0, 8)}`;
		const watch = await watchStarts(redis.get(), credentials, sender);
		try {
			const granted = await takeTogether(worker, sender, perSecond, count, workers);
			await flushed(credentials);
			await sleep(50);
			const starts = watch.starts();
			expect(starts).toHaveLength(granted);
			expect(granted).toBeGreaterThanOrEqual(count);
			expect(busiestSecond(starts)).toBeLessThanOrEqual(perSecond);
			// Rate × 1000 / 1015 (the window checked is 15 ms longer than a second): at most 0.8 % over it (the rate itself
			// would be 1.5 % over), at most 5 % under. Timers and round trips only make starts later; and at 1 a second every
			// start is a cold one (the window no longer holds the one before), so each waits for the answer to the one
			// before (10-60 ms here): about 3 % under.
			const sustained = (perSecond * 1000) / 1015;
			expect(achieved(starts)).toBeGreaterThan(sustained * 0.95);
			expect(achieved(starts)).toBeLessThan(sustained * 1.008);
		} finally {
			watch.stop();
		}
	});

	it('two senders do not share: each gets its own rate', async () => {
		const [a, b] = [`twilio:+1500555${randomUUID().slice(0, 8)}`, `twilio:+1500556${randomUUID().slice(0, 8)}`];
		const [watchA, watchB] = [await watchStarts(redis.get(), credentials, a), await watchStarts(redis.get(), credentials, b)];
		try {
			await Promise.all([takeTogether(worker, a, 5, 16, 3), takeTogether(worker, b, 5, 16, 3)]);
			await flushed(credentials);
			await sleep(50);
			const [startsA, startsB] = [watchA.starts(), watchB.starts()];
			for (const starts of [startsA, startsB]) {
				expect(busiestSecond(starts)).toBeLessThanOrEqual(5);
				expect(achieved(starts)).toBeGreaterThan(((5 * 1000) / 1015) * 0.95);
			}
			// Together, twice one sender's rate.
			expect(busiestSecond([...startsA, ...startsB])).toBeGreaterThanOrEqual(9);
		} finally {
			watchA.stop();
			watchB.stop();
		}
	});

	it('(the measure can fail: workers that each keep a budget of their own, as This Process would in queue mode, go over)', async () => {
		const sender = `twilio:+1500557${randomUUID().slice(0, 8)}`;
		const times: Start[] = [];
		const budgets = Array.from({ length: 4 }, () => new InProcessBudget());
		const recording = (w: number): RateBudget => ({
			take: async (...args) => {
				const taken = await budgets[w].take(...args);
				times.push([Date.now(), 1]);
				return taken;
			},
			slowDown: (...args) => budgets[w].slowDown(...args),
		});
		await takeTogether(recording, sender, 5, 20, 4);
		expect(busiestSecond(times)).toBeGreaterThanOrEqual(16);
	});

	it('a worker’s first start from a sender, when others are sending, counts from its answer (its request opens a connection of its own, and may reach the provider late)', async () => {
		const sender = `twilio:+1500559${randomUUID().slice(0, 8)}`;
		const [a, b] = [worker(1), worker(2)];
		// 2 a second. Worker 1 has been sending (its first start answered at once); worker 2 starts 500 ms later.
		(await a.take(sender, 1, 2)).sent();
		const bTaken = await b.take(sender, 1, 2);
		// Worker 1 goes on: its next start when its first leaves the window, the one after when worker 2's does.
		const third = (async () => {
			(await a.take(sender, 1, 2)).sent();
			(await a.take(sender, 1, 2)).sent();
			return Date.now();
		})();
		// Worker 2's answer comes 300 ms after its start: its start counts from then, and worker 1's third 1,015 ms after.
		await sleep(300);
		const answeredAt = Date.now();
		bTaken.sent();
		const thirdAt = await third;
		expect(thirdAt - answeredAt).toBeGreaterThanOrEqual(1_000);
		expect(thirdAt - answeredAt).toBeLessThan(1_300);
	});

	it('a "too many requests" seen by one worker pauses the others for its Retry-After, then all go on at half the rate', async () => {
		const sender = `twilio:+1500558${randomUUID().slice(0, 8)}`;
		const watch = await watchStarts(redis.get(), credentials, sender);
		try {
			const one = worker(1);
			const enough = new AbortController();
			const others = takeTogether(worker, sender, 10, Infinity, 2, enough);
			// Worker 1 takes a few starts, then its provider says "too many requests, retry after 1 s", and it stops.
			for (let i = 0; i < 6; i++) (await one.take(sender, 1, 10)).sent();
			one.slowDown(sender, 1000);
			await flushed(credentials);
			const hash = await redis.get().admin().hmget(`${String(credentials.keyPrefix)}rate:${sender}`, 'paused', 'factor');
			const paused = Number(hash[0]);
			expect(Number(hash[1])).toBe(0.5);
			// The others go on until 2.2 s after the pause.
			await sleep(paused + 2_200 - Date.now());
			enough.abort();
			await others;
			await flushed(credentials);
			await sleep(50);
			const starts = watch.starts();
			const said = paused - 1000;
			// None from the moment it was said until the pause is over; the others went on after it.
			expect(starts.filter(([t]) => t >= said && t < paused)).toEqual([]);
			// At 5 a second (half of 10) for the next 2 seconds: at most 5 in any second, and about 10 in all.
			const next2s = starts.filter(([t]) => t >= paused && t < paused + 2000);
			expect(busiestSecond(next2s)).toBeLessThanOrEqual(5);
			expect(next2s.length).toBeGreaterThanOrEqual(9);
			expect(next2s.length).toBeLessThanOrEqual(11);
		} finally {
			watch.stop();
		}
	});
});

// ───────────────────────────────────────── Redis away ─────────────────────────────────────────

/** How a take ended, and when. */
const outcome = (take: Promise<Taken>) =>
	take.then(
		(taken) => {
			taken.sent();
			return { granted: true as const, at: Date.now(), error: undefined };
		},
		(error: unknown) => ({ granted: false as const, at: Date.now(), error: error as Error }),
	);

describe('redisBudget when Redis goes away while takes wait', () => {
	let server: RedisServer | undefined;
	afterEach(async () => {
		await closeRedisClients();
		await server?.stop();
		server = undefined;
	});

	it('they wait, then give up with SharedStateUnavailable after Outage (3 s here), none granted', async () => {
		server = await startRedis();
		const credentials = server.credentials();
		const OUTAGE = 3_000;
		const sender = 'twilio:+15005550006';
		const budgets = [1, 2, 3].map((w) => redisBudget(credentials, { line: `outage-${w}`, outageMs: OUTAGE }));
		(await budgets[0].take(sender, 1, 1)).sent();
		// At 1 a second, the next three wait for their turns (about 1 s, 2 s and 3 s from now).
		const waiting = budgets.map((b) => outcome(b.take(sender, 1, 1)));
		await sleep(300);
		await server.stop();
		const stoppedAt = Date.now();
		const results = await Promise.all(waiting);
		for (const result of results) {
			expect(result.granted).toBe(false);
			expect(result.error).toBeInstanceOf(SharedStateUnavailable);
			expect(result.error?.message).toMatch(
				new RegExp(`^Redis, which holds the shared rate budget and sent-ledger, could not be reached for 3 s: Could not reach Redis at 127\\.0\\.0\\.1:${server.port} \\(.+\\): check the Messaging Gateway Redis credential; nothing was sent$`),
			);
			// Counted from its first failed look (when its wait for its turn ended, within a second of the stop).
			expect(result.at - stoppedAt).toBeGreaterThanOrEqual(OUTAGE);
			expect(result.at - stoppedAt).toBeLessThan(OUTAGE + 1_000 + 750);
		}
	});

	it('an outage is waited out once: a take after one that gave up tries once and gives up too, until Redis answers again', async () => {
		server = await startRedis();
		const credentials = server.credentials();
		const sender = 'twilio:+15005550006';
		const budget = redisBudget(credentials, { line: 'once', outageMs: 2_000 });
		(await budget.take(sender, 1, 10)).sent();
		await server.stop();
		const first = await outcome(budget.take(sender, 1, 10));
		expect(first.error).toBeInstanceOf(SharedStateUnavailable);
		const askedAt = Date.now();
		const second = await outcome(budget.take(sender, 1, 10));
		expect(second.error).toBeInstanceOf(SharedStateUnavailable);
		// The same sentence: the outage it gave up on was 2 s long.
		expect(second.error?.message).toBe(first.error?.message);
		expect(second.at - askedAt).toBeLessThan(500);
		// Redis back: the next take is granted, and an outage after that is waited out in full again.
		server = await startRedis({ port: server.port });
		const back = await outcome(budget.take(sender, 1, 10));
		expect(back.granted).toBe(true);
		await server.stop();
		const againAt = Date.now();
		const again = await outcome(budget.take(sender, 1, 10));
		expect(again.error).toBeInstanceOf(SharedStateUnavailable);
		expect(again.at - againAt).toBeGreaterThanOrEqual(2_000);
	});

	it('Redis back within Outage: the take goes through once it is back', async () => {
		server = await startRedis();
		const credentials = server.credentials();
		const sender = 'twilio:+15005550006';
		const budget = redisBudget(credentials, { line: 'restart', outageMs: 10_000 });
		(await budget.take(sender, 1, 1)).sent();
		const waiting = outcome(budget.take(sender, 1, 1));
		await sleep(200);
		await server.stop();
		await sleep(2_000);
		server = await startRedis({ port: server.port });
		const backAt = Date.now();
		const result = await waiting;
		expect(result.error).toBeUndefined();
		expect(result.granted).toBe(true);
		expect(result.at).toBeGreaterThanOrEqual(backAt);
		// The waits back off up to 2 s: it is seen back within that.
		expect(result.at - backAt).toBeLessThan(2_500);
	});

	it('a cancel while waiting for its turn: CanceledWhileWaiting at once, and nothing taken', async () => {
		const credentials = redis.get().credentials();
		const sender = 'twilio:+15005550006';
		const budget = redisBudget(credentials, { line: 'cancel' });
		const other = redisBudget(credentials, { line: 'cancel-other' });
		(await budget.take(sender, 1, 1)).sent();
		const firstAt = Date.now();
		const cancel = new AbortController();
		const canceled = outcome(budget.take(sender, 1, 1, cancel.signal));
		await sleep(200);
		cancel.abort();
		const abortedAt = Date.now();
		const result = await canceled;
		expect(result.error).toBeInstanceOf(CanceledWhileWaiting);
		expect(result.at - abortedAt).toBeLessThan(100);
		// The next start is the one that was due: about 1,015 ms after the first, not a second later.
		const next = await outcome(other.take(sender, 1, 1));
		expect(next.granted).toBe(true);
		expect(next.at - firstAt).toBeGreaterThanOrEqual(950);
		expect(next.at - firstAt).toBeLessThan(1_500);
	});

	it('a cancel while Redis is away: CanceledWhileWaiting at once, not SharedStateUnavailable', async () => {
		server = await startRedis();
		const credentials = server.credentials();
		const budget = redisBudget(credentials, { line: 'cancel-away' });
		await server.stop();
		const cancel = new AbortController();
		const canceled = outcome(budget.take('twilio:+15005550006', 1, 1, cancel.signal));
		await sleep(1_500);
		cancel.abort();
		const abortedAt = Date.now();
		const result = await canceled;
		expect(result.error).toBeInstanceOf(CanceledWhileWaiting);
		expect(result.at - abortedAt).toBeLessThan(100);
	});
});
