/**
 * Sinch Verification v1 on the wire (verification.api.sinch.com/verification/v1/verifications): start a verification
 * by SMS, flash call or voice callout, report a code, read where a verification stands. The requests are JSON sent
 * through ctx.http; the Sinch credential signs each one with the Verification application key and secret (an
 * application signed request), so the body goes as the exact text it signs.
 *
 * What a workflow branches on comes back as a status: a wrong code (FAIL "Invalid code") is `denied`; a verification
 * Sinch closed after too many wrong codes `max_attempts_reached`; an expired one (FAIL "Expired"), or one Sinch does
 * not know (404), `expired`. Sinch Verification has no call that cancels a verification (@sinch/verification 1.x has
 * none): `cancel` is absent, and a verification simply expires.
 *
 * A report must name the method the verification was started with, and a check knows only the code and the ID or
 * the number. So a check first reads the verification (which also answers a finished one without using up a report),
 * then reports. Sinch answers every wrong code FAIL "Invalid code", whether tries remain or not; after a wrong code the
 * verification is read once more: still PENDING is `denied`, closed is `max_attempts_reached`.
 */
import type { IDataObject } from 'n8n-workflow';
import { classifyProviderError, clip, ProviderError } from '../../rules/errors';
import { parseRetryAfter } from '../../rules/retry';
import type { ProviderContext, ProviderHttpResponse } from '../types';
import type { VerificationResult, VerificationStatus, VerifyCapability } from '../verifyTypes';
import { asJson, headerValue } from '../wire';
import { SINCH, SINCH_VERIFY_CODES, sinchHosts } from './index';

const PATH = '/verification/v1/verifications';
/** How long Sinch keeps an SMS or callout verification open; a flash call says its own (reportTimeout). */
const LIFETIME_MS = 10 * 60 * 1000;
const JSON_TYPE = 'application/json; charset=UTF-8';
const E164 = /^\+[1-9]\d{6,14}$/;
/** A code as Sinch sends them: 4 to 10 letters or digits. */
const CODE = /^[0-9A-Za-z]{4,10}$/;
/** A flash call is checked with the caller ID it came from: a phone number. */
const CLI = /^\+?[1-9]\d{5,14}$/;
const VERIFICATION_ID = /^[0-9A-Za-z-]{1,64}$/;
const CHANNELS = ['sms', 'flashcall', 'callout'] as const;
/** Answer fields that can give a code away: a flash call's caller ID is the code, and its filter shows part of it. */
const REVEALING = new Set(['code', 'cli', 'clifilter']);

const NO_APP =
	'Sinch Verification needs the Verification Application Key and Secret: fill them in the Sinch credential (Sinch dashboard → Verification → Apps). Nothing was sent';
const GONE = 'Sinch has no verification for it: it was never started, or Sinch no longer keeps it. Start a new one';
const DONE = 'This verification was already approved: a code is checked once. Start a new one to check again';
const WRONG = 'The code is not the one sent';
const WRONG_CLI = 'The number given is not the one the flash call came from';
const CLOSED = 'Too many wrong codes: Sinch closed the verification. Start a new one';
const EXPIRED = 'The verification expired before the right code came. Start a new one';
const BAD_CODE = 'A code has 4 to 10 letters or digits';
const BAD_CLI = 'A flash call is checked with the number it came from (its caller ID), such as +46101234567';

type Known = { to?: string; verificationId?: string; channel?: string };
type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);
const ok = (response: ProviderHttpResponse) => response.statusCode >= 200 && response.statusCode < 300;

/** The verification URL, once the credential is known to sign: nothing is sent without the application key and secret. */
function baseUrl(ctx: ProviderContext): string {
	const key = String(ctx.credentials.verificationAppKey ?? '').trim();
	const secret = String(ctx.credentials.verificationAppSecret ?? '').trim();
	if (!key || !secret) throw new ProviderError({ provider: SINCH, kind: 'config', message: NO_APP });
	return `${sinchHosts(ctx.credentials).verification}${PATH}`;
}

function channelOf(channel: string): (typeof CHANNELS)[number] {
	const found = CHANNELS.find((c) => c === channel);
	if (!found) throw new ProviderError({ provider: SINCH, kind: 'request', message: `Sinch Verification has no channel "${clip(channel)}": use sms, flashcall or callout` });
	return found;
}

