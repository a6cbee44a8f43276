/**
 * AWS SNS's pushes: two-way SMS publishes each inbound message to an SNS topic, and the topic delivers it to the
 * trigger's URL (JSON sent as text/plain, signed with the topic's signing certificate). Setup subscribes the URL to
 * the topic; the trigger confirms the subscription when SNS asks, and unsubscribes on delete. SNS reports SMS
 * delivery only to CloudWatch Logs: no status events here.
 */
import type { IDataObject } from 'n8n-workflow';
import { classifyProviderError, ProviderError } from '../../rules/errors';
import { addressToE164 } from '../../rules/phone';
import { isSnsMessageType, snsCertificateUrlTrusted, verifySnsMessageSignature, type SnsEnvelope } from '../../signatures/snsMessage';
import type { ProviderContext } from '../types';
import type { ProviderWebhookEvent, WebhookReading, WebhooksCapability, WebhookSetup } from '../webhookTypes';
import { asText, formEncode, xmlBlocks, xmlTag } from '../wire';
import { readAwsError, SNS, SNS_CODES, snsEndpoint } from './index';

/** Certificates by URL: SNS signs with few, and fetching one per request would be slow and noisy. */
const CERTIFICATES = new Map<string, string>();
const MAX_CERTIFICATES = 16;
const MAX_CERTIFICATE_BYTES = 16 * 1024;
/** URLs whose certificate could not be fetched, and until when they are not tried again: forged requests cannot make
 * the trigger fetch the same bad URL over and over. */
const FAILED = new Map<string, number>();
const FAILED_FOR_MS = 5 * 60 * 1000;
/** SNS signs a message once and redelivers it as it was: older than this, it is not taken (a replay). Generous, as a
 * subscription's delivery policy can retry for hours; the delivery memory marks what comes again within it. */
export const SNS_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** The certificate file's name, as SNS names it: SimpleNotificationService-<id>.pem. */
const CERTIFICATE_FILE = /\/SimpleNotificationService-[A-Za-z0-9]+\.pem$/;
/** Subscription pages read before giving up (100 subscriptions a page). */
const MAX_PAGES = 50;

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export function isTopicArn(value: string): boolean {
	return TOPIC_ARN.test(value.trim());
}

/** Test seam: forget fetched certificates. */
export function forgetSnsCertificates(): void {
	CERTIFICATES.clear();
	FAILED.clear();
}

/** The certificate at a trusted URL, fetched without the credential (it is a public file), or undefined. */
async function certificate(ctx: ProviderContext, url: string): Promise<string | undefined> {
	const cached = CERTIFICATES.get(url);
	if (cached) return cached;
	const now = ctx.now().getTime();
	if ((FAILED.get(url) ?? 0) > now) return undefined;
	let pem = '';
	let ok = false;
	try {
		const response = await ctx.fetchPublic(url);
		pem = asText(response.body);
		ok = response.statusCode === 200 && pem.length <= MAX_CERTIFICATE_BYTES && /-----BEGIN (CERTIFICATE|PUBLIC KEY)-----/.test(pem);
	} catch {
		ok = false;
	}
	if (!ok) {
		if (FAILED.size >= MAX_CERTIFICATES) FAILED.delete(FAILED.keys().next().value as string);
		FAILED.set(url, now + FAILED_FOR_MS);
		return undefined;
	}
	if (CERTIFICATES.size >= MAX_CERTIFICATES) CERTIFICATES.delete(CERTIFICATES.keys().next().value as string);
	CERTIFICATES.set(url, pem);
	return pem;
}

/** One call of the SNS query API; its XML answer, or a ProviderError. */
async function snsCall(ctx: ProviderContext, fields: Record<string, string>): Promise<string> {
	const response = await ctx.http({
		method: 'POST',
		url: `${snsEndpoint(ctx.credentials)}/`,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
		body: formEncode({ ...fields, Version: '2010-03-31' }),
	});
	const xml = asText(response.body);
	if (response.statusCode >= 200 && response.statusCode < 300) return xml;
	const { code, message } = readAwsError(xml);
	throw classifyProviderError(SNS, SNS_CODES, { httpStatus: response.statusCode, code, providerMessage: message, kind: code === 'NotFound' ? 'notFound' : undefined });
}

