import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SandboxRequest {
	method: string;
	/** Path without the query. */
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	rawBody: string;
	/** The URL as the client asked for it. */
	url: string;
}

export interface SandboxResponse {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

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

export function readBody(req: IncomingMessage, limit = 5 * 1024 * 1024): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new Error('body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf-8')));
		req.on('error', reject);
	});
}

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

export function escapeXml(text: string): string {
	return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}
