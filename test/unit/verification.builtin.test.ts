/** Built-in codes checked against their token and the shared state: every path of a check, with a fixed clock. */
import type { IDataObject } from 'n8n-workflow';
import { cancelBuiltin, checkBuiltin, statusBuiltin } from '../../nodes/shared/verification/builtin';
import { DeliveryFailure } from '../../nodes/shared/delivery';
import { ProviderError } from '../../nodes/shared/rules/errors';
import { retryAfterText, startKey, takeStart, withinStartLimit } from '../../nodes/shared/verification/limits';
import { issueToken, renderCodeMessage } from '../../nodes/shared/rules/otp';
import { workflowState } from '../../nodes/shared/state/workflowStore';
import type { SharedState } from '../../nodes/shared/state/types';

const SECRET = 'a verification secret of more than thirty-two characters';
const TO = '+33612345678';
const CODE = '493817';
const T0 = new Date('2026-11-29T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function setup(ttlSeconds = 600) {
	const data: IDataObject = {};
	let clock = T0.getTime();
	const state = workflowState(data, () => clock);
	const { token } = issueToken({ secret: SECRET, code: CODE, to: TO, ttlSeconds, now: T0 });
	const check = (code: string, seconds = 1, extra: Partial<Parameters<typeof checkBuiltin>[0]> = {}) => {
		clock = at(seconds).getTime();
		return checkBuiltin({ secret: SECRET, token, code, to: TO, maxAttempts: 3, state, now: at(seconds), ...extra });
	};
	return { state, token, check, data };
}

describe('checkBuiltin', () => {
	it.each<[string, Array<[string, string, number | null, string | null]>]>([
		['the right code, at once', [[CODE, 'approved', 1, null]]],
		['typed with spaces and a dash', [['493 817', 'approved', 1, null], ['49-38-17', 'expired', null, 'This code was already used: a code works once. Start a new verification']]],
		[
			'what cannot be a code is denied without using up an attempt',
			[
				['', 'denied', null, 'A code has 4 to 12 letters or digits'],
				['123', 'denied', null, 'A code has 4 to 12 letters or digits'],
				['4938170000000', 'denied', null, 'A code has 4 to 12 letters or digits'],
				['49381é', 'denied', null, 'A code has 4 to 12 letters or digits'],
				['٤٩٣٨١٧', 'denied', null, 'A code has 4 to 12 letters or digits'],
				[CODE, 'approved', 1, null],
			],
		],
		[
			'wrong, wrong, right',
			[
				['000000', 'denied', 1, 'The code is not the one sent (2 attempts left)'],
				['493818', 'denied', 2, 'The code is not the one sent (1 attempt left)'],
				[CODE, 'approved', 3, null],
			],
		],
		[
			'three wrong codes use up the attempts; the right one then is refused',
			[
				['111111', 'denied', 1, 'The code is not the one sent (2 attempts left)'],
				['222222', 'denied', 2, 'The code is not the one sent (1 attempt left)'],
				['333333', 'denied', 3, 'The code is not the one sent: no attempts left'],
				[CODE, 'max_attempts_reached', 4, 'Too many wrong codes (3): the verification is closed. Start a new one'],
				[CODE, 'max_attempts_reached', 5, 'Too many wrong codes (3): the verification is closed. Start a new one'],
			],
		],
	])('%s', async (_, steps) => {
		const { check, token } = setup();
		for (const [code, status, attempts, reason] of steps) {
			const result = await check(code);
			expect(result).toEqual({
				verificationId: token,
				to: TO,
				channel: 'sms',
				status,
				valid: status === 'approved',
				attempts,
				expiresAt: at(600).toISOString(),
				reason,
				raw: {},
			});
		}
	});

	it('is expired from the expiry second on, without using up an attempt', async () => {
		const { check, state } = setup(60);
		expect(await check(CODE, 60)).toMatchObject({ status: 'expired', attempts: null, reason: 'The code has expired. Start a new verification' });
		expect(await state.attempt('x', at(600).getTime())).toBe(1);
		expect((await check(CODE, 59)).status).toBe('approved');
	});

	it('denies the right code for another number, counting the attempt', async () => {
		const { check } = setup();
		expect(await check(CODE, 1, { to: '+33612345679' })).toMatchObject({ status: 'denied', attempts: 1 });
	});

	it.each([
		['a token changed in one character', (t: string) => t.slice(0, 5) + (t[5] === 'a' ? 'b' : 'a') + t.slice(6)],
		['a token cut short', (t: string) => t.slice(0, -2)],
		['not a token at all', () => 'hello'],
		['an empty token', () => ''],
	])('%s is failed, naming the reason, and counts nothing', async (_, change) => {
		const { token, state } = setup();
		const result = await checkBuiltin({ secret: SECRET, token: change(token), code: CODE, to: TO, maxAttempts: 3, state, now: at(1) });
		expect(result).toMatchObject({ status: 'failed', valid: false, verificationId: null, attempts: null });
		expect(result.reason).toMatch(/^This is not a verification token the Send Code operation issued/);
		expect(await state.take('probe', 1, 1000, at(1).getTime())).toMatchObject({ allowed: true });
	});

	it('of two checks at once with the right code, exactly one is approved', async () => {
		const { token, data } = setup();
		// Two handles on one workflow's data, as two items of one execution see it.
		const handles: SharedState[] = [workflowState(data, () => T0.getTime()), workflowState(data, () => T0.getTime())];
		const results = await Promise.all(Array.from({ length: 10 }, (_, k) => checkBuiltin({ secret: SECRET, token, code: CODE, to: TO, maxAttempts: 20, state: handles[k % 2], now: at(1) })));
		expect(results.filter((r) => r.status === 'approved')).toHaveLength(1);
		expect(results.filter((r) => r.status === 'expired')).toHaveLength(9);
	});

	it('never holds the code in what it answers', async () => {
		const { check } = setup();
		const answers = [await check('000000'), await check(CODE), await check(CODE)];
		expect(JSON.stringify(answers)).not.toContain(CODE);
	});
});

