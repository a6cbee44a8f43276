/**
 * WhatsApp on Twilio's Messages API, as the sandbox plays it: `whatsapp:` addresses on both ends, the 24-hour
 * customer-service window, content templates by ContentSid, and what WhatsApp adds to status callbacks and inbound
 * messages. twilio.ts calls these; the Content API itself is in twilioContent.ts.
 *
 * Codes (twilio.com/docs/api/errors): 21910 From and To of different channels; 63007 no WhatsApp sender with that
 * From; 21654 ContentVariables without ContentSid; 21655 ContentSid unknown or malformed; 21656 ContentVariables
 * invalid (not a JSON object, a null or empty value, or a variable with neither a value nor a sample); 63016 a
 * free-form message outside the window — also what a template WhatsApp has not approved gets there, since Twilio
 * can only send it as a session message. All are HTTP 400 at once except 63016, which Twilio accepts (201 queued)
 * and then fails in a status callback.
 */
import { parseContentVariables, renderContent, type Content, type RenderedContent } from './twilioContent';
import { twilioError } from './twilioError';
import type { SandboxResponse, StatusEvent, StoredMessage, WhatsAppContent } from './types';

export const WHATSAPP_PREFIX = 'whatsapp:';
/** A Twilio WhatsApp sender's default throughput: 80 messages a second (one "segment" per message). */
export const WHATSAPP_PER_SECOND = 80;
/** Twilio's per-message WhatsApp fee (USD); Meta's own template fees are left out. */
export const WHATSAPP_PRICE = '-0.00500';
export const OUTSIDE_WINDOW = 63016;
/** The WhatsApp profile name a phone of the sandbox shows when it writes (the phone page has no names). */
export const DEFAULT_PROFILE_NAME = 'Sandbox Phone';

const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

/** What WhatsApp says in ChannelStatusMessage when it refuses a message. */
const CHANNEL_MESSAGES: Record<string, string> = {
	'63016': 'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
	'30003': 'Unreachable destination handset',
	'30007': 'Message filtered',
};

export interface Address {
	channel: 'sms' | 'whatsapp';
	/** The number without its channel prefix. */
	number: string;
}

export function stripChannel(address: string): Address {
	return address.startsWith(WHATSAPP_PREFIX) ? { channel: 'whatsapp', number: address.slice(WHATSAPP_PREFIX.length) } : { channel: 'sms', number: address };
}

export const isWhatsApp = (m: StoredMessage): boolean => m.channel === 'whatsapp' || m.to.startsWith(WHATSAPP_PREFIX);

/**
 * Why Twilio refuses the addresses of a send, or undefined: From and To on different channels (21910), or a WhatsApp
 * From that is not one of the account's WhatsApp senders (63007). A Messaging Service picks its own sender.
 */
export function addressProblem(to: Address, fromRaw: string, viaService: boolean, whatsappNumbers: string[]): SandboxResponse | undefined {
	if (viaService) {
		if (to.channel === 'whatsapp' && whatsappNumbers.length === 0) return twilioError(400, 63007, 'Twilio could not find a Channel with the specified From address');
		return undefined;
	}
	const from = stripChannel(fromRaw);
	if (from.channel !== to.channel) return twilioError(400, 21910, "Invalid 'From' and 'To' pair. 'From' and 'To' should be of the same channel");
	if (from.channel === 'whatsapp' && !whatsappNumbers.includes(from.number)) return twilioError(400, 63007, 'Twilio could not find a Channel with the specified From address');
	return undefined;
}

/** The content a send names, made ready for its channel; nothing when it names none; or Twilio's refusal. */
export function contentOf(
	p: URLSearchParams,
	channel: Address['channel'],
	find: (sid: string) => Content | undefined,
): { error: SandboxResponse } | { content?: Content; rendered?: RenderedContent } {
	const sid = p.get('ContentSid');
	const variables = p.get('ContentVariables');
	if (!sid) return variables === null ? {} : { error: twilioError(400, 21654, 'A ContentSid must be specified if ContentVariables are provided.') };
	const content = CONTENT_SID.test(sid) ? find(sid) : undefined;
	if (!content) return { error: twilioError(400, 21655, 'The ContentSid is Invalid') };
	const given = parseContentVariables(variables);
	const rendered = given && renderContent(content, given, channel);
	if (!rendered || 'missing' in rendered) return { error: twilioError(400, 21656, 'The Content Variables parameter is invalid.') };
	return { content, rendered };
}

