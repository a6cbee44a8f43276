import { SegmentedMessage } from 'sms-segments-calculator';
import { countSegments, findBrokenCharacter, isGsm7Char, splitGraphemes } from '../../nodes/shared/rules/segments';
import { loadVectors } from '../helpers/vectors';

const { segments: vectors } = loadVectors('vectors.json');

/** GSM 03.38: the basic table (one septet each) and the extension table (an escape and the character: two). */
const GSM_BASIC = [
	...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
];
const GSM_EXTENSION = [...'\f^{}\\[~]|€'];
/** Characters that force UCS-2: accented letters outside GSM-7, typographic marks, other scripts, one BMP symbol. */
const UCS2_BMP = [...'çáíóúâêîôûãõœ’“”…–жщыДЖЯ日本語한국어ğışİŞ✓'];
/** Graphemes of two or more UTF-16 units: astral emoji, modifiers, flags, ZWJ families, variation selectors. */
const WIDE = ['😀', '👍🏽', '🇫🇷', '👨‍👩‍👧', '❤️', '𝄞'];

describe('countSegments: the shared vectors', () => {
	it('matches every vector computed with the reference calculator', () => {
		let checked = 0;
		for (const v of vectors as Array<{ text: string; encoding: string; segments: number }>) {
			const info = countSegments(v.text);
			expect({ text: v.text, encoding: info.encoding, segments: info.segments }).toEqual({ text: v.text, encoding: v.encoding, segments: v.segments });
			checked++;
		}
		expect(checked).toBe(vectors.length);
		expect(checked).toBeGreaterThanOrEqual(10);
	});
});

