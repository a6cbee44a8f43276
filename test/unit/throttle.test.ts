/**
 * Pacing to a sender's rate: the pure rule (rules/throttle.ts) with exact values, and the process budget
 * (campaign/budget.ts) simulated on a fake clock: its `wait` is a timer on that clock, which fires when the simulation
 * reaches it (optionally late by a random 0–40 ms stall), and which an AbortSignal cancels.
 */
import { CanceledWhileWaiting, InProcessBudget, pause } from '../../nodes/shared/campaign/budget';
import { SendAbandoned } from '../../nodes/shared/delivery';
import {
	busiestSecond,
	currentRate,
	DEFAULT_PACE,
	earliestStart,
	moveStart,
	newPace,
	recordStart,
	recover,
	slowDown,
	type PaceSettings,
	type PaceState,
} from '../../nodes/shared/rules/throttle';

/** mulberry32: small, fast, seeded (the same seed gives the same run). */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Timer {
	at: number;
	seq: number;
	fire: () => void;
}

/** A clock that only moves when the simulation runs the next timer: no real time passes. */
class SimClock {
	t = 0;
	private seq = 0;
	private timers: Timer[] = [];
	/** How late each wait fires (a stall), in ms. */
	constructor(private readonly overshoot: () => number = () => 0) {}

	readonly now = (): number => this.t;

