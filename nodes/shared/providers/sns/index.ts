/**
 * AWS SNS's facts: endpoint, statuses, error codes, sender rates, secrets. Its wire format is in sms.ts.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { rule, type CodeTable } from '../../rules/errors';
import type { StatusTable } from '../../rules/status';
import type { SenderRate } from '../types';
import { baseUrlOr, xmlTag } from '../wire';

export const SNS = { name: 'sns', label: 'AWS SNS' } as const;

export function snsEndpoint(credentials: ICredentialDataDecryptedObject): string {
	return baseUrlOr(credentials.baseUrl, `https://sns.${String(credentials.region ?? 'us-east-1')}.amazonaws.com`);
}

export const SNS_STATUSES: StatusTable = {
	// SNS says only that it accepted the message; delivery goes to CloudWatch Logs.
	accepted: 'accepted',
	success: 'delivered',
	failure: 'failed',
};

/** AWS SNS error codes (query API). */
export const SNS_CODES: CodeTable = {
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

/** Parts per second AWS allows by origination identity. */
export const SNS_SENDER_RATES: readonly SenderRate[] = [
	{ kind: 'shortCode', label: 'Short code', perSecond: 100 },
	{ kind: 'tollFree', label: 'Toll-free number', perSecond: 3 },
];

export function snsSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const str = (key: string) => (typeof credentials[key] === 'string' ? (credentials[key] as string) : '');
	return [str('secretAccessKey'), str('sessionToken')].filter(Boolean);
}

/** AWS's own XML error (<ErrorResponse><Error><Code>…<Message>…), or nothing when the answer is not one (a proxy's page). */
export function readAwsError(xml: string): { code?: string; message?: string } {
	const code = xmlTag(xml, 'Code');
	if (!/<ErrorResponse[\s>]/.test(xml) || code === undefined) return {};
	return { code, message: xmlTag(xml, 'Message') };
}
