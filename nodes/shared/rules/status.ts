/**
 * One status model for every provider, one table mapping each provider's statuses to it, and the rule
 * that statuses only move forward.
 */

export const MESSAGE_STATUSES = [
	'accepted',
	'scheduled',
	'queued',
	'sending',
	'sent',
	'delivered',
	'undelivered',
	'failed',
	'read',
	'received',
	'canceled',
	'unknown',
] as const;

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export type ProviderName = 'twilio' | 'sinch' | 'sns';

/** How far along a message is. A status never gives way to one of a lower rank. */
const RANK: Record<MessageStatus, number> = {
	unknown: 0,
	accepted: 1,
	scheduled: 1,
	queued: 2,
	sending: 3,
	sent: 4,
	received: 4,
	delivered: 5,
	undelivered: 5,
	failed: 5,
	canceled: 5,
	read: 6,
};

export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set([
	'delivered',
	'undelivered',
	'failed',
	'read',
	'received',
	'canceled',
]);

export const STATUS_TABLE: Record<ProviderName, Record<string, MessageStatus>> = {
	twilio: {
		accepted: 'accepted',
		scheduled: 'scheduled',
		queued: 'queued',
		sending: 'sending',
		sent: 'sent',
		delivered: 'delivered',
		undelivered: 'undelivered',
		failed: 'failed',
		read: 'read',
		receiving: 'received',
		received: 'received',
		// Group MMS that reached some recipients and not others: not a success to rely on.
		partially_delivered: 'undelivered',
		canceled: 'canceled',
	},
	sinch: {
		// Batch-level states we synthesise from the batch resource.
		accepted: 'accepted',
		scheduled: 'scheduled',
		// Delivery report states (per recipient).
		queued: 'queued',
		dispatched: 'sent',
		delivered: 'delivered',
		failed: 'failed',
		expired: 'undelivered',
		rejected: 'failed',
		aborted: 'failed',
		cancelled: 'canceled',
		canceled: 'canceled',
		deleted: 'undelivered',
		unknown: 'unknown',
	},
	sns: {
		// SNS says only that it accepted the message; delivery goes to CloudWatch Logs.
		accepted: 'accepted',
		success: 'delivered',
		failure: 'failed',
	},
};

export function mapStatus(provider: ProviderName, providerStatus: string | null | undefined): MessageStatus {
	if (!providerStatus) return 'unknown';
	return STATUS_TABLE[provider][providerStatus.toLowerCase()] ?? 'unknown';
}

export function statusRank(status: MessageStatus): number {
	return RANK[status];
}

/**
 * The status to keep when `next` arrives after `current`. Callbacks arrive out of order: a late "sent"
 * must not undo "delivered", and a final status is never replaced by another final one of equal rank.
 */
export function advanceStatus(current: MessageStatus | undefined, next: MessageStatus): MessageStatus {
	if (current === undefined) return next;
	return RANK[next] > RANK[current] ? next : current;
}

export function isFinal(status: MessageStatus): boolean {
	return FINAL_STATUSES.has(status);
}
