import { describePhone, normalizePhone, stripAddressPrefix } from '../../nodes/shared/rules/phone';
import { loadVectors } from '../helpers/vectors';

const phones = loadVectors<any[]>('phones.json');

describe('describePhone', () => {
	it.each(phones.map((p) => [p.input, p.defaultCountry, p]))('%s (default %s) matches libphonenumber-js/max', (_input, _c, p) => {
		const info = describePhone(p.input, p.defaultCountry);
		expect(info.valid).toBe(p.valid);
		if (p.e164 !== undefined) expect(info.e164).toBe(p.e164);
		if (p.possible !== undefined) expect(info.possible).toBe(p.possible);
		if (p.country !== undefined) expect(info.country).toBe(p.country);
		if (p.type !== undefined) expect(info.type).toBe(p.type);
		if (p.reason !== undefined) expect(info.reason).toBe(p.reason);
		if (!p.valid) expect(info.reasonText).toEqual(expect.any(String));
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
