/**
 * Opt-out, opt-in and help keywords: an inbound message that is one such word, in one of our users' markets'
 * languages. Matching ignores case, accents, surrounding spaces and punctuation ("Stop.", " arrêt ", "İPTAL"), and
 * needs the whole message to be the word: "please stop texting me" is a message, not a keyword.
 */

export type KeywordType = 'optOut' | 'optIn' | 'help';

export const KEYWORD_TYPES: readonly KeywordType[] = ['optOut', 'optIn', 'help'];

export type KeywordLanguage = 'en' | 'fr' | 'es' | 'de' | 'pt' | 'it' | 'tr' | 'nl';

export interface KeywordList {
	language: KeywordLanguage;
	label: string;
	words: Readonly<Record<KeywordType, readonly string[]>>;
}

/**
 * The words, as people type them (the matcher strips accents and case). English is the carriers' and Twilio's list
 * (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; START, UNSTOP; HELP, INFO) without YES: Twilio
 * counts YES as opt-in, but "reply YES to confirm" is what our users' approvals ask for, so YES stays a message.
 * The other lists are the words carriers and regulators in those markets name (France's STOP/ARRET, Turkey's
 * IYS "RET" and "IPTAL", Spain's BAJA, Germany's STOPP/ABMELDEN…).
 */
export const KEYWORD_LISTS: readonly KeywordList[] = [
	{
		language: 'en',
		label: 'English',
		words: {
			optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
			optIn: ['START', 'UNSTOP', 'SUBSCRIBE'],
			help: ['HELP', 'INFO'],
		},
	},
	{
		language: 'fr',
		label: 'French',
		words: {
			optOut: ['STOP', 'ARRÊT', 'ARRÊTER', 'DÉSABONNER', 'DÉSINSCRIRE', 'DÉSINSCRIPTION'],
			optIn: ['DÉMARRER', 'ABONNER', 'INSCRIRE'],
			help: ['AIDE'],
		},
	},
	{
		language: 'es',
		label: 'Spanish',
		words: {
			optOut: ['BAJA', 'ALTO', 'PARAR', 'DETENER', 'CANCELAR', 'DESUSCRIBIR'],
			optIn: ['ALTA', 'COMENZAR', 'SUSCRIBIR'],
			help: ['AYUDA'],
		},
	},
	{
		language: 'de',
		label: 'German',
		words: {
			optOut: ['STOPP', 'STOP', 'ABMELDEN', 'ABBESTELLEN', 'KÜNDIGEN'],
			optIn: ['ANMELDEN', 'START'],
			help: ['HILFE'],
		},
	},
	{
		language: 'pt',
		label: 'Portuguese',
		words: {
			optOut: ['PARAR', 'SAIR', 'CANCELAR', 'REMOVER', 'DESCADASTRAR'],
			optIn: ['INICIAR', 'VOLTAR', 'CADASTRAR'],
			help: ['AJUDA'],
		},
	},
	{
		language: 'it',
		label: 'Italian',
		words: {
			optOut: ['STOP', 'BASTA', 'ANNULLA', 'CANCELLA', 'DISISCRIVI', 'DISISCRIVIMI'],
			optIn: ['ISCRIVI', 'ISCRIVIMI', 'RIPRENDI'],
			help: ['AIUTO'],
		},
	},
	{
		language: 'tr',
		label: 'Turkish',
		words: {
			optOut: ['RET', 'İPTAL', 'DUR', 'DURDUR'],
			optIn: ['BAŞLA', 'KABUL'],
			help: ['YARDIM'],
		},
	},
	{
		language: 'nl',
		label: 'Dutch',
		words: {
			optOut: ['STOP', 'STOPPEN', 'AFMELDEN', 'UITSCHRIJVEN'],
			optIn: ['AANMELDEN', 'INSCHRIJVEN'],
			help: ['HULP'],
		},
	},
];

export const KEYWORD_LANGUAGES: readonly KeywordLanguage[] = KEYWORD_LISTS.map((list) => list.language);

/**
 * A message folded for matching: no accents (é → E, ş → S, İ → I; dotless ı upper-cases to I), upper case, no spaces or punctuation
 * around it. Inner spaces stay, so that a sentence never folds into a keyword.
 */
export function foldKeyword(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toUpperCase()
		.replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '')
		.replace(/\s+/g, ' ');
}

export interface KeywordMatch {
	type: KeywordType;
	/** The word as the lists spell it (or as the user wrote it, for their own words). */
	word: string;
	/** Every list that has it, e.g. STOP: en, fr, de, it, nl; `custom` for the user's own words. */
	lists: Array<KeywordLanguage | 'custom'>;
}

export interface KeywordOptions {
	/** The languages whose lists count; all when absent. */
	languages?: readonly KeywordLanguage[];
	/** The user's own words, by type, counted in addition to the lists. */
	custom?: Partial<Record<KeywordType, readonly string[]>>;
}

/** The keyword the message is, or null. Opt-out wins over opt-in and help when a word is in several lists. */
export function matchKeyword(text: string, options: KeywordOptions = {}): KeywordMatch | null {
	const folded = foldKeyword(String(text ?? ''));
	if (folded === '' || folded.includes(' ')) return null;
	const languages = new Set(options.languages ?? KEYWORD_LANGUAGES);
	for (const type of KEYWORD_TYPES) {
		let word: string | undefined;
		const lists: KeywordMatch['lists'] = [];
		for (const list of KEYWORD_LISTS) {
			if (!languages.has(list.language)) continue;
			const found = list.words[type].find((candidate) => foldKeyword(candidate) === folded);
			if (found === undefined) continue;
			word ??= found;
			lists.push(list.language);
		}
		const custom = (options.custom?.[type] ?? []).find((candidate) => foldKeyword(candidate) === folded);
		if (custom !== undefined) {
			word ??= custom.trim();
			lists.push('custom');
		}
		if (word !== undefined) return { type, word, lists };
	}
	return null;
}

/** The user's own words from a comma- or newline-separated text field. */
export function parseKeywordList(text: string | undefined): string[] {
	return String(text ?? '')
		.split(/[,\n]/)
		.map((word) => word.trim())
		.filter(Boolean);
}
