/**
 * Waits in Redis (nodes/shared/state/redisWaits.ts) against a real redis-server: the WaitStore contract (the same
 * cases as the process store's), then what only Redis has: the keys under the credential's prefix, each with an
 * expiry, and prefixes kept apart.
 */
import { closeRedisClients } from '../../nodes/shared/state/redisStore';
import { redisWaits } from '../../nodes/shared/state/redisWaits';
import { ANSWER_KEPT_MS, EXPIRY_GRACE_MS, UNLIMITED_KEPT_MS } from '../../nodes/shared/state/waits';
import { useRedis } from '../helpers/redis';
import { answerTo, newWait, person, waitStoreContract } from '../helpers/waitStoreContract';

const redis = useRedis({ password: 'test-redis-password-waits-41c2' });

describe('redisWaits: the WaitStore contract', () => {
	// One prefix for the file: every handle make() returns sees the same waits, as the contract asks.
	let credentials: ReturnType<ReturnType<typeof redis.get>['credentials']>;
	beforeAll(() => {
		credentials = redis.get().credentials();
	});
	waitStoreContract(() => redisWaits(credentials));
});

describe('redisWaits on Redis', () => {
	afterEach(async () => {
		await closeRedisClients();
	});

	it('is kind redis', () => {
		expect(redisWaits(redis.get().credentials()).kind).toBe('redis');
	});

	it('writes only keys under its prefix, in the documented layout, each with an expiry', async () => {
		const server = redis.get();
		const prefix = `waits-layout-${Date.now()}:`;
		const store = redisWaits(server.credentials({ keyPrefix: prefix }));
		const [ann, bob] = [person(), person()];
		const now = Date.now();
		const limited = newWait({ recipients: [ann, bob], expiresAt: now + 10 * 60_000 });
		const unlimited = newWait({ recipients: [bob], channel: 'whatsapp', expiresAt: null });
		const answered = newWait({ recipients: [ann] });
		for (const wait of [limited, unlimited, answered]) await store.register(wait, 'reference', now);
		await store.sent(limited.id, ['SM-1']);
		const answer = answerTo({ ...answered, reference: null });
		expect(await store.claim(answered.id, answer)).toBe(true);

		const admin = server.admin();
		const keys = (await admin.keys('*')).filter((k) => k.startsWith('waits-layout-')).sort();
		expect(keys).toEqual(
			[
				`${prefix}wait:${limited.id}`,
				`${prefix}wait:${unlimited.id}`,
				`${prefix}wait:answer:${answered.executionId}`,
				`${prefix}wait:exec:${limited.executionId}`,
				`${prefix}wait:exec:${unlimited.executionId}`,
				`${prefix}wait:reply:${ann}:${answer.replyMessageId}`,
				`${prefix}wait:to:sms:${ann}`,
				`${prefix}wait:to:sms:${bob}`,
				`${prefix}wait:to:whatsapp:${bob}`,
			].sort(),
		);
		// Nothing of this file lies outside the test prefixes.
		expect((await admin.keys('*')).filter((k) => !k.startsWith('test-') && !k.startsWith('waits-layout-'))).toEqual([]);
		for (const key of keys) expect([key, (await admin.pttl(key)) > 0]).toEqual([key, true]);

		const pttl = async (key: string) => await admin.pttl(`${prefix}${key}`);
		const within = (ms: number, expected: number) => {
			expect(ms).toBeGreaterThan(expected - 5_000);
			expect(ms).toBeLessThanOrEqual(expected);
		};
		// A wait and its index: its limit plus the grace (sent kept it); without a limit, a year.
		within(await pttl(`wait:${limited.id}`), 10 * 60_000 + EXPIRY_GRACE_MS);
		within(await pttl(`wait:exec:${limited.executionId}`), 10 * 60_000 + EXPIRY_GRACE_MS);
		within(await pttl(`wait:${unlimited.id}`), UNLIMITED_KEPT_MS);
		// A person's list: as long as their longest wait.
		within(await pttl(`wait:to:whatsapp:${bob}`), UNLIMITED_KEPT_MS);
		within(await pttl(`wait:to:sms:${bob}`), 10 * 60_000 + EXPIRY_GRACE_MS);
		within(await pttl(`wait:to:sms:${ann}`), 60 * 60_000 + EXPIRY_GRACE_MS);
		within(await pttl(`wait:answer:${answered.executionId}`), ANSWER_KEPT_MS);
		// The reply that gave it: it answers no other wait for as long.
		within(await pttl(`wait:reply:${ann}:${answer.replyMessageId}`), ANSWER_KEPT_MS);
		expect(JSON.parse((await admin.get(`${prefix}wait:${limited.id}`)) as string)).toEqual({ ...limited, reference: null, messageIds: ['SM-1'] });
		expect(await admin.zrange(`${prefix}wait:to:sms:${ann}`, 0, -1)).toEqual([limited.id]);
	});

	it('an unclaimed wait is kept with an expiry again', async () => {
		const server = redis.get();
		const credentials = server.credentials();
		const store = redisWaits(credentials);
		const wait = newWait({ expiresAt: Date.now() + 60_000 });
		await store.register(wait, 'reference', Date.now());
		const [taken] = await store.waiting('sms', wait.recipients[0], Date.now());
		const answer = answerTo(taken);
		expect(await store.claim(wait.id, answer)).toBe(true);
		await store.unclaim(taken);
		// The reply is free again (its provider's retry may answer).
		expect(await server.admin().exists(`${credentials.keyPrefix}wait:reply:${wait.recipients[0]}:${answer.replyMessageId}`)).toBe(0);
		const admin = server.admin();
		for (const key of [`wait:${wait.id}`, `wait:exec:${wait.executionId}`, `wait:to:sms:${wait.recipients[0]}`]) {
			const ttl = await admin.pttl(`${credentials.keyPrefix}${key}`);
			expect([key, ttl > 60_000 + EXPIRY_GRACE_MS - 5_000 && ttl <= 60_000 + EXPIRY_GRACE_MS]).toEqual([key, true]);
		}
		expect(await admin.exists(`${credentials.keyPrefix}wait:answer:${wait.executionId}`)).toBe(0);
	});

	it('two prefixes (two credentials) never see each other’s waits', async () => {
		const server = redis.get();
		const [one, two] = [redisWaits(server.credentials()), redisWaits(server.credentials())];
		const ann = person();
		const wait = newWait({ recipients: [ann] });
		await one.register(wait, 'reference', Date.now());
		expect(await two.waiting('sms', ann, Date.now())).toEqual([]);
		expect(await two.forExecution(wait.executionId)).toBeUndefined();
		expect(await two.claim(wait.id, answerTo({ ...wait, reference: null }))).toBe(false);
		// Nor count for a reference there.
		expect(await two.register(newWait({ recipients: [ann] }), 'reference', Date.now())).toEqual({ reference: null });
		expect(await one.waiting('sms', ann, Date.now())).toHaveLength(1);
	});

	it('a list entry whose wait Redis has let go is dropped at the next registration, and not counted', async () => {
		const server = redis.get();
		const credentials = server.credentials();
		const store = redisWaits(credentials);
		const ann = person();
		const gone = newWait({ recipients: [ann] });
		await store.register(gone, 'reference', Date.now());
		// As when its key expired before the list's.
		await server.admin().del(`${credentials.keyPrefix}wait:${gone.id}`);
		expect(await store.waiting('sms', ann, Date.now())).toEqual([]);
		const next = newWait({ recipients: [ann] });
		expect(await store.register(next, 'reference', Date.now())).toEqual({ reference: null });
		expect(await server.admin().zrange(`${credentials.keyPrefix}wait:to:sms:${ann}`, 0, -1)).toEqual([next.id]);
	});
});
