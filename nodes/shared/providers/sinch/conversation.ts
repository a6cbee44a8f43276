/**
 * WhatsApp through Sinch's Conversation API: `messages:send` for an app's WhatsApp channel with the project's OAuth2
 * token (the Sinch credential's access key), text, media, quick replies (a choice message) and WhatsApp templates
 * (`channel_template.WHATSAPP`); the 24-hour window from the app's message history (the contact's last TO_APP
 * message); a template's WhatsApp approval from the Provisioning API (provisioning.api.sinch.com, the same token).
 * Statuses come only as MESSAGE_DELIVERY callbacks, to the Messaging Trigger: there is nothing to ask.
 */
import { classifyProviderError, type FailureKind } from '../../rules/errors';
import { parseRetryAfter } from '../../rules/retry';
import type { ProviderContext, ProviderHttpResponse } from '../types';
import type { TemplateApproval, WhatsAppCapability, WhatsAppContent, WhatsAppRequest, WindowState } from '../whatsappTypes';
import { asJson, headerValue, objectOf } from '../wire';
import { SINCH, SINCH_CONVERSATION_CODES, SINCH_PROVISIONING_CODES, sinchHosts } from './index';

const DAY_MS = 24 * 60 * 60 * 1000;
/** WhatsApp shows at most three quick-reply buttons under a message. */
const MAX_BUTTONS = 3;

/** The project whose Conversation API the credential reaches: its own Conversation Project ID, else the SMS project. */
function conversationProject(credentials: ProviderContext['credentials']): string {
	const own = String(credentials.conversationProjectId ?? '').trim();
	return own || String(credentials.projectId ?? '').trim();
}

function projectUrl(ctx: ProviderContext, path: string): string {
	return `${sinchHosts(ctx.credentials).conversation}/v1/projects/${encodeURIComponent(conversationProject(ctx.credentials))}/${path}`;
}

const appId = (ctx: ProviderContext) => String(ctx.credentials.conversationAppId ?? '').trim();
const digits = (e164: string) => e164.replace(/^\+/, '');

/** The Conversation API's error envelope ({error: {code, message, status}}) in our model. */
export function conversationFailure(response: ProviderHttpResponse, body: Record<string, unknown> | undefined) {
	const error = body?.error && typeof body.error === 'object' ? (body.error as Record<string, unknown>) : undefined;
	const status = typeof error?.status === 'string' ? error.status : undefined;
	const message = typeof error?.message === 'string' ? error.message : undefined;
	let kind: FailureKind | undefined;
	if (response.statusCode >= 200 && response.statusCode < 300) kind = 'ambiguous';
	// A recipient Sinch cannot read is named in the message of an INVALID_ARGUMENT.
	else if (status === 'INVALID_ARGUMENT' && /identity|recipient|msisdn|phone/i.test(message ?? '')) kind = 'recipient';
	return classifyProviderError(SINCH, SINCH_CONVERSATION_CODES, {
		httpStatus: response.statusCode,
		code: status ?? (response.statusCode === 401 ? 'UNAUTHENTICATED' : undefined),
		providerMessage: message,
		retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
		kind,
	});
}

/** The Provisioning API's error body ({errorCode, message, resolution}) in our model. */
export function provisioningFailure(response: ProviderHttpResponse, body: Record<string, unknown> | undefined) {
	const code = typeof body?.errorCode === 'string' && body.errorCode !== '' ? body.errorCode : undefined;
	const message = typeof body?.message === 'string' ? body.message : undefined;
	return classifyProviderError(SINCH, SINCH_PROVISIONING_CODES, {
		httpStatus: response.statusCode,
		code: code ?? (response.statusCode === 401 ? 'unauthorized_error' : undefined),
		providerMessage: message,
		retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
		// A look-up sends nothing: an answer it cannot read is Sinch failing, and may be asked again.
		kind: response.statusCode >= 200 && response.statusCode < 300 ? 'unavailable' : undefined,
	});
}

/** A language as WhatsApp writes it, to compare: en_US, en-US and the Provisioning API's EN_US are one. */
const languageKey = (language: unknown) => (typeof language === 'string' ? language.trim().replace(/-/g, '_').toUpperCase() : '');

/**
 * WhatsApp's approval of a template in one language, from the Provisioning API's templates of that name
 * (GET /v1/projects/{project}/whatsapp/templates/{name}, all its languages). Confirmed from Sinch's API reference
 * (developers.sinch.com/docs/provisioning-api/api-reference/provisioning-api/whatsapp-templates): the paths, Basic or
 * bearer auth, and a template's fields `name`, `language` (an upper-case enum: EN, EN_US, PT_BR), `state` (APPROVED,
 * REJECTED, PAUSED, DISABLED), `rejectionCode` and `changes.status` (DRAFT, IN_PROGRESS, REJECTED). Read defensively:
 * - the answer wraps them in `templates` as the list does (unconfirmed): a bare list or one template is read too;
 * - a template never approved has no `state`, only `changes.status` (unconfirmed): that is its state then;
 * - an unknown name is a 404 (unconfirmed); one whose message names the project (no template) is the project missing.
 */
