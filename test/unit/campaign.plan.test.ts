/**
 * A campaign's plan before anything is sent (campaign/plan.ts), from plain inputs: numbers cleaned and checked,
 * duplicates and opted-out numbers dropped, the message in the recipient's language, its segments and units,
 * the recipient's zones and quiet hours at a fixed `now`, and the estimated cost.
 */
import {
	applyQuietHours,
	planRecipients,
	priceRecipients,
	type MessageVariants,
	type PlannedRecipient,
	type PlanSettings,
	type QuietRule,
	type RecipientInput,
} from '../../nodes/shared/campaign/plan';
import type { PriceBook } from '../../nodes/shared/rules/cost';

/** 10:00 UTC: 06:00 in New York, 13:00 in Istanbul, 19:00 in Tokyo. */
const NOW = new Date('2026-06-15T10:00:00Z');
/** 03:00 UTC: 23:00 (the day before) in New York, 06:00 in Istanbul, 12:00 in Tokyo. */
const NIGHT_IN_NEW_YORK = new Date('2026-06-15T03:00:00Z');

const SETTINGS: PlanSettings = {
	defaultCountry: 'US',
	validation: 'strict',
	optOut: new Set(),
	defaultZone: 'Europe/Istanbul',
	unit: 'messages',
};

const SKIP: QuietRule = { hours: { start: 21 * 60, end: 8 * 60 }, action: 'skip' };
const SCHEDULE: QuietRule = { ...SKIP, action: 'schedule' };

const HI: MessageVariants = { fallback: 'Hi {name}', byLanguage: new Map() };
const TRANSLATED: MessageVariants = {
	fallback: 'Hi {name}',
	byLanguage: new Map([
		['tr', 'Merhaba {name}'],
		['en-gb', 'Hiya {name}'],
	]),
};
const message = (fallback: string): MessageVariants => ({ fallback, byLanguage: new Map() });

const US = '+12015550123';
const US2 = '+12015550124';
const TR = '+905012345678';
const TOLL_FREE = '+18005550123';

function recipient(index: number, phone: unknown, extra: Partial<RecipientInput> = {}): RecipientInput {
	return { index, phone, optedOut: false, fields: { name: 'Ada' }, messages: HI, ...extra };
}

async function plan(inputs: RecipientInput[], settings: Partial<PlanSettings> = {}, now = NOW): Promise<PlannedRecipient[]> {
	return await planRecipients(inputs, { ...SETTINGS, ...settings }, now);
}

async function one(input: RecipientInput, settings: Partial<PlanSettings> = {}, now = NOW): Promise<PlannedRecipient> {
	return (await plan([input], settings, now))[0];
}

const summary = (p: PlannedRecipient) => [p.index, p.status, p.reason ?? null, p.reasonText ?? null];

