/** The one output shape of a send, and the one shape of a failed item. */
import { NodeApiError, NodeOperationError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';
import { PROVIDER_LABEL, ProviderError } from './errors';
import type { Delivered, DeliveryFailure } from './delivery';
import type { ProviderMessage } from './providers/types';
import type { SegmentInfo } from './segments';

export type Channel = 'sms' | 'mms' | 'whatsapp';

export function sendOutput(
	delivered: Delivered<ProviderMessage>,
	computed: { to: string; from: string | null; channel: Channel; segments: SegmentInfo },
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
	Object.assign(out, {
		fallbackUsed: delivered.fallbackUsed,
		attempts: delivered.attempts,
		sentAt: m.sentAt ?? new Date().toISOString(),
		raw: m.raw,
	});
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

/** The item a failure leaves when the node continues on fail. */
export function failureItem(error: ProviderError | NodeOperationError | Error, extra: IDataObject = {}, failure?: DeliveryFailure): IDataObject {
	const out: IDataObject = { ...extra, error: error.message };
	if (error instanceof ProviderError) {
		Object.assign(out, {
			status: error.kind === 'ambiguous' ? 'unknown' : 'failed',
			errorKind: error.kind,
			errorCode: error.code ?? null,
			httpStatus: error.httpStatus ?? null,
			provider: error.provider,
		});
	}
	if (failure) Object.assign(out, { attempts: failure.attempts, fallbackUsed: failure.fallbackTried });
	return out;
}

/** The error n8n shows: our sentence, the provider's code and HTTP status, and the item it happened on. */
export function toNodeError(node: INode, error: ProviderError, itemIndex: number, failure?: DeliveryFailure): NodeApiError {
	const details = [
		`Provider: ${PROVIDER_LABEL[error.provider]}`,
		error.code ? `code ${error.code}` : undefined,
		error.httpStatus ? `HTTP ${error.httpStatus}` : undefined,
		failure ? `${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'}` : undefined,
	]
		.filter(Boolean)
		.join(' · ');
	const description = error.providerMessage ? `${details}. ${PROVIDER_LABEL[error.provider]} said: ${error.providerMessage}` : details;
	return new NodeApiError(
		node,
		{ message: error.message, code: error.code ?? null, kind: error.kind, provider: error.provider } as JsonObject,
		{
			message: error.message,
			description,
			httpCode: error.httpStatus ? String(error.httpStatus) : undefined,
			itemIndex,
		},
	);
}
