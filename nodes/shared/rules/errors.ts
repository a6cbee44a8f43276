/**
 * One error model for every provider: what kind of failure it is (which decides retry and fallback),
 * the provider's own code, and a sentence a non-developer can act on.
 */
import type { ProviderName } from './status';

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

export const PROVIDER_LABEL: Record<ProviderName, string> = {
	twilio: 'Twilio',
	sinch: 'Sinch',
	sns: 'AWS SNS',
};

export class ProviderError extends Error {
	readonly provider: ProviderName;
	readonly kind: FailureKind;
	readonly code: string | undefined;
	readonly httpStatus: number | undefined;
	/** The provider's own words, kept apart from our sentence. */
	readonly providerMessage: string | undefined;
	readonly retryAfterMs: number | undefined;

	constructor(init: {
		provider: ProviderName;
		kind: FailureKind;
		message: string;
		code?: string | number;
		httpStatus?: number;
		providerMessage?: string;
		retryAfterMs?: number;
	}) {
		super(init.message);
		this.name = 'ProviderError';
		this.provider = init.provider;
		this.kind = init.kind;
		this.code = init.code === undefined ? undefined : String(init.code);
		this.httpStatus = init.httpStatus;
		this.providerMessage = init.providerMessage;
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
}

interface CodeRule {
	kind: FailureKind;
	/** What to do, for a person: completes "<meaning> (<Provider> <code>): <advice>". */
	meaning: string;
	advice: string;
}

const rule = (kind: FailureKind, meaning: string, advice: string): CodeRule => ({ kind, meaning, advice });

/** Twilio's error codes (https://www.twilio.com/docs/api/errors). */
export const TWILIO_CODES: Record<string, CodeRule> = {
	'20003': rule('auth', 'Twilio refused the credentials', 'check the Account SID and Auth Token (or API Key SID and Secret) in the credential'),
	'20404': rule('notFound', 'Twilio has no such message', 'check the message SID and that it belongs to this account'),
	'20429': rule('rateLimited', 'Too many requests to Twilio at once', 'lower the number of parallel sends or wait a moment'),
	'21211': rule('recipient', "The 'To' number is not a valid phone number", 'correct the number or remove the recipient'),
	'21408': rule('config', 'Sending SMS to this country is not enabled on the Twilio account', "enable the country in Twilio's Messaging Geo Permissions"),
	'21602': rule('content', 'The message body is empty', 'write a message or add a media URL'),
	'21604': rule('recipient', "The 'To' number is missing", 'map a phone number into the To field'),
	'21606': rule('config', "The 'From' number is not a message-capable number of this Twilio account", 'use one of the account’s SMS numbers, or a Messaging Service SID'),
	'21608': rule('config', 'The Twilio account is a trial account and the recipient is not verified', 'verify the number in the Twilio console or upgrade the account'),
	'21610': rule('recipient', 'The recipient replied STOP', 'remove them from the list; they can text START to opt back in'),
	'21611': rule('config', "The sender's queue is full (more than 10 hours of backlog)", 'send more slowly or spread the sending over more numbers'),
	'21612': rule('recipient', 'The sender cannot reach this recipient', 'use a sender that can reach this country or carrier'),
	'21614': rule('recipient', "The 'To' number is not a mobile number", 'remove landlines from the list (the Phone Number node can filter them)'),
	'21617': rule('content', 'The message is longer than 1600 characters', 'shorten the message'),
	'35111': rule('request', 'Scheduling needs a Messaging Service', 'set a Messaging Service SID instead of a From number'),
	'35115': rule('request', 'The send time is outside the window Twilio allows', 'schedule between 15 minutes and 35 days ahead'),
	'30001': rule('config', 'The sender queue overflowed', 'send more slowly'),
	'30002': rule('auth', 'The Twilio account is suspended', 'contact Twilio support'),
	'30003': rule('recipient', 'The handset is unreachable', 'try again later or remove the number'),
	'30004': rule('recipient', 'The message was blocked by the recipient or carrier', 'do not retry; remove the number'),
	'30005': rule('recipient', 'The number is unknown or no longer in service', 'remove the number'),
	'30006': rule('recipient', 'The number is a landline or cannot receive SMS', 'remove the number'),
	'30007': rule('content', 'The carrier filtered the message as spam', 'register the sender (A2P 10DLC / toll-free verification) and review the wording'),
	'30008': rule('unavailable', 'The carrier reported an unknown error', 'try again later'),
	'30036': rule('config', 'The message expired in the sender queue (validity period)', 'send more slowly or lengthen the validity period'),
	'63016': rule('content', 'WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message', 'send an approved template instead'),
};

/** Sinch SMS (XMS) error codes. */
export const SINCH_CODES: Record<string, CodeRule> = {
	unauthorized: rule('auth', 'Sinch refused the credentials', 'check the service plan ID and API token (or the access key) in the credential'),
	forbidden: rule('auth', 'Sinch refused access to this service plan', 'check that the token belongs to this service plan'),
	syntax_invalid_json: rule('request', 'Sinch could not read the request', 'report this as a bug in the node'),
	syntax_invalid_parameter_format: rule('request', 'Sinch refused a parameter', 'check the numbers and options'),
	syntax_constraint_violation: rule('request', 'Sinch refused a parameter value', 'check the numbers and options'),
	missing_parameter: rule('request', 'A parameter Sinch needs is missing', 'fill in the From and To fields'),
	unknown_group: rule('request', 'Sinch has no such group', 'check the group ID'),
	unknown_campaign: rule('config', 'Sinch has no such campaign for US sending', 'check the campaign ID in the Sinch dashboard'),
	missing_callback_url: rule('config', 'Sinch needs a callback URL for delivery reports', 'set a status callback URL or turn delivery reports off'),
	unprovisioned_region: rule('config', 'The Sinch service plan is not provisioned in this region', 'pick the region of the service plan in the credential'),
	not_found: rule('notFound', 'Sinch has no such batch', 'check the batch ID'),
	too_many_requests: rule('rateLimited', 'Too many requests to Sinch', 'send more slowly'),
	internal_error: rule('unavailable', 'Sinch had an internal error', 'try again later'),
};

/** Sinch SMS delivery report codes (asynchronous). */
export const SINCH_DELIVERY_CODES: Record<string, CodeRule> = {
	'402': rule('recipient', 'The number cannot be routed', 'check the number'),
	'403': rule('unavailable', 'Sinch had an internal error', 'try again later'),
	'404': rule('recipient', 'Temporary delivery failure', 'try again later'),
	'406': rule('recipient', 'The message expired before delivery', 'check the handset is on; lengthen the expiry'),
	'407': rule('request', 'The message was cancelled', 'nothing to do'),
	'408': rule('recipient', 'The message was rejected', 'remove the number'),
	'410': rule('config', 'The sender is not allowed for this destination', 'use a sender registered for this country'),
	'411': rule('content', 'The message has too many parts', 'shorten the message'),
	'412': rule('config', 'The destination region is not provisioned', 'ask Sinch to enable the region'),
	'413': rule('recipient', 'The recipient is blocked', 'remove the number'),
};

/** AWS SNS error codes (query API). */
export const SNS_CODES: Record<string, CodeRule> = {
	InvalidParameter: rule('request', 'AWS SNS refused a parameter', 'check the phone number, Sender ID and SMS type'),
	ParameterValueInvalid: rule('request', 'AWS SNS refused a parameter value', 'check the phone number, Sender ID and SMS type'),
	OptedOut: rule('recipient', 'The recipient opted out of SMS from this AWS account', 'remove them from the list; they can opt back in through the SNS console'),
	Throttling: rule('rateLimited', 'AWS SNS is throttling the account (rate exceeded)', 'send more slowly or ask AWS for a higher limit'),
	Throttled: rule('rateLimited', 'AWS SNS is throttling the account', 'send more slowly'),
	AuthorizationError: rule('auth', 'The AWS credentials may not publish SMS', 'give the IAM user the sns:Publish permission'),
	InvalidClientTokenId: rule('auth', 'AWS does not know the access key ID', 'check the access key ID in the credential'),
	SignatureDoesNotMatch: rule('auth', 'AWS refused the request signature', 'check the secret access key in the credential'),
	ExpiredToken: rule('auth', 'The AWS session token has expired', 'refresh the temporary credentials'),
	AccessDenied: rule('auth', 'AWS denied access', 'check the IAM permissions of the credential'),
	KMSAccessDenied: rule('config', 'AWS KMS denied access', 'check the KMS key policy'),
	InternalError: rule('unavailable', 'AWS SNS had an internal error', 'try again later'),
	InternalFailure: rule('unavailable', 'AWS SNS had an internal failure', 'try again later'),
	ServiceUnavailable: rule('unavailable', 'AWS SNS is unavailable', 'try again later'),
};

const TABLES: Record<ProviderName, Record<string, CodeRule>> = {
	twilio: TWILIO_CODES,
	sinch: SINCH_CODES,
	sns: SNS_CODES,
};

function kindFromHttp(status: number | undefined): FailureKind {
	if (status === undefined) return 'ambiguous';
	if (status === 429) return 'rateLimited';
	if (status === 401 || status === 403) return 'auth';
	if (status === 404) return 'notFound';
	if (status === 502 || status === 503 || status === 504 || status === 500) return 'unavailable';
	if (status >= 500) return 'unavailable';
	return 'request';
}

/** Describe a provider's error answer in our model. */
export function classifyProviderError(init: {
	provider: ProviderName;
	httpStatus?: number;
	code?: string | number | null;
	providerMessage?: string;
	retryAfterMs?: number;
}): ProviderError {
	const { provider, httpStatus, providerMessage, retryAfterMs } = init;
	const code = init.code === undefined || init.code === null ? undefined : String(init.code);
	const label = PROVIDER_LABEL[provider];
	const known = code !== undefined ? TABLES[provider][code] : undefined;
	let kind = known?.kind ?? kindFromHttp(httpStatus);
	// A server error is a server error whatever code came with it; a 429 is always safe to retry.
	if (httpStatus !== undefined && httpStatus >= 500) kind = 'unavailable';
	if (httpStatus === 429) kind = 'rateLimited';
	// Sinch reports a bad recipient as a format error naming the field.
	if (provider === 'sinch' && kind === 'request' && /\bto\b|recipient|msisdn/i.test(providerMessage ?? '')) {
		kind = 'recipient';
	}
	if (provider === 'sns' && code === 'InvalidParameter' && /phone ?number/i.test(providerMessage ?? '')) {
		kind = 'recipient';
	}
	const where = code !== undefined ? `${label} ${code}` : `${label}, HTTP ${httpStatus ?? 'no answer'}`;
	let message: string;
	if (known) {
		message = `${known.meaning} (${where}): ${known.advice}`;
	} else {
		message = `${genericMeaning(kind, label)} (${where})${providerMessage ? `: ${providerMessage}` : ''}`;
	}
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
		default:
			return `${label} refused the request`;
	}
}

