/**
 * Our Sinch application signed request against the official SDK's own signer (@sinch/sdk-client's
 * generateAuthorizationHeader, which the Verification and Voice clients sign every request with) and its validator
 * (validateAuthenticationHeader), on 500 seeded random requests: methods, paths with queries, bodies with unicode
 * (lone surrogates too) or none, content types or none, keys and secrets.
 */
import { generateAuthorizationHeader, validateAuthenticationHeader } from '@sinch/sdk-core';
import { sinchApplicationAuthorization, validateSinchApplicationSignature, type SinchSignedRequestInput } from '../../nodes/shared/signatures/sinch';

/** mulberry32: small, fast, seeded. */
function prng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number) => Math.floor(next() * n);
	const pick = <T>(list: readonly T[]): T => list[int(list.length)];
	return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const ALPHABETS = ['abcdefghijklmnopqrstuvwxyz0123456789', ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', '\n\t\r', 'éçßΩЖ中文日本語😀👍🏽\u200b\ufeff'];

/** Random text; in a body, sometimes with a lone surrogate (both signers encode it as U+FFFD). */
function text(r: Rng, max: number, loneSurrogate = true): string {
	let out = '';
	for (let i = r.int(max + 1); i > 0; i--) out += r.pick([...r.pick(ALPHABETS)]);
	if (loneSurrogate && r.int(20) === 0) out += r.pick(['\ud800', '\udfff']);
	return out;
}

function randomRequest(r: Rng): SinchSignedRequestInput {
	const segment = () => encodeURIComponent(text(r, 12, false)) || 'x';
	const query = r.int(3) === 0 ? `?${Array.from({ length: 1 + r.int(3) }, () => `${segment()}=${segment()}`).join('&')}` : '';
	const path = r.pick([
		() => '/verification/v1/verifications',
		() => `/verification/v1/verifications/id/${segment()}`,
		() => `/verification/v1/verifications/number/+${1 + r.int(9)}${String(r.int(1e9)).padStart(9, '0')}`,
		() => `/verification/v1/verifications/${r.pick(['sms', 'flashcall', 'callout'])}/number/+4670${r.int(1e6)}`,
		() => `/calling/v1/callouts/${segment()}`,
		() => `/${Array.from({ length: r.int(4) }, segment).join('/')}`,
	])() + query;
	const body = r.pick([
		() => '',
		() => JSON.stringify({ identity: { type: 'number', endpoint: `+4670${r.int(1e7)}` }, method: r.pick(['sms', 'flashcall', 'callout']), reference: text(r, 30) }),
		() => JSON.stringify({ method: 'sms', sms: { code: text(r, 10) } }),
		() => text(r, 200),
	])();
	const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[r.int(16)]).join('');
	const secretBytes = Buffer.from(Array.from({ length: 8 + r.int(40) }, () => r.int(256)));
	return {
		applicationKey: r.pick([() => hex(8) + '-' + hex(4) + '-4' + hex(3) + '-8' + hex(3) + '-' + hex(12), () => text(r, 20, false).replace(/[:\s]/g, '') || 'k'])(),
		applicationSecret: secretBytes.toString('base64'),
		method: r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']),
		contentType: r.pick(['', 'application/json', 'application/json; charset=UTF-8', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded']),
		timestamp: new Date(Date.UTC(2020, 0, 1) + r.int(4e11)).toISOString(),
		path,
		body,
	};
}

describe('our Sinch application signature and the SDK’s own', () => {
	it('give the same Authorization header on 500 random requests, and each accepts the other’s', () => {
		const r = prng(0x51c4);
		let compared = 0;
		for (let i = 0; i < 500; i++) {
			const input = randomRequest(r);
			const ours = sinchApplicationAuthorization(input);
			// The SDK signs undefined for a request without a body (its GETs), and the Content-Type header it sends.
			const theirs = generateAuthorizationHeader(input.method, input.body || undefined, input.contentType, `x-timestamp:${input.timestamp}`, input.path, input.applicationKey, input.applicationSecret);
			expect([i, ours]).toEqual([i, theirs]);

			const headers = { authorization: theirs, 'x-timestamp': input.timestamp, ...(input.contentType ? { 'content-type': input.contentType } : {}) };
			expect(validateSinchApplicationSignature(input, theirs)).toBe(true);
			// The SDK's validator reads the Content-Type header, and signs "undefined" without one: it is checked with one only.
			if (input.contentType) expect(validateAuthenticationHeader(input.applicationKey, input.applicationSecret, headers, input.body || undefined, input.path, input.method)).toBe(true);
			compared++;
		}
		expect(compared).toBe(500);
	});

	it('disagree with a signature made with another secret, as both should', () => {
		const r = prng(7);
		for (let i = 0; i < 50; i++) {
			const input = randomRequest(r);
			const other = { ...input, applicationSecret: Buffer.from(`other-${i}`).toString('base64') };
			const forged = generateAuthorizationHeader(input.method, input.body || undefined, input.contentType, `x-timestamp:${input.timestamp}`, input.path, input.applicationKey, other.applicationSecret);
			expect(validateSinchApplicationSignature(input, forged)).toBe(false);
			expect(sinchApplicationAuthorization(other)).toBe(forged);
		}
	});
});
