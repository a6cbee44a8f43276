/**
 * Replies to a message that waits for an answer (nodes/shared/rules/replies.ts): the word lists, what a reply says
 * and which reference it quotes, which waiting message it answers, references, and the instructions a message ends
 * with. Table-driven: each row is a real reply (or a case of the rule) with what it must come to.
 */
import { foldKeyword, KEYWORD_LANGUAGES, KEYWORD_LISTS, KEYWORD_TYPES, matchKeyword, type KeywordLanguage } from '../../nodes/shared/rules/optOut';
import {
	answers,
	APPROVAL_WORDS,
	approvalWords,
	chooseWait,
	needsReference,
	newReference,
	readReply,
	REFERENCE_PATTERN,
	replyInstructions,
	type Decision,
	type ReadReply,
	type ReplyExpectation,
	type WaitingSummary,
} from '../../nodes/shared/rules/replies';

const LETTERS = 'CDFHJKMNPRTVWXY';
const DIGITS = '34679';
const EVERY_REFERENCE = [...LETTERS].flatMap((a) => [...DIGITS].flatMap((d) => [...LETTERS].map((b) => a + d + b)));

/** The words of every language, as the node uses them by default. */
const ALL = approvalWords();

describe('the word lists', () => {
	it('has approve and decline words for each of the eight keyword languages, in their order', () => {
		expect(APPROVAL_WORDS.map((list) => list.language)).toEqual([...KEYWORD_LANGUAGES]);
		for (const list of APPROVAL_WORDS) expect([list.language, list.approve.length > 0, list.decline.length > 0]).toEqual([list.language, true, true]);
	});

	it('no word approves and declines: not within a language, not across two', () => {
		const approve = new Map(APPROVAL_WORDS.flatMap((list) => list.approve.map((w) => [foldKeyword(w), `${list.language}:${w}`] as const)));
		const clashes = APPROVAL_WORDS.flatMap((list) => list.decline.filter((w) => approve.has(foldKeyword(w))).map((w) => `${list.language}:${w} declines, ${approve.get(foldKeyword(w))} approves`));
		expect(clashes).toEqual([]);
	});

	it('no approve or decline word is an opt-out, opt-in or help keyword in any language (STOP stays STOP)', () => {
		const words = APPROVAL_WORDS.flatMap((list) => [...list.approve, ...list.decline].map((w) => `${list.language}:${w}`));
		expect(words.length).toBeGreaterThan(90);
		const keywords = words.flatMap((entry) => {
			const word = entry.slice(3);
			const match = matchKeyword(word);
			return match ? [`${entry} is ${match.type} in ${match.lists.join(',')}`] : [];
		});
		expect(keywords).toEqual([]);
		// The same, from the keywords' side: none reads as an answer.
		for (const list of KEYWORD_LISTS) for (const type of KEYWORD_TYPES) for (const word of list.words[type]) expect([word, readReply(word, ALL).decision]).toEqual([word, null]);
	});

	it('REFERENCE_PATTERN matches no approve, decline, opt-out, opt-in or help word', () => {
		const words = [...APPROVAL_WORDS.flatMap((list) => [...list.approve, ...list.decline]), ...KEYWORD_LISTS.flatMap((list) => KEYWORD_TYPES.flatMap((type) => list.words[type]))];
		expect(words.length).toBeGreaterThan(160);
		for (const word of words) {
			expect([word, REFERENCE_PATTERN.test(word), REFERENCE_PATTERN.test(foldKeyword(word))]).toEqual([word, false, false]);
			for (const token of foldKeyword(word).split(/[\s\p{P}]+/u)) expect([word, REFERENCE_PATTERN.test(token)]).toEqual([word, false]);
		}
	});
});

describe('REFERENCE_PATTERN', () => {
	it.each([
		['K4M', true],
		['C3C', true],
		['Y9Y', true],
		['T7W', true],
		['k4m', false],
		['K4M ', false],
		[' K4M', false],
		['K4MM', false],
		['KK4M', false],
		['K4', false],
		// Vowels and the confusable characters are left out.
		['A4M', false],
		['K4A', false],
		['E4M', false],
		['K0M', false],
		['K1M', false],
		['K2M', false],
		['K5M', false],
		['K8M', false],
		['B4M', false],
		['L4M', false],
		['S4M', false],
		['Z4M', false],
		['G4M', false],
		['Q4M', false],
		['K4O', false],
		['KAM', false],
		['4KM', false],
	])('%s → %s', (text, matches) => {
		expect(REFERENCE_PATTERN.test(text)).toBe(matches);
	});

	it('matches exactly 1,125 of the three-character strings of letters and digits', () => {
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
		const matching = [...alphabet].flatMap((a) => [...alphabet].flatMap((b) => [...alphabet].map((c) => a + b + c))).filter((s) => REFERENCE_PATTERN.test(s));
		expect(matching).toEqual(EVERY_REFERENCE);
		expect(matching).toHaveLength(1_125);
	});
});

