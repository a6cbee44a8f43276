/**
 * Messages waiting for an answer (send and wait): what the Messaging Trigger looks up when a reply comes in, and what
 * the waiting node reads when it is resumed. Two homes behind one interface: the package's Redis credential (every
 * main, webhook and worker process sees the same waits; needed in queue mode, and kept across restarts) or this n8n
 * process's memory (one n8n instance in regular mode; a restart forgets the waits: links and time limits still work,
 * replies then start the trigger's workflow as plain messages).
 *
 * Every change that decides something is atomic: registering assigns a reference no other waiting message of the
 * person has; claiming takes a wait out of every list and records its answer once, so one reply (or click, or time
 * limit) resumes one execution, once. Workflow static data is no home for this: it is saved whole at the end of an
 * execution, last writer wins.
 */
import { needsReference, newReference, type ReplyExpectation, type SeveralWaiting, type WaitingSummary } from '../rules/replies';

export type WaitChannel = 'sms' | 'whatsapp';
export type AnswerChannel = 'sms' | 'whatsapp' | 'link' | 'timeout';

export interface PendingWait extends WaitingSummary {
	/** n8n's execution that waits. */
	executionId: string;
	/** Where to resume it: n8n's resume URL with its token (a secret: never in an output or a log). */
	resumeUrl: string;
	channel: WaitChannel;
	/** Our number as a reply names it (E.164), or null when the provider picks it (a Messaging Service). */
	sender: string | null;
	/** Who may answer (E.164): a reply from any other number never resumes it. */
	recipients: string[];
	expects: ReplyExpectation;
	/** The message as sent, for the answer page. */
	message: string;
	/** The answer page's button labels, as the node had them when it sent the message. */
	labels?: { approve: string; decline: string };
	/** Buttons sent with it (WhatsApp): a tap names the payload, the answer is the title. */
	buttons?: Array<{ payload: string; title: string }>;
	/** When the time limit ends it (ms), or null for no limit. */
	expiresAt: number | null;
}

export interface Answer {
	waitId: string;
	executionId: string;
	channel: AnswerChannel;
	/** true / false for approvals, null for free text and on timeout. */
	approved: boolean | null;
	/** The reply's text (without the reference), the button's title, or the link's choice; null on timeout. */
	answer: string | null;
	/** A tapped button's payload. */
	button: string | null;
	/** The number that answered, or null (the link, the time limit). */
	answeredBy: string | null;
	answeredAt: string;
	/** The reply's message ID. */
	replyMessageId: string | null;
	/** Of the wait it answers: the messages sent, to whom, with which reference, when. */
	messageIds: readonly string[];
	recipients: readonly string[];
	reference: string | null;
	/** Null when the store had lost the wait (an answer through the page after a restart). */
	sentAt: string | null;
}

export interface WaitStore {
	readonly kind: 'redis' | 'process';
	/**
	 * Keep a wait before its message goes. Its reference, if `policy` and what the recipients already have waiting call
	 * for one (unique among each recipient's waiting messages on this channel), is returned and stored with it.
	 */
	register(wait: Omit<PendingWait, 'reference' | 'messageIds'>, policy: SeveralWaiting, nowMs: number): Promise<{ reference: string | null }>;
	/** The provider's IDs of the messages sent for it (a WhatsApp button's reply names its message). */
	sent(waitId: string, messageIds: string[]): Promise<void>;
	/** Forget a wait whose message could not be sent. */
	cancel(waitId: string): Promise<void>;
	/** A person's waiting messages on a channel, oldest first, those past their time limit left out. */
	waiting(channel: WaitChannel, recipient: string, nowMs: number): Promise<PendingWait[]>;
	/** The wait an execution is in, if it is still waiting. */
	forExecution(executionId: string): Promise<PendingWait | undefined>;
	/**
	 * Answer a wait, once: true when this call took it (out of every recipient's list, with its answer recorded);
	 * false when it was answered, timed out or forgotten already, or when the reply (`answeredBy`, `replyMessageId`)
	 * answered another wait already: one reply delivered twice (a provider's retry, another webhook process) answers once.
	 */
	claim(waitId: string, answer: Answer): Promise<boolean>;
	/** Put back a wait whose claim could not resume its execution (n8n did not answer): a later reply may. */
	unclaim(wait: PendingWait): Promise<void>;
	/** The answer an execution was given (what its node outputs when it resumes). */
	answerFor(executionId: string): Promise<Answer | undefined>;
}

