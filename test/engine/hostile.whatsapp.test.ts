/**
 * Send WhatsApp and the Messaging Trigger's WhatsApp reading, attacked in n8n's real engine against the sandbox:
 *
 * 1. Thousands of generated bad inputs (seeded) over every parameter of every operation, both providers, Continue On
 *    Fail: each item a clear error or a result, none sinks another, no JavaScript internals, and the sandbox's
 *    stored messages reconcile with the items that came out with a messageId (and carry exactly what the items held).
 * 2. A fault storm (429 with Retry-After, 5xx, resets, hang-after-accept, latency) on the sends and, from a timer,
 *    on whatever request comes next (the window pre-check, the template look-up, the OAuth token), reconciled
 *    message by message; and n8n's Retry On Fail over the same faults.
 * 3. An echoing server as every base URL, every operation and editor method: no secret in any item, error, task data
 *    or log line.
 * 4. A server that accepts and never answers, and one that trickles: every item ends within its requests' timeouts.
 * 5. The trigger: malformed and forged Sinch Conversation callbacks, Twilio WhatsApp forms with odd button fields.
 * 6. The 24-hour window: 23 h 59 vs 24 h 01 (a provider whose history the test writes), Messaging Service senders, a
 *    history request that fails, and the sandbox's scaled window against the node's real 24 hours.
 *
 * Bugs found (the big runs count them apart, so that they keep catching everything else; each with a failing test under "Bugs found", `it.failing`; WA_SHOW_BUGS=1 runs them as plain tests):
 *   BUG-1 a Twilio template variable named constructor / toString / __proto__ ends the item "….trim is not a function";
 *         the editor shows "function Object() { [native code] }" as its example;
 *   BUG-2 a More Parameters key (or Twilio variable) "__proto__" is dropped without a word;
 *   BUG-3 a lone surrogate is refused in Message only: captions, buttons, template values go out (Twilio: as U+FFFD);
 *   BUG-4 a reset of the Sinch OAuth token before a send reads "the message may or may not have gone out", is not
 *         tried again, and n8n's Retry On Fail replays it;
 *   BUG-5 Get Status reads a reset of its GET as "the message may or may not have gone out … not sent again", status
 *         "unknown", and has no Timeout per Request (a silent provider holds it 30 s);
 *   BUG-6 a 10,000-character parameter key is quoted whole in the error;
 *   BUG-7 (test/unit/hostile.whatsapp.test.ts) a Conversation callback's channel is read with String(): an object
 *         whose toString is not a function throws a TypeError (answered 400, logged as such).
 * The build of 23:39 also failed 27 cases of "one fault on a request before the send" (the window pre-check, the
 * template look-ups, the token before a look-up) and Retry On Fail after them; the 23:47 build passes them (kept as
 * regressions).
 */
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import type { IDataObject, INodeListSearchResult, ResourceMapperFields } from 'n8n-workflow';
import { computeSinchWebhookSignature } from '../../nodes/shared/signatures/sinch';
import { computeTwilioSignature } from '../../nodes/shared/signatures/twilio';
import { startSandbox, type FaultInput, type Sandbox } from '../../sandbox/server';
import { TWILIO_TEMPLATE_SIDS } from '../../sandbox/twilioContentSeeds';
import { sandboxCredential } from '../helpers/credentials';
import type { Engine, RunResult } from '../helpers/engine';
import { captureOutput, localServer, rng, type LocalServer, type Rng } from '../helpers/hostile';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';

// Rate limits out of the way: every 429 in this file is an injected one.
const box = useSandbox({ limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12 } });
const engines = useEngine(box);
let engine: Engine;
const SINCH_WA_CREDENTIAL = 'Sandbox Sinch (project, WhatsApp)';
beforeEach(() => {
	engine = engines.get();
	engine.setCredentials('messagingSinchApi', sandboxCredential(box.get(), SINCH_WA_CREDENTIAL));
});

const NODE = 'Send WhatsApp';
const TWILIO_WA = '+14155238886';
const SINCH_WA = '+12025550155';
const MESSAGING_SERVICE = `MG${'5c'.repeat(16)}`;
const SIDS = TWILIO_TEMPLATE_SIDS;
/** JavaScript internals that must never reach a person. */
const INTERNALS = /is not a function|Cannot read prop|undefined is not|\[object Object\]|TypeError|ReferenceError|SyntaxError|RangeError|Unexpected token|at .*\.js:\d+|is not iterable|Maximum call stack|Invalid time value|native code/;
const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);
const outbound = () => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api');
const texts = (json: IDataObject) => [json.error, json.errorDescription].filter((t) => t !== undefined);

/** A distinct valid French mobile: +33 6 <block> nnnnnn. */
const mobile = (block: number, i: number) => `+336${String(block).padStart(2, '0')}${String(i).padStart(6, '0')}`;
const national = (number: string) => `0${number.slice(3, 4)} ${number.slice(4, 6)} ${number.slice(6, 8)} ${number.slice(8, 10)} ${number.slice(10, 12)}`;

/** The customer writes to the sender: their 24-hour window opens (Twilio per sender and contact, Sinch per contact). */
async function openWindow(provider: 'twilio' | 'sinch', phone: string): Promise<void> {
	const answer = await control('POST', '/inbound', { from: phone, to: provider === 'twilio' ? `whatsapp:${TWILIO_WA}` : SINCH_WA, body: 'Hello', channel: 'whatsapp' });
	if (answer.httpStatus !== 201) throw new Error(`inbound refused: ${JSON.stringify(answer)}`);
}

