/**
 * The Messaging Trigger's side of send and wait: an inbound message from a person who has a message waiting for an
 * answer (from this number, on this channel) resumes that execution, once. The trigger has checked the provider's
 * signature before anything here runs. Keywords (STOP, HELP…) are never answers; a tapped button always is.
 */
import type { ProviderWebhookEvent } from './providers/webhookTypes';
import { matchKeyword, foldKeyword, type KeywordOptions } from './rules/optOut';
import { makeRedactor } from './rules/redact';
import { answers, chooseWait, readReply, type Decision } from './rules/replies';
import type { Answer, PendingWait, WaitChannel, WaitStore } from './state/waits';

export type RouteOutcome =
	/** It answered a waiting message: that execution resumes. */
	| { outcome: 'resumed'; executionId: string; waitId: string; approved: boolean | null }
	/** Several messages wait for this person and the reply does not say which (no reference, no quoted message). */
	| { outcome: 'ambiguous'; waiting: number; references: string[] }
	/** A message waits, but this reply is no answer to it ("what is this about?"). */
	| { outcome: 'notAnAnswer'; waiting: number }
	/** The answer was taken, but n8n could not be asked to resume: the wait is back, a later reply may answer. */
	| { outcome: 'failed'; waiting: number; reason: string };

export interface RouteOptions {
	keywords: KeywordOptions;
	/**
	 * Ask n8n to resume the execution (POST to its resume URL): 'gone' when it no longer waits (stopped, deleted), so
	 * that its wait is over; throws when n8n could not be asked.
	 */
	resume(wait: PendingWait): Promise<'resumed' | 'gone'>;
	/** A text with the wait's secrets (its resume URL and token) taken out; by default both are. */
	hide?(wait: PendingWait, text: string): string;
	now(): number;
}

/** A text without the wait's resume URL and its token. */
function hideResumeUrl(wait: PendingWait, text: string): string {
	let token = '';
	try {
		token = new URL(wait.resumeUrl).searchParams.get('signature') ?? '';
	} catch {
		token = '';
	}
	return makeRedactor([wait.resumeUrl, token]).call(undefined, text);
}

const channelOf = (event: ProviderWebhookEvent): WaitChannel => (event.channel === 'whatsapp' ? 'whatsapp' : 'sms');

/** What a tapped button says: our own payloads first, then the payload and the title read as words. */
function buttonDecision(wait: PendingWait, button: { payload: string; text: string | null }, references: readonly string[]): Decision | null {
	const payload = foldKeyword(button.payload);
	if (payload === 'APPROVE') return 'approve';
	if (payload === 'DECLINE') return wait.expects.approveOnly ? null : 'decline';
	for (const said of [button.payload, button.text ?? '']) {
		const read = readReply(said, wait.expects, references);
		// A "No" button declines nothing that is approve only.
		if (read.decision && answers(wait.expects, read)) return read.decision;
	}
	return null;
}

/**
 * Route one inbound message. Undefined when it is nobody's answer: no message waits for this person from this number,
 * or it is a keyword. Otherwise what happened, and the execution resumed when one was.
 */
export async function routeReply(store: WaitStore, event: ProviderWebhookEvent, options: RouteOptions): Promise<RouteOutcome | undefined> {
	if (event.kind !== 'inbound' || !event.from) return undefined;
	const button = event.button ?? null;
	const text = event.body ?? '';
	if (!button && matchKeyword(text, options.keywords)) return undefined;
	for (let attempt = 0; attempt < 5; attempt++) {
		const now = options.now();
		const waiting = (await store.waiting(channelOf(event), event.from, now)).filter((w) => w.sender === null || !event.to || w.sender === event.to);
		if (waiting.length === 0) return undefined;
		const references = waiting.map((w) => w.reference).filter((r): r is string => r !== null);
		const quoted = readReply(button ? '' : text, { approve: [], decline: [] }, references).reference;
		const choice = chooseWait(waiting, { reference: quoted, replyTo: event.replyTo ?? null });
		if (choice.type === 'ambiguous') return { outcome: 'ambiguous', waiting: choice.waiting, references };
		if (choice.type === 'none') return undefined;
		const wait = choice.wait;
		let approved: boolean | null = null;
		let answerText: string;
		if (button) {
			const decision = wait.expects.mode === 'approval' ? buttonDecision(wait, button, references) : null;
			if (wait.expects.mode === 'approval' && decision === null) return { outcome: 'notAnAnswer', waiting: waiting.length };
			approved = decision === null ? null : decision === 'approve';
			answerText = button.text ?? wait.buttons?.find((b) => b.payload === button.payload)?.title ?? button.payload;
		} else {
			const read = readReply(text, wait.expects, references);
			if (!answers(wait.expects, read)) return { outcome: 'notAnAnswer', waiting: waiting.length };
			approved = wait.expects.mode === 'approval' ? read.decision === 'approve' : null;
			answerText = read.text;
		}
		const answer: Answer = {
			waitId: wait.id,
			executionId: wait.executionId,
			channel: channelOf(event),
			approved,
			answer: answerText,
			button: button ? button.payload : null,
			answeredBy: event.from,
			answeredAt: new Date(now).toISOString(),
			replyMessageId: event.messageId,
			messageIds: wait.messageIds,
			recipients: wait.recipients,
			reference: wait.reference,
			sentAt: new Date(wait.createdAt).toISOString(),
		};
		// Someone else (another reply, the page, the time limit) may have taken it since: look again.
		if (!(await store.claim(wait.id, answer))) continue;
		let resumed: 'resumed' | 'gone';
		try {
			resumed = await options.resume(wait);
		} catch (error) {
			await store.unclaim(wait);
			// The resume URL holds the execution's token: never in an item or a log line.
			const said = (options.hide ?? hideResumeUrl)(wait, error instanceof Error ? error.message : String(error));
			return { outcome: 'failed', waiting: waiting.length, reason: said };
		}
		// The execution had stopped waiting (someone stopped it): its wait is gone now; the reply may answer another.
		if (resumed === 'gone') continue;
		return { outcome: 'resumed', executionId: wait.executionId, waitId: wait.id, approved };
	}
	return undefined;
}
