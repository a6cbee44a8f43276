import { deliver, DeliveryFailure, type DeliveryOptions } from '../../nodes/shared/delivery';
import { ProviderError, type FailureKind, type ProviderRef } from '../../nodes/shared/rules/errors';
import type { RetryPolicy } from '../../nodes/shared/rules/retry';

const TWILIO: ProviderRef = { name: 'twilio', label: 'Twilio' };
const SINCH: ProviderRef = { name: 'sinch', label: 'Sinch' };
const SNS: ProviderRef = { name: 'sns', label: 'AWS SNS' };

const POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

const fail = (provider: ProviderRef, kind: FailureKind, extra: { code?: string; retryAfterMs?: number } = {}) =>
	new ProviderError({ provider, kind, message: `${provider.label} ${kind}`, ...extra });

/**
 * A send that answers from a script per provider: each entry is what the next attempt at that provider does.
 * Records the calls and the waits.
 */
function scripted(script: Record<string, Array<ProviderError | Error | string | 'ok'>>) {
	const calls: string[] = [];
	const waits: number[] = [];
	const send = async (provider: ProviderRef) => {
		calls.push(provider.name);
		const next = script[provider.name]?.shift();
		if (next === undefined) throw new Error(`unexpected call to ${provider.name}`);
		if (next === 'ok') return `sent by ${provider.name}`;
		if (typeof next === 'string') throw next; // a thrown non-Error
		throw next;
	};
	const options: DeliveryOptions = {
		policy: POLICY,
		sleep: async (ms) => {
			waits.push(ms);
		},
		random: () => 0.5,
	};
	return { calls, waits, send, options };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryFailure> {
	const caught = await promise.then(
		() => undefined,
		(error: unknown) => error,
	);
	expect(caught).toBeInstanceOf(DeliveryFailure);
	return caught as DeliveryFailure;
}

describe('deliver: retries and fallback', () => {
	it('the first provider sends: one attempt, no fallback, nothing waited', async () => {
		const { calls, waits, send, options } = scripted({ twilio: ['ok'] });
		const result = await deliver([TWILIO, SINCH], send, options);
		expect(result).toEqual({
			value: 'sent by twilio',
			provider: 'twilio',
			attempts: 1,
			fallbackUsed: false,
			fallbackReasons: [],
			log: [{ provider: 'twilio', attempt: 1, ok: true }],
		});
		expect(calls).toEqual(['twilio']);
		expect(waits).toEqual([]);
	});

	it('retries what the provider never processed, with full-jitter backoff, then succeeds', async () => {
		const { calls, waits, send, options } = scripted({ twilio: [fail(TWILIO, 'unavailable'), fail(TWILIO, 'network'), 'ok'] });
		const result = await deliver([TWILIO, SINCH], send, options);
		expect(calls).toEqual(['twilio', 'twilio', 'twilio']);
		// random 0.5 × min(1000, 100·2^(attempt-1)): 50, then 100.
		expect(waits).toEqual([50, 100]);
		expect(result.attempts).toBe(3);
		expect(result.fallbackUsed).toBe(false);
		expect(result.log).toEqual([
			{ provider: 'twilio', attempt: 1, ok: false, kind: 'unavailable', code: undefined, httpStatus: undefined, waitMs: 50 },
			{ provider: 'twilio', attempt: 2, ok: false, kind: 'network', code: undefined, httpStatus: undefined, waitMs: 100 },
			{ provider: 'twilio', attempt: 3, ok: true },
		]);
	});

	it("waits at least the provider's Retry-After", async () => {
		const { waits, send, options } = scripted({ twilio: [fail(TWILIO, 'rateLimited', { retryAfterMs: 3000 }), 'ok'] });
		await deliver([TWILIO], send, options);
		expect(waits).toEqual([3000]);
	});

	it('falls back after the retries are spent, and says why the first provider was left', async () => {
		const { calls, waits, send, options } = scripted({
			twilio: [fail(TWILIO, 'unavailable'), fail(TWILIO, 'unavailable'), fail(TWILIO, 'unavailable')],
			sinch: ['ok'],
		});
		const result = await deliver([TWILIO, SINCH], send, options);
		expect(calls).toEqual(['twilio', 'twilio', 'twilio', 'sinch']);
		expect(waits).toEqual([50, 100]);
		expect(result.provider).toBe('sinch');
		expect(result.value).toBe('sent by sinch');
		expect(result.attempts).toBe(4);
		expect(result.fallbackUsed).toBe(true);
		expect(result.fallbackReasons).toEqual(['Twilio unavailable']);
		expect(result.log.map((r) => [r.provider, r.attempt, r.ok])).toEqual([
			['twilio', 1, false],
			['twilio', 2, false],
			['twilio', 3, false],
			['sinch', 1, true],
		]);
		expect(result.log[2].waitMs).toBeUndefined();
	});

	it.each<[FailureKind]>([['auth'], ['config'], ['unsupported']])('%s: falls back at once, without retrying', async (kind) => {
		const { calls, waits, send, options } = scripted({ twilio: [fail(TWILIO, kind)], sinch: [fail(SINCH, kind)], sns: ['ok'] });
		const result = await deliver([TWILIO, SINCH, SNS], send, options);
		expect(calls).toEqual(['twilio', 'sinch', 'sns']);
		expect(waits).toEqual([]);
		expect(result.fallbackReasons).toEqual([`Twilio ${kind}`, `Sinch ${kind}`]);
		expect([result.provider, result.attempts, result.fallbackUsed]).toEqual(['sns', 3, true]);
	});

	it.each<[FailureKind]>([['recipient'], ['content'], ['request'], ['notFound'], ['ambiguous']])(
		'%s: stops at once, never retried, never sent through another provider',
		async (kind) => {
			const { calls, waits, send, options } = scripted({ twilio: [fail(TWILIO, kind)], sinch: ['ok'] });
			const error = await failure(deliver([TWILIO, SINCH], send, options));
			expect(calls).toEqual(['twilio']);
			expect(waits).toEqual([]);
			expect(error.error.kind).toBe(kind);
			expect(error.message).toBe(`Twilio ${kind}`);
			expect(error.name).toBe('DeliveryFailure');
			expect([error.attempts, error.fallbackTried]).toEqual([1, false]);
		},
	);

	it('a recipient error from the fallback provider ends it, marked as a fallback that was tried', async () => {
		const { calls, send, options } = scripted({ twilio: [fail(TWILIO, 'auth')], sinch: [fail(SINCH, 'recipient')], sns: ['ok'] });
		const error = await failure(deliver([TWILIO, SINCH, SNS], send, options));
		expect(calls).toEqual(['twilio', 'sinch']);
		expect(error.error.provider).toBe('sinch');
		expect([error.attempts, error.fallbackTried]).toEqual([2, true]);
		expect(error.log.map((r) => [r.provider, r.kind])).toEqual([
			['twilio', 'auth'],
			['sinch', 'recipient'],
		]);
	});

	it('every provider gives up: the last error, every attempt, fallback tried only when there was one', async () => {
		const two = scripted({ twilio: [fail(TWILIO, 'auth')], sinch: [fail(SINCH, 'config', { code: '40100' })] });
		const both = await failure(deliver([TWILIO, SINCH], two.send, two.options));
		expect([both.error.provider, both.error.code, both.attempts, both.fallbackTried]).toEqual(['sinch', '40100', 2, true]);

		const one = scripted({ twilio: [fail(TWILIO, 'unavailable'), fail(TWILIO, 'unavailable'), fail(TWILIO, 'unavailable')] });
		const alone = await failure(deliver([TWILIO], one.send, one.options));
		expect([alone.error.provider, alone.attempts, alone.fallbackTried]).toEqual(['twilio', 3, false]);
		expect(one.calls).toHaveLength(3);
	});

	it("a Retry-After longer than the policy allows moves on to the next provider at once", async () => {
		const { calls, waits, send, options } = scripted({ twilio: [fail(TWILIO, 'rateLimited', { retryAfterMs: 60_000 })], sinch: ['ok'] });
		const result = await deliver([TWILIO, SINCH], send, options);
		expect(calls).toEqual(['twilio', 'sinch']);
		expect(waits).toEqual([]);
		expect(result.fallbackReasons).toEqual(['Twilio rateLimited']);
	});

	it('no retries allowed: one attempt a provider', async () => {
		const { calls, send, options } = scripted({ twilio: [fail(TWILIO, 'network')], sinch: ['ok'] });
		await deliver([TWILIO, SINCH], send, { ...options, policy: { ...POLICY, maxRetries: 0 } });
		expect(calls).toEqual(['twilio', 'sinch']);
	});

	it.each([
		['an Error', new TypeError('Cannot read properties of undefined'), 'Cannot read properties of undefined'],
		['a thrown string', 'socket hang up?', 'socket hang up?'],
	])('an unexpected error (%s) is ambiguous: never retried, never sent again elsewhere', async (_what, thrown, detail) => {
		const { calls, waits, send, options } = scripted({ twilio: [thrown as Error], sinch: ['ok'] });
		const error = await failure(deliver([TWILIO, SINCH], send, options));
		expect(calls).toEqual(['twilio']);
		expect(waits).toEqual([]);
		expect(error.error).toBeInstanceOf(ProviderError);
		expect(error.error.kind).toBe('ambiguous');
		expect(error.error.ambiguous).toBe(true);
		expect(error.error.provider).toBe('twilio');
		expect(error.error.detail).toBe(detail);
		expect(error.error.message).toBe(
			'Unexpected error while sending through Twilio; the message may or may not have gone out, so it was not sent again',
		);
		expect([error.attempts, error.fallbackTried]).toEqual([1, false]);
	});
});
