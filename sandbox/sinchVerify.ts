/**
 * Sinch Verification v1, as the sandbox plays it (verification.api.sinch.com/verification/v1/verifications): start a
 * verification by SMS, flash call, callout or WhatsApp (the code, or the flash call's caller ID, goes to the phone
 * page), report a code by verification ID or by number, and read a verification by ID, by method and number, or by
 * reference. Paths, bodies and answers are those of @sinch/verification 1.x; every request must be an application
 * signed request (Authorization: Application key:signature, with x-timestamp) or Basic key:secret, as at Sinch.
 * Errors are Sinch's {errorCode, message, reference} with its documented codes
 * (developers.sinch.com/docs/verification/api-reference/errors); a status with no documented code gets the HTTP
 * status times 100 (40500, 41300), in the same pattern.
 *
 * Sinch documents its statuses and reasons but not its limits, so the sandbox chooses, in Sinch's words:
 * - A wrong code answers 200 {status: "FAIL", reason: "Invalid code"} ("Invalid CLI" for a flash call), and the
 *   verification stays PENDING for another try. The 5th wrong report closes it: its status becomes FAIL with that
 *   reason, and a report from then on answers that, whatever the code.
 * - A finished verification (SUCCESSFUL, FAIL) reported again answers its final status unchanged, as the SDK's own
 *   end-to-end fixture answers a report of an expired flash call with FAIL "Expired".
 * - A verification lives 10 minutes (smsOptions.expiry when given), scaled with the sandbox's time; a pending one past
 *   that is FAIL "Expired".
 * - 5 starts per number in 10 minutes (scaled), whatever the method; the 6th is 429 with 42901 ("Cannot initiate
 *   verification to the same number too quickly"). Every start is a new verification with a new code.
 * - An x-timestamp more than 15 minutes from the sandbox's clock is refused (401, 40101): Sinch says only that the
 *   timestamp shows the request "is not too old".
 * - The magic numbers: an invalid one is refused (40001), a landline gets no SMS or WhatsApp (422, 42201 "No route to
 *   destination"), an unreachable one ends FAIL "Network error or number unreachable" and a filtered one DENIED
 *   "Blocked", shortly after the start, with nothing on the phone page.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { describePhone } from '../nodes/shared/rules/phone';
import { safeEqual } from '../nodes/shared/signatures/compare';
import { validateSinchApplicationSignature } from '../nodes/shared/signatures/sinch';
import { E164 } from './faults';
import { json, jsonBody, safeDecode } from './http';
import { scenarioOf, STEP_MS } from './rules';
import { newMessage, ulid } from './state';
import type { SandboxContext, SandboxRequest, SandboxResponse } from './types';

const VERIFICATIONS = /^\/verification\/v1\/verifications(?:\/(.*))?$/;
const METHODS = ['sms', 'flashcall', 'callout', 'whatsapp'] as const;
type Method = (typeof METHODS)[number];
type Status = 'PENDING' | 'SUCCESSFUL' | 'FAIL' | 'DENIED' | 'ABORTED' | 'ERROR';

export const SINCH_VERIFY_MAX_REPORTS = 5;
export const SINCH_VERIFY_MAX_STARTS = 5;
export const SINCH_VERIFY_START_WINDOW_MS = 10 * 60 * 1000;
export const SINCH_VERIFY_TTL_MS = 10 * 60 * 1000;
export const SINCH_VERIFY_MAX_SKEW_MS = 15 * 60 * 1000;
/** What is remembered at most (verifications, numbers with recent starts): the oldest go first. */
const MAX_KEPT = 10_000;
const CODE_LENGTH = 4;
/** The caller IDs flash calls come from: a Swedish non-geographic range, as Sinch's own flash calls often are. */
const CLI_PREFIX = '+4610';
/** The SMS report's code, as Sinch words the rule (up to 10 letters, digits or dashes). */
const REPORTED_CODE = /^[A-Za-z0-9-]{1,10}$/;
const REPORTED_CLI = /^\+?[1-9]\d{5,14}$/;
/** Templates by the language of Accept-Language (smsOptions.locale), English otherwise. */
const TEMPLATES: Record<string, string> = {
	en: 'Your verification code is {{CODE}}.',
	sv: 'Din verifieringskod är {{CODE}}.',
	fr: 'Votre code de vérification est {{CODE}}.',
	de: 'Ihr Bestätigungscode lautet {{CODE}}.',
};
/** Prices shown once a verification is no longer pending (they are the sandbox's, in euro). */
const PRICES: Record<Method, number> = { sms: 0.0453, flashcall: 0.0205, callout: 0.1852, whatsapp: 0.0312 };

