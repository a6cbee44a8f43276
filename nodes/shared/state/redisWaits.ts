/**
 * Messages waiting for an answer, in the package's Redis credential: every main, webhook and worker process that uses
 * the same credential sees the same waits. What decides something is one Lua script (atomic on the server): a new
 * wait's reference, a claim (one reply, click or time limit wins, once), a claim put back.
 *
 * Keys, all under the credential's prefix:
 *   wait:<id>                    the wait (JSON); kept until its time limit (and a grace) or a year without one
 *   wait:exec:<executionId>      the ID of the wait the execution is in
 *   wait:to:<channel>:<number>   sorted set of a person's waiting IDs, by when they were sent
 *   wait:answer:<executionId>    the answer (JSON), kept a day: what the resumed node outputs
 *   wait:reply:<number>:<msgId>  the ID of the wait a person's reply answered, kept a day: a reply answers once
 */
import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { newReference, type SeveralWaiting } from '../rules/replies';
import { runRedis } from './redisStore';
import { ANSWER_KEPT_MS, isOpen, keepUntil, replyKey, type Answer, type PendingWait, type WaitChannel, type WaitStore } from './waits';

/** Stands for the reference in a wait's JSON until the script knows it. */
const REFERENCE_SLOT = '"@@reference@@"';
/** References offered to the script per registration: it takes the first one the recipients do not have yet. */
const CANDIDATES = 24;