describe('campaign plan: numbers', () => {
	it('a ready recipient, in full (no quiet hours: no zones worked out)', async () => {
		expect(await plan([recipient(0, '(201) 555-0123')])).toEqual([
			{
				index: 0,
				input: '(201) 555-0123',
				to: US,
				country: 'US',
				status: 'ready',
				language: null,
				parts: ['Hi ', { field: 'name' }],
				templateKey: 'Hi {name}',
				values: { name: 'Ada' },
				text: 'Hi Ada',
				segments: { encoding: 'GSM-7', segments: 1, characters: 6, nonGsmCharacters: [] },
				units: 1,
			},
		]);
	});

	it.each<[string, unknown, string, string]>([
		['letters', 'abc', 'abc', 'Invalid recipient: This is not a phone number ("abc")'],
		['empty', '', '', 'Invalid recipient: The phone number is empty ("")'],
		['missing', undefined, '', 'Invalid recipient: The phone number is empty ("")'],
		['null', null, '', 'Invalid recipient: The phone number is empty ("")'],
		['too short', '+1202555', '+1202555', 'Invalid recipient: The number is too short ("+1202555")'],
		['an object', { number: US }, '', 'The phone number must be text, but it is object'],
		['a list', [US], '', 'The phone number must be text, but it is a list'],
		['a yes/no', true, '', 'The phone number must be text, but it is boolean'],
		['NaN', NaN, '', 'The phone number must be text, but it is number'],
		[
			'an extension',
			'+1 201 555 0123 ext. 7',
			'+1 201 555 0123 ext. 7',
			'Invalid recipient: The number has an extension, and an SMS cannot reach an extension: remove it, or use the line\'s own mobile number ("+1 201 555 0123 ext. 7")',
		],
	])('invalid number: %s', async (_, phone, input, reasonText) => {
		expect(await one(recipient(3, phone))).toEqual({ index: 3, input, status: 'invalid', reason: 'invalidNumber', reasonText, language: null, units: 0 });
	});

	it('a number given as a number is read as its digits', async () => {
		expect(await one(recipient(0, 2015550123))).toMatchObject({ input: '2015550123', to: US, status: 'ready' });
	});

	it('the default country reads national numbers; strict or possible validation', async () => {
		expect(await one(recipient(0, '0501 234 56 78'), { defaultCountry: 'TR' })).toMatchObject({ to: TR, country: 'TR', status: 'ready' });
		// +1 555 555 0123: a possible length, but no number of any region.
		expect(await one(recipient(0, '+1 555 555 0123'))).toMatchObject({ status: 'invalid', reason: 'invalidNumber' });
		expect(await one(recipient(0, '+1 555 555 0123'), { validation: 'possible', quiet: SKIP })).toMatchObject({
			to: '+15555550123',
			status: 'ready',
			zones: { zones: ['Europe/Istanbul'], source: 'default' },
		});
	});

	it('an item whose own parameters could not be read is refused with what was wrong', async () => {
		expect(await one(recipient(4, US, { problem: { reason: 'invalidMessage', text: 'The message of this item is not text' } }))).toEqual({
			index: 4,
			input: US,
			status: 'invalid',
			reason: 'invalidMessage',
			reasonText: 'The message of this item is not text',
			language: null,
			units: 0,
		});
	});

	it('duplicates: the first is kept, later ones name it (by item number, from 1)', async () => {
		const planned = await plan([recipient(0, US), recipient(1, TR), recipient(2, '201-555-0123'), recipient(3, '+90 501 234 56 78'), recipient(4, 'abc'), recipient(5, '+1 (201) 555 0123')]);
		expect(planned.map(summary)).toEqual([
			[0, 'ready', null, null],
			[1, 'ready', null, null],
			[2, 'skipped', 'duplicate', 'Same number as item 1: sent once'],
			[3, 'skipped', 'duplicate', 'Same number as item 2: sent once'],
			[4, 'invalid', 'invalidNumber', 'Invalid recipient: This is not a phone number ("abc")'],
			[5, 'skipped', 'duplicate', 'Same number as item 1: sent once'],
		]);
		expect(planned[2]).toEqual({ index: 2, input: '201-555-0123', to: US, country: 'US', status: 'skipped', reason: 'duplicate', reasonText: 'Same number as item 1: sent once', language: null, units: 0 });
	});

	it('duplicates name the item by its own index (items filtered before the campaign)', async () => {
		expect((await plan([recipient(7, US), recipient(12, US)])).map(summary)).toEqual([
			[7, 'ready', null, null],
			[12, 'skipped', 'duplicate', 'Same number as item 8: sent once'],
		]);
	});

	it('a first item refused for its own data leaves the number to the next item', async () => {
		const planned = await plan([
			recipient(0, US, { fields: {} }),
			recipient(1, US, { messages: message('   ') }),
			recipient(2, US, { problem: { reason: 'invalidOptOut', text: 'Opted Out must be yes or no' } }),
			recipient(3, US),
			recipient(4, US),
		]);
		expect(planned.map((p) => p.reason ?? p.status)).toEqual(['missingField', 'emptyMessage', 'invalidOptOut', 'ready', 'duplicate']);
		expect(planned[4].reasonText).toBe('Same number as item 4: sent once');
	});

	it('opted out: by the list (E.164) or by the item', async () => {
		const planned = await plan([recipient(0, '201 555 0123'), recipient(1, TR, { optedOut: true }), recipient(2, '+447400123456')], { optOut: new Set([US]) });
		expect(planned.map(summary)).toEqual([
			[0, 'skipped', 'optedOut', 'The recipient is on the opt-out list'],
			[1, 'skipped', 'optedOut', 'The recipient is on the opt-out list'],
			[2, 'ready', null, null],
		]);
		expect(planned[0]).toEqual({ index: 0, input: '201 555 0123', to: US, country: 'US', status: 'skipped', reason: 'optedOut', reasonText: 'The recipient is on the opt-out list', language: null, units: 0 });
	});

	it('a later item of an opted-out number says so', async () => {
		const planned = await plan([recipient(0, US, { optedOut: true }), recipient(1, US), recipient(2, TR), recipient(3, TR, { optedOut: true })]);
		expect(planned.map(summary)).toEqual([
			[0, 'skipped', 'optedOut', 'The recipient is on the opt-out list'],
			[1, 'skipped', 'duplicate', 'Same number as item 1, which is opted out'],
			[2, 'ready', null, null],
			// Already taken by a message on its way: a duplicate, whatever this item says.
			[3, 'skipped', 'duplicate', 'Same number as item 3: sent once'],
		]);
	});

	it('gives the rest of the process a turn every 500 recipients', async () => {
		let turns = 0;
		const inputs = Array.from({ length: 1001 }, (_, i) => recipient(i, `+1201555${String(1000 + i).padStart(4, '0')}`));
		const planned = await planRecipients(inputs, SETTINGS, NOW, async () => {
			turns++;
		});
		expect(turns).toBe(2);
		expect(planned).toHaveLength(1001);
		expect(planned.map((p) => p.index)).toEqual(inputs.map((i) => i.index));
	});
});

