import { SegmentedMessage } from 'sms-segments-calculator';
import { countSegments } from '../../nodes/shared/rules/segments';
import { loadVectors } from '../helpers/vectors';

const { segments: vectors } = loadVectors('vectors.json');

describe('countSegments', () => {
	it.each(vectors.map((v: any) => [JSON.stringify(v.text).slice(0, 40), v]) as Array<[string, any]>)('vector %s', (_name, v: any) => {
		const info = countSegments(v.text);
		expect(info.encoding).toBe(v.encoding);
		expect(info.segments).toBe(v.segments);
	});

	it.each([
		['', 'GSM-7', 1],
		['a'.repeat(153 * 2), 'GSM-7', 2],
		['a'.repeat(152) + '€' + 'a'.repeat(6), 'GSM-7', 1], // 160 septets
		['a'.repeat(152) + '€' + 'a'.repeat(7), 'GSM-7', 2], // 161: the escape pair is not split at 153
		['a'.repeat(152) + '€' + 'a'.repeat(152), 'GSM-7', 3], // € moved to part 2 leaves part 2 one short
		['ç', 'UCS-2', 1],
		['Ç', 'GSM-7', 1],
		['👍🏽'.repeat(17) + 'x', 'UCS-2', 1],
	])('table: %j → %s, %i', (text, encoding, segments) => {
		const info = countSegments(text as string);
		expect([info.encoding, info.segments]).toEqual([encoding, segments]);
	});

	it('names the characters that forced UCS-2', () => {
		expect(countSegments('Bonjour ça va 😀 ça').nonGsmCharacters).toEqual(['ç', '😀']);
	});

	it("equals Twilio's sms-segments-calculator on 5000 random strings", () => {
		let seed = 7;
		const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
		const pools = [
			'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,!?',
			'@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡¿ÄÖÑÜ§äöñüà\n\r',
			'^{}\\[~]|€\f',
			'çáíóúâêîôûãõœ’“”…–',
			'жщыДЖЯ日本語한국어',
		];
		const emoji = ['😀', '👍🏽', '🇫🇷', '👨‍👩‍👧', '❤️', '\r\n', 'é'];
		let compared = 0;
		for (let i = 0; i < 5000; i++) {
			const mode = i % 4; // mostly-GSM strings near the boundaries, and mixed ones
			const length = [150, 160, 310, 480][i % 4] + Math.floor(random() * 30) - 15;
			let text = '';
			while (text.length < length) {
				const r = random();
				if (mode === 0 || r < 0.85) text += pools[r < 0.6 ? 0 : r < 0.8 ? 1 : 2][Math.floor(random() * 40) % pools[r < 0.6 ? 0 : r < 0.8 ? 1 : 2].length];
				else if (r < 0.93) text += pools[3 + (i % 2)][Math.floor(random() * 17) % pools[3 + (i % 2)].length];
				else text += emoji[Math.floor(random() * emoji.length)];
			}
			const reference = new SegmentedMessage(text);
			const ours = countSegments(text);
			expect({ text, encoding: ours.encoding, segments: ours.segments }).toEqual({
				text,
				encoding: reference.encodingName,
				segments: reference.segmentsCount,
			});
			compared++;
		}
		expect(compared).toBe(5000);
	});
});
