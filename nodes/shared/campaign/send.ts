/**
 * Sending a planned campaign: as fast as the sender's rate allows and never faster, with a limit on requests in
 * flight. Each recipient is claimed in the sent-ledger before its message leaves, so that nothing is sent twice (a
 * re-run, n8n's Retry On Fail, a second execution); retries and fallback are Send SMS's. A provider that sends to
 * many recipients in one request (Sinch) gets batches of recipients that share a template. A "too many requests"
 * slows every send from the sender down. When the execution is canceled, nothing more starts, what is in flight is
 * finished and reported, and the rest comes out as not sent.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { deliver, DeliveryFailure, SendAbandoned } from '../delivery';
import type { RetrySettings } from '../descriptions/retryOptions';
import type { Provider, ProviderMessage, SendSmsRequest, SmsBatchRequest } from '../providers/types';
import { ProviderError } from '../rules/errors';
import type { MessageStatus } from '../rules/status';
import { senderOf, sendOverRoute } from '../smsRoute';
import { providerContext } from '../transport';
import { CanceledWhileWaiting, patiently, pause, paced, rateLimitedFor, senderKey, SharedStateUnavailable, type RateBudget } from './budget';
import { applyQuietHours, type PlannedRecipient, type QuietRule, type SkipReason } from './plan';
import type { PendingClaim, SentLedger, SentRecord } from './sentLedger';

export interface SendSettings {
	/** The route: the first provider, then the fallback. */
	providers: Provider[];
	/** Each provider's request without recipient and text (its sender and options), checked before the campaign. */
	base: ReadonlyMap<Provider, Omit<SendSmsRequest, 'to' | 'body'>>;
	retry: RetrySettings;
	/** Units (messages or segments, as planned) per second per sender; none: as fast as the limit in flight allows. */
	perSecond?: number;
	/** Requests in flight at once. */
	concurrency: number;
	/** The sent-ledger's scope: a campaign key, or this execution and node. */
	ledgerScope: string;
	budget: RateBudget;
	ledger: SentLedger;
	quiet?: QuietRule;
	signal?: AbortSignal;
	/** Called now and then with the recipients done so far. */
	progress?: (done: number) => void;
	now?: () => Date;
}

/** What became of a ready recipient. */
export interface SendOutcome {
	status: MessageStatus | 'skipped' | 'invalid';
	reason?: SkipReason;
	reasonText?: string;
	provider?: string;
	messageId?: string;
	providerStatus?: string;
	from?: string | null;
	sentAt?: string | null;
	sendAt?: string;
	price?: number;
	priceUnit?: string;
	attempts?: number;
	fallbackUsed?: boolean;
	fallbackReason?: string;
	/** Recipients of the same request (a batch). */
	batchSize?: number;
	error?: ProviderError;
	/** What the ledger knew of an earlier send. */
	earlier?: SentRecord;
}

export interface SendReport {
	outcomes: Map<number, SendOutcome>;
	requests: number;
	canceled: boolean;
	/** Why the campaign stopped before the end on its own (the shared state in Redis could not be reached). */
	stoppedBy?: string;
	startedAt: Date;
	finishedAt: Date;
}

const skipped = (reason: SkipReason, reasonText: string, status: SendOutcome['status'] = 'skipped'): SendOutcome => ({ status, reason, reasonText });

/**
 * Before its request left, this run's claim on the recipient was found held by another run: it went stale while this
 * run could not reach Redis, and was taken over. The other run sends it; this one must not.
 */
class ClaimLost extends SendAbandoned {
	constructor() {
		super('The claim on this recipient was taken over by another run');
		this.name = 'ClaimLost';
	}
}
const claimLost = () =>
	skipped('beingSent', 'Not sent here: this run could not reach Redis for a while, its claim on this number went stale and another run of this campaign took it over (that run sends it)');
const CANCELED = 'Not sent: the execution was canceled before this message left';

/** Run `work` over `tasks` with at most `limit` at once, in order of the list. */
async function pool<T>(tasks: readonly T[], limit: number, work: (task: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < tasks.length) await work(tasks[next++]);
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
}

