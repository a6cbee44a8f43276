/**
 * X-Twilio-Signature: HMAC-SHA1 over the URL Twilio called followed by the POST parameters in key order,
 * keyed with the account's Auth Token, base64-encoded.
 */
import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from './compare';

export type TwilioParams = Record<string, string | string[] | undefined>;

export function twilioSignatureData(url: string, params: TwilioParams): string {
	let data = url;
	for (const key of Object.keys(params).sort()) {
		const value = params[key];
		if (value === undefined) continue;
		if (Array.isArray(value)) {
			for (const v of [...new Set(value)].sort()) data += key + v;
		} else {
			data += key + value;
		}
	}
	return data;
}

export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
	return createHmac('sha1', authToken).update(Buffer.from(twilioSignatureData(url, params), 'utf-8')).digest('base64');
}

/** The URL with its default port added when absent, or removed when present (Twilio signs either). */
export function urlPortVariants(url: string): string[] {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return [url];
	}
	const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
	if (!defaultPort) return [url];
	const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
	if (!match) return [url];
	const [, scheme, authority] = match;
	// Rebuild around the authority's own place: the host's text may also appear earlier (in the scheme).
	const withAuthority = (value: string) => scheme + value + url.slice(scheme.length + authority.length);
	const hostPart = authority.slice(authority.lastIndexOf('@') + 1);
	const explicitPort = /:(\d+)$/.exec(hostPart)?.[1];
	if (explicitPort === undefined) return [url, withAuthority(`${authority}:${defaultPort}`)];
	if (explicitPort === defaultPort) return [url, withAuthority(authority.slice(0, -(defaultPort.length + 1)))];
	return [url];
}

export interface TwilioSignatureCheck {
	authToken: string;
	signature: string | undefined;
	url: string;
	/** Form parameters (form-encoded requests). */
	params?: TwilioParams;
	/** The raw body of a JSON request: checked against the bodySHA256 query parameter. */
	rawBody?: string | Buffer;
}

/** True when the signature is Twilio's for this request. Constant-time comparison. */
export function validateTwilioSignature(check: TwilioSignatureCheck): boolean {
	const { authToken, signature, url } = check;
	if (!signature || !authToken) return false;
	const bodyHash = bodySha256FromUrl(url);
	if (bodyHash !== undefined) {
		if (check.rawBody === undefined) return false;
		const actual = createHash('sha256').update(check.rawBody).digest('hex');
		if (!safeEqual(actual, bodyHash)) return false;
		return urlPortVariants(url).some((u) => safeEqual(computeTwilioSignature(authToken, u, {}), signature));
	}
	const params = check.params ?? {};
	return urlPortVariants(url).some((u) => safeEqual(computeTwilioSignature(authToken, u, params), signature));
}

function bodySha256FromUrl(url: string): string | undefined {
	try {
		return new URL(url).searchParams.get('bodySHA256') ?? undefined;
	} catch {
		return undefined;
	}
}
