/**
 * Built-in one-time codes: a code drawn with a CSPRNG, and a verification token that lets a later Check confirm the
 * code without storing it anywhere. The token is `<payload>.<mac>`, both base64url: the payload holds an ID, the
 * expiry, a salt and a keyed hash of the code bound to the recipient; the MAC is an HMAC-SHA256 over the payload.
 * Both keys are derived from the secret the user keeps in a credential (stretched with scrypt), so a token reveals
 * nothing: not the code (guessing it needs the secret, not just a million tries), not the number. Attempt limits and single use need
 * state shared between executions, which the node keeps; this module is pure.
 */
import { createHmac, hkdfSync, randomBytes, randomInt, scryptSync } from 'node:crypto';
import { safeEqual } from '../signatures/compare';

export const CODE_ALPHABETS = {
	/** 0–9: what people expect in a text and what phones offer to fill in. */
	digits: '0123456789',
	/** Upper-case letters and digits without the ones read alike (0/O, 1/I/L). */
	letters: '23456789ABCDEFGHJKMNPQRSTUVWXYZ',
} as const;

export type CodeAlphabet = keyof typeof CODE_ALPHABETS;

export const MIN_CODE_LENGTH = 4;
export const MAX_CODE_LENGTH = 12;

/** A code of `length` characters, each drawn uniformly (no modulo bias) from the alphabet by the system CSPRNG. */
export function generateCode(length: number, alphabet: CodeAlphabet = 'digits'): string {
	if (!Number.isInteger(length) || length < MIN_CODE_LENGTH || length > MAX_CODE_LENGTH) {
		throw new RangeError(`A code has ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH} characters, not ${length}`);
	}
	const chars = CODE_ALPHABETS[alphabet];
	let code = '';
	for (let i = 0; i < length; i++) code += chars[randomInt(chars.length)];
	return code;
}

/** What a person types back, read the way it was sent: spaces and dashes dropped, letters upper-cased. */
export function normalizeCode(typed: string): string {
	return typed.replace(/[\s-]+/g, '').toUpperCase();
}

/** The shortest secret accepted: 32 characters, for 128 bits or more of an ordinary random string. */
export const MIN_SECRET_LENGTH = 32;

/** Whether a secret will do: long enough, and not a few characters repeated (the credential's Test button). */
export function judgeSecret(secret: unknown): { status: 'OK' | 'Error'; message: string } {
	if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
		return { status: 'Error', message: `The secret has ${typeof secret === 'string' ? secret.length : 0} characters: it needs at least ${MIN_SECRET_LENGTH} random ones` };
	}
	if (new Set(secret).size < 8) return { status: 'Error', message: 'The secret repeats a few characters: use a random one, for example from a password manager' };
	return { status: 'OK', message: `The secret has ${secret.length} characters` };
}

const VERSION = 1;
const ID_BYTES = 12;
const SALT_BYTES = 16;

interface TokenPayload {
	v: number;
	/** The verification ID: random, what attempts and single use are counted by. */
	id: string;
	/** Expiry, in Unix seconds. */
	exp: number;
	salt: string;
	/** HMAC of the code, bound to the salt, the ID and the recipient. */
	h: string;
}

/** The longest a code may stay valid: a day. */
export const MAX_TTL_SECONDS = 24 * 3600;

const E164 = /^\+[1-9]\d{6,14}$/;

// The secret is stretched with scrypt before the two keys are drawn from it: someone holding a leaked token and
// testing guesses of a secret a person chose pays about 0.1 s and 32 MiB a guess. Kept per secret, for the process.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const derived = new Map<string, { mac: Buffer; code: Buffer }>();

function keys(secret: string): { mac: Buffer; code: Buffer } {
	if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
		throw new RangeError(`The verification secret must have at least ${MIN_SECRET_LENGTH} characters`);
	}
	const known = derived.get(secret);
	if (known) return known;
	const master = scryptSync(secret, 'n8n-messaging-gateway otp', 32, SCRYPT);
	const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
	const pair = { mac: derive('n8n-messaging-gateway otp token'), code: derive('n8n-messaging-gateway otp code') };
	if (derived.size >= 16) derived.delete(derived.keys().next().value as string);
	derived.set(secret, pair);
	return pair;
}

