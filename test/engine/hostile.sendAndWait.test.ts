/**
 * Send and Wait for Reply attacked (Send SMS's send and wait, the Messaging Trigger's routing of replies, the answer
 * page, the wait stores):
 * - 3,000 generated replies (unicode, emoji, RTL and zero-width marks, 5,000-character bodies, references in odd places,
 *   keywords, lookalike words) from the recipients and from others, each against a fresh set of waits, checked against a
 *   model of what the router must do; then 300 of them signed, through the trigger over HTTP;
 * - a storm: executions waiting on a few people (in this process and in Redis), replies, link clicks and time limits
 *   racing; every resume is one claimed answer, nothing resumes twice, nothing is lost, the store ends empty;
 * - forged and malformed requests to the answer page;
 * - the resume URL's token and the provider's credentials in no item, error, output or log line, against resume
 *   endpoints that echo the request back;
 * - Redis unreachable or stopped mid-wait; a resume endpoint that never answers; the process store flooded;
 * - a proxy's 404, answer words that are keywords, one reply delivered twice (at once, or to two processes), two waits
 *   in one execution.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import type { ProviderWebhookEvent } from '../../nodes/shared/providers/webhookTypes';
import { routeReply, type RouteOutcome } from '../../nodes/shared/replyRouter';
import { approvalWords, type ReplyExpectation } from '../../nodes/shared/rules/replies';
import { KEYWORD_LISTS, matchKeyword } from '../../nodes/shared/rules/optOut';
import { redisWaits } from '../../nodes/shared/state/redisWaits';
import { MAX_PROCESS_WAITS, ProcessWaitStore, processWaits, type PendingWait, type WaitStore } from '../../nodes/shared/state/waits';
import { captureOutput, localServer, rng, type LocalServer, type Rng } from '../helpers/hostile';
import { freePort, startRedis, useRedis, type RedisServer } from '../helpers/redis';
import { useSandbox, waitFor } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';
import { WaitingExecutions, type WaitingRun } from '../helpers/waiting';

const box = useSandbox();
const engine = useEngine(box);
const redis = useRedis();
afterAll(async () => {
	// The engine runs the nodes from dist/: their Redis clients belong to that copy of the module.
	const dist = join(__dirname, '..', '..', 'dist', 'nodes', 'shared', 'state', 'redisStore.js');
	await ((await import(dist)) as typeof import('../../nodes/shared/state/redisStore')).closeRedisClients();
});

const NUMBER = '+15005550006';
const OTHER_NUMBER = '+12025550134';
const BOSS = '+33612345678';
const DEPUTY = '+447911123456';

// ---------------------------------------------------------------------------------------------------------------------
// 1. Generated replies against a model
// ---------------------------------------------------------------------------------------------------------------------

/** Who has what waiting, in every scenario of the fuzz (each reply gets a fresh store with these). */
const PEOPLE = {
	/** One approval waiting. */
	approval: '+33611111111',
	/** Approve only ("reply ACCEPT"). */
	approveOnly: '+33622222222',
	/** Free text. */
	freeText: '+33633333333',
	/** Two approvals: the first plain, the second with a reference. */
	two: '+33644444444',
	/** Two approvals sent with Several Waiting "latest": no references, the latest answers. */
	latest: '+33655555555',
	/** Two approvals with references still waiting (the plain one was answered): a reply must quote one. */
	referenced: '+33666666666',
} as const;
type Person = keyof typeof PEOPLE;
/** Numbers with nothing waiting. */
const STRANGERS = ['+447700900123', '+14155550100', '+4915112345678', '+905321234567'];

const APPROVAL: ReplyExpectation = { mode: 'approval', ...approvalWords() };
/** As Send and Wait registers an approve-only wait: the decline words kept for reading "yes… no" as neither, never as answers. */
const APPROVE_ONLY: ReplyExpectation = { mode: 'approval', approveOnly: true, ...approvalWords() };
const FREE_TEXT: ReplyExpectation = { mode: 'freeText', approve: [], decline: [] };

interface Scenario {
	/** The waits as registered (reference included), by name. */
	waits: Record<string, PendingWait>;
}

let waitCounter = 0;
/**
 * The waits of the fuzz, registered in `store` as Send and Wait registers them, with resume URLs at `resumeBase`.
 * `clock` is when the first was sent; each next one a second later.
 */
async function scenario(store: WaitStoreLike, clock: number, resumeBase = 'http://127.0.0.1:1'): Promise<Scenario['waits']> {
	const waits: Scenario['waits'] = {};
	const add = async (name: string, person: Person, expects: ReplyExpectation, policy: 'reference' | 'latest' = 'reference') => {
		clock += 1_000;
		const id = `w${++waitCounter}`;
		const wait = { id, executionId: `exec-${name}-${id}`, resumeUrl: `${resumeBase}/webhook-waiting/exec-${id}?signature=${TOKEN}`, channel: 'sms' as const, sender: NUMBER, recipients: [PEOPLE[person]], expects, message: `Question ${name}`, createdAt: clock, expiresAt: null };
		const { reference } = await store.register(wait, policy, clock);
		await store.sent(id, [`SM${id}`]);
		waits[name] = { ...wait, reference, messageIds: [`SM${id}`] };
	};
	await add('approval', 'approval', APPROVAL);
	await add('approveOnly', 'approveOnly', APPROVE_ONLY);
	await add('freeText', 'freeText', FREE_TEXT);
	await add('twoPlain', 'two', APPROVAL);
	await add('twoReferenced', 'two', APPROVAL);
	await add('latestOld', 'latest', APPROVAL, 'latest');
	await add('latestNew', 'latest', APPROVAL, 'latest');
	await add('referencedPlain', 'referenced', APPROVAL);
	await add('referencedA', 'referenced', APPROVAL);
	await add('referencedB', 'referenced', APPROVAL);
	// The plain one was answered already: two referenced ones wait.
	const plain = waits.referencedPlain;
	expect(await store.claim(plain.id, { waitId: plain.id, executionId: plain.executionId, channel: 'link', approved: true, answer: 'Approve', button: null, answeredBy: null, answeredAt: new Date(clock).toISOString(), replyMessageId: null, messageIds: [], recipients: [], reference: null, sentAt: null })).toBe(true);
	return waits;
}
type WaitStoreLike = Pick<WaitStore, 'register' | 'sent' | 'claim'>;
/** The token in every resume URL the fuzz registers (64 hex characters, as n8n's). */
const TOKEN = '5eC7e7'.repeat(10).slice(0, 64).toLowerCase();

/** What a reply says, as the model knows it: written by the test, not computed by the code under test. */
type Meaning = 'approve' | 'decline' | 'keyword' | 'nonAnswer' | 'invisible';

const APPROVE_TEXTS = ['YES', 'yes', 'Yes', 'yEs', 'OK', 'ok', 'Okay', 'oui', 'Oui', 'Sí', 'SÍ', 'ja', 'Sim', 'evet', 'akkoord', 'Confirmed', 'Approved', "d'accord", 'd’accord', 'va bene', 'Einverstanden', 'bestätigt', 'ＹＥＳ', '👍', '👍🏽', '✅', '✔️', '👌'];
const DECLINE_TEXTS = ['NO', 'no', 'No', 'Nope', 'non', 'Non', 'nein', 'NEIN', 'não', 'nao', 'Hayır', 'hayir', 'nee', 'rifiuto', 'Declined', 'rejected', 'Refuse', 'ＮＯ', '👎', '👎🏿', '❌', '🚫'];
const KEYWORD_TEXTS = [...new Set(KEYWORD_LISTS.flatMap((list) => [...list.words.optOut, ...list.words.optIn, ...list.words.help]))];
/** Neither an answer nor a keyword, though some look like one. */
const NON_ANSWERS = [
	'YESTERDAY',
	'Yess',
	'Yesss!!!',
	'yesno',
	'Noon works',
	'Nobody told me',
	'None of this is mine',
	'Nonsense',
	'Okra soup',
	'Jaguar',
	'Ouija',
	'Simple question: who are you?',
	'Sinon rien',
	'Evetland',
	'Hayırlı olsun',
	'Neinstein',
	'I said yes',
	'Maybe',
	'not sure',
	'What is this about?',
	'Call me please',
	'?',
	'...',
	'🙂',
	'🤔🤔',
	'🙏',
	'💯',
	'yes no',
	'no, yes',
	'👍👎',
	'Ok no',
	'Da',
	'Hai',
	'Nej',
	'Ja nee',
	'da',
	'Да',
	'нет',
	'是',
	'はい',
	'いいえ',
	'نعم',
	'لا',
	'כן',
	'לא',
	'हाँ',
	'ναι',
	'όχι',
	// Homoglyphs: Cyrillic Е and О, Greek Ν and Ο, digits for letters.
	'YЕS',
	'ОК',
	'ΝΟ',
	'N0',
	'Y3S',
	'0K',
	// Answer words inside other words, after a zero-width or bidi mark, or reversed by one.
	'YESK',
	'\u202eSEY',
	'\u202eON',
	'http://example.com/yes',
	// One-letter words (English Y and N) at the start of a sentence in another language, or of a longer word.
	"Y'a un souci avec le montant",
	'Y el recibo?',
	'Y a-t-il une erreur ?',
	"N'importe quoi",
	'N/A',
	"Y'all need to call me",
	'STOP please',
	'HELP me understand',
	'please STOP',
	'Cancel my subscription',
	'START again',
];
/** Invisible or nearly (zero-width, bidi marks, spaces of all kinds). */
const INVISIBLE = ['\u200b', '\u200b\u200c\u200d', '\u2060', '\ufeff', '\u200e\u200f', '\u202a\u202c', '\u2066\u2069', '\u00a0', '\u3000', '\u2028', ' \t\n', '\u180e'];
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u200e', '\u200f', '\u202e', '\u2067', '\u2069'];
/** Added after an answer word: nothing in them approves or declines. */
const TAILS = ['', '', '', '!', '.', '!!!', ' please', ' thanks 🙂', ' merci', ' 🙏', ', go ahead', '\n\nSent from my iPhone', ' — John', ' :)', '\n', ' (for the dinner)'];
const HEADS = ['', '', '', ' ', '\n', '  ', '"', '¡', '¿', '...', '- ', '* '];
/** Scripts the generated noise is written in: nothing in them is an answer word (no Latin letters). */
const SCRIPTS: Array<[number, number]> = [
	[0x0400, 0x04ff], // Cyrillic
	[0x0590, 0x05ff], // Hebrew
	[0x0600, 0x06ff], // Arabic
	[0x0900, 0x097f], // Devanagari
	[0x3040, 0x30ff], // Kana
	[0x4e00, 0x9fff], // CJK
	[0xac00, 0xd7a3], // Hangul
	[0x1f300, 0x1f5ff], // Pictographs
	[0x2600, 0x26ff], // Miscellaneous symbols
];

