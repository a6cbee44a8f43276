import { retryOptions } from '../../nodes/shared/descriptions/retryOptions';
import { backoffDelay, nextRetryDelay, parseRetryAfter, DEFAULT_RETRY_POLICY, DEFAULT_TIMEOUT_MS } from '../../nodes/shared/rules/retry';

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

describe('backoff with full jitter', () => {
	it.each([
		[1, 1, 99],
		[2, 1, 199],
		[3, 1, 399],
		[4, 1, 799],
		[6, 1, 999],
		[3, 0, 0],
		[3, 0.5, 200],
	])('attempt %i with random %f waits %i ms', (attempt, r, expected) => {
		expect(backoffDelay(attempt, policy, () => (r === 1 ? 0.999999 : r))).toBe(expected);
	});

	it('stops after the maximum count', () => {
		expect(nextRetryDelay(3, policy, undefined, () => 0.5)).not.toBeNull();
		expect(nextRetryDelay(4, policy, undefined, () => 0.5)).toBeNull();
		expect(nextRetryDelay(1, { ...policy, maxRetries: 0 })).toBeNull();
	});

	it('waits at least Retry-After, and gives up on one longer than allowed', () => {
		expect(nextRetryDelay(1, policy, 2000, () => 0.5)).toBe(2000);
		expect(nextRetryDelay(3, policy, 10, () => 0.5)).toBe(200);
		expect(nextRetryDelay(1, policy, 6000)).toBeNull();
	});

	it('a Retry-After of exactly the longest allowed is waited; one millisecond more is not', () => {
		expect(nextRetryDelay(1, policy, 5000, () => 0)).toBe(5000);
		expect(nextRetryDelay(1, policy, 5001, () => 0)).toBeNull();
		expect(nextRetryDelay(1, policy, 0, () => 0.5)).toBe(50);
	});

	it('treats an attempt number below 1 as the first', () => {
		expect(backoffDelay(0, policy, () => 0.999999)).toBe(99);
		expect(backoffDelay(-3, policy, () => 0.999999)).toBe(99);
	});

	it('uses Math.random when no random source is given, within the ceiling', () => {
		const waits = Array.from({ length: 50 }, () => nextRetryDelay(2, policy) as number);
		expect(waits).toHaveLength(50);
		expect(waits.filter((wait) => Number.isInteger(wait) && wait >= 0 && wait < 200)).toHaveLength(50);
		// Math.random, not a constant: 50 draws are not all the same.
		expect(new Set(waits).size).toBeGreaterThan(1);
	});

	it('has these defaults, and these timeouts', () => {
		expect(DEFAULT_RETRY_POLICY).toEqual({ maxRetries: 3, baseDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 });
		expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-11-21T10:00:00Z');
	it.each([
		['2', 2000],
		['0', 0],
		['1.5', 1500],
		[['3'], 3000],
		[7, 7000],
		['Sat, 21 Nov 2026 10:00:05 GMT', 5000],
		['Sat, 21 Nov 2026 09:00:00 GMT', 0],
		[' 4 ', 4000],
		[0, 0],
		[2.5, 2500],
		[-1, undefined],
		[Number.NaN, undefined],
		[Number.POSITIVE_INFINITY, undefined],
		['-1', 0], // V8 reads it as a date long past: no wait, which is harmless
		['   ', undefined],
		[[], undefined],
		[null, undefined],
		[{}, undefined],
		['Sat, 21 Nov 2026 10:00:00 GMT', 0],
		['soon', undefined],
		// Seconds are digits, a dot and digits, nothing before or after (V8 would read "12" or "1.25" as dates).
		['12', 12_000],
		['120', 120_000],
		['1.25', 1250],
		['1.0004', 1000],
		['x2', undefined],
		['2s', undefined],
		['2 soon', undefined],
		['', undefined],
		[undefined, undefined],
	])('%j → %s', (value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});
});

describe('retry settings in the node', () => {
	it('show the same defaults the code uses', () => {
		const defaults = Object.fromEntries((retryOptions as Array<{ name: string; default: number }>).map((o) => [o.name, o.default]));
		expect(defaults).toEqual({ ...DEFAULT_RETRY_POLICY, timeoutMs: DEFAULT_TIMEOUT_MS });
	});
});