describe('countSegments: exact counts at every boundary', () => {
	it.each([
		['', 'GSM-7', 1, 0],
		['a', 'GSM-7', 1, 1],
		['a'.repeat(160), 'GSM-7', 1, 160],
		['a'.repeat(161), 'GSM-7', 2, 161],
		['a'.repeat(306), 'GSM-7', 2, 306],
		['a'.repeat(307), 'GSM-7', 3, 307],
		['a'.repeat(459), 'GSM-7', 3, 459],
		['a'.repeat(460), 'GSM-7', 4, 460],
		['a'.repeat(153 * 4), 'GSM-7', 4, 612],
		['a'.repeat(153 * 4 + 1), 'GSM-7', 5, 613],
		['a'.repeat(153 * 5), 'GSM-7', 5, 765],
		['a'.repeat(153 * 5 + 1), 'GSM-7', 6, 766],
		['a'.repeat(153 * 6), 'GSM-7', 6, 918],
		['a'.repeat(153 * 6 + 1), 'GSM-7', 7, 919],
		['9'.repeat(160), 'GSM-7', 1, 160],
		['à'.repeat(161), 'GSM-7', 2, 161],
		// The escape pair at the end of part 2 (septets 306 and 307) moves whole to part 3.
		['a'.repeat(304) + '€', 'GSM-7', 2, 306],
		['a'.repeat(305) + '€', 'GSM-7', 3, 307],
		['a'.repeat(305) + '€' + 'a'.repeat(151), 'GSM-7', 3, 458],
		['a'.repeat(305) + '€' + 'a'.repeat(152), 'GSM-7', 4, 459],
		['€'.repeat(80), 'GSM-7', 1, 160],
		['€'.repeat(81), 'GSM-7', 2, 162],
		['a'.repeat(158) + '€', 'GSM-7', 1, 160],
		['a'.repeat(159) + '€', 'GSM-7', 2, 161],
		['a'.repeat(152) + '€' + 'a'.repeat(6), 'GSM-7', 1, 160],
		// 161 septets: the escape pair would straddle septet 153, so it moves whole to part 2.
		['a'.repeat(152) + '€' + 'a'.repeat(7), 'GSM-7', 2, 161],
		['a'.repeat(152) + '€' + 'a'.repeat(152), 'GSM-7', 3, 306],
		['a'.repeat(151) + '€' + 'a'.repeat(153), 'GSM-7', 2, 306],
		['ç', 'UCS-2', 1, 1],
		['ç' + 'a'.repeat(69), 'UCS-2', 1, 70],
		['ç' + 'a'.repeat(70), 'UCS-2', 2, 71],
		['ç' + 'a'.repeat(133), 'UCS-2', 2, 134],
		['ç' + 'a'.repeat(134), 'UCS-2', 3, 135],
		['ç' + 'a'.repeat(200), 'UCS-2', 3, 201],
		['ç' + 'a'.repeat(201), 'UCS-2', 4, 202],
		['ç' + 'a'.repeat(67 * 6 - 1), 'UCS-2', 6, 402],
		['ç' + 'a'.repeat(67 * 6), 'UCS-2', 7, 403],
		['ç'.repeat(70), 'UCS-2', 1, 70],
		['ç'.repeat(71), 'UCS-2', 2, 71],
		['😀'.repeat(35), 'UCS-2', 1, 35],
		['😀'.repeat(36), 'UCS-2', 2, 36],
		// A surrogate pair is never split: at unit 67 it moves whole to the next part.
		['ç' + 'a'.repeat(65) + '😀' + 'a'.repeat(5), 'UCS-2', 2, 72],
		['ç' + 'a'.repeat(65) + '😀' + 'a'.repeat(67), 'UCS-2', 3, 134],
		['ç' + 'a'.repeat(64) + '😀' + 'a'.repeat(67), 'UCS-2', 2, 133],
		// The same at the end of part 2 (units 134 and 135): the pair moves whole to part 3.
		['ç' + 'a'.repeat(131) + '😀', 'UCS-2', 2, 133],
		['ç' + 'a'.repeat(132) + '😀', 'UCS-2', 3, 134],
		['😀'.repeat(33) + 'a' + '😀'.repeat(2), 'UCS-2', 2, 36],
		['😀'.repeat(67), 'UCS-2', 3, 67],
		['😀'.repeat(66), 'UCS-2', 2, 66],
		['👍🏽'.repeat(17) + 'x', 'UCS-2', 1, 18],
		['👍🏽'.repeat(18), 'UCS-2', 2, 18],
		['Ç', 'GSM-7', 1, 1],
		['\r\n'.repeat(80), 'GSM-7', 1, 160],
		['\r\n'.repeat(80) + 'a', 'GSM-7', 2, 161],
	])('%j → %s, %i segment(s), %i characters', (text, encoding, segments, characters) => {
		const info = countSegments(text);
		expect([info.encoding, info.segments, info.characters]).toEqual([encoding, segments, characters]);
		// The pinned values are the reference calculator's.
		const reference = new SegmentedMessage(text);
		expect([reference.encodingName, reference.segmentsCount, reference.numberOfCharacters]).toEqual([encoding, segments, characters]);
	});

	it('every basic GSM-7 character is one septet: 160 fit in one part, 161 need two', () => {
		expect(GSM_BASIC).toHaveLength(127); // 128 positions, one of them the escape to the extension table
		let checked = 0;
		for (const c of GSM_BASIC) {
			expect([c, isGsm7Char(c), countSegments(c.repeat(160)).encoding, countSegments(c.repeat(160)).segments]).toEqual([c, true, 'GSM-7', 1]);
			expect([c, countSegments(c.repeat(161)).segments, countSegments(c.repeat(161)).characters]).toEqual([c, 2, 161]);
			checked++;
		}
		expect(checked).toBe(127);
	});

	it('every extension character is two septets, and an escape pair is never split across parts', () => {
		expect(GSM_EXTENSION).toHaveLength(10);
		let checked = 0;
		for (const c of GSM_EXTENSION) {
			expect([c, isGsm7Char(c), countSegments(c.repeat(80)).encoding, countSegments(c.repeat(80)).segments, countSegments(c.repeat(80)).characters]).toEqual([
				c,
				true,
				'GSM-7',
				1,
				160,
			]);
			expect([c, countSegments(c.repeat(81)).segments]).toEqual([c, 2]);
			// 76 pairs fill 152 septets of part one; the 77th does not fit in the last septet.
			expect([c, countSegments(c.repeat(153)).segments]).toEqual([c, 3]);
			checked++;
		}
		expect(checked).toBe(10);
	});

	it('any other character forces UCS-2 and is named, once, in order', () => {
		let checked = 0;
		for (const c of [...UCS2_BMP, ...WIDE]) {
			const info = countSegments(`ab${c}cd${c}`);
			expect([c, isGsm7Char(c), info.encoding, info.nonGsmCharacters]).toEqual([c, false, 'UCS-2', [c]]);
			checked++;
		}
		expect(checked).toBe(UCS2_BMP.length + WIDE.length);
		expect(countSegments('Bonjour ça va 😀 ça').nonGsmCharacters).toEqual(['ç', '😀']);
		expect(countSegments('plain').nonGsmCharacters).toEqual([]);
	});

	it('counts UCS-2 characters as graphemes, and CR LF as two', () => {
		expect(splitGraphemes('a\r\nb')).toEqual(['a', '\r', '\n', 'b']);
		expect(splitGraphemes('👨‍👩‍👧e\u0301')).toEqual(['👨‍👩‍👧', 'e\u0301']);
		expect(isGsm7Char('ab')).toBe(false);
		expect(isGsm7Char('e\u0301')).toBe(false);
		expect(countSegments('👨‍👩‍👧 ok').characters).toBe(4);
	});
});

