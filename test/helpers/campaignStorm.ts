/**
 * The fault storm of test/engine/hostile.campaign*.test.ts: faults of each kind for a recipient (or a Sinch batch),
 * and a model of the rules that says what each send must come to (design.md: retry 429/5xx up to maxRetries, then
 * fall back; never retry or fall back after an ambiguous failure or a certain refusal).
 */
import type { IDataObject } from 'n8n-workflow';
import type { FaultInput, Sandbox } from '../../sandbox/server';
import { ACCEPTED, summaryOf, storedIds, type campaignNode, type RequestTally } from './campaign';
import type { Engine, RunResult } from './engine';
import type { Rng } from './hostile';

export const MAX_RETRIES = 3;
/** A hang costs one timeout; a timeout near the event loop's stalls on this busy machine would turn answered requests into "unknown". */
export const TIMEOUT_MS = 2500;
/** A batch of 1,000 takes the sandbox about 150 ms to store (more on a busy machine). */
export const BATCH_TIMEOUT_MS = 5000;
export const CONCURRENCY = 16;
export const STORM_OPTIONS: IDataObject = { maxRetries: MAX_RETRIES, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2000, timeoutMs: TIMEOUT_MS, concurrency: CONCURRENCY };

export type ProviderName = 'twilio' | 'sinch' | 'sns';
/** What was planned for a recipient (or a batch). */
export type Kind = 'clean' | 'recover' | 'exhaust' | 'reset' | 'hang' | 'refused' | 'latency';

/** A distinct, valid French mobile: +33 6 v nnnnnnn. */
export const phone = (variant: number, i: number) => `+336${variant}${String(i).padStart(7, '0')}`;

export function retryable(r: Rng, provider: ProviderName, to: string): FaultInput {
	if (r.chance(0.45)) return { provider, to, type: 'status', status: 429, retryAfter: r.chance(0.03) ? 1 : 0 };
	return { provider, to, type: 'status', status: r.pick([500, 502, 503, 504]) };
}
export const many = (r: Rng, n: number, provider: ProviderName, to: string) => Array.from({ length: n }, () => retryable(r, provider, to));

/** Faults of one kind for the requests naming `to` (each applies once, in this order). */
export function faultsOf(r: Rng, kind: Kind, provider: ProviderName, to: string): FaultInput[] {
	switch (kind) {
		case 'clean':
			return [];
		case 'recover':
			return many(r, r.int(1, MAX_RETRIES), provider, to);
		case 'exhaust':
			return many(r, r.int(MAX_RETRIES + 1, MAX_RETRIES + 2), provider, to);
		case 'reset':
			return [...many(r, r.int(0, 1), provider, to), { provider, to, type: 'reset' }];
		case 'hang':
			return [...many(r, r.int(0, 1), provider, to), { provider, to, type: 'hang' }];
		case 'refused':
			return [...many(r, r.int(0, 1), provider, to), { provider, to, type: 'status', status: 400 }];
		case 'latency':
			// Sandbox time (scaled by 0.02): 100 to 600 ms.
			return [{ provider, to, type: 'delay', delayMs: r.int(5_000, 30_000) }];
	}
}

/** The per-recipient storm: about 60 % clean. */
export function recipientKind(r: Rng): Kind {
	const u = r();
	if (u < 0.62) return 'clean';
	if (u < 0.72) return 'recover';
	if (u < 0.75) return 'exhaust';
	if (u < 0.81) return 'reset';
	if (u < 0.814) return 'hang';
	if (u < 0.854) return 'refused';
	if (u < 0.904) return 'latency';
	return 'clean';
}

// ---- The model: what the rules say each send must come to. ----

export interface Outcome {
	status: 'sent' | 'failed' | 'unknown';
	provider?: ProviderName;
	attempts: number;
	/** Messages this send left at the sandbox (per recipient). */
	stored: 0 | 1;
	/** Whether it ended on a provider after the first (the item's fallbackUsed). */
	fallback: boolean;
	/** Failed because every provider's retries were spent (a provider-side failure: a Sinch batch then goes to the fallback). */
	spent?: boolean;
}

export class Model {
	private readonly queues = new Map<string, FaultInput[]>();
	/** Requests the model made. */
	requests = 0;

	constructor(faults: Iterable<FaultInput>) {
		for (const f of faults) {
			const key = f.to as string;
			this.queues.set(key, [...(this.queues.get(key) ?? []), f]);
		}
	}

