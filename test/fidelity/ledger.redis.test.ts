/**
 * A campaign's sent-ledger in Redis (nodes/shared/state/redisLedger.ts) against a real redis-server: the SentLedger
 * contract with two owners (two workers), then what only a shared ledger has: owners, `leaving`, leases that go stale
 * when their process stops renewing them, taking a stale claim over exactly once, values it cannot read, the key layout
 * and its 7-day expiry.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { LEDGER_TTL_MS, type SentRecord } from '../../nodes/shared/campaign/sentLedger';
import { redisLedger } from '../../nodes/shared/state/redisLedger';
import { closeRedisClients } from '../../nodes/shared/state/redisStore';
import { freePort, useRedis } from '../helpers/redis';
import { sentLedgerContract } from '../helpers/sentLedgerContract';

const redis = useRedis();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const campaign = () => `campaign:wf-${randomUUID()}:spring`;
const TO = '+905012345678';
const RECORD: SentRecord = { outcome: 'accepted', at: '2026-11-30T09:00:00.000Z', provider: 'twilio', messageId: 'SM0123456789abcdef0123456789abcdef', status: 'queued' };

let credentials: ICredentialDataDecryptedObject;
beforeAll(() => {
	credentials = redis.get().credentials();
});

/** The key of a recipient of a campaign: `sent:<sha256 of the scope, 32 hex>:<recipient>` under the prefix. */
const keyOf = (scope: string, recipient: string) => `${String(credentials.keyPrefix)}sent:${createHash('sha256').update(scope).digest('hex').slice(0, 32)}:${recipient}`;

/**
 * A worker that is killed after what it did: a ledger with a lease of `leaseMs` on credentials of its own, which then
 * point at a port nobody listens on, so that its renewals (every 5 s) fail as a killed process's would never come.
 */
async function killedAfter(leaseMs: number, owner: string, work: (ledger: ReturnType<typeof redisLedger>) => Promise<void>): Promise<void> {
	const own = { ...credentials };
	await work(redisLedger(own, { leaseMs, owner }));
	own.port = await freePort();
}

describe('redisLedger: the SentLedger contract, two owners', () => {
	sentLedgerContract(() => ({ a: redisLedger(credentials, { owner: 'worker-a' }), b: redisLedger(credentials, { owner: 'worker-b' }) }));
});

describe('redisLedger: owners and leaving', () => {
	it('a claim is not leaving until its owner says so; another owner cannot say it', async () => {
		const [a, b] = [redisLedger(credentials, { owner: 'a' }), redisLedger(credentials, { owner: 'b' })];
		const scope = campaign();
		expect(await a.claim(scope, TO)).toEqual({ claimed: true });
		expect(await b.claim(scope, TO)).toEqual({ claimed: false, pending: expect.objectContaining({ since: expect.any(String), stale: false, leaving: false }) });
		await b.leaving(scope, [TO]);
		expect(await b.claim(scope, TO)).toMatchObject({ pending: { leaving: false } });
		await a.leaving(scope, [TO, '+905012345679']);
		expect(await b.claim(scope, TO)).toMatchObject({ pending: { leaving: true } });
		// Leaving for a claim Redis no longer has (it lost its data) makes it again, as leaving: a later claim by another
		// run sees that it may have been sent.
		expect(await b.claim(scope, '+905012345679')).toEqual({ claimed: false, pending: expect.objectContaining({ stale: false, leaving: true }) });
	});

	it('a release by another owner does nothing; by the owner, frees it', async () => {
		const [a, b] = [redisLedger(credentials, { owner: 'a' }), redisLedger(credentials, { owner: 'b' })];
		const scope = campaign();
		expect(await a.claim(scope, TO)).toEqual({ claimed: true });
		await b.release(scope, TO);
		expect(await b.claim(scope, TO)).toMatchObject({ claimed: false, pending: { stale: false } });
		await a.release(scope, TO);
		expect(await b.claim(scope, TO)).toEqual({ claimed: true });
	});
});