function parseEnvelope(rawBody: Buffer): SnsEnvelope {
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString('utf-8'));
	} catch {
		throw new Error('The request is not an AWS SNS message: its body is not JSON');
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('The request is not an AWS SNS message: its body is not a JSON object');
	return body as SnsEnvelope;
}

/** The inbound SMS an SNS notification carries (AWS End User Messaging two-way SMS), or undefined for anything else. */
export function readSnsNotification(envelope: SnsEnvelope): ProviderWebhookEvent | undefined {
	let message: unknown;
	try {
		message = JSON.parse(String(envelope.Message ?? ''));
	} catch {
		return undefined;
	}
	if (!message || typeof message !== 'object') return undefined;
	const sms = message as IDataObject;
	if (typeof sms.originationNumber !== 'string' || typeof sms.messageBody !== 'string') return undefined;
	const messageId = typeof sms.inboundMessageId === 'string' ? sms.inboundMessageId : String(envelope.MessageId ?? '');
	return {
		kind: 'inbound',
		messageId: messageId || null,
		from: addressToE164(sms.originationNumber),
		to: addressToE164(typeof sms.destinationNumber === 'string' ? sms.destinationNumber : null),
		body: sms.messageBody,
		media: [],
		status: 'received',
		providerStatus: 'received',
		errorCode: null,
		errorMessage: null,
		channel: 'sms',
		// SNS redelivers a notification with the same MessageId.
		deliveryKey: `sns:${String(envelope.MessageId ?? messageId)}`,
		raw: { ...sms, snsMessageId: envelope.MessageId as string, topicArn: envelope.TopicArn as string, timestamp: envelope.Timestamp as string },
	};
}

interface Subscription {
	arn: string;
	endpoint: string;
}

async function subscriptions(ctx: ProviderContext, topicArn: string): Promise<Subscription[]> {
	const out: Subscription[] = [];
	let next: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const xml = await snsCall(ctx, { Action: 'ListSubscriptionsByTopic', TopicArn: topicArn, ...(next ? { NextToken: next } : {}) });
		for (const member of xmlBlocks(xml, 'member')) {
			out.push({ arn: xmlTag(member, 'SubscriptionArn') ?? '', endpoint: xmlTag(member, 'Endpoint') ?? '' });
		}
		next = xmlTag(xml, 'NextToken');
		if (!next) return out;
	}
	return out;
}

const confirmed = (arn: string) => arn.startsWith('arn:');

function requireTopic(target: string): string {
	const topicArn = target.trim();
	if (!isTopicArn(topicArn)) {
		throw new ProviderError({
			provider: SNS,
			kind: 'request',
			message: `"${target}" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>): copy the ARN of the topic two-way SMS publishes to`,
		});
	}
	return topicArn;
}

export const snsWebhookSetup: WebhookSetup = {
	targetLabel: 'SNS Topic ARN',
	targetAlwaysNeeded: true,
	targetPlaceholder: 'arn:aws:sns:us-east-1:123456789012:inbound-sms',
	targetDescription:
		'The topic your number’s two-way SMS publishes inbound messages to. Activating the workflow subscribes this trigger to it (and confirms the subscription); deactivating unsubscribes it',

	async exists(ctx, settings) {
		const topicArn = requireTopic(settings.target);
		return (await subscriptions(ctx, topicArn)).some((s) => s.endpoint === settings.url && confirmed(s.arn));
	},

	async create(ctx, settings) {
		const topicArn = requireTopic(settings.target);
		const xml = await snsCall(ctx, {
			Action: 'Subscribe',
			TopicArn: topicArn,
			Protocol: settings.url.startsWith('https:') ? 'https' : 'http',
			Endpoint: settings.url,
			ReturnSubscriptionArn: 'true',
		});
		return { previous: {}, current: { topicArn, subscriptionArn: xmlTag(xml, 'SubscriptionArn') ?? '', url: settings.url } };
	},

	async delete(ctx, settings) {
		const topicArn = requireTopic(String((settings.remembered.current as IDataObject | undefined)?.topicArn ?? settings.target));
		const known = [(settings.remembered.handshake as IDataObject | undefined)?.subscriptionArn, (settings.remembered.current as IDataObject | undefined)?.subscriptionArn]
			.map((arn) => String(arn ?? ''))
			.filter(confirmed);
		let arns = known;
		if (arns.length === 0) {
			try {
				arns = (await subscriptions(ctx, topicArn)).filter((s) => s.endpoint === settings.url && confirmed(s.arn)).map((s) => s.arn);
			} catch (error) {
				// The topic is gone: nothing is subscribed to it any more.
				if (error instanceof ProviderError && error.kind === 'notFound') return;
				throw error;
			}
		}
		for (const arn of new Set(arns)) {
			try {
				await snsCall(ctx, { Action: 'Unsubscribe', SubscriptionArn: arn });
			} catch (error) {
				if (error instanceof ProviderError && error.kind === 'notFound') continue;
				throw error;
			}
		}
	},
};

