/**
 * A campaign's sent-ledger in the package's Redis credential: a recipient claimed, accepted or possibly sent under a
 * campaign key by any worker is never sent again by another. Each step is one atomic command or Lua script, on
 * Redis's own clock.
 *
 * A claim is held by its process while the message is on its way, and renewed every RENEW_MS for LEASE_MS: a claim
 * that is no longer renewed (its worker was killed, or lost Redis) is stale, and a later run may find out what became
 * of it (send.ts: never left, or the provider has no such message → taken over and sent; else reported). Before a
 * request leaves its claims are marked `leaving`, so a stale claim that never got that far is known not to have been
 * sent.
 *
 * Keys, under the credential's prefix:
 *   sent:<sha256 of the campaign's scope, 32 hex>:<recipient>
 *       {"p":1,"at","owner","until","leaving"} while claimed; the SentRecord once settled. Kept 7 days.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { LEDGER_TTL_MS, type Claim, type SentLedger, type SentRecord } from '../campaign/sentLedger';
import { redisSettings, runRedis } from './redisStore';

/** How long a claim holds without being renewed. */
export const LEASE_MS = 20_000;
const RENEW_MS = 5_000;

/** This process, as the owner of its claims. */
const OWNER = `${hostname()}:${process.pid}:${randomUUID()}`;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// A pending claim of this owner, decoded, or nil.
const OWNED = `
local function owned(key, owner)
	local v = redis.call('GET', key)
	if not v then return nil end
	local ok, d = pcall(cjson.decode, v)
	if ok and type(d) == 'table' and d.p == 1 and d.owner == owner then return d end
	return nil
end
`;

const SCRIPTS = {
	// KEYS[1] the recipient's key. ARGV owner, lease, ttl. {'' , now} when claimed; {what was there, now} when not;
	// {'', now, its type} when the key is not a string (another program's).
	gatewayLedgerClaim: {
		numberOfKeys: 1,
		lua: `${NOW}
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'none' and kind ~= 'string' then return {'', tostring(now), kind} end
local v = redis.call('GET', KEYS[1])
if v then return {v, tostring(now)} end
redis.call('SET', KEYS[1], cjson.encode({p = 1, at = now, owner = ARGV[1], ['until'] = now + tonumber(ARGV[2]), leaving = 0}), 'PX', ARGV[3])
return {'', tostring(now)}
`,
	},
	// KEYS the recipients' keys. ARGV owner, lease, ttl. Marks this owner's claims as leaving; a claim Redis no longer
	// has (it lost its data) is made again. The positions (1-based) of the keys another run holds now: not sent here.
	gatewayLedgerLeaving: {
		lua: `${NOW}${OWNED}
local lost = {}
for i, key in ipairs(KEYS) do
	local d = owned(key, ARGV[1])
	if d then
		d.leaving = 1
		redis.call('SET', key, cjson.encode(d), 'KEEPTTL')
	elseif redis.call('EXISTS', key) == 0 then
		redis.call('SET', key, cjson.encode({p = 1, at = now, owner = ARGV[1], ['until'] = now + tonumber(ARGV[2]), leaving = 1}), 'PX', ARGV[3])
	else
		lost[#lost + 1] = i
	end
end
return lost
`,
	},
	// KEYS the keys this owner holds. ARGV owner, lease. Renews them; the number still held.
	gatewayLedgerRenew: {
		lua: `${NOW}${OWNED}
local held = 0
for _, key in ipairs(KEYS) do
	local d = owned(key, ARGV[1])
	if d then
		d['until'] = now + tonumber(ARGV[2])
		redis.call('SET', key, cjson.encode(d), 'KEEPTTL')
		held = held + 1
	end
end
return held
`,
	},
	// KEYS[1]. ARGV owner. Gives this owner's claim back (its message certainly did not leave).
	gatewayLedgerRelease: {
		numberOfKeys: 1,
		lua: `${OWNED}
if owned(KEYS[1], ARGV[1]) then redis.call('DEL', KEYS[1]) return 1 end
return 0
`,
	},
	// KEYS[1]. ARGV owner, lease, ttl. A stale claim becomes this owner's; 1 when it did.
	gatewayLedgerTakeOver: {
		numberOfKeys: 1,
		lua: `${NOW}
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, d = pcall(cjson.decode, v)
if not ok or type(d) ~= 'table' or d.p ~= 1 or type(d.at) ~= 'number' or math.abs(d.at) > 8.64e15 or type(d['until']) ~= 'number' or d['until'] >= now then return 0 end
redis.call('SET', KEYS[1], cjson.encode({p = 1, at = now, owner = ARGV[1], ['until'] = now + tonumber(ARGV[2]), leaving = 0}), 'PX', ARGV[3])
return 1
`,
	},
} as const;