describe('approvalWords', () => {
	it('every language: each word once, by its folded form, in the lists’ order, as spelled first', () => {
		expect(ALL.approve.slice(0, 6)).toEqual(['YES', 'Y', 'YEP', 'YEAH', 'OK', 'OKAY']);
		expect(ALL.decline.slice(0, 3)).toEqual(['NO', 'N', 'NOPE']);
		for (const words of [ALL.approve, ALL.decline]) expect(new Set(words.map(foldKeyword)).size).toBe(words.length);
		// OK is in seven lists, NO in three, SI in two: once each, where it first came.
		expect(ALL.approve.filter((w) => foldKeyword(w) === 'OK')).toEqual(['OK']);
		expect(ALL.decline.filter((w) => foldKeyword(w) === 'NO')).toEqual(['NO']);
		expect(ALL.approve.filter((w) => foldKeyword(w) === 'SI')).toEqual(['SÍ']);
		const expected = (kind: 'approve' | 'decline') => [...new Map(APPROVAL_WORDS.flatMap((l) => l[kind]).reverse().map((w) => [foldKeyword(w), w] as const)).values()].reverse();
		expect(new Set(ALL.approve)).toEqual(new Set(expected('approve')));
		expect(new Set(ALL.decline)).toEqual(new Set(expected('decline')));
	});

	it.each<[string, KeywordLanguage[], { approve?: string[]; decline?: string[] }, { approve: string[]; decline: string[] }]>([
		['Spanish only: its own spelling (SÍ, not SI) first', ['es'], {}, { approve: ['SÍ', 'VALE', 'OK', 'ACEPTAR', 'ACEPTO', 'CONFIRMAR', 'CONFIRMO', 'APROBAR', 'APRUEBO'], decline: ['NO', 'RECHAZAR', 'RECHAZO', 'DENEGAR'] }],
		['Turkish only', ['tr'], {}, { approve: ['EVET', 'TAMAM', 'OLUR', 'ONAY', 'ONAYLA', 'ONAYLIYORUM'], decline: ['HAYIR', 'REDDET', 'REDDEDIYORUM'] }],
		['Dutch and German: JA and OK once', ['nl', 'de'], {}, { approve: ['JA', 'OK', 'BESTÄTIGEN', 'BESTÄTIGT', 'GENEHMIGEN', 'GENEHMIGT', 'AKZEPTIEREN', 'EINVERSTANDEN', 'OKE', 'AKKOORD', 'GOEDKEUREN', 'BEVESTIGEN', 'BEVESTIGD'], decline: ['NEIN', 'ABLEHNEN', 'ABGELEHNT', 'NEE', 'AFWIJZEN', 'WEIGEREN'] }],
		['no language: the user’s own words only', [], { approve: ['Go'], decline: ['Halt'] }, { approve: ['Go'], decline: ['Halt'] }],
		['no language, no words', [], {}, { approve: [], decline: [] }],
		['custom words first, trimmed, blanks and punctuation-only words dropped', ['pt'], { approve: ['  Bora ', '', '  ', '!!'], decline: ['nunca'] }, { approve: ['Bora', 'SIM', 'OK', 'ACEITAR', 'ACEITO', 'CONFIRMAR', 'CONFIRMO', 'APROVAR', 'APROVO'], decline: ['nunca', 'NÃO', 'RECUSAR', 'RECUSO', 'REJEITAR'] }],
		['a custom word that a list has too keeps the user’s spelling and place', ['en'], { approve: ['Approve', 'yes'], decline: ['no'] }, { approve: ['Approve', 'yes', 'Y', 'YEP', 'YEAH', 'OK', 'OKAY', 'APPROVED', 'ACCEPT', 'ACCEPTED', 'CONFIRM', 'CONFIRMED', 'AGREE'], decline: ['no', 'N', 'NOPE', 'DECLINE', 'DECLINED', 'REJECT', 'REJECTED', 'DENY', 'DENIED', 'REFUSE'] }],
		['custom words that fold alike count once (the first)', [], { approve: ['Sí', 'si', 'SI', 'sì'] }, { approve: ['Sí'], decline: [] }],
	])('%s', (_, languages, custom, expected) => {
		expect(approvalWords(languages, custom)).toEqual(expected);
	});

	it('the languages filter keeps out the other lists’ words', () => {
		const english = approvalWords(['en']);
		expect(english.approve).not.toContain('OUI');
		expect(english.decline).not.toContain('NEE');
		expect(readReply('oui', english).decision).toBeNull();
		expect(readReply('oui', approvalWords(['fr'])).decision).toBe('approve');
		expect(readReply('nee', approvalWords(['en', 'fr'])).decision).toBeNull();
		expect(readReply('nee', approvalWords(['nl'])).decision).toBe('decline');
	});
});

