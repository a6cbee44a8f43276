/** AWS SNS (query protocol, Signature V4), as the sandbox plays it: Publish to a phone number and a few SMS calls. */
import { randomUUID } from 'node:crypto';
import { parseAwsAuthorization, signAwsRequest } from '../nodes/shared/signatures/awsSigV4';
import { safeEqual } from '../nodes/shared/signatures/compare';
import { escapeXml, form, xml } from './http';
import { scenarioOf, snsStatusSteps, TokenBucket } from './rules';
import { newMessage } from './state';
import type { ProviderApi, SandboxContext, SandboxRequest, SandboxResponse } from './types';

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const E164 = /^\+[1-9]\d{6,14}$/;
const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9]{3,11}$/;

function awsError(status: number, code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender', headers: Record<string, string> = {}): SandboxResponse {
	return xml(
		status,
		`<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
		headers,
	);
}

function ok(action: string, result: string): SandboxResponse {
	return xml(
		200,
		`<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
	);
}

/** Publish's message attributes: MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}. */
function attributes(params: URLSearchParams): Record<string, string> {
	const out: Record<string, string> = {};
	for (let n = 1; params.has(`MessageAttributes.entry.${n}.Name`); n++) {
		const name = String(params.get(`MessageAttributes.entry.${n}.Name`));
		if (name === '__proto__') continue;
		out[name] = String(params.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '');
	}
	return out;
}