export async function sendCampaign(fns: IExecuteFunctions, recipients: readonly PlannedRecipient[], settings: SendSettings): Promise<SendReport> {
	const now = settings.now ?? (() => new Date());
	const startedAt = now();
	const outcomes = new Map<number, SendOutcome>();
	// Stops everything the way a cancel does, when the shared state (Redis) is gone: nothing may be sent without it.
	const stop = new AbortController();
	const signal = settings.signal ? AbortSignal.any([settings.signal, stop.signal]) : stop.signal;
	let stoppedBy: string | undefined;
	let requests = 0;
	let done = 0;
	const finish = (r: PlannedRecipient, outcome: SendOutcome) => {
		outcomes.set(r.index, outcome);
		done++;
		settings.progress?.(done);
	};
	const wait = (ms: number) => pause(ms, signal);
	/** A step of the sent-ledger: an unreachable Redis is waited out for a while, then stops the campaign. */
	const shared = <T>(step: () => Promise<T>) => patiently(step, signal);
	const stopFor = (error: SharedStateUnavailable) => {
		stoppedBy ??= error.message;
		stop.abort();
	};
	/** What a recipient that did not get its turn comes out as. */
	const notSent = (): SendOutcome =>
		stoppedBy ? skipped('sharedStateUnavailable', `Not sent: ${stoppedBy}. A re-run with the same Campaign Key sends only to the rest`) : skipped('canceled', CANCELED);
	/** An error on the way: the campaign's own stop, a cancel, or a failure of the message. */
	const outcomeOf = (caught: unknown): SendOutcome => {
		if (caught instanceof SharedStateUnavailable) stopFor(caught);
		if (caught instanceof ClaimLost) return claimLost();
		return caught instanceof CanceledWhileWaiting || caught instanceof SharedStateUnavailable ? notSent() : failed(caught);
	};

	/** Take from the sender's budget around each attempt; a "too many requests" slows the sender down. */
	const gated = async <T>(provider: Provider, base: Omit<SendSmsRequest, 'to' | 'body'>, units: number, send: () => Promise<T>): Promise<T> => {
		const counted = async () => {
			requests++;
			return await send();
		};
		return await paced(settings.budget, senderKey(provider, base), units, settings.perSecond, signal, counted, rateLimitedFor);
	};

	/** Quiet hours once more at the moment of sending: a long campaign can run into the night. */
	const stillAllowed = (r: PlannedRecipient): SendOutcome | undefined => {
		if (!settings.quiet || r.sendAt) return undefined;
		const checked = applyQuietHours({ ...r }, settings.quiet, now());
		if (checked.status !== 'ready') return skipped('quietHours', checked.reasonText ?? 'Within quiet hours');
		if (checked.sendAt) r.sendAt = checked.sendAt;
		return undefined;
	};

	const alreadySent = (earlier: SentRecord, text?: string): SendOutcome => ({
		...skipped('alreadySent', text ?? `Already sent in this campaign (${earlier.outcome === 'unknown' ? 'possibly' : 'accepted'} at ${earlier.at}): not sent again`),
		earlier,
		messageId: earlier.messageId,
		provider: earlier.provider,
	});
	const beingSent = (pending?: PendingClaim) =>
		skipped(
			'beingSent',
			pending?.leaseMs
				? `Not sent here: another run of this campaign claimed this number at ${pending.since} and is sending to it. If that run stopped (its worker was killed), its claim lapses ${Math.round(pending.leaseMs / 1000)} s after its last renewal, and a re-run with the same Campaign Key then finds out whether it left`
				: 'Not sent here: another run of this campaign is sending to this number right now',
		);

	const claim = async (r: PlannedRecipient): Promise<SendOutcome | undefined> => {
		const claimed = await shared(() => settings.ledger.claim(settings.ledgerScope, r.to as string));
		if (claimed.claimed) return undefined;
		if (claimed.record?.unreadable) {
			return alreadySent(claimed.record, `Not sent: ${claimed.record.unreadable} (it may have been sent under this Campaign Key by another version). Delete that key to send to this number`);
		}
		if (claimed.record) return alreadySent(claimed.record);
		if (claimed.pending?.stale) return await reconcile(r, claimed.pending);
		return beingSent(claimed.pending);
	};

	/**
	 * A claim whose run stopped renewing it (its worker was killed): never left → this run sends it; it may have left →
	 * asked of the providers of the route that can say, and sent only when none has it.
	 */
	const reconcile = async (r: PlannedRecipient, pending: PendingClaim): Promise<SendOutcome | undefined> => {
		const to = r.to as string;
		const takeOver = async () => ((await shared(() => settings.ledger.takeOver(settings.ledgerScope, to))) ? undefined : beingSent());
		if (!pending.leaving) return await takeOver();
		// Redis's clock and the provider's may differ a little: a minute earlier, and the same text, to the same number.
		const since = new Date(Date.parse(pending.since) - 60_000);
		for (const provider of settings.providers) {
			const base = settings.base.get(provider) as Omit<SendSmsRequest, 'to' | 'body'>;
			if (!provider.sms.find) {
				return alreadySent(
					{ outcome: 'unknown', at: pending.since },
					`Possibly sent: a run of this campaign stopped (its worker was stopped) while this message was leaving, at ${pending.since}, and ${provider.label} cannot be asked whether it arrived. Not sent again: check the provider's log`,
				);
			}
			let found: ProviderMessage[];
			try {
				found = await provider.sms.find(await providerContext(fns, provider, r.index, settings.retry.timeoutMs), { to, sender: base, since, body: r.text as string });
			} catch (caught) {
				const why = caught instanceof Error ? caught.message : String(caught);
				return skipped('beingSent', `Not sent: a run of this campaign stopped while this message was leaving, and ${provider.label} could not be asked whether it arrived (${why}). A re-run with the same Campaign Key asks again`);
			}
			if (found.length) {
				const m = found[0];
				const record: SentRecord = { outcome: 'accepted', at: pending.since, provider: provider.name, messageId: m.messageId, status: m.status };
				await shared(() => settings.ledger.settle(settings.ledgerScope, to, record));
				return alreadySent(record, `Already sent in this campaign by a run that stopped (${provider.label} has it: ${m.messageId}): not sent again`);
			}
		}
		return await takeOver();
	};

	/**
	 * The claimed recipients' requests are about to leave: from here, a stopped run may have sent them. Gives those whose
	 * claim another run holds now (never to be sent here).
	 */
	const leaving = async (recipients: readonly PlannedRecipient[]): Promise<Set<string>> =>
		new Set(await shared(() => settings.ledger.leaving(settings.ledgerScope, recipients.map((r) => r.to as string))));

	/**
	 * Record what became of a claimed recipient. With Redis gone for good, the campaign stops; the claim is left to go
	 * stale, and a re-run finds out what became of it.
	 */
	const settle = async (r: PlannedRecipient, outcome: SendOutcome) => {
		const to = r.to as string;
		const sent = outcome.status === 'unknown' || (outcome.messageId && outcome.status !== 'failed' && outcome.status !== 'invalid');
		const record = () =>
			sent
				? settings.ledger.settle(settings.ledgerScope, to, {
						outcome: outcome.status === 'unknown' ? 'unknown' : 'accepted',
						at: now().toISOString(),
						provider: outcome.provider,
						messageId: outcome.messageId,
						status: outcome.status,
					})
				: settings.ledger.release(settings.ledgerScope, to);
		// Stopped already (Redis away for OUTAGE_MS): one try, not another OUTAGE_MS of waiting per recipient.
		if (stoppedBy) {
			await record().catch(() => undefined);
			return;
		}
		try {
			// Written even after a cancel: what left must be known to the next run.
			await patiently(record);
		} catch (caught) {
			if (!(caught instanceof SharedStateUnavailable)) throw caught;
			stopFor(caught);
		}
	};

	/** A failure as an outcome: ambiguous ones may have been sent. */
	const failed = (caught: unknown): SendOutcome => {
		const failure = caught instanceof DeliveryFailure ? caught : undefined;
		const error = failure ? failure.error : caught instanceof ProviderError ? caught : undefined;
		if (!error) throw caught;
		return {
			status: error.ambiguous ? 'unknown' : 'failed',
			reasonText: error.message,
			provider: error.provider,
			attempts: failure?.attempts,
			fallbackUsed: failure?.fallbackTried,
			error,
		};
	};

	/** One recipient, one request at a time over the route (or the part of it left after a batch failed). */
	const sendOne = async (r: PlannedRecipient, route: Provider[], alreadyClaimed = false): Promise<void> => {
		if (signal?.aborted) {
			if (alreadyClaimed) await settle(r, notSent());
			return finish(r, notSent());
		}
		if (!alreadyClaimed) {
			let refused: SendOutcome | undefined;
			try {
				refused = stillAllowed(r) ?? (await claim(r));
			} catch (caught) {
				refused = outcomeOf(caught);
			}
			if (refused) return finish(r, refused);
		}
		const requestsOf = new Map<Provider, SendSmsRequest>();
		for (const provider of route) {
			const request: SendSmsRequest = { ...(settings.base.get(provider) as SendSmsRequest), to: r.to as string, body: r.text as string, sendAt: r.sendAt };
			const problem = provider.sms.check(request, now());
			if (problem) {
				const refused = skipped('refused', `${problem}. Nothing was sent`, 'invalid');
				await settle(r, refused);
				return finish(r, refused);
			}
			requestsOf.set(provider, request);
		}
		let outcome: SendOutcome;
		try {
			const delivered = await sendOverRoute(fns, r.index, requestsOf, {
				retry: settings.retry,
				attempt: (provider, request, send) =>
					gated(provider, request, r.units, async () => {
						if ((await leaving([r])).size) throw new ClaimLost();
						return await send();
					}),
				sleep: wait,
			});
			const m = delivered.value;
			outcome = {
				status: m.status,
				provider: delivered.provider,
				messageId: m.messageId,
				providerStatus: m.providerStatus,
				from: m.from ?? senderOf(delivered.request),
				sentAt: m.sentAt ?? null,
				sendAt: r.sendAt?.toISOString(),
				price: m.price,
				priceUnit: m.priceUnit,
				attempts: delivered.attempts,
				fallbackUsed: delivered.fallbackUsed,
				fallbackReason: delivered.fallbackUsed ? delivered.fallbackReasons.join(' · ') : undefined,
			};
		} catch (caught) {
			// Canceled (or stopped) before the first attempt left, or while waiting to retry one that certainly did not go out.
			outcome = outcomeOf(caught);
		}
		await settle(r, outcome);
		finish(r, outcome);
	};

	/** Recipients of one batch: claimed, quiet hours checked again, then one request for all. */
	const sendBatch = async (chunk: PlannedRecipient[]): Promise<void> => {
		const [provider, ...fallback] = settings.providers;
		const capability = provider.sms.batch;
		if (!capability) throw new Error('sendBatch without a batch capability');
		const ready: PlannedRecipient[] = [];
		for (const r of chunk) {
			if (signal?.aborted) {
				finish(r, notSent());
				continue;
			}
			let refused: SendOutcome | undefined;
			try {
				refused = stillAllowed(r) ?? (await claim(r));
			} catch (caught) {
				refused = outcomeOf(caught);
			}
			if (refused) finish(r, refused);
			else ready.push(r);
		}
		// Quiet hours may have given some a later time: one request per send time.
		const bySendAt = new Map<string, PlannedRecipient[]>();
		for (const r of ready) {
			const at = r.sendAt?.toISOString() ?? '';
			bySendAt.set(at, [...(bySendAt.get(at) ?? []), r]);
		}
		for (const group of bySendAt.values()) await sendBatchRequest(provider, fallback, capability, group);
	};

	const sendBatchRequest = async (provider: Provider, fallback: Provider[], capability: NonNullable<Provider['sms']['batch']>, group: PlannedRecipient[]): Promise<void> => {
		const first = group[0];
		const base = settings.base.get(provider) as Omit<SendSmsRequest, 'to' | 'body'>;
		const requestFor = (members: PlannedRecipient[]): SmsBatchRequest => {
			const personal = members.some((r) => r.text !== first.text);
			return {
				...base,
				to: members.map((r) => r.to as string),
				body: personal ? { parts: first.parts ?? [], values: Object.fromEntries(members.map((r) => [r.to as string, r.values ?? {}])) } : (first.text as string),
				sendAt: first.sendAt,
			};
		};
		let request = requestFor(group);
		// The recipients still this run's: those whose claim another run took over leave the batch before it goes.
		let members = group;
		const problem = provider.sms.check({ ...base, to: first.to as string, body: first.text as string, sendAt: first.sendAt }, now());
		if (problem) {
			for (const r of group) {
				const refused = skipped('refused', `${problem}. Nothing was sent`, 'invalid');
				await settle(r, refused);
				finish(r, refused);
			}
			return;
		}
		const units = group.reduce((sum, r) => sum + r.units, 0);
		try {
			const delivered = await deliver(
				[provider],
				(p) =>
					gated(p, base, units, async () => {
						const lost = await leaving(members);
						if (lost.size) {
							for (const r of members.filter((m) => lost.has(m.to as string))) {
								await settle(r, claimLost());
								finish(r, claimLost());
							}
							members = members.filter((m) => !lost.has(m.to as string));
							if (members.length === 0) throw new ClaimLost();
							request = requestFor(members);
						}
						return await p.sms.batch!.send(await providerContext(fns, p, first.index, settings.retry.timeoutMs), request);
					}),
				{ policy: settings.retry.policy, sleep: wait },
			);
			const m: ProviderMessage = delivered.value;
			for (const r of members) {
				const outcome: SendOutcome = {
					status: m.status,
					provider: provider.name,
					messageId: m.messageId,
					providerStatus: m.providerStatus,
					from: m.from ?? senderOf(base),
					sentAt: m.sentAt ?? null,
					sendAt: r.sendAt?.toISOString(),
					attempts: delivered.attempts,
					fallbackUsed: false,
					batchSize: members.length,
				};
				await settle(r, outcome);
				finish(r, outcome);
			}
		} catch (caught) {
			const outcome = outcomeOf(caught);
			const error = outcome.error;
			// The batch certainly did not go out and another provider may work: each recipient goes through it.
			if (error && !error.ambiguous && error.allowsFallback && fallback.length && !signal?.aborted) {
				const reason = error.message;
				await pool(members, settings.concurrency, async (r) => {
					await sendOne(r, fallback, true);
					const after = outcomes.get(r.index);
					if (after && after.status !== 'skipped') Object.assign(after, { fallbackUsed: true, fallbackReason: reason });
				});
				return;
			}
			for (const r of members) {
				const own = { ...outcome, batchSize: members.length };
				await settle(r, own);
				finish(r, own);
			}
		}
	};

	const ready = recipients.filter((r) => r.status === 'ready');
	const [first] = settings.providers;
	const batch = first.sms.batch;
	if (batch) {
		// Recipients that share a template (or a text) and a send time share batches, in the order they came.
		const groups = new Map<string, PlannedRecipient[]>();
		for (const r of ready) {
			const personal = r.parts !== undefined && batch.canPersonalise(r.parts, r.values ?? {});
			const key = `${personal ? `t:${r.templateKey}` : `b:${r.text}`}\u0000${r.sendAt?.toISOString() ?? ''}`;
			const list = groups.get(key);
			if (list) list.push(r);
			else groups.set(key, [r]);
		}
		const chunks: PlannedRecipient[][] = [];
		for (const list of groups.values()) {
			// With a rate, a batch holds about one second of it, so that no second ever takes more.
			let size = batch.maxRecipients;
			if (settings.perSecond) {
				const unitsEach = Math.max(...list.map((r) => r.units));
				size = Math.max(1, Math.min(size, Math.floor(settings.perSecond / unitsEach)));
			}
			for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
		}
		await pool(chunks, settings.concurrency, sendBatch);
	} else {
		await pool(ready, settings.concurrency, (r) => sendOne(r, settings.providers));
	}
	return { outcomes, requests, canceled: settings.signal?.aborted === true, stoppedBy, startedAt, finishedAt: now() };
}
