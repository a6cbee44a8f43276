/**
 * What a provider is: its facts, and one optional typed object per capability. A capability's absence means
 * the provider does not offer it, and the editor's options follow from that. Providers import no n8n runtime:
 * they talk HTTP through the ProviderContext they are given.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';
import type { CodeTable } from '../rules/errors';
import type { TemplatePart } from '../rules/messageTemplate';
import type { MessageStatus, StatusTable } from '../rules/status';
import type { VerifyCapability } from './verifyTypes';
import type { WebhooksCapability } from './webhookTypes';
import type { WhatsAppCapability } from './whatsappTypes';

export type ProviderName = 'twilio' | 'sinch' | 'sns';

/** One HTTP exchange as a provider describes it; the transport sends it with the credential. */
export interface ProviderHttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE';
	url: string;
	headers?: Record<string, string>;
	/** Already encoded: form or JSON text. */
	body?: string;
}

export interface ProviderHttpResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** What a provider is given to talk to its API. */
export interface ProviderContext {
	credentials: ICredentialDataDecryptedObject;
	http: (request: ProviderHttpRequest) => Promise<ProviderHttpResponse>;
	/** A GET of a public document (an SNS signing certificate), without the credential: nothing signed or sent with it. */
	fetchPublic: (url: string) => Promise<ProviderHttpResponse>;
	now: () => Date;
}

/** Who sends: the provider's own sender fields, read from the node's parameters by the provider. */
export interface SmsSender {
	/** A number, short code or alphanumeric sender. */
	from?: string;
	/** Twilio: send through a Messaging Service instead of one number. */
	messagingServiceSid?: string;
	/** AWS SNS. */
	senderId?: string;
	smsType?: 'Transactional' | 'Promotional';
}

export interface SmsFindQuery {
	to: string;
	sender: SmsSender;
	since: Date;
	/** The text: only a message with exactly this text counts. */
	body: string;
}

export interface SendSmsRequest extends SmsSender {
	/** E.164. */
	to: string;
	body: string;
	mediaUrls?: string[];
	statusCallbackUrl?: string;
	/**
	 * Delivery statuses go to the Messaging Trigger set up for this sender: a URL the provider's `triggerStatusUrl`
	 * found (put in statusCallbackUrl before sending), or the provider's own setting (a Twilio Messaging Service's
	 * status callback, Sinch's service plan callback URL).
	 */
	statusToTrigger?: boolean;
	/** Whole seconds the provider may keep trying. */
	validityPeriod?: number;
	sendAt?: Date;
	clientReference?: string;
	maxPrice?: number;
}

/** A message as a provider reports it, before the node adds what it computed. */
export interface ProviderMessage {
	messageId: string;
	status: MessageStatus;
	providerStatus: string;
	to: string;
	from: string | null;
	/** Segments the provider counted, when it says. */
	segments?: number;
	price?: number;
	priceUnit?: string;
	errorCode?: string;
	errorMessage?: string;
	/** When the provider took the message to send it now; absent while it is scheduled. */
	sentAt?: string;
	raw: IDataObject;
}

/** The send options a provider honours; a send option is offered on a route only where they work. */
export interface SmsSendOptions {
	media: boolean;
	statusCallback: boolean;
	/** Delivery statuses can go to the sender's Messaging Trigger without a URL to copy. */
	statusToTrigger: boolean;
	clientReference: boolean;
	maxPrice: boolean;
	validityPeriod: boolean;
	/** Scheduling, and the sender setting it needs (Twilio: a Messaging Service), when offered. */
	schedule?: { needsSender?: { parameter: string; value: string; label: string } };
}

/** The node's parameters for the current item, as the provider's sender fields need them. */
export interface SenderParameters {
	/** A text parameter; anything else (an object, a list) is refused for the item, naming `label`. */
	text(name: string, label: string): string;
	/** An options parameter's value. */
	option(name: string, fallback: string): unknown;
}

export type SenderReader = (read: SenderParameters) => SmsSender;