/** How long an answer stays readable after it was given: the resume request reads it within seconds. */
export const ANSWER_KEPT_MS = 24 * 60 * 60 * 1000;
/** A wait without a time limit is kept this long (n8n keeps such an execution waiting until year 3000). */
export const UNLIMITED_KEPT_MS = 365 * 24 * 60 * 60 * 1000;
/** Past its time limit, a wait is kept a little longer: n8n's own timer may resume it up to a minute late. */
export const EXPIRY_GRACE_MS = 5 * 60 * 1000;

export function keepUntil(wait: Pick<PendingWait, 'expiresAt'>, nowMs: number): number {
	return wait.expiresAt === null ? nowMs + UNLIMITED_KEPT_MS : wait.expiresAt + EXPIRY_GRACE_MS;
}

/** Whether a wait still takes answers at `nowMs`. */
export function isOpen(wait: Pick<PendingWait, 'expiresAt'>, nowMs: number): boolean {
	return wait.expiresAt === null || wait.expiresAt > nowMs;
}

const listKey = (channel: WaitChannel, recipient: string) => `${channel}:${recipient}`;
/** The reply an answer came in (a person's message), or null for the page and the time limit. */
export const replyKey = (answer: Pick<Answer, 'answeredBy' | 'replyMessageId'>): string | null => (answer.answeredBy && answer.replyMessageId ? `${answer.answeredBy}:${answer.replyMessageId}` : null);

/** The most waits one process keeps: a flood of sends cannot grow it without end (Redis is for more). */
export const MAX_PROCESS_WAITS = 50_000;

/**
 * Waits in this process's memory: one JavaScript operation at a time, so every method is atomic here. Shared by every
 * workflow of the process (a reply may come to another workflow's trigger).
 */
export class ProcessWaitStore implements WaitStore {
	readonly kind = 'process' as const;
	private readonly waits = new Map<string, { wait: PendingWait; keepUntil: number }>();
	private readonly lists = new Map<string, Set<string>>();
	private readonly byExecution = new Map<string, string>();
	private readonly answers = new Map<string, { answer: Answer; keepUntil: number }>();
	/** Replies that answered a wait (replyKey → when to forget it). */
	private readonly replies = new Map<string, number>();

	constructor(
		private readonly now: () => number = Date.now,
		private readonly random: () => number = Math.random,
	) {}

	private sweep(nowMs: number): void {
		for (const entry of this.waits.values()) if (entry.keepUntil <= nowMs) this.drop(entry.wait);
		for (const [executionId, entry] of this.answers) if (entry.keepUntil <= nowMs) this.answers.delete(executionId);
		for (const [key, keepUntil] of this.replies) if (keepUntil <= nowMs) this.replies.delete(key);
	}

	private drop(wait: PendingWait): void {
		this.waits.delete(wait.id);
		if (this.byExecution.get(wait.executionId) === wait.id) this.byExecution.delete(wait.executionId);
		for (const recipient of wait.recipients) {
			const list = this.lists.get(listKey(wait.channel, recipient));
			list?.delete(wait.id);
			if (list && list.size === 0) this.lists.delete(listKey(wait.channel, recipient));
		}
	}

	async register(wait: Omit<PendingWait, 'reference' | 'messageIds'>, policy: SeveralWaiting, nowMs: number): Promise<{ reference: string | null }> {
		this.sweep(nowMs);
		if (this.waits.size >= MAX_PROCESS_WAITS) {
			throw new Error(`This n8n process already keeps ${MAX_PROCESS_WAITS.toLocaleString('en-US')} messages waiting for an answer: keep them in Redis (Messaging Gateway Redis credential) for this volume. Nothing was sent`);
		}
		// An execution waits once at a time: a wait it had before (answered or not) is over, and is no other message
		// waiting (n8n's Retry On Fail registers again for the same execution).
		const previous = this.byExecution.get(wait.executionId);
		if (previous) {
			const old = this.waits.get(previous);
			if (old) this.drop(old.wait);
		}
		// Its earlier answer too: the execution resumed with it, and it must not resume this wait (a later node's).
		this.answers.delete(wait.executionId);
		const others = wait.recipients.flatMap((r) => [...(this.lists.get(listKey(wait.channel, r)) ?? [])]).map((id) => this.waits.get(id)?.wait).filter((w): w is PendingWait => w !== undefined && isOpen(w, nowMs));
		// A reference when one of the recipients already waits on a message from this sender; unique among all theirs.
		const fromSender = others.filter((w) => w.sender === null || wait.sender === null || w.sender === wait.sender);
		const reference = needsReference(policy, fromSender.length) ? newReference(others.map((w) => w.reference).filter((r): r is string => r !== null), this.random) : null;
		const full: PendingWait = { ...wait, reference, messageIds: [] };
		this.waits.set(wait.id, { wait: full, keepUntil: keepUntil(wait, nowMs) });
		this.byExecution.set(wait.executionId, wait.id);
		for (const recipient of wait.recipients) {
			const key = listKey(wait.channel, recipient);
			if (!this.lists.has(key)) this.lists.set(key, new Set());
			this.lists.get(key)!.add(wait.id);
		}
		return { reference };
	}

