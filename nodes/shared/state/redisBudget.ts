/**
 * A sender's rate budget in the package's Redis credential: every send from one sender, in any execution on any
 * queue-mode worker (or main process) that uses the same Redis credential, takes its units from one budget, so two
 * campaigns on two workers from the same long code together stay under its rate.
 *
 * The same pacing as this process's budget (rules/throttle.ts: even spacing on a schedule that does not drift, a
 * log of the last window's starts checked over 1,015 ms, a cold start's answer awaited, "too many requests" pausing
 * and halving the rate), kept in two keys and decided by one Lua script per start, on Redis's own clock (TIME), so
 * the workers' clocks never matter. A start is granted only for "now": a worker whose turn is not yet due is told how
 * long to wait and asks again then, so what the log records is when each request really started. In each process the
 * sends from one sender wait in one line, so a process asks Redis for one start at a time per sender.
 *
 * Why a script of our own and not a limiter library: the well-kept Redis limiters count fixed windows or token buckets
 * (rate-limiter-flexible's RateLimiterRedis keeps a counter that resets when its key expires), which let up to twice
 * the rate through across a window's edge; a long code's "1 message a second" must hold for every window.
 *
 * Keys, under the credential's prefix:
 *   rate:<provider>:<sender>       hash: next (the even schedule), paused (Retry-After), factor and changed (the
 *                                  slow-down), rate and used (the rate in force, and when last used), hold and holdId
 *                                  (a cold start awaiting its answer)
 *   rate:<provider>:<sender>:log   sorted set: one member per start of the last window, `<process>/<id>|<units>`, scored
 *                                  by its time (a process's first start in the window moved to its answer)
 * Both expire 10 minutes after the last use (or after a pause, when longer).
 *
 * If Redis cannot be reached, a start waits and asks again for up to OUTAGE_MS, then gives up with
 * SharedStateUnavailable: nothing is ever sent on a budget of its own that the other workers would not see.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { OUTAGE_MS, patiently, pause, SharedStateUnusable, type Outage, type RateBudget, type Taken } from '../campaign/budget';
import { DEFAULT_PACE, type PaceSettings } from '../rules/throttle';
import { redisSettings, runRedis } from './redisStore';

/** Longest a start waits before asking again while a cold start's answer is awaited. */
const HOLD_POLL_MS = 50;
/** A cold start holds the sender's next starts until its answer, or this long. */
const FIRST_ANSWER_WAIT_MS = 5_000;
const IDLE_FORGET_MS = 10 * 60 * 1000;
/**
 * The longest wait for a start that is believed (a provider's pause is cut to it): longer, or not a number, and the
 * sender's keys hold values this version did not write. Beyond 24.8 days Node's timers fire at once, which made a
 * start ask Redis again every millisecond, for ever.
 */
const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

// The now of every script is Redis's TIME (milliseconds, with microseconds as the fraction), unless a test gives one.
const NOW = `
local now = tonumber(ARGV[#ARGV])
if not now then
	local t = redis.call('TIME')
	now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
`;

// The state, with the quiet spells since the last change counted (rules/throttle.ts: recover()).
const READ = `
local s = redis.call('HMGET', KEYS[1], 'next', 'paused', 'factor', 'changed', 'rate', 'used', 'hold', 'holdId')
local nxt = tonumber(s[1]) or -1e300
local paused = tonumber(s[2]) or -1e300
local factor = tonumber(s[3]) or 1
local changed = tonumber(s[4]) or -1e300
local rate = tonumber(s[5])
local used = tonumber(s[6]) or -1e300
local hold = tonumber(s[7]) or -1e300
local recoverAfter = tonumber(ARGV[5])
if factor < 1 and now - changed >= recoverAfter then
	local steps = math.floor((now - changed) / recoverAfter)
	factor = math.min(1, factor * 1.25 ^ math.min(steps, 64))
	if factor >= 1 then changed = now else changed = changed + steps * recoverAfter end
end
`;

const WRITE = `
local function save(extraKeep)
	redis.call('HSET', KEYS[1], 'next', nxt, 'paused', paused, 'factor', factor, 'changed', changed, 'used', now, 'hold', hold)
	if rate then redis.call('HSET', KEYS[1], 'rate', rate) end
	local keep = math.max(${IDLE_FORGET_MS}, math.ceil(extraKeep))
	redis.call('PEXPIRE', KEYS[1], keep)
	redis.call('PEXPIRE', KEYS[2], keep)
end
`;

