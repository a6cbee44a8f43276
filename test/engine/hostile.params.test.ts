/**
 * Hostile parameter values through Send SMS: thousands of items (seeded PRNG), each mapping one hostile value
 * (objects, lists, numbers, booleans, null, huge texts, broken UTF-16, control characters, RTL marks, emoji
 * sequences, impossible dates, bad URLs, odd numbers) into a parameter by expression, with Continue On Fail on.
 *
 * Nothing may crash or lose an item, no error may show JavaScript internals, and every message that reached
 * the sandbox must carry exactly the text the item held (in string form), to the recipient the output names.
 */
import type { IDataObject } from 'n8n-workflow';
import type { Engine } from '../helpers/engine';
import { rng, type Rng } from '../helpers/hostile';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';

const box = useSandbox({ limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
});

const SEED = 424242;
const PER_RUN = 1250;
/** Four runs: Twilio with a From number, Twilio through a Messaging Service (it schedules), Sinch, AWS SNS. */
const RUNS = ['twilio', 'twilio-service', 'sinch', 'sns'] as const;
type RunName = (typeof RUNS)[number];
type ProviderName = 'twilio' | 'sinch' | 'sns';
const providerOf = (run: RunName): ProviderName => (run === 'twilio-service' ? 'twilio' : run);
/**
 * The options each run offers (the editor shows them only there, and n8n drops the others from the node's
 * parameters): a hostile value in an option the run does not offer has no effect, so the item must be sent.
 */
const OFFERED: Record<RunName, string[]> = {
	twilio: ['media', 'callback', 'validity'],
	'twilio-service': ['media', 'callback', 'validity', 'sendAt'],
	sinch: ['callback', 'validity', 'sendAt', 'reference'],
	sns: ['maxPrice'],
};
const MESSAGING_SERVICE = `MG${'5c'.repeat(16)}`;

/** JavaScript internals that must never reach a person (the brief's list, and a few more of the same kind). */
const INTERNALS = /is not a function|Cannot read prop|undefined is not|\[object Object\]|TypeError|ReferenceError|SyntaxError|RangeError|Unexpected token|at .*\.js:\d+|is not iterable|Maximum call stack|Invalid time value/;

/** A valid French mobile, distinct per provider and item: +33 6 7k nnnnnn. */
const e164 = (k: number, i: number) => `+3367${k}${String(i).padStart(6, '0')}`;
const national = (number: string) => `0${number.slice(3, 4)} ${number.slice(4, 6)} ${number.slice(6, 8)} ${number.slice(8, 10)} ${number.slice(10, 12)}`;

