import { countryName, describePhone, describeType, isCountryCode, judgePhone, lineTypeText, listCountries, normalizePhone, reasonText, stripAddressPrefix } from '../../nodes/shared/rules/phone';
import { loadVectors } from '../helpers/vectors';

const phones = loadVectors<any[]>('phones.json');

test('the phone vectors are all there', () => expect(phones).toHaveLength(19));

describe('describePhone', () => {
	it.each(phones.map((p) => [p.input, p.defaultCountry, p]))('%s (default %s) matches libphonenumber-js/max', (_input, _c, p) => {
		const info = describePhone(p.input, p.defaultCountry);
		// Every field the vector gives, exactly (each vector gives valid, and e164, possible, country, type or reason).
		const expected = Object.fromEntries(Object.entries(p).filter(([key]) => key !== 'input' && key !== 'defaultCountry'));
		const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, (info as unknown as Record<string, unknown>)[key] ?? null]));
		expect(picked).toEqual(Object.fromEntries(Object.entries(expected).map(([key, value]) => [key, value ?? null])));
		expect(Object.keys(expected).length).toBeGreaterThanOrEqual(2);
		expect(info.reasonText ?? null).toBe(p.valid ? null : reasonText(info.reason as never, info.country));
	});

	it.each([
		['06 12 34 56 78', 'FR', '+33612345678', 'MOBILE', '06 12 34 56 78', '+33 6 12 34 56 78'],
		['(212) 555-0100', 'US', '+12125550100', 'FIXED_LINE_OR_MOBILE', '(212) 555-0100', '+1 212 555 0100'],
		['+44 7911 123456', null, '+447911123456', 'MOBILE', '07911 123456', '+44 7911 123456'],
		['0044 7911 123456', 'US', '+447911123456', 'MOBILE', '07911 123456', '+44 7911 123456'],
		['+33.6.12.34.56.78', null, '+33612345678', 'MOBILE', '06 12 34 56 78', '+33 6 12 34 56 78'],
		['whatsapp:+33612345678', null, '+33612345678', 'MOBILE', '06 12 34 56 78', '+33 6 12 34 56 78'],
		['\u200B+33 6 12 34 56 78 ', 'fr', '+33612345678', 'MOBILE', '06 12 34 56 78', '+33 6 12 34 56 78'],
	])('%j (%s) → %s %s', (input, country, e164, type, national, international) => {
		const info = describePhone(input, country);
		expect(info).toMatchObject({ e164, type, national, international, valid: true, possible: true });
		expect(info.callingCode).toBe(e164.startsWith('+1') ? '1' : e164.slice(1, 3));
	});

	it.each([
		['', 'US', 'EMPTY'],
		['   ', 'US', 'EMPTY'],
		['612345678', null, 'INVALID_COUNTRY'],
		['+33 6 12', null, 'TOO_SHORT'],
		['+33 6 12 34 56 78 90 12 34', null, 'TOO_LONG'],
		['hello', 'FR', 'NOT_A_NUMBER'],
	])('%j (%s) is refused: %s', (input, country, reason) => {
		const info = describePhone(input, country);
		expect(info.valid).toBe(false);
		expect(info.reason).toBe(reason);
	});
});

describe('normalizePhone', () => {
	it('strict refuses a possible-but-invalid number; possible mode lets it through', () => {
		const strict = normalizePhone('+44 7700 900123');
		expect(strict).toMatchObject({ ok: false, reason: 'INVALID_FOR_REGION' });
		expect(normalizePhone('+44 7700 900123', { validation: 'possible' })).toMatchObject({ ok: true, e164: '+447700900123' });
	});

	it('refuses a landline where a mobile is needed, and says what it is', () => {
		const r = normalizePhone('+33 1 23 45 67 89', { requireMobile: true });
		expect(r).toMatchObject({ ok: false, reason: 'NOT_MOBILE' });
		if (!r.ok) expect(r.message).toContain('fixed line');
		expect(normalizePhone('+1 212 555 0100', { requireMobile: true })).toMatchObject({ ok: true });
	});

	it('puts the input in the message so a person can find the row', () => {
		const r = normalizePhone('12345', { defaultCountry: 'US' });
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.message).toBe('The number is too short ("12345")');
	});

	it('strips address prefixes', () => {
		expect(stripAddressPrefix(' WhatsApp:+1 ')).toBe('+1');
		expect(stripAddressPrefix('tel:+33612345678')).toBe('+33612345678');
	});
});

