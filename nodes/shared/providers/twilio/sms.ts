/** Twilio Programmable Messaging: send, look up and cancel a message. */
import type { IDataObject } from 'n8n-workflow';
import { parsePrice } from '../../rules/cost';
import { describeCode } from '../../rules/errors';
import { mapStatus } from '../../rules/status';
import type { PriceQuote, ProviderContext, ProviderHttpResponse, ProviderMessage, SendSmsRequest, SmsCapability } from '../types';
import { asJson, formEncode } from '../wire';
import { TWILIO, TWILIO_CODES, TWILIO_SENDER_RATES, TWILIO_STATUSES, twilioApiBase, twilioFailure, twilioPricingBase, twilioSenderKind } from './index';
import { twilioTriggerStatusUrl } from './webhooks';

const MIN_SCHEDULE_MS = 5 * 60 * 1000;
const MAX_SCHEDULE_MS = 35 * 24 * 60 * 60 * 1000;

/** The Messages resource of the credential's account, or one message of it. */
export function messagesUrl(ctx: ProviderContext, sid?: string): string {
	const account = encodeURIComponent(String(ctx.credentials.accountSid ?? ''));
	return `${twilioApiBase(ctx.credentials)}/2010-04-01/Accounts/${account}/Messages${sid ? `/${encodeURIComponent(sid)}` : ''}.json`;
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

function isoOrUndefined(value: unknown): string | undefined {
	if (!value) return undefined;
	const date = new Date(String(value));
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A Twilio message resource in our model. */
export function toMessage(body: Record<string, unknown>): ProviderMessage {
	const providerStatus = String(body.status ?? '');
	const status = mapStatus(TWILIO_STATUSES, providerStatus);
	const errorCode = body.error_code === null || body.error_code === undefined ? undefined : String(body.error_code);
	const price = toNumber(body.price);
	// A scheduled message has not been sent: it has no send time until it goes.
	const sentAt = status === 'scheduled' || status === 'canceled' ? isoOrUndefined(body.date_sent) : (isoOrUndefined(body.date_sent) ?? isoOrUndefined(body.date_created));
	return {
		messageId: String(body.sid ?? ''),
		status,
		providerStatus,
		to: String(body.to ?? ''),
		from: body.from === null || body.from === undefined ? null : String(body.from),
		segments: toNumber(body.num_segments),
		// Twilio reports what was charged as a negative amount.
		price: price === undefined ? undefined : Math.abs(price),
		priceUnit: body.price_unit ? String(body.price_unit) : undefined,
		errorCode,
		errorMessage: errorCode ? (describeCode(TWILIO, TWILIO_CODES, errorCode) ?? String(body.error_message ?? '')) : undefined,
		sentAt,
		raw: body as IDataObject,
	};
}

/** Twilio's answer, or its error in our model. Only Twilio's own error JSON counts as Twilio's words. */
export function answer(response: ProviderHttpResponse): Record<string, unknown> {
	const body = asJson(response.body);
	if (response.statusCode >= 200 && response.statusCode < 300 && body && typeof body.sid === 'string') return body;
	throw twilioFailure(response, body);
}

const SERVICE = { parameter: 'twilioSenderType', value: 'messagingService', label: 'Twilio Sender → Messaging Service' };

/** The highest listed price of one outbound segment to a mobile (else any number type), from the Pricing API. */
export function readSegmentPrice(body: Record<string, unknown> | undefined): PriceQuote | undefined {
	const carriers = Array.isArray(body?.outbound_sms_prices) ? (body.outbound_sms_prices as unknown[]) : [];
	const prices = carriers.flatMap((carrier) => (carrier && typeof carrier === 'object' && Array.isArray((carrier as IDataObject).prices) ? ((carrier as IDataObject).prices as unknown[]) : []));
	const read = (entry: unknown) => {
		const e = entry && typeof entry === 'object' ? (entry as IDataObject) : {};
		return { type: String(e.number_type ?? '').toLowerCase(), price: parsePrice(e.current_price) ?? parsePrice(e.base_price) };
	};
	const all = prices.map(read).filter((p): p is { type: string; price: number } => p.price !== undefined);
	const mobile = all.filter((p) => p.type === 'mobile');
	const pool = mobile.length ? mobile : all;
	if (!pool.length) return undefined;
	return { price: Math.max(...pool.map((p) => p.price)), unit: typeof body?.price_unit === 'string' ? body.price_unit.toUpperCase() : 'USD' };
}

export const twilioSms: SmsCapability = {
	pricing: {
		async perSegment(ctx, country) {
			if (!/^[A-Z]{2}$/.test(country)) return undefined;
			const response = await ctx.http({ method: 'GET', url: `${twilioPricingBase(ctx.credentials)}/v1/Messaging/Countries/${country}` });
			// A country Twilio does not list has no price: the node's own prices apply.
			if (response.statusCode === 404) return undefined;
			const body = asJson(response.body);
			if (response.statusCode < 200 || response.statusCode >= 300 || !body) throw twilioFailure(response, body);
			return readSegmentPrice(body);
		},
	},

	senderRate(sender) {
		// A Messaging Service sends from a pool of numbers: its rate cannot be told from its SID.
		if (sender.messagingServiceSid || !sender.from) return undefined;
		const kind = twilioSenderKind(sender.from);
		return TWILIO_SENDER_RATES.find((rate) => rate.kind === kind);
	},

	options: { media: true, statusCallback: true, statusToTrigger: true, clientReference: false, maxPrice: false, validityPeriod: true, schedule: { needsSender: SERVICE } },

	senderProperties: (show) => [
		{
			displayName: 'Twilio Sender',
			name: 'twilioSenderType',
			type: 'options',
			options: [
				{ name: 'Phone Number or Sender ID', value: 'from' },
				{ name: 'Messaging Service', value: 'messagingService', description: 'Needed to schedule messages with Send At' },
			],
			default: 'from',
			displayOptions: { show },
		},
		{
			displayName: 'Twilio From',
			name: 'twilioFrom',
			type: 'string',
			default: '',
			required: true,
			placeholder: '+15005550006',
			description: 'A number of the Twilio account, a short code, or an alphanumeric sender ID',
			displayOptions: { show: { ...show, twilioSenderType: ['from'] } },
		},
		{
			displayName: 'Messaging Service SID',
			name: 'twilioMessagingServiceSid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'MG…',
			displayOptions: { show: { ...show, twilioSenderType: ['messagingService'] } },
		},
	],

	readSender(read) {
		return read.option('twilioSenderType', 'from') === 'messagingService'
			? { messagingServiceSid: read.text('twilioMessagingServiceSid', 'Messaging Service SID').trim() || undefined }
			: { from: read.text('twilioFrom', 'Twilio From').trim() || undefined };
	},

	check(request: SendSmsRequest, now: Date) {
		if (!request.from && !request.messagingServiceSid) return 'Twilio needs a From number or a Messaging Service SID';
		if (request.body.length > 1600) return `The message has ${request.body.length} characters; Twilio accepts at most 1600 (error 21617)`;
		if ((request.mediaUrls?.length ?? 0) > 10) return 'Twilio accepts at most 10 media URLs per message';
		if (request.validityPeriod !== undefined && (!Number.isInteger(request.validityPeriod) || request.validityPeriod < 1 || request.validityPeriod > 36000)) {
			return `Twilio accepts a validity period of whole seconds from 1 to 36000; ${request.validityPeriod} is not one`;
		}
		if (request.sendAt) {
			if (!request.messagingServiceSid) {
				return `Twilio schedules messages only through a Messaging Service: set ${SERVICE.label} and its SID, or remove Send At`;
			}
			const ahead = request.sendAt.getTime() - now.getTime();
			if (ahead <= MIN_SCHEDULE_MS || ahead > MAX_SCHEDULE_MS) {
				return `Twilio schedules between 5 minutes and 35 days ahead; ${request.sendAt.toISOString()} is outside that window (error 35115)`;
			}
		}
		return undefined;
	},

	async send(ctx, request) {
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

	triggerStatusUrl: twilioTriggerStatusUrl,
	triggerStatusNote: 'Twilio: the trigger is active for the From number or the Messaging Service, with Configure the Provider for Me on.',

	status: {
		perRecipient: false,
		async get(ctx, messageId) {
			return toMessage(answer(await ctx.http({ method: 'GET', url: messagesUrl(ctx, messageId) })));
		},
	},

	// Twilio lists an account's messages newest first, filtered by To (From would miss a Messaging Service's choice).
	async find(ctx, query) {
		const since = query.since.getTime();
		const found: ProviderMessage[] = [];
		const params = new URLSearchParams({ To: query.to, PageSize: '50' });
		const response = await ctx.http({ method: 'GET', url: `${messagesUrl(ctx)}?${params.toString()}` });
		const body = asJson(response.body);
		if (response.statusCode < 200 || response.statusCode >= 300 || !body || !Array.isArray(body.messages)) throw twilioFailure(response, body);
		for (const raw of body.messages as unknown[]) {
			if (!raw || typeof raw !== 'object') continue;
			const m = raw as Record<string, unknown>;
			const created = new Date(String(m.date_created ?? '')).getTime();
			// Twilio's date_created has whole seconds: a message made in the second `since` falls in.
			if (!(created >= Math.floor(since / 1000) * 1000)) continue;
			const fromSender = query.sender.messagingServiceSid ? m.messaging_service_sid === query.sender.messagingServiceSid : m.from === query.sender.from;
			if (fromSender && m.body === query.body) found.push(toMessage(m));
		}
		return found;
	},

	async cancel(ctx, messageId) {
		const response = await ctx.http({
			method: 'POST',
			url: messagesUrl(ctx, messageId),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: formEncode({ Status: 'canceled' }),
		});
		return toMessage(answer(response));
	},
};
