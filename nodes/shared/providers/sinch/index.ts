/**
 * Sinch's facts: hosts, statuses, error and delivery codes, secrets. Its SMS wire format is in sms.ts.
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
	return {
		sms: baseUrlOr(credentials.smsBaseUrl, project ? `https://zt.${region}.sms.api.sinch.com` : `https://${region}.sms.api.sinch.com`),
		auth: baseUrlOr(credentials.authBaseUrl, 'https://auth.sinch.com'),
		verification: baseUrlOr(credentials.verificationBaseUrl, 'https://verification.api.sinch.com'),
		conversation: baseUrlOr(credentials.conversationBaseUrl, `https://${region === 'eu' ? 'eu' : region === 'br' ? 'br' : 'us'}.conversation.api.sinch.com`),
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
