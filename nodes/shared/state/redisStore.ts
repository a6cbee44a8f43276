import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';
import { makeRedactor, REDACTED, type Redactor } from '../rules/redact';
import type { SharedState, VerificationState, WindowCount } from './types';

/**
 * The shared state on the package's Redis credential (messagingRedisApi): every execution, worker and main process
 * that uses the same credential sees the same counts. Each operation is one Lua script, so it is atomic on the
 * server whatever runs beside it; scripts rather than newer commands (SET … NX GET, PXAT) keep it working on
 * Redis 6, which n8n's own queue-mode examples run, and on Valkey.
 *
 * Keys, all under the credential's prefix (default `n8n-messaging-gateway:`):
 *   verify:window:<key>     sorted set, one member per take() let through, scored by its time; kept a window (and a
 *                           clock tolerance) past the newest
 *   verify:attempts:<id>    integer, checks of a verification; expires with the verification
 *   verify:closed:<id>      'used' or 'canceled' once a verification is closed; expires with the verification
 */

/** An unreachable Redis fails a node within this, never hangs it. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A command that gets no answer (a Redis stuck loading, a half-open connection) fails within this. */
const COMMAND_TIMEOUT_MS = 5_000;
/** A client unused this long is disconnected, so a workflow that ran once keeps no socket open. */
const IDLE_MS = 60_000;
/** Expiries are at least this far in the future: one in the past would delete the key as it is written. */
const MIN_TTL_MS = 1_000;
/**
 * How far apart the `now` of two callers of take() may be (their clocks, and the time between reading the clock and
 * the script running) without letting more than the limit through: a window's members are kept this much longer
 * than the window (or a window longer, when that is more).
 */
const CLOCK_TOLERANCE_MS = 60_000;

interface RedisSettings {
	host: string;
	port: number;
	db: number;
	username: string;
	password: string;
	tls: boolean;
	prefix: string;
}

export function redisSettings(credentials: ICredentialDataDecryptedObject): RedisSettings {
	const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : value === undefined || value === null ? fallback : String(value));
	const port = Number(credentials.port ?? 6379);
	const db = Number(credentials.database ?? 0);
	return {
		host: text(credentials.host, 'localhost').trim() || 'localhost',
		port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 6379,
		db: Number.isInteger(db) && db >= 0 ? db : 0,
		username: text(credentials.user, '').trim(),
		password: text(credentials.password, ''),
		tls: credentials.tls === true || credentials.tls === 'true',
		// An empty prefix is allowed (a Redis of its own), but the default keeps our keys apart from n8n's `bull:` ones.
		prefix: text(credentials.keyPrefix, 'n8n-messaging-gateway:'),
	};
}

function clientOptions(settings: RedisSettings): RedisOptions {
	return {
		host: settings.host,
		port: settings.port,
		db: settings.db,
		username: settings.username || undefined,
		// Without a user name ioredis sends AUTH only when a password is set; with one it always does, here with an empty
		// password when none is given, which a user without one (ACL `nopass`) accepts.
		password: settings.password || (settings.username ? '' : undefined),
		// The certificate is checked against the host name (SNI is for names only, not addresses).
		tls: settings.tls ? (isIP(settings.host) ? {} : { servername: settings.host }) : undefined,
		// Connected on first use by connect() below, whose failure names its reason.
		lazyConnect: true,
		// No ready check (INFO): open() PINGs instead, answered only after AUTH was, so a wrong password is still this
		// call's error. ioredis's check printed an INFO error to the console as it came, unredacted: a server (or proxy)
		// that quotes what it heard put the AUTH line, password and all, in n8n's log.
		enableReadyCheck: false,
		// Without the ready check, ioredis calls a connection ready once its CLIENT SETINFO commands are answered, also
		// when they failed because the connection closed meanwhile: the client then stays "ready" on a dead socket and
		// never reconnects (write EPIPE for ever, seen after a network cut). Without them it is ready at once.
		disableClientInfo: true,
		connectTimeout: CONNECT_TIMEOUT_MS,
		commandTimeout: COMMAND_TIMEOUT_MS,
		// Commands issued while the connection is down fail at once instead of waiting in a queue: a node that
		// cannot count must stop before it sends, not send late.
		enableOfflineQueue: false,
		maxRetriesPerRequest: 1,
		// A dropped connection is retried twice, briefly; after that the client ends and the next use opens a new one,
		// which fails fast with its own reason if Redis is still away.
		retryStrategy: (times: number) => (times > 2 ? null : 200 * times),
		// disconnect() waits this long for a socket to close before destroying it (ioredis's 2 s timer also outlives a
		// socket that had closed already); an idle connection has nothing left to wait for.
		disconnectTimeout: 500,
		// AUTH, SELECT and the scripts need no more: no CLIENT SETNAME (an ACL user may not have it), no pub/sub.
		autoResubscribe: false,
		autoResendUnfulfilledCommands: false,
	};
}