export function snsApi(sandbox: SandboxContext): ProviderApi {
	const account = sandbox.accounts.sns;
	let bucket: TokenBucket | undefined;

	/** Recompute the Signature V4 over what arrived; AWS's own errors when it does not match. */
	function verify(req: SandboxRequest): SandboxResponse | undefined {
		const auth = parseAwsAuthorization(req.headers.authorization);
		if (!req.headers.authorization) return awsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
		if (!auth) return awsError(400, 'IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature.');
		if (auth.accessKeyId !== account.accessKeyId) {
			return awsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
		}
		const amzDate = String(req.headers['x-amz-date'] ?? '');
		const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
		if (!date) return awsError(400, 'IncompleteSignature', 'X-Amz-Date is missing or malformed.');
		const signedAt = new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]));
		if (Math.abs(signedAt.getTime() - Date.now()) > 15 * 60 * 1000) {
			return awsError(403, 'SignatureDoesNotMatch', 'Signature expired: the request time is more than 15 minutes from the server time.');
		}
		if (auth.service !== 'sns') return awsError(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: 'sns'.`);
		const headers: Record<string, string> = {};
		for (const name of auth.signedHeaders) {
			const value = req.headers[name];
			if (value === undefined) return awsError(403, 'SignatureDoesNotMatch', `Signed header ${name} is missing.`);
			headers[name] = Array.isArray(value) ? value.join(',') : value;
		}
		const host = headers.host ?? String(req.headers.host ?? '');
		let expected: string | undefined;
		try {
			expected = signAwsRequest({
				method: req.method,
				url: `http://${host}${req.url}`,
				headers,
				body: req.rawBody,
				region: auth.region,
				service: 'sns',
				accessKeyId: auth.accessKeyId,
				secretAccessKey: account.secretAccessKey,
				sessionToken: headers['x-amz-security-token'],
				date: signedAt,
			}).signature;
		} catch {
			// A Host or a query the signer cannot even read (bad percent-encoding): it cannot match either.
			expected = undefined;
		}
		if (expected === undefined || !safeEqual(expected, auth.signature)) {
			return awsError(
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
			);
		}
		return undefined;
	}

	function publish(params: URLSearchParams): SandboxResponse {
		const phone = params.get('PhoneNumber');
		const message = params.get('Message') ?? '';
		if (params.get('TopicArn') || params.get('TargetArn')) {
			return awsError(400, 'InvalidParameter', 'Invalid parameter: the sandbox publishes to phone numbers only');
		}
		if (!phone) return awsError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber Reason: no value provided');
		if (!E164.test(phone) || scenarioOf(phone, new Set()) === 'invalid') {
			return awsError(400, 'InvalidParameter', `Invalid parameter: PhoneNumber Reason: ${phone} is not valid to publish to`);
		}
		if (message === '') return awsError(400, 'InvalidParameter', 'Invalid parameter: Message Reason: Empty message');
		if (message.length > 1600) return awsError(400, 'InvalidParameter', 'Invalid parameter: Message too long');
		const attrs = attributes(params);
		const senderId = attrs['AWS.SNS.SMS.SenderID'];
		if (senderId !== undefined && !SENDER_ID.test(senderId)) {
			return awsError(400, 'InvalidParameter', 'Invalid parameter: SenderID Reason: must be 3-11 alphanumeric characters with at least one letter');
		}
		const smsType = attrs['AWS.SNS.SMS.SMSType'];
		if (smsType !== undefined && !['Transactional', 'Promotional'].includes(smsType)) {
			return awsError(400, 'InvalidParameter', 'Invalid parameter: SMSType Reason: must be Transactional or Promotional');
		}
		const scenario = scenarioOf(phone, sandbox.optOuts);
		if (scenario === 'optedOut') return awsError(400, 'OptedOut', 'Phone number is opted out');
		if (bucket === undefined) bucket = new TokenBucket(sandbox.limits.snsPerSecond, sandbox.scaled(1000) || 1);
		if (!bucket.take()) return awsError(400, 'Throttling', 'Rate exceeded');

		const id = randomUUID();
		const stored = sandbox.store(
			newMessage({
				provider: 'sns',
				id,
				account: account.accessKeyId,
				from: attrs['AWS.MM.SMS.OriginationNumber'] ?? senderId ?? null,
				to: phone,
				body: message,
				status: 'accepted',
				attributes: attrs,
			}),
		);
		// What CloudWatch Logs would show: SUCCESS or FAILURE, later.
		sandbox.progress(stored, snsStatusSteps(scenario));
		return ok('Publish', `<MessageId>${id}</MessageId>`);
	}

	return {
		name: 'sns',
		reset: () => {
			bucket = undefined;
		},
		// SNS's endpoint is POST / (the query protocol); GET / is the sandbox's phone page.
		matches: (method, path) => method === 'POST' && path === '/',
		recipients: (req) => {
			const phone = form(req).get('PhoneNumber');
			return phone ? [phone] : [];
		},
		faultResponse: (status, retryAfter) => {
			const headers: Record<string, string> = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {};
			if (status === 429) return awsError(429, 'Throttled', 'Rate exceeded', 'Sender', headers);
			if (status === 503) return awsError(503, 'ServiceUnavailable', 'Service is unavailable', 'Receiver', headers);
			if (status >= 500) return awsError(status, 'InternalError', 'Internal error', 'Receiver', headers);
			return awsError(status, 'InvalidParameter', `Injected error ${status}`, 'Sender', headers);
		},
		errorResponse: (status, message) => {
			if (status === 404) return awsError(404, 'InvalidAction', message);
			if (status === 503) return awsError(503, 'ServiceUnavailable', message, 'Receiver');
			if (status >= 500) return awsError(status, 'InternalError', message, 'Receiver');
			return awsError(status, 'InvalidParameter', `Invalid parameter: ${message}`);
		},
		handle(req) {
			const denied = verify(req);
			if (denied) return denied;
			const params = form(req);
			const action = params.get('Action');
			switch (action) {
				case 'Publish':
					return publish(params);
				case 'GetSMSAttributes':
					return ok(
						'GetSMSAttributes',
						'<attributes><entry><key>DefaultSMSType</key><value>Transactional</value></entry><entry><key>MonthlySpendLimit</key><value>100</value></entry></attributes>',
					);
				case 'CheckIfPhoneNumberIsOptedOut': {
					const phone = params.get('phoneNumber') ?? '';
					return ok('CheckIfPhoneNumberIsOptedOut', `<isOptedOut>${scenarioOf(phone, sandbox.optOuts) === 'optedOut'}</isOptedOut>`);
				}
				case 'ListPhoneNumbersOptedOut':
					return ok('ListPhoneNumbersOptedOut', `<phoneNumbers>${[...sandbox.optOuts].map((n) => `<member>${escapeXml(n)}</member>`).join('')}</phoneNumbers>`);
				case null:
					return awsError(400, 'MissingAction', 'The request must contain the parameter Action.');
				default:
					return awsError(400, 'InvalidAction', `The action ${action.length > 100 ? `${action.slice(0, 100)}…` : action} is not valid for this endpoint.`);
			}
		},
	};
}
