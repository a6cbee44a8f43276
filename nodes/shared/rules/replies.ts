/**
 * Replies to a message that waits for an answer (send and wait, approvals): which words approve and which decline, in
 * the languages of the opt-out lists; what a reply says (approve, decline, or just text) and which reference it quotes;
 * which of a person's waiting messages a reply answers; and the instructions the message carries.
 *
 * Pure: the node and the Messaging Trigger hand in texts and lists, nothing of n8n. Opt-out, opt-in and help keywords
 * are never answers (the trigger checks them first): STOP stays an opt-out even while an approval waits. A tapped
 * button is always an answer, so a button titled "Cancel" declines instead of opting out.
 */
import { foldKeyword, KEYWORD_LANGUAGES, type KeywordLanguage } from './optOut';

export type Decision = 'approve' | 'decline';

export interface ApprovalWords {
	language: KeywordLanguage;
	approve: readonly string[];
	decline: readonly string[];
}

/**
 * The words people answer with, as they type them (matching ignores case and accents). Left out on purpose: words that
 * are opt-out, opt-in or help keywords in some list (Turkish KABUL is an opt-in, Spanish ALTO an opt-out, English
 * CANCEL an opt-out): a keyword is never an answer.
 */
export const APPROVAL_WORDS: readonly ApprovalWords[] = [
	{ language: 'en', approve: ['YES', 'Y', 'YEP', 'YEAH', 'OK', 'OKAY', 'APPROVE', 'APPROVED', 'ACCEPT', 'ACCEPTED', 'CONFIRM', 'CONFIRMED', 'AGREE'], decline: ['NO', 'N', 'NOPE', 'DECLINE', 'DECLINED', 'REJECT', 'REJECTED', 'DENY', 'DENIED', 'REFUSE'] },
	{ language: 'fr', approve: ['OUI', "D'ACCORD", 'OK', 'ACCEPTER', 'ACCEPTE', 'CONFIRMER', 'CONFIRME', 'VALIDER', 'VALIDE', 'APPROUVER', 'APPROUVE'], decline: ['NON', 'REFUSER', 'REFUSE', 'REJETER', 'REJETE'] },
	{ language: 'es', approve: ['SÍ', 'SI', 'VALE', 'OK', 'ACEPTAR', 'ACEPTO', 'CONFIRMAR', 'CONFIRMO', 'APROBAR', 'APRUEBO'], decline: ['NO', 'RECHAZAR', 'RECHAZO', 'DENEGAR'] },
	{ language: 'de', approve: ['JA', 'OK', 'BESTÄTIGEN', 'BESTÄTIGT', 'GENEHMIGEN', 'GENEHMIGT', 'AKZEPTIEREN', 'EINVERSTANDEN'], decline: ['NEIN', 'ABLEHNEN', 'ABGELEHNT'] },
	{ language: 'pt', approve: ['SIM', 'OK', 'ACEITAR', 'ACEITO', 'CONFIRMAR', 'CONFIRMO', 'APROVAR', 'APROVO'], decline: ['NÃO', 'RECUSAR', 'RECUSO', 'REJEITAR'] },
	{ language: 'it', approve: ['SÌ', 'SI', 'VA BENE', 'OK', 'ACCETTO', 'ACCETTA', 'CONFERMO', 'CONFERMA', 'APPROVO', 'APPROVA'], decline: ['NO', 'RIFIUTO', 'RIFIUTA', 'RESPINGO'] },
	{ language: 'tr', approve: ['EVET', 'TAMAM', 'OLUR', 'ONAY', 'ONAYLA', 'ONAYLIYORUM'], decline: ['HAYIR', 'REDDET', 'REDDEDIYORUM'] },
	{ language: 'nl', approve: ['JA', 'OKE', 'OK', 'AKKOORD', 'GOEDKEUREN', 'BEVESTIGEN', 'BEVESTIGD'], decline: ['NEE', 'AFWIJZEN', 'WEIGEREN'] },
];

/** Thumbs and ticks answer too, as people tap them. */
const APPROVE_SIGNS = ['👍', '✅', '✔', '☑', '👌'];
const DECLINE_SIGNS = ['👎', '❌', '✖', '🚫'];