export const snsWebhooks: WebhooksCapability = {
	events: { inbound: true, status: false },
	noStatusNote: 'AWS SNS reports SMS delivery only to CloudWatch Logs, so it has no delivery-status events',
	replies: false,
	signatureNote: "AWS SNS signs every message with its topic's signing certificate, fetched only from the SNS host of the credential's region (or the credential's Base URL)",

	async verify(ctx, request, settings) {
		let envelope: SnsEnvelope;
		try {
			envelope = parseEnvelope(request.rawBody);
		} catch (error) {
			return { ok: false, reason: (error as Error).message };
		}
		if (!isSnsMessageType(envelope.Type)) return { ok: false, reason: `the SNS message type ${JSON.stringify(envelope.Type ?? null)} is not one SNS sends` };
		// Everything that needs no certificate first: a forged request costs no fetch.
		const topicArn = settings.target.trim();
		if (envelope.TopicArn !== topicArn) return { ok: false, reason: `the message is from topic ${JSON.stringify(envelope.TopicArn ?? null)}, not the trigger's topic ${topicArn}` };
		const signedAt = Date.parse(String(envelope.Timestamp ?? ''));
		if (!(ctx.now().getTime() - signedAt <= SNS_MAX_AGE_MS)) {
			return { ok: false, reason: `the message's Timestamp ${JSON.stringify(envelope.Timestamp ?? null)} is not within the last 24 hours (a replay, or not SNS's)` };
		}
		const trust = { region: String(ctx.credentials.region ?? ''), baseUrl: String(ctx.credentials.baseUrl ?? '') };
		if (!snsCertificateUrlTrusted(envelope.SigningCertURL, trust) || !CERTIFICATE_FILE.test(new URL(envelope.SigningCertURL as string).pathname)) {
			return { ok: false, reason: `the signing certificate URL ${JSON.stringify(envelope.SigningCertURL ?? null)} is not an SNS certificate on the SNS host of region ${trust.region || '(none)'}` };
		}
		const pem = await certificate(ctx, envelope.SigningCertURL as string);
		if (!pem) return { ok: false, reason: 'the signing certificate could not be fetched' };
		if (!verifySnsMessageSignature(envelope, pem)) return { ok: false, reason: 'the SNS message signature does not match its signing certificate' };
		return { ok: true };
	},

	async read(ctx, request, settings): Promise<WebhookReading> {
		const envelope = parseEnvelope(request.rawBody);
		const ok = { statusCode: 200, contentType: 'text/plain', body: 'OK' };
		// Even with signature checks off, another topic's messages are never confirmed nor taken.
		if (envelope.TopicArn !== settings.target.trim()) {
			return { type: 'handled', reply: ok, note: `ignored a message of topic ${JSON.stringify(envelope.TopicArn ?? null)}, not the trigger's` };
		}
		if (envelope.Type === 'SubscriptionConfirmation') {
			const xml = await snsCall(ctx, {
				Action: 'ConfirmSubscription',
				TopicArn: String(envelope.TopicArn),
				Token: String(envelope.Token ?? ''),
				AuthenticateOnUnsubscribe: 'true',
			});
			const subscriptionArn = xmlTag(xml, 'SubscriptionArn') ?? '';
			return { type: 'handled', reply: ok, note: `confirmed the subscription to ${String(envelope.TopicArn)}`, remember: { subscriptionArn } };
		}
		if (envelope.Type === 'UnsubscribeConfirmation') return { type: 'handled', reply: ok, note: `unsubscribed from ${String(envelope.TopicArn)}` };
		const event = readSnsNotification(envelope);
		if (!event) return { type: 'handled', reply: ok, note: 'the notification is not an inbound SMS (no originationNumber and messageBody): ignored' };
		return { type: 'events', events: [event] };
	},

	reply() {
		return { statusCode: 200, contentType: 'text/plain', body: 'OK' };
	},

	setup: snsWebhookSetup,
};