interface Verification {
	id: string;
	method: Method;
	endpoint: string;
	code: string;
	reference: string | null;
	status: Status;
	reason: string | null;
	reports: number;
	createdAt: Date;
	expiresAt: number;
	countryId: string | null;
	/** What happened to the call (flash call and callout). */
	callResult: string | null;
}

export interface SinchVerifyApi {
	matches(path: string): boolean;
	handle(req: SandboxRequest): SandboxResponse;
	recipients(req: SandboxRequest): string[];
	errorResponse(status: number, message: string): SandboxResponse;
	reset(): void;
}

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isMethod = (value: unknown): value is Method => typeof value === 'string' && (METHODS as readonly string[]).includes(value);
const shown = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Sinch's error answer. */
function sinchVerifyError(status: number, errorCode: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
	return json(status, { errorCode, message, reference: randomUUID() }, headers);
}

/** Sinch's code for an HTTP status, for answers no specific check gave. */
function codeFor(status: number): number {
	const codes: Record<number, number> = { 400: 40001, 401: 40100, 403: 40300, 404: 40400, 429: 42900, 500: 50000, 503: 50300 };
	return codes[status] ?? status * 100;
}

/** The path and query the client signed: the request target as sent, without a scheme and host (absolute form). */
function signedPath(target: string): string {
	let rest = target;
	if (/^https?:\/\//i.test(rest)) {
		const slash = rest.indexOf('/', rest.indexOf('//') + 2);
		rest = slash < 0 ? '/' : rest.slice(slash);
	}
	const hash = rest.indexOf('#');
	return hash >= 0 ? rest.slice(0, hash) : rest;
}

/** Why Sinch would refuse a number, in its words ("Number +4813 is invalid. Too short."), or undefined. */
function numberProblem(endpoint: string): string | undefined {
	if (E164.test(endpoint) && scenarioOf(endpoint, new Set()) !== 'invalid') return undefined;
	const digits = endpoint.replace(/^\+/, '');
	let detail = '';
	if (!endpoint.startsWith('+')) detail = ' Missing + sign.';
	else if (!/^\d+$/.test(digits)) detail = ' Invalid characters.';
	else if (digits.length < 7) detail = ' Too short.';
	else if (digits.length > 15) detail = ' Too long.';
	return `Number ${shown(endpoint)} is invalid.${detail}`;
}

/** smsOptions.expiry, "HH:MM:SS", in milliseconds; undefined when it is not one. */
function expiryMs(value: unknown): number | undefined {
	const match = typeof value === 'string' ? /^(\d{2}):([0-5]\d):([0-5]\d)$/.exec(value) : null;
	if (!match) return undefined;
	const ms = ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000;
	return ms > 0 ? ms : undefined;
}

