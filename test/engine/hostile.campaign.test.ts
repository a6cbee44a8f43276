/**
 * Bulk SMS Campaign, hostile: a Twilio → AWS SNS route, Sinch batches falling back to Twilio, a throttled campaign and
 * two executions of one campaign at once, each under the fault storm; thousands of generated bad recipients and
 * parameters; providers that echo the credentials back or never answer; a cancel under load. Each run is reconciled
 * against the messages the sandbox stored (helpers/campaign.ts) and, in the storms, against a model of the rules
 * (helpers/campaignStorm.ts). The 10,000-recipient storms are in hostile.campaign.storm.test.ts.
 *
 * Tests named "fixed: …" pin the defects this pass found (input, expected, what happened, and where, in each comment);
 * each failed before its fix.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { inspect } from 'node:util';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { CAMPAIGN, campaignNode, countsProblems, reconcile, recipientsOf, storedByTo, storedIds, summaryOf, tallyRequests, type RequestTally } from '../helpers/campaign';
import { BATCH_TIMEOUT_MS, countOf, faultsOf, figures as stormFigures, longestStall, many, MAX_RETRIES, Model, offModel, recipientKind, STORM_OPTIONS, timedRun } from '../helpers/campaignStorm';
import type { Engine, RunResult } from '../helpers/engine';
import { captureOutput, localServer, rng, type LocalServer, type Rng } from '../helpers/hostile';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';
import { busiestSecond, DEFAULT_PACE, earliestStart, newPace, recordStart, slowDown } from '../../nodes/shared/rules/throttle';

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

const SEED = 20260302;
const unique = () => `${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const FAST: IDataObject = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000, providerPrices: false, concurrency: 20 };
const E164 = /^\+[1-9]\d{6,14}$/;
/** A lone half of a surrogate pair. */
const BROKEN = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A reason a person can act on: a sentence, not JavaScript's internals. */
function unclear(text: unknown): string | undefined {
	if (typeof text !== 'string' || text.trim().length < 10) return `no reason (${JSON.stringify(text)})`;
	if (text.length > 600) return `a reason of ${text.length} characters`;
	for (const bad of ['[object Object]', 'undefined', 'NaN', 'TypeError', 'ReferenceError', 'Cannot read prop', '\n    at ']) if (text.includes(bad)) return `"${bad}" in ${JSON.stringify(text.slice(0, 200))}`;
	return undefined;
}

// ---- 1. The storm on a route with fallback. ----

describe('Bulk SMS Campaign: Twilio → AWS SNS under the fault storm', () => {
	it(
		'3,000 recipients: retries spent on Twilio go to SNS (with its own faults), never after an ambiguous failure or a refusal; each recipient as the rules say',
		async () => {
			const COUNT = 3000;
			const r = rng(SEED);
			const key = `storm-fallback-${unique()}`;
			const tos = Array.from({ length: COUNT }, (_, i) => `+3364${String(i).padStart(7, '0')}`);
			const kinds = tos.map(() => recipientKind(r));
			const faults = tos.flatMap((to, i) => {
				const list = faultsOf(r, kinds[i], 'twilio', to);
				if (kinds[i] === 'exhaust') {
					// SNS in turn: clean, busy, spent as well, reset, hang.
					const v = r();
					if (v < 0.35) list.push(...many(r, r.int(1, MAX_RETRIES), 'sns', to));
					else if (v < 0.5) list.push(...many(r, MAX_RETRIES + 1, 'sns', to));
					else if (v < 0.6) list.push({ provider: 'sns', to, type: 'reset' });
					else if (v < 0.67) list.push({ provider: 'sns', to, type: 'hang' });
				}
				return list;
			});
			for (const f of faults) box.get().addFault({ ...f, count: 1 });
			const model = new Model(faults);
			const items = tos.map((phone, i) => ({ phone, name: `N${i}` }));
			const node = campaignNode({ provider: 'twilio,sns', campaignKey: key, message: 'Storm {name}' }, {}, STORM_OPTIONS);
			const one = await timedRun(engine, box.get(), tally, items, node, `wf-${key}`);
			const first = tos.map((to) => model.send(to, ['twilio', 'sns']));
			const out = recipientsOf(one.result);
			console.log(stormFigures(box.get(), tally, `Twilio → SNS storm, ${COUNT} recipients`, one, new Set(tos), { kinds: countOf(kinds), model: countOf(first.map((o) => `${o.status}${o.provider ? ` via ${o.provider}` : o.fallback ? ' at sns' : ''}`)) }));
			expect(one.result.error()).toBeUndefined();
			expect(countsProblems(one.result, COUNT)).toEqual([]);
			expect(tally.sends(one.requestsFrom)).toHaveLength(model.requests);
			expect(summaryOf(one.result)?.requests).toBe(model.requests);
			const rec = reconcile(box.get(), out, one.before, (_item, i) => first[i].stored);
			expect(rec.problems).toEqual([]);
			expect(rec).toMatchObject({ duplicated: 0, lost: 0, phantom: 0, unknownOff: 0, orphans: 0 });
			const off = out.flatMap((item, i) => {
				const why = offModel(item, first[i]);
				return why ? [`item ${i} (${tos[i]}, ${kinds[i]}): ${why}`] : [];
			});
			expect(off.slice(0, 20)).toEqual([]);
			expect(first.some((o) => o.provider === 'sns')).toBe(true);
			// The summary counts recipients whose message went, or may have gone, through the fallback.
			expect(summaryOf(one.result)?.fallbackUsed).toBe(first.filter((o) => o.status !== 'failed' && o.fallback).length);
		},
		120_000,
	);
});