function numberOf(to: string): string {
	if (!E164.test(to)) throw new ProviderError({ provider: SINCH, kind: 'request', message: `"${clip(to)}" is not a number in E.164 format (+ and the country code), which Sinch Verification needs` });
	return to;
}

function idOf(id: string): string {
	if (!VERIFICATION_ID.test(id)) throw new ProviderError({ provider: SINCH, kind: 'request', message: `"${clip(id)}" is not a Sinch verification ID (letters, digits and dashes, as a start returned it)` });
	return id;
}

/** Sinch's answer without what could give a code away. */
function withoutCode(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutCode);
	if (!isObject(value)) return value;
	return Object.fromEntries(Object.entries(value).filter(([key]) => !REVEALING.has(key.toLowerCase())).map(([key, inner]) => [key, withoutCode(inner)]));
}

const raw = (body: Body | undefined): IDataObject => (withoutCode(body ?? {}) as IDataObject);

/** A text with the code taken out, for what Sinch's own words could echo of it. */
function scrub(text: string, code: string | undefined): string {
	return code ? text.split(code).join('…') : text;
}

/** Sinch Verification's error answer: {errorCode, message, reference}. */
export function readSinchVerifyError(body: Body | undefined): { code?: string; message?: string } {
	if (!body || !(typeof body.errorCode === 'number' || typeof body.errorCode === 'string') || typeof body.message !== 'string') return {};
	return { code: String(body.errorCode), message: body.message };
}

/** `lookUp`: a read, which an unreadable 2xx cannot have done anything by (it is safe to send again). */
function failure(response: ProviderHttpResponse, body: Body | undefined, code?: string, lookUp = false): ProviderError {
	const error = readSinchVerifyError(body);
	return classifyProviderError(SINCH, SINCH_VERIFY_CODES, {
		httpStatus: response.statusCode,
		// A 401 with no Sinch answer (a proxy's) is still the credential's application key or secret.
		code: error.code ?? (response.statusCode === 401 ? '40100' : undefined),
		providerMessage: error.message === undefined ? undefined : scrub(error.message, code),
		retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
		kind: ok(response) ? (lookUp ? 'unavailable' : 'ambiguous') : undefined,
	});
}

const get = (ctx: ProviderContext, url: string) => ctx.http({ method: 'GET', url, headers: { Accept: 'application/json' } });

function send(ctx: ProviderContext, method: 'POST' | 'PUT', url: string, payload: IDataObject, headers: Record<string, string> = {}) {
	return ctx.http({ method, url, headers: { 'Content-Type': JSON_TYPE, Accept: 'application/json', ...headers }, body: JSON.stringify(payload) });
}

/** Sinch's status and reason in our model; `reported` is the answer to a report (a wrong code), not a look-up. */
function statusOf(sinchStatus: string, sinchReason: string, reported: boolean): { status: VerificationStatus; reason: string | null } {
	const because = sinchReason ? `: ${sinchReason}` : '';
	switch (sinchStatus) {
		case 'PENDING':
			return reported ? { status: 'denied', reason: WRONG } : { status: 'pending', reason: null };
		case 'SUCCESSFUL':
			return { status: 'approved', reason: null };
		case 'FAIL':
			if (sinchReason === 'Expired') return { status: 'expired', reason: EXPIRED };
			if (sinchReason === 'Invalid code' || sinchReason === 'Invalid CLI') {
				// Answering a report, a wrong code; looked up afterwards, a verification closed by wrong codes.
				return reported ? { status: 'denied', reason: sinchReason === 'Invalid CLI' ? WRONG_CLI : WRONG } : { status: 'max_attempts_reached', reason: CLOSED };
			}
			return { status: 'failed', reason: `Sinch Verification failed${because || ': no reason given'}` };
		case 'DENIED':
			return { status: 'denied', reason: `Sinch Verification denied it${because || ': no reason given'}` };
		case 'ABORTED':
			return { status: 'canceled', reason: `Sinch Verification aborted it${because}` };
		case 'ERROR':
			return { status: 'failed', reason: `Sinch Verification had an error${because}` };
		default:
			return { status: 'failed', reason: `Sinch Verification answered "${clip(sinchStatus)}"` };
	}
}