const SCRIPTS = {
	// KEYS: the hash, the log. ARGV: units, perSecond, guardMs, minFactor, recoverAfterMs, id (`<process>/<uuid>`), process,
	// now (or ''). {1, now, cold} when the start is granted now (and recorded); {0, ms to wait} when not yet. cold: 1 for
	// the first start in an empty window (it holds the sender until its answer), 2 for a process's first start in a busy
	// one (its request opens a connection of its own too, and may reach the provider as late: its answer moves it).
	gatewayPace: {
		numberOfKeys: 2,
		lua: `${NOW}${READ}${WRITE}
local units, perSecond, guard = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local window = 1000 + guard
-- Two runs asking one sender for different rates at once: the lower one holds for both; after 2 s unused, the new one.
if not rate or now - used > 2000 or perSecond < rate then rate = perSecond end
if hold > now then return {0, tostring(math.min(hold - now, ${HOLD_POLL_MS}))} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local log = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
local r = rate * factor
local cap = math.max(r, units)
local at = math.max(now, nxt, paused)
while true do
	local inWindow, first = 0, nil
	for i = 1, #log, 2 do
		local t = tonumber(log[i + 1])
		if t + window > at then
			if not first then first = t end
			inWindow = inWindow + tonumber(string.match(log[i], '|([%d.]+)$'))
		end
	end
	if inWindow + units <= cap + 1e-9 or not first then break end
	at = first + window
end
if at > now then return {0, tostring(at - now)} end
local cold = #log == 0
local fresh = cold
if not cold then
	fresh = true
	local mine = ARGV[7] .. '/'
	for i = 1, #log, 2 do
		if string.sub(log[i], 1, #mine) == mine then
			fresh = false
			break
		end
	end
end
local interval = units * 1000 / r
if now <= nxt + math.max(interval, window) then nxt = nxt + interval else nxt = now + interval end
redis.call('ZADD', KEYS[2], now, ARGV[6] .. '|' .. units)
if cold then
	hold = now + ${FIRST_ANSWER_WAIT_MS}
	redis.call('HSET', KEYS[1], 'holdId', ARGV[6])
end
save(paused - now + window)
return {1, tostring(now), cold and 1 or (fresh and 2 or 0)}
`,
	},
	// KEYS: the hash, the log. ARGV: units, perSecond, guardMs, minFactor, recoverAfterMs, id, now (or ''). The answer to
	// a cold start came: its start counts from now (it may have reached the provider this late), and the line moves on.
	// A start that holds nothing (a process's first in a busy window, or one whose hold has passed to another) only moves.
	gatewayPaceAnswered: {
		numberOfKeys: 2,
		lua: `${NOW}${READ}${WRITE}
local units = tonumber(ARGV[1])
local member = ARGV[6] .. '|' .. units
local at = redis.call('ZSCORE', KEYS[2], member)
if s[8] ~= ARGV[6] then
	if at and tonumber(at) < now then redis.call('ZADD', KEYS[2], now, member) end
	return 0
end
if at and tonumber(at) < now then redis.call('ZADD', KEYS[2], now, member) end
nxt = math.max(nxt, now + units * 1000 / ((rate or tonumber(ARGV[2])) * factor))
hold = -1e300
redis.call('HDEL', KEYS[1], 'holdId')
rate = rate or tonumber(ARGV[2])
save(paused - now + 1000 + tonumber(ARGV[3]))
return 1
`,
	},
	// KEYS: the hash, the log. ARGV: retryAfterMs ('' for none), perSecond, guardMs, minFactor, recoverAfterMs, now (or '').
	// The provider said "too many requests": pause every start, and halve the rate once per burst.
	gatewayPaceSlowDown: {
		numberOfKeys: 2,
		lua: `${NOW}${READ}${WRITE}
local wait = tonumber(ARGV[1]) or 1000
if wait < 0 then wait = 1000 end
paused = math.max(paused, now + wait)
if now - changed >= 1000 then
	factor = math.max(tonumber(ARGV[4]), factor / 2)
	changed = now
	nxt = math.max(nxt, paused)
end
save(paused - now + 1000 + tonumber(ARGV[3]))
return 1
`,
	},
} as const;

type PaceRedis = Redis & {
	gatewayPace(hash: string, log: string, ...args: Array<string | number>): Promise<[number, string, number?]>;
	gatewayPaceAnswered(hash: string, log: string, ...args: Array<string | number>): Promise<number>;
	gatewayPaceSlowDown(hash: string, log: string, ...args: Array<string | number>): Promise<number>;
};

function withScripts(client: Redis): PaceRedis {
	const c = client as PaceRedis;
	for (const [name, script] of Object.entries(SCRIPTS)) {
		if (typeof (c as unknown as Record<string, unknown>)[name] !== 'function') client.defineCommand(name, script);
	}
	return c;
}

/** This process, as its starts are marked in a sender's log. */
const PROCESS = randomUUID();

/** Each process's line per Redis and sender: one start at a time asks Redis. */
const lines = new Map<string, Promise<void>>();
/**
 * Each process's outage per Redis: a start that waited in line behind another's wait for an unreachable Redis counts
 * from when that began, so every run here stops OUTAGE_MS after Redis went, not one OUTAGE_MS after another.
 */
const outages = new Map<string, Outage>();

