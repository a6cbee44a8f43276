/**
 * Sinch Conversation API v1 (WhatsApp), as the sandbox plays it ({region}.conversation.api.sinch.com/v1/projects/{project}/…):
 * send text, media, card (media with a caption), choice (quick replies) and template messages to WhatsApp identities,
 * list and read the app's messages both ways, manage the app's webhooks, and post signed callbacks (MESSAGE_DELIVERY,
 * MESSAGE_INBOUND) to them. Paths, bodies and answers are those of @sinch/conversation 1.x; the callback payloads are
 * those of developers.sinch.com/docs/conversation/callbacks. Requests carry an OAuth2 bearer token from the sandbox's
 * /oauth2/token, or Basic keyId:keySecret, as Sinch allows. Errors are the API's Google-style envelope
 * {error: {code, message, status, details}} (the SDK's RuntimeError).
 *
 * What Sinch does asynchronously stays asynchronous: a message is accepted (200 {message_id, accepted_time}) once its
 * shape is valid, and then its delivery reports say what happened:
 * - inside the contact's 24-hour window (opened by the contact's last inbound message to the app): QUEUED_ON_CHANNEL,
 *   DELIVERED, READ (scaled with the sandbox's time);
 * - a free-form message (anything but a template) outside it: QUEUED_ON_CHANNEL, then FAILED
 *   OUTSIDE_ALLOWED_SENDING_WINDOW; templates go at any time;
 * - a template the app does not have: FAILED TEMPLATE_NOT_FOUND, a language it lacks
 *   TEMPLATE_NON_EXISTING_LANGUAGE_OR_VERSION, a parameter left out TEMPLATE_INSUFFICIENT_PARAMETERS;
 * - the magic numbers: invalid → RECIPIENT_INVALID_CHANNEL_IDENTITY, landline (not on WhatsApp) and unreachable →
 *   RECIPIENT_NOT_REACHABLE, opted out → RECIPIENT_NOT_OPTED_IN, filtered → DELIVERY_REJECTED_DUE_TO_POLICY.
 *
 * The project's WhatsApp templates and their approval are Sinch's Provisioning API (provisioning.api.sinch.com, played
 * here on the same port): GET /v1/projects/{project}/whatsapp/templates (paged: pageSize, pageToken, filterStates,
 * templateName) and GET …/whatsapp/templates/{name} (every language of one name), with the same bearer token or
 * Basic keyId:keySecret. Confirmed from Sinch's API reference (developers.sinch.com/docs/provisioning-api/api-reference/
 * provisioning-api/whatsapp-templates): those paths and parameters, the list's {totalSize, pageSize,
 * previousPageToken, nextPageToken, templates}, a template's whatsappId, state (APPROVED, REJECTED, PAUSED, DISABLED),
 * name, language (an upper-case enum: EN, EN_US, TR), category, rejectionCode, changes.status (DRAFT, IN_PROGRESS,
 * REJECTED) and details.components; the error body {errorCode, message, resolution} (as Sinch's own clients read it).
 * Played without a public source (unconfirmed): the by-name answer's wrapper ({templates}, as the list), a template
 * never approved having no state but changes.status, an unknown name or project answering 404, the errorCode values
 * other than 401 unauthorized_error and 429 too_many_requests, and the page token's form. A template WhatsApp has not
 * approved is accepted by messages:send and then FAILED TEMPLATE_NOT_FOUND, at any time: WhatsApp sends approved
 * templates only, and answers an unapproved one as one that does not exist (Meta's error 132001, which Sinch's
 * ReasonCode has no closer name for; the mapping is unconfirmed).
 *
 * The sandbox has one project and one app (accounts.sinch.projectId, conversationAppId) whose WhatsApp number is
 * accounts.sinch.whatsappNumbers[0]; WhatsApp identities are MSISDNs, written without "+" in what Sinch sends back.
 * The app sends at most 25 messages a second (Sinch's default outbound rate); more wait in its queue.
 */
import { createHash, randomBytes } from 'node:crypto';
import { computeSinchWebhookSignature } from '../nodes/shared/signatures/sinch';
import { basicAuth, bearer, httpUrl, json, jsonBody, safeDecode } from './http';
import { scenarioOf, SenderQueue, WHATSAPP_WINDOW_MS, type Scenario } from './rules';
import { newMessage, ulid } from './state';
import type { SandboxContext, SandboxRequest, SandboxResponse, StatusEvent, StatusStep, StoredMessage, WebhookSpec, WhatsAppButton } from './types';

/** A WhatsApp template the sandbox's app has (WhatsApp templates are named by `template_id` = their name). */
export interface SinchWhatsAppTemplate {
	name: string;
	/** WhatsApp language code, as sent in `language_code` (`en`, `tr`, `en_US`…). */
	language: string;
	category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
	/** The body with {{parameter}} placeholders. */
	body: string;
	/**
	 * The body's parameters in order: each may be sent by name (`{"name": "Ada"}`) or by position as WhatsApp
	 * channel templates take them (`{"body[1]text": "Ada"}`).
	 */
	parameters: string[];
	/**
	 * Quick-reply buttons. The payload here is what comes back when none is sent; a send may set the payload of
	 * button i with the parameter `button[i]quick_reply[1]payload`, as Sinch documents it.
	 */
	buttons: WhatsAppButton[];
	/**
	 * WhatsApp's verdict, as the Provisioning API reports it: a `state` once WhatsApp has reviewed the template,
	 * only a `changes.status` (DRAFT, IN_PROGRESS) before (unconfirmed). Only an APPROVED template is delivered.
	 */
	state: SinchTemplateState;
	/** Why WhatsApp rejected it (Meta's rejection codes: INCORRECT_CATEGORY, INVALID_FORMAT, ABUSIVE_CONTENT…). */
	rejectionCode?: string;
}

export type SinchTemplateState = 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'DRAFT' | 'IN_PROGRESS';

/** The templates the sandbox's app has at start and after a reset. */
export const SINCH_WHATSAPP_TEMPLATES: readonly SinchWhatsAppTemplate[] = Object.freeze([
	{
		name: 'order_shipped',
		language: 'en',
		category: 'UTILITY',
		body: 'Hi {{name}}, your order {{order}} has shipped and should arrive on {{date}}.',
		parameters: ['name', 'order', 'date'],
		buttons: [
			{ title: 'Track', payload: 'track' },
			{ title: 'Talk to us', payload: 'talk' },
		],
		state: 'APPROVED',
	},
	{
		name: 'expense_approval',
		language: 'en',
		category: 'UTILITY',
		body: '{{employee}} submitted an expense of {{amount}} for {{purpose}}. Do you approve it?',
		parameters: ['employee', 'amount', 'purpose'],
		buttons: [
			{ title: 'Approve', payload: 'approve' },
			{ title: 'Decline', payload: 'decline' },
		],
		state: 'APPROVED',
	},
	{
		name: 'appointment_reminder',
		language: 'en',
		category: 'UTILITY',
		body: 'Reminder: your appointment with {{provider}} is on {{date}} at {{time}}.',
		parameters: ['provider', 'date', 'time'],
		buttons: [
			{ title: 'Confirm', payload: 'confirm' },
			{ title: 'Reschedule', payload: 'reschedule' },
		],
		state: 'APPROVED',
	},
	{
		name: 'appointment_reminder',
		language: 'tr',
		category: 'UTILITY',
		body: 'Hatırlatma: {{provider}} ile randevunuz {{date}} tarihinde saat {{time}}.',
		parameters: ['provider', 'date', 'time'],
		buttons: [
			{ title: 'Onayla', payload: 'confirm' },
			{ title: 'Ertele', payload: 'reschedule' },
		],
		state: 'APPROVED',
	},
	{
		// Submitted, and waiting for WhatsApp's review: nothing is delivered yet.
		name: 'spring_sale',
		language: 'en',
		category: 'MARKETING',
		body: 'Spring sale: {{discount}} off everything until Sunday. Want the catalogue?',
		parameters: ['discount'],
		buttons: [
			{ title: 'Yes please', payload: 'catalogue' },
			{ title: 'No thanks', payload: 'no' },
		],
		state: 'IN_PROGRESS',
	},
	{
		name: 'win_a_prize',
		language: 'en',
		category: 'UTILITY',
		body: 'Congratulations {{name}}! You have won a prize. Claim it today.',
		parameters: ['name'],
		buttons: [],
		state: 'REJECTED',
		rejectionCode: 'INCORRECT_CATEGORY',
	},
]) as readonly SinchWhatsAppTemplate[];

/** Sinch's default outbound rate per app, in messages a second. */
export const CONVERSATION_OUTBOUND_PER_SECOND = 25;
/** Sinch's per-app limit on webhooks. */
export const CONVERSATION_MAX_WEBHOOKS = 5;
/** When each delivery report comes after the message leaves the app's queue, in unscaled milliseconds. */
export const CONVERSATION_STEP_MS = { queuedOnChannel: 150, delivered: 600, read: 2000 } as const;

