/**
 * Helpers for test/engine/hostile.campaign.redis.test.ts: a second n8n "worker" in this Jest process, fake Redis
 * servers (silent, echoing, a proxy that can cut one worker off), and the sent-ledger's key layout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { Engine } from './engine';

const DIST_STORE = join(__dirname, '..', '..', 'dist', 'nodes', 'shared', 'state', 'redisStore.js');

interface StoreModule {
	closeRedisClients(): Promise<void>;
}

/** The Redis clients of the copy of dist/ the main registry's engine runs. */
export async function closeDistRedisClients(): Promise<void> {
	await ((await import(DIST_STORE)) as StoreModule).closeRedisClients();
}

export interface Worker {
	engine: Engine;
	/** Closes this worker's Redis clients (its own copy of dist/'s redisStore). */
	close(): Promise<void>;
}

/**
 * An engine with a module registry of its own: its copy of dist/ has its own process-wide state (the sent-ledger's
 * owner, its renewals, the rate budget's lines, the Redis clients), as another queue-mode worker would.
 */
export async function isolatedWorker(): Promise<Worker> {
	let engine: Engine | undefined;
	let store: StoreModule | undefined;
	await jest.isolateModulesAsync(async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy, in the isolated registry
		const mod = require('./engine') as typeof import('./engine');
		engine = await mod.Engine.load();
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- the copy this worker's nodes use
		store = require(DIST_STORE) as StoreModule;
	});
	if (!engine || !store) throw new Error('the isolated worker did not load');
	const own = store;
	return { engine, close: () => own.closeRedisClients() };
}

/** The sent-ledger's key for a recipient of a campaign keyed `campaignKey` in workflow `workflowId` (as redisLedger.ts and campaign.operation.ts make it). */
export function ledgerKey(prefix: string, workflowId: string, campaignKey: string, recipient: string): string {
	const scope = createHash('sha256').update(`campaign:${workflowId}:${campaignKey}`).digest('hex').slice(0, 32);
	return `${prefix}sent:${scope}:${recipient}`;
}

