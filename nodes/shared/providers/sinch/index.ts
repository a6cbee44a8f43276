/**
 * Sinch's facts: hosts, statuses, error and delivery codes, secrets. Its SMS wire format is in sms.ts, Verification's in verify.ts.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { rule, type CodeTable } from '../../rules/errors';
import type { StatusTable } from '../../rules/status';
import { baseUrlOr } from '../wire';

export const SINCH = { name: 'sinch', label: 'Sinch' } as const;

/** Sinch's hosts for a credential: the real ones by region, or the base URLs the credential overrides them with. */
export function sinchHosts(credentials: ICredentialDataDecryptedObject) {
	const region = String(credentials.region || 'us');
	const project = credentials.smsAuth === 'project';
	// Conversation lives in us, eu and br; its own region, else the SMS region where Conversation has it, else us.
	const conversationRegion = [String(credentials.conversationRegion || ''), region].find((r) => ['us', 'eu', 'br'].includes(r)) ?? 'us';
	return {
		sms: baseUrlOr(credentials.smsBaseUrl, project ? `https://zt.${region}.sms.api.sinch.com` : `https://${region}.sms.api.sinch.com`),
		auth: baseUrlOr(credentials.authBaseUrl, 'https://auth.sinch.com'),
		verification: baseUrlOr(credentials.verificationBaseUrl, 'https://verification.api.sinch.com'),
		conversation: baseUrlOr(credentials.conversationBaseUrl, `https://${conversationRegion}.conversation.api.sinch.com`),
		/** The Provisioning API (WhatsApp templates and their approval): one host, not regionalised. */
		provisioning: baseUrlOr(credentials.provisioningBaseUrl, 'https://provisioning.api.sinch.com'),
		/** The path segment SMS requests are scoped by. */
		smsScope: project ? String(credentials.projectId ?? '') : String(credentials.servicePlanId ?? ''),
	};
}

export const SINCH_STATUSES: StatusTable = {
	// Batch-level states we synthesise from the batch resource.
	accepted: 'accepted',
	scheduled: 'scheduled',
	// Delivery report states (per recipient).
	queued: 'queued',
	dispatched: 'sent',
	delivered: 'delivered',
	failed: 'failed',
	expired: 'undelivered',
	rejected: 'failed',
	aborted: 'failed',
	cancelled: 'canceled',
	canceled: 'canceled',
	deleted: 'undelivered',
	unknown: 'unknown',
};

/** Sinch SMS (XMS) error codes. */
export const SINCH_CODES: CodeTable = {
	unauthorized: rule('auth', 'Sinch refused the credentials', 'check the service plan ID and API token (or the access key) in the credential'),
	forbidden: rule('auth', 'Sinch refused access to this service plan', 'check that the token belongs to this service plan'),
	syntax_invalid_json: rule('request', 'Sinch could not read the request', 'report this as a bug in the node'),
	syntax_invalid_parameter_format: rule('request', 'Sinch refused a parameter', 'check the numbers and options'),
	syntax_constraint_violation: rule('request', 'Sinch refused a parameter value', 'check the numbers and options'),
	missing_parameter: rule('request', 'A parameter Sinch needs is missing', 'fill in the From and To fields'),
	unknown_group: rule('request', 'Sinch has no such group', 'check the group ID'),
	unknown_campaign: rule('config', 'Sinch has no such campaign for US sending', 'check the campaign ID in the Sinch dashboard'),
	missing_callback_url: rule(
		'config',
		'Sinch needs a callback URL for delivery reports',
		"set the service plan's callback URL in the Sinch dashboard (SMS → APIs), or give a Status Callback URL",
	),
	unprovisioned_region: rule('config', 'The Sinch service plan is not provisioned in this region', 'pick the region of the service plan in the credential'),
	not_found: rule('notFound', 'Sinch has no such batch', 'check the batch ID'),
	too_many_requests: rule('rateLimited', 'Too many requests to Sinch', 'send more slowly'),
	internal_error: rule('unavailable', 'Sinch had an internal error', 'try again later'),
};

/**
 * Sinch Verification error codes ({errorCode, message, reference}), as developers.sinch.com/docs/verification/
 * api-reference/errors lists them. 429 and 5xx are retried whatever the code; a 404 on a check or a status look-up
 * is read as a verification that is gone, not as an error.
 */
