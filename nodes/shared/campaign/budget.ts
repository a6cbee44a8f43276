/**
 * A sender's rate budget: every send from one sender, in any execution of this n8n process, takes its units from
 * one budget, so two campaigns from the same long code together stay under its rate. The pacing itself is the pure
 * rule in rules/throttle.ts; this is where its state lives. Behind a small interface: in queue mode it is kept in
 * Redis (state/redisBudget.ts), shared by every worker.
 */
import { SendAbandoned } from '../delivery';
import type { Provider, SendSmsRequest } from '../providers/types';
import { ProviderError } from '../rules/errors';
import { senderOf } from '../smsRoute';
import { DEFAULT_PACE, earliestStart, moveStart, newPace, recordStart, slowDown, type PaceSettings, type PaceState } from '../rules/throttle';

/** What was taken: say when the request has been answered. */
export interface Taken {
	sent(): void;
}

export interface RateBudget {
	/**
	 * Wait until `units` may start from `sender` at `perSecond`, and take them; call `sent()` on what it gives once the
	 * request has been answered. Rejects with CanceledWhileWaiting when the signal aborts first (nothing taken then).
	 */
	take(sender: string, units: number, perSecond: number, signal?: AbortSignal): Promise<Taken>;
	/** The provider said "too many requests": every send from `sender` pauses and slows down. */
	slowDown(sender: string, retryAfterMs?: number): void;
}

export class CanceledWhileWaiting extends SendAbandoned {
	constructor() {
		super('The execution was canceled while waiting for its turn to send');
		this.name = 'CanceledWhileWaiting';
	}
}

/** How long sends wait for an unreachable shared state (Redis) before they give up. */
export const OUTAGE_MS = 30_000;

/**
 * Redis could not be reached for long enough: nothing more is sent, since nothing may be sent on a budget or a ledger
 * the other workers would not see.
 */
export class SharedStateUnavailable extends SendAbandoned {
	constructor(
		readonly detail: string,
		outageMs = OUTAGE_MS,
	) {
		super(`Redis, which holds the shared rate budget and sent-ledger, could not be reached for ${Math.round(outageMs / 1000)} s: ${detail}`);
		this.name = 'SharedStateUnavailable';
	}
}

/** When an outage began (undefined: none now), shared by the calls that wait on one Redis. */
export interface Outage {
	since?: number;
}

/**
 * What Redis holds for the shared state cannot be used (keys of the wrong type, or values this version did not write):
 * nothing more is sent, at once (waiting would not change it), with a sentence that names the keys.
 */
export class SharedStateUnusable extends SharedStateUnavailable {
	constructor(sentence: string) {
		super(sentence, 0);
		this.message = sentence;
		this.name = 'SharedStateUnusable';
	}
}

/**
 * `attempt`, tried again while it fails (Redis unreachable) for up to `outageMs`, waiting a little longer each time;
 * then SharedStateUnavailable. A cancel stops the waiting (CanceledWhileWaiting). Calls given one `outage` count from
 * its beginning: one that starts waiting late (its turn came after another's wait) does not wait the whole time again.
 */
export async function patiently<T>(
	attempt: () => Promise<T>,
	signal?: AbortSignal,
	outageMs = OUTAGE_MS,
	wait: (ms: number, signal?: AbortSignal) => Promise<void> = pause,
	outage: Outage = {},
): Promise<T> {
	let backoff = 250;
	for (;;) {
		if (signal?.aborted) throw new CanceledWhileWaiting();
		try {
			const value = await attempt();
			outage.since = undefined;
			return value;
		} catch (error) {
			if (error instanceof SendAbandoned) throw error;
			outage.since ??= Date.now();
			const left = outageMs - (Date.now() - outage.since);
			if (left <= 0) throw new SharedStateUnavailable(error instanceof Error ? error.message : String(error), outageMs);
			await wait(Math.min(backoff, left), signal);
			backoff = Math.min(backoff * 2, 2_000);
		}
	}
}

/** Wait `ms`, or less when the signal aborts (then reject). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) return Promise.reject(new CanceledWhileWaiting());
	return new Promise((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(new CanceledWhileWaiting());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, Math.max(0, ms));
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

interface Pacer {
	state: PaceState;
	settings: PaceSettings;
	/** Starts wait in line: the one ahead goes first, whatever its size. */
	line: Promise<void>;
	lastUse: number;
}

const IDLE_FORGET_MS = 10 * 60 * 1000;
/** Longest the line waits for the answer to a first start. */
const FIRST_ANSWER_WAIT_MS = 5000;

