/**
 * AWS Signature Version 4 for a request whose body is already a string.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsSigningInput {
	method: string;
	/** Absolute URL, query string included. */
	url: string;
	headers: Record<string, string>;
	body: string;
	region: string;
	service: string;
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	date?: Date;
}

/** Headers AWS never signs: proxies and clients change them. */
const UNSIGNABLE = new Set([
	'authorization',
	'cache-control',
	'connection',
	'expect',
	'from',
	'keep-alive',
	'max-forwards',
	'pragma',
	'referer',
	'te',
	'trailer',
	'transfer-encoding',
	'upgrade',
	'user-agent',
	'x-amzn-trace-id',
]);

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf-8').digest();

/** RFC 3986 percent-encoding, as AWS wants it. */
export function awsUriEncode(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function amzDate(date: Date): string {
	return date.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** A URL's path as SigV4 signs it; `.` and `..` (and their %2e forms) are already resolved by the URL parser. */
function canonicalPath(pathname: string): string {
	const segments = pathname.split('/').filter((segment) => segment !== '');
	const path = `/${segments.join('/')}${segments.length > 0 && pathname.endsWith('/') ? '/' : ''}`;
	return awsUriEncode(path).replace(/%2F/g, '/');
}

function canonicalQuery(search: string): string {
	if (search === '' || search === '?') return '';
	const pairs: Array<[string, string]> = [];
	for (const part of search.replace(/^\?/, '').split('&')) {
		if (part === '') continue;
		const eq = part.indexOf('=');
		const rawKey = eq === -1 ? part : part.slice(0, eq);
		const rawValue = eq === -1 ? '' : part.slice(eq + 1);
		const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, '%20'));
		pairs.push([awsUriEncode(decode(rawKey)), awsUriEncode(decode(rawValue))]);
	}
	pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
	return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export interface AwsSignature {
	/** Headers to add to the request (host included). */
	headers: Record<string, string>;
	canonicalRequest: string;
	stringToSign: string;
	signature: string;
}

export function signAwsRequest(input: AwsSigningInput): AwsSignature {
	const url = new URL(input.url);
	const date = input.date ?? new Date();
	const stamp = amzDate(date);
	const day = stamp.slice(0, 8);
	const payloadHash = sha256Hex(input.body);
	const added: Record<string, string> = {
		host: url.host,
		'x-amz-date': stamp,
		'x-amz-content-sha256': payloadHash,
	};
	if (input.sessionToken) added['x-amz-security-token'] = input.sessionToken;

	const all = new Map<string, string>();
	for (const [name, value] of Object.entries(input.headers)) {
		const lower = name.toLowerCase();
		if (UNSIGNABLE.has(lower) || lower in added) continue;
		all.set(lower, String(value).trim().replace(/\s+/g, ' '));
	}
	for (const [name, value] of Object.entries(added)) all.set(name, value);
	const names = [...all.keys()].sort();
	const signedHeaders = names.join(';');
	const canonicalHeaders = names.map((n) => `${n}:${all.get(n)}\n`).join('');

	const canonicalRequest = [
		input.method.toUpperCase(),
		canonicalPath(url.pathname),
		canonicalQuery(url.search),
		canonicalHeaders,
		signedHeaders,
		payloadHash,
	].join('\n');
	const scope = `${day}/${input.region}/${input.service}/aws4_request`;
	const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n');
	const kDate = hmac(`AWS4${input.secretAccessKey}`, day);
	const kRegion = hmac(kDate, input.region);
	const kService = hmac(kRegion, input.service);
	const kSigning = hmac(kService, 'aws4_request');
	const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf-8').digest('hex');
	return {
		headers: {
			...added,
			authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
		},
		canonicalRequest,
		stringToSign,
		signature,
	};
}

export interface ParsedAwsAuthorization {
	accessKeyId: string;
	date: string;
	region: string;
	service: string;
	signedHeaders: string[];
	signature: string;
}

export function parseAwsAuthorization(header: string | undefined): ParsedAwsAuthorization | undefined {
	if (!header) return undefined;
	const match =
		/^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(
			header.trim(),
		);
	if (!match) return undefined;
	return {
		accessKeyId: match[1],
		date: match[2],
		region: match[3],
		service: match[4],
		signedHeaders: match[5].split(';'),
		signature: match[6],
	};
}
