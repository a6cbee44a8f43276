/**
 * Helpers for the Bulk SMS Campaign's hostile engine tests (test/engine/hostile.campaign*.test.ts): the node with
 * test settings, its two outputs, a tally of every request the sandbox saw (its own list keeps only the last
 * 10,000), and a reconciliation of a run's recipient items against the messages the sandbox stored.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import type { Sandbox } from '../../sandbox/server';
import type { RequestRecord, StoredMessage } from '../../sandbox/types';
import type { RunResult } from './engine';

export const CAMPAIGN = 'Campaign';

/** A Bulk SMS Campaign node: `params` over sandbox senders and No Limit; `options` merged over `baseOptions`. */
export function campaignNode(params: IDataObject = {}, extra: IDataObject = {}, baseOptions: IDataObject = {}) {
	const { options, ...rest } = params as { options?: IDataObject };
	return {
		type: 'smsCampaign',
		name: CAMPAIGN,
		...extra,
		parameters: {
			provider: 'twilio',
			twilioFrom: '+15005550006',
			sinchFrom: '+12025550150',
			to: '={{ $json.phone }}',
			message: 'Hi {name}',
			language: '={{ $json.language }}',
			rateMode: 'none',
			...rest,
			options: { ...baseOptions, ...options },
		} as INodeParameters,
	};
}

export const outputItems = (result: RunResult): INodeExecutionData[] => result.items(CAMPAIGN);
export const recipientsOf = (result: RunResult): IDataObject[] => outputItems(result).map((i) => i.json);
export const summaryOf = (result: RunResult): IDataObject | undefined => result.task(CAMPAIGN)?.data?.main?.[1]?.[0]?.json;

