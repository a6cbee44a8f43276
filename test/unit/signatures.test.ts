import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import twilio from 'twilio';
import { computeTwilioSignature, validateTwilioSignature, urlPortVariants } from '../../nodes/shared/signatures/twilio';
import {
	computeSinchWebhookSignature,
	sinchApplicationAuthorization,
	sinchContentMd5,
	validateSinchWebhookSignature,
} from '../../nodes/shared/signatures/sinch';
import { signAwsRequest, parseAwsAuthorization } from '../../nodes/shared/signatures/awsSigV4';
import { loadVectors } from '../helpers/vectors';

const vectors = loadVectors('vectors.json');

describe('X-Twilio-Signature', () => {
	it.each(vectors.twilioSignature.map((v: any, i: number) => [i, v]) as Array<[number, any]>)('vector %i equals the official library', (_i, v: any) => {
		if (v.rawBody !== undefined) {
			expect(validateTwilioSignature({ authToken: v.authToken, signature: v.signature, url: v.url, rawBody: v.rawBody })).toBe(true);
			expect(validateTwilioSignature({ authToken: v.authToken, signature: v.signature, url: v.url, rawBody: v.rawBody + ' ' })).toBe(false);
		} else {
			expect(computeTwilioSignature(v.authToken, v.url, v.params)).toBe(v.signature);
			expect(validateTwilioSignature({ authToken: v.authToken, signature: v.signature, url: v.url, params: v.params })).toBe(true);
		}
	});

	it('rejects a tampered parameter, a wrong token and a missing signature', () => {
		const v = vectors.twilioSignature[1];
		expect(validateTwilioSignature({ authToken: v.authToken, signature: v.signature, url: v.url, params: { ...v.params, MessageStatus: 'failed' } })).toBe(false);
		expect(validateTwilioSignature({ authToken: 'other', signature: v.signature, url: v.url, params: v.params })).toBe(false);
		expect(validateTwilioSignature({ authToken: v.authToken, signature: undefined, url: v.url, params: v.params })).toBe(false);
	});

	it('accepts the URL with the default port added or removed, as the official library does', () => {
		const v = vectors.twilioSignature[1];
		const withPort = v.url.replace('n8n.example.com', 'n8n.example.com:443');
		const signed = computeTwilioSignature(v.authToken, withPort, v.params);
		expect(validateTwilioSignature({ authToken: v.authToken, signature: signed, url: v.url, params: v.params })).toBe(true);
		expect(urlPortVariants('http://h:80/a?b=1')).toEqual(['http://h:80/a?b=1', 'http://h/a?b=1']);
		expect(urlPortVariants('https://h:8443/a')).toEqual(['https://h:8443/a']);
		// An IPv6 host has colons of its own: only the port after it counts.
		expect(urlPortVariants('https://[::1]:443/x')).toEqual(['https://[::1]:443/x', 'https://[::1]/x']);
		expect(urlPortVariants('https://[::1]/x')).toEqual(['https://[::1]/x', 'https://[::1]:443/x']);
		// A URL the parser takes without "//" is signed as written, with no variant.
		expect(urlPortVariants('https:example.com/a')).toEqual(['https:example.com/a']);
		expect(urlPortVariants('https://user:pw@h/a')).toEqual(['https://user:pw@h/a', 'https://user:pw@h:443/a']);
	});

	it('equals the official library on random parameters, repeated keys included', () => {
		let compared = 0;
		for (let i = 0; i < 300; i++) {
			const params: Record<string, string | string[]> = {};
			const n = 1 + (i % 7);
			for (let k = 0; k < n; k++) {
				const key = `K${(i * 31 + k * 7) % 13}${k % 2 ? 'x' : ''}`;
				params[key] = k % 3 === 0 ? [`v${i}`, `a${k}`, `v${i}`] : `val-${i}-${k}-é😀`;
			}
			const url = `https://example.org:${i % 2 ? 443 : 8443}/hook/${i}?q=${i}`;
			const token = `tok${i}`;
			const ours = computeTwilioSignature(token, url, params);
			const theirs = twilio.getExpectedTwilioSignature(token, url, params as any);
			expect(ours).toBe(theirs);
			expect(twilio.validateRequest(token, ours, url, params as any)).toBe(true);
			compared++;
		}
		expect(compared).toBe(300);
	});
});

