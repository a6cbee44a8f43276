/**
 * From a provider's webhook events to the Messaging Trigger's items: one shape whatever the provider, keywords
 * recognised, the user's event and status filters applied, provider redeliveries marked (or dropped).
 */
import type { IDataObject } from 'n8n-workflow';
import { deliveryFingerprint, readDeliveryMemory, recordDelivery } from './rules/dedupe';
import { matchKeyword, type KeywordMatch, type KeywordOptions } from './rules/optOut';
import type { MessageStatus } from './rules/status';
import type { ProviderName } from './providers/types';
import type { ProviderWebhookEvent } from './providers/webhookTypes';

export type TriggerEvent = 'inbound' | 'status' | 'optOut' | 'optIn' | 'help';

export type EventChoice = 'inbound' | 'status' | 'keyword';

/** One item of the Messaging Trigger: the provider's event in the one shape, with what the trigger adds. */
export interface TriggerItem extends IDataObject, Omit<ProviderWebhookEvent, 'kind' | 'deliveryKey'> {
	event: TriggerEvent;
	provider: ProviderName;
	keyword: KeywordMatch | null;
	receivedAt: string;
	duplicate: boolean;
}

export interface InboundOptions {
	/** What the workflow listens to: inbound messages, delivery statuses, opt-out/opt-in/help keywords. */
	events: readonly EventChoice[];
	/** Delivery statuses to keep; all when empty. */
	statuses: readonly MessageStatus[];
	keywords: KeywordOptions;
	dropDuplicates: boolean;
}

export interface InboundResult {
	items: TriggerItem[];
	/** The delivery memory to keep for the next request. */
	memory: string[];
	/** Events left out, and why: for the log. */
	skipped: Array<{ messageId: string | null; reason: string }>;
}

/**
 * Items for the events of one request. An inbound message that is a keyword is a keyword event when keywords are
 * listened to; otherwise it comes as an inbound message, with `keyword` still saying what it is.
 */
export function toTriggerItems(
	provider: ProviderName,
	events: readonly ProviderWebhookEvent[],
	options: InboundOptions,
	memory: unknown,
	receivedAt: Date,
	/** What else an event's item carries, or why it starts nothing (a reply that resumed a waiting workflow). */
	extra?: (event: ProviderWebhookEvent) => { drop?: string; fields?: IDataObject } | undefined,
): InboundResult {
	const listen = new Set(options.events);
	const statuses = new Set(options.statuses);
	const items: TriggerItem[] = [];
	const skipped: InboundResult['skipped'] = [];
	let remembered = readDeliveryMemory(memory);
	for (const event of events) {
		const seen = recordDelivery(remembered, deliveryFingerprint(provider, event.deliveryKey));
		remembered = seen.memory;
		// A tapped button is an answer, never a keyword: a button titled "Cancel" or "Help" is not an opt-out or a help request.
		const keyword = event.kind === 'inbound' && !event.button ? matchKeyword(event.body ?? '', options.keywords) : null;
		let kind: TriggerEvent;
		if (event.kind === 'status') {
			if (!listen.has('status')) {
				skipped.push({ messageId: event.messageId, reason: 'delivery statuses are not listened to' });
				continue;
			}
			if (statuses.size > 0 && (event.status === null || !statuses.has(event.status))) {
				skipped.push({ messageId: event.messageId, reason: `status ${event.status ?? 'unknown'} is filtered out` });
				continue;
			}
			kind = 'status';
		} else if (keyword && listen.has('keyword')) {
			kind = keyword.type;
		} else if (listen.has('inbound')) {
			kind = 'inbound';
		} else {
			skipped.push({ messageId: event.messageId, reason: keyword ? 'inbound messages are not listened to' : 'the message is not a keyword' });
			continue;
		}
		if (seen.duplicate && options.dropDuplicates) {
			skipped.push({ messageId: event.messageId, reason: 'a redelivery of an event already received' });
			continue;
		}
		const more = extra?.(event);
		if (more?.drop) {
			skipped.push({ messageId: event.messageId, reason: more.drop });
			continue;
		}
		items.push({
			event: kind,
			provider,
			messageId: event.messageId,
			from: event.from,
			to: event.to,
			body: event.body,
			media: event.media,
			status: event.status,
			providerStatus: event.providerStatus,
			errorCode: event.errorCode,
			errorMessage: event.errorMessage,
			channel: event.channel,
			// WhatsApp's own: a tapped button, the message answered, the profile name.
			...(event.channel === 'whatsapp' ? { button: event.button ?? null, replyTo: event.replyTo ?? null, profileName: event.profileName ?? null } : {}),
			keyword,
			receivedAt: receivedAt.toISOString(),
			duplicate: seen.duplicate,
			...(more?.fields ?? {}),
			raw: event.raw,
		});
	}
	return { items, memory: remembered, skipped };
}