function newCode(codeType: string): string {
	const alphabet = codeType === 'Alpha' ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : codeType === 'Alphanumeric' ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' : '0123456789';
	return Array.from({ length: CODE_LENGTH }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** "2026-11-21T10:00:00.123", as Sinch writes verificationTimestamp (UTC, without the Z). */
const sinchTime = (date: Date) => date.toISOString().replace(/Z$/, '');

export function sinchVerify(sandbox: SandboxContext): SinchVerifyApi {
	const account = sandbox.accounts.sinch;
	const verifications = new Map<string, Verification>();
	const byReference = new Map<string, Verification>();
	/** When each number's recent starts were, for the 5-in-10-minutes limit. */
	const starts = new Map<string, number[]>();

	function keep(v: Verification): void {
		verifications.set(v.id, v);
		if (v.reference !== null) byReference.set(v.reference, v);
		while (verifications.size > MAX_KEPT) {
			const oldest = verifications.values().next().value as Verification;
			verifications.delete(oldest.id);
			if (oldest.reference !== null && byReference.get(oldest.reference) === oldest) byReference.delete(oldest.reference);
		}
	}

	/** The verification as it stands now: a pending one past its time has expired. */
	function current(v: Verification): Verification {
		if (v.status === 'PENDING' && Date.now() >= v.expiresAt) {
			v.status = 'FAIL';
			v.reason = 'Expired';
		}
		return v;
	}

	function newest(endpoint: string, method: string): Verification | undefined {
		return [...verifications.values()].reverse().find((v) => v.endpoint === endpoint && v.method === method);
	}

	function links(v: Verification) {
		const href = `${sandbox.url}/verification/v1/verifications/id/${v.id}`;
		return [
			{ rel: 'status', href, method: 'GET' },
			{ rel: 'report', href, method: 'PUT' },
		];
	}

	function reportAnswer(v: Verification, status: Status = v.status, reason: string | null = v.reason) {
		const out: Record<string, unknown> = { id: v.id, method: v.method, status };
		if (reason !== null && status !== 'PENDING' && status !== 'SUCCESSFUL') out.reason = reason;
		if (v.reference !== null) out.reference = v.reference;
		if (v.method === 'flashcall' || v.method === 'callout') out.callComplete = true;
		return out;
	}

	function statusAnswer(v: Verification) {
		const out = reportAnswer(v);
		out.identity = { type: 'number', endpoint: v.endpoint };
		if (v.countryId) out.countryId = v.countryId;
		out.verificationTimestamp = sinchTime(v.createdAt);
		// Sinch shows the price once the verification is no longer pending.
		if (v.status !== 'PENDING') {
			const verificationPrice = { currencyId: 'EUR', amount: PRICES[v.method] };
			out.price = v.method === 'flashcall' || v.method === 'callout' ? { verificationPrice, terminationPrice: { currencyId: 'EUR', amount: 0 } } : { verificationPrice };
		}
		if (v.callResult !== null) out.callResult = v.callResult;
		if (v.method === 'sms' || v.method === 'flashcall') out.source = 'manual';
		return out;
	}

	/** The code reaches the phone as Sinch sends it: a text, a missed call from the caller ID to report, or a call reading it out. */
	function deliver(v: Verification, template: string): void {
		let body: string;
		if (v.method === 'flashcall') body = `(flash call) Missed call from ${v.code}`;
		else if (v.method === 'callout') body = `(voice call) Your verification code is ${[...v.code].join(' ')}`;
		else body = template.replace('{{CODE}}', v.code);
		sandbox.store(
			newMessage({
				provider: 'sinch',
				id: ulid(),
				account: account.verificationAppKey,
				from: 'Sinch Verification',
				to: v.method === 'whatsapp' ? `whatsapp:${v.endpoint}` : v.endpoint,
				body,
				status: 'Delivered',
				attributes: { verificationId: v.id },
			}),
		);
	}

	/** Basic key:secret, or an application signed request; anything else is refused in Sinch's words. */
	function authenticate(req: SandboxRequest): SandboxResponse | undefined {
		const header = one(req.headers.authorization)?.trim() ?? '';
		if (!header) return sinchVerifyError(401, 40104, 'Authorization required.');
		const space = header.indexOf(' ');
		const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
		const value = space < 0 ? '' : header.slice(space + 1).trim();
		const key = account.verificationAppKey;
		const secret = account.verificationAppSecret;
		if (scheme === 'basic') {
			// Base64 as HTTP has it; the SDK's own validator also reads key:secret as is.
			const decoded = value.includes(':') ? value : Buffer.from(value, 'base64').toString('utf-8');
			const colon = decoded.indexOf(':');
			const ok = colon > 0 && safeEqual(decoded.slice(0, colon), key) && safeEqual(decoded.slice(colon + 1), secret);
			return ok ? undefined : sinchVerifyError(401, 40107, 'Invalid authorization.');
		}
		if (scheme !== 'application') return sinchVerifyError(401, 40100, 'Invalid authorization header.');
		const colon = value.indexOf(':');
		if (colon < 0) {
			// Only the key: Sinch's public authorization, allowed only with a callback URL that approves each verification.
			return safeEqual(value, key) ? sinchVerifyError(403, 40303, 'Callback URL must be set when using public authorization method.') : sinchVerifyError(401, 40107, 'Invalid authorization.');
		}
		if (!safeEqual(value.slice(0, colon), key)) return sinchVerifyError(401, 40107, 'Invalid authorization.');
		const timestamp = one(req.headers['x-timestamp'])?.trim() ?? '';
		const time = timestamp ? Date.parse(timestamp) : Number.NaN;
		if (!Number.isFinite(time)) return sinchVerifyError(401, 40101, 'X-Timestamp required.');
		if (Math.abs(Date.now() - time) > SINCH_VERIFY_MAX_SKEW_MS) return sinchVerifyError(401, 40101, 'X-Timestamp is more than 15 minutes away from the server time.');
		const signed = validateSinchApplicationSignature(
			{
				applicationKey: key,
				applicationSecret: secret,
				method: req.method,
				contentType: one(req.headers['content-type']) ?? '',
				timestamp,
				path: signedPath(req.url),
				body: req.rawBody,
			},
			`Application ${value}`,
		);
		return signed ? undefined : sinchVerifyError(401, 40102, 'Invalid signature.');
	}

	/** A JSON object body, or Sinch's refusal of it. */
	function jsonRequest(req: SandboxRequest): { body: Record<string, unknown> } | { refusal: SandboxResponse } {
		const type = (one(req.headers['content-type']) ?? '').split(';')[0].trim().toLowerCase();
		if (type !== 'application/json') return { refusal: sinchVerifyError(400, 40001, 'Content-Type must be application/json.') };
		const body = jsonBody(req);
		return body ? { body } : { refusal: sinchVerifyError(400, 40001, 'The request body is not a valid JSON object.') };
	}

	function start(req: SandboxRequest): SandboxResponse {
		const parsed = jsonRequest(req);
		if ('refusal' in parsed) return parsed.refusal;
		const body = parsed.body;
		const identity = body.identity;
		if (!isObject(identity)) return sinchVerifyError(400, 40001, 'identity is required.');
		if (identity.type !== 'number') return sinchVerifyError(400, 40001, "identity.type must be 'number'.");
		if (typeof identity.endpoint !== 'string') return sinchVerifyError(400, 40001, 'identity.endpoint is required.');
		const endpoint = identity.endpoint;
		const method = body.method;
		if (method === 'seamless') return sinchVerifyError(403, 40300, 'Seamless verification not available for given destination.');
		if (!isMethod(method)) return sinchVerifyError(400, 40001, `method must be one of ${METHODS.join(', ')}.`);
		const problem = numberProblem(endpoint);
		if (problem) return sinchVerifyError(400, 40001, problem);
		for (const field of ['reference', 'custom']) {
			if (body[field] !== undefined && typeof body[field] !== 'string') return sinchVerifyError(400, 40001, `${field} must be a string.`);
		}
		const reference = typeof body.reference === 'string' && body.reference !== '' ? body.reference : null;
		for (const field of ['smsOptions', 'flashCallOptions', 'calloutOptions', 'whatsappOptions']) {
			if (body[field] !== undefined && !isObject(body[field])) return sinchVerifyError(400, 40001, `${field} must be an object.`);
		}
		const options = ((method === 'sms' ? body.smsOptions : method === 'whatsapp' ? body.whatsappOptions : undefined) ?? {}) as Record<string, unknown>;
		const codeType = options.codeType ?? 'Numeric';
		if (typeof codeType !== 'string' || !['Numeric', 'Alpha', 'Alphanumeric'].includes(codeType)) return sinchVerifyError(400, 40001, 'codeType must be Numeric, Alpha or Alphanumeric.');
		const ttl = options.expiry === undefined ? SINCH_VERIFY_TTL_MS : expiryMs(options.expiry);
		if (ttl === undefined) return sinchVerifyError(400, 40001, 'smsOptions.expiry must be a duration HH:MM:SS.');
		if (reference !== null && byReference.has(reference)) return sinchVerifyError(409, 40900, 'Reference already defined.');
		const scenario = scenarioOf(endpoint, new Set());
		if (scenario === 'landline' && (method === 'sms' || method === 'whatsapp')) return sinchVerifyError(422, 42201, 'No route to destination.');

		// The SDK sends smsOptions.locale as Accept-Language; the first language named picks the text.
		const language = (one(req.headers['accept-language']) ?? (typeof options.locale === 'string' ? options.locale : '')).trim().slice(0, 2).toLowerCase();
		const template = TEMPLATES[language] ?? TEMPLATES.en;
		const now = Date.now();
		const windowMs = sandbox.scaled(SINCH_VERIFY_START_WINDOW_MS);
		const recent = (starts.get(endpoint) ?? []).filter((at) => now - at < windowMs);
		if (recent.length >= SINCH_VERIFY_MAX_STARTS) return sinchVerifyError(429, 42901, 'Cannot initiate verification to the same number too quickly.');
		recent.push(now);
		starts.delete(endpoint);
		starts.set(endpoint, recent);
		while (starts.size > MAX_KEPT) starts.delete(starts.keys().next().value as string);

		const v: Verification = {
			id: randomUUID(),
			method,
			endpoint,
			code: method === 'flashcall' ? `${CLI_PREFIX}${String(randomInt(10_000_000)).padStart(7, '0')}` : newCode(codeType),
			reference,
			status: 'PENDING',
			reason: null,
			reports: 0,
			createdAt: new Date(now),
			expiresAt: now + sandbox.scaled(ttl),
			countryId: describePhone(endpoint).country,
			callResult: method === 'flashcall' || method === 'callout' ? 'ANSWERED' : null,
		};
		keep(v);
		if (scenario === 'unreachable' || scenario === 'filtered') {
			// Nothing reaches the phone: Sinch gives up (or its fraud filter refuses) shortly after the start.
			if (v.callResult !== null) v.callResult = 'FAILED';
			sandbox.later(STEP_MS.final, () => {
				if (v.status !== 'PENDING') return;
				v.status = scenario === 'unreachable' ? 'FAIL' : 'DENIED';
				v.reason = scenario === 'unreachable' ? 'Network error or number unreachable' : 'Blocked';
			});
		} else {
			deliver(v, template);
		}

		const answer: Record<string, unknown> = { id: v.id, method };
		if (method === 'sms') answer.sms = { template, interceptionTimeout: 300 };
		if (method === 'flashcall') {
			const digits = v.code.slice(1);
			answer.flashCall = { cliFilter: `(.*)${digits.slice(2, 6)}(.*)`, interceptionTimeout: 45, reportTimeout: Math.round(ttl / 1000), denyCallAfter: 0, callId: v.id };
		}
		if (method === 'whatsapp') answer.whatsapp = { codeType };
		answer._links = links(v);
		return json(200, answer);
	}

	/** PUT …/id/{id} or …/number/{endpoint}: the code (or a flash call's CLI) the user got. */
	function report(req: SandboxRequest, find: (method: string) => Verification | undefined): SandboxResponse {
		const parsed = jsonRequest(req);
		if ('refusal' in parsed) return parsed.refusal;
		const body = parsed.body;
		const method = body.method;
		if (!isMethod(method)) return sinchVerifyError(400, 40001, `method must be one of ${METHODS.join(', ')}.`);
		// The SDK sends a flash call's CLI under flashCall; Sinch's reference names it flashcall too.
		const name = method === 'flashcall' ? (body.flashCall !== undefined ? 'flashCall' : 'flashcall') : method;
		const details = body[name];
		if (!isObject(details)) return sinchVerifyError(400, 40001, `${name} is required.`);
		const value = method === 'flashcall' ? details.cli : details.code;
		if (typeof value !== 'string' || !(method === 'flashcall' ? REPORTED_CLI : REPORTED_CODE).test(value)) {
			return sinchVerifyError(
				400,
				40001,
				method === 'flashcall' ? 'The CLI is not valid: a phone number is expected.' : "The code is not valid. Maximum 10 characters. Valid characters: A-Z, a-z, 0-9, '-'.",
			);
		}
		const found = find(method);
		if (!found) return sinchVerifyError(404, 40400, 'Requested resource was not found.');
		if (found.method !== method) return sinchVerifyError(400, 40001, `The verification was started with method ${found.method}, not ${method}.`);
		const v = current(found);
		if (v.status !== 'PENDING') return json(200, reportAnswer(v));
		v.reports++;
		const right = method === 'flashcall' ? value.replace(/^\+/, '') === v.code.replace(/^\+/, '') : value.replace(/-/g, '').toUpperCase() === v.code;
		if (right) {
			v.status = 'SUCCESSFUL';
			v.reason = null;
			return json(200, reportAnswer(v));
		}
		const reason = method === 'flashcall' ? 'Invalid CLI' : 'Invalid code';
		if (v.reports >= SINCH_VERIFY_MAX_REPORTS) {
			v.status = 'FAIL';
			v.reason = reason;
		}
		return json(200, reportAnswer(v, 'FAIL', reason));
	}

	function lookup(v: Verification | undefined): SandboxResponse {
		return v ? json(200, statusAnswer(current(v))) : sinchVerifyError(404, 40400, 'Requested resource was not found.');
	}

	const notAllowed = (req: SandboxRequest) => sinchVerifyError(405, 40500, `${req.method} is not allowed here.`);

	return {
		matches: (path) => path === '/verification' || path.startsWith('/verification/'),
		reset: () => {
			verifications.clear();
			byReference.clear();
			starts.clear();
		},
		errorResponse: (status, message) => sinchVerifyError(status, codeFor(status), message),
		recipients(req) {
			const match = VERIFICATIONS.exec(req.path);
			if (!match) return [];
			if (match[1] === undefined && req.method === 'POST') {
				const identity = jsonBody(req)?.identity;
				return isObject(identity) && typeof identity.endpoint === 'string' ? [identity.endpoint] : [];
			}
			const number = /^number\/([^/]+)$/.exec(match[1] ?? '');
			const endpoint = number ? safeDecode(number[1]) : undefined;
			return req.method === 'PUT' && endpoint ? [endpoint] : [];
		},
		handle(req) {
			const denied = authenticate(req);
			if (denied) return denied;
			const match = VERIFICATIONS.exec(req.path);
			if (!match) return sinchVerifyError(404, 40400, 'Requested resource was not found.');
			const parts = match[1] === undefined ? [] : match[1].split('/').map(safeDecode);
			if (parts.some((part) => part === undefined || part === '')) return sinchVerifyError(404, 40400, 'Requested resource was not found.');
			const [first, second, third] = parts as string[];
			if (parts.length === 0) return req.method === 'POST' ? start(req) : notAllowed(req);
			if (parts.length === 2 && first === 'id') {
				if (req.method === 'GET') return lookup(verifications.get(second));
				return req.method === 'PUT' ? report(req, () => verifications.get(second)) : notAllowed(req);
			}
			if (parts.length === 2 && first === 'number') {
				return req.method === 'PUT' ? report(req, (method) => newest(second, method)) : notAllowed(req);
			}
			if (parts.length === 2 && first === 'reference') return req.method === 'GET' ? lookup(byReference.get(second)) : notAllowed(req);
			if (parts.length === 3 && second === 'number') {
				const method = first.toLowerCase() === 'phonecall' ? 'callout' : first.toLowerCase();
				if (!(METHODS as readonly string[]).includes(method)) return sinchVerifyError(404, 40400, 'Requested resource was not found.');
				return req.method === 'GET' ? lookup(newest(third, method)) : notAllowed(req);
			}
			return sinchVerifyError(404, 40400, 'Requested resource was not found.');
		},
	};
}
