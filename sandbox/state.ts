/** Helpers for what the sandbox remembers: ids, token buckets, new messages. The types are in ./types. */
import { randomBytes } from 'node:crypto';
import { countSegments } from '../nodes/shared/rules/segments';
import type { StoredMessage } from './types';

export function newId(prefix: string, hexLength = 32): string {
	return prefix + randomBytes(hexLength / 2).toString('hex');
}

/** Sinch batch IDs look like ULIDs: 26 characters of Crockford base32. */
export function ulid(): string {
	const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
	let time = Date.now();
	let out = '';
	for (let i = 0; i < 10; i++) {
		out = alphabet[time % 32] + out;
		time = Math.floor(time / 32);
	}
	for (const byte of randomBytes(16)) out += alphabet[byte % 32];
	return out;
}

/** A message with everything not given set as a new message has it: now, its first status, its segments. */
export function newMessage(
	init: Pick<StoredMessage, 'provider' | 'id' | 'account' | 'from' | 'to' | 'body' | 'status'> & Partial<StoredMessage>,
): StoredMessage {
	const now = new Date().toISOString();
	// Counted only when not given: a batch of 1,000 recipients with one body counts it once (sinch.ts).
	const segments = init.segments !== undefined && init.encoding !== undefined ? { segments: init.segments, encoding: init.encoding } : countSegments(init.body);
	return {
		direction: 'outbound-api',
		mediaUrls: [],
		history: [{ status: init.status, at: now, errorCode: null }],
		errorCode: null,
		createdAt: now,
		arrivedAt: Date.now(),
		updatedAt: now,
		sentAt: null,
		sendAt: null,
		callbackUrl: null,
		messagingServiceSid: null,
		segments: segments.segments,
		encoding: segments.encoding,
		price: null,
		clientReference: null,
		deliveryReport: null,
		canceled: false,
		attributes: {},
		...init,
	};
}