export interface RedisBudgetOptions {
	settings?: Omit<PaceSettings, 'perSecond'>;
	/** How long to keep asking an unreachable Redis. */
	outageMs?: number;
	/** Tests: Redis's clock replaced by this one (milliseconds). */
	now?: () => number;
	wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Tests: budgets with different lines act as different processes (workers) would. */
	line?: string;
}

/** The rate budgets on a messagingRedisApi credential. */
export function redisBudget(credentials: ICredentialDataDecryptedObject, options: RedisBudgetOptions = {}): RateBudget {
	const settings = options.settings ?? DEFAULT_PACE;
	const outageMs = options.outageMs ?? OUTAGE_MS;
	const wait = options.wait ?? pause;
	const now = () => (options.now ? String(options.now()) : '');
	// The line is per Redis server, database and prefix: budgets on another Redis are other budgets.
	const { host, port, db, prefix } = redisSettings(credentials);
	const where = `${host}:${port}/${db}/${prefix}/${options.line ?? ''}`;
	let outage = outages.get(where);
	if (!outage) outages.set(where, (outage = {}));
	// This process (a test's line: another process) in the log's members, without their separators.
	const here = options.line === undefined ? PROCESS : `${PROCESS}:${encodeURIComponent(options.line)}`;
	const keys = (prefix: string, sender: string) => [`${prefix}rate:${sender}`, `${prefix}rate:${sender}:log`] as const;
	const args = (perSecond: number) => [perSecond, settings.guardMs, settings.minFactor, settings.recoverAfterMs];

	/** Keys of a sender that cannot be used: nothing more is sent from it, with what to do. */
	const unusable = (sender: string, what: string) => {
		const [hash, log] = keys(prefix, sender);
		return new SharedStateUnusable(
			`The rate budget of ${sender} in Redis (keys ${hash} and ${log}) ${what}: the keys hold what this version did not write. Delete both (the sender's budget starts again), or give the Messaging Gateway Redis credential a key prefix of its own`,
		);
	};

	/** Run a script, waiting out an unreachable Redis for up to outageMs; keys Redis cannot run it on stop at once. */
	const script = <T>(signal: AbortSignal | undefined, sender: string, command: (client: PaceRedis, prefix: string) => Promise<T>): Promise<T> =>
		patiently(
			() =>
				runRedis(credentials, (client, prefix) => command(withScripts(client), prefix)).catch((error: unknown) => {
					const message = error instanceof Error ? error.message : String(error);
					const reply = /\((WRONGTYPE .*?|ERR user_script.*?)\): /.exec(message)?.[1];
					throw reply ? unusable(sender, `cannot be read (${reply})`) : error;
				}),
			signal,
			outageMs,
			wait,
			outage,
		);

	async function start(sender: string, units: number, perSecond: number, signal?: AbortSignal): Promise<Taken> {
		const id = `${here}/${randomUUID()}`;
		for (;;) {
			const [granted, value, cold] = await script(signal, sender, (client, prefix) => client.gatewayPace(...keys(prefix, sender), units, ...args(perSecond), id, here, now()));
			if (Number(granted) === 1) {
				if (Number(cold) === 0) return { sent: () => undefined };
				let answered = false;
				return {
					sent: () => {
						if (answered) return;
						answered = true;
						// Best effort: if Redis is away now, the hold ends by itself within FIRST_ANSWER_WAIT_MS.
						void runRedis(credentials, (client, prefix) => withScripts(client).gatewayPaceAnswered(...keys(prefix, sender), units, ...args(perSecond), id, now())).catch(() => undefined);
					},
				};
			}
			const ms = Number(value);
			if (!(ms <= MAX_WAIT_MS)) throw unusable(sender, `asks to wait ${ms < 1e13 ? `${Math.round(ms / 86_400_000).toLocaleString('en-US')} days` : 'for ever'} before the next message`);
			await wait(Math.max(1, Math.ceil(ms)), signal);
		}
	}

	return {
		async take(sender, units, perSecond, signal) {
			const lineKey = `${where}\u0000${sender}`;
			const ahead = lines.get(lineKey) ?? Promise.resolve();
			let done!: () => void;
			const gate = new Promise<void>((resolve) => (done = resolve));
			const mine = ahead.then(() => gate);
			lines.set(lineKey, mine);
			try {
				await ahead;
				return await start(sender, units, perSecond, signal);
			} finally {
				done();
				if (lines.get(lineKey) === mine) lines.delete(lineKey);
			}
		},
		slowDown(sender, retryAfterMs) {
			// Every worker's sends from this sender pause. Best effort: the provider's own 429s keep coming if this fails.
			void runRedis(credentials, (client, prefix) =>
				withScripts(client).gatewayPaceSlowDown(...keys(prefix, sender), retryAfterMs === undefined || !Number.isFinite(retryAfterMs) ? '' : Math.min(Math.max(0, retryAfterMs), MAX_WAIT_MS), ...args(0), now()),
			).catch(() => undefined);
		},
	};
}
