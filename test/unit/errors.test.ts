import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { TWILIO_CODES } from '../../nodes/shared/providers/twilio/index';
import type { ProviderName } from '../../nodes/shared/providers/types';
import { classifyNetworkError, classifyProviderError as classifyWith, describeCode } from '../../nodes/shared/rules/errors';

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
		expect(error.message.length).toBeGreaterThan(20);
	});

	it('says what to do, with the provider and its code', () => {
		expect(classifyProviderError({ provider: 'twilio', httpStatus: 400, code: 21610 }).message).toBe(
			'The recipient replied STOP (Twilio 21610): remove them from the list; they can text START to opt back in',
		);
	});

	it('has a sentence for every Twilio code of the reference table', () => {
		for (const code of [20003, 20404, 20429, 21211, 21408, 21602, 21604, 21606, 21608, 21610, 21611, 21612, 21614, 21617, 35115, 30001, 30002, 30003, 30004, 30005, 30006, 30007, 30008, 30036, 63016]) {
			expect(TWILIO_CODES[String(code)]).toBeDefined();
		}
	});

	it('keeps an unknown code readable', () => {
		const e = classifyProviderError({ provider: 'twilio', httpStatus: 400, code: 99999, providerMessage: 'Something odd' });
		expect(e.kind).toBe('request');
		expect(e.message).toBe('Twilio refused the request (Twilio 99999)');
		expect(e.providerMessage).toBe('Something odd');
	});
});

describe('network errors', () => {
	it.each([
		['ECONNREFUSED', 'network', true],
		['ENOTFOUND', 'network', true],
		['EAI_AGAIN', 'network', true],
		['EHOSTUNREACH', 'network', true],
		['ENETUNREACH', 'network', true],
		['ECONNRESET', 'ambiguous', false],
		['ECONNABORTED', 'ambiguous', false],
		['ETIMEDOUT', 'ambiguous', false],
		[undefined, 'ambiguous', false],
	] as const)('%s → %s', (code, kind, retryable) => {
		const e = classifyNetworkError(PROVIDERS.twilio, code, 'x');
		expect(e.kind).toBe(kind);
		expect(e.retryable).toBe(retryable);
		expect(e.allowsFallback).toBe(retryable);
	});

	it('knows a connection that was never made is not ambiguous, whatever its code', () => {
		const e = classifyNetworkError(PROVIDERS.twilio, 'ETIMEDOUT', 'connect ETIMEDOUT', 'no');
		expect(e.kind).toBe('network');
		expect(e.allowsFallback).toBe(true);
		expect(e.message).toContain('Nothing was sent');
	});

	it.each(['ERR_INVALID_URL', 'ERR_INVALID_CHAR', 'ERR_INVALID_PROTOCOL'])('%s: refused before it left, a setup error that may fall back', (code) => {
		const e = classifyNetworkError(PROVIDERS.sinch, code, 'Invalid URL');
		expect(e.kind).toBe('config');
		expect(e.retryable).toBe(false);
		expect(e.allowsFallback).toBe(true);
	});
});

describe('delivery error descriptions', () => {
	it('describes asynchronous codes', () => {
		expect(describeDeliveryError('twilio', 30003)).toContain('unreachable');
		expect(describeDeliveryError('sinch', 402)).toContain('routed');
		expect(describeDeliveryError('twilio', null)).toBeUndefined();
		expect(describeDeliveryError('sinch', 0)).toBeUndefined();
	});
});