describe('campaign plan: the message', () => {
	it.each<[string | undefined, string | null, string, string]>([
		['tr-TR', 'tr', 'Merhaba Ada', 'Merhaba {name}'],
		['tr', 'tr', 'Merhaba Ada', 'Merhaba {name}'],
		['en_GB', 'en-gb', 'Hiya Ada', 'Hiya {name}'],
		['en-US', null, 'Hi Ada', 'Hi {name}'],
		['de', null, 'Hi Ada', 'Hi {name}'],
		[undefined, null, 'Hi Ada', 'Hi {name}'],
	])('language %j → %j: %s', async (language, chosen, text, templateKey) => {
		expect(await one(recipient(0, US, { language, messages: TRANSLATED }))).toMatchObject({ status: 'ready', language: chosen, text, templateKey });
	});

	it('each item may bring its own message', async () => {
		const planned = await plan([recipient(0, US, { messages: message('A {name}') }), recipient(1, TR, { messages: message('B {name}') })]);
		expect(planned.map((p) => [p.text, p.templateKey])).toEqual([
			['A Ada', 'A {name}'],
			['B Ada', 'B {name}'],
		]);
	});

	it.each<[string, string, Record<string, unknown>, string]>([
		['a missing field', 'Hi {name}, at {time}', { name: 'Ada' }, 'The message cannot be written for this recipient: {time} has no value. Fill the field, or remove the placeholder'],
		['an empty field', 'Hi {name}', { name: '' }, 'The message cannot be written for this recipient: {name} has no value. Fill the field, or remove the placeholder'],
		['null', 'Hi {name}', { name: null }, 'The message cannot be written for this recipient: {name} has no value. Fill the field, or remove the placeholder'],
		['an object', 'At {when}', { when: { hour: 10 } }, 'The message cannot be written for this recipient: {when} is not text. Fill the field, or remove the placeholder'],
		['both, missing first', '{a} {b} {c}', { b: ['x'] }, 'The message cannot be written for this recipient: {a} has no value, {c} has no value, {b} is not text. Fill the field, or remove the placeholder'],
	])('%s', async (_, fallback, fields, reasonText) => {
		expect(await one(recipient(0, US, { fields, messages: message(fallback) }))).toEqual({
			index: 0,
			input: US,
			to: US,
			country: 'US',
			status: 'invalid',
			reason: 'missingField',
			reasonText,
			language: null,
			units: 0,
		});
	});

	it('the language is kept on a recipient whose translation cannot be written', async () => {
		expect(await one(recipient(0, US, { language: 'tr', fields: {}, messages: TRANSLATED }))).toMatchObject({ status: 'invalid', reason: 'missingField', language: 'tr' });
	});

	it.each<[string, string, Record<string, unknown>]>([
		['no text', '', {}],
		['spaces', '   ', {}],
		['a field of spaces', ' {name} ', { name: '  ' }],
		['new lines', '\n{name}\n', { name: '\t' }],
	])('an empty message: %s', async (_, fallback, fields) => {
		expect(await one(recipient(0, US, { fields, messages: message(fallback) }))).toMatchObject({
			status: 'invalid',
			reason: 'emptyMessage',
			reasonText: 'The message is empty for this recipient',
			units: 0,
		});
	});

	it.each<[string, string, Record<string, unknown>, number]>([
		['half an emoji in the message', 'Hi \uD83D {name}', { name: 'Ada' }, 4],
		['half an emoji in a field', 'Hi {name}', { name: 'A\uDE00' }, 5],
	])('a broken character: %s', async (_, fallback, fields, position) => {
		expect(await one(recipient(0, US, { fields, messages: message(fallback) }))).toMatchObject({
			status: 'invalid',
			reason: 'brokenCharacter',
			reasonText: `The message has a broken character at position ${position} (half of an emoji or symbol)`,
		});
	});

	it("a message the route's providers would refuse is refused before anything is sent", async () => {
		const check = (to: string, text: string) => (text.length > 20 ? `The message has ${text.length} characters for ${to}; at most 20` : undefined);
		const planned = await plan([recipient(0, US, { fields: { name: 'a'.repeat(30) } }), recipient(1, US), recipient(2, TR)], { check });
		expect(planned.map(summary)).toEqual([
			[0, 'invalid', 'refused', 'The message has 33 characters for +12015550123; at most 20. Nothing was sent'],
			// The refused first item left the number to this one.
			[1, 'ready', null, null],
			[2, 'ready', null, null],
		]);
	});

	it.each<[string, string, 'messages' | 'segments', string, number, number]>([
		['160 GSM characters', 'a'.repeat(160), 'segments', 'GSM-7', 1, 1],
		['161 GSM characters', 'a'.repeat(161), 'segments', 'GSM-7', 2, 2],
		['161 GSM characters, counted in messages', 'a'.repeat(161), 'messages', 'GSM-7', 2, 1],
		['307 GSM characters', 'a'.repeat(307), 'segments', 'GSM-7', 3, 3],
		['70 Turkish ğ', 'ğ'.repeat(70), 'segments', 'UCS-2', 1, 1],
		['71 Turkish ğ', 'ğ'.repeat(71), 'segments', 'UCS-2', 2, 2],
		['71 Turkish ğ, counted in messages', 'ğ'.repeat(71), 'messages', 'UCS-2', 2, 1],
		['80 GSM extension characters (€, 2 septets each)', '€'.repeat(80), 'segments', 'GSM-7', 1, 1],
		['81 GSM extension characters', '€'.repeat(81), 'segments', 'GSM-7', 2, 2],
	])('segments and units: %s', async (_, body, unit, encoding, segments, units) => {
		const planned = await one(recipient(0, US, { fields: { body }, messages: message('{body}') }), { unit });
		expect(planned.status).toBe('ready');
		expect(planned.segments).toMatchObject({ encoding, segments });
		expect(planned.units).toBe(units);
	});
});

