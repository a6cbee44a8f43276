/**
 * The campaign's small pure rules: message templates (rules/messageTemplate.ts), cost (rules/cost.ts), Sinch's
 * personalised batches, Twilio's price list reading, and the sent-ledger (campaign/sentLedger.ts) on a fake clock.
 */
import { InProcessLedger, LEDGER_TTL_MS, type SentRecord } from '../../nodes/shared/campaign/sentLedger';
import { personalised, sinchSms } from '../../nodes/shared/providers/sinch/sms';
import { readSegmentPrice } from '../../nodes/shared/providers/twilio/sms';
import { estimateCost, parsePrice, roundMoney, type PriceBook } from '../../nodes/shared/rules/cost';
import { ProviderError } from '../../nodes/shared/rules/errors';
import {
	asMessageText,
	fieldsOf,
	fieldValue,
	normaliseLanguage,
	parseTemplate,
	pickVariant,
	renderTemplate,
	type TemplatePart,
} from '../../nodes/shared/rules/messageTemplate';

describe('message templates', () => {
	it.each<[string, TemplatePart[]]>([
		['', []],
		['No placeholders.', ['No placeholders.']],
		['Hello {name}!', ['Hello ', { field: 'name' }, '!']],
		['{name}', [{ field: 'name' }]],
		['{appointment.time} at {place}', [{ field: 'appointment.time' }, ' at ', { field: 'place' }]],
		['{a.b.c}', [{ field: 'a.b.c' }]],
		['a{x}{y}b', ['a', { field: 'x' }, { field: 'y' }, 'b']],
		['{first_name} {last-name} {_id} {Name2}', [{ field: 'first_name' }, ' ', { field: 'last-name' }, ' ', { field: '_id' }, ' ', { field: 'Name2' }]],
		['{user.2nd}', [{ field: 'user.2nd' }]],
		// n8n's expression braces left in the text: one placeholder, the braces gone.
		['Hi {{name}}', ['Hi ', { field: 'name' }]],
		['{{name}}', [{ field: 'name' }]],
		['{{a.b}} and {c}', [{ field: 'a.b' }, ' and ', { field: 'c' }]],
		['{{{name}}}', ['{', { field: 'name' }, '}']],
		['{{name}', ['{', { field: 'name' }]],
		['{name}}', [{ field: 'name' }, '}']],
		// Braces that do not hold a field name are text.
		['{ ok }', ['{ ok }']],
		['{[~^|]}', ['{[~^|]}']],
		['{}', ['{}']],
		['{1abc}', ['{1abc}']],
		['{a..b}', ['{a..b}']],
		['{a.}', ['{a.}']],
		['{.a}', ['{.a}']],
		['{name', ['{name']],
		['name}', ['name}']],
		['{na me}', ['{na me}']],
		['{{ $json.name }}', ['{{ $json.name }}']],
		['Price: ${amount}', ['Price: $', { field: 'amount' }]],
		['😀 {name} 😀', ['😀 ', { field: 'name' }, ' 😀']],
	])('parseTemplate(%j)', (template, parts) => {
		expect(parseTemplate(template)).toEqual(parts);
	});

	it('fieldsOf: each field once, in order of first use', () => {
		expect(fieldsOf(parseTemplate('{b} {a} {b} {{a}} {c.d}'))).toEqual(['b', 'a', 'c.d']);
		expect(fieldsOf(['only text'])).toEqual([]);
	});

	it.each<[string, Record<string, unknown>, string, unknown]>([
		['a field', { name: 'Ada' }, 'name', 'Ada'],
		['a nested field', { a: { b: 1 } }, 'a.b', 1],
		['deeper', { a: { b: { c: false } } }, 'a.b.c', false],
		['a missing nested field', { a: { b: 1 } }, 'a.c', undefined],
		['through null', { a: null }, 'a.b', undefined],
		['through text', { a: 'text' }, 'a.length', undefined],
		['a key with dots, found whole', { 'appointment.time': '10:00' }, 'appointment.time', '10:00'],
		['nested wins over a key with dots', { a: { b: 'nested' }, 'a.b': 'whole' }, 'a.b', 'nested'],
		['a key with dots when the nested path breaks', { a: { x: 1 }, 'a.b': 'whole' }, 'a.b', 'whole'],
		['an item of a list', { list: ['x', 'y'] }, 'list.1', 'y'],
		['__proto__ is not a field', {}, '__proto__', undefined],
		['constructor is not a field', {}, 'constructor', undefined],
		['toString is not a field', { a: {} }, 'a.toString', undefined],
		['__proto__ below a field is not one', { a: { b: 1 } }, 'a.__proto__', undefined],
		['constructor.name is not a field', {}, 'constructor.name', undefined],
		['a field named constructor of the item is one (its own)', { constructor: 'Ada' }, 'constructor', 'Ada'],
		['null', { name: null }, 'name', null],
	])('fieldValue: %s', (_, item, path, expected) => {
		expect(fieldValue(item, path)).toEqual(expected);
	});

	it('fieldValue: an item parsed from JSON with a "__proto__" key reads it as data, never the prototype', () => {
		const item = JSON.parse('{"__proto__": {"polluted": "yes"}, "name": "Ada"}') as Record<string, unknown>;
		expect(fieldValue(item, '__proto__.polluted')).toBe('yes');
		expect(fieldValue({}, '__proto__.polluted')).toBeUndefined();
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it.each<[unknown, string | undefined]>([
		['text', 'text'],
		['', ''],
		[42, '42'],
		[0, '0'],
		[-1.5, '-1.5'],
		[NaN, undefined],
		[Infinity, undefined],
		[true, 'yes'],
		[false, 'no'],
		[null, undefined],
		[undefined, undefined],
		[{ a: 1 }, undefined],
		[['a'], undefined],
		[BigInt(5), undefined],
	])('asMessageText(%p) = %p', (value, expected) => {
		expect(asMessageText(value)).toBe(expected);
	});

	it.each<[string, string, Record<string, unknown>, ReturnType<typeof renderTemplate>]>([
		['filled', 'Hi {name}, at {appt.time}', { name: 'Ada', appt: { time: '10:00' } }, { ok: true, text: 'Hi Ada, at 10:00', values: { name: 'Ada', 'appt.time': '10:00' } }],
		['numbers and yes/no', '{n} items, paid: {paid}, due: {due}', { n: 3, paid: true, due: false }, { ok: true, text: '3 items, paid: yes, due: no', values: { n: '3', paid: 'yes', due: 'no' } }],
		['zero is a value', '{n}', { n: 0 }, { ok: true, text: '0', values: { n: '0' } }],
		['n8n braces', 'Hi {{name}}', { name: 'Ada' }, { ok: true, text: 'Hi Ada', values: { name: 'Ada' } }],
		['text braces stay', '{ ok } {name} {}', { name: 'Ada' }, { ok: true, text: '{ ok } Ada {}', values: { name: 'Ada' } }],
		['a field used twice', '{name} {name}', { name: 'Ada' }, { ok: true, text: 'Ada Ada', values: { name: 'Ada' } }],
		['no placeholders', 'Hello', {}, { ok: true, text: 'Hello', values: {} }],
		['spaces are a value', '[{name}]', { name: '  ' }, { ok: true, text: '[  ]', values: { name: '  ' } }],
		['missing', 'Hi {name}', {}, { ok: false, missing: ['name'], notText: [] }],
		['empty is missing', 'Hi {name}', { name: '' }, { ok: false, missing: ['name'], notText: [] }],
		['null is missing', 'Hi {name}', { name: null }, { ok: false, missing: ['name'], notText: [] }],
		['missing twice, named once', '{name} {name} {x}', {}, { ok: false, missing: ['name', 'x'], notText: [] }],
		['an object is not text', 'At {when}', { when: { h: 10 } }, { ok: false, missing: [], notText: ['when'] }],
		['a list is not text', 'At {when}', { when: ['10'] }, { ok: false, missing: [], notText: ['when'] }],
		['NaN is not text', '{n}', { n: NaN }, { ok: false, missing: [], notText: ['n'] }],
		['both', '{a} {b} {c}', { a: 'x', b: {}, c: '' }, { ok: false, missing: ['c'], notText: ['b'] }],
		['__proto__ is missing', '{__proto__}', {}, { ok: false, missing: ['__proto__'], notText: [] }],
		['constructor is missing', '{constructor}', {}, { ok: false, missing: ['constructor'], notText: [] }],
		['a key with dots', 'At {appointment.time}', { 'appointment.time': '10:00' }, { ok: true, text: 'At 10:00', values: { 'appointment.time': '10:00' } }],
	])('renderTemplate: %s', (_, template, item, expected) => {
		expect(renderTemplate(parseTemplate(template), item)).toEqual(expected);
	});

	it.each([
		['tr', 'tr'],
		['TR', 'tr'],
		['tr-TR', 'tr-tr'],
		['en_GB', 'en-gb'],
		[' pt_BR ', 'pt-br'],
		['zh_Hant_TW', 'zh-hant-tw'],
		['', ''],
	])('normaliseLanguage(%j) = %j', (tag, expected) => {
		expect(normaliseLanguage(tag)).toBe(expected);
	});

	const VARIANTS = new Map([
		['tr', 'Merhaba'],
		['en-gb', 'Hiya'],
		['en', 'Hello'],
		['pt-br', 'Olá'],
	]);

	it.each<[string | undefined, string | null, string]>([
		['tr', 'tr', 'Merhaba'],
		['tr-TR', 'tr', 'Merhaba'],
		['TR_tr', 'tr', 'Merhaba'],
		['en_GB', 'en-gb', 'Hiya'],
		['en-gb', 'en-gb', 'Hiya'],
		['en-US', 'en', 'Hello'],
		['EN', 'en', 'Hello'],
		['pt-BR', 'pt-br', 'Olá'],
		// Only pt-br: plain pt is not it.
		['pt', null, 'Default'],
		['pt-PT', null, 'Default'],
		['de', null, 'Default'],
		['', null, 'Default'],
		[undefined, null, 'Default'],
	])('pickVariant(%j) → %j', (language, chosen, value) => {
		expect(pickVariant(language, VARIANTS, 'Default')).toEqual({ language: chosen, value });
	});
});

describe('cost', () => {
	const BOOK: PriceBook = { currency: 'USD', byCountry: new Map([['US', 0.0079], ['TR', 0.05]]), perSegment: 0.01 };

	it.each<[string, number, string | undefined, PriceBook, number | undefined]>([
		['the country price', 1, 'US', BOOK, 0.0079],
		['times the segments, rounded', 3, 'US', BOOK, 0.0237],
		['a lower-case country', 2, 'tr', BOOK, 0.1],
		['a country without a price: per segment', 4, 'DE', BOOK, 0.04],
		['no country: per segment', 2, undefined, BOOK, 0.02],
		['no price at all', 2, 'DE', { currency: 'USD', byCountry: new Map([['US', 0.0079]]) }, undefined],
		['a price of 0 is a price', 5, 'FR', { currency: 'EUR', byCountry: new Map([['FR', 0]]) }, 0],
		['7 segments of 0.0079', 7, 'US', BOOK, 0.0553],
	])('estimateCost: %s', (_, segments, country, book, expected) => {
		expect(estimateCost(segments, country, book)).toBe(expected);
	});

	it.each([
		[0.1 + 0.2, 0.3],
		[0.0079 * 3, 0.0237],
		[12.3456789, 12.34568],
		[0.000004, 0],
		[0.000006, 0.00001],
		[1234.5, 1234.5],
		[0, 0],
	])('roundMoney(%p) = %p', (value, expected) => {
		expect(roundMoney(value)).toBe(expected);
	});

	it('sums of many rounded prices show no float noise', () => {
		let sum = 0;
		for (let i = 0; i < 1000; i++) sum = roundMoney(sum + (estimateCost(1, 'US', BOOK) ?? 0));
		expect(sum).toBe(7.9);
	});

	it.each<[unknown, number | undefined]>([
		['0.0079', 0.0079],
		[0.0079, 0.0079],
		['$0.0079', 0.0079],
		['€1.5', 1.5],
		['£2', 2],
		[' 3.10 ', 3.1],
		['0', 0],
		[0, 0],
		[12, 12],
		['-1', undefined],
		[-1, undefined],
		['1,5', undefined],
		['.5', undefined],
		['5.', undefined],
		['USD 1', undefined],
		['1 USD', undefined],
		['', undefined],
		['abc', undefined],
		[NaN, undefined],
		[Infinity, undefined],
		[null, undefined],
		[undefined, undefined],
		[{ price: 1 }, undefined],
		[true, undefined],
	])('parsePrice(%p) = %p', (value, expected) => {
		expect(parsePrice(value)).toBe(expected);
	});
});

describe('Sinch personalised batches', () => {
	const TO = ['+46701234567', '+46709876543'];

	it('placeholders become ${p0}, ${p1}…, one name per field, with each recipient\'s value', () => {
		const parts = parseTemplate('Hi {name}, see you at {appt.time}. Bye {name}!');
		const values = {
			'+46701234567': { name: 'Ada', 'appt.time': '10:00' },
			'+46709876543': { name: 'Bob', 'appt.time': '11:30' },
		};
		expect(personalised(parts, TO, values)).toEqual({
			text: 'Hi ${p0}, see you at ${p1}. Bye ${p0}!',
			parameters: {
				p0: { '+46701234567': 'Ada', '+46709876543': 'Bob' },
				p1: { '+46701234567': '10:00', '+46709876543': '11:30' },
			},
		});
	});

	it('names follow the order of first use, whatever the fields are called', () => {
		const parts = parseTemplate('{z}{a}{z}{m}');
		const one = { '+46701234567': { z: '1', a: '2', m: '3' } };
		expect(personalised(parts, ['+46701234567'], one)).toEqual({
			text: '${p0}${p1}${p0}${p2}',
			parameters: { p0: { '+46701234567': '1' }, p1: { '+46701234567': '2' }, p2: { '+46701234567': '3' } },
		});
	});

	it('no placeholders: the text, no parameters', () => {
		expect(personalised(parseTemplate('Sale today'), TO, {})).toEqual({ text: 'Sale today', parameters: {} });
	});

	it('only the recipients of the batch get parameters', () => {
		const values = { '+46701234567': { name: 'Ada' }, '+46709876543': { name: 'Bob' }, '+46700000000': { name: 'Cy' } };
		expect(personalised(parseTemplate('{name}'), ['+46709876543'], values).parameters).toEqual({ p0: { '+46709876543': 'Bob' } });
	});

	it.each<[string, Record<string, Record<string, string>>, string]>([
		['a recipient without values', { '+46701234567': { name: 'Ada' } }, 'No value of {name} for +46709876543: every recipient of a batch needs one. Nothing was sent'],
		['a recipient without that field', { '+46701234567': { name: 'Ada' }, '+46709876543': { other: 'x' } }, 'No value of {name} for +46709876543: every recipient of a batch needs one. Nothing was sent'],
	])('a missing value is a request error: %s', (_, values, message) => {
		let caught: unknown;
		try {
			personalised(parseTemplate('Hi {name}'), TO, values);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(ProviderError);
		const error = caught as ProviderError;
		expect(error.kind).toBe('request');
		expect(error.provider).toBe('sinch');
		expect(error.message).toBe(message);
		expect(error.retryable).toBe(false);
		expect(error.allowsFallback).toBe(false);
	});

	it('an empty value is still a value', () => {
		expect(personalised(parseTemplate('[{x}]'), ['+46701234567'], { '+46701234567': { x: '' } }).parameters).toEqual({ p0: { '+46701234567': '' } });
	});

	it.each<[string, string, Record<string, string>, boolean]>([
		['a placeholder', 'Hi {name}', { name: 'Ada' }, true],
		['plain text', 'Plain text', {}, true],
		['a dollar sign', 'Costs $5 {name}', { name: 'Ada' }, true],
		['braces that are text', '{ ok } {name}', { name: 'Ada' }, true],
		['"${field}": the dollar is text, the field ours', 'Price: ${amount}', { amount: '5' }, true],
		['"{a}${b}"', '{a}${b}', { a: '1', b: '2' }, true],
		// Text that Sinch could read as a parameter of its own.
		['"${ x }" in the text', 'Literal ${ x } and {name}', { name: 'Ada' }, false],
		['"${" in the text', '${', {}, false],
		// A value longer than a parameter may be (160 characters) would fail the whole batch.
		['a value of 160 characters', 'Hi {name}', { name: 'a'.repeat(160) }, true],
		['a value of 161 characters', 'Hi {name}', { name: 'a'.repeat(161) }, false],
		['one of two values of 161 characters', '{a} {b}', { a: 'x', b: 'b'.repeat(161) }, false],
	])('canPersonalise: %s', (_, template, values, expected) => {
		expect(sinchSms.batch?.canPersonalise(parseTemplate(template), values)).toBe(expected);
	});
});

describe('Twilio: the price of a segment from the Pricing API', () => {
	const carrier = (prices: unknown) => ({ carrier: 'X', mcc: '286', mnc: '01', prices });

	it.each<[string, Record<string, unknown> | undefined, ReturnType<typeof readSegmentPrice>]>([
		[
			'the highest mobile current price across carriers',
			{
				price_unit: 'usd',
				outbound_sms_prices: [
					carrier([{ number_type: 'mobile', base_price: '0.0500', current_price: '0.0475' }, { number_type: 'local', base_price: '0.09', current_price: '0.09' }]),
					carrier([{ number_type: 'mobile', base_price: '0.0600', current_price: '0.0590' }]),
					carrier([{ number_type: 'shortcode', current_price: '0.2' }]),
				],
			},
			{ price: 0.059, unit: 'USD' },
		],
		['"Mobile" in any case', { price_unit: 'EUR', outbound_sms_prices: [carrier([{ number_type: 'Mobile', current_price: '0.07' }, { number_type: 'local', current_price: '0.5' }])] }, { price: 0.07, unit: 'EUR' }],
		['no mobile price: the highest of any type', { price_unit: 'gbp', outbound_sms_prices: [carrier([{ number_type: 'local', current_price: '0.02' }]), carrier([{ number_type: 'shortcode', current_price: '0.03' }])] }, { price: 0.03, unit: 'GBP' }],
		['no current price: the base price', { price_unit: 'USD', outbound_sms_prices: [carrier([{ number_type: 'mobile', base_price: '0.04' }])] }, { price: 0.04, unit: 'USD' }],
		['numbers, not text', { price_unit: 'USD', outbound_sms_prices: [carrier([{ number_type: 'mobile', current_price: 0.011 }])] }, { price: 0.011, unit: 'USD' }],
		['no unit: USD', { outbound_sms_prices: [carrier([{ number_type: 'mobile', current_price: '0.01' }])] }, { price: 0.01, unit: 'USD' }],
		['a unit that is not text: USD', { price_unit: 5, outbound_sms_prices: [carrier([{ number_type: 'mobile', current_price: '0.01' }])] }, { price: 0.01, unit: 'USD' }],
		[
			'malformed entries are left out',
			{
				price_unit: 'usd',
				outbound_sms_prices: [
					null,
					'carrier',
					{ carrier: 'no prices' },
					carrier('not a list'),
					carrier([null, 'x', 7, { number_type: 'mobile', current_price: 'abc' }, { number_type: 'mobile', current_price: '-1' }, { number_type: 'mobile' }, { number_type: 'mobile', current_price: '0.033' }]),
				],
			},
			{ price: 0.033, unit: 'USD' },
		],
		['a mobile price that is malformed: the other types', { price_unit: 'usd', outbound_sms_prices: [carrier([{ number_type: 'mobile', current_price: 'n/a' }, { number_type: 'local', current_price: '0.02' }])] }, { price: 0.02, unit: 'USD' }],
		['none: undefined', { price_unit: 'usd', outbound_sms_prices: [] }, undefined],
		['only malformed: undefined', { price_unit: 'usd', outbound_sms_prices: [carrier([{ number_type: 'mobile', current_price: 'x' }])] }, undefined],
		['no list: undefined', { price_unit: 'usd' }, undefined],
		['the list is not a list: undefined', { price_unit: 'usd', outbound_sms_prices: { prices: [] } }, undefined],
		['no body: undefined', undefined, undefined],
	])('%s', (_, body, expected) => {
		expect(readSegmentPrice(body)).toEqual(expected);
	});
});

describe('sent-ledger (in this process), on a fake clock', () => {
	const RECORD: SentRecord = { outcome: 'accepted', at: '2026-06-15T10:00:00.000Z', provider: 'twilio', messageId: 'SM1', status: 'queued' };

	function ledgerAt(start = 1_000_000) {
		const clock = { t: start };
		return { ledger: new InProcessLedger(() => clock.t), clock };
	}

	// Another run's claim, unsettled: in this process never stale (its run cannot stop without the process).
	const PENDING = { claimed: false, pending: { since: expect.any(String), stale: false, leaving: true } };

	it('a recipient is claimed once; a pending claim refuses a second claimer, without a record', async () => {
		const { ledger } = ledgerAt();
		expect(await ledger.claim('spring', '+905012345678')).toEqual({ claimed: true });
		const second = await ledger.claim('spring', '+905012345678');
		expect(second.claimed).toBe(false);
		expect(second).toEqual(PENDING);
		expect(second.claimed === false && second.record).toBeUndefined();
	});

	it('settled: later claims are refused with the record', async () => {
		const { ledger } = ledgerAt();
		await ledger.claim('spring', '+905012345678');
		await ledger.settle('spring', '+905012345678', RECORD);
		expect(await ledger.claim('spring', '+905012345678')).toEqual({ claimed: false, record: RECORD });
		const unknown: SentRecord = { outcome: 'unknown', at: '2026-06-15T10:00:01.000Z' };
		await ledger.settle('spring', '+905012345678', unknown);
		expect(await ledger.claim('spring', '+905012345678')).toEqual({ claimed: false, record: unknown });
	});

	it('a release after the settle keeps the record', async () => {
		const { ledger } = ledgerAt();
		await ledger.claim('spring', '+905012345678');
		await ledger.settle('spring', '+905012345678', RECORD);
		await ledger.release('spring', '+905012345678');
		expect(await ledger.claim('spring', '+905012345678')).toEqual({ claimed: false, record: RECORD });
	});

	it('releasing a pending claim frees it for the next run', async () => {
		const { ledger } = ledgerAt();
		await ledger.claim('spring', '+905012345678');
		await ledger.release('spring', '+905012345678');
		expect(await ledger.claim('spring', '+905012345678')).toEqual({ claimed: true });
		expect(await ledger.claim('spring', '+905012345678')).toEqual(PENDING);
	});

	it('releasing what was never claimed is nothing', async () => {
		const { ledger } = ledgerAt();
		await ledger.release('spring', '+905012345678');
		expect(await ledger.claim('spring', '+905012345678')).toEqual({ claimed: true });
	});

	it('campaigns and recipients are apart', async () => {
		const { ledger } = ledgerAt();
		expect(await ledger.claim('spring', '+905012345678')).toEqual({ claimed: true });
		expect(await ledger.claim('autumn', '+905012345678')).toEqual({ claimed: true });
		expect(await ledger.claim('spring', '+905012345679')).toEqual({ claimed: true });
		expect(await ledger.claim('spring', '+905012345678')).toEqual(PENDING);
	});

	it('entries expire after LEDGER_TTL_MS (7 days), counted from the last claim or settle', async () => {
		expect(LEDGER_TTL_MS).toBe(7 * 24 * 60 * 60 * 1000);
		const { ledger, clock } = ledgerAt(0);
		await ledger.claim('spring', 'a');
		await ledger.claim('spring', 'pending');
		clock.t = 1000;
		await ledger.settle('spring', 'a', RECORD);
		clock.t = LEDGER_TTL_MS - 1;
		expect(await ledger.claim('spring', 'pending')).toEqual(PENDING);
		clock.t = LEDGER_TTL_MS;
		// The pending claim made at 0 is gone; the settle at 1000 is kept until 1000 + TTL.
		expect(await ledger.claim('spring', 'pending')).toEqual({ claimed: true });
		expect(await ledger.claim('spring', 'a')).toEqual({ claimed: false, record: RECORD });
		clock.t = LEDGER_TTL_MS + 999;
		expect(await ledger.claim('spring', 'a')).toEqual({ claimed: false, record: RECORD });
		clock.t = LEDGER_TTL_MS + 1000;
		expect(await ledger.claim('spring', 'a')).toEqual({ claimed: true });
	});

	it('a claim made again after expiry lasts its own 7 days', async () => {
		const { ledger, clock } = ledgerAt(0);
		await ledger.claim('spring', 'a');
		clock.t = LEDGER_TTL_MS;
		expect(await ledger.claim('spring', 'a')).toEqual({ claimed: true });
		clock.t = 2 * LEDGER_TTL_MS - 1;
		expect(await ledger.claim('spring', 'a')).toEqual(PENDING);
		clock.t = 2 * LEDGER_TTL_MS;
		expect(await ledger.claim('spring', 'a')).toEqual({ claimed: true });
	});
});
