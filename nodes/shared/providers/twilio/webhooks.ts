/**
 * Twilio's pushes: a number's (or Messaging Service's) "a message comes in" request and the status callbacks of
 * sent messages, both form posts signed with X-Twilio-Signature; answered with TwiML. Setup points a number's SmsUrl
 * (or a Messaging Service's inbound and status URLs) at the trigger and puts the old values back on delete.
 */
import type { IDataObject } from 'n8n-workflow';
import { describeCode, ProviderError } from '../../rules/errors';
import { addressToE164 } from '../../rules/phone';
import { mapStatus } from '../../rules/status';
import { validateTwilioSignature } from '../../signatures/twilio';
import type { ProviderContext, ProviderHttpResponse, SmsSender } from '../types';
import { isTriggerUrl, type ProviderWebhookEvent, type WebhookReply, type WebhooksCapability, type WebhookSettings, type WebhookSetup } from '../webhookTypes';
import { asJson, baseUrlOr, formEncode, headerValue } from '../wire';
import { readTwilioError, TWILIO, TWILIO_CODES, TWILIO_STATUSES, twilioApiBase, twilioFailure } from './index';

export const TWILIO_MESSAGING_HOST = 'https://messaging.twilio.com';

/** Twilio sends at most 10 media per message; more fields are not read. */
const MAX_MEDIA = 10;

/**
 * The token Twilio signs webhooks with: the account's Auth Token. With API-key credentials there is none, so the
 * credential's Webhook Auth Token holds it.
 */
export function twilioWebhookToken(credentials: IDataObject): string {
	const own = typeof credentials.webhookAuthToken === 'string' ? credentials.webhookAuthToken.trim() : '';
	if (own) return own;
	if (credentials.authType === 'apiKey') return '';
	return typeof credentials.authToken === 'string' ? credentials.authToken : '';
}

type Form = Record<string, string | string[]>;