describe('Sinch signatures', () => {
	it('application signed request equals the documented example', () => {
		let checked = 0;
		for (const v of vectors.sinchApplicationSignedRequest) {
			checked++;
			expect(sinchContentMd5(v.body)).toBe(v.contentMd5);
			expect(
				sinchApplicationAuthorization({
					applicationKey: v.applicationKey,
					applicationSecret: v.applicationSecret,
					method: v.method,
					contentType: v.contentType,
					timestamp: v.xTimestamp,
					path: v.path,
					body: v.body,
				}),
			).toBe(v.authorization);
		}
		expect(checked).toBe(vectors.sinchApplicationSignedRequest.length);
		expect(checked).toBeGreaterThan(0);
	});

	it('webhook HMAC equals the vector and refuses tampering', () => {
		let checked = 0;
		for (const v of vectors.sinchWebhookHmac) {
			checked++;
			expect(computeSinchWebhookSignature(v.secret, v.rawBody, v.nonce, v.timestamp)).toBe(v.signature);
			expect(validateSinchWebhookSignature({ ...v, signature: v.signature })).toBe(true);
			expect(validateSinchWebhookSignature({ ...v, rawBody: v.rawBody.replace('Delivered', 'Failed'), signature: v.signature })).toBe(false);
			expect(validateSinchWebhookSignature({ ...v, signature: undefined })).toBe(false);
		}
		expect(checked).toBe(vectors.sinchWebhookHmac.length);
		expect(checked).toBeGreaterThan(0);
	});
});

