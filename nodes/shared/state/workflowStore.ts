/**
 * Shared state in the workflow's static data: for one workflow on one n8n process, when no Redis credential is set.
 * n8n loads it when an execution starts and saves it, whole, when a production execution ends (last writer wins);
 * it saves nothing for manual runs. So limits hold across executions that follow one another, and within one
 * execution however many items it has, but two executions running at the same moment can each miss the other's
 * counts. Every entry carries its own expiry and is dropped once past it, so the blob stays small.
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

/** Keeps a record under MAX_ENTRIES: when full, what is past its time goes; when still full, nothing more is let in. */
class Bounded<T> {
	private size: number;
	constructor(private readonly record: () => Record<string, T>) {
		this.size = Object.keys(record()).length;
	}
	/** Before a new key: room is made by dropping stale entries, or the store refuses. */
	makeRoom(stale: (entry: T) => boolean): void {
		if (this.size < MAX_ENTRIES) return;
		const record = this.record();
		for (const [key, entry] of Object.entries(record)) if (stale(entry)) delete record[key];
		this.size = Object.keys(record).length;
		if (this.size >= MAX_ENTRIES) throw new Error(FULL);
	}
	added(): void {
		this.size++;
	}
	removed(): void {
		this.size--;
	}
}

/**
 * The workflow's static data (`getWorkflowStaticData('global')`) as shared state; `now` is the clock for expiries.
 * Made once per execution: what expired is dropped then, not on every call.
 */
export function workflowState(staticData: IDataObject, now: () => number = Date.now): SharedState {
	const b = blobOf(staticData);
	const t = now();
	for (const [id, entry] of Object.entries(b.attempts)) if (!Array.isArray(entry) || !(entry[1] > t)) delete b.attempts[id];
	for (const [id, entry] of Object.entries(b.closed)) if (!Array.isArray(entry) || !(entry[1] > t)) delete b.closed[id];
	for (const [key, times] of Object.entries(b.windows)) {
		// A key with no time in the last week (the longest period offered) has nothing left to count.
		if (!Array.isArray(times) || !times.some((at) => typeof at === 'number' && at > t - 7 * 24 * 3_600_000 - CLOCK_TOLERANCE_MS)) delete b.windows[key];
	}
	const sizes = {
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
			if (!known) sizes.windows.makeRoom((times) => !Array.isArray(times) || !times.some((at) => at > nowMs - windowMs - CLOCK_TOLERANCE_MS));
			kept.push(nowMs);
			windows[key] = kept;
			if (!known) sizes.windows.added();
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
				sizes.attempts.removed();
			}
			if (!entry) sizes.attempts.makeRoom((e) => !live(e));
			const count = (entry?.[0] ?? 0) + 1;
			attempts[id] = [count, Math.max(expiresAtMs, entry?.[1] ?? 0, now() + 1000)];
			if (!entry) sizes.attempts.added();
			return count;
		},
		async close(id, as, expiresAtMs) {
			const closed = blobOf(staticData).closed;
			const entry = closed[id];
			if (live(entry)) return entry[0];
			if (entry) {
				delete closed[id];
				sizes.closed.removed();
			}
			sizes.closed.makeRoom((e) => !live(e));
			closed[id] = [as, Math.max(expiresAtMs, now() + 1000)];
			sizes.closed.added();
			return 'open';
		},
		async state(id) {
			const entry = blobOf(staticData).closed[id];
			return live(entry) ? entry[0] : 'open';
		},
	};
}
