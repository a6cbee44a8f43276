/**
 * Quiet hours in the recipient's zones (rules/quietHours.ts): local wall-clock times, over midnight or within a day,
 * on days of 23 and 25 hours, at offsets of whole, half and three-quarter hours, and over several zones at once.
 * Expected instants are written in UTC, worked out from each zone's offset on that date.
 */
import { DateTime } from 'luxon';
import { formatClock, isQuietMinute, nextAllowedIn, parseClock, quietVerdict, type QuietHours } from '../../nodes/shared/rules/quietHours';

const NIGHT: QuietHours = { start: 21 * 60, end: 8 * 60 };
const LUNCH: QuietHours = { start: 12 * 60, end: 14 * 60 };

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

describe('clock times', () => {
	it.each<[string, number | undefined]>([
		['21:00', 1260],
		['8:30', 510],
		['08:30', 510],
		['0800', 480],
		['930', 570],
		[' 07:05 ', 425],
		['00:00', 0],
		['23:59', 1439],
		['2359', 1439],
		['24:00', undefined],
		['7:60', undefined],
		['12', undefined],
		['1:5', undefined],
		['21:00:00', undefined],
		['-1:00', undefined],
		['', undefined],
		['noon', undefined],
		['8.30', undefined],
	])('parseClock(%j) = %s', (text, minutes) => {
		expect(parseClock(text)).toBe(minutes);
	});

	it.each([
		[0, '00:00'],
		[5, '00:05'],
		[510, '08:30'],
		[1260, '21:00'],
		[1439, '23:59'],
	])('formatClock(%i) = %s', (minutes, text) => {
		expect(formatClock(minutes)).toBe(text);
	});

	it('every minute of the day reads back as itself', () => {
		const wrong: number[] = [];
		for (let m = 0; m < 1440; m++) if (parseClock(formatClock(m)) !== m) wrong.push(m);
		expect(wrong).toEqual([]);
	});

	it.each<[string, QuietHours, number, boolean]>([
		['night, 20:59', NIGHT, 1259, false],
		['night, 21:00 (start included)', NIGHT, 1260, true],
		['night, 23:59', NIGHT, 1439, true],
		['night, 00:00', NIGHT, 0, true],
		['night, 07:59', NIGHT, 479, true],
		['night, 08:00 (end excluded)', NIGHT, 480, false],
		['night, 13:00', NIGHT, 780, false],
		['lunch, 11:59', LUNCH, 719, false],
		['lunch, 12:00', LUNCH, 720, true],
		['lunch, 13:59', LUNCH, 839, true],
		['lunch, 14:00', LUNCH, 840, false],
		['lunch, 00:00', LUNCH, 0, false],
		['start = end: never quiet', { start: 600, end: 600 }, 600, false],
		['start = end: never quiet (other minute)', { start: 600, end: 600 }, 0, false],
	])('isQuietMinute: %s', (_, quiet, minute, expected) => {
		expect(isQuietMinute(minute, quiet)).toBe(expected);
	});
});

