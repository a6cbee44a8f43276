/**
 * n8n in real queue mode for an end-to-end test file: Debian's redis-server, n8n main and two workers (concurrency 1
 * each, so two executions at once run on different workers) on free ports of 127.0.0.1, in a temporary user folder
 * with this package installed from its tarball (as scripts/n8nServer.ts does for the one-process server), the sandbox
 * credentials, the Messaging Gateway Redis credential and the file's workflows (published). Each worker's
 * log is kept (also across a kill and a restart). Everything is stopped and removed after the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../../sandbox/server';
import { freePort, importInto, installPackage, N8nSession, packPackage, redisCredential, sandboxCredentials, type RunningN8n } from '../../scripts/n8nServer';
import { queueEnv, startQueueMode, startRedisServer, workerName, type QueueMode, type RedisProcess, type WorkerPorts } from '../../scripts/queueMode';

export interface QueueHarness {
	/** The main's URL (webhooks at /webhook/<path>). */
	url: string;
	redisPort: number;
	session: N8nSession;
	main: RunningN8n;
	userFolder: string;
	workerLogs(i: number): string[];
	/** SIGKILL worker i (0-based) and its task runner. */
	killWorker(i: number): Promise<void>;
	startWorker(i: number): Promise<RunningN8n>;
	/** Which worker (0-based) logged that it started this execution; undefined when none did. */
	workerOf(executionId: string): number | undefined;
}

export interface QueueHarnessOptions {
	/** Workflows to import; all are published. */
	workflows: () => Array<{ id: string }>;
	sandbox: () => Sandbox;
	workers?: number;
	concurrency?: number;
	env?: Record<string, string>;
	/** Print every process's lines (QUEUE_E2E_VERBOSE=1 does too). */
	verbose?: boolean;
}

/** Start the instance in beforeAll, stop it in afterAll; `get()` in the tests. */
export function useQueueMode(options: QueueHarnessOptions): { get: () => QueueHarness } {
	let harness: QueueHarness | undefined;
	let queue: QueueMode | undefined;
	let redis: RedisProcess | undefined;
	let userFolder: string | undefined;

	beforeAll(async () => {
		const started = Date.now();
		const verbose = options.verbose || !!process.env.QUEUE_E2E_VERBOSE;
		const log = (name: string, line: string) => {
			if (verbose) console.log(`[${name}] ${line}`);
		};
		userFolder = mkdtempSync(join(tmpdir(), 'gateway-queue-e2e-'));
		const sandbox = options.sandbox();
		const [mainPort, redisPort] = [await freePort(), await freePort()];
		const workers: WorkerPorts[] = [];
		for (let i = 0; i < (options.workers ?? 2); i++) workers.push({ health: await freePort(), broker: await freePort() });

		redis = await startRedisServer({ port: redisPort, dir: join(userFolder, 'redis'), log: (line) => log('redis', line) });
		installPackage(userFolder, packPackage(join(userFolder, 'tarball')));
		await importInto(userFolder, mainPort, {
			credentials: [...sandboxCredentials(sandbox.url, sandbox.accounts), redisCredential(redisPort)],
			workflows: options.workflows(),
			publish: options.workflows().map((w) => w.id),
			env: queueEnv(redisPort),
			log: (line) => log('import', line),
		});
		queue = await startQueueMode({
			userFolder,
			mainPort,
			redisPort,
			workers,
			concurrency: options.concurrency ?? 1,
			env: { N8N_LOG_LEVEL: 'info', ...options.env },
			log,
			timeoutMs: 240_000,
		});
		await N8nSession.ownerSetup(queue.main.url);
		const session = await N8nSession.login(queue.main.url);
		const q = queue;
		harness = {
			url: q.main.url,
			redisPort,
			session,
			main: q.main,
			userFolder,
			workerLogs: (i) => q.workerLogs(i),
			killWorker: (i) => q.killWorker(i),
			startWorker: (i) => q.startWorker(i),
			workerOf: (executionId) => {
				const started = new RegExp(`Worker started execution ${executionId} \\(job `);
				const found = workers.map((_, i) => i).filter((i) => q.workerLogs(i).some((line) => started.test(line)));
				if (found.length > 1) throw new Error(`execution ${executionId} started on ${found.map(workerName).join(' and ')}`);
				return found[0];
			},
		};
		console.log(`queue mode up in ${((Date.now() - started) / 1000).toFixed(1)} s: main :${mainPort}, redis :${redisPort}, ${workers.map((w, i) => `${workerName(i)} pid ${q.workers[i]?.process.pid} (health :${w.health})`).join(', ')}`);
	}, 420_000);

	afterAll(async () => {
		await queue?.stop();
		await redis?.stop();
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	}, 90_000);

	return {
		get: () => {
			if (!harness) throw new Error('queue mode did not start (see the error of beforeAll)');
			return harness;
		},
	};
}
