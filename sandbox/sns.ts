/** AWS SNS (query protocol, Signature V4), as the sandbox plays it: Publish to a phone number and a few SMS calls. */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseAwsAuthorization, signAwsRequest } from '../nodes/shared/signatures/awsSigV4';
import { safeEqual } from '../nodes/shared/signatures/compare';
import { signSnsMessage } from '../nodes/shared/signatures/snsMessage';
import { SANDBOX_SNS_CERTIFICATE, SANDBOX_SNS_PRIVATE_KEY } from './snsSigningCertificate';
import { escapeXml, form, httpUrl, xml } from './http';
import { scenarioOf, snsStatusSteps, TokenBucket } from './rules';
import { newMessage } from './state';
import type { ProviderApi, SandboxContext, SandboxRequest, SandboxResponse, StoredMessage, WebhookSpec } from './types';

/** Where the sandbox serves its signing certificate, as SNS serves SimpleNotificationService-….pem. */
export const SNS_CERTIFICATE_PATH = '/sns/SimpleNotificationService-sandbox.pem';
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

interface Subscription {
	arn: string;
	topicArn: string;
	protocol: 'http' | 'https';
	endpoint: string;
	token: string;
	confirmed: boolean;
}

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
	const topicArn = (name: string) => `arn:aws:sns:${account.region}:${account.accountId}:${name}`;
	const inboundTopicArn = topicArn(account.inboundTopic);
	const topics = new Set<string>([inboundTopicArn]);
	const subscriptions = new Map<string, Subscription>();
	const certificateUrl = () => `${sandbox.url}${SNS_CERTIFICATE_PATH}`;

	/** An SNS HTTP delivery, signed with the sandbox's certificate. */
	function envelope(fields: Record<string, string>): string {
		return JSON.stringify(
			signSnsMessage(
				{
					...fields,
					Timestamp: new Date().toISOString(),
					SigningCertURL: certificateUrl(),
				},
				SANDBOX_SNS_PRIVATE_KEY,
				'1',
			),
		);
	}

	function deliver(subscription: Subscription, messageId: string, body: string, type: string): void {
		sandbox.sendCallback({
			provider: 'sns',
			url: subscription.endpoint,
			messageId,
			status: type,
			body,
			headers: {
				'Content-Type': 'text/plain; charset=UTF-8',
				'x-amz-sns-message-type': type,
				'x-amz-sns-message-id': messageId,
				'x-amz-sns-topic-arn': subscription.topicArn,
				...(subscription.confirmed ? { 'x-amz-sns-subscription-arn': subscription.arn } : {}),
				'User-Agent': 'Amazon Simple Notification Service Agent',
			},
		});
	}

	function confirmationEnvelope(s: Subscription, type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', messageId = randomUUID()): string {
		return envelope({
			Type: type,
			MessageId: messageId,
			Token: s.token,
			TopicArn: s.topicArn,
			Message: `You have chosen to ${type === 'SubscriptionConfirmation' ? 'subscribe to' : 'deactivate subscription of'} the topic ${s.topicArn}.\nTo confirm, visit the SubscribeURL included in this message.`,
			SubscribeURL: `${sandbox.url}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(s.topicArn)}&Token=${s.token}`,
		});
	}

	/** The two-way SMS message SNS publishes for an inbound text. */
	function inboundEnvelope(id: string, from: string, to: string, body: string, topic: string, messageId = randomUUID()): string {
		const message = { originationNumber: from, destinationNumber: to, messageKeyword: `KEYWORD_${account.accountId}`, messageBody: body, inboundMessageId: id, previousPublishedMessageId: randomUUID() };
		return envelope({ Type: 'Notification', MessageId: messageId, TopicArn: topic, Message: JSON.stringify(message), UnsubscribeURL: `${sandbox.url}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(topic)}` });
	}

	function subscriptionMember(s: Subscription): string {
		return `<member><TopicArn>${escapeXml(s.topicArn)}</TopicArn><Protocol>${s.protocol}</Protocol><SubscriptionArn>${s.confirmed ? escapeXml(s.arn) : 'PendingConfirmation'}</SubscriptionArn><Owner>${account.accountId}</Owner><Endpoint>${escapeXml(s.endpoint)}</Endpoint></member>`;
	}

	function topicActions(action: string, params: URLSearchParams): SandboxResponse | undefined {
		switch (action) {
			case 'CreateTopic': {
				const name = params.get('Name') ?? '';
				if (!TOPIC_NAME.test(name)) return awsError(400, 'InvalidParameter', 'Invalid parameter: Topic Name');
				topics.add(topicArn(name));
				return ok('CreateTopic', `<TopicArn>${escapeXml(topicArn(name))}</TopicArn>`);
			}
			case 'ListTopics':
				return ok('ListTopics', `<Topics>${[...topics].map((t) => `<member><TopicArn>${escapeXml(t)}</TopicArn></member>`).join('')}</Topics>`);
			case 'Subscribe': {
				const topic = params.get('TopicArn') ?? '';
				if (!topics.has(topic)) return awsError(404, 'NotFound', 'Topic does not exist');
				const protocol = params.get('Protocol');
				const endpoint = params.get('Endpoint') ?? '';
				const url = httpUrl(endpoint);
				if ((protocol !== 'http' && protocol !== 'https') || !url || url.protocol !== `${protocol}:`) {
					return awsError(400, 'InvalidParameter', 'Invalid parameter: Endpoint must match the http or https protocol');
				}
				const existing = [...subscriptions.values()].find((s) => s.topicArn === topic && s.endpoint === endpoint);
				const s = existing ?? { arn: `${topic}:${randomUUID()}`, topicArn: topic, protocol, endpoint, token: randomBytes(64).toString('hex'), confirmed: false };
				subscriptions.set(s.arn, s);
				if (!s.confirmed) deliver(s, randomUUID(), confirmationEnvelope(s, 'SubscriptionConfirmation'), 'SubscriptionConfirmation');
				const returnArn = params.get('ReturnSubscriptionArn') === 'true';
				return ok('Subscribe', `<SubscriptionArn>${s.confirmed || returnArn ? escapeXml(s.arn) : 'pending confirmation'}</SubscriptionArn>`);
			}
			case 'ConfirmSubscription': {
				const topic = params.get('TopicArn') ?? '';
				const s = [...subscriptions.values()].find((x) => x.topicArn === topic && x.token === params.get('Token'));
				if (!s) return awsError(400, 'InvalidParameter', 'Invalid token');
				s.confirmed = true;
				return ok('ConfirmSubscription', `<SubscriptionArn>${escapeXml(s.arn)}</SubscriptionArn>`);
			}
			case 'ListSubscriptionsByTopic': {
				const topic = params.get('TopicArn') ?? '';
				if (!topics.has(topic)) return awsError(404, 'NotFound', 'Topic does not exist');
				const list = [...subscriptions.values()].filter((s) => s.topicArn === topic);
				return ok('ListSubscriptionsByTopic', `<Subscriptions>${list.map(subscriptionMember).join('')}</Subscriptions>`);
			}
			case 'Unsubscribe': {
				const s = subscriptions.get(params.get('SubscriptionArn') ?? '');
				if (!s || !s.confirmed) return awsError(404, 'NotFound', 'Subscription does not exist');
				subscriptions.delete(s.arn);
				deliver(s, randomUUID(), confirmationEnvelope(s, 'UnsubscribeConfirmation'), 'UnsubscribeConfirmation');
				return ok('Unsubscribe', '');
			}
			default:
				return undefined;
		}
	}

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
			subscriptions.clear();
			topics.clear();
			topics.add(inboundTopicArn);
		},
		// SNS's endpoint is POST / (the query protocol); GET / is the sandbox's phone page. The signing certificate is public.
		matches: (method, path) => (method === 'POST' && path === '/') || (method === 'GET' && path === SNS_CERTIFICATE_PATH),
		inboundAccount: () => account.accessKeyId,
		newInboundId: () => randomUUID(),
		inboundNumbers: () => [...account.numbers],
		deliverInbound(m: StoredMessage) {
			const confirmed = [...subscriptions.values()].filter((s) => s.topicArn === inboundTopicArn && s.confirmed);
			for (const s of confirmed) {
				const messageId = randomUUID();
				deliver(s, messageId, inboundEnvelope(m.id, m.from ?? '', m.to, m.body, inboundTopicArn, messageId), 'Notification');
			}
			return confirmed.length > 0;
		},
		webhook(spec: WebhookSpec) {
			const topic = spec.topicArn ?? inboundTopicArn;
			let body = inboundEnvelope(spec.messageId ?? randomUUID(), spec.from, spec.to, spec.body, topic);
			if (spec.forge === 'body') body = body.replace(/"messageBody\\":\\"/, '"messageBody\\":\\"changed ');
			if (spec.forge === 'signature') body = JSON.stringify({ ...JSON.parse(body), Signature: signSnsMessage({ ...JSON.parse(body), Message: 'other' }, SANDBOX_SNS_PRIVATE_KEY).Signature });
			if (spec.forge === 'certificate') {
				// Signed by the sandbox's key, but naming a certificate on a look-alike host: the trigger must not fetch it.
				const fields = JSON.parse(body) as Record<string, string>;
				body = JSON.stringify(signSnsMessage({ ...fields, SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.test/SimpleNotificationService-0000.pem' }, SANDBOX_SNS_PRIVATE_KEY));
			}
			if (spec.forge === 'unsigned') {
				const unsigned = JSON.parse(body) as Record<string, string | undefined>;
				delete unsigned.Signature;
				delete unsigned.SignatureVersion;
				body = JSON.stringify(unsigned);
			}
			return { url: spec.url, headers: { 'Content-Type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }, body };
		},
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
			if (req.method === 'GET' && req.path === SNS_CERTIFICATE_PATH) {
				return { status: 200, headers: { 'Content-Type': 'application/x-pem-file' }, body: SANDBOX_SNS_CERTIFICATE };
			}
			const denied = verify(req);
			if (denied) return denied;
			const params = form(req);
			const action = params.get('Action');
			const topicAnswer = action ? topicActions(action, params) : undefined;
			if (topicAnswer) return topicAnswer;
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