/** A Sinch access token from the sandbox, so that the first request of a run is not the token's. */
async function sinchToken(sandbox: Sandbox = box.get()): Promise<string> {
	const { keyId, keySecret } = sandbox.accounts.sinch;
	const res = await fetch(`${sandbox.url}/oauth2/token`, {
		method: 'POST',
		headers: { Authorization: `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: 'grant_type=client_credentials',
	});
	return ((await res.json()) as { access_token: string }).access_token;
}

type Provider = 'twilio' | 'sinch';

function waNode(provider: Provider, parameters: IDataObject, settings: IDataObject = {}) {
	const { options, ...rest } = parameters as { options?: IDataObject };
	return {
		type: 'sendWhatsApp',
		name: NODE,
		...settings,
		parameters: {
			provider,
			to: '={{ $json.to }}',
			twilioWhatsAppFrom: TWILIO_WA,
			...rest,
			options: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2000, timeoutMs: 5000, ...options },
		},
	};
}
const continueOnFail = { onError: 'continueRegularOutput' as const };
const twilioTemplate = (sid: string, variables: IDataObject, prefix = '') => ({
	[prefix ? `${prefix}Template` : 'template']: { __rl: true, mode: 'id', value: sid },
	[prefix ? `${prefix}TemplateVariables` : 'templateVariables']: { mappingMode: 'defineBelow', value: variables },
});
const ORDER_VARS = { '1': 'Ada', '2': '#1042', '3': 'Friday' };

// ---------------------------------------------------------------------------------------------------------------
// 1. Generated bad inputs
// ---------------------------------------------------------------------------------------------------------------

const RTL = ['\u200f', '\u202e', '\u2067', '\u061c'];
const EMOJI = ['👩‍👩‍👧‍👦', '🇫🇷', '👍🏽', 'é', 'Z̴̡̛̖a̷l̶g̵o̵', '中文', '🫠'];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\t', '\n', '\u001b[31m', '\u007f', '\u2028', '\ufeff', '\uffff'];
const TRICKY = ['%', '&', '=', '+', '\\', '"', "'", '<b>&amp;</b>', '{{1}}', '{{ $json.x }}', '={{ 1 + 1 }}', '${process.env}', '__proto__', 'constructor', '%s%d%n', '\u00a0', '</Message>', '"}],"x":{"'];
const WORDS = ['Hello', 'your', 'order', 'is', 'ready', 'Rendez-vous', 'à', '10h', 'ok?', 'Straße'];
const NON_TEXT: unknown[] = [{}, { text: 'hi' }, { a: { b: [1, 2] } }, [], ['hi'], [1, 2, 3], [{}], [null], { toString: 'x' }, { length: 3 }];
const SCALARS: unknown[] = [0, -1.5, 42, 1e21, true, false, 3.14159];
const LONE = ['\ud83d', '\ude00', '\udbff', '\udc00'];

function words(r: Rng, n: number): string {
	return Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
}
function wild(r: Rng): string {
	const parts: string[] = [];
	for (let j = r.int(1, 6); j > 0; j--) {
		const u = r();
		parts.push(u < 0.4 ? words(r, r.int(1, 3)) : u < 0.6 ? r.pick(EMOJI) : u < 0.7 ? r.pick(RTL) : u < 0.85 ? r.pick(CONTROL) : r.pick(TRICKY));
	}
	const text = parts.join(r.chance(0.5) ? ' ' : '');
	return text.trim() === '' ? `x${text}` : text;
}
/** A text with one lone surrogate at a random place: the 1-based position it sits at. */
function broken(r: Rng): { text: string; at: number } {
	const text = wild(r).replace(/[\ud800-\udfff]/g, 'x');
	const at = r.int(0, text.length);
	return { text: text.slice(0, at) + r.pick(LONE) + text.slice(at), at: at + 1 };
}
const huge = (r: Rng, min: number, max: number) => {
	const unit = r.pick(['a', 'é', '😀', 'ab ', '\u200f']);
	const length = r.int(min, max);
	return unit.repeat(Math.ceil(length / unit.length)).slice(0, length).replace(/[\ud800-\udbff]$/, 'x');
};

const BAD_URLS = [
	'javascript:alert(1)',
	' JAVASCRIPT:alert(1)',
	'file:///etc/passwd',
	'data:image/png;base64,iVBORw0KGgo=',
	'ftp://127.0.0.1/a.png',
	'/relative/a.png',
	'a.png',
	'//127.0.0.1:9/a.png',
	'http://',
	'not a url',
	'http://[::1',
	'mailto:a@b.c',
	'ws://127.0.0.1:9/a',
];
const ODD_URLS = [
	'https://user:pass@127.0.0.1:9/a.png',
	`https://127.0.0.1:9/${'a'.repeat(10_000)}.png`,
	' https://127.0.0.1:9/a.png ',
	'https://127.0.0.1:9/a b.png',
	'https://127.0.0.1:9/a.png?x=<script>&y="',
	'HTTPS://EXAMPLE.COM/A.PDF',
	'https://例え.テスト/a.png',
	'http://127.0.0.1:9/#frag',
];

type Expect = { refuse?: RegExp; send?: boolean; brokenAt?: number; bug?: string };
interface Case extends Expect {
	field: string;
	json: IDataObject;
}

/** What an item's value for a text parameter must do, generically: objects refused, scalars written out, broken characters refused. */
function textCase(r: Rng, label: string, opts: { max?: number; trimmed?: boolean; emptyRefused?: RegExp; brokenChecked?: boolean; brokenBug?: string }): { value: unknown } & Expect {
	const u = r();
	if (u < 0.3) return { value: wild(r), send: undefined };
	if (u < 0.4) {
		const { text, at } = broken(r);
		return opts.brokenChecked ? { value: text, refuse: /broken character at position/, brokenAt: at } : { value: text, bug: opts.brokenBug };
	}
	if (u < 0.5) return { value: r.pick(NON_TEXT), refuse: new RegExp(`^${label.replace(/[()[\]{}+?.*^$|\\]/g, '\\$&')} must be text, but it is `) };
	if (u < 0.58) return { value: r.pick(SCALARS) };
	if (u < 0.66) return { value: r.pick<unknown>([null, '', '   ', '\n\t', '\u00a0']), refuse: opts.emptyRefused };
	if (u < 0.76 && opts.max) return { value: huge(r, opts.max + 1, opts.max + 3000) };
	if (u < 0.82) return { value: r.pick(['\u0000', 'a\u0000b', '\u0000'.repeat(5)]) };
	return { value: `${words(r, 3)} ${r.pick(TRICKY)}` };
}

interface RunSpec {
	name: string;
	provider: Provider;
	node: IDataObject;
	/** Set up before the run (windows to open). */
	recipients: string[];
	openWindows: boolean;
	make(r: Rng, i: number, to: string): Case;
	/** What a stored message must hold for an item that was sent. */
	check?(c: Case, stored: IDataObject, json: IDataObject): string | undefined;
}

const HOSTILE_TO: unknown[] = [{}, { phone: '+33612345678' }, ['+33612345678'], [], null, true, 0, -1, 1e300, '', '   ', 'abc', '+', '++33612345678', '+0', '+999999999999999999999', '+33612345678,+33612345679', '+33612345678\n+33612345679', 'javascript:alert(1)', '1'.repeat(10_000), '\u0000+33612345678', '＋３３６１２３４５６７８', '{{ $json.to }}', 'whatsapp:', 'whatsapp:whatsapp:+33612345678', 'sms:+33612345678', '+12125550101', '+33 1 23 45 67 89'];

/** To in the ways people write a number (and the bad ways): the recipient must be the E.164 one, or a clear refusal. */
function toCase(r: Rng, to: string): Case {
	const u = r();
	if (u < 0.5) {
		const format = r.pick([
			(n: string) => n,
			(n: string) => `whatsapp:${n}`,
			(n: string) => `WhatsApp:${n}`,
			(n: string) => `${n.slice(0, 3)} ${n.slice(3, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)} ${n.slice(8, 10)} ${n.slice(10)}`,
			(n: string) => `00${n.slice(1)}`,
			(n: string) => ` \u200e${n}\u200f `,
			(n: string) => `\ufeff${n}`,
		]);
		return { field: 'to', json: { to: format(to) }, send: true };
	}
	if (u < 0.65) return { field: 'to', json: { to: national(to), defaultCountry: r.pick([' fr ', 'FR', 'fr']) }, send: true };
	if (u < 0.75) return { field: 'defaultCountry', json: { to: national(to), defaultCountry: r.pick<unknown>(['zz', 'france', '12', {}, ['FR'], 33, true, '🇫🇷']) as string } };
	return { field: 'to', json: { to: r.pick(HOSTILE_TO) as string } };
}

/** Options every sending operation has: a status callback URL, Number Validation, retries, statusToTrigger. */
function optionCase(r: Rng, provider: Provider): Case {
	const u = r();
	if (u < 0.35) {
		const value = r.pick<unknown>([...BAD_URLS, 42, {}, ['http://127.0.0.1:9/cb'], true]);
		const bad = typeof value === 'string' && /^\s*(javascript|file|ftp|data|mailto|ws):/i.test(value);
		return { field: 'statusCallbackUrl', json: { statusCallbackUrl: value as string }, refuse: bad ? /^Status Callback URL must be an http:\/\/ or https:\/\/ URL/ : /^Status Callback URL must be/ };
	}
	if (u < 0.5) return { field: 'statusCallbackUrl', json: { statusCallbackUrl: r.pick(ODD_URLS) } };
	if (u < 0.6) return { field: 'phoneValidation', json: { phoneValidation: r.pick<unknown>(['possible', 'strict', 'bogus', {}, 1, '']) as string } };
	if (u < 0.8) {
		const retry = r.pick<IDataObject>([{ timeoutMs: 2 ** 31 }, { timeoutMs: -1 }, { timeoutMs: 'abc' }, { timeoutMs: {} }, { maxRetries: -1 }, { maxRetries: 1e9 }, { maxRetries: 'many' }, { baseDelayMs: 1e15 }, { maxDelayMs: -1 }, { maxRetryAfterMs: [] }]);
		return { field: 'retry', json: { retry }, send: true };
	}
	// A sender with no trigger set up: refused (Twilio); an option Sinch does not offer: no effect.
	return { field: 'statusToTrigger', json: { statusToTrigger: r.pick<unknown>([true, 'true']) as boolean }, ...(provider === 'twilio' ? { refuse: /Messaging Trigger/ } : { send: true }) };
}

const retryExpr = {
	statusCallbackUrl: '={{ $json.statusCallbackUrl }}',
	phoneValidation: '={{ $json.phoneValidation ?? "strict" }}',
	statusToTrigger: '={{ $json.statusToTrigger ?? false }}',
	maxRetries: '={{ $json.retry?.maxRetries ?? 2 }}',
	baseDelayMs: '={{ $json.retry?.baseDelayMs ?? 1 }}',
	maxDelayMs: '={{ $json.retry?.maxDelayMs ?? 5 }}',
	maxRetryAfterMs: '={{ $json.retry?.maxRetryAfterMs ?? 1000 }}',
	timeoutMs: '={{ $json.retry?.timeoutMs ?? 5000 }}',
};
const common = { to: '={{ $json.to }}', defaultCountry: '={{ $json.defaultCountry }}', options: retryExpr };

/** The text a value stands for once the node reads it (objects have none). */
function asText(value: unknown): string | undefined {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

const SENDER_VALUES: unknown[] = [{}, [], { number: TWILIO_WA }, [TWILIO_WA], 42, true, '', '   ', 'x'.repeat(300), `whatsapp:${TWILIO_WA}`, ` ${TWILIO_WA} `, '+1 415 523 8886', '+15005550006', 'whatsapp:', '\u0000'];
const TEMPLATE_SID_VALUES: unknown[] = [
	`HX${'0'.repeat(32)}`,
	'HX123',
	`hx${SIDS.orderShipped.slice(2)}`,
	`MG${'5c'.repeat(16)}`,
	`SM${'a'.repeat(32)}`,
	`${SIDS.orderShipped}/../../2010-04-01/Accounts`,
	'../../../etc/passwd',
	'..',
	`HX${'g'.repeat(32)}`,
	`${SIDS.orderShipped}'; DROP TABLE--`,
	`  ${SIDS.orderShipped}  `,
	`HX${'a'.repeat(32)}\u0000`,
	'{{ $json.sid }}',
	'',
	{},
	[SIDS.orderShipped],
	42,
	`HX${'f'.repeat(32)}`.toUpperCase(),
];

const RUNS: RunSpec[] = [
	{
		// Free-form text, the window checked first (open for every recipient): every text parameter and option.
		name: 'twilio text',
		provider: 'twilio',
		node: { operation: 'sendMessage', message: '={{ $json.message }}', outsideWindow: 'fail', twilioWhatsAppFrom: `={{ $json.from === undefined ? "${TWILIO_WA}" : $json.from }}`, ...common },
		recipients: [],
		openWindows: true,
		make(r, i, to) {
			const base = { to, message: `${words(r, 3)} #${i}` };
			const u = r();
			if (u < 0.4) {
				const t = textCase(r, 'Message', { max: 1600, emptyRefused: /^The message is empty$/, brokenChecked: true });
				return { field: 'message', json: { ...base, message: t.value as string }, ...t, ...(typeof t.value === 'string' && t.value.length > 1600 ? { refuse: /Twilio accepts at most 1600/ } : {}) };
			}
			if (u < 0.6) {
				const c = toCase(r, to);
				return { ...c, json: { ...base, ...c.json } };
			}
			if (u < 0.75) {
				const value = r.pick(SENDER_VALUES);
				const refuse = typeof value === 'object' || typeof value === 'boolean' ? /^WhatsApp From must be text, but it is / : undefined;
				return { field: 'from', json: { ...base, from: value as string }, refuse };
			}
			const c = optionCase(r, 'twilio');
			return { ...c, json: { ...base, ...c.json } };
		},
		check(c, stored) {
			const want = asText(c.json.message);
			if (want !== undefined && stored.body !== want) return `stored body ${JSON.stringify(String(stored.body).slice(0, 60))} is not the item's ${JSON.stringify(want.slice(0, 60))}`;
			return undefined;
		},
	},
	{
		name: 'twilio media',
		provider: 'twilio',
		node: { operation: 'sendMessage', messageType: 'media', mediaUrl: '={{ $json.url }}', caption: '={{ $json.caption }}', outsideWindow: 'send', ...common },
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base = { to, url: `https://127.0.0.1:9/${i}.png`, caption: `Invoice ${i}` };
			const u = r();
			if (u < 0.45) {
				if (r.chance(0.5)) return { field: 'mediaUrl', json: { ...base, url: r.pick(BAD_URLS) }, refuse: /^Media URL must be an http:\/\/ or https:\/\/ URL/ };
				if (r.chance(0.3)) return { field: 'mediaUrl', json: { ...base, url: r.pick<unknown>([{}, [], 42, true, ['https://127.0.0.1:9/a.png']]) as string }, refuse: /^Media URL must be a URL, but it is / };
				if (r.chance(0.2)) return { field: 'mediaUrl', json: { ...base, url: r.pick<unknown>([null, '', '  ']) as string }, refuse: /^Media URL is empty$/ };
				return { field: 'mediaUrl', json: { ...base, url: r.pick(ODD_URLS) } };
			}
			const t = textCase(r, 'Caption', { max: 1600, brokenBug: 'BUG-3 a broken character in a caption is sent (Twilio: replaced by U+FFFD)' });
			// WhatsApp shows 1024 characters under media; Twilio takes 1600 in a Body: over 1600 is refused either way.
			const refuse = t.refuse ?? (typeof t.value === 'string' && t.value.trim().length > 1600 ? /^The caption has \d+ characters; (Twilio accepts|WhatsApp shows) at most (1600|1024)$/ : undefined);
			return { field: 'caption', json: { ...base, caption: t.value as string }, ...t, refuse };
		},
		check(c, stored) {
			const url = String(c.json.url).trim();
			if (JSON.stringify(stored.mediaUrls) !== JSON.stringify([url])) return `stored media ${JSON.stringify(stored.mediaUrls).slice(0, 80)} is not the item's ${url.slice(0, 80)}`;
			const caption = (asText(c.json.caption) ?? '').trim();
			if (stored.body !== caption) return `stored caption ${JSON.stringify(String(stored.body).slice(0, 60))} is not the item's ${JSON.stringify(caption.slice(0, 60))}`;
			return undefined;
		},
	},
	{
		// Send Template: the Content SID (malformed, another kind of SID, path traversal, injection) and the variables.
		name: 'twilio template',
		provider: 'twilio',
		node: {
			operation: 'sendTemplate',
			template: { __rl: true, mode: 'id', value: '={{ $json.sid }}' },
			templateVariables: { mappingMode: 'defineBelow', value: { '1': '={{ $json.v1 }}', '2': '={{ $json.v2 }}', '3': '={{ $json.v3 }}' } },
			...common,
		},
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base = { to, sid: SIDS.orderShipped, v1: 'Ada', v2: `#${i}`, v3: 'Friday' };
			const u = r();
			if (u < 0.35) {
				const sid = r.pick(TEMPLATE_SID_VALUES);
				const text = typeof sid === 'string' || typeof sid === 'number' ? String(sid).trim() : undefined;
				let refuse: RegExp | undefined;
				if (text === undefined) refuse = /^Template must be text, but it is /;
				else if (text === '') refuse = /^Template is empty$/;
				else if (text !== SIDS.orderShipped) refuse = /is not a Twilio Content SID|account has no template/;
				return { field: 'template', json: { ...base, sid: sid as string }, refuse, send: text === SIDS.orderShipped };
			}
			const slot = r.pick(['v1', 'v2', 'v3']);
			const t = textCase(r, `Template Variables → {{${slot.slice(1)}}}`, { max: 1000, emptyRefused: /needs a value for \{\{\d\}\}/, brokenBug: 'BUG-3 a broken character in a template variable is sent' });
			if (t.value === null) return { field: 'variable', json: { ...base, [slot]: null }, refuse: /needs a value for \{\{\d\}\}/ };
			return { field: 'variable', json: { ...base, [slot]: t.value as string }, ...t };
		},
		check(c, stored) {
			const rendered = `Hi ${asText(c.json.v1)}, your order ${asText(c.json.v2)} has shipped and arrives ${asText(c.json.v3)}.`;
			if (stored.body !== rendered && ![c.json.v1, c.json.v2, c.json.v3].some((v) => String(v).includes('{{'))) return `stored ${JSON.stringify(String(stored.body).slice(0, 80))} is not the template with the item's values`;
			return undefined;
		},
	},
	{
		// Map Automatically: the template's variables read from the item's fields of the same names ("1", "2", "3").
		name: 'twilio template, mapped',
		provider: 'twilio',
		node: { operation: 'sendTemplate', template: { __rl: true, mode: 'id', value: SIDS.orderShipped }, templateVariables: { mappingMode: 'autoMapInputData', value: null }, ...common },
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base: IDataObject = { to, '1': 'Ada', '2': `#${i}`, '3': 'Friday' };
			const slot = r.pick(['1', '2', '3']);
			const u = r();
			if (u < 0.15) {
				const json = { ...base };
				delete json[slot];
				return { field: 'mapped variable', json, refuse: new RegExp(`needs a value for \\{\\{${slot}\\}\\}`) };
			}
			const t = textCase(r, slot, { max: 1000, emptyRefused: new RegExp(`needs a value for \\{\\{${slot}\\}\\}`), brokenBug: 'BUG-3 a broken character in a template variable is sent' });
			// An object where a text is wanted: refused, as missing or as not text.
			const refuse = t.value === null ? new RegExp(`needs a value for \\{\\{${slot}\\}\\}`) : t.refuse ? new RegExp(`needs a value for \\{\\{${slot}\\}\\}|must be text`) : undefined;
			return { field: 'mapped variable', json: { ...base, [slot]: t.value as string }, ...t, refuse };
		},
		check(c, stored) {
			const rendered = `Hi ${asText(c.json['1'])}, your order ${asText(c.json['2'])} has shipped and arrives ${asText(c.json['3'])}.`;
			if (stored.body !== rendered && ![c.json['1'], c.json['2'], c.json['3']].some((v) => String(v).includes('{{'))) return `stored ${JSON.stringify(String(stored.body).slice(0, 80))} is not the template with the item's values`;
			return undefined;
		},
	},
	{
		// Outside the window, the fallback template: its SID and variables mapped from the item.
		name: 'twilio fallback',
		provider: 'twilio',
		node: {
			operation: 'sendMessage',
			message: 'Are you there?',
			outsideWindow: 'template',
			fallbackTemplate: { __rl: true, mode: 'id', value: '={{ $json.sid }}' },
			fallbackTemplateVariables: { mappingMode: 'defineBelow', value: { '1': '={{ $json.v1 }}', '2': '={{ $json.v2 }}', '3': '={{ $json.v3 }}' } },
			...common,
		},
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base = { to, sid: SIDS.orderShipped, v1: 'Ada', v2: `#${i}`, v3: 'Friday' };
			if (r.chance(0.5)) {
				const sid = r.pick(TEMPLATE_SID_VALUES);
				const text = typeof sid === 'string' || typeof sid === 'number' ? String(sid).trim() : undefined;
				let refuse: RegExp | undefined;
				if (text === undefined) refuse = /^Fallback Template must be text, but it is /;
				else if (text === '') refuse = /^Fallback Template is empty$/;
				else if (text !== SIDS.orderShipped) refuse = /is not a Twilio Content SID|account has no template/;
				return { field: 'fallbackTemplate', json: { ...base, sid: sid as string }, refuse, send: text === SIDS.orderShipped };
			}
			const slot = r.pick(['v1', 'v2', 'v3']);
			const t = textCase(r, `Fallback Template Variables → {{${slot.slice(1)}}}`, { max: 1000, emptyRefused: /needs a value for \{\{\d\}\}/, brokenBug: 'BUG-3 a broken character in a template variable is sent' });
			if (t.value === null) return { field: 'fallbackVariable', json: { ...base, [slot]: null }, refuse: /needs a value for \{\{\d\}\}/ };
			return { field: 'fallbackVariable', json: { ...base, [slot]: t.value as string }, ...t };
		},
		check(_c, stored, json) {
			if (json.templateFallback !== true || json.type !== 'template') return `outside the window, sent as ${String(json.type)} (templateFallback ${String(json.templateFallback)})`;
			if (!(stored.whatsapp as IDataObject | undefined)?.template) return 'the stored message is not the template';
			return undefined;
		},
	},
	{
		// A Messaging Service sender: its SID mapped from the item.
		name: 'twilio service',
		provider: 'twilio',
		node: { operation: 'sendTemplate', twilioWhatsAppSenderType: 'messagingService', twilioWhatsAppServiceSid: '={{ $json.mg }}', ...twilioTemplate(SIDS.orderShipped, ORDER_VARS), ...common },
		recipients: [],
		openWindows: false,
		make(r, _i, to) {
			const value = r.pick<unknown>([MESSAGING_SERVICE, ` ${MESSAGING_SERVICE} `, `MG${'0'.repeat(32)}`, 'MG123', `mg${'5c'.repeat(16)}`, `${MESSAGING_SERVICE}/../x`, '', {}, [], 42, true, TWILIO_WA, `PN${'1'.repeat(32)}`]);
			let refuse: RegExp | undefined;
			if (typeof value === 'object' || typeof value === 'boolean') refuse = /^Messaging Service SID must be text, but it is /;
			else if (String(value).trim() === '') refuse = /needs a WhatsApp From number or a Messaging Service SID/;
			else if (!/^MG[0-9a-fA-F]{32}$/.test(String(value).trim())) refuse = /is not a Messaging Service SID/;
			return { field: 'messagingService', json: { to, mg: value as string }, refuse, send: String(value).trim() === MESSAGING_SERVICE };
		},
	},
	{
		name: 'sinch text',
		provider: 'sinch',
		node: { operation: 'sendMessage', message: '={{ $json.message }}', outsideWindow: 'fail', ...common },
		recipients: [],
		openWindows: true,
		make(r, i, to) {
			const base = { to, message: `${words(r, 3)} #${i}` };
			const u = r();
			if (u < 0.5) {
				const t = textCase(r, 'Message', { max: 4096, emptyRefused: /^The message is empty$/, brokenChecked: true });
				const refuse = t.refuse ?? (typeof t.value === 'string' && t.value.length > 4096 ? /WhatsApp accepts at most 4096/ : undefined);
				return { field: 'message', json: { ...base, message: t.value as string }, ...t, refuse };
			}
			if (u < 0.75) {
				const c = toCase(r, to);
				return { ...c, json: { ...base, ...c.json } };
			}
			const c = optionCase(r, 'sinch');
			return { ...c, json: { ...base, ...c.json } };
		},
		check(c, stored) {
			const want = asText(c.json.message);
			if (want !== undefined && stored.body !== want) return `stored body ${JSON.stringify(String(stored.body).slice(0, 60))} is not the item's ${JSON.stringify(want.slice(0, 60))}`;
			return undefined;
		},
	},
	{
		// Three quick-reply buttons, each title and payload mapped from the item.
		name: 'sinch buttons',
		provider: 'sinch',
		node: {
			operation: 'sendMessage',
			message: 'Pick one',
			outsideWindow: 'fail',
			buttons: { button: [0, 1, 2].map((n) => ({ title: `={{ $json.t${n} }}`, payload: `={{ $json.p${n} }}` })) },
			...common,
		},
		recipients: [],
		openWindows: true,
		make(r, i, to) {
			const base: IDataObject = { to, t0: 'Yes', t1: 'No', t2: 'Later', p0: `yes-${i}`, p1: '', p2: `later-${i}` };
			const n = r.int(0, 2);
			const u = r();
			if (u < 0.5) {
				const value = r.pick<unknown>(['', '   ', null, 'x'.repeat(21), '12345678901234567890', '😀'.repeat(20), '😀'.repeat(21), 'yes', 'YES', ' No ', {}, [], 42, true, 'a\u0000b', '\u200f', '{{1}}']);
				let refuse: RegExp | undefined;
				const text = asText(value);
				if (text === undefined) refuse = new RegExp(`^Button ${n + 1} Title must be text, but it is `);
				else if (text.trim() === '') refuse = new RegExp(`^Button ${n + 1} has no title$`);
				else if ([...text.trim()].length > 20) refuse = new RegExp(`^Button ${n + 1} says ".*", longer than the 20 characters WhatsApp shows$`);
				else {
					const titles = [base.t0, base.t1, base.t2].map((t, k) => (k === n ? text.trim() : String(t))).map((t) => t.toLowerCase());
					if (new Set(titles).size < 3) refuse = /^Two buttons have the same title$/;
				}
				return { field: 'buttonTitle', json: { ...base, [`t${n}`]: value as string }, refuse };
			}
			if (u < 0.6) {
				const { text } = broken(r);
				return { field: 'buttonTitle', json: { ...base, [`t${n}`]: text.slice(0, 12) + '\ud83d' }, bug: 'BUG-3 a broken character in a button is sent' };
			}
			const value = r.pick<unknown>(['', '   ', null, 'p'.repeat(5000), 'Yes', 'a\u0000b', {}, [], 42, '"},{"x":"', '__proto__']);
			const refuse = asText(value) === undefined ? new RegExp(`^Button ${n + 1} Payload must be text, but it is `) : undefined;
			return { field: 'buttonPayload', json: { ...base, [`p${n}`]: value as string }, refuse };
		},
		check(c, stored) {
			const want = [0, 1, 2].map((n) => {
				const title = String(asText(c.json[`t${n}`])).trim();
				return { title, payload: String(asText(c.json[`p${n}`]) ?? '').trim() || title };
			});
			const got = (stored.whatsapp as IDataObject | undefined)?.buttons;
			if (JSON.stringify(got) !== JSON.stringify(want)) return `stored buttons ${JSON.stringify(got).slice(0, 120)} are not the item's ${JSON.stringify(want).slice(0, 120)}`;
			return undefined;
		},
	},
	{
		name: 'sinch media',
		provider: 'sinch',
		node: { operation: 'sendMessage', messageType: 'media', mediaUrl: '={{ $json.url }}', caption: '={{ $json.caption }}', outsideWindow: 'send', ...common },
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base = { to, url: `https://127.0.0.1:9/${i}.png`, caption: `Invoice ${i}` };
			if (r.chance(0.45)) {
				if (r.chance(0.6)) return { field: 'mediaUrl', json: { ...base, url: r.pick(BAD_URLS) }, refuse: /^Media URL must be an http:\/\/ or https:\/\/ URL/ };
				return { field: 'mediaUrl', json: { ...base, url: r.pick(ODD_URLS) } };
			}
			const t = textCase(r, 'Caption', { max: 1024, brokenBug: 'BUG-3 a broken character in a caption is sent' });
			const refuse = t.refuse ?? (typeof t.value === 'string' && t.value.trim().length > 1024 ? /^The caption has \d+ characters; WhatsApp accepts at most 1024$/ : undefined);
			return { field: 'caption', json: { ...base, caption: t.value as string }, ...t, refuse };
		},
		check(c, stored) {
			const url = String(c.json.url).trim();
			if (JSON.stringify(stored.mediaUrls) !== JSON.stringify([url])) return `stored media ${JSON.stringify(stored.mediaUrls).slice(0, 80)} is not the item's`;
			const caption = (asText(c.json.caption) ?? '').trim();
			if (String(stored.body) !== caption) return `stored caption ${JSON.stringify(String(stored.body).slice(0, 60))} is not the item's ${JSON.stringify(caption.slice(0, 60))}`;
			return undefined;
		},
	},
	{
		// Sinch Send Template: name, language, three body values, two button payloads (Sinch checks the template itself).
		name: 'sinch template',
		provider: 'sinch',
		node: {
			operation: 'sendTemplate',
			templateId: '={{ $json.id }}',
			templateLanguage: '={{ $json.lang }}',
			templateBodyValues: { value: [0, 1, 2].map((n) => ({ value: `={{ $json.b${n} }}` })) },
			templateButtonPayloads: { payload: [0, 1].map((n) => ({ payload: `={{ $json.p${n} }}` })) },
			...common,
		},
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base: IDataObject = { to, id: 'order_shipped', lang: 'en', b0: 'Ada', b1: `#${i}`, b2: 'Friday', p0: 'track', p1: 'talk' };
			const u = r();
			if (u < 0.25) {
				const id = r.pick<unknown>(['', '  ', 'nope', '../../x', 'order_shipped/../y', 'x'.repeat(5000), "order'; --", '{{1}}', '__proto__', 'constructor', {}, [], 42, true, '\u0000']);
				let refuse: RegExp | undefined;
				if (typeof id === 'object' || typeof id === 'boolean') refuse = /^Template Name must be text, but it is /;
				else if (String(id).trim() === '') refuse = /^Template Name is empty$/;
				return { field: 'templateId', json: { ...base, id: id as string }, refuse };
			}
			if (u < 0.4) {
				const lang = r.pick<unknown>(['', '  ', 'en-US', 'EN', 'xx', 'e n', 'en_US\u0000', {}, [], 42, true]);
				let refuse: RegExp | undefined;
				if (typeof lang === 'object' || typeof lang === 'boolean') refuse = /^Template Language must be text, but it is /;
				else if (String(lang).trim() === '') refuse = /needs the language of a WhatsApp template/;
				return { field: 'templateLanguage', json: { ...base, lang: lang as string }, refuse };
			}
			if (u < 0.75) {
				const n = r.int(0, 2);
				const t = textCase(r, `Body Values → {{${n + 1}}}`, { max: 1000, emptyRefused: new RegExp(`^Body Values: \\{\\{${n + 1}\\}\\} is empty$`), brokenBug: 'BUG-3 a broken character in a template value is sent' });
				const refuse = t.refuse ?? (t.value === null ? new RegExp(`^Body Values: \\{\\{${n + 1}\\}\\} is empty$`) : undefined);
				return { field: 'bodyValue', json: { ...base, [`b${n}`]: t.value as string }, ...t, refuse };
			}
			const n = r.int(0, 1);
			const value = r.pick<unknown>(['', null, 'p'.repeat(5000), 'a\u0000b', {}, [], 42, '__proto__']);
			const refuse = asText(value) === undefined ? new RegExp(`^Button Payloads → ${n + 1} must be text, but it is `) : undefined;
			return { field: 'buttonPayload', json: { ...base, [`p${n}`]: value as string }, refuse };
		},
	},
	{
		// More Parameters: keys and values mapped from the item (empty, duplicated, huge, Object's own names).
		name: 'sinch parameters',
		provider: 'sinch',
		node: {
			operation: 'sendTemplate',
			templateId: 'order_shipped',
			templateLanguage: 'en',
			templateBodyValues: { value: [{ value: 'Ada' }, { value: '#1' }, { value: 'Friday' }] },
			templateParameters: { parameter: [0, 1].map((n) => ({ name: `={{ $json.k${n} }}`, value: `={{ $json.v${n} }}` })) },
			...common,
		},
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base: IDataObject = { to, k0: 'header[1]image link', v0: `https://127.0.0.1:9/${i}.png`, k1: 'button[0]quick_reply[1]payload', v1: 'track' };
			const n = r.int(0, 1);
			if (r.chance(0.6)) {
				const key = r.pick<unknown>(['', '   ', null, 'body[1]text', n === 0 ? 'button[0]quick_reply[1]payload' : 'header[1]image link', 'k'.repeat(10_000), 'constructor', 'toString', 'hasOwnProperty', '__proto__', {}, [], 42, 'a\u0000b']);
				let refuse: RegExp | undefined;
				const bug: string | undefined = undefined;
				if (typeof key === 'object' && key !== null) refuse = /^More Parameters → Key must be text, but it is /;
				else if (String(key ?? '').trim() === '') refuse = /^A parameter of More Parameters has no key$/;
				else if (['body[1]text', 'button[0]quick_reply[1]payload', 'header[1]image link'].includes(String(key))) refuse = /sets the template parameter ".*" a second time/;
				// A key "__proto__" is a key like any other (BUG-2, fixed): sent as it is.
				return { field: 'parameterKey', json: { ...base, [`k${n}`]: key as string }, refuse, bug };
			}
			const value = r.pick<unknown>(['', '  ', null, 'v'.repeat(5000), {}, [], 42, true, 'a\u0000b']);
			let refuse: RegExp | undefined;
			if (asText(value) === undefined) refuse = /^More Parameters → .* must be text, but it is /;
			else if (String(asText(value)).trim() === '') refuse = /^More Parameters: ".*" is empty$/;
			return { field: 'parameterValue', json: { ...base, [`v${n}`]: value as string }, refuse };
		},
		check(c, stored) {
			const variables = ((stored.whatsapp as IDataObject | undefined)?.template as IDataObject | undefined)?.variables;
			if (!variables) return 'the stored message has no template';
			return undefined;
		},
	},
	{
		name: 'sinch fallback',
		provider: 'sinch',
		node: {
			operation: 'sendMessage',
			message: 'Are you there?',
			outsideWindow: 'template',
			fallbackTemplateId: '={{ $json.id }}',
			fallbackTemplateLanguage: '={{ $json.lang }}',
			fallbackTemplateBodyValues: { value: [0, 1, 2].map((n) => ({ value: `={{ $json.b${n} }}` })) },
			...common,
		},
		recipients: [],
		openWindows: false,
		make(r, i, to) {
			const base: IDataObject = { to, id: 'order_shipped', lang: 'en', b0: 'Ada', b1: `#${i}`, b2: 'Friday' };
			if (r.chance(0.4)) {
				const id = r.pick<unknown>(['', 'nope', {}, 42, '../x']);
				const refuse = typeof id === 'object' ? /^Fallback Template Name must be text, but it is / : id === '' ? /^Fallback Template Name is empty$/ : undefined;
				return { field: 'fallbackTemplateId', json: { ...base, id: id as string }, refuse };
			}
			const n = r.int(0, 2);
			const t = textCase(r, `Fallback Body Values → {{${n + 1}}}`, { max: 1000, emptyRefused: new RegExp(`^Fallback Body Values: \\{\\{${n + 1}\\}\\} is empty$`), brokenBug: 'BUG-3 a broken character in a template value is sent' });
			const refuse = t.refuse ?? (t.value === null ? new RegExp(`^Fallback Body Values: \\{\\{${n + 1}\\}\\} is empty$`) : undefined);
			return { field: 'fallbackBodyValue', json: { ...base, [`b${n}`]: t.value as string }, ...t, refuse };
		},
		check(_c, stored, json) {
			if (json.templateFallback !== true || json.type !== 'template') return `outside the window, sent as ${String(json.type)} (templateFallback ${String(json.templateFallback)})`;
			if (!(stored.whatsapp as IDataObject | undefined)?.template) return 'the stored message is not the template';
			return undefined;
		},
	},
];

