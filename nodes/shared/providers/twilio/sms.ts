/** Twilio Programmable Messaging. */
import type { IDataObject } from 'n8n-workflow';
import { classifyProviderError, describeDeliveryError } from '../errors';
import { asJson, asText, baseUrlOr, formEncode, headerValue } from '../http';
import { parseRetryAfter } from '../retry';
import { mapStatus } from '../status';
import type { ProviderContext, ProviderHttpResponse, ProviderMessage, SendSmsRequest, SmsProvider } from './types';

const MIN_SCHEDULE_MS = 5 * 60 * 1000;
const MAX_SCHEDULE_MS = 35 * 24 * 60 * 60 * 1000;

function messagesUrl(ctx: ProviderContext, sid?: string): string {
	const base = baseUrlOr(ctx.credentials.baseUrl, 'https://api.twilio.com');
	const account = encodeURIComponent(String(ctx.credentials.accountSid ?? ''));
	return `${base}/2010-04-01/Accounts/${account}/Messages${sid ? `/${encodeURIComponent(sid)}` : ''}.json`;
}

/** Twilio's dates go as YYYY-MM-DDTHH:MM:SSZ. */
function twilioDate(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toNumber(value: unknown): number | undefined {
	if (value === null || value === undefined || value === '') return undefined;
	const n = Number(value);
	return Number.isFinite(n) ? n : undefined;
}

function toMessage(body: Record<string, unknown>): ProviderMessage {
	const providerStatus = String(body.status ?? '');
	const errorCode = body.error_code === null || body.error_code === undefined ? undefined : String(body.error_code);
	const price = toNumber(body.price);
	return {
		messageId: String(body.sid ?? ''),
		status: mapStatus('twilio', providerStatus),
		providerStatus,
		to: String(body.to ?? ''),
		from: body.from === null || body.from === undefined ? null : String(body.from),
		segments: toNumber(body.num_segments),
		// Twilio reports what was charged as a negative amount.
		price: price === undefined ? undefined : Math.abs(price),
		priceUnit: body.price_unit ? String(body.price_unit) : undefined,
		errorCode,
		errorMessage: errorCode ? (describeDeliveryError('twilio', errorCode) ?? String(body.error_message ?? '')) : undefined,
		sentAt: body.date_sent ? new Date(String(body.date_sent)).toISOString() : body.date_created ? new Date(String(body.date_created)).toISOString() : undefined,
		raw: body as IDataObject,
	};
}

function answer(response: ProviderHttpResponse): Record<string, unknown> {
	const body = asJson(response.body);
	if (response.statusCode >= 200 && response.statusCode < 300 && body) return body;
	throw classifyProviderError({
		provider: 'twilio',
		httpStatus: response.statusCode,
		code: body?.code as number | undefined,
		providerMessage: body?.message ? String(body.message) : asText(response.body).slice(0, 300) || undefined,
		retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
	});
}

export const twilioProvider: SmsProvider = {
	name: 'twilio',
	label: 'Twilio',
	credentialType: 'messagingTwilioApi',
	capabilities: { getMessage: true, cancelMessage: true, schedule: true, media: true, statusCallback: true },

	checkSendRequest(request, now) {
		if (!request.from && !request.messagingServiceSid) return 'Twilio needs a From number or a Messaging Service SID';
		if (request.body.length > 1600) return `The message has ${request.body.length} characters; Twilio accepts at most 1600 (error 21617)`;
		if ((request.mediaUrls?.length ?? 0) > 10) return 'Twilio accepts at most 10 media URLs per message';
		if (request.validityPeriod !== undefined && (request.validityPeriod < 1 || request.validityPeriod > 36000)) {
			return 'Twilio accepts a validity period from 1 to 36000 seconds';
		}
		if (request.sendAt) {
			if (!request.messagingServiceSid) return 'Twilio schedules messages only through a Messaging Service: set a Messaging Service SID';
			const ahead = request.sendAt.getTime() - now.getTime();
			if (ahead <= MIN_SCHEDULE_MS || ahead > MAX_SCHEDULE_MS) {
				return `Twilio schedules between 5 minutes and 35 days ahead; ${request.sendAt.toISOString()} is outside that window (error 35115)`;
			}
		}
		return undefined;
	},

	async sendSms(ctx, request: SendSmsRequest) {
		const body = formEncode({
			To: request.to,
			From: request.messagingServiceSid ? undefined : request.from,
			MessagingServiceSid: request.messagingServiceSid,
			Body: request.body,
			MediaUrl: request.mediaUrls?.length ? request.mediaUrls : undefined,
			StatusCallback: request.statusCallbackUrl,
			ValidityPeriod: request.validityPeriod,
			SendAt: request.sendAt ? twilioDate(request.sendAt) : undefined,
			ScheduleType: request.sendAt ? 'fixed' : undefined,
		});
		const response = await ctx.http({
			method: 'POST',
			url: messagesUrl(ctx),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body,
		});
		return toMessage(answer(response));
	},

	async getMessage(ctx, messageId) {
		return toMessage(answer(await ctx.http({ method: 'GET', url: messagesUrl(ctx, messageId) })));
	},

	async cancelMessage(ctx, messageId) {
		const response = await ctx.http({
			method: 'POST',
			url: messagesUrl(ctx, messageId),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: formEncode({ Status: 'canceled' }),
		});
		return toMessage(answer(response));
	},
};