/** The scripts, defined on every client; ioredis runs them by EVALSHA and loads them once when Redis lacks them. */
const SCRIPTS = {
	// KEYS[1] the window's sorted set; ARGV now, window, limit, a member unique to this call, how long past the window a
	// member is kept. Counted: the members after now - window. Kept longer (see CLOCK_TOLERANCE_MS) because callers'
	// clocks and round trips differ: one whose `now` runs behind another's must still see what the other let through,
	// and deleting at now - window would let it past the limit.
	gatewayTake: {
		numberOfKeys: 1,
		lua: `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local keep = window + tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - keep)
local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf')
if count < limit then
	redis.call('ZADD', KEYS[1], now, ARGV[4])
	-- The set lives as long as its newest member is kept (a caller whose clock runs ahead may have added it).
	local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
	redis.call('PEXPIRE', KEYS[1], math.max(math.ceil(tonumber(newest[2]) + keep - now), 1))
	return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return {0, count, math.max(math.ceil(tonumber(oldest[2]) + window - now), 1)}
`,
	},
	// KEYS[1] the attempts counter; ARGV its time to live in milliseconds.
	gatewayAttempt: {
		numberOfKeys: 1,
		lua: `
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
`,
	},
	// KEYS[1] the closed marker; ARGV 'used' or 'canceled', its time to live in milliseconds. The marker it found, or
	// nil when this call set it.
	gatewayClose: {
		numberOfKeys: 1,
		lua: `
local before = redis.call('GET', KEYS[1])
if before then return before end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`,
	},
} as const;

type GatewayRedis = Redis & {
	gatewayTake(key: string, nowMs: number, windowMs: number, limit: number, member: string, keepExtraMs: number): Promise<[number, number, number]>;
	gatewayAttempt(key: string, ttlMs: number): Promise<number>;
	gatewayClose(key: string, as: string, ttlMs: number): Promise<string | null>;
};

/** The last error ioredis reported on a connection: connect() and a command on a dropped connection only say it closed. */
interface Errors {
	last?: Error;
}

interface Entry {
	client: GatewayRedis;
	errors: Errors;
	ready: Promise<void>;
	inFlight: number;
	idle: NodeJS.Timeout;
	/** Disconnected and out of the map: its idle timer must not be started again. */
	gone: boolean;
}

/** One client per distinct connection (host, port, database, user, password, TLS), shared by every execution. */
const clients = new Map<string, Entry>();

function connectionId(settings: RedisSettings): string {
	// Hashed, so the map holds no password in its keys.
	const { host, port, db, username, password, tls } = settings;
	return createHash('sha256').update(JSON.stringify([host, port, db, username, password, tls])).digest('hex');
}

function newClient(settings: RedisSettings): { client: GatewayRedis; errors: Errors } {
	const client = new Redis(clientOptions(settings)) as GatewayRedis;
	for (const [name, script] of Object.entries(SCRIPTS)) client.defineCommand(name, script);
	const errors: Errors = {};
	// Without a listener ioredis prints every connection error to the console; the error is reported to the node instead.
	client.on('error', (error: Error) => {
		errors.last = error;
	});
	return { client, errors };
}