export const SINCH_VERIFY_CODES: CodeTable = {
	'40001': rule('request', 'Sinch Verification refused a parameter', 'check the number (E.164, with + and the country code) and the channel'),
	'40002': rule('request', 'A parameter Sinch Verification needs is missing', 'check the number and the channel'),
	'40003': rule('request', 'Sinch Verification could not act on the request', 'check the number, and the code or the verification ID'),
	'40100': rule('auth', 'Sinch refused the Verification authorization', 'check the Verification Application Key and Secret in the Sinch credential (Sinch dashboard → Verification → Apps)'),
	'40101': rule('auth', "Sinch refused the request's timestamp", "check this machine's clock: it must be within a few minutes of the real time"),
	'40102': rule('auth', 'Sinch refused the request signature', 'paste the Verification Application Secret into the Sinch credential exactly as the dashboard shows it (base64)'),
	'40104': rule('auth', 'Sinch asked for an authorization the request did not carry', 'fill in the Verification Application Key and Secret in the Sinch credential'),
	'40107': rule('auth', 'Sinch refused the Verification application key or secret', 'check the Verification Application Key and Secret in the Sinch credential (Sinch dashboard → Verification → Apps)'),
	'40200': rule('config', 'The Sinch account has not enough credit', 'top up the account in the Sinch dashboard'),
	'40300': rule('recipient', 'Sinch Verification refused to verify this number', 'the number is blocked, or the channel is not offered for its country: try another channel'),
	'40303': rule('config', 'Sinch Verification refused an unsigned request', 'fill in the Verification Application Secret in the Sinch credential, so that requests are signed'),
	'40900': rule('request', 'Another verification already has this reference', 'give each verification its own reference, or leave it empty'),
	'42200': rule('config', 'The Sinch Verification app is not set up', 'give the app a name in the Sinch dashboard (Verification → Apps)'),
	'42201': rule('recipient', 'Sinch has no route to this number for the channel', 'check the number, or choose another channel (a landline takes a voice callout)'),
	'42900': rule('rateLimited', 'Too many requests to Sinch Verification', 'send more slowly'),
	'42901': rule('rateLimited', 'Too many verifications for this number in a short time', 'wait a few minutes before starting another one'),
	'50000': rule('unavailable', 'Sinch Verification had an internal error', 'try again later'),
	'50300': rule('unavailable', 'Sinch Verification is unavailable for now', 'try again later'),
	'50301': rule('unavailable', 'Sinch reports a configuration error on its side', 'contact Sinch support if it lasts'),
};

/** Conversation API delivery statuses (MESSAGE_DELIVERY callbacks), lower case, in our model. */
export const SINCH_CONVERSATION_STATUSES: StatusTable = {
	queued_on_channel: 'sent',
	delivered: 'delivered',
	read: 'read',
	failed: 'failed',
	switching_channel: 'sending',
};

const WINDOW_ADVICE = 'send an approved WhatsApp template instead, or wait until the customer writes';

/**
 * Conversation API errors: the `status` of its error envelope ({error: {code, message, status}}) for refusals, and the
 * `reason.code` of a FAILED delivery report (developers.sinch.com/docs/conversation/api-reference, ReasonCode).
 */