describe('cancelBuiltin and statusBuiltin', () => {
	it('pending, then canceled: a check finds it canceled and a second cancel changes nothing', async () => {
		const { token, state, check } = setup();
		expect(await statusBuiltin({ secret: SECRET, token, state, now: at(1) })).toMatchObject({ status: 'pending', attempts: null });
		expect(await cancelBuiltin({ secret: SECRET, token, state, now: at(2) })).toMatchObject({ status: 'canceled', reason: null });
		expect(await check(CODE, 3)).toMatchObject({ status: 'canceled', reason: 'The verification was canceled. Start a new one' });
		expect(await statusBuiltin({ secret: SECRET, token, state, now: at(4) })).toMatchObject({ status: 'canceled' });
		expect(await cancelBuiltin({ secret: SECRET, token, state, now: at(5) })).toMatchObject({ status: 'canceled' });
	});

	it('an approved verification is approved in its status and cannot be canceled', async () => {
		const { token, state, check } = setup();
		await check(CODE);
		expect(await statusBuiltin({ secret: SECRET, token, state, now: at(2) })).toMatchObject({ status: 'approved', valid: true });
		expect(await cancelBuiltin({ secret: SECRET, token, state, now: at(3) })).toMatchObject({ status: 'expired', reason: 'This code was already used: a code works once. Start a new verification' });
	});

	it('expired and invalid tokens', async () => {
		const { token, state } = setup(60);
		expect(await statusBuiltin({ secret: SECRET, token, state, now: at(61) })).toMatchObject({ status: 'expired' });
		expect(await cancelBuiltin({ secret: SECRET, token, state, now: at(61) })).toMatchObject({ status: 'expired' });
		expect(await statusBuiltin({ secret: SECRET, token: 'x.y', state, now: at(1) })).toMatchObject({ status: 'failed', verificationId: null });
		expect(await cancelBuiltin({ secret: SECRET, token: 'x.y', state, now: at(1) })).toMatchObject({ status: 'failed', verificationId: null });
	});
});

