/**
 * State a node shares between executions: how many times a number was sent a code lately, how many checks a
 * verification has had, whether it was used or canceled. Two homes behind one interface: the package's Redis
 * credential (shared by every execution, worker and main process, each operation atomic) or the workflow's static
 * data (one workflow, one n8n process; saved when a production execution ends, last writer wins, not saved for
 * manual runs). Keys are opaque to the store: the caller hashes anything personal (a phone number) before it
 * becomes a key.
 */
export type VerificationState = 'open' | 'used' | 'canceled';

export interface WindowCount {
	/** Whether this one was let through (and counted). */
	allowed: boolean;
	/** How many were let through in the window, this one included when allowed. */
	count: number;
	/** When refused: milliseconds until the oldest one in the window leaves it and one more is let through. 0 when allowed. */
	retryAfterMs: number;
	/** When allowed: what `release` gives back, if the thing counted did not happen after all. */
	ticket?: string;
}

export interface SharedState {
	/** What the node's output and hint say the guarantees are. */
	readonly kind: 'redis' | 'workflow';
	/**
	 * A sliding window: let one more through for `key` when fewer than `limit` were let through in the `windowMs`
	 * before `nowMs`, and count it; a refused one is not counted (a caller who keeps trying is not locked out for
	 * longer). Atomic in Redis: no two callers can both take the last place.
	 */
	take(key: string, limit: number, windowMs: number, nowMs: number): Promise<WindowCount>;
	/**
	 * Give back a place `take` let through, by its ticket, when what it counted did not happen (the provider refused
	 * the code and nothing was sent). Giving back a ticket twice, or one already out of the window, changes nothing.
	 */
	release(key: string, ticket: string): Promise<void>;
	/** Count one check of verification `id`, kept until `expiresAtMs`; the number of checks so far, this one included. */
	attempt(id: string, expiresAtMs: number): Promise<number>;
	/**
	 * Close verification `id` as used (its code was right) or canceled, kept until `expiresAtMs`. Once only: the
	 * state it had before this call, so `'open'` means this call closed it and any other answer means it already was.
	 */
	close(id: string, as: Exclude<VerificationState, 'open'>, expiresAtMs: number): Promise<VerificationState>;
	state(id: string): Promise<VerificationState>;
}