export interface FakeRedis {
	port: number;
	/** Everything clients sent, as text. */
	heard(): string;
	close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<number> {
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	return typeof address === 'object' && address ? address.port : 0;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
	return async () => {
		for (const socket of sockets) socket.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	};
}

/** Accepts connections, reads everything, never answers: a Redis stuck, a half-open firewall. */
export async function silentRedis(): Promise<FakeRedis> {
	const sockets = new Set<Socket>();
	let heard = '';
	const server = createServer((socket) => socket.on('data', (chunk: Buffer) => (heard += chunk.toString('latin1'))));
	const port = await listen(server, sockets);
	return { port, heard: () => heard, close: closer(server, sockets) };
}

/** The commands of a RESP stream (arrays of bulk strings), as far as they came. */
function commandsIn(text: string): string[][] {
	const out: string[][] = [];
	const re = /\*(\d+)\r\n((?:\$\d+\r\n[^\r]*\r\n)*)/g;
	for (const m of text.matchAll(re)) out.push([...m[2].matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((a) => a[1]));
	return out;
}

/**
 * A Redis that gives everything it heard back in its errors. `auth`: 'refuse' answers AUTH with an error that holds
 * the whole AUTH line (as Redis answers an unknown command: "ERR unknown command 'AUTH', with args beginning with…");
 * 'accept' says OK to AUTH (and CLIENT), then answers every other command with a NOPERM error quoting all it heard.
 */
export async function echoingRedis(auth: 'refuse' | 'accept'): Promise<FakeRedis> {
	const sockets = new Set<Socket>();
	let heard = '';
	const server = createServer((socket) => {
		let mine = '';
		socket.on('data', (chunk: Buffer) => {
			const text = chunk.toString('latin1');
			heard += text;
			mine += text;
			for (const command of commandsIn(text)) {
				const name = (command[0] ?? '').toUpperCase();
				const args = command.slice(1).map((a) => `'${a}'`).join(' ');
				if (name === 'AUTH' && auth === 'refuse') socket.write(`-ERR unknown command 'AUTH', with args beginning with: ${args}\r\n`);
				else if ((name === 'AUTH' || name === 'CLIENT') && auth === 'accept') socket.write('+OK\r\n');
				else socket.write(`-NOPERM this user has no permissions to run '${name}' (you said: ${mine.replace(/\r\n/g, ' ').slice(0, 400)})\r\n`);
			}
		});
	});
	const port = await listen(server, sockets);
	return { port, heard: () => heard, close: closer(server, sockets) };
}

export interface RedisProxy {
	port: number;
	/** Cut every connection and refuse new ones (the worker behind it cannot reach Redis); `true` again to let them through. */
	cut(off: boolean): void;
	close(): Promise<void>;
}

/** A TCP proxy to a Redis: what one worker sees of it (a network partition is `cut(true)`). */
export async function redisProxy(targetPort: number): Promise<RedisProxy> {
	const sockets = new Set<Socket>();
	let off = false;
	const server = createServer((client) => {
		if (off) {
			client.destroy();
			return;
		}
		const upstream = connect(targetPort, '127.0.0.1');
		sockets.add(upstream);
		upstream.on('close', () => sockets.delete(upstream));
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
		client.on('close', () => upstream.destroy());
		upstream.on('close', () => client.destroy());
		client.pipe(upstream);
		upstream.pipe(client);
	});
	const port = await listen(server, sockets);
	return {
		port,
		cut(value) {
			off = value;
			if (off) for (const socket of sockets) socket.destroy();
		},
		close: closer(server, sockets),
	};
}

export interface RestartableRedis {
	port: number;
	/** Stop the server (SIGKILL: as a crash, or a container restarted); it kept nothing on disk. */
	stop(): Promise<void>;
	/** Start it again on the same port: empty. */
	start(): Promise<void>;
	running(): boolean;
	/** Stop it for good and remove its folder. */
	dispose(): Promise<void>;
}

/** A redis-server without persistence (as test/helpers/redis.ts starts them) that a test can stop and start again on its port. */
export async function restartableRedis(port: number, password?: string): Promise<RestartableRedis> {
	const binary = process.env.REDIS_SERVER_PATH || 'redis-server';
	let child: ChildProcess | undefined;
	const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-restart-'));
	const start = async () => {
		const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, ...(password ? ['--requirepass', password] : [])];
		const proc = spawn(binary, args, { stdio: 'ignore' });
		child = proc;
		const end = Date.now() + 10_000;
		for (;;) {
			if (proc.exitCode !== null) throw new Error(`${binary} exited (${proc.exitCode}) on port ${port}`);
			const probe = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, disconnectTimeout: 0 });
			probe.on('error', () => undefined);
			try {
				await probe.connect();
				if ((await probe.ping()) === 'PONG') return;
			} catch {
				// Not listening yet.
			} finally {
				probe.disconnect();
			}
			if (Date.now() > end) throw new Error(`${binary} did not answer PING on port ${port} within 10 s`);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	};
	const stop = async () => {
		const proc = child;
		child = undefined;
		if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
		const gone = new Promise((resolve) => proc.once('exit', resolve));
		proc.kill('SIGKILL');
		await gone;
	};
	await start();
	return {
		port,
		stop,
		start,
		running: () => child !== undefined,
		async dispose() {
			await stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/**
 * Credentials per node: a node whose credential of a type names an ID set here gets this ID's data (the engine's helper
 * otherwise gives one credential per type), so that runs on one engine at the same time can use different Redis
 * servers or sandboxes. `restore` puts the helper back.
 */
export function credentialsById(engine: Engine): { set(id: string, data: ICredentialDataDecryptedObject): void; restore(): void } {
	const helper = engine.helper;
	const original = helper.getDecrypted.bind(helper);
	const byId = new Map<string, ICredentialDataDecryptedObject>();
	helper.getDecrypted = async (additional, details, type) => {
		const data = details.id ? byId.get(details.id) : undefined;
		return data ? { ...data } : await original(additional, details, type);
	};
	return {
		set: (id, data) => void byId.set(id, data),
		restore: () => void (helper.getDecrypted = original),
	};
}

/** A node's credentials naming these IDs (each credential type the campaign asks for). */
export const nodeCredentials = (ids: { twilio?: string; redis: string }) => ({
	credentials: {
		messagingTwilioApi: { id: ids.twilio ?? 'messagingTwilioApi', name: ids.twilio ?? 'messagingTwilioApi' },
		messagingSinchApi: { id: 'messagingSinchApi', name: 'messagingSinchApi' },
		messagingRedisApi: { id: ids.redis, name: ids.redis },
	},
});