/**
 * What WhatsApp says to a message Twilio accepted: 63016 outside the window unless it is a template WhatsApp
 * approved; nothing (it goes) otherwise. Inside the window any content goes, approved or not, as a session message.
 */
export function windowRefusal(content: Content | undefined, windowOpen: boolean): number | undefined {
	if (windowOpen || content?.approval.status === 'approved') return undefined;
	return OUTSIDE_WINDOW;
}

/** What a stored WhatsApp message keeps of its content: the template, the buttons, a caption under media. */
export function whatsappContent(body: string, mediaUrls: string[], sent?: { content: Content; rendered: RenderedContent; windowOpen: boolean }): WhatsAppContent {
	const out: WhatsAppContent = {};
	if (sent) {
		const { content, rendered } = sent;
		out.template = { id: content.sid, name: content.friendlyName, language: content.language, variables: rendered.variables };
		if (rendered.buttons.length) out.buttons = rendered.buttons;
		// Inside the window Twilio sends a content WhatsApp has not approved as an interactive message, not a template.
		if (sent.windowOpen && content.approval.status !== 'approved' && rendered.buttons.length) out.interactive = true;
	}
	if (mediaUrls.length && body) out.caption = body;
	return out;
}

/** The WhatsApp channel installation of an account (ChannelInstallSid): one per account, stable. */
const installSid = (accountSid: string) => `XE${accountSid.slice(2).padEnd(32, '0').slice(0, 32)}`;

/**
 * What WhatsApp adds to a status callback, as captured from Twilio: ChannelPrefix, ChannelInstallSid,
 * ChannelToAddress (the recipient's number, its last four digits masked), StructuredMessage on `sent` (true for a
 * content template), EventType on delivered, read and undelivered, and ChannelStatusMessage with a refusal.
 * There is no RawDlrDoneDate: that is an SMS carrier's receipt.
 */
export function whatsappStatusParams(m: StoredMessage, event: Pick<StatusEvent, 'status' | 'errorCode'>): Record<string, string> {
	const to = stripChannel(m.to).number;
	const params: Record<string, string> = {
		ChannelPrefix: 'whatsapp',
		ChannelInstallSid: installSid(m.account),
		ChannelToAddress: to.length > 4 ? `${to.slice(0, -4)}XXXX` : to,
	};
	if (event.status === 'sent') params.StructuredMessage = m.whatsapp?.template ? 'true' : 'false';
	const eventType: Record<string, string> = { delivered: 'DELIVERED', read: 'READ', undelivered: 'UNDELIVERED' };
	if (eventType[event.status]) params.EventType = eventType[event.status];
	if (event.errorCode !== null && event.errorCode !== undefined) params.ChannelStatusMessage = CHANNEL_MESSAGES[String(event.errorCode)] ?? `Error ${event.errorCode}`;
	return params;
}

/**
 * What WhatsApp adds to an inbound message, as captured from Twilio: ProfileName, WaId (the sender's digits),
 * MessageType, ReferralNumMedia; for a quick-reply tap ButtonText (the title, also the Body) and ButtonPayload (the
 * button's id); for a tap or a reply to a message, OriginalRepliedMessageSid and OriginalRepliedMessageSender.
 * A tap is MessageType `button` (a template's quick reply) or `interactive` (a session message's reply button).
 */
export function whatsappInboundParams(m: StoredMessage, replied: StoredMessage | undefined): Record<string, string> {
	const w = m.whatsapp ?? {};
	const tapped = w.buttonPayload !== undefined;
	const params: Record<string, string> = {
		ProfileName: w.profileName ?? DEFAULT_PROFILE_NAME,
		WaId: stripChannel(m.from ?? '').number.replace(/\D/g, ''),
		MessageType: tapped ? (replied?.whatsapp?.interactive ? 'interactive' : 'button') : m.mediaUrls.length ? 'image' : 'text',
		ReferralNumMedia: '0',
	};
	if (tapped) {
		params.ButtonText = m.body;
		params.ButtonPayload = w.buttonPayload as string;
	}
	if (w.replyTo) {
		params.OriginalRepliedMessageSid = w.replyTo;
		params.OriginalRepliedMessageSender = replied?.from ?? m.to;
	}
	return params;
}
