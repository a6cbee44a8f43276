/**
 * One status model for every provider, and the rule that statuses only move forward. Each provider maps
 * its own statuses to it with a table kept in its folder.
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

/** A provider's own status words (lower case) mapped to the one model; each provider keeps its table in its folder. */
export type StatusTable = Readonly<Record<string, MessageStatus>>;

export function mapStatus(table: StatusTable, providerStatus: string | null | undefined): MessageStatus {
	if (!providerStatus) return 'unknown';
	const key = providerStatus.toLowerCase();
	// Own keys only: a status word such as "constructor" is not in any table.
	return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : 'unknown';
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
