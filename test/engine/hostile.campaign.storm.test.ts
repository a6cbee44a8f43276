/**
 * Bulk SMS Campaign under a fault storm over 10,000 recipients, reconciled recipient by recipient against what the
 * sandbox stored.
 *
 * 10,000 distinct recipients through Twilio (one request each, No Limit, 16 requests at once), with seeded faults per
 * recipient: 429 with Retry-After 0 or 1 s, 5xx, connection resets, answers withheld after the message was stored
 * (hang), latency, and certain refusals (400). Then 10,000 through Sinch in batches of up to 1,000 with faults on some
 * batch requests. Each is run again with the same Campaign Key in the same workflow: nobody accepted or unknown is
 * sent again, the certainly failed are retried. (The Twilio → AWS SNS storm is in hostile.campaign.test.ts: this file
 * keeps to the two 10,000-recipient runs, to stay well under 3 minutes.)
 *
 * Every outcome is also predicted by a model of the rules (helpers/campaignStorm.ts: retry 429/5xx up to maxRetries,
 * then fall back; never retry or fall back after an ambiguous failure; a batch that may have gone out is unknown for
 * all its recipients; the campaign key's ledger keeps what was or may have been sent), and every item must match it.
 */
import type { IDataObject } from 'n8n-workflow';
import { campaignNode, countsProblems, reconcile, recipientsOf, storedByTo, summaryOf, tallyRequests, type RequestTally } from '../helpers/campaign';
import { BATCH_TIMEOUT_MS, countOf, faultsHit, faultsOf, figures as storm, Model, offModel, phone, recipientKind, STORM_OPTIONS, timedRun as run, type Kind, type Timed } from '../helpers/campaignStorm';
import type { Engine } from '../helpers/engine';
import { rng } from '../helpers/hostile';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';