type LedgerRedis = Redis & {
	gatewayLedgerClaim(key: string, owner: string, lease: number, ttl: number): Promise<[string, string, string?]>;
	gatewayLedgerLeaving(count: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
	gatewayLedgerRenew(count: number, ...keysThenArgs: Array<string | number>): Promise<number>;
	gatewayLedgerRelease(key: string, owner: string): Promise<number>;
	gatewayLedgerTakeOver(key: string, owner: string, lease: number, ttl: number): Promise<number>;
};

function withScripts(client: Redis): LedgerRedis {
	const c = client as LedgerRedis;
	for (const [name, script] of Object.entries(SCRIPTS)) {
		if (typeof (c as unknown as Record<string, unknown>)[name] !== 'function') client.defineCommand(name, script);
	}
	return c;
}

interface PendingJson {
	p: 1;
	at: number;
	owner: string;
	until: number;
	leaving: 0 | 1;
}

/** What a claim found there (at `key`), as the ledger's interface says it. */
export function readClaim(stored: string, nowMs: number, key = '', leaseMs = LEASE_MS): Claim {
	let value: unknown;
	try {
		value = JSON.parse(stored);
	} catch {
		value = undefined;
	}
	// A pending claim has its times as numbers (`at` one a date can hold): one without is something this version cannot read (below).
	const pending = value && typeof value === 'object' ? (value as PendingJson) : undefined;
	const since = typeof pending?.at === 'number' ? new Date(pending.at) : undefined;
	if (pending?.p === 1 && typeof pending.until === 'number' && Number.isFinite(pending.until) && since && Number.isFinite(since.getTime())) {
		return { claimed: false, pending: { since: since.toISOString(), stale: !(pending.until >= nowMs), leaving: pending.leaving === 1, leaseMs } };
	}
	if (value && typeof value === 'object' && ((value as SentRecord).outcome === 'accepted' || (value as SentRecord).outcome === 'unknown')) return { claimed: false, record: value as SentRecord };
	// Something this version cannot read: taken as possibly sent, never sent again (what it is stays out of the items).
	return unreadable('a value', nowMs, key);
}

function unreadable(what: string, nowMs: number, key: string): Claim {
	return { claimed: false, record: { outcome: 'unknown', at: new Date(nowMs).toISOString(), unreadable: `Redis holds ${what} at ${key}, which this version cannot read` } };
}

/** The claims this process holds, per Redis credential, renewed together. */
const holders = new Map<string, { credentials: ICredentialDataDecryptedObject; leaseMs: number; owner: string; keys: Set<string> }>();
let renewing: NodeJS.Timeout | undefined;

function renewAll(): void {
	for (const holder of holders.values()) {
		const keys = [...holder.keys];
		if (keys.length === 0) continue;
		// A failed renewal is tried again next time; a claim not renewed for LEASE_MS goes stale, which is what it should.
		void runRedis(holder.credentials, (client) => withScripts(client).gatewayLedgerRenew(keys.length, ...keys, holder.owner, holder.leaseMs)).catch(() => undefined);
	}
}

function hold(where: string, credentials: ICredentialDataDecryptedObject, leaseMs: number, owner: string, key: string): void {
	let holder = holders.get(where);
	if (!holder) holders.set(where, (holder = { credentials, leaseMs, owner, keys: new Set() }));
	holder.keys.add(key);
	if (!renewing) {
		renewing = setInterval(renewAll, RENEW_MS);
		// Never what keeps n8n (or a test run) alive.
		renewing.unref();
	}
}

function letGo(where: string, key: string): void {
	const holder = holders.get(where);
	holder?.keys.delete(key);
	if (holder && holder.keys.size === 0) holders.delete(where);
	if (holders.size === 0 && renewing) {
		clearInterval(renewing);
		renewing = undefined;
	}
}

/** The sent-ledger on a messagingRedisApi credential. */
export interface RedisLedgerOptions {
	/** Tests: a shorter lease (a claim goes stale sooner). */
	leaseMs?: number;
	/** Tests: ledgers with different owners act as different processes (workers) would. */
	owner?: string;
}

export function redisLedger(credentials: ICredentialDataDecryptedObject, options: RedisLedgerOptions = {}): SentLedger {
	const { host, port, db, prefix: ours } = redisSettings(credentials);
	const leaseMs = options.leaseMs ?? LEASE_MS;
	const owner = options.owner ?? OWNER;
	const where = `${host}:${port}/${db}/${ours}/${leaseMs}/${owner}`;
	const scopes = new Map<string, string>();
	const keyOf = (prefix: string, campaign: string, recipient: string) => {
		let scope = scopes.get(campaign);
		if (!scope) scopes.set(campaign, (scope = createHash('sha256').update(campaign).digest('hex').slice(0, 32)));
		return `${prefix}sent:${scope}:${recipient}`;
	};
	const keyFor = (campaign: string, recipient: string) => keyOf(ours, campaign, recipient);
	const run = <T>(command: (client: LedgerRedis, prefix: string) => Promise<T>) => runRedis(credentials, (client, prefix) => command(withScripts(client), prefix));
	return {
		async claim(campaign, recipient) {
			let key = '';
			const [stored, now, kind] = await run((client, prefix) => client.gatewayLedgerClaim((key = keyOf(prefix, campaign, recipient)), owner, leaseMs, LEDGER_TTL_MS));
			if (kind) return unreadable(`a ${kind}`, Number(now), key);
			if (stored !== '') return readClaim(stored, Number(now), key, leaseMs);
			hold(where, credentials, leaseMs, owner, key);
			return { claimed: true };
		},
		async leaving(campaign, recipients) {
			if (recipients.length === 0) return [];
			const lost = await run((client, prefix) => {
				const keys = recipients.map((r) => keyOf(prefix, campaign, r));
				return client.gatewayLedgerLeaving(keys.length, ...keys, owner, leaseMs, LEDGER_TTL_MS);
			});
			return lost.map((position) => recipients[Number(position) - 1]);
		},
		async takeOver(campaign, recipient) {
			let key = '';
			const taken = await run((client, prefix) => client.gatewayLedgerTakeOver((key = keyOf(prefix, campaign, recipient)), owner, leaseMs, LEDGER_TTL_MS));
			if (Number(taken) === 1) hold(where, credentials, leaseMs, owner, key);
			return Number(taken) === 1;
		},
		// Renewal stops either way: a claim whose settling failed goes stale, and a later run finds out what became of it.
		async settle(campaign, recipient, record) {
			try {
				await run((client, prefix) => client.set(keyOf(prefix, campaign, recipient), JSON.stringify(record), 'PX', LEDGER_TTL_MS));
			} finally {
				letGo(where, keyFor(campaign, recipient));
			}
		},
		async release(campaign, recipient) {
			try {
				await run((client, prefix) => client.gatewayLedgerRelease(keyOf(prefix, campaign, recipient), owner));
			} finally {
				letGo(where, keyFor(campaign, recipient));
			}
		},
	};
}