describe('nextAllowedIn: the first moment outside quiet hours, local wall clock', () => {
	it.each<[string, string, QuietHours, string, string]>([
		// Europe/Istanbul: +03:00 all year.
		['Istanbul 23:00 → 08:00 tomorrow', 'Europe/Istanbul', NIGHT, '2026-06-15T20:00:00Z', '2026-06-16T05:00:00.000Z'],
		['Istanbul 05:00 → 08:00 today', 'Europe/Istanbul', NIGHT, '2026-06-15T02:00:00Z', '2026-06-15T05:00:00.000Z'],
		['Istanbul 21:00 exactly → quiet', 'Europe/Istanbul', NIGHT, '2026-06-15T18:00:00Z', '2026-06-16T05:00:00.000Z'],
		['Istanbul 00:00 → 08:00 the same day', 'Europe/Istanbul', NIGHT, '2026-06-14T21:00:00Z', '2026-06-15T05:00:00.000Z'],
		['Istanbul 07:59:30 → 08:00:00', 'Europe/Istanbul', NIGHT, '2026-06-15T04:59:30Z', '2026-06-15T05:00:00.000Z'],
		['Istanbul 12:30 → lunch ends 14:00', 'Europe/Istanbul', LUNCH, '2026-06-15T09:30:00Z', '2026-06-15T11:00:00.000Z'],
		['Istanbul 13:59 → 14:00', 'Europe/Istanbul', LUNCH, '2026-06-15T10:59:00Z', '2026-06-15T11:00:00.000Z'],
		// Asia/Kolkata: +05:30.
		['Kolkata 21:30 → 08:00 tomorrow', 'Asia/Kolkata', NIGHT, '2026-01-10T16:00:00Z', '2026-01-11T02:30:00.000Z'],
		['Kolkata 02:00 → 08:00', 'Asia/Kolkata', NIGHT, '2026-01-10T20:30:00Z', '2026-01-11T02:30:00.000Z'],
		// Australia/Lord_Howe: +10:30 in winter, +11:00 in summer (a half-hour change).
		['Lord Howe winter 21:30 (+10:30)', 'Australia/Lord_Howe', NIGHT, '2026-07-01T11:00:00Z', '2026-07-01T21:30:00.000Z'],
		['Lord Howe summer 22:00 (+11)', 'Australia/Lord_Howe', NIGHT, '2026-01-15T11:00:00Z', '2026-01-15T21:00:00.000Z'],
		['Lord Howe 2026-04-05, +11 → +10:30 at 02:00', 'Australia/Lord_Howe', NIGHT, '2026-04-04T10:00:00Z', '2026-04-04T21:30:00.000Z'],
		['Lord Howe 2026-10-04, +10:30 → +11 at 02:00', 'Australia/Lord_Howe', NIGHT, '2026-10-03T10:30:00Z', '2026-10-03T21:00:00.000Z'],
		// Pacific/Chatham: +12:45 in winter, +13:45 in summer.
		['Chatham winter 21:45 (+12:45)', 'Pacific/Chatham', NIGHT, '2026-06-15T09:00:00Z', '2026-06-15T19:15:00.000Z'],
		['Chatham summer 21:45 (+13:45)', 'Pacific/Chatham', NIGHT, '2026-01-15T08:00:00Z', '2026-01-15T18:15:00.000Z'],
		['Chatham 13:00 lunch → 14:00', 'Pacific/Chatham', LUNCH, '2026-06-15T00:15:00Z', '2026-06-15T01:15:00.000Z'],
		// America/New_York: 23-hour day 2026-03-08 (EST −5 → EDT −4), 25-hour day 2026-11-01 (EDT −4 → EST −5).
		['New York 22:00 EST before the spring change → 08:00 EDT (9 h later)', 'America/New_York', NIGHT, '2026-03-08T03:00:00Z', '2026-03-08T12:00:00.000Z'],
		['New York 01:30 EST, just before 02:00 → 08:00 EDT', 'America/New_York', NIGHT, '2026-03-08T06:30:00Z', '2026-03-08T12:00:00.000Z'],
		['New York 03:30 EDT, just after the change → 08:00 EDT', 'America/New_York', NIGHT, '2026-03-08T07:30:00Z', '2026-03-08T12:00:00.000Z'],
		['New York 21:00 EDT before the autumn change → 08:00 EST (12 h later)', 'America/New_York', NIGHT, '2026-11-01T01:00:00Z', '2026-11-01T13:00:00.000Z'],
		['New York 01:30 EDT (the first 01:30) → 08:00 EST', 'America/New_York', NIGHT, '2026-11-01T05:30:00Z', '2026-11-01T13:00:00.000Z'],
		['New York 01:30 EST (the second 01:30) → 08:00 EST', 'America/New_York', NIGHT, '2026-11-01T06:30:00Z', '2026-11-01T13:00:00.000Z'],
		// Europe/Paris: 2026-03-29 (CET +1 → CEST +2), 2026-10-25 (CEST +2 → CET +1).
		['Paris 22:00 CET before the spring change → 08:00 CEST', 'Europe/Paris', NIGHT, '2026-03-28T21:00:00Z', '2026-03-29T06:00:00.000Z'],
		['Paris 22:00 CEST before the autumn change → 08:00 CET', 'Europe/Paris', NIGHT, '2026-10-24T20:00:00Z', '2026-10-25T07:00:00.000Z'],
		['Paris 02:30 CEST (the first) → 08:00 CET', 'Europe/Paris', NIGHT, '2026-10-25T00:30:00Z', '2026-10-25T07:00:00.000Z'],
	])('%s', (_, zone, quiet, at, expected) => {
		const next = nextAllowedIn(utc(at), zone, quiet);
		expect(next.toUTC().toISO()).toBe(expected);
		expect(next.setZone(zone).toFormat('HH:mm')).toBe(formatClock(quiet.end));
		// In the zone the moment was given in.
		expect(next.zoneName).toBe('UTC');
	});

	it.each<[string, string, QuietHours, string]>([
		['Istanbul 13:00, night rule', 'Europe/Istanbul', NIGHT, '2026-06-15T10:00:00Z'],
		['Istanbul 08:00 exactly, night rule', 'Europe/Istanbul', NIGHT, '2026-06-15T05:00:00Z'],
		['Istanbul 20:59:59, night rule', 'Europe/Istanbul', NIGHT, '2026-06-15T17:59:59Z'],
		['Istanbul 14:00, lunch rule', 'Europe/Istanbul', LUNCH, '2026-06-15T11:00:00Z'],
		['New York 08:00 EDT on the 23-hour day', 'America/New_York', NIGHT, '2026-03-08T12:00:00Z'],
	])('outside quiet hours it is the moment itself: %s', (_, zone, quiet, at) => {
		const when = utc(at);
		expect(nextAllowedIn(when, zone, quiet).toMillis()).toBe(when.toMillis());
	});

	it.each<[string, string, QuietHours, string, string, string]>([
		// 22:00–02:30 in New York on 2026-03-08: the clock jumps from 01:59 EST to 03:00 EDT, minute 180, outside.
		['New York, 02:30 skipped: at the jump, 03:00 EDT', 'America/New_York', { start: 22 * 60, end: 150 }, '2026-03-08T04:00:00Z', '2026-03-08T07:00:00.000Z', '03:00'],
		['Sydney 2026-10-04, 02:30 skipped: 03:00 AEDT', 'Australia/Sydney', { start: 22 * 60, end: 150 }, '2026-10-03T13:00:00Z', '2026-10-03T16:00:00.000Z', '03:00'],
		['Lord Howe 2026-10-04 (02:00 → 02:30), 02:15 skipped: 02:30 LHDT', 'Australia/Lord_Howe', { start: 22 * 60, end: 135 }, '2026-10-03T12:00:00Z', '2026-10-03T15:30:00.000Z', '02:30'],
		// 22:00–02:30 in Paris on 2026-10-25: 02:30 comes twice; quiet hours end the first time (CEST).
		['Paris, 02:30 twice, at 00:00 CEST: the first 02:30', 'Europe/Paris', { start: 22 * 60, end: 150 }, '2026-10-24T22:00:00Z', '2026-10-25T00:30:00.000Z', '02:30'],
		['Paris, at 02:10 CET (the hour again): the second 02:30', 'Europe/Paris', { start: 22 * 60, end: 150 }, '2026-10-25T01:10:00Z', '2026-10-25T01:30:00.000Z', '02:30'],
		['Sydney 2026-04-05, 02:30 twice, at 23:00 AEDT: the first 02:30', 'Australia/Sydney', { start: 22 * 60, end: 150 }, '2026-04-04T12:00:00Z', '2026-04-04T15:30:00.000Z', '02:30'],
	])('an end the clock skips or shows twice: %s', (_, zone, quiet, at, expected, localEnd) => {
		const next = nextAllowedIn(utc(at), zone, quiet);
		expect(next.toUTC().toISO()).toBe(expected);
		expect(next.setZone(zone).toFormat('HH:mm')).toBe(localEnd);
	});
});

