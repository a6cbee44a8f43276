/**
 * A raw HTTP/1.1 client for testing the sandbox with what real clients refuse to send (`GET //`, odd methods, no
 * Host, bytes that are not UTF-8, broken header lines), plus checks of each provider's error shape.
 */
import { connect } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawRequest {
	method?: string;
	/** The request target, sent as is ('/' by default; unused with raw). */
	path?: string;
	/** Header lines, sent as is (a null value leaves out a default header). Host and Connection: close by default. */
	headers?: Record<string, string | null>;
	body?: string | Buffer;
	/** Send the body with Transfer-Encoding: chunked (its size not declared up front) instead of Content-Length. */
	chunked?: boolean;
	/** Send these bytes instead of building a request. */
	raw?: Buffer;
	httpVersion?: string;
}

export interface RawResponse {
	/** 0 when the server closed the connection without an answer. */
	status: number;
	headers: Record<string, string>;
	body: string;
	/** Set when the connection failed or timed out before an answer. */
	error?: string;
}

export function buildRequest(port: number, request: RawRequest): Buffer {
	if (request.raw) return request.raw;
	let body = request.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf-8');
	const headers: Record<string, string | null> = {
		Host: `127.0.0.1:${port}`,
		Connection: 'close',
		...(request.chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(body.length) }),
		...request.headers,
	};
	if (request.chunked) {
		const parts: Buffer[] = [];
		for (let at = 0; at < body.length; at += 64 * 1024) {
			const part = body.subarray(at, at + 64 * 1024);
			parts.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
		}
		parts.push(Buffer.from('0\r\n\r\n'));
		body = Buffer.concat(parts);
	}
	let head = `${request.method ?? 'GET'} ${request.path ?? '/'} HTTP/${request.httpVersion ?? '1.1'}\r\n`;
	for (const [name, value] of Object.entries(headers)) if (value !== null) head += `${name}: ${value}\r\n`;
	return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

function decodeChunked(data: Buffer): Buffer {
	const parts: Buffer[] = [];
	let at = 0;
	for (;;) {
		const eol = data.indexOf('\r\n', at);
		if (eol < 0) break;
		const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
		if (!(size > 0)) break;
		parts.push(data.subarray(eol + 2, eol + 2 + size));
		at = eol + 2 + size + 2;
	}
	return Buffer.concat(parts);
}

export function parseResponse(data: Buffer): Omit<RawResponse, 'error'> {
	let rest = data;
	for (;;) {
		const end = rest.indexOf('\r\n\r\n');
		if (end < 0) return { status: 0, headers: {}, body: '' };
		const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
		const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0);
		const headers: Record<string, string> = {};
		for (const line of lines.slice(1)) {
			const colon = line.indexOf(':');
			if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		}
		let body = rest.subarray(end + 4);
		// Interim answers (100 Continue) come before the real one.
		if (status >= 100 && status < 200) {
			rest = body;
			continue;
		}
		if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = decodeChunked(body);
		else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
		return { status, headers, body: body.toString('utf-8') };
	}
}

/** One request on its own connection; resolves with what came back (never rejects). */
export function rawRequest(port: number, request: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		const chunks: Buffer[] = [];
		let failure: string | undefined;
		const timer = setTimeout(() => {
			failure = `no answer within ${timeoutMs} ms`;
			socket.destroy();
		}, timeoutMs);
		socket.on('data', (chunk) => chunks.push(chunk));
		socket.on('error', (error) => (failure ??= error.message));
		socket.on('close', () => {
			clearTimeout(timer);
			const response = parseResponse(Buffer.concat(chunks));
			// An answer that arrived counts even if the connection then broke (EPIPE after an early 413).
			resolve(response.status ? response : { ...response, error: failure ?? 'closed without an answer' });
		});
		socket.on('connect', () => {
			socket.write(buildRequest(port, request));
		});
	});
}

export type Shape = 'twilio' | 'sinch' | 'sinchVerification' | 'oauth' | 'sns' | 'sandbox';

/** Which error shape the sandbox owes a request, by where it was sent (the same rules the sandbox routes by). */
export function shapeFor(method: string, path: string): Shape {
	if (path === '/2010-04-01' || path.startsWith('/2010-04-01/')) return 'twilio';
	if (path === '/oauth2/token') return 'oauth';
	if (path === '/xms' || path.startsWith('/xms/')) return 'sinch';
	if (path === '/verification' || path.startsWith('/verification/')) return 'sinchVerification';
	if (method === 'POST' && path === '/') return 'sns';
	return 'sandbox';
}

const SNS_ERROR =
	/^<ErrorResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><Error><Type>(Sender|Receiver)<\/Type><Code>[A-Za-z]+<\/Code><Message>[^<]*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/;

function parsed(body: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(body);
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** Why an error answer is not in the shape owed, or undefined when it is. */
export function shapeProblem(shape: Shape, response: RawResponse): string | undefined {
	const type = response.headers['content-type'] ?? '';
	if (shape === 'sns') {
		if (!type.startsWith('text/xml')) return `SNS error with Content-Type ${type}`;
		return SNS_ERROR.test(response.body) ? undefined : 'not an SNS ErrorResponse';
	}
	if (!type.startsWith('application/json')) return `${shape} error with Content-Type ${type}`;
	const body = parsed(response.body);
	if (!body) return 'not a JSON object';
	switch (shape) {
		case 'twilio':
			return Number.isInteger(body.code) &&
				typeof body.message === 'string' &&
				body.more_info === `https://www.twilio.com/docs/errors/${String(body.code)}` &&
				body.status === response.status &&
				Object.keys(body).length === 4
				? undefined
				: 'not a Twilio error {code, message, more_info, status}';
		case 'sinch':
			return typeof body.code === 'string' && typeof body.text === 'string' && Object.keys(body).length === 2 ? undefined : 'not a Sinch error {code, text}';
		case 'sinchVerification':
			return Number.isInteger(body.errorCode) && typeof body.message === 'string' && typeof body.reference === 'string' && Object.keys(body).length === 3
				? undefined
				: 'not a Sinch Verification error {errorCode, message, reference}';
		case 'oauth':
			return typeof body.error === 'string' ? undefined : 'not an OAuth2 error {error, error_description}';
		case 'sandbox':
			return typeof body.error === 'string' ? undefined : 'not a sandbox error {error}';
	}
}

/** Headers that sign a POST / to the sandbox's SNS with Signature V4 (as the AWS SDK would), for a given body. */
export async function snsSignedHeaders(
	port: number,
	body: string,
	credentials: { accessKeyId: string; secretAccessKey: string; region: string },
	extra: Record<string, string> = {},
): Promise<Record<string, string>> {
	const signer = new SignatureV4({ credentials, region: credentials.region, service: 'sns', sha256: Sha256 });
	const headers = { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...extra };
	const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', query: {}, headers, body });
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') out[name] = String(value);
	return out;
}