/**
 * A reference: consonant, digit, consonant ("K4M"). Never a word in any language (a word needs a vowel or at least no
 * digit), never confusable (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), 15 × 5 × 15 = 1,125 of them for one person's waiting
 * messages, which is plenty: references only tell apart the messages one person has not answered yet.
 */
const REFERENCE_LETTERS = 'CDFHJKMNPRTVWXY';
const REFERENCE_DIGITS = '34679';
export const REFERENCE_PATTERN = new RegExp(`^[${REFERENCE_LETTERS}][${REFERENCE_DIGITS}][${REFERENCE_LETTERS}]$`);

/** A new reference not among `taken`, from `random` (0 ≤ r < 1, one call per character). */
export function newReference(taken: ReadonlySet<string> | readonly string[], random: () => number): string {
	const used = new Set(taken);
	const pick = (alphabet: string) => alphabet[Math.min(alphabet.length - 1, Math.floor(random() * alphabet.length))];
	for (let tries = 0; tries < 64; tries++) {
		const candidate = pick(REFERENCE_LETTERS) + pick(REFERENCE_DIGITS) + pick(REFERENCE_LETTERS);
		if (!used.has(candidate)) return candidate;
	}
	// 64 misses in a row: the space is nearly full (or `random` is stuck); walk it in order.
	for (const a of REFERENCE_LETTERS) for (const d of REFERENCE_DIGITS) for (const b of REFERENCE_LETTERS) if (!used.has(a + d + b)) return a + d + b;
	throw new RangeError('Every reference is taken: this person has over a thousand unanswered messages waiting');
}

/** What answers a waiting message. */
export interface ReplyExpectation {
	/** Approval: a word (or button) that approves or declines; free text: any message. */
	mode: 'approval' | 'freeText';
	/** Approve only (no decline words): a technician's "reply ACCEPT". */
	approveOnly?: boolean;
	/** The words, as the user and the lists spell them. */
	approve: readonly string[];
	decline: readonly string[];
}

/** The approve and decline words of these languages, with the user's own words first. */
export function approvalWords(languages: readonly KeywordLanguage[] = KEYWORD_LANGUAGES, custom: { approve?: readonly string[]; decline?: readonly string[] } = {}): { approve: string[]; decline: string[] } {
	const chosen = APPROVAL_WORDS.filter((list) => languages.includes(list.language));
	// The first spelling of a word stays (the user's, else its first list's: SÍ, not SI): instructions show it.
	const unique = (words: readonly string[]) => {
		const kept = new Map<string, string>();
		for (const word of words) {
			const folded = foldKeyword(word);
			if (folded !== '' && !kept.has(folded)) kept.set(folded, word.trim());
		}
		return [...kept.values()];
	};
	return {
		approve: unique([...(custom.approve ?? []), ...chosen.flatMap((list) => list.approve)]),
		decline: unique([...(custom.decline ?? []), ...chosen.flatMap((list) => list.decline)]),
	};
}

/**
 * Format characters (zero-width spaces and joiners, bidi marks): invisible, so no part of what a reply says. Left in,
 * "yes n\u200Bo" hid its NO from the check for "yes… no" and read as yes.
 */
const INVISIBLE = /\p{Cf}/gu;

/** Words of a text for matching: invisible marks dropped, accents and case folded, split on spaces and punctuation. */
function tokens(text: string): string[] {
	return foldKeyword(text.replace(INVISIBLE, ''))
		.split(/[\s\p{P}\p{S}]+/u)
		.filter(Boolean);
}

const startsWith = (words: readonly string[], phrase: readonly string[]) => phrase.length > 0 && phrase.length <= words.length && phrase.every((w, n) => words[n] === w);

/**
 * The approve and decline phrases in `words`, left to right: at each place the longest phrase that starts there (both
 * kinds when one of each that long does), the words it takes skipped. So a phrase holding a word of the other kind
 * ("No problem" approving, "not ok" declining) counts as itself, not as that word.
 */