describe('readReply', () => {
	const read = (text: string, references: string[] = []) => readReply(text, ALL, references);

	it.each<[string, Decision | null]>([
		// English
		['Yes', 'approve'],
		['yes please', 'approve'],
		['YES', 'approve'],
		['  YES  ', 'approve'],
		['Yes!!!', 'approve'],
		['yes.', 'approve'],
		['y', 'approve'],
		['Yep', 'approve'],
		['yeah sure', 'approve'],
		['OK', 'approve'],
		['ok.', 'approve'],
		['Okay, go ahead', 'approve'],
		['Approved', 'approve'],
		['approve', 'approve'],
		['Confirmed, thanks', 'approve'],
		['I agree', null],
		['agree', 'approve'],
		['No', 'decline'],
		['no.', 'decline'],
		['NO, NO!', 'decline'],
		['n', 'decline'],
		['Nope', 'decline'],
		['Declined', 'decline'],
		['reject', 'decline'],
		['Denied.', 'decline'],
		// Undecided: both kinds, or neither.
		['no, yes', null],
		['yes no', null],
		['okay then no', null],
		['Yes... no wait', null],
		['not sure', null],
		['Not', null],
		['nobody', null],
		['yesterday', null],
		['okay?', 'approve'],
		['what is this about?', null],
		['maybe', null],
		['', null],
		['   ', null],
		['!!!', null],
		// French
		['Oui.', 'approve'],
		['oui merci', 'approve'],
		["d'accord", 'approve'],
		['D’accord !', 'approve'],
		['Approuvé', 'approve'],
		['validé', 'approve'],
		['Non', 'decline'],
		['non merci', 'decline'],
		['Refusé', 'decline'],
		// Spanish
		['sí', 'approve'],
		['Si', 'approve'],
		['SÍ, claro', 'approve'],
		['vale', 'approve'],
		['Acepto', 'approve'],
		['no gracias', 'decline'],
		['Rechazo', 'decline'],
		// German
		['Ja', 'approve'],
		['ja bitte', 'approve'],
		['Bestätigt', 'approve'],
		['BESTATIGT', 'approve'],
		['einverstanden', 'approve'],
		['Nein', 'decline'],
		['nein danke', 'decline'],
		['Abgelehnt', 'decline'],
		// Portuguese
		['Sim', 'approve'],
		['aprovo', 'approve'],
		['NÃO', 'decline'],
		['nao', 'decline'],
		['não, obrigado', 'decline'],
		['Recuso', 'decline'],
		// Italian
		['sì', 'approve'],
		['va bene', 'approve'],
		['Va bene, grazie', 'approve'],
		['va', null],
		['bene', null],
		['Confermo', 'approve'],
		['Rifiuto', 'decline'],
		// Turkish
		['evet', 'approve'],
		['EVET', 'approve'],
		['Tamam', 'approve'],
		['onaylıyorum', 'approve'],
		['Hayır', 'decline'],
		['hayir', 'decline'],
		['HAYIR', 'decline'],
		['reddediyorum', 'decline'],
		// Dutch
		['ja hoor', 'approve'],
		['oké', 'approve'],
		['Akkoord', 'approve'],
		['nee', 'decline'],
		['Nee, bedankt', 'decline'],
		['afwijzen', 'decline'],
		['ja nee', null],
		// Signs, as tapped.
		['👍', 'approve'],
		['👍🏽', 'approve'],
		['👍 sounds good', 'approve'],
		['✅ approved', 'approve'],
		['✅', 'approve'],
		['✔️', 'approve'],
		['☑️', 'approve'],
		['👌🏻', 'approve'],
		['(👍)', 'approve'],
		['((👍))', 'approve'],
		['... 👍', 'approve'],
		['👎', 'decline'],
		['👎🏽', 'decline'],
		['❌', 'decline'],
		['✖️ no', 'decline'],
		['🚫', 'decline'],
		['👍👎', null],
		['👎👍', null],
		['👍 no', null],
		['👎 yes', null],
		['ok 👎', null],
		['yes ❌', null],
		['no ✅', null],
		['sounds good 👍', null],
		['🙂', null],
		// A keyword is no answer (the trigger handles it first); nor is a sentence that contains one.
		['STOP', null],
		['cancel', null],
		['HELP', null],
	])('%j → %s', (text, decision) => {
		expect(read(text).decision).toBe(decision);
	});

	it.each<[string, string[], ReadReply]>([
		['OK K4M', [], { decision: 'approve', reference: 'K4M', text: 'OK' }],
		['k4m yes', [], { decision: 'approve', reference: 'K4M', text: 'yes' }],
		['approve K4M', ['K4M'], { decision: 'approve', reference: 'K4M', text: 'approve' }],
		['K4M no', ['K4M', 'T7W'], { decision: 'decline', reference: 'K4M', text: 'no' }],
		['yes t7w', ['K4M', 'T7W'], { decision: 'approve', reference: 'T7W', text: 'yes' }],
		['Yes, T7W!', ['T7W'], { decision: 'approve', reference: 'T7W', text: 'Yes' }],
		['Ja (K4M)', ['K4M'], { decision: 'approve', reference: 'K4M', text: 'Ja' }],
		['#K4M oui', [], { decision: 'approve', reference: 'K4M', text: 'oui' }],
		['K4M 👍', ['K4M'], { decision: 'approve', reference: 'K4M', text: '👍' }],
		['👎 K4M', ['K4M'], { decision: 'decline', reference: 'K4M', text: '👎' }],
		['K4M', ['K4M'], { decision: null, reference: 'K4M', text: '' }],
		// A reference of the right shape that is not among the person's: still a reference, not part of the answer.
		['yes K4M', ['T7W'], { decision: 'approve', reference: 'K4M', text: 'yes' }],
		// The person's reference wins over another of its shape, wherever it is.
		['K4M T7W', ['T7W'], { decision: null, reference: 'T7W', text: 'K4M' }],
		['c3c and k4m', ['K4M'], { decision: null, reference: 'K4M', text: 'c3c and' }],
		// Known references may be given in any case.
		['yes k4m', ['k4m'], { decision: 'approve', reference: 'K4M', text: 'yes' }],
		// Not references: a confusable character, glued to a word, a vowel.
		['yes K0M', [], { decision: 'approve', reference: null, text: 'yes K0M' }],
		['yesK4M', [], { decision: null, reference: null, text: 'yesK4M' }],
		['K4MM yes', [], { decision: null, reference: null, text: 'K4MM yes' }],
		['yes A4M', [], { decision: 'approve', reference: null, text: 'yes A4M' }],
		// Free text: the reference taken out of it, with what only set it apart; spaces collapsed, ends trimmed.
		['K4M: the server is down', ['K4M'], { decision: null, reference: 'K4M', text: 'the server is down' }],
		['K4M - 3 pallets, not 4', ['K4M'], { decision: null, reference: 'K4M', text: '3 pallets, not 4' }],
		['the server is down - K4M', ['K4M'], { decision: null, reference: 'K4M', text: 'the server is down' }],
		['  K4M   the   text  ', ['K4M'], { decision: null, reference: 'K4M', text: 'the text' }],
		['Send the van K4M. Thanks', ['K4M'], { decision: null, reference: 'K4M', text: 'Send the van Thanks' }],
		['K4M ¿mañana?', ['K4M'], { decision: null, reference: 'K4M', text: '¿mañana?' }],
		['K4M yes K4M', ['K4M'], { decision: 'approve', reference: 'K4M', text: 'yes' }],
		['_K4M yes', ['K4M'], { decision: 'approve', reference: 'K4M', text: 'yes' }],
		['K4M\nline one\nline two', ['K4M'], { decision: null, reference: 'K4M', text: 'line one\nline two' }],
		['line one\n K4M line two', ['K4M'], { decision: null, reference: 'K4M', text: 'line one\nline two' }],
		['line one K4M\nline two', ['K4M'], { decision: null, reference: 'K4M', text: 'line one\nline two' }],
		['line one K4M\n  line two', ['K4M'], { decision: null, reference: 'K4M', text: 'line one\nline two' }],
		['a, K4M, b', ['K4M'], { decision: null, reference: 'K4M', text: 'a b' }],
		// Without a reference the text is the reply as written, trimmed.
		['  Oui, merci.  ', [], { decision: 'approve', reference: null, text: 'Oui, merci.' }],
		['line one\nline two', [], { decision: null, reference: null, text: 'line one\nline two' }],
	])('%j (references %j)', (text, references, expected) => {
		expect(readReply(text, ALL, references)).toEqual(expected);
	});

	it('reads nothing into a reply with no words to match (how the trigger looks for a reference)', () => {
		expect(readReply('yes K4M', { approve: [], decline: [] }, ['K4M'])).toEqual({ decision: null, reference: 'K4M', text: 'yes' });
		expect(readReply('👍', { approve: [], decline: [] })).toEqual({ decision: 'approve', reference: null, text: '👍' });
	});

	it('takes null and undefined as an empty reply', () => {
		expect(readReply(null as unknown as string, ALL)).toEqual({ decision: null, reference: null, text: '' });
		expect(readReply(undefined as unknown as string, ALL)).toEqual({ decision: null, reference: null, text: '' });
	});

	it.each<[string, { approve: string[]; decline: string[] }, Decision | null]>([
		// The user's own phrases, also ones that hold a word of the other kind.
		['No problem', { approve: ['No problem'], decline: ['No'] }, 'approve'],
		['no problem, thanks', { approve: ['No problem'], decline: ['No'] }, 'approve'],
		['yes, no problem', { approve: ['yes', 'No problem'], decline: ['No'] }, 'approve'],
		['no', { approve: ['No problem'], decline: ['No'] }, 'decline'],
		['no no', { approve: ['No problem'], decline: ['No'] }, 'decline'],
		['no, no problem', { approve: ['No problem'], decline: ['No'] }, null],
		['problem', { approve: ['No problem'], decline: ['No'] }, null],
		['not ok', { approve: ['ok'], decline: ['not ok'] }, 'decline'],
		['ok', { approve: ['ok'], decline: ['not ok'] }, 'approve'],
		['ok, not ok', { approve: ['ok'], decline: ['not ok'] }, null],
		['not ok, ok', { approve: ['ok'], decline: ['not ok'] }, null],
		['Go ahead', { approve: ['go ahead'], decline: ['hold'] }, 'approve'],
		['go', { approve: ['go ahead'], decline: ['hold'] }, null],
		['go ahead and hold', { approve: ['go ahead'], decline: ['hold'] }, null],
		['please go ahead', { approve: ['go ahead'], decline: ['hold'] }, null],
		// One word in both lists (the user's mistake): neither.
		['maybe', { approve: ['maybe'], decline: ['MAYBE'] }, null],
		// Words given with punctuation match as people type them.
		["d'accord", { approve: ["D'ACCORD"], decline: [] }, 'approve'],
		['D ACCORD', { approve: ["D'ACCORD"], decline: [] }, 'approve'],
		['accord', { approve: ["D'ACCORD"], decline: [] }, null],
		['Yes', { approve: ['', '  ', '?'], decline: ['yes'] }, 'decline'],
		['', { approve: ['', '?'], decline: [] }, null],
		['?', { approve: ['?'], decline: ['!'] }, null],
		// A shorter phrase of one kind inside a longer one of the other: the longer one counts.
		['ok but no', { approve: ['ok'], decline: ['ok but no'] }, 'decline'],
		['ok but', { approve: ['ok'], decline: ['ok but no'] }, 'approve'],
	])('%j with %j → %s', (text, words, decision) => {
		expect(readReply(text, words).decision).toBe(decision);
	});
});