describe('numbers an SMS cannot reach are refused with the reason', () => {
	it.each([
		['+33 6 12 34 56 78 ext. 99', 'HAS_EXTENSION'],
		['(212) 555-0100 x12', 'HAS_EXTENSION'],
		['\u0000+33612345678', 'NOT_A_NUMBER'],
		['+336123\u00074567', 'NOT_A_NUMBER'],
	])('%j → %s', (input, reason) => {
		const verdict = normalizePhone(input, { defaultCountry: 'US' });
		expect(verdict.ok).toBe(false);
		if (!verdict.ok) expect(verdict.reason).toBe(reason);
	});

	it('still accepts a number with a tab or new line around it', () => {
		expect(normalizePhone('\t+33612345678\n')).toMatchObject({ ok: true, e164: '+33612345678' });
	});
});

describe('phone rules, exactly', () => {
	it.each([
		['EMPTY', null, 'The phone number is empty'],
		['NOT_A_NUMBER', null, 'This is not a phone number'],
		['INVALID_COUNTRY', null, 'The country could not be told: write the number with its country code (+…) or set a default country'],
		['TOO_SHORT', null, 'The number is too short'],
		['TOO_LONG', null, 'The number is too long'],
		['INVALID_LENGTH', null, 'The number has the wrong length for its country'],
		['INVALID_FOR_REGION', 'GB', 'The number is not a valid number in GB'],
		['INVALID_FOR_REGION', null, 'The number is not assigned to any country: check the digits'],
		['NOT_MOBILE', null, 'The number is not a mobile number and cannot receive SMS'],
		['HAS_EXTENSION', null, "The number has an extension, and an SMS cannot reach an extension: remove it, or use the line's own mobile number"],
	] as const)('%s (%s) reads: %s', (reason, country, text) => {
		expect(reasonText(reason, country)).toBe(text);
	});

	it('describes a refused number in full, nothing guessed', () => {
		expect(describePhone('')).toStrictEqual({
			input: '',
			e164: null,
			valid: false,
			possible: false,
			country: null,
			callingCode: null,
			type: null,
			isMobile: null,
			national: null,
			international: null,
			reason: 'EMPTY',
			reasonText: 'The phone number is empty',
		});
		expect(describePhone(undefined).input).toBe('');
		expect(describePhone(null).reason).toBe('EMPTY');
		expect(describePhone(33612345678, 'FR')).toMatchObject({ input: '33612345678' });
	});

	it('gives a possible-but-unassigned number its country, its length verdict, and no type', () => {
		expect(describePhone('+44 7700 900123')).toStrictEqual({
			input: '+44 7700 900123',
			e164: '+447700900123',
			valid: false,
			possible: true,
			country: null,
			callingCode: '44',
			type: null,
			isMobile: null,
			national: '07700 900123',
			international: '+44 7700 900123',
			reason: 'INVALID_FOR_REGION',
			reasonText: 'The number is not assigned to any country: check the digits',
		});
		const tooLong = describePhone('+33 6 12 34 56 78 9');
		expect([tooLong.reason, tooLong.valid, tooLong.possible, tooLong.e164]).toEqual(['TOO_LONG', false, false, '+336123456789']);
	});

	it('reads 00 as the international prefix only when that gives a better number', () => {
		expect(describePhone('0044 7911 123456', 'FR').e164).toBe('+447911123456');
		expect(describePhone('  0044 7911 123456').e164).toBe('+447911123456');
		expect(describePhone('06 12 34 56 78', 'FR').e164).toBe('+33612345678');
		// "00" followed by digits that make no valid international number: the national reading stays.
		expect(describePhone('0012', 'US').reason).toBe('TOO_SHORT');
	});

	it.each([
		['00 44 7911 123456', 'US', '+447911123456'],
		['00 44 7911 123456', undefined, '+447911123456'],
		['00-44-7911-123456', 'US', '+447911123456'],
		['00.44.7911.123456', undefined, '+447911123456'],
		['(00) 44 7911 123456', 'US', '+447911123456'],
		['(00)447911123456', undefined, '+447911123456'],
		['0 0 44 7911 123456', 'US', '+447911123456'],
		['00 1 212 555 0100', 'FR', '+12125550100'],
		// Not the prefix: 00 inside a number, or a national number that reads right as it is.
		['+1 212 555 0010', undefined, '+12125550010'],
		['212 555 0010', 'US', '+12125550010'],
	])('reads the 00 prefix written as %j (default %s) as the international prefix', (input, country, e164) => {
		expect(describePhone(input, country).e164).toBe(e164);
	});

	it.each([
		['00 44 7911', 'US'],
		['00', 'FR'],
		['00 ', undefined],
		['(00)', 'US'],
	])('keeps refusing %j (default %s) when the 00 reading is no better', (input, country) => {
		expect(normalizePhone(input, { defaultCountry: country }).ok).toBe(false);
	});

	it('takes the default country in any case, and ignores one that is not a country', () => {
		expect(describePhone('06 12 34 56 78', 'fr').country).toBe('FR');
		expect(describePhone('06 12 34 56 78', 'XX').reason).toBe('INVALID_COUNTRY');
		expect(describePhone('06 12 34 56 78', '').reason).toBe('INVALID_COUNTRY');
		expect([isCountryCode('FR'), isCountryCode('fr'), isCountryCode('XX')]).toEqual([true, false, false]);
		const countries = listCountries();
		expect(countries.length).toBeGreaterThan(240);
		expect(countries).toEqual([...countries].sort());
		expect(countries).toContain('TR');
	});

	it('marks only mobiles (and NANP numbers that may be one) as able to get an SMS', () => {
		expect(describePhone('+33 6 12 34 56 78').isMobile).toBe(true);
		expect(describePhone('+1 212 555 0100').isMobile).toBe(true);
		expect(describePhone('+33 1 23 45 67 89').isMobile).toBe(false);
		expect(describePhone('+33 800 12 34 56').isMobile).toBe(false);
	});

	it('strips invisible characters and every address prefix, in any case', () => {
		expect(stripAddressPrefix('\u200B\u200F\u202A\u202E\u2060\uFEFF sms:+1 ')).toBe('+1');
		expect(stripAddressPrefix('TEL: +1')).toBe('+1');
		expect(stripAddressPrefix('mailto:+1')).toBe('mailto:+1');
		expect(stripAddressPrefix('+1 whatsapp:')).toBe('+1 whatsapp:');
	});

	it.each([
		['\u0001+33612345678'],
		['+33612345678\u001f'],
		['+336\u007f12345678'],
		['+336\u000b12345678'],
		['+336\u000c12345678'],
		['+336\u000e12345678'],
	])('refuses the control character in %j', (input) => {
		expect(describePhone(input).reason).toBe('NOT_A_NUMBER');
	});

	it('judges: strict by default, possible on request, mobile when required, with the input in the message', () => {
		const landline = describePhone('+33 1 23 45 67 89');
		expect(judgePhone(landline)).toEqual({ ok: true, e164: '+33123456789', info: landline });
		expect(judgePhone(landline, { requireMobile: true })).toEqual({
			ok: false,
			reason: 'NOT_MOBILE',
			message: 'The number is not a mobile number and cannot receive SMS ("+33 1 23 45 67 89" is a fixed line number)',
			info: landline,
		});
		const unassigned = describePhone('+44 7700 900123');
		expect(judgePhone(unassigned)).toMatchObject({ ok: false, reason: 'INVALID_FOR_REGION', message: 'The number is not assigned to any country: check the digits ("+44 7700 900123")' });
		expect(judgePhone(unassigned, { validation: 'possible', requireMobile: true })).toMatchObject({ ok: true, e164: '+447700900123' });
		// Accepted but without a number to send to, or a verdict without a reason: never ok.
		expect(judgePhone({ ...unassigned, possible: true, e164: null }, { validation: 'possible' })).toMatchObject({ ok: false, reason: 'INVALID_FOR_REGION' });
		expect(judgePhone({ ...landline, valid: false, reason: undefined })).toMatchObject({ ok: false, reason: 'INVALID_FOR_REGION' });
		expect(describeType(null)).toBe('of an unknown type');
		expect(describeType('FIXED_LINE_OR_MOBILE')).toBe('a fixed line or mobile number');
	});

	it.each([
		['MOBILE', 'Mobile'],
		['FIXED_LINE', 'Landline'],
		['FIXED_LINE_OR_MOBILE', 'Landline or mobile'],
		['TOLL_FREE', 'Toll-free'],
		['PREMIUM_RATE', 'Premium rate'],
		['SHARED_COST', 'Shared cost'],
		['VOIP', 'Internet phone (VoIP)'],
		['PERSONAL_NUMBER', 'Personal number'],
		['PAGER', 'Pager'],
		['UAN', 'Company number (UAN)'],
		['VOICEMAIL', 'Voicemail'],
		[null, 'Unknown'],
		[undefined, 'Unknown'],
		['SOMETHING_NEW', 'Unknown'],
	] as const)('line type %s reads %s', (type, text) => {
		expect(lineTypeText(type as never)).toBe(text);
	});

	it('names countries in English, and nothing for what is not one', () => {
		expect([countryName('FR'), countryName('TR'), countryName(null), countryName(''), countryName('not a code')]).toEqual(['France', 'Türkiye', null, null, null]);
	});
});