/** The signs that answer (rules/replies.ts), kept out of the noise. */
const SIGNS = ['👍', '✅', '✔', '☑', '👌', '👎', '❌', '✖', '🚫'];

function noise(r: Rng, length: number): string {
	// Something to read first, in a script without answer words.
	const [low, high] = r.pick(SCRIPTS);
	let out = String.fromCodePoint(r.int(low, high));
	while ([...out].length < length) {
		const roll = r();
		if (roll < 0.12) out += ' ';
		else if (roll < 0.16) out += r.pick(ZERO_WIDTH);
		else if (roll < 0.2) out += r.pick(['.', ',', '!', '?', '\n', '#', '@', '&', '<', '>', '"', "'", '%', '\\', '{', '}']);
		else if (roll < 0.26) out += r.pick('BCDFGHJKLMPQRTVWXZ'.split(''));
		else {
			const [low, high] = r.pick(SCRIPTS);
			const char = String.fromCodePoint(r.int(low, high));
			// Thumbs and ticks are answers wherever they are (a 👎 after a YES undoes it).
			if (!SIGNS.includes(char)) out += char;
		}
	}
	return out;
}

/** Somewhere inside the text, a zero-width or bidi mark. */
const sprinkle = (r: Rng, text: string) => {
	const chars = [...text];
	const at = r.int(0, chars.length);
	chars.splice(at, 0, r.pick(ZERO_WIDTH));
	return chars.join('');
};
const recase = (r: Rng, text: string) => [...text].map((c) => (r.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');

interface Generated {
	from: string;
	to: string;
	channel: 'sms' | 'whatsapp';
	body: string;
	meaning: Meaning;
	/** The reference quoted, by the name of the wait it belongs to ('wrong' for one of the right shape that nobody has). */
	quotes: string | null;
	/** Zero-width marks inside an answer word: it may be read as the answer or as no answer, never as the other one. */
	blurred: boolean;
}

function generate(r: Rng, waits: Scenario['waits']): Generated {
	const roll = r();
	const from = roll < 0.8 ? PEOPLE[r.pick(Object.keys(PEOPLE) as Person[])] : r.pick(STRANGERS);
	const to = r.chance(0.06) ? OTHER_NUMBER : NUMBER;
	const channel = r.chance(0.04) ? 'whatsapp' : 'sms';
	const kind = r();
	let meaning: Meaning;
	let body: string;
	let blurred = false;
	if (kind < 0.3) {
		meaning = 'approve';
		body = r.pick(HEADS) + (r.chance(0.3) ? recase(r, r.pick(APPROVE_TEXTS)) : r.pick(APPROVE_TEXTS)) + r.pick(TAILS);
	} else if (kind < 0.55) {
		meaning = 'decline';
		body = r.pick(HEADS) + r.pick(DECLINE_TEXTS) + r.pick(TAILS);
	} else if (kind < 0.68) {
		meaning = 'keyword';
		// A keyword alone, in any case, with punctuation or spaces around it (what carriers take as one).
		body = r.pick(['', ' ', '\n', '"']) + (r.chance(0.5) ? recase(r, r.pick(KEYWORD_TEXTS)) : r.pick(KEYWORD_TEXTS)) + r.pick(['', '.', '!', ' ', '\n', '"']);
	} else if (kind < 0.82) {
		meaning = 'nonAnswer';
		body = r.pick(NON_ANSWERS);
		if (r.chance(0.3)) body = sprinkle(r, body);
	} else if (kind < 0.95) {
		meaning = 'nonAnswer';
		const long = r.chance(0.1);
		body = noise(r, long ? r.int(4_000, 5_000) : r.int(1, 60));
	} else {
		meaning = 'invisible';
		body = Array.from({ length: r.int(1, 4) }, () => r.pick(INVISIBLE)).join('');
	}
	if ((meaning === 'approve' || meaning === 'decline') && r.chance(0.1)) {
		body = sprinkle(r, body);
		blurred = true;
	}
	if ((meaning === 'approve' || meaning === 'decline') && r.chance(0.05)) {
		// A 5,000-character answer: the word first, then a long story.
		body = `${body} ${noise(r, 4_900)}`;
	}
	let quotes: string | null = null;
	if (meaning !== 'keyword' && meaning !== 'invisible' && r.chance(0.45)) {
		const references = Object.entries(waits).filter(([, w]) => w.reference !== null);
		const [name, wait] = r.chance(0.85) ? r.pick(references) : ['wrong', { reference: r.pick(['K7K', 'W9W', 'C3C', 'X6Y']) } as PendingWait];
		// Only references the tests know nobody has: the store picked the others.
		if (name === 'wrong' && references.some(([, w]) => w.reference === wait.reference)) return generate(r, waits);
		quotes = name;
		const reference = r.chance(0.3) ? wait.reference!.toLowerCase() : wait.reference!;
		const place = r();
		// Before, after, on a line of its own, in brackets, glued to punctuation.
		if (place < 0.3) body = `${reference} ${body}`;
		else if (place < 0.6) body = `${body} ${reference}`;
		else if (place < 0.75) body = `${body}\n${reference}`;
		else if (place < 0.9) body = `${body} (${reference})`;
		else body = `${body}, ${reference}!`;
	}
	return { from, to, channel, body, meaning, quotes, blurred };
}

type Expected = { outcome: 'none' } | { outcome: 'resumed'; wait: string; approved: boolean | null; orNotAnAnswer?: boolean } | { outcome: 'notAnAnswer' } | { outcome: 'ambiguous' };

/** What the router must do with a generated reply: the model. */
function expected(g: Generated, waits: Scenario['waits']): Expected {
	const person = (Object.keys(PEOPLE) as Person[]).find((p) => PEOPLE[p] === g.from);
	// Nothing waits for this number, on this channel, from the number it wrote to.
	if (!person || g.to !== NUMBER || g.channel !== 'sms') return { outcome: 'none' };
	if (g.meaning === 'keyword') return { outcome: 'none' };
	const mine = Object.entries(waits).filter(([name, w]) => w.recipients.includes(g.from) && name !== 'referencedPlain');
	const quoted = g.quotes && g.quotes !== 'wrong' ? mine.find(([name]) => name === g.quotes) : undefined;
	let target: string;
	if (quoted) target = quoted[0];
	else if (person === 'two') target = 'twoPlain';
	else if (person === 'latest') target = 'latestNew';
	else if (person === 'referenced') return { outcome: 'ambiguous' };
	else target = mine[0][0];
	const wait = waits[target];
	if (wait.expects.mode === 'freeText') {
		// Any text is the answer. (One with nothing to read in it, only zero-width and bidi marks, is taken as an
		// answer today, by the page too: not decided here, see the report.)
		return g.meaning === 'invisible' ? { outcome: 'resumed', wait: target, approved: null, orNotAnAnswer: true } : { outcome: 'resumed', wait: target, approved: null };
	}
	if (g.meaning === 'approve') return { outcome: 'resumed', wait: target, approved: true, orNotAnAnswer: g.blurred };
	if (g.meaning === 'decline' && !wait.expects.approveOnly) return { outcome: 'resumed', wait: target, approved: false, orNotAnAnswer: g.blurred };
	return { outcome: 'notAnAnswer' };
}

function eventOf(g: Generated, n: number): ProviderWebhookEvent {
	return { kind: 'inbound', messageId: `SMfuzz${n}`, from: g.from, to: g.to, body: g.body, media: [], status: 'received', providerStatus: 'received', errorCode: null, errorMessage: null, channel: g.channel, deliveryKey: `fuzz-${n}`, raw: {} };
}

describe('Send and wait · generated replies against a model', () => {
	it('the model’s words: no approve or decline word is a keyword, every keyword text is one', () => {
		for (const word of [...APPROVAL.approve, ...APPROVAL.decline]) expect([word, matchKeyword(word)]).toEqual([word, null]);
		for (const word of KEYWORD_TEXTS) expect(matchKeyword(word)).not.toBeNull();
		for (const word of NON_ANSWERS) expect([word, matchKeyword(word)]).toEqual([word, null]);
	});

	it.each([
		// A zero-width or bidi mark hides the second word from the check for "yes… no": still neither.
		['no, \u200byes', null],
		['yes n\u200bo', null],
		['Yes, \u2067no\u2069', null],
		// One-letter words: the English Y and N, also the start of a sentence in the other languages of the lists.
		['Y el recibo?', null],
		["Y'a un souci avec le montant", null],
		['Y a-t-il une erreur ?', null],
		["N'importe quoi", null],
		['N/A', null],
		["Y'all need to call me", null],
		// …which still answer on their own, with a reference, or with a mark around them.
		['Y', true],
		['y.', true],
		['n', false],
		['N!', false],
		['\u200bYES\u200b', true],
		['\u2066no\u2069', false],
		['d’accord', true],
		["D'accord, merci", true],
	])('%j from the person it waits for answers %s', async (text, approved) => {
		const store = new ProcessWaitStore();
		const now = Date.now();
		const wait = { id: 'w-one', executionId: 'exec-one', resumeUrl: 'http://127.0.0.1:1/webhook-waiting/exec-one', channel: 'sms' as const, sender: NUMBER, recipients: [BOSS], expects: APPROVAL, message: 'Expense?', createdAt: now, expiresAt: null };
		await store.register(wait, 'reference', now);
		const resumed: string[] = [];
		const event = eventOf({ from: BOSS, to: NUMBER, channel: 'sms', body: text, meaning: 'approve', quotes: null, blurred: false }, 1);
		const outcome = await routeReply(store, event, { keywords: {}, now: Date.now, resume: async (w) => (resumed.push(w.id), 'resumed') });
		if (approved === null) expect([outcome, resumed]).toEqual([{ outcome: 'notAnAnswer', waiting: 1 }, []]);
		else expect([outcome, resumed]).toEqual([{ outcome: 'resumed', executionId: 'exec-one', waitId: 'w-one', approved }, ['w-one']]);
	});

	it('approve only, on WhatsApp: a tapped button titled "No" or "Decline" is no answer, one titled "Yes" approves', async () => {
		const store = new ProcessWaitStore();
		const now = Date.now();
		await store.register({ id: 'w-only', executionId: 'exec-only', resumeUrl: 'http://127.0.0.1:1/webhook-waiting/exec-only', channel: 'whatsapp', sender: NUMBER, recipients: [BOSS], expects: APPROVE_ONLY, message: 'Can you take the job?', createdAt: now, expiresAt: null }, 'reference', now);
		const tap = (payload: string, text: string, n: number): ProviderWebhookEvent => ({ ...eventOf({ from: BOSS, to: NUMBER, channel: 'whatsapp', body: text, meaning: 'approve', quotes: null, blurred: false }, n), button: { payload, text } });
		const resumed: string[] = [];
		const options = { keywords: {}, now: Date.now, resume: async (w: PendingWait) => (resumed.push(w.id), 'resumed' as const) };
		for (const [payload, text] of [['no', 'No'], ['decline_job', 'Decline'], ['Nein', 'Nein danke']]) {
			expect([payload, await routeReply(store, tap(payload, text, 1), options)]).toEqual([payload, { outcome: 'notAnAnswer', waiting: 1 }]);
		}
		expect(resumed).toEqual([]);
		expect(await routeReply(store, tap('yes', 'Yes', 2), options)).toEqual({ outcome: 'resumed', executionId: 'exec-only', waitId: 'w-only', approved: true });
	});

	it('3,000 replies from the recipients and from others: never throws, never resumes on a non-answer, a keyword or from another number; each answer resumes its one wait, once', async () => {
		const r = rng(20260302);
		const counts = new Map<string, number>();
		const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
		const mismatches: Array<{ body: string; from: string; meaning: Meaning; quotes: string | null; expected: Expected; got: RouteOutcome | undefined | string }> = [];
		for (let n = 0; n < 3_000; n++) {
			const T0 = 1_700_000_000_000;
			const store = new ProcessWaitStore(() => T0 + 100_000, r);
			const waits = await scenario(store, T0);
			const g = generate(r, waits);
			const want = expected(g, waits);
			const resumed: PendingWait[] = [];
			let got: RouteOutcome | undefined;
			try {
				got = await routeReply(store, eventOf(g, n), { keywords: {}, now: () => T0 + 100_000, resume: async (wait) => (resumed.push(wait), 'resumed') });
			} catch (error) {
				mismatches.push({ body: g.body.slice(0, 80), from: g.from, meaning: g.meaning, quotes: g.quotes, expected: want, got: `threw ${(error as Error).message}` });
				continue;
			}
			count(`${g.meaning} → ${got?.outcome ?? 'none'}`);
			const outcome = got?.outcome ?? 'none';
			let ok: boolean;
			if (want.outcome === 'resumed') {
				const right = got?.outcome === 'resumed' && got.executionId === waits[want.wait].executionId && got.approved === want.approved && resumed.length === 1 && resumed[0].id === waits[want.wait].id;
				ok = right || (want.orNotAnAnswer === true && outcome === 'notAnAnswer' && resumed.length === 0);
			} else {
				ok = outcome === want.outcome && resumed.length === 0;
			}
			// Whatever happened: only a resumed wait left the store; its answer names the reply.
			const left = await Promise.all(Object.values(waits).map(async (w) => [w, await store.forExecution(w.executionId)] as const));
			for (const [w, still] of left) {
				const gone = resumed.some((x) => x.id === w.id) || w === waits.referencedPlain;
				if (gone === (still !== undefined)) ok = false;
			}
			if (got?.outcome === 'resumed') {
				const answer = await store.answerFor(got.executionId);
				if (answer?.replyMessageId !== `SMfuzz${n}` || answer.answeredBy !== g.from) ok = false;
			}
			if (!ok) mismatches.push({ body: g.body.slice(0, 80), from: g.from, meaning: g.meaning, quotes: g.quotes, expected: want, got });
		}
		// Every kind of reply was tried, and every outcome seen.
		const outcomes = [...counts.keys()].map((k) => k.split(' → ')[1]);
		expect(new Set(outcomes)).toEqual(new Set(['none', 'resumed', 'notAnAnswer', 'ambiguous']));
		expect(mismatches.slice(0, 20)).toEqual([]);
		expect(mismatches).toHaveLength(0);
	});
});

// ---------------------------------------------------------------------------------------------------------------------
// Harness for the engine-level attacks
// ---------------------------------------------------------------------------------------------------------------------

const outbound = () => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api');

async function openTrigger(parameters: Record<string, unknown> = {}): Promise<TriggerHarness> {
	const t = new TriggerHarness(engine.get(), { provider: 'twilio', target: NUMBER, ...parameters } as never);
	await t.listen();
	await t.activate();
	return t;
}

/** An inbound message as Twilio signs it, to post (and post again, as Twilio's retry) to the trigger. */
function inbound(t: TriggerHarness, from: string, body: string, options: { to?: string; channel?: 'sms' | 'whatsapp' } = {}) {
	const built = box.get().api('twilio').webhook({ url: t.url, event: 'inbound', from, to: options.to ?? NUMBER, body, status: 'received', ...(options.channel === 'whatsapp' ? { channel: 'whatsapp' as const } : {}) });
	const messageId = new URLSearchParams(built.body).get('MessageSid') ?? '';
	return {
		messageId,
		async post(): Promise<{ status: number; text: string; messageId: string; ms: number }> {
			const started = Date.now();
			const res = await fetch(built.url, { method: 'POST', headers: built.headers, body: built.body });
			return { status: res.status, text: await res.text(), messageId, ms: Date.now() - started };
		},
	};
}

/** An inbound message as Twilio signs it, posted to the trigger by this test (no length limit, unlike the phone page). */
async function signedInbound(t: TriggerHarness, from: string, body: string, options: { to?: string; channel?: 'sms' | 'whatsapp' } = {}): Promise<{ status: number; text: string; messageId: string; ms: number }> {
	return await inbound(t, from, body, options).post();
}

/** A stand-in for n8n's /webhook-waiting/ route that records what the trigger asks and answers as told. */
async function resumeRecorder(answer: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void = (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"resumed":true}')) {
	const seen: Array<{ method: string; url: string; body: string }> = [];
	const server = await localServer((req, res, body) => {
		seen.push({ method: req.method ?? '', url: req.url ?? '', body: body.toString('utf-8') });
		answer(req, res, body);
	});
	return Object.assign(server, { seen });
}

describe('Send and wait · generated replies through the trigger', () => {
	let trigger: TriggerHarness;
	let recorder: LocalServer & { seen: Array<{ method: string; url: string; body: string }> };
	beforeEach(async () => {
		processWaits().clear();
		recorder = await resumeRecorder();
		trigger = await openTrigger({ configureProvider: false });
	});
	afterEach(async () => {
		await trigger.close();
		await recorder.close();
		processWaits().clear();
	});

	it('300 signed replies: every answer resumes its one wait with one POST to its resume URL; nothing else resumes; the trigger answers each with 200', async () => {
		const r = rng(4242);
		const mismatches: unknown[] = [];
		const counts: Record<string, number> = {};
		for (let n = 0; n < 300; n++) {
			processWaits().clear();
			recorder.seen.length = 0;
			trigger.executions.length = 0;
			const waits = await scenario(processWaits(), Date.now() - 60_000, recorder.url);
			const g = generate(r, waits);
			const want = expected(g, waits);
			const sent = await signedInbound(trigger, g.from, g.body, { to: g.to, channel: g.channel });
			const item = trigger.executions[0]?.items[0];
			const outcome = item ? ((item.waitingReply as IDataObject | null)?.outcome ?? 'none') : 'dropped';
			counts[`${g.meaning} → ${outcome}`] = (counts[`${g.meaning} → ${outcome}`] ?? 0) + 1;
			const posted = recorder.seen.map((s) => ({ path: s.url, body: JSON.parse(s.body) as IDataObject }));
			let ok = sent.status === 200 && trigger.executions.length <= 1;
			if (want.outcome === 'resumed') {
				const wait = waits[want.wait];
				const resumed = outcome === 'dropped' && posted.length === 1 && posted[0].path === `/webhook-waiting/exec-${wait.id}?signature=${TOKEN}` && posted[0].body.gatewayWait === wait.id;
				ok &&= resumed || (want.orNotAnAnswer === true && outcome === 'notAnAnswer' && posted.length === 0);
				if (resumed) {
					const answer = await processWaits().answerFor(wait.executionId);
					ok &&= answer?.approved === want.approved && answer.replyMessageId === sent.messageId && answer.answeredBy === g.from;
				}
			} else {
				ok &&= posted.length === 0 && outcome === want.outcome;
			}
			// Nothing in any item holds the resume URL's token.
			ok &&= !JSON.stringify(trigger.executions).includes(TOKEN);
			if (!ok) mismatches.push({ body: g.body.slice(0, 60), length: g.body.length, from: g.from, meaning: g.meaning, want, status: sent.status, outcome, posted: posted.length });
		}
		expect(mismatches).toEqual([]);
		for (const outcome of ['dropped', 'notAnAnswer', 'ambiguous', 'none']) expect(Object.keys(counts).some((k) => k.endsWith(`→ ${outcome}`))).toBe(true);
	}, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------------
// 2. A storm of answers, clicks and time limits
// ---------------------------------------------------------------------------------------------------------------------

function sendAndWait(parameters: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
	return {
		type: 'sendSms',
		name: 'Ask',
		parameters: { operation: 'sendAndWait', provider: 'twilio', twilioFrom: NUMBER, to: BOSS, message: 'Expense #42: 380 EUR for the team dinner.', ...parameters },
		...settings,
	};
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Send and wait · a storm of replies, clicks and time limits', () => {
	let waiting: WaitingExecutions;
	let trigger: TriggerHarness;
	beforeEach(async () => {
		processWaits().clear();
		waiting = new WaitingExecutions(engine.get());
		await waiting.listen();
	});
	afterEach(async () => {
		await trigger?.lifecycle('delete').catch(() => undefined);
		await trigger?.close();
		await waiting.close();
	});

	const APPROVERS = [BOSS, DEPUTY, '+33698765432', '+4915112345678'];

	it.each(['process', 'redis'] as const)('16 executions on 4 people (waits in %s): replies (some delivered twice), clicks and time limits racing; one resume each, every resume is one claimed answer, the store ends empty', async (store) => {
		if (store === 'redis') engine.get().setCredentials('messagingRedisApi', redis.get().credentials());
		trigger = await openTrigger({ waitStore: store, options: { alsoTriggerAnswers: true } });
		const r = rng(store === 'redis' ? 77 : 78);
		const LIMIT_MINUTES = 0.1;
		const runs: Array<{ run: WaitingRun; to: string[]; reference: string | null; limited: boolean; message: string; expiresAt: number }> = [];
		for (let i = 0; i < 16; i++) {
			const to = r.chance(0.2) ? [APPROVERS[i % 4], APPROVERS[(i + 1) % 4]] : [APPROVERS[i % 4]];
			// Every fifth one is left to its time limit; the others' time limits race their answers.
			const limited = i % 5 === 0 || r.chance(0.5);
			const message = `Storm #${i}: ${r.int(10, 999)} EUR`;
			const startedAt = Date.now();
			const run = await waiting.start([{ i }], [sendAndWait({ to: to.join(', '), message, waitStore: store, waitOptions: { answerLink: true, linkType: 'token' }, ...(limited ? { waitAmount: LIMIT_MINUTES, waitUnit: 'minutes' } : { limitWaitTime: false }) })]);
			expect([i, waiting.status(run.executionId), run.first.error('Ask')?.message]).toEqual([i, 'waiting', undefined]);
			const body = outbound().find((m) => m.to === to[0] && m.body.startsWith(`${message}\n`))!.body;
			const reference = /Reply YES ([A-Z0-9]{3}) or NO \1\./.exec(body)?.[1] ?? null;
			runs.push({ run, to, reference, limited, message, expiresAt: startedAt + LIMIT_MINUTES * 60_000 });
		}
		// A reply may be delivered twice (the provider's retry while the first is still being handled).
		const actions: Array<{ at: number; kind: 'reply' | 'click' | 'noise'; run?: number; from?: string; body?: string; decision?: string; again?: number }> = [];
		const t0 = Date.now();
		runs.forEach((entry, n) => {
			const count = n % 5 === 0 ? 0 : r.int(1, 3);
			for (let k = 0; k < count; k++) {
				// Around its time limit (within 150 ms of it), or any time in the storm.
				const at = entry.limited && r.chance(0.6) ? Math.max(0, entry.expiresAt - t0 + r.int(-150, 150)) : r.int(0, 4_000);
				if (r.chance(0.5)) actions.push({ at, kind: 'reply', run: n, from: r.pick(entry.to), body: `${r.pick(['YES', 'no', 'Ok', 'Nein'])}${entry.reference ? ` ${entry.reference}` : ''}`, ...(r.chance(0.3) ? { again: r.int(0, 300) } : {}) });
				else actions.push({ at, kind: 'click', run: n, decision: r.pick(['approve', 'decline']) });
			}
			// Without a time limit, a click that is sure to come (it may find the wait answered already).
			if (!entry.limited) actions.push({ at: 4_500, kind: 'click', run: n, decision: 'approve' });
		});
		for (let k = 0; k < 12; k++) actions.push({ at: r.int(0, 4_000), kind: 'noise', from: r.pick([...APPROVERS, '+14155550100']), body: r.pick(['maybe', 'who is this?', 'YES', 'STOP', 'NO X9X', '👍👎']) });
		const started = t0;
		const replies: Array<{ action: (typeof actions)[number]; messageId: string; status: number }> = [];
		let deliveries = 0;
		const clicks: Array<{ action: (typeof actions)[number]; status: number; page: string }> = [];
		await Promise.all(
			actions.map(async (action) => {
				await sleep(action.at);
				if (action.kind === 'click') {
					const res = await fetch(runs[action.run!].run.resumeUrl, { method: 'POST', headers: FORM, body: `decision=${action.decision}` });
					clicks.push({ action, status: res.status, page: await res.text() });
				} else {
					const message = inbound(trigger, action.from!, action.body!);
					const sent = await Promise.all([message.post(), ...(action.again === undefined ? [] : [sleep(action.again).then(() => message.post())])]);
					deliveries += sent.length;
					for (const one of sent) replies.push({ action, messageId: one.messageId, status: one.status });
				}
			}),
		);
		// Every execution ends: answered, clicked or timed out.
		const outputs = await Promise.all(
			runs.map(async ({ run }) => {
				const ended = await Promise.race([waiting.ended(run.executionId), sleep(20_000).then(() => undefined)]);
				return ended?.items('Ask')[0]?.json;
			}),
		);
		expect(outputs.filter((o) => o === undefined)).toHaveLength(0);
		expect(Date.now() - started).toBeLessThan(30_000);
		// Each reply got 200; what each one did, as the trigger says.
		// (webhook() answers before n8n records the execution it starts.)
		await waitFor(() => trigger.executions.length >= deliveries);
		expect(deliveries).toBeGreaterThan(new Set(replies.map((x) => x.messageId)).size);
		expect(replies.map((x) => x.status).filter((s) => s !== 200)).toEqual([]);
		const resumedBy = new Map<string, string[]>();
		for (const messageId of new Set(replies.map((x) => x.messageId))) {
			const outcomes = trigger.executions.flatMap((e) => e.items).filter((item) => item.messageId === messageId).map((item) => item.waitingReply as IDataObject | null);
			expect(outcomes.filter((o) => o?.outcome === 'failed')).toEqual([]);
			// A reply, however often delivered, resumes at most one execution.
			const resumed = outcomes.filter((o) => o?.outcome === 'resumed');
			expect([messageId, resumed.length <= 1]).toEqual([messageId, true]);
			if (resumed.length === 1) resumedBy.set(String(resumed[0]!.executionId), [...(resumedBy.get(String(resumed[0]!.executionId)) ?? []), messageId]);
		}
		const recorded = clicks.filter((c) => c.page.includes('Your answer was recorded'));
		// A click that did not record: the page said so, or n8n answered it (409: running or finished).
		for (const click of clicks) expect(click.page.includes('Your answer was recorded') || click.page.includes('Nothing to answer') || click.status === 409).toBe(true);
		let timeouts = 0;
		runs.forEach(({ run, limited }, n) => {
			const output = outputs[n] as IDataObject;
			const byReply = resumedBy.get(run.executionId) ?? [];
			const byClick = recorded.filter((c) => c.action.run === n);
			// Exactly one resume per execution, and it is the one answer that was claimed for it.
			expect([n, waiting.requests(run.executionId).filter((q) => q.resumed).length]).toEqual([n, 1]);
			expect([n, byReply.length + byClick.length + (output.timedOut === true ? 1 : 0)]).toEqual([n, 1]);
			if (output.channel === 'sms') expect([n, output.replyMessageId]).toEqual([n, byReply[0]]);
			else if (output.channel === 'link') expect([n, output.answer]).toEqual([n, byClick[0].action.decision === 'approve' ? 'Approve' : 'Decline']);
			else {
				expect([n, limited, output.timedOut]).toEqual([n, true, true]);
				timeouts++;
			}
		});
		// All three kinds of answer won somewhere.
		expect(resumedBy.size).toBeGreaterThan(0);
		expect(recorded.length).toBeGreaterThan(0);
		expect(timeouts).toBeGreaterThan(0);
		if (store === 'process') expect(processWaits().size).toBe(0);
		else {
			const prefix = engine.get().credentials.messagingRedisApi.keyPrefix as string;
			const keys = await redis.get().admin().keys(`${prefix}*`);
			// What is kept a day: the answers, and the replies that gave them.
			expect(keys.filter((k) => !k.startsWith(`${prefix}wait:answer:`) && !k.startsWith(`${prefix}wait:reply:`))).toEqual([]);
		}
	}, 90_000);
});

// ---------------------------------------------------------------------------------------------------------------------
// 3. Forged and malformed requests to the answer page
// ---------------------------------------------------------------------------------------------------------------------

describe('Send and wait · forged and malformed requests to the resume URL', () => {
	let waiting: WaitingExecutions;
	beforeEach(async () => {
		processWaits().clear();
		waiting = new WaitingExecutions(engine.get());
		await waiting.listen();
	});
	afterEach(async () => {
		await waiting.close();
	});

	const INJECTED = 'Expense </p><script>alert(1)</script><img src=x onerror=alert(2)> & "quotes" \'single\' <!-- -->';
	const LABELS = { approveLabel: '<script>alert(3)</script>OK', disapproveLabel: '"><svg onload=alert(4)>' };
	const resumes = (run: WaitingRun) => waiting.requests(run.executionId).filter((q) => q.resumed).length;
	/** The page's own tags and attributes, and nothing else: what the message and labels brought is text. */
	const TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'h1', 'p', 'form', 'button', 'textarea']);
	function inert(html: string): void {
		for (const [, name, attributes] of html.matchAll(/<\/?([a-z0-9!]+)([^>]*)>/gi)) {
			expect([name, TAGS.has(name.toLowerCase())]).toEqual([name, true]);
			expect(attributes).not.toMatch(/\bon[a-z]+\s*=|javascript:|src\s*=|href\s*=|action\s*=/i);
		}
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toContain('signature=');
	}

	it('wrong methods, odd bodies, other decisions, a gatewayWait that is not this execution’s: nothing resumes, nothing crashes; the page escapes the message and labels', async () => {
		const a = await waiting.start([{}], [sendAndWait({ message: INJECTED, approvalOptions: { values: LABELS }, waitOptions: { answerLink: true, linkType: 'token' } })]);
		const b = await waiting.start([{}], [sendAndWait({ to: DEPUTY, message: 'Another', waitOptions: { answerLink: true, linkType: 'token' } })]);
		const waitA = (await processWaits().forExecution(a.executionId))!;
		const waitB = (await processWaits().forExecution(b.executionId))!;
		// The page: escaped, inert, two buttons.
		const got = await fetch(a.resumeUrl);
		const html = await got.text();
		expect(got.status).toBe(200);
		inert(html);
		expect(html).toContain('Expense &lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot; &#39;single&#39; &lt;!-- --&gt;');
		expect(html).toContain('&lt;script&gt;alert(3)&lt;/script&gt;OK</button>');
		expect(html).toContain('&quot;&gt;&lt;svg onload=alert(4)&gt;</button>');
		expect(html.match(/<button /g)).toHaveLength(2);

		// B's wait claimed (as the trigger does before it asks n8n): its answer is recorded for B only.
		const answerB = { waitId: waitB.id, executionId: b.executionId, channel: 'sms' as const, approved: true, answer: 'YES', button: null, answeredBy: DEPUTY, answeredAt: new Date().toISOString(), replyMessageId: 'SMb', messageIds: waitB.messageIds, recipients: waitB.recipients, reference: null, sentAt: new Date(waitB.createdAt).toISOString() };
		expect(await processWaits().claim(waitB.id, answerB)).toBe(true);

		const json = (body: unknown) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		const form = (body: string) => ({ headers: FORM, body });
		const attempts: Array<[string, string, RequestInit & { url?: string }]> = [
			['HEAD', 'HEAD', {}],
			['PUT', 'PUT', form('decision=approve')],
			['DELETE', 'DELETE', {}],
			['PATCH', 'PATCH', json({ decision: 'approve' })],
			['OPTIONS', 'OPTIONS', {}],
			['GET with a decision in the query', 'GET', { url: `${a.resumeUrl}&decision=approve&gatewayWait=${waitA.id}` }],
			['POST with the decision in the query only', 'POST', { url: `${a.resumeUrl}&decision=approve` }],
			['decision maybe', 'POST', form('decision=maybe')],
			['decision APPROVE (upper case)', 'POST', form('decision=APPROVE')],
			['decision with a NUL', 'POST', form('decision=approve%00')],
			['decision with spaces', 'POST', form('decision=%20approve%20')],
			['decision yes', 'POST', form('decision=yes')],
			['decision text', 'POST', form('decision=text&answer=approve')],
			['approved=true (n8n’s own send-and-wait field)', 'POST', form('approved=true')],
			['JSON approved true', 'POST', json({ approved: true })],
			['JSON data.approved', 'POST', json({ data: { approved: true } })],
			['JSON decision as an array', 'POST', json({ decision: ['approve'] })],
			['JSON decision as an object', 'POST', json({ decision: { toString: 'approve' } })],
			['JSON decision true', 'POST', json({ decision: true })],
			['JSON __proto__', 'POST', { headers: { 'Content-Type': 'application/json' }, body: '{"__proto__":{"decision":"approve"}}' }],
			['JSON constructor.prototype', 'POST', json({ constructor: { prototype: { decision: 'approve' } } })],
			['JSON that does not parse', 'POST', { headers: { 'Content-Type': 'application/json' }, body: '{"decision":"approve"' }],
			['JSON null', 'POST', { headers: { 'Content-Type': 'application/json' }, body: 'null' }],
			['JSON array', 'POST', json([{ decision: 'approve' }])],
			['JSON string', 'POST', json('approve')],
			['text/plain decision=approve', 'POST', { headers: { 'Content-Type': 'text/plain' }, body: 'decision=approve' }],
			['no content type', 'POST', { body: 'decision=approve' }],
			['900 kB JSON, no decision', 'POST', json({ pad: 'x'.repeat(900_000) })],
			['2 MB form', 'POST', form(`decision=approve&pad=${'x'.repeat(2_000_000)}`)],
			['gatewayWait: another execution’s (claimed) wait', 'POST', json({ gatewayWait: waitB.id })],
			['gatewayWait: its own wait, unanswered', 'POST', json({ gatewayWait: waitA.id })],
			['gatewayWait with a decision', 'POST', json({ gatewayWait: waitA.id, decision: 'approve' })],
			['gatewayWait 100 kB', 'POST', json({ gatewayWait: 'f'.repeat(100_000) })],
			['gatewayWait as a number', 'POST', json({ gatewayWait: 1 })],
			['gatewayWait as an array', 'POST', json({ gatewayWait: [waitB.id] })],
			['B’s token on A’s path', 'POST', { url: a.resumeUrl.replace(/signature=[0-9a-f]+/, b.resumeUrl.match(/signature=[0-9a-f]+/)![0]), ...form('decision=approve') }],
			['no token', 'POST', { url: a.resumeUrl.replace(/\?.*$/, ''), ...form('decision=approve') }],
			['a token with one more character', 'POST', { url: `${a.resumeUrl}0`, ...form('decision=approve') }],
			['A’s token on B’s path', 'POST', { url: b.resumeUrl.replace(/signature=[0-9a-f]+/, a.resumeUrl.match(/signature=[0-9a-f]+/)![0]), ...json({ gatewayWait: waitB.id }) }],
		];
		const answers: Array<[string, number]> = [];
		for (const [name, method, { url, ...init }] of attempts) {
			const res = await fetch(url ?? a.resumeUrl, { method, ...init }).catch((error: Error) => ({ status: -1, text: async () => error.message }) as Response);
			const text = method === 'HEAD' ? '' : await res.text();
			answers.push([name, res.status]);
			// n8n's route answers these itself (401, 404, 413) or the node does (200 page, 405, 409): never a crash.
			expect([name, res.status >= 500 || res.status < 0]).toEqual([name, false]);
			// The node's own pages (express answers a 404 or 413 with its own).
			if (text.includes('<main>')) inert(text);
		}
		expect(Object.fromEntries(answers)).toMatchObject({
			HEAD: 404,
			PUT: 404,
			'gatewayWait: another execution’s (claimed) wait': 409,
			'gatewayWait: its own wait, unanswered': 409,
			'B’s token on A’s path': 401,
			'no token': 401,
			'A’s token on B’s path': 401,
			'2 MB form': 413,
		});
		expect(resumes(a)).toBe(0);
		expect(resumes(b)).toBe(0);
		expect([waiting.status(a.executionId), waiting.status(b.executionId)]).toEqual(['waiting', 'waiting']);
		expect(await processWaits().forExecution(a.executionId)).toBeDefined();
		expect((await processWaits().answerFor(b.executionId))?.waitId).toBe(waitB.id);

		// The answers that are answers still work, once each.
		const approve = await fetch(a.resumeUrl, { method: 'POST', ...form('decision=approve') });
		const thanks = await approve.text();
		expect(thanks).toContain('Your answer was recorded');
		inert(thanks);
		expect((await waiting.ended(a.executionId)).items('Ask')[0].json).toMatchObject({ approved: true, answer: '<script>alert(3)</script>OK', channel: 'link' });
		const resumeB = await fetch(b.resumeUrl, { method: 'POST', ...json({ gatewayWait: waitB.id }) });
		expect(resumeB.status).toBe(200);
		expect((await waiting.ended(b.executionId)).items('Ask')[0].json).toMatchObject({ approved: true, answeredBy: DEPUTY, replyMessageId: 'SMb' });
		expect([resumes(a), resumes(b)]).toEqual([1, 1]);
	});

	it('the signed link: a tampered query or signature is refused by n8n; a free-text page escapes and trims nothing into a resume', async () => {
		const run = await waiting.start([{}], [sendAndWait({ responseType: 'freeText', message: INJECTED, waitOptions: { answerLink: true, linkType: 'signed' } })]);
		const link = /(http:\/\/\S+)$/.exec(outbound().at(-1)!.body)![1];
		expect(link).toMatch(/\/node-0\?signature=[0-9a-f]{64}$/);
		for (const tampered of [`${link}&approved=true`, link.replace('signature=', 'approved=true&signature='), link.replace(/.$/, (c) => (c === '0' ? '1' : '0')), link.replace('/node-0', '/node-1')]) {
			const res = await fetch(tampered, { method: 'POST', headers: FORM, body: 'decision=text&answer=hacked' });
			expect([tampered.slice(-40), res.status]).toEqual([tampered.slice(-40), 401]);
		}
		const page = await (await fetch(link)).text();
		inert(page);
		expect(page).toContain('<textarea name="answer" required maxlength="1600"></textarea>');
		for (const body of ['decision=text&answer=', 'decision=text&answer=%20%0A%09', 'decision=approve', 'answer[]=x']) {
			const res = await fetch(link, { method: 'POST', headers: FORM, body });
			inert(await res.text());
		}
		expect(waiting.status(run.executionId)).toBe('waiting');
		expect(resumes(run)).toBe(0);
		const written = await fetch(link, { method: 'POST', headers: FORM, body: `decision=text&answer=${encodeURIComponent(`<script>x</script>${'y'.repeat(3_000)}`)}` });
		expect(written.status).toBe(200);
		const output = (await waiting.ended(run.executionId)).items('Ask')[0].json;
		// The answer is data (escaped only where shown), cut at 1,600 characters.
		expect(output).toMatchObject({ approved: null, channel: 'link' });
		expect((output.answer as string).length).toBe(1_600);
		expect(resumes(run)).toBe(1);
	});
});

// ---------------------------------------------------------------------------------------------------------------------
// 4. Secrets: the resume URL's token and the provider's credentials
// ---------------------------------------------------------------------------------------------------------------------

/** JSON of anything, errors with their non-enumerable fields, cycles cut. */
function dump(value: unknown): string {
	const seen = new WeakSet<object>();
	return (
		JSON.stringify(value, (_key, v: unknown) => {
			if (v && typeof v === 'object') {
				if (seen.has(v)) return '[circular]';
				seen.add(v);
				if (v instanceof Error) {
					const out: Record<string, unknown> = { name: v.name, stack: v.stack };
					for (const key of Object.getOwnPropertyNames(v)) out[key] = (v as unknown as Record<string, unknown>)[key];
					return out;
				}
			}
			return typeof v === 'bigint' ? String(v) : v;
		}) ?? ''
	);
}

/** Every form a secret is looked for in: plain, upper case, URL-encoded, base64. */
function forms(secret: string): string[] {
	const b64 = Buffer.from(secret).toString('base64');
	return [...new Set([secret, secret.toUpperCase(), encodeURIComponent(secret), b64, b64.replace(/=+$/, ''), Buffer.from(`signature=${secret}`).toString('base64').slice(0, 40)])];
}
/** The secrets (by name) found in `text`, in any form. */
function leaked(text: string, secrets: Record<string, string>): string[] {
	return Object.entries(secrets).flatMap(([name, secret]) => forms(secret).filter((form) => text.includes(form)).map((form) => `${name} as ${form === secret ? 'plain' : form.slice(0, 12)}`));
}

/** A server that answers with everything it was sent (method, URL, headers, body), in JSON and in plain text. */
function echoOf(req: IncomingMessage, body: Buffer): string {
	return JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf-8'), query: Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams) });
}

describe('Send and wait · no secret in any item, error, output or log line', () => {
	let waiting: WaitingExecutions;
	let echo: LocalServer;
	let echoMode: 'twilio400' | 'twilioMixed' = 'twilio400';
	beforeAll(async () => {
		echo = await localServer((req, res, body) => {
			const text = echoOf(req, body);
			if (req.url?.includes('/2010-04-01/')) {
				const to = new URLSearchParams(body.toString('utf-8')).get('To');
				// Twilio's error shape with the request in its message (as a proxy, a WAF or a debug build might).
				if (echoMode === 'twilio400' || to === DEPUTY) return void res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 21211, message: text, more_info: text, status: 400 }));
				return void res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sid: `SM${'ab'.repeat(16)}`, status: 'queued', to, from: NUMBER, body: text, num_segments: '1', date_created: new Date().toISOString() }));
			}
			res.writeHead(500, { 'Content-Type': 'application/json' }).end(text);
		});
	});
	afterAll(async () => echo?.close());
	beforeEach(async () => {
		processWaits().clear();
		waiting = new WaitingExecutions(engine.get());
		await waiting.listen();
	});
	afterEach(async () => {
		await waiting.close();
	});

	const twilioSecrets = () => {
		const c = engine.get().credentials.messagingTwilioApi;
		return { authToken: String(c.authToken), 'accountSid:authToken': `${String(c.accountSid)}:${String(c.authToken)}` };
	};
	/** The execution's resume token and the signature of its signed link, as n8n made them. */
	const resumeSecrets = (run: WaitingRun, body: string) => ({
		'resume token': (run.first.run.data as { resumeToken: string }).resumeToken,
		...Object.fromEntries([...body.matchAll(/signature=([0-9a-f]{64})/g)].map((m, i) => [`link signature ${i}`, m[1]])),
	});

	it.each(['token', 'signed'] as const)('a provider that echoes the request (the message, its %s link) back in its error: the token is in no error, output or log line', async (linkType) => {
		engine.get().setCredentials('messagingTwilioApi', { ...engine.get().credentials.messagingTwilioApi, baseUrl: echo.url });
		let seenBody = '';
		const output = captureOutput();
		let run: WaitingRun;
		try {
			echoMode = 'twilio400';
			run = await waiting.start([{}], [sendAndWait({ to: `${BOSS}, ${DEPUTY}`, waitOptions: { answerLink: true, linkType, maxRetries: 0 } })]);
		} finally {
			output.restore();
		}
		const error = run.first.error('Ask');
		expect(error?.message).toMatch(/Twilio|number/i);
		// What the echo got: the message with its link (so the echo really did hold the secret).
		seenBody = dump(error);
		const link = /http:\/\/\S+webhook-waiting\/[^\s"\\]+signature(?:=|%3D)[0-9a-f]{64}/.exec(decodeURIComponent(seenBody.replace(/\+/g, ' ')));
		const secrets = { ...twilioSecrets(), 'resume token': (run.first.run.data as { resumeToken: string }).resumeToken };
		if (linkType === 'signed') Object.assign(secrets, { 'link signature': /signature=([0-9a-f]{64})/.exec(decodeURIComponent(seenBody))?.[1] ?? 'none' });
		// (n8n keeps the token in the execution as `resumeToken`: what the nodes wrote is resultData.)
		const where = { error: dump(error), 'error description': String(error?.description ?? ''), run: dump(run.first.run.data.resultData), log: output.text() };
		expect(Object.fromEntries(Object.entries(where).map(([place, text]) => [place, leaked(text, secrets)]))).toEqual({ error: [], 'error description': [], run: [], log: [] });
		expect(link).toBeNull();
		expect(processWaits().size).toBe(0);
	});

	it('Send WhatsApp: a provider that echoes the message and its link back in its error: the token is in no error or log line', async () => {
		engine.get().setCredentials('messagingTwilioApi', { ...engine.get().credentials.messagingTwilioApi, baseUrl: echo.url });
		const output = captureOutput();
		let run: WaitingRun;
		try {
			echoMode = 'twilio400';
			run = await waiting.start([{}], [{ type: 'sendWhatsApp', name: 'Ask', parameters: { operation: 'sendAndWait', provider: 'twilio', to: BOSS, twilioWhatsAppFrom: '+14155238886', message: 'Expense #42?', outsideWindow: 'send', waitOptions: { answerLink: true, linkType: 'token', maxRetries: 0 } } }]);
		} finally {
			output.restore();
		}
		const error = run.first.error('Ask');
		expect(error?.message).toMatch(/Twilio|number/i);
		const secrets = { ...twilioSecrets(), 'resume token': (run.first.run.data as { resumeToken: string }).resumeToken };
		expect({ error: leaked(dump(error), secrets), run: leaked(dump(run.first.run.data.resultData), secrets), log: leaked(output.text(), secrets) }).toEqual({ error: [], run: [], log: [] });
	});

	it('one recipient refused with an echo, the other sent: the wait goes on and the log line about the refusal holds no token', async () => {
		engine.get().setCredentials('messagingTwilioApi', { ...engine.get().credentials.messagingTwilioApi, baseUrl: echo.url });
		const output = captureOutput();
		let run: WaitingRun;
		try {
			echoMode = 'twilioMixed';
			run = await waiting.start([{ n: 1 }], [sendAndWait({ to: `${BOSS}, ${DEPUTY}`, waitOptions: { answerLink: true, linkType: 'token', maxRetries: 0 } })]);
		} finally {
			output.restore();
			echoMode = 'twilio400';
		}
		expect(waiting.status(run.executionId)).toBe('waiting');
		const log = output.text();
		expect(log).toMatch(/Send and wait: the message to \+447911123456 failed/);
		const secrets = { ...twilioSecrets(), ...resumeSecrets(run, run.resumeUrl) };
		expect({ log: leaked(log, secrets), run: leaked(dump(run.first.run.data.resultData), secrets) }).toEqual({ log: [], run: [] });
	});

	it('a resume endpoint that echoes the request (its token) in its errors: the trigger’s items, its answer and every log line hold no token; the wait is back for a later reply', async () => {
		const shapes: Array<[string, (req: IncomingMessage, res: ServerResponse, body: Buffer) => void]> = [
			['500 JSON echo', (req, res, body) => void res.writeHead(500, { 'Content-Type': 'application/json' }).end(echoOf(req, body))],
			['400 text echo', (req, res, body) => void res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`Bad request: ${echoOf(req, body)}`)],
			['502 HTML echo', (req, res, body) => void res.writeHead(502, { 'Content-Type': 'text/html' }).end(`<html><body><pre>${echoOf(req, body)}</pre></body></html>`)],
			['401 echo of the query', (req, res) => void res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'Invalid token', got: new URL(req.url ?? '/', 'http://x').searchParams.get('signature') }))],
			['a redirect to a 500 echo', (req, res, body) => (req.url?.startsWith('/bounced') ? void res.writeHead(500, { 'Content-Type': 'application/json' }).end(echoOf(req, body)) : void res.writeHead(307, { Location: `/bounced${req.url}` }).end())],
			['garbage instead of HTTP', (req, res) => void res.socket?.end(`NOT HTTP ${req.url}\r\n\r\n`)],
			['the connection cut after the headers', (req, res) => {
				res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
				res.write(`{"url":"${req.url}`);
				setTimeout(() => res.socket?.destroy(), 20);
			}],
		];
		const output = captureOutput();
		const trigger = await openTrigger({ configureProvider: false });
		const results: Array<{ shape: string; status: number; item: unknown }> = [];
		try {
			for (const [shape, answer] of shapes) {
				const server = await resumeRecorder(answer);
				try {
					processWaits().clear();
					trigger.executions.length = 0;
					const waits = await scenario(processWaits(), Date.now() - 60_000, server.url);
					const sent = await signedInbound(trigger, PEOPLE.approval, 'YES');
					await waitFor(() => trigger.executions.length === 1);
					results.push({ shape, status: sent.status, item: trigger.executions[0].items[0] });
					// The answer was not given: the wait is back, a later reply may answer it.
					expect([shape, (await processWaits().forExecution(waits.approval.executionId))?.id]).toEqual([shape, waits.approval.id]);
					expect([shape, await processWaits().answerFor(waits.approval.executionId)]).toEqual([shape, undefined]);
					expect([shape, server.seen.length > 0]).toEqual([shape, true]);
				} finally {
					await server.close();
				}
			}
		} finally {
			output.restore();
			await trigger.close();
		}
		for (const { shape, status, item } of results) {
			expect([shape, status, (item as IDataObject).waitingReply]).toEqual([shape, 200, { outcome: 'failed', waiting: 1, reason: expect.any(String) }]);
		}
		const secrets = { 'resume token': TOKEN, ...twilioSecrets() };
		expect({ items: leaked(dump(results), secrets), log: leaked(output.text(), secrets) }).toEqual({ items: [], log: [] });
		expect(output.text()).toContain('a reply could not resume its workflow');
	}, 60_000);

	it('the time limit’s resume fails against an echoing endpoint: its log line holds no token', async () => {
		const output = captureOutput();
		let resumeToken = '';
		try {
			const result = await engine.get().run([{}], [sendAndWait({ waitAmount: 0.01, waitUnit: 'minutes' })], {
				waiting: { baseUrl: `${echo.url}/webhook-waiting`, keep: (state) => void (resumeToken = (state.runData as { resumeToken: string }).resumeToken) },
			});
			expect(result.run.waitTill).toBeDefined();
			await waitFor(() => output.text().includes('could not resume after the time limit'), 10_000);
		} finally {
			output.restore();
		}
		expect(resumeToken).toMatch(/^[0-9a-f]{64}$/);
		expect(leaked(output.text(), { 'resume token': resumeToken, ...twilioSecrets() })).toEqual([]);
	});
});