/** An error's message; not by instanceof, which fails for errors made in another realm (a vm context, Jest's). */
function messageOf(error: unknown): string {
	if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
	return String(error);
}

/** What went wrong: the error ioredis reported on the connection when the one in hand only says it closed. */
function reason(error: unknown, errors: Errors): unknown {
	const dropped = /Connection is closed|Stream isn't writeable/.test(messageOf(error));
	return dropped && errors.last ? errors.last : error;
}

async function open(client: GatewayRedis, errors: Errors, settings: RedisSettings): Promise<void> {
	try {
		await client.connect();
		// A user that may not PING (an ACL with only what the nodes run) is let through: its commands say what they may not do.
		await client.ping().catch((error: unknown) => {
			if (!/^NOPERM/.test(messageOf(error))) throw error;
		});
		// ioredis reports a failed SELECT (a database the server does not have) as an event and goes on in database 0,
		// where this credential's counts do not belong: selecting again makes the failure this call's.
		if (settings.db !== 0) await client.select(settings.db);
	} catch (error) {
		// The PING's own answer to a refused AUTH is NOAUTH; the refusal itself (WRONGPASS) came first, as an event.
		if (/^NOAUTH/.test(messageOf(error)) && errors.last && /WRONGPASS|invalid (username-)?password/i.test(errors.last.message)) throw errors.last;
		throw reason(error, errors);
	}
}

function forget(id: string, entry: Entry): void {
	entry.gone = true;
	clearTimeout(entry.idle);
	if (clients.get(id) === entry) clients.delete(id);
	entry.client.disconnect();
}

/**
 * The socket keeps the process alive only while a command is out: an idle client must not hold up n8n's exit (or a
 * one-off `n8n execute`), and a pending one must not let the process end before its answer.
 */
function hold(entry: Entry): void {
	const stream = entry.client.stream as { ref?: () => void; unref?: () => void } | undefined;
	if (entry.inFlight > 0) stream?.ref?.();
	else stream?.unref?.();
}

function acquire(settings: RedisSettings): Entry {
	const id = connectionId(settings);
	const existing = clients.get(id);
	if (existing && existing.client.status !== 'end') return existing;
	if (existing) forget(id, existing);
	const { client, errors } = newClient(settings);
	const entry: Entry = {
		client,
		errors,
		ready: Promise.resolve(),
		inFlight: 0,
		gone: false,
		idle: setTimeout(() => {
			// Still in use: look again after another idle period.
			if (entry.inFlight > 0) entry.idle.refresh();
			else forget(id, entry);
		}, IDLE_MS),
	};
	// The timer never keeps n8n (or a test run) alive on its own.
	entry.idle.unref();
	entry.ready = open(client, errors, settings).catch((error: unknown) => {
		forget(id, entry);
		throw error;
	});
	// Every connection (the first, and each reconnect) gets a new socket.
	client.on('connect', () => hold(entry));
	// A client whose reconnects ran out has ended: the next use opens a new one.
	client.once('end', () => {
		if (clients.get(id) === entry) forget(id, entry);
	});
	clients.set(id, entry);
	return entry;
}

/** Closes every client this module opened, and waits until their sockets are gone (tests call it; n8n never needs to). */
export async function closeRedisClients(): Promise<void> {
	const all = [...clients.values()];
	clients.clear();
	await Promise.all(
		all.map(async (entry) => {
			const { client } = entry;
			entry.gone = true;
			clearTimeout(entry.idle);
			// QUIT waits for the commands already sent, then Redis closes the socket. A client between connections
			// (reconnecting, or failed) has no socket: disconnect() only stops its reconnecting, and it emits nothing more.
			if (client.status !== 'ready') {
				client.disconnect();
				return;
			}
			const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
			await client.quit().catch(() => client.disconnect());
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000)))]);
			clearTimeout(timer);
		}),
	);
}

/** How many clients are open: one per distinct connection, whatever the key prefixes. */
export function openRedisClients(): number {
	return clients.size;
}

