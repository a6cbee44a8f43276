/**
 * Duplicates: a provider that redelivers an event (Twilio's retries with one idempotency token, Sinch's retries for
 * 23 hours, SNS's redeliveries of one MessageId) must not look like two events. A trigger remembers the last
 * deliveries it saw, as short fingerprints in a bounded list (it lives in the workflow's static data).
 */
import { createHash } from 'node:crypto';

/**
 * Deliveries remembered per trigger: enough for the retries of a busy number, about 12 KB of static data. Best effort:
 * n8n saves a workflow's static data whole after each request, the last save winning, so two requests at the same
 * moment can each forget the other's entry.
 */
export const DEFAULT_DELIVERY_MEMORY = 500;

/** A short, fixed-length fingerprint of a provider's delivery key. */
export function deliveryFingerprint(provider: string, key: string): string {
	return createHash('sha256').update(JSON.stringify([provider, key]), 'utf-8').digest('base64url').slice(0, 22);
}

/**
 * Whether this delivery was seen, and the memory with it recorded as the newest (oldest forgotten beyond
 * `capacity`). A memory that is not a list of strings (hand-edited static data) starts afresh.
 */
export function recordDelivery(memory: unknown, fingerprint: string, capacity: number = DEFAULT_DELIVERY_MEMORY): { duplicate: boolean; memory: string[] } {
	const known = readDeliveryMemory(memory);
	const duplicate = known.includes(fingerprint);
	const next = duplicate ? known : [...known, fingerprint];
	return { duplicate, memory: next.length > capacity ? next.slice(next.length - capacity) : next };
}

/** The remembered fingerprints, or none when what was stored is not a list of strings. */
export function readDeliveryMemory(memory: unknown): string[] {
	return Array.isArray(memory) ? memory.filter((entry): entry is string => typeof entry === 'string') : [];
}
