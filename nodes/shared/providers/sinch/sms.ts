/** Sinch SMS (REST "XMS"): one batch per message here; campaigns use batches of up to 1000. */
import type { IDataObject } from 'n8n-workflow';
import { classifyProviderError, describeCode, ProviderError, type FailureKind } from '../../rules/errors';
import { parseRetryAfter } from '../../rules/retry';
import { mapStatus, type MessageStatus } from '../../rules/status';
import type { TemplatePart } from '../../rules/messageTemplate';
import type { ProviderContext, ProviderHttpResponse, ProviderMessage, SendSmsRequest, SmsBatchRequest, SmsCapability } from '../types';
import { asJson, headerValue } from '../wire';
import { SINCH, SINCH_CODES, SINCH_DELIVERY_CODES, SINCH_STATUSES, sinchHosts } from './index';

const MAX_EXPIRY_MS = 3 * 24 * 60 * 60 * 1000;

function batchesUrl(ctx: ProviderContext, suffix = ''): string {
	const hosts = sinchHosts(ctx.credentials);
	return `${hosts.sms}/xms/v1/${encodeURIComponent(hosts.smsScope)}/batches${suffix}`;
}

function answer(response: ProviderHttpResponse): Record<string, unknown> {
	const body = asJson(response.body);
	if (response.statusCode >= 200 && response.statusCode < 300 && body && typeof body.id === 'string') return body;
	const isSinchError = body !== undefined && typeof body.code === 'string' && typeof body.text === 'string';
	const providerMessage = isSinchError ? String(body.text) : undefined;
	let kind: FailureKind | undefined;
	if (response.statusCode >= 200 && response.statusCode < 300) kind = 'ambiguous';
	// Sinch reports a bad recipient as a format error naming the field.
	else if (isSinchError && /^syntax_/.test(String(body.code)) && /\bto\b|recipient|msisdn/i.test(providerMessage ?? '')) kind = 'recipient';
	throw classifyProviderError(SINCH, SINCH_CODES, {
		httpStatus: response.statusCode,
		code: isSinchError ? String(body.code) : response.statusCode === 401 ? 'unauthorized' : undefined,
		providerMessage,
		retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
		kind,
	});
}

const withPlus = (msisdn: string) => (msisdn.startsWith('+') ? msisdn : `+${msisdn}`);
const digits = (msisdn: string) => msisdn.replace(/^\+/, '');

function recipientsOf(batch: Record<string, unknown>): string[] {
	return Array.isArray(batch.to) ? batch.to.map((to) => String(to)) : [];
}

function fromBatch(batch: Record<string, unknown>, now: Date): ProviderMessage {
	const to = recipientsOf(batch)[0] ?? '';
	let providerStatus = 'accepted';
	if (batch.canceled === true) providerStatus = 'cancelled';
	else if (batch.send_at && new Date(String(batch.send_at)).getTime() > now.getTime()) providerStatus = 'scheduled';
	const status = mapStatus(SINCH_STATUSES, providerStatus);
	return {
		messageId: String(batch.id ?? ''),
		status,
		providerStatus,
		to: to ? withPlus(to) : '',
		from: batch.from ? String(batch.from) : null,
		sentAt: status === 'accepted' && batch.created_at ? String(batch.created_at) : undefined,
		raw: batch as IDataObject,
	};
}

/** Characters a batch's body may have. */
const SINCH_MAX_BODY = 2000;

/** Characters a batch parameter's value may have (Sinch's XMS reference: 160; unconfirmed for the current API). */
const SINCH_MAX_PARAMETER = 160;

/** Recipients one batch can take. */
export const SINCH_MAX_RECIPIENTS = 1000;

/**
 * A template as Sinch's batch parameters: each placeholder becomes `${p0}`, `${p1}`… (names Sinch accepts whatever the
 * field was called) with each recipient's value under its number.
 */
export function personalised(parts: readonly TemplatePart[], to: readonly string[], values: Readonly<Record<string, Readonly<Record<string, string>>>>): { text: string; parameters: Record<string, Record<string, string>> } {
	const names = new Map<string, string>();
	let text = '';
	for (const part of parts) {
		if (typeof part === 'string') {
			text += part;
			continue;
		}
		let name = names.get(part.field);
		if (!name) names.set(part.field, (name = `p${names.size}`));
		text += `\${${name}}`;
	}
	const parameters: Record<string, Record<string, string>> = {};
	for (const [field, name] of names) {
		const perRecipient: Record<string, string> = {};
		for (const recipient of to) {
			const value = values[recipient]?.[field];
			if (value === undefined) {
				throw new ProviderError({ provider: SINCH, kind: 'request', message: `No value of {${field}} for ${recipient}: every recipient of a batch needs one. Nothing was sent` });
			}
			perRecipient[recipient] = value;
		}
		parameters[name] = perRecipient;
	}
	return { text, parameters };
}

async function postBatch(ctx: ProviderContext, request: Omit<SendSmsRequest, 'to' | 'body'> | SmsBatchRequest, to: readonly string[], body: string, parameters?: IDataObject): Promise<ProviderMessage> {
	const now = ctx.now();
	const start = request.sendAt ?? now;
	const payload: IDataObject = {
		to: [...to],
		from: request.from,
		body,
		type: 'mt_text',
		// Statuses to the trigger: the service plan's callback URL (set in the Sinch dashboard) receives them.
		delivery_report: request.statusCallbackUrl || request.statusToTrigger ? 'per_recipient' : 'none',
	};
	if (parameters && Object.keys(parameters).length) payload.parameters = parameters;
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
}

