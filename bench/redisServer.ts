/**
 * A redis-server of the benchmark's own (Debian's, installed by scripts/install-redis.sh, or REDIS_SERVER_PATH): on a
 * free port of 127.0.0.1, nothing saved to disk, stopped at the end. The tests' helper (test/helpers/redis.ts) does
 * the same for Jest; this one also reads what the benchmark measures: INFO commandstats, the server's CPU time and
 * its memory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

export interface CommandStat {
	calls: number;
	usec: number;
}

export interface BenchRedis {
	port: number;
	pid: number;
	/** A messagingRedisApi credential for this server; the default key prefix unless one is given. */
	credentials(keyPrefix?: string): ICredentialDataDecryptedObject;
	/** A plain client of the server (not the package's). */
	admin: Redis;
	/** INFO commandstats: calls and microseconds by command (`evalsha`, `set`, and those the scripts ran). */
	commandStats(): Promise<Map<string, CommandStat>>;
	/** The server's CPU time so far (user + system), in seconds. */
	cpuSeconds(): Promise<number>;
	/** INFO memory's used_memory, in bytes. */
	usedMemory(): Promise<number>;
	stop(): Promise<void>;
}

async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

function infoFields(text: string): Map<string, string> {
	const fields = new Map<string, string>();
	for (const line of text.split(/\r?\n/)) {
		const at = line.indexOf(':');
		if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1));
	}
	return fields;
}

export async function startRedisServer(): Promise<BenchRedis> {
	const binary = process.env.REDIS_SERVER_PATH || 'redis-server';
	const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-redis-'));
	const port = await freePort();
	const child = spawn(binary, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	let failed: Error | undefined;
	child.once('error', (error: NodeJS.ErrnoException) => {
		failed = error.code === 'ENOENT' ? new Error(`${binary} is not installed: run \`bash scripts/install-redis.sh\`, or set REDIS_SERVER_PATH`) : error;
	});
	child.once('exit', (code, signal) => (failed ??= new Error(`${binary} exited (${signal ?? code}):\n${output}`)));
	const stop = async () => {
		admin.disconnect();
		if (child.exitCode === null && child.signalCode === null) {
			const gone = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await gone;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, disconnectTimeout: 0 });
	admin.on('error', () => undefined);
	const deadline = Date.now() + 10_000;
	for (;;) {
		if (failed) {
			await stop();
			throw failed;
		}
		try {
			await admin.connect();
			if ((await admin.ping()) === 'PONG') break;
		} catch {
			// Not listening yet.
			admin.disconnect();
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`${binary} did not answer PING on port ${port} within 10 s:\n${output}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return {
		port,
		pid: child.pid ?? 0,
		credentials: (keyPrefix) => ({ host: '127.0.0.1', port, database: 0, user: '', password: '', tls: false, ...(keyPrefix === undefined ? {} : { keyPrefix }) }),
		admin,
		async commandStats() {
			const stats = new Map<string, CommandStat>();
			for (const [key, value] of infoFields(await admin.info('commandstats'))) {
				const calls = /calls=(\d+)/.exec(value);
				const usec = /usec=(\d+)/.exec(value);
				if (key.startsWith('cmdstat_') && calls && usec) stats.set(key.slice('cmdstat_'.length), { calls: Number(calls[1]), usec: Number(usec[1]) });
			}
			return stats;
		},
		async cpuSeconds() {
			const fields = infoFields(await admin.info('cpu'));
			return Number(fields.get('used_cpu_user')) + Number(fields.get('used_cpu_sys'));
		},
		async usedMemory() {
			return Number(infoFields(await admin.info('memory')).get('used_memory'));
		},
		stop,
	};
}