function phrasesIn(words: readonly string[], approve: readonly string[][], decline: readonly string[][]): Array<{ at: number; length: number; kinds: Set<Decision> }> {
	const found: Array<{ at: number; length: number; kinds: Set<Decision> }> = [];
	for (let at = 0; at < words.length; ) {
		const rest = words.slice(at);
		let longest = 0;
		let kinds = new Set<Decision>();
		for (const [kind, phrases] of [['approve', approve], ['decline', decline]] as const) {
			for (const phrase of phrases) {
				if (!startsWith(rest, phrase) || phrase.length < longest) continue;
				if (phrase.length > longest) kinds = new Set();
				longest = phrase.length;
				kinds.add(kind);
			}
		}
		if (longest === 0) {
			at += 1;
			continue;
		}
		found.push({ at, length: longest, kinds });
		at += longest;
	}
	return found;
}

/**
 * A reply with every place it quotes `reference` taken out, with what only set the reference apart: brackets or a # round
 * it, a separator before or after it ("K4M: the van is late", "late - K4M", "(K4M)"). Spaces collapse; lines stay.
 * The same boundaries as the tokens': a reference glued to a letter or digit is no reference.
 */
function withoutQuoted(text: string, reference: string): string {
	const separator = '[^\\S\\r\\n]*[,;:\\-\u2013\u2014]+';
	const escaped = reference.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const quoted = new RegExp(`(?:${separator})?[^\\S\\r\\n]*[(\\[{#_]?(?<![\\p{L}\\p{N}\\p{M}])${escaped}(?![\\p{L}\\p{N}\\p{M}])[)\\]}]?(?:[^\\S\\r\\n]*[,;:.!?\\-\u2013\u2014]+(?=\\s|$))?`, 'giu');
	return text
		.replace(quoted, ' ')
		.replace(/[^\S\r\n]+/g, ' ')
		.replace(/ ?(\r?\n) ?/g, '$1')
		.trim();
}

export interface ReadReply {
	/** What the reply says, in approval mode; null when it is neither (or both). */
	decision: Decision | null;
	/** The reference it quotes, as written in the message ("K4M"), or null. */
	reference: string | null;
	/** The reply without the reference, trimmed: the answer in free-text mode. */
	text: string;
}

/**
 * What a reply says. `references` are the references the person has waiting: a token equal to one of them is the
 * reference; otherwise any token of the reference's shape is taken as one (a reference mistyped or already answered
 * still is not part of the answer). The decision is the first word's (or phrase's, or sign's), when no word of the
 * other kind follows: "Yes", "yes please", "OK K4M" approve; "no", "Nope." decline; "no, yes", "not sure" are neither;
 * "Y" and "N" only alone. A phrase counts as itself: with "No problem" among the approve words, "no problem" approves.
 */
export function readReply(text: string, expectation: Pick<ReplyExpectation, 'approve' | 'decline'>, references: readonly string[] = []): ReadReply {
	const raw = String(text ?? '');
	const all = tokens(raw);
	const known = new Set(references.map((r) => r.toUpperCase()));
	const referenceToken = all.find((t) => known.has(t)) ?? all.find((t) => REFERENCE_PATTERN.test(t)) ?? null;
	const words = referenceToken === null ? all : all.filter((t) => t !== referenceToken);
	const withoutReference = referenceToken === null ? raw.trim() : withoutQuoted(raw, referenceToken);
	// A one-letter word (English Y and N) counts only as the whole reply: it also starts sentences in the lists' other
	// languages (Spanish "Y el recibo?", French "Y a-t-il…", "N'importe quoi") and "N/A", which are no answers.
	const counts = (p: string[]) => p.length > 0 && (words.length === 1 || p.length > 1 || [...p[0]].length > 1);
	const approve = expectation.approve.map(tokens).filter(counts);
	const decline = expectation.decline.map(tokens).filter(counts);
	const trimmed = withoutReference.replace(INVISIBLE, '').replace(/^[\s\p{P}]+/u, '');
	const sign = (signs: readonly string[]) => signs.some((s) => trimmed.startsWith(s));
	const phrases = phrasesIn(words, approve, decline);
	const first = phrases[0]?.at === 0 && phrases[0].kinds.size === 1 ? [...phrases[0].kinds][0] : null;
	let decision: Decision | null = null;
	if (sign(APPROVE_SIGNS) && !sign(DECLINE_SIGNS)) decision = 'approve';
	else if (sign(DECLINE_SIGNS)) decision = 'decline';
	else decision = first;
	// A phrase of the other kind anywhere ("no, yes", "yes… no wait") leaves it undecided: better asked again than guessed.
	const other: Decision = decision === 'approve' ? 'decline' : 'approve';
	if (decision !== null && (phrases.some((p) => p.kinds.has(other)) || (other === 'decline' ? DECLINE_SIGNS : APPROVE_SIGNS).some((s) => trimmed.includes(s)))) decision = null;
	return { decision, reference: referenceToken, text: withoutReference };
}