/**
 * A seeded generator (the same strings every run). Characters come from shuffled decks, so every character of
 * every table is dealt once per round of its deck (a plain random pick can miss some, and `% pool.length` after a
 * smaller range never reaches the end of a long pool). Each string's length, 0 to 1,000 characters, is drawn
 * apart from its mode, so GSM-7 strings are as long or as short as UCS-2 ones.
 */
function generator(seed: number) {
	// mulberry32: 32-bit state, exact in doubles (a textbook LCG multiplies past 2^53 and loses its low bits).
	let state = seed >>> 0;
	const random = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const produced = new Set<string>();
	const deck = (pool: string[]) => {
		let cards: string[] = [];
		return () => {
			if (cards.length === 0) {
				cards = [...pool];
				for (let i = cards.length - 1; i > 0; i--) {
					const j = Math.floor(random() * (i + 1));
					[cards[i], cards[j]] = [cards[j], cards[i]];
				}
			}
			const card = cards.pop() as string;
			produced.add(card);
			return card;
		};
	};
	const basic = deck(GSM_BASIC);
	const extension = deck(GSM_EXTENSION);
	const bmp = deck(UCS2_BMP);
	const wide = deck(WIDE);
	const modes = ['basic', 'basic+extension', 'one non-GSM', 'mostly UCS-2', 'emoji'] as const;
	// Lengths in characters around every boundary in septets or units (one to six parts), and anywhere up to 1,000.
	// (The reference calculator takes about 25 µs a character: most strings are short, a tenth go up to 1,000.)
	const boundaries = [0, 35, 67, 70, 80, 134, 153, 160, 201, 268, 306];
	function length(): number {
		const r = random();
		if (r < 0.5) return Math.max(0, boundaries[Math.floor(random() * boundaries.length)] + Math.floor(random() * 7) - 3);
		if (r < 0.9) return Math.floor(random() * 170);
		return Math.floor(random() * 1001);
	}
	function next(i: number): { text: string; mode: (typeof modes)[number]; length: number } {
		const mode = modes[i % modes.length];
		const n = length();
		const chars: string[] = [];
		for (let k = 0; k < n; k++) {
			const r = random();
			if (mode === 'basic') chars.push(basic());
			else if (mode === 'basic+extension') chars.push(r < 0.75 ? basic() : extension());
			else if (mode === 'one non-GSM') chars.push(r < 0.85 ? basic() : extension());
			else if (mode === 'mostly UCS-2') chars.push(r < 0.5 ? bmp() : r < 0.9 ? basic() : extension());
			else chars.push(r < 0.3 ? wide() : r < 0.75 ? basic() : r < 0.9 ? bmp() : extension());
		}
		// The odd character of 'one non-GSM' goes anywhere: first, last or in between.
		if (mode === 'one non-GSM' && n > 0) chars[Math.floor(random() * n)] = random() < 0.8 ? bmp() : wide();
		return { text: chars.join(''), mode, length: n };
	}
	return { next, produced };
}

