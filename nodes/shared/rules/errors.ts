/**
 * One error model for every provider: what kind of failure it is (which decides retry and fallback),
 * the provider's own code, and a sentence a non-developer can act on.
 */

export type FailureKind =
	/** The recipient is the problem (invalid, opted out, unreachable). Never retried, never fallen back from. */
	| 'recipient'
	/** The message is the problem (empty, too long, blocked content). Never fallen back from. */
	| 'content'
	/** The request is wrong in a way another provider would refuse too (bad parameter, window). */
	| 'request'
	/** Credentials refused. Another provider may work. */
	| 'auth'
	/** The account or sender is not set up for this (region, sender number, trial). Another provider may work. */
	| 'config'
	/** Too many requests: never processed, safe to retry. */
	| 'rateLimited'
	/** The provider failed (5xx): never processed, safe to retry. */
	| 'unavailable'
	/** No connection could be made: nothing was sent, safe to retry. */
	| 'network'
	/** The request was sent but no answer came: it may have been processed. Never retried blindly. */
	| 'ambiguous'
	/** The message (or other resource) does not exist. */
	| 'notFound'
	/** The provider cannot do this at all. */
	| 'unsupported';

export class ProviderError extends Error {
	/** The provider's name (`twilio`) and label (`Twilio`). */
	readonly provider: string;
	readonly providerLabel: string;
	readonly kind: FailureKind;
	readonly code: string | undefined;
	readonly httpStatus: number | undefined;
	/** The provider's own words, from its own error format; never a proxy's page or our transport's text. */
	readonly providerMessage: string | undefined;
	/** What the transport said (a system error, a timeout), kept apart from the provider's words. */
	readonly detail: string | undefined;
	readonly retryAfterMs: number | undefined;

	constructor(init: {
		provider: ProviderRef;
		kind: FailureKind;
		message: string;
		code?: string | number;
		httpStatus?: number;
		providerMessage?: string;
		detail?: string;
		retryAfterMs?: number;
	}) {
		super(init.message);
		this.name = 'ProviderError';
		this.provider = init.provider.name;
		this.providerLabel = init.provider.label;
		this.kind = init.kind;
		this.code = init.code === undefined ? undefined : String(init.code);
		this.httpStatus = init.httpStatus;
		this.providerMessage = init.providerMessage;
		this.detail = init.detail;
		this.retryAfterMs = init.retryAfterMs;
	}

	/** Safe to send again to the same provider. */
	get retryable(): boolean {
		return this.kind === 'rateLimited' || this.kind === 'unavailable' || this.kind === 'network';
	}

	/** Worth trying the next provider once this one has given up. */
	get allowsFallback(): boolean {
		return this.retryable || this.kind === 'auth' || this.kind === 'config' || this.kind === 'unsupported';
	}

	/** The provider may have processed the request: never send it again blindly. */
	get ambiguous(): boolean {
		return this.kind === 'ambiguous';
	}
}

interface CodeRule {
	kind: FailureKind;
	/** What to do, for a person: completes "<meaning> (<Provider> <code>): <advice>". */
	meaning: string;
	advice: string;
}

export const rule = (kind: FailureKind, meaning: string, advice: string): CodeRule => ({ kind, meaning, advice });

/** A provider's error codes (or delivery codes), each with its kind and sentence; kept in the provider's folder. */
export type CodeTable = Readonly<Record<string, CodeRule>>;

/** Who answered: enough to name the provider in a sentence. */
export interface ProviderRef {
	name: string;
	label: string;
}

/** The kind an HTTP status means when no code says more (429 and 5xx: classifyProviderError, whatever the code). */
function kindFromHttp(status: number | undefined): FailureKind {
	if (status === undefined) return 'ambiguous';
	if (status === 401 || status === 403) return 'auth';
	if (status === 404) return 'notFound';
	return 'request';
}

/**
 * Describe a provider's error answer in our model. `providerMessage` is the provider's own text, read from its
 * own error format; `kind` lets the provider reclassify an answer it knows better (a bad recipient reported as
 * a format error).
 */