const SCRIPTS = {
	// KEYS the recipients' lists. ARGV: prefix, id, executionId, wait JSON (reference as a slot), policy, sender ('' for
	// unknown), now, keep (ms), candidates… Drops list entries whose wait is gone; counts the recipients' open waits
	// (from this sender, for "needs a reference"); ends the execution's previous wait and answer; stores this one.
	gatewayWaitRegister: {
		lua: `
local prefix, id, executionId, json, policy, sender = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now, keep = tonumber(ARGV[7]), tonumber(ARGV[8])
local taken, fromSender, seen = {}, 0, {}
local function drop(wid)
	local raw = redis.call('GET', prefix .. 'wait:' .. wid)
	if not raw then return end
	local w = cjson.decode(raw)
	redis.call('DEL', prefix .. 'wait:' .. wid)
	for _, r in ipairs(w.recipients) do redis.call('ZREM', prefix .. 'wait:to:' .. w.channel .. ':' .. r, wid) end
	if redis.call('GET', prefix .. 'wait:exec:' .. w.executionId) == wid then redis.call('DEL', prefix .. 'wait:exec:' .. w.executionId) end
end
local previous = redis.call('GET', prefix .. 'wait:exec:' .. executionId)
if previous then drop(previous) end
-- Its earlier answer too: the execution resumed with it, and it must not resume this wait (a later node's).
redis.call('DEL', prefix .. 'wait:answer:' .. executionId)
for _, list in ipairs(KEYS) do
	for _, wid in ipairs(redis.call('ZRANGE', list, 0, -1)) do
		local raw = redis.call('GET', prefix .. 'wait:' .. wid)
		if not raw then
			redis.call('ZREM', list, wid)
		elseif not seen[wid] then
			seen[wid] = true
			local w = cjson.decode(raw)
			if w.expiresAt == cjson.null or w.expiresAt > now then
				if w.reference ~= cjson.null then taken[w.reference] = true end
				if sender == '' or w.sender == cjson.null or w.sender == sender then fromSender = fromSender + 1 end
			end
		end
	end
end
local reference = false
if policy == 'reference' and fromSender > 0 then
	for i = 9, #ARGV do
		if not taken[ARGV[i]] then reference = ARGV[i] break end
	end
	if not reference then return {-1, fromSender} end
end
local stored = string.gsub(json, '"@@reference@@"', reference and ('"' .. reference .. '"') or 'null', 1)
redis.call('SET', prefix .. 'wait:' .. id, stored, 'PX', keep)
redis.call('SET', prefix .. 'wait:exec:' .. executionId, id, 'PX', keep)
for _, list in ipairs(KEYS) do
	redis.call('ZADD', list, now, id)
	if redis.call('PTTL', list) < keep then redis.call('PEXPIRE', list, keep) end
end
return {reference or '', fromSender}
`,
	},
	// ARGV: prefix, id, answer JSON, answer's keep (ms), the reply's key ('' for none). 1 when this call took the wait, 0
	// when it was gone or the reply answered a wait already.
	gatewayWaitClaim: {
		lua: `
local prefix, id, reply = ARGV[1], ARGV[2], ARGV[5]
local raw = redis.call('GET', prefix .. 'wait:' .. id)
if not raw then return 0 end
if reply ~= '' and redis.call('EXISTS', prefix .. 'wait:reply:' .. reply) == 1 then return 0 end
if reply ~= '' then redis.call('SET', prefix .. 'wait:reply:' .. reply, id, 'PX', tonumber(ARGV[4])) end
local w = cjson.decode(raw)
redis.call('DEL', prefix .. 'wait:' .. id)
for _, r in ipairs(w.recipients) do redis.call('ZREM', prefix .. 'wait:to:' .. w.channel .. ':' .. r, id) end
if redis.call('GET', prefix .. 'wait:exec:' .. w.executionId) == id then redis.call('DEL', prefix .. 'wait:exec:' .. w.executionId) end
redis.call('SET', prefix .. 'wait:answer:' .. w.executionId, ARGV[3], 'PX', tonumber(ARGV[4]))
return 1
`,
	},
	// ARGV: prefix, id, executionId, wait JSON, keep (ms), now, channel, recipients… Puts a claimed wait back, and its
	// answer away, unless another answer came since.
	gatewayWaitUnclaim: {
		lua: `
local prefix, id, executionId, json, keep, now, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local answer = redis.call('GET', prefix .. 'wait:answer:' .. executionId)
if answer then
	local a = cjson.decode(answer)
	if a.waitId == id then
		redis.call('DEL', prefix .. 'wait:answer:' .. executionId)
		-- The reply may answer again (its provider's retry) now that its answer was not given.
		if type(a.answeredBy) == 'string' and type(a.replyMessageId) == 'string' and a.answeredBy ~= '' and a.replyMessageId ~= '' then
			local reply = prefix .. 'wait:reply:' .. a.answeredBy .. ':' .. a.replyMessageId
			if redis.call('GET', reply) == id then redis.call('DEL', reply) end
		end
	end
end
if redis.call('EXISTS', prefix .. 'wait:' .. id) == 1 then return 0 end
redis.call('SET', prefix .. 'wait:' .. id, json, 'PX', keep)
redis.call('SET', prefix .. 'wait:exec:' .. executionId, id, 'PX', keep)
for i = 8, #ARGV do
	local list = prefix .. 'wait:to:' .. channel .. ':' .. ARGV[i]
	redis.call('ZADD', list, now, id)
	if redis.call('PTTL', list) < keep then redis.call('PEXPIRE', list, keep) end
end
return 1
`,
	},
	// ARGV: prefix, id, wait JSON. Replaces the wait (its message IDs added) only while it is still waiting, keeping its expiry.
	gatewayWaitSent: {
		lua: `
local key = ARGV[1] .. 'wait:' .. ARGV[2]
local ttl = redis.call('PTTL', key)
if ttl <= 0 then return 0 end
redis.call('SET', key, ARGV[3], 'PX', ttl)
return 1
`,
	},
} as const;

type WaitRedis = Redis & {
	gatewayWaitRegister(...args: Array<string | number>): Promise<[string | number, number]>;
	gatewayWaitClaim(...args: Array<string | number>): Promise<number>;
	gatewayWaitUnclaim(...args: Array<string | number>): Promise<number>;
	gatewayWaitSent(...args: Array<string | number>): Promise<number>;
};

function withScripts(client: Redis): WaitRedis {
	const c = client as WaitRedis;
	for (const [name, script] of Object.entries(SCRIPTS)) {
		if (typeof (c as unknown as Record<string, unknown>)[name] !== 'function') client.defineCommand(name, { numberOfKeys: name === 'gatewayWaitRegister' ? undefined : 0, lua: script.lua });
	}
	return c;
}