function redactorFor(settings: RedisSettings): Redactor {
	const redact = makeRedactor([settings.password, settings.username && settings.password ? `${settings.username}:${settings.password}` : undefined]);
	const short = settings.password;
	if (short === '' || short.length >= 4) return redact;
	// makeRedactor leaves out secrets this short (they would match everywhere); a whole word still goes.
	const word = new RegExp(`(^|[^A-Za-z0-9])${short.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[^A-Za-z0-9])`, 'g');
	return (text) => redact(text).replace(word, (_, lead: string) => `${lead}${REDACTED}`);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** A sentence a non-developer can act on, for whatever went wrong between the node and Redis. */
export function describeRedisError(error: unknown, settings: RedisSettings): string {
	const where = `${settings.host}:${settings.port}`;
	const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
	// Redis 7 names the script a refused write came from: nothing a person can act on.
	const text = messageOf(error)
		.replace(/\s*script: [0-9a-f]{40}, on @user_script:\d+\.?/g, '')
		.replace(/\s+/g, ' ')
		.trim();
	const reply = /^(?:Ready check failed: )?([A-Z][A-Z_]+)\b/.exec(text)?.[1];
	const after = 'check the Messaging Gateway Redis credential; nothing was sent';
	// A Redis without TLS never answers a TLS handshake (the connection times out), and a certificate problem is a
	// connection problem too: saying TLS was on points at the setting to look at.
	const tls = settings.tls ? ', over TLS' : '';
	if (typeof code === 'string' && NETWORK_CODES.has(code)) return `Could not reach Redis at ${where} (${text.includes(code) ? text : `${code}: ${text}`}${tls}): ${after}`;
	if (reply === 'WRONGPASS' || /invalid (username-)?password|invalid password/i.test(text)) {
		return `Redis at ${where} refused the user name or password (${text}): ${after}`;
	}
	if (reply === 'NOAUTH') return `Redis at ${where} asks for a password and none was accepted (${text}): set the password in the Messaging Gateway Redis credential; nothing was sent`;
	if (reply === 'NOPERM') {
		return `The Redis user may not run what the Messaging Gateway needs (${text}): allow it EVALSHA, EVAL and the keys under the credential's prefix, or use another user; nothing was sent`;
	}
	if (reply === 'READONLY') return `Redis at ${where} is a read-only replica (${text}): point the Messaging Gateway Redis credential at the primary; nothing was sent`;
	if (/DB index is out of range|invalid DB index/i.test(text)) return `Redis at ${where} has no database ${settings.db} (${text}): ${after}`;
	if (reply === 'LOADING' || reply === 'MASTERDOWN' || reply === 'BUSY' || reply === 'OOM' || reply === 'MISCONF') {
		return `Redis at ${where} cannot take writes right now (${text}): try again later, or ask whoever runs that Redis; nothing was sent`;
	}
	if (/Command timed out/i.test(text)) return `Redis at ${where} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s: ${after}`;
	if (reply) return `Redis at ${where} answered with an error (${text}): ${after}`;
	return `Could not reach Redis at ${where} (${text || 'no reason given'}${tls}): ${after}`;
}

/** A plain Error with the sentence, the password taken out of it; the original (which may carry it) is not attached. */
function redisError(error: unknown, settings: RedisSettings): Error {
	return new Error(redactorFor(settings)(describeRedisError(error, settings)));
}

/** One command (or script) on the credential's shared client: connected on first use, its failure as a plain sentence. */
export async function runRedis<T>(credentials: ICredentialDataDecryptedObject, command: (client: Redis, prefix: string) => Promise<T>): Promise<T> {
	const settings = redisSettings(credentials);
	return await run(settings, (client) => command(client, settings.prefix));
}

async function run<T>(settings: RedisSettings, command: (client: GatewayRedis) => Promise<T>): Promise<T> {
	const entry = acquire(settings);
	entry.inFlight += 1;
	hold(entry);
	try {
		await entry.ready;
		return await command(entry.client);
	} catch (error) {
		throw redisError(reason(error, entry.errors), settings);
	} finally {
		entry.inFlight -= 1;
		// Idle from now on: the timer restarts from the last use.
		if (!entry.gone) entry.idle.refresh();
		hold(entry);
	}
}

function ttlUntil(expiresAtMs: number): number {
	const ttl = Math.ceil(expiresAtMs - Date.now());
	return Number.isFinite(ttl) ? Math.max(ttl, MIN_TTL_MS) : MIN_TTL_MS;
}

function closedState(value: string | null): VerificationState {
	return value === 'used' || value === 'canceled' ? value : 'open';
}

/** The shared state on a messagingRedisApi credential. */
export function redisState(credentials: ICredentialDataDecryptedObject): SharedState {
	const settings = redisSettings(credentials);
	const key = (kind: 'window' | 'attempts' | 'closed', id: string) => `${settings.prefix}verify:${kind}:${id}`;
	return {
		kind: 'redis',
		async take(id, limit, windowMs, nowMs): Promise<WindowCount> {
			// Programming errors, not a user's: the node turns a limit of 0 into "no limit" before it gets here.
			if (!Number.isFinite(limit) || limit < 1) throw new RangeError(`take: the limit must be at least 1, not ${limit}`);
			if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`take: the window must be a positive number of milliseconds, not ${windowMs}`);
			if (!Number.isFinite(nowMs)) throw new RangeError(`take: now must be a time in milliseconds, not ${nowMs}`);
			const now = Math.round(nowMs);
			const window = Math.max(1, Math.round(windowMs));
			const member = `${now}:${randomUUID()}`;
			const [allowed, count, retryAfterMs] = await run(settings, (client) =>
				client.gatewayTake(key('window', id), now, window, Math.floor(limit), member, Math.max(window, CLOCK_TOLERANCE_MS)),
			);
			return allowed === 1 ? { allowed: true, count: Number(count), retryAfterMs: 0, ticket: member } : { allowed: false, count: Number(count), retryAfterMs: Number(retryAfterMs) };
		},
		async release(id, ticket) {
			await run(settings, (client) => client.zrem(key('window', id), ticket));
		},
		async attempt(id, expiresAtMs) {
			return Number(await run(settings, (client) => client.gatewayAttempt(key('attempts', id), ttlUntil(expiresAtMs))));
		},
		async close(id, as, expiresAtMs) {
			return closedState(await run(settings, (client) => client.gatewayClose(key('closed', id), as, ttlUntil(expiresAtMs))));
		},
		async state(id) {
			return closedState(await run(settings, (client) => client.get(key('closed', id))));
		},
	};
}

