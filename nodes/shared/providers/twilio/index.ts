/**
 * Twilio's facts: hosts, statuses, error codes, sender rates and secrets, and how its error answers read. Its wire
 * formats are in sms.ts (Messaging), webhooks.ts (what it pushes, and the setup) and verify.ts (Verify).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { classifyProviderError, rule, type CodeTable, type ProviderError } from '../../rules/errors';
import { parseRetryAfter } from '../../rules/retry';
import type { StatusTable } from '../../rules/status';
import type { ProviderHttpResponse, SenderRate } from '../types';
import { baseUrlOr, headerValue } from '../wire';

export const TWILIO = { name: 'twilio', label: 'Twilio' } as const;

export const TWILIO_API_HOST = 'https://api.twilio.com';

export function twilioApiBase(credentials: ICredentialDataDecryptedObject): string {
	return baseUrlOr(credentials.baseUrl, TWILIO_API_HOST);
}

export const TWILIO_PRICING_HOST = 'https://pricing.twilio.com';

export function twilioPricingBase(credentials: ICredentialDataDecryptedObject): string {
	return baseUrlOr(credentials.baseUrl, TWILIO_PRICING_HOST);
}

export const TWILIO_STATUSES: StatusTable = {
	accepted: 'accepted',
	scheduled: 'scheduled',
	queued: 'queued',
	sending: 'sending',
	sent: 'sent',
	delivered: 'delivered',
	undelivered: 'undelivered',
	failed: 'failed',
	read: 'read',
	receiving: 'received',
	received: 'received',
	// Group MMS that reached some recipients and not others: not a success to rely on.
	partially_delivered: 'undelivered',
	canceled: 'canceled',
};

/** Twilio's error codes (https://www.twilio.com/docs/api/errors). */
export const TWILIO_CODES: CodeTable = {
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
	'35115': rule('request', 'The send time is outside the window Twilio allows', 'schedule between 5 minutes and 35 days ahead'),
	'30001': rule('config', 'The sender queue overflowed', 'send more slowly'),
	'30002': rule('auth', 'The Twilio account is suspended', 'contact Twilio support'),
	'30003': rule('recipient', 'The handset is unreachable', 'try again later or remove the number'),
	'30004': rule('recipient', 'The message was blocked by the recipient or carrier', 'do not retry; remove the number'),
	'30005': rule('recipient', 'The number is unknown or no longer in service', 'remove the number'),
	'30006': rule('recipient', 'The number is a landline or cannot receive SMS', 'remove the number'),
	'30007': rule('content', 'The carrier filtered the message as spam', 'register the sender (A2P 10DLC / toll-free verification) and review the wording'),
	'30008': rule('unavailable', 'The carrier reported an unknown error', 'try again later'),
	'30036': rule('config', 'The message expired in the sender queue (validity period)', 'send more slowly or lengthen the validity period'),
	'21654': rule('request', 'Template variables were given without a template', 'choose a template (Content SID) or remove the variables'),
	'21655': rule('request', 'Twilio has no such template (Content SID) in this account', 'pick the template from the list in Send WhatsApp'),
	'21656': rule('request', 'Twilio refused the template variables', 'give every variable of the template a text value'),
	'21910': rule('request', "'From' and 'To' are on different channels", "send WhatsApp from a WhatsApp sender to a WhatsApp number ('whatsapp:' on both ends)"),
	'63007': rule('config', "The 'From' number is not a WhatsApp sender of this Twilio account", 'use a number registered as a WhatsApp sender (Twilio console → Messaging → Senders → WhatsApp senders)'),
	'63016': rule('content', 'WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message', 'send an approved template instead'),
};

/** Sender rates Twilio enforces per sender, in segments per second (its queue holds up to 10 hours). */
export const TWILIO_SENDER_RATES: readonly SenderRate[] = [
	{ kind: 'shortCode', label: 'Short code', perSecond: 100 },
	{ kind: 'tollFree', label: 'US/CA toll-free number', perSecond: 3 },
	{ kind: 'longCode', label: 'US/CA long code', perSecond: 1 },
	{ kind: 'alphanumeric', label: 'Alphanumeric sender ID', perSecond: 10 },
	{ kind: 'international', label: 'International long code', perSecond: 10 },
];

/** The kind of a Twilio sender, by how it is written. */
export function twilioSenderKind(from: string): SenderRate['kind'] {
	if (/^\d{5,6}$/.test(from)) return 'shortCode';
	if (/^\+1(800|833|844|855|866|877|888)\d{7}$/.test(from)) return 'tollFree';
	if (/^\+1\d{10}$/.test(from)) return 'longCode';
	if (/[A-Za-z]/.test(from)) return 'alphanumeric';
	return 'international';
}

/** Segments per second a Twilio sender may send. */
export function twilioSenderRate(from: string): number {
	const kind = twilioSenderKind(from);
	return (TWILIO_SENDER_RATES.find((rate) => rate.kind === kind) as SenderRate).perSecond;
}

export function twilioSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const str = (key: string) => (typeof credentials[key] === 'string' ? (credentials[key] as string) : '');
	const out = [str('authToken'), str('apiKeySecret'), str('webhookAuthToken')];
	if (str('authToken')) out.push(`${str('accountSid')}:${str('authToken')}`);
	if (str('apiKeySecret')) out.push(`${str('apiKeySid')}:${str('apiKeySecret')}`);
	return out.filter(Boolean);
}

export const TWILIO_VERIFY_HOST = 'https://verify.twilio.com';

/** Twilio Verify's codes, over the account's own (https://www.twilio.com/docs/api/errors, 60xxx). */
export const TWILIO_VERIFY_CODES: CodeTable = {
	...TWILIO_CODES,
	'20404': rule('notFound', 'Twilio has no such Verify service in this account', 'check the Verify Service SID (Verify → Services in the Twilio console)'),
	'60200': rule('request', 'Twilio Verify refused a parameter', "check the number (E.164), the channel and the locale; a custom code needs the feature enabled on the service"),
	'60203': rule('request', 'The code was sent too many times for this verification', 'wait for the verification to expire (10 minutes) before starting again'),
	'60205': rule('recipient', 'The number is a landline and cannot receive SMS', 'use the call channel for this number'),
	'60212': rule('rateLimited', 'Too many verifications for this number at once', 'wait a moment before starting again'),
	'60223': rule('config', 'The channel is not enabled on the Verify service', 'enable it in the Twilio console (Verify → Services → the service), or choose another channel'),
	'60410': rule('config', 'Twilio blocked the verification as suspected fraud', "check Verify's Fraud Guard settings and the number's country"),
};

/**
 * The error for an answer that is not the resource asked for, classified by Twilio's code in `codes`. A 2xx without
 * the resource is not an answer to trust: the request may or may not have been carried out.
 */
export function twilioFailure(response: ProviderHttpResponse, body: Record<string, unknown> | undefined, codes: CodeTable = TWILIO_CODES): ProviderError {
	const error = readTwilioError(body);
	return classifyProviderError(TWILIO, codes, {
		httpStatus: response.statusCode,
		code: error.code,
		providerMessage: error.message,
		retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
		kind: response.statusCode >= 200 && response.statusCode < 300 ? 'ambiguous' : undefined,
	});
}

/** Twilio's own error format ({code, message, more_info, status}), or nothing when the answer is not in it (a proxy's page). */
export function readTwilioError(body: Record<string, unknown> | undefined): { code?: number | string; message?: string } {
	if (body === undefined || !(typeof body.code === 'number' || typeof body.code === 'string') || typeof body.message !== 'string') return {};
	return { code: body.code, message: body.message };
}