const PROJECT_PATH = /^\/v1\/projects\/([^/]+)(\/.*)?$/;
const CHANNELS = [
	'WHATSAPP', 'RCS', 'SMS', 'MESSENGER', 'VIBERBM', 'MMS', 'INSTAGRAM', 'TELEGRAM', 'KAKAOTALK', 'KAKAOTALKCHAT', 'LINE', 'WECHAT', 'APPLEBC', 'VIBER',
];
const TRIGGERS = [
	'MESSAGE_DELIVERY', 'MESSAGE_SUBMIT', 'MESSAGE_INBOUND', 'EVENT_DELIVERY', 'EVENT_INBOUND', 'SMART_CONVERSATIONS', 'MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION',
	'CONVERSATION_START', 'CONVERSATION_STOP', 'CONVERSATION_DELETE', 'CONTACT_CREATE', 'CONTACT_DELETE', 'CONTACT_MERGE', 'CONTACT_UPDATE',
	'CONTACT_IDENTITIES_DUPLICATION', 'UNSUPPORTED', 'OPT_IN', 'OPT_OUT', 'CHANNEL_EVENT', 'CAPABILITY', 'RECORD_NOTIFICATION',
];
/** The fields of a send request (SendMessageRequest in @sinch/conversation); others are refused, as Sinch refuses unknown names. */
const SEND_FIELDS = new Set([
	'app_id', 'recipient', 'message', 'callback_url', 'channel_priority_order', 'channel_properties', 'message_metadata', 'conversation_metadata',
	'queue', 'ttl', 'processing_strategy', 'correlation_id', 'conversation_metadata_update_strategy', 'message_content_type',
]);
const MESSAGE_KINDS = ['text_message', 'media_message', 'template_message', 'choice_message', 'card_message', 'location_message', 'carousel_message', 'list_message', 'contact_info_message'];
const MAX_KEPT = 10_000;
const MAX_TEXT = 4096;
/** What each failure reason says, in the words of Sinch's callbacks where it has them. */
const REASONS: Record<string, string> = {
	OUTSIDE_ALLOWED_SENDING_WINDOW: 'The underlying channel reported: Message failed to send because more than 24 hours have passed since the customer last replied to this number',
	RECIPIENT_INVALID_CHANNEL_IDENTITY: 'The underlying channel reported: the recipient is not a valid WhatsApp user',
	RECIPIENT_NOT_REACHABLE: 'The underlying channel reported: Message undeliverable',
	RECIPIENT_NOT_OPTED_IN: 'The recipient has opted out of messages from this app',
	DELIVERY_REJECTED_DUE_TO_POLICY: 'The underlying channel reported: the message was not delivered to maintain healthy ecosystem engagement',
	TEMPLATE_NOT_FOUND: 'The referenced template was not found',
	TEMPLATE_NON_EXISTING_LANGUAGE_OR_VERSION: 'The referenced template does not exist in the selected language or version',
	TEMPLATE_INSUFFICIENT_PARAMETERS: 'Not all parameters defined in the template were provided',
	BAD_REQUEST: 'The message is not valid for the WHATSAPP channel',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const shown = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);
const digitsOf = (number: string) => number.replace(/^whatsapp:/, '').trim().replace(/^\+/, '');
/** A WhatsApp identity as Sinch takes it (an MSISDN, "+" optional), as digits; undefined when it is not one. */
function identityOf(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const digits = digitsOf(value);
	return /^[1-9]\d{6,14}$/.test(digits) ? digits : undefined;
}

