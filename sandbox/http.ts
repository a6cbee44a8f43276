/** HTTP helpers for the sandbox: request targets, bounded bodies, responses, auth headers. None of them throws on input. */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SandboxRequest, SandboxResponse } from './types';

/** The most a request body may carry: more is answered 413 and not read. */
export const BODY_LIMIT = 1024 * 1024;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
	return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

export function xml(status: number, body: string, headers: Record<string, string> = {}): SandboxResponse {
	return { status, headers: { 'Content-Type': 'text/xml', ...headers }, body };
}

export function form(req: SandboxRequest): URLSearchParams {
	return new URLSearchParams(req.rawBody);
}

export function jsonBody(req: SandboxRequest): Record<string, unknown> | undefined {
	try {
		const parsed: unknown = JSON.parse(req.rawBody);
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Split a request target into path and query without resolving it against anything: `//`, `/..` and
 * `//host/x` stay paths (a WHATWG URL would throw on `//` or take `host` for a host). An absolute-form target
 * (`http://host/path`, as proxies send) gives its path.
 */
export function parseTarget(target: string): { path: string; query: URLSearchParams } {
	let rest = target;
	if (/^https?:\/\//i.test(rest)) {
		const slash = rest.indexOf('/', rest.indexOf('//') + 2);
		rest = slash < 0 ? '/' : rest.slice(slash);
	}
	const hash = rest.indexOf('#');
	if (hash >= 0) rest = rest.slice(0, hash);
	const mark = rest.indexOf('?');
	const path = mark < 0 ? rest : rest.slice(0, mark);
	return { path: path || '/', query: new URLSearchParams(mark < 0 ? '' : rest.slice(mark + 1)) };
}

/** decodeURIComponent that gives undefined on malformed percent-encoding instead of throwing. */
export function safeDecode(text: string): string | undefined {
	try {
		return decodeURIComponent(text);
	} catch {
		return undefined;
	}
}

/** An absolute http: or https: URL with a host; nothing else is ever fetched by the sandbox. */
export function httpUrl(value: unknown): URL | undefined {
	if (typeof value !== 'string' || value.length > 2048) return undefined;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return undefined;
	}
	if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
	return url;
}

export type BodyResult = { kind: 'ok'; body: string } | { kind: 'tooLarge' } | { kind: 'failed'; error: Error };

/**
 * Read a request body up to `limit` bytes, as UTF-8 (bad bytes become U+FFFD). Never rejects. A declared
 * Content-Length over the limit is refused before reading; a body that grows past it stops being kept.
 */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<BodyResult> {
	return new Promise((resolve) => {
		const declared = Number(req.headers['content-length']);
		if (Number.isFinite(declared) && declared > limit) {
			resolve({ kind: 'tooLarge' });
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		const finish = (result: BodyResult) => {
			if (done) return;
			done = true;
			req.off('data', onData);
			resolve(result);
		};
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				chunks.length = 0;
				req.pause();
				finish({ kind: 'tooLarge' });
				return;
			}
			chunks.push(chunk);
		};
		req.on('data', onData);
		req.on('end', () => finish({ kind: 'ok', body: Buffer.concat(chunks).toString('utf-8') }));
		req.on('error', (error) => finish({ kind: 'failed', error }));
		req.on('close', () => finish({ kind: 'failed', error: new Error('the client closed the connection') }));
	});
}

/** Write a response; throws (to the server's guard) when Node refuses its status or a header. */
export function write(res: ServerResponse, response: SandboxResponse): void {
	res.writeHead(response.status, response.headers ?? {});
	res.end(response.body ?? '');
}

export function basicAuth(req: SandboxRequest): { user: string; password: string } | undefined {
	const header = req.headers.authorization;
	if (!header?.startsWith('Basic ')) return undefined;
	const decoded = Buffer.from(header.slice(6), 'base64').toString('utf-8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function bearer(req: SandboxRequest): string | undefined {
	const header = req.headers.authorization;
	return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** RFC 2822 date, as Twilio writes them. */
export function rfc2822(date: Date): string {
	return date.toUTCString().replace('GMT', '+0000');
}

/** Text for XML content: markup escaped, and characters XML 1.0 cannot carry (controls, lone surrogates) replaced. */
export function escapeXml(text: string): string {
	return (
		text
			// eslint-disable-next-line no-control-regex -- these are exactly the characters to replace
			.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
			.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string)
	);
}

/** One POST, answered or not within the timeout: a test's webhook, fired by the control API. Never retried. */
export function postOnce(url: string, headers: Record<string, string>, body: string, timeoutMs = 10_000): Promise<{ status: number | null; contentType: string | null; body: string; error: string | null }> {
	const target = httpUrl(url);
	if (!target) return Promise.resolve({ status: null, contentType: null, body: '', error: 'refused: the URL must be an absolute http(s) URL' });
	return new Promise((resolve) => {
		const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
		const req = send(target, { method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
			const chunks: Buffer[] = [];
			let size = 0;
			res.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size <= 64 * 1024) chunks.push(chunk);
			});
			res.on('error', (error) => resolve({ status: res.statusCode ?? null, contentType: null, body: '', error: error.message }));
			res.on('end', () => resolve({ status: res.statusCode ?? null, contentType: res.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString('utf-8'), error: null }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (error) => resolve({ status: null, contentType: null, body: '', error: error.message }));
		req.end(body);
	});
}
