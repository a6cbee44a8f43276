/**
 * A real redis-server for one test file (Debian's, installed by scripts/install-redis.sh, or REDIS_SERVER_PATH): on a
 * free port of 127.0.0.1, nothing saved to disk, stopped after the file. A missing redis-server fails the file: a
 * Redis test that skips itself would pass on exactly the machines where nothing was checked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { closeRedisClients } from '../../nodes/shared/state/redisStore';

export interface RedisServer {
	port: number;
	password?: string;
	/** A messagingRedisApi credential for this server, with a key prefix of its own unless `extra` gives one. */
	credentials(extra?: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject;
	/** A plain client of the server for looking at what the store wrote (SCAN, PTTL); closed with the server. */
	admin(): Redis;
	stop(): Promise<void>;
}

export interface RedisServerOptions {
	password?: string;
	/** Extra redis-server arguments, e.g. ['--replicaof', '127.0.0.1', '6379']. */
	args?: string[];
	/** The port to listen on (a server started again where a stopped one was); a free one when not given. */
	port?: number;
}

/** A TCP port nothing listens on now: for a server to start on, or for a connection that must be refused. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

let prefixes = 0;

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
	const binary = process.env.REDIS_SERVER_PATH || 'redis-server';
	const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
	const port = options.port ?? (await freePort());
	const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.password ? ['--requirepass', options.password] : []), ...(options.args ?? [])];
	const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<Error>((resolve) => {
		child.once('error', (error: NodeJS.ErrnoException) =>
			resolve(
				error.code === 'ENOENT'
					? new Error(`${binary} is not installed: run \`bash scripts/install-redis.sh\` (as root it installs Debian's redis-server), or set REDIS_SERVER_PATH`)
					: error,
			),
		);
		child.once('exit', (code, signal) => resolve(new Error(`${binary} exited (${signal ?? code}) before answering PING:\n${output}`)));
	}).then((error) => {
		gone = true;
		return error;
	});
	const admins: Redis[] = [];
	const stop = async () => {
		for (const admin of admins.splice(0)) admin.disconnect();
		if (child.exitCode === null && child.signalCode === null) {
			const gone = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await gone;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	const admin = () => {
		// disconnectTimeout: ioredis otherwise leaves a 2 s timer behind, which Jest reports as keeping it alive.
		const client = new Redis({ host: '127.0.0.1', port, password: options.password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, disconnectTimeout: 0 });
		client.on('error', () => {});
		admins.push(client);
		return client;
	};

	let gone = false;
	const ready = (async () => {
		const end = Date.now() + 10_000;
		while (!gone) {
			const probe = new Redis({ host: '127.0.0.1', port, password: options.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, disconnectTimeout: 0 });
			probe.on('error', () => {});
			try {
				await probe.connect();
				if ((await probe.ping()) === 'PONG') return;
			} catch {
				// Not listening yet.
			} finally {
				probe.disconnect();
			}
			if (Date.now() > end) throw new Error(`${binary} did not answer PING on port ${port} within 10 s:\n${output}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	})();
	const first = await Promise.race([ready.then(() => undefined), exited]);
	if (first instanceof Error) {
		await stop();
		throw first;
	}
	return {
		port,
		password: options.password,
		credentials: (extra = {}) => ({
			host: '127.0.0.1',
			port,
			database: 0,
			user: '',
			password: options.password ?? '',
			tls: false,
			keyPrefix: `test-${process.pid}-${++prefixes}:`,
			...extra,
		}),
		admin,
		stop,
	};
}

/** A redis-server for the Jest file that calls it: started before its tests, stopped (and the store's clients closed) after. */
export function useRedis(options: RedisServerOptions = {}): { get: () => RedisServer } {
	let server: RedisServer | undefined;
	beforeAll(async () => {
		server = await startRedis(options);
	});
	afterAll(async () => {
		await closeRedisClients();
		await server?.stop();
	});
	return {
		get: () => {
			if (!server) throw new Error('redis-server not started (see the error of beforeAll)');
			return server;
		},
	};
}