const parse = <T>(raw: string | null): T | undefined => {
	if (raw === null) return undefined;
	try {
		return JSON.parse(raw) as T;
	} catch {
		return undefined;
	}
};

const randomFraction = () => randomInt(0, 1 << 30) / (1 << 30);

export function redisWaits(credentials: ICredentialDataDecryptedObject): WaitStore {
	const listKey = (prefix: string, channel: WaitChannel, recipient: string) => `${prefix}wait:to:${channel}:${recipient}`;
	return {
		kind: 'redis',
		async register(wait, policy: SeveralWaiting, nowMs) {
			const keep = Math.max(1_000, Math.ceil(keepUntil(wait, nowMs) - nowMs));
			const json = JSON.stringify({ ...wait, reference: '@@reference@@', messageIds: [] }).replace('"@@reference@@"', REFERENCE_SLOT);
			const candidates: string[] = [];
			while (candidates.length < CANDIDATES) candidates.push(newReference(candidates, randomFraction));
			const [reference] = await runRedis(credentials, async (client, prefix) => {
				const keys = [...new Set(wait.recipients)].map((r) => listKey(prefix, wait.channel, r));
				return await withScripts(client).gatewayWaitRegister(keys.length, ...keys, prefix, wait.id, wait.executionId, json, policy, wait.sender ?? '', Math.round(nowMs), keep, ...candidates);
			});
			if (reference === -1) throw new Error('Every reference offered is taken by messages already waiting for this person; try again');
			return { reference: typeof reference === 'string' && reference !== '' ? reference : null };
		},
		async sent(waitId, messageIds) {
			await runRedis(credentials, async (client, prefix) => {
				const current = parse<PendingWait>(await client.get(`${prefix}wait:${waitId}`));
				if (!current) return;
				await withScripts(client).gatewayWaitSent(prefix, waitId, JSON.stringify({ ...current, messageIds: [...current.messageIds, ...messageIds] }));
			});
		},
		async cancel(waitId) {
			await runRedis(credentials, async (client, prefix) => {
				const current = parse<PendingWait>(await client.get(`${prefix}wait:${waitId}`));
				if (!current) return;
				const multi = client.multi().del(`${prefix}wait:${waitId}`);
				for (const r of current.recipients) multi.zrem(listKey(prefix, current.channel, r), waitId);
				await multi.exec();
				// The execution's index only when it still names this wait (compare and delete, atomic).
				await client.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, `${prefix}wait:exec:${current.executionId}`, waitId);
			});
		},
		async waiting(channel, recipient, nowMs) {
			return await runRedis(credentials, async (client, prefix) => {
				const ids = await client.zrange(listKey(prefix, channel, recipient), 0, -1);
				if (ids.length === 0) return [];
				const raws = await client.mget(...ids.map((id) => `${prefix}wait:${id}`));
				return raws
					.map((raw) => parse<PendingWait>(raw))
					.filter((w): w is PendingWait => w !== undefined && isOpen(w, nowMs))
					.sort((a, b) => a.createdAt - b.createdAt);
			});
		},
		async forExecution(executionId) {
			return await runRedis(credentials, async (client, prefix) => {
				const id = await client.get(`${prefix}wait:exec:${executionId}`);
				return id ? parse<PendingWait>(await client.get(`${prefix}wait:${id}`)) : undefined;
			});
		},
		async claim(waitId, answer: Answer) {
			const taken = await runRedis(credentials, (client, prefix) => withScripts(client).gatewayWaitClaim(prefix, waitId, JSON.stringify({ ...answer, waitId }), ANSWER_KEPT_MS, replyKey(answer) ?? ''));
			return Number(taken) === 1;
		},
		async unclaim(wait) {
			const now = Date.now();
			const keep = Math.max(1_000, Math.ceil(keepUntil(wait, now) - now));
			await runRedis(credentials, (client, prefix) => withScripts(client).gatewayWaitUnclaim(prefix, wait.id, wait.executionId, JSON.stringify(wait), keep, now, wait.channel, ...wait.recipients));
		},
		async answerFor(executionId) {
			return await runRedis(credentials, async (client, prefix) => parse<Answer>(await client.get(`${prefix}wait:answer:${executionId}`)));
		},
	};
}