export interface SmsCapability {
	options: SmsSendOptions;
	/** The node parameters that choose this provider's sender; shown when the route uses the provider. */
	senderProperties: (show: NonNullable<IDisplayOptions['show']>) => INodeProperties[];
	readSender: SenderReader;
	/** Why this provider cannot send this request, or undefined when it can. Nothing is sent on a refusal. */
	check(request: SendSmsRequest, now: Date): string | undefined;
	send(ctx: ProviderContext, request: SendSmsRequest): Promise<ProviderMessage>;
	/**
	 * With `statusToTrigger`: the status callback URL that reaches the Messaging Trigger set up for this sender, or
	 * undefined where the provider's own setting already sends statuses there. Throws a `request` ProviderError (no
	 * fallback: the next provider's message would bring no statuses either) when the sender has no trigger set up;
	 * nothing is sent then. Absent: the provider needs no look-up.
	 */
	triggerStatusUrl?(ctx: ProviderContext, sender: SmsSender): Promise<string | undefined>;
	/** A message's status; `recipient` picks one recipient of a batch (Sinch). */
	status?: {
		perRecipient: boolean;
		get(ctx: ProviderContext, messageId: string, recipient?: string): Promise<ProviderMessage>;
	};
	/** Cancel a scheduled message. */
	cancel?: (ctx: ProviderContext, messageId: string) => Promise<ProviderMessage>;
	/**
	 * The messages sent to `to` (from this sender) since `since`, newest first: how a campaign learns whether a
	 * message whose run stopped while it was leaving reached the provider. Absent: the provider cannot say.
	 */
	find?: (ctx: ProviderContext, query: SmsFindQuery) => Promise<ProviderMessage[]>;
	/** Many recipients in one request (a campaign's batches). Absent: one request per recipient. */
	batch?: SmsBatchCapability;
	/** The provider's own price list, for a campaign's cost estimate. Absent: the node's prices. */
	pricing?: SmsPricing;
	/** The rate of a sender, when it can be told from the sender itself (a Twilio long code, toll-free number…). */
	senderRate?(sender: SmsSender): SenderRate | undefined;
	/** With `options.statusToTrigger`: what the user sets up for statuses to reach the trigger, in one sentence. */
	triggerStatusNote?: string;
	/** A hint for the output when "accepted" is all the provider can say at once. */
	acceptedHint?: string;
}

/** One request to many recipients: one text for all, or a template with each recipient's values. */
export interface SmsBatchRequest extends Omit<SendSmsRequest, 'to' | 'body' | 'mediaUrls'> {
	/** E.164 numbers, at most the capability's `maxRecipients`. */
	to: string[];
	body: string | { parts: readonly TemplatePart[]; values: Readonly<Record<string, Readonly<Record<string, string>>>> };
}

export interface SmsBatchCapability {
	maxRecipients: number;
	/** Whether one request can give each recipient its own text from these template parts and this recipient's values. */
	canPersonalise(parts: readonly TemplatePart[], values: Readonly<Record<string, string>>): boolean;
	/** The batch as the provider took it: `messageId` is the batch's, `to` its first recipient. */
	send(ctx: ProviderContext, request: SmsBatchRequest): Promise<ProviderMessage>;
}

/** The price of one segment to a country, as the provider lists it. */
export interface PriceQuote {
	price: number;
	unit: string;
}

export interface SmsPricing {
	/** The highest price of one outbound segment to a mobile in `country` (ISO alpha-2), or undefined when not listed. */
	perSegment(ctx: ProviderContext, country: string): Promise<PriceQuote | undefined>;
}

/** Messages a sender may send per second, by the kind of sender. */
export interface SenderRate {
	kind: string;
	label: string;
	/** Segments (parts) per second. */
	perSecond: number;
}

export interface Provider {
	name: ProviderName;
	label: string;
	/** The n8n credential type this provider signs its requests with. */
	credentialType: string;
	/** The provider's statuses (lower case) in our model. */
	statuses: StatusTable;
	/** Synchronous error codes and asynchronous delivery codes. */
	codes: CodeTable;
	deliveryCodes: CodeTable;
	/** Sender rates the provider enforces (the sandbox emulates them, a campaign paces to them). */
	senderRates: readonly SenderRate[];
	/** The credential's secrets, raw and as composed on the wire (`user:secret`), to keep out of every output. */
	secrets(credentials: ICredentialDataDecryptedObject): string[];
	/**
	 * A token n8n fetches for this credential (preAuthentication) and refreshes when a request answers 401: the
	 * credential field it is kept in, and whether these credentials use one.
	 */
	token?: { field: string; inUse: (credentials: ICredentialDataDecryptedObject) => boolean };
	sms: SmsCapability;
	/** Inbound messages and delivery statuses pushed to a webhook (the Messaging Trigger). */
	webhooks?: WebhooksCapability;
	/** One-time codes sent and checked by the provider's own verification service. */
	verify?: VerifyCapability;
	/** WhatsApp messages and templates. */
	whatsapp?: WhatsAppCapability;
}

export type Capability = 'sms' | 'webhooks' | 'verify' | 'whatsapp';
