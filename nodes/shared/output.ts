/** The one output shape of a send, and of a message looked up or cancelled. */
import type { IDataObject } from 'n8n-workflow';
import type { Delivered } from './delivery';
import type { ProviderMessage } from './providers/types';
import type { SegmentInfo } from './rules/segments';

export type Channel = 'sms' | 'mms' | 'whatsapp';

export function sendOutput(
	delivered: Delivered<ProviderMessage>,
	computed: { to: string; from: string | null; channel: Channel; segments: SegmentInfo; sendAt?: Date; hint?: string },
): IDataObject {
	const m = delivered.value;
	const out: IDataObject = {
		provider: delivered.provider,
		messageId: m.messageId,
		status: m.status,
		providerStatus: m.providerStatus,
		to: computed.to,
		from: m.from ?? computed.from,
		channel: computed.channel,
		segments: computed.segments.segments,
		encoding: computed.segments.encoding,
	};
	if (m.price !== undefined) out.price = m.price;
	if (m.priceUnit !== undefined) out.priceUnit = m.priceUnit;
	out.fallbackUsed = delivered.fallbackUsed;
	// A working fallback must not hide dead credentials or an outage of the first provider.
	if (delivered.fallbackUsed) out.fallbackReason = delivered.fallbackReasons.join(' · ');
	out.attempts = delivered.attempts;
	// A scheduled message has no send time until it goes.
	out.sentAt = m.sentAt ?? null;
	if (computed.sendAt) out.sendAt = computed.sendAt.toISOString();
	if (computed.hint && (m.status === 'accepted' || m.status === 'queued')) out.hint = computed.hint;
	out.raw = m.raw;
	return out;
}

/** A message looked up or cancelled: the same fields, without what only a send knows. */
export function messageOutput(provider: string, m: ProviderMessage): IDataObject {
	const out: IDataObject = {
		provider,
		messageId: m.messageId,
		status: m.status,
		providerStatus: m.providerStatus,
		to: m.to,
		from: m.from,
	};
	if (m.segments !== undefined) out.segments = m.segments;
	if (m.price !== undefined) out.price = m.price;
	if (m.priceUnit !== undefined) out.priceUnit = m.priceUnit;
	if (m.errorCode !== undefined) out.errorCode = m.errorCode;
	if (m.errorMessage !== undefined) out.errorMessage = m.errorMessage;
	if (m.sentAt !== undefined) out.sentAt = m.sentAt;
	out.raw = m.raw;
	return out;
}