describe('answers', () => {
	const approval: ReplyExpectation = { mode: 'approval', approve: ['YES'], decline: ['NO'] };
	const approveOnly: ReplyExpectation = { mode: 'approval', approveOnly: true, approve: ['ACCEPT'], decline: [] };
	const freeText: ReplyExpectation = { mode: 'freeText', approve: [], decline: [] };
	const reply = (decision: Decision | null, text: string): ReadReply => ({ decision, reference: null, text });

	it.each<[string, ReplyExpectation, ReadReply, boolean]>([
		['approval, approve', approval, reply('approve', 'yes'), true],
		['approval, decline', approval, reply('decline', 'no'), true],
		['approval, neither', approval, reply(null, 'what?'), false],
		['approval, neither and empty', approval, reply(null, ''), false],
		['approve only, approve', approveOnly, reply('approve', 'accept'), true],
		['approve only, decline', approveOnly, reply('decline', 'no'), false],
		['approve only, neither', approveOnly, reply(null, 'later'), false],
		['approve only false, decline', { ...approval, approveOnly: false }, reply('decline', 'no'), true],
		['free text, any text', freeText, reply(null, 'the van is late'), true],
		['free text, a decision is text too', freeText, reply('decline', 'no'), true],
		['free text, nothing left but the reference', freeText, reply(null, ''), false],
		['free text, approve-only flag does not matter', { ...freeText, approveOnly: true }, reply('decline', 'no'), true],
	])('%s → %s', (_, expectation, read, expected) => {
		expect(answers(expectation, read)).toBe(expected);
	});

	it('end to end with readReply', () => {
		expect(answers(approval, readReply('Yes K4M', approval, ['K4M']))).toBe(true);
		expect(answers(approval, readReply('K4M', approval, ['K4M']))).toBe(false);
		expect(answers(freeText, readReply('K4M', freeText, ['K4M']))).toBe(false);
		expect(answers(freeText, readReply('K4M 12 boxes', freeText, ['K4M']))).toBe(true);
		expect(answers(approveOnly, readReply('no', ALL))).toBe(false);
	});
});

