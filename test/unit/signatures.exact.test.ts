/** The signers' edge cases, pinned by exact values (the random comparisons with the official libraries are in signatures.test.ts). */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import twilio from 'twilio';
import { safeEqual } from '../../nodes/shared/signatures/compare';
import { computeTwilioSignature, twilioSignatureData, urlPortVariants, validateTwilioSignature } from '../../nodes/shared/signatures/twilio';
import {
	computeSinchWebhookSignature,
	sinchApplicationAuthorization,
	sinchContentMd5,
	sinchStringToSign,
	validateSinchApplicationSignature,
	validateSinchWebhookSignature,
} from '../../nodes/shared/signatures/sinch';
import { amzDate, awsUriEncode, parseAwsAuthorization, signAwsRequest } from '../../nodes/shared/signatures/awsSigV4';

describe('safeEqual', () => {
	it.each([
		['', '', true],
		['abc', 'abc', true],
		['é', 'é', true],
		['abc', 'abd', false],
		['abc', 'ab', false],
		['ab', 'abc', false],
		['', 'a', false],
		['e\u0301', 'é', false],
	])('%j vs %j → %s', (a, b, equal) => {
		expect(safeEqual(a, b)).toBe(equal);
	});
});

describe('Twilio signature data and checks', () => {
	it('joins the URL and the sorted parameters, each repeated value once and sorted, undefined left out', () => {
		expect(twilioSignatureData('https://h/x', { b: '2', a: '1', c: undefined, m: ['z', 'y', 'z'] })).toBe('https://h/xa1b2mymz');
		expect(twilioSignatureData('https://h/x', {})).toBe('https://h/x');
		expect(computeTwilioSignature('token', 'https://h/x', { a: '1' })).toBe(createHmac('sha1', 'token').update('https://h/xa1').digest('base64'));
		expect(computeTwilioSignature('token', 'https://h/x')).toBe(twilio.getExpectedTwilioSignature('token', 'https://h/x', {}));
	});

	it.each([
		['https://h/a', ['https://h/a', 'https://h:443/a']],
		['https://h:443/a?b=1', ['https://h:443/a?b=1', 'https://h/a?b=1']],
		['http://h/a', ['http://h/a', 'http://h:80/a']],
		['http://h:80', ['http://h:80', 'http://h']],
		['http://h:443/a', ['http://h:443/a']],
		['https://user:pw@h/a', ['https://user:pw@h/a', 'https://user:pw@h:443/a']],
		['https://user:pw@h:443/a', ['https://user:pw@h:443/a', 'https://user:pw@h/a']],
		['ftp://h/a', ['ftp://h/a']],
		['not a url', ['not a url']],
	])('port variants of %s', (url, variants) => {
		expect(urlPortVariants(url)).toEqual(variants);
	});

	const token = 'secret-token';
	const url = 'https://n8n.example.com/webhook/abc';
	const params = { MessageSid: 'SM1', MessageStatus: 'delivered' };

	it('accepts a form request signed for the URL with or without the port, and nothing else', () => {
		const signature = computeTwilioSignature(token, url, params);
		expect(validateTwilioSignature({ authToken: token, signature, url, params })).toBe(true);
		expect(validateTwilioSignature({ authToken: token, signature, url: 'https://n8n.example.com:443/webhook/abc', params })).toBe(true);
		expect(validateTwilioSignature({ authToken: token, signature, url: 'https://n8n.example.com/webhook/abd', params })).toBe(false);
		expect(validateTwilioSignature({ authToken: token, signature, url })).toBe(false);
		expect(validateTwilioSignature({ authToken: '', signature, url, params })).toBe(false);
		expect(validateTwilioSignature({ authToken: token, signature: '', url, params })).toBe(false);
		expect(validateTwilioSignature({ authToken: token, signature: computeTwilioSignature(token, url, {}), url })).toBe(true);
	});

	it('checks a JSON request by its bodySHA256 and the URL alone, as Twilio signs it', () => {
		const rawBody = '{"a":1}';
		const hash = createHash('sha256').update(rawBody).digest('hex');
		const signedUrl = `${url}?bodySHA256=${hash}`;
		const signature = computeTwilioSignature(token, signedUrl, {});
		expect(twilio.validateRequestWithBody(token, signature, signedUrl, rawBody)).toBe(true);
		expect(validateTwilioSignature({ authToken: token, signature, url: signedUrl, rawBody })).toBe(true);
		expect(validateTwilioSignature({ authToken: token, signature, url: signedUrl, rawBody: Buffer.from(rawBody) })).toBe(true);
		expect(validateTwilioSignature({ authToken: token, signature, url: signedUrl, rawBody: '{"a":2}' })).toBe(false);
		expect(validateTwilioSignature({ authToken: token, signature, url: signedUrl })).toBe(false);
		// The body is right but the signature is not the URL's.
		expect(validateTwilioSignature({ authToken: token, signature: computeTwilioSignature(token, url, {}), url: signedUrl, rawBody })).toBe(false);
		expect(validateTwilioSignature({ authToken: token, signature, url: 'not a url', params: {} })).toBe(false);
	});
});

