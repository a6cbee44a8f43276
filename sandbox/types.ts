/**
 * The sandbox's shared types, in one module that imports no other module of the sandbox at run time: the
 * server, the provider emulations and the control API all import their types from here, never from each other.
 */
import type { IncomingMessage } from 'node:http';
import type { SandboxAccounts, SandboxLimits } from './config';

export type SandboxProvider = 'twilio' | 'sinch' | 'sns';

/** A request as the sandbox's handlers see it: body read, path split from the query. */
export interface SandboxRequest {
	method: string;
	/** Path without the query, as sent (not decoded, not normalised). */
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	rawBody: string;
	/** The URL as the client asked for it. */
	url: string;
}

export interface SandboxResponse {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

export interface SandboxOptions {
	host?: string;
	/** 0 picks a free port. */
	port?: number;
	/** Multiplies every duration (status steps, rate windows): 0.01 makes the sandbox 100 times faster. */
	timeScale?: number;
	accounts?: Partial<{ [K in keyof SandboxAccounts]: Partial<SandboxAccounts[K]> }>;
	limits?: Partial<SandboxLimits>;
	/**
	 * Host names the control API and the phone page also answer to, besides 127.0.0.1, localhost, [::1] and the
	 * host it binds (e.g. a LAN name when bound to 0.0.0.0). `name` means on the sandbox's port; `name:port` a
	 * given port (behind a port mapping).
	 */
	allowedHosts?: string[];
	/** Where request lines are logged; silent when absent. */
	log?: (line: string) => void;
}

export interface StatusEvent {
	status: string;
	at: string;
	errorCode?: string | number | null;
}

export interface StatusStep {
	afterMs: number;
	status: string;
	errorCode?: string | number | null;
}

export interface StoredMessage {
	provider: SandboxProvider;
	id: string;
	/** Account SID, service plan / project ID, or access key ID. */
	account: string;
	direction: 'outbound-api' | 'inbound';
	from: string | null;
	to: string;
	body: string;
	mediaUrls: string[];
	status: string;
	history: StatusEvent[];
	errorCode: string | number | null;
	createdAt: string;
	/**
	 * When the request that made it arrived at the sandbox, in epoch milliseconds: taken as the request came in, before
	 * its body was read and before any delay fault (a batch's messages share it). For a throttle check ("no one-second
	 * window above N"). Messages made by no request (a TwiML reply) have the time they were stored.
	 */
	arrivedAt: number;
	updatedAt: string;
	sentAt: string | null;
	sendAt: string | null;
	callbackUrl: string | null;
	messagingServiceSid: string | null;
	segments: number;
	encoding: string;
	price: string | null;
	clientReference: string | null;
	deliveryReport: string | null;
	canceled: boolean;
	attributes: Record<string, string>;
	/** 'whatsapp' for WhatsApp messages (Twilio `whatsapp:` addresses, Sinch Conversation); SMS when absent. */
	channel?: 'sms' | 'whatsapp';
	/** What only a WhatsApp message has: a template, buttons, a tapped button, a read receipt. */
	whatsapp?: WhatsAppContent;
}

/** A quick-reply button: the text the phone shows and the payload that comes back when it is tapped. */
export interface WhatsAppButton {
	title: string;
	payload: string;
}

export interface WhatsAppContent {
	/** The template sent (a Twilio Content SID, a Sinch template ID), with its language and the variables filled in. */
	template?: { id: string; name: string; language: string; variables: Record<string, string> };
	/** Quick-reply buttons the phone shows under the message. */
	buttons?: WhatsAppButton[];
	/** A caption under media. */
	caption?: string;
	/** Inbound: the payload of the button the person tapped, and the ID of the message that carried it. */
	buttonPayload?: string;
	replyTo?: string;
	/** When the recipient read the message (a read receipt). */
	readAt?: string;
	/** Inbound: the WhatsApp profile name of the person who wrote (Twilio's ProfileName). */
	profileName?: string;
	/**
	 * Outbound, Twilio: buttons sent as an interactive session message (a content WhatsApp has not approved, sent
	 * inside the 24-hour window) rather than as a template; a tap on them comes back as MessageType=interactive.
	 */
	interactive?: boolean;
}

export interface RequestRecord {
	at: string;
	provider: SandboxProvider | 'control' | 'unknown';
	method: string;
	path: string;
	recipients: string[];
	status: number | null;
	fault: string | null;
}

export interface CallbackRecord {
	at: string;
	provider: SandboxProvider;
	url: string;
	messageId: string;
	status: string;
	body: string;
	headers: Record<string, string>;
	responseStatus: number | null;
	error: string | null;
	attempts: number;
}

/** A failure of the sandbox itself (a handler or a timer that threw): answered with a 500, kept here, logged once. */
export interface SandboxErrorRecord {
	at: string;
	/** `METHOD /path` of the request, or what the timer was doing. */
	where: string;
	message: string;
}

export interface FaultRule {
	id: string;
	provider?: SandboxProvider;
	/** Only requests to this recipient (E.164). */
	to?: string;
	type: 'status' | 'reset' | 'delay' | 'hang';
	/** HTTP status for type "status" (429, 500, 502, 503, 504…), an integer 100–599. */
	status?: number;
	/** Seconds, sent as Retry-After with a "status" fault. */
	retryAfter?: number;
	/** Milliseconds, for "delay". */
	delayMs?: number;
	/** How many requests it applies to; -1 for all. */
	remaining: number;
	hits: number;
}

export type FaultInput = Omit<FaultRule, 'id' | 'remaining' | 'hits'> & { count?: number };

/** A provider's part of the sandbox. */
export interface ProviderApi {
	name: SandboxProvider;
	/** Whether a request is addressed to this provider, from its method and path alone (the body is not read yet). */
	matches(method: string, path: string): boolean;
	recipients(req: SandboxRequest): string[];
	handle(req: SandboxRequest): Promise<SandboxResponse> | SandboxResponse;
	/** The provider's own answer for an injected HTTP status (`path`: the request's, for a provider with several APIs and shapes). */
	faultResponse(status: number, retryAfter?: number, path?: string): SandboxResponse;
	/** An error in the provider's own shape, for what the server refuses before a handler runs (404, 413, 500). */
	errorResponse(status: number, message: string, path: string): SandboxResponse;
	/** Forget what the emulation keeps besides messages: queues, rate budgets, batches, webhook settings. */
	reset(): void;
	/** The numbers people can text on this provider (the phone page's replies go to their inbound webhooks). */
	inboundNumbers(): string[];
	/** The provider's WhatsApp numbers (among inboundNumbers): a message to one of them is a WhatsApp message. */
	whatsappNumbers?(): string[];
	/** The account an inbound message to this provider belongs to (account SID, service plan, access key). */
	inboundAccount(): string;
	/** A new ID for an inbound message, as this provider writes them. */
	newInboundId(): string;
	/** Post an inbound message (stored already) to where the provider is configured to send it, signed; false if nowhere. */
	deliverInbound(message: StoredMessage): boolean;
	/** A webhook exactly as the provider sends it, for a test to post (signed, or forged on purpose). */
	webhook(spec: WebhookSpec): { url: string; headers: Record<string, string>; body: string };
	/**
	 * Settings the real provider keeps in its dashboard, reached at `/__sandbox/<name>/<path>` (e.g. Sinch's service
	 * plan callback URL): the answer, or undefined when the path is not one of them. `routes` describes them.
	 */
	control?: {
		routes: Record<string, string>;
		handle(method: string, path: string, body: Record<string, unknown> | undefined): SandboxResponse | undefined;
	};
}

/** What a test asks the sandbox to send to a webhook URL (POST /__sandbox/webhooks). */
export interface WebhookSpec {
	url: string;
	event: 'inbound' | 'status';
	from: string;
	to: string;
	body: string;
	status: string;
	errorCode?: string;
	messageId?: string;
	/** SNS: the topic the message is from. */
	topicArn?: string;
	/** Twilio: the URL to sign, when it differs from where it is posted (a proxy). */
	signedUrl?: string;
	/**
	 * 'whatsapp' for a WhatsApp webhook (Sinch: a Conversation API callback; also chosen when `from`/`to` is a
	 * WhatsApp number or a `whatsapp:` address); SMS when absent.
	 */
	channel?: 'sms' | 'whatsapp';
	/** WhatsApp inbound: a quick-reply tap (the body is its title), the message it answers, the sender's profile name. */
	button?: WhatsAppButton;
	replyTo?: string;
	profileName?: string;
	/** How to spoil it: a wrong signature, no signature, the body changed after signing, or (SNS) a certificate from an untrusted host. */
	forge?: 'signature' | 'unsigned' | 'body' | 'certificate';
}

/** What the provider emulations and the control API use of the running sandbox (the Sandbox class implements it). */
export interface SandboxContext {
	readonly url: string;
	readonly accounts: SandboxAccounts;
	readonly limits: SandboxLimits;
	readonly timeScale: number;
	readonly messages: Map<string, StoredMessage>;
	readonly requests: RequestRecord[];
	readonly callbacks: CallbackRecord[];
	readonly faults: FaultRule[];
	readonly optOuts: Set<string>;
	readonly errors: SandboxErrorRecord[];
	readonly onStatus: Map<SandboxProvider, (message: StoredMessage, event: StatusEvent) => void>;
	reset(): void;
	/** A provider's part of the sandbox (for the control API: inbound messages, webhooks fired for tests). */
	api(provider: SandboxProvider): ProviderApi;
	/** Every provider the sandbox plays, in order. */
	providerNames(): SandboxProvider[];
	inFlightCount(provider: SandboxProvider): number;
	scaled(ms: number): number;
	later(ms: number, fn: () => void): void;
	store(message: StoredMessage): StoredMessage;
	progress(message: StoredMessage, steps: StatusStep[]): void;
	setStatus(message: StoredMessage, status: string, errorCode?: string | number | null): void;
	/** POST a callback, retried on 5xx/429; `onAnswer` gets the final answer's status and body (Twilio's TwiML). */
	sendCallback(record: Omit<CallbackRecord, 'at' | 'responseStatus' | 'error' | 'attempts'>, maxAttempts?: number, onAnswer?: (status: number, body: string) => void): void;
	addFault(rule: FaultInput): FaultRule;
}