describe('Bulk SMS Campaign: more storms', () => {
	it(
		'Sinch → Twilio: a batch whose retries are spent goes recipient by recipient through Twilio (under its own storm); a batch that may have gone out, or was refused, does not',
		async () => {
			const r = rng(SEED + 10);
			const key = `storm-batch-fallback-${unique()}`;
			const tos = Array.from({ length: 4000 }, (_, i) => `+3363${String(i).padStart(7, '0')}`);
			const batches = [0, 1, 2, 3].map((b) => tos.slice(b * 1000, (b + 1) * 1000));
			const batchKinds = ['clean', 'exhaust', 'reset', 'refused'] as const;
			const faults = batches.flatMap((members, b) => (batchKinds[b] === 'exhaust' ? many(r, MAX_RETRIES + 1, 'sinch', members[0]) : faultsOf(r, batchKinds[b], 'sinch', members[0])));
			const twilioKinds = batches[1].map(() => recipientKind(r));
			faults.push(...batches[1].flatMap((to, i) => faultsOf(r, twilioKinds[i], 'twilio', to)));
			for (const f of faults) box.get().addFault({ ...f, count: 1 });
			const model = new Model(faults);
			const items = tos.map((phone, i) => ({ phone, name: `B${i}` }));
			const node = campaignNode({ provider: 'sinch,twilio', campaignKey: key, message: 'Storm {name}' }, {}, { ...STORM_OPTIONS, timeoutMs: BATCH_TIMEOUT_MS });
			const one = await timedRun(engine, box.get(), tally, items, node, `wf-${key}`);
			const byBatch = batches.map((members) => model.send(members[0], ['sinch']));
			const want = tos.map((to, i) => {
				const b = Math.floor(i / 1000);
				if (!byBatch[b].spent) return byBatch[b];
				// Through the fallback, one by one: Twilio's own attempts, and fallbackUsed whatever the outcome.
				return { ...model.send(to, ['twilio']), fallback: true };
			});
			const out = recipientsOf(one.result);
			console.log(stormFigures(box.get(), tally, 'Sinch batches → Twilio storm, 4,000 recipients in 4 batches', one, new Set(tos), { batches: byBatch.map((o, b) => `${batchKinds[b]}: ${o.status}`), model: countOf(want.map((o) => `${o.status}${o.provider ? ` via ${o.provider}` : ''}`)) }));
			expect(one.result.error()).toBeUndefined();
			expect(countsProblems(one.result, tos.length)).toEqual([]);
			expect(tally.sends(one.requestsFrom)).toHaveLength(model.requests);
			const rec = reconcile(box.get(), out, one.before, (_item, i) => want[i].stored);
			expect(rec.problems).toEqual([]);
			const off = out.flatMap((item, i) => {
				const why = offModel(item, want[i]) ?? (byBatch[Math.floor(i / 1000)].spent && !String(item.fallbackReason).includes('Sinch') ? `fallbackReason ${String(item.fallbackReason)}` : undefined);
				return why ? [`item ${i} (batch ${batchKinds[Math.floor(i / 1000)]}${byBatch[Math.floor(i / 1000)].spent ? `, twilio ${twilioKinds[i - 1000]}` : ''}): ${why}`] : [];
			});
			expect(off.slice(0, 20)).toEqual([]);
		},
		90_000,
	);

	it(
		'300 recipients throttled under faults (50 a second, retries, timeouts, a 429 with Retry-After 1 s): no second at the sandbox holds more than the rate; each recipient as the rules say',
		async () => {
			const COUNT = 300;
			const RATE = 50;
			const r = rng(SEED + 11);
			const tos = Array.from({ length: COUNT }, (_, i) => `+3362${String(i).padStart(7, '0')}`);
			const kinds = tos.map(() => {
				const u = r();
				return u < 0.7 ? 'clean' : u < 0.8 ? 'latency' : u < 0.9 ? 'recover' : u < 0.95 ? 'reset' : u < 0.97 ? 'hang' : 'refused';
			}) as Array<Parameters<typeof faultsOf>[1]>;
			// 5xx only among the retries (a 429 halves the rate: one, at the start, is enough to see the pause).
			const faults = tos.flatMap((to, i) => faultsOf(r, kinds[i], 'twilio', to).map((f) => (f.status === 429 ? { ...f, status: 503, retryAfter: undefined } : f)));
			faults.unshift({ provider: 'twilio', to: tos[20], type: 'status', status: 429, retryAfter: 1 });
			for (const f of faults) box.get().addFault({ ...f, count: 1 });
			const model = new Model(faults);
			const items = tos.map((phone, i) => ({ phone, name: `T${i}` }));
			const node = campaignNode({ message: 'Paced {name}', rateMode: 'custom', ratePerSecond: RATE, rateUnit: 'messages' }, {}, STORM_OPTIONS);
			const lag = monitorEventLoopDelay({ resolution: 5 });
			lag.enable();
			const one = await timedRun(engine, box.get(), tally, items, node, `wf-paced-${unique()}`);
			lag.disable();
			const stallMs = Math.max(0, Math.round(lag.max / 1e6) - 15);
			const want = tos.map((to) => model.send(to, ['twilio']));
			const out = recipientsOf(one.result);
			const arrivals = tally.sends(one.requestsFrom).map((q) => [Date.parse(q.at), 1] as const);
			// The sandbox runs in this process: its arrival stamps are late by as much as the loop stalls (see smsCampaign.test.ts).
			const busiest = busiestSecond(arrivals, 1000 - Math.min(stallMs, 200));
			console.log(`${stormFigures(box.get(), tally, `Throttled storm, ${COUNT} recipients at ${RATE}/s`, one, new Set(tos), { busiestSecond: busiest, stallMs, model: countOf(want.map((o) => o.status)) })}`);
			expect(one.result.error()).toBeUndefined();
			expect(countsProblems(one.result, COUNT)).toEqual([]);
			expect(reconcile(box.get(), out, one.before, (_item, i) => want[i].stored).problems).toEqual([]);
			const off = out.flatMap((item, i) => {
				const why = offModel(item, want[i]);
				return why ? [`item ${i} (${kinds[i]}): ${why}`] : [];
			});
			expect(off.slice(0, 20)).toEqual([]);
			expect(busiest).toBeLessThanOrEqual(RATE);
			// Never faster than the rate over the whole run either.
			expect(one.seconds).toBeGreaterThan(arrivals.length / RATE - 1);
		},
		90_000,
	);

	it(
		'two executions of the same campaign at once (a double click): every recipient sent at most once, each one accounted for by one of them',
		async () => {
			const COUNT = 1000;
			const r = rng(SEED + 12);
			const key = `twice-${unique()}`;
			const workflowId = `wf-${key}`;
			const tos = Array.from({ length: COUNT }, (_, i) => `+3361${String(i).padStart(7, '0')}`);
			const faults = tos.flatMap((to) => faultsOf(r, recipientKind(r), 'twilio', to));
			for (const f of faults) box.get().addFault({ ...f, count: 1 });
			const items = tos.map((phone, i) => ({ phone, name: `D${i}` }));
			const node = campaignNode({ campaignKey: key, message: 'Twice {name}' }, {}, STORM_OPTIONS);
			const before = storedIds(box.get());
			const [a, b] = await Promise.all([engine.run(items, [node], { workflowId }), engine.run(items, [node], { workflowId })]);
			const outA = recipientsOf(a);
			const outB = recipientsOf(b);
			expect(countsProblems(a, COUNT)).toEqual([]);
			expect(countsProblems(b, COUNT)).toEqual([]);
			const stored = storedByTo(box.get(), (m) => !before.has(m.id));
			const problems: string[] = [];
			const pairs: Record<string, number> = {};
			tos.forEach((to, i) => {
				const tags = [outA[i], outB[i]].map((o) => `${String(o.status)}${o.reason ? `/${String(o.reason)}` : ''}`);
				pairs[tags.join(' + ')] = (pairs[tags.join(' + ')] ?? 0) + 1;
				const sent = [outA[i], outB[i]].filter((o) => o.status === 'queued' || o.status === 'unknown');
				const mine = stored.get(to) ?? [];
				if (sent.length > 1) problems.push(`${to}: both runs report it ${tags.join(', ')}`);
				if (mine.length > 1) problems.push(`${to}: ${mine.length} messages stored`);
				const ok = sent[0];
				if (ok?.status === 'queued' && !(mine.length === 1 && mine[0].id === ok.messageId)) problems.push(`${to}: queued as ${String(ok.messageId)}, stored ${JSON.stringify(mine.map((m) => m.id))}`);
				if (!ok && mine.length) problems.push(`${to}: ${tags.join(', ')}, yet ${mine.length} stored`);
				if (!tags.some((t) => ['queued', 'unknown', 'failed'].includes(t))) problems.push(`${to}: neither run sent or tried it (${tags.join(', ')})`);
			});
			console.log(`Two executions at once, ${COUNT} recipients each: ${JSON.stringify(Object.fromEntries(Object.entries(pairs).sort(([, x], [, y]) => y - x)))}`);
			expect(problems.slice(0, 20)).toEqual([]);
		},
		90_000,
	);
});

// ---- 2. Hostile inputs. ----

/** What an item is, and what must become of it. */
interface Case {
	kind: string;
	item: IDataObject;
	/** The number it stands for (sent there, if sent). */
	to: string;
	/**
	 * sent: must be sent, with `text`; invalid: must come out invalid with one of `reasons`; either: sent to `to` with
	 * `text`, or invalid with one of `reasons` (counted).
	 */
	expect: 'sent' | 'invalid' | 'either';
	reasons?: string[];
	text?: string;
}

const FALLBACK = 'Hi {name}, see you at {appointment.time}.';
const TRANSLATIONS = { translation: [{ language: 'tr', message: 'Merhaba {name}, saat {appointment.time}.' }, { language: 'pt-BR', message: 'Olá {name}, às {appointment.time}.' }] };
const render = (template: string, name: string, time: string) => template.replace('{name}', name).replace('{appointment.time}', time);

function junkText(r: Rng, length: number): string {
	const pool = ['a', 'Z', '9', ' ', '\u00a0', '\u200f', '\u202e', '😀', '🇫🇷', 'ş', 'ß', '{', '}', '$', '\\', '"', '\n', '\t', '\u0000', '漢'];
	let out = '';
	while (out.length < length) out += r.pick(pool);
	return out;
}

