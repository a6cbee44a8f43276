/**
 * Phone Verification keeping its limits in Redis (the package's Redis credential, a real redis-server): many
 * executions at once share one count of checks, one single use and one limit on codes per number.
 */
import type { IDataObject } from 'n8n-workflow';
import { busiestSecond } from '../../nodes/shared/rules/throttle';
import { SANDBOX_CODE_SECRET } from '../../scripts/n8nServer';
import type { Engine } from '../helpers/engine';
import { freePort, useRedis } from '../helpers/redis';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';

const box = useSandbox();
const engines = useEngine(box);
const redis = useRedis({ password: 'redis-pass+word/for=tests' });
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
	engine.setCredentials('messagingVerificationSecretApi', { secret: SANDBOX_CODE_SECRET });
	engine.setCredentials('messagingRedisApi', { ...redis.get().credentials() });
});

const PHONE = '+33612345678';
const node = (operation: string, params: IDataObject) => ({
	type: 'phoneVerification',
	name: operation,
	parameters: { operation, engine: 'builtin:sns', sharedState: 'redis', ...params },
});
const codeOnPhone = (to = PHONE) => /(\d{6})/.exec([...box.get().messages.values()].filter((m) => m.to === to).pop()?.body ?? '')?.[1] ?? '';

async function start(to = PHONE, options: IDataObject = {}): Promise<IDataObject> {
	const result = await engine.run([{}], [node('start', { to, options })]);
	expect(result.error()).toBeUndefined();
	return result.items('start')[0].json;
}

describe('Phone Verification with Redis', () => {
	it('100 executions guessing at once: exactly Max Attempts are compared, the rest refused, the right code among them never approved', async () => {
		const { verificationId } = await start();
		const code = codeOnPhone();
		const guesses = Array.from({ length: 100 }, (_, k) => String(k).padStart(6, '0')).filter((g) => g !== code);
		guesses.splice(50, 0, code);
		const results = await Promise.all(guesses.map((guess) => engine.run([{}], [node('check', { verificationId, to: PHONE, code: guess, maxAttempts: 5 })])));
		const statuses = results.map((r) => String(r.items('check')[0]?.json.status));
		const counts = statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
		// Five checks compared a code (the right one may be among them, arriving early); every other one was refused unseen.
		expect((counts.denied ?? 0) + (counts.approved ?? 0)).toBe(5);
		expect(counts.max_attempts_reached).toBe(guesses.length - 5);
		expect(counts.approved ?? 0).toBeLessThanOrEqual(1);
	});

	it('10 executions with the right code at once: exactly one is approved, nine find it used', async () => {
		const { verificationId } = await start();
		const code = codeOnPhone();
		const results = await Promise.all(Array.from({ length: 10 }, () => engine.run([{}], [node('check', { verificationId, to: PHONE, code, maxAttempts: 20 })])));
		const statuses = results.map((r) => r.items('check')[0].json.status).sort();
		expect(statuses).toEqual(['approved', ...Array(9).fill('expired')]);
	});

	it('20 starts at once for one number: exactly Max Codes per Number are sent', async () => {
		const results = await Promise.all(Array.from({ length: 20 }, () => engine.run([{}], [node('start', { to: PHONE, options: { maxStartsPerNumber: 3 } })])));
		const statuses = results.map((r) => r.items('start')[0].json.status);
		expect(statuses.filter((s) => s === 'pending')).toHaveLength(3);
		expect(statuses.filter((s) => s === 'max_attempts_reached')).toHaveLength(17);
		expect([...box.get().messages.values()].filter((m) => m.to === PHONE)).toHaveLength(3);
	});

	it("built-in codes' Rate Limit: six executions at once, each sending a code from one sender, keep to it at the sandbox, through the budget in Redis", async () => {
		const phones = Array.from({ length: 6 }, (_, k) => `+3361234567${k}`);
		const results = await Promise.all(phones.map((to) => engine.run([{}], [node('start', { to, options: { ratePerSecond: 2 } })])));
		for (const r of results) expect(r.items('start')[0].json.status).toBe('pending');
		const arrivals = [...box.get().messages.values()].filter((m) => phones.includes(m.to)).map((m) => [m.arrivedAt, 1] as [number, number]);
		expect(arrivals).toHaveLength(6);
		// Two a second: no 1,000 ms window holds three (a few ms of the test process's own stalls allowed for).
		expect(busiestSecond(arrivals, 990)).toBeLessThanOrEqual(2);
		const span = Math.max(...arrivals.map(([t]) => t)) - Math.min(...arrivals.map(([t]) => t));
		expect(span).toBeGreaterThanOrEqual(2_000);
		// The budget is the one in Redis: its keys are there, under the credential's prefix.
		const prefix = String(engine.credentials.messagingRedisApi.keyPrefix);
		expect(await redis.get().admin().keys(`${prefix}rate:*`)).toEqual(expect.arrayContaining([expect.stringMatching(/rate:sns:/)]));
	});

	it("writes no code and no phone number into Redis, under the credential's prefix, every key with an expiry", async () => {
		const { verificationId } = await start();
		const code = codeOnPhone();
		await engine.run([{}], [node('check', { verificationId, to: PHONE, code: '000000' })]);
		const admin = redis.get().admin();
		const prefix = String(engine.credentials.messagingRedisApi.keyPrefix);
		const keys = await admin.keys(`${prefix}*`);
		expect(prefix).toMatch(/.:$/);
		expect(keys.length).toBeGreaterThan(0);
		for (const key of keys) {
			expect(key.startsWith(prefix)).toBe(true);
			expect(key).not.toContain(PHONE.slice(1));
			expect(await admin.pttl(key)).toBeGreaterThan(0);
			const type = await admin.type(key);
			const value = type === 'zset' ? (await admin.zrange(key, 0, -1)).join(' ') : String(await admin.get(key));
			expect(value).not.toContain(code);
			expect(value).not.toContain(PHONE.slice(1));
		}
	});

	it('a Redis that cannot be reached stops the item before anything is sent, with a sentence and no password', async () => {
		const port = await freePort();
		engine.setCredentials('messagingRedisApi', { ...redis.get().credentials(), port });
		const before = box.get().messages.size;
		const started = Date.now();
		const result = await engine.run([{}], [node('start', { to: PHONE })]);
		expect(Date.now() - started).toBeLessThan(10_000);
		const error = result.error();
		expect(error?.message).toMatch(new RegExp(`^Could not reach Redis at 127\\.0\\.0\\.1:${port} \\(.+\\): check the Messaging Gateway Redis credential; nothing was sent$`));
		expect(JSON.stringify(result.run)).not.toContain('redis-pass+word/for=tests');
		expect(error?.description).toBe('Nothing was sent. Limits could not be counted, so nothing went out uncounted.');
		expect(box.get().messages.size).toBe(before);
	});
});