	readonly wait = (ms: number, signal?: AbortSignal): Promise<void> =>
		new Promise<void>((resolve, reject) => {
			if (signal?.aborted) {
				reject(new CanceledWhileWaiting());
				return;
			}
			const onAbort = () => {
				this.timers = this.timers.filter((x) => x !== timer);
				reject(new CanceledWhileWaiting());
			};
			const timer: Timer = {
				at: this.t + Math.max(0, ms) + this.overshoot(),
				seq: this.seq++,
				fire: () => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.timers.push(timer);
		});

	/** Do `action` when the clock reaches `at`. */
	at(at: number, action: () => void): void {
		this.timers.push({ at, seq: this.seq++, fire: action });
	}

	/** Run every timer in time order, letting all promise callbacks settle between two, until none is left. */
	async run(): Promise<void> {
		for (;;) {
			await new Promise<void>((resolve) => setImmediate(resolve));
			if (!this.timers.length) return;
			let next = this.timers[0];
			for (const x of this.timers) if (x.at < next.at || (x.at === next.at && x.seq < next.seq)) next = x;
			this.timers = this.timers.filter((x) => x !== next);
			this.t = Math.max(this.t, next.at);
			next.fire();
		}
	}
}

type Start = [at: number, units: number];

/**
 * Windows of `windowMs` (half-open: (t − windowMs, t]) that hold more than `rate` units and more than one start,
 * counted apart from busiestSecond. A single start larger than the rate may fill a window alone.
 */
function overfullWindows(starts: readonly Start[], windowMs: number, rate: number): Array<{ at: number; units: number; starts: number }> {
	const sorted = [...starts].sort((a, b) => a[0] - b[0]);
	const bad: Array<{ at: number; units: number; starts: number }> = [];
	let oldest = 0;
	let units = 0;
	for (let i = 0; i < sorted.length; i++) {
		const end = sorted[i][0];
		units += sorted[i][1];
		for (; sorted[oldest][0] + windowMs <= end; oldest++) units -= sorted[oldest][1];
		// Starts at the same time as `end` after it in the list belong to its window too.
		let j = i + 1;
		let same = units;
		for (; j < sorted.length && sorted[j][0] === end; j++) same += sorted[j][1];
		if (same > rate && j - oldest > 1) bad.push({ at: end, units: same, starts: j - oldest });
	}
	return bad;
}

function bruteBusiest(starts: readonly Start[], windowMs: number): number {
	let best = 0;
	for (const [end] of starts) {
		best = Math.max(best, starts.filter(([at]) => at <= end && at + windowMs > end).reduce((sum, [, u]) => sum + u, 0));
	}
	return best;
}

const S10: PaceSettings = { perSecond: 10, guardMs: 10, minFactor: 1 / 16, recoverAfterMs: 5000 };
const S2: PaceSettings = { ...S10, perSecond: 2 };
const S1: PaceSettings = { ...S10, perSecond: 1 };
const S1000: PaceSettings = { ...S10, perSecond: 1000 };

function paceWith(starts: ReadonlyArray<[at: number, units: number]>, settings: PaceSettings): PaceState {
	const state = newPace();
	for (const [at, units] of starts) recordStart(state, settings, units, at);
	return state;
}

describe('throttle rule: the pure pacing', () => {
	it('a new pace has no history, no pause and the full rate', () => {
		expect(newPace()).toEqual({ log: [], next: -Infinity, pausedUntil: -Infinity, factor: 1, changedAt: -Infinity });
		expect(currentRate(newPace(), S10)).toBe(10);
		expect(currentRate({ ...newPace(), factor: 0.25 }, S10)).toBe(2.5);
		expect(DEFAULT_PACE).toEqual({ guardMs: 15, minFactor: 1 / 16, recoverAfterMs: 5000 });
	});

	it.each<[string, PaceSettings, Array<[number, number]>, number, number, number]>([
		['nothing started: now', S10, [], 1, 500, 500],
		['the even schedule: 1000/rate after the last start', S10, [[500, 1]], 1, 520, 600],
		['past the schedule: now', S10, [[500, 1]], 1, 700, 700],
		['2/s with two starts in the window: when the oldest leaves the window of 1000 + guard ms', S2, [[0, 1], [500, 1]], 1, 1000, 1010],
		['a start larger than the rate waits for an empty window (then the schedule)', S1, [[0, 1]], 3, 0, 1010],
		['after a 3-unit start at 1/s, the schedule holds the next for 3 s', S1, [[0, 1], [1010, 3]], 1, 1500, 4000],
		['a 2-unit start at 2/s goes when the window is empty', S2, [[0, 1]], 2, 600, 1010],
	])('earliestStart: %s', (_, settings, starts, units, now, expected) => {
		const state = paceWith(starts, settings);
		const before = JSON.stringify(state);
		expect(earliestStart(state, settings, units, now)).toBe(expected);
		expect(JSON.stringify(state)).toBe(before);
	});

	it('earliestStart waits for a pause (Retry-After)', () => {
		const state = { ...paceWith([[0, 1]], S10), pausedUntil: 3000 };
		expect(earliestStart(state, S10, 1, 150)).toBe(3000);
	});

	it('earliestStart ends when 1000/rate is not a whole number (3/s: once an endless loop on (x + w) − w < x)', () => {
		const settings: PaceSettings = { ...S10, perSecond: 3, guardMs: 15 };
		const state = newPace();
		const starts: number[] = [];
		let now = 0;
		for (let i = 0; i < 8; i++) {
			now = earliestStart(state, settings, 1, now);
			recordStart(state, settings, 1, now);
			starts.push(now);
		}
		const third = 1000 / 3;
		// Three on the schedule, then each waits for the start three before it to leave the 1015 ms window.
		const expected = [0, third, 2 * third, 1015, third + 1015, 2 * third + 1015, 2030, third + 2030];
		expect(starts.map((t) => t.toFixed(6))).toEqual(expected.map((t) => t.toFixed(6)));
	});

	it.each<[string, Array<[number, number]>, number]>([
		['the first start begins the schedule', [[0, 1]], 100],
		['on time: the next slot', [[0, 1], [100, 1]], 200],
		['a little late: the schedule does not slip', [[0, 1], [130, 1]], 200],
		['late by a whole window (1000 + guard): still the schedule, the log limits the catch-up', [[0, 1], [1110, 1]], 200],
		['later than that: idle, a new schedule from the start', [[0, 1], [1111, 1]], 1211],
		['two units take two slots', [[0, 2]], 200],
	])('recordStart at 10/s: %s', (_, starts, next) => {
		expect(paceWith(starts, S10).next).toBe(next);
	});

	it('recordStart keeps only the starts of the last window (1000 + guard ms)', () => {
		expect(paceWith([[0, 1], [500, 1], [1009, 1]], S2).log).toEqual([[0, 1], [500, 1], [1009, 1]]);
		expect(paceWith([[0, 1], [500, 1], [1010, 1]], S2).log).toEqual([[500, 1], [1010, 1]]);
		expect(paceWith([[0, 1], [500, 1], [3000, 2]], S2).log).toEqual([[3000, 2]]);
	});

	it('after a 40 ms stall at 1000/s, the 40 held-back starts go at once, then the schedule goes on', () => {
		const state = paceWith([[0, 1]], S1000);
		let at = 0;
		let together = 0;
		for (;;) {
			at = earliestStart(state, S1000, 1, 40);
			if (at > 40) break;
			recordStart(state, S1000, 1, 40);
			together++;
		}
		expect(together).toBe(40);
		expect(at).toBe(41);
		expect(state.log).toHaveLength(41);
	});

	it.each<[string, number | undefined, number]>([
		['Retry-After 2500 ms', 2500, 2500],
		['no Retry-After: a second', undefined, 1000],
		['Retry-After 0', 0, 0],
		['a negative Retry-After: a second', -5, 1000],
		['NaN: a second', NaN, 1000],
		['Infinity: a second', Infinity, 1000],
	])('slowDown with %s pauses every start that long and halves the rate', (_, retryAfter, pauseMs) => {
		const state = paceWith([[0, 1]], S10);
		slowDown(state, S10, 100, retryAfter);
		expect(state.pausedUntil).toBe(100 + pauseMs);
		expect(state.factor).toBe(0.5);
		expect(state.changedAt).toBe(100);
		expect(state.next).toBe(Math.max(100, 100 + pauseMs));
		expect(currentRate(state, S10)).toBe(5);
		expect(earliestStart(state, S10, 1, 100)).toBe(Math.max(100, 100 + pauseMs));
	});

	it('slowDown halves once per burst: answers within a second of the first only extend the pause', () => {
		const state = newPace();
		slowDown(state, S10, 100, 2000);
		slowDown(state, S10, 600, 1000);
		expect(state).toMatchObject({ factor: 0.5, pausedUntil: 2100, changedAt: 100 });
		slowDown(state, S10, 1099, 3000);
		expect(state).toMatchObject({ factor: 0.5, pausedUntil: 4099, changedAt: 100 });
		slowDown(state, S10, 1100, 500);
		expect(state).toMatchObject({ factor: 0.25, pausedUntil: 4099, changedAt: 1100, next: 4099 });
	});

	it('slowDown never takes the rate below minFactor', () => {
		const state = newPace();
		const factors: number[] = [];
		for (let i = 0; i < 7; i++) {
			slowDown(state, S10, i * 1000, 0);
			factors.push(state.factor);
		}
		expect(factors).toEqual([0.5, 0.25, 0.125, 0.0625, 0.0625, 0.0625, 0.0625]);
	});

	it('the rate climbs back a quarter after each quiet spell of recoverAfterMs, up to the rate as set', () => {
		const state = newPace();
		slowDown(state, S10, 100, 0);
		recordStart(state, S10, 1, 5099);
		expect(state.factor).toBe(0.5);
		// The start that ends the quiet spell climbs first, and is spaced at the new rate (160 ms, not 200).
		recordStart(state, S10, 1, 5100);
		expect(state.next).toBe(5459);
		expect(state).toMatchObject({ factor: 0.625, changedAt: 5100 });
		expect(currentRate(state, S10)).toBe(6.25);
		const steps: number[] = [];
		for (let at = 10100; at <= 25100; at += 5000) {
			recordStart(state, S10, 1, at);
			steps.push(state.factor);
		}
		expect(steps).toEqual([0.78125, 0.9765625, 1, 1]);
		expect(state.changedAt).toBe(20100);
	});

	it.each<[string, number, number, number, number, number]>([
		['within the first quiet spell: nothing', 0.125, 0, 4999, 0.125, 0],
		['one spell', 0.125, 0, 5000, 0.15625, 5000],
		['two and a half spells: two steps, counted from the last whole one', 0.125, 0, 12_000, 0.1953125, 10_000],
		['back to the full rate: the change is now', 0.5, 0, 20_000, 1, 20_000],
		['idle for days: the full rate', 1 / 16, 0, 1e9, 1, 1e9],
		['at the full rate: nothing', 1, 0, 60_000, 1, 0],
	])('recover: %s', (_, factor, changedAt, now, expectedFactor, expectedChangedAt) => {
		const state: PaceState = { ...newPace(), factor, changedAt };
		recover(state, S10, now);
		expect(state.factor).toBe(expectedFactor);
		expect(state.changedAt).toBe(expectedChangedAt);
	});

	it('earliestStart counts the quiet spells up to now, without changing the state', () => {
		const halved = (): PaceState => ({ log: [[0, 1], [100, 1], [200, 1], [300, 1], [400, 1]], next: 500, pausedUntil: -Infinity, factor: 0.5, changedAt: -4500 });
		// At 5/s five starts fill the window: wait for the first to leave it (0 + 1010).
		expect(earliestStart(halved(), S10, 1, 499)).toBe(1010);
		// A quiet spell of 5 s has passed at 500: 6.25/s, a sixth start fits.
		const state = halved();
		expect(earliestStart(state, S10, 1, 500)).toBe(500);
		expect(state).toEqual(halved());
	});

	it('moveStart: a start known to have left later counts from then', () => {
		const state = paceWith([[0, 1], [50, 1]], S10);
		expect(state.next).toBe(200);
		moveStart(state, S10, 0, 380);
		expect(state.log).toEqual([[50, 1], [380, 1]]);
		expect(state.next).toBe(480);
		moveStart(state, S10, 50, 40);
		moveStart(state, S10, 999, 2000);
		expect(state.log).toEqual([[50, 1], [380, 1]]);
		expect(state.next).toBe(480);
	});

	it('moveStart: an answer after a quiet spell counts from then at the rate in force then', () => {
		// Halved at 0 (5 a second); a cold start at 4,900 answered at 5,100: the rate is back a quarter (6.25 a second) by
		// then, and the next start may come 160 ms after the answer, not the 200 ms of the halved rate.
		const state: PaceState = { log: [[4900, 1]], next: 5100, pausedUntil: 0, factor: 0.5, changedAt: 0 };
		moveStart(state, S10, 4900, 5100);
		expect(state).toEqual({ log: [[5100, 1]], next: 5260, pausedUntil: 0, factor: 0.625, changedAt: 5000 });
	});

	it.each<[string, Start[], number | undefined, number]>([
		['nothing', [], undefined, 0],
		['one start', [[0, 1]], undefined, 1],
		['999 ms apart: one second', [[0, 1], [999, 1]], undefined, 2],
		['1000 ms apart: half-open, two seconds', [[0, 1], [1000, 1]], undefined, 1],
		['units count', [[0, 4], [10, 1], [1500, 2]], undefined, 5],
		['unsorted', [[1000, 1], [0, 1], [500, 2]], undefined, 3],
		['a window of 1010 ms', [[0, 1], [1000, 1]], 1010, 2],
		['1000/3 and 1000/3 + 1000 (float): two seconds', [[1000 / 3, 1], [1000 / 3 + 1000, 1]], undefined, 1],
	])('busiestSecond: %s', (_, starts, windowMs, expected) => {
		expect(busiestSecond(starts, windowMs)).toBe(expected);
	});

	it('busiestSecond equals a brute-force count on 200 random logs', () => {
		const random = prng(7);
		for (let run = 0; run < 200; run++) {
			const starts: Start[] = [];
			for (let i = 0; i < 40; i++) starts.push([Math.floor(random() * 5000) + (random() < 0.2 ? 0.5 : 0), 1 + Math.floor(random() * 4)]);
			expect(busiestSecond(starts)).toBe(bruteBusiest(starts, 1000));
			expect(busiestSecond(starts, 1015)).toBe(bruteBusiest(starts, 1015));
		}
	});
});

/** The rate a sender of only `units`-unit messages can sustain at `rate` with the log window of 1000 + guard ms. */
function sustainedRate(rate: number, units: number, guardMs: number): number {
	const window = 1000 + guardMs;
	if (units > rate) return (units * 1000) / Math.max((units * 1000) / rate, window);
	const perWindow = Math.floor(rate / units + 1e-9);
	return (perWindow * units * 1000) / Math.max((perWindow * units * 1000) / rate, window);
}

describe('rate budget: simulated on a fake clock', () => {
	const GUARD = DEFAULT_PACE.guardMs;
	const TARGET = (rate: number) => (rate * 1000) / (1000 + GUARD);

	it('the formula of the sustained rate', () => {
		expect(TARGET(100)).toBeCloseTo(98.522, 3);
		expect(sustainedRate(100, 1, GUARD)).toBe(TARGET(100));
		expect(sustainedRate(50, 4, GUARD)).toBeCloseTo((48 * 1000) / 1015, 9);
		expect(sustainedRate(3, 2, GUARD)).toBeCloseTo(2000 / 1015, 9);
		expect(sustainedRate(1, 2, GUARD)).toBe(1);
	});

	it('the check of the simulations finds an overfull window', () => {
		expect(overfullWindows([[0, 1], [500, 1]], 1000, 1)).toEqual([{ at: 500, units: 2, starts: 2 }]);
		expect(overfullWindows([[0, 1], [1000, 1]], 1000, 1)).toEqual([]);
		expect(overfullWindows([[0, 1], [1000, 1]], 1015, 1)).toEqual([{ at: 1000, units: 2, starts: 2 }]);
		expect(overfullWindows([[7, 1], [7, 1]], 1000, 1)).toEqual([{ at: 7, units: 2, starts: 2 }, { at: 7, units: 2, starts: 2 }]);
		expect(overfullWindows([[0, 3], [2000, 4]], 1000, 1)).toEqual([]);
		expect(overfullWindows([[0, 3], [999, 1]], 1000, 3)).toEqual([{ at: 999, units: 4, starts: 2 }]);
	});

	/** One sender taking `count` messages back to back, each answered at once. */
	async function simulate(rate: number, mix: readonly number[], seed: number, stallMs: number, count: number) {
		const random = prng(seed);
		const clock = new SimClock(() => Math.floor(random() * (stallMs + 1)));
		const budget = new InProcessBudget(clock.now, clock.wait);
		const starts: Start[] = [];
		const sender = (async () => {
			for (let i = 0; i < count; i++) {
				const units = mix[Math.floor(random() * mix.length)];
				const taken = await budget.take('+15005550006', units, rate);
				starts.push([clock.t, units]);
				taken.sent();
			}
		})();
		await clock.run();
		await sender;
		const last = starts[starts.length - 1][0];
		const elapsed = last - starts[0][0];
		const units = starts.slice(0, -1).reduce((sum, [, u]) => sum + u, 0);
		return { starts, achieved: (units * 1000) / elapsed, elapsed };
	}

	const RATES = [1, 3, 50, 100, 1000];
	const MIXES: number[][] = [[1], [2], [3], [4], [1, 2, 3, 4], [1, 1, 1, 2]];
	const CASES = RATES.flatMap((rate, r) => MIXES.flatMap((mix, m) => [0, 40].map((stall) => [rate, mix, stall, 1000 + r * 100 + m * 10 + stall] as const)));

	it.each(CASES)('%s/s, units %j, stalls up to %s ms (seed %s): no second over the rate, the rate sustained', async (rate, mix, stall, seed) => {
		const count = Math.max(300, rate * 20);
		const { starts, achieved, elapsed } = await simulate(rate, mix, seed, stall, count);
		expect(starts).toHaveLength(count);
		// No window of a second (nor of 1000 + guard ms) holds more than the rate, except a single larger start alone.
		expect(overfullWindows(starts, 1000, rate)).toEqual([]);
		expect(overfullWindows(starts, 1000 + GUARD, rate)).toEqual([]);
		const biggest = Math.max(...starts.map(([, u]) => u));
		expect(busiestSecond(starts)).toBeLessThanOrEqual(Math.max(rate, biggest));
		if (biggest <= rate) expect(busiestSecond(starts)).toBeLessThanOrEqual(rate);

		// Never over the rate over the run (a whole number of seconds each at most the rate).
		expect(achieved).toBeLessThanOrEqual((rate * Math.ceil(elapsed / 1000)) / (elapsed / 1000));
		// A wait that fires up to 40 ms late can cost that much once per window: the sustained rate cannot make it up
		// without putting more than the rate in a window.
		const stallShare = (1000 + GUARD) / (1000 + GUARD + stall);
		if (mix.length === 1) {
			const expected = sustainedRate(rate, mix[0], GUARD);
			if (mix[0] === 1 || rate % mix[0] === 0) expect(expected).toBe(TARGET(rate));
			if (stall === 0) {
				expect(Math.abs(achieved - expected) / expected).toBeLessThan(0.02);
			} else {
				expect(achieved).toBeGreaterThanOrEqual(expected * stallShare);
				expect(achieved).toBeLessThanOrEqual(expected * 1.02);
			}
		} else if (biggest <= rate) {
			// A window that refuses a start of u units already holds more than rate − u: at least rate − biggest + 1.
			expect(achieved).toBeGreaterThanOrEqual(TARGET(rate - biggest + 1) * stallShare * 0.98);
			if (rate >= 100 && stall === 0) expect(Math.abs(achieved - TARGET(rate)) / TARGET(rate)).toBeLessThan(0.02);
		}
	});

	it('three 429s in one burst pause every taker for the Retry-After and halve the rate once; quiet spells bring it back', async () => {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		const starts: Array<[at: number, who: string]> = [];
		const run = (who: string, count: number) =>
			(async () => {
				for (let i = 0; i < count; i++) {
					const taken = await budget.take('+15005550006', 1, 10);
					starts.push([clock.t, who]);
					taken.sent();
				}
			})();
		const senders = Promise.all([run('A', 110), run('B', 110)]);
		clock.at(250, () => budget.slowDown('+15005550006', 2000));
		clock.at(300, () => budget.slowDown('+15005550006', 1000));
		clock.at(1200, () => budget.slowDown('+15005550006'));
		await clock.run();
		await senders;

		// Both campaigns stop at the 429 and go on at 250 + 2000, at half the rate.
		expect(starts.slice(0, 8)).toEqual([
			[0, 'A'],
			[100, 'B'],
			[200, 'A'],
			[2250, 'B'],
			[2450, 'A'],
			[2650, 'B'],
			[2850, 'A'],
			[3050, 'B'],
		]);
		// The sixth start at 5/s waits for the first to leave its window of 1015 ms.
		expect(starts[8]).toEqual([3265, 'A']);
		const at = starts.map(([t]) => t);
		const busiest = (from: number, to: number) => busiestSecond(at.filter((t) => t >= from && t < to).map((t) => [t, 1] as Start));
		// Halved once (5/s), not three times; recovery climbs a quarter every 5 s to the full 10/s.
		expect(busiest(2250, 5265)).toBe(5);
		expect(busiest(5265, 10300)).toBe(6);
		expect(busiest(10300, 15300)).toBe(7);
		expect(busiest(25000, Infinity)).toBe(10);
		expect(at[at.length - 1]).toBeGreaterThan(26000);
	});

	it('an aborted signal rejects a waiting take without taking; the next in line then goes', async () => {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		const abort = new AbortController();
		const log: string[] = [];
		const take = (who: string, signal?: AbortSignal) =>
			budget.take('+15005550006', 1, 1, signal).then(
				(taken) => {
					log.push(`${who} took at ${clock.t}`);
					taken.sent();
				},
				(error: unknown) => log.push(`${who} rejected at ${clock.t}: ${(error as Error).name}`),
			);
		const all = Promise.all([take('A'), take('B', abort.signal), take('C'), take('D')]);
		clock.at(500, () => abort.abort());
		await clock.run();
		await all;
		// Without B's abort C would start at 1015 and D at 2030 only if B took nothing: 1 a second, 1015 ms windows.
		expect(log).toEqual(['A took at 0', 'B rejected at 500: CanceledWhileWaiting', 'C took at 1015', 'D took at 2030']);
	});

	it('a signal aborted before its turn rejects at once, and the next goes when it would have', async () => {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		const log: string[] = [];
		const take = (who: string, signal?: AbortSignal) =>
			budget.take('+15005550006', 1, 1, signal).then(
				(taken) => {
					log.push(`${who} took at ${clock.t}`);
					taken.sent();
				},
				(error: unknown) => {
					expect(error).toBeInstanceOf(CanceledWhileWaiting);
					log.push(`${who} rejected at ${clock.t}`);
				},
			);
		const all = Promise.all([take('A'), take('B', AbortSignal.abort()), take('C')]);
		await clock.run();
		await all;
		expect(log).toEqual(['A took at 0', 'B rejected at 0', 'C took at 1015']);
	});

	it('two senders have independent budgets: one waiting, or paused by a 429, does not hold the other', async () => {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		const log: string[] = [];
		const take = (sender: string) =>
			budget.take(sender, 1, 1).then((taken) => {
				log.push(`${sender}@${clock.t}`);
				taken.sent();
			});
		const all = Promise.all([take('x'), take('y'), take('x'), take('y'), take('x'), take('y')]);
		clock.at(100, () => budget.slowDown('x', 3000));
		await clock.run();
		await all;
		expect(log).toEqual(['x@0', 'y@0', 'y@1015', 'y@2030', 'x@3100', 'x@5100']);
	});

	it('a slow-down of a sender nobody has used yet is nothing', async () => {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		budget.slowDown('never', 60_000);
		const startedAt = budget.take('never', 1, 1).then((taken) => {
			taken.sent();
			return clock.t;
		});
		await clock.run();
		expect(await startedAt).toBe(0);
	});

	/** A at 10/s, joined at 250 by B asking 2/s; then, at `againAt`, three more at 10/s. */
	async function lowerRate(againAt: number) {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		const starts: Array<[number, string]> = [];
		const run = (who: string, perSecond: number, count: number) =>
			(async () => {
				for (let i = 0; i < count; i++) {
					const taken = await budget.take('+15005550006', 1, perSecond);
					starts.push([clock.t, who]);
					taken.sent();
				}
			})();
		const runs: Array<Promise<void>> = [run('A', 10, 8)];
		clock.at(250, () => runs.push(run('B', 2, 4)));
		clock.at(againAt, () => runs.push(run('C', 10, 3)));
		await clock.run();
		await Promise.all(runs);
		return starts;
	}

	it('a lower rate asked by a second caller holds for both', async () => {
		const starts = await lowerRate(100_000);
		expect(starts.slice(0, 12)).toEqual([
			[0, 'A'],
			[100, 'A'],
			[200, 'A'],
			// From 250 on, 2 a second (two in any 1015 ms) for A too, though A asks for 10.
			[1115, 'A'],
			[1215, 'B'],
			[2130, 'A'],
			[2230, 'B'],
			[3145, 'A'],
			[3245, 'B'],
			[4160, 'A'],
			[4260, 'B'],
			[5175, 'A'],
		]);
		expect(busiestSecond(starts.slice(3, 12).map(([t]) => [t, 1] as Start), 1015)).toBe(2);
	});

	it.each([
		// 2000 ms after the last start (5175): still 2 a second.
		[7175, [7175, 7675, 8190]],
		// More than 2000 ms unused: the rate asked is taken again.
		[7176, [7176, 7276, 7376]],
	])('after the budget was last used at 5175, a caller at %s asking 10/s starts at %j', async (againAt, expected) => {
		const starts = await lowerRate(againAt);
		expect(starts.slice(12)).toEqual(expected.map((t) => [t, 'C']));
	});

	it('the first start after a quiet spell holds the line until its answer, and the schedule counts from the answer', async () => {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		const log: string[] = [];
		const first = budget.take('+15005550006', 1, 10).then((taken) => {
			log.push(`A took at ${clock.t}`);
			clock.at(300, () => taken.sent());
		});
		const second = budget.take('+15005550006', 1, 10).then((taken) => {
			log.push(`B took at ${clock.t}`);
			taken.sent();
		});
		await clock.run();
		await Promise.all([first, second]);
		// A's request left at 300 at the latest: B goes one interval (100 ms) after that, not at 100.
		expect(log).toEqual(['A took at 0', 'B took at 400']);
	});

	it('a first start never answered holds the line 5 s at most', async () => {
		const clock = new SimClock();
		const budget = new InProcessBudget(clock.now, clock.wait);
		const log: number[] = [];
		const first = budget.take('+15005550006', 1, 10).then(() => log.push(clock.t));
		const second = budget.take('+15005550006', 1, 10).then((taken) => {
			log.push(clock.t);
			taken.sent();
		});
		await clock.run();
		await Promise.all([first, second]);
		expect(log).toEqual([0, 5000]);
	});
});

describe('pause and CanceledWhileWaiting', () => {
	it('CanceledWhileWaiting is a SendAbandoned with its own name and sentence', () => {
		const error = new CanceledWhileWaiting();
		expect(error).toBeInstanceOf(SendAbandoned);
		expect(error.name).toBe('CanceledWhileWaiting');
		expect(error.message).toBe('The execution was canceled while waiting for its turn to send');
	});

	it('pause waits (real timers), rejects when aborted while waiting or before', async () => {
		const begun = Date.now();
		await expect(pause(20)).resolves.toBeUndefined();
		expect(Date.now() - begun).toBeGreaterThanOrEqual(15);
		const abort = new AbortController();
		const waiting = pause(60_000, abort.signal);
		setTimeout(() => abort.abort(), 5);
		await expect(waiting).rejects.toBeInstanceOf(CanceledWhileWaiting);
		await expect(pause(0, AbortSignal.abort())).rejects.toBeInstanceOf(CanceledWhileWaiting);
	});
});