	async sent(waitId: string, messageIds: string[]): Promise<void> {
		const entry = this.waits.get(waitId);
		if (entry) entry.wait.messageIds = [...entry.wait.messageIds, ...messageIds];
	}

	async cancel(waitId: string): Promise<void> {
		const entry = this.waits.get(waitId);
		if (entry) this.drop(entry.wait);
	}

	async waiting(channel: WaitChannel, recipient: string, nowMs: number): Promise<PendingWait[]> {
		this.sweep(nowMs);
		const ids = [...(this.lists.get(listKey(channel, recipient)) ?? [])];
		return ids
			.map((id) => this.waits.get(id)?.wait)
			.filter((w): w is PendingWait => w !== undefined && isOpen(w, nowMs))
			.map((w) => structuredClone(w))
			.sort((a, b) => a.createdAt - b.createdAt);
	}

	async forExecution(executionId: string): Promise<PendingWait | undefined> {
		const id = this.byExecution.get(executionId);
		const entry = id ? this.waits.get(id) : undefined;
		return entry ? structuredClone(entry.wait) : undefined;
	}

	async claim(waitId: string, answer: Answer): Promise<boolean> {
		const entry = this.waits.get(waitId);
		const reply = replyKey(answer);
		if (!entry || (reply !== null && (this.replies.get(reply) ?? 0) > this.now())) return false;
		this.drop(entry.wait);
		this.answers.set(entry.wait.executionId, { answer: { ...answer, waitId, executionId: entry.wait.executionId }, keepUntil: this.now() + ANSWER_KEPT_MS });
		if (reply !== null) this.replies.set(reply, this.now() + ANSWER_KEPT_MS);
		return true;
	}

	async unclaim(wait: PendingWait): Promise<void> {
		const answer = this.answers.get(wait.executionId);
		if (answer?.answer.waitId === wait.id) {
			this.answers.delete(wait.executionId);
			// The reply may answer again (its provider's retry) now that its answer was not given.
			const reply = replyKey(answer.answer);
			if (reply !== null) this.replies.delete(reply);
		}
		if (this.waits.has(wait.id)) return;
		this.waits.set(wait.id, { wait: structuredClone(wait), keepUntil: keepUntil(wait, this.now()) });
		this.byExecution.set(wait.executionId, wait.id);
		for (const recipient of wait.recipients) {
			const key = listKey(wait.channel, recipient);
			if (!this.lists.has(key)) this.lists.set(key, new Set());
			this.lists.get(key)!.add(wait.id);
		}
	}

	async answerFor(executionId: string): Promise<Answer | undefined> {
		const entry = this.answers.get(executionId);
		return entry && entry.keepUntil > this.now() ? structuredClone(entry.answer) : undefined;
	}

	/** Forget everything (tests). */
	clear(): void {
		this.waits.clear();
		this.lists.clear();
		this.byExecution.clear();
		this.answers.clear();
		this.replies.clear();
	}

	/** How many waits it keeps (tests). */
	get size(): number {
		return this.waits.size;
	}
}

/** The one process store, shared by every workflow and node of this n8n process (a module may be loaded twice). */
const GLOBAL_KEY = Symbol.for('n8n-nodes-messaging-gateway.processWaits');
export function processWaits(): ProcessWaitStore {
	const holder = globalThis as unknown as Record<symbol, ProcessWaitStore | undefined>;
	return (holder[GLOBAL_KEY] ??= new ProcessWaitStore());
}
