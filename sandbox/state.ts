/** What the sandbox remembers: messages, requests, faults, callbacks, opt-outs, tokens. */
import { randomBytes } from 'node:crypto';
import { countSegments } from '../nodes/shared/segments';

export type SandboxProvider = 'twilio' | 'sinch' | 'sns';

export interface StatusEvent {
	status: string;
	at: string;
	errorCode?: string | number | null;
}

export interface StoredMessage {
	provider: SandboxProvider;
	id: string;
	/** Account SID, service plan / project ID, or access key ID. */
	account: string;
	direction: 'outbound-api' | 'inbound';
	from: string | null;
	to: string;
	body: string;
	mediaUrls: string[];
	status: string;
	history: StatusEvent[];
	errorCode: string | number | null;
	createdAt: string;
	updatedAt: string;
	sentAt: string | null;
	sendAt: string | null;
	callbackUrl: string | null;
	messagingServiceSid: string | null;
	segments: number;
	encoding: string;
	price: string | null;
	clientReference: string | null;
	deliveryReport: string | null;
	canceled: boolean;
	attributes: Record<string, string>;
}

export interface RequestRecord {
	at: string;
	provider: SandboxProvider | 'control' | 'unknown';
	method: string;
	path: string;
	recipients: string[];
	status: number | null;
	fault: string | null;
}

export interface CallbackRecord {
	at: string;
	provider: SandboxProvider;
	url: string;
	messageId: string;
	status: string;
	body: string;
	headers: Record<string, string>;
	responseStatus: number | null;
	error: string | null;
	attempts: number;
}

export interface FaultRule {
	id: string;
	provider?: SandboxProvider;
	/** Only requests to this recipient (E.164). */
	to?: string;
	type: 'status' | 'reset' | 'delay' | 'hang';
	/** HTTP status for type "status" (429, 500, 502, 503, 504…). */
	status?: number;
	/** Seconds, sent as Retry-After with a "status" fault. */
	retryAfter?: number;
	/** Milliseconds, for "delay". */
	delayMs?: number;
	/** How many requests it applies to; -1 for all. */
	remaining: number;
	hits: number;
}

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

/** A token bucket: `rate` events per `windowMs`. */
export class TokenBucket {
	private tokens: number;
	private last: number;

	constructor(
		private readonly rate: number,
		private readonly windowMs: number,
	) {
		this.tokens = rate;
		this.last = Date.now();
	}

	take(count = 1): boolean {
		const now = Date.now();
		this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / this.windowMs) * this.rate);
		this.last = now;
		if (this.tokens < count) return false;
		this.tokens -= count;
		return true;
	}
}

/** A message with everything not given set as a new message has it: now, its first status, its segments. */
export function newMessage(
	init: Pick<StoredMessage, 'provider' | 'id' | 'account' | 'from' | 'to' | 'body' | 'status'> & Partial<StoredMessage>,
): StoredMessage {
	const now = new Date().toISOString();
	const segments = countSegments(init.body);
	return {
		direction: 'outbound-api',
		mediaUrls: [],
		history: [{ status: init.status, at: now, errorCode: null }],
		errorCode: null,
		createdAt: now,
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