/** One generated item with one defect, or none. */
function hostileCase(r: Rng, i: number, prefix: string): Case {
	const national = `6${prefix}${String(i).padStart(7, '0')}`;
	const to = `+33${national}`;
	const spaced = `+33 ${national[0]} ${national.slice(1, 3)} ${national.slice(3, 5)} ${national.slice(5, 7)} ${national.slice(7)}`;
	const name = `N${i}`;
	const good = { phone: to, name, appointment: { time: '10:00' } };
	const text = render(FALLBACK, name, '10:00');
	const bad = (kind: string, item: IDataObject, reasons: string[]): Case => ({ kind, item, to, expect: 'invalid', reasons });
	const either = (kind: string, phone: unknown): Case => ({ kind, item: { ...good, phone } as IDataObject, to, expect: 'either', reasons: ['invalidNumber'], text });
	const sent = (kind: string, item: IDataObject, sentText = text): Case => ({ kind, item, to, expect: 'sent', text: sentText });
	const number = (kind: string, phone: unknown) => bad(kind, { ...good, phone } as IDataObject, ['invalidNumber']);
	const field = (kind: string, item: IDataObject) => bad(kind, item, ['missingField']);
	const cases: Array<() => Case> = [
		// Numbers that are no number.
		() => number('phone: object', {}),
		() => number('phone: object holding the number', { phone: to }),
		() => number('phone: list', [to]),
		() => number('phone: nested list', [[to]]),
		() => number('phone: null', null),
		() => bad('phone: missing', { name, appointment: { time: '10:00' } }, ['invalidNumber']),
		() => number('phone: true', true),
		() => number('phone: false', false),
		() => number('phone: 0', 0),
		() => number('phone: 1e21', 1e21),
		() => number('phone: empty', ''),
		() => number('phone: blanks', ' \u00a0\t\u200b '),
		() => number('phone: words', 'call me maybe'),
		() => number('phone: +', '+'),
		() => number('phone: emojis', '📱📞☎️'),
		() => number('phone: 5,000 digits', '6'.repeat(5000)),
		() => number('phone: 20,000 characters of junk', junkText(r, 20_000)),
		() => number('phone: too short', '+336'),
		() => number('phone: too long', `${to}12345678`),
		() => number('phone: with an extension', `${to} ext. 7`),
		() => number('phone: two numbers', `${to},+33611111111`),
		() => number('phone: two lines', `${to}\n${to}`),
		() => number('phone: NUL', `${to}\u0000`),
		() => number('phone: right-to-left override, reversed', `\u202e${[...to].reverse().join('')}`),
		() => number('phone: __proto__', '__proto__'),
		() => number('phone: constructor', 'constructor'),
		() => number('phone: a placeholder', '{phone}'),
		() => number('phone: an expression', '{{ $json.phone }}'),
		() => either('phone: lone surrogate after it', `${to}\ud83d`),
		// Numbers as people paste them: sent to the number they stand for, or refused with the reason.
		() => either('phone: whatsapp: prefix', `whatsapp:${to}`),
		() => either('phone: non-breaking spaces', spaced.replace(/ /g, '\u00a0')),
		() => either('phone: narrow non-breaking spaces', spaced.replace(/ /g, '\u202f')),
		() => either('phone: right-to-left marks', `\u200f${to}\u200f`),
		() => either('phone: left-to-right embedding', `\u202a${spaced}\u202c`),
		() => either('phone: zero-width space inside', `${to.slice(0, 5)}\u200b${to.slice(5)}`),
		() => either('phone: full-width digits', to.replace(/[0-9+]/g, (c) => (c === '+' ? '＋' : String.fromCharCode(0xff10 + Number(c))))),
		() => either('phone: national with trunk 0', `0${national}`),
		() => either('phone: 00 prefix', `0033 ${national}`),
		() => either('phone: brackets, dashes, dots', `(+33) ${national[0]}-${national.slice(1, 3)}.${national.slice(3, 5)}.${national.slice(5, 7)}.${national.slice(7)}`),
		() => either('phone: a JSON number', Number(national)),
		() => either('phone: tel: URI', `tel:${to}`),
		() => either('phone: blanks around', `\t  ${to}  \n`),
		// Fields the message needs.
		() => field('name: missing', { phone: to, appointment: { time: '10:00' } }),
		() => field('name: empty', { ...good, name: '' }),
		() => field('name: null', { ...good, name: null }),
		() => field('name: object', { ...good, name: { first: 'Ann' } }),
		() => field('name: empty object', { ...good, name: {} }),
		() => field('name: list', { ...good, name: ['Ann'] }),
		() => field('appointment: text, not an object', { ...good, appointment: '10:00' }),
		() => field('appointment: null', { ...good, appointment: null }),
		() => field('appointment: list', { ...good, appointment: ['10:00'] }),
		() => field('appointment.time: object', { ...good, appointment: { time: { h: 10 } } }),
		() => field('appointment.time: empty', { ...good, appointment: { time: '' } }),
		() => field('appointment: __proto__ holding time', { phone: to, name, appointment: JSON.parse('{"__proto__": {"time": "polluted"}}') as IDataObject }),
		() => field('__proto__ holding name', { phone: to, appointment: { time: '10:00' }, ...(JSON.parse('{"__proto__": {"name": "polluted"}}') as IDataObject) }),
		() => bad('name: broken surrogate', { ...good, name: `Ann\ud83d` }, ['brokenCharacter']),
		() => bad('name: lone low surrogate', { ...good, name: `\udc00Ann` }, ['brokenCharacter']),
		() => bad('name: 1,700 characters (past Twilio\'s 1,600)', { ...good, name: 'x'.repeat(1700) }, ['refused']),
		() => bad('name: 800 emojis (past 1,600 UTF-16 units)', { ...good, name: '😀'.repeat(800) }, ['refused']),
		// Odd but sendable fields: sent as written.
		() => sent('name: emoji', { ...good, name: '😀 Ann' }, render(FALLBACK, '😀 Ann', '10:00')),
		() => sent('name: right-to-left', { ...good, name: 'שלום' }, render(FALLBACK, 'שלום', '10:00')),
		() => sent('name: a placeholder, written as it is', { ...good, name: '{name}' }, render(FALLBACK, '{name}', '10:00')),
		() => sent('name: Sinch parameter syntax', { ...good, name: '${p0}' }, render(FALLBACK, '${p0}', '10:00')),
		() => sent('name: an n8n expression, as text', { ...good, name: '{{ $json.secret }}' }, render(FALLBACK, '{{ $json.secret }}', '10:00')),
		() => sent('name: a number', { ...good, name: 42 }, render(FALLBACK, '42', '10:00')),
		() => sent('appointment.time as one key with a dot', { phone: to, name, 'appointment.time': '11:00' }, render(FALLBACK, name, '11:00')),
		() => sent('constructor field', { ...good, constructor: 'C', toString: 'T' }),
		() => sent('name: 1,500 characters (under 1,600)', { ...good, name: 'y'.repeat(1500) }, render(FALLBACK, 'y'.repeat(1500), '10:00')),
		// Languages.
		...(
			[
				['tr', 'tr'],
				['TR', 'tr'],
				['tr_TR', 'tr'],
				[' tr-TR ', 'tr'],
				['tr-CY', 'tr'],
				['pt-BR', 'pt-BR'],
				['pt_br', 'pt-BR'],
				['pt', null],
				['pt-PT', null],
				['xx', null],
				['', null],
				['__proto__', null],
				['constructor', null],
				['toString', null],
				['hasOwnProperty', null],
				['😀', null],
				['x'.repeat(5000), null],
				[{}, null],
				[[], null],
				[['tr'], null],
				[null, null],
				[42, null],
				[true, null],
			] as Array<[unknown, string | null]>
		).map(([language, picked]) => () => {
			const template = picked === null ? FALLBACK : (TRANSLATIONS.translation.find((t) => t.language === picked)?.message as string);
			return sent(`language: ${JSON.stringify(language).slice(0, 30)}`, { ...good, language } as IDataObject, render(template, name, '10:00'));
		}),
	];
	// About a third are sent as they are.
	return r.chance(0.3) ? sent('clean', good) : r.pick(cases)();
}

interface Checked {
	problems: string[];
	byKind: Record<string, Record<string, number>>;
}

/** Each item as its case says; every stored message a valid one for one item. */
function checkHostile(result: RunResult, cases: Case[], before: ReadonlySet<string>, compareText: boolean): Checked {
	const problems: string[] = [];
	const byKind: Record<string, Record<string, number>> = {};
	const out = recipientsOf(result);
	if (result.error()) problems.push(`the run stopped: ${result.error()?.message}`);
	problems.push(...countsProblems(result, cases.length));
	const fresh = storedByTo(box.get(), (m) => !before.has(m.id));
	out.forEach((item, i) => {
		const c = cases[i];
		const status = String(item.status);
		const tag = `${status}${item.reason ? `/${String(item.reason)}` : ''}`;
		const counts = (byKind[c.kind] ??= {});
		counts[tag] = (counts[tag] ?? 0) + 1;
		const mine = fresh.get(c.to) ?? [];
		const wasSent = status === 'queued' || status === 'accepted';
		const where = `item ${i} (${c.kind})`;
		if (c.expect === 'sent' || (c.expect === 'either' && wasSent)) {
			if (!wasSent) problems.push(`${where}: ${tag} (${String(item.reasonText).slice(0, 160)}), should be sent`);
			else if (item.to !== c.to) problems.push(`${where}: sent to ${String(item.to)}, stands for ${c.to}`);
			else if (mine.length !== 1) problems.push(`${where}: ${mine.length} messages stored for ${c.to}`);
			else if (compareText && (mine[0].body !== (c.text ?? item.message) || item.message !== (c.text ?? item.message))) problems.push(`${where}: sent ${JSON.stringify(mine[0].body.slice(0, 80))}, item says ${JSON.stringify(String(item.message).slice(0, 80))}, should be ${JSON.stringify(c.text?.slice(0, 80))}`);
		} else {
			if (status !== 'invalid' || !c.reasons?.includes(String(item.reason))) problems.push(`${where}: ${tag} (${String(item.reasonText ?? '').slice(0, 160)}), should be invalid with ${c.reasons?.join(' or ')}`);
			if (mine.length) problems.push(`${where}: ${mine.length} message(s) stored for ${c.to}`);
			const why = unclear(item.reasonText);
			if (why) problems.push(`${where}: ${why}`);
			if (JSON.stringify(item).includes('polluted')) problems.push(`${where}: a field from __proto__ was used`);
		}
	});
	const tos = new Set(cases.map((c) => c.to));
	for (const [to, messages] of fresh) {
		for (const m of messages) {
			const body = m.body;
			if (!E164.test(to) || !tos.has(to)) problems.push(`a message to ${JSON.stringify(to)}, no item stands for it`);
			if (BROKEN.test(body) || body.includes('[object Object]') || body.includes('undefined') || body.length > (m.provider === 'sinch' ? 2000 : 1600) || body.trim() === '') problems.push(`an invalid message to ${to}: ${JSON.stringify(body.slice(0, 100))}`);
		}
	}
	return { problems: problems.slice(0, 40), byKind };
}

