/**
 * n8n in queue mode on one machine: Debian's redis-server on 127.0.0.1, n8n main (`n8n start`, EXECUTIONS_MODE=queue)
 * and n8n workers (`n8n worker`), all on one user folder (one SQLite database, one encryption key). Used by
 * `npm run start:queue` (scripts/start.ts --queue) and the queue-mode end-to-end tests (test/helpers/queueMode.ts).
 *
 * Ports: the main listens on its port and runs its task broker on the next; the n8n CLI (imports) takes the one after
 * (n8nCli). Each worker has a port of its own for its health-check server (its readiness, and its N8N_PORT) and one
 * for its task broker, so no two processes ever ask for the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { collectLines, startN8n, type RunningN8n } from './n8nServer';

export interface RedisProcess {
	port: number;
	process: ChildProcess;
	logs: string[];
	stop(): Promise<void>;
}

/** One PING over a plain socket: true when the server answers PONG. */
function ping(port: number): Promise<boolean> {
	return new Promise((resolvePing) => {
		const socket = connect({ host: '127.0.0.1', port });
		let answer = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolvePing(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString('utf-8');
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

/**
 * Debian's redis-server (installed by scripts/install-redis.sh, or REDIS_SERVER_PATH) on 127.0.0.1:`port`, its files
 * in `dir` and nowhere else. `persist`: snapshots in `dir` (kept across restarts, saved when it stops); otherwise
 * nothing is written at all.
 */
export async function startRedisServer(options: { port: number; dir: string; persist?: boolean; log?: (line: string) => void; timeoutMs?: number }): Promise<RedisProcess> {
	const binary = process.env.REDIS_SERVER_PATH || 'redis-server';
	mkdirSync(options.dir, { recursive: true });
	const args = [
		'--bind', '127.0.0.1',
		'--port', String(options.port),
		'--dir', options.dir,
		'--dbfilename', 'dump.rdb',
		'--appendonly', 'no',
		'--save', options.persist ? '60 1' : '',
		'--daemonize', 'no',
		'--logfile', '',
	];
	// Its own process group: a Ctrl-C in the terminal reaches only the script, which stops Redis after n8n.
	const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	const logs: string[] = [];
	collectLines(child, logs, options.log);
	let failure: Error | undefined;
	const exit = new Promise<void>((resolveExit) => {
		child.once('error', (error: NodeJS.ErrnoException) => {
			failure = error.code === 'ENOENT' ? new Error(`${binary} is not installed: run \`bash scripts/install-redis.sh\`, or set REDIS_SERVER_PATH`) : error;
			resolveExit();
		});
		child.once('exit', (code, signal) => {
			failure ??= new Error(`${binary} exited (${signal ?? code}) on port ${options.port}:\n${logs.slice(-15).join('\n')}`);
			resolveExit();
		});
	});
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null && !failure) {
			// SIGTERM: redis-server saves its snapshot (when it keeps one) and exits.
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
			child.kill('SIGTERM');
			await exit;
			clearTimeout(timer);
		}
	};
	const deadline = Date.now() + (options.timeoutMs ?? 10_000);
	for (;;) {
		if (failure) throw failure;
		if (await ping(options.port)) break;
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			await exit;
			throw new Error(`${binary} did not answer PING on port ${options.port} within ${options.timeoutMs ?? 10_000} ms:\n${logs.slice(-15).join('\n')}`);
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	return { port: options.port, process: child, logs, stop };
}

/** Fail, naming them, when any of these ports of 127.0.0.1 is taken (a fixed port an earlier run may still hold). */
export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
	const taken: string[] = [];
	for (const [name, port] of Object.entries(ports)) {
		const free = await new Promise<boolean>((resolveFree) => {
			const server = createServer();
			server.once('error', () => resolveFree(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
		});
		if (!free) taken.push(`${port} (${name})`);
	}
	if (taken.length) throw new Error(`Port${taken.length > 1 ? 's' : ''} already in use on 127.0.0.1: ${taken.join(', ')}. Stop what holds ${taken.length > 1 ? 'them' : 'it'}, or choose other ports (N8N_PORT, SANDBOX_PORT, REDIS_PORT).`);
}

/** What every process of a queue-mode instance (and the CLI importing into it) needs: the mode and the queue's Redis. */
export function queueEnv(redisPort: number): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		// SQLite in queue mode is "not officially supported" (a warning at start): fine for one machine.
	};
}

export interface WorkerPorts {
	/** Its health-check server (QUEUE_HEALTH_CHECK_PORT), also its N8N_PORT. */
	health: number;
	/** Its task broker (N8N_RUNNERS_BROKER_PORT). */
	broker: number;
}

export interface QueueModeOptions {
	userFolder: string;
	/** The main's port; its task broker takes the next one, the CLI the one after. */
	mainPort: number;
	/** A Redis already running (startRedisServer). */
	redisPort: number;
	/** The workers' ports: one entry per worker. */
	workers: WorkerPorts[];
	/** Jobs a worker runs at once (`n8n worker --concurrency`). */
	concurrency: number;
	/** Extra environment for every process (N8N_LOG_LEVEL…). */
	env?: Record<string, string>;
	/** Each process's lines, with its name: main, worker1, worker2… */
	log?: (name: string, line: string) => void;
	timeoutMs?: number;
}

export interface QueueMode {
	main: RunningN8n;
	/** The running workers; undefined where one was killed and not started again. */
	workers: Array<RunningN8n | undefined>;
	/** Everything worker i (0-based) wrote, across its restarts. */
	workerLogs(i: number): string[];
	/** SIGKILL worker i and its task runner: a crash, its running executions left as they were. */
	killWorker(i: number): Promise<void>;
	/** Start worker i again (after killWorker), on the same ports. */
	startWorker(i: number): Promise<RunningN8n>;
	/** Stop the workers and the main (not Redis: whoever started it stops it). */
	stop(): Promise<void>;
}

export const workerName = (i: number) => `worker${i + 1}`;

/** Start the main and the workers of a queue-mode instance at once, and wait until each says it is ready. */
export async function startQueueMode(options: QueueModeOptions): Promise<QueueMode> {
	const env = { ...queueEnv(options.redisPort), ...options.env };
	const logs = options.workers.map(() => [] as string[]);
	const workers: Array<RunningN8n | undefined> = options.workers.map(() => undefined);
	const timeoutMs = options.timeoutMs ?? 180_000;

	const startWorker = async (i: number): Promise<RunningN8n> => {
		if (workers[i] && workers[i].process.exitCode === null && workers[i].process.signalCode === null) throw new Error(`${workerName(i)} is running`);
		const ports = options.workers[i];
		const worker = await startN8n({
			userFolder: options.userFolder,
			// The main's: a worker builds webhook and resume URLs from it (WEBHOOK_URL).
			port: options.mainPort,
			command: 'worker',
			args: [`--concurrency=${options.concurrency}`],
			env: {
				...env,
				N8N_PORT: String(ports.health),
				N8N_RUNNERS_BROKER_PORT: String(ports.broker),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(ports.health),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			},
			readyUrl: `http://127.0.0.1:${ports.health}/healthz/readiness`,
			log: (line) => options.log?.(workerName(i), line),
			logs: logs[i],
			timeoutMs,
		});
		workers[i] = worker;
		return worker;
	};

	const started = await Promise.allSettled([
		startN8n({
			userFolder: options.userFolder,
			port: options.mainPort,
			env,
			log: (line) => options.log?.('main', line),
			timeoutMs,
		}),
		...options.workers.map((_, i) => startWorker(i)),
	]);
	const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failed) {
		await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
		throw failed.reason;
	}
	const main = (started[0] as PromiseFulfilledResult<RunningN8n>).value;

	return {
		main,
		workers,
		workerLogs: (i) => logs[i],
		killWorker: async (i) => {
			await workers[i]?.kill();
			workers[i] = undefined;
		},
		startWorker,
		stop: async () => {
			// Workers first: a worker's graceful shutdown waits for its running jobs (N8N_GRACEFUL_SHUTDOWN_TIMEOUT).
			await Promise.all(workers.map((w) => w?.stop()));
			await main.stop();
		},
	};
}
