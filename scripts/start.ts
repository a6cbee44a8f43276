/**
 * `npm start`: a real n8n with this package, the sandbox, sandbox credentials and the example workflows,
 * ready in a browser. The first run installs n8n (once); later runs start in well under a minute and keep
 * what you built (the instance lives in .n8n-data/). Ctrl-C stops everything.
 *
 * `npm run start:queue` (--queue): the same in n8n's queue mode, as n8n scales: Debian's redis-server, n8n main and
 * two workers, on their own instance (.n8n-data-queue/, Redis's files in .n8n-data-queue/redis/). The examples'
 * nodes keep their shared state (rate budgets, campaign ledgers, waits, verification limits) in that Redis, through a
 * Messaging Gateway Redis credential with the key prefix n8n-messaging-gateway:.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server';
import {
	ensureN8nInstalled,
	exampleWorkflows,
	importExamples,
	importInto,
	installPackage,
	N8nSession,
	OWNER,
	packPackage,
	REDIS_KEY_PREFIX,
	redisCredential,
	republish,
	ROOT,
	startN8n,
	type RunningN8n,
} from './n8nServer';
import { assertPortsFree, queueEnv, startQueueMode, startRedisServer, workerName, type QueueMode, type RedisProcess } from './queueMode';

const QUEUE = process.argv.includes('--queue');
const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4010);
const REDIS_PORT = Number(process.env.REDIS_PORT ?? 6391);
/** Jobs each worker runs at once; under 5, n8n warns at start. */
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 5);
/** Each worker's health-check port and task-broker port: after the main's (N8N_PORT), its broker's and the CLI's. */
const WORKERS = [0, 1].map((i) => ({ health: N8N_PORT + 3 + 2 * i, broker: N8N_PORT + 4 + 2 * i }));
const DATA = join(ROOT, QUEUE ? '.n8n-data-queue' : '.n8n-data');
const STATE = join(DATA, 'gateway-start.json');

const say = (line: string) => console.log(`[start] ${line}`);

/**
 * n8n's lines worth showing: errors and warnings, without the offline noise (n8n keeps failing to reach its own hosts)
 * and, in queue mode, its cluster check's "multiple instances sharing the same hostId" (the workers of one machine).
 */
function n8nLog(name: string) {
	return (line: string) => {
		const noise = /n8n\.io|ENOTFOUND|EAI_AGAIN|^\s+at |sharing the same hostId/.test(line);
		if (process.env.N8N_START_VERBOSE || (/error|warn/i.test(line) && !noise)) console.log(`[${name}] ${line}`);
	};
}

/** What is running, stopped in reverse order of starting (Ctrl-C, SIGTERM, or a failure while starting). */
const running: Array<{ name: string; stop: () => Promise<void> }> = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
	if (!stopping) {
		stopping = true;
		say('stopping');
		for (const { name, stop } of running.reverse()) {
			try {
				await stop();
			} catch (error) {
				console.error(`[start] stopping ${name}: ${(error as Error).message}`);
			}
		}
		process.exit(code);
	}
	return await new Promise<never>(() => undefined);
}