describe('Bulk SMS Campaign: hostile inputs', () => {
	const COUNT = 3000;

	it(
		`${COUNT} generated items, one defect each: never a crash, never an invalid message; each bad one comes out with a clear reason, the others are sent`,
		async () => {
			const r = rng(SEED + 1);
			const cases = Array.from({ length: COUNT }, (_, i) => hostileCase(r, i, '1'));
			const before = storedIds(box.get());
			const from = tally.all.length;
			const started = Date.now();
			const result = await engine.run(
				cases.map((c) => c.item),
				[campaignNode({ defaultCountry: 'FR', message: FALLBACK, translations: TRANSLATIONS }, {}, FAST)],
			);
			const seconds = (Date.now() - started) / 1000;
			const checked = checkHostile(result, cases, before, true);
			const either = cases.filter((c) => c.expect === 'either');
			const out = recipientsOf(result);
			const accepted = either.filter((c) => out[cases.indexOf(c)]?.status === 'queued').length;
			console.log(
				`Hostile inputs, Twilio: ${COUNT} items in ${seconds.toFixed(1)} s; ${tally.sends(from).length} sent; statuses ${JSON.stringify(summaryOf(result)?.statuses)}; reasons ${JSON.stringify(summaryOf(result)?.reasons)}; ` +
					`pasted numbers accepted ${accepted} of ${either.length}\n` +
					Object.entries(checked.byKind)
						.sort()
						.map(([kind, counts]) => `  ${kind}: ${JSON.stringify(counts)}`)
						.join('\n'),
			);
			expect(checked.problems).toEqual([]);
		},
		90_000,
	);

	it(
		'the same kind of items through Sinch batches (one request per template): the same verdicts, no batch refused for one bad recipient',
		async () => {
			const r = rng(SEED + 2);
			const cases = Array.from({ length: 1500 }, (_, i) => hostileCase(r, i, '2'));
			const before = storedIds(box.get());
			const from = tally.all.length;
			const result = await engine.run(
				cases.map((c) => c.item),
				[campaignNode({ provider: 'sinch', defaultCountry: 'FR', message: FALLBACK, translations: TRANSLATIONS }, {}, FAST)],
			);
			// The sandbox fills Sinch's batch parameters per recipient: each text is compared with the one planned.
			const checked = checkHostile(
				result,
				cases.map((c) => (c.kind.startsWith('name: 1,') || c.kind.startsWith('name: 800') ? { ...c, expect: 'sent' as const } : c)),
				before,
				true,
			);
			const sends = tally.sends(from, 'sinch');
			console.log(`Hostile inputs, Sinch: ${cases.length} items, ${sends.length} batch requests (${sends.map((q) => q.recipients.length).join(', ')} recipients); statuses ${JSON.stringify(summaryOf(result)?.statuses)}; reasons ${JSON.stringify(summaryOf(result)?.reasons)}`);
			expect(checked.problems).toEqual([]);
			expect(sends.every((q) => q.status === 201)).toBe(true);
		},
		60_000,
	);
});

describe('Bulk SMS Campaign: hostile fields and lists', () => {
	it("placeholders that reach for __proto__, constructor, toString or a nested __proto__ find only the item's own fields", async () => {
		const items = [
			{ phone: '+33650000021', name: 'A' },
			JSON.parse('{"phone": "+33650000022", "__proto__": {"constructor": "polluted", "x": "polluted"}}') as IDataObject,
			JSON.parse('{"phone": "+33650000023", "a": {"__proto__": {"x": "polluted"}}}') as IDataObject,
			{ phone: '+33650000024', constructor: 'own C', toString: 'own T', a: { x: 'own X' } },
		];
		const result = await engine.run(items, [campaignNode({ message: 'c={constructor} t={toString} x={a.x}' }, {}, FAST)]);
		expect(result.error()).toBeUndefined();
		const out = recipientsOf(result);
		expect(out.map((i) => [i.status, i.reason ?? null])).toEqual([
			['invalid', 'missingField'],
			['invalid', 'missingField'],
			['invalid', 'missingField'],
			['queued', null],
		]);
		expect(out[0].reasonText).toBe('The message cannot be written for this recipient: {constructor} has no value, {toString} has no value, {a.x} has no value. Fill the field, or remove the placeholder');
		expect(JSON.stringify(out)).not.toContain('polluted');
		expect([...box.get().messages.values()].map((m) => m.body)).toEqual(['c=own C t=own T x=own X']);
		// Nothing leaked into Object.prototype either.
		expect(({} as IDataObject).x).toBeUndefined();
	});

	it('an opt-out list with junk in it stops the campaign with a clear error (it could not be honoured), nothing sent; its readable forms are all read', async () => {
		const people = Array.from({ length: 8 }, (_, i) => ({ phone: `+3365000004${i}`, name: `P${i}` }));
		const list = [null, {}, [], [['+33650000040']], '+33\u00a06\u00a050\u00a000\u00a000\u00a041', 'whatsapp:+33650000042', '\u200f+33650000043\u200f', '06 50 00 00 44', 'x'.repeat(100_000), '😀', 'constructor', '__proto__', { phone: 'junk' }, true, -1];
		const asText = '+33650000045;\n\n,,+33 6 50 00 00 46\n😀;junk;' + '9'.repeat(10_000);
		const result = await engine.run(people, [
			campaignNode({ defaultCountry: 'FR', options: { optOutList: `={{ ${JSON.stringify(list)}.concat(${JSON.stringify(asText)}.split(";")) }}` } }, {}, FAST),
		]);
		expect(result.error()?.message).toMatch(/^Entry \d+ of the Opt-Out List is not a phone number/);
		expect(box.get().messages.size).toBe(0);
		// Without the junk, every readable form counts: no-break spaces, whatsapp:, direction marks, national with the
		// default country, an item's phone field, digits without their +.
		const readable = ['+33\u00a06\u00a050\u00a000\u00a000\u00a040', 'whatsapp:+33650000041', '\u200f+33650000042\u200f', '06 50 00 00 43', { phone: '+33650000044' }, { json: { phone: '+33650000045' } }, 33650000046];
		const clean = await engine.run(people, [campaignNode({ defaultCountry: 'FR', options: { optOutList: `={{ ${JSON.stringify(readable).replace(/}}/g, '} }')} }}` } }, {}, FAST)]);
		expect(clean.error()).toBeUndefined();
		expect(recipientsOf(clean).map((i) => i.reason ?? i.status)).toEqual(['optedOut', 'optedOut', 'optedOut', 'optedOut', 'optedOut', 'optedOut', 'optedOut', 'queued']);
		expect([...box.get().messages.values()].map((m) => m.to)).toEqual(['+33650000047']);
	});

	it(
		'campaign-wide bad parameters (rates, requests at once, quiet hours, sender): a clear error before anything is sent, not one request made',
		async () => {
			const people = Array.from({ length: 50 }, (_, i) => ({ phone: `+336500001${String(i).padStart(2, '0')}`, name: `P${i}` }));
			const rate = /^Rate per Second must be a number from 0\.01 to 10000, but it is /;
			const atOnce = /^Requests at Once must be a whole number from 1 to 100, but it is /;
			const quiet = /^Quiet From and Quiet Until must be times of day such as 21:00 and 08:00$/;
			const cases: Array<[string, IDataObject, RegExp]> = [
				...[0, -1, -0.5, 0.001, 'NaN', 'abc', '1e400', 'Infinity', '-Infinity', ' '].map((ratePerSecond): [string, IDataObject, RegExp] => [`rate ${JSON.stringify(ratePerSecond)}`, { rateMode: 'custom', ratePerSecond }, rate]),
				...[0, -1, 1e9, 101, 1.5, 'ten', '1e3', '0x10', 'NaN', true, {}].map((concurrency): [string, IDataObject, RegExp] => [`concurrency ${JSON.stringify(concurrency)}`, { options: { concurrency } }, atOnce]),
				...['25:00', '24:00', '12:60', '', 'noon', '7', '-1:00', '21:00:00', '９:００'].map((quietStart): [string, IDataObject, RegExp] => [`quiet from ${JSON.stringify(quietStart)}`, { quietHours: true, quietStart }, quiet]),
				['quiet until 99:99', { quietHours: true, quietEnd: '99:99' }, quiet],
				['quiet from an object', { quietHours: true, quietStart: { h: 21 } }, /^Quiet From must be text, but it is an object/],
				['quiet from = quiet until', { quietHours: true, quietStart: '21:00', quietEnd: '21:00' }, /^Quiet From and Quiet Until are the same time$/],
				['sender type unknown', { rateMode: 'senderType', senderType: 'carrierPigeon' }, /^Unknown sender type "carrierPigeon"$/],
				['Twilio From empty', { twilioFrom: '   ' }, /^Twilio needs a From number or a Messaging Service SID$/],
				['Sinch rate from its sender', { provider: 'sinch', rateMode: 'auto' }, /^The sending rate cannot be told from this Sinch sender$/],
				['unknown provider', { provider: 'pigeon' }, /provider|route|pigeon/i],
			];
			const problems: string[] = [];
			for (const [label, params, message] of cases) {
				const from = tally.all.length;
				const stored = box.get().messages.size;
				// n8n writes the node's error to the console: kept out of the test's output.
				const quiet = captureOutput();
				let result: RunResult;
				try {
					result = await engine.run(people, [campaignNode(params, {}, FAST)]);
				} finally {
					quiet.restore();
				}
				const error = result.error();
				if (!error) problems.push(`${label}: no error (${JSON.stringify(summaryOf(result)?.statuses)})`);
				else if (!message.test(error.message)) problems.push(`${label}: "${error.message}"`);
				else if (unclear(error.message) && !label.startsWith('rate') && !label.startsWith('concurrency')) problems.push(`${label}: ${unclear(error.message)}`);
				if (tally.all.length > from) problems.push(`${label}: ${tally.all.length - from} request(s) made`);
				if (box.get().messages.size > stored) problems.push(`${label}: ${box.get().messages.size - stored} message(s) stored`);
			}
			expect(problems).toEqual([]);
			// With Continue On Fail, the error is the Summary output's one item; no recipient item, nothing sent.
			const continued = await engine.run(people, [campaignNode({ options: { concurrency: 0 } }, { onError: 'continueRegularOutput' }, FAST)]);
			expect(continued.error()).toBeUndefined();
			expect(recipientsOf(continued)).toHaveLength(0);
			expect(summaryOf(continued)).toMatchObject({ error: expect.stringMatching(atOnce) });
			expect(box.get().messages.size).toBe(0);
		},
		60_000,
	);
});

