/**
 * The sandbox's rules, pure: which recipients fail and how, how fast each provider lets messages through, and the
 * statuses a message then moves through. The provider emulations (twilio.ts, sinch.ts, sns.ts) apply them to requests;
 * test/unit/sandboxRules.test.ts pins them with exact values.
 */
import { MAGIC_NUMBERS } from './config';
import type { StatusStep } from './types';

export type Scenario = 'ok' | keyof typeof MAGIC_NUMBERS;

/** What happens to a message for this recipient: an opt-out list entry wins over the magic numbers. */
export function scenarioOf(number: string, optOuts: ReadonlySet<string>): Scenario {
	if (optOuts.has(number)) return 'optedOut';
	for (const [scenario, numbers] of Object.entries(MAGIC_NUMBERS)) {
		if (numbers.includes(number)) return scenario as Scenario;
	}
	return 'ok';
}

/** A token bucket: `rate` tokens a `windowMs`, at most `rate` saved up; it starts full. */
export class TokenBucket {
	private tokens: number;
	private last: number;

	constructor(
		private readonly rate: number,
		private readonly windowMs: number,
		now = Date.now(),
	) {
		this.tokens = rate;
		this.last = now;
	}

	/** Takes `count` tokens if there are that many; all or nothing. */
	take(count = 1, now = Date.now()): boolean {
		this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / this.windowMs) * this.rate);
		this.last = now;
		if (this.tokens < count) return false;
		this.tokens -= count;
		return true;
	}
}

/**
 * Twilio's sender queue: a sender sends `segmentsPerSecond` segments a second, one message after the other, and
 * refuses a message once its backlog would be longer than `maxBacklogMs` (Twilio's 21611). Time is in the caller's
 * milliseconds; `msPerSecond` is how long a second lasts (the sandbox's time scale).
 */
export class SenderQueue {
	/** When each sender is next free to send. */
	private readonly free = new Map<string, number>();

	constructor(
		private readonly maxBacklogMs: number,
		private readonly msPerSecond = 1000,
	) {}

	/** Queues `segments` segments on `sender`: when they start sending, or `null` if the backlog is full. */
	enqueue(sender: string, segments: number, segmentsPerSecond: number, now: number): number | null {
		const start = Math.max(now, this.free.get(sender) ?? now);
		if (start - now > this.maxBacklogMs) return null;
		this.free.set(sender, start + (segments * this.msPerSecond) / segmentsPerSecond);
		return start;
	}

	clear(): void {
		this.free.clear();
	}
}

/** How long after a message starts sending each later status comes, in the sandbox's unscaled milliseconds. */
export const STEP_MS = { queued: 50, sending: 100, dispatched: 150, sent: 250, final: 600 } as const;

/** Twilio: accepted (Messaging Service) → queued → sending → sent → delivered, or undelivered 30003 / failed 30007. */
export function twilioStatusSteps(scenario: Scenario, viaService: boolean, startMs: number): StatusStep[] {
	const steps: StatusStep[] = [];
	if (viaService) steps.push({ afterMs: STEP_MS.queued, status: 'queued' });
	steps.push({ afterMs: startMs + STEP_MS.sending, status: 'sending' });
	steps.push({ afterMs: startMs + STEP_MS.sent, status: 'sent' });
	const final = startMs + STEP_MS.final;
	if (scenario === 'unreachable') steps.push({ afterMs: final, status: 'undelivered', errorCode: 30003 });
	else if (scenario === 'filtered') steps.push({ afterMs: final, status: 'failed', errorCode: 30007 });
	else steps.push({ afterMs: final, status: 'delivered' });
	return steps;
}

/** WhatsApp's customer-service window: free-form messages are allowed for 24 hours after the contact last wrote. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Each (sender, contact) pair's 24-hour window, opened (again) by every message the contact sends to that sender.
 * Numbers are E.164 without `whatsapp:`; time is in the caller's milliseconds (the sandbox passes its scaled length).
 */
export class ConversationWindows {
	private readonly lastInbound = new Map<string, number>();

	constructor(private readonly lengthMs = WHATSAPP_WINDOW_MS) {}

	open(sender: string, contact: string, at = Date.now()): void {
		this.lastInbound.set(`${sender}|${contact}`, at);
	}

	isOpen(sender: string, contact: string, now = Date.now()): boolean {
		const at = this.lastInbound.get(`${sender}|${contact}`);
		return at !== undefined && now - at < this.lengthMs;
	}

	clear(): void {
		this.lastInbound.clear();
	}
}

/** How long after it is delivered a WhatsApp message is read (its read receipt), in unscaled milliseconds. */
export const WHATSAPP_READ_MS = 300;

/**
 * Twilio WhatsApp: (accepted →) queued → sent → delivered → read. WhatsApp reports no `sending` step. A message
 * Twilio accepts but WhatsApp refuses (`failCode`: 63016, free-form outside the 24-hour window) fails soon after it
 * starts sending; the magic numbers fail as their SMS do.
 */
export function twilioWhatsAppSteps(scenario: Scenario, viaService: boolean, startMs: number, failCode?: number): StatusStep[] {
	const steps: StatusStep[] = [];
	if (viaService) steps.push({ afterMs: STEP_MS.queued, status: 'queued' });
	if (failCode !== undefined) return [...steps, { afterMs: startMs + STEP_MS.sending, status: 'failed', errorCode: failCode }];
	steps.push({ afterMs: startMs + STEP_MS.sent, status: 'sent' });
	const final = startMs + STEP_MS.final;
	if (scenario === 'unreachable') steps.push({ afterMs: final, status: 'undelivered', errorCode: 30003 });
	else if (scenario === 'filtered') steps.push({ afterMs: final, status: 'failed', errorCode: 30007 });
	else steps.push({ afterMs: final, status: 'delivered' }, { afterMs: final + WHATSAPP_READ_MS, status: 'read' });
	return steps;
}

/** Sinch, per recipient: Queued → Dispatched → Delivered, or Expired 406, Rejected 408/413, Failed 402. */
export function sinchStatusSteps(scenario: Scenario, startMs: number): StatusStep[] {
	const final = startMs + STEP_MS.final;
	const steps: StatusStep[] = [{ afterMs: startMs + STEP_MS.dispatched, status: 'Dispatched' }];
	if (scenario === 'unreachable') steps.push({ afterMs: final, status: 'Expired', errorCode: 406 });
	else if (scenario === 'filtered') steps.push({ afterMs: final, status: 'Rejected', errorCode: 408 });
	else if (scenario === 'optedOut') steps.push({ afterMs: final, status: 'Rejected', errorCode: 413 });
	else if (scenario === 'landline') steps.push({ afterMs: final, status: 'Failed', errorCode: 402 });
	else steps.push({ afterMs: final, status: 'Delivered' });
	return steps;
}

/** AWS SNS: what its delivery status logs would show, SUCCESS or FAILURE with the reason. */
export function snsStatusSteps(scenario: Scenario): StatusStep[] {
	return [{ afterMs: STEP_MS.final, status: scenario === 'ok' ? 'SUCCESS' : 'FAILURE', errorCode: scenario === 'ok' ? null : scenario }];
}