/**
 * The credential test for messagingRedisApi (a node registers it as methods.credentialTest.messagingRedisConnectionTest
 * and names it in testedBy): a connection of its own, not the shared one, since the credential may be mid-edit.
 * Connects, PINGs and quits within 5 s.
 */
export async function testRedisCredential(credentials: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const settings = redisSettings(credentials);
	const { client, errors } = newClient(settings);
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
	});
	const attempt = (async () => {
		await open(client, errors, settings);
		await client.ping();
	})();
	// When the deadline wins, the attempt still fails later (its connection is dropped below): nobody awaits it then.
	attempt.catch(() => undefined);
	try {
		await Promise.race([attempt, deadline]);
		return { status: 'OK', message: `Connection successful: Redis at ${settings.host}:${settings.port} answered` };
	} catch (error) {
		return { status: 'Error', message: redactorFor(settings)(describeRedisError(error, settings)) };
	} finally {
		clearTimeout(timer);
		// QUIT when it is connected (a polite goodbye), else just drop whatever is half open.
		if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
		else client.disconnect();
	}
}

/** The Redis credential's Test button, as every node that asks for the credential registers it (testedBy). */
export async function messagingRedisConnectionTest(this: unknown, credential: { data?: ICredentialDataDecryptedObject }): Promise<INodeCredentialTestResult> {
	return await testRedisCredential(credential.data ?? {});
}