// Rate limits out of the way: every 429 here is an injected one.
const box = useSandbox({ limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
const engines = useEngine(box);
let engine: Engine;
let tally: RequestTally;
beforeAll(() => {
	tally = tallyRequests(box.get());
});
afterAll(() => tally?.restore());
beforeEach(() => {
	engine = engines.get();
});

const SEED = 20260301;
const N = 10_000;
const unique = () => `${process.pid}-${Date.now()}`;
const timedRun = (items: IDataObject[], node: ReturnType<typeof campaignNode>, workflowId: string) => run(engine, box.get(), tally, items, node, workflowId);
const figures = (title: string, timed: Timed, tos: ReadonlySet<string>, extra: IDataObject = {}) => storm(box.get(), tally, title, timed, tos, extra);

describe('Bulk SMS Campaign: fault storm over 10,000 recipients, reconciled', () => {
	it(
		'Twilio, one request per recipient: every recipient accounted for exactly once, as the rules say; the re-run with the same Campaign Key retries only the certainly failed',
		async () => {
			const r = rng(SEED);
			const key = `storm-twilio-${unique()}`;
			const workflowId = `wf-${key}`;
			const tos = Array.from({ length: N }, (_, i) => phone(1, i));
			const kinds = tos.map(() => recipientKind(r));
			const faults = tos.flatMap((to, i) => faultsOf(r, kinds[i], 'twilio', to));
			for (const f of faults) box.get().addFault({ ...f, count: 1 });
			const model = new Model(faults);
			const items = tos.map((phone, i) => ({ phone, name: `N${i}` }));
			const node = campaignNode({ campaignKey: key, message: 'Storm {name}' }, {}, STORM_OPTIONS);

			// ---- First run. ----
			const one = await timedRun(items, node, workflowId);
			const first = tos.map((to) => model.send(to, ['twilio']));
			const firstRequests = model.requests;
			const out = recipientsOf(one.result);
			console.log(figures('Twilio storm, 10,000 recipients, first run', one, new Set(tos), { kinds: countOf(kinds), model: countOf(first.map((o) => o.status)) }));
			expect(one.result.error()).toBeUndefined();
			expect(countsProblems(one.result, N)).toEqual([]);
			const rec = reconcile(box.get(), out, one.before, (_item, i) => first[i].stored);
			expect(rec.problems).toEqual([]);
			expect(rec).toMatchObject({ duplicated: 0, lost: 0, phantom: 0, unknownOff: 0, orphans: 0 });
			const off = out.flatMap((item, i) => {
				const why = offModel(item, first[i]);
				return why ? [`item ${i} (${tos[i]}, ${kinds[i]}): ${why}`] : [];
			});
			expect(off.slice(0, 20)).toEqual([]);
			expect(out.map((item) => item.to)).toEqual(tos);
			expect(tally.sends(one.requestsFrom, 'twilio')).toHaveLength(firstRequests);
			expect(summaryOf(one.result)?.requests).toBe(firstRequests);
			// The storm really was one.
			expect(Object.keys(faultsHit(box.get(), new Set(tos)))).toEqual(expect.arrayContaining(['429(RA 0)', '429(RA 1)', '500', '502', '503', '504', 'reset', 'hang', '400', 'delay']));

			// ---- The same 10,000 again, same key, same workflow. ----
			const two = await timedRun(items, node, workflowId);
			const modelBefore = model.requests;
			const second = first.map((o, i) => (o.status === 'failed' ? model.send(tos[i], ['twilio']) : undefined));
			const again = recipientsOf(two.result);
			console.log(figures('Twilio storm, the same 10,000 re-run with the same Campaign Key', two, new Set(tos), { retried: second.filter(Boolean).length, model: countOf(second.map((o) => o?.status ?? 'alreadySent')) }));
			expect(two.result.error()).toBeUndefined();
			expect(countsProblems(two.result, N)).toEqual([]);
			const off2: string[] = [];
			again.forEach((item, i) => {
				const want = second[i];
				if (!want) {
					// Accepted or unknown the first time: never sent again, and said so.
					if (item.status !== 'skipped' || item.reason !== 'alreadySent') off2.push(`item ${i} (${first[i].status} before): ${String(item.status)}/${String(item.reason)}`);
					else if (first[i].status === 'sent' && item.messageId !== out[i].messageId) off2.push(`item ${i}: replays ${String(item.messageId)}, was ${String(out[i].messageId)}`);
					return;
				}
				const why = offModel(item, want);
				if (why) off2.push(`item ${i} (${tos[i]}, ${kinds[i]}, retried): ${why}`);
			});
			expect(off2.slice(0, 20)).toEqual([]);
			const retriedTos = new Set(tos.filter((_, i) => second[i]));
			const strays = tally.sends(two.requestsFrom).filter((q) => q.recipients.some((to) => !retriedTos.has(to)));
			expect(strays).toHaveLength(0);
			expect(tally.sends(two.requestsFrom)).toHaveLength(model.requests - modelBefore);
			const rec2 = reconcile(box.get(), again, two.before, (_item, i) => second[i]?.stored);
			expect(rec2.problems).toEqual([]);
			// Over both runs: each recipient has exactly the messages the model left.
			const byTo = storedByTo(box.get());
			const totals = tos.filter((to, i) => (byTo.get(to)?.length ?? 0) !== first[i].stored + (second[i]?.stored ?? 0));
			expect(totals).toEqual([]);
		},
		170_000,
	);

	it(
		'Sinch in batches of up to 1,000: a batch that may have gone out leaves all its recipients unknown (never re-sent); the re-run sends only the certainly failed batches',
		async () => {
			const r = rng(SEED + 1);
			const key = `storm-sinch-${unique()}`;
			const workflowId = `wf-${key}`;
			// Recipients in 12 languages, shuffled: each language's message is one template, cut into batches of 1,000 in input order.
			const sizes: Array<[string, number]> = [['en', 3500], ['tr', 1800], ['fr', 1200], ['de', 900], ['es', 700], ['it', 500], ['pt', 400], ['nl', 300], ['pl', 250], ['sv', 200], ['ja', 150], ['ar', 100]];
			const languages = sizes.flatMap(([language, n]) => Array<string>(n).fill(language));
			for (let i = languages.length - 1; i > 0; i--) {
				const j = r.int(0, i);
				[languages[i], languages[j]] = [languages[j], languages[i]];
			}
			const tos = Array.from({ length: N }, (_, i) => phone(2, i));
			const translations = { translation: sizes.slice(1).map(([language]) => ({ language, message: `Storm (${language}) {name}` })) };
			// English has no translation: the Message.
			const byTemplate = new Map<string, number[]>();
			languages.forEach((language, i) => byTemplate.set(language, [...(byTemplate.get(language) ?? []), i]));
			const batches: number[][] = [];
			for (const members of byTemplate.values()) for (let k = 0; k < members.length; k += 1000) batches.push(members.slice(k, k + 1000));
			// Every kind of fault on some batch, the rest clean; keyed by the batch's first recipient.
			const kinds: Kind[] = ['recover', 'recover', 'recover', 'exhaust', 'reset', 'hang', 'refused', 'latency', 'recover', 'exhaust'];
			while (kinds.length < batches.length) kinds.push('clean');
			for (let i = kinds.length - 1; i > 0; i--) {
				const j = r.int(0, i);
				[kinds[i], kinds[j]] = [kinds[j], kinds[i]];
			}
			const faults = batches.flatMap((members, b) => faultsOf(r, kinds[b], 'sinch', tos[members[0]]));
			for (const f of faults) box.get().addFault({ ...f, count: 1 });
			const model = new Model(faults);
			const batchOf = new Map<number, number>();
			batches.forEach((members, b) => members.forEach((i) => batchOf.set(i, b)));
			const items = tos.map((phone, i) => ({ phone, name: `N${i}`, language: languages[i] }));
			const node = campaignNode({ provider: 'sinch', campaignKey: key, message: 'Storm {name}', translations }, {}, { ...STORM_OPTIONS, timeoutMs: BATCH_TIMEOUT_MS });

			const one = await timedRun(items, node, workflowId);
			const firstBatches = batches.map((members) => model.send(tos[members[0]], ['sinch']));
			const first = tos.map((_, i) => firstBatches[batchOf.get(i) as number]);
			const out = recipientsOf(one.result);
			console.log(figures(`Sinch batch storm, 10,000 recipients in ${batches.length} batches, first run`, one, new Set(tos), { batchKinds: kinds.join(','), model: countOf(first.map((o) => o.status)) }));
			expect(one.result.error()).toBeUndefined();
			expect(countsProblems(one.result, N)).toEqual([]);
			// One request a try of each batch, naming exactly its recipients.
			const sends = tally.sends(one.requestsFrom, 'sinch');
			expect(sends).toHaveLength(model.requests);
			const members = new Map(batches.map((m) => [tos[m[0]], m.map((i) => tos[i]).sort().join(',')]));
			expect(sends.filter((q) => members.get(q.recipients.find((to) => members.has(to)) ?? '') !== [...q.recipients].sort().join(','))).toHaveLength(0);
			const rec = reconcile(box.get(), out, one.before, (_item, i) => first[i].stored);
			expect(rec.problems).toEqual([]);
			expect(rec).toMatchObject({ duplicated: 0, lost: 0, phantom: 0, unknownOff: 0, orphans: 0 });
			const off = out.flatMap((item, i) => {
				const why = offModel(item, first[i]) ?? (item.batchSize === batches[batchOf.get(i) as number].length ? undefined : `batchSize ${String(item.batchSize)}`);
				return why ? [`item ${i} (batch ${batchOf.get(i)}, ${kinds[batchOf.get(i) as number]}): ${why}`] : [];
			});
			expect(off.slice(0, 20)).toEqual([]);
			expect(new Set(first.map((o) => o.status))).toEqual(new Set(['sent', 'failed', 'unknown']));

			const two = await timedRun(items, node, workflowId);
			const before = model.requests;
			const secondBatches = firstBatches.map((o, b) => (o.status === 'failed' ? model.send(tos[batches[b][0]], ['sinch']) : undefined));
			const second = tos.map((_, i) => secondBatches[batchOf.get(i) as number]);
			const again = recipientsOf(two.result);
			console.log(figures('Sinch batch storm, re-run with the same Campaign Key', two, new Set(tos), { retriedBatches: secondBatches.filter(Boolean).length, model: countOf(second.map((o) => o?.status ?? 'alreadySent')) }));
			expect(two.result.error()).toBeUndefined();
			expect(countsProblems(two.result, N)).toEqual([]);
			expect(tally.sends(two.requestsFrom, 'sinch')).toHaveLength(model.requests - before);
			const retried = new Set(tos.filter((_, i) => second[i]));
			expect(tally.sends(two.requestsFrom).filter((q) => q.recipients.some((to) => !retried.has(to)))).toHaveLength(0);
			const off2 = again.flatMap((item, i) => {
				const want = second[i];
				if (!want) return item.status === 'skipped' && item.reason === 'alreadySent' ? [] : [`item ${i} (${first[i].status} before): ${String(item.status)}/${String(item.reason)}`];
				const why = offModel(item, want);
				return why ? [`item ${i} (retried): ${why}`] : [];
			});
			expect(off2.slice(0, 20)).toEqual([]);
			expect(reconcile(box.get(), again, two.before, (_item, i) => second[i]?.stored).problems).toEqual([]);
			const byTo = storedByTo(box.get());
			expect(tos.filter((to, i) => (byTo.get(to)?.length ?? 0) !== first[i].stored + (second[i]?.stored ?? 0))).toEqual([]);
		},
		120_000,
	);
});