/** The Google-style status name of an HTTP status, as the Conversation API writes it. */
function statusName(status: number): string {
	const names: Record<number, string> = {
		400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 405: 'UNIMPLEMENTED', 409: 'ALREADY_EXISTS',
		413: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
	};
	return names[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

/** The Conversation API's error answer. */
export function conversationError(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
	return json(status, { error: { code: status, message, status: statusName(status), details: [] } }, headers);
}

/** The Provisioning API's errorCode and resolution for an HTTP status (401 and 429 as Sinch names them; the others unconfirmed). */
const PROVISIONING_ERRORS: Record<number, [string, string]> = {
	400: ['bad_request_error', 'Check the request parameters against the API reference.'],
	401: ['unauthorized_error', 'Check the access key ID and secret, or get a new access token.'],
	403: ['forbidden_error', 'Use an access key of this project.'],
	404: ['not_found_error', 'Check the project ID and the template name.'],
	405: ['method_not_allowed_error', 'Use a method this resource supports.'],
	429: ['too_many_requests', 'Wait a moment, then send the request again.'],
	500: ['internal_server_error', 'Try again later.'],
	503: ['service_unavailable_error', 'Try again later.'],
};

/** The Provisioning API's error answer: {errorCode, message, resolution}. */
export function provisioningError(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
	const [errorCode, resolution] = PROVISIONING_ERRORS[status] ?? (status >= 500 ? PROVISIONING_ERRORS[500] : PROVISIONING_ERRORS[400]);
	return json(status, { errorCode, message, resolution }, headers);
}

/** Whether a path under /v1/projects/{project} is the Provisioning API's (WhatsApp templates), not the Conversation API's. */
const provisioningPath = (path: string) => /^\/v1\/projects\/[^/]+\/whatsapp(\/|$)/.test(path);

/** The Provisioning API's template states (filterStates); DRAFT and IN_PROGRESS are statuses of changes. */
const REVIEWED_STATES = ['APPROVED', 'DISABLED', 'PAUSED', 'REJECTED'];

interface Webhook {
	id: string;
	app_id: string;
	target: string;
	target_type: string;
	secret: string;
	triggers: string[];
	client_credentials?: Record<string, unknown>;
	/** Set in the dashboard (the sandbox's control API) rather than through the API. */
	dashboard?: boolean;
}

/** What the Conversation API keeps of a message, besides the stored message the phone page shows. */
interface ConversationRecord {
	id: string;
	stored: StoredMessage;
	direction: 'TO_APP' | 'TO_CONTACT';
	appId: string;
	identity: string;
	contactId: string;
	conversationId: string;
	acceptTime: string;
	processingMode: 'CONVERSATION' | 'DISPATCH';
	/** The app message as sent, or the contact message as received. */
	content: Record<string, unknown>;
	/** TO_CONTACT: message_metadata of the send; TO_APP: the contact's metadata (empty). */
	metadata: string;
	correlationId?: string;
	/** Where delivery reports go instead of the app's webhooks (the send's callback_url). */
	callbackUrl?: string;
}

interface Conversation {
	id: string;
	correlationId?: string;
	metadata?: Record<string, unknown>;
}

interface Outcome {
	steps: StatusStep[];
}

export interface SinchConversationDeps {
	/** What the OAuth2 endpoint knows of a bearer token. */
	tokenState(token: string): 'valid' | 'expired' | 'unknown';
}

export interface SinchConversationApi {
	matches(path: string): boolean;
	handle(req: SandboxRequest): SandboxResponse;
	recipients(req: SandboxRequest): string[];
	/** An error in the shape of the API the path belongs to (Conversation, or Provisioning for …/whatsapp/…). */
	errorResponse(status: number, message: string, path?: string): SandboxResponse;
	faultResponse(status: number, retryAfter?: number, path?: string): SandboxResponse;
	reset(): void;
	whatsappNumbers(): string[];
	/** Whether a stored message is a WhatsApp message of the Conversation API (by its channel or its numbers). */
	isWhatsApp(message: StoredMessage): boolean;
	/** Whether a test's webhook spec asks for a Conversation callback. */
	isWhatsAppSpec(spec: WebhookSpec): boolean;
	/** An inbound WhatsApp message (stored already): opens the window, posts MESSAGE_INBOUND; false when no webhook wants it. */
	deliverInbound(message: StoredMessage): boolean;
	/** A status change of one of this module's messages: the delivery report callbacks. */
	onStatus(message: StoredMessage, event: StatusEvent): void;
	webhook(spec: WebhookSpec): { url: string; headers: Record<string, string>; body: string };
	control: {
		routes: Record<string, string>;
		handle(method: string, path: string, body: Record<string, unknown> | undefined): SandboxResponse | undefined;
	};
}

export function sinchConversation(sandbox: SandboxContext, deps: SinchConversationDeps): SinchConversationApi {
	const account = sandbox.accounts.sinch;
	const appId = account.conversationAppId;
	const app = { displayName: 'Sandbox WhatsApp app', secretForOverriddenCallbackUrls: account.webhookSecret };
	const webhooks = new Map<string, Webhook>();
	const templates: SinchWhatsAppTemplate[] = [];
	/** Contact IDs by WhatsApp identity (digits), and back. */
	const contacts = new Map<string, string>();
	const identities = new Map<string, string>();
	/** Conversations by contact ID (one app). */
	const conversations = new Map<string, Conversation>();
	/** When each identity last wrote to the app (its 24-hour window). */
	const windows = new Map<string, number>();
	const records = new Map<string, ConversationRecord>();
	const queue = new SenderQueue(sandbox.scaled(20_000 * 1000), 1000 * sandbox.timeScale);

	function seed(): void {
		templates.length = 0;
		for (const t of SINCH_WHATSAPP_TEMPLATES) templates.push({ ...t, parameters: [...t.parameters], buttons: t.buttons.map((b) => ({ ...b })) });
	}
	seed();

	const waNumber = () => account.whatsappNumbers[0] ?? '';
	const windowMs = () => (sandbox.timeScale > 0 ? Math.max(1, sandbox.scaled(WHATSAPP_WINDOW_MS)) : WHATSAPP_WINDOW_MS);
	const windowOpen = (identity: string) => {
		const last = windows.get(identity);
		return last !== undefined && Date.now() - last < windowMs();
	};

	function contactOf(identity: string): string {
		let id = contacts.get(identity);
		if (!id) {
			id = ulid();
			contacts.set(identity, id);
			identities.set(id, identity);
		}
		return id;
	}

	function conversationOf(contactId: string): Conversation {
		let c = conversations.get(contactId);
		if (!c) {
			c = { id: ulid() };
			conversations.set(contactId, c);
		}
		return c;
	}

	function keep(record: ConversationRecord): void {
		records.set(record.id, record);
		while (records.size > MAX_KEPT) records.delete(records.keys().next().value as string);
	}

	/** A record whose stored message still exists (the control API can forget messages). */
	const live = (r: ConversationRecord) => sandbox.messages.get(r.id) === r.stored;

	// ---- callbacks ----

	function signed(body: string, secret: string): Record<string, string> {
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (secret) {
			const nonce = randomBytes(16).toString('base64url');
			const timestamp = String(Math.floor(Date.now() / 1000));
			headers['x-sinch-webhook-signature-nonce'] = nonce;
			headers['x-sinch-webhook-signature-timestamp'] = timestamp;
			headers['x-sinch-webhook-signature-algorithm'] = 'HmacSHA256';
			headers['x-sinch-webhook-signature'] = computeSinchWebhookSignature(secret, body, nonce, timestamp);
		}
		return headers;
	}

	/** POST a callback to every webhook of the app subscribed to the trigger; how many there were. */
	function post(trigger: string, payload: Record<string, unknown>, messageId: string, status: string): number {
		const body = JSON.stringify(payload);
		const targets = [...webhooks.values()].filter((w) => w.app_id === appId && w.target_type === 'HTTP' && w.triggers.includes(trigger));
		for (const w of targets) sandbox.sendCallback({ provider: 'sinch', url: w.target, messageId, status, body, headers: signed(body, w.secret) });
		return targets.length;
	}

	const channelIdentity = (identity: string) => ({ channel: 'WHATSAPP', identity, app_id: '' });

	function deliveryEvent(r: ConversationRecord, status: string, eventTime: string, reasonCode?: string | null) {
		const report: Record<string, unknown> = {
			message_id: r.id,
			conversation_id: r.conversationId,
			status,
			channel_identity: channelIdentity(r.identity),
			contact_id: r.contactId,
		};
		if (status === 'FAILED') report.reason = { code: reasonCode || 'UNKNOWN', description: REASONS[reasonCode ?? ''] ?? 'The message could not be delivered', sub_code: 'UNSPECIFIED_SUB_CODE' };
		report.metadata = r.metadata;
		report.processing_mode = r.processingMode;
		const event: Record<string, unknown> = {
			app_id: r.appId,
			accepted_time: r.acceptTime,
			event_time: eventTime,
			project_id: account.projectId,
			message_delivery_report: report,
			message_metadata: '',
		};
		if (r.correlationId) event.correlation_id = r.correlationId;
		return event;
	}

	function inboundEvent(r: ConversationRecord, eventTime: string) {
		const conversation = r.processingMode === 'CONVERSATION' ? conversations.get(r.contactId) : undefined;
		const event: Record<string, unknown> = {
			app_id: r.appId,
			accepted_time: r.acceptTime,
			event_time: eventTime,
			project_id: account.projectId,
			message: {
				id: r.id,
				direction: 'TO_APP',
				contact_message: r.content,
				channel_identity: channelIdentity(r.identity),
				conversation_id: r.conversationId,
				contact_id: r.contactId,
				metadata: r.metadata,
				accept_time: r.acceptTime,
				sender_id: digitsOf(waNumber()),
				processing_mode: r.processingMode,
				injected: false,
			},
			message_metadata: conversation?.metadata ? JSON.stringify(conversation.metadata) : '',
		};
		if (conversation?.correlationId) event.correlation_id = conversation.correlationId;
		return event;
	}

	// ---- resources ----

	function messageResource(r: ConversationRecord) {
		const out: Record<string, unknown> = {
			accept_time: r.acceptTime,
			[r.direction === 'TO_APP' ? 'contact_message' : 'app_message']: r.content,
			channel_identity: channelIdentity(r.identity),
			contact_id: r.contactId,
			conversation_id: r.conversationId,
			direction: r.direction,
			id: r.id,
			metadata: r.metadata,
			injected: false,
			processing_mode: r.processingMode,
		};
		if (r.direction === 'TO_APP') out.sender_id = digitsOf(waNumber());
		return out;
	}

	function webhookResource(w: Webhook) {
		const out: Record<string, unknown> = { id: w.id, app_id: w.app_id, target: w.target, target_type: w.target_type, secret: w.secret, triggers: w.triggers };
		if (w.client_credentials) out.client_credentials = w.client_credentials;
		return out;
	}

	function appResource() {
		return {
			id: appId,
			display_name: app.displayName,
			channel_credentials: [
				{
					channel: 'WHATSAPP',
					static_bearer: { claimed_identity: digitsOf(waNumber()), token: '' },
					callback_secret: '',
					state: { status: 'ACTIVE', description: '' },
					channel_known_id: digitsOf(waNumber()),
				},
			],
			conversation_metadata_report_view: 'NONE',
			rate_limits: { inbound: 25, outbound: CONVERSATION_OUTBOUND_PER_SECOND, webhooks: 25 },
			retention_policy: { retention_type: 'MESSAGE_EXPIRE_POLICY', ttl_days: 180 },
			dispatch_retention_policy: { retention_type: 'MESSAGE_EXPIRE_POLICY', ttl_days: 0 },
			processing_mode: 'CONVERSATION',
			callback_settings: { secret_for_overridden_callback_urls: app.secretForOverriddenCallbackUrls },
		};
	}

	// ---- sending ----

	/** A template message's text, buttons and failure, from the app's templates. */
	function renderTemplate(ref: Record<string, unknown>, omni: boolean) {
		const id = String(ref.template_id);
		const language = typeof ref.language_code === 'string' && ref.language_code !== '' ? ref.language_code : undefined;
		const given = isObject(ref.parameters) ? (ref.parameters as Record<string, unknown>) : {};
		const parameters = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
		const named = templates.filter((t) => t.name === id);
		const fallback = `[template ${id}]${Object.keys(parameters).length ? ` ${Object.entries(parameters).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`;
		const unknown = (reason: string) => ({ body: fallback, buttons: [] as WhatsAppButton[], variables: parameters, name: id, language: language ?? '', reason });
		if (named.length === 0) return unknown('TEMPLATE_NOT_FOUND');
		// WhatsApp channel templates need a language; an omni-template defaults to English, as Sinch documents.
		if (!language && !omni) return unknown('BAD_REQUEST');
		if (omni && ref.version !== undefined && !['1', 'latest'].includes(String(ref.version))) return unknown('TEMPLATE_NON_EXISTING_LANGUAGE_OR_VERSION');
		const template = named.find((t) => t.language === (language ?? 'en'));
		if (!template) return unknown('TEMPLATE_NON_EXISTING_LANGUAGE_OR_VERSION');
		const variables: Record<string, string> = {};
		let missing = false;
		template.parameters.forEach((name, i) => {
			// WhatsApp refuses an empty text parameter as it refuses a missing one.
			const value = parameters[name] || parameters[`body[${i + 1}]text`];
			if (!value) missing = true;
			else variables[name] = value;
		});
		const body = template.body.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => variables[name] ?? whole);
		const buttons = template.buttons.map((b, i) => ({ title: b.title, payload: parameters[`button[${i}]quick_reply[1]payload`] ?? b.payload }));
		// WhatsApp delivers approved templates only, inside the window too; an unapproved one is as good as missing.
		const reason = template.state !== 'APPROVED' ? 'TEMPLATE_NOT_FOUND' : missing ? 'TEMPLATE_INSUFFICIENT_PARAMETERS' : undefined;
		return { body, buttons, variables, name: template.name, language: template.language, reason };
	}

	/** Quick-reply buttons of a choice list (text choices), and the lines the other choices add to the text. */
	function choicesOf(choices: unknown[], messageId: string): { buttons: WhatsAppButton[]; lines: string[] } {
		const buttons: WhatsAppButton[] = [];
		const lines: string[] = [];
		for (const c of choices as Record<string, unknown>[]) {
			const postback = typeof c.postback_data === 'string' ? c.postback_data : undefined;
			if (isObject(c.text_message)) {
				const title = String(c.text_message.text);
				buttons.push({ title, payload: postback ?? `${messageId}_${title}` });
			} else if (isObject(c.url_message)) lines.push(`${String(c.url_message.title ?? '')}: ${String(c.url_message.url ?? '')}`.trim());
			else if (isObject(c.call_message)) lines.push(`${String(c.call_message.title ?? '')}: ${String(c.call_message.phone_number ?? '')}`.trim());
			else if (isObject(c.location_message)) lines.push(String(c.location_message.title ?? 'Location'));
		}
		return { buttons, lines };
	}

	/** Why a choice list is refused, or undefined. */
	function choicesProblem(choices: unknown, where: string, required: boolean): string | undefined {
		if (choices === undefined && !required) return undefined;
		if (!Array.isArray(choices) || (required && choices.length === 0)) return `${where}.choices must be a list of 1 to 10 choices`;
		if (choices.length > 10) return `${where}.choices: the number of choices is limited to 10`;
		for (const [i, c] of choices.entries()) {
			if (!isObject(c)) return `${where}.choices[${i}] must be an object`;
			const kinds = ['text_message', 'url_message', 'call_message', 'location_message', 'calendar_message', 'share_location_message'].filter((k) => c[k] !== undefined);
			if (kinds.length !== 1) return `${where}.choices[${i}] must set exactly one of text_message, url_message, call_message, location_message, calendar_message, share_location_message`;
			if (c.text_message !== undefined && !(isObject(c.text_message) && typeof c.text_message.text === 'string' && c.text_message.text !== '')) return `${where}.choices[${i}].text_message.text is required`;
			if (c.postback_data !== undefined && typeof c.postback_data !== 'string') return `${where}.choices[${i}].postback_data must be a string`;
		}
		return undefined;
	}

	/** Why the message object is refused, or undefined (Sinch's first, synchronous validation). */
	function messageProblem(message: Record<string, unknown>): string | undefined {
		const kinds = MESSAGE_KINDS.filter((k) => message[k] !== undefined);
		if (kinds.length !== 1) return `message must set exactly one of ${MESSAGE_KINDS.join(', ')}`;
		const kind = kinds[0];
		const item = message[kind];
		if (!isObject(item)) return `message.${kind} must be an object`;
		if (kind === 'text_message' && !(typeof item.text === 'string' && item.text !== '')) return 'message.text_message.text is required';
		if (kind === 'media_message') {
			if (!httpUrl(item.url)) return 'message.media_message.url must be an absolute http(s) URL';
			if (item.thumbnail_url !== undefined && !httpUrl(item.thumbnail_url)) return 'message.media_message.thumbnail_url must be an absolute http(s) URL';
			if (item.filename_override !== undefined && typeof item.filename_override !== 'string') return 'message.media_message.filename_override must be a string';
		}
		if (kind === 'choice_message') {
			if (item.text_message !== undefined && !(isObject(item.text_message) && typeof item.text_message.text === 'string')) return 'message.choice_message.text_message.text must be a string';
			return choicesProblem(item.choices, 'message.choice_message', true);
		}
		if (kind === 'card_message') {
			for (const field of ['title', 'description']) if (item[field] !== undefined && typeof item[field] !== 'string') return `message.card_message.${field} must be a string`;
			if (item.media_message !== undefined && !(isObject(item.media_message) && httpUrl(item.media_message.url))) return 'message.card_message.media_message.url must be an absolute http(s) URL';
			return choicesProblem(item.choices, 'message.card_message', false);
		}
		if (kind === 'template_message') {
			const channel = item.channel_template;
			if (channel !== undefined && !isObject(channel)) return 'message.template_message.channel_template must be a map of channel to template reference';
			const refs: Array<[string, unknown]> = [];
			if (isObject(channel)) for (const [key, ref] of Object.entries(channel)) refs.push([`channel_template.${key}`, ref]);
			if (item.omni_template !== undefined) refs.push(['omni_template', item.omni_template]);
			if (refs.length === 0) return 'message.template_message needs channel_template or omni_template';
			for (const [where, ref] of refs) {
				if (!isObject(ref) || typeof ref.template_id !== 'string' || ref.template_id === '') return `message.template_message.${where}.template_id is required`;
				if (ref.language_code !== undefined && typeof ref.language_code !== 'string') return `message.template_message.${where}.language_code must be a string`;
				if (ref.parameters !== undefined && !isObject(ref.parameters)) return `message.template_message.${where}.parameters must be a map of names to strings`;
				if (ref.version !== undefined && typeof ref.version !== 'string') return `message.template_message.${where}.version must be a string`;
			}
			if (isObject(channel) && !isObject(channel.WHATSAPP) && item.omni_template === undefined) return 'message.template_message has no template for the WHATSAPP channel (channel_template.WHATSAPP or omni_template)';
			if (item.omni_template !== undefined && !(isObject(channel) && isObject(channel.WHATSAPP)) && (item.omni_template as Record<string, unknown>).version === undefined) return 'message.template_message.omni_template.version is required';
		}
		return undefined;
	}

	/** What a message is on the phone, and what the app message is when it fails on its way. */
	function describe(message: Record<string, unknown>, id: string) {
		const out: { body: string; mediaUrls: string[]; whatsapp: StoredMessage['whatsapp']; freeForm: boolean; reason?: string; attributes: Record<string, string> } = {
			body: '',
			mediaUrls: [],
			whatsapp: {},
			freeForm: true,
			attributes: {},
		};
		if (isObject(message.text_message)) {
			out.body = String(message.text_message.text);
			if (out.body.length > MAX_TEXT) out.reason = 'BAD_REQUEST';
		} else if (isObject(message.media_message)) {
			out.mediaUrls = [String(message.media_message.url)];
			if (typeof message.media_message.filename_override === 'string') out.attributes.filename = message.media_message.filename_override;
		} else if (isObject(message.card_message)) {
			const card = message.card_message;
			const caption = [card.title, card.description].filter((x): x is string => typeof x === 'string' && x !== '').join('\n');
			const { buttons, lines } = choicesOf(Array.isArray(card.choices) ? card.choices : [], id);
			out.body = [caption, ...lines].filter(Boolean).join('\n');
			if (isObject(card.media_message)) out.mediaUrls = [String(card.media_message.url)];
			if (caption && out.mediaUrls.length) out.whatsapp = { ...out.whatsapp, caption };
			if (buttons.length) out.whatsapp = { ...out.whatsapp, buttons };
		} else if (isObject(message.choice_message)) {
			const choice = message.choice_message;
			const { buttons, lines } = choicesOf(choice.choices as unknown[], id);
			out.body = [isObject(choice.text_message) ? String(choice.text_message.text) : '', ...lines].filter(Boolean).join('\n');
			if (buttons.length) out.whatsapp = { buttons };
		} else if (isObject(message.template_message)) {
			out.freeForm = false;
			const item = message.template_message;
			const channel = isObject(item.channel_template) && isObject(item.channel_template.WHATSAPP) ? item.channel_template.WHATSAPP : undefined;
			const rendered = renderTemplate(channel ?? (item.omni_template as Record<string, unknown>), channel === undefined);
			out.body = rendered.body;
			out.whatsapp = { template: { id: String((channel ?? (item.omni_template as Record<string, unknown>)).template_id), name: rendered.name, language: rendered.language, variables: rendered.variables } };
			if (rendered.buttons.length) out.whatsapp.buttons = rendered.buttons;
			out.reason = rendered.reason;
		} else {
			const kind = MESSAGE_KINDS.find((k) => message[k] !== undefined) ?? 'message';
			const item = message[kind] as Record<string, unknown>;
			out.body = `[${kind.replace(/_message$/, '')}]${typeof item.title === 'string' ? ` ${item.title}` : ''}`;
		}
		return out;
	}

	/** The delivery reports a message will get, from when it leaves the app's queue. */
	function outcome(identity: string, freeForm: boolean, reason: string | undefined, startMs: number): Outcome {
		const at = (ms: number) => startMs + ms;
		const failNow = (code: string): Outcome => ({ steps: [{ afterMs: at(CONVERSATION_STEP_MS.queuedOnChannel), status: 'FAILED', errorCode: code }] });
		const failOnChannel = (code: string): Outcome => ({
			steps: [
				{ afterMs: at(CONVERSATION_STEP_MS.queuedOnChannel), status: 'QUEUED_ON_CHANNEL' },
				{ afterMs: at(CONVERSATION_STEP_MS.delivered), status: 'FAILED', errorCode: code },
			],
		});
		if (reason) return failNow(reason);
		const scenario: Scenario = scenarioOf(`+${identity}`, sandbox.optOuts);
		if (scenario === 'optedOut') return failNow('RECIPIENT_NOT_OPTED_IN');
		if (scenario === 'invalid') return failOnChannel('RECIPIENT_INVALID_CHANNEL_IDENTITY');
		if (scenario === 'landline' || scenario === 'unreachable') return failOnChannel('RECIPIENT_NOT_REACHABLE');
		if (scenario === 'filtered') return failOnChannel('DELIVERY_REJECTED_DUE_TO_POLICY');
		if (freeForm && !windowOpen(identity)) return failOnChannel('OUTSIDE_ALLOWED_SENDING_WINDOW');
		return {
			steps: [
				{ afterMs: at(CONVERSATION_STEP_MS.queuedOnChannel), status: 'QUEUED_ON_CHANNEL' },
				{ afterMs: at(CONVERSATION_STEP_MS.delivered), status: 'DELIVERED' },
				{ afterMs: at(CONVERSATION_STEP_MS.read), status: 'READ' },
			],
		};
	}

	function send(req: SandboxRequest): SandboxResponse {
		const body = jsonBody(req);
		if (!body) return conversationError(400, 'Invalid JSON payload received: the body must be a JSON object');
		for (const field of Object.keys(body)) {
			if (!SEND_FIELDS.has(field)) return conversationError(400, `Invalid JSON payload received. Unknown name "${shown(field)}": Cannot find field.`);
		}
		if (typeof body.app_id !== 'string' || body.app_id === '') return conversationError(400, 'app_id is required');
		if (body.app_id !== appId) return conversationError(404, `App ${shown(body.app_id)} not found in project ${account.projectId}`);
		const recipient = body.recipient;
		if (!isObject(recipient)) return conversationError(400, 'recipient is required: contact_id or identified_by');
		if ((recipient.contact_id !== undefined) === (recipient.identified_by !== undefined)) return conversationError(400, 'recipient must set exactly one of contact_id and identified_by');
		for (const field of ['callback_url', 'message_metadata', 'correlation_id', 'processing_strategy', 'queue', 'message_content_type', 'conversation_metadata_update_strategy']) {
			if (body[field] !== undefined && typeof body[field] !== 'string') return conversationError(400, `${field} must be a string`);
		}
		if (body.channel_priority_order !== undefined) {
			if (!Array.isArray(body.channel_priority_order)) return conversationError(400, 'channel_priority_order must be a list of channels');
			for (const channel of body.channel_priority_order) {
				if (typeof channel !== 'string' || !CHANNELS.includes(channel)) return conversationError(400, `channel_priority_order: unknown channel ${shown(String(channel))}`);
				if (channel !== 'WHATSAPP') return conversationError(400, `Channel ${channel} in channel_priority_order is not configured for app ${appId}`);
			}
		}
		let identity: string;
		if (recipient.contact_id !== undefined) {
			const known = typeof recipient.contact_id === 'string' ? identities.get(recipient.contact_id) : undefined;
			if (!known) return conversationError(404, `Contact ${shown(String(recipient.contact_id))} not found in project ${account.projectId}`);
			identity = known;
		} else {
			const by = recipient.identified_by;
			const list = isObject(by) ? by.channel_identities : undefined;
			if (!Array.isArray(list) || list.length === 0) return conversationError(400, 'recipient.identified_by.channel_identities must list at least one channel identity');
			let found: string | undefined;
			for (const [i, entry] of list.entries()) {
				if (!isObject(entry) || typeof entry.channel !== 'string' || !CHANNELS.includes(entry.channel)) return conversationError(400, `recipient.identified_by.channel_identities[${i}].channel must be a Conversation API channel such as WHATSAPP`);
				if (typeof entry.identity !== 'string' || entry.identity === '') return conversationError(400, `recipient.identified_by.channel_identities[${i}].identity is required`);
				if (entry.channel !== 'WHATSAPP') return conversationError(400, `Channel ${entry.channel} is not configured for app ${appId}`);
				const digits = identityOf(entry.identity);
				if (!digits) return conversationError(400, `Invalid channel identity ${shown(entry.identity)} for channel WHATSAPP: it must be a phone number in international format`);
				found ??= digits;
			}
			identity = found as string;
		}
		if (!isObject(body.message)) return conversationError(400, 'message is required');
		const problem = messageProblem(body.message);
		if (problem) return conversationError(400, problem);
		const callbackUrl = typeof body.callback_url === 'string' && body.callback_url !== '' ? body.callback_url : undefined;
		if (callbackUrl !== undefined && (!httpUrl(callbackUrl) || callbackUrl.length > 742)) return conversationError(400, 'callback_url must be an absolute http(s) URL of at most 742 characters');
		const metadata = typeof body.message_metadata === 'string' ? body.message_metadata : '';
		if (metadata.length > 1024) return conversationError(400, 'message_metadata is longer than 1024 characters');
		const correlationId = typeof body.correlation_id === 'string' && body.correlation_id !== '' ? body.correlation_id : undefined;
		if (correlationId && correlationId.length > 128) return conversationError(400, 'correlation_id is longer than 128 characters');
		const strategy = body.processing_strategy ?? 'DEFAULT';
		if (strategy !== 'DEFAULT' && strategy !== 'DISPATCH_ONLY') return conversationError(400, 'processing_strategy must be DEFAULT or DISPATCH_ONLY');
		if (body.conversation_metadata !== undefined && !isObject(body.conversation_metadata)) return conversationError(400, 'conversation_metadata must be a JSON object');
		if (body.queue !== undefined && !['NORMAL_PRIORITY', 'HIGH_PRIORITY'].includes(String(body.queue))) return conversationError(400, 'queue must be NORMAL_PRIORITY or HIGH_PRIORITY');
		if (body.ttl !== undefined && !(typeof body.ttl === 'string' && /^\d+s?$/.test(body.ttl) && Number.parseInt(body.ttl, 10) >= 3)) return conversationError(400, 'ttl must be a duration in seconds such as "10s" (at least 3)');

		const now = Date.now();
		const slot = queue.enqueue(appId, 1, CONVERSATION_OUTBOUND_PER_SECOND, now);
		if (slot === null) return conversationError(429, `The outbound queue of app ${appId} is full`, { 'Retry-After': '1' });
		const id = ulid();
		const dispatch = strategy === 'DISPATCH_ONLY';
		const contactId = dispatch ? '' : contactOf(identity);
		const conversation = dispatch ? undefined : conversationOf(contactId);
		if (conversation && correlationId) conversation.correlationId = correlationId;
		if (conversation && isObject(body.conversation_metadata)) {
			conversation.metadata = body.conversation_metadata_update_strategy === 'MERGE_PATCH' ? { ...conversation.metadata, ...body.conversation_metadata } : body.conversation_metadata;
		}
		const shape = describe(body.message, id);
		const acceptTime = new Date(now).toISOString();
		const attributes: Record<string, string> = { appId, conversationId: conversation?.id ?? '', contactId, ...shape.attributes };
		if (metadata) attributes.messageMetadata = metadata;
		const stored = sandbox.store(
			newMessage({
				provider: 'sinch',
				id,
				account: account.projectId,
				from: waNumber(),
				to: `+${identity}`,
				body: shape.body,
				mediaUrls: shape.mediaUrls,
				status: 'QUEUED',
				createdAt: acceptTime,
				updatedAt: acceptTime,
				callbackUrl: callbackUrl ?? null,
				clientReference: correlationId ?? null,
				attributes,
				channel: 'whatsapp',
				whatsapp: shape.whatsapp,
			}),
		);
		keep({
			id,
			stored,
			direction: 'TO_CONTACT',
			appId,
			identity,
			contactId,
			conversationId: conversation?.id ?? '',
			acceptTime,
			processingMode: dispatch ? 'DISPATCH' : 'CONVERSATION',
			content: JSON.parse(JSON.stringify(body.message)) as Record<string, unknown>,
			metadata,
			correlationId,
			callbackUrl,
		});
		const startMs = sandbox.timeScale > 0 ? (slot - now) / sandbox.timeScale : 0;
		sandbox.progress(stored, outcome(identity, shape.freeForm, shape.reason, startMs).steps);
		return json(200, { accepted_time: acceptTime, message_id: id });
	}

	// ---- messages: list, get, update, delete ----

	function list(req: SandboxRequest): SandboxResponse {
		const q = req.query;
		const text = (name: string) => {
			const value = q.get(name);
			return value === null || value === '' ? undefined : value;
		};
		const pageSizeText = text('page_size');
		const pageSize = pageSizeText === undefined ? 10 : Number(pageSizeText);
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return conversationError(400, 'page_size must be an integer from 1 to 1000');
		const time = (name: string): number | undefined | SandboxResponse => {
			const value = text(name);
			if (value === undefined) return undefined;
			const ms = Date.parse(value);
			return Number.isFinite(ms) ? ms : conversationError(400, `${name} must be an RFC 3339 timestamp`);
		};
		const start = time('start_time');
		if (typeof start === 'object') return start;
		const end = time('end_time');
		if (typeof end === 'object') return end;
		if (start !== undefined && end !== undefined && start > end) return conversationError(400, 'start_time must be before end_time');
		const direction = text('direction');
		if (direction !== undefined && direction !== 'TO_APP' && direction !== 'TO_CONTACT') return conversationError(400, 'direction must be TO_APP or TO_CONTACT');
		const channel = text('channel');
		if (channel !== undefined && !CHANNELS.includes(channel)) return conversationError(400, `channel: unknown channel ${shown(channel)}`);
		const source = text('messages_source') ?? 'CONVERSATION_SOURCE';
		if (source !== 'CONVERSATION_SOURCE' && source !== 'DISPATCH_SOURCE') return conversationError(400, 'messages_source must be CONVERSATION_SOURCE or DISPATCH_SOURCE');
		const filterApp = text('app_id');
		// The SDK puts channel_identity in the query as is: a "+" arrives as a space.
		const rawIdentity = text('channel_identity');
		const identity = rawIdentity === undefined ? undefined : digitsOf(rawIdentity);
		const contactId = text('contact_id');
		const conversationId = text('conversation_id');
		const onlyRecipient = text('only_recipient_originated') === 'true';
		const token = text('page_token');
		let offset = 0;
		if (token !== undefined) {
			const decoded = /^o(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf-8'));
			if (!decoded) return conversationError(400, 'page_token is not a token this API returned');
			offset = Number(decoded[1]);
		}
		const mode = source === 'DISPATCH_SOURCE' ? 'DISPATCH' : 'CONVERSATION';
		const matching = [...records.values()]
			.filter(
				(r) =>
					live(r) &&
					r.processingMode === mode &&
					(filterApp === undefined || r.appId === filterApp) &&
					(identity === undefined || r.identity === identity) &&
					(contactId === undefined || r.contactId === contactId) &&
					(conversationId === undefined || r.conversationId === conversationId) &&
					(channel === undefined || channel === 'WHATSAPP') &&
					(direction === undefined || r.direction === direction) &&
					(!onlyRecipient || r.direction === 'TO_APP') &&
					(start === undefined || Date.parse(r.acceptTime) >= start) &&
					(end === undefined || Date.parse(r.acceptTime) <= end),
			)
			.reverse();
		const page = matching.slice(offset, offset + pageSize);
		const more = offset + pageSize < matching.length;
		return json(200, { messages: page.map(messageResource), next_page_token: more ? Buffer.from(`o${offset + pageSize}`).toString('base64url') : '' });
	}

	function oneMessage(req: SandboxRequest, rawId: string): SandboxResponse {
		const id = safeDecode(rawId);
		const r = id === undefined ? undefined : records.get(id);
		const source = req.query.get('messages_source') ?? 'CONVERSATION_SOURCE';
		if (!r || !live(r) || (source === 'DISPATCH_SOURCE') !== (r.processingMode === 'DISPATCH')) return conversationError(404, `Message ${shown(id ?? rawId)} not found`);
		if (req.method === 'GET') return json(200, messageResource(r));
		if (req.method === 'DELETE') {
			records.delete(r.id);
			return json(200, {});
		}
		if (req.method === 'PATCH') {
			const body = jsonBody(req);
			if (!body) return conversationError(400, 'Invalid JSON payload received: the body must be a JSON object');
			if (typeof body.metadata !== 'string') return conversationError(400, 'metadata is required, as a string');
			if (body.metadata.length > 1024) return conversationError(400, 'metadata is longer than 1024 characters');
			r.metadata = body.metadata;
			return json(200, messageResource(r));
		}
		return notAllowed();
	}

	// ---- webhooks ----

	function triggersProblem(value: unknown): string | undefined {
		if (!Array.isArray(value) || value.length === 0) return 'triggers must list at least one trigger';
		for (const t of value) {
			if (typeof t !== 'string' || !TRIGGERS.includes(t)) return `Unknown trigger ${shown(String(t))}`;
		}
		return undefined;
	}

	function webhookFields(body: Record<string, unknown>, fields: string[]): Partial<Webhook> | SandboxResponse {
		const out: Partial<Webhook> = {};
		for (const field of fields) {
			const value = body[field];
			if (value === undefined) continue;
			if (field === 'target') {
				if (!httpUrl(value) || String(value).length > 742) return conversationError(400, 'target must be an absolute http(s) URL of at most 742 characters');
				out.target = String(value);
			} else if (field === 'target_type') {
				if (value !== 'HTTP' && value !== 'DISMISS') return conversationError(400, 'target_type must be HTTP or DISMISS');
				out.target_type = value;
			} else if (field === 'secret') {
				if (typeof value !== 'string') return conversationError(400, 'secret must be a string');
				out.secret = value;
			} else if (field === 'triggers') {
				const problem = triggersProblem(value);
				if (problem) return conversationError(400, problem);
				out.triggers = [...new Set(value as string[])];
			} else if (field === 'app_id') {
				if (value !== appId) return conversationError(404, `App ${shown(String(value))} not found in project ${account.projectId}`);
				out.app_id = value;
			} else if (field === 'client_credentials') {
				if (!isObject(value)) return conversationError(400, 'client_credentials must be an object');
				out.client_credentials = value;
			}
		}
		return out;
	}

	const FIELDS = ['app_id', 'target', 'target_type', 'secret', 'triggers', 'client_credentials'];

	function createWebhook(req: SandboxRequest): SandboxResponse {
		const body = jsonBody(req);
		if (!body) return conversationError(400, 'Invalid JSON payload received: the body must be a JSON object');
		if (typeof body.app_id !== 'string' || body.app_id === '') return conversationError(400, 'app_id is required');
		if (typeof body.target !== 'string' || body.target === '') return conversationError(400, 'target is required');
		if (body.triggers === undefined) return conversationError(400, 'triggers must list at least one trigger');
		const fields = webhookFields(body, FIELDS);
		if ('status' in fields) return fields as SandboxResponse;
		if ([...webhooks.values()].filter((w) => w.app_id === body.app_id).length >= CONVERSATION_MAX_WEBHOOKS) {
			return conversationError(400, `App ${appId} already has ${CONVERSATION_MAX_WEBHOOKS} webhooks, the most an app may have`);
		}
		const w: Webhook = { id: ulid(), app_id: appId, target: '', target_type: 'HTTP', secret: '', triggers: [], ...(fields as Partial<Webhook>) };
		webhooks.set(w.id, w);
		return json(200, webhookResource(w));
	}

	function oneWebhook(req: SandboxRequest, rawId: string): SandboxResponse {
		const id = safeDecode(rawId);
		const w = id === undefined ? undefined : webhooks.get(id);
		if (!w) return conversationError(404, `Webhook ${shown(id ?? rawId)} not found`);
		if (req.method === 'GET') return json(200, webhookResource(w));
		if (req.method === 'DELETE') {
			webhooks.delete(w.id);
			return json(200, {});
		}
		if (req.method !== 'PATCH') return notAllowed();
		const body = jsonBody(req);
		if (!body) return conversationError(400, 'Invalid JSON payload received: the body must be a JSON object');
		// update_mask (the SDK joins the paths with commas; the REST form is update_mask.paths) names what changes.
		const mask = [...req.query.getAll('update_mask'), ...req.query.getAll('update_mask.paths')].flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean);
		for (const field of mask) if (!FIELDS.includes(field)) return conversationError(400, `update_mask: unknown field ${shown(field)}`);
		const fields = webhookFields(body, mask.length ? mask : FIELDS);
		if ('status' in fields) return fields as SandboxResponse;
		Object.assign(w, fields);
		return json(200, webhookResource(w));
	}

	// ---- routing ----

	const notAllowed = () => conversationError(405, 'Method Not Allowed');

	/** The project's access key (Basic) or a token from it (Bearer), as both APIs take them; refused in `error`'s shape. */
	function authenticate(req: SandboxRequest, error = conversationError): SandboxResponse | undefined {
		const token = bearer(req);
		if (token !== undefined) {
			const state = deps.tokenState(token);
			if (state === 'valid') return undefined;
			if (state === 'expired') {
				return error(401, 'Jwt is expired', { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="Jwt is expired"' });
			}
			return error(401, 'Request had invalid authentication credentials: the access token is not valid');
		}
		const basic = basicAuth(req);
		if (basic && basic.user === account.keyId && basic.password === account.keySecret) return undefined;
		if (basic) return error(401, 'Request had invalid authentication credentials: unknown key ID or wrong key secret');
		return error(401, 'Request is missing authentication credentials: an OAuth2 access token (Bearer) or Basic key ID and secret');
	}

	// ---- Provisioning API: WhatsApp templates ----

	/** Meta's template ID, stable for a name and language (a template never reviewed has none yet). */
	const whatsappIdOf = (t: SinchWhatsAppTemplate) => BigInt(`0x${createHash('sha256').update(`${t.name}/${t.language}`).digest('hex').slice(0, 13)}`).toString();

	function templateResource(t: SinchWhatsAppTemplate): Record<string, unknown> {
		const reviewed = REVIEWED_STATES.includes(t.state);
		const components: Array<Record<string, unknown>> = [{ type: 'BODY', text: t.body }];
		if (t.buttons.length) components.push({ type: 'BUTTONS', buttons: t.buttons.map((b) => ({ type: 'QUICK_REPLY', text: b.title })) });
		const details = { components };
		const out: Record<string, unknown> = {};
		if (reviewed) {
			out.whatsappId = whatsappIdOf(t);
			out.state = t.state;
		}
		out.name = t.name;
		out.language = t.language.toUpperCase();
		out.category = t.category;
		if (t.state === 'REJECTED' && t.rejectionCode) out.rejectionCode = t.rejectionCode;
		// A template not yet reviewed is all changes waiting for WhatsApp (unconfirmed).
		if (!reviewed) out.changes = { status: t.state, allowCategoryChange: false, details };
		out.details = details;
		return out;
	}

	/** Templates in the API's order: by name, then language. */
	const sortedTemplates = () => [...templates].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));

	function listTemplates(req: SandboxRequest): SandboxResponse {
		const q = req.query;
		const sizeText = q.get('pageSize');
		const pageSize = sizeText === null || sizeText === '' ? 50 : Number(sizeText);
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return provisioningError(400, 'pageSize must be an integer from 1 to 1000');
		const states = q.getAll('filterStates').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
		const unknownState = states.find((v) => !REVIEWED_STATES.includes(v));
		if (unknownState) return provisioningError(400, `filterStates: ${shown(unknownState)} is not one of ${REVIEWED_STATES.join(', ')}`);
		const name = q.get('templateName');
		let offset = 0;
		const token = q.get('pageToken');
		if (token) {
			const decoded = /^p(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf-8'));
			if (!decoded) return provisioningError(400, 'pageToken is not a token this API returned');
			offset = Number(decoded[1]);
		}
		const matching = sortedTemplates().filter((t) => (states.length === 0 || states.includes(t.state)) && (!name || t.name === name));
		const tokenFor = (at: number) => Buffer.from(`p${at}`).toString('base64url');
		return json(200, {
			totalSize: matching.length,
			pageSize,
			previousPageToken: offset > 0 ? tokenFor(Math.max(0, offset - pageSize)) : '',
			nextPageToken: offset + pageSize < matching.length ? tokenFor(offset + pageSize) : '',
			templates: matching.slice(offset, offset + pageSize).map(templateResource),
		});
	}

	function provisioning(req: SandboxRequest, rawProject: string, rest: string): SandboxResponse {
		const denied = authenticate(req, provisioningError);
		if (denied) return denied;
		const project = safeDecode(rawProject);
		if (project !== account.projectId) return provisioningError(404, `Project ${shown(project ?? rawProject)} not found`);
		const byName = /^\/whatsapp\/templates\/([^/]+)$/.exec(rest);
		if (rest !== '/whatsapp/templates' && !byName) return provisioningError(404, `No such resource: ${shown(req.path)}`);
		// The sandbox reads templates; they are made in its seeds, as the dashboard would.
		if (req.method !== 'GET') return provisioningError(405, `${req.method} is not played by the sandbox here: it reads WhatsApp templates (GET) only`);
		if (!byName) return listTemplates(req);
		const name = safeDecode(byName[1]);
		const found = sortedTemplates().filter((t) => t.name === name);
		if (found.length === 0) return provisioningError(404, `Template ${shown(name ?? byName[1])} not found`);
		return json(200, { templates: found.map(templateResource) });
	}

	function route(req: SandboxRequest, rest: string): SandboxResponse {
		const m = req.method;
		if (rest === '/messages:send') return m === 'POST' ? send(req) : notAllowed();
		if (rest === '/messages') return m === 'GET' ? list(req) : notAllowed();
		let match = /^\/messages\/([^/:]+)$/.exec(rest);
		if (match) return oneMessage(req, match[1]);
		if (rest === '/webhooks') return m === 'POST' ? createWebhook(req) : notAllowed();
		match = /^\/webhooks\/([^/]+)$/.exec(rest);
		if (match) return oneWebhook(req, match[1]);
		match = /^\/apps\/([^/]+)\/webhooks$/.exec(rest);
		if (match) {
			if (m !== 'GET') return notAllowed();
			const id = safeDecode(match[1]);
			if (id !== appId) return conversationError(404, `App ${shown(id ?? match[1])} not found in project ${account.projectId}`);
			return json(200, { webhooks: [...webhooks.values()].filter((w) => w.app_id === appId).map(webhookResource) });
		}
		if (rest === '/apps') return m === 'GET' ? json(200, { apps: [appResource()] }) : notAllowed();
		match = /^\/apps\/([^/]+)$/.exec(rest);
		if (match) {
			const id = safeDecode(match[1]);
			if (id !== appId) return conversationError(404, `App ${shown(id ?? match[1])} not found in project ${account.projectId}`);
			if (m === 'GET') return json(200, appResource());
			if (m !== 'PATCH') return notAllowed();
			const body = jsonBody(req);
			if (!body) return conversationError(400, 'Invalid JSON payload received: the body must be a JSON object');
			if (body.display_name !== undefined) {
				if (typeof body.display_name !== 'string' || body.display_name === '') return conversationError(400, 'display_name must be a non-empty string');
				app.displayName = body.display_name;
			}
			if (body.callback_settings !== undefined) {
				const settings = body.callback_settings;
				if (!isObject(settings) || (settings.secret_for_overridden_callback_urls !== undefined && typeof settings.secret_for_overridden_callback_urls !== 'string')) {
					return conversationError(400, 'callback_settings.secret_for_overridden_callback_urls must be a string');
				}
				if (typeof settings.secret_for_overridden_callback_urls === 'string') app.secretForOverriddenCallbackUrls = settings.secret_for_overridden_callback_urls;
			}
			return json(200, appResource());
		}
		return conversationError(404, `No such resource: ${shown(req.path)}`);
	}

	function isWhatsApp(m: StoredMessage): boolean {
		if (m.channel === 'whatsapp') return true;
		const numbers = account.whatsappNumbers;
		return numbers.includes(m.to.replace(/^whatsapp:/, '')) || (m.direction === 'outbound-api' && m.from !== null && numbers.includes(m.from.replace(/^whatsapp:/, '')));
	}

	return {
		matches: (path) => path === '/v1/projects' || path.startsWith('/v1/projects/'),
		reset() {
			webhooks.clear();
			contacts.clear();
			identities.clear();
			conversations.clear();
			windows.clear();
			records.clear();
			queue.clear();
			app.displayName = 'Sandbox WhatsApp app';
			app.secretForOverriddenCallbackUrls = account.webhookSecret;
			seed();
		},
		whatsappNumbers: () => [...account.whatsappNumbers],
		isWhatsApp,
		isWhatsAppSpec: (spec) =>
			spec.channel !== 'sms' &&
			(spec.channel === 'whatsapp' ||
				spec.from.startsWith('whatsapp:') ||
				spec.to.startsWith('whatsapp:') ||
				[spec.from, spec.to].some((n) => account.whatsappNumbers.includes(n))),
		errorResponse: (status, message, path) => (path !== undefined && provisioningPath(path) ? provisioningError : conversationError)(status, message),
		faultResponse(status, retryAfter, path) {
			const error = path !== undefined && provisioningPath(path) ? provisioningError : conversationError;
			const headers: Record<string, string> = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {};
			if (status === 429) return error(429, 'Too many requests: the rate limit was exceeded', headers);
			if (status === 503) return error(503, 'The service is currently unavailable', headers);
			if (status >= 500) return error(status, 'Internal error', headers);
			return error(status, `Injected error ${status}`, headers);
		},
		recipients(req) {
			if (req.method !== 'POST' || !/^\/v1\/projects\/[^/]+\/messages:send$/.test(req.path)) return [];
			const list = jsonBody(req)?.recipient;
			const identities = isObject(list) && isObject(list.identified_by) ? list.identified_by.channel_identities : undefined;
			if (!Array.isArray(identities)) return [];
			return identities.flatMap((entry) => {
				const digits = isObject(entry) ? identityOf(entry.identity) : undefined;
				return digits ? [`+${digits}`] : [];
			});
		},
		handle(req) {
			if (provisioningPath(req.path)) {
				const [, project, rest] = PROJECT_PATH.exec(req.path) as RegExpExecArray;
				return provisioning(req, project, rest);
			}
			const denied = authenticate(req);
			if (denied) return denied;
			const match = PROJECT_PATH.exec(req.path);
			if (!match) return conversationError(404, `No such resource: ${shown(req.path)}`);
			const project = safeDecode(match[1]);
			if (project !== account.projectId) return conversationError(403, `Permission denied on project ${shown(project ?? match[1])}: the credentials belong to another project`);
			return route(req, match[2] ?? '');
		},
		onStatus(m, event) {
			const r = records.get(m.id);
			if (!r || r.stored !== m) return;
			if (event.status === 'QUEUED_ON_CHANNEL') m.sentAt ??= event.at;
			if (event.status === 'READ') m.whatsapp = { ...m.whatsapp, readAt: event.at };
			const payload = deliveryEvent(r, event.status, event.at, event.errorCode === null || event.errorCode === undefined ? undefined : String(event.errorCode));
			if (r.callbackUrl) {
				// A send's callback_url replaces the app's MESSAGE_DELIVERY webhooks, signed with the app's secret for it.
				const body = JSON.stringify(payload);
				sandbox.sendCallback({ provider: 'sinch', url: r.callbackUrl, messageId: r.id, status: event.status, body, headers: signed(body, app.secretForOverriddenCallbackUrls) });
				return;
			}
			post('MESSAGE_DELIVERY', payload, r.id, event.status);
		},
		deliverInbound(m) {
			const identity = digitsOf(m.from ?? '');
			const now = new Date();
			windows.set(identity, now.getTime());
			const contactId = contactOf(identity);
			const conversation = conversationOf(contactId);
			const payload = m.whatsapp?.buttonPayload;
			const replyTo = m.whatsapp?.replyTo;
			let content: Record<string, unknown>;
			let metadata = '';
			if (payload !== undefined) {
				content = { choice_response_message: { message_id: replyTo ?? '', postback_data: payload } };
				// For a choice response, Sinch fills metadata with the message_metadata of the message answered.
				const answered = replyTo ? records.get(replyTo) : undefined;
				if (answered?.direction === 'TO_CONTACT') metadata = answered.metadata;
			} else if (m.mediaUrls.length > 0) {
				content = m.body ? { media_card_message: { url: m.mediaUrls[0], caption: m.body } } : { media_message: { url: m.mediaUrls[0] } };
			} else {
				content = { text_message: { text: m.body } };
			}
			if (replyTo && payload === undefined) content.reply_to = { message_id: replyTo };
			m.account = account.projectId;
			m.channel = 'whatsapp';
			m.attributes = { ...m.attributes, appId, contactId, conversationId: conversation.id };
			const record: ConversationRecord = {
				id: m.id,
				stored: m,
				direction: 'TO_APP',
				appId,
				identity,
				contactId,
				conversationId: conversation.id,
				acceptTime: now.toISOString(),
				processingMode: 'CONVERSATION',
				content,
				metadata,
			};
			keep(record);
			return post('MESSAGE_INBOUND', inboundEvent(record, m.createdAt), m.id, 'MESSAGE_INBOUND') > 0;
		},
		webhook(spec) {
			const id = spec.messageId ?? ulid();
			const now = new Date().toISOString();
			let payload: Record<string, unknown>;
			// The contact is the inbound message's sender or the delivery report's recipient, unless that is the app's own number.
			const ours = account.whatsappNumbers.map(digitsOf);
			const [first, second] = spec.event === 'inbound' ? [digitsOf(spec.from), digitsOf(spec.to)] : [digitsOf(spec.to), digitsOf(spec.from)];
			const identity = ours.includes(first) && second !== '' && !ours.includes(second) ? second : first;
			if (spec.event === 'inbound') {
				const content: Record<string, unknown> = spec.button
					? { choice_response_message: { message_id: spec.replyTo ?? '', postback_data: spec.button.payload } }
					: { text_message: { text: spec.body } };
				if (spec.replyTo && !spec.button) content.reply_to = { message_id: spec.replyTo };
				const contactId = contactOf(identity);
				payload = inboundEvent(
					{ id, stored: undefined as unknown as StoredMessage, direction: 'TO_APP', appId, identity, contactId, conversationId: conversationOf(contactId).id, acceptTime: now, processingMode: 'CONVERSATION', content, metadata: '' },
					now,
				);
			} else {
				const contactId = contactOf(identity);
				const status = spec.status.toUpperCase();
				payload = deliveryEvent(
					{ id, stored: undefined as unknown as StoredMessage, direction: 'TO_CONTACT', appId, identity, contactId, conversationId: conversationOf(contactId).id, acceptTime: now, processingMode: 'CONVERSATION', content: {}, metadata: '' },
					status,
					now,
					status === 'FAILED' ? (spec.errorCode ?? 'RECIPIENT_NOT_REACHABLE') : undefined,
				);
			}
			const body = JSON.stringify(payload);
			// Signed with the secret of the app's webhook at that URL, else with the account's webhook secret.
			const secret = [...webhooks.values()].find((w) => w.target === spec.url && w.secret)?.secret ?? account.webhookSecret;
			let headers = signed(body, secret);
			if (spec.forge === 'unsigned') headers = { 'Content-Type': 'application/json' };
			if (spec.forge === 'signature' || spec.forge === 'certificate') {
				headers['x-sinch-webhook-signature'] = computeSinchWebhookSignature('not-the-secret', body, headers['x-sinch-webhook-signature-nonce'] ?? 'n', headers['x-sinch-webhook-signature-timestamp'] ?? '0');
			}
			return { url: spec.url, headers, body: spec.forge === 'body' ? body.replace(/}$/, ',"changed":true}') : body };
		},
		control: {
			routes: {
				'GET|PUT /__sandbox/sinch/conversation-webhook':
					"the Conversation app's webhook as set in Sinch's dashboard ({target, secret?: default the account's webhookSecret, '' for unsigned, triggers?: default MESSAGE_DELIVERY and MESSAGE_INBOUND}; target '' removes it)",
				'GET|PUT /__sandbox/sinch/whatsapp-window':
					"contacts' 24-hour WhatsApp windows with the Conversation app; PUT {number (E.164), open: true|false} opens one as if the contact had just written, or closes it",
				'GET /__sandbox/sinch/whatsapp-templates': "the Conversation app's WhatsApp templates (name, language, body, parameters, buttons, state: only APPROVED ones are delivered)",
			},
			handle(method, path, body) {
				if (path === '/conversation-webhook') {
					const current = () => [...webhooks.values()].find((w) => w.dashboard);
					if (method === 'GET') {
						const w = current();
						return json(200, w ? webhookResource(w) : { target: '' });
					}
					if (method !== 'PUT') return undefined;
					const target = body?.target;
					if (target === '') {
						const w = current();
						if (w) webhooks.delete(w.id);
						return json(200, { target: '' });
					}
					if (!httpUrl(target)) return json(400, { error: "target must be an absolute http(s) URL, or '' to remove the webhook" });
					if (body?.secret !== undefined && typeof body.secret !== 'string') return json(400, { error: 'secret, when given, must be a string' });
					const triggers = body?.triggers ?? ['MESSAGE_DELIVERY', 'MESSAGE_INBOUND'];
					const problem = triggersProblem(triggers);
					if (problem) return json(400, { error: problem });
					const existing = current();
					if (!existing && [...webhooks.values()].length >= CONVERSATION_MAX_WEBHOOKS) return json(400, { error: `the app already has ${CONVERSATION_MAX_WEBHOOKS} webhooks` });
					const w: Webhook = {
						id: existing?.id ?? ulid(),
						app_id: appId,
						target: String(target),
						target_type: 'HTTP',
						// The account's webhook secret unless told otherwise ('' for unsigned callbacks).
						secret: typeof body?.secret === 'string' ? body.secret : account.webhookSecret,
						triggers: [...new Set(triggers as string[])],
						dashboard: true,
					};
					webhooks.set(w.id, w);
					return json(200, webhookResource(w));
				}
				if (path === '/whatsapp-window') {
					const list = () => ({
						windows: [...windows.entries()]
							.filter(([identity]) => windowOpen(identity))
							.map(([identity, at]) => ({ number: `+${identity}`, lastInboundAt: new Date(at).toISOString(), closesAt: new Date(at + windowMs()).toISOString() })),
					});
					if (method === 'GET') return json(200, list());
					if (method !== 'PUT') return undefined;
					const identity = typeof body?.number === 'string' && body.number.startsWith('+') ? identityOf(body.number) : undefined;
					if (!identity) return json(400, { error: 'number is required, in E.164 (e.g. +33612345678)' });
					if (typeof body?.open !== 'boolean') return json(400, { error: 'open is required: true or false' });
					if (body.open) windows.set(identity, Date.now());
					else windows.delete(identity);
					return json(200, list());
				}
				if (path === '/whatsapp-templates' && method === 'GET') return json(200, { templates });
				return undefined;
			},
		},
	};
}