const endpointOf = (body: Body) => (isObject(body.identity) && typeof body.identity.endpoint === 'string' ? body.identity.endpoint : undefined);

function toResult(body: Body, reported: boolean, known: Known, code?: string): VerificationResult {
	const sinchStatus = typeof body.status === 'string' ? body.status.toUpperCase() : '';
	const { status, reason } = statusOf(sinchStatus, typeof body.reason === 'string' ? body.reason : '', reported);
	const identity = endpointOf(body);
	return {
		verificationId: typeof body.id === 'string' ? body.id : (known.verificationId ?? null),
		to: identity ?? known.to ?? null,
		channel: typeof body.method === 'string' ? body.method.toLowerCase() : (known.channel ?? null),
		status,
		valid: status === 'approved',
		attempts: null,
		expiresAt: null,
		reason: reason === null ? null : scrub(reason, code),
		raw: raw(body),
	};
}

/** An answer the workflow branches on, with what is known of the verification. */
function outcome(status: VerificationStatus, reason: string, known: Known, body: Body | undefined): VerificationResult {
	return { verificationId: known.verificationId ?? null, to: known.to ?? null, channel: known.channel ?? null, status, valid: false, attempts: null, expiresAt: null, reason, raw: raw(body) };
}

/**
 * The verification by its ID, or by number the newest with one of `methods` (Sinch looks numbers up by method; a
 * pending one wins over a finished one of another method): its status answer, or what Sinch answered when it has
 * none (404).
 */
async function lookUp(ctx: ProviderContext, base: string, target: Known, methods: readonly string[]): Promise<{ found: Body } | { missing: Body | undefined }> {
	const urls = target.verificationId !== undefined
		? [`${base}/id/${encodeURIComponent(idOf(target.verificationId))}`]
		: target.to !== undefined
			? methods.map((method) => `${base}/${method}/number/${numberOf(target.to as string)}`)
			: [];
	if (urls.length === 0) throw new ProviderError({ provider: SINCH, kind: 'request', message: 'Sinch Verification needs the verification ID a start returned, or the number' });
	let missing: Body | undefined;
	let finished: Body | undefined;
	for (const url of urls) {
		const response = await get(ctx, url);
		const body = asJson(response.body);
		if (ok(response) && body && typeof body.status === 'string') {
			if (body.status.toUpperCase() === 'PENDING') return { found: body };
			finished ??= body;
		} else if (response.statusCode === 404) missing = body;
		else throw failure(response, body, undefined, true);
	}
	return finished ? { found: finished } : { missing };
}

