/**
 * The WhatsApp capability: free-form messages (text, media, quick-reply buttons) inside the 24-hour customer-service
 * window, approved templates at any time, and what a provider can tell about the window and its templates. Each
 * provider keeps its wire format in its own folder (Twilio: whatsapp.ts over the Messages and Content APIs; Sinch:
 * conversation.ts over the Conversation API); the node only sees these types.
 */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';
import type { CodeTable } from '../rules/errors';
import type { ProviderContext, ProviderMessage, SenderParameters } from './types';

/** A quick-reply button: the text the customer sees, and the payload that comes back when they tap it. */
export interface QuickReply {
	title: string;
	payload: string;
}

/** What a free-form message or a template carries. */
export type WhatsAppContent =
	| { type: 'text'; text: string; buttons?: QuickReply[] }
	| { type: 'media'; url: string; caption?: string }
	| { type: 'template'; template: TemplateChoice };

/** A template as the node names it: its ID (Twilio Content SID, Sinch template ID), language and variables. */
export interface TemplateChoice {
	id: string;
	/** Sinch needs it; Twilio's Content SID already names one language. */
	language?: string;
	/** Variable name (Twilio "1", "2" or a name; Sinch a parameter name) → value. */
	variables: Record<string, string>;
}

/** A template as the provider describes it (Twilio's Content API). */
export interface WhatsAppTemplate {
	id: string;
	name: string;
	language: string;
	/** The variables its text uses, in order, with the sample values the provider keeps for them. */
	variables: Array<{ name: string; sample: string }>;
	/** Its text with the {{variables}} in place, when it has one. */
	body: string | null;
	buttons: QuickReply[];
	/** WhatsApp's approval: approved, received, pending, rejected, paused, disabled, unsubmitted. */
	approval: string;
	rejectionReason: string | null;
}

/** WhatsApp's verdict on a template named by ID and language (Sinch's Provisioning API). */
export interface TemplateApproval {
	state: string;
	approved: boolean;
	reason: string | null;
	/** How many values its body takes ({{1}}, {{2}}…), when the provider says. */
	bodyValues: number | null;
	/** Its quick-reply buttons' texts, in order, when the provider says. */
	quickReplies: string[] | null;
}

/** Who sends: read from the node's parameters by the provider. */
export interface WhatsAppSender {
	/** Twilio: a WhatsApp-enabled number of the account (E.164, without `whatsapp:`). */
	from?: string;
	/** Twilio: a Messaging Service with WhatsApp senders. */
	messagingServiceSid?: string;
}

export interface WhatsAppRequest extends WhatsAppSender {
	/** E.164, without `whatsapp:`. */
	to: string;
	content: WhatsAppContent;
	/** Where the provider posts this message's statuses (Twilio's StatusCallback, Sinch's callback_url). */
	statusCallbackUrl?: string;
}

/** What a provider knows of a contact's 24-hour window: open, closed, or cannot say (no history kept, a sender it cannot pin). */
export type WindowState = 'open' | 'closed' | 'unknown';

export interface WhatsAppCapability {
	/** The node parameters that choose the sender; shown when the node uses this provider. */
	senderProperties: (show: NonNullable<IDisplayOptions['show']>) => INodeProperties[];
	readSender: (read: SenderParameters) => WhatsAppSender;
	/** Why this provider cannot send this request, or undefined when it can. Nothing is sent on a refusal. */
	check(request: WhatsAppRequest, credentials: ProviderContext['credentials']): string | undefined;
	send(ctx: ProviderContext, request: WhatsAppRequest): Promise<ProviderMessage>;
	/**
	 * Whether the contact wrote to this sender in the last 24 hours, from the provider's message history. Throws a
	 * ProviderError when the history cannot be read.
	 */
	window(ctx: ProviderContext, request: WhatsAppRequest): Promise<WindowState>;
	/** Whether a template WhatsApp has not approved still goes inside the window (Twilio sends any content in session). */
	unapprovedInWindow: boolean;
	/** The provider's code for "free-form outside the window" (in a refusal or a failed status), in `codes`. */
	windowCode: string;
	/** The WhatsApp API's error and failure codes, each with its kind and sentence. */
	codes: CodeTable;
	/** How the node names a template: picked from the account's list (Twilio), or by ID and language (Sinch). */
	templates:
		| {
				kind: 'list';
				/** The account's templates, filtered by a text in the name. */
				list(ctx: ProviderContext, filter?: string): Promise<WhatsAppTemplate[]>;
				/** One template with its WhatsApp approval, or undefined when the account has none with this ID. */
				get(ctx: ProviderContext, id: string): Promise<WhatsAppTemplate | undefined>;
				/** What a template's ID is called, how it is written, and an example: for the editor's "By ID" field. */
				idLabel: string;
				idPattern: RegExp;
				idPlaceholder: string;
		  }
		| {
				kind: 'byId';
				note: string;
				/** The parameter key of the template body's n-th value ({{n}}, from 1). */
				bodyKey(n: number): string;
				/** The parameter key of the n-th quick-reply button's payload (from 1). */
				buttonKey(n: number): string;
				/**
				 * WhatsApp's approval of the template of this name in this language (written as WhatsApp writes it: en,
				 * en_US; en-US is the same), or undefined when the account has no such template in that language. `state`
				 * is the provider's word for it, in lower case ("approved", "rejected", "in progress"); `reason` why
				 * WhatsApp rejected it, when it says. Absent: the provider cannot tell before sending.
				 */
				approval?(ctx: ProviderContext, id: string, language: string): Promise<TemplateApproval | undefined>;
		  };
	/** A message's status, where the provider can be asked (Sinch Conversation reports statuses only to webhooks). */
	status?: { get(ctx: ProviderContext, messageId: string): Promise<ProviderMessage> };
	/** Where statuses can be seen when `status` is absent, in one sentence for the editor. */
	statusNote?: string;
	/**
	 * The status callback URL of the Messaging Trigger set up for this sender, or undefined where the provider already
	 * posts statuses there. Absent: statuses go where the provider's own setting says (Sinch: the app's webhooks).
	 */
	triggerStatusUrl?(ctx: ProviderContext, sender: WhatsAppSender): Promise<string | undefined>;
	/** How many quick-reply buttons a free-form message may carry (0: buttons only in templates). */
	maxButtons: number;
	/** Whether media can carry a caption. */
	captions: boolean;
}