function recipient(to: string): string {
	if (typeof to !== 'string' || !E164.test(to)) throw new RangeError(`A code is bound to a number in E.164 (+ and 7 to 15 digits), not ${JSON.stringify(to)}`);
	return to;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function codeHash(key: Buffer, salt: string, id: string, to: string, code: string): string {
	return createHmac('sha256', key).update(`${salt}\n${id}\n${to}\n${normalizeCode(code)}`).digest('base64url');
}

export interface IssuedToken {
	token: string;
	verificationId: string;
	expiresAt: Date;
}

/** A token for `code` sent to `to` (E.164, as the node cleaned it), valid for `ttlSeconds` (at most a day) from `now`. */
export function issueToken(input: { secret: string; code: string; to: string; ttlSeconds: number; now: Date }): IssuedToken {
	const { mac, code: codeKey } = keys(input.secret);
	if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < 1 || input.ttlSeconds > MAX_TTL_SECONDS) {
		throw new RangeError(`A code is valid for a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, not ${input.ttlSeconds}`);
	}
	const id = randomBytes(ID_BYTES).toString('base64url');
	const salt = randomBytes(SALT_BYTES).toString('base64url');
	const exp = Math.floor(input.now.getTime() / 1000) + input.ttlSeconds;
	const payload: TokenPayload = { v: VERSION, id, exp, salt, h: codeHash(codeKey, salt, id, recipient(input.to), input.code) };
	const body = b64url(JSON.stringify(payload));
	const signature = createHmac('sha256', mac).update(body).digest('base64url');
	return { token: `${body}.${signature}`, verificationId: id, expiresAt: new Date(exp * 1000) };
}

export type TokenCheck =
	/** The code is right, for this recipient, in time. */
	| { status: 'approved'; verificationId: string; expiresAt: Date }
	/** The token is genuine but the code (or the recipient) is not the one it was issued for. */
	| { status: 'denied'; verificationId: string; expiresAt: Date }
	/** The token is genuine and past its expiry: no code is compared. */
	| { status: 'expired'; verificationId: string; expiresAt: Date }
	/** Not a token this secret issued (changed, cut, made up, or made with another secret). */
	| { status: 'invalid'; reason: string };

/** Reads a token without trusting it: its ID and expiry, or undefined when it is not one this secret signed. */
export function readToken(secret: string, token: string): { verificationId: string; expiresAt: Date } | undefined {
	const payload = verifiedPayload(keys(secret).mac, token);
	return payload ? { verificationId: payload.id, expiresAt: new Date(payload.exp * 1000) } : undefined;
}

function verifiedPayload(mac: Buffer, token: string): TokenPayload | undefined {
	if (typeof token !== 'string' || token.length > 1024) return undefined;
	const parts = token.trim().split('.');
	if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return undefined;
	const expected = createHmac('sha256', mac).update(parts[0]).digest('base64url');
	if (!safeEqual(expected, parts[1])) return undefined;
	let payload: unknown;
	try {
		payload = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf-8'));
	} catch {
		return undefined;
	}
	const p = payload as Partial<TokenPayload> | null;
	if (!p || p.v !== VERSION || typeof p.id !== 'string' || typeof p.salt !== 'string' || typeof p.h !== 'string' || !Number.isSafeInteger(p.exp)) return undefined;
	return p as TokenPayload;
}

/**
 * Whether `code` is the one the token was issued for, sent to `to`. The MAC is checked first (a changed token is
 * invalid whatever the code), then the expiry, then the code's hash, compared in constant time.
 */
export function checkToken(input: { secret: string; token: string; code: string; to: string; now: Date }): TokenCheck {
	const { mac, code: codeKey } = keys(input.secret);
	const payload = verifiedPayload(mac, input.token);
	if (!payload) return { status: 'invalid', reason: 'The verification token was not issued with this secret, or was changed or cut' };
	const expiresAt = new Date(payload.exp * 1000);
	if (input.now.getTime() >= expiresAt.getTime()) return { status: 'expired', verificationId: payload.id, expiresAt };
	const right = safeEqual(codeHash(codeKey, payload.salt, payload.id, recipient(input.to), input.code), payload.h);
	return { status: right ? 'approved' : 'denied', verificationId: payload.id, expiresAt };
}

/** Where the code goes in a message template, and the minutes it stays valid. */
export const CODE_PLACEHOLDER = '{code}';
export const MINUTES_PLACEHOLDER = '{minutes}';

/**
 * The text that carries a code: the template with `{code}` (required, once or more) and `{minutes}` filled in.
 * Returns undefined when the template has no `{code}`: a message without its code must never be sent.
 */
export function renderCodeMessage(template: string, code: string, minutes: number): string | undefined {
	if (!template.includes(CODE_PLACEHOLDER)) return undefined;
	return template.split(CODE_PLACEHOLDER).join(code).split(MINUTES_PLACEHOLDER).join(String(minutes));
}
