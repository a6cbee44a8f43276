/** Small helpers for reading provider answers and building their URLs. */

/** A credential's Base URL override without its trailing slash, or the provider's real host when it is empty. */
export function baseUrlOr(override: unknown, realHost: string): string {
	return String(override ?? '').trim().replace(/\/+$/, '') || realHost;
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
	const lower = name.toLowerCase();
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() === lower) return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

export function asJson(body: unknown): Record<string, unknown> | undefined {
	if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return body as Record<string, unknown>;
	const text = Buffer.isBuffer(body) ? body.toString('utf-8') : typeof body === 'string' ? body : '';
	if (text.trim() === '') return undefined;
	try {
		const parsed: unknown = JSON.parse(text);
		return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** A value that is a plain JSON object (not a list, not null), or undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf-8');
	if (body === undefined || body === null) return '';
	return JSON.stringify(body);
}

/** Form encoding with repeated keys for arrays (Twilio's MediaUrl=a&MediaUrl=b). */
export function formEncode(fields: Record<string, string | number | boolean | string[] | undefined>): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(fields)) {
		if (value === undefined) continue;
		if (Array.isArray(value)) for (const v of value) params.append(key, v);
		else params.append(key, String(value));
	}
	return params.toString();
}

/** Read the first <Tag>…</Tag> of a small XML answer. */
export function xmlTag(xml: string, tag: string): string | undefined {
	const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
	return match ? decodeXml(match[1]) : undefined;
}

function decodeXml(text: string): string {
	return text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
		.replace(/&amp;/g, '&');
}

/** The inner text of every <Tag>…</Tag> of a small XML answer (AWS lists: <member>…</member>). */
export function xmlBlocks(xml: string, tag: string): string[] {
	return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1]);
}
