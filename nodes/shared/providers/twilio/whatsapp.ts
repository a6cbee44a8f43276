/**
 * WhatsApp through Twilio: the Messages API with `whatsapp:` addresses on both ends, templates from the Content API
 * (`ContentSid` + `ContentVariables`, a JSON string), the templates' WhatsApp approval from `ContentAndApprovals` and
 * `ApprovalRequests`, and the 24-hour window read from the account's message history (the customer's last message
 * to the sender). Quick-reply buttons travel in Content templates (`twilio/quick-reply`): inside the window such a
 * template needs no WhatsApp approval.
 */
import type { ProviderContext } from '../types';
import type { QuickReply, WhatsAppCapability, WhatsAppRequest, WhatsAppTemplate, WindowState } from '../whatsappTypes';
import { asJson, baseUrlOr, formEncode } from '../wire';
import { TWILIO_CODES, twilioFailure } from './index';
import { answer, messagesUrl, toMessage } from './sms';
import { twilioTriggerStatusUrl } from './webhooks';

export const TWILIO_CONTENT_HOST = 'https://content.twilio.com';
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Pages of 100 templates read when listing: an account with more is searched by name instead. */
const MAX_TEMPLATE_PAGES = 10;

const wa = (e164: string) => `whatsapp:${e164}`;

function contentUrl(ctx: ProviderContext, path: string): string {
	return `${baseUrlOr(ctx.credentials.baseUrl, TWILIO_CONTENT_HOST)}/v1/${path}`;
}

/** The {{names}} a text uses, in order of first use. */
function placeholders(text: string): string[] {
	const names: string[] = [];
	for (const match of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) if (!names.includes(match[1])) names.push(match[1]);
	return names;
}

/** Every text of a content's types (bodies, titles, button titles), where variables can sit. */
function textsOf(types: Record<string, unknown>): string[] {
	const out: string[] = [];
	const walk = (value: unknown) => {
		if (typeof value === 'string') out.push(value);
		else if (Array.isArray(value)) value.forEach(walk);
		else if (value && typeof value === 'object') Object.values(value).forEach(walk);
	};
	walk(types);
	return out;
}

function buttonsOf(types: Record<string, unknown>): QuickReply[] {
	const out: QuickReply[] = [];
	for (const type of Object.values(types)) {
		const actions = type && typeof type === 'object' ? (type as { actions?: unknown }).actions : undefined;
		if (!Array.isArray(actions)) continue;
		for (const action of actions) {
			if (!action || typeof action !== 'object') continue;
			const { title, id, type: kind } = action as Record<string, unknown>;
			// Quick replies only: a URL or phone button sends nothing back.
			if (typeof title === 'string' && (kind === undefined || kind === 'QUICK_REPLY') && typeof id === 'string') out.push({ title, payload: id });
		}
	}
	return out;
}

/** A Content API resource (with its approval, when listed with it) in our model. */
export function readContent(content: Record<string, unknown>, approval?: Record<string, unknown>): WhatsAppTemplate {
	const types = content.types && typeof content.types === 'object' ? (content.types as Record<string, unknown>) : {};
	const samples = content.variables && typeof content.variables === 'object' ? (content.variables as Record<string, unknown>) : {};
	const used = placeholders(textsOf(types).join('\n'));
	const names = [...used, ...Object.keys(samples).filter((name) => !used.includes(name))];
	const first = Object.values(types).find((type) => type && typeof type === 'object' && typeof (type as { body?: unknown }).body === 'string') as { body?: string } | undefined;
	return {
		id: String(content.sid ?? ''),
		name: String(content.friendly_name ?? ''),
		language: String(content.language ?? ''),
		// Own keys only: a variable named "constructor" has no sample unless the template gives it one.
		variables: names.map((name) => ({ name, sample: Object.hasOwn(samples, name) && samples[name] !== undefined && samples[name] !== null ? String(samples[name]) : '' })),
		body: first?.body ?? null,
		buttons: buttonsOf(types),
		approval: typeof approval?.status === 'string' && approval.status !== '' ? approval.status.toLowerCase() : 'unsubmitted',
		rejectionReason: typeof approval?.rejection_reason === 'string' && approval.rejection_reason !== '' ? approval.rejection_reason : null,
	};
}