describe('phone numbers, table-driven: exact description and verdict in every mode', () => {
	// input, default country → E.164, country, calling code, type, its words, valid, possible, refusal, and the verdict
	// strict / strict with a mobile required / possible-length only. Values from libphonenumber-js/max 1.13.16.
	type Row = [string, string | null, string | null, string | null, string | null, string | null, string, boolean, boolean, string | null, string, string, string];
	const ROWS: Row[] = [
		['+33 6 12 34 56 78', null, '+33612345678', 'FR', '33', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['06 12 34 56 78', 'FR', '+33612345678', 'FR', '33', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['+33 06 12 34 56 78', null, '+33612345678', 'FR', '33', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['0033612345678', null, '+33612345678', 'FR', '33', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['0033612345678', 'US', '+33612345678', 'FR', '33', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['00 1 212 555 0100', 'GB', '+12125550100', 'US', '1', 'FIXED_LINE_OR_MOBILE', 'Landline or mobile', true, true, null, 'ok', 'ok', 'ok'],
		['+1 212 555 0100', null, '+12125550100', 'US', '1', 'FIXED_LINE_OR_MOBILE', 'Landline or mobile', true, true, null, 'ok', 'ok', 'ok'],
		['+49 1512 3456789', null, '+4915123456789', 'DE', '49', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['+7 912 345 67 89', null, '+79123456789', 'RU', '7', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['+86 139 1234 5678', null, '+8613912345678', 'CN', '86', 'MOBILE', 'Mobile', true, true, null, 'ok', 'ok', 'ok'],
		['+44 20 7946 0958', null, '+442079460958', 'GB', '44', 'FIXED_LINE', 'Landline', true, true, null, 'ok', 'NOT_MOBILE', 'ok'],
		['+33 1 23 45 67 89', null, '+33123456789', 'FR', '33', 'FIXED_LINE', 'Landline', true, true, null, 'ok', 'NOT_MOBILE', 'ok'],
		['+39 06 1234 5678', null, '+390612345678', 'IT', '39', 'FIXED_LINE', 'Landline', true, true, null, 'ok', 'NOT_MOBILE', 'ok'],
		['+33 800 12 34 56', null, '+33800123456', 'FR', '33', 'TOLL_FREE', 'Toll-free', true, true, null, 'ok', 'NOT_MOBILE', 'ok'],
		['+1 800 555 0100', null, '+18005550100', 'US', '1', 'TOLL_FREE', 'Toll-free', true, true, null, 'ok', 'NOT_MOBILE', 'ok'],
		['+1 900 555 0100', null, '+19005550100', 'US', '1', 'PREMIUM_RATE', 'Premium rate', true, true, null, 'ok', 'NOT_MOBILE', 'ok'],
		['+44 56 1234 5678', null, '+445612345678', 'GB', '44', 'VOIP', 'Internet phone (VoIP)', true, true, null, 'ok', 'NOT_MOBILE', 'ok'],
		// Possible length, but not a number in use: only "possible" lets it through.
		['+44 7700 900123', null, '+447700900123', null, '44', null, 'Unknown', false, true, 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'ok'],
		['+33 7 00 00 00 00', null, '+33700000000', 'FR', '33', null, 'Unknown', false, true, 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'ok'],
		['(212) 155-0100', 'US', '+12121550100', 'US', '1', null, 'Unknown', false, true, 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'ok'],
		['+1 999 555 0100', null, '+19995550100', null, '1', null, 'Unknown', false, true, 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'INVALID_FOR_REGION', 'ok'],
		// Too short or too long: refused in every mode.
		['+33 6 12', null, '+33612', 'FR', '33', null, 'Unknown', false, false, 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT'],
		['12345', 'US', '+112345', 'US', '1', null, 'Unknown', false, false, 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT'],
		['+1 555', null, '+1555', null, '1', null, 'Unknown', false, false, 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT'],
		['0012', 'US', '+10012', 'US', '1', null, 'Unknown', false, false, 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT'],
		// "00" and too few digits, with no country: the international reading is the only one there is.
		['0033612', null, '+33612', 'FR', '33', null, 'Unknown', false, false, 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT', 'TOO_SHORT'],
		['+33 6 12 34 56 78 9', null, '+336123456789', 'FR', '33', null, 'Unknown', false, false, 'TOO_LONG', 'TOO_LONG', 'TOO_LONG', 'TOO_LONG'],
		['+33 6 12 34 56 78 90 12 34', null, '+33612345678901234', 'FR', '33', null, 'Unknown', false, false, 'TOO_LONG', 'TOO_LONG', 'TOO_LONG', 'TOO_LONG'],
		// No country to read it in, or not a number at all.
		['612345678', null, null, null, null, null, 'Unknown', false, false, 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY'],
		['+999 1234', null, null, null, null, null, 'Unknown', false, false, 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY'],
		['0012', null, null, null, null, null, 'Unknown', false, false, 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY'],
		['00 12', null, null, null, null, null, 'Unknown', false, false, 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY', 'INVALID_COUNTRY'],
		['hello', 'FR', null, null, null, null, 'Unknown', false, false, 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER'],
		['+33 6', null, null, null, null, null, 'Unknown', false, false, 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER'],
		['++33612345678', null, null, null, null, null, 'Unknown', false, false, 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER'],
		// "00" counts as the international prefix only at the start.
		['++33 6 12 00 34 56', null, null, null, null, null, 'Unknown', false, false, 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER'],
		['\u0001+33612345678', null, null, null, null, null, 'Unknown', false, false, 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER'],
		['', 'FR', null, null, null, null, 'Unknown', false, false, 'EMPTY', 'EMPTY', 'EMPTY', 'EMPTY'],
		// An extension: the number is described, and refused in every mode (an SMS cannot reach an extension).
		['+33 6 12 34 56 78 ext. 99', null, '+33612345678', 'FR', '33', 'MOBILE', 'Mobile', false, true, 'HAS_EXTENSION', 'HAS_EXTENSION', 'HAS_EXTENSION', 'HAS_EXTENSION'],
		['(212) 555-0100 x12', 'US', '+12125550100', 'US', '1', 'FIXED_LINE_OR_MOBILE', 'Landline or mobile', false, true, 'HAS_EXTENSION', 'HAS_EXTENSION', 'HAS_EXTENSION', 'HAS_EXTENSION'],
	];

	it(`describes and judges all ${ROWS.length} numbers exactly`, () => {
		let checked = 0;
		for (const [input, defaultCountry, e164, country, callingCode, type, lineType, valid, possible, reason, strict, mobile, possibleOnly] of ROWS) {
			const info = describePhone(input, defaultCountry);
			expect([input, defaultCountry, info.e164, info.country, info.callingCode, info.type, lineTypeText(info.type), info.valid, info.possible, info.reason ?? null]).toEqual([
				input, defaultCountry, e164, country, callingCode, type, lineType, valid, possible, reason,
			]);
			expect([input, info.isMobile, info.reasonText ?? null]).toEqual([input, type === null ? null : type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE', reason === null ? null : reasonText(reason as never, country)]);
			const verdicts = [
				normalizePhone(input, { defaultCountry }),
				normalizePhone(input, { defaultCountry, requireMobile: true }),
				normalizePhone(input, { defaultCountry, validation: 'possible' }),
			];
			expect([input, ...verdicts.map((v) => (v.ok ? 'ok' : v.reason))]).toEqual([input, strict, mobile, possibleOnly]);
			for (const v of verdicts) {
				if (v.ok) expect([input, v.e164, v.info]).toEqual([input, e164, info]);
				else if (v.reason === 'NOT_MOBILE') expect(v.message).toBe(`The number is not a mobile number and cannot receive SMS ("${input}" is ${describeType(info.type)})`);
				else expect(v.message).toBe(`${reasonText(v.reason, country)} ("${input}")`);
			}
			checked++;
		}
		expect(checked).toBe(40);
	});

	it('refuses every control character but tab, line feed and carriage return, wherever it is', () => {
		// libphonenumber-js reads "+33612345678<control>-" as a valid number: only our check refuses it.
		let checked = 0;
		for (const code of [...Array.from({ length: 32 }, (_, k) => k), 0x7f]) {
			const c = String.fromCharCode(code);
			const allowed = c === '\t' || c === '\n' || c === '\r';
			for (const input of [`+33612345678${c}-`, `-${c}+33612345678`]) {
				const info = describePhone(input);
				expect([code, input, info.reason ?? 'valid']).toEqual([code, input, allowed ? 'valid' : 'NOT_A_NUMBER']);
				checked++;
			}
		}
		expect(checked).toBe(66);
	});
});
