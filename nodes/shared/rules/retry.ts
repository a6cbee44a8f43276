/**
 * When to try a request again, and how long to wait: exponential backoff with full jitter, a cap, a
 * maximum count, and a provider's Retry-After honoured when it gives one.
 */

export interface RetryPolicy {
	/** Retries after the first attempt. */
	maxRetries: number;
	/** First backoff ceiling, in milliseconds. */
	baseDelayMs: number;
	/** Largest backoff ceiling, in milliseconds. */
	maxDelayMs: number;
	/** Longest Retry-After we wait for; past it we give up on this provider. */
	maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 3,
	baseDelayMs: 500,
	maxDelayMs: 10_000,
	maxRetryAfterMs: 60_000,
};

/** Full jitter: a uniformly random wait between 0 and min(cap, base·2^attempt). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
	return Math.floor(random() * ceiling);
}

/**
 * The wait before retry number `attempt` (1 for the first retry), or null to stop.
 * With a Retry-After the wait is at least that long; one longer than `maxRetryAfterMs` stops.
 */
export function nextRetryDelay(
	attempt: number,
	policy: RetryPolicy,
	retryAfterMs?: number,
	random: () => number = Math.random,
): number | null {
	if (attempt > policy.maxRetries) return null;
	const jitter = backoffDelay(attempt, policy, random);
	if (retryAfterMs === undefined) return jitter;
	if (retryAfterMs > policy.maxRetryAfterMs) return null;
	return Math.max(retryAfterMs, jitter);
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return Math.round(text * 1000);
	if (typeof text !== 'string' || text.trim() === '') return undefined;
	const trimmed = text.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** How long one request may take, from connecting to the last byte of the answer, unless the node says otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;