// ---- 3. Secrets, and providers that never answer. ----

// Secrets shaped like real ones (base64-ish, with + / =, so that their URL-encoded forms differ from them).
const TWILIO = { accountSid: `AC${'c1'.repeat(16)}`, authToken: 'Tw1l10+Campaign/Token=9f8e7d', apiKeySid: `SK${'c2'.repeat(16)}`, apiKeySecret: 'Tw1l10+Campaign/KeySecret=0a1b' };
const SINCH = { servicePlanId: 'campaignplan00000000000000000001', apiToken: 'S1nch+Campaign/Token=77aa88', projectId: 'campaign-project-1', keyId: 'campaign-key-id-1', keySecret: 'S1nch+Campaign/KeySecret=dd00' };
const OAUTH_TOKEN = 'OAuth+Campaign/Bearer=abc123';
const SNS = { accessKeyId: 'AKIACAMPAIGNTEST0001', secretAccessKey: 'Aws+Campaign/Secret/Key=0123456789', sessionToken: 'IQoJcampaign+Session/Token=xyz098' };
const SECRETS: Record<string, string> = {
	'twilio authToken': TWILIO.authToken,
	'twilio apiKeySecret': TWILIO.apiKeySecret,
	'twilio accountSid:authToken': `${TWILIO.accountSid}:${TWILIO.authToken}`,
	'twilio apiKeySid:apiKeySecret': `${TWILIO.apiKeySid}:${TWILIO.apiKeySecret}`,
	'sinch apiToken': SINCH.apiToken,
	'sinch keySecret': SINCH.keySecret,
	'sinch keyId:keySecret': `${SINCH.keyId}:${SINCH.keySecret}`,
	'sinch OAuth token': OAUTH_TOKEN,
	'sns secretAccessKey': SNS.secretAccessKey,
	'sns sessionToken': SNS.sessionToken,
};
const b64 = (text: string) => Buffer.from(text, 'utf-8').toString('base64');
const LOOKED_FOR = Object.entries(SECRETS).flatMap(([name, secret]) =>
	[
		['plain', secret],
		['base64', b64(secret)],
		['base64 unpadded', b64(secret).replace(/=+$/, '')],
		['URL-encoded', encodeURIComponent(secret)],
		['form-encoded', new URLSearchParams({ s: secret }).toString().slice(2)],
	].map(([form, text]) => ({ name, form, text })),
);

/** Everything the request carried, and its credentials decoded and re-encoded. */
function echoOf(req: IncomingMessage, body: Buffer): string {
	const lines = [`${req.method} ${req.url}`];
	for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
	lines.push('', body.toString('utf-8'));
	const auth = req.headers.authorization ?? '';
	const basic = /^Basic\s+(\S+)/i.exec(auth);
	if (basic) {
		const pair = Buffer.from(basic[1], 'base64').toString('utf-8');
		const password = pair.split(':').slice(1).join(':');
		lines.push(`b1 ${pair} b2 ${password} b3 ${encodeURIComponent(password)} b4 ${b64(password)}`);
	}
	const bearer = /^Bearer\s+(\S+)/i.exec(auth);
	if (bearer) lines.push(`t1 ${bearer[1]} t2 ${encodeURIComponent(bearer[1])} t3 ${b64(bearer[1])}`);
	const session = req.headers['x-amz-security-token'];
	if (typeof session === 'string') lines.push(`s1 ${session} s2 ${b64(session)}`);
	return lines.join('\n');
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const echoed: string[] = [];

/** The first path segment picks the answer: ok, err (400), err5 (503), auth401, html4, html5. */
function echoAnswer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
	const url = req.url ?? '/';
	const shape = /^\/([^/]+)/.exec(url)?.[1] ?? '';
	const text = echoOf(req, body);
	echoed.push(text);
	const send = (status: number, type: string, payload: string) => {
		res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload), ...(status === 503 ? { 'Retry-After': '0' } : {}) });
		res.end(payload);
	};
	const json = (status: number, value: unknown) => send(status, 'application/json', JSON.stringify(value));
	if (url.endsWith('/oauth2/token')) return json(200, { access_token: OAUTH_TOKEN, token_type: 'bearer', expires_in: 3600, scope: text });
	if (shape === 'html4') return send(403, 'text/html', `<html><body><h1>Forbidden</h1><pre>${escapeXml(text)}</pre></body></html>`);
	if (shape === 'html5') return send(502, 'text/plain', `Bad gateway. The upstream request was:\n${text}`);
	const now = new Date().toISOString();
	if (url.includes('/Messaging/Countries/')) {
		// Twilio's price list: the echo in its error, or in a price.
		if (shape === 'ok') return json(200, { country: text, iso_country: 'FR', price_unit: 'USD', outbound_sms_prices: [{ carrier: text, mcc: '208', mnc: '01', prices: [{ number_type: 'mobile', base_price: '0.07', current_price: '0.07' }] }] });
		return json(shape === 'err5' ? 503 : shape === 'auth401' ? 401 : 400, { code: 20001, message: text, more_info: text, status: 400 });
	}
	if (url.includes('/2010-04-01/')) {
		if (shape === 'ok') return json(201, { sid: `SM${'ab'.repeat(16)}`, status: 'queued', to: '+33612345678', from: '+15005550006', body: text, error_message: text, num_segments: '1', price: null, price_unit: 'USD', date_created: now, uri: text });
		if (shape === 'auth401') return json(401, { code: 20003, message: text, more_info: text, status: 401 });
		if (shape === 'err5') return json(503, { code: 20500, message: text, more_info: text, status: 503 });
		return json(400, { code: 21211, message: text, more_info: text, status: 400 });
	}
	if (url.includes('/xms/')) {
		if (shape === 'ok') return json(201, { id: '01ECHOCAMPAIGN0000000000000', to: ['33612345678'], from: '+12025550150', body: text, type: 'mt_text', created_at: now, canceled: false, client_reference: text });
		if (shape === 'auth401') return json(401, { code: 'unauthorized', text });
		if (shape === 'err5') return json(503, { code: 'internal_error', text });
		return json(400, { code: 'syntax_invalid_parameter_format', text });
	}
	const xml = (status: number, payload: string) => send(status, 'text/xml', payload);
	const error = (status: number, code: string, type = 'Sender') => xml(status, `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(text)}</Message></Error><RequestId>${escapeXml(text)}</RequestId></ErrorResponse>`);
	if (shape === 'ok') return xml(200, `<PublishResponse><PublishResult><MessageId>0e0c0a0b-0000-4000-8000-000000000001</MessageId></PublishResult><ResponseMetadata><RequestId>${escapeXml(text)}</RequestId></ResponseMetadata></PublishResponse>`);
	if (shape === 'auth401') return error(403, 'InvalidClientTokenId');
	if (shape === 'err5') return error(503, 'ServiceUnavailable', 'Receiver');
	return error(400, 'InvalidParameter');
}

type Mode = 'twilio auth token' | 'twilio API key' | 'sinch service plan' | 'sinch project (OAuth)' | 'sns session token';
const MODES: Mode[] = ['twilio auth token', 'twilio API key', 'sinch service plan', 'sinch project (OAuth)', 'sns session token'];

function credentialsFor(mode: Mode, base: string, authBase: string): [string, IDataObject] {
	switch (mode) {
		case 'twilio auth token':
			return ['messagingTwilioApi', { authType: 'authToken', ...TWILIO, baseUrl: base }];
		case 'twilio API key':
			return ['messagingTwilioApi', { authType: 'apiKey', ...TWILIO, baseUrl: base }];
		case 'sinch service plan':
			return ['messagingSinchApi', { smsAuth: 'servicePlan', region: 'us', ...SINCH, smsBaseUrl: base, authBaseUrl: authBase }];
		case 'sinch project (OAuth)':
			return ['messagingSinchApi', { smsAuth: 'project', region: 'us', ...SINCH, accessToken: '', smsBaseUrl: base, authBaseUrl: authBase }];
		case 'sns session token':
			return ['messagingAwsSnsApi', { region: 'us-east-1', ...SNS, baseUrl: base }];
	}
}

/** JSON of anything, errors with their own fields, buffers as text, cycles cut. */
function dump(value: unknown): string {
	const seen = new WeakSet<object>();
	const text: string | undefined = JSON.stringify(value, (_key, v: unknown) => {
		if (v && typeof v === 'object') {
			const o = v as { type?: unknown; data?: unknown };
			if (o.type === 'Buffer' && Array.isArray(o.data)) return Buffer.from(o.data as number[]).toString('utf-8');
			if (seen.has(v)) return '[circular]';
			seen.add(v);
			if (v instanceof Error) return Object.fromEntries([['name', v.name], ...Object.getOwnPropertyNames(v).map((k) => [k, (v as unknown as Record<string, unknown>)[k]])]);
		}
		return typeof v === 'bigint' ? String(v) : v;
	});
	return text ?? '';
}

function leaks(result: RunResult, logged: string): string[] {
	const error = result.error(CAMPAIGN) ?? result.error();
	const places: Array<[string, string]> = [
		['recipient items', dump(result.items(CAMPAIGN))],
		['summary', dump(summaryOf(result))],
		['error', `${String(error?.message)}\n${String(error?.description)}\n${dump(error)}\n${error?.stack ?? ''}\n${inspect(error, { depth: 12 })}`],
		['run result', `${dump(result.run)}\n${inspect(result.run, { depth: 30, maxArrayLength: 1000, maxStringLength: Infinity })}`],
		['console/stdout/stderr/logger', logged],
	];
	const out: string[] = [];
	for (const [label, text] of places) {
		for (const { name, form, text: secret } of LOOKED_FOR) {
			const at = text.indexOf(secret);
			if (at >= 0) out.push(`${name} (${form}) in ${label}: …${text.slice(Math.max(0, at - 60), at + secret.length + 20).replace(/\n/g, '⏎')}…`);
		}
	}
	return out;
}

