/**
 * Shared state for one workflow when no Redis credential is set: this n8n process's own copy per workflow, kept in
 * the workflow's static data so that it outlives a restart.
 *
 * Why a copy in the process: n8n loads a workflow's static data when an execution starts and saves it, whole, when a
 * production execution ends (last writer wins; nothing for manual runs). Counting in that per-execution blob alone
 * let two executions at once each miss the other's counts, and let an execution that started before a code was used
 * save its older blob after, erasing the "used" mark. So every execution of the workflow in this process reads and
 * writes one object (JavaScript runs one operation at a time: each is atomic here), and puts that same object in its
 * static data, so whichever execution saves last saves everything known. An execution merges what its static data
 * holds (saved by this process before a restart, or by another worker) into the copy when it starts.
 *
 * What it does not give: a count shared between n8n processes (queue-mode workers, a second main) at the moment it
 * happens. That is what the Redis store is for. Every entry carries its own expiry and is dropped once past it.
 */
import type { IDataObject } from 'n8n-workflow';
import type { SharedState, VerificationState, WindowCount } from './types';

/** Where in the workflow's static data this package keeps its entries. */
export const STATIC_DATA_KEY = 'messagingGatewayState';
/**
 * The most entries of a kind (numbers counted, verifications checked, verifications closed): a flood of numbers cannot
 * grow the workflow without end. Entries past their time go first; a live one is never dropped (a dropped "used"
 * mark would let a code approve twice), so a store full of live entries refuses more, and the node says to use Redis.
 */
export const MAX_ENTRIES = 20_000;
export const FULL =
	"This workflow's data already holds 20,000 live entries of limits (numbers sent a code, verifications checked or closed): keep the limits in Redis for this volume (Keep Limits In → Redis). Nothing was sent";
/**
 * How long past its window a time is kept. Executions' clocks differ a little: one whose clock runs behind must
 * still see what another let through (the Redis store keeps them as long, for the same reason).
 */
const CLOCK_TOLERANCE_MS = 60_000;

