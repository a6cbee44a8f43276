/**
 * What every SharedState (nodes/shared/state/types.ts) must do, as Jest tests to run against each store:
 * `describe('…', () => sharedStateContract(() => store))`. Every call of `make` must return a handle on the same
 * state (two handles stand for two executions, or two workers); each test uses keys of its own, so the state may be
 * shared by the whole file. It runs on the real clock: the expiry tests wait about 1.5 s.
 */
import { randomUUID } from 'node:crypto';
import type { SharedState, WindowCount } from '../../nodes/shared/state/types';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fresh = (name: string) => `${name}-${randomUUID()}`;

/** Shuffled in place, from a seed, so a failure can be run again as it was. */
function shuffle<T>(items: T[], seed: number): T[] {
	let s = seed >>> 0;
	for (let i = items.length - 1; i > 0; i--) {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		const j = s % (i + 1);
		[items[i], items[j]] = [items[j], items[i]];
	}
	return items;
}

/** The most let through in any window of `windowMs` (a window ends at each time let through: that is where it peaks). */
export function mostInAnyWindow(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let end = 0, start = 0; end < sorted.length; end++) {
		while (sorted[start] <= sorted[end] - windowMs) start++;
		most = Math.max(most, end - start + 1);
	}
	return most;
}

/** What a take answered, without its ticket (a ticket is the store's own: only its presence is checked). */
const counted = ({ ticket, ...rest }: WindowCount): WindowCount => {
	expect(rest.allowed ? typeof ticket : ticket).toBe(rest.allowed ? 'string' : undefined);
	return rest;
};

