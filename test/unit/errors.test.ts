import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { TWILIO_CODES } from '../../nodes/shared/providers/twilio/index';
import type { ProviderName } from '../../nodes/shared/providers/types';
import { classifyNetworkError, classifyProviderError as classifyWith, describeCode, INVALID_REQUEST_CODES, NEVER_SENT_CODES, ProviderError, type FailureKind } from '../../nodes/shared/rules/errors';

/** Classify an answer with the provider's own code table, as its module does. */
const classifyProviderError = (init: { provider: ProviderName; httpStatus?: number; code?: string | number; providerMessage?: string }) =>
	classifyWith(PROVIDERS[init.provider], PROVIDERS[init.provider].codes, init);
const describeDeliveryError = (provider: ProviderName, code: string | number | null) => describeCode(PROVIDERS[provider], PROVIDERS[provider].deliveryCodes, code);

describe('provider error classification', () => {
	it.each([
		['twilio', 400, 21211, 'recipient', false, false],
		['twilio', 400, 21610, 'recipient', false, false],
		['twilio', 400, 21614, 'recipient', false, false],
		['twilio', 400, 21612, 'recipient', false, false],
		['twilio', 400, 21617, 'content', false, false],
		['twilio', 400, 21602, 'content', false, false],
		['twilio', 401, 20003, 'auth', false, true],
		['twilio', 400, 21606, 'config', false, true],
		['twilio', 400, 21408, 'config', false, true],
		['twilio', 429, 20429, 'rateLimited', true, true],
		['twilio', 503, undefined, 'unavailable', true, true],
		['twilio', 500, 20500, 'unavailable', true, true],
		['twilio', 404, 20404, 'notFound', false, false],
		['twilio', 400, 35115, 'request', false, false],
		['sinch', 401, undefined, 'auth', false, true],
		['sinch', 403, 'unprovisioned_region', 'config', false, true],
		['sinch', 400, 'syntax_constraint_violation', 'request', false, false],
		['sinch', 429, undefined, 'rateLimited', true, true],
		['sinch', 502, undefined, 'unavailable', true, true],
		['sns', 400, 'OptedOut', 'recipient', false, false],
		['sns', 400, 'Throttling', 'rateLimited', true, true],
		['sns', 429, 'Throttled', 'rateLimited', true, true],
		['sns', 403, 'AuthorizationError', 'auth', false, true],
		['sns', 403, 'SignatureDoesNotMatch', 'auth', false, true],
		['sns', 400, 'InvalidParameter', 'request', false, false],
		['sns', 500, 'InternalError', 'unavailable', true, true],
	] as const)('%s HTTP %s code %s → %s (retry %s, fallback %s)', (provider, httpStatus, code, kind, retryable, fallback) => {
		const error = classifyProviderError({ provider, httpStatus, code });
		expect(error.kind).toBe(kind);
		expect(error.retryable).toBe(retryable);
		expect(error.allowsFallback).toBe(fallback);
		expect(error.message).toMatch(code === undefined ? new RegExp(`HTTP ${httpStatus}\\)$`) : new RegExp(`${code}\\)`));
	});

	it('says what to do, with the provider and its code', () => {
		expect(classifyProviderError({ provider: 'twilio', httpStatus: 400, code: 21610 }).message).toBe(
			'The recipient replied STOP (Twilio 21610): remove them from the list; they can text START to opt back in',
		);
	});

	/** Each provider's code table, code by code: the kind it means. A code added or changed must be added here. */
	const KINDS: Record<ProviderName, { codes: Record<string, FailureKind>; delivery: Record<string, FailureKind> }> = {
		twilio: {
			codes: {
				20003: 'auth', 20404: 'notFound', 20429: 'rateLimited', 21211: 'recipient', 21408: 'config', 21602: 'content',
				21604: 'recipient', 21606: 'config', 21608: 'config', 21610: 'recipient', 21611: 'config', 21612: 'recipient',
				21614: 'recipient', 21617: 'content', 30001: 'config', 30002: 'auth', 30003: 'recipient', 30004: 'recipient',
				30005: 'recipient', 30006: 'recipient', 30007: 'content', 30008: 'unavailable', 30036: 'config', 35111: 'request',
				35115: 'request', 63016: 'content',
			},
			delivery: {},
		},
		sinch: {
			codes: {
				unauthorized: 'auth', forbidden: 'auth', syntax_invalid_json: 'request', syntax_invalid_parameter_format: 'request',
				syntax_constraint_violation: 'request', missing_parameter: 'request', unknown_group: 'request', unknown_campaign: 'config',
				missing_callback_url: 'config', unprovisioned_region: 'config', not_found: 'notFound', too_many_requests: 'rateLimited',
				internal_error: 'unavailable',
			},
			delivery: { 402: 'recipient', 403: 'unavailable', 404: 'recipient', 406: 'recipient', 407: 'request', 408: 'recipient', 410: 'config', 411: 'content', 412: 'config', 413: 'recipient' },
		},
		sns: {
			codes: {
				InvalidParameter: 'request', ParameterValueInvalid: 'request', OptedOut: 'recipient', Throttling: 'rateLimited', Throttled: 'rateLimited',
				AuthorizationError: 'auth', InvalidClientTokenId: 'auth', SignatureDoesNotMatch: 'auth', ExpiredToken: 'auth', AccessDenied: 'auth',
				KMSAccessDenied: 'config', InternalError: 'unavailable', InternalFailure: 'unavailable', ServiceUnavailable: 'unavailable',
			},
			delivery: {},
		},
	};
	// Twilio and SNS report delivery failures with the same codes as their API errors.
	KINDS.twilio.delivery = KINDS.twilio.codes;
	KINDS.sns.delivery = KINDS.sns.codes;

	it.each(['twilio', 'sinch', 'sns'] as const)('%s: every code of its tables means exactly its kind, with a sentence', (name) => {
		const provider = PROVIDERS[name];
		for (const [table, expected] of [
			[provider.codes, KINDS[name].codes],
			[provider.deliveryCodes, KINDS[name].delivery],
		] as const) {
			expect(Object.fromEntries(Object.entries(table).map(([code, rule]) => [code, rule.kind]))).toEqual(expected);
			for (const [code, rule] of Object.entries(table)) {
				expect(rule.meaning.length).toBeGreaterThan(10);
				expect(rule.advice.length).toBeGreaterThan(10);
				// Classified with a status that agrees with it, the code gives its own sentence.
				const httpStatus = rule.kind === 'rateLimited' ? 429 : rule.kind === 'unavailable' ? 503 : 400;
				expect(classifyWith(provider, table, { httpStatus, code }).message).toBe(`${rule.meaning} (${provider.label} ${code}): ${rule.advice}`);
			}
		}
		expect(Object.keys(provider.codes)).toHaveLength({ twilio: 26, sinch: 13, sns: 14 }[name]);
		expect(TWILIO_CODES).toBe(PROVIDERS.twilio.codes);
	});

	it.each([
		[undefined, 'ambiguous'],
		[400, 'request'],
		[401, 'auth'],
		[403, 'auth'],
		[404, 'notFound'],
		[409, 'request'],
		[418, 'request'],
		[429, 'rateLimited'],
		[499, 'request'],
		[500, 'unavailable'],
		[501, 'unavailable'],
		[502, 'unavailable'],
		[503, 'unavailable'],
		[504, 'unavailable'],
		[599, 'unavailable'],
	] as const)('no code, HTTP %s → %s, with the generic sentence', (httpStatus, kind) => {
		const e = classifyWith(PROVIDERS.twilio, {}, { httpStatus });
		expect([e.kind, e.code, e.httpStatus]).toEqual([kind, undefined, httpStatus]);
		expect(e.message).toBe(`${GENERIC[kind]} (Twilio, HTTP ${httpStatus ?? 'no answer'})`);
	});

	const GENERIC: Record<FailureKind, string> = {
		rateLimited: 'Twilio asked us to slow down',
		unavailable: 'Twilio is failing or unavailable',
		auth: 'Twilio refused the credentials',
		notFound: 'Twilio has no such message',
		recipient: 'Twilio refused the recipient',
		config: "Twilio refused the account's setup for this message",
		content: 'Twilio refused the message text',
		ambiguous: 'Twilio gave an answer that could not be read, so the message may or may not have gone out; it was not sent again, to avoid a duplicate',
		request: 'Twilio refused the request',
		network: 'Twilio refused the request',
		unsupported: 'Twilio refused the request',
	};

	it('a given kind wins over the table; a server error or a 429 wins over both; a sentence only goes with its own kind', () => {
		// The provider knows better: a format error that is really a bad recipient.
		const given = classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 400, code: 21211, kind: 'content' });
		expect([given.kind, given.message]).toEqual(['content', 'Twilio refused the message text (Twilio 21211)']);
		const server = classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 500, code: 21211, kind: 'recipient' });
		expect([server.kind, server.message]).toEqual(['unavailable', 'Twilio is failing or unavailable (Twilio 21211)']);
		const slow = classifyWith(PROVIDERS.sns, PROVIDERS.sns.codes, { httpStatus: 429, code: 'OptedOut' });
		expect(slow.kind).toBe('rateLimited');
		expect(classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 499, code: 30008 }).kind).toBe('unavailable');
	});

	it('an empty or missing code is no code; codes are kept as text; the answer\'s parts are kept apart', () => {
		for (const code of ['', null, undefined]) {
			const e = classifyWith(PROVIDERS.sinch, PROVIDERS.sinch.codes, { httpStatus: 400, code });
			expect([e.code, e.message]).toEqual([undefined, 'Sinch refused the request (Sinch, HTTP 400)']);
		}
		const e = classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 429, code: 20429, providerMessage: 'Too Many Requests', retryAfterMs: 2000 });
		expect(e).toBeInstanceOf(ProviderError);
		expect([e.name, e.provider, e.providerLabel, e.code, e.httpStatus, e.providerMessage, e.retryAfterMs, e.detail]).toEqual([
			'ProviderError',
			'twilio',
			'Twilio',
			'20429',
			429,
			'Too Many Requests',
			2000,
			undefined,
		]);
		// A code the table does not own (an Object.prototype name) is unknown, not a crash.
		expect(classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 400, code: 'constructor' }).message).toBe('Twilio refused the request (Twilio constructor)');
	});

	it.each<[FailureKind, boolean, boolean, boolean]>([
		['rateLimited', true, true, false],
		['unavailable', true, true, false],
		['network', true, true, false],
		['auth', false, true, false],
		['config', false, true, false],
		['unsupported', false, true, false],
		['recipient', false, false, false],
		['content', false, false, false],
		['request', false, false, false],
		['notFound', false, false, false],
		['ambiguous', false, false, true],
	])('%s: retryable %s, falls back %s, ambiguous %s', (kind, retryable, fallback, ambiguous) => {
		const e = new ProviderError({ provider: PROVIDERS.sns, kind, message: 'm', code: 7 });
		expect([e.retryable, e.allowsFallback, e.ambiguous, e.code]).toEqual([retryable, fallback, ambiguous, '7']);
	});

	it('keeps an unknown code readable', () => {
		const e = classifyProviderError({ provider: 'twilio', httpStatus: 400, code: 99999, providerMessage: 'Something odd' });
		expect(e.kind).toBe('request');
		expect(e.message).toBe('Twilio refused the request (Twilio 99999)');
		expect(e.providerMessage).toBe('Something odd');
	});
});