describe('campaign plan: zones and quiet hours', () => {
	/** 16:00 UTC: noon in New York, outside quiet hours everywhere the zones below are. */
	const NOON_IN_NEW_YORK = new Date('2026-06-15T16:00:00Z');

	it.each<[string, string, string | undefined, PlannedRecipient['zones']]>([
		['from the number', US, undefined, { zones: ['America/New_York'], source: 'number' }],
		['from the item', US, 'Europe/Paris', { zones: ['Europe/Paris'], source: 'item' }],
		['from the item, trimmed', US, '  Europe/Paris ', { zones: ['Europe/Paris'], source: 'item' }],
		['an empty item zone: the number', US, '   ', { zones: ['America/New_York'], source: 'number' }],
		['a toll-free number (all of North America): the default', TOLL_FREE, undefined, { zones: ['Europe/Istanbul'], source: 'default' }],
	])('zones: %s', async (_, phone, timeZone, zones) => {
		const planned = await one(recipient(0, phone, { timeZone }), { quiet: SKIP }, NOON_IN_NEW_YORK);
		expect(planned.status).toBe('ready');
		expect(planned.zones).toEqual(zones);
	});

	it('an item zone that is none refuses that recipient alone (with quiet hours)', async () => {
		const planned = await plan([recipient(0, US, { timeZone: 'Nowhere/City' }), recipient(1, US2)], { quiet: SKIP }, NOON_IN_NEW_YORK);
		expect(planned.map(summary)).toEqual([
			[0, 'invalid', 'invalidTimeZone', '"Nowhere/City" is not a time zone: use an IANA name such as Europe/Istanbul, or leave it empty to take it from the number'],
			[1, 'ready', null, null],
		]);
	});

	it('without quiet hours the item zone is not read', async () => {
		const planned = await one(recipient(0, US, { timeZone: 'Nowhere/City' }));
		expect(planned.status).toBe('ready');
		expect(planned.zones).toBeUndefined();
	});

	it('skip: a recipient within quiet hours is skipped, with the local time and when it may be sent', async () => {
		const planned = await plan([recipient(0, US), recipient(1, US2, { timeZone: 'Asia/Tokyo' }), recipient(2, TOLL_FREE)], { quiet: SKIP }, NIGHT_IN_NEW_YORK);
		expect(planned.map(summary)).toEqual([
			[0, 'skipped', 'quietHours', 'It is 23:00 in America/New_York, within quiet hours (21:00–08:00); it may be sent from 2026-06-15T12:00:00.000Z'],
			[1, 'ready', null, null],
			[2, 'skipped', 'quietHours', 'It is 06:00 in Europe/Istanbul, within quiet hours (21:00–08:00); it may be sent from 2026-06-15T05:00:00.000Z'],
		]);
		// What was worked out is kept: the run's summary shows it.
		expect(planned[0]).toMatchObject({ to: US, text: 'Hi Ada', units: 1, zones: { zones: ['America/New_York'], source: 'number' } });
		expect(planned.map((p) => p.sendAt)).toEqual([undefined, undefined, undefined]);
	});

	it('schedule: a recipient within quiet hours is ready, for the next allowed time', async () => {
		const planned = await plan([recipient(0, US), recipient(1, US2, { timeZone: 'Asia/Tokyo' })], { quiet: SCHEDULE }, NIGHT_IN_NEW_YORK);
		expect(planned.map((p) => [p.status, p.sendAt])).toEqual([
			['ready', new Date('2026-06-15T12:00:00Z')],
			['ready', undefined],
		]);
		expect(planned[0].reason).toBeUndefined();
	});

	it('no quiet hours set: nobody is held', async () => {
		const planned = await one(recipient(0, US), {}, NIGHT_IN_NEW_YORK);
		expect(planned.status).toBe('ready');
		expect(planned.sendAt).toBeUndefined();
	});

	it('outside quiet hours: ready, no time set', async () => {
		const planned = await one(recipient(0, US), { quiet: SCHEDULE }, NOON_IN_NEW_YORK);
		expect(planned.status).toBe('ready');
		expect(planned.sendAt).toBeUndefined();
	});

	it('quiet hours within a day (12:00–14:00), at 12:30 in New York', async () => {
		const lunch: QuietRule = { hours: { start: 12 * 60, end: 14 * 60 }, action: 'skip' };
		expect(await one(recipient(0, US), { quiet: lunch }, new Date('2026-06-15T16:30:00Z'))).toMatchObject({
			status: 'skipped',
			reason: 'quietHours',
			reasonText: 'It is 12:30 in America/New_York, within quiet hours (12:00–14:00); it may be sent from 2026-06-15T18:00:00.000Z',
		});
	});

	it('schedule over a clock change: 08:00 local on the 23-hour day', async () => {
		const planned = await one(recipient(0, US), { quiet: SCHEDULE }, new Date('2026-03-08T03:00:00Z'));
		expect(planned.sendAt).toEqual(new Date('2026-03-08T12:00:00Z'));
	});

	it('zones whose allowed hours never meet: skipped even when scheduling, with no time to send', async () => {
		const ready = await one(recipient(0, US));
		ready.zones = { zones: ['America/New_York', 'Asia/Tokyo'], source: 'number' };
		const result = applyQuietHours(ready, { hours: { start: 20 * 60, end: 10 * 60 }, action: 'schedule' }, new Date('2026-06-15T15:00:00Z'));
		expect(summary(result)).toEqual([0, 'skipped', 'quietHours', 'It is 00:00 in Asia/Tokyo, within quiet hours (20:00–10:00)']);
		expect(result.sendAt).toBeUndefined();
	});

	it('applyQuietHours leaves a recipient that is not ready, or has no zones, as it is', async () => {
		const skipped = await one(recipient(0, US, { optedOut: true }));
		expect(applyQuietHours({ ...skipped, zones: { zones: ['America/New_York'], source: 'number' } }, SKIP, NIGHT_IN_NEW_YORK)).toMatchObject({ status: 'skipped', reason: 'optedOut' });
		const noZones = await one(recipient(0, US));
		expect(applyQuietHours(noZones, SKIP, NIGHT_IN_NEW_YORK)).toMatchObject({ status: 'ready' });
		expect(noZones.sendAt).toBeUndefined();
	});
});

describe('campaign plan: cost', () => {
	const BOOK: PriceBook = { currency: 'USD', byCountry: new Map([['US', 0.0079]]), perSegment: 0.05 };

	it('ready recipients get an estimate from their country and segments; others none', async () => {
		const planned = await plan([recipient(0, US, { fields: { name: 'a'.repeat(200) } }), recipient(1, TR), recipient(2, '+447400123456', { optedOut: true }), recipient(3, 'abc')]);
		priceRecipients(planned, BOOK);
		expect(planned.map((p) => [p.segments?.segments, p.estimatedCost])).toEqual([
			[2, 0.0158],
			[1, 0.05],
			[undefined, undefined],
			[undefined, undefined],
		]);
	});

	it('no price for the country and none per segment: no estimate', async () => {
		const planned = await plan([recipient(0, TR)]);
		priceRecipients(planned, { currency: 'USD', byCountry: new Map([['US', 0.0079]]) });
		expect(planned[0].estimatedCost).toBeUndefined();
		expect(planned[0].status).toBe('ready');
	});
});
