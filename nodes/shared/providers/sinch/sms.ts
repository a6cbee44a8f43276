/** Sinch SMS (REST "XMS"): one batch per message here; campaigns use batches of up to 1000. */
import type { IDataObject } from 'n8n-workflow';
import { classifyProviderError, describeDeliveryError } from '../errors';
import { asJson, asText, headerValue } from '../http';
import { parseRetryAfter } from '../retry';
import { mapStatus, type MessageStatus } from '../status';
import { sinchHosts } from './sinchHosts';
import type { ProviderContext, ProviderHttpResponse, ProviderMessage, SmsProvider } from './types';

const MAX_EXPIRY_MS = 3 * 24 * 60 * 60 * 1000;

function batchesUrl(ctx: ProviderContext, suffix = ''): string {
	const hosts = sinchHosts(ctx.credentials);
	return `${hosts.sms}/xms/v1/${encodeURIComponent(hosts.smsScope)}/batches${suffix}`;
}

function answer(response: ProviderHttpResponse): Record<string, unknown> {
	const body = asJson(response.body);
	if (response.statusCode >= 200 && response.statusCode < 300 && body) return body;
	throw classifyProviderError({
		provider: 'sinch',
		httpStatus: response.statusCode,
		code: body?.code ? String(body.code) : response.statusCode === 401 ? 'unauthorized' : undefined,
		providerMessage: body?.text ? String(body.text) : asText(response.body).slice(0, 300) || undefined,
		retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
	});
}

const withPlus = (msisdn: string) => (msisdn.startsWith('+') ? msisdn : `+${msisdn}`);

function fromBatch(batch: Record<string, unknown>, now: Date): ProviderMessage {
	const to = Array.isArray(batch.to) ? String(batch.to[0] ?? '') : '';
	let providerStatus = 'accepted';
	if (batch.canceled === true) providerStatus = 'cancelled';
	else if (batch.send_at && new Date(String(batch.send_at)).getTime() > now.getTime()) providerStatus = 'scheduled';
	return {
		messageId: String(batch.id ?? ''),
		status: mapStatus('sinch', providerStatus),
		providerStatus,
		to: to ? withPlus(to) : '',
		from: batch.from ? String(batch.from) : null,
		sentAt: batch.created_at ? String(batch.created_at) : undefined,
		raw: batch as IDataObject,
	};
}

export const sinchProvider: SmsProvider = {
	name: 'sinch',
	label: 'Sinch',
	credentialType: 'messagingSinchApi',
	capabilities: { getMessage: true, cancelMessage: true, schedule: true, media: false, statusCallback: true },

	checkSendRequest(request, now) {
		if (!request.from) return 'Sinch needs a From (a number of the service plan, a short code or an alphanumeric sender)';
		if (request.mediaUrls?.length) return 'Sinch SMS does not send media (MMS) here: remove the media URLs or use Twilio';
		if (request.clientReference && request.clientReference.length > 128) return 'Sinch accepts a client reference of at most 128 characters';
		if (request.sendAt && request.sendAt.getTime() <= now.getTime()) {
			return `Sinch schedules only in the future; ${request.sendAt.toISOString()} has passed`;
		}
		if (request.validityPeriod !== undefined && (request.validityPeriod < 1 || request.validityPeriod * 1000 > MAX_EXPIRY_MS)) {
			return 'Sinch keeps trying for at most 3 days: use a validity period from 1 to 259200 seconds';
		}
		return undefined;
	},

	async sendSms(ctx, request) {
		const now = ctx.now();
		const start = request.sendAt ?? now;
		const payload: IDataObject = {
			to: [request.to],
			from: request.from,
			body: request.body,
			type: 'mt_text',
			delivery_report: request.statusCallbackUrl ? 'per_recipient' : 'none',
		};
		if (request.statusCallbackUrl) payload.callback_url = request.statusCallbackUrl;
		if (request.clientReference) payload.client_reference = request.clientReference;
		if (request.sendAt) payload.send_at = request.sendAt.toISOString();
		if (request.validityPeriod) payload.expire_at = new Date(start.getTime() + request.validityPeriod * 1000).toISOString();
		const response = await ctx.http({
			method: 'POST',
			url: batchesUrl(ctx),
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(payload),
		});
		return fromBatch(answer(response), now);
	},

	async getMessage(ctx, messageId, to) {
		const batch = answer(await ctx.http({ method: 'GET', url: batchesUrl(ctx, `/${encodeURIComponent(messageId)}`) }));
		const message = fromBatch(batch, ctx.now());
		if (message.status === 'canceled') return message;
		const recipient = (to ?? message.to).replace(/^\+/, '');
		const report = await ctx.http({
			method: 'GET',
			url: batchesUrl(ctx, `/${encodeURIComponent(messageId)}/delivery_report/${encodeURIComponent(recipient)}`),
		});
		// No report yet: the batch is accepted and nothing more is known.
		if (report.statusCode === 404) return message;
		const body = answer(report);
		const providerStatus = String(body.status ?? 'Unknown');
		const status: MessageStatus = mapStatus('sinch', providerStatus);
		const code = body.code === undefined ? undefined : String(body.code);
		const failed = status === 'failed' || status === 'undelivered';
		return {
			...message,
			status,
			providerStatus,
			errorCode: failed ? code : undefined,
			errorMessage: failed ? describeDeliveryError('sinch', code) : undefined,
			raw: { batch, deliveryReport: body } as IDataObject,
		};
	},

	async cancelMessage(ctx, messageId) {
		const response = await ctx.http({ method: 'DELETE', url: batchesUrl(ctx, `/${encodeURIComponent(messageId)}`) });
		return fromBatch(answer(response), ctx.now());
	},
};