/**
 * Whether a reply answers a message that expects `expectation`: in approval mode a decision (an approve-only message
 * takes approvals only); in free-text mode any text. Buttons count as their payload, then their title.
 */
export function answers(expectation: ReplyExpectation, reply: ReadReply): boolean {
	if (expectation.mode === 'freeText') return reply.text !== '';
	if (reply.decision === 'decline') return !expectation.approveOnly;
	return reply.decision === 'approve';
}

/** One waiting message, as far as choosing among them goes. */
export interface WaitingSummary {
	id: string;
	reference: string | null;
	createdAt: number;
	/** The provider's IDs of the messages sent for it (a WhatsApp button's reply names its message). */
	messageIds: readonly string[];
}

export type WaitChoice<T extends WaitingSummary> = { type: 'found'; wait: T; by: 'replyTo' | 'reference' | 'latest' | 'only' } | { type: 'ambiguous'; waiting: number } | { type: 'none' };

/**
 * Which of a person's waiting messages a reply answers: the one it replies to (a WhatsApp button, a quoted message);
 * else the one whose reference it quotes; else the latest of those sent without a reference (at most one such is
 * waiting when references are asked for; the latest wins when they are not); else the only one; else none, because
 * several wait and the reply does not say which.
 */
export function chooseWait<T extends WaitingSummary>(waiting: readonly T[], reply: { reference: string | null; replyTo?: string | null }): WaitChoice<T> {
	if (waiting.length === 0) return { type: 'none' };
	if (reply.replyTo) {
		const replied = waiting.find((w) => w.messageIds.includes(reply.replyTo as string));
		if (replied) return { type: 'found', wait: replied, by: 'replyTo' };
	}
	if (reply.reference) {
		const quoted = waiting.find((w) => w.reference !== null && w.reference.toUpperCase() === reply.reference!.toUpperCase());
		if (quoted) return { type: 'found', wait: quoted, by: 'reference' };
	}
	const plain = waiting.filter((w) => w.reference === null).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
	if (plain.length > 0) return { type: 'found', wait: plain[0], by: 'latest' };
	if (waiting.length === 1) return { type: 'found', wait: waiting[0], by: 'only' };
	return { type: 'ambiguous', waiting: waiting.length };
}

export type SeveralWaiting = 'reference' | 'latest';

/**
 * Whether a new message needs a reference: when references are asked for and the person already has a message
 * waiting from this sender (the first one goes without: most people only ever have one).
 */
export function needsReference(policy: SeveralWaiting, alreadyWaiting: number): boolean {
	return policy === 'reference' && alreadyWaiting > 0;
}

/** The words an instruction shows: the first approve and decline words, or the button titles. */
export interface InstructionWords {
	approve: string;
	decline: string | null;
}

/**
 * The line a message ends with: how to answer, the reference to quote, and the link. `template` is the user's own
 * wording, with {approve}, {decline}, {reference} and {link}; empty for ours (English).
 */
export function replyInstructions(expectation: ReplyExpectation, words: InstructionWords, reference: string | null, link: string | null, template = ''): string {
	const ref = reference ? ` ${reference}` : '';
	if (template.trim() !== '') {
		// One pass, each value as written: a "$&" in a word or link, or a "{link}" in a word, is not a pattern.
		const values: Record<string, string> = { approve: words.approve + ref, decline: words.decline ? words.decline + ref : '', reference: reference ?? '', link: link ?? '' };
		return template.replace(/\{(approve|decline|reference|link)\}/g, (_, name: string) => values[name]).trim();
	}
	const lines: string[] = [];
	if (expectation.mode === 'freeText') lines.push(reference ? `Reply starting with ${reference}.` : 'Reply to this message.');
	else if (expectation.approveOnly || !words.decline) lines.push(`Reply ${words.approve}${ref}.`);
	else lines.push(`Reply ${words.approve}${ref} or ${words.decline}${ref}.`);
	if (link) lines.push(`Or answer here: ${link}`);
	return lines.join('\n');
}