export function sharedStateContract(make: () => SharedState): void {
	describe('take: a sliding window', () => {
		const WINDOW = 60_000;
		// One key, limit 3, a 60 s window; times in ms after t0. A refusal is not counted; a time leaves the window
		// exactly `WINDOW` after it was let through.
		it.each<[string, Array<[number, WindowCount]>]>([
			[
				'lets `limit` through, refuses the next until the oldest leaves the window',
				[
					[0, { allowed: true, count: 1, retryAfterMs: 0 }],
					[1_000, { allowed: true, count: 2, retryAfterMs: 0 }],
					[2_000, { allowed: true, count: 3, retryAfterMs: 0 }],
					[3_000, { allowed: false, count: 3, retryAfterMs: 57_000 }],
					[59_999, { allowed: false, count: 3, retryAfterMs: 1 }],
					// The first (t0) left at t0 + 60 s: one place, taken; then full again until t0 + 61 s.
					[60_000, { allowed: true, count: 3, retryAfterMs: 0 }],
					[60_500, { allowed: false, count: 3, retryAfterMs: 500 }],
					[61_000, { allowed: true, count: 3, retryAfterMs: 0 }],
				],
			],
			[
				'a caller who keeps trying is not locked out for longer',
				[
					[0, { allowed: true, count: 1, retryAfterMs: 0 }],
					[0, { allowed: true, count: 2, retryAfterMs: 0 }],
					[0, { allowed: true, count: 3, retryAfterMs: 0 }],
					...Array.from({ length: 20 }, (_, i): [number, WindowCount] => [(i + 1) * 2_000, { allowed: false, count: 3, retryAfterMs: WINDOW - (i + 1) * 2_000 }]),
					[WINDOW, { allowed: true, count: 1, retryAfterMs: 0 }],
				],
			],
			[
				'the window slides: an empty window starts from nothing',
				[
					[0, { allowed: true, count: 1, retryAfterMs: 0 }],
					[30_000, { allowed: true, count: 2, retryAfterMs: 0 }],
					[90_000, { allowed: true, count: 1, retryAfterMs: 0 }],
					[200_000, { allowed: true, count: 1, retryAfterMs: 0 }],
					[200_001, { allowed: true, count: 2, retryAfterMs: 0 }],
					[200_002, { allowed: true, count: 3, retryAfterMs: 0 }],
					[259_999, { allowed: false, count: 3, retryAfterMs: 1 }],
				],
			],
		])('%s', async (_, steps) => {
			const state = make();
			const key = fresh('window');
			const t0 = Date.now();
			for (const [at, expected] of steps) expect([at, counted(await state.take(key, 3, WINDOW, t0 + at))]).toEqual([at, expected]);
		});

		it('keeps keys apart, and a limit of 1 works', async () => {
			const state = make();
			const [a, b] = [fresh('a'), fresh('b')];
			const t0 = Date.now();
			expect(counted(await state.take(a, 1, 10_000, t0))).toEqual({ allowed: true, count: 1, retryAfterMs: 0 });
			expect(counted(await state.take(a, 1, 10_000, t0 + 1))).toEqual({ allowed: false, count: 1, retryAfterMs: 9_999 });
			expect(counted(await state.take(b, 1, 10_000, t0 + 1))).toEqual({ allowed: true, count: 1, retryAfterMs: 0 });
		});

		it('200 callers at once through two handles: exactly `limit` let through, counts 1..limit, the rest refused', async () => {
			const [one, two] = [make(), make()];
			const key = fresh('burst');
			const t0 = Date.now();
			const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).take(key, 7, 30_000, t0)));
			const allowed = results.filter((r) => r.allowed);
			expect(allowed.map((r) => r.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7]);
			expect(allowed.every((r) => r.retryAfterMs === 0)).toBe(true);
			expect(results.filter((r) => !r.allowed)).toEqual(Array.from({ length: 193 }, () => ({ allowed: false, count: 7, retryAfterMs: 30_000 })));
		});

		it.each([1, 2, 3])('200 callers at once whose clocks disagree (arrival order %i): never more than `limit` in any window', async (seed) => {
			const [one, two] = [make(), make()];
			const key = fresh('skew');
			const t0 = Date.now();
			const WINDOW_MS = 500;
			// Times spread over 3 s, arriving in shuffled order: a caller whose clock runs behind arrives after one ahead.
			const times = shuffle(
				Array.from({ length: 200 }, (_, i) => t0 + i * 15),
				seed,
			);
			const results = await Promise.all(times.map((at, i) => (i % 2 ? one : two).take(key, 5, WINDOW_MS, at)));
			const through = times.filter((_, i) => results[i].allowed);
			expect(mostInAnyWindow(through, WINDOW_MS)).toBeLessThanOrEqual(5);
			expect(through.length).toBeGreaterThanOrEqual(5);
			for (const r of results) expect(r.allowed ? r.retryAfterMs === 0 && r.count >= 1 && r.count <= 5 : r.retryAfterMs > 0 && r.count >= 5).toBe(true);
		});
	});

	describe('release: gives back a place take let through', () => {
		it('frees the place for the next caller, once per ticket; a ticket of another key or a made-up one changes nothing', async () => {
			const [one, two] = [make(), make()];
			const [key, other] = [fresh('release'), fresh('release')];
			const t0 = Date.now();
			const a = await one.take(key, 2, 60_000, t0);
			const b = await two.take(key, 2, 60_000, t0 + 1);
			await one.take(other, 2, 60_000, t0);
			expect([a.allowed, b.allowed, typeof a.ticket, typeof b.ticket]).toEqual([true, true, 'string', 'string']);
			expect((await one.take(key, 2, 60_000, t0 + 2)).allowed).toBe(false);
			await one.release(other, String(b.ticket));
			await one.release(key, 'made-up');
			expect((await two.take(key, 2, 60_000, t0 + 3)).allowed).toBe(false);
			await two.release(key, String(b.ticket));
			await one.release(key, String(b.ticket));
			expect(await one.take(key, 2, 60_000, t0 + 4)).toMatchObject({ allowed: true, count: 2, retryAfterMs: 0 });
			expect((await two.take(key, 2, 60_000, t0 + 5)).allowed).toBe(false);
		});

		it('a refused take has no ticket', async () => {
			const state = make();
			const key = fresh('release');
			const t0 = Date.now();
			await state.take(key, 1, 60_000, t0);
			expect((await state.take(key, 1, 60_000, t0 + 1)).ticket).toBeUndefined();
		});
	});

	describe('attempt: counts checks of a verification', () => {
		it('counts 1, 2, 3 for one id, apart from other ids, across handles', async () => {
			const [one, two] = [make(), make()];
			const [a, b] = [fresh('attempts'), fresh('attempts')];
			const until = Date.now() + 60_000;
			expect([await one.attempt(a, until), await two.attempt(a, until), await one.attempt(b, until), await two.attempt(a, until)]).toEqual([1, 2, 1, 3]);
		});

		it('100 checks at once through two handles are counted 1..100, each number once', async () => {
			const [one, two] = [make(), make()];
			const id = fresh('attempts');
			const until = Date.now() + 60_000;
			const counts = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).attempt(id, until)));
			expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
		});

		it('forgets the count once the verification has expired', async () => {
			const state = make();
			const id = fresh('attempts');
			const until = Date.now() + 1_200;
			expect([await state.attempt(id, until), await state.attempt(id, until)]).toEqual([1, 2]);
			await sleep(until + 300 - Date.now());
			expect(await state.attempt(id, Date.now() + 60_000)).toBe(1);
		});

		it('an expiry already past does not throw', async () => {
			const state = make();
			await expect(state.attempt(fresh('attempts'), Date.now() - 5_000)).resolves.toBeGreaterThanOrEqual(1);
			await expect(state.attempt(fresh('attempts'), 0)).resolves.toBeGreaterThanOrEqual(1);
		});
	});

	describe('close and state: once only', () => {
		it.each([['used'], ['canceled']] as const)('closing as %s: open before, that state after; a second close changes nothing', async (as) => {
			const [one, two] = [make(), make()];
			const id = fresh('closed');
			const until = Date.now() + 60_000;
			const other = as === 'used' ? 'canceled' : 'used';
			expect(await one.state(id)).toBe('open');
			expect(await one.close(id, as, until)).toBe('open');
			expect(await two.state(id)).toBe(as);
			expect(await two.close(id, other, until)).toBe(as);
			expect(await one.state(id)).toBe(as);
		});

		it('100 closes at once through two handles: exactly one finds it open, every other one finds the winner', async () => {
			const [one, two] = [make(), make()];
			const id = fresh('closed');
			const until = Date.now() + 60_000;
			const asked = Array.from({ length: 100 }, (_, i) => (i % 3 ? 'used' : 'canceled') as 'used' | 'canceled');
			const before = await Promise.all(asked.map((as, i) => (i % 2 ? one : two).close(id, as, until)));
			const winner = before.indexOf('open');
			expect(winner).toBeGreaterThanOrEqual(0);
			expect(before.filter((s) => s === 'open')).toHaveLength(1);
			expect(before.filter((s) => s !== 'open')).toEqual(Array.from({ length: 99 }, () => asked[winner]));
			expect(await one.state(id)).toBe(asked[winner]);
		});

		it('forgets the state once the verification has expired', async () => {
			const state = make();
			const id = fresh('closed');
			const until = Date.now() + 1_200;
			expect(await state.close(id, 'used', until)).toBe('open');
			expect(await state.state(id)).toBe('used');
			await sleep(until + 300 - Date.now());
			expect(await state.state(id)).toBe('open');
		});

		it('an expiry already past neither throws nor lets a second close find it open', async () => {
			const state = make();
			const id = fresh('closed');
			expect(await state.close(id, 'canceled', Date.now() - 5_000)).toBe('open');
			expect(await state.close(id, 'used', Date.now() - 5_000)).toBe('canceled');
			expect(await state.state(id)).toBe('canceled');
		});

		it('an id never seen is open', async () => {
			expect(await make().state(fresh('never'))).toBe('open');
		});
	});
}