/** This process's budgets, one per sender. */
export class InProcessBudget implements RateBudget {
	private readonly pacers = new Map<string, Pacer>();

	constructor(
		private readonly now: () => number = () => performance.timeOrigin + performance.now(),
		private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = pause,
	) {}

	private pacer(sender: string, perSecond: number): Pacer {
		let pacer = this.pacers.get(sender);
		if (!pacer) {
			this.forgetIdle();
			pacer = { state: newPace(), settings: { ...DEFAULT_PACE, perSecond }, line: Promise.resolve(), lastUse: this.now() };
			this.pacers.set(sender, pacer);
		}
		// Two runs asking one sender for different rates at once: the lower one holds for both.
		if (this.now() - pacer.lastUse > 2000 || perSecond < pacer.settings.perSecond) pacer.settings = { ...pacer.settings, perSecond };
		return pacer;
	}

	private forgetIdle(): void {
		const now = this.now();
		for (const [sender, pacer] of this.pacers) if (now - pacer.lastUse > IDLE_FORGET_MS) this.pacers.delete(sender);
	}

	async take(sender: string, units: number, perSecond: number, signal?: AbortSignal): Promise<Taken> {
		const pacer = this.pacer(sender, perSecond);
		let firstSent: () => void = () => undefined;
		let coldStart = false;
		const turn = pacer.line.then(async (): Promise<Taken> => {
			for (;;) {
				if (signal?.aborted) throw new CanceledWhileWaiting();
				const now = this.now();
				const at = earliestStart(pacer.state, pacer.settings, units, now);
				if (at <= now) {
					// The first start after a quiet spell opens a connection, and may reach the provider late: the next
					// one waits for its answer, and the schedule counts from then (else those two could arrive too close).
					const cold = pacer.state.log.every((entry) => entry[0] <= now - 1000 - pacer.settings.guardMs);
					recordStart(pacer.state, pacer.settings, units, now);
					pacer.lastUse = now;
					if (!cold) return { sent: () => undefined };
					coldStart = true;
					let answered = false;
					const sent = () => {
						if (answered) return;
						answered = true;
						moveStart(pacer.state, pacer.settings, now, this.now());
						firstSent();
					};
					return { sent };
				}
				// A slow-down may move the start later while waiting: look again after the wait.
				await this.wait(at - now, signal);
			}
		});
		const answer = new Promise<void>((resolve) => (firstSent = resolve));
		// The next in line waits for this one, taken or canceled, and for the answer to a first start (at most a while).
		pacer.line = turn.then(
			async () => {
				if (!coldStart) return;
				const stop = new AbortController();
				await Promise.race([answer, this.wait(FIRST_ANSWER_WAIT_MS, stop.signal).catch(() => undefined)]);
				stop.abort();
			},
			() => undefined,
		);
		return await turn;
	}

	slowDown(sender: string, retryAfterMs?: number): void {
		const pacer = this.pacers.get(sender);
		if (pacer) slowDown(pacer.state, pacer.settings, this.now(), retryAfterMs);
	}
}

/** The budgets every execution of this process shares. */
export const processBudget: RateBudget = new InProcessBudget();

/**
 * Send within a sender's budget: take `units` before the request goes (none without a rate), say when it was answered,
 * and slow every send from the sender down when the provider says "too many requests".
 */
export async function paced<T>(
	budget: RateBudget,
	sender: string,
	units: number,
	perSecond: number | undefined,
	signal: AbortSignal | undefined,
	send: () => Promise<T>,
	isRateLimited: (error: unknown) => number | undefined | false,
): Promise<T> {
	const taken = perSecond ? await budget.take(sender, units, perSecond, signal) : undefined;
	if (!taken && signal?.aborted) throw new CanceledWhileWaiting();
	try {
		return await send();
	} catch (caught) {
		// Only a run that paces itself slows the sender down: a run with no limit neither takes from the budget nor steers it.
		const limited = isRateLimited(caught);
		if (limited !== false && perSecond) budget.slowDown(sender, limited);
		throw caught;
	} finally {
		taken?.sent();
	}
}

/** One budget per provider and sender. */
export function senderKey(provider: Provider, request: Omit<SendSmsRequest, 'to' | 'body'>): string {
	return `${provider.name}:${senderOf(request) ?? ''}`;
}

/** A provider's "too many requests", and the wait it asked for. */
export function rateLimitedFor(error: unknown): number | undefined | false {
	return error instanceof ProviderError && error.kind === 'rateLimited' ? error.retryAfterMs : false;
}