interface Blob {
	/** Times let through, per key. */
	windows: Record<string, number[]>;
	/** [checks so far, keep until]. */
	attempts: Record<string, [number, number]>;
	/** [state, keep until]. */
	closed: Record<string, [Exclude<VerificationState, 'open'>, number]>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/** The package's entries in the static data, made whole if something else wrote there. */
function blobOf(staticData: IDataObject): Blob {
	let blob = staticData[STATIC_DATA_KEY] as unknown;
	if (!isRecord(blob)) staticData[STATIC_DATA_KEY] = (blob = {}) as IDataObject;
	const b = blob as Record<string, unknown>;
	for (const part of ['windows', 'attempts', 'closed']) if (!isRecord(b[part])) b[part] = {};
	return staticData[STATIC_DATA_KEY] as unknown as Blob;
}

/** The number of keys of each record, kept beside it (every handle on a shared copy sees the same count). */
const sizes = new WeakMap<object, number>();
const sizeOf = (record: object) => sizes.get(record) ?? sizes.set(record, Object.keys(record).length).get(record)!;

/** Keeps a record under MAX_ENTRIES: when full, what is past its time goes; when still full, nothing more is let in. */
class Bounded<T> {
	constructor(private readonly record: () => Record<string, T>) {}
	/** Before a new key: room is made by dropping stale entries, or the store refuses. */
	makeRoom(stale: (entry: T) => boolean): void {
		const record = this.record();
		if (sizeOf(record) < MAX_ENTRIES) return;
		for (const [key, entry] of Object.entries(record)) if (stale(entry)) delete record[key];
		sizes.set(record, Object.keys(record).length);
		if (sizeOf(record) >= MAX_ENTRIES) throw new Error(FULL);
	}
	added(): void {
		const record = this.record();
		sizes.set(record, sizeOf(record) + 1);
	}
	removed(): void {
		const record = this.record();
		sizes.set(record, sizeOf(record) - 1);
	}
}

/** This process's copy of each workflow's state, by workflow ID. */
const processCopies = new Map<string, Blob>();

/** Forget every workflow's copy in this process, as a restart does (the tests' way to see what static data keeps). */
export function forgetProcessCopies(): void {
	processCopies.clear();
}

/** `from` merged into `into`: every time let through, the highest count of checks, every close. */
function merge(into: Blob, from: Blob): void {
	for (const [key, times] of Object.entries(from.windows)) {
		if (!Array.isArray(times)) continue;
		const mine = Array.isArray(into.windows[key]) ? into.windows[key] : (into.windows[key] = []);
		// As many of each time as either side holds (two places can be taken in the same millisecond).
		const left = new Map<number, number>();
		for (const at of mine) left.set(at, (left.get(at) ?? 0) + 1);
		for (const at of times) {
			if (typeof at !== 'number') continue;
			const n = left.get(at) ?? 0;
			if (n > 0) left.set(at, n - 1);
			else mine.push(at);
		}
	}
	for (const [id, entry] of Object.entries(from.attempts)) {
		if (!Array.isArray(entry)) continue;
		const mine = into.attempts[id];
		into.attempts[id] = mine ? [Math.max(mine[0], entry[0]), Math.max(mine[1], entry[1])] : [entry[0], entry[1]];
	}
	for (const [id, entry] of Object.entries(from.closed)) if (Array.isArray(entry) && !into.closed[id]) into.closed[id] = [entry[0], entry[1]];
}

/**
 * The state an execution works on: without a workflow ID, its static data as it is; with one, this process's copy for
 * that workflow, with what the static data holds merged in, and put into the static data so that it is saved.
 */
function attach(staticData: IDataObject, workflowId: string | undefined): void {
	const held = blobOf(staticData);
	if (workflowId === undefined) return;
	let copy = processCopies.get(workflowId);
	if (!copy) {
		copy = { windows: {}, attempts: {}, closed: {} };
		processCopies.set(workflowId, copy);
	}
	if (held !== copy) merge(copy, held);
	staticData[STATIC_DATA_KEY] = copy as unknown as IDataObject;
}

/**
 * The workflow's state for one execution: `staticData` is its `getWorkflowStaticData('global')`, `workflowId` names
 * the workflow whose executions in this process share one copy (without it, the static data alone), `now` is the
 * clock for expiries. Made once per execution: what expired is dropped then, not on every call.
 */
export function workflowState(staticData: IDataObject, now: () => number = Date.now, workflowId?: string): SharedState {
	attach(staticData, workflowId);
	const b = blobOf(staticData);
	const t = now();
	for (const [id, entry] of Object.entries(b.attempts)) if (!Array.isArray(entry) || !(entry[1] > t)) delete b.attempts[id];
	for (const [id, entry] of Object.entries(b.closed)) if (!Array.isArray(entry) || !(entry[1] > t)) delete b.closed[id];
	for (const [key, times] of Object.entries(b.windows)) {
		// A key with no time in the last week (the longest period offered) has nothing left to count.
		if (!Array.isArray(times) || !times.some((at) => typeof at === 'number' && at > t - 7 * 24 * 3_600_000 - CLOCK_TOLERANCE_MS)) delete b.windows[key];
	}
	const bounded = {
		windows: new Bounded(() => blobOf(staticData).windows),
		attempts: new Bounded(() => blobOf(staticData).attempts),
		closed: new Bounded(() => blobOf(staticData).closed),
	};
	const live = <T>(entry: [T, number] | undefined): entry is [T, number] => Array.isArray(entry) && entry[1] > now();
	return {
		kind: 'workflow',
		async take(key, limit, windowMs, nowMs): Promise<WindowCount> {
			const windows = blobOf(staticData).windows;
			const known = Array.isArray(windows[key]) ? windows[key] : undefined;
			const kept = (known ?? []).filter((at) => typeof at === 'number' && at > nowMs - windowMs - CLOCK_TOLERANCE_MS);
			// Counted: what was let through after the window's start, later times included (a clock running ahead).
			const inWindow = kept.filter((at) => at > nowMs - windowMs);
			if (inWindow.length >= limit) {
				windows[key] = kept;
				return { allowed: false, count: inWindow.length, retryAfterMs: Math.max(1, Math.min(...inWindow) + windowMs - nowMs) };
			}
			if (!known) bounded.windows.makeRoom((times) => !Array.isArray(times) || !times.some((at) => at > nowMs - windowMs - CLOCK_TOLERANCE_MS));
			kept.push(nowMs);
			windows[key] = kept;
			if (!known) bounded.windows.added();
			return { allowed: true, count: inWindow.length + 1, retryAfterMs: 0, ticket: String(nowMs) };
		},
		async release(key, ticket) {
			const times = blobOf(staticData).windows[key];
			const at = Array.isArray(times) ? times.indexOf(Number(ticket)) : -1;
			if (at >= 0) times.splice(at, 1);
		},
		async attempt(id, expiresAtMs) {
			const attempts = blobOf(staticData).attempts;
			const entry = live(attempts[id]) ? attempts[id] : undefined;
			if (!entry && attempts[id]) {
				delete attempts[id];
				bounded.attempts.removed();
			}
			if (!entry) bounded.attempts.makeRoom((e) => !live(e));
			const count = (entry?.[0] ?? 0) + 1;
			attempts[id] = [count, Math.max(expiresAtMs, entry?.[1] ?? 0, now() + 1000)];
			if (!entry) bounded.attempts.added();
			return count;
		},
		async close(id, as, expiresAtMs) {
			const closed = blobOf(staticData).closed;
			const entry = closed[id];
			if (live(entry)) return entry[0];
			if (entry) {
				delete closed[id];
				bounded.closed.removed();
			}
			bounded.closed.makeRoom((e) => !live(e));
			closed[id] = [as, Math.max(expiresAtMs, now() + 1000)];
			bounded.closed.added();
			return 'open';
		},
		async state(id) {
			const entry = blobOf(staticData).closed[id];
			return live(entry) ? entry[0] : 'open';
		},
	};
}