describe('Bulk SMS Campaign: secrets echoed back, providers that never answer', () => {
	let echo: LocalServer;
	beforeAll(async () => {
		echo = await localServer(echoAnswer);
	});
	afterAll(async () => {
		await echo?.close();
	});

	it(
		'an echoing server (Authorization and all, in success, error, 5xx, 401 and HTML answers, and in the price list): no secret in any item, the summary, an error or the log',
		async () => {
			const people = Array.from({ length: 3 }, (_, i) => ({ phone: `+3365000060${i}`, name: `E${i}` }));
			const scenarios: Array<{ title: string; route: string; credentials: Array<[string, IDataObject]>; extra?: IDataObject }> = [];
			for (const mode of MODES) {
				for (const shape of ['ok', 'err', 'err5', 'auth401', 'html4', 'html5']) {
					scenarios.push({ title: `${mode}, ${shape}`, route: mode.split(' ')[0], credentials: [credentialsFor(mode, `${echo.url}/${shape}`, `${echo.url}/ok`)] });
				}
			}
			// Fallback: the first fails (a Sinch batch then goes recipient by recipient), the second echoes in its success.
			scenarios.push({ title: 'twilio → sinch', route: 'twilio,sinch', credentials: [credentialsFor('twilio API key', `${echo.url}/err5`, ''), credentialsFor('sinch project (OAuth)', `${echo.url}/ok`, `${echo.url}/ok`)] });
			scenarios.push({ title: 'sinch → twilio', route: 'sinch,twilio', credentials: [credentialsFor('sinch service plan', `${echo.url}/html5`, `${echo.url}/ok`), credentialsFor('twilio auth token', `${echo.url}/ok`, '')] });
			scenarios.push({ title: 'twilio → sns', route: 'twilio,sns', credentials: [credentialsFor('twilio auth token', `${echo.url}/auth401`, ''), credentialsFor('sns session token', `${echo.url}/err`, '')] });
			// A campaign-wide error (no From): the node's own error.
			scenarios.push({ title: 'twilio, no From (node error)', route: 'twilio', credentials: [credentialsFor('twilio auth token', `${echo.url}/ok`, '')], extra: { twilioFrom: '   ' } });
			const found: string[] = [];
			const report: string[] = [];
			const before = echoed.length;
			let logged = 0;
			for (const s of scenarios) {
				for (const [type, data] of s.credentials) engine.setCredentials(type, { ...data } as ICredentialDataDecryptedObject);
				const capture = captureOutput();
				let result: RunResult;
				try {
					result = await engine.run(people, [campaignNode({ provider: s.route, ...s.extra }, {}, { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 5000, pricePerSegment: 0.01 })]);
					await new Promise((resolve) => setImmediate(resolve));
				} finally {
					capture.restore();
				}
				const text = capture.text();
				logged += text.length;
				const here = leaks(result, text);
				found.push(...here.map((f) => `${s.title}: ${f}`));
				report.push(`${s.title}: ${result.error() ? `error: ${result.error()?.message}` : JSON.stringify(summaryOf(result)?.statuses)}${here.length ? `  ← ${here.length} LEAK(S)` : ''}`);
			}
			console.log(`Echo: ${scenarios.length} campaigns, ${echoed.length - before} requests echoed, ${LOOKED_FOR.length} secret forms looked for; ${logged} characters of log captured\n${report.join('\n')}`);
			// The echo server really sent the credentials back (so the check above would have seen them).
			expect(echoed.length - before).toBeGreaterThan(scenarios.length);
			const wire = echoed.slice(before).join('\n');
			// (AWS's secret key never travels: SigV4 only signs with it.)
			expect(Object.keys(SECRETS).filter((name) => !wire.includes(SECRETS[name]))).toEqual(['sns secretAccessKey']);
			expect(logged).toBeGreaterThan(0);
			expect(found.slice(0, 30)).toEqual([]);
		},
		120_000,
	);

	it(
		'a server that never answers, or trickles its answer: the campaign ends within the timeouts, those recipients unknown, each sent once; a re-run with the same key sends none again',
		async () => {
			const hits: string[] = [];
			const silent = await localServer((req) => void hits.push(`silent ${req.method} ${req.url}`));
			const trickle = await localServer((req, res) => {
				hits.push(`trickle ${req.method} ${req.url}`);
				res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': '100000' });
				const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
				res.on('close', () => clearInterval(timer));
			});
			const TIMEOUT = 1000;
			const report: string[] = [];
			const problems: string[] = [];
			try {
				for (const [server, label] of [
					[silent, 'silent'],
					[trickle, 'trickle'],
				] as const) {
					for (const mode of ['twilio auth token', 'sinch service plan', 'sns session token'] as Mode[]) {
						const route = mode.split(' ')[0];
						const key = `hang-${route}-${label}-${unique()}`;
						const people = Array.from({ length: 12 }, (_, i) => ({ phone: `+336500007${String(i).padStart(2, '0')}`, name: `H${i}` }));
						const [type, data] = credentialsFor(mode, server.url, server.url);
						engine.setCredentials(type, data as ICredentialDataDecryptedObject);
						const node = campaignNode({ provider: route, campaignKey: key }, {}, { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: TIMEOUT, concurrency: 6, providerPrices: false });
						const start = hits.length;
						let started = Date.now();
						const one = await engine.run(people, [node], { workflowId: `wf-${key}` });
						const seconds = (Date.now() - started) / 1000;
						const sent = hits.length - start;
						const statuses = summaryOf(one)?.statuses as Record<string, number> | undefined;
						started = Date.now();
						const two = await engine.run(people, [node], { workflowId: `wf-${key}` });
						const again = hits.length - start - sent;
						report.push(`${label} ${route}: ${seconds.toFixed(1)} s, ${sent} requests, ${JSON.stringify(statuses)}; re-run ${((Date.now() - started) / 1000).toFixed(1)} s, ${again} requests, ${JSON.stringify(summaryOf(two)?.statuses)}`);
						const requests = route === 'sinch' ? 1 : people.length;
						// Two rounds of timeouts (12 recipients, 6 at once), and some room for a busy machine.
						if (seconds > (route === 'sinch' ? 1 : 2) * (TIMEOUT / 1000) + 3) problems.push(`${label} ${route}: took ${seconds.toFixed(1)} s`);
						if (sent !== requests) problems.push(`${label} ${route}: ${sent} requests, expected ${requests} (never repeated)`);
						if (statuses?.unknown !== people.length) problems.push(`${label} ${route}: ${JSON.stringify(statuses)}, expected all unknown`);
						if (again !== 0) problems.push(`${label} ${route}: the re-run sent ${again} again`);
						if ((summaryOf(two)?.reasons as IDataObject | undefined)?.alreadySent !== people.length) problems.push(`${label} ${route}: re-run ${JSON.stringify(summaryOf(two)?.reasons)}`);
						for (const item of recipientsOf(one)) if (unclear(item.reasonText)) problems.push(`${label} ${route}: ${unclear(item.reasonText)}`);
					}
				}
			} finally {
				await silent.close();
				await trickle.close();
			}
			console.log(`Servers that never answer (timeout ${TIMEOUT} ms):\n${report.join('\n')}`);
			expect(problems).toEqual([]);
		},
		90_000,
	);
});

// ---- 4. Cancel under load. ----

