/**
 * A campaign's sent-ledger: who was accepted (or may have been: an ambiguous failure) under a campaign key, so that
 * a re-run of the campaign, n8n's Retry On Fail, or a second execution started at the same moment never sends to
 * them again. A recipient is claimed before its message leaves and settled after; a certain refusal gives the claim
 * back. In this process's memory here (bounded, 7 days); in Redis for queue mode (state/redisLedger.ts), shared by
 * every worker.
 */

export interface SentRecord {
	outcome: 'accepted' | 'unknown';
	at: string;
	provider?: string;
	messageId?: string;
	status?: string;
	/** What the shared ledger found there instead of a record or a claim (another program's, or another version's). */
	unreadable?: string;
}

/** A claim of another run whose message has not been settled. */
export interface PendingClaim {
	/** When it was claimed. */
	since: string;
	/** Its run stopped renewing it: the worker was killed, or lost Redis. Only a shared ledger says so. */
	stale: boolean;
	/** Its request was about to leave, or had: it may have reached the provider. */
	leaving: boolean;
	/** A shared ledger: how long a claim lasts once its run stops renewing it. */
	leaseMs?: number;
}

export type Claim = { claimed: true } | { claimed: false; record?: SentRecord; pending?: PendingClaim };

export interface SentLedger {
	/** Claim `recipient` of `campaign` for this run: refused when it was sent, may have been, or is being sent now. */
	claim(campaign: string, recipient: string): Promise<Claim>;
	/**
	 * The requests for these claimed recipients are about to leave (a claim that stops here may have been sent). Gives
	 * the recipients whose claim another run holds now (it went stale while this run could not reach Redis, and was
	 * taken over): they must not be sent here.
	 */
	leaving(campaign: string, recipients: readonly string[]): Promise<string[]>;
	/** A stale claim found not sent (it never left, or the provider has no such message): this run's now, if still stale. */
	takeOver(campaign: string, recipient: string): Promise<boolean>;
	/** The message was accepted, or may have been: keep the claim, with what a re-run reports. */
	settle(campaign: string, recipient: string, record: SentRecord): Promise<void>;
	/** The message certainly did not leave: a later run may send it. */
	release(campaign: string, recipient: string): Promise<void>;
}

export const LEDGER_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_ENTRIES = 2_000_000;

interface Entry {
	at: number;
	/** Undefined while the message is on its way. */
	record?: SentRecord;
}

export class InProcessLedger implements SentLedger {
	/** Insertion-ordered: the oldest go first when it is full. */
	private readonly entries = new Map<string, Entry>();

	constructor(private readonly now: () => number = Date.now) {}

	private key(campaign: string, recipient: string): string {
		return `${campaign}\u0000${recipient}`;
	}

	private prune(now: number): void {
		for (const [key, entry] of this.entries) {
			if (this.entries.size <= MAX_ENTRIES && now - entry.at < LEDGER_TTL_MS) break;
			this.entries.delete(key);
		}
	}

	async claim(campaign: string, recipient: string): Promise<Claim> {
		const key = this.key(campaign, recipient);
		const now = this.now();
		const known = this.entries.get(key);
		if (known && now - known.at < LEDGER_TTL_MS) return known.record ? { claimed: false, record: known.record } : { claimed: false, pending: { since: new Date(known.at).toISOString(), stale: false, leaving: true } };
		this.entries.delete(key);
		this.entries.set(key, { at: now });
		this.prune(now);
		return { claimed: true };
	}

	/** A claim of this process is never stale: its run cannot stop without the process, which takes the ledger with it. */
	async leaving(): Promise<string[]> {
		return [];
	}

	async takeOver(): Promise<boolean> {
		return false;
	}

	async settle(campaign: string, recipient: string, record: SentRecord): Promise<void> {
		const key = this.key(campaign, recipient);
		this.entries.delete(key);
		this.entries.set(key, { at: this.now(), record });
	}

	async release(campaign: string, recipient: string): Promise<void> {
		const key = this.key(campaign, recipient);
		if (this.entries.get(key)?.record === undefined) this.entries.delete(key);
	}
}

/** The ledger every execution of this process shares. */
export const processLedger: SentLedger = new InProcessLedger();