const RTL = ['\u200f', '\u202e', '\u2067', '\u2069', '\u061c', '\u200e', '\u202b'];
const EMOJI = ['👩‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '👍🏽', '🧑🏿‍🚀', '❤️‍🔥', 'é', 'Z̴̡̛̖a̷l̶g̵o̵', '𝕳𝖊𝖑𝖑𝖔', '中文短信', '🫠'];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r\n', '\u000b', '\f', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff'];
const TRICKY = ['%', '%25', '&', '=', '+', '\\', '"', "'", '<b>&amp;</b>', ']]>', '{{ $json.x }}', '={{ 1 + 1 }}', '${process.env}', '€[]{}^~|', '\\u0000', '__proto__', 'constructor', '%s%d%n', '\u00a0'];
const WORDS = ['Hello', 'your', 'code', 'is', '1234', 'Rendez-vous', 'demain', 'à', '10h', 'ok?', 'ñandú', 'Straße'];

function words(r: Rng, n: number): string {
	return Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
}

/** A text made of random pieces: words, emoji, RTL marks, control characters, characters that need escaping. */
function wildText(r: Rng): string {
	const parts: string[] = [];
	const n = r.int(1, 8);
	for (let j = 0; j < n; j++) {
		const u = r();
		parts.push(u < 0.35 ? words(r, r.int(1, 4)) : u < 0.55 ? r.pick(EMOJI) : u < 0.7 ? r.pick(RTL) : u < 0.85 ? r.pick(CONTROL) : r.pick(TRICKY));
	}
	const text = parts.join(r.chance(0.5) ? ' ' : '');
	return text.trim() === '' ? `x${text}` : text;
}

type Category =
	| 'message-text'
	| 'message-huge'
	| 'message-surrogate'
	| 'message-nontext'
	| 'message-scalar'
	| 'message-empty'
	| 'to-hostile'
	| 'to-format'
	| 'country-fr'
	| 'country-garbage'
	| 'callback-bad'
	| 'callback-ok'
	| 'media'
	| 'sendAt-impossible'
	| 'sendAt-garbage'
	| 'sendAt-valid'
	| 'validity-bad'
	| 'validity-ok'
	| 'maxPrice-bad'
	| 'maxPrice-ok'
	| 'reference'
	| 'from-hostile'
	| 'retry-hostile';

interface Case {
	category: Category;
	json: IDataObject;
	/** The position a broken character must be reported at (1-based UTF-16 unit). */
	brokenAt?: number;
	/** The item must be sent (with this E.164 recipient). */
	mustSend?: string;
	/** The item must be refused with an error containing this. */
	mustRefuse?: RegExp;
}

function hostileCase(r: Rng, k: number, i: number): Case {
	const to = e164(k, i);
	const base: IDataObject = { to, message: `${words(r, 3)} #${i}` };
	const u = r();
	const pick = <T>(list: readonly T[]) => r.pick(list);
	if (u < 0.18) return { category: 'message-text', json: { ...base, message: wildText(r) } };
	if (u < 0.21) {
		const length = r.int(1601, 6000);
		const unit = r.pick(['a', 'é', '😀', 'ab ', '\u200f']);
		return { category: 'message-huge', json: { ...base, message: unit.repeat(Math.ceil(length / unit.length)).slice(0, length).replace(/[\ud800-\udbff]$/, 'x') } };
	}
	if (u < 0.29) {
		const text = wildText(r).replace(/[\ud800-\udfff]/g, 'x');
		const at = r.int(0, text.length);
		const lone = r.pick(['\ud83d', '\ude00', '\udbff', '\udc00']);
		// A low surrogate right after a high one would make a whole pair, a high one right before a low one too.
		const message = text.slice(0, at) + lone + text.slice(at);
		return { category: 'message-surrogate', json: { ...base, message }, brokenAt: at + 1 };
	}
	if (u < 0.34) {
		const value = pick<unknown>([{}, { text: 'hi' }, { a: { b: [1, 2] } }, [], ['hi'], [1, 2, 3], [{}], [null], { toString: 'x' }, { length: 3 }]);
		return { category: 'message-nontext', json: { ...base, message: value as IDataObject }, mustRefuse: /Message must be text/ };
	}
	if (u < 0.37) return { category: 'message-scalar', json: { ...base, message: pick([0, -1.5, 42, 1e21, 123456789012345680000, true, false, 3.14159, -0]) } };
	if (u < 0.39) return { category: 'message-empty', json: { ...base, message: pick<unknown>([null, '', '   ', '\n\t', '\u00a0']) as string }, mustRefuse: /empty/ };
	if (u < 0.45) {
		const value = pick<unknown>([
			{},
			{ phone: to },
			[to],
			[],
			null,
			true,
			0,
			-1,
			1e300,
			'',
			'   ',
			'abc',
			'+',
			'++33612345678',
			'+0',
			'+999999999999999999999',
			`${to},${e164(k, i + 100000)}`,
			`${to}\n${e164(k, i + 100000)}`,
			`${to};${e164(k, i + 100000)}`,
			'javascript:alert(1)',
			'1'.repeat(10_000),
			'\u0000' + to,
			'＋３３６１２３４５６７８',
			'٠٦١٢٣٤٥٦٧٨',
			to.slice(0, 6),
			`${to} ext. 99`,
			'{{ $json.to }}',
			Number(to.slice(1)),
		]);
		return { category: 'to-hostile', json: { ...base, to: value as string } };
	}
	if (u < 0.5) {
		const format = pick([
			(n: string) => n,
			(n: string) => `${n.slice(0, 3)} ${n.slice(3, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)} ${n.slice(8, 10)} ${n.slice(10)}`,
			(n: string) => `00${n.slice(1)}`,
			(n: string) => `(+33) ${n.slice(3, 4)}-${n.slice(4, 6)}.${n.slice(6, 8)}.${n.slice(8, 10)}.${n.slice(10)}`,
			(n: string) => `tel:${n}`,
			(n: string) => ` \u200e${n}\u200f `,
			(n: string) => `\ufeff${n}`,
		]);
		return { category: 'to-format', json: { ...base, to: format(to) }, mustSend: to };
	}
	if (u < 0.56) {
		return { category: 'country-fr', json: { ...base, to: national(to), defaultCountry: pick([' fr ', 'fr', 'FR', ' Fr\t', '\nfR ', 'f r']) }, mustSend: to };
	}
	if (u < 0.59) {
		return { category: 'country-garbage', json: { ...base, to: national(to), defaultCountry: pick<unknown>(['zz', 'france', '12', 'F', 'FRA', '🇫🇷', {}, ['FR'], 33, true, 'ＦＲ']) as string } };
	}
	if (u < 0.64) {
		const value = pick<unknown>([42, {}, { url: 'http://127.0.0.1:9/cb' }, ['http://127.0.0.1:9/cb'], true, 'javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'file:///etc/passwd', 'ftp://127.0.0.1/x', 'data:text/html,<b>x</b>', 'http://', '//127.0.0.1:9/cb', 'not a url', 'http://[::1', ' javascript:alert(1)']);
		const bad = typeof value === 'string' && /^\s*(javascript|file|ftp|data):/i.test(value);
		return { category: 'callback-bad', json: { ...base, statusCallbackUrl: value as string }, mustRefuse: bad ? /Status Callback URL must be an http:\/\/ or https:\/\/ URL/ : /Status Callback URL/ };
	}
	if (u < 0.66) return { category: 'callback-ok', json: { ...base, statusCallbackUrl: pick(['http://127.0.0.1:9/cb', ' http://127.0.0.1:9/cb?a=1&b=%20 ', 'HTTP://127.0.0.1:9/Cb']) } };
	if (u < 0.71) {
		const value = pick<unknown>([
			['http://127.0.0.1:9/a.png'],
			['http://127.0.0.1:9/a.png', 'http://127.0.0.1:9/b.png'],
			[1, 2],
			[{}],
			['http://127.0.0.1:9/a.png', null],
			[['http://127.0.0.1:9/a.png']],
			{},
			{ url: 'http://127.0.0.1:9/a.png' },
			42,
			true,
			'javascript:alert(1)',
			'http://127.0.0.1:9/a.png, file:///etc/passwd',
			Array.from({ length: 11 }, (_, j) => `http://127.0.0.1:9/${j}.png`),
			'http://127.0.0.1:9/a.png,,  ,http://127.0.0.1:9/b.png',
		]);
		return { category: 'media', json: { ...base, mediaUrls: value as string } };
	}
	if (u < 0.75) {
		const value = pick(['2026-02-30T10:00:00', '2027-02-29T10:00:00', '2027-04-31T09:00:00', '2027-13-01T10:00:00', '2027-06-15T25:00:00', '2027-06-15T10:61:00', '2027-00-10T10:00:00', '2027-06-00T10:00:00', '2026-02-30', '2027-02-30 10:00:00']);
		return { category: 'sendAt-impossible', json: { ...base, sendAt: value }, mustRefuse: /Send At is not a valid date/ };
	}
	if (u < 0.78) {
		const value = pick<unknown>(['tomorrow', 'garbage', '10/12/2027', '', 'NaN', 1_800_000_000_000, 0, -1, {}, [], ['2027-01-01'], true, '2027-01-01T10:00:00+99:00', 'Invalid Date']);
		return { category: 'sendAt-garbage', json: { ...base, sendAt: value as string } };
	}
	if (u < 0.8) return { category: 'sendAt-valid', json: { ...base, sendAt: pick(['2028-02-29T10:00:00', '2027-06-15T09:30:00+02:00', '2027-06-15 09:30:00', '2027-06-15T07:30:00Z']) } };
	if (u < 0.84) {
		const value = pick<unknown>([90.5, -1, 'abc', 0, 1e10, '1e3x', {}, [], true, '90.5', ' ', 'Infinity', -0.5]);
		return { category: 'validity-bad', json: { ...base, validityPeriod: value as number }, mustRefuse: /Validity Period must be a whole number/ };
	}
	if (u < 0.85) return { category: 'validity-ok', json: { ...base, validityPeriod: pick([3600, '3600', ' 600 ', 1]) } };
	if (u < 0.89) {
		const value = pick<unknown>([-1, -0.01, 'NaN', 'nan', 'Infinity', '-Infinity', '1e400', 'abc', {}, [], ' ', '-5', true]);
		return { category: 'maxPrice-bad', json: { ...base, maxPrice: value as number }, mustRefuse: /Max Price must be a number/ };
	}
	if (u < 0.9) return { category: 'maxPrice-ok', json: { ...base, maxPrice: pick([0, 0.5, '0.25', 1e-3]) } };
	if (u < 0.93) return { category: 'reference', json: { ...base, clientReference: pick<unknown>([{}, [], 42, 'ref-' + 'x'.repeat(200), 'ref é 😀', '\u0000', true]) as string } };
	if (u < 0.96) {
		const value = pick<unknown>([{}, [], { number: '+15005550006' }, ['+15005550006'], 42, true, '', '   ', 'x'.repeat(300), 'AB', 'Ok Sender', '\u0000', '+1 500 555 0006']);
		return { category: 'from-hostile', json: { ...base, from: value as string } };
	}
	const retry = pick<IDataObject>([
		{ timeoutMs: 2 ** 31 },
		{ timeoutMs: 1e12 },
		{ timeoutMs: -1 },
		{ timeoutMs: 'abc' },
		{ timeoutMs: {} },
		{ maxRetries: -1 },
		{ maxRetries: 1e9 },
		{ maxRetries: 'many' },
		{ maxRetries: 2.5 },
		{ baseDelayMs: 1e15 },
		{ maxDelayMs: -1 },
		{ maxRetryAfterMs: [] },
	]);
	const mustSend = 'timeoutMs' in retry && typeof retry.timeoutMs === 'number' && retry.timeoutMs > 1e9 ? to : undefined;
	return { category: 'retry-hostile', json: { ...base, retry }, mustSend };
}

function sendNode(run: RunName) {
	const service = run === 'twilio-service';
	return {
		type: 'sendSms',
		name: 'Send SMS',
		onError: 'continueRegularOutput' as const,
		parameters: {
			operation: 'send',
			provider: providerOf(run),
			...(service
				? { twilioSenderType: 'messagingService', twilioMessagingServiceSid: `={{ $json.from === undefined ? "${MESSAGING_SERVICE}" : $json.from }}` }
				: {}),
			to: '={{ $json.to }}',
			message: '={{ $json.message }}',
			defaultCountry: '={{ $json.defaultCountry }}',
			twilioFrom: '={{ $json.from === undefined ? "+15005550006" : $json.from }}',
			sinchFrom: '={{ $json.from === undefined ? "+12025550150" : $json.from }}',
			snsSenderId: '={{ $json.from === undefined ? "" : $json.from }}',
			options: {
				statusCallbackUrl: '={{ $json.statusCallbackUrl }}',
				mediaUrls: '={{ $json.mediaUrls }}',
				sendAt: '={{ $json.sendAt }}',
				validityPeriod: '={{ $json.validityPeriod }}',
				maxPrice: '={{ $json.maxPrice }}',
				clientReference: '={{ $json.clientReference }}',
				maxRetries: '={{ $json.retry?.maxRetries ?? 2 }}',
				baseDelayMs: '={{ $json.retry?.baseDelayMs ?? 1 }}',
				maxDelayMs: '={{ $json.retry?.maxDelayMs ?? 5 }}',
				maxRetryAfterMs: '={{ $json.retry?.maxRetryAfterMs ?? 1000 }}',
				timeoutMs: '={{ $json.retry?.timeoutMs ?? 5000 }}',
			},
		},
	};
}

/** The text a Message value stands for: what must be sent, byte for byte. */
function intended(value: unknown): string | undefined {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

/** The option a category's hostile value goes into, if it is an option that only some runs offer. */
const OPTION_OF: Partial<Record<Category, string>> = {
	'callback-bad': 'callback',
	'callback-ok': 'callback',
	media: 'media',
	'sendAt-impossible': 'sendAt',
	'sendAt-garbage': 'sendAt',
	'sendAt-valid': 'sendAt',
	'validity-bad': 'validity',
	'validity-ok': 'validity',
	'maxPrice-bad': 'maxPrice',
	'maxPrice-ok': 'maxPrice',
	reference: 'reference',
};

/** A case as one run must treat it: an option the run does not offer is dropped, so the item must simply be sent. */
function forRun(c: Case, run: RunName, to: string): Case {
	const option = OPTION_OF[c.category];
	if (!option || OFFERED[run].includes(option)) return c;
	return { ...c, mustRefuse: undefined, mustSend: to };
}

const texts = (json: IDataObject) => [json.error, json.errorDescription, json.providerMessage].filter((t) => t !== undefined);

/** The largest timer Node keeps (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Bugs this file found in nodes/ (fixed; their cases below stay as regressions): problems they cause in the big run are counted
 * apart, so that the run still catches everything else.
 */
function knownBug(c: Case, text: string): string | undefined {
	if (c.category === 'from-hostile' && text.includes('[object Object]')) return 'BUG-1 sender read with String(): an object becomes "[object Object]"';
	const timeout = (c.json.retry as IDataObject | undefined)?.timeoutMs;
	if (c.category === 'retry-hostile' && typeof timeout === 'number' && timeout + 1000 > MAX_TIMER_MS) return 'BUG-2 Timeout per Request over 2^31 ms overflows Node timers: ends "unknown" at once';
	return undefined;
}

describe('Send SMS: hostile parameter values', () => {
	it(
		`${PER_RUN * RUNS.length} items of hostile values: no crash, no internals, every stored text exactly the item's`,
		async () => {
			const started = Date.now();
			const r = rng(SEED);
			const cases = RUNS.map((run, k) => Array.from({ length: PER_RUN }, (_, i) => forRun(hostileCase(r, k, i), run, e164(k, i))));
			const results = await Promise.all(RUNS.map((run, k) => engine.run(cases[k].map((c) => c.json), [sendNode(run)])));
			const seconds = (Date.now() - started) / 1000;

			const problems: string[] = [];
			const bugs = new Map<string, number>();
			const claimed = new Set<string>();
			/** Recipients of items that ended "unknown": the sandbox may hold one message for each. */
			const unknownTo = new Set<string>();
			const sentOddities: string[] = [];
			const perCategory = new Map<string, { items: number; sent: number; refused: number }>();
			const stored = [...box.get().messages.values()];
			RUNS.forEach((run, k) => {
				const result = results[k];
				if (result.error()) problems.push(`${run}: the run stopped: ${result.error()?.message}`);
				const items = result.items('Send SMS');
				if (items.length !== PER_RUN) problems.push(`${run}: ${items.length} output items for ${PER_RUN}`);
				items.forEach((item, index) => {
					const paired = (item.pairedItem as { item?: number } | undefined)?.item;
					if (paired !== index) problems.push(`${run} output ${index}: pairedItem ${JSON.stringify(item.pairedItem)}`);
					const c = cases[k][index];
					const json = item.json;
					const tag = `${run} item ${index} [${c.category}] ${JSON.stringify(c.json).slice(0, 160)}`;
					const problem = (text: string) => {
						const bug = knownBug(c, text);
						if (bug) bugs.set(bug, (bugs.get(bug) ?? 0) + 1);
						else problems.push(`${tag}: ${text}`);
					};
					const figures = perCategory.get(c.category) ?? { items: 0, sent: 0, refused: 0 };
					figures.items++;
					perCategory.set(c.category, figures);
					for (const text of texts(json)) {
						if (typeof text !== 'string') problem(`an error text that is not text: ${JSON.stringify(text)}`);
						else if (INTERNALS.test(text)) problem(`error shows internals: ${text}`);
						// "undefined" or "NaN" as a word, outside a quoted value, is a value that went missing in a sentence.
						else if (/\bundefined\b|\bNaN\b/.test(text.replace(/"[^"]*"/g, ''))) problem(`error says undefined/NaN: ${text}`);
					}
					if (json.error !== undefined) {
						figures.refused++;
						if (json.status === 'unknown') {
							unknownTo.add(e164(k, index));
							problem(`ended unknown (ambiguous) though nothing failed on the way: ${String(json.error)}`);
						} else if (c.mustSend) problem(`must be sent to ${c.mustSend}, got: ${String(json.error)} ${String(json.errorDescription ?? '')}`);
						if (c.mustRefuse && !c.mustRefuse.test(String(json.error))) problem(`must be refused with ${c.mustRefuse}, got: ${String(json.error)}`);
						if (c.brokenAt !== undefined && !String(json.error).includes(`at position ${c.brokenAt} `)) {
							problem(`must name the broken character at position ${c.brokenAt}: ${String(json.error)}`);
						}
						return;
					}
					figures.sent++;
					if (c.mustRefuse) problem(`must be refused (${c.mustRefuse}), but was sent as ${String(json.messageId)}`);
					if (c.brokenAt !== undefined) problem('a text with a broken character was sent');
					if (c.mustSend && json.to !== c.mustSend) problem(`sent to ${String(json.to)}, must be ${c.mustSend}`);
					if (c.category === 'to-hostile' || c.category === 'from-hostile') {
						sentOddities.push(`${run} ${c.category} ${JSON.stringify(c.category === 'to-hostile' ? c.json.to : c.json.from).slice(0, 60)} → to ${String(json.to)}, from ${String(json.from)}`);
					}
					const id = String(json.messageId ?? '');
					const mine = stored.filter((m) => m.id === id || m.id.startsWith(`${id}:`));
					if (mine.length !== 1) {
						problem(`reported sent as ${id}, the sandbox has ${mine.length} such message(s)`);
						return;
					}
					const [message] = mine;
					claimed.add(message.id);
					const want = intended(c.json.message);
					if (message.body !== want) problem(`stored body ${JSON.stringify(message.body.slice(0, 80))} is not the item's text ${JSON.stringify(want?.slice(0, 80))}`);
					if (message.body.includes('[object Object]') || String(message.from).includes('[object Object]')) problem(`[object Object] reached the provider (from ${JSON.stringify(message.from)})`);
					if (message.to !== json.to) problem(`stored for ${message.to}, output says ${String(json.to)}`);
				});
			});
			const orphans = stored.filter((m) => !claimed.has(m.id));
			const unexplained = orphans.filter((m) => !unknownTo.has(m.to));
			for (const m of unexplained.slice(0, 20)) problems.push(`stored message ${m.id} to ${m.to} (${JSON.stringify(m.body.slice(0, 40))}) is claimed by no item`);
			const perTo = new Map<string, number>();
			for (const m of stored) perTo.set(m.to, (perTo.get(m.to) ?? 0) + 1);
			for (const [to, n] of perTo) if (n > 1) problems.push(`${to} has ${n} stored messages`);

			const table = [...perCategory]
				.sort()
				.map(([category, f]) => `  ${category.padEnd(18)} ${String(f.items).padStart(5)} items, ${String(f.sent).padStart(4)} sent, ${String(f.refused).padStart(4)} refused`)
				.join('\n');
			console.log(
				`Hostile parameters: ${PER_RUN * RUNS.length} items over ${RUNS.join(', ')}; ${stored.length} stored (${orphans.length} for items that ended unknown); ` +
					`${problems.length} problems; ${seconds.toFixed(1)} s\n${table}\n` +
					`Known bugs hit: ${bugs.size ? [...bugs].map(([bug, n]) => `${bug} ×${n}`).join('; ') : 'none'}\n` +
					`Hostile To/From values that were sent:\n${[...new Set(sentOddities)].map((s) => `  ${s}`).join('\n')}` +
					(problems.length ? `\nProblems:\n${problems.slice(0, 200).join('\n')}` : ''),
			);
			expect(problems.slice(0, 40)).toEqual([]);
		},
		180_000,
	);

	it('an impossible date (February 30) is refused, never moved to March', async () => {
		const result = await engine.run([{ to: '+33612345678', message: 'x', sendAt: '2027-02-30T10:00:00' }], [sendNode('sinch')]);
		const [item] = result.items('Send SMS');
		expect(item.json.error).toBe('Send At is not a valid date: "2027-02-30T10:00:00"');
		expect(box.get().messages.size).toBe(0);
	});

	it('a lone surrogate is refused with its position; Default Country " fr " works', async () => {
		const result = await engine.run(
			[
				{ to: '+33612345678', message: 'ab\ud83dcd' },
				{ to: '06 12 34 56 79', message: 'bonjour', defaultCountry: ' fr ' },
			],
			[sendNode('twilio')],
		);
		const [broken, ok] = result.items('Send SMS').map((i) => i.json);
		expect(broken.error).toBe('The message has a broken character at position 3 (half of an emoji or symbol)');
		expect(ok).toMatchObject({ status: 'queued', to: '+33612345679' });
		expect([...box.get().messages.values()].map((m) => m.body)).toEqual(['bonjour']);
	});

	// Regression (found by this file, fixed): each provider's readSender (nodes/shared/providers/*/sms.ts) reads the sender with String(param(...)),
	// so an object mapped into Sinch From / Twilio From / the Messaging Service SID becomes "[object Object]": Sinch
	// sends the message from "[object Object]"; Twilio's refusal echoes it. It should be refused like Message (params.text).
	it.each(['sinch', 'twilio'] as const)('%s: an object mapped into From is refused before sending, never sent as "[object Object]"', async (run) => {
		const result = await engine.run([{ to: '+33612345678', message: 'x', from: { number: '+15005550006' } }], [sendNode(run)]);
		const [item] = result.items('Send SMS');
		expect(String(item.json.error)).toMatch(/From .*must be text/);
		expect(String(item.json.error)).not.toContain('[object Object]');
		expect(box.get().requests).toHaveLength(0);
	});

	// Regression (found by this file, fixed): readRetrySettings (nodes/shared/descriptions/retryOptions.ts) has no upper bound for timeoutMs; transport.ts
	// passes it to withDeadline (setTimeout(timeoutMs + 1000)) and to n8n's request timeout. Above 2^31-1 ms Node
	// fires such timers after 1 ms (TimeoutOverflowWarning), so every send ends "unknown" at once, the message
	// sometimes sent anyway. The option should be capped (or refused) below 2^31 - 1 - 1000.
	it.each([2 ** 31, 1e12])('Timeout per Request %d ms (over 2^31) still sends the message', async (timeoutMs) => {
		const result = await engine.run([{ to: '+33612345678', message: 'x', retry: { timeoutMs } }], [sendNode('sinch')]);
		expect(result.items('Send SMS')[0].json).toMatchObject({ status: 'accepted', to: '+33612345678' });
	});
});