describe('Sinch signatures, exactly', () => {
	const input = {
		applicationKey: 'app-key',
		applicationSecret: Buffer.from('app-secret').toString('base64'),
		method: 'post',
		contentType: 'application/json; charset=UTF-8',
		timestamp: '2026-11-21T10:00:00.000Z',
		path: '/verification/v1/verifications?x=1',
		body: '{"identity":{"type":"number","endpoint":"+33612345678"}}',
	};

	it('builds the string to sign line by line, with an empty MD5 for an empty body', () => {
		expect(sinchContentMd5('')).toBe('');
		expect(sinchContentMd5('abc')).toBe(createHash('md5').update('abc').digest('base64'));
		expect(sinchStringToSign(input)).toBe(
			['POST', sinchContentMd5(input.body), 'application/json; charset=UTF-8', 'x-timestamp:2026-11-21T10:00:00.000Z', '/verification/v1/verifications?x=1'].join('\n'),
		);
		expect(sinchStringToSign({ ...input, method: 'GET', body: '' }).split('\n').slice(0, 2)).toEqual(['GET', '']);
	});

	it('signs with the secret decoded from base64, and checks an Authorization header', () => {
		const expected = createHmac('sha256', Buffer.from('app-secret')).update(sinchStringToSign(input)).digest('base64');
		const authorization = sinchApplicationAuthorization(input);
		expect(authorization).toBe(`Application app-key:${expected}`);
		expect(validateSinchApplicationSignature(input, authorization)).toBe(true);
		expect(validateSinchApplicationSignature(input, ` ${authorization} `)).toBe(true);
		expect(validateSinchApplicationSignature({ ...input, path: '/other' }, authorization)).toBe(false);
		expect(validateSinchApplicationSignature(input, undefined)).toBe(false);
		expect(validateSinchApplicationSignature(input, '')).toBe(false);
	});

	it('signs a webhook as body.nonce.timestamp, and refuses anything missing', () => {
		const check = { secret: 's3cret', rawBody: '{"status":"Delivered"}', nonce: 'n1', timestamp: '1700000000' };
		const signature = computeSinchWebhookSignature(check.secret, check.rawBody, check.nonce, check.timestamp);
		expect(signature).toBe(createHmac('sha256', 's3cret').update('{"status":"Delivered"}.n1.1700000000').digest('base64'));
		expect(validateSinchWebhookSignature({ ...check, signature })).toBe(true);
		let refused = 0;
		for (const missing of ['secret', 'nonce', 'timestamp', 'signature'] as const) {
			expect(validateSinchWebhookSignature({ ...check, signature, [missing]: '' })).toBe(false);
			refused++;
		}
		expect(refused).toBe(4);
		expect(validateSinchWebhookSignature({ ...check, nonce: 'n2', signature })).toBe(false);
	});
});