export const sinchVerify: VerifyCapability = {
	label: 'Sinch Verification',
	channels: [
		{ value: 'sms', label: 'SMS' },
		// A flash call is checked by intercepting the caller ID on the phone: it needs a mobile, like an SMS.
		{ value: 'flashcall', label: 'Flash Call' },
		{ value: 'callout', label: 'Voice Callout', voice: true },
	],

	// Sinch makes its own codes; the locale picks the SMS text (Accept-Language) or the callout's voice.
	startOptions: { locale: true, reference: true },

	properties: () => [],

	readSettings: () => ({}),

	async start(ctx, request) {
		const url = baseUrl(ctx);
		const method = channelOf(request.channel);
		const to = numberOf(request.to);
		if (request.customCode) {
			throw new ProviderError({ provider: SINCH, kind: 'unsupported', message: 'Sinch Verification makes its own codes: leave Custom Code empty, or use built-in codes. Nothing was sent' });
		}
		const payload: IDataObject = { identity: { type: 'number', endpoint: to }, method };
		if (request.reference) payload.reference = request.reference;
		const headers: Record<string, string> = {};
		if (request.locale && method === 'sms') headers['Accept-Language'] = request.locale;
		if (request.locale && method === 'callout') payload.calloutOptions = { speech: { locale: request.locale } };
		const response = await send(ctx, 'POST', url, payload, headers);
		const body = asJson(response.body);
		if (!ok(response) || !body || typeof body.id !== 'string') throw failure(response, body);
		const flashCall = isObject(body.flashCall) ? body.flashCall : undefined;
		const reportTimeout = typeof flashCall?.reportTimeout === 'number' && flashCall.reportTimeout > 0 ? flashCall.reportTimeout * 1000 : undefined;
		return {
			verificationId: body.id,
			to,
			channel: method,
			status: 'pending',
			valid: false,
			attempts: 1,
			expiresAt: new Date(ctx.now().getTime() + (reportTimeout ?? LIFETIME_MS)).toISOString(),
			reason: null,
			raw: raw(body),
		};
	},

	async check(ctx, request) {
		const base = baseUrl(ctx);
		const known: Known = { verificationId: request.verificationId || undefined, to: request.to || undefined };
		const code = request.code.replace(/[\s\-.()]+/g, '');
		const asCode = CODE.test(code);
		const asCli = CLI.test(code);
		// What Sinch would refuse as a code is no code at all: denied, without asking Sinch or using up a report.
		if (!asCode && !asCli) return outcome('denied', `${BAD_CODE}; ${BAD_CLI.charAt(0).toLowerCase()}${BAD_CLI.slice(1)}`, known, undefined);
		const looked = await lookUp(ctx, base, known, [...(asCode ? ['sms', 'callout'] : []), ...(asCli ? ['flashcall'] : [])]);
		if ('missing' in looked) return outcome('expired', GONE, known, looked.missing);
		const verification = looked.found;
		const method = typeof verification.method === 'string' ? verification.method.toLowerCase() : '';
		const about: Known = { ...known, to: known.to ?? endpointOf(verification), channel: method || undefined };
		if (String(verification.status).toUpperCase() !== 'PENDING') {
			// Finished: Sinch would answer its final status whatever the code, so nothing is reported, and an
			// approved verification approves nothing more.
			const result = toResult(verification, false, about, code);
			return result.status === 'approved' ? { ...result, status: 'expired', valid: false, reason: DONE } : result;
		}
		const flash = method === 'flashcall';
		if (flash ? !asCli : !asCode) return outcome('denied', flash ? BAD_CLI : BAD_CODE, about, undefined);
		if (!['sms', 'flashcall', 'callout', 'whatsapp'].includes(method)) {
			throw new ProviderError({ provider: SINCH, kind: 'request', message: `This Sinch verification (method "${clip(method)}") is not checked with a code` });
		}
		const payload: IDataObject = flash ? { method, flashCall: { cli: code } } : { method, [method]: { code } };
		const id = typeof verification.id === 'string' ? verification.id : known.verificationId;
		const url = known.verificationId !== undefined ? `${base}/id/${encodeURIComponent(idOf(known.verificationId))}` : `${base}/number/${numberOf(String(known.to))}`;
		const response = await send(ctx, 'PUT', url, payload);
		const body = asJson(response.body);
		if (response.statusCode === 404) return outcome('expired', GONE, about, body);
		if (!ok(response) || !body || typeof body.status !== 'string') throw failure(response, body, code);
		const result = toResult(body, true, { ...about, verificationId: id }, code);
		const reportedId = result.verificationId;
		if (result.status !== 'denied' || String(body.status).toUpperCase() !== 'FAIL' || !reportedId || !VERIFICATION_ID.test(reportedId)) return result;
		try {
			const after = await get(ctx, `${base}/id/${encodeURIComponent(reportedId)}`);
			const afterBody = asJson(after.body);
			if (ok(after) && afterBody && typeof afterBody.status === 'string') {
				const now = toResult(afterBody, false, { verificationId: reportedId, to: result.to ?? undefined, channel: result.channel ?? undefined }, code);
				if (now.status !== 'pending' && now.status !== 'approved') return now;
			}
		} catch {
			// The report's answer stands: the code was wrong, whatever the look-up after it met.
		}
		return result;
	},

	async status(ctx, request) {
		const base = baseUrl(ctx);
		const known: Known = { verificationId: request.verificationId || undefined, to: request.to || undefined, channel: request.channel || undefined };
		const looked = await lookUp(ctx, base, known, known.channel ? [channelOf(known.channel)] : CHANNELS);
		if ('missing' in looked) return outcome('expired', GONE, known, looked.missing);
		return toResult(looked.found, false, known);
	},
};