describe('Bulk SMS Campaign: cancel under load', () => {
	it(
		'cancel after about 1 s of sending 2,000 recipients at 200 a second with faults: nothing leaves after the cancel is handled; the re-run with the same key sends exactly the rest',
		async () => {
			const COUNT = 2000;
			const CONCURRENCY = 20;
			const r = rng(SEED + 3);
			const key = `cancel-${unique()}`;
			const workflowId = `wf-${key}`;
			const tos = Array.from({ length: COUNT }, (_, i) => `+3367${String(i).padStart(7, '0')}`);
			for (const to of tos) {
				const u = r();
				if (u < 0.05) box.get().addFault({ provider: 'twilio', to, type: 'delay', delayMs: r.int(10_000, 25_000) });
				else if (u < 0.06) box.get().addFault({ provider: 'twilio', to, type: 'status', status: 429, retryAfter: 1 });
				else if (u < 0.08) box.get().addFault({ provider: 'twilio', to, type: 'status', status: 503 });
				else if (u < 0.085) box.get().addFault({ provider: 'twilio', to, type: 'hang' });
			}
			const items = tos.map((phone, i) => ({ phone, name: `C${i}` }));
			// A sender of its own: the budget of +15005550006 may still be slowed by the 429s of the storms above (see the BUG below).
			const node = campaignNode({ campaignKey: key, message: 'Cancel {name}', twilioFrom: '+12025550134', rateMode: 'custom', ratePerSecond: 200, rateUnit: 'messages' }, {}, { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000, concurrency: CONCURRENCY, providerPrices: false });
			const before = storedIds(box.get());
			const from = tally.all.length;
			let cancelAt = 0;
			const started = Date.now();
			const canceled = await engine.run(items, [node], {
				workflowId,
				waitForNodes: true,
				// About 1 s after the first message arrived (planning 2,000 recipients comes first), once 60 have (a busy machine).
				onStarted: (cancel) => {
					let firstAt = 0;
					const poll = setInterval(() => {
						const arrived = tally.sends(from).length;
						if (arrived && !firstAt) firstAt = Date.now();
						if (!firstAt || Date.now() - firstAt < 1000 || arrived < 60) return;
						clearInterval(poll);
						cancelAt = Date.now();
						cancel();
					}, 5);
				},
			});
			const returnedAt = Date.now();
			const storedAtReturn = box.get().messages.size;
			// What was on its way when the cancel came may still land (n8n aborts those requests: their bytes may be out).
			await new Promise((resolve) => setTimeout(resolve, 300));
			const storedSettled = storedIds(box.get());
			const requestsSettled = tally.all.length;
			// From then on, nothing more leaves.
			await new Promise((resolve) => setTimeout(resolve, 1500));
			expect(box.get().messages.size).toBe(storedSettled.size);
			expect(tally.all.length).toBe(requestsSettled);
			const sends = tally.sends(from);
			const late = sends.filter((q) => Date.parse(q.at) > cancelAt);
			const lateness = late.length ? Math.max(...late.map((q) => Date.parse(q.at) - cancelAt)) : 0;
			const outputs = canceled.task(CAMPAIGN)?.data?.main?.[0]?.map((i) => i.json);
			expect(outputs).toHaveLength(COUNT);
			const out = outputs as IDataObject[];
			const statuses = countOf(out.map((i) => `${String(i.status)}${i.reason ? `/${String(i.reason)}` : ''}`));
			console.log(
				`Cancel under load: canceled ${((cancelAt - Date.parse(sends[0]?.at ?? '')) / 1000).toFixed(2)} s after the first message arrived (${((cancelAt - started) / 1000).toFixed(2)} s after the start), the node returned ${((returnedAt - cancelAt) / 1000).toFixed(2)} s later; ${sends.length} send requests (${late.length} arrived after the cancel, the last ${lateness} ms after it); ` +
					`${storedSettled.size - before.size} stored (${storedSettled.size - storedAtReturn} of them after the node returned); ${JSON.stringify(statuses)}; summary canceled=${String(summaryOf(canceled)?.canceled)}`,
			);
			expect(cancelAt).toBeGreaterThan(0);
			// Requests already on their way may arrive after the cancel (at most one per worker), each for a recipient
			// reported sent or unknown, never for one reported not sent; a message landing after the node returned is
			// one of those, reported unknown.
			expect(late.length).toBeLessThanOrEqual(CONCURRENCY);
			const byTo = new Map(out.map((item) => [String(item.to), item]));
			expect(late.filter((q) => !['queued', 'unknown'].includes(String(byTo.get(q.recipients[0])?.status)))).toEqual([]);
			expect([...box.get().messages.values()].filter((m) => !before.has(m.id) && Date.parse(m.createdAt) > returnedAt && byTo.get(m.to)?.status !== 'unknown')).toEqual([]);
			const rec = reconcile(box.get(), out, before);
			expect(rec.problems).toEqual([]);
			const accepted = out.filter((i) => i.status === 'queued').length;
			const unknown = out.filter((i) => i.status === 'unknown').length;
			const rest = out.filter((i) => i.status === 'skipped' && i.reason === 'canceled').length;
			expect(accepted + unknown + rest).toBe(COUNT);
			expect(accepted + unknown).toBeGreaterThanOrEqual(50);
			expect(rest).toBeGreaterThan(COUNT / 2);
			expect(summaryOf(canceled)).toMatchObject({ canceled: true });
			expect(countsProblems(canceled, COUNT)).toEqual([]);

			// The re-run, with the faults gone: exactly the rest.
			box.get().faults.splice(0);
			const before2 = storedIds(box.get());
			const from2 = tally.all.length;
			const rerun = await engine.run(items, [{ ...node, parameters: { ...node.parameters, rateMode: 'none' } }], { workflowId });
			const again = recipientsOf(rerun);
			expect(rerun.error()).toBeUndefined();
			expect(countsProblems(rerun, COUNT)).toEqual([]);
			again.forEach((item, i) => {
				const was = out[i];
				const want = was.status === 'queued' || was.status === 'unknown' ? 'skipped/alreadySent' : 'queued';
				if (`${String(item.status)}${item.reason ? `/${String(item.reason)}` : ''}` !== want) throw new Error(`item ${i}: ${String(was.status)}/${String(was.reason)} before, now ${String(item.status)}/${String(item.reason)}, expected ${want}`);
			});
			expect(tally.sends(from2)).toHaveLength(rest);
			expect(reconcile(box.get(), again, before2).problems).toEqual([]);
			// Everyone has exactly one message now, but an unknown one whose request never got out (none).
			const stored = storedByTo(box.get());
			expect(tos.filter((to, i) => (stored.get(to)?.length ?? 0) !== 1 && !(out[i].status === 'unknown' && !stored.has(to)))).toEqual([]);
		},
		90_000,
	);
});

// ---- Defects found by this file: each test fails until its defect is fixed. ----