describe('AWS Signature V4', () => {
	function rng(seed: number) {
		let s = seed >>> 0;
		return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
	}
	const pick = <T,>(r: () => number, xs: T[]) => xs[Math.floor(r() * xs.length)];
	const chars = 'abcXYZ019-_.~ !*()+=&/é€😀';
	const randomString = (r: () => number, max: number) =>
		Array.from({ length: 1 + Math.floor(r() * max) }, () => pick(r, [...chars])).join('');

	it('equals @smithy/signature-v4 (what @aws-sdk signs with) on 300 randomized requests', async () => {
		const r = rng(42);
		let compared = 0;
		for (let i = 0; i < 300; i++) {
			const region = pick(r, ['us-east-1', 'eu-west-3', 'ap-southeast-2']);
			const service = pick(r, ['sns', 'sts']);
			const method = pick(r, ['GET', 'POST', 'PUT']);
			const host = pick(r, [`${service}.${region}.amazonaws.com`, '127.0.0.1:4010']);
			const segments = Array.from({ length: Math.floor(r() * 3) }, () => encodeURIComponent(randomString(r, 6)));
			const path = `/${segments.join('/')}`;
			const query: Record<string, string> = {};
			for (let q = 0; q < Math.floor(r() * 4); q++) query[randomString(r, 5)] = randomString(r, 8);
			const search = Object.entries(query)
				.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
				.join('&');
			const body = method === 'GET' ? '' : `Action=Publish&Message=${encodeURIComponent(randomString(r, 40))}`;
			const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
			if (r() < 0.5) headers['x-custom'] = `  spaced   value ${i} `;
			const sessionToken = r() < 0.3 ? `token${i}` : undefined;
			const date = new Date(Date.UTC(2020 + (i % 6), i % 12, 1 + (i % 28), i % 24, i % 60, i % 60));
			const credentials = { accessKeyId: `AKIA${i}`, secretAccessKey: `secret/${i}+x`, sessionToken };

			const ours = signAwsRequest({ method, url: `http://${host}${path}${search ? `?${search}` : ''}`, headers, body, region, service, ...credentials, date });

			const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
			const signed = await signer.sign(
				{ method, protocol: 'http:', hostname: host.split(':')[0], port: host.includes(':') ? Number(host.split(':')[1]) : undefined, path, query, headers: { ...headers, host }, body },
				{ signingDate: date },
			);
			expect(ours.headers.authorization).toBe(signed.headers.authorization);
			expect(ours.headers['x-amz-date']).toBe(signed.headers['x-amz-date']);
			compared++;
		}
		expect(compared).toBe(300);
	});

	it('signs repeated query names with their values in order, as @smithy/signature-v4 does, whatever order they came in', async () => {
		const date = new Date(Date.UTC(2026, 10, 29, 12, 0, 0));
		const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
		const sign = (search: string) =>
			signAwsRequest({ method: 'GET', url: `https://sns.us-east-1.amazonaws.com/x${search}`, headers: {}, body: '', region: 'us-east-1', service: 'sns', ...credentials, date }).headers.authorization;
		const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'sns', sha256: Sha256 });
		const theirs = await signer.sign(
			{ method: 'GET', protocol: 'https:', hostname: 'sns.us-east-1.amazonaws.com', path: '/x', query: { a: ['2', '1', '3'], b: '0' }, headers: { host: 'sns.us-east-1.amazonaws.com' }, body: '' },
			{ signingDate: date },
		);
		for (const search of ['?a=2&a=1&a=3&b=0', '?b=0&a=3&a=1&a=2', '?a=1&b=0&a=2&a=3', '?a=3&a=2&b=0&a=1']) expect([search, sign(search)]).toEqual([search, theirs.headers.authorization]);
		// Empty parts of a query are not parameters.
		expect(sign('?a=2&&a=1&a=3&b=0&')).toBe(theirs.headers.authorization);
		// Empty and dot segments of a path are not part of it.
		const plain = signAwsRequest({ method: 'GET', url: 'https://sns.us-east-1.amazonaws.com/a/b', headers: {}, body: '', region: 'us-east-1', service: 'sns', ...credentials, date });
		const messy = signAwsRequest({ method: 'GET', url: 'https://sns.us-east-1.amazonaws.com/a//./b', headers: {}, body: '', region: 'us-east-1', service: 'sns', ...credentials, date });
		expect(messy.headers.authorization).toBe(plain.headers.authorization);
	});

	it('reads an Authorization header only when it is one, spaces around its parts allowed', () => {
		const sig = 'a'.repeat(64);
		const header = (before: string, between: string) => `${before}AWS4-HMAC-SHA256${between}Credential=AKID/20261129/us-east-1/sns/aws4_request,${between === ' ' ? '' : '  '}SignedHeaders=host;x-amz-date, Signature=${sig}`;
		expect(parseAwsAuthorization(header('', '  '))).toEqual({ accessKeyId: 'AKID', date: '20261129', region: 'us-east-1', service: 'sns', signedHeaders: ['host', 'x-amz-date'], signature: sig });
		expect(parseAwsAuthorization(header('', ' '))).toMatchObject({ accessKeyId: 'AKID' });
		expect(parseAwsAuthorization(header('x', ' '))).toBeUndefined();
		expect(parseAwsAuthorization(`Bearer AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=${sig}`)).toBeUndefined();
		expect(parseAwsAuthorization(`AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=${sig}0`)).toBeUndefined();
		expect(parseAwsAuthorization(undefined)).toBeUndefined();
	});

	it('parses its own Authorization header', () => {
		const { headers } = signAwsRequest({ method: 'POST', url: 'https://sns.us-east-1.amazonaws.com/', headers: {}, body: 'a=b', region: 'us-east-1', service: 'sns', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' });
		expect(parseAwsAuthorization(headers.authorization)).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'sns' });
	});
});
