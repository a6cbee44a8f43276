/**
 * Secrets out of everything a provider (or a proxy in front of it) sends back. An echoing server puts the
 * request's Authorization header, Basic credentials, bearer tokens or form fields into its answer; none of it
 * may reach an output item, an error, the execution data or a log line, in plain, base64 or URL-encoded form.
 */

export const REDACTED = '[redacted]';

const SCHEME_NAMES = 'Basic|Bearer|Application|AWS4-HMAC-SHA256|Digest|Token';
/** Header-style credentials, whatever secret they carry (a token we never saw, refreshed mid-request). */
const SCHEMES = new RegExp(`\\b(${SCHEME_NAMES})(\\s+)([^\\s"'<>,;]+(?:,\\s*(?:SignedHeaders|Signature)=[^\\s"'<>,;]+)*)`, 'gi');
/** JSON, form, XML or header fields whose value is a secret by name. */
const SECRET_NAMES =
	'authorization|proxy-authorization|x-amz-security-token|x-amz-signature|access_token|accesstoken|refresh_token|client_secret|clientsecret|id_token|password|secret|secretaccesskey|secret_access_key|sessiontoken|session_token|authtoken|auth_token|api_token|apitoken|apikeysecret|api_key_secret|keysecret|key_secret|x-sinch-webhook-signature|x-twilio-signature';
/**
 * Every pattern below needs one of these words (in any case): a text without any (most fields of an answer: IDs,
 * dates, numbers, statuses) is left as it is without running them.
 */
const PATTERN_WORDS = new RegExp(`${SCHEME_NAMES}|${SECRET_NAMES}`, 'i');
const NAMED_JSON = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\s]+)`, 'gi');
const NAMED_FORM = new RegExp(`(^|[?&\\s])((?:${SECRET_NAMES})=)([^&\\s]*)`, 'gi');
const NAMED_HEADER = new RegExp(`(^|[\\r\\n])((?:${SECRET_NAMES}):[ \\t]*)([^\\r\\n]*)`, 'gi');
const NAMED_XML = new RegExp(`(<(${SECRET_NAMES})>)([^<]*)(</\\2>)`, 'gi');

function base64Forms(value: string): string[] {
	const b64 = Buffer.from(value, 'utf-8').toString('base64');
	const url = b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
	return [b64, b64.replace(/=+$/, ''), url];
}

/** Every form a secret can take on the wire: as is, base64 (standard and URL-safe) and URL-encoded. */
export function secretForms(secret: string): string[] {
	const forms = new Set<string>([secret, ...base64Forms(secret)]);
	forms.add(encodeURIComponent(secret));
	forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
	forms.add(JSON.stringify(secret).slice(1, -1));
	return [...forms].filter((form) => form.length >= 4);
}

export type Redactor = (text: string) => string;

/**
 * A redactor for these secrets (raw values, and composites such as `user:password` whose base64 is a Basic
 * header), that also blanks credential-looking headers and fields of any value.
 */
export function makeRedactor(secrets: Iterable<string | undefined | null>): Redactor {
	const forms = new Set<string>();
	for (const secret of secrets) {
		if (typeof secret !== 'string' || secret.length < 4) continue;
		for (const form of secretForms(secret)) forms.add(form);
	}
	// Longest first, so a composite's base64 is replaced before a part of it could be.
	const literal = [...forms].sort((a, b) => b.length - a.length);
	return (text: string) => {
		if (typeof text !== 'string' || text === '') return text;
		let out = text;
		// A secret written with character references (&#47; for /) would come out whole once the answer is decoded.
		if (/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/i.test(out)) {
			const decoded = decodeCharacterReferences(out);
			if (literal.some((form) => decoded.includes(form))) out = decoded;
		}
		for (const form of literal) if (out.includes(form)) out = out.split(form).join(REDACTED);
		return blankCredentialFields(out);
	};
}

/** Whether a text holds a word that a credential-looking header or field starts with: without one, it holds none. */
export function mayHoldCredentialFields(text: string): boolean {
	return PATTERN_WORDS.test(text);
}

/** Credential-looking headers and fields blanked, whatever their value. */
export function blankCredentialFields(text: string): string {
	return mayHoldCredentialFields(text) ? blankEveryPattern(text) : text;
}

/** Every pattern run over the text (what blankCredentialFields does once a text holds one of their words). */
export function blankEveryPattern(text: string): string {
	return text
		.replace(SCHEMES, (_, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
		.replace(NAMED_JSON, (_, key: string) => `${key}"${REDACTED}"`)
		.replace(NAMED_FORM, (_, lead: string, key: string) => `${lead}${key}${REDACTED}`)
		.replace(NAMED_HEADER, (_, lead: string, key: string) => `${lead}${key}${REDACTED}`)
		.replace(NAMED_XML, (_, open: string, _name: string, _value: string, close: string) => `${open}${REDACTED}${close}`);
}

function decodeCharacterReferences(text: string): string {
	return text
		.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => safeCodePoint(parseInt(hex, 16)))
		.replace(/&#(\d+);/g, (_, dec: string) => safeCodePoint(Number(dec)))
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&amp;/g, '&');
}

function safeCodePoint(n: number): string {
	return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
}

const SECRET_KEY = new RegExp(`^(?:${SECRET_NAMES})$`, 'i');

/** A deep copy of a decoded answer with every string redacted and secret-named fields blanked. */
export function redactDeep<T>(value: T, redact: Redactor, depth = 0): T {
	if (depth > 50) return REDACTED as unknown as T;
	if (typeof value === 'string') return redact(value) as unknown as T;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1)) as unknown as T;
	if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
		const out: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
			const cleanKey = redact(key);
			out[cleanKey] = SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '' ? REDACTED : redactDeep(v, redact, depth + 1);
		}
		return out as T;
	}
	if (Buffer.isBuffer(value)) return redact(value.toString('utf-8')) as unknown as T;
	return value;
}