describe('Bulk SMS Campaign: defects the hostile pass found, each fixed', () => {
	// Input: two items with the same number, the first refused for its own data (a field missing; or a message over
	// Twilio's 1,600 characters), the second fine. Expected: the second is sent (the number has had nothing), or at least
	// not reported "sent once". Actual: the first is invalid, the second "skipped/duplicate: Same number as item 1: sent
	// once", and nobody gets a message. Suspected: nodes/shared/campaign/plan.ts planRecipients, `firstOf.set(phone.e164,
	// input.index)` right after the number is checked, before opt-out, rendering and the broken-character check (and the
	// send-time refusal in send.ts, which the plan cannot see); the skip text claims a send that never happened.
	it('fixed: a duplicate of a recipient refused for its own item is skipped as "sent once", and the number gets nothing', async () => {
		const items = [
			{ phone: '+33650000301' },
			{ phone: '+33 6 50 00 03 01', name: 'Ann' },
			{ phone: '+33650000302', name: 'x'.repeat(1700) },
			{ phone: '06 50 00 03 02', name: 'Bob' },
		];
		const result = await engine.run(items, [campaignNode({ defaultCountry: 'FR' }, {}, FAST)]);
		const out = recipientsOf(result);
		expect(out.map((i) => `${String(i.status)}${i.reason ? `/${String(i.reason)}` : ''}`)).toEqual(['invalid/missingField', 'queued', 'invalid/refused', 'queued']);
		expect([...box.get().messages.values()].map((m) => [m.to, m.body]).sort()).toEqual([
			['+33650000301', 'Hi Ann'],
			['+33650000302', 'Hi Bob'],
		]);
	});

	// Input: quiet hours on, Time Zone = {{ $json.timeZone }}, one item of three with "Mars/Olympus". Expected (plan.ts:
	// "One bad recipient never stops the others: it comes out with a reason"): that recipient invalid with the reason,
	// the others planned and sent (or held for quiet hours). Actual: the node fails with '"Mars/Olympus" is not a time
	// zone' and nothing is sent to anyone. Suspected: nodes/SmsCampaign/actions/campaign.operation.ts runCampaign, the
	// loop `for (const input of inputs) { if (input.timeZone && !isTimeZone(input.timeZone)) throw new NodeOperationError(…)`.
	it("fixed: one item's junk time zone stops the whole campaign", async () => {
		const items = [
			{ phone: '+33650000311', name: 'A', timeZone: 'Europe/Paris' },
			{ phone: '+33650000312', name: 'B', timeZone: 'Mars/Olympus' },
			{ phone: '+33650000313', name: 'C', timeZone: '' },
		];
		const quiet = captureOutput();
		let result: RunResult;
		try {
			result = await engine.run(items, [campaignNode({ quietHours: true, timeZone: '={{ $json.timeZone }}' }, {}, FAST)]);
		} finally {
			quiet.restore();
		}
		expect(result.error()?.message).toBeUndefined();
		const out = recipientsOf(result);
		expect(out[1]).toMatchObject({ status: 'invalid', reasonText: expect.stringContaining('Mars/Olympus') });
		expect(out.filter((i) => i.status === 'invalid')).toHaveLength(1);
	});

	// Input: Message = {{ $json.text }} (a message per item), one item of three whose text is an object. Expected: that
	// recipient invalid with the reason, the two others sent. Actual: the node fails with 'Message must be text, but it
	// is an object ({"a":1})' and nothing is sent. Suspected: campaign.operation.ts messagesOf(): ParameterReader.text()
	// throws for the one item (read.fail), inside the items.map that builds every recipient.
	it("fixed: one item's message expression giving an object stops the whole campaign", async () => {
		const items = [
			{ phone: '+33650000321', text: 'Hello' },
			{ phone: '+33650000322', text: { a: 1 } },
			{ phone: '+33650000323', text: 'Hi' },
		];
		const quiet = captureOutput();
		let result: RunResult;
		try {
			result = await engine.run(items, [campaignNode({ message: '={{ $json.text }}' }, {}, FAST)]);
		} finally {
			quiet.restore();
		}
		expect(result.error()?.message).toBeUndefined();
		expect(recipientsOf(result).map((i) => i.status)).toEqual(['queued', 'invalid', 'queued']);
	});

	// Input: Opted Out = {{ $json.optedOut }} with values people and spreadsheets write for yes (1, "1", "yes", "TRUE",
	// "True"), and junk ({}, [], "maybe"). Expected (design.md: never break consent): none of them messaged; the first
	// as opted out, the junk refused with a reason (consent unknown). Actual: only true and "true" count; every other
	// one is sent. Suspected: campaign.operation.ts, `optedOut: optedOut === true || optedOut === 'true'`.
	it('fixed: opted-out values that mean yes (1, "yes", "TRUE") or cannot be read are messaged', async () => {
		const values: unknown[] = [1, '1', 'yes', 'TRUE', 'True', {}, [], 'maybe'];
		const items = values.map((optedOut, i) => ({ phone: `+3365000033${i}`, name: `O${i}`, optedOut }) as IDataObject);
		const result = await engine.run(items, [campaignNode({ optedOut: '={{ $json.optedOut }}' }, {}, FAST)]);
		const out = recipientsOf(result);
		expect(out.map((i, k) => `${JSON.stringify(values[k])}: ${String(i.status)}/${String(i.reason)}`).filter((line) => line.includes('queued'))).toEqual([]);
		expect(box.get().messages.size).toBe(0);
	});

	// Input: an Opt-Out List whose entries cannot be read as numbers: n8n items mapped whole ({{ $('Opt-outs').all() }}
	// gives [{json: {phone}}]), or numbers stored as numbers without "+" and no Default Country (33650000343).
	// Expected: a clear error before anything is sent ("entry 1 of the Opt-Out List is not a phone number…"), since the
	// campaign cannot honour the list. Actual: the unreadable entries are dropped silently and the opted-out people are
	// messaged. Suspected: campaign.operation.ts, the opt-out loop: `if (phone.ok) optOut.add(phone.e164);` (no else).
	it('fixed: an opt-out list that cannot be read is ignored silently, and the opted-out are messaged', async () => {
		const people = [{ phone: '+33650000341' }, { phone: '+33650000342' }, { phone: '+33650000343' }];
		const problems: string[] = [];
		for (const list of ['={{ [{ json: { phone: "+33650000341" } }, { json: { phone: "+33650000342" } }] }}', '={{ [33650000343] }}']) {
			const before = box.get().messages.size;
			const quiet = captureOutput();
			let result: RunResult;
			try {
				result = await engine.run(people, [campaignNode({ message: 'Hi', options: { optOutList: list } }, {}, FAST)]);
			} finally {
				quiet.restore();
			}
			const sentTo = [...box.get().messages.values()].slice(before).map((m) => m.to);
			// Honoured (an item's phone field, digits without their +, read as the numbers they are) or refused with an
			// error: either way, nobody on the list is messaged.
			const listed = list.includes('json') ? ['+33650000341', '+33650000342'] : ['+33650000343'];
			if (sentTo.some((to) => listed.includes(to))) problems.push(`${list}: ${result.error() ? 'error, and still' : 'no error;'} sent to ${sentTo.join(', ')}`);
		}
		expect(problems).toEqual([]);
	});

	// Input: Sending Rate (rateMode) not one of its options ("bogus": an imported or hand-edited workflow), or Rate per
	// Second above the editor's maximum of 10,000 (1e9). Expected: a clear error before anything is sent, as for a rate
	// of 0. Actual: both send, with no limit at all. Suspected: campaign.operation.ts, the rate's if/else chain has no
	// final else (anything unknown is No Limit), and read.number('Rate per Second', …, 0.01) has no maximum.
	it('fixed: an unknown Sending Rate, or a Rate per Second past 10,000, sends with no limit instead of an error', async () => {
		const problems: string[] = [];
		for (const params of [{ rateMode: 'bogus' }, { rateMode: 'custom', ratePerSecond: 1e9 }] as IDataObject[]) {
			const before = box.get().messages.size;
			const quiet = captureOutput();
			let result: RunResult;
			try {
				result = await engine.run([{ phone: '+33650000351', name: 'R' }], [campaignNode(params, {}, FAST)]);
			} finally {
				quiet.restore();
			}
			if (!result.error()) problems.push(`${JSON.stringify(params)}: no error, ${box.get().messages.size - before} sent, summary rate ${JSON.stringify(summaryOf(result)?.rate)}`);
		}
		expect(problems).toEqual([]);
	});

	// Input: Twilio's base URL at a server that never answers, Timeout per Request 1,000 ms, Use Twilio's Price List on
	// (the default). Expected: the campaign ends within a few timeouts (5 recipients, 5 at once: about 1 s), its
	// recipients unknown. Actual: it first waits 30 s for the price list (n8n's default timeout), then sends. Suspected:
	// campaign.operation.ts buildPriceBook, `providerContext(fns, provider, 0)` without the retry settings' timeoutMs
	// (so DEFAULT_TIMEOUT_MS, 30 s, applies), and one look-up per country at once, with no limit.
	it("fixed: the price look-up ignores Timeout per Request: 30 s against a server that never answers", async () => {
		const hang = await localServer(() => undefined);
		engine.setCredentials('messagingTwilioApi', { authType: 'authToken', ...TWILIO, baseUrl: hang.url });
		const started = Date.now();
		// Stopped after 6 s (the server's sockets destroyed): the run then ends at once, and the test reports the wait.
		const stop = setTimeout(() => void hang.close(), 6000);
		let seconds = 0;
		try {
			const people = Array.from({ length: 5 }, (_, i) => ({ phone: `+3365000036${i}`, name: `T${i}` }));
			await engine.run(people, [campaignNode({}, {}, { maxRetries: 0, timeoutMs: 1000, concurrency: 5 })]);
			seconds = (Date.now() - started) / 1000;
		} finally {
			clearTimeout(stop);
			await hang.close();
		}
		expect(seconds).toBeLessThan(5);
	}, 30_000);

	// Input: a dry run (or the start of any run) of 10,000 recipients. Expected: the campaign yields to the event loop
	// now and then, as the item loop of the other nodes does (items.ts, YIELD_EVERY; hostile.storm.test.ts pins 200 ms):
	// other executions, webhooks and timers of the n8n process keep running, and requests of other executions in flight
	// do not time out for nothing. Actual: the whole plan runs in one synchronous stretch: about 5.7 s here for 10,000
	// (7.3 s with quiet hours) on this loaded 2-core machine, during which nothing else in the process runs (a cancel
	// cannot even be handled). Suspected: nodes/shared/campaign/plan.ts planRecipients (a synchronous map over every
	// recipient, never awaiting), and in it rules/timeZones.ts recipientZones/zonesOfNumber, which call luxon's
	// IANAZone.isValidZone (a new Intl.DateTimeFormat each call, about 0.35 ms) and DateTime.fromJSDate(…).offset for
	// every recipient, even with quiet hours off: more than half of the plan's CPU in a profile.
	it('fixed: planning 10,000 recipients holds the event loop for seconds', async () => {
		const people = Array.from({ length: 10_000 }, (_, i) => ({ phone: `+3366${String(i).padStart(7, '0')}`, name: `L${i}` }));
		const started = Date.now();
		const { value: result, stallMs: longest } = await longestStall(() => engine.run(people, [campaignNode({ dryRun: true }, {}, FAST)]));
		expect(recipientsOf(result)).toHaveLength(people.length);
		console.log(`Dry run of 10,000 recipients: ${((Date.now() - started) / 1000).toFixed(1)} s, the event loop held for up to ${longest} ms at a time`);
		expect(longest).toBeLessThanOrEqual(200);
	}, 60_000);

	// Input: a sender's rate budget (process-wide, one per sender: every campaign from that number in this n8n process)
	// after four "too many requests" bursts (factor down to 1/16), then an hour without a single send. Expected: after
	// a quiet spell that long the rate is back (the doc: "after a quiet spell without one the rate climbs back a quarter
	// at a time": an hour holds 720 quarter-steps), so 100 starts at 100/s take about a second. Actual: the factor climbs
	// one step (×1.25) per start that comes 5 s after the last change, whatever the time idle: the next campaign crawls
	// at 1/16 of its rate for about a minute. Seen in the engine: the cancel test below, run after the storms above (No
	// Limit runs whose 429s also call budget.slowDown on the sender's budget), sent 15 messages in its first second
	// at 200/s. Suspected: nodes/shared/rules/throttle.ts recordStart (`state.factor = Math.min(1, state.factor * 1.25)`
	// once, however long since state.changedAt), and budget.ts pacer(), which renews the settings after 2 s idle but
	// keeps the slowed state; send.ts gated() slows the budget down even in a No Limit run that never takes from it.
	it('fixed: a sender slowed down by "too many requests" stays slow after an hour of quiet: the next campaign crawls', () => {
		const settings = { ...DEFAULT_PACE, perSecond: 100 };
		const state = newPace();
		let now = 0;
		for (let i = 0; i < 20; i++) {
			now = earliestStart(state, settings, 1, now);
			recordStart(state, settings, 1, now);
		}
		for (const t of [1000, 2000, 3000, 4000]) slowDown(state, settings, t, 0);
		expect(state.factor).toBe(1 / 16);
		now = 3_600_000;
		const from = now;
		for (let i = 0; i < 100; i++) {
			now = earliestStart(state, settings, 1, now);
			recordStart(state, settings, 1, now);
		}
		const seconds = (now - from) / 1000;
		console.log(`100 starts at 100/s, an hour after four 429 bursts: ${seconds.toFixed(1)} s, the rate at ${state.factor} of its setting`);
		expect(seconds).toBeLessThan(1.5);
		expect(state.factor).toBe(1);
	});
});
