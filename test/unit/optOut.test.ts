import {
	foldKeyword,
	KEYWORD_LANGUAGES,
	KEYWORD_LISTS,
	KEYWORD_TYPES,
	matchKeyword,
	parseKeywordList,
	type KeywordType,
} from '../../nodes/shared/rules/optOut';

describe('opt-out keywords: the lists', () => {
	it('covers the eight languages of our users’ markets, each with all three kinds', () => {
		expect(KEYWORD_LANGUAGES).toEqual(['en', 'fr', 'es', 'de', 'pt', 'it', 'tr', 'nl']);
		for (const list of KEYWORD_LISTS) for (const type of KEYWORD_TYPES) expect(list.words[type].length).toBeGreaterThan(0);
	});

	it('never has one word as two kinds, in any pair of languages', () => {
		const kindOf = new Map<string, KeywordType>();
		let words = 0;
		for (const list of KEYWORD_LISTS) {
			for (const type of KEYWORD_TYPES) {
				for (const word of list.words[type]) {
					const folded = foldKeyword(word);
					expect([word, kindOf.get(folded) ?? type]).toEqual([word, type]);
					kindOf.set(folded, type);
					words++;
				}
			}
		}
		expect(words).toBe(74);
	});

	it('keeps YES a message (approvals ask for it), not an opt-in', () => {
		expect(matchKeyword('YES')).toBeNull();
		expect(matchKeyword('yes')).toBeNull();
	});
});