async function listTemplates(ctx: ProviderContext, filter?: string): Promise<WhatsAppTemplate[]> {
	const wanted = (filter ?? '').trim().toLowerCase();
	const out: WhatsAppTemplate[] = [];
	let url: string | undefined = contentUrl(ctx, 'ContentAndApprovals?PageSize=100');
	for (let page = 0; url && page < MAX_TEMPLATE_PAGES; page++) {
		const response = await ctx.http({ method: 'GET', url });
		const body = asJson(response.body);
		if (response.statusCode !== 200 || !body || !Array.isArray(body.contents)) throw twilioFailure(response, body);
		for (const entry of body.contents as Array<Record<string, unknown>>) {
			const approvals = entry.approval_requests && typeof entry.approval_requests === 'object' ? (entry.approval_requests as Record<string, unknown>) : undefined;
			const template = readContent(entry, approvals);
			if (!wanted || template.name.toLowerCase().includes(wanted) || template.id.toLowerCase() === wanted) out.push(template);
		}
		const meta = body.meta && typeof body.meta === 'object' ? (body.meta as Record<string, unknown>) : {};
		// The next page's URL is Twilio's own (content.twilio.com): keep it on the credential's host (a proxy, the sandbox).
		const next = typeof meta.next_page_url === 'string' && meta.next_page_url ? new URL(meta.next_page_url) : undefined;
		url = next ? contentUrl(ctx, `${next.pathname.replace(/^\/v1\//, '')}${next.search}`) : undefined;
	}
	return out;
}

async function getTemplate(ctx: ProviderContext, id: string): Promise<WhatsAppTemplate | undefined> {
	const response = await ctx.http({ method: 'GET', url: contentUrl(ctx, `Content/${encodeURIComponent(id)}`) });
	const body = asJson(response.body);
	if (response.statusCode === 404) return undefined;
	if (response.statusCode !== 200 || !body || typeof body.sid !== 'string') throw twilioFailure(response, body);
	const approvalResponse = await ctx.http({ method: 'GET', url: contentUrl(ctx, `Content/${encodeURIComponent(id)}/ApprovalRequests`) });
	const approvalBody = asJson(approvalResponse.body);
	// No approval request yet is "unsubmitted", as Twilio's console says.
	if (approvalResponse.statusCode === 404) return readContent(body);
	if (approvalResponse.statusCode !== 200 || !approvalBody) throw twilioFailure(approvalResponse, approvalBody);
	const whatsapp = approvalBody.whatsapp && typeof approvalBody.whatsapp === 'object' ? (approvalBody.whatsapp as Record<string, unknown>) : undefined;
	return readContent(body, whatsapp);
}

/**
 * The customer's last WhatsApp message to this sender, from the account's history: to the number, or (for a Messaging
 * Service, whose sender is picked per message) to any sender of the service, as Twilio records it on each message.
 */
async function windowOf(ctx: ProviderContext, request: WhatsAppRequest): Promise<WindowState> {
	const service = request.messagingServiceSid;
	if (!request.from && !service) return 'unknown';
	const now = ctx.now().getTime();
	// DateSent filters by day (UTC): from yesterday on covers the last 24 hours.
	const since = new Date(now - DAY_MS).toISOString().slice(0, 10);
	const query = new URLSearchParams({ From: wa(request.to), ...(service ? {} : { To: wa(request.from ?? '') }), 'DateSent>': since, PageSize: '50' });
	const response = await ctx.http({ method: 'GET', url: `${messagesUrl(ctx)}?${query.toString()}` });
	const body = asJson(response.body);
	if (response.statusCode !== 200 || !body || !Array.isArray(body.messages)) throw twilioFailure(response, body);
	const open = (body.messages as Array<Record<string, unknown>>).some((message) => {
		const at = Date.parse(String(message.date_sent ?? message.date_created ?? ''));
		const ours = !service || message.messaging_service_sid === service;
		return String(message.direction ?? '') === 'inbound' && ours && Number.isFinite(at) && now - at < DAY_MS;
	});
	return open ? 'open' : 'closed';
}