describe('chooseWait', () => {
	const wait = (id: string, reference: string | null, createdAt: number, messageIds: string[] = []): WaitingSummary => ({ id, reference, createdAt, messageIds });
	const a = wait('a', null, 1_000, ['SM-a']);
	const b = wait('b', 'K4M', 2_000, ['SM-b1', 'SM-b2']);
	const c = wait('c', 'T7W', 3_000, ['SM-c']);
	const d = wait('d', null, 4_000, ['SM-d']);

	type Choice = ReturnType<typeof chooseWait<WaitingSummary>>;
	it.each<[string, WaitingSummary[], { reference: string | null; replyTo?: string | null }, Choice]>([
		['nothing waits', [], { reference: 'K4M', replyTo: 'SM-b1' }, { type: 'none' }],
		['the message it replies to wins over a reference', [a, b, c], { reference: 'T7W', replyTo: 'SM-b2' }, { type: 'found', wait: b, by: 'replyTo' }],
		['the message it replies to, among plain ones', [a, d], { reference: null, replyTo: 'SM-a' }, { type: 'found', wait: a, by: 'replyTo' }],
		['a reply to an unknown message falls back to the reference', [a, b, c], { reference: 'T7W', replyTo: 'SM-zzz' }, { type: 'found', wait: c, by: 'reference' }],
		['an empty replyTo is none', [b, c], { reference: 'K4M', replyTo: '' }, { type: 'found', wait: b, by: 'reference' }],
		['the reference, in any case', [a, b, c], { reference: 'k4m' }, { type: 'found', wait: b, by: 'reference' }],
		['an unknown reference: the latest plain one', [a, b, c, d], { reference: 'X9X' }, { type: 'found', wait: d, by: 'latest' }],
		['no reference: the latest plain one, whatever the order given', [d, c, b, a], { reference: null }, { type: 'found', wait: d, by: 'latest' }],
		['no reference, the only plain one among referenced ones', [b, a, c], { reference: null }, { type: 'found', wait: a, by: 'latest' }],
		['plain ones sent at the same moment: the greater ID', [wait('m', null, 5), wait('z', null, 5), wait('k', null, 5)], { reference: null }, { type: 'found', wait: wait('z', null, 5), by: 'latest' }],
		['only one waits, with a reference the reply does not quote', [c], { reference: null }, { type: 'found', wait: c, by: 'only' }],
		['only one waits, the reply quotes another reference', [c], { reference: 'K4M' }, { type: 'found', wait: c, by: 'only' }],
		['several with references, none quoted', [b, c], { reference: null }, { type: 'ambiguous', waiting: 2 }],
		['several with references, an unknown one quoted', [b, c], { reference: 'X9X', replyTo: 'SM-zzz' }, { type: 'ambiguous', waiting: 2 }],
	])('%s', (_, waiting, reply, expected) => {
		expect(chooseWait(waiting, reply)).toEqual(expected);
	});

	it('leaves the list it is given as it was', () => {
		const list = [d, a, b];
		chooseWait(list, { reference: null });
		expect(list).toEqual([d, a, b]);
	});
});