	/** One send over `route` of the request whose faults are keyed by `key` (a recipient, or a batch's first). */
	send(key: string, route: ProviderName[]): Outcome {
		const queue = this.queues.get(key) ?? [];
		let attempts = 0;
		for (const [index, provider] of route.entries()) {
			const fallback = index > 0;
			for (let tries = 1; ; tries++) {
				attempts++;
				this.requests++;
				const at = queue.findIndex((f) => f.provider === provider);
				const fault = at >= 0 ? queue.splice(at, 1)[0] : undefined;
				if (!fault || fault.type === 'delay') return { status: 'sent', provider, attempts, stored: 1, fallback };
				if (fault.type === 'hang') return { status: 'unknown', attempts, stored: 1, fallback };
				if (fault.type === 'reset') return { status: 'unknown', attempts, stored: 0, fallback };
				const status = fault.status ?? 503;
				// A certain refusal: no retry, no fallback.
				if (status !== 429 && status < 500) return { status: 'failed', attempts, stored: 0, fallback };
				if (tries > MAX_RETRIES) break;
			}
		}
		return { status: 'failed', attempts, stored: 0, fallback: route.length > 1, spent: true };
	}
}

export const category = (status: unknown): Outcome['status'] | 'other' => (ACCEPTED.has(String(status)) ? 'sent' : status === 'failed' ? 'failed' : status === 'unknown' ? 'unknown' : 'other');

/** The item against the model: status, provider, attempts. */
export function offModel(item: IDataObject, want: Outcome): string | undefined {
	const got = { status: category(item.status), provider: category(item.status) === 'sent' ? item.provider : undefined, attempts: item.attempts, fallbackUsed: item.fallbackUsed };
	const expected = { status: want.status, provider: want.provider, attempts: want.attempts, fallbackUsed: want.fallback };
	return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `got ${JSON.stringify(got)}${item.reasonText ? ` (${String(item.reasonText).slice(0, 120)})` : ''}, the rules say ${JSON.stringify(expected)}`;
}

export interface Timed {
	result: RunResult;
	seconds: number;
	stallMs: number;
	requestsFrom: number;
	before: Set<string>;
}

/** The longest the event loop stood still, measured by a 5 ms ticker from before `run` to a tick after it. */
export async function longestStall<T>(run: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
	let last = Date.now();
	let longest = 0;
	const tick = setInterval(() => {
		const now = Date.now();
		longest = Math.max(longest, now - last);
		last = now;
	}, 5);
	try {
		// (A ticker started just before a stall that begins at once would see nothing of it.)
		await new Promise((resolve) => setTimeout(resolve, 20));
		const value = await run();
		await new Promise((resolve) => setTimeout(resolve, 20));
		return { value, stallMs: longest };
	} finally {
		clearInterval(tick);
	}
}

export async function timedRun(engine: Engine, sandbox: Sandbox, tally: RequestTally, items: IDataObject[], node: ReturnType<typeof campaignNode>, workflowId: string): Promise<Timed> {
	const before = storedIds(sandbox);
	const requestsFrom = tally.all.length;
	let seconds = 0;
	const { value: result, stallMs } = await longestStall(async () => {
		const started = Date.now();
		const run = await engine.run(items, [node], { workflowId });
		seconds = (Date.now() - started) / 1000;
		return run;
	});
	return { result, seconds, stallMs, requestsFrom, before };
}

export function faultsHit(sandbox: Sandbox, tos: ReadonlySet<string>): Record<string, number> {
	const hits: Record<string, number> = {};
	for (const f of sandbox.faults) {
		if (!f.to || !tos.has(f.to) || f.hits === 0) continue;
		const key = f.type === 'status' ? `${f.status}${f.status === 429 ? `(RA ${f.retryAfter ?? 0})` : ''}` : f.type;
		hits[key] = (hits[key] ?? 0) + f.hits;
	}
	return Object.fromEntries(Object.entries(hits).sort(([a], [b]) => a.localeCompare(b)));
}

export function figures(sandbox: Sandbox, tally: RequestTally, title: string, run: Timed, tos: ReadonlySet<string>, extra: IDataObject = {}): string {
	const summary = summaryOf(run.result) ?? {};
	const sends = tally.sends(run.requestsFrom);
	return `${title}: ${run.seconds.toFixed(1)} s; ${sends.length} send requests (summary says ${String(summary.requests)}); statuses ${JSON.stringify(summary.statuses)}; reasons ${JSON.stringify(summary.reasons)}; faults hit ${JSON.stringify(faultsHit(sandbox, tos))}; longest event-loop stall ${run.stallMs} ms; ${JSON.stringify(extra)}`;
}

export function countOf(values: readonly string[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const v of values) out[v] = (out[v] ?? 0) + 1;
	return out;
}