export const twilioWhatsApp: WhatsAppCapability = {
	senderProperties: (show) => [
		{
			displayName: 'Twilio Sender',
			name: 'twilioWhatsAppSenderType',
			type: 'options',
			options: [
				{ name: 'WhatsApp Number', value: 'from' },
				{ name: 'Messaging Service', value: 'messagingService', description: 'A Messaging Service whose sender pool has WhatsApp senders' },
			],
			default: 'from',
			displayOptions: { show },
		},
		{
			displayName: 'WhatsApp From',
			name: 'twilioWhatsAppFrom',
			type: 'string',
			default: '',
			required: true,
			placeholder: '+14155238886',
			description: "A WhatsApp sender of the Twilio account (Messaging → Senders → WhatsApp senders), without the 'whatsapp:' prefix",
			displayOptions: { show: { ...show, twilioWhatsAppSenderType: ['from'] } },
		},
		{
			displayName: 'Messaging Service SID',
			name: 'twilioWhatsAppServiceSid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'MG…',
			description: 'The Messaging Service whose senders include a WhatsApp sender (Twilio console → Messaging → Services)',
			displayOptions: { show: { ...show, twilioWhatsAppSenderType: ['messagingService'] } },
		},
	],

	readSender(read) {
		if (read.option('twilioWhatsAppSenderType', 'from') === 'messagingService') {
			return { messagingServiceSid: read.text('twilioWhatsAppServiceSid', 'Messaging Service SID').trim() || undefined };
		}
		// A sender written with its prefix is the same sender.
		const from = read.text('twilioWhatsAppFrom', 'WhatsApp From').trim().replace(/^whatsapp:/i, '');
		return { from: from || undefined };
	},

	check(request) {
		if (!request.from && !request.messagingServiceSid) return 'Twilio needs a WhatsApp From number or a Messaging Service SID';
		if (request.messagingServiceSid && !SERVICE_SID.test(request.messagingServiceSid)) return `"${request.messagingServiceSid.slice(0, 40)}" is not a Messaging Service SID (MG followed by 32 hexadecimal characters)`;
		if (request.from && !/^\+[1-9]\d{6,14}$/.test(request.from)) return `WhatsApp From must be the sender's number in international format (+14155238886); "${request.from.slice(0, 40)}" is not one`;
		const content = request.content;
		if (content.type === 'text') {
			if (content.buttons?.length) return 'Twilio sends quick-reply buttons only in a Content template: choose Send Template with a quick-reply template (inside the 24-hour window it needs no WhatsApp approval)';
			if (content.text.length > 1600) return `The message has ${content.text.length} characters; Twilio accepts at most 1600 (error 21617)`;
		}
		if (content.type === 'media' && (content.caption?.length ?? 0) > 1024) return `The caption has ${content.caption?.length} characters; WhatsApp shows at most 1024`;
		if (content.type === 'template' && !CONTENT_SID.test(content.template.id)) {
			return `"${content.template.id.slice(0, 40)}" is not a Twilio Content SID (HX followed by 32 hexadecimal characters): pick the template from the list`;
		}
		return undefined;
	},

	async send(ctx, request) {
		const content = request.content;
		const body = formEncode({
			To: wa(request.to),
			From: request.messagingServiceSid ? undefined : wa(request.from ?? ''),
			MessagingServiceSid: request.messagingServiceSid,
			Body: content.type === 'text' ? content.text : content.type === 'media' ? content.caption || undefined : undefined,
			MediaUrl: content.type === 'media' ? [content.url] : undefined,
			ContentSid: content.type === 'template' ? content.template.id : undefined,
			ContentVariables: content.type === 'template' && Object.keys(content.template.variables).length ? JSON.stringify(content.template.variables) : undefined,
			StatusCallback: request.statusCallbackUrl,
		});
		const response = await ctx.http({ method: 'POST', url: messagesUrl(ctx), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
		const message = toMessage(answer(response));
		// Twilio answers with whatsapp: addresses: the output speaks E.164.
		return { ...message, to: message.to.replace(/^whatsapp:/, ''), from: message.from === null ? null : message.from.replace(/^whatsapp:/, '') };
	},

	// The trigger set up for the WhatsApp number (its incoming-message URL) or the Messaging Service hears statuses too.
	triggerStatusUrl: twilioTriggerStatusUrl,

	window: windowOf,
	// Inside the window Twilio sends any content as a session message, approved for WhatsApp or not.
	unapprovedInWindow: true,
	windowCode: '63016',
	codes: TWILIO_CODES,

	templates: { kind: 'list', list: listTemplates, get: getTemplate, idLabel: 'Content SID', idPattern: CONTENT_SID, idPlaceholder: 'HXb5b62575e6e4ff6129ad7c8efe1f983e' },

	status: {
		async get(ctx, messageId) {
			const message = toMessage(answer(await ctx.http({ method: 'GET', url: messagesUrl(ctx, messageId) })));
			return { ...message, to: message.to.replace(/^whatsapp:/, ''), from: message.from === null ? null : message.from.replace(/^whatsapp:/, '') };
		},
	},

	maxButtons: 0,
	captions: true,
};