describe('the limit on starts per number', () => {
	it('lets the limit through in the window, then says when the next may go; 0 turns it off', async () => {
		const state = workflowState({}, () => T0.getTime());
		const limit = { perNumber: 2, windowMinutes: 10 };
		const results = [await takeStart(state, TO, limit, T0), await takeStart(state, TO, limit, at(60)), await takeStart(state, TO, limit, at(120))];
		expect(results).toEqual([
			{ allowed: true, count: 1, retryAfterMs: 0, ticket: String(T0.getTime()) },
			{ allowed: true, count: 2, retryAfterMs: 0, ticket: String(at(60).getTime()) },
			{ allowed: false, count: 2, retryAfterMs: 480_000 },
		]);
		expect(await takeStart(state, '+33612345679', limit, at(120))).toMatchObject({ allowed: true, count: 1 });
		expect(await takeStart(state, TO, { perNumber: 0, windowMinutes: 10 }, at(120))).toEqual({ allowed: true, count: 0, retryAfterMs: 0 });
	});

	it('two periods count apart: a short one cannot trim a long one\'s history', async () => {
		const state = workflowState({}, () => T0.getTime());
		const hourly = { perNumber: 5, windowMinutes: 60 };
		const daily = { perNumber: 2, windowMinutes: 1440 };
		expect((await takeStart(state, TO, daily, T0)).allowed).toBe(true);
		expect((await takeStart(state, TO, daily, at(1))).allowed).toBe(true);
		// Hours later the hourly node counts afresh, and the daily limit still holds.
		expect((await takeStart(state, TO, hourly, at(7200))).count).toBe(1);
		expect((await takeStart(state, TO, daily, at(7201))).allowed).toBe(false);
	});

	it('a store that fails while giving a place back does not hide the provider\'s answer', async () => {
		const state = workflowState({}, () => T0.getTime());
		const failing = { ...state, release: async () => Promise.reject(new Error('Redis went away')) };
		const refusal = new ProviderError({ provider: { name: 'twilio', label: 'Twilio' }, kind: 'recipient', message: 'refused' });
		await expect(withinStartLimit(failing, TO, { perNumber: 1, windowMinutes: 10 }, T0, () => 'limited', async () => Promise.reject(refusal), () => true)).rejects.toBe(refusal);
		expect(await withinStartLimit(failing, TO, { perNumber: 5, windowMinutes: 10 }, T0, () => 'limited', async () => 'max_attempts_reached', (r) => r === 'pending')).toBe('max_attempts_reached');
	});

	it('keys a number by a digest: no number in the key', () => {
		expect(startKey(TO, 10)).toMatch(/^start:10:[A-Za-z0-9_-]{32}$/);
		expect(startKey(TO, 60)).not.toBe(startKey(TO, 10));
		expect(startKey(TO, 10)).not.toContain('612345678');
		expect(startKey(TO, 10)).not.toBe(startKey('+33612345679', 10));
	});

	it.each([
		[1, 'in 1 second'],
		[999, 'in 1 second'],
		[1001, 'in 2 seconds'],
		[89_000, 'in 89 seconds'],
		[90_000, 'in 2 minutes'],
		[3_600_000, 'in 60 minutes'],
	])('%i ms is said "%s"', (ms, text) => {
		expect(retryAfterText(ms)).toBe(text);
	});
});

describe('renderCodeMessage', () => {
	it.each<[string, string | undefined]>([
		['Your code is {code}', 'Your code is 493817'],
		['{code} is your code. Valid {minutes} min. {code}', '493817 is your code. Valid 10 min. 493817'],
		['{minutes} minutes', undefined],
		['Your code is {CODE}', undefined],
		['', undefined],
	])('%p → %p', (template, text) => {
		expect(renderCodeMessage(template, CODE, 10)).toBe(text);
	});
});

describe('withinStartLimit: a place is given back only when nothing went out', () => {
	const limit = { perNumber: 1, windowMinutes: 10 };
	const refusal = new ProviderError({ provider: { name: 'twilio', label: 'Twilio' }, kind: 'recipient', message: 'refused' });
	const timeout = new ProviderError({ provider: { name: 'twilio', label: 'Twilio' }, kind: 'ambiguous', message: 'no answer after sending' });
	it.each<[string, () => Promise<string>, (r: string) => boolean, boolean]>([
		['sent', async () => 'pending', () => true, false],
		['answered with nothing sent (too many sends)', async () => 'max_attempts_reached', (r) => r === 'pending', true],
		['refused by the provider', async () => Promise.reject(refusal), () => true, true],
		['refused, after retries and fallback', async () => Promise.reject(new DeliveryFailure(refusal, [], true)), () => true, true],
		['no answer after the request was sent: may have gone', async () => Promise.reject(timeout), () => true, false],
		['an unexpected error: may have gone', async () => Promise.reject(new Error('boom')), () => true, false],
	])('%s: the place is %s', async (_, send, sent, givenBack) => {
		const state = workflowState({}, () => T0.getTime());
		await withinStartLimit(state, TO, limit, T0, () => 'limited', send, sent).catch(() => 'threw');
		expect((await takeStart(state, TO, limit, at(1))).allowed).toBe(givenBack);
	});

	it('refused by the limit: the refusal is answered and the send never runs', async () => {
		const state = workflowState({}, () => T0.getTime());
		await takeStart(state, TO, limit, T0);
		const send = jest.fn(async () => 'pending');
		expect(await withinStartLimit(state, TO, limit, at(1), (place) => `limited at ${place.count}`, send, () => true)).toBe('limited at 1');
		expect(send).not.toHaveBeenCalled();
	});
});
