/**
 * Pacing sends to a sender's rate: no window of one second ever holds more than the rate's units (messages or
 * segments) started.
 *
 * Starts are spaced evenly (1000 / rate ms per unit) on a schedule that does not slip when a timer fires a little
 * late, and a log of the starts of the last window keeps any catch-up after a stall within the rate. The window the
 * log checks is a little longer than a second (`guardMs`), so that a request that leaves a few milliseconds late
 * cannot make two windows' worth arrive within one second at the provider; the sustained rate is then
 * rate × 1000 / (1000 + guardMs), 1.5 % under it with the default guard.
 *
 * A provider's "too many requests" pauses every start on the budget (for its Retry-After, or a second) and halves
 * the rate; after a quiet spell without one the rate climbs back a quarter at a time. Pure: the caller gives the time.
 */

export interface PaceSettings {
	/** Units (messages or segments) per second. */
	perSecond: number;
	/** Extra length of the checked window, in milliseconds. */
	guardMs: number;
	/** Lowest share of the rate a run of "too many requests" can bring it down to. */
	minFactor: number;
	/** Time without a slow-down after which the rate climbs back one step. */
	recoverAfterMs: number;
}

export const DEFAULT_PACE: Omit<PaceSettings, 'perSecond'> = { guardMs: 15, minFactor: 1 / 16, recoverAfterMs: 5000 };

export interface PaceState {
	/** Start time and units of each start in the last window, oldest first. */
	log: Array<[at: number, units: number]>;
	/** When the even schedule lets the next start go. */
	next: number;
	/** No start before this (a provider's Retry-After). */
	pausedUntil: number;
	/** The share of the rate in force (1 = the rate as set). */
	factor: number;
	/** When the rate last changed because of the provider (down) or a quiet spell (up). */
	changedAt: number;
}

export function newPace(): PaceState {
	return { log: [], next: -Infinity, pausedUntil: -Infinity, factor: 1, changedAt: -Infinity };
}

const WINDOW_MS = 1000;

/** The rate in force, in units per second. */
export function currentRate(state: PaceState, settings: PaceSettings): number {
	return settings.perSecond * state.factor;
}

/**
 * The earliest time at or after `now` when `units` may start. A start larger than the whole rate (a 3-part message
 * at 1 part a second) goes alone, when the window is empty. Does not change the state.
 */
export function earliestStart(state: PaceState, settings: PaceSettings, units: number, now: number): number {
	// The rate as it will be once the quiet spells since the last change are counted.
	const probe = { ...state };
	recover(probe, settings, now);
	const rate = currentRate(probe, settings);
	const window = WINDOW_MS + settings.guardMs;
	const cap = Math.max(rate, units);
	let at = Math.max(now, state.next, state.pausedUntil);
	for (;;) {
		let inWindow = 0;
		let first = -1;
		for (let i = 0; i < state.log.length; i++) {
			// Added, not subtracted: `at` below is `start + window`, and (x + w) - w can come out below x (1000 / 3).
			if (state.log[i][0] + window > at) {
				if (first < 0) first = i;
				inWindow += state.log[i][1];
			}
		}
		if (inWindow + units <= cap + 1e-9 || first < 0) return at;
		// Wait until the oldest start in the window leaves it, then look again.
		at = state.log[first][0] + window;
	}
}

/** Record `units` started at `at` (what `earliestStart` gave, or later). */
export function recordStart(state: PaceState, settings: PaceSettings, units: number, at: number): void {
	recover(state, settings, at);
	const rate = currentRate(state, settings);
	const interval = (units * 1000) / rate;
	const window = WINDOW_MS + settings.guardMs;
	// On schedule or a little late (up to a window; the log keeps the catch-up within the rate): keep the schedule (no
	// drift), also when a timer late by more than one short interval. Idle for longer: start a new schedule from now.
	state.next = at <= state.next + Math.max(interval, window) ? state.next + interval : at + interval;
	state.log.push([at, units]);
	let drop = 0;
	while (drop < state.log.length && state.log[drop][0] + window <= at) drop++;
	if (drop) state.log.splice(0, drop);
}

/** A quarter back for each quiet spell (`recoverAfterMs` without a slow-down) since the rate last changed. */
export function recover(state: PaceState, settings: PaceSettings, now: number): void {
	if (state.factor >= 1 || now - state.changedAt < settings.recoverAfterMs) return;
	const steps = Math.floor((now - state.changedAt) / settings.recoverAfterMs);
	state.factor = Math.min(1, state.factor * 1.25 ** Math.min(steps, 64));
	state.changedAt = state.factor >= 1 ? now : state.changedAt + steps * settings.recoverAfterMs;
}

/**
 * A start recorded at `from` is known to have left no earlier than `to` (the answer to the first request of a run
 * came then: its connection was being opened): the log and the schedule count it from `to`.
 */
export function moveStart(state: PaceState, settings: PaceSettings, from: number, to: number): void {
	const entry = state.log.find((e) => e[0] === from);
	if (!entry || to <= from) return;
	// The quiet spells up to the answer count first, as in every other step (and in the Redis budget's script).
	recover(state, settings, to);
	entry[0] = to;
	state.log.sort((a, b) => a[0] - b[0]);
	state.next = Math.max(state.next, to + (entry[1] * 1000) / currentRate(state, settings));
}

/**
 * The provider said "too many requests": pause every start for `retryAfterMs` (a second when it gave none) and
 * halve the rate, once per burst (the answers of requests already in flight when it happened do not halve it again).
 */
export function slowDown(state: PaceState, settings: PaceSettings, now: number, retryAfterMs?: number): void {
	// The quiet spells before this one count first: a sender idle for an hour is back at its rate, then halved.
	recover(state, settings, now);
	const pause = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : 1000;
	state.pausedUntil = Math.max(state.pausedUntil, now + pause);
	if (now - state.changedAt >= WINDOW_MS) {
		state.factor = Math.max(settings.minFactor, state.factor / 2);
		state.changedAt = now;
		// The even schedule restarts at the slower pace once the pause is over.
		state.next = Math.max(state.next, state.pausedUntil);
	}
}

/** The most units any window of one second (half-open) holds among `times` (sorted or not), with their units. */
export function busiestSecond(starts: ReadonlyArray<readonly [at: number, units: number]>, windowMs = WINDOW_MS): number {
	const sorted = [...starts].sort((a, b) => a[0] - b[0]);
	let best = 0;
	let sum = 0;
	let tail = 0;
	for (let head = 0; head < sorted.length; head++) {
		sum += sorted[head][1];
		while (sorted[tail][0] + windowMs <= sorted[head][0]) sum -= sorted[tail++][1];
		best = Math.max(best, sum);
	}
	return best;
}