/** Connection-level failures, by the error code Node gives them. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED_BEFORE_WRITE']);

/**
 * A failure with no HTTP answer. Refused connections and failed look-ups never carried the request:
 * safe to retry. A reset or timeout after the request was written is ambiguous: the provider may have
 * processed it, so it is never retried blindly.
 */
export function classifyNetworkError(provider: ProviderName, errorCode: string | undefined, detail: string): ProviderError {
	const label = PROVIDER_LABEL[provider];
	if (errorCode && NEVER_SENT.has(errorCode)) {
		return new ProviderError({
			provider,
			kind: 'network',
			code: errorCode,
			message: `Could not connect to ${label} (${errorCode}): check the network and the credential's Base URL`,
			providerMessage: detail,
		});
	}
	return new ProviderError({
		provider,
		kind: 'ambiguous',
		code: errorCode,
		message:
			`${label} did not answer after the request was sent (${errorCode ?? 'no response'}), so the message may or may not have gone out. ` +
			'It was not sent again, to avoid a duplicate: check the provider’s message log before resending',
		providerMessage: detail,
	});
}

/** The actionable sentence for an asynchronous error code (status callbacks, status look-ups). */
export function describeDeliveryError(provider: ProviderName, code: string | number | null | undefined): string | undefined {
	if (code === undefined || code === null || code === '' || code === 0 || code === '0') return undefined;
	const key = String(code);
	const table = provider === 'sinch' ? SINCH_DELIVERY_CODES : TABLES[provider];
	const known = table[key];
	const label = PROVIDER_LABEL[provider];
	return known ? `${known.meaning} (${label} ${key}): ${known.advice}` : `Delivery failed (${label} ${key})`;
}
