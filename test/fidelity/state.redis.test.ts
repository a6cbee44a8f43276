/**
 * The shared state on Redis (nodes/shared/state/redisStore.ts) against a real redis-server: the SharedState contract,
 * then what only Redis has: clients in separate connections, the key layout and expiries, and the errors a person
 * sees when Redis is away, refuses the password, or is a read-only replica.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { closeRedisClients, openRedisClients, redisState, testRedisCredential } from '../../nodes/shared/state/redisStore';
import { freePort, startRedis, useRedis } from '../helpers/redis';
import { mostInAnyWindow, sharedStateContract } from '../helpers/sharedStateContract';

const PASSWORD = 'test-redis-password-7f3a9c';
const redis = useRedis({ password: PASSWORD });
const AFTER = ': check the Messaging Gateway Redis credential; nothing was sent';

/** The error a call rejects with, with how long it took. */
async function failure(call: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
	const start = Date.now();
	try {
		await call();
	} catch (error) {
		return { error: error as Error, ms: Date.now() - start };
	}
	throw new Error('expected the call to fail');
}

describe('redisState: the SharedState contract', () => {
	// One prefix for the file: every handle make() returns sees the same state, as the contract asks.
	let credentials: ReturnType<ReturnType<typeof redis.get>['credentials']>;
	beforeAll(() => {
		credentials = redis.get().credentials();
	});
	sharedStateContract(() => redisState(credentials));
});