export const SINCH_CONVERSATION_CODES: CodeTable = {
	UNAUTHENTICATED: rule('auth', 'Sinch refused the access key', 'check the Access Key ID and Secret in the Sinch credential (Project ID + Access Key)'),
	PERMISSION_DENIED: rule('auth', 'Sinch refused access to this Conversation project or app', 'check the Conversation Project ID and that the access key belongs to that project'),
	NOT_FOUND: rule('config', 'Sinch has no such Conversation project or app', 'check the Conversation Project ID and App ID in the Sinch credential'),
	INVALID_ARGUMENT: rule('request', 'Sinch refused a parameter of the message', 'check the number, the template and its parameters'),
	FAILED_PRECONDITION: rule('config', 'The Sinch Conversation app is not set up for WhatsApp', 'add a WhatsApp channel to the app in the Sinch dashboard'),
	RESOURCE_EXHAUSTED: rule('rateLimited', 'Too many requests to the Sinch Conversation API', 'send more slowly (25 messages a second per app by default)'),
	OUTSIDE_ALLOWED_SENDING_WINDOW: rule('content', 'WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message', WINDOW_ADVICE),
	RECIPIENT_INVALID_CHANNEL_IDENTITY: rule('recipient', 'The number is not a WhatsApp account', 'check the number, or reach the customer by SMS'),
	RECIPIENT_NOT_REACHABLE: rule('recipient', 'WhatsApp could not reach the recipient', 'check the number, or reach the customer by SMS'),
	RECIPIENT_NOT_OPTED_IN: rule('recipient', 'The recipient has not opted in to messages from this sender', 'collect their opt-in before writing to them'),
	TEMPLATE_NOT_FOUND: rule('request', 'WhatsApp has no approved template with this ID', 'check the template name in the Sinch dashboard (WhatsApp templates must be approved by Meta)'),
	TEMPLATE_INSUFFICIENT_PARAMETERS: rule('request', 'The template needs more parameters', 'fill in every parameter the template uses'),
	TEMPLATE_NON_EXISTING_LANGUAGE_OR_VERSION: rule('request', 'The template has no version in this language', 'use a language the template is approved in, written like en_US'),
	MEDIA_TYPE_UNSUPPORTED: rule('content', 'WhatsApp does not take this kind of media', 'send an image, video, audio file or PDF'),
	MEDIA_TOO_LARGE: rule('content', 'The media file is too large for WhatsApp', 'send a smaller file'),
	MEDIA_NOT_REACHABLE: rule('content', 'Sinch could not download the media', 'use a public http(s) URL'),
	CHANNEL_BAD_CONFIGURATION: rule('config', "The app's WhatsApp channel is misconfigured", 'check the WhatsApp channel of the app in the Sinch dashboard'),
	CHANNEL_CONFIGURATION_MISSING: rule('config', 'The app has no WhatsApp channel', 'add a WhatsApp channel to the app in the Sinch dashboard'),
	UNKNOWN_APP: rule('config', 'Sinch has no such Conversation app', 'check the Conversation App ID in the Sinch credential'),
	INACTIVE_CREDENTIAL: rule('config', "The app's WhatsApp credential is inactive", 'check the WhatsApp sender in the Sinch dashboard'),
	NO_PERMISSION: rule('config', 'The app may not send on WhatsApp', 'check the WhatsApp channel of the app in the Sinch dashboard'),
	DELIVERY_REJECTED_DUE_TO_POLICY: rule('content', 'WhatsApp rejected the message under its policy', 'review the message against WhatsApp’s business policy'),
	RATE_LIMITED: rule('rateLimited', 'WhatsApp rate-limited the sender', 'send more slowly'),
	INTERNAL_ERROR: rule('unavailable', 'Sinch had an internal error', 'try again later'),
	MESSAGE_EXPIRED: rule('recipient', 'The message expired before delivery', 'check the number, or reach the customer by SMS'),
};

/**
 * Provisioning API errors: the `errorCode` of its error body {errorCode, message, resolution, additionalInformation?}
 * (the body's shape as Sinch's own clients read it: sinch/sinch-mcp-server src/provisioning-client.ts, sinch/skills
 * sinch-provisioning-api). The code values are not in a public list (unconfirmed): 401 and 429 as Sinch's docs
 * excerpt names them, the others in the same style. 429 and 5xx are retried whatever the code.
 */
export const SINCH_PROVISIONING_CODES: CodeTable = {
	unauthorized_error: rule('auth', 'Sinch refused the access key for its Provisioning API', 'check the Access Key ID and Secret in the Sinch credential (Project ID + Access Key)'),
	forbidden_error: rule('auth', "Sinch refused access to the project's WhatsApp templates", 'check that the access key belongs to the Conversation project and may use the Provisioning API'),
	not_found_error: rule('config', 'Sinch has no such project in its Provisioning API', 'check the Conversation Project ID (or Project ID) in the Sinch credential'),
	too_many_requests: rule('rateLimited', 'Too many requests to the Sinch Provisioning API', 'send more slowly'),
	internal_server_error: rule('unavailable', 'The Sinch Provisioning API had an internal error', 'try again later'),
};

/** Sinch SMS delivery report codes (asynchronous). */
export const SINCH_DELIVERY_CODES: CodeTable = {
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

export function sinchSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const str = (key: string) => (typeof credentials[key] === 'string' ? (credentials[key] as string) : '');
	const out = [str('apiToken'), str('keySecret'), str('accessToken'), str('verificationAppSecret'), str('webhookSecret')];
	if (str('keySecret')) out.push(`${str('keyId')}:${str('keySecret')}`);
	if (str('verificationAppSecret')) out.push(`${str('verificationAppKey')}:${str('verificationAppSecret')}`);
	return out.filter(Boolean);
}