describe('needsReference', () => {
	it.each<['reference' | 'latest', number, boolean]>([
		['reference', 0, false],
		['reference', 1, true],
		['reference', 7, true],
		['latest', 0, false],
		['latest', 1, false],
		['latest', 7, false],
	])('%s with %i already waiting → %s', (policy, waiting, expected) => {
		expect(needsReference(policy, waiting)).toBe(expected);
	});
});

describe('newReference', () => {
	/** A random source that returns these values in turn, then the last one forever. */
	const sequence = (...values: number[]) => {
		let n = 0;
		return () => values[Math.min(n++, values.length - 1)];
	};
	/** The values that pick one reference (one call per character). */
	const picking = (reference: string) => [(LETTERS.indexOf(reference[0]) + 0.5) / 15, (DIGITS.indexOf(reference[1]) + 0.5) / 5, (LETTERS.indexOf(reference[2]) + 0.5) / 15];

	it.each<[string, string[], number[], string]>([
		['the lowest values', [], [0], 'C3C'],
		['just under 1', [], [0.999_999], 'Y9Y'],
		['1 itself (a source that is slightly off) stays in the alphabet', [], [1], 'Y9Y'],
		['one value per character', [], picking('K4M'), 'K4M'],
		['another', [], picking('T7W'), 'T7W'],
		['a taken one is drawn again', ['K4M'], [...picking('K4M'), ...picking('T7W')], 'T7W'],
		['the 64th draw still counts', ['K4M'], [...Array.from({ length: 63 }, () => picking('K4M')).flat(), ...picking('T7W')], 'T7W'],
		['after 64 taken draws, the first free one in order', ['K4M'], [...Array.from({ length: 64 }, () => picking('K4M')).flat(), ...picking('T7W')], 'C3C'],
		['a stuck source walks the space in order', ['C3C'], [0], 'C3D'],
		['the walk goes letter, digit, letter', EVERY_REFERENCE.slice(0, 15), [0], 'C4C'],
		['the walk reaches the last one', EVERY_REFERENCE.slice(0, -1), [0], 'Y9Y'],
	])('%s → %s', (_, taken, values, expected) => {
		expect(newReference(taken, sequence(...values))).toBe(expected);
		expect(newReference(new Set(taken), sequence(...values))).toBe(expected);
	});

	it('is never one of those taken, and always of the pattern', () => {
		const random = (() => {
			let s = 42;
			return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
		})();
		const taken: string[] = [];
		for (let n = 0; n < 1_125; n++) {
			const reference = newReference(taken, random);
			expect(REFERENCE_PATTERN.test(reference)).toBe(true);
			expect(taken).not.toContain(reference);
			taken.push(reference);
		}
		expect(new Set(taken)).toEqual(new Set(EVERY_REFERENCE));
	});

	it('draws three values per try, no more', () => {
		let calls = 0;
		const values = [...picking('K4M'), ...picking('K4M'), ...picking('T7W')];
		expect(newReference(['K4M'], () => values[calls++])).toBe('T7W');
		expect(calls).toBe(9);
	});

	it('throws when all 1,125 are taken', () => {
		expect(() => newReference(EVERY_REFERENCE, Math.random)).toThrow(new RangeError('Every reference is taken: this person has over a thousand unanswered messages waiting'));
		expect(() => newReference(new Set(EVERY_REFERENCE), () => 0)).toThrow(RangeError);
	});

	it('leaves the taken list as it was', () => {
		const taken = ['K4M'];
		newReference(taken, () => 0);
		expect(taken).toEqual(['K4M']);
	});
});

