/** Phone Number, run by n8n's engine. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Engine } from '../helpers/engine';
import { loadVectors } from '../helpers/vectors';

let engine: Engine;
beforeAll(async () => {
	engine = await Engine.load();
});

const node = (parameters: Record<string, unknown>) => ({ type: 'phoneNumber', name: 'Phone Number', parameters: { phoneNumber: '={{ $json.input }}', ...parameters } });

describe('Phone Number in the engine', () => {
	it('validates and formats every vector, keeping the item and its pairing', async () => {
		const vectors = loadVectors<any[]>('phones.json');
		const result = await engine.run(
			vectors.map((v) => ({ input: v.input, country: v.defaultCountry ?? '', keep: 'me' })),
			[node({ defaultCountry: '={{ $json.country }}' })],
		);
		expect(result.error()).toBeUndefined();
		const items = result.items('Phone Number');
		expect(items).toHaveLength(vectors.length);
		items.forEach((item, i) => {
			const v = vectors[i];
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.keep).toBe('me');
			const phone = item.json.phone as Record<string, unknown>;
			expect(phone.valid).toBe(v.valid);
			expect(phone.e164).toBe(v.valid ? v.e164 : null);
			if (v.type !== undefined) expect(phone.type).toBe(v.type);
			if (v.reason) expect(phone.reason).toBe(v.reason);
		});
	});

	it('gives the full description of a number', async () => {
		const result = await engine.run([{ input: '06 12 34 56 78' }], [node({ defaultCountry: 'FR' })]);
		expect(result.items('Phone Number')[0].json.phone).toEqual({
			input: '06 12 34 56 78',
			e164: '+33612345678',
			valid: true,
			possible: true,
			country: 'FR',
			countryName: 'France',
			callingCode: '33',
			type: 'MOBILE',
			lineType: 'Mobile',
			isMobile: true,
			national: '06 12 34 56 78',
			international: '+33 6 12 34 56 78',
		});
	});

	it('marks landlines as not valid when a mobile is required, into the chosen field', async () => {
		const result = await engine.run([{ input: '+33 1 23 45 67 89' }, { input: '+33 6 12 34 56 78' }], [
			node({ options: { requireMobile: true, outputField: 'check' } }),
		]);
		const [landline, mobile] = result.items('Phone Number').map((i) => i.json.check as Record<string, unknown>);
		expect(landline).toMatchObject({ valid: false, reason: 'NOT_MOBILE', type: 'FIXED_LINE' });
		expect(mobile).toMatchObject({ valid: true, type: 'MOBILE' });
	});

	it('refuses an unknown default country with a clear error', async () => {
		const result = await engine.run([{ input: '0612345678' }], [node({ defaultCountry: 'XX' })]);
		expect(result.error('Phone Number')?.message).toBe('"XX" is not a country code');
	});

	it('Continue On Fail: a bad item comes out in its place with the error, keeping its fields and its pairing', async () => {
		const result = await engine.run(
			[
				{ input: '06 12 34 56 78', country: 'FR' },
				{ input: '0612345678', country: 'XX' },
				{ input: '+44 7911 123456', country: '' },
				{ input: '07700 900124', country: 'ZZ' },
			],
			[{ ...node({ defaultCountry: '={{ $json.country }}' }), onError: 'continueRegularOutput' }],
		);
		expect(result.error()).toBeUndefined();
		const items = result.items('Phone Number');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items.map((i) => (i.json.phone as { e164?: string } | undefined)?.e164 ?? null)).toEqual(['+33612345678', null, '+447911123456', null]);
		expect(items[1].json).toEqual({
			input: '0612345678',
			country: 'XX',
			error: '"XX" is not a country code',
			errorDescription: 'Use a two-letter ISO 3166 code such as FR, US or GB.',
		});
		expect(items[3].json).toMatchObject({ input: '07700 900124', country: 'ZZ', error: '"ZZ" is not a country code' });
	});

	it('processes 100,000 items without keeping memory between runs', async () => {
		setFlagsFromString('--expose-gc');
		const gc = runInNewContext('gc') as () => void;
		const numbers = Array.from({ length: 100_000 }, (_, i) => ({ input: `06 ${String(10_000_000 + i).slice(0, 2)} ${String(i % 100).padStart(2, '0')} ${String((i * 7) % 100).padStart(2, '0')} ${String((i * 13) % 100).padStart(2, '0')}` }));
		const heap = () => {
			gc();
			gc();
			return process.memoryUsage().heapUsed;
		};
		const runOnce = async () => {
			const result = await engine.run(numbers, [node({ defaultCountry: 'FR' })]);
			const items = result.items('Phone Number');
			expect(items).toHaveLength(100_000);
			expect((items[99_999].json.phone as { valid: boolean }).valid).toBe(true);
		};
		await runOnce();
		const afterFirst = heap();
		await runOnce();
		const afterSecond = heap();
		const growthMb = (afterSecond - afterFirst) / 1024 / 1024;
		console.log(`Phone Number, 100k items: heap after run 1 ${(afterFirst / 1048576).toFixed(1)} MB, after run 2 ${(afterSecond / 1048576).toFixed(1)} MB (growth ${growthMb.toFixed(1)} MB)`);
		expect(growthMb).toBeLessThan(15);
	}, 240_000);
});
