/**
 * The webhooks capability: what a provider pushes to the Messaging Trigger (inbound messages, delivery statuses,
 * subscription handshakes), how it is signed, what it expects back, and how the provider is pointed at the trigger.
 * The trigger hands providers a plain WebhookRequest: no n8n request object crosses into a provider.
 */
import type { IDataObject } from 'n8n-workflow';
import type { MessageStatus } from '../rules/status';
import type { ProviderContext } from './types';

/**
 * The last segment of the Messaging Trigger's webhook path (n8n serves it at `/webhook/<id>/messaging`): how a URL
 * set on a provider is known to be a trigger's, rather than the provider's demo reply or another application's.
 */
export const TRIGGER_WEBHOOK_PATH = 'messaging';

/** Whether a URL is a Messaging Trigger's webhook URL (its path ends in the trigger's path). */
export function isTriggerUrl(url: string): boolean {
	try {
		const { protocol, pathname } = new URL(url);
		return (protocol === 'https:' || protocol === 'http:') && pathname.replace(/\/+$/, '').endsWith(`/${TRIGGER_WEBHOOK_PATH}`);
	} catch {
		return false;
	}
}

/** One HTTP request as the provider sent it. */
export interface WebhookRequest {
	method: string;
	/** The URL the provider called, as it saw it: the public URL, with the query string as sent. */
	url: string;
	/** Header names in lower case. */
	headers: Record<string, string | string[] | undefined>;
	/** The body's bytes, exactly as received. */
	rawBody: Buffer;
	/** Form fields, for form-encoded bodies (repeated keys as lists). */
	form?: Record<string, string | string[]>;
}

export type WebhookChannel = 'sms' | 'mms' | 'whatsapp';

export interface WebhookMedia {
	url: string;
	contentType: string | null;
}

/** One event in a provider's push, in the one shape (before the trigger adds keywords and duplicates). */
export interface ProviderWebhookEvent {
	kind: 'inbound' | 'status';
	messageId: string | null;
	/** E.164 where it is a number; short codes and sender names as they are. */
	from: string | null;
	to: string | null;
	body: string | null;
	media: WebhookMedia[];
	status: MessageStatus | null;
	providerStatus: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	channel: WebhookChannel;
	/** WhatsApp: the quick-reply button the customer tapped (its payload, and the text it showed). */
	button?: { payload: string; text: string | null } | null;
	/** WhatsApp: the message the customer answered (a button's message, a quoted reply). */
	replyTo?: string | null;
	/** WhatsApp: the customer's profile name, where the provider passes it on. */
	profileName?: string | null;
	/** The same for every redelivery of this event by the provider: what duplicates are found by. */
	deliveryKey: string;
	raw: IDataObject;
}

export interface WebhookReply {
	statusCode: number;
	contentType: string;
	body: string;
}

export type WebhookCheck = { ok: true } | { ok: false; reason: string };

/** What a verified request is. */
export type WebhookReading =
	/** Events for the workflow. */
	| { type: 'events'; events: ProviderWebhookEvent[] }
	/** A handshake or a push the trigger answers itself, with no execution (an SNS subscription confirmation). */
	| { type: 'handled'; reply: WebhookReply; note: string; remember?: IDataObject };

/** What the trigger was told to listen to, as the provider needs it for the check, the reading and the setup. */
export interface WebhookSettings {
	/** The trigger's own URL, as the provider calls it (the public URL, or the override behind a proxy). */
	url: string;
	/** Twilio: a phone number (E.164) or a Messaging Service SID; AWS SNS: the topic ARN. */
	target: string;
	/**
	 * What the trigger remembers (node static data): `previous` and `current` from setup, `handshake` from a handled
	 * request (the SNS subscription confirmed).
	 */
	remembered: IDataObject;
}

export interface WebhookSetupState {
	/** What the provider had before, to put back on delete. */
	previous: IDataObject;
	/** What was set, to recognise it later. */
	current: IDataObject;
}

/**
 * Pointing the provider at the trigger on activation and back on deactivation. Errors are thrown, never
 * swallowed: a workflow must not look active while the provider still posts elsewhere.
 */
export interface WebhookSetup {
	/** What the user names in the node: e.g. "Phone Number or Messaging Service SID". */
	targetLabel: string;
	/** The target is needed even when the node does not configure the provider (SNS checks messages are its topic's). */
	targetAlwaysNeeded?: boolean;
	targetPlaceholder: string;
	targetDescription: string;
	/** Whether the provider already posts to `settings.url` for the target. */
	exists(ctx: ProviderContext, settings: WebhookSettings): Promise<boolean>;
	/** Point the target at the URL; returns what to remember (the old values among it). */
	create(ctx: ProviderContext, settings: WebhookSettings): Promise<WebhookSetupState>;
	/** Put back what was there (only where the target still points at the trigger). */
	delete(ctx: ProviderContext, settings: WebhookSettings): Promise<void>;
}

export interface WebhooksCapability {
	/** Which events this provider pushes. */
	events: { inbound: boolean; status: boolean };
	/** Why there are no delivery-status events, where there are none (for the editor). */
	noStatusNote?: string;
	/** Whether the answer can carry a reply message to the sender (Twilio's TwiML). */
	replies: boolean;
	/** How requests are signed, in one sentence for the editor. */
	signatureNote: string;
	/** Whether the request is the provider's. Fails closed: no secret, no signature or any doubt is a refusal. */
	verify(ctx: ProviderContext, request: WebhookRequest, settings: WebhookSettings): Promise<WebhookCheck>;
	/** The request's events, or a handshake answered without an execution. Throws on a body it cannot read. */
	read(ctx: ProviderContext, request: WebhookRequest, settings: WebhookSettings): Promise<WebhookReading>;
	/** The answer the provider expects for events (Twilio: TwiML, with an optional reply message). */
	reply(events: readonly ProviderWebhookEvent[], options: { replyText?: string }): WebhookReply;
	/** Configuring the provider from the node; absent where it is done in the provider's dashboard (Sinch). */
	setup?: WebhookSetup;
	/** Where to paste the trigger's URL when there is no setup. */
	manualSetupHint?: string;
}
