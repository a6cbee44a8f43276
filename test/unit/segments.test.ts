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
		['a'.repeat(153 * 6), 'GSM-7', 6, 918],
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
		['😀'.repeat(35), 'UCS-2', 1, 35],
		['😀'.repeat(36), 'UCS-2', 2, 36],
		// A surrogate pair is never split: at unit 67 it moves whole to the next part.
		['ç' + 'a'.repeat(65) + '😀' + 'a'.repeat(5), 'UCS-2', 2, 72],
		['ç' + 'a'.repeat(65) + '😀' + 'a'.repeat(67), 'UCS-2', 3, 134],
		['ç' + 'a'.repeat(64) + '😀' + 'a'.repeat(67), 'UCS-2', 2, 133],
		['👍🏽'.repeat(17) + 'x', 'UCS-2', 1, 18],
		['👍🏽'.repeat(18), 'UCS-2', 2, 18],
		['Ç', 'GSM-7', 1, 1],
		['\r\n'.repeat(80), 'GSM-7', 1, 160],
		['\r\n'.repeat(80) + 'a', 'GSM-7', 2, 161],
	])('%j → %s, %i segment(s), %i characters', (text, encoding, segments, characters) => {
		const info = countSegments(text);
		expect([info.encoding, info.segments, info.characters]).toEqual([encoding, segments, characters]);
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

/** A seeded generator (the same strings every run) that reaches every character class at every length. */
function generator(seed: number) {
	const random = () => {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		return seed / 0x80000000;
	};
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
	const produced = new Set<string>();
	const modes = ['basic', 'basic+extension', 'one non-GSM', 'mostly UCS-2', 'emoji'] as const;
	function next(i: number): { text: string; mode: (typeof modes)[number] } {
		const mode = modes[i % modes.length];
		// Lengths from empty to about six parts, drawn independently of the mode, with extra weight at the boundaries.
		const boundary = [0, 70, 134, 153, 160, 201, 306, 459][Math.floor(random() * 8)];
		const length = random() < 0.5 ? Math.max(0, boundary + Math.floor(random() * 7) - 3) : Math.floor(random() * 1000);
		const parts: string[] = [];
		let units = 0;
		const oddOne = Math.floor(random() * Math.max(1, length));
		while (units < length) {
			let c: string;
			const r = random();
			if (mode === 'basic') c = pick(GSM_BASIC);
			else if (mode === 'basic+extension') c = r < 0.8 ? pick(GSM_BASIC) : pick(GSM_EXTENSION);
			else if (mode === 'one non-GSM') c = units === 0 && oddOne >= 0 ? pick(UCS2_BMP) : r < 0.9 ? pick(GSM_BASIC) : pick(GSM_EXTENSION);
			else if (mode === 'mostly UCS-2') c = r < 0.5 ? pick(UCS2_BMP) : r < 0.9 ? pick(GSM_BASIC) : pick(GSM_EXTENSION);
			else c = r < 0.3 ? pick(WIDE) : r < 0.8 ? pick(GSM_BASIC) : pick(UCS2_BMP);
			produced.add(c);
			parts.push(c);
			units += c.length;
		}
		// The odd character of 'one non-GSM' goes anywhere in the text, not only first.
		if (mode === 'one non-GSM' && parts.length > 1) parts.splice(oddOne % parts.length, 0, parts.shift() as string);
		return { text: parts.join(''), mode };
	}
	return { next, produced };
}

describe("countSegments equals Twilio's sms-segments-calculator", () => {
	it('on 1,500 generated strings of every character class and length', () => {
		const { next, produced } = generator(7);
		const byMode = new Map<string, number>();
		const lengths = new Set<number>();
		let compared = 0;
		for (let i = 0; i < 1500; i++) {
			const { text, mode } = next(i);
			const reference = new SegmentedMessage(text);
			const ours = countSegments(text);
			expect({ text, encoding: ours.encoding, segments: ours.segments }).toEqual({
				text,
				encoding: reference.encodingName,
				segments: reference.segmentsCount,
			});
			byMode.set(`${mode} ${ours.encoding}`, (byMode.get(`${mode} ${ours.encoding}`) ?? 0) + 1);
			lengths.add(ours.segments);
			compared++;
		}
		expect(compared).toBe(1500);
		// The generator reached every character of every table, both encodings, and one to at least six parts.
		for (const c of [...GSM_BASIC, ...GSM_EXTENSION, ...UCS2_BMP, ...WIDE]) expect(produced.has(c) ? c : `never produced: ${JSON.stringify(c)}`).toBe(c);
		// Every mode reached its encoding (short ones may happen to be all GSM-7); GSM-only modes never left GSM-7.
		for (const reached of ['basic GSM-7', 'basic+extension GSM-7', 'emoji UCS-2', 'mostly UCS-2 UCS-2', 'one non-GSM UCS-2']) {
			expect(byMode.get(reached) ?? 0).toBeGreaterThan(100);
		}
		expect(byMode.has('basic UCS-2') || byMode.has('basic+extension UCS-2')).toBe(false);
		expect(Math.min(...lengths)).toBe(1);
		expect(Math.max(...lengths)).toBeGreaterThanOrEqual(6);
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
	])('%j → %i', (text, position) => {
		expect(findBrokenCharacter(text)).toBe(position);
	});
});
