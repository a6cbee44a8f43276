// Imported at the top, never inside a test: a module first loaded inside a test is, for Stryker, covered by that one
// test only, and its module-level tables would then count as tested by it (docs/testing.md).
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { fingerprint } from '../../nodes/shared/ledger';
import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { TWILIO_SENDER_RATES, twilioSenderKind, twilioSenderRate } from '../../nodes/shared/providers/twilio/index';
import { countryName, lineTypeText } from '../../nodes/shared/rules/phone';
import { findBrokenCharacter } from '../../nodes/shared/rules/segments';

describe('a broken character is found with its position', () => {
	it.each([
		['', 0],
		['Hello', 0],
		['Hi 😀 there', 0],
		['👩‍👩‍👧‍👦 family', 0],
		['\uD83D', 1],
		['ab\uD83D', 3],
		['ab\uD83Dc', 3],
		['ab\uDE00c', 3],
		['😀\uDE00', 3],
		['\uDE00\uD83D', 1],
		['ok 😀 then \uD83D\uD83D\uDE00', 12],
	])('%j → %s', (text, position) => {
		expect(findBrokenCharacter(text)).toBe(position);
	});
});

describe('the sent-ledger fingerprint', () => {
	it('ignores key order and undefined fields, and tells different content apart', () => {
		const at = new Date('2026-12-24T09:00:00Z');
		expect(fingerprint({ a: 1, b: [{ x: 'y', z: undefined }], at })).toBe(fingerprint({ b: [{ x: 'y' }], at: new Date(at), a: 1 }));
		expect(fingerprint({ to: '+33612345678', body: 'Hi' })).not.toBe(fingerprint({ to: '+33612345679', body: 'Hi' }));
		expect(fingerprint({ body: 'Hi' })).not.toBe(fingerprint({ body: 'Hi ' }));
		expect(fingerprint({ body: 'Hi' })).toMatch(/^[0-9a-f]{64}$/);
	});

	it('reads content as JSON does: a missing entry of a list is null, functions are left out, dates are their instant', () => {
		const at = new Date('2026-12-24T09:00:00Z');
		expect(fingerprint([1, undefined, () => 1])).toBe(fingerprint([1, null, null]));
		expect(fingerprint({ a: 1, f: () => 1 })).toBe(fingerprint({ a: 1 }));
		expect(fingerprint({ at })).toBe(fingerprint({ at: '2026-12-24T09:00:00.000Z' }));
		expect(fingerprint({ n: NaN })).toBe(fingerprint({ n: null }));
		expect(fingerprint({ '10': 1, '2': 2, b: 3 })).toBe(fingerprint({ b: 3, '2': 2, '10': 1 }));
		expect(fingerprint({ a: { c: 1, b: [at] } })).toBe(fingerprint({ a: { b: [new Date(at)], c: 1 } }));
		expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
		expect(fingerprint({ a: '1' })).not.toBe(fingerprint({ a: 1 }));
		expect(fingerprint({ 'a"': 1 })).not.toBe(fingerprint({ a: '"1' }));
		expect(fingerprint(undefined)).toBe(fingerprint(null));
	});
});

describe('Twilio sender rates, from one table', () => {
	it.each([
		['12345', 'shortCode', 100],
		['+18005550199', 'tollFree', 3],
		['+18885550100', 'tollFree', 3],
		['+15005550006', 'longCode', 1],
		['ACME', 'alphanumeric', 10],
		['+447911123456', 'international', 10],
	])('%s is a %s sending %s segments/s', (from, kind, rate) => {
		expect(twilioSenderKind(from)).toBe(kind);
		expect(twilioSenderRate(from)).toBe(rate);
	});

	it('has one rate for every kind', () => {
		expect(TWILIO_SENDER_RATES.map((r) => r.kind).sort()).toEqual(['alphanumeric', 'international', 'longCode', 'shortCode', 'tollFree']);
	});
});

describe('phone descriptions in plain words', () => {
	it.each([
		['MOBILE', 'Mobile'],
		['FIXED_LINE', 'Landline'],
		['FIXED_LINE_OR_MOBILE', 'Landline or mobile'],
		['TOLL_FREE', 'Toll-free'],
		['VOIP', 'Internet phone (VoIP)'],
		[null, 'Unknown'],
	] as const)('%s → %s', (type, text) => {
		expect(lineTypeText(type)).toBe(text);
	});

	it('names countries', () => {
		expect(countryName('FR')).toBe('France');
		expect(countryName('GB')).toBe('United Kingdom');
		expect(countryName(null)).toBeNull();
	});
});

describe('Send SMS subtitle', () => {
	it('uses the labels the registry gives', () => {
		const subtitle = new SendSms().description.subtitle as string;
		for (const provider of Object.values(PROVIDERS)) expect(subtitle).toContain(`${provider.name}: "${provider.label}"`);
	});
});