async function main() {
	process.on('SIGINT', () => void stopAll(0));
	process.on('SIGTERM', () => void stopAll(0));
	ensureN8nInstalled();
	if (QUEUE) {
		await assertPortsFree({
			n8n: N8N_PORT,
			"n8n's task broker": N8N_PORT + 1,
			...Object.fromEntries(WORKERS.flatMap((w, i) => [[`${workerName(i)}'s health check`, w.health], [`${workerName(i)}'s task broker`, w.broker]])),
			redis: REDIS_PORT,
		});
	}
	const sandbox = await startSandbox({ port: SANDBOX_PORT, log: (line) => console.log(`[sandbox] ${line}`) });
	running.push({ name: 'the sandbox', stop: () => sandbox.stop() });
	say(`sandbox on ${sandbox.url}`);

	let redis: RedisProcess | undefined;
	if (QUEUE) {
		// Redis says little, and what it says at start (its version, a memory overcommit warning) is not news; a Redis
		// that fails says why in the error, or stops everything with its last lines.
		const redisLog = (line: string) => {
			if (process.env.N8N_START_VERBOSE) console.log(`[redis] ${line}`);
		};
		redis = await startRedisServer({ port: REDIS_PORT, dir: join(DATA, 'redis'), persist: true, log: redisLog });
		running.push({ name: 'redis', stop: () => redis!.stop() });
		say(`redis-server on 127.0.0.1:${REDIS_PORT} (its files in ${join(DATA, 'redis')})`);
	}

	say('installing the package into n8n from its npm tarball');
	installPackage(DATA, packPackage(join(DATA, 'tarballs')));

	const firstRun = !existsSync(STATE);
	const state = firstRun ? undefined : (JSON.parse(readFileSync(STATE, 'utf-8')) as { sandboxUrl: string; redisPort?: number });
	if (firstRun) {
		say('first run: importing sandbox credentials and example workflows');
		await importExamples(DATA, N8N_PORT, sandbox.url, sandbox.accounts, say, QUEUE ? { redisPort: REDIS_PORT, env: queueEnv(REDIS_PORT) } : undefined);
	} else if (QUEUE && state?.redisPort !== REDIS_PORT) {
		say(`Redis is on port ${REDIS_PORT} now: pointing the Redis credential at it`);
		await importInto(DATA, N8N_PORT, { credentials: [redisCredential(REDIS_PORT)], env: queueEnv(REDIS_PORT), log: say });
	}

	let n8n: RunningN8n;
	let queue: QueueMode | undefined;
	if (QUEUE) {
		say(`starting n8n main on http://127.0.0.1:${N8N_PORT} and ${WORKERS.length} workers (queue mode)`);
		queue = await startQueueMode({ userFolder: DATA, mainPort: N8N_PORT, redisPort: REDIS_PORT, workers: WORKERS, concurrency: CONCURRENCY, log: (name, line) => n8nLog(name === 'main' ? 'n8n' : name)(line) });
		n8n = queue.main;
		running.push({ name: 'n8n', stop: () => queue!.stop() });
	} else {
		say(`starting n8n on http://127.0.0.1:${N8N_PORT}`);
		n8n = await startN8n({ userFolder: DATA, port: N8N_PORT, log: n8nLog('n8n') });
		running.push({ name: 'n8n', stop: () => n8n.stop() });
	}
	if (firstRun) {
		await N8nSession.ownerSetup(n8n.url);
		writeFileSync(STATE, JSON.stringify({ createdAt: new Date().toISOString(), sandboxUrl: sandbox.url, ...(QUEUE ? { redisPort: REDIS_PORT } : {}) }, null, 2));
	} else {
		if (state && state.sandboxUrl !== sandbox.url) say(`note: the sandbox credentials point at ${state.sandboxUrl}; this sandbox is on ${sandbox.url}`);
		if (QUEUE && state?.redisPort !== REDIS_PORT) writeFileSync(STATE, JSON.stringify({ ...state, redisPort: REDIS_PORT }, null, 2));
	}

	// The sandbox forgets, when it stops, which URL its numbers post to; n8n does not set them up again on restart.
	try {
		await republish(await N8nSession.login(n8n.url), exampleWorkflows().filter((w) => w.messagingTrigger).map((w) => w.id));
	} catch (error) {
		say(`note: could not point the sandbox numbers at the Messaging Trigger workflows (${(error as Error).message}); publish them again in the editor`);
	}

	const workflows = exampleWorkflows()
		.map((w) => `    ${w.name}\n      ${n8n.url}/workflow/${w.id}`)
		.join('\n');
	console.log(`
  n8n is ready: ${n8n.url}
    login     ${OWNER.email}
    password  ${OWNER.password}
${queue ? queueBanner(queue) : ''}
  Sandbox phones (watch the messages arrive): ${sandbox.url}/
  Sandbox control API: ${sandbox.url}/__sandbox

  Example workflows:
${workflows}

  Text YES from a sandbox phone to +15005550006 (the phone page: open a conversation, reply): the "Reply YES to confirm" workflow answers.

  Webhooks to try:
    curl -X POST ${n8n.url}/webhook/gateway-alert -H 'Content-Type: application/json' -d '{"to":"+33612345678","message":"Server down"}'
    curl -X POST ${n8n.url}/webhook/gateway-clean-numbers -H 'Content-Type: application/json' -d '{"numbers":["06 12 34 56 78","01 23 45 67 89","12345"]}'
    curl -X POST ${n8n.url}/webhook/gateway-login-start -H 'Content-Type: application/json' -d '{"phone":"+33612345678"}'
      (the code arrives on the sandbox phone; then log in with the verificationId it answered:)
    curl -X POST ${n8n.url}/webhook/gateway-login-check -H 'Content-Type: application/json' -d '{"verificationId":"…","phone":"+33612345678","code":"…"}'
    curl -X POST ${n8n.url}/webhook/gateway-order-shipped -H 'Content-Type: application/json' -d '{"phone":"+33612345678","name":"Ada","order":"#1042","arrives":"on Friday"}'
      (a WhatsApp template with Track / Talk to us buttons arrives on the sandbox phone: tap one, the workflow answers)
    curl -X POST ${n8n.url}/webhook/gateway-appointment-reminders -H 'Content-Type: application/json' -d '{}'
      (Bulk SMS Campaign: tomorrow's reminders to the example's patients, in Turkish or English, none at night; it answers
       with the campaign's summary. Post {"patients":[{"name","phone","language","time","timeZone"},…]} to choose them)
    curl -X POST ${n8n.url}/webhook/gateway-expense-approval -H 'Content-Type: application/json' -d '{"employee":"Ada","amount":120,"currency":"EUR","reason":"the train to Lyon","approver":"+33612345678"}'
      (Send and Wait for Reply: the approver's phone gets the question from +12025550134; reply YES or NO on the phone page,
       or open the link in the SMS and press a button. The run waits under Executions, then goes down Approved or Declined)

  Ctrl-C stops ${QUEUE ? 'n8n (main and workers), Redis' : 'n8n'} and the sandbox.
`);

	n8n.process.on('exit', (code) => {
		if (!stopping) {
			console.error(`[start] n8n exited (${code})`);
			void stopAll(1);
		}
	});
	queue?.workers.forEach((worker, i) =>
		worker?.process.on('exit', (code, signal) => {
			if (!stopping) console.error(`[start] ${workerName(i)} exited (${signal ?? code}); the main and the other worker go on`);
		}),
	);
	redis?.process.on('exit', (code, signal) => {
		if (!stopping) {
			console.error(`[start] redis-server exited (${signal ?? code}):\n${redis?.logs.slice(-10).join('\n')}`);
			void stopAll(1);
		}
	});
}

function queueBanner(queue: QueueMode): string {
	const workers = WORKERS.map((w, i) => `    ${workerName(i)}   pid ${queue.workers[i]?.process.pid}, concurrency ${CONCURRENCY}, health http://127.0.0.1:${w.health}/healthz, task broker ${w.broker}`).join('\n');
	return `
  Queue mode: executions run on the workers (main pid ${queue.main.process.pid} takes webhooks and the editor)
${workers}
    redis     127.0.0.1:${REDIS_PORT} (the queue, and the nodes' shared state under ${REDIS_KEY_PREFIX}: credential "Local Redis (queue mode)")
    data      ${DATA}
`;
}

main().catch(async (error) => {
	console.error(error);
	await stopAll(1);
});
