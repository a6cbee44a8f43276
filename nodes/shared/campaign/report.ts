/**
 * What a campaign hands on: one item per recipient (its status, message, segments, cost, and the reason when it was
 * skipped or failed) and one summary whose counts add up to the recipients.
 */
import type { IDataObject } from 'n8n-workflow';
import { roundMoney } from '../rules/cost';
import type { PlannedRecipient } from './plan';
import type { SendOutcome, SendReport } from './send';

export interface CampaignFacts {
	campaignKey: string | null;
	dryRun: boolean;
	currency: string;
	priceSource: string;
	rate: { perSecond: number; unit: 'messages' | 'segments' } | null;
	concurrency: number;
	/** Providers of the route, in order. */
	route: string[];
}

/** One recipient's item. */
export function recipientItem(r: PlannedRecipient, outcome: SendOutcome | undefined, facts: CampaignFacts): IDataObject {
	const status = outcome?.status ?? (r.status === 'ready' ? (facts.dryRun ? 'planned' : 'skipped') : r.status);
	const out: IDataObject = { to: r.to ?? null, input: r.input, status };
	const reason = outcome ? outcome.reason : r.reason;
	const reasonText = outcome ? outcome.reasonText : r.reasonText;
	if (reason) out.reason = reason;
	if (reasonText) out.reasonText = reasonText;
	if (outcome?.provider) out.provider = outcome.provider;
	if (outcome?.messageId) out.messageId = outcome.messageId;
	if (outcome?.providerStatus) out.providerStatus = outcome.providerStatus;
	if (outcome?.from !== undefined) out.from = outcome.from;
	out.language = r.language;
	if (r.text !== undefined) out.message = r.text;
	if (r.segments) {
		out.segments = r.segments.segments;
		out.encoding = r.segments.encoding;
	}
	if (r.country) out.country = r.country;
	out.estimatedCost = r.estimatedCost ?? null;
	if (outcome?.price !== undefined) out.price = outcome.price;
	if (outcome?.priceUnit !== undefined) out.priceUnit = outcome.priceUnit;
	if (r.zones) {
		out.timeZone = r.zones.zones.length === 1 ? r.zones.zones[0] : r.zones.zones;
		out.timeZoneSource = r.zones.source;
	}
	const sendAt = outcome?.sendAt ?? r.sendAt?.toISOString();
	if (sendAt) out.sendAt = sendAt;
	if (outcome?.sentAt !== undefined) out.sentAt = outcome.sentAt;
	if (outcome?.attempts !== undefined) out.attempts = outcome.attempts;
	if (outcome?.fallbackUsed !== undefined) out.fallbackUsed = outcome.fallbackUsed;
	if (outcome?.fallbackReason) out.fallbackReason = outcome.fallbackReason;
	if (outcome?.batchSize !== undefined) out.batchSize = outcome.batchSize;
	const error = outcome?.error;
	if (error) {
		out.errorKind = error.kind;
		out.errorCode = error.code ?? null;
		out.httpStatus = error.httpStatus ?? null;
		if (error.providerMessage) out.providerMessage = error.providerMessage;
	}
	return out;
}

const count = (map: Record<string, number>, key: string) => {
	map[key] = (map[key] ?? 0) + 1;
};

/** The campaign's summary: counts per status and reason (they add up to the recipients), segments, cost, speed. */
export function summaryItem(recipients: readonly IDataObject[], planned: readonly PlannedRecipient[], report: SendReport | undefined, facts: CampaignFacts, startedAt: Date, finishedAt: Date): IDataObject {
	const statuses: Record<string, number> = {};
	const reasons: Record<string, number> = {};
	let segments = 0;
	let estimatedCost = 0;
	let priced = 0;
	let reportedCost = 0;
	let reported = 0;
	let sent = 0;
	let sentSegments = 0;
	let fallbackUsed = 0;
	for (let i = 0; i < recipients.length; i++) {
		const item = recipients[i];
		const status = String(item.status);
		count(statuses, status);
		if (typeof item.reason === 'string') count(reasons, item.reason);
		const going = status !== 'skipped' && status !== 'invalid' && status !== 'failed';
		if (!going) continue;
		const parts = typeof item.segments === 'number' ? item.segments : 0;
		segments += parts;
		if (typeof item.estimatedCost === 'number') {
			estimatedCost += item.estimatedCost;
			priced++;
		}
		if (typeof item.price === 'number') {
			reportedCost += Math.abs(item.price);
			reported++;
		}
		if (status !== 'planned') {
			sent++;
			sentSegments += parts;
		}
		if (item.fallbackUsed === true) fallbackUsed++;
	}
	const durationMs = finishedAt.getTime() - startedAt.getTime();
	const sendingMs = report ? report.finishedAt.getTime() - report.startedAt.getTime() : 0;
	const perSecond = (n: number) => (sendingMs > 0 ? Math.round((n * 1000 * 100) / sendingMs) / 100 : null);
	const summary: IDataObject = {
		campaignKey: facts.campaignKey,
		dryRun: facts.dryRun,
		recipients: recipients.length,
		// Recipients whose message the provider took (accepted, queued, scheduled…): not the skipped, failed or unknown.
		sent: recipients.filter((item) => typeof item.messageId === 'string' && item.status !== 'unknown' && item.status !== 'failed' && item.reason === undefined).length,
		statuses,
		reasons,
		segments,
		estimatedCost: priced ? roundMoney(estimatedCost) : null,
		// Recipients whose cost could not be estimated (no price for their country).
		unpriced: planned.filter((r) => r.status === 'ready' && r.estimatedCost === undefined).length,
		reportedCost: reported ? roundMoney(reportedCost) : null,
		currency: facts.currency,
		priceSource: facts.priceSource,
		route: facts.route,
		fallbackUsed,
		requests: report?.requests ?? 0,
		rate: facts.rate,
		concurrency: facts.concurrency,
		startedAt: startedAt.toISOString(),
		finishedAt: finishedAt.toISOString(),
		durationMs,
		achievedRate: report ? { messagesPerSecond: perSecond(sent), segmentsPerSecond: perSecond(sentSegments) } : null,
		canceled: report?.canceled ?? false,
		// Why it stopped on its own before the end (the shared state in Redis could not be reached), else null.
		stoppedBy: report?.stoppedBy ?? null,
	};
	if (facts.dryRun && facts.rate) {
		const units = planned.reduce((sum, r) => sum + (r.status === 'ready' ? r.units : 0), 0);
		summary.estimatedDurationSeconds = Math.ceil(units / facts.rate.perSecond);
	}
	return summary;
}