/** The form as Twilio sent it: n8n's parsed fields, or the raw body read as a form. */
function formOf(request: { form?: Form; rawBody: Buffer }): Form {
	if (request.form) return request.form;
	const form: Form = {};
	for (const [key, value] of new URLSearchParams(request.rawBody.toString('utf-8'))) {
		const existing = form[key];
		form[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
	}
	return form;
}

function first(form: Form, key: string): string | undefined {
	const value = form[key];
	return Array.isArray(value) ? value[0] : value;
}

function isWhatsApp(address: string | undefined): boolean {
	return /^whatsapp:/i.test(address ?? '');
}

/** One event from Twilio's form; throws when the form is not a Twilio messaging webhook. */
export function readTwilioForm(form: Form): ProviderWebhookEvent {
	const messageId = first(form, 'MessageSid') ?? first(form, 'SmsMessageSid') ?? first(form, 'SmsSid') ?? null;
	if (!messageId) throw new Error('The request is not a Twilio messaging webhook: it has no MessageSid');
	const messageStatus = first(form, 'MessageStatus')?.toLowerCase();
	const kind: ProviderWebhookEvent['kind'] = messageStatus && messageStatus !== 'received' && messageStatus !== 'receiving' ? 'status' : 'inbound';
	const providerStatus = kind === 'status' ? (messageStatus as string) : (first(form, 'SmsStatus') ?? 'received').toLowerCase();
	const fromRaw = first(form, 'From');
	const toRaw = first(form, 'To');
	const media: ProviderWebhookEvent['media'] = [];
	const declared = Number(first(form, 'NumMedia') ?? 0);
	for (let i = 0; i < Math.min(Number.isInteger(declared) && declared > 0 ? declared : 0, MAX_MEDIA); i++) {
		const url = first(form, `MediaUrl${i}`);
		if (url) media.push({ url, contentType: first(form, `MediaContentType${i}`) ?? null });
	}
	const channel = isWhatsApp(fromRaw) || isWhatsApp(toRaw) ? 'whatsapp' : media.length > 0 ? 'mms' : 'sms';
	const errorCode = first(form, 'ErrorCode') || null;
	// An unknown code still says which code; WhatsApp's own words (ChannelStatusMessage) stay in raw.
	const errorMessage = describeCode(TWILIO, TWILIO_CODES, errorCode) ?? null;
	const eventType = first(form, 'EventType');
	const whatsapp = channel === 'whatsapp' && kind === 'inbound';
	const payload = first(form, 'ButtonPayload');
	return {
		kind,
		messageId,
		from: addressToE164(fromRaw),
		to: addressToE164(toRaw),
		body: kind === 'inbound' ? (first(form, 'Body') ?? '') : null,
		media,
		status: mapStatus(TWILIO_STATUSES, providerStatus),
		providerStatus,
		errorCode,
		errorMessage,
		channel,
		...(whatsapp
			? {
					button: payload ? { payload, text: first(form, 'ButtonText') ?? null } : null,
					replyTo: first(form, 'OriginalRepliedMessageSid') || null,
					profileName: first(form, 'ProfileName') || null,
				}
			: {}),
		// From signed fields only (Twilio's I-Twilio-Idempotency-Token header is not signed): a message's one status.
		deliveryKey: `${messageId}:${kind === 'status' ? providerStatus : 'inbound'}${eventType ? `:${eventType}` : ''}`,
		raw: { ...form },
	};
}

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** TwiML: an empty answer, or one reply message. */
export function twiml(replyText?: string): string {
	const text = replyText?.trim();
	return `<?xml version="1.0" encoding="UTF-8"?><Response>${text ? `<Message>${escapeXml(text)}</Message>` : ''}</Response>`;
}

// ---- setup: the number's SmsUrl, or the Messaging Service's inbound and status URLs ----

const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const NUMBER_SID = /^PN[0-9a-fA-F]{32}$/;

function accountPath(ctx: ProviderContext): string {
	return `${twilioApiBase(ctx.credentials)}/2010-04-01/Accounts/${encodeURIComponent(String(ctx.credentials.accountSid ?? ''))}`;
}

function serviceUrl(ctx: ProviderContext, sid: string): string {
	return `${baseUrlOr(ctx.credentials.baseUrl, TWILIO_MESSAGING_HOST)}/v1/Services/${encodeURIComponent(sid)}`;
}

function ok(response: ProviderHttpResponse, what: string): Record<string, unknown> {
	const body = asJson(response.body);
	if (response.statusCode >= 200 && response.statusCode < 300 && body) return body;
	const twilioError = readTwilioError(body);
	if (response.statusCode === 404) {
		throw new ProviderError({
			provider: TWILIO,
			kind: 'notFound',
			httpStatus: 404,
			code: twilioError.code === undefined ? undefined : String(twilioError.code),
			message: `Twilio has no ${what} in this account: check it in the trigger and that the credential is the account's`,
		});
	}
	throw twilioFailure(response, body);
}

interface TwilioTarget {
	kind: 'number' | 'service';
	/** PN… or MG… */
	sid: string;
	/** The URLs it posts to now. */
	inboundUrl: string;
	statusUrl?: string;
	raw: Record<string, unknown>;
}

async function findTarget(ctx: ProviderContext, target: string): Promise<TwilioTarget> {
	const wanted = target.trim();
	if (SERVICE_SID.test(wanted)) {
		const body = ok(await ctx.http({ method: 'GET', url: serviceUrl(ctx, wanted) }), `Messaging Service ${wanted}`);
		return {
			kind: 'service',
			sid: wanted,
			inboundUrl: String(body.inbound_request_url ?? ''),
			statusUrl: String(body.status_callback ?? ''),
			raw: body,
		};
	}
	if (NUMBER_SID.test(wanted)) {
		const body = ok(await ctx.http({ method: 'GET', url: `${accountPath(ctx)}/IncomingPhoneNumbers/${wanted}.json` }), `number ${wanted}`);
		return { kind: 'number', sid: wanted, inboundUrl: String(body.sms_url ?? ''), raw: body };
	}
	const number = addressToE164(wanted);
	if (!number || !number.startsWith('+')) {
		throw new ProviderError({
			provider: TWILIO,
			kind: 'request',
			message: `"${wanted}" is neither a phone number in international format (+1…) nor a Messaging Service SID (MG…): correct the trigger's Twilio Number or Service`,
		});
	}
	const list = ok(
		await ctx.http({ method: 'GET', url: `${accountPath(ctx)}/IncomingPhoneNumbers.json?${formEncode({ PhoneNumber: number })}` }),
		`number ${number}`,
	);
	const found = Array.isArray(list.incoming_phone_numbers) ? (list.incoming_phone_numbers as Array<Record<string, unknown>>).find((n) => n.phone_number === number) : undefined;
	if (!found || typeof found.sid !== 'string') {
		throw new ProviderError({
			provider: TWILIO,
			kind: 'notFound',
			message: `The Twilio account has no number ${number}: use one of the account's numbers (Phone Numbers → Active numbers) or a Messaging Service SID`,
		});
	}
	return { kind: 'number', sid: found.sid, inboundUrl: String(found.sms_url ?? ''), raw: found };
}

async function point(ctx: ProviderContext, target: TwilioTarget, urls: { inbound: string; inboundMethod: string; status?: string }): Promise<void> {
	const form =
		target.kind === 'service'
			? formEncode({ InboundRequestUrl: urls.inbound, InboundMethod: urls.inboundMethod, StatusCallback: urls.status ?? '' })
			: formEncode({ SmsUrl: urls.inbound, SmsMethod: urls.inboundMethod });
	const url = target.kind === 'service' ? serviceUrl(ctx, target.sid) : `${accountPath(ctx)}/IncomingPhoneNumbers/${target.sid}.json`;
	ok(await ctx.http({ method: 'POST', url, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form }), target.kind === 'service' ? `Messaging Service ${target.sid}` : `number ${target.sid}`);
}

function pointsAtTrigger(target: TwilioTarget, url: string): boolean {
	return target.inboundUrl === url && (target.kind === 'number' || target.statusUrl === url);
}

const STATUS_OPTION = 'Send Statuses to the Messaging Trigger';

/**
 * Where the Messaging Trigger set up for a sender hears delivery statuses. A number has no status URL of its own,
 * so each message names the number's incoming-message URL, once it is a trigger's (a new number's is Twilio's demo
 * reply; others point at Studio or another application); a Messaging Service posts statuses to its own status
 * callback, which the trigger set, so nothing is named. A look-up that got no answer sent nothing: it is safe to try
 * again.
 */
export async function twilioTriggerStatusUrl(ctx: ProviderContext, sender: SmsSender): Promise<string | undefined> {
	// A sender with no trigger set up fails the item, never falls back: a message sent by the next provider would
	// bring no statuses to the trigger either, and the mistake would go unseen.
	const refuse = (what: string) =>
		new ProviderError({
			provider: TWILIO,
			kind: 'request',
			message: `${what}: activate a workflow whose Messaging Trigger listens to it with Configure the Provider for Me on, or turn off ${STATUS_OPTION} and give a Status Callback URL`,
		});
	const service = sender.messagingServiceSid?.trim();
	if (service !== undefined && service !== '' && !SERVICE_SID.test(service)) {
		throw new ProviderError({ provider: TWILIO, kind: 'request', message: `"${service}" is not a Messaging Service SID (MG followed by 32 hexadecimal characters): correct the Messaging Service SID` });
	}
	const number = service ? undefined : addressToE164(sender.from ?? '');
	if (!service && !number?.startsWith('+')) {
		throw new ProviderError({
			provider: TWILIO,
			kind: 'request',
			message: `Delivery statuses reach a Messaging Trigger from a phone number or a Messaging Service; "${sender.from ?? ''}" is neither: turn off ${STATUS_OPTION} and give a Status Callback URL`,
		});
	}
	let target: TwilioTarget;
	try {
		target = await findTarget(ctx, service ?? (number as string));
	} catch (error) {
		if (!(error instanceof ProviderError)) throw error;
		if (error.kind === 'notFound') throw refuse(service ? `Twilio has no Messaging Service ${service} in this account` : `The Twilio account has no number ${number}`);
		if (error.kind === 'ambiguous') throw new ProviderError({ provider: TWILIO, kind: 'network', message: `Twilio did not answer where ${service ?? number} posts its messages; nothing was sent`, detail: error.detail });
		throw error;
	}
	const [url, what] = target.kind === 'service' ? [target.statusUrl ?? '', `The Messaging Service ${target.sid} posts its statuses`] : [target.inboundUrl, `The Twilio number ${number} posts its incoming messages`];
	if (!url) throw refuse(`${what} nowhere`);
	if (!isTriggerUrl(url)) throw refuse(`${what} to ${url}, not to a Messaging Trigger`);
	return target.kind === 'service' ? undefined : url;
}

export const twilioWebhookSetup: WebhookSetup = {
	targetLabel: 'Twilio Number or Service',
	targetPlaceholder: '+15017122661 or MG…',
	targetDescription:
		"The number (as +1…) whose incoming messages start this workflow, or a Messaging Service SID (MG…) for its inbound and status URLs. The old URLs come back when the workflow is deactivated",

	async exists(ctx, settings) {
		return pointsAtTrigger(await findTarget(ctx, settings.target), settings.url);
	},

	async create(ctx, settings) {
		const target = await findTarget(ctx, settings.target);
		// Already ours (a restart, an earlier activation): keep what was there before us, not our own URL.
		const remembered = settings.remembered.previous as IDataObject | undefined;
		const previous: IDataObject =
			target.inboundUrl === settings.url && remembered
				? remembered
				: target.kind === 'service'
					? { inboundUrl: target.inboundUrl, inboundMethod: String(target.raw.inbound_method ?? 'POST'), statusUrl: target.statusUrl ?? '' }
					: { inboundUrl: target.inboundUrl, inboundMethod: String(target.raw.sms_method ?? 'POST') };
		await point(ctx, target, { inbound: settings.url, inboundMethod: 'POST', status: settings.url });
		return { previous, current: { kind: target.kind, sid: target.sid, url: settings.url } };
	},

	async delete(ctx, settings) {
		const previous = settings.remembered.previous as IDataObject | undefined;
		let target: TwilioTarget;
		try {
			target = await findTarget(ctx, String((settings.remembered.current as IDataObject | undefined)?.sid ?? settings.target));
		} catch (error) {
			// The number or service is gone: nothing posts to the trigger any more, and nothing is left to put back.
			if (error instanceof ProviderError && error.kind === 'notFound') return;
			throw error;
		}
		// Each URL goes back only where it still points at the trigger: a setting someone changed since stays theirs.
		const inboundOurs = target.inboundUrl === settings.url;
		const statusOurs = target.kind === 'service' && target.statusUrl === settings.url;
		if (!inboundOurs && !statusOurs) return;
		await point(ctx, target, {
			inbound: inboundOurs ? String(previous?.inboundUrl ?? '') : target.inboundUrl,
			inboundMethod: inboundOurs ? String(previous?.inboundMethod ?? 'POST') : String(target.raw.inbound_method ?? target.raw.sms_method ?? 'POST'),
			status: target.kind === 'service' ? (statusOurs ? String(previous?.statusUrl ?? '') : (target.statusUrl ?? '')) : undefined,
		});
	},
};

export const twilioWebhooks: WebhooksCapability = {
	events: { inbound: true, status: true },
	replies: true,
	signatureNote: "Twilio signs every request with the account's Auth Token (X-Twilio-Signature)",

	async verify(ctx, request, settings: WebhookSettings) {
		const authToken = twilioWebhookToken(ctx.credentials);
		if (!authToken) {
			return {
				ok: false,
				reason: "the Twilio credential uses an API Key and has no Webhook Auth Token: add the account's Auth Token there so that Twilio's signatures can be checked",
			};
		}
		const signature = headerValue(request.headers, 'x-twilio-signature');
		if (!signature) return { ok: false, reason: 'the request has no X-Twilio-Signature header' };
		const url = request.url || settings.url;
		let signsBody: boolean;
		try {
			signsBody = new URL(url).searchParams.has('bodySHA256');
		} catch {
			return { ok: false, reason: `the trigger's URL "${url}" is not a URL: correct the Public URL option` };
		}
		const valid = signsBody
			? validateTwilioSignature({ authToken, signature, url, rawBody: request.rawBody })
			: validateTwilioSignature({ authToken, signature, url, params: formOf(request) });
		if (valid) return { ok: true };
		return {
			ok: false,
			reason: `the X-Twilio-Signature does not match the request signed for ${url} with the credential's Auth Token (behind a reverse proxy, set the trigger's Public URL to the URL Twilio calls)`,
		};
	},

	async read(_ctx, request) {
		const form = formOf(request);
		return { type: 'events', events: [readTwilioForm(form)] };
	},

	reply(events, options): WebhookReply {
		const inbound = events.some((event) => event.kind === 'inbound');
		return { statusCode: 200, contentType: 'text/xml', body: twiml(inbound ? options.replyText : undefined) };
	},

	setup: twilioWebhookSetup,
};