describe("countSegments equals Twilio's sms-segments-calculator", () => {
	const CASES = 1500;
	// Generated when a test here runs, not when the file loads (Stryker loads every test file for every mutant).
	let cases: Array<{ text: string; mode: string; length: number }> = [];
	let produced = new Set<string>();
	beforeAll(() => {
		const g = generator(20261122);
		cases = Array.from({ length: CASES }, (_, i) => g.next(i));
		produced = g.produced;
	});

	it(`on ${CASES} generated strings of every character class, 0 to 1,000 characters long`, () => {
		const byMode = new Map<string, number>();
		const parts = new Map<number, number>();
		let compared = 0;
		for (const { text, mode } of cases) {
			const reference = new SegmentedMessage(text);
			const ours = countSegments(text);
			expect({ text, encoding: ours.encoding, segments: ours.segments, characters: ours.characters }).toEqual({
				text,
				encoding: reference.encodingName,
				segments: reference.segmentsCount,
				characters: reference.numberOfCharacters,
			});
			byMode.set(`${mode} ${ours.encoding}`, (byMode.get(`${mode} ${ours.encoding}`) ?? 0) + 1);
			parts.set(ours.segments, (parts.get(ours.segments) ?? 0) + 1);
			compared++;
		}
		expect(compared).toBe(CASES);
		// GSM-only modes never left GSM-7; the others always reached UCS-2 (except when empty).
		expect([...byMode.keys()].sort()).toEqual(['basic GSM-7', 'basic+extension GSM-7', 'emoji GSM-7', 'emoji UCS-2', 'mostly UCS-2 GSM-7', 'mostly UCS-2 UCS-2', 'one non-GSM GSM-7', 'one non-GSM UCS-2'].filter((k) => byMode.has(k)));
		for (const mode of ['basic GSM-7', 'basic+extension GSM-7', 'emoji UCS-2', 'mostly UCS-2 UCS-2', 'one non-GSM UCS-2']) expect([mode, (byMode.get(mode) ?? 0) > 250]).toEqual([mode, true]);
		// One part to at least seven, each seen several times over.
		for (let k = 1; k <= 7; k++) expect([k, (parts.get(k) ?? 0) >= 5]).toEqual([k, true]);
	});

	it('the generator dealt every character of every table, at every length from 0 to 1,000', () => {
		const pools = [GSM_BASIC, GSM_EXTENSION, UCS2_BMP, WIDE];
		const missing = pools.flat().filter((c) => !produced.has(c));
		expect(missing).toEqual([]);
		expect(produced.size).toBe(new Set(pools.flat()).size);
		expect(produced.size).toBe(127 + 10 + UCS2_BMP.length + WIDE.length);
		// The raw ingredients of every boundary: 7, 8, 9, punctuation, à, CR and LF among them.
		for (const c of [...'789.,!?à', '\r', '\n', '€', '\f']) expect([c, produced.has(c)]).toEqual([c, true]);
		// Lengths in characters, as dealt.
		const lengths = cases.map(({ length }) => length);
		expect(Math.min(...lengths)).toBe(0);
		expect(Math.max(...lengths)).toBeGreaterThanOrEqual(950);
		// Long strings in every mode: length does not follow the encoding.
		for (const mode of ['basic', 'basic+extension', 'one non-GSM', 'mostly UCS-2', 'emoji']) {
			const ofMode = cases.filter((c) => c.mode === mode).map(({ length }) => length);
			expect([mode, ofMode.length, Math.max(...ofMode) > 600, Math.min(...ofMode) < 5]).toEqual([mode, CASES / 5, true, true]);
		}
	});
});

describe('findBrokenCharacter', () => {
	it.each([
		['', 0],
		['plain text', 0],
		['😀 whole', 0],
		['a\uD83D', 2],
		['\uD83Db', 1],
		['ab\uDE00c', 3],
		['😀\uDE00', 3],
		['\uD83D\uD83D\uDE00', 1],
		['\uDBFF\uDFFF', 0],
		['\uD800\uDC00', 0],
		['\uDC00', 1],
		['\uDFFF', 1],
		['\uD7FF\uE000', 0],
		// A first half followed by a character above the second halves is still broken.
		['\uD83D\uE000', 1],
		['\uDBFF\uDBFF\uDC00', 1],
	])('%j → %i', (text, position) => {
		expect(findBrokenCharacter(text)).toBe(position);
	});
});