/** The summary's counts must add up to the recipients, whatever happened: the problems found, if any. */
export function countsProblems(result: RunResult, recipients: number): string[] {
	const problems: string[] = [];
	const summary = summaryOf(result);
	if (!summary) return ['no summary item'];
	const items = recipientsOf(result);
	if (summary.recipients !== recipients) problems.push(`summary.recipients ${String(summary.recipients)}, expected ${recipients}`);
	if (items.length !== recipients) problems.push(`${items.length} recipient items, expected ${recipients}`);
	const statuses = (summary.statuses ?? {}) as Record<string, number>;
	const total = Object.values(statuses).reduce((a, b) => a + b, 0);
	if (total !== recipients) problems.push(`summary.statuses add up to ${total}, expected ${recipients}`);
	const counted: Record<string, number> = {};
	const reasons: Record<string, number> = {};
	for (const item of items) {
		counted[String(item.status)] = (counted[String(item.status)] ?? 0) + 1;
		if (item.reason) reasons[String(item.reason)] = (reasons[String(item.reason)] ?? 0) + 1;
	}
	if (JSON.stringify(sorted(counted)) !== JSON.stringify(sorted(statuses))) problems.push(`items count ${JSON.stringify(counted)}, summary says ${JSON.stringify(statuses)}`);
	if (JSON.stringify(sorted(reasons)) !== JSON.stringify(sorted((summary.reasons ?? {}) as Record<string, number>))) problems.push(`items' reasons ${JSON.stringify(reasons)}, summary says ${JSON.stringify(summary.reasons)}`);
	outputItems(result).forEach((item, i) => {
		const paired = (item.pairedItem as { item?: number } | undefined)?.item;
		if (paired !== i) problems.push(`output ${i} is paired with item ${String(paired)}`);
	});
	return problems.slice(0, 20);
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

export interface RequestTally {
	/** Every provider request the sandbox saw since the tally began (records are updated as their answers go out). */
	readonly all: RequestRecord[];
	/** Message sends (POSTs naming recipients) since index `from` of `all`. */
	sends(from?: number, provider?: string): RequestRecord[];
	restore(): void;
}

/** Count every request the sandbox records, past the 10,000 its own list keeps. */
export function tallyRequests(sandbox: Sandbox): RequestTally {
	const list = sandbox.requests;
	const all: RequestRecord[] = [];
	const own = Object.getOwnPropertyDescriptor(list, 'push');
	const push = Array.prototype.push;
	Object.defineProperty(list, 'push', {
		configurable: true,
		writable: true,
		value(...entries: RequestRecord[]) {
			all.push(...entries);
			return push.apply(list, entries);
		},
	});
	return {
		all,
		sends: (from = 0, provider) => all.slice(from).filter((r) => r.method === 'POST' && r.recipients.length > 0 && (!provider || r.provider === provider)),
		restore() {
			if (own) Object.defineProperty(list, 'push', own);
			else delete (list as unknown as Record<string, unknown>).push;
		},
	};
}

/** A message the sandbox stored is the one an item reports: Sinch stores `<batch id>:<recipient>`. */
export const storedMatches = (storedId: string, messageId: unknown): boolean =>
	typeof messageId === 'string' && messageId !== '' && (storedId === messageId || storedId.startsWith(`${messageId}:`));

/** What the sandbox stored, by recipient. */
export function storedByTo(sandbox: Sandbox, only?: (m: StoredMessage) => boolean): Map<string, StoredMessage[]> {
	const byTo = new Map<string, StoredMessage[]>();
	for (const m of sandbox.messages.values()) {
		if (only && !only(m)) continue;
		const list = byTo.get(m.to);
		if (list) list.push(m);
		else byTo.set(m.to, [m]);
	}
	return byTo;
}

/** Statuses that say the provider took the message. */
export const ACCEPTED = new Set(['accepted', 'queued', 'scheduled', 'sending', 'sent', 'delivered']);

export interface Reconciliation {
	/** Recipient items per status. */
	statuses: Record<string, number>;
	/** Messages stored during the run (not in `before`). */
	stored: number;
	/** Recipients with more than one message stored (over every run). */
	duplicated: number;
	/** Reported accepted without exactly one stored message of that ID. */
	lost: number;
	/** Reported failed, skipped, invalid or canceled, with a message stored during the run. */
	phantom: number;
	/** Unknown with more than one message, or not as many as the model says. */
	unknownOff: number;
	/** Messages stored during the run that no recipient item accounts for. */
	orphans: number;
	problems: string[];
}

/**
 * Each recipient item against the sandbox: accepted → exactly one message stored during the run, with its ID and
 * text; failed, skipped, invalid, canceled → none stored during the run; unknown → none or one (or what
 * `unknownStored` says). No recipient has more than one message over all runs; every message stored during the run
 * belongs to an item that reports it accepted or unknown.
 */
export function reconcile(sandbox: Sandbox, items: IDataObject[], before: ReadonlySet<string>, unknownStored?: (item: IDataObject, index: number) => 0 | 1 | undefined): Reconciliation {
	const all = storedByTo(sandbox);
	const fresh = storedByTo(sandbox, (m) => !before.has(m.id));
	const problems: string[] = [];
	const statuses: Record<string, number> = {};
	let lost = 0;
	let phantom = 0;
	let unknownOff = 0;
	const accounted = new Set<string>();
	items.forEach((item, i) => {
		const status = String(item.status);
		statuses[status] = (statuses[status] ?? 0) + 1;
		const to = typeof item.to === 'string' ? item.to : '';
		const mine = to ? (fresh.get(to) ?? []) : [];
		if (to) accounted.add(to);
		if (ACCEPTED.has(status)) {
			if (!(mine.length === 1 && storedMatches(mine[0].id, item.messageId))) {
				lost++;
				problems.push(`item ${i} (${to}) reported ${status} as ${String(item.messageId)}, the run stored ${JSON.stringify(mine.map((m) => m.id))}`);
			} else if (typeof item.message === 'string' && mine[0].provider !== 'sinch' && mine[0].body !== item.message) {
				problems.push(`item ${i} (${to}): stored text ${JSON.stringify(mine[0].body.slice(0, 80))} is not the item's ${JSON.stringify(item.message.slice(0, 80))}`);
			}
		} else if (status === 'unknown') {
			const want = unknownStored?.(item, i);
			if (mine.length > 1 || (want !== undefined && mine.length !== want)) {
				unknownOff++;
				problems.push(`item ${i} (${to}) unknown with ${mine.length} message(s) stored${want === undefined ? '' : `, the model says ${want}`}`);
			}
		} else if (mine.length > 0 && item.reason !== 'duplicate') {
			// (A duplicate names the number of an earlier item, whose message it is.)
			phantom++;
			problems.push(`item ${i} (${to}) reported ${status}${item.reason ? `/${String(item.reason)}` : ''}, the run stored ${mine.length} message(s)`);
		}
	});
	let duplicated = 0;
	for (const [to, messages] of all) {
		if (messages.length > 1) {
			duplicated++;
			problems.push(`${to} has ${messages.length} messages stored: ${JSON.stringify(messages.map((m) => m.id))}`);
		}
	}
	let orphans = 0;
	let stored = 0;
	for (const [to, messages] of fresh) {
		stored += messages.length;
		if (!accounted.has(to)) {
			orphans += messages.length;
			problems.push(`${to}: ${messages.length} message(s) stored that no item reports`);
		}
	}
	return { statuses, stored, duplicated, lost, phantom, unknownOff, orphans, problems: problems.slice(0, 30) };
}

/** Message IDs stored so far (a run's own are those not in it). */
export const storedIds = (sandbox: Sandbox): Set<string> => new Set(sandbox.messages.keys());