export const sinchSms: SmsCapability = {
	options: { media: false, statusCallback: true, statusToTrigger: true, clientReference: true, maxPrice: false, validityPeriod: true, schedule: {} },
	triggerStatusNote: "Sinch: the trigger's URL is the service plan's callback URL (Sinch dashboard → SMS → APIs).",
	acceptedHint:
		'Sinch has accepted the batch; it refuses blocked or opted-out numbers only afterwards (delivery report 413). Use Get Status, a status callback, or Wait for Final Status to know the outcome.',

	senderProperties: (show) => [
		{
			displayName: 'Sinch From',
			name: 'sinchFrom',
			type: 'string',
			default: '',
			required: true,
			placeholder: '+12025550134',
			description: 'A number of the service plan, a short code, or an alphanumeric sender',
			displayOptions: { show },
		},
	],

	readSender: (read) => ({ from: read.text('sinchFrom', 'Sinch From').trim() || undefined }),

	check(request, now) {
		if (!request.from) return 'Sinch needs a From (a number of the service plan, a short code or an alphanumeric sender)';
		if (request.mediaUrls?.length) return 'Sinch SMS does not send media (MMS) here: remove the media URLs or use Twilio';
		if (request.body.length > SINCH_MAX_BODY) return `Sinch takes a message of at most ${SINCH_MAX_BODY} characters; this one has ${request.body.length}`;
		if (request.clientReference && request.clientReference.length > 128) return 'Sinch accepts a client reference of at most 128 characters';
		if (request.sendAt && request.sendAt.getTime() <= now.getTime()) {
			return `Sinch schedules only in the future; ${request.sendAt.toISOString()} has passed`;
		}
		if (request.validityPeriod !== undefined && (!Number.isInteger(request.validityPeriod) || request.validityPeriod < 1 || request.validityPeriod * 1000 > MAX_EXPIRY_MS)) {
			return 'Sinch keeps trying for at most 3 days: use a validity period of whole seconds from 1 to 259200';
		}
		return undefined;
	},

	async send(ctx, request) {
		return await postBatch(ctx, request, [request.to], request.body);
	},

	batch: {
		maxRecipients: SINCH_MAX_RECIPIENTS,
		// Text that already holds "${" could be read as a parameter by Sinch, and a value longer than a parameter may be
		// would fail the whole batch: such messages go as plain text, batched with those of the very same text.
		canPersonalise: (parts, values) => parts.every((part) => typeof part !== 'string' || !part.includes('${')) && Object.values(values).every((value) => value.length <= SINCH_MAX_PARAMETER),
		async send(ctx, request) {
			if (request.to.length < 1 || request.to.length > SINCH_MAX_RECIPIENTS) {
				throw new ProviderError({ provider: SINCH, kind: 'request', message: `A Sinch batch takes 1 to ${SINCH_MAX_RECIPIENTS} recipients, not ${request.to.length}` });
			}
			if (typeof request.body === 'string') return await postBatch(ctx, request, request.to, request.body);
			const { text, parameters } = personalised(request.body.parts, request.to, request.body.values);
			return await postBatch(ctx, request, request.to, text, parameters);
		},
	},

	status: {
		perRecipient: true,
		async get(ctx, messageId, recipient) {
			const batch = answer(await ctx.http({ method: 'GET', url: batchesUrl(ctx, `/${encodeURIComponent(messageId)}`) }));
			const message = fromBatch(batch, ctx.now());
			const recipients = recipientsOf(batch).map(digits);
			const wanted = recipient ? digits(recipient) : recipients[0];
			if (recipient && !recipients.includes(wanted)) {
				throw new ProviderError({
					provider: SINCH,
					kind: 'request',
					message: `${withPlus(wanted)} is not a recipient of Sinch batch ${messageId}: check the Recipient, or leave it empty for the batch's first recipient`,
				});
			}
			const forRecipient = { ...message, to: wanted ? withPlus(wanted) : message.to };
			if (message.status === 'canceled' || !wanted) return forRecipient;
			const report = await ctx.http({
				method: 'GET',
				url: batchesUrl(ctx, `/${encodeURIComponent(messageId)}/delivery_report/${encodeURIComponent(wanted)}`),
			});
			// No report yet: the batch is accepted and nothing more is known.
			if (report.statusCode === 404) return forRecipient;
			const body = asJson(report.body);
			if (report.statusCode < 200 || report.statusCode >= 300 || !body || typeof body.status !== 'string') answer(report);
			const providerStatus = String(body?.status ?? 'Unknown');
			const status: MessageStatus = mapStatus(SINCH_STATUSES, providerStatus);
			const code = body?.code === undefined ? undefined : String(body.code);
			const failed = status === 'failed' || status === 'undelivered';
			return {
				...forRecipient,
				status,
				providerStatus,
				errorCode: failed ? code : undefined,
				errorMessage: failed ? describeCode(SINCH, SINCH_DELIVERY_CODES, code) : undefined,
				sentAt: forRecipient.sentAt ?? (batch.created_at ? String(batch.created_at) : undefined),
				raw: { batch, deliveryReport: body } as IDataObject,
			};
		},
	},

	async cancel(ctx, messageId) {
		const response = await ctx.http({ method: 'DELETE', url: batchesUrl(ctx, `/${encodeURIComponent(messageId)}`) });
		return fromBatch(answer(response), ctx.now());
	},
};