// ---------------------------------------------------------------------------------------------------------------------
// 5. Redis unreachable, silent, or stopped while executions wait
// ---------------------------------------------------------------------------------------------------------------------

/** A TCP server that accepts connections and never says a word (a Redis stuck, a half-open firewall). */
async function silentTcp(): Promise<{ port: number; close(): Promise<void> }> {
	const sockets = new Set<Socket>();
	const server = createTcpServer((socket) => {
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as AddressInfo).port,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

describe('Send and wait · Redis unreachable or dying mid-wait', () => {
	let waiting: WaitingExecutions;
	let trigger: TriggerHarness | undefined;
	beforeEach(async () => {
		processWaits().clear();
		waiting = new WaitingExecutions(engine.get());
		await waiting.listen();
	});
	afterEach(async () => {
		await trigger?.close();
		trigger = undefined;
		await waiting.close();
	});
	const REDIS_PASSWORD = 'R3dis+Pass/word=42';

	it.each(['refused', 'silent'] as const)('Redis %s: the node fails before sending, saying Redis; the trigger starts the workflow with outcome failed and the reason; both within the time bound', async (kind) => {
		const silent = kind === 'silent' ? await silentTcp() : undefined;
		const port = silent?.port ?? (await freePort());
		engine.get().setCredentials('messagingRedisApi', { host: '127.0.0.1', port, database: 0, user: '', password: REDIS_PASSWORD, tls: false, keyPrefix: 'gone:' });
		const output = captureOutput();
		try {
			let started = Date.now();
			const run = await waiting.start([{}], [sendAndWait({ waitStore: 'redis' })]);
			expect(Date.now() - started).toBeLessThan(12_000);
			expect(run.first.run.status).toBe('error');
			expect(run.first.error('Ask')?.message).toMatch(kind === 'refused' ? /Could not reach Redis at 127\.0\.0\.1:\d+/ : /Redis at 127\.0\.0\.1:\d+/);
			expect(outbound()).toEqual([]);
			expect(run.waitTill).toBeUndefined();

			trigger = await openTrigger({ configureProvider: false, waitStore: 'redis' });
			started = Date.now();
			const sent = await signedInbound(trigger, BOSS, 'YES');
			expect(sent.status).toBe(200);
			expect(sent.ms).toBeLessThan(12_000);
			await waitFor(() => trigger!.executions.length === 1);
			expect(trigger.executions[0].items[0].waitingReply).toEqual({ outcome: 'failed', waiting: 0, reason: expect.stringMatching(/^waiting workflows could not be looked up: .*Redis at 127\.0\.0\.1:\d+/) });
			// A keyword is no answer: it goes as it is, without asking Redis.
			started = Date.now();
			const stop = await signedInbound(trigger, BOSS, 'STOP');
			expect([stop.status, stop.ms < 2_000]).toEqual([200, true]);
		} finally {
			output.restore();
			await silent?.close();
		}
		expect(output.text()).not.toContain(REDIS_PASSWORD);
		expect(output.text()).not.toContain(encodeURIComponent(REDIS_PASSWORD));
	}, 60_000);

	it('redis-server stopped while an execution waits: a reply says failed (and why), the page answers 503 and resumes nothing, the time limit’s claim fails and is logged; n8n’s own timer resumes it later', async () => {
		const own: RedisServer = await startRedis({ password: REDIS_PASSWORD });
		try {
			engine.get().setCredentials('messagingRedisApi', own.credentials());
			trigger = await openTrigger({ configureProvider: false, waitStore: 'redis' });
			const run = await waiting.start([{ expense: 7 }], [sendAndWait({ waitStore: 'redis', waitAmount: 0.05, waitUnit: 'minutes', waitOptions: { answerLink: true, linkType: 'token' } })]);
			expect(waiting.status(run.executionId)).toBe('waiting');
			expect(await own.admin().keys('*')).toHaveLength(3);
			await own.stop();

			const output = captureOutput();
			try {
				const sent = await signedInbound(trigger, BOSS, 'YES');
				expect([sent.status, sent.ms < 12_000]).toEqual([200, true]);
				await waitFor(() => trigger!.executions.length === 1);
				expect(trigger.executions[0].items[0].waitingReply).toEqual({ outcome: 'failed', waiting: 0, reason: expect.stringMatching(/could not be looked up: .*Redis/) });
				for (const method of ['GET', 'POST'] as const) {
					const res = await fetch(run.resumeUrl, { method, headers: FORM, body: method === 'POST' ? 'decision=approve' : undefined });
					expect([method, res.status, (await res.text()).includes('Try again in a moment')]).toEqual([method, 503, true]);
				}
				expect(waiting.status(run.executionId)).toBe('waiting');
				// The time limit (3 s): its claim cannot reach Redis; it says so, and n8n's own timer is the backstop.
				await waitFor(() => output.text().includes('could not resume after the time limit'), 15_000);
			} finally {
				output.restore();
			}
			expect(output.text()).toMatch(/could not resume after the time limit \(.*Redis.*\); n8n resumes it itself within 3 minutes/);
			expect(output.text()).not.toContain(REDIS_PASSWORD);
			expect(waiting.requests(run.executionId).filter((q) => q.resumed)).toEqual([]);
			const done = await waiting.timeOut(run.executionId);
			expect(done.items('Ask').map((i) => i.json)).toEqual([{ expense: 7 }]);
		} finally {
			await own.stop();
		}
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------------
// 6. A resume endpoint that never answers, trickles, or keeps saying "running"
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The providers give a webhook about 15 s (Twilio's timeout for a message webhook; a slower answer is its error 11200
 * and a retry by Sinch and SNS): the trigger must have answered well before, whatever n8n's resume URL does.
 */
const PROVIDER_PATIENCE_MS = 12_000;

describe('Send and wait · a resume endpoint that never answers', () => {
	let trigger: TriggerHarness;
	const timers = new Set<NodeJS.Timeout>();
	beforeEach(async () => {
		processWaits().clear();
		trigger = await openTrigger({ configureProvider: false });
	});
	afterEach(async () => {
		for (const timer of timers) clearInterval(timer);
		await trigger.close();
		processWaits().clear();
	});

	/** Requests the endpoint still holds open (the trigger gave up on them: they must be closed, not left to trickle). */
	let open = 0;
	const held = (res: ServerResponse) => {
		open++;
		res.on('close', () => open--);
	};
	const endpoints: Array<[string, (req: IncomingMessage, res: ServerResponse) => void, RegExp]> = [
		['accepts and never answers', (_req, res) => held(res), /^n8n did not resume the execution within 8 s$/],
		[
			'sends its headers, then one byte every 200 ms forever',
			(_req, res) => {
				held(res);
				res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' });
				res.flushHeaders();
				const timer = setInterval(() => res.write(' '), 200);
				timers.add(timer);
				res.on('close', () => clearInterval(timer));
			},
			/^n8n did not resume the execution within 8 s$/,
		],
		[
			'answers 409 "running already" after 2 s, every time',
			(_req, res) => {
				held(res);
				setTimeout(() => res.writeHead(409, { 'Content-Type': 'application/json' }).end('{"code":409,"message":"The execution \\"1\\" is running already."}'), 2_000);
			},
			/^n8n did not resume the execution within 8 s$|409/,
		],
	];

	it.each(endpoints)('an endpoint that %s: the trigger answers the provider within the bound, the reply says failed (and why), the request is not left open, the wait is back', async (_name, behave, reason) => {
		open = 0;
		const server = await resumeRecorder(behave);
		const output = captureOutput();
		try {
			const waits = await scenario(processWaits(), Date.now() - 60_000, server.url);
			const sent = await signedInbound(trigger, PEOPLE.approval, 'YES');
			expect(sent.status).toBe(200);
			expect(sent.ms).toBeLessThan(PROVIDER_PATIENCE_MS);
			await waitFor(() => trigger.executions.length === 1);
			expect(trigger.executions[0].items[0].waitingReply).toEqual({ outcome: 'failed', waiting: 1, reason: expect.stringMatching(reason) });
			// The request given up on is closed (a trickling server would otherwise hold a socket for as long as it likes).
			await waitFor(() => open === 0, 2_000).catch(() => undefined);
			expect(open).toBe(0);
			expect((await processWaits().forExecution(waits.approval.executionId))?.id).toBe(waits.approval.id);
			expect(await processWaits().answerFor(waits.approval.executionId)).toBeUndefined();
		} finally {
			output.restore();
			await server.close();
		}
		expect(output.text()).not.toContain(TOKEN);
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------------
// 7. The process store flooded
// ---------------------------------------------------------------------------------------------------------------------

describe('Send and wait · the process store flooded', () => {
	let waiting: WaitingExecutions;
	beforeEach(async () => {
		processWaits().clear();
		waiting = new WaitingExecutions(engine.get());
		await waiting.listen();
	});
	afterEach(async () => {
		processWaits().clear();
		await waiting.close();
	});

	it(`at ${MAX_PROCESS_WAITS.toLocaleString('en-US')} waits the node fails with a clear error and sends nothing; one answered, the next goes`, async () => {
		// Filling it through register() takes minutes (each one sweeps every wait): the store's own map is filled instead,
		// with waits that register() would keep (open, no time limit).
		const store = processWaits();
		const waits = (store as unknown as { waits: Map<string, { wait: PendingWait; keepUntil: number }> }).waits;
		const now = Date.now();
		for (let i = 0; i < MAX_PROCESS_WAITS - 1; i++) {
			const wait: PendingWait = { id: `flood${i}`, executionId: `flood-exec-${i}`, resumeUrl: 'http://127.0.0.1:1/webhook-waiting/x', channel: 'sms', sender: NUMBER, recipients: [`+1415555${String(i % 10_000).padStart(4, '0')}`], expects: FREE_TEXT, message: 'flood', createdAt: now, expiresAt: null, reference: null, messageIds: [] };
			waits.set(wait.id, { wait, keepUntil: now + 86_400_000 });
		}
		// The last place taken the ordinary way.
		const last = await waiting.start([{}], [sendAndWait({ to: DEPUTY })]);
		expect(waiting.status(last.executionId)).toBe('waiting');
		expect(store.size).toBe(MAX_PROCESS_WAITS);
		const before = outbound().length;
		const started = Date.now();
		const full = await waiting.start([{}], [sendAndWait()]);
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(full.first.run.status).toBe('error');
		expect(full.first.error('Ask')?.message).toBe(`This n8n process already keeps ${MAX_PROCESS_WAITS.toLocaleString('en-US')} messages waiting for an answer: keep them in Redis (Messaging Gateway Redis credential) for this volume. Nothing was sent`);
		expect(outbound().length).toBe(before);
		expect(full.waitTill).toBeUndefined();
		expect(store.size).toBe(MAX_PROCESS_WAITS);
		// A click answers the last one: there is room again.
		const click = await fetch(last.resumeUrl, { method: 'POST', headers: FORM, body: 'decision=approve' });
		expect(click.status).toBe(200);
		await waiting.ended(last.executionId);
		const next = await waiting.start([{}], [sendAndWait()]);
		expect(waiting.status(next.executionId)).toBe('waiting');
		expect(outbound().length).toBe(before + 1);
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------------
// 8. More: a 404 that is not n8n's, words that are keywords
// ---------------------------------------------------------------------------------------------------------------------

describe('Send and wait · what n8n did not say, and words that are keywords', () => {
	let waiting: WaitingExecutions;
	let trigger: TriggerHarness;
	beforeEach(async () => {
		processWaits().clear();
		waiting = new WaitingExecutions(engine.get());
		await waiting.listen();
		trigger = await openTrigger({ configureProvider: false });
	});
	afterEach(async () => {
		await trigger.close();
		await waiting.close();
		processWaits().clear();
	});

	it('a 404 from something in front of n8n (a proxy, a wrong path) is no "execution gone": the reply says failed and the wait stays; n8n’s own 404 ends the wait', async () => {
		const proxy = await resumeRecorder((_req, res) => void res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body><h1>404 Not Found</h1><hr>nginx</body></html>'));
		try {
			const waits = await scenario(processWaits(), Date.now() - 60_000, proxy.url);
			await signedInbound(trigger, PEOPLE.approval, 'YES');
			await waitFor(() => trigger.executions.length === 1);
			expect(trigger.executions[0].items[0].waitingReply).toEqual({ outcome: 'failed', waiting: 1, reason: expect.stringContaining('404') });
			expect((await processWaits().forExecution(waits.approval.executionId))?.id).toBe(waits.approval.id);
			expect(await processWaits().answerFor(waits.approval.executionId)).toBeUndefined();
		} finally {
			await proxy.close();
		}
		// n8n's own: the execution was deleted. Its wait is over; the reply starts the trigger as a plain message.
		trigger.executions.length = 0;
		processWaits().clear();
		const waits = await scenario(processWaits(), Date.now() - 60_000, waiting.baseUrl.replace(/\/webhook-waiting$/, ''));
		await signedInbound(trigger, PEOPLE.approval, 'YES');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items[0].waitingReply).toBeNull();
		expect(await processWaits().forExecution(waits.approval.executionId)).toBeUndefined();
	});

	it('approve only: "yes no" and "OK, no" are no approval (the decline words still undo an approve word); YES approves', async () => {
		const run = await waiting.start([{}], [sendAndWait({ approvalOptions: { values: { approvalType: 'single' } } })]);
		for (const text of ['yes no', 'OK, no', 'Ja, nee', '👍 ❌']) {
			trigger.executions.length = 0;
			await signedInbound(trigger, BOSS, text);
			await waitFor(() => trigger.executions.length === 1);
			expect([text, trigger.executions[0].items[0].waitingReply]).toEqual([text, { outcome: 'notAnAnswer', waiting: 1 }]);
		}
		expect(waiting.status(run.executionId)).toBe('waiting');
		await signedInbound(trigger, BOSS, 'Yes');
		expect((await waiting.ended(run.executionId)).items('Ask')[0].json).toMatchObject({ approved: true, answer: 'Yes', channel: 'sms' });
	});

	it.each([
		['Decline Words', { declineWords: 'CANCEL' }, 'Decline Words holds "CANCEL", an opt-out keyword'],
		['Approve Words', { approveWords: 'START, OK' }, 'Approve Words holds "START", an opt-in keyword'],
		['Decline Words', { declineWords: 'no, Arrêt' }, 'Decline Words holds "Arrêt", an opt-out keyword'],
		['Approve Words', { approveWords: 'info' }, 'Approve Words holds "info", a help keyword'],
	])('%s holding an opt-out, opt-in or help keyword (%j): the node fails before sending (the person would be told to send a keyword, which never answers)', async (_field, words, message) => {
		const run = await waiting.start([{}], [sendAndWait({ waitOptions: words })]);
		expect(run.first.run.status).toBe('error');
		expect(run.first.error('Ask')?.message).toBe(message);
		expect(outbound()).toEqual([]);
		expect(processWaits().size).toBe(0);
	});
});

// ---------------------------------------------------------------------------------------------------------------------
// 9. One reply delivered twice at once
// ---------------------------------------------------------------------------------------------------------------------

describe('Send and wait · one reply delivered twice', () => {
	let triggers: TriggerHarness[] = [];
	afterEach(async () => {
		for (const t of triggers) await t.close();
		triggers = [];
		processWaits().clear();
	});
	/** A store for the waits (the process's, or one in Redis seen through the store the nodes use). */
	async function waitsIn(store: 'process' | 'redis', resumeBase: string): Promise<{ waits: Scenario['waits']; forExecution(id: string): Promise<PendingWait | undefined> }> {
		processWaits().clear();
		if (store === 'process') return { waits: await scenario(processWaits(), Date.now() - 60_000, resumeBase), forExecution: (id) => processWaits().forExecution(id) };
		engine.get().setCredentials('messagingRedisApi', redis.get().credentials());
		const redisStore = redisWaits(engine.get().credentials.messagingRedisApi);
		return { waits: await scenario(redisStore, Date.now() - 60_000, resumeBase), forExecution: (id) => redisStore.forExecution(id) };
	}

	it.each(['process', 'redis'] as const)('the provider sends the same YES again while the first is still resuming (n8n slow; waits in %s): it answers one wait, never the person’s other one', async (store) => {
		const slow = await resumeRecorder((_req, res) => void setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"resumed":true}'), 1_500));
		try {
			const { waits, forExecution } = await waitsIn(store, slow.url);
			triggers.push(await openTrigger({ configureProvider: false, waitStore: store }));
			// PEOPLE.two: twoPlain (no reference) and twoReferenced wait.
			const built = box.get().api('twilio').webhook({ url: triggers[0].url, event: 'inbound', from: PEOPLE.two, to: NUMBER, body: 'YES', status: 'received' });
			const post = () => fetch(built.url, { method: 'POST', headers: built.headers, body: built.body });
			const [first, again] = await Promise.all([post(), sleep(200).then(post)]);
			expect([first.status, again.status]).toEqual([200, 200]);
			expect(slow.seen.map((x) => (JSON.parse(x.body) as IDataObject).gatewayWait)).toEqual([waits.twoPlain.id]);
			expect((await forExecution(waits.twoReferenced.executionId))?.id).toBe(waits.twoReferenced.id);
		} finally {
			await slow.close();
		}
	});

	it.each(['process', 'redis'] as const)('the store (%s): a reply answers one wait; put back (n8n did not answer), the same reply may answer again', async (store) => {
		const { waits, forExecution } = await waitsIn(store, 'http://127.0.0.1:1');
		const target = store === 'process' ? processWaits() : redisWaits(engine.get().credentials.messagingRedisApi);
		const answer = (w: PendingWait, replyMessageId: string | null) => ({ waitId: w.id, executionId: w.executionId, channel: 'sms' as const, approved: true, answer: 'YES', button: null, answeredBy: PEOPLE.two, answeredAt: new Date().toISOString(), replyMessageId, messageIds: w.messageIds, recipients: w.recipients, reference: w.reference, sentAt: null });
		expect(await target.claim(waits.twoPlain.id, answer(waits.twoPlain, 'SMsame'))).toBe(true);
		expect(await target.claim(waits.twoReferenced.id, answer(waits.twoReferenced, 'SMsame'))).toBe(false);
		expect(await forExecution(waits.twoReferenced.executionId)).toBeDefined();
		// Another message of the same person, or the page (no message), still answers.
		expect(await target.claim(waits.latestNew.id, { ...answer(waits.latestNew, null), answeredBy: null })).toBe(true);
		await target.unclaim(waits.twoPlain);
		expect(await target.answerFor(waits.twoPlain.executionId)).toBeUndefined();
		expect(await target.claim(waits.twoReferenced.id, answer(waits.twoReferenced, 'SMsame'))).toBe(true);
		expect(await target.claim(waits.twoPlain.id, answer(waits.twoPlain, 'SMother'))).toBe(true);
	});

	it('two webhook processes (queue mode, waits in Redis), the provider’s retry reaching the second: it answers nothing more', async () => {
		const n8n = await resumeRecorder();
		try {
			const { waits, forExecution } = await waitsIn('redis', n8n.url);
			// Two processes behind one public URL: each its own workflow static data, one Redis.
			const publicUrl = 'https://n8n.example.test/webhook/a1b2c3d4-0000-4000-8000-00000000beef/messaging';
			for (let n = 0; n < 2; n++) triggers.push(await openTrigger({ configureProvider: false, waitStore: 'redis', options: { publicUrl } }));
			const built = box.get().api('twilio').webhook({ url: triggers[0].url, signedUrl: publicUrl, event: 'inbound', from: PEOPLE.two, to: NUMBER, body: 'YES', status: 'received' });
			// The first process, then the same request (Twilio's retry) reaching the second one.
			for (const t of triggers) expect((await fetch(t.url, { method: 'POST', headers: built.headers, body: built.body })).status).toBe(200);
			expect(n8n.seen.map((x) => (JSON.parse(x.body) as IDataObject).gatewayWait)).toEqual([waits.twoPlain.id]);
			expect((await forExecution(waits.twoReferenced.executionId))?.id).toBe(waits.twoReferenced.id);
			// The second process starts its workflow with it as a plain message.
			await waitFor(() => triggers[1].executions.length === 1);
			expect(triggers[1].executions[0].items[0]).toMatchObject({ body: 'YES', waitingReply: null });
		} finally {
			await n8n.close();
		}
	});
});

// ---------------------------------------------------------------------------------------------------------------------
// 10. Two waits in one execution
// ---------------------------------------------------------------------------------------------------------------------

describe('Send and wait · two waits in one execution', () => {
	let waiting: WaitingExecutions;
	let trigger: TriggerHarness;
	beforeEach(async () => {
		processWaits().clear();
		waiting = new WaitingExecutions(engine.get());
		await waiting.listen();
	});
	afterEach(async () => {
		await trigger.close();
		await waiting.close();
		processWaits().clear();
	});

	it.each(['process', 'redis'] as const)('the first wait’s answer (its gatewayWait) cannot resume the second; the second resumes with its own answer (waits in %s)', async (store) => {
		if (store === 'redis') engine.get().setCredentials('messagingRedisApi', redis.get().credentials());
		trigger = await openTrigger({ configureProvider: false, waitStore: store, options: { alsoTriggerAnswers: true } });
		const run = await waiting.start([{}], [
			sendAndWait({ message: 'First: the budget?', waitStore: store }, { name: 'Ask' }),
			sendAndWait({ to: DEPUTY, message: 'Second: the venue?', waitStore: store, waitOptions: { answerLink: true, linkType: 'token' } }, { name: 'Ask again' }),
		]);
		const first = await signedInbound(trigger, BOSS, 'YES');
		await waitFor(() => trigger.executions.length === 1);
		const firstWait = (trigger.executions[0].items[0].waitingReply as IDataObject).waitId as string;
		expect(trigger.executions[0].items[0].waitingReply).toMatchObject({ outcome: 'resumed', executionId: run.executionId });
		// The execution goes on to the second question and waits again.
		await waitFor(() => waiting.status(run.executionId) === 'waiting' && outbound().some((m) => m.to === DEPUTY));
		const second = await (store === 'redis' ? redisWaits(engine.get().credentials.messagingRedisApi) : processWaits()).forExecution(run.executionId);
		expect(second?.id).toMatch(/^[0-9a-f]{32}$/);
		expect(second?.id).not.toBe(firstWait);
		// The first answer is still kept for the execution: naming its wait must not resume the second question.
		const replay = await fetch(run.resumeUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ gatewayWait: firstWait }) });
		expect(replay.status).toBe(409);
		expect(waiting.status(run.executionId)).toBe('waiting');
		const no = await signedInbound(trigger, DEPUTY, 'no');
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: true, answeredBy: BOSS, replyMessageId: first.messageId });
		expect(done.items('Ask again')[0].json).toMatchObject({ approved: false, answeredBy: DEPUTY, replyMessageId: no.messageId });
		expect(waiting.requests(run.executionId).filter((q) => q.resumed)).toHaveLength(2);
	});
});
