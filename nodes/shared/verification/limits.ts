/**
 * The node's own limit on starts: at most N codes to one number in any window of M minutes, whichever engine sends
 * them, so that a sign-up form cannot be turned into a machine that texts (and bills) one number without end.
 */
import { createHash } from 'node:crypto';
import { DeliveryFailure } from '../delivery';
import type { VerificationResult } from '../providers/verifyTypes';
import { ProviderError } from '../rules/errors';
import type { SharedState, WindowCount } from '../state/types';

export interface StartLimit {
	/** Codes per number per window; 0 turns the limit off. */
	perNumber: number;
	windowMinutes: number;
}

export const DEFAULT_START_LIMIT: StartLimit = { perNumber: 5, windowMinutes: 60 };

/**
 * The state's key for a number and a period: a SHA-256 digest, so the number is not written in clear into Redis or
 * the workflow (a digest of a phone number can be reversed by trying every number: the store must stay private).
 * The period is part of it: two nodes with different periods (5 an hour, 10 a day) count apart, and the shorter one
 * cannot trim the longer one's history.
 */
export function startKey(to: string, windowMinutes: number): string {
	return `start:${windowMinutes}:${createHash('sha256').update(`n8n-messaging-gateway start\n${to}`).digest('base64url').slice(0, 32)}`;
}

/** Count one start for `to`, or say when the next is allowed. */
export async function takeStart(state: SharedState, to: string, limit: StartLimit, now: Date): Promise<WindowCount> {
	if (limit.perNumber <= 0) return { allowed: true, count: 0, retryAfterMs: 0 };
	return await state.take(startKey(to, limit.windowMinutes), limit.perNumber, limit.windowMinutes * 60_000, now.getTime());
}

/**
 * Run `send` within the limit: counted before it starts (so that starts at once cannot all pass), given back when
 * nothing went out — the provider refused it, or answered with no code sent — and kept when a code may have gone.
 */
export async function withinStartLimit<T>(
	state: SharedState,
	to: string,
	limit: StartLimit,
	now: Date,
	refused: (count: WindowCount) => T,
	/** Given the place it took: its count is the codes sent in the window, this one included. */
	send: (place: WindowCount) => Promise<T>,
	sent: (result: T) => boolean,
): Promise<T> {
	const place = await takeStart(state, to, limit, now);
	if (!place.allowed) return refused(place);
	// Best effort: a store that fails here must not hide the provider's answer; counting one start too many is the safe side.
	const giveBack = async () => {
		if (place.ticket !== undefined) await state.release(startKey(to, limit.windowMinutes), place.ticket).catch(() => undefined);
	};
	let result: T;
	try {
		result = await send(place);
	} catch (error) {
		if (nothingSent(error)) await giveBack();
		throw error;
	}
	if (!sent(result)) await giveBack();
	return result;
}

/** Whether a failed send is known to have sent nothing: a refusal or an error before the request left, not a timeout after. */
function nothingSent(error: unknown): boolean {
	const cause = error instanceof DeliveryFailure ? error.error : error;
	return cause instanceof ProviderError && !cause.ambiguous;
}

/** A start the limit refused: nothing was sent, and when the next one may go. */
export function limitedStart(to: string, channel: string, limit: StartLimit, place: WindowCount): VerificationResult {
	return {
		verificationId: null,
		to,
		channel,
		status: 'max_attempts_reached',
		valid: false,
		attempts: place.count,
		expiresAt: null,
		reason: `${place.count} codes were already sent to this number in the last ${limit.windowMinutes} minutes (the limit is ${limit.perNumber}): nothing was sent. The next one can be sent ${retryAfterText(place.retryAfterMs)}`,
		raw: {},
	};
}

/** "in 12 minutes", "in 40 seconds": when a refused start may be tried again. */
export function retryAfterText(ms: number): string {
	const seconds = Math.max(1, Math.ceil(ms / 1000));
	if (seconds < 90) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
	const minutes = Math.ceil(seconds / 60);
	return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}