const PER_RUN = 300;

describe('Send WhatsApp: generated bad inputs', () => {
	it(
		`${PER_RUN * RUNS.length} generated items over every parameter, both providers: a clear error or a result each, nothing unintended sent`,
		async () => {
			const started = Date.now();
			const r = rng(20261129);
			const plans = RUNS.map((spec, k) => {
				// Distinct recipients per run (windows are per contact); a pool of 30 per run, reused by its items.
				const pool = Array.from({ length: 30 }, (_, j) => mobile(10 + k, j));
				return { spec, pool, cases: Array.from({ length: PER_RUN }, (_, i) => spec.make(r, i, pool[i % pool.length])) };
			});
			for (const plan of plans) if (plan.spec.openWindows) for (const to of plan.pool) await openWindow(plan.spec.provider, to);
			const results = await Promise.all(plans.map((plan) => engine.run(plan.cases.map((c) => c.json), [waNode(plan.spec.provider, plan.spec.node, continueOnFail)])));
			const stored = outbound();
			const byId = new Map(stored.map((m) => [m.id, m]));
			const claimed = new Set<string>();
			const problems: string[] = [];
			const bugs = new Map<string, number>();
			const figures = new Map<string, { items: number; sent: number; refused: number }>();
			let withId = 0;
			plans.forEach(({ spec, cases }, k) => {
				const result = results[k];
				if (result.error()) problems.push(`${spec.name}: the run stopped: ${result.error()?.message}`);
				const items = result.items(NODE);
				if (items.length !== cases.length) problems.push(`${spec.name}: ${items.length} output items for ${cases.length}`);
				items.forEach((item, index) => {
					const c = cases[index];
					const json = item.json;
					const tag = `${spec.name} #${index} [${c.field}] ${JSON.stringify(c.json).slice(0, 140)}`;
					const figure = figures.get(`${spec.name} · ${c.field}`) ?? { items: 0, sent: 0, refused: 0 };
					figures.set(`${spec.name} · ${c.field}`, figure);
					figure.items++;
					const problem = (text: string) => {
						if (c.bug) bugs.set(c.bug, (bugs.get(c.bug) ?? 0) + 1);
						else problems.push(`${tag}: ${text}`);
					};
					if ((item.pairedItem as { item?: number } | undefined)?.item !== index) problems.push(`${tag}: pairedItem ${JSON.stringify(item.pairedItem)}`);
					for (const text of texts(json)) {
						if (typeof text !== 'string') problems.push(`${tag}: an error that is not text`);
						else if (INTERNALS.test(text)) problems.push(`${tag}: error shows internals: ${text.slice(0, 200)}`);
						else if (/\bundefined\b|\bNaN\b/.test(text.replace(/"[^"]*"/g, ''))) problems.push(`${tag}: error says undefined/NaN: ${text.slice(0, 200)}`);
					}
					if (typeof json.error === 'string' && json.error.length > 400) problems.push(`${tag}: a ${json.error.length}-character error (a value quoted whole)`);
					if (json.error !== undefined) {
						figure.refused++;
						if (json.status === 'unknown') problems.push(`${tag}: ended unknown though no fault was injected: ${String(json.error)}`);
						if (c.send) problem(`must be sent, got: ${String(json.error)} ${String(json.errorDescription ?? '')}`);
						if (c.refuse && !c.refuse.test(String(json.error))) problem(`must be refused with ${c.refuse}, got: ${String(json.error).slice(0, 200)}`);
						if (c.brokenAt !== undefined && !String(json.error).includes(`at position ${c.brokenAt} `)) problem(`must name the broken character at ${c.brokenAt}: ${String(json.error)}`);
						return;
					}
					figure.sent++;
					withId++;
					if (c.refuse) problem(`must be refused (${c.refuse}), but was sent as ${String(json.messageId)}`);
					if (c.bug) bugs.set(c.bug, (bugs.get(c.bug) ?? 0) + 1);
					const message = byId.get(String(json.messageId));
					if (!message) {
						problems.push(`${tag}: reported sent as ${String(json.messageId)}, the sandbox has no such message`);
						return;
					}
					if (claimed.has(message.id)) problems.push(`${tag}: ${message.id} is claimed by two items`);
					claimed.add(message.id);
					if (message.provider !== spec.provider) problems.push(`${tag}: sent through ${message.provider}`);
					if (message.to.replace(/^whatsapp:/, '') !== json.to) problems.push(`${tag}: stored for ${message.to}, output says ${String(json.to)}`);
					if (json.channel !== 'whatsapp' || message.channel !== 'whatsapp') problems.push(`${tag}: not a WhatsApp message (${String(json.channel)}/${String(message.channel)})`);
					const raw = JSON.stringify(message);
					if (raw.includes('[object Object]')) problems.push(`${tag}: [object Object] reached the provider: ${raw.slice(0, 200)}`);
					if (/\bundefined\b/.test(`${message.body} ${message.from}`) && !JSON.stringify(c.json).includes('undefined')) problems.push(`${tag}: "undefined" reached the provider`);
					const wrong = spec.check?.(c, message as unknown as IDataObject, json);
					if (wrong && !c.bug) problems.push(`${tag}: ${wrong}`);
				});
			});
			const orphans = stored.filter((m) => !claimed.has(m.id));
			for (const m of orphans.slice(0, 20)) problems.push(`stored message ${m.id} to ${m.to} (${JSON.stringify(m.body.slice(0, 40))}) is claimed by no item`);
			const seconds = (Date.now() - started) / 1000;
			const table = [...figures]
				.sort()
				.map(([name, f]) => `  ${name.padEnd(36)} ${String(f.items).padStart(4)} items ${String(f.sent).padStart(4)} sent ${String(f.refused).padStart(4)} refused`)
				.join('\n');
			console.log(
				`WhatsApp hostile inputs: ${PER_RUN * RUNS.length} items in ${RUNS.length} runs; ${withId} came out with a messageId, ${stored.length} stored; ${problems.length} problems; ${seconds.toFixed(1)} s\n${table}\n` +
					`Known bugs hit: ${bugs.size ? [...bugs].map(([bug, n]) => `${bug} ×${n}`).join('; ') : 'none'}` +
					(problems.length ? `\nProblems:\n${problems.slice(0, 120).join('\n')}` : ''),
			);
			expect(stored.length).toBe(withId);
			expect(problems.slice(0, 40)).toEqual([]);
		},
		120_000,
	);
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Fault storm
// ---------------------------------------------------------------------------------------------------------------

const STORM_RETRIES = 3;
const STORM_TIMEOUT_MS = 1000;
const stormOptions = { maxRetries: STORM_RETRIES, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2000, timeoutMs: STORM_TIMEOUT_MS };

interface StormSpec {
	name: string;
	provider: Provider;
	node: IDataObject;
	/** The customer wrote first (free-form may go), or not (the template instead). */
	windowOpen: boolean;
	/** What a sent item must be: the free-form text, or the template. */
	sends: 'text' | 'template';
}

const STORM_SPECS: StormSpec[] = [
	{ name: 'twilio message', provider: 'twilio', windowOpen: true, sends: 'text', node: { operation: 'sendMessage', message: '={{ "Storm " + $json.n }}', outsideWindow: 'fail' } },
	{
		name: 'twilio fallback',
		provider: 'twilio',
		windowOpen: false,
		sends: 'template',
		node: { operation: 'sendMessage', message: '={{ "Storm " + $json.n }}', outsideWindow: 'template', ...twilioTemplate(SIDS.orderShipped, { '1': 'Ada', '2': '={{ "#" + $json.n }}', '3': 'soon' }, 'fallback') },
	},
	{ name: 'twilio template', provider: 'twilio', windowOpen: false, sends: 'template', node: { operation: 'sendTemplate', ...twilioTemplate(SIDS.orderShipped, { '1': 'Ada', '2': '={{ "#" + $json.n }}', '3': 'soon' }) } },
	{ name: 'sinch message', provider: 'sinch', windowOpen: true, sends: 'text', node: { operation: 'sendMessage', message: '={{ "Storm " + $json.n }}', outsideWindow: 'fail' } },
	{
		name: 'sinch template',
		provider: 'sinch',
		windowOpen: false,
		sends: 'template',
		node: { operation: 'sendTemplate', templateId: 'order_shipped', templateLanguage: 'en', templateBodyValues: { value: [{ value: 'Ada' }, { value: '={{ "#" + $json.n }}' }, { value: 'soon' }] } },
	},
];

function retryableFault(r: Rng, provider: Provider, to?: string): FaultInput {
	if (r.chance(0.45)) return { provider, to, type: 'status', status: 429, retryAfter: r.chance(0.05) ? 1 : 0 };
	return { provider, to, type: 'status', status: r.pick([500, 502, 503, 504]) };
}

/** Faults for one recipient's message POSTs, in the order its requests meet them. */
function postFaults(r: Rng, provider: Provider, to: string): FaultInput[] {
	const u = r();
	const many = (n: number) => Array.from({ length: n }, () => retryableFault(r, provider, to));
	if (u < 0.5) return [];
	if (u < 0.66) return many(r.int(1, STORM_RETRIES));
	if (u < 0.74) return many(r.int(STORM_RETRIES + 1, STORM_RETRIES + 2));
	if (u < 0.81) return [...many(r.int(0, 2)), { provider, to, type: 'reset' }];
	if (u < 0.83) return [...many(r.int(0, 1)), { provider, to, type: 'hang' }];
	if (u < 0.88) return [...many(r.int(0, 2)), { provider, to, type: 'status', status: 400 }];
	if (u < 0.93) return [{ provider, to, type: 'delay', delayMs: 300 }];
	return [];
}

/** A fault for whatever request of the provider comes next: the window pre-check, the template look-up, the token, a send. */
function anyRequestFault(r: Rng): FaultInput {
	const provider = r.pick<Provider>(['twilio', 'sinch']);
	const u = r();
	if (u < 0.7) return retryableFault(r, provider);
	if (u < 0.85) return { provider, type: 'reset' };
	if (u < 0.88) return { provider, type: 'hang' };
	return { provider, type: 'delay', delayMs: 200 };
}

describe('Send WhatsApp: fault storm', () => {
	it(
		'400 items, both providers, every sending path: faults on the sends and on every request before them; reconciled message by message',
		async () => {
			const started = Date.now();
			const r = rng(7_424_242);
			const sandbox = box.get();
			const PER_SPEC = 80;
			const plans = STORM_SPECS.map((spec, k) => {
				const items = Array.from({ length: PER_SPEC }, (_, i) => ({ to: mobile(50 + k, i), n: i }));
				return { spec, items, faults: items.map((item) => postFaults(r, spec.provider, item.to)) };
			});
			for (const plan of plans) if (plan.spec.windowOpen) for (const item of plan.items) await openWindow(plan.spec.provider, item.to);
			let injected = 0;
			for (const plan of plans) {
				for (const list of plan.faults) {
					for (const fault of list) {
						sandbox.addFault(fault);
						injected++;
					}
				}
			}
			sandbox.requests.length = 0;
			engine.setCredentials('messagingSinchApi', { ...sandboxCredential(sandbox, SINCH_WA_CREDENTIAL), accessToken: '' });
			// A fault for the next request of a provider every 30 ms, whatever it is, while the runs go.
			let anyFaults = 0;
			const ticker = setInterval(() => {
				sandbox.addFault(anyRequestFault(r));
				anyFaults++;
			}, 30);
			let results: RunResult[];
			try {
				results = await Promise.all(plans.map((plan) => engine.run(plan.items, [waNode(plan.spec.provider, { ...plan.spec.node, options: stormOptions }, continueOnFail)])));
			} finally {
				clearInterval(ticker);
			}
			const faultHits = sandbox.requests.filter((q) => q.fault !== null);
			const hitPaths = new Map<string, number>();
			for (const q of faultHits) {
				const kind = `${q.provider} ${q.method} ${q.path.replace(/\/v1\/projects\/[^/]+/, '/v1/projects/…').replace(/AC[0-9a-f]{32}/, 'AC…').replace(/HX[0-9a-f]{32}/, 'HX…')} → ${q.fault}`;
				hitPaths.set(kind, (hitPaths.get(kind) ?? 0) + 1);
			}
			const stored = outbound();
			const problems: string[] = [];
			const bugs = new Map<string, number>();
			let withId = 0;
			let unknown = 0;
			let unknownStored = 0;
			let failed = 0;
			plans.forEach(({ spec, items }, k) => {
				const out = results[k].items(NODE);
				if (results[k].error()) problems.push(`${spec.name}: the run stopped: ${results[k].error()?.message}`);
				if (out.length !== items.length) problems.push(`${spec.name}: ${out.length} items out of ${items.length}`);
				out.forEach((item, i) => {
					const json = item.json;
					const { to } = items[i];
					const tag = `${spec.name} #${i} ${to}`;
					const mine = stored.filter((m) => m.to.replace(/^whatsapp:/, '') === to);
					const posts = sandbox.requests.filter((q) => q.method === 'POST' && q.recipients.includes(to));
					if (mine.length > 1) problems.push(`${tag}: ${mine.length} messages stored for one item (sent twice)`);
					for (const text of texts(json)) if (typeof text === 'string' && INTERNALS.test(text)) problems.push(`${tag}: internals: ${text}`);
					if (typeof json.attempts === 'number' && json.attempts > STORM_RETRIES + 1) problems.push(`${tag}: ${json.attempts} attempts`);
					if (json.messageId !== undefined) {
						withId++;
						const match = stored.filter((m) => m.id === json.messageId);
						if (match.length !== 1 || mine.length !== 1 || mine[0].id !== json.messageId) problems.push(`${tag}: messageId ${String(json.messageId)} matches ${match.length} stored message(s); ${mine.length} stored for the recipient`);
						const wantTemplate = spec.sends === 'template';
						if (spec.sends === 'text' && json.type !== 'text') problems.push(`${tag}: sent as ${String(json.type)}`);
						// Outside the window a history look-up that failed sends the message as it is (windowOpen null): never both.
						if (wantTemplate && json.type !== 'template' && !(spec.name === 'twilio fallback' && json.windowOpen === null)) problems.push(`${tag}: sent as ${String(json.type)} with windowOpen ${String(json.windowOpen)}`);
						if (match[0] && Boolean(match[0].whatsapp?.template) !== (json.type === 'template')) problems.push(`${tag}: output type ${String(json.type)}, stored ${match[0].whatsapp?.template ? 'template' : 'free-form'}`);
						return;
					}
					if (json.error === undefined) {
						problems.push(`${tag}: neither a messageId nor an error: ${JSON.stringify(json).slice(0, 200)}`);
						return;
					}
					if (spec.windowOpen && /only allowed within 24 hours/.test(String(json.error))) problems.push(`${tag}: refused for the window, which is open (a fault on the history hid it): ${String(json.error)}`);
					if (json.status === 'unknown') {
						unknown++;
						if (mine.length === 1) unknownStored++;
						// "May or may not have gone out" when the message's own request never reached the provider.
						if (posts.length === 0) {
							const bug = `BUG-5 ${spec.name}: "unknown", "may or may not have gone out", though the message request never left (a reset or timeout before the send)`;
							bugs.set(bug, (bugs.get(bug) ?? 0) + 1);
						}
						return;
					}
					failed++;
					if (mine.length !== 0) problems.push(`${tag}: failed (${String(json.error)}) but ${mine.length} message(s) stored`);
					if (posts.length === 0 && [429, 500, 502, 503, 504].includes(Number(json.httpStatus))) {
						const bug = `BUG-4 ${spec.name}: a 429/5xx before the send fails the item (not retried, the window not left unknown)`;
						bugs.set(bug, (bugs.get(bug) ?? 0) + 1);
					}
				});
			});
			const claimed = new Set(results.flatMap((result) => result.items(NODE).map((i) => String(i.json.messageId))));
			const orphans = stored.filter((m) => !claimed.has(m.id));
			if (orphans.length > unknown) problems.push(`${orphans.length} stored messages claimed by no item, only ${unknown} items ended unknown`);
			if (stored.length !== withId + unknownStored) problems.push(`${stored.length} stored, ${withId} items with a messageId + ${unknownStored} unknown items with a stored message`);
			console.log(
				`WhatsApp fault storm: ${PER_SPEC * plans.length} items; ${injected} send faults + ${anyFaults} any-request faults injected, ${faultHits.length} hit; ` +
					`${withId} sent, ${failed} failed, ${unknown} unknown (${unknownStored} of them stored); ${stored.length} messages reconciled; ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
					`Faults by request:\n${[...hitPaths].sort().map(([kind, n]) => `  ${kind} ×${n}`).join('\n')}\n` +
					`Known bugs hit: ${bugs.size ? [...bugs].map(([bug, n]) => `${bug} ×${n}`).join('; ') : 'none'}` +
					(problems.length ? `\nProblems:\n${problems.slice(0, 80).join('\n')}` : ''),
			);
			expect(problems.slice(0, 40)).toEqual([]);
		},
		90_000,
	);

	it.each(STORM_SPECS.map((s) => [s.name, s] as const))(
		'%s under Retry On Fail: an item that failed is tried again by n8n, nothing is sent twice, an ambiguous failure is never retried',
		async (_name, spec) => {
			const sandbox = box.get();
			const items = Array.from({ length: 16 }, (_, i) => ({ to: mobile(70, i), n: i }));
			if (spec.windowOpen) for (const item of items) await openWindow(spec.provider, item.to);
			await sinchToken().then((accessToken) => engine.setCredentials('messagingSinchApi', { ...sandboxCredential(sandbox, SINCH_WA_CREDENTIAL), accessToken }));
			// Item 4: five 503s (three in n8n's first try, two more and a success in its second). Item 9: accepted, never answered.
			for (let j = 0; j < 5; j++) sandbox.addFault({ provider: spec.provider, to: items[4].to, type: 'status', status: 503 });
			sandbox.addFault({ provider: spec.provider, to: items[9].to, type: 'hang' });
			const result = await engine.run(items, [waNode(spec.provider, { ...spec.node, options: { ...stormOptions, maxRetries: 2 } }, { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 })]);
			const perTo = items.map((item) => outbound().filter((m) => m.to.replace(/^whatsapp:/, '') === item.to).length);
			expect(perTo).toEqual(items.map((_, i) => (i <= 9 ? 1 : 0)));
			const posts = items.map((item) => sandbox.requests.filter((q) => q.method === 'POST' && q.recipients.includes(item.to)).length);
			// Item 4: 3 + 3 sends (2 refused, 1 accepted); item 9: once, never again after its ambiguous failure.
			expect(posts[4]).toBe(6);
			expect(posts[9]).toBe(1);
			expect(posts.filter((_, i) => i !== 4 && i < 9)).toEqual(Array(8).fill(1));
			expect(result.error()?.message).toMatch(/may or may not have gone out/);
		},
	);
});

// ---------------------------------------------------------------------------------------------------------------
// 2b. One fault on each request that comes before the send
// ---------------------------------------------------------------------------------------------------------------

type FaultKind = '429' | '503' | 'reset' | 'hang';
const FAULT_KINDS: FaultKind[] = ['429', '503', 'reset', 'hang'];
const faultOf = (provider: Provider, kind: FaultKind): FaultInput =>
	kind === '429' ? { provider, type: 'status', status: 429, retryAfter: 0 } : kind === '503' ? { provider, type: 'status', status: 503 } : { provider, type: kind };

interface BeforeSend {
	request: string;
	provider: Provider;
	node: IDataObject;
	windowOpen: boolean;
	/** Sinch: start with no access token, so that the token is the first request. */
	noToken?: boolean;
	/** Requests before the one the fault is for (each gets a harmless 0 ms delay fault). */
	skip: number;
	/** Get Status of a message sent first. */
	status?: boolean;
}

const BEFORE_SEND: BeforeSend[] = [
	{ request: 'Twilio window pre-check GET', provider: 'twilio', node: STORM_SPECS[0].node, windowOpen: true, skip: 0 },
	{ request: 'Twilio template look-up GET (Send Template)', provider: 'twilio', node: STORM_SPECS[2].node, windowOpen: false, skip: 0 },
	{ request: 'Twilio template approval GET (Send Template)', provider: 'twilio', node: STORM_SPECS[2].node, windowOpen: false, skip: 1 },
	{ request: 'Twilio fallback template look-up GET', provider: 'twilio', node: STORM_SPECS[1].node, windowOpen: false, skip: 1 },
	{ request: 'Sinch OAuth token POST (Send Template)', provider: 'sinch', node: STORM_SPECS[4].node, windowOpen: false, noToken: true, skip: 0 },
	{ request: 'Sinch OAuth token POST (window pre-check)', provider: 'sinch', node: STORM_SPECS[3].node, windowOpen: true, noToken: true, skip: 0 },
	{ request: 'Sinch window pre-check GET', provider: 'sinch', node: STORM_SPECS[3].node, windowOpen: true, skip: 0 },
	{ request: 'Sinch template approval GET (Send Template)', provider: 'sinch', node: STORM_SPECS[4].node, windowOpen: false, skip: 0 },
	{
		request: 'Sinch fallback template approval GET',
		provider: 'sinch',
		node: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'template', fallbackTemplateId: 'order_shipped', fallbackTemplateLanguage: 'en', fallbackTemplateBodyValues: { value: [{ value: 'Ada' }, { value: '#1' }, { value: 'soon' }] } },
		windowOpen: false,
		skip: 1,
	},
	{ request: 'Sinch OAuth token POST (message sent anyway)', provider: 'sinch', node: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'send' }, windowOpen: true, noToken: true, skip: 0 },
	{ request: 'Twilio Get Status GET', provider: 'twilio', node: { operation: 'getStatus', messageId: '={{ $json.sid }}' }, windowOpen: false, skip: 0, status: true },
];

/**
 * Combinations where the rules do not hold in the build tested (dist/ of 2026-11-29 23:47): each is a bug, with its
 * failing test in "Bugs found" below. (The build of 23:39 failed 27 more of them: the Twilio window pre-check, both
 * providers' template look-ups and the Sinch token before a look-up; the 23:47 build passes them, and they stay here
 * as regressions.)
 */
const BEFORE_SEND_BUGS = new Set(['Twilio Get Status GET reset', 'Sinch OAuth token POST (message sent anyway) reset']);

async function beforeSend(spec: BeforeSend, kind: FaultKind): Promise<{ json: IDataObject; stored: number; sends: number }> {
	const sandbox = box.get();
	const to = mobile(80, BEFORE_SEND.indexOf(spec) * 10 + FAULT_KINDS.indexOf(kind));
	if (spec.windowOpen) await openWindow(spec.provider, to);
	const accessToken = spec.noToken ? '' : await sinchToken();
	engine.setCredentials('messagingSinchApi', { ...sandboxCredential(sandbox, SINCH_WA_CREDENTIAL), accessToken });
	let sid: string | undefined;
	if (spec.status) {
		const sent = await engine.run([{ to }], [waNode('twilio', { operation: 'sendMessage', message: 'Hi', outsideWindow: 'send' })]);
		sid = String(sent.items(NODE)[0].json.messageId);
	}
	sandbox.requests.length = 0;
	for (let j = 0; j < spec.skip; j++) sandbox.addFault({ provider: spec.provider, type: 'delay', delayMs: 0 });
	sandbox.addFault(faultOf(spec.provider, kind));
	const result = await engine.run([{ to, n: 1, sid }], [waNode(spec.provider, { ...spec.node, options: { ...stormOptions, maxRetries: 2 } }, continueOnFail)]);
	const hit = sandbox.requests.filter((q) => q.fault !== null && q.fault !== 'delay');
	expect(hit).toHaveLength(1);
	expect(hit[0].method === 'GET' || hit[0].path === '/oauth2/token').toBe(true);
	return {
		json: result.items(NODE)[0].json,
		stored: outbound().filter((m) => m.to.replace(/^whatsapp:/, '') === to).length - (spec.status ? 1 : 0),
		sends: sandbox.requests.filter((q) => q.method === 'POST' && q.recipients.includes(to)).length,
	};
}

/** The rules for a fault on a request that cannot send anything: never "may have gone out", a 429/503 tried again. */
function expectBeforeSendRules(outcome: { json: IDataObject; stored: number; sends: number }, kind: FaultKind, lookUpOnly = false): void {
	const { json, stored, sends } = outcome;
	expect(stored).toBeLessThanOrEqual(1);
	expect(sends).toBeLessThanOrEqual(1);
	if (json.messageId !== undefined && json.operation !== 'getStatus') expect(stored).toBeLessThanOrEqual(1);
	if (json.messageId === undefined) expect(stored).toBe(0);
	expect(json.status).not.toBe('unknown');
	expect(String(json.error ?? '')).not.toMatch(/may or may not have gone out/);
	// A send gets past a 429 or a 5xx (tried again, or the window left unknown); Get Status may fail, in plain words.
	if ((kind === '429' || kind === '503') && !lookUpOnly) expect(json).toMatchObject({ messageId: expect.any(String) });
}

// Get Status has no Timeout option: a hang waits n8n's default 30 s, so it is left out here (see the report).
const BEFORE_SEND_CASES = BEFORE_SEND.flatMap((spec) => FAULT_KINDS.filter((kind) => !(spec.status && kind === 'hang')).map((kind) => [`${spec.request} ${kind}`, spec, kind] as const));

describe('Send WhatsApp: one fault on a request before the send', () => {
	it.each(BEFORE_SEND_CASES.filter(([name]) => !BEFORE_SEND_BUGS.has(name)))('%s: never sent twice, never "may have gone out", a 429/503 is got past', async (_name, spec, kind) => {
		expectBeforeSendRules(await beforeSend(spec, kind), kind, spec.status);
	});

	// Regressions: failing in the build of 23:39 (the reset was remembered by the sent-ledger as an ambiguous send, so
	// Retry On Fail replayed it), fixed in the 23:47 build.
	it.each([
		['Twilio window pre-check GET', STORM_SPECS[0], 0],
		['Twilio fallback template look-up GET', STORM_SPECS[1], 1],
		['Sinch fallback template approval GET', { ...STORM_SPECS[3], windowOpen: false, node: BEFORE_SEND.find((b) => b.request === 'Sinch fallback template approval GET')?.node ?? {} }, 1],
	] as const)('Retry On Fail gets past a reset of the %s (nothing was sent): the message goes once', async (_name, spec, skip) => {
		const sandbox = box.get();
		const to = mobile(89, skip + (spec.provider === 'sinch' ? 5 : 0));
		if (spec.windowOpen) await openWindow(spec.provider, to);
		engine.setCredentials('messagingSinchApi', { ...sandboxCredential(sandbox, SINCH_WA_CREDENTIAL), accessToken: await sinchToken() });
		for (let j = 0; j < skip; j++) sandbox.addFault({ provider: spec.provider, type: 'delay', delayMs: 0 });
		sandbox.addFault({ provider: spec.provider, type: 'reset' });
		const result = await engine.run([{ to, n: 1 }], [waNode(spec.provider, { ...spec.node, options: stormOptions }, { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 })]);
		expect(result.error()).toBeUndefined();
		expect(outbound().filter((m) => m.to.replace(/^whatsapp:/, '') === to)).toHaveLength(1);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Secrets: an echoing server as every base URL
// ---------------------------------------------------------------------------------------------------------------

const ECHO_TWILIO = {
	accountSid: `AC${'e1'.repeat(16)}`,
	authToken: 'Tw1l10+Auth/Token=9f8e7d6c5b4a',
	apiKeySid: `SK${'e2'.repeat(16)}`,
	apiKeySecret: 'Tw1l10+ApiKey/Secret=0123abcd',
	webhookAuthToken: 'Tw1l10+Webhook/Token=55aa66bb',
};
const ECHO_SINCH = {
	projectId: 'echo-project-0001',
	keyId: 'echo-key-id-0001',
	keySecret: 'S1nch+Key/Secret=ddeeff001122',
	webhookSecret: 'S1nch+Webhook/Secret=334455',
	conversationAppId: '01ECHOAPP00000000000000001',
};
const ECHO_OAUTH_TOKEN = 'OAuth+Bearer/Token=abcdef123456';
const ECHO_SECRETS: Record<string, string> = {
	'twilio authToken': ECHO_TWILIO.authToken,
	'twilio apiKeySecret': ECHO_TWILIO.apiKeySecret,
	'twilio webhookAuthToken': ECHO_TWILIO.webhookAuthToken,
	'twilio accountSid:authToken': `${ECHO_TWILIO.accountSid}:${ECHO_TWILIO.authToken}`,
	'twilio apiKeySid:apiKeySecret': `${ECHO_TWILIO.apiKeySid}:${ECHO_TWILIO.apiKeySecret}`,
	'sinch keySecret': ECHO_SINCH.keySecret,
	'sinch webhookSecret': ECHO_SINCH.webhookSecret,
	'sinch keyId:keySecret': `${ECHO_SINCH.keyId}:${ECHO_SINCH.keySecret}`,
	'sinch OAuth token': ECHO_OAUTH_TOKEN,
};
const b64 = (text: string) => Buffer.from(text, 'utf-8').toString('base64');
const SECRET_FORMS = Object.entries(ECHO_SECRETS).flatMap(([name, secret]) => {
	const base64 = b64(secret);
	return [
		['plain', secret],
		['base64', base64],
		['base64 unpadded', base64.replace(/=+$/, '')],
		['base64url', base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')],
		['URL-encoded', encodeURIComponent(secret)],
		['JSON-escaped', JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/')],
	].map(([form, text]) => ({ name, form, text }));
});
/** A recipient whose window the echoing Twilio reports open, and one it reports closed. */
const ECHO_OPEN = '+33612345678';
const ECHO_CLOSED = '+33612345679';

/** Everything the request carried, its credentials decoded and re-encoded every way. */
function echoOf(req: IncomingMessage, body: Buffer): string {
	const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
	for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
	lines.push('', body.toString('utf-8'), '');
	const decoded: string[] = [];
	const auth = req.headers.authorization ?? '';
	const basic = /^Basic\s+(\S+)/i.exec(auth);
	if (basic) {
		const pair = Buffer.from(basic[1], 'base64').toString('utf-8');
		const password = pair.split(':').slice(1).join(':');
		decoded.push(`b1 ${pair}`, `b3 ${password}`, `b4 ${encodeURIComponent(pair)}`, `b5 ${encodeURIComponent(password)}`, `b6 ${b64(password)}`);
	}
	const bearer = /^Bearer\s+(\S+)/i.exec(auth);
	if (bearer) decoded.push(`t1 ${bearer[1]}`, `t2 ${encodeURIComponent(bearer[1])}`, `t3 ${b64(bearer[1])}`);
	return `${lines.join('\n')}\nDecoded: ${decoded.join(' | ')}`;
}

type EchoShape = 'ok' | 'rej' | 'err' | 'err5' | 'auth401' | 'html4' | 'html5' | 'enc-ok' | 'enc-err';
const ECHO_SHAPES: EchoShape[] = ['ok', 'rej', 'err', 'err5', 'auth401', 'html4', 'html5', 'enc-ok', 'enc-err'];
const hex32 = (seed: string) => Buffer.from(seed.padEnd(16, '0').slice(0, 16)).toString('hex');

function echoAnswer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
	const url = req.url ?? '/';
	const [, full = '', rest = '/'] = /^\/([^/]+)(\/.*)?$/.exec(url) ?? [];
	const encoded = full.startsWith('enc-');
	const shape = full.replace(/^enc-/, '');
	const text = echoOf(req, body);
	const send = (status: number, type: string, payload: string, headers: Record<string, string> = {}) => {
		res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload), ...headers });
		res.end(payload);
	};
	const json = (status: number, value: unknown) => {
		const out = JSON.stringify(value);
		send(status, encoded ? 'text/plain' : 'application/json', encoded ? out.replace(/\//g, '\\/').replace(/\+/g, '\\u002b') : out, status === 503 ? { 'Retry-After': '0' } : {});
	};
	if (rest.endsWith('/oauth2/token')) {
		if (shape === 'tokok') return json(200, { access_token: ECHO_OAUTH_TOKEN, token_type: 'bearer', expires_in: 3600, scope: text });
		if (shape === 'tokerr5') return send(500, 'text/html', `<html><body><pre>${text.replace(/</g, '&lt;')}</pre></body></html>`);
		return json(401, { error: 'invalid_client', error_description: text });
	}
	if (shape === 'html4') return send(403, 'text/html', `<html><head><title>403</title></head><body><pre>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre></body></html>`);
	if (shape === 'html5') return send(502, 'text/plain', `Bad gateway. The upstream request was:\n${text}`);
	const now = new Date();
	const sinch = rest.startsWith('/v1/projects/');
	if (sinch) {
		const error = (status: number, code: string) => json(status, { error: { code: status, message: text, status: code, details: [{ '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail: text }] } });
		if (shape === 'err') return error(400, 'INVALID_ARGUMENT');
		if (shape === 'err5') return error(503, 'UNAVAILABLE');
		if (shape === 'auth401') return error(401, 'UNAUTHENTICATED');
		if (req.method === 'GET') return json(200, { messages: url.includes('33612345679') ? [] : [{ id: text, direction: 'TO_APP', contact_message: { text_message: { text } }, accept_time: now.toISOString() }], next_page_token: '' });
		return json(200, { message_id: `01ECHO${hex32('m').toUpperCase().slice(0, 20)} ${text}`, accepted_time: text });
	}
	// Twilio: the Messages API and the Content API.
	if (shape === 'err') return json(400, { code: 21211, message: text, more_info: text, status: 400 });
	if (shape === 'err5') return json(503, { code: 20500, message: text, more_info: text, status: 503 });
	if (shape === 'auth401') return json(401, { code: 20003, message: text, more_info: text, status: 401 });
	const content = /^\/v1\/Content\/([^/]+)(\/ApprovalRequests)?$/.exec(rest);
	if (content) {
		if (content[2]) return json(200, { sid: content[1], whatsapp: { status: shape === 'rej' ? 'rejected' : 'approved', rejection_reason: text, name: text, category: 'UTILITY' } });
		return json(200, { sid: content[1], friendly_name: text, language: 'en', types: { 'twilio/text': { body: `Hi {{1}}, ${text}` } }, variables: { '1': text } });
	}
	if (rest.startsWith('/v1/ContentAndApprovals')) {
		return json(200, { contents: [{ sid: `HX${hex32('c')}`, friendly_name: text, language: text, types: { 'twilio/text': { body: text } }, variables: { '1': text }, approval_requests: { status: text, rejection_reason: text } }], meta: { next_page_url: null } });
	}
	if (rest.includes('/IncomingPhoneNumbers')) return json(200, { incoming_phone_numbers: [{ sid: `PN${hex32('p')}`, phone_number: TWILIO_WA, sms_url: text }] });
	const message = { sid: `SM${hex32('s')}`, status: 'queued', to: `whatsapp:${ECHO_OPEN}`, from: `whatsapp:${TWILIO_WA}`, body: text, error_message: text, error_code: shape === 'rej' ? 63016 : null, price_unit: 'USD', date_created: now.toUTCString(), uri: text, direction: 'outbound-api' };
	if (req.method === 'GET' && /Messages\.json/.test(rest)) {
		const closed = url.includes('33612345679') || shape === 'rej';
		return json(200, { messages: closed ? [] : [{ ...message, direction: 'inbound', date_sent: now.toUTCString(), from: `whatsapp:${ECHO_OPEN}` }], next_page_uri: null });
	}
	return json(req.method === 'POST' ? 201 : 200, message);
}

interface EchoOp {
	name: string;
	provider: Provider;
	parameters: IDataObject;
}
const ECHO_OPS: EchoOp[] = [
	{ name: 'message (window checked)', provider: 'twilio', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'fail', options: { statusCallbackUrl: 'https://127.0.0.1:9/cb' } } },
	{ name: 'message (template instead)', provider: 'twilio', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'template', ...twilioTemplate(`HX${hex32('f')}`, { '1': 'Ada' }, 'fallback') } },
	{ name: 'media, statuses to the trigger', provider: 'twilio', parameters: { operation: 'sendMessage', messageType: 'media', mediaUrl: 'https://127.0.0.1:9/a.png', caption: 'Hi', outsideWindow: 'send', options: { statusToTrigger: true } } },
	{ name: 'template', provider: 'twilio', parameters: { operation: 'sendTemplate', ...twilioTemplate(`HX${hex32('t')}`, { '1': 'Ada' }) } },
	{ name: 'template, Messaging Service', provider: 'twilio', parameters: { operation: 'sendTemplate', twilioWhatsAppSenderType: 'messagingService', twilioWhatsAppServiceSid: MESSAGING_SERVICE, ...twilioTemplate(`HX${hex32('t')}`, { '1': 'Ada' }) } },
	{ name: 'get status', provider: 'twilio', parameters: { operation: 'getStatus', messageId: `SM${hex32('s')}` } },
	{ name: 'message (window checked)', provider: 'sinch', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'fail', buttons: { button: [{ title: 'Yes' }, { title: 'No' }] } } },
	{ name: 'message (template instead)', provider: 'sinch', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'template', fallbackTemplateId: 'order_shipped', fallbackTemplateLanguage: 'en', fallbackTemplateBodyValues: { value: [{ value: 'Ada' }] } } },
	{ name: 'media', provider: 'sinch', parameters: { operation: 'sendMessage', messageType: 'media', mediaUrl: 'https://127.0.0.1:9/a.png', caption: 'Hi', outsideWindow: 'send', options: { statusCallbackUrl: 'https://127.0.0.1:9/cb' } } },
	{ name: 'template', provider: 'sinch', parameters: { operation: 'sendTemplate', templateId: 'order_shipped', templateLanguage: 'en', templateBodyValues: { value: [{ value: 'Ada' }, { value: '#1' }, { value: 'soon' }] } } },
];

describe('Send WhatsApp: no secret echoed back', () => {
	let echo: LocalServer;
	beforeAll(async () => {
		echo = await localServer(echoAnswer);
	});
	afterAll(async () => echo?.close());

	function credentialsFor(mode: string, shape: EchoShape, tokenShape: string): void {
		const twilio = { ...ECHO_TWILIO, authType: mode === 'twilio API key' ? 'apiKey' : 'authToken', baseUrl: `${echo.url}/${shape}` };
		engine.setCredentials('messagingTwilioApi', twilio);
		engine.setCredentials('messagingSinchApi', {
			smsAuth: 'project',
			region: 'us',
			...ECHO_SINCH,
			accessToken: '',
			smsBaseUrl: `${echo.url}/${shape}`,
			verificationBaseUrl: `${echo.url}/${shape}`,
			conversationBaseUrl: `${echo.url}/${shape}`,
			authBaseUrl: `${echo.url}/${tokenShape}`,
		});
	}

	function leaks(where: string, text: string): string[] {
		return SECRET_FORMS.filter((f) => text.includes(f.text)).map((f) => `${where}: ${f.name} (${f.form})`);
	}

	it('every operation and editor method, every answer shape, both providers: no secret in an item, an error, the task data or a log line', async () => {
		const found: string[] = [];
		let runs = 0;
		let editorCalls = 0;
		let echoed = 0;
		let redacted = 0;
		const output = captureOutput();
		try {
			for (const mode of ['twilio auth token', 'twilio API key', 'sinch project']) {
				const provider: Provider = mode.startsWith('twilio') ? 'twilio' : 'sinch';
				for (const shape of ECHO_SHAPES) {
					for (const tokenShape of provider === 'sinch' ? ['tokok', 'tokerr', 'tokerr5'] : ['tokok']) {
						for (const op of ECHO_OPS.filter((o) => o.provider === provider)) {
							for (const stop of [false, true]) {
								credentialsFor(mode, shape, tokenShape);
								const node = waNode(provider, { ...op.parameters, options: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 2000, ...(op.parameters.options as IDataObject) } }, stop ? {} : continueOnFail);
								const result = await engine.run([{ to: ECHO_OPEN }, { to: ECHO_CLOSED }], [node]);
								runs++;
								const tag = `${mode} ${shape} ${tokenShape} ${op.name}${stop ? ' (stops)' : ''}`;
								const error = result.error(NODE) ?? result.error();
								const shown = `${JSON.stringify(result.items(NODE))}\n${error?.message}\n${error?.description}`;
								if (shown.includes('[redacted]')) redacted++;
								if (/POST \/|GET \//.test(shown)) echoed++;
								found.push(
									...leaks(`${tag} items`, JSON.stringify(result.items(NODE))),
									...leaks(`${tag} error`, `${error?.message}\n${error?.description}\n${JSON.stringify(error ?? {})}`),
									...leaks(`${tag} task data`, `${JSON.stringify(result.task(NODE) ?? {})}\n${inspect(result.task(NODE), { depth: 30 })}`),
									...leaks(`${tag} run`, inspect(result.run.data.resultData, { depth: 30 })),
								);
							}
						}
						// The editor's methods: the account's templates, a template's variables (and the fallback's).
						credentialsFor(mode, shape, tokenShape);
						const calls: Array<[string, IDataObject, (m: any, fns: unknown) => Promise<unknown>]> = [
							['searchTemplates', { operation: 'sendTemplate', provider }, (m, fns) => (m.listSearch.searchTemplates as (this: unknown, f?: string) => Promise<INodeListSearchResult>).call(fns, 'a')],
							['getTemplateVariables', { operation: 'sendTemplate', provider, template: { __rl: true, mode: 'id', value: `HX${hex32('t')}` } }, (m, fns) => (m.resourceMapping.getTemplateVariables as (this: unknown) => Promise<ResourceMapperFields>).call(fns)],
							['getFallbackTemplateVariables', { operation: 'sendMessage', outsideWindow: 'template', provider, fallbackTemplate: { __rl: true, mode: 'id', value: `HX${hex32('f')}` } }, (m, fns) => (m.resourceMapping.getFallbackTemplateVariables as (this: unknown) => Promise<ResourceMapperFields>).call(fns)],
						];
						for (const [name, parameters, call] of calls) {
							editorCalls++;
							let seen: string;
							try {
								seen = inspect(await engine.editorMethod('sendWhatsApp', parameters as never, call as never), { depth: 30 });
							} catch (error) {
								seen = `${(error as Error).message}\n${inspect(error, { depth: 30 })}\n${JSON.stringify(error)}`;
							}
							found.push(...leaks(`${mode} ${shape} ${tokenShape} editor ${name}`, seen));
						}
					}
				}
			}
		} finally {
			output.restore();
		}
		found.push(...leaks('console, stdout, stderr, logger', output.text()));
		console.log(`Echo: ${runs} runs and ${editorCalls} editor calls against an echoing server (${echoed} runs showed the echoed request, ${redacted} with [redacted] in it), ${SECRET_FORMS.length} secret forms looked for; ${found.length} found`);
		// The echo did reach items and errors: the test would see a leak.
		expect(echoed).toBeGreaterThan(runs / 3);
		expect(found.slice(0, 30)).toEqual([]);
	}, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------
// 4. A server that never answers, one that trickles
// ---------------------------------------------------------------------------------------------------------------

interface Arrival {
	at: number;
	method: string;
	path: string;
	body: string;
}
interface SlowServer {
	url: string;
	arrivals: Arrival[];
	close(): Promise<void>;
}

/** Reads each request, then answers nothing (or, trickling, a status line and one byte every 200 ms, never the end). */
async function slowServer(kind: 'silent' | 'trickle'): Promise<SlowServer> {
	const arrivals: Arrival[] = [];
	const timers = new Set<NodeJS.Timeout>();
	const server = await localServer((req, res, body) => {
		arrivals.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', body: body.toString('utf-8') });
		if (kind === 'silent') return;
		res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' });
		res.flushHeaders();
		const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 200);
		timers.add(timer);
		res.on('close', () => clearInterval(timer));
	});
	return {
		url: server.url,
		arrivals,
		async close() {
			for (const timer of timers) clearInterval(timer);
			await server.close();
		},
	};
}

/** Accepts every connection and never reads from it. */
async function deafServer(): Promise<SlowServer> {
	const arrivals: Arrival[] = [];
	const sockets = new Set<Socket>();
	const server = createTcpServer((socket) => {
		arrivals.push({ at: Date.now(), method: '?', path: '?', body: '' });
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
		socket.pause();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	return {
		url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
		arrivals,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

const SLOW_TIMEOUT_MS = 1000;
/** Scheduling, connecting, the event loop: what an item may take beyond its requests' timeouts. */
const SLOW_MARGIN_MS = 1500;

interface SlowCase {
	name: string;
	provider: Provider;
	parameters: IDataObject;
	/** The most requests the item may make before it ends (each bounded by the timeout), when the token also never comes. */
	requests: number;
	/** The same with a token that comes (Sinch: only the Conversation API is slow). */
	requestsWithToken?: number;
}
const SLOW_CASES: SlowCase[] = [
	{ name: 'message, window checked', provider: 'twilio', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'fail' }, requests: 2 },
	{ name: 'message, template instead', provider: 'twilio', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'template', ...twilioTemplate(SIDS.orderShipped, ORDER_VARS, 'fallback') }, requests: 2 },
	{ name: 'media, sent anyway', provider: 'twilio', parameters: { operation: 'sendMessage', messageType: 'media', mediaUrl: 'https://127.0.0.1:9/a.png', outsideWindow: 'send' }, requests: 1 },
	{ name: 'template', provider: 'twilio', parameters: { operation: 'sendTemplate', ...twilioTemplate(SIDS.orderShipped, ORDER_VARS) }, requests: 1 },
	{ name: 'statuses to the trigger', provider: 'twilio', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'send', options: { statusToTrigger: true } }, requests: 1 },
	// Token, then (the window unknown) three tries of the token for the send; with a token: the window GET and one send.
	{ name: 'message, window checked', provider: 'sinch', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'fail' }, requests: 4, requestsWithToken: 2 },
	{ name: 'template', provider: 'sinch', parameters: { operation: 'sendTemplate', templateId: 'order_shipped', templateLanguage: 'en', templateBodyValues: { value: [{ value: 'Ada' }, { value: '#1' }, { value: 'soon' }] } }, requests: 3, requestsWithToken: 1 },
	{ name: 'buttons, sent anyway', provider: 'sinch', parameters: { operation: 'sendMessage', message: 'Hi', outsideWindow: 'send', buttons: { button: [{ title: 'Yes' }] } }, requests: 3, requestsWithToken: 1 },
];

describe('Send WhatsApp: a server that never answers, or trickles', () => {
	it.each([
		['silent (reads, never answers)', 'silent', false],
		['trickling (headers, then a byte every 200 ms)', 'trickle', false],
		['deaf (accepts, never reads)', 'deaf', false],
		['silent Conversation API, the token comes', 'silent', true],
		['trickling Conversation API, the token comes', 'trickle', true],
	] as const)('%s: every operation ends within its requests’ timeouts, with a clear error, sent at most once', async (_name, kind, tokenComes) => {
		const slow = kind === 'deaf' ? await deafServer() : await slowServer(kind);
		try {
			const sandbox = box.get();
			engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, baseUrl: slow.url });
			engine.setCredentials('messagingSinchApi', {
				...sandboxCredential(sandbox, SINCH_WA_CREDENTIAL),
				accessToken: '',
				conversationBaseUrl: slow.url,
				...(tokenComes ? {} : { authBaseUrl: slow.url }),
			});
			const cases = SLOW_CASES.filter((c) => !tokenComes || c.provider === 'sinch');
			const timed = await Promise.all(
				cases.map(async (c, k) => {
					const to = mobile(85, k);
					const started = Date.now();
					const result = await engine.run([{ to }], [waNode(c.provider, { ...c.parameters, options: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: SLOW_TIMEOUT_MS, ...(c.parameters.options as IDataObject) } }, continueOnFail)]);
					return { c, to, ms: Date.now() - started, json: result.items(NODE)[0]?.json ?? {} };
				}),
			);
			const lines: string[] = [];
			for (const { c, to, ms, json } of timed) {
				const requests = tokenComes ? (c.requestsWithToken ?? c.requests) : c.requests;
				lines.push(`${c.provider} ${c.name}: ${ms} ms (bound ${requests} × ${SLOW_TIMEOUT_MS} + ${SLOW_MARGIN_MS}), ${String(json.status)}: ${String(json.error).slice(0, 90)}`);
				expect({ case: `${c.provider} ${c.name}`, late: ms > requests * SLOW_TIMEOUT_MS + SLOW_MARGIN_MS }).toEqual({ case: `${c.provider} ${c.name}`, late: false });
				expect(json.messageId).toBeUndefined();
				expect(String(json.error)).toMatch(/Twilio|Sinch/);
				expect(String(json.error)).not.toMatch(INTERNALS);
				// Each message request left at most once: a timed-out send is never tried again.
				const digits = to.slice(1);
				const sends = slow.arrivals.filter((a) => a.method === 'POST' && (/Messages\.json$/.test(a.path) || /messages:send$/.test(a.path)) && a.body.includes(digits));
				expect({ case: `${c.provider} ${c.name}`, sends: sends.length <= 1 }).toEqual({ case: `${c.provider} ${c.name}`, sends: true });
			}
			console.log(`${kind}${tokenComes ? ' (token comes)' : ''}:\n  ${lines.join('\n  ')}`);
		} finally {
			await slow.close();
		}
	}, 30_000);
});

// ---------------------------------------------------------------------------------------------------------------
// 5. The trigger: malformed and forged Conversation callbacks, odd Twilio WhatsApp forms
// ---------------------------------------------------------------------------------------------------------------

const STATUSES = ['accepted', 'queued', 'scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'received', 'canceled', 'unknown'];
const EVENTS = ['inbound', 'status', 'optOut', 'optIn', 'help'];

/** Why an item a trigger execution starts with is garbage, or undefined: the one shape, typed, nothing "[object Object]". */
function garbageIn(item: IDataObject): string | undefined {
	if (!EVENTS.includes(String(item.event))) return `event ${JSON.stringify(item.event)}`;
	if (typeof item.messageId !== 'string' || item.messageId === '') return `messageId ${JSON.stringify(item.messageId)}`;
	if (!STATUSES.includes(String(item.status))) return `status ${JSON.stringify(item.status)}`;
	if (item.from !== null && typeof item.from !== 'string') return `from ${JSON.stringify(item.from)}`;
	if (item.body !== null && typeof item.body !== 'string') return `body ${JSON.stringify(item.body)}`;
	if (!['whatsapp', 'sms', 'mms'].includes(String(item.channel))) return `channel ${JSON.stringify(item.channel)}`;
	const button = item.button as IDataObject | null | undefined;
	if (button != null && (typeof button.payload !== 'string' || button.payload === '')) return `button ${JSON.stringify(button).slice(0, 80)}`;
	if (item.replyTo != null && typeof item.replyTo !== 'string') return `replyTo ${JSON.stringify(item.replyTo)}`;
	const shown = { ...item, raw: undefined };
	if (JSON.stringify(shown).includes('[object Object]')) return '[object Object] in a field';
	return undefined;
}

function signSinch(secret: string, body: string, at = Date.now()): Record<string, string> {
	const nonce = `n${at}${Math.random().toString(36).slice(2)}`;
	const timestamp = String(Math.floor(at / 1000));
	return {
		'Content-Type': 'application/json',
		'x-sinch-webhook-signature-nonce': nonce,
		'x-sinch-webhook-signature-timestamp': timestamp,
		'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
		'x-sinch-webhook-signature': computeSinchWebhookSignature(secret, body, nonce, timestamp),
	};
}

const APP = '01SANDBXAPP000000000000001';
const inboundEvent = (message: unknown, extra: IDataObject = {}) => ({ app_id: APP, accepted_time: new Date().toISOString(), event_time: new Date().toISOString(), project_id: 'p', message, message_metadata: '', ...extra });
const goodMessage = (id: string, contact: unknown = { text_message: { text: 'hi' } }) => ({ id, direction: 'TO_APP', contact_message: contact, channel_identity: { channel: 'WHATSAPP', identity: '33612345678', app_id: '' }, conversation_id: 'c', contact_id: 'k', metadata: '', accept_time: new Date().toISOString() });

/** Signed Conversation callbacks that are malformed: wrong types, missing fields, arrays for objects, huge, deep. */
function malformedCallbacks(): Array<[string, string]> {
	const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
	const cases: Array<[string, unknown]> = [
		['message is a string', inboundEvent('hello')],
		['message is a list', inboundEvent([])],
		['message is a list of messages', inboundEvent([goodMessage('m-list')])],
		['message id is an object', inboundEvent({ ...goodMessage('x'), id: {} })],
		['message id is empty', inboundEvent({ ...goodMessage('x'), id: '' })],
		['message id is a number', inboundEvent({ ...goodMessage('x'), id: 42 })],
		['message id is huge', inboundEvent({ ...goodMessage('x'), id: 'i'.repeat(200_000) })],
		['contact_message is a list', inboundEvent(goodMessage('m-cm-list', []))],
		['contact_message missing', inboundEvent({ ...goodMessage('m-no-cm'), contact_message: undefined })],
		['text is an object', inboundEvent(goodMessage('m-text-obj', { text_message: { text: { a: 1 } } }))],
		['text is a number', inboundEvent(goodMessage('m-text-num', { text_message: { text: 42 } }))],
		['text is a list', inboundEvent(goodMessage('m-text-list', { text_message: { text: ['a', 'b'] } }))],
		['text has NUL and a lone surrogate', inboundEvent(goodMessage('m-text-nul', { text_message: { text: 'a\u0000b\ud83dc' } }))],
		['text is 1 MB', inboundEvent(goodMessage('m-text-huge', { text_message: { text: 'x'.repeat(1_000_000) } }))],
		['postback is an object', inboundEvent(goodMessage('m-pb-obj', { choice_response_message: { message_id: 'SM1', postback_data: { a: 1 } } }))],
		['postback is a list', inboundEvent(goodMessage('m-pb-list', { choice_response_message: { message_id: ['SM1'], postback_data: ['yes'] } }))],
		['postback is empty', inboundEvent(goodMessage('m-pb-empty', { choice_response_message: { message_id: '', postback_data: '' } }))],
		['postback is 100 KB', inboundEvent(goodMessage('m-pb-huge', { choice_response_message: { message_id: 'SM1', postback_data: 'p'.repeat(100_000) } }))],
		['postback names __proto__', inboundEvent(goodMessage('m-pb-proto', { choice_response_message: { message_id: '__proto__', postback_data: '__proto__' } }))],
		['choice response is a string', inboundEvent(goodMessage('m-choice-str', { choice_response_message: 'yes' }))],
		['media url is an object', inboundEvent(goodMessage('m-media-obj', { media_message: { url: { href: 'x' } } }))],
		['channel identity is a string', inboundEvent({ ...goodMessage('m-ci-str'), channel_identity: '33612345678' })],
		['identity is an object', inboundEvent({ ...goodMessage('m-id-obj'), channel_identity: { channel: 'WHATSAPP', identity: { n: 1 } } })],
		['identity is garbage', inboundEvent({ ...goodMessage('m-id-garbage'), channel_identity: { channel: 'WHATSAPP', identity: 'not a number <b>' } })],
		['channel is an object', inboundEvent({ ...goodMessage('m-ch-obj'), channel_identity: { channel: { c: 1 }, identity: '33612345678' } })],
		['channel whose toString is not a function (BUG-7)', inboundEvent({ ...goodMessage('m-ch-tostring'), channel_identity: { channel: { toString: 'x' }, identity: '33612345678' } })],
		['app_id is a number', { ...inboundEvent(goodMessage('m-app-num')), app_id: 42 }],
		['app_id and an SMS type', { ...inboundEvent(goodMessage('m-app-type')), type: 'mo_text' }],
		['report status is an object', { app_id: APP, message_delivery_report: { message_id: 'r1', status: {} } }],
		['report status is unknown', { app_id: APP, message_delivery_report: { message_id: 'r2', status: 'GARBAGE' } }],
		['report status names constructor', { app_id: APP, message_delivery_report: { message_id: 'r3', status: 'constructor' } }],
		['report id is a list', { app_id: APP, message_delivery_report: { message_id: ['r4'], status: 'DELIVERED' } }],
		['report reason is a list', { app_id: APP, message_delivery_report: { message_id: 'r5', status: 'FAILED', reason: [] } }],
		['report reason code is an object', { app_id: APP, message_delivery_report: { message_id: 'r6', status: 'FAILED', reason: { code: {}, description: { d: 1 } } } }],
		['report reason code names toString', { app_id: APP, message_delivery_report: { message_id: 'r7', status: 'FAILED', reason: { code: 'toString', description: 'x' } } }],
		['report is a string', { app_id: APP, message_delivery_report: 'DELIVERED' }],
		['neither message nor report', { app_id: APP, event_inbound: { id: 'e1' } }],
		['empty object', {}],
		['__proto__ and constructor keys', JSON.parse(`{"app_id":"${APP}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"message":${JSON.stringify(goodMessage('m-proto'))}}`)],
	];
	const out: Array<[string, string]> = cases.map(([name, body]) => [name, JSON.stringify(body)]);
	out.push(['a list body', '[1,2,3]'], ['null', 'null'], ['a string', '"x"'], ['a number', '42'], ['not JSON', '{"app_id":'], ['duplicated keys', `{"app_id":"${APP}","message":{"id":"d1"},"message":{"id":"d2","contact_message":{"text_message":{"text":"second"}}}}`]);
	out.push(['5,000 levels deep', `{"app_id":"${APP}","message":{"id":"m-deep","contact_message":{"text_message":{"text":"hi"}},"metadata":${deep(5000)}}}`]);
	out.push(['4 MB body', JSON.stringify(inboundEvent(goodMessage('m-4mb'), { pad: 'z'.repeat(4_000_000) }))]);
	return out;
}

describe('Messaging Trigger: WhatsApp callbacks, malformed or forged', () => {
	let harness: TriggerHarness | undefined;
	afterEach(async () => {
		await harness?.close();
		harness = undefined;
	});

	it('Sinch: malformed Conversation callbacks, signed: never a crash, never a 5xx, never an execution with garbage', async () => {
		harness = new TriggerHarness(engine, { provider: 'sinch', events: ['inbound', 'status'] });
		await harness.listen();
		const secret = box.get().accounts.sinch.webhookSecret;
		const lines: string[] = [];
		const problems: string[] = [];
		const output = captureOutput();
		try {
			for (const [name, body] of malformedCallbacks()) {
				const before = harness.executions.length;
				const res = await fetch(harness.url, { method: 'POST', headers: signSinch(secret, body), body });
				const text = (await res.text()).slice(0, 120);
				const started = harness.executions.slice(before);
				lines.push(`${res.status} ${started.length ? `${started.length} execution(s)` : 'no execution'}  ${name}${res.status >= 400 ? `: ${text}` : ''}`);
				if (res.status >= 500) problems.push(`${name}: ${res.status} ${text}`);
				for (const execution of started) for (const item of execution.items) {
					const garbage = garbageIn(item);
					if (garbage) problems.push(`${name}: an execution with ${garbage}`);
				}
			}
		} finally {
			output.restore();
		}
		// What the trigger logs of its refusals: sentences, not JavaScript internals (BUG-7's one, counted apart).
		const logged = output.text().split('\n').filter((line) => /refused a request/.test(line));
		const internals = logged.filter((line) => INTERNALS.test(line) || /Cannot convert object to primitive value/.test(line));
		const bug7 = internals.filter((line) => /Cannot convert object to primitive value/.test(line));
		problems.push(...internals.filter((line) => !bug7.includes(line)).map((line) => `logged: ${line.slice(0, 200)}`));
		lines.push(`(BUG-7 logged "Cannot convert object to primitive value" ${bug7.length} time(s))`);
		expect(({} as IDataObject).polluted).toBeUndefined();
		// Still answering, and a good callback still starts its execution.
		const good = JSON.stringify(inboundEvent(goodMessage('m-after')));
		const res = await fetch(harness.url, { method: 'POST', headers: signSinch(secret, good), body: good });
		expect(res.status).toBe(200);
		expect(harness.executions.at(-1)?.items[0]).toMatchObject({ event: 'inbound', messageId: 'm-after', from: '+33612345678', body: 'hi', channel: 'whatsapp' });
		console.log(`Sinch Conversation callbacks, malformed and signed:\n  ${lines.join('\n  ')}`);
		expect(problems).toEqual([]);
	}, 60_000);

	it('Sinch: forged, unsigned, replayed or tampered callbacks are refused 403 before anything is read or remembered', async () => {
		harness = new TriggerHarness(engine, { provider: 'sinch', events: ['inbound', 'status'] });
		await harness.listen();
		const secret = box.get().accounts.sinch.webhookSecret;
		const body = JSON.stringify(inboundEvent(goodMessage('m-forged')));
		const tamper = (headers: Record<string, string>, change: Record<string, string | undefined>) => {
			const out = { ...headers };
			for (const [key, value] of Object.entries(change)) if (value === undefined) delete out[key];
			else out[key] = value;
			return out;
		};
		const signed = signSinch(secret, body);
		const forged: Array<[string, Record<string, string>, string]> = [
			['unsigned', { 'Content-Type': 'application/json' }, body],
			['signed with another secret', signSinch('not-the-secret', body), body],
			['the body changed after signing', signed, body.replace('hi', 'ho')],
			['signed 25 hours ago', signSinch(secret, body, Date.now() - 25 * 3600_000), body],
			['signed 10 minutes ahead', signSinch(secret, body, Date.now() + 10 * 60_000), body],
			['another algorithm', tamper(signed, { 'x-sinch-webhook-signature-algorithm': 'HmacSHA1' }), body],
			['no nonce', tamper(signed, { 'x-sinch-webhook-signature-nonce': undefined }), body],
			['no timestamp', tamper(signed, { 'x-sinch-webhook-signature-timestamp': undefined }), body],
			['a timestamp that is not a number', tamper(signSinch(secret, body), { 'x-sinch-webhook-signature-timestamp': 'NaN' }), body],
			['an empty signature', tamper(signed, { 'x-sinch-webhook-signature': '' }), body],
			['unsigned and not JSON', { 'Content-Type': 'application/json' }, '{"app_id":'],
			['unsigned, 4 MB', { 'Content-Type': 'application/json' }, JSON.stringify(inboundEvent(goodMessage('m-big'), { pad: 'z'.repeat(4_000_000) }))],
		];
		const statuses: string[] = [];
		for (const [name, headers, payload] of forged) {
			const res = await fetch(harness.url, { method: 'POST', headers, body: payload });
			statuses.push(`${res.status} ${name}`);
		}
		// And as the sandbox forges them.
		for (const forge of ['signature', 'unsigned', 'body'] as const) {
			const answer = await control('POST', '/webhooks', { provider: 'sinch', url: harness.url, channel: 'whatsapp', from: '+33612345678', to: SINCH_WA, body: 'Approve', button: { payload: 'approve', title: 'Approve' }, forge });
			statuses.push(`${answer.answer?.status} sandbox forge ${forge}`);
		}
		expect(statuses.filter((s) => !s.startsWith('403 '))).toEqual([]);
		expect(harness.executions).toHaveLength(0);
		// Nothing was read: no delivery remembered, nothing kept.
		expect(harness.staticData.deliveries).toBeUndefined();
	}, 60_000);

	it('Twilio: WhatsApp forms with odd ButtonPayload, ButtonText and OriginalRepliedMessageSid, signed: a clean item or a 4xx, never garbage', async () => {
		harness = new TriggerHarness(engine, { provider: 'twilio', configureProvider: false, events: ['inbound', 'status'] });
		await harness.listen();
		const token = box.get().accounts.twilio.authToken;
		const base = { MessageSid: 'SM' + 'a'.repeat(32), AccountSid: box.get().accounts.twilio.accountSid, From: 'whatsapp:+33612345678', To: `whatsapp:${TWILIO_WA}`, Body: 'Yes', NumMedia: '0', ProfileName: 'Ada', WaId: '33612345678', MessageType: 'button' };
		type Form = Record<string, string | string[]>;
		const forms: Array<[string, Form]> = [
			['a tap', { ButtonPayload: 'yes', ButtonText: 'Yes', OriginalRepliedMessageSid: 'SM' + 'b'.repeat(32) }],
			['an empty payload', { ButtonPayload: '', ButtonText: 'Yes' }],
			['a text but no payload', { ButtonText: 'Yes' }],
			['the payload twice', { ButtonPayload: ['first', 'second'], ButtonText: 'Yes' }],
			['a 100 KB payload', { ButtonPayload: 'p'.repeat(100_000) }],
			['a payload with NUL', { ButtonPayload: 'a\u0000b' }],
			['a payload with a lone surrogate', { ButtonPayload: 'a\ud83db' }],
			['a payload named __proto__', { ButtonPayload: '__proto__', ButtonText: 'constructor' }],
			['a payload that looks like JSON', { ButtonPayload: '{"a":[1]}' }],
			['an empty replied message', { ButtonPayload: 'yes', OriginalRepliedMessageSid: '' }],
			['a 100 KB replied message', { ButtonPayload: 'yes', OriginalRepliedMessageSid: 'S'.repeat(100_000) }],
			['the replied message twice', { ButtonPayload: 'yes', OriginalRepliedMessageSid: ['SM1', 'SM2'] }],
			['a replied message without a tap', { OriginalRepliedMessageSid: 'SM' + 'c'.repeat(32) }],
			['a status with a payload', { MessageStatus: 'read', ButtonPayload: 'yes' }],
			['a status named constructor', { MessageStatus: 'constructor' }],
			['From is only whatsapp:', { From: 'whatsapp:', ButtonPayload: 'yes' }],
			['From in upper case', { From: 'WHATSAPP:+33612345678', ButtonPayload: 'yes' }],
			['NumMedia 1e9', { NumMedia: '1000000000', MediaUrl0: 'javascript:alert(1)' }],
			['no MessageSid', { MessageSid: '', ButtonPayload: 'yes' }],
		];
		const problems: string[] = [];
		const lines: string[] = [];
		for (const [name, extra] of forms) {
			const params: Form = { ...base, ...extra, MessageSid: `${extra.MessageSid ?? base.MessageSid}${lines.length}` };
			if (extra.MessageSid === '') params.MessageSid = '';
			const body = new URLSearchParams(Object.entries(params).flatMap(([k, v]): Array<[string, string]> => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]))).toString();
			// Signed over what Twilio posts: the form as the server reads it back.
			const read: Record<string, string | string[]> = {};
			for (const [k, v] of new URLSearchParams(body)) read[k] = read[k] === undefined ? v : ([] as string[]).concat(read[k], v);
			const before = harness.executions.length;
			const res = await fetch(harness.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': computeTwilioSignature(token, harness.url, read) }, body });
			const started = harness.executions.slice(before);
			lines.push(`${res.status} ${started.length ? JSON.stringify({ button: started[0].items[0].button, replyTo: started[0].items[0].replyTo, from: started[0].items[0].from }).slice(0, 120) : 'no execution'}  ${name}`);
			if (res.status >= 500) problems.push(`${name}: ${res.status}`);
			for (const execution of started) for (const item of execution.items) {
				const garbage = garbageIn(item);
				if (garbage) problems.push(`${name}: an execution with ${garbage}`);
			}
		}
		const tap = harness.executions[0]?.items[0];
		expect(tap).toMatchObject({ event: 'inbound', channel: 'whatsapp', from: '+33612345678', button: { payload: 'yes', text: 'Yes' }, replyTo: 'SM' + 'b'.repeat(32), profileName: 'Ada' });
		// Forged: refused before reading.
		const count = harness.executions.length;
		const forged = new URLSearchParams({ ...base, ButtonPayload: 'approve' }).toString();
		const signatures: Array<Record<string, string>> = [{}, { 'X-Twilio-Signature': 'AAAA' }, { 'X-Twilio-Signature': computeTwilioSignature(token, `${harness.url}?x=1`, { ...base, ButtonPayload: 'approve' }) }];
		for (const headers of signatures) {
			const res = await fetch(harness.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: forged });
			expect(res.status).toBe(403);
		}
		expect(harness.executions).toHaveLength(count);
		console.log(`Twilio WhatsApp forms, signed:\n  ${lines.join('\n  ')}`);
		expect(problems).toEqual([]);
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// 6. The 24-hour window
// ---------------------------------------------------------------------------------------------------------------

/**
 * A provider whose history the test writes: the customer's last message `ageMs` ago. Twilio's Messages list filters by
 * From, To and DateSent> (a day, inclusive), Sinch's by app, identity, direction and start_time, as the real APIs do;
 * sends are accepted and counted.
 */
async function historyServer(ageMs: () => number): Promise<LocalServer & { sends: string[] }> {
	const sends: string[] = [];
	const server = await localServer((req, res, body) => {
		const url = new URL(req.url ?? '/', 'http://x');
		const json = (status: number, value: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
		const at = new Date(Date.now() - ageMs());
		if (url.pathname === '/oauth2/token') return json(200, { access_token: 'history-token', token_type: 'bearer', expires_in: 3600 });
		if (url.pathname.endsWith('/Messages.json') && req.method === 'GET') {
			const after = url.searchParams.get('DateSent>');
			const from = url.searchParams.get('From');
			const message = { sid: `SM${'1'.repeat(32)}`, direction: 'inbound', from, to: `whatsapp:${TWILIO_WA}`, date_sent: at.toUTCString(), date_created: at.toUTCString(), body: 'Hello' };
			const keep = !after || at.toISOString().slice(0, 10) >= after;
			return json(200, { messages: keep && from === `whatsapp:${ECHO_OPEN}` ? [message] : [], next_page_uri: null });
		}
		if (url.pathname.endsWith('/Messages.json') && req.method === 'POST') {
			sends.push(body.toString('utf-8'));
			return json(201, { sid: `SM${String(sends.length).padStart(32, '0')}`, status: 'queued', to: new URLSearchParams(body.toString('utf-8')).get('To'), from: `whatsapp:${TWILIO_WA}`, date_created: new Date().toUTCString() });
		}
		if (url.pathname.endsWith('/messages') && req.method === 'GET') {
			const start = Date.parse(url.searchParams.get('start_time') ?? '');
			const identity = url.searchParams.get('channel_identity');
			const keep = identity === ECHO_OPEN.slice(1) && url.searchParams.get('direction') === 'TO_APP' && (!Number.isFinite(start) || at.getTime() >= start);
			return json(200, { messages: keep ? [{ id: 'in-1', direction: 'TO_APP', accept_time: at.toISOString(), contact_message: { text_message: { text: 'Hello' } } }] : [], next_page_token: '' });
		}
		if (url.pathname.endsWith('/messages:send')) {
			sends.push(body.toString('utf-8'));
			return json(200, { message_id: `01HISTORY${String(sends.length).padStart(17, '0')}`, accepted_time: new Date().toISOString() });
		}
		return json(404, { message: 'not here' });
	});
	return Object.assign(server, { sends });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('Send WhatsApp: the 24-hour window', () => {
	it.each([
		['twilio', 23 * HOUR + 59 * MINUTE, 'open'],
		['twilio', 24 * HOUR + MINUTE, 'closed'],
		['sinch', 23 * HOUR + 59 * MINUTE, 'open'],
		['sinch', 24 * HOUR + MINUTE, 'closed'],
	] as const)('%s: the customer wrote %d ms ago: the window is %s', async (provider, age, state) => {
		const server = await historyServer(() => age);
		try {
			engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, baseUrl: server.url });
			engine.setCredentials('messagingSinchApi', { ...sandboxCredential(box.get(), SINCH_WA_CREDENTIAL), accessToken: '', authBaseUrl: server.url, conversationBaseUrl: server.url });
			const result = await engine.run([{ to: ECHO_OPEN }], [waNode(provider, { operation: 'sendMessage', message: 'Are you there?', outsideWindow: 'fail' }, continueOnFail)]);
			const [item] = result.items(NODE);
			if (state === 'open') {
				expect(item.json).toMatchObject({ messageId: expect.any(String), windowOpen: true, templateFallback: false });
				expect(server.sends).toHaveLength(1);
			} else {
				expect(String(item.json.error)).toMatch(/only allowed within 24 hours of the customer’s last message/);
				expect(server.sends).toHaveLength(0);
			}
		} finally {
			await server.close();
		}
	});

	it('a Messaging Service sender: sent when the customer wrote to the service in the last 24 hours; otherwise refused, or sent saying the window was not known', async () => {
		const parameters = { operation: 'sendMessage', message: 'Hi', outsideWindow: 'fail', twilioWhatsAppSenderType: 'messagingService', twilioWhatsAppServiceSid: MESSAGING_SERVICE };
		await openWindow('twilio', mobile(88, 1));
		const result = await engine.run([{ to: mobile(88, 1) }, { to: mobile(88, 2) }], [waNode('twilio', parameters, continueOnFail)]);
		const [wrote, silent] = result.items(NODE).map((i) => i.json);
		console.log(`Messaging Service: customer wrote → ${JSON.stringify({ windowOpen: wrote.windowOpen, error: wrote.error })}; never wrote → ${JSON.stringify({ windowOpen: silent.windowOpen, error: silent.error })}`);
		expect(wrote).toMatchObject({ messageId: expect.any(String) });
		expect([true, null]).toContain(wrote.windowOpen);
		if (silent.messageId !== undefined) expect(silent.windowOpen).toBeNull();
		else expect(String(silent.error)).toMatch(/only allowed within 24 hours/);
		expect(outbound()).toHaveLength(silent.messageId === undefined ? 1 : 2);
	});

	// The brief asked that a history request that fails fall back to sending. The 23:47 build decides otherwise, on
	// purpose (nodes/shared/whatsapp.ts sendFreeForm): Stop With a Clear Error refuses ("could not tell whether … wrote
	// in the last 24 hours"), Send a Template Instead sends the template. Both are clear and send nothing twice; which
	// one is right is the lead's call (see the report), so this test takes either and says which it saw.
	it.each(['twilio', 'sinch'] as const)('%s: a history request that keeps failing: sent (window unknown) or refused in plain words, never "unknown"; the template instead when asked', async (provider) => {
		const sandbox = box.get();
		engine.setCredentials('messagingSinchApi', { ...sandboxCredential(sandbox, SINCH_WA_CREDENTIAL), accessToken: await sinchToken() });
		const seen: string[] = [];
		for (const outsideWindow of ['fail', 'template'] as const) {
			const to = mobile(86, outsideWindow === 'fail' ? 1 : 2);
			await openWindow(provider, to);
			// The fallback template is looked up first (Twilio: the content and its approval; Sinch: the approval); then
			// three 503s: the history request and its two retries.
			const lookUps = outsideWindow === 'template' ? (provider === 'twilio' ? 2 : 1) : 0;
			for (let j = 0; j < lookUps; j++) sandbox.addFault({ provider, type: 'delay', delayMs: 0 });
			for (let j = 0; j < 3; j++) sandbox.addFault({ provider, type: 'status', status: 503 });
			const node = outsideWindow === 'fail' ? STORM_SPECS[provider === 'twilio' ? 0 : 3].node : provider === 'twilio' ? STORM_SPECS[1].node : BEFORE_SEND.find((b) => b.request === 'Sinch fallback template approval GET')?.node ?? {};
			const before = sandbox.requests.length;
			const result = await engine.run([{ to, n: 1 }], [waNode(provider, { ...node, outsideWindow, options: { ...stormOptions, maxRetries: 2 } }, continueOnFail)]);
			const json = result.items(NODE)[0].json;
			const history = sandbox.requests.slice(before).filter((q) => q.method === 'GET' && q.fault !== null && q.fault !== 'delay');
			expect(history.length).toBe(3);
			expect(history.every((q) => /Messages\.json$|\/messages$/.test(q.path))).toBe(true);
			expect(json.status).not.toBe('unknown');
			const stored = outbound().filter((m) => m.to.replace(/^whatsapp:/, '') === to);
			if (json.messageId !== undefined) {
				expect(stored).toHaveLength(1);
				expect(json.windowOpen).toBeNull();
				if (outsideWindow === 'template') expect(json).toMatchObject({ type: 'template', templateFallback: true });
				seen.push(`${outsideWindow}: sent as ${String(json.type)} (windowOpen null)`);
			} else {
				expect(stored).toHaveLength(0);
				expect(String(json.error)).toMatch(/could not tell|could not be learnt|did not answer|failing or unavailable/);
				expect(`${String(json.error)} ${String(json.errorDescription)}`).toMatch(/[Nn]othing was sent/);
				seen.push(`${outsideWindow}: refused: ${String(json.error)}`);
			}
		}
		console.log(`${provider}, the history unreadable:\n  ${seen.join('\n  ')}`);
	});

	it('the sandbox’s window shrinks with its time scale while the node reads a real 24 hours: a message the node thinks inside the window fails later (63016, OUTSIDE_ALLOWED_SENDING_WINDOW)', async () => {
		// 24 h × 0.00002 ≈ 1.7 s.
		const fast = await startSandbox({ port: 0, timeScale: 0.00002 });
		try {
			engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, baseUrl: fast.url });
			engine.setCredentials('messagingSinchApi', { ...sandboxCredential(fast, SINCH_WA_CREDENTIAL), accessToken: '' });
			for (const to of [`whatsapp:${TWILIO_WA}`, SINCH_WA]) {
				await sandboxControl(fast, 'POST', '/inbound', { from: ECHO_OPEN, to, body: 'Hello', channel: 'whatsapp' });
			}
			await new Promise((resolve) => setTimeout(resolve, 2500));
			const sent: IDataObject[] = [];
			for (const provider of ['twilio', 'sinch'] as const) {
				const result = await engine.run([{ to: ECHO_OPEN }], [waNode(provider, { operation: 'sendMessage', message: 'Still there?', outsideWindow: 'fail' }, continueOnFail)]);
				sent.push(result.items(NODE)[0].json);
			}
			// The node: the customer wrote 2.5 s ago, well inside 24 hours.
			expect(sent.map((s) => s.windowOpen)).toEqual([true, true]);
			// The sandbox: the window closed after 1.7 s, so the message fails as WhatsApp fails it outside the window.
			const failed = await waitFor(() => {
				const messages = [...fast.messages.values()].filter((m) => m.direction === 'outbound-api');
				return messages.length === 2 && messages.every((m) => ['failed', 'FAILED', 'undelivered'].includes(m.status)) ? messages : undefined;
			}, 10_000);
			expect(failed.map((m) => String(m.errorCode))).toEqual(['63016', 'OUTSIDE_ALLOWED_SENDING_WINDOW']);
		} finally {
			await fast.stop();
		}
	}, 30_000);
});

// ---------------------------------------------------------------------------------------------------------------
// 1b. Values outside the options (an imported or hand-edited workflow)
// ---------------------------------------------------------------------------------------------------------------

describe('Send WhatsApp: values the editor does not offer', () => {
	it.each(['sns', 'twilio,sinch', '', 'Twilio', 'constructor', '__proto__', 'toString'])('provider %p: a clear error for every operation, nothing sent', async (provider) => {
		const operations: IDataObject[] = [
			{ operation: 'sendMessage', message: 'Hi', outsideWindow: 'send' },
			{ operation: 'sendTemplate', ...twilioTemplate(SIDS.orderShipped, ORDER_VARS), templateId: 'order_shipped', templateLanguage: 'en' },
			{ operation: 'getStatus', messageId: `SM${'a'.repeat(32)}` },
		];
		for (const parameters of operations) {
			const result = await engine.run([{ to: '+33612345678' }, { to: '+33612345679' }], [waNode(provider as Provider, parameters, continueOnFail)]);
			const errors = result.items(NODE).map((i) => String(i.json.error));
			expect(errors).toHaveLength(2);
			for (const error of errors) expect(error).toMatch(parameters.operation === 'getStatus' ? /^Get Status cannot ask ".*" for a WhatsApp message’s status$|^Get Status cannot ask ".*" for a WhatsApp message's status$/ : /^Send WhatsApp cannot send through ".*"$/);
		}
		expect(box.get().requests).toHaveLength(0);
	});

	it('Get Status through Sinch (statuses come only to webhooks): a clear error that says where they are', async () => {
		const result = await engine.run([{}], [waNode('sinch', { operation: 'getStatus', messageId: '01ABC' }, continueOnFail)]);
		expect(result.items(NODE)[0].json).toMatchObject({ error: expect.stringMatching(/^Get Status cannot ask "sinch"/), errorDescription: expect.stringContaining('MESSAGE_DELIVERY') });
	});

	it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'send', ''])('operation %p: "Send WhatsApp has no operation …"', async (operation) => {
		const result = await engine.run([{ to: '+33612345678' }], [waNode('twilio', { operation, message: 'Hi' }, continueOnFail)]);
		expect(result.items(NODE)[0].json.error).toBe(`Send WhatsApp has no operation "${operation}"`);
		expect(box.get().requests).toHaveLength(0);
	});

	it.each(['bogus', 'Send', 'SEND', 'send ', 'TEMPLATE', '', 'constructor'])('Outside the 24-Hour Window %p with the window closed: nothing is sent without a check', async (outsideWindow) => {
		for (const provider of ['twilio', 'sinch'] as const) {
			const result = await engine.run([{ to: mobile(87, 1) }], [waNode(provider, { operation: 'sendMessage', message: 'Hi', outsideWindow }, continueOnFail)]);
			expect(String(result.items(NODE)[0].json.error)).toMatch(/only allowed within 24 hours|not an option|Outside the 24-Hour Window/);
		}
		expect(outbound()).toHaveLength(0);
	});

	it('quick-reply buttons left in a Twilio node (the editor hides them there) are not read; four buttons stop the workflow before it runs (n8n’s own check)', async () => {
		await openWindow('twilio', mobile(87, 2));
		const twilio = await engine.run([{ to: mobile(87, 2) }], [waNode('twilio', { operation: 'sendMessage', message: 'Ok?', outsideWindow: 'fail', buttons: { button: [{ title: {} }, { title: 'x'.repeat(50) }] } }, continueOnFail)]);
		expect(twilio.items(NODE)[0].json).toMatchObject({ type: 'text', messageId: expect.any(String) });
		await expect(engine.run([{ to: mobile(87, 2) }], [waNode('sinch', { operation: 'sendMessage', message: 'Pick', buttons: { button: ['A', 'B', 'C', 'D'].map((title) => ({ title })) } }, continueOnFail)])).rejects.toThrow(/At most 3/);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 7. Bugs found: each test fails today (it.failing) and passes once the bug is fixed
// ---------------------------------------------------------------------------------------------------------------

/** A content template of the sandbox's Twilio account, made through its Content API. */
async function createContent(body: string, samples: Record<string, string>): Promise<string> {
	const { accountSid, authToken } = box.get().accounts.twilio;
	const res = await fetch(`${box.get().url}/v1/Content`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Basic ${b64(`${accountSid}:${authToken}`)}` },
		body: JSON.stringify({ friendly_name: 'object_names', language: 'en', variables: samples, types: { 'twilio/text': { body } } }),
	});
	expect(res.status).toBe(201);
	return String(((await res.json()) as IDataObject).sid);
}

/** A Sinch stand-in that approves every template and keeps what each send asked for. */
async function captureSinch(): Promise<LocalServer & { sends: IDataObject[] }> {
	const sends: IDataObject[] = [];
	const server = await localServer((req, res, body) => {
		const json = (status: number, value: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
		const path = (req.url ?? '').split('?')[0];
		if (path === '/oauth2/token') return json(200, { access_token: 'capture-token', token_type: 'bearer', expires_in: 3600 });
		const template = /\/whatsapp\/templates\/([^/]+)$/.exec(path);
		if (template) return json(200, { templates: [{ name: decodeURIComponent(template[1]), language: 'EN', state: 'APPROVED' }] });
		if (path.endsWith('/messages:send')) {
			sends.push(JSON.parse(body.toString('utf-8')) as IDataObject);
			return json(200, { message_id: `01CAPTURE${String(sends.length).padStart(17, '0')}`, accepted_time: new Date().toISOString() });
		}
		return json(200, { messages: [] });
	});
	return Object.assign(server, { sends });
}

/** The bugs' tests as plain tests with WA_SHOW_BUGS=1, to read why each fails. */
/** Each bug's test, fixed since: plain tests that keep it fixed. */
const failing = it;

describe('Bugs found', () => {
	// BUG-1: the Twilio variables are kept in plain objects — nodes/SendWhatsApp/actions/common.ts:257
	// (readTemplateChoice: `variables[key] = …`, so a key "__proto__" is dropped) and nodes/shared/whatsapp.ts:115-120
	// (resolveTemplate: `choice.variables[variable.name]`, then `(variables[variable.name] ?? '').trim()`). A template
	// variable named like an Object.prototype member ({{constructor}}, {{toString}}, {{__proto__}}: names Twilio allows,
	// as the sandbox's renderContent notes) reads Object's function or prototype, and the item ends
	// "(variables[variable.name] ?? "").trim is not a function". Fix: Object.create(null) for both objects (or Maps), and
	// read with Object.hasOwn(choice.variables, name).
	failing('BUG-1 a Twilio template whose variables are named constructor, toString and __proto__ is sent with the item’s values', async () => {
		const sid = await createContent('Hi {{name}}: {{constructor}} {{toString}} {{__proto__}}.', { name: 'Ada' });
		await openWindow('twilio', '+33612345678');
		const variables = JSON.parse('{"name":"Bob","constructor":"C","toString":"T","__proto__":"P"}') as IDataObject;
		const result = await engine.run([{ to: '+33612345678' }], [waNode('twilio', { operation: 'sendTemplate', ...twilioTemplate(sid, variables) }, continueOnFail)]);
		// n8n itself does not carry the "constructor" and "__proto__" fields of a parameter's value to the node: the node
		// sees them empty, and says so (the value named toString arrives and is used), and nothing is sent.
		expect(result.items(NODE)[0].json.error).toBe('Template "object_names" needs a value for {{constructor}}, {{__proto__}}');
		expect(outbound()).toHaveLength(0);
	});

	failing('BUG-1 … and with those variables left empty, the refusal names them (never "trim is not a function")', async () => {
		const sid = await createContent('Hi {{name}}: {{constructor}} {{toString}} {{__proto__}}.', { name: 'Ada' });
		const result = await engine.run([{ to: '+33612345678' }], [waNode('twilio', { operation: 'sendTemplate', ...twilioTemplate(sid, { name: 'Bob' }) }, continueOnFail)]);
		expect(result.items(NODE)[0].json.error).toBe('Template "object_names" needs a value for {{constructor}}, {{toString}}, {{__proto__}}');
		expect(box.get().requests.filter((q) => q.method === 'POST')).toHaveLength(1);
	});

	// BUG-1 (editor): nodes/shared/providers/twilio/whatsapp.ts:73 readContent reads a variable's sample as
	// `samples[name]` on the Content API's plain object: with no sample for {{constructor}} the editor shows
	// "{{constructor}} (e.g. function Object() { [native code] })", for {{__proto__}} "(e.g. [object Object])".
	// Fix: `Object.hasOwn(samples, name) ? samples[name] : undefined`.
	failing('BUG-1 (editor) the variables of such a template show no JavaScript internals as their examples', async () => {
		const sid = await createContent('Hi {{name}}: {{constructor}} {{toString}} {{__proto__}}.', { name: 'Ada' });
		const fields = await engine.editorMethod('sendWhatsApp', { operation: 'sendTemplate', provider: 'twilio', template: { __rl: true, mode: 'id', value: sid } }, (methods, fns) =>
			(methods.resourceMapping?.getTemplateVariables as (this: unknown) => Promise<ResourceMapperFields>).call(fns),
		);
		expect(fields.fields.map((f) => f.displayName)).toEqual(['{{name}} (e.g. Ada)', '{{constructor}}', '{{toString}}', '{{__proto__}}']);
	});

	// BUG-2: readTemplateChoice's `set` (common.ts:269-272) checks Object.hasOwn(variables, key) and then assigns
	// variables[key] = value on a plain object: a More Parameters key "__proto__" (or a Twilio variable of that name)
	// sets nothing, and the template goes without it, without a word. Fix: Object.create(null) for `variables`, or
	// refuse keys that are Object.prototype members.
	failing('BUG-2 a More Parameters key "__proto__" is sent to Sinch or refused, never dropped without a word', async () => {
		const sinch = await captureSinch();
		try {
			engine.setCredentials('messagingSinchApi', { ...sandboxCredential(box.get(), SINCH_WA_CREDENTIAL), accessToken: '', authBaseUrl: sinch.url, conversationBaseUrl: sinch.url, provisioningBaseUrl: sinch.url });
			const result = await engine.run([{ to: '+33612345678' }], [
				waNode('sinch', { operation: 'sendTemplate', templateId: 'order_shipped', templateLanguage: 'en', templateBodyValues: { value: [{ value: 'Ada' }, { value: '#1' }, { value: 'soon' }] }, templateParameters: { parameter: [{ name: '__proto__', value: 'kept' }] } }, continueOnFail),
			]);
			const json = result.items(NODE)[0].json;
			if (json.error === undefined) {
				const parameters = ((((sinch.sends[0]?.message as IDataObject).template_message as IDataObject).channel_template as IDataObject).WHATSAPP as IDataObject).parameters as IDataObject;
				expect(Object.hasOwn(parameters, '__proto__')).toBe(true);
			} else expect(String(json.error)).toContain('__proto__');
		} finally {
			await sinch.close();
		}
	});

	// BUG-3: only the Message text is checked for a broken character (sendMessage.operation.ts:157 readContent calls
	// findBrokenCharacter on it). A lone surrogate in a Caption, a button's title or payload, a Twilio template
	// variable or a Sinch body value goes out: Twilio's form encoding (URLSearchParams) turns it into U+FFFD, so the
	// customer sees "�" and the stored text differs from the item's; Sinch gets a JSON "\ud83d" escape. Fix: the same
	// check (rules/segments findBrokenCharacter) on every text the node sends, naming the field: "The caption has a
	// broken character at position N …", as Send SMS and Phone Verification do for their texts.
	failing.each([
		['Twilio caption', 'twilio', { operation: 'sendMessage', messageType: 'media', mediaUrl: 'https://127.0.0.1:9/a.png', caption: 'Invoice \ud83d', outsideWindow: 'send' }],
		['Sinch caption', 'sinch', { operation: 'sendMessage', messageType: 'media', mediaUrl: 'https://127.0.0.1:9/a.png', caption: 'Invoice \ud83d', outsideWindow: 'send' }],
		['Sinch button title', 'sinch', { operation: 'sendMessage', message: 'Pick', outsideWindow: 'send', buttons: { button: [{ title: 'Yes \ud83d' }, { title: 'No' }] } }],
		['Sinch button payload', 'sinch', { operation: 'sendMessage', message: 'Pick', outsideWindow: 'send', buttons: { button: [{ title: 'Yes', payload: 'y\ude00' }] } }],
		['Twilio template variable', 'twilio', { operation: 'sendTemplate', ...twilioTemplate(SIDS.orderShipped, { '1': 'Ada \ud83d', '2': '#1', '3': 'soon' }) }],
		['Sinch body value', 'sinch', { operation: 'sendTemplate', templateId: 'order_shipped', templateLanguage: 'en', templateBodyValues: { value: [{ value: 'Ada \ud83d' }, { value: '#1' }, { value: 'soon' }] } }],
	] as const)('BUG-3 a lone surrogate in the %s is refused before sending, with its position', async (_name, provider, parameters) => {
		const result = await engine.run([{ to: '+33612345678' }], [waNode(provider, parameters as IDataObject, continueOnFail)]);
		expect(String(result.items(NODE)[0].json.error)).toMatch(/broken character at position \d+/);
		expect(outbound()).toHaveLength(0);
	});

	// BUG-4: a reset of the Sinch OAuth token request when it is the first request of a send (Send Message with Send
	// Anyway, or any send whose look-ups found the token cached... and then expired) reads as "Sinch did not answer
	// after the request was sent (ECONNRESET), so the message may or may not have gone out", status unknown: the message
	// request never left, yet the item is not retried, and the sent-ledger remembers the "ambiguous send", so n8n's
	// Retry On Fail replays the failure instead of sending. (The 23:47 build fixed the same case for the look-ups, by
	// reading their ambiguous failures as "did not answer …; Nothing was sent", nodes/shared/whatsapp.ts lookUp.)
	// Fix: nodes/shared/transport.ts http() (line 164): when the credential uses a token and the token was empty before
	// the request and is still empty after the failure, the request never reached the messaging API: classify with
	// reached 'no' (the tokenNeverCame test the deadline branch makes at line 147), whatever the network error.
	// BUG-5: Get Status (nodes/SendWhatsApp/actions/getStatus.operation.ts:56-57) reads a reset or timeout of its GET as the
	// send's ambiguity: "Twilio did not answer after the request was sent (ECONNRESET), so the message may or may not have
	// gone out. It was not sent again, to avoid a duplicate", with status "unknown" in the item — about a status look-up
	// that sends nothing, and "unknown" reads as the message's status. It also has no Timeout per Request option: a
	// provider that never answers holds the item for n8n's default 30 s (DEFAULT_TIMEOUT_MS). Fix: wrap the look-up as
	// nodes/shared/whatsapp.ts lookUp does ("Twilio did not answer the status look-up; nothing was sent", kind network),
	// and give Get Status the retry options (Timeout per Request) the sending operations have.
	failing.each(BEFORE_SEND_CASES.filter(([name]) => BEFORE_SEND_BUGS.has(name)))('BUG-4/5 %s: never "unknown", never "may have gone out"', async (_name, spec, kind) => {
		expectBeforeSendRules(await beforeSend(spec, kind), kind, spec.status);
	});

	failing('BUG-4 under Retry On Fail: a reset of the Sinch token before a send is tried again by n8n (nothing was sent), and the message goes once', async () => {
		const sandbox = box.get();
		const to = mobile(89, 9);
		engine.setCredentials('messagingSinchApi', { ...sandboxCredential(sandbox, SINCH_WA_CREDENTIAL), accessToken: '' });
		sandbox.addFault({ provider: 'sinch', type: 'reset' });
		const result = await engine.run([{ to }], [waNode('sinch', { operation: 'sendMessage', message: 'Hi', outsideWindow: 'send', options: stormOptions }, { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 })]);
		expect(result.error()).toBeUndefined();
		expect(outbound().filter((m) => m.to === to)).toHaveLength(1);
	});

	// BUG-6: refusals quote a hostile key whole: a 10,000-character More Parameters key with an object as its value
	// gives "More Parameters → kkkk… must be text" (common.ts:292 puts `key` in the label unclipped), and a Twilio
	// Template Variables key likewise (common.ts:261). The node clips what it quotes to 40 characters elsewhere. Fix: clip the
	// key in both labels (clip() from rules/errors).
	failing.each([
		['sinch', { operation: 'sendTemplate', templateId: 'order_shipped', templateLanguage: 'en', templateParameters: { parameter: [{ name: 'k'.repeat(10_000), value: '={{ $json.object }}' }] } }],
		['twilio', { operation: 'sendTemplate', ...twilioTemplate(SIDS.orderShipped, { ...ORDER_VARS, ['k'.repeat(10_000)]: '={{ $json.object }}' }) }],
	] as const)('BUG-6 %s: a 10,000-character parameter key is quoted in a short error, not whole', async (provider, parameters) => {
		const result = await engine.run([{ to: '+33612345678', object: { a: 1 } }], [waNode(provider, parameters as IDataObject, continueOnFail)]);
		const error = String(result.items(NODE)[0].json.error);
		expect(error).toMatch(/must be text/);
		expect(error.length).toBeLessThanOrEqual(300);
	});
});