describe('redisLedger: leases', () => {
	afterEach(async () => {
		await closeRedisClients();
	});

	it('a claim whose worker was killed goes stale after its lease; 20 takeOvers at once: exactly one gets it, which is then fresh', async () => {
		const scope = campaign();
		await killedAfter(300, 'killed', async (a) => {
			expect(await a.claim(scope, TO)).toEqual({ claimed: true });
			expect(await a.claim(scope, '+905012345679')).toEqual({ claimed: true });
			await a.leaving(scope, ['+905012345679']);
		});
		const b = redisLedger(credentials, { owner: 'b' });
		// Within the lease: fresh.
		expect(await b.claim(scope, TO)).toMatchObject({ pending: { stale: false, leaving: false } });
		expect(await b.takeOver(scope, TO)).toBe(false);
		await sleep(450);
		expect(await b.claim(scope, TO)).toMatchObject({ claimed: false, pending: { stale: true, leaving: false } });
		expect(await b.claim(scope, '+905012345679')).toMatchObject({ claimed: false, pending: { stale: true, leaving: true } });
		const takers = Array.from({ length: 20 }, (_, i) => redisLedger(credentials, { owner: `taker-${i}` }));
		const taken = await Promise.all(takers.map((t) => t.takeOver(scope, TO)));
		expect(taken.filter(Boolean)).toHaveLength(1);
		const winner = takers[taken.indexOf(true)];
		// The claim is the winner's now, with a fresh lease (20 s), not leaving: the others cannot take it, nor release it.
		expect(await b.claim(scope, TO)).toMatchObject({ claimed: false, pending: { stale: false, leaving: false } });
		expect(await b.takeOver(scope, TO)).toBe(false);
		await redisLedger(credentials, { owner: 'killed' }).release(scope, TO);
		await b.release(scope, TO);
		expect((await b.claim(scope, TO)).claimed).toBe(false);
		await winner.settle(scope, TO, RECORD);
		expect(await b.claim(scope, TO)).toEqual({ claimed: false, record: RECORD });
	});

	it('a claim whose worker lives is renewed (every 5 s) and never goes stale', async () => {
		const scope = campaign();
		const a = redisLedger(credentials, { leaseMs: 6_000, owner: 'alive' });
		const b = redisLedger(credentials, { owner: 'b' });
		expect(await a.claim(scope, TO)).toEqual({ claimed: true });
		await sleep(7_000);
		expect(await b.claim(scope, TO)).toMatchObject({ claimed: false, pending: { stale: false } });
		expect(await b.takeOver(scope, TO)).toBe(false);
		// Renewing keeps the 7 days counted from the claim.
		const pttl = await redis.get().admin().pttl(keyOf(scope, TO));
		expect(pttl).toBeLessThanOrEqual(LEDGER_TTL_MS - 7_000);
		expect(pttl).toBeGreaterThan(LEDGER_TTL_MS - 60_000);
		await a.settle(scope, TO, RECORD);
	});
});

describe('redisLedger: what is stored', () => {
	it('one key per recipient, `sent:<sha256 of the scope, 32 hex>:<recipient>` under the prefix, kept 7 days from each write', async () => {
		const scope = campaign();
		const admin = redis.get().admin();
		const [a, b] = [redisLedger(credentials, { owner: 'a' }), redisLedger(credentials, { owner: 'b' })];
		const key = keyOf(scope, TO);
		expect(await a.claim(scope, TO)).toEqual({ claimed: true });
		expect(await admin.keys(`${String(credentials.keyPrefix)}sent:${createHash('sha256').update(scope).digest('hex').slice(0, 32)}:*`)).toEqual([key]);
		const week = async () => {
			const pttl = await admin.pttl(key);
			expect(pttl).toBeGreaterThan(LEDGER_TTL_MS - 5_000);
			expect(pttl).toBeLessThanOrEqual(LEDGER_TTL_MS);
		};
		await week();
		const pending = JSON.parse(String(await admin.get(key))) as Record<string, unknown>;
		expect(pending).toEqual({ p: 1, at: expect.any(Number), owner: 'a', until: Number(pending.at) + 20_000, leaving: 0 });
		// Leaving keeps the expiry (set a little lower first, to see it kept and not set again).
		await admin.pexpire(key, LEDGER_TTL_MS - 3_600_000);
		await a.leaving(scope, [TO]);
		expect(await admin.pttl(key)).toBeLessThanOrEqual(LEDGER_TTL_MS - 3_600_000);
		expect(JSON.parse(String(await admin.get(key)))).toMatchObject({ leaving: 1 });
		await a.settle(scope, TO, RECORD);
		await week();
		expect(JSON.parse(String(await admin.get(key)))).toEqual(RECORD);
		expect(await b.claim(scope, TO)).toEqual({ claimed: false, record: RECORD });
		// The recipient is in the key as given; the campaign (workflow and key) only as its hash.
		expect(key).not.toContain('spring');
	});

	it.each([
		['not JSON', 'garbled{'],
		['a JSON array', '[1,2]'],
		['a JSON number', '42'],
		['an empty object', '{}'],
		['a record of another outcome', '{"outcome":"sent","at":"2026-11-30T09:00:00.000Z"}'],
		['a pending claim of another version', '{"p":2,"at":1,"owner":"x","until":1,"leaving":0}'],
		['a pending claim without its times', '{"p":1,"owner":"x","leaving":0}'],
		['a pending claim whose times are not numbers', '{"p":1,"at":"yesterday","owner":"x","until":"soon","leaving":0}'],
		['a pending claim without its lease', '{"p":1,"at":1800000000000,"owner":"x","leaving":0}'],
		['a pending claim at a time no date can hold', '{"p":1,"at":1e300,"owner":"x","until":1,"leaving":0}'],
	])('a value it cannot read (%s) is taken as possibly sent: never sent again, never taken over', async (_, value) => {
		const scope = campaign();
		const admin = redis.get().admin();
		await admin.set(keyOf(scope, TO), value, 'PX', 60_000);
		const before = Date.now();
		const b = redisLedger(credentials, { owner: 'b' });
		const claim = await b.claim(scope, TO);
		expect(claim).toEqual({ claimed: false, record: { outcome: 'unknown', at: expect.any(String), unreadable: expect.stringMatching(/^Redis holds a value at .*sent:[0-9a-f]{32}:\+905012345678, which this version cannot read$/) } });
		const at = claim.claimed === false ? Date.parse(String(claim.record?.at)) : NaN;
		expect(at).toBeGreaterThanOrEqual(before - 1_000);
		expect(at).toBeLessThanOrEqual(Date.now() + 1_000);
		expect(await b.takeOver(scope, TO)).toBe(false);
		expect(await admin.get(keyOf(scope, TO))).toBe(value);
	});
});