describe('replyInstructions', () => {
	const approval: ReplyExpectation = { mode: 'approval', approve: ['YES'], decline: ['NO'] };
	const approveOnly: ReplyExpectation = { ...approval, approveOnly: true, decline: [] };
	const freeText: ReplyExpectation = { mode: 'freeText', approve: [], decline: [] };
	const LINK = 'https://n8n.example.com/webhook-waiting/42?signature=abc';
	const yesNo = { approve: 'YES', decline: 'NO' };

	it.each<[string, ReplyExpectation, { approve: string; decline: string | null }, string | null, string | null, string | undefined, string]>([
		['approval', approval, yesNo, null, null, undefined, 'Reply YES or NO.'],
		['approval with a reference', approval, yesNo, 'K4M', null, undefined, 'Reply YES K4M or NO K4M.'],
		['approval with a link', approval, yesNo, null, LINK, undefined, `Reply YES or NO.\nOr answer here: ${LINK}`],
		['approval with both', approval, yesNo, 'K4M', LINK, '', `Reply YES K4M or NO K4M.\nOr answer here: ${LINK}`],
		['other words', approval, { approve: 'OUI', decline: 'NON' }, null, null, undefined, 'Reply OUI or NON.'],
		['approve only', approveOnly, { approve: 'ACCEPT', decline: 'NO' }, null, null, undefined, 'Reply ACCEPT.'],
		['approve only with a reference and a link', approveOnly, { approve: 'ACCEPT', decline: null }, 'T7W', LINK, undefined, `Reply ACCEPT T7W.\nOr answer here: ${LINK}`],
		['no decline word', approval, { approve: 'YES', decline: null }, null, null, undefined, 'Reply YES.'],
		['free text', freeText, yesNo, null, null, undefined, 'Reply to this message.'],
		['free text with a reference', freeText, yesNo, 'K4M', null, undefined, 'Reply starting with K4M.'],
		['free text with a link', freeText, yesNo, null, LINK, undefined, `Reply to this message.\nOr answer here: ${LINK}`],
		['a blank template is ours', approval, yesNo, null, null, '  \n ', 'Reply YES or NO.'],
		['a template', approval, yesNo, null, null, 'Antworten Sie {approve} oder {decline}', 'Antworten Sie YES oder NO'],
		['a template: approve and decline carry the reference', approval, yesNo, 'K4M', null, 'Send {approve} or {decline}.', 'Send YES K4M or NO K4M.'],
		['a template with every placeholder, twice', approval, yesNo, 'K4M', LINK, '{approve}/{decline} ({reference}) {link} | {approve}/{decline} ({reference}) {link}', `YES K4M/NO K4M (K4M) ${LINK} | YES K4M/NO K4M (K4M) ${LINK}`],
		['a template without a reference or link: their places empty, the ends trimmed', approval, yesNo, null, null, ' Ref {reference} at {link}', 'Ref  at'],
		['a template without placeholders', approval, yesNo, 'K4M', LINK, 'Answer by phone.', 'Answer by phone.'],
		['a template for free text', freeText, yesNo, 'K4M', null, 'Start with {reference}', 'Start with K4M'],
		['unknown placeholders stay', approval, yesNo, null, null, '{approve} {other} {APPROVE}', 'YES {other} {APPROVE}'],
		['approve only: {decline} is empty, without a reference of its own', approveOnly, { approve: 'ACCEPT', decline: null }, 'K4M', null, 'Reply {approve}.{decline}', 'Reply ACCEPT K4M.'],
		['words and links are put in as written ($ is no pattern)', approval, { approve: 'OK$&', decline: "N$'" }, null, 'https://x.example/$1?a=$$', '{approve} {decline} {link}', "OK$& N$' https://x.example/$1?a=$$"],
		['a placeholder inside a word is not filled in', approval, { approve: 'YES{link}', decline: '{reference}' }, 'K4M', LINK, '{approve} | {decline}', 'YES{link} K4M | {reference} K4M'],
	])('%s', (_, expectation, words, reference, link, template, expected) => {
		expect(template === undefined ? replyInstructions(expectation, words, reference, link) : replyInstructions(expectation, words, reference, link, template)).toBe(expected);
	});
});

describe('one-letter words answer only on their own', () => {
	const words = approvalWords();
	it.each([
		['Y', 'approve'],
		['n', 'decline'],
		['N.', 'decline'],
		["N'importe quoi", null],
		['Y luego te digo', null],
		['n k4m', 'decline'],
	])('%s → %s', (reply, decision) => {
		expect(readReply(reply, words, ['K4M']).decision).toBe(decision);
	});
});