describe('AWS Signature V4, exactly', () => {
	const base = {
		method: 'post',
		url: 'https://sns.us-east-1.amazonaws.com/',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
		body: 'Action=Publish',
		region: 'us-east-1',
		service: 'sns',
		accessKeyId: 'AKIDEXAMPLE',
		secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
		date: new Date('2015-08-30T12:36:00.000Z'),
	};

	it('encodes as AWS does: RFC 3986 unreserved characters only', () => {
		expect(awsUriEncode("a b!'()*~-_.é/")).toBe('a%20b%21%27%28%29%2A~-_.%C3%A9%2F');
		expect(amzDate(base.date)).toBe('20150830T123600Z');
	});

	it('builds the canonical request, the string to sign and the headers', async () => {
		const signed = signAwsRequest(base);
		const bodyHash = createHash('sha256').update('Action=Publish').digest('hex');
		expect(signed.canonicalRequest).toBe(
			[
				'POST',
				'/',
				'',
				'content-type:application/x-www-form-urlencoded; charset=utf-8',
				'host:sns.us-east-1.amazonaws.com',
				`x-amz-content-sha256:${bodyHash}`,
				'x-amz-date:20150830T123600Z',
				'',
				'content-type;host;x-amz-content-sha256;x-amz-date',
				bodyHash,
			].join('\n'),
		);
		expect(signed.stringToSign.split('\n').slice(0, 3)).toEqual(['AWS4-HMAC-SHA256', '20150830T123600Z', '20150830/us-east-1/sns/aws4_request']);
		expect(signed.headers).toEqual({
			host: 'sns.us-east-1.amazonaws.com',
			'x-amz-date': '20150830T123600Z',
			'x-amz-content-sha256': bodyHash,
			authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sns/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=${signed.signature}`,
		});
		const smithy = await new SignatureV4({ credentials: base, region: 'us-east-1', service: 'sns', sha256: Sha256 }).sign(
			{ method: 'POST', protocol: 'https:', hostname: 'sns.us-east-1.amazonaws.com', path: '/', headers: { 'content-type': base.headers['Content-Type'], host: 'sns.us-east-1.amazonaws.com', 'x-amz-content-sha256': bodyHash }, body: base.body },
			{ signingDate: base.date },
		);
		expect(signed.headers.authorization).toBe(smithy.headers.authorization);
	});

	it('normalises paths and queries, signs a session token, and never signs hop-by-hop headers', () => {
		const signed = signAwsRequest({
			...base,
			url: 'https://sns.us-east-1.amazonaws.com/a/./b/../c//d/?b=2&a=2&a=1&flag&sp=x+y&e=%2A',
			headers: { 'X-Custom': '  two   spaces ', Host: 'ignored', 'x-amz-date': 'ignored', 'User-Agent': 'ua', Connection: 'keep-alive' },
			sessionToken: 'session',
		});
		const lines = signed.canonicalRequest.split('\n');
		expect(lines[1]).toBe('/a/c/d/');
		expect(lines[2]).toBe('a=1&a=2&b=2&e=%2A&flag=&sp=x%20y');
		expect(signed.canonicalRequest).toContain('x-custom:two spaces\n');
		expect(signed.canonicalRequest).toContain('x-amz-security-token:session\n');
		expect(signed.canonicalRequest).toContain('host:sns.us-east-1.amazonaws.com\n');
		expect(signed.canonicalRequest).not.toContain('ignored');
		expect(signed.headers['x-amz-security-token']).toBe('session');
		const parsed = parseAwsAuthorization(signed.headers.authorization);
		expect(parsed?.signedHeaders).toEqual(['host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token', 'x-custom'].filter((h) => signed.canonicalRequest.includes(`${h}:`)).sort());
		expect(parsed?.signedHeaders).not.toContain('connection');
		expect(signAwsRequest({ ...base, url: 'https://h/?' }).canonicalRequest.split('\n')[2]).toBe('');
		expect(signAwsRequest({ ...base, url: 'https://h/a/..' }).canonicalRequest.split('\n')[1]).toBe('/');
		expect(signAwsRequest({ ...base, url: 'https://h/a%20b/' }).canonicalRequest.split('\n')[1]).toBe('/a%2520b/');
	});

	it('parses an Authorization header, and refuses what is not one', () => {
		const header = signAwsRequest(base).headers.authorization;
		expect(parseAwsAuthorization(` ${header} `)).toEqual({
			accessKeyId: 'AKIDEXAMPLE',
			date: '20150830',
			region: 'us-east-1',
			service: 'sns',
			signedHeaders: ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date'],
			signature: signAwsRequest(base).signature,
		});
		for (const bad of [undefined, '', 'Basic abc', header.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'), header.slice(0, -1), `${header}0`]) {
			expect(parseAwsAuthorization(bad)).toBeUndefined();
		}
	});
});
