/**
 * Built-in one-time codes, for any SMS route: the code is drawn here, sent as a plain SMS, and checked against the
 * token the start returned (rules/otp.ts). What a token cannot hold itself — how many checks it had, whether its code
 * was already used, whether it was canceled — lives in the shared state (state/types.ts): Redis, or the workflow's
 * static data. Every answer is a VerificationResult, and none ever holds the code.
 */
import type { IDataObject } from 'n8n-workflow';
import type { VerificationResult, VerificationStatus } from '../providers/verifyTypes';
import type { Delivered } from '../delivery';
import type { ProviderMessage, SmsSender } from '../providers/types';
import { senderOf } from '../smsRoute';
import { checkToken, generateCode, issueToken, MAX_CODE_LENGTH, MIN_CODE_LENGTH, normalizeCode, readToken, renderCodeMessage, type CodeAlphabet } from '../rules/otp';
import type { SharedState } from '../state/types';

export const BUILTIN_PROVIDER = 'builtin';
export const DEFAULT_MAX_ATTEMPTS = 5;

const INVALID = 'This is not a verification token the Send Code operation issued with this credential\'s secret (changed, cut, or made with another secret)';
const USED = 'This code was already used: a code works once. Start a new verification';
const CANCELED = 'The verification was canceled. Start a new one';
const EXPIRED = 'The code has expired. Start a new verification';
const CODE = new RegExp(`^[0-9A-Z]{${MIN_CODE_LENGTH},${MAX_CODE_LENGTH}}$`);
const NOT_A_CODE = `A code has ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH} letters or digits`;
const TOO_MANY = (max: number) => `Too many wrong codes (${max}): the verification is closed. Start a new one`;

function result(status: VerificationStatus, fields: { verificationId: string | null; to: string | null; attempts?: number | null; expiresAt?: Date | null; reason?: string | null; raw?: IDataObject }): VerificationResult {
	return {
		verificationId: fields.verificationId,
		to: fields.to,
		channel: 'sms',
		status,
		valid: status === 'approved',
		attempts: fields.attempts ?? null,
		expiresAt: fields.expiresAt ? fields.expiresAt.toISOString() : null,
		reason: fields.reason ?? null,
		raw: fields.raw ?? {},
	};
}

/** What a built-in start sends with: the route's delivery of a text (kept out of every answer with `secrets`). */
export type SendText = (body: string, secrets: string[]) => Promise<Delivered<ProviderMessage> & { used: { name: string }; request: SmsSender }>;

/**
 * Start: draw the code, sign its token, put the code in the text and send it. The result holds the token as its
 * verificationId and what was sent (message ID, provider), never the text or the code.
 */
export async function startBuiltin(
	input: { secret: string; to: string; template: string; length: number; alphabet: CodeAlphabet; minutes: number; now: Date; attempts: number },
	send: SendText,
): Promise<VerificationResult> {
	const code = generateCode(input.length, input.alphabet);
	const issued = issueToken({ secret: input.secret, code, to: input.to, ttlSeconds: input.minutes * 60, now: input.now });
	const body = renderCodeMessage(input.template, code, input.minutes);
	if (body === undefined) throw new RangeError('The message template has no {code}');
	const delivered = await send(body, [body, code]);
	const m = delivered.value;
	const from = m.from ?? senderOf(delivered.request);
	return result('pending', {
		verificationId: issued.token,
		to: input.to,
		attempts: input.attempts || null,
		expiresAt: issued.expiresAt,
		raw: { messageId: m.messageId, smsProvider: delivered.used.name, smsStatus: m.status, from, fallbackUsed: delivered.fallbackUsed, sendAttempts: delivered.attempts },
	});
}

export interface BuiltinCheck {
	secret: string;
	token: string;
	code: string;
	/** E.164: the number the code was sent to; a code sent to another number is denied. */
	to: string;
	maxAttempts: number;
	state: SharedState;
	now: Date;
}

/**
 * Check a code. In this order, so that nothing about the code leaks before the limits are applied: the token's
 * signature, its expiry, whether it was used or canceled, the attempt count (a check past the limit compares
 * nothing), then the code itself in constant time. A right code closes the verification once: of two checks racing
 * with the right code, one is approved and the other finds it used.
 */
export async function checkBuiltin(input: BuiltinCheck): Promise<VerificationResult> {
	const known = readToken(input.secret, input.token);
	if (!known) return result('failed', { verificationId: null, to: input.to, reason: INVALID });
	const { verificationId: id, expiresAt } = known;
	const base = { verificationId: input.token.trim(), to: input.to, expiresAt };
	const keepUntil = expiresAt.getTime();
	if (input.now.getTime() >= keepUntil) return result('expired', { ...base, reason: EXPIRED });
	const closed = await input.state.state(id);
	if (closed === 'used') return result('expired', { ...base, reason: USED });
	if (closed === 'canceled') return result('canceled', { ...base, reason: CANCELED });
	// Something that cannot be a code (empty, too short, other characters) is denied without using up a check.
	if (!CODE.test(normalizeCode(input.code))) return result('denied', { ...base, reason: NOT_A_CODE });
	const attempts = await input.state.attempt(id, keepUntil);
	if (attempts > input.maxAttempts) return result('max_attempts_reached', { ...base, attempts, reason: TOO_MANY(input.maxAttempts) });
	const verdict = checkToken({ secret: input.secret, token: input.token, code: input.code, to: input.to, now: input.now });
	if (verdict.status === 'invalid') return result('failed', { ...base, attempts, reason: INVALID });
	if (verdict.status === 'expired') return result('expired', { ...base, attempts, reason: EXPIRED });
	if (verdict.status === 'denied') {
		const left = input.maxAttempts - attempts;
		return result('denied', { ...base, attempts, reason: `The code is not the one sent${left > 0 ? ` (${left} attempt${left === 1 ? '' : 's'} left)` : ': no attempts left'}` });
	}
	const before = await input.state.close(id, 'used', keepUntil);
	if (before === 'used') return result('expired', { ...base, attempts, reason: USED });
	if (before === 'canceled') return result('canceled', { ...base, attempts, reason: CANCELED });
	return result('approved', { ...base, attempts });
}

/** Cancel: the token's code no longer works, whatever is typed. */
export async function cancelBuiltin(input: { secret: string; token: string; state: SharedState; now: Date }): Promise<VerificationResult> {
	const known = readToken(input.secret, input.token);
	if (!known) return result('failed', { verificationId: null, to: null, reason: INVALID });
	const base = { verificationId: input.token.trim(), to: null, expiresAt: known.expiresAt };
	if (input.now.getTime() >= known.expiresAt.getTime()) return result('expired', { ...base, reason: EXPIRED });
	const before = await input.state.close(known.verificationId, 'canceled', known.expiresAt.getTime());
	if (before === 'used') return result('expired', { ...base, reason: USED });
	return result('canceled', base);
}

/** Where a verification stands, without using up a check: pending, approved (its code was used), canceled or expired. */
export async function statusBuiltin(input: { secret: string; token: string; state: SharedState; now: Date }): Promise<VerificationResult> {
	const known = readToken(input.secret, input.token);
	if (!known) return result('failed', { verificationId: null, to: null, reason: INVALID });
	const base = { verificationId: input.token.trim(), to: null, expiresAt: known.expiresAt };
	const closed = await input.state.state(known.verificationId);
	if (closed === 'used') return result('approved', base);
	if (closed === 'canceled') return result('canceled', { ...base, reason: CANCELED });
	if (input.now.getTime() >= known.expiresAt.getTime()) return result('expired', { ...base, reason: EXPIRED });
	return result('pending', base);
}