export function classifyProviderError(
	provider: ProviderRef,
	codes: CodeTable,
	init: { httpStatus?: number; code?: string | number | null; providerMessage?: string; retryAfterMs?: number; kind?: FailureKind },
): ProviderError {
	const { httpStatus, providerMessage, retryAfterMs } = init;
	const code = init.code === undefined || init.code === null || init.code === '' ? undefined : String(init.code);
	const known = code !== undefined && Object.prototype.hasOwnProperty.call(codes, code) ? codes[code] : undefined;
	let kind = init.kind ?? known?.kind ?? kindFromHttp(httpStatus);
	// A server error is a server error whatever code came with it; a 429 is always safe to retry.
	if (httpStatus !== undefined && httpStatus >= 500) kind = 'unavailable';
	if (httpStatus === 429) kind = 'rateLimited';
	const where = code !== undefined ? `${provider.label} ${code}` : `${provider.label}, HTTP ${httpStatus ?? 'no answer'}`;
	const message = known && known.kind === kind
		? `${known.meaning} (${where}): ${known.advice}`
		: `${genericMeaning(kind, provider.label)} (${where})`;
	return new ProviderError({ provider, kind, message, code, httpStatus, providerMessage, retryAfterMs });
}

function genericMeaning(kind: FailureKind, label: string): string {
	switch (kind) {
		case 'rateLimited':
			return `${label} asked us to slow down`;
		case 'unavailable':
			return `${label} is failing or unavailable`;
		case 'auth':
			return `${label} refused the credentials`;
		case 'notFound':
			return `${label} has no such message`;
		case 'recipient':
			return `${label} refused the recipient`;
		case 'config':
			return `${label} refused the account's setup for this message`;
		case 'content':
			return `${label} refused the message text`;
		case 'ambiguous':
			return `${label} gave an answer that could not be read, so the message may or may not have gone out; it was not sent again, to avoid a duplicate`;
		default:
			return `${label} refused the request`;
	}
}

/** Connection failures that happen before a request can be written: nothing reached the provider. */
export const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EAI_FAIL',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EHOSTDOWN',
	'ENETDOWN',
	'EADDRNOTAVAIL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Requests refused before they left this machine: the node's or credential's settings are wrong. */
export const INVALID_REQUEST_CODES: ReadonlySet<string> = new Set([
	'ERR_INVALID_URL',
	'ERR_INVALID_CHAR',
	'ERR_INVALID_ARG_TYPE',
	'ERR_INVALID_ARG_VALUE',
	'ERR_INVALID_HTTP_TOKEN',
	'ERR_UNESCAPED_CHARACTERS',
	'ERR_INVALID_PROTOCOL',
	'ERR_BAD_OPTION_VALUE',
	'ERR_FR_TOO_MANY_REDIRECTS',
]);

/**
 * A failure with no HTTP answer. `reached` says whether the request may have reached the provider: a refused
 * connection, a failed look-up or a connect that timed out never carried it (safe to retry, and to fall back);
 * a request refused before it left (a bad URL or header) is a setup error another provider may not have; a reset
 * or timeout after the request was written is ambiguous: the provider may have processed it, so it is never
 * retried blindly.
 */
export function classifyNetworkError(
	provider: ProviderRef,
	errorCode: string | undefined,
	detail: string,
	reached: 'no' | 'maybe',
): ProviderError {
	const label = provider.label;
	if (errorCode && INVALID_REQUEST_CODES.has(errorCode)) {
		return new ProviderError({
			provider,
			kind: 'config',
			code: errorCode,
			message: `The request to ${label} could not be made (${errorCode}): check the credential's Base URL and the node's settings. Nothing was sent`,
			detail,
		});
	}
	if (reached === 'no' || (errorCode && NEVER_SENT_CODES.has(errorCode))) {
		return new ProviderError({
			provider,
			kind: 'network',
			code: errorCode,
			message: `Could not connect to ${label}${errorCode ? ` (${errorCode})` : ''}: check the network and the credential's Base URL. Nothing was sent`,
			detail,
		});
	}
	return new ProviderError({
		provider,
		kind: 'ambiguous',
		code: errorCode,
		message:
			`${label} did not answer after the request was sent (${errorCode || 'no response'}), so the message may or may not have gone out. ` +
			`It was not sent again, to avoid a duplicate: check what ${label} recorded before resending`,
		detail,
	});
}

/** The actionable sentence for an asynchronous error code (status callbacks, status look-ups). */
export function describeCode(provider: ProviderRef, table: CodeTable, code: string | number | null | undefined): string | undefined {
	if (code === undefined || code === null || code === '' || code === 0 || code === '0') return undefined;
	const key = String(code);
	const known = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
	return known ? `${known.meaning} (${provider.label} ${key}): ${known.advice}` : `Delivery failed (${provider.label} ${key})`;
}

/** A value as an error quotes it: at most `max` characters, with an ellipsis when cut (a hostile value can be huge). */
export function clip(value: string, max = 100): string {
	const chars = [...value];
	return chars.length <= max ? value : `${chars.slice(0, max).join('')}…`;
}