describe('matchKeyword', () => {
	it.each([
		['STOP', 'optOut', 'STOP', ['en', 'fr', 'de', 'it', 'nl']],
		['stop', 'optOut', 'STOP', ['en', 'fr', 'de', 'it', 'nl']],
		['  Stop.  ', 'optOut', 'STOP', ['en', 'fr', 'de', 'it', 'nl']],
		['"stop!"', 'optOut', 'STOP', ['en', 'fr', 'de', 'it', 'nl']],
		['StopAll', 'optOut', 'STOPALL', ['en']],
		['unsubscribe', 'optOut', 'UNSUBSCRIBE', ['en']],
		['Arrêt', 'optOut', 'ARRÊT', ['fr']],
		['arret', 'optOut', 'ARRÊT', ['fr']],
		['DESABONNER', 'optOut', 'DÉSABONNER', ['fr']],
		['baja', 'optOut', 'BAJA', ['es']],
		['Cancelar', 'optOut', 'CANCELAR', ['es', 'pt']],
		['stopp', 'optOut', 'STOPP', ['de']],
		['kündigen', 'optOut', 'KÜNDIGEN', ['de']],
		['KUNDIGEN', 'optOut', 'KÜNDIGEN', ['de']],
		['sair', 'optOut', 'SAIR', ['pt']],
		['basta', 'optOut', 'BASTA', ['it']],
		['RET', 'optOut', 'RET', ['tr']],
		['İPTAL', 'optOut', 'İPTAL', ['tr']],
		['iptal', 'optOut', 'İPTAL', ['tr']],
		['ıptal', 'optOut', 'İPTAL', ['tr']],
		['afmelden', 'optOut', 'AFMELDEN', ['nl']],
		['start', 'optIn', 'START', ['en', 'de']],
		['UNSTOP', 'optIn', 'UNSTOP', ['en']],
		['démarrer', 'optIn', 'DÉMARRER', ['fr']],
		['Başla', 'optIn', 'BAŞLA', ['tr']],
		['basla', 'optIn', 'BAŞLA', ['tr']],
		['aanmelden', 'optIn', 'AANMELDEN', ['nl']],
		['help', 'help', 'HELP', ['en']],
		['Info?', 'help', 'INFO', ['en']],
		['aide', 'help', 'AIDE', ['fr']],
		['ayuda', 'help', 'AYUDA', ['es']],
		['HILFE', 'help', 'HILFE', ['de']],
		['ajuda', 'help', 'AJUDA', ['pt']],
		['aiuto', 'help', 'AIUTO', ['it']],
		['yardım', 'help', 'YARDIM', ['tr']],
		['hulp', 'help', 'HULP', ['nl']],
	] as const)('%j is %s %s in %j', (text, type, word, lists) => {
		expect(matchKeyword(text)).toEqual({ type, word, lists });
	});

	it.each([
		'please stop texting me',
		'STOP STOP',
		'stop it',
		'stopped',
		'nonstop',
		'',
		'   ',
		'👍',
		'.',
		'YES',
		'C',
		'Confirm',
	])('%j is not a keyword', (text) => {
		expect(matchKeyword(text)).toBeNull();
	});

	it('counts only the chosen languages', () => {
		expect(matchKeyword('baja', { languages: ['en'] })).toBeNull();
		expect(matchKeyword('STOP', { languages: ['nl', 'fr'] })).toEqual({ type: 'optOut', word: 'STOP', lists: ['fr', 'nl'] });
		expect(matchKeyword('STOP', { languages: [] })).toBeNull();
	});

	it('adds the user’s own words, folded the same way, and says they are custom', () => {
		const custom = { optOut: [' Désinscris-moi '], optIn: ['Join'], help: ['Ajutor'] };
		expect(matchKeyword('desinscris-moi', { custom })).toEqual({ type: 'optOut', word: 'Désinscris-moi', lists: ['custom'] });
		expect(matchKeyword('JOIN!', { custom })).toEqual({ type: 'optIn', word: 'Join', lists: ['custom'] });
		expect(matchKeyword('ajutor', { custom })).toEqual({ type: 'help', word: 'Ajutor', lists: ['custom'] });
		expect(matchKeyword('stop', { custom: { optOut: ['Stop'] } })).toEqual({ type: 'optOut', word: 'STOP', lists: ['en', 'fr', 'de', 'it', 'nl', 'custom'] });
		expect(matchKeyword('stop', { languages: [], custom: { optOut: ['Stop'] } })).toEqual({ type: 'optOut', word: 'Stop', lists: ['custom'] });
	});

	it('matches a single word only, even against the user’s own words written with spaces, and never an empty message', () => {
		const custom = { optOut: ['stop all', ''], optIn: [' '], help: ['help me'] };
		for (const text of ['stop all', 'STOP  ALL', 'help me', '', ' ', '!!!']) expect([text, matchKeyword(text, { custom })]).toEqual([text, null]);
		expect(matchKeyword(undefined as unknown as string)).toBeNull();
		expect(matchKeyword('stop', { custom })).toMatchObject({ type: 'optOut', word: 'STOP' });
	});

	it('lets opt-out win when the user lists a word under two kinds', () => {
		expect(matchKeyword('pause', { custom: { optIn: ['pause'], optOut: ['pause'] } })?.type).toBe('optOut');
		expect(matchKeyword('pause', { custom: { help: ['pause'], optIn: ['pause'] } })?.type).toBe('optIn');
	});
});

describe('foldKeyword and parseKeywordList', () => {
	it.each([
		['  Arrêt! ', 'ARRET'],
		['İptal', 'IPTAL'],
		['ıptal', 'IPTAL'],
		['Ş', 'S'],
		['¡Baja!', 'BAJA'],
		['a   b', 'A B'],
		['a\tb\n', 'A B'],
		['…stop…', 'STOP'],
		['€stop€', 'STOP'],
		['ﬁn', 'FIN'],
	])('%j folds to %j', (text, folded) => {
		expect(foldKeyword(text)).toBe(folded);
	});

	it('splits on commas and new lines and drops blanks', () => {
		expect(parseKeywordList(' STOP, arrêt ,\n\nbaja,, ')).toEqual(['STOP', 'arrêt', 'baja']);
		expect(parseKeywordList(undefined)).toEqual([]);
		expect(parseKeywordList('')).toEqual([]);
	});
});
