/**
 * Sinch's pushes: inbound SMS (`mo_text`, `mo_binary`) to the service plan's callback URL and delivery reports
 * (`delivery_report_sms` per batch, `recipient_delivery_report_sms` per recipient) to a batch's callback URL, else the
 * service plan's; JSON, signed with x-sinch-webhook-signature when the account has a signing secret. Sinch retries
 * on 5xx and 429 for about 23 hours; it is answered 200. Callback URLs are set in the Sinch dashboard or per batch: no setup here.
 */
import type { IDataObject } from 'n8n-workflow';
import { describeCode } from '../../rules/errors';
import { addressToE164 } from '../../rules/phone';
import { mapStatus } from '../../rules/status';
import { validateSinchWebhookSignature } from '../../signatures/sinch';
import type { ProviderWebhookEvent, WebhooksCapability } from '../webhookTypes';
import { headerValue, objectOf as asObject } from '../wire';
import { SINCH, SINCH_CONVERSATION_CODES, SINCH_CONVERSATION_STATUSES, SINCH_DELIVERY_CODES, SINCH_STATUSES } from './index';

function text(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

/** `distinct` tells this report from another of the same recipient and status (its time, or the summary's count). */
function deliveryEvent(body: IDataObject, batchId: string, recipient: string | null, code: string | null, status: string, distinct: string | null): ProviderWebhookEvent {
	// 0 delivered, 400 queued, 401 dispatched: not errors.
	const errorCode = code !== null && code !== '0' && code !== '400' && code !== '401' ? code : null;
	return {
		kind: 'status',
		messageId: batchId,
		from: null,
		to: addressToE164(recipient),
		body: null,
		media: [],
		status: mapStatus(SINCH_STATUSES, status),
		providerStatus: status,
		errorCode,
		errorMessage: describeCode(SINCH, SINCH_DELIVERY_CODES, errorCode) ?? null,
		channel: 'sms',
		deliveryKey: `${batchId}:${recipient ?? '*'}:${status}:${code ?? ''}:${distinct ?? ''}`,
		raw: body,
	};
}

const objectOf = (value: unknown): IDataObject | undefined => asObject(value) as IDataObject | undefined;

/**
 * A Conversation API callback (WhatsApp): MESSAGE_INBOUND (a text, a tapped quick reply, media) or MESSAGE_DELIVERY
 * (QUEUED_ON_CHANNEL, DELIVERED, READ, FAILED with a reason). Other triggers carry no message: no events.
 */
export function readConversationCallback(data: IDataObject): ProviderWebhookEvent[] {
	const inbound = objectOf(data.message);
	if (inbound) {
		const id = text(inbound.id);
		if (!id) throw new Error('The Sinch Conversation inbound message has no id');
		const identity = objectOf(inbound.channel_identity);
		const contact = objectOf(inbound.contact_message) ?? {};
		const choice = objectOf(contact.choice_response_message);
		// Media with a caption comes as a media card.
		const card = objectOf(contact.media_card_message);
		const media = objectOf(contact.media_message) ?? card;
		const mediaUrl = text(media?.url);
		const body = text(objectOf(contact.text_message)?.text) ?? (choice ? text(choice.postback_data) : null) ?? text(card?.caption) ?? '';
		return [
			{
				kind: 'inbound',
				messageId: id,
				from: addressToE164(text(identity?.identity)),
				to: null,
				body,
				media: mediaUrl ? [{ url: mediaUrl, contentType: null }] : [],
				status: 'received',
				providerStatus: 'MESSAGE_INBOUND',
				errorCode: null,
				errorMessage: null,
				channel: (text(identity?.channel) ?? 'WHATSAPP').toUpperCase() === 'WHATSAPP' ? 'whatsapp' : 'sms',
				button: choice && text(choice.postback_data) ? { payload: String(choice.postback_data), text: null } : null,
				replyTo: text(choice?.message_id) ?? text(objectOf(contact.reply_to)?.message_id),
				profileName: null,
				deliveryKey: `conversation:${id}:inbound`,
				raw: data,
			},
		];
	}
	const report = objectOf(data.message_delivery_report);
	if (report) {
		const id = text(report.message_id);
		const status = text(report.status);
		if (!id || !status) throw new Error('The Sinch Conversation delivery report has no message_id or status');
		const reason = objectOf(report.reason);
		const code = status.toUpperCase() === 'FAILED' ? (text(reason?.code) ?? 'UNKNOWN') : null;
		const identity = objectOf(report.channel_identity);
		return [
			{
				kind: 'status',
				messageId: id,
				from: null,
				to: addressToE164(text(identity?.identity)),
				body: null,
				media: [],
				status: mapStatus(SINCH_CONVERSATION_STATUSES, status),
				providerStatus: status,
				errorCode: code,
				// A reason we have no sentence for keeps Sinch's own description.
				errorMessage: code === null ? null : Object.hasOwn(SINCH_CONVERSATION_CODES, code) ? (describeCode(SINCH, SINCH_CONVERSATION_CODES, code) ?? null) : `WhatsApp delivery failed (Sinch ${code})${text(reason?.description) ? `: ${text(reason?.description)}` : ''}`,
				channel: 'whatsapp',
				deliveryKey: `conversation:${id}:${status}`,
				raw: data,
			},
		];
	}
	return [];
}

/** The events of one Sinch callback body (SMS or Conversation API); throws when it is not one Sinch sends. */
export function readSinchCallback(body: unknown): ProviderWebhookEvent[] {
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('The request is not a Sinch callback: its body is not a JSON object');
	const data = body as IDataObject;
	if (data.type === undefined && typeof data.app_id === 'string') return readConversationCallback(data);
	switch (data.type) {
		case 'mo_text':
		case 'mo_binary': {
			const id = text(data.id);
			if (!id) throw new Error('The Sinch inbound message has no id');
			const binary = data.type === 'mo_binary';
			return [
				{
					kind: 'inbound',
					messageId: id,
					from: addressToE164(text(data.from)),
					to: addressToE164(text(data.to)),
					// A binary message's body is base64; it stays so, with the UDH in raw.
					body: text(data.body) ?? '',
					media: [],
					status: 'received',
					providerStatus: binary ? 'mo_binary' : 'mo_text',
					errorCode: null,
					errorMessage: null,
					channel: 'sms',
					deliveryKey: `mo:${id}`,
					raw: data,
				},
			];
		}
		case 'recipient_delivery_report_sms': {
			const batchId = text(data.batch_id);
			const status = text(data.status);
			if (!batchId || !status) throw new Error('The Sinch delivery report has no batch_id or status');
			return [deliveryEvent(data, batchId, text(data.recipient), text(data.code), status, text(data.at))];
		}
		case 'delivery_report_sms': {
			const batchId = text(data.batch_id);
			if (!batchId || !Array.isArray(data.statuses)) throw new Error('The Sinch delivery report has no batch_id or statuses');
			const events: ProviderWebhookEvent[] = [];
			for (const entry of data.statuses as IDataObject[]) {
				const status = text(entry?.status);
				if (!status) continue;
				const recipients = Array.isArray(entry.recipients) ? (entry.recipients as unknown[]).map(text).filter((r): r is string => r !== null) : [];
				// A summary without recipients (delivery_report "summary") is one event for the batch.
				if (recipients.length === 0) events.push(deliveryEvent(data, batchId, null, text(entry.code), status, text(entry.count)));
				for (const recipient of recipients) events.push(deliveryEvent(data, batchId, recipient, text(entry.code), status, null));
			}
			return events;
		}
		default:
			throw new Error(`The request is not a Sinch SMS callback: its type is ${JSON.stringify(data.type ?? null)}`);
	}
}

/**
 * How old a signed callback may be. Sinch retries for about 23 hours; whether a retry is signed again is not
 * published, so the window covers them all, and the delivery memory marks what comes again within it.
 */
export const SINCH_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export const sinchWebhooks: WebhooksCapability = {
	events: { inbound: true, status: true },
	replies: false,
	signatureNote: "Sinch signs callbacks (x-sinch-webhook-signature) with the secret set in the credential's Webhook Signing Secret",
	manualSetupHint:
		"Sinch posts inbound messages, and the delivery reports of batches that name no URL of their own, to the service plan's callback URL (Sinch dashboard → SMS → APIs → Callback URLs): paste this trigger's URL there, and turn on Send SMS's Send Statuses to the Messaging Trigger. For WhatsApp, add this URL as a webhook of the Conversation API app (triggers MESSAGE_INBOUND and MESSAGE_DELIVERY) with the credential's Webhook Signing Secret as its secret",

	async verify(ctx, request) {
		const secret = typeof ctx.credentials.webhookSecret === 'string' ? ctx.credentials.webhookSecret : '';
		if (!secret) {
			return {
				ok: false,
				reason: "the Sinch credential has no Webhook Signing Secret, so Sinch's callbacks cannot be checked: add the secret, or turn off the trigger's signature check",
			};
		}
		const valid = validateSinchWebhookSignature({
			secret,
			rawBody: request.rawBody.toString('utf-8'),
			nonce: headerValue(request.headers, 'x-sinch-webhook-signature-nonce'),
			timestamp: headerValue(request.headers, 'x-sinch-webhook-signature-timestamp'),
			signature: headerValue(request.headers, 'x-sinch-webhook-signature'),
		});
		const algorithm = headerValue(request.headers, 'x-sinch-webhook-signature-algorithm');
		if (!valid || (algorithm !== undefined && !/^hmacsha256$/i.test(algorithm))) {
			return { ok: false, reason: 'the x-sinch-webhook-signature does not match the body signed with the credential’s Webhook Signing Secret' };
		}
		// Signed, but when: a captured request sent again a day later is a replay.
		const signedAt = Number(headerValue(request.headers, 'x-sinch-webhook-signature-timestamp')) * 1000;
		const age = ctx.now().getTime() - signedAt;
		if (!(age <= SINCH_MAX_AGE_MS && age >= -5 * 60 * 1000)) return { ok: false, reason: 'the signed timestamp is not within the last 24 hours (a replay, or a clock far off)' };
		return { ok: true };
	},

	async read(_ctx, request) {
		let body: unknown;
		try {
			body = JSON.parse(request.rawBody.toString('utf-8'));
		} catch {
			throw new Error('The request is not a Sinch callback: its body is not JSON');
		}
		return { type: 'events', events: readSinchCallback(body) };
	},

	reply() {
		return { statusCode: 200, contentType: 'application/json', body: '{}' };
	},
};