describe('network errors', () => {
	const TWILIO = PROVIDERS.twilio;

	it('knows exactly which connection failures never carried the request, and which requests never left', () => {
		expect([...NEVER_SENT_CODES].sort()).toEqual(
			[
				'CERT_HAS_EXPIRED',
				'DEPTH_ZERO_SELF_SIGNED_CERT',
				'EADDRNOTAVAIL',
				'EAI_AGAIN',
				'EAI_FAIL',
				'ECONNREFUSED',
				'EHOSTDOWN',
				'EHOSTUNREACH',
				'ENETDOWN',
				'ENETUNREACH',
				'ENOTFOUND',
				'ERR_TLS_CERT_ALTNAME_INVALID',
				'SELF_SIGNED_CERT_IN_CHAIN',
				'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
			].sort(),
		);
		expect([...INVALID_REQUEST_CODES].sort()).toEqual(
			[
				'ERR_BAD_OPTION_VALUE',
				'ERR_FR_TOO_MANY_REDIRECTS',
				'ERR_INVALID_ARG_TYPE',
				'ERR_INVALID_ARG_VALUE',
				'ERR_INVALID_CHAR',
				'ERR_INVALID_HTTP_TOKEN',
				'ERR_INVALID_PROTOCOL',
				'ERR_INVALID_URL',
				'ERR_UNESCAPED_CHARACTERS',
			].sort(),
		);
	});

	// Every code, as the transport reports it when it cannot tell whether the request left ('maybe', the default).
	const table: Array<[string | undefined, 'network' | 'ambiguous' | 'config']> = [
		...[...NEVER_SENT_CODES].map((code): [string, 'network'] => [code, 'network']),
		...[...INVALID_REQUEST_CODES].map((code): [string, 'config'] => [code, 'config']),
		['ECONNRESET', 'ambiguous'],
		['ECONNABORTED', 'ambiguous'],
		['ETIMEDOUT', 'ambiguous'],
		['ESOCKETTIMEDOUT', 'ambiguous'],
		['EPIPE', 'ambiguous'],
		['UND_ERR_SOCKET', 'ambiguous'],
		['ERR_STREAM_PREMATURE_CLOSE', 'ambiguous'],
		['', 'ambiguous'],
		[undefined, 'ambiguous'],
	];

	it('classifies every code it was tried with (the 23 it knows, 9 others)', () => {
		let checked = 0;
		for (const [code, kind] of table) {
			const e = classifyNetworkError(TWILIO, code, 'the detail');
			expect([code, e.kind, e.retryable, e.allowsFallback, e.ambiguous, e.code, e.detail, e.provider]).toEqual([
				code,
				kind,
				kind === 'network',
				kind !== 'ambiguous',
				kind === 'ambiguous',
				code,
				'the detail',
				'twilio',
			]);
			checked++;
		}
		expect(checked).toBe(32);
	});

	it.each([
		['EAI_AGAIN', 'Could not connect to Twilio (EAI_AGAIN): check the network and the credential\'s Base URL. Nothing was sent'],
		['ECONNREFUSED', 'Could not connect to Twilio (ECONNREFUSED): check the network and the credential\'s Base URL. Nothing was sent'],
		['ERR_INVALID_URL', "The request to Twilio could not be made (ERR_INVALID_URL): check the credential's Base URL and the node's settings. Nothing was sent"],
		[
			'ECONNRESET',
			'Twilio did not answer after the request was sent (ECONNRESET), so the message may or may not have gone out. It was not sent again, to avoid a duplicate: check what Twilio recorded before resending',
		],
		[
			undefined,
			'Twilio did not answer after the request was sent (no response), so the message may or may not have gone out. It was not sent again, to avoid a duplicate: check what Twilio recorded before resending',
		],
	])('%s: says exactly what happened and what to do', (code, message) => {
		expect(classifyNetworkError(TWILIO, code, 'x').message).toBe(message);
	});

	it('a request known never to have left is a network failure whatever its code; a bad URL stays a setup error', () => {
		for (const code of ['ETIMEDOUT', 'ECONNRESET', undefined]) {
			const e = classifyNetworkError(TWILIO, code, 'connect timed out', 'no');
			expect([e.kind, e.retryable, e.allowsFallback]).toEqual(['network', true, true]);
		}
		expect(classifyNetworkError(TWILIO, undefined, 'x', 'no').message).toBe("Could not connect to Twilio: check the network and the credential's Base URL. Nothing was sent");
		expect(classifyNetworkError(TWILIO, 'ERR_INVALID_URL', 'x', 'no').kind).toBe('config');
		expect(classifyNetworkError(TWILIO, 'ECONNRESET', 'x', 'maybe').kind).toBe('ambiguous');
	});
});

describe('delivery error descriptions', () => {
	it('describes asynchronous codes with the sentence of their table', () => {
		const rule = PROVIDERS.twilio.deliveryCodes['30003'];
		expect(describeDeliveryError('twilio', 30003)).toBe(`${rule.meaning} (Twilio 30003): ${rule.advice}`);
		expect(describeDeliveryError('twilio', '30003')).toBe(`${rule.meaning} (Twilio 30003): ${rule.advice}`);
		expect(describeDeliveryError('sinch', 402)).toContain('routed');
		expect(describeDeliveryError('sinch', 999)).toBe('Delivery failed (Sinch 999)');
		expect(describeDeliveryError('sinch', 'toString')).toBe('Delivery failed (Sinch toString)');
		for (const none of [null, undefined, '', 0, '0']) expect(describeCode(PROVIDERS.twilio, PROVIDERS.twilio.deliveryCodes, none)).toBeUndefined();
	});
});
