/**
 * The node's own limit on starts: at most N codes to one number in any window of M minutes, whichever engine sends
 * them, so that a sign-up form cannot be turned into a machine that texts (and bills) one number without end.
 */
import { createHash } from 'node:crypto';
import type { SharedState, WindowCount } from '../state/types';

export interface StartLimit {
	/** Codes per number per window; 0 turns the limit off. */
	perNumber: number;
	windowMinutes: number;
}

export const DEFAULT_START_LIMIT: StartLimit = { perNumber: 5, windowMinutes: 60 };

/** The state's key for a number: a digest, so no phone number is written into Redis or the workflow. */
export function startKey(to: string): string {
	return `start:${createHash('sha256').update(`n8n-messaging-gateway start\n${to}`).digest('base64url').slice(0, 32)}`;
}

/** Count one start for `to`, or say when the next is allowed. */
export async function takeStart(state: SharedState, to: string, limit: StartLimit, now: Date): Promise<WindowCount> {
	if (limit.perNumber <= 0) return { allowed: true, count: 0, retryAfterMs: 0 };
	return await state.take(startKey(to), limit.perNumber, limit.windowMinutes * 60_000, now.getTime());
}

/** "in 12 minutes", "in 40 seconds": when a refused start may be tried again. */
export function retryAfterText(ms: number): string {
	const seconds = Math.max(1, Math.ceil(ms / 1000));
	if (seconds < 90) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
	const minutes = Math.ceil(seconds / 60);
	return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}