async function approvalOf(ctx: ProviderContext, id: string, language: string): Promise<TemplateApproval | undefined> {
	const project = encodeURIComponent(conversationProject(ctx.credentials));
	const response = await ctx.http({ method: 'GET', url: `${sinchHosts(ctx.credentials).provisioning}/v1/projects/${project}/whatsapp/templates/${encodeURIComponent(id)}` });
	const body = asJson(response.body);
	// A 404 whose message names the project and no template is the project missing, not the template.
	const projectMissing = typeof body?.message === 'string' && /\bproject\b/i.test(body.message) && !/\btemplate\b/i.test(body.message);
	if (response.statusCode === 404 && !projectMissing) return undefined;
	if (response.statusCode !== 200 || !body) throw provisioningFailure(response, body);
	const list: unknown[] = Array.isArray(body) ? body : Array.isArray(body.templates) ? body.templates : [body];
	const wanted = languageKey(language);
	const versions = list.filter((t): t is Record<string, unknown> => {
		if (!t || typeof t !== 'object') return false;
		const { name, language: its } = t as Record<string, unknown>;
		return (name === undefined || name === id) && languageKey(its) === wanted;
	});
	const stateOf = (t: Record<string, unknown>) => {
		const changes = t.changes && typeof t.changes === 'object' ? (t.changes as Record<string, unknown>) : {};
		const state = typeof t.state === 'string' && t.state !== '' ? t.state : typeof changes.status === 'string' && changes.status !== '' ? changes.status : 'UNKNOWN';
		return state.toUpperCase();
	};
	const template = versions.find((t) => stateOf(t) === 'APPROVED') ?? versions[0];
	if (!template) return undefined;
	const state = stateOf(template);
	const code = typeof template.rejectionCode === 'string' && !['', 'NONE', 'UNRECOGNIZED'].includes(template.rejectionCode) ? template.rejectionCode : null;
	return { state: state.toLowerCase().replace(/_/g, ' '), approved: state === 'APPROVED', reason: state === 'APPROVED' ? null : code, ...componentsOf(template) };
}

/**
 * What a template's components say it takes (its `details`, else the `details` of its pending changes): the body's
 * distinct {{placeholders}}, and its quick-reply buttons' texts. Unknown when the answer has no components.
 */