describe('quietVerdict: several zones', () => {
	const at = (iso: string) => new Date(iso);

	it.each<[string, string, string[], QuietHours, ReturnType<typeof quietVerdict>]>([
		['not quiet', '2026-06-15T10:00:00Z', ['Europe/Istanbul'], NIGHT, { quiet: false }],
		['no zone: not quiet', '2026-06-15T22:00:00Z', [], NIGHT, { quiet: false }],
		[
			'one zone, quiet',
			'2026-06-15T20:00:00Z',
			['Europe/Istanbul'],
			NIGHT,
			{ quiet: true, zone: 'Europe/Istanbul', localTime: '23:00', nextAllowed: at('2026-06-16T05:00:00Z') },
		],
		[
			'UK mobile zones (London, Jersey, Guernsey, Isle of Man): one clock',
			'2026-06-15T21:15:00Z',
			['Europe/London', 'Europe/Jersey', 'Europe/Guernsey', 'Europe/Isle_of_Man'],
			NIGHT,
			{ quiet: true, zone: 'Europe/London', localTime: '22:15', nextAllowed: at('2026-06-16T07:00:00Z') },
		],
		[
			'New York allowed, Chicago quiet: quiet, until 08:00 in Chicago',
			'2026-06-15T12:00:00Z',
			['America/New_York', 'America/Chicago'],
			NIGHT,
			{ quiet: true, zone: 'America/Chicago', localTime: '07:00', nextAllowed: at('2026-06-15T13:00:00Z') },
		],
		[
			'New York quiet at 21:30, Chicago not yet: quiet until 08:00 in Chicago (the later end)',
			'2026-06-16T01:30:00Z',
			['America/New_York', 'America/Chicago'],
			NIGHT,
			{ quiet: true, zone: 'America/New_York', localTime: '21:30', nextAllowed: at('2026-06-16T13:00:00Z') },
		],
		[
			'Tokyo and New York (13 h apart): allowed together from 08:00 in Tokyo (19:00 in New York)',
			'2026-06-15T15:00:00Z',
			['America/New_York', 'Asia/Tokyo'],
			NIGHT,
			{ quiet: true, zone: 'Asia/Tokyo', localTime: '00:00', nextAllowed: at('2026-06-15T23:00:00Z') },
		],
		[
			'Tokyo and New York with quiet hours 20:00–10:00: their allowed hours never meet',
			'2026-06-15T15:00:00Z',
			['America/New_York', 'Asia/Tokyo'],
			{ start: 20 * 60, end: 10 * 60 },
			{ quiet: true, zone: 'Asia/Tokyo', localTime: '00:00' },
		],
		[
			'Kolkata and Chatham (+05:30, +12:45 in June): lunch in Chatham ends at 01:15 UTC, 06:45 in Kolkata',
			'2026-06-15T00:00:00Z',
			['Asia/Kolkata', 'Pacific/Chatham'],
			LUNCH,
			{ quiet: true, zone: 'Pacific/Chatham', localTime: '12:45', nextAllowed: at('2026-06-15T01:15:00Z') },
		],
		[
			'Lord Howe and Sydney in summer (both +11): one 08:00',
			'2026-01-15T12:00:00Z',
			['Australia/Lord_Howe', 'Australia/Sydney'],
			NIGHT,
			{ quiet: true, zone: 'Australia/Lord_Howe', localTime: '23:00', nextAllowed: at('2026-01-15T21:00:00Z') },
		],
		[
			'Lord Howe and Sydney in winter (half an hour apart): Sydney 08:00 at 22:00 UTC',
			'2026-07-01T12:00:00Z',
			['Australia/Lord_Howe', 'Australia/Sydney'],
			NIGHT,
			{ quiet: true, zone: 'Australia/Lord_Howe', localTime: '22:30', nextAllowed: at('2026-07-01T22:00:00Z') },
		],
		[
			'New York and Paris over both spring changes: 08:00 EDT on the 23-hour day',
			'2026-03-08T04:00:00Z',
			['America/New_York', 'Europe/Paris'],
			NIGHT,
			{ quiet: true, zone: 'America/New_York', localTime: '23:00', nextAllowed: at('2026-03-08T12:00:00Z') },
		],
		[
			'New York on the 25-hour day, 21:00 EDT: 08:00 EST',
			'2026-11-01T01:00:00Z',
			['America/New_York'],
			NIGHT,
			{ quiet: true, zone: 'America/New_York', localTime: '21:00', nextAllowed: at('2026-11-01T13:00:00Z') },
		],
	])('%s', (_, when, zones, quiet, expected) => {
		expect(quietVerdict(at(when), zones, quiet)).toEqual(expected);
	});

	it('Sydney quiet, Lord Howe not, in winter (08:15 in Lord Howe is 07:45 in Sydney)', () => {
		expect(quietVerdict(at('2026-07-01T21:45:00Z'), ['Australia/Lord_Howe', 'Australia/Sydney'], NIGHT)).toEqual({
			quiet: true,
			zone: 'Australia/Sydney',
			localTime: '07:45',
			nextAllowed: at('2026-07-01T22:00:00Z'),
		});
	});

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

	const ZONES = [
		'Europe/Istanbul',
		'America/New_York',
		'America/Chicago',
		'Asia/Kolkata',
		'Australia/Lord_Howe',
		'Australia/Sydney',
		'Pacific/Chatham',
		'Europe/Paris',
		'Europe/London',
		'Asia/Tokyo',
		'America/Sao_Paulo',
		'Asia/Kathmandu',
	];
	/** Around the 2026 clock changes, and a quiet day. */
	const DAYS = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-06-15', '2026-09-27'];
	const HOURS: QuietHours[] = [NIGHT, LUNCH, { start: 22 * 60, end: 150 }, { start: 60, end: 150 }, { start: 20 * 60, end: 10 * 60 }, { start: 23 * 60 + 45, end: 6 * 60 + 15 }];

	/** The first whole minute from `from` (whole) when no zone is quiet, searching 72 h; minute by minute. */
	function firstAllowedMinute(from: number, zones: readonly string[], quiet: QuietHours): number | undefined {
		for (let t = from; t < from + 72 * 3600_000; t += 60_000) {
			const local = zones.map((zone) => DateTime.fromMillis(t, { zone }));
			if (local.every((l) => !isQuietMinute(l.hour * 60 + l.minute, quiet))) return t;
		}
		return undefined;
	}

	it('equals a minute-by-minute search for 400 random moments, zone sets and quiet hours near clock changes', () => {
		const random = prng(20260308);
		const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
		const mismatches: string[] = [];
		let quietSeen = 0;
		let neverSeen = 0;
		for (let i = 0; i < 400; i++) {
			const day = DateTime.fromISO(pick(DAYS), { zone: 'utc' }).toMillis();
			const from = day + Math.floor(random() * 48 * 60 - 24 * 60) * 60_000;
			const count = 1 + Math.floor(random() * 3);
			const zones = [...new Set(Array.from({ length: count }, () => pick(ZONES)))];
			const quiet = pick(HOURS);
			const verdict = quietVerdict(new Date(from), zones, quiet);
			const expected = firstAllowedMinute(from, zones, quiet);
			const got = verdict.quiet ? verdict.nextAllowed?.getTime() : from;
			if (verdict.quiet) quietSeen++;
			if (expected === undefined) neverSeen++;
			if (got !== expected) {
				mismatches.push(`${new Date(from).toISOString()} ${zones.join(',')} ${formatClock(quiet.start)}–${formatClock(quiet.end)}: ${got === undefined ? '-' : new Date(got).toISOString()} ≠ ${expected === undefined ? '-' : new Date(expected).toISOString()}`);
			}
		}
		expect(mismatches).toEqual([]);
		// The draw covers quiet moments, and zone sets that never agree.
		expect(quietSeen).toBeGreaterThan(100);
		expect(neverSeen).toBeGreaterThan(3);
	});
});