describe('redisState on Redis', () => {
	afterEach(async () => {
		await closeRedisClients();
	});

	it('is kind redis', () => {
		expect(redisState(redis.get().credentials()).kind).toBe('redis');
	});

	it('writes only keys under its prefix, in the documented layout, each with an expiry', async () => {
		const server = redis.get();
		const prefix = `layout-${Date.now()}:`;
		const state = redisState(server.credentials({ keyPrefix: prefix }));
		const now = Date.now();
		await state.take('start:abc', 5, 120_000, now);
		await state.attempt('ve1', now + 600_000);
		await state.close('ve1', 'used', now + 600_000);
		await state.state('ve2');
		const admin = server.admin();
		const keys = (await admin.keys('*')).filter((k) => k.startsWith('layout-')).sort();
		expect(keys).toEqual([`${prefix}verify:attempts:ve1`, `${prefix}verify:closed:ve1`, `${prefix}verify:window:start:abc`]);
		// Nothing of this file's other tests lies outside the test prefixes.
		expect((await admin.keys('*')).filter((k) => !k.startsWith('test-') && !k.startsWith('layout-'))).toEqual([]);
		expect(await admin.get(`${prefix}verify:closed:ve1`)).toBe('used');
		expect(await admin.get(`${prefix}verify:attempts:ve1`)).toBe('1');
		expect(await admin.zcard(`${prefix}verify:window:start:abc`)).toBe(1);
		// A window's set is kept a window plus the clock tolerance (60 s, or a window when longer) past its newest member.
		const pttl = await Promise.all(keys.map((k) => admin.pttl(k)));
		expect(pttl[0]).toBeGreaterThan(598_000);
		expect(pttl[0]).toBeLessThanOrEqual(600_000);
		expect(pttl[1]).toBeGreaterThan(598_000);
		expect(pttl[2]).toBeGreaterThan(238_000);
		expect(pttl[2]).toBeLessThanOrEqual(240_000);
	});

	it.each([
		['a window shorter than a minute', 10_000, 70_000],
		['a window of an hour', 3_600_000, 7_200_000],
	])('keeps a window key for %s as long as a caller whose clock runs behind may need it', async (_, windowMs, ttl) => {
		const server = redis.get();
		const credentials = server.credentials();
		const now = Date.now();
		await redisState(credentials).take('k', 2, windowMs, now);
		const pttl = await server.admin().pttl(`${credentials.keyPrefix}verify:window:k`);
		expect(pttl).toBeGreaterThan(ttl - 2_000);
		expect(pttl).toBeLessThanOrEqual(ttl);
	});

	it('an expiry in the past keeps the key a second, so a close is still once only', async () => {
		const server = redis.get();
		const credentials = server.credentials();
		const state = redisState(credentials);
		expect(await state.close('past', 'used', 0)).toBe('open');
		expect(await state.attempt('past', Date.now() - 60_000)).toBe(1);
		const admin = server.admin();
		for (const key of [`${credentials.keyPrefix}verify:closed:past`, `${credentials.keyPrefix}verify:attempts:past`]) {
			const pttl = await admin.pttl(key);
			expect(pttl).toBeGreaterThan(0);
			expect(pttl).toBeLessThanOrEqual(1_000);
		}
		expect(await state.close('past', 'canceled', 0)).toBe('used');
		expect(await state.attempt('past', Date.now() - 60_000)).toBe(2);
	});

	it.each([
		['the same prefix, shared', 'same', [1, 2, 3, 4]],
		['different prefixes, independent', 'different', [1, 1, 2, 2]],
	] as const)('two credentials on one server with %s', async (_, prefixes, expected) => {
		const server = redis.get();
		const a = server.credentials();
		// Signing in as `default` by name: the same user, but a connection of its own.
		const b = server.credentials({ user: 'default', keyPrefix: prefixes === 'same' ? a.keyPrefix : `${a.keyPrefix}other:` });
		const [one, two] = [redisState(a), redisState(b)];
		const until = Date.now() + 60_000;
		const counts = [await one.attempt('v', until), await two.attempt('v', until), await one.attempt('v', until), await two.attempt('v', until)];
		expect(counts).toEqual(expected);
		expect(openRedisClients()).toBe(2);
	});

	it('keeps one connection per server and user, whatever the prefixes', async () => {
		const server = redis.get();
		await Promise.all(['a:', 'b:', 'c:'].map((p) => redisState(server.credentials({ keyPrefix: p })).state('x')));
		expect(openRedisClients()).toBe(1);
	});

	it('signs in as an ACL user with a password, or as one without (nopass) with the password left empty', async () => {
		const server = redis.get();
		const admin = server.admin();
		await admin.call('ACL', 'SETUSER', 'gateway', 'on', '>gateway-password-0c1d', '~*', '+@all');
		await admin.call('ACL', 'SETUSER', 'open', 'on', 'nopass', '~*', '+@all');
		const prefix = `acl-${Date.now()}:`;
		const until = Date.now() + 60_000;
		expect(await redisState(server.credentials({ user: 'gateway', password: 'gateway-password-0c1d', keyPrefix: prefix })).attempt('v', until)).toBe(1);
		expect(await redisState(server.credentials({ user: 'open', password: '', keyPrefix: prefix })).attempt('v', until)).toBe(2);
	});

	it('keeps databases apart', async () => {
		const server = redis.get();
		const prefix = `db-${Date.now()}:`;
		const until = Date.now() + 60_000;
		expect(await redisState(server.credentials({ keyPrefix: prefix, database: 0 })).attempt('v', until)).toBe(1);
		expect(await redisState(server.credentials({ keyPrefix: prefix, database: 3 })).attempt('v', until)).toBe(1);
		expect(await redisState(server.credentials({ keyPrefix: prefix, database: 3 })).attempt('v', until)).toBe(2);
		const admin = server.admin();
		await admin.select(3);
		expect(await admin.get(`${prefix}verify:attempts:v`)).toBe('2');
	});

	it('200 takes at once over two connections with clocks up to 3 s apart: never more than the limit in any window', async () => {
		const server = redis.get();
		const a = server.credentials();
		const b = server.credentials({ user: 'default', keyPrefix: a.keyPrefix });
		const t0 = Date.now();
		const times = Array.from({ length: 200 }, (_, i) => t0 + ((i * 7919) % 200) * 15);
		const results = await Promise.all(times.map((at, i) => redisState(i % 2 ? a : b).take('skew', 4, 400, at)));
		expect(openRedisClients()).toBe(2);
		expect(mostInAnyWindow(times.filter((_, i) => results[i].allowed), 400)).toBeLessThanOrEqual(4);
	});

	it('refuses a limit below 1 or a window of 0 before asking Redis', async () => {
		const state = redisState(redis.get().credentials());
		await expect(state.take('k', 0, 1000, Date.now())).rejects.toThrow(RangeError);
		await expect(state.take('k', 1, 0, Date.now())).rejects.toThrow(RangeError);
		expect(openRedisClients()).toBe(0);
	});

	it('a script Redis has forgotten (SCRIPT FLUSH) is loaded again', async () => {
		const server = redis.get();
		const state = redisState(server.credentials());
		expect((await state.take('flush', 2, 1000, Date.now())).allowed).toBe(true);
		await server.admin().script('FLUSH');
		expect((await state.take('flush', 2, 1000, Date.now())).count).toBe(2);
	});

	it('a script that uses the store exits on its own: an idle connection keeps no process alive', async () => {
		// The TypeScript sources, compiled as they load, in a process of their own.
		const hook = `require.extensions['.ts'] = (m, f) => m._compile(require('typescript').transpileModule(require('fs').readFileSync(f, 'utf8'), { compilerOptions: { module: 1, target: 9, esModuleInterop: true } }).outputText, f);`;
		const script = `${hook} const { redisState } = require(${JSON.stringify(resolve(__dirname, '../../nodes/shared/state/redisStore.ts'))});
			redisState(JSON.parse(process.argv[1])).take('exit', 1, 1000, Date.now()).then(({ ticket, ...r }) => console.log(JSON.stringify({ ...r, ticket: typeof ticket })));`;
		const start = Date.now();
		const child = spawn(process.execPath, ['-e', script, JSON.stringify(redis.get().credentials())], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
		const code = await new Promise<number | null>((done) => {
			const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
			child.once('exit', (c) => {
				clearTimeout(timer);
				done(c);
			});
		});
		expect([code, out.trim()]).toEqual([0, JSON.stringify({ allowed: true, count: 1, retryAfterMs: 0, ticket: 'string' })]);
		// Far below the 60 s after which an idle client is disconnected anyway.
		expect(Date.now() - start).toBeLessThan(15_000);
	});
});

describe('redisState when Redis cannot be used: one sentence, within seconds, no password', () => {
	afterEach(async () => {
		await closeRedisClients();
	});

	it('a port nobody listens on', async () => {
		const port = await freePort();
		const state = redisState(redis.get().credentials({ port }));
		for (const call of [() => state.take('k', 1, 1000, Date.now()), () => state.attempt('v', Date.now() + 1000), () => state.close('v', 'used', Date.now() + 1000), () => state.state('v')]) {
			const { error, ms } = await failure(call);
			expect(error.constructor).toBe(Error);
			expect(error.message).toBe(`Could not reach Redis at 127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})${AFTER}`);
			expect(ms).toBeLessThan(6_000);
		}
		expect(openRedisClients()).toBe(0);
	});

	it('a host name that does not resolve', async () => {
		const { error, ms } = await failure(() => redisState(redis.get().credentials({ host: 'no-such-host.invalid' })).state('v'));
		expect(error.message).toMatch(/^Could not reach Redis at no-such-host\.invalid:\d+ \(getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid\): check the Messaging Gateway Redis credential; nothing was sent$/);
		expect(ms).toBeLessThan(6_000);
	});

	it.each([
		// A password that is also a word of Redis's own answer ("WRONGPASS invalid username-password pair").
		['WRONGPASS', /^Redis at 127\.0\.0\.1:\d+ refused the user name or password \(\[redacted\] invalid username-password pair or user is disabled\.\)/],
		['invalid', /^Redis at 127\.0\.0\.1:\d+ refused the user name or password \(WRONGPASS \[redacted\] username-password pair/],
		['not-the-password-1234', /^Redis at 127\.0\.0\.1:\d+ refused the user name or password \(WRONGPASS invalid username-password pair or user is disabled\.\)/],
		['pair', /^Redis at 127\.0\.0\.1:\d+ refused the user name or password \(WRONGPASS invalid username-password \[redacted\] or user is disabled\.\)/],
	])('a wrong password (%s) is said, and never shown', async (password, message) => {
		const credentials = redis.get().credentials({ password });
		const { error, ms } = await failure(() => redisState(credentials).attempt('v', Date.now() + 1000));
		expect(error.message).toMatch(message);
		expect(error.message.endsWith(AFTER)).toBe(true);
		expect(ms).toBeLessThan(6_000);
		for (const text of [error.message, String(error.stack), JSON.stringify(error), JSON.stringify(Object.getOwnPropertyDescriptors(error))]) expect(text).not.toContain(password);
		expect((error as Error & { cause?: unknown }).cause).toBeUndefined();
		const tested = await testRedisCredential(credentials);
		expect(tested.status).toBe('Error');
		expect(tested.message).toMatch(message);
		expect(tested.message).not.toContain(password);
	});

	it('a user name and password Redis does not know', async () => {
		const credentials = redis.get().credentials({ user: 'alice', password: PASSWORD });
		const { error } = await failure(() => redisState(credentials).state('v'));
		expect(error.message).toMatch(/^Redis at 127\.0\.0\.1:\d+ refused the user name or password \(WRONGPASS/);
		expect(error.message).not.toContain(PASSWORD);
	});

	it('no password where Redis asks for one', async () => {
		const { error } = await failure(() => redisState(redis.get().credentials({ password: '' })).state('v'));
		expect(error.message).toMatch(/^Redis at 127\.0\.0\.1:\d+ asks for a password and none was accepted \(NOAUTH Authentication required\.\): set the password in the Messaging Gateway Redis credential; nothing was sent$/);
	});

	it('a database the server does not have (it would otherwise go on in database 0)', async () => {
		const { error } = await failure(() => redisState(redis.get().credentials({ database: 99 })).state('v'));
		expect(error.message).toMatch(/^Redis at 127\.0\.0\.1:\d+ has no database 99 \(ERR DB index is out of range\): check the Messaging Gateway Redis credential; nothing was sent$/);
	});

	it('a user who may not run scripts', async () => {
		const server = redis.get();
		await server.admin().call('ACL', 'SETUSER', 'reader', 'on', '>reader-password-5e6f', '~*', '+get', '+select', '+ping', '+info');
		const state = redisState(server.credentials({ user: 'reader', password: 'reader-password-5e6f' }));
		expect(await state.state('v')).toBe('open');
		const { error } = await failure(() => state.take('k', 1, 1000, Date.now()));
		expect(error.message).toMatch(/^The Redis user may not run what the Messaging Gateway needs \(NOPERM .*'eval(sha)?' command\): allow it EVALSHA, EVAL and the keys under the credential's prefix, or use another user; nothing was sent$/i);
		expect(error.message).not.toContain('reader-password-5e6f');
	});

	it('TLS turned on for a Redis without it: the handshake gets no answer, the connection times out after 5 s', async () => {
		const { error, ms } = await failure(() => redisState(redis.get().credentials({ tls: true })).state('v'));
		expect(error.message).toBe(`Could not reach Redis at 127.0.0.1:${redis.get().port} (connect ETIMEDOUT, over TLS)${AFTER}`);
		expect(ms).toBeGreaterThanOrEqual(4_900);
		expect(ms).toBeLessThan(6_000);
	});

	it('a read-only replica', async () => {
		const primary = redis.get();
		const replica = await startRedis({ password: PASSWORD, args: ['--replicaof', '127.0.0.1', String(primary.port), '--masterauth', PASSWORD] });
		try {
			const state = redisState(replica.credentials());
			// Reads work on a replica; the writes are refused.
			expect(await state.state('v')).toBe('open');
			for (const call of [() => state.take('k', 1, 1000, Date.now()), () => state.attempt('v', Date.now() + 1000), () => state.close('v', 'used', Date.now() + 1000)]) {
				const { error } = await failure(call);
				expect(error.message).toMatch(
					new RegExp(`^Redis at 127\\.0\\.0\\.1:${replica.port} is a read-only replica \\(READONLY You can't write against a read only replica\\.\\): point the Messaging Gateway Redis credential at the primary; nothing was sent$`),
				);
			}
		} finally {
			await closeRedisClients();
			await replica.stop();
		}
	});

	it('Redis going away after connecting: the next call says it cannot reach it', async () => {
		const server = await startRedis();
		const state = redisState(server.credentials());
		expect(await state.attempt('v', Date.now() + 60_000)).toBe(1);
		await server.stop();
		const { error, ms } = await failure(() => state.attempt('v', Date.now() + 60_000));
		expect(error.message).toMatch(new RegExp(`^Could not reach Redis at 127\\.0\\.0\\.1:${server.port} \\(.+\\)${AFTER}$`));
		expect(ms).toBeLessThan(6_000);
	});
});

describe('testRedisCredential (the credential test the node registers)', () => {
	it('says OK for a Redis that answers', async () => {
		expect(await testRedisCredential(redis.get().credentials())).toEqual({ status: 'OK', message: `Connection successful: Redis at 127.0.0.1:${redis.get().port} answered` });
		// A connection of its own, closed again: none is left in the shared ones.
		expect(openRedisClients()).toBe(0);
	});

	it('says Error, within 6 s, for a port nobody listens on', async () => {
		const port = await freePort();
		const start = Date.now();
		expect(await testRedisCredential(redis.get().credentials({ port }))).toEqual({ status: 'Error', message: `Could not reach Redis at 127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})${AFTER}` });
		expect(Date.now() - start).toBeLessThan(6_000);
	});

	it('says Error for a database the server does not have', async () => {
		expect(await testRedisCredential(redis.get().credentials({ database: 99 }))).toMatchObject({ status: 'Error', message: expect.stringMatching(/has no database 99/) });
	});
});