function componentsOf(template: Record<string, unknown>): Pick<TemplateApproval, 'bodyValues' | 'quickReplies'> {
	const details = objectOf(template.details) ?? objectOf(objectOf(template.changes)?.details);
	const components = Array.isArray(details?.components) ? details.components.map(objectOf).filter((c): c is Record<string, unknown> => c !== undefined) : undefined;
	if (!components) return { bodyValues: null, quickReplies: null };
	const typeOf = (c: Record<string, unknown>) => String(typeof c.type === 'string' ? c.type : '').toUpperCase();
	const body = components.find((c) => typeOf(c) === 'BODY');
	const text = typeof body?.text === 'string' ? body.text : '';
	const placeholders = new Set([...text.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((m) => m[1]));
	const buttons = components.filter((c) => typeOf(c) === 'BUTTONS').flatMap((c) => (Array.isArray(c.buttons) ? c.buttons.map(objectOf) : []));
	const quickReplies = buttons.filter((b): b is Record<string, unknown> => b !== undefined && String(b.type ?? '').toUpperCase() === 'QUICK_REPLY').map((b) => (typeof b.text === 'string' ? b.text : ''));
	return { bodyValues: placeholders.size, quickReplies };
}

/** WhatsApp templates take underscored languages (en_US), as Sinch's API notes. */
export function whatsappLanguage(language: string | undefined): string {
	return (language ?? '').trim().replace(/-/g, '_');
}

/** The `message` of a send request. */
export function conversationMessage(content: WhatsAppContent): Record<string, unknown> {
	switch (content.type) {
		case 'text':
			if (content.buttons?.length) {
				return {
					choice_message: {
						text_message: { text: content.text },
						choices: content.buttons.map((button) => ({ text_message: { text: button.title }, postback_data: button.payload })),
					},
				};
			}
			return { text_message: { text: content.text } };
		case 'media':
			// WhatsApp shows a card as the media with its text as the caption (Sinch's WhatsApp message support).
			return content.caption ? { card_message: { description: content.caption, media_message: { url: content.url } } } : { media_message: { url: content.url } };
		case 'template':
			return {
				template_message: {
					channel_template: {
						WHATSAPP: { template_id: content.template.id, language_code: whatsappLanguage(content.template.language), parameters: content.template.variables },
					},
				},
			};
	}
}

/**
 * The contact's messages to the app in the last 24 hours: those Conversation stores, else (an app in Dispatch mode
 * keeps no conversations) those it keeps for dispatch.
 */
async function windowOf(ctx: ProviderContext, request: WhatsAppRequest): Promise<WindowState> {
	const since = new Date(ctx.now().getTime() - DAY_MS).toISOString();
	const base = { app_id: appId(ctx), channel_identity: digits(request.to), channel: 'WHATSAPP', direction: 'TO_APP', start_time: since, page_size: '1' };
	const sources: Array<Record<string, string>> = [{}, { messages_source: 'DISPATCH_SOURCE', only_recipient_originated: 'true' }];
	for (const source of sources) {
		const response = await ctx.http({ method: 'GET', url: `${projectUrl(ctx, 'messages')}?${new URLSearchParams({ ...base, ...source }).toString()}` });
		const body = asJson(response.body);
		if (response.statusCode !== 200 || !body) throw conversationFailure(response, body);
		if (Array.isArray(body.messages) && body.messages.length > 0) return 'open';
	}
	return 'closed';
}

export const sinchConversation: WhatsAppCapability = {
	// The app (and its WhatsApp sender) is the credential's Conversation App ID: nothing to choose in the node.
	senderProperties: () => [],
	readSender: () => ({}),

	check(request, credentials) {
		if (credentials.smsAuth !== 'project') {
			return "Sinch's Conversation API signs in with an access key: in the Sinch credential choose SMS Authentication → Project ID + Access Key (OAuth2)";
		}
		if (!conversationProject(credentials)) return 'The Sinch credential has no Conversation Project ID (or Project ID): fill it in';
		if (!String(credentials.conversationAppId ?? '').trim()) return 'The Sinch credential has no Conversation App ID: fill in the ID of the Conversation API app that sends WhatsApp (Sinch dashboard → Conversation API → Apps)';
		const content = request.content;
		if (content.type === 'text' && (content.buttons?.length ?? 0) > MAX_BUTTONS) return `WhatsApp shows at most ${MAX_BUTTONS} quick-reply buttons; the message has ${content.buttons?.length}`;
		if (content.type === 'media' && (content.caption?.length ?? 0) > 1024) return `The caption has ${content.caption?.length} characters; WhatsApp accepts at most 1024`;
		if (content.type === 'template' && !whatsappLanguage(content.template.language)) return 'Sinch needs the language of a WhatsApp template, written like en_US';
		if (content.type === 'text' && content.text.length > 4096) return `The message has ${content.text.length} characters; WhatsApp accepts at most 4096`;
		return undefined;
	},

	async send(ctx, request) {
		const body = JSON.stringify({
			app_id: appId(ctx),
			recipient: { identified_by: { channel_identities: [{ channel: 'WHATSAPP', identity: digits(request.to) }] } },
			message: conversationMessage(request.content),
			...(request.statusCallbackUrl ? { callback_url: request.statusCallbackUrl } : {}),
		});
		const response = await ctx.http({ method: 'POST', url: projectUrl(ctx, 'messages:send'), headers: { 'Content-Type': 'application/json' }, body });
		const answer = asJson(response.body);
		if (response.statusCode !== 200 || !answer || typeof answer.message_id !== 'string' || answer.message_id === '') throw conversationFailure(response, answer);
		return {
			messageId: answer.message_id,
			status: 'accepted',
			providerStatus: 'accepted',
			to: request.to,
			from: null,
			sentAt: typeof answer.accepted_time === 'string' ? answer.accepted_time : undefined,
			raw: answer as Record<string, string>,
		};
	},

	window: windowOf,
	// WhatsApp itself refuses a template it has not approved, window or not.
	unapprovedInWindow: false,
	windowCode: 'OUTSIDE_ALLOWED_SENDING_WINDOW',
	codes: SINCH_CONVERSATION_CODES,

	templates: {
		kind: 'byId',
		note: 'The name of a WhatsApp template approved for the app’s sender (Sinch dashboard → Conversation API → WhatsApp templates)',
		bodyKey: (n) => `body[${n}]text`,
		buttonKey: (n) => `button[${n - 1}]quick_reply[1]payload`,
		approval: approvalOf,
	},

	statusNote: "Sinch's Conversation API reports statuses (delivered, read, failed) only to the app's webhook: add a Messaging Trigger's URL as a webhook of the app with the MESSAGE_DELIVERY trigger",

	maxButtons: MAX_BUTTONS,
	captions: true,
};
