/**
 * `npm run bench`: figures, not tests. The machine is shared and noisy, so each figure that compares
 * is a ratio of two things measured side by side in this one run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describePhone } from '../nodes/shared/rules/phone';
import { countSegments } from '../nodes/shared/rules/segments';
import { signAwsRequest } from '../nodes/shared/signatures/awsSigV4';
import { campaignFigures } from './campaign';
import { queueFigures } from './queue';

process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-gateway-bench-'));

function rate(fn: () => void, minMs = 1500): number {
	let n = 0;
	const start = performance.now();
	while (performance.now() - start < minMs) {
		for (let i = 0; i < 100; i++) fn();
		n += 100;
	}
	return (n * 1000) / (performance.now() - start);
}

/** Messages per second of wall time, and per second of this process's CPU time (what other processes barely move). */
interface Rates {
	wall: number;
	cpu: number;
}

async function ratesAsync(fn: () => Promise<void>, count: number): Promise<Rates> {
	const cpu = process.cpuUsage();
	const start = performance.now();
	await fn();
	const wallMs = performance.now() - start;
	const used = process.cpuUsage(cpu);
	return { wall: (count * 1000) / wallMs, cpu: (count * 1e6) / (used.user + used.system) };
}

async function rateAsync(fn: () => Promise<void>, count: number): Promise<number> {
	const start = performance.now();
	await fn();
	return (count * 1000) / (performance.now() - start);
}

type Sandbox = import('../sandbox/server').Sandbox;
type Engine = import('../test/helpers/engine').Engine;
type ProviderName = 'twilio' | 'sinch' | 'sns';
/** BENCH_PROVIDERS=twilio,sns for some of them. */
const SEND_PROVIDERS = (['twilio', 'sinch', 'sns'] as ProviderName[]).filter((p) => (process.env.BENCH_PROVIDERS ?? 'twilio,sinch,sns').split(',').includes(p));

/** One request exactly as the sandbox received it: what the bare client sends again. */
interface Captured {
	method: string;
	url: string;
	headers: OutgoingHttpHeaders;
	body: Buffer;
}

const sendItems = (count: number) => Array.from({ length: count }, (_, i) => ({ phone: `+336${String(10000000 + i)}`, name: `N${i}` }));

/** Send SMS in n8n's engine over `items`, one request at a time; the requests the sandbox received are kept in `captured`. */
async function engineSend(engine: Engine, sandbox: Sandbox, provider: ProviderName, items: object[], captured?: Captured[]): Promise<Rates> {
	const api = sandbox.api(provider);
	const handle = api.handle;
	if (captured) {
		api.handle = (req) => {
			captured.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.from(req.rawBody, 'utf-8') });
			return handle.call(api, req);
		};
	}
	try {
		return await ratesAsync(async () => {
			const result = await engine.run(items as never, [
				{ type: 'sendSms', name: 'Send SMS', parameters: { operation: 'send', provider, to: '={{ $json.phone }}', message: '={{ "Hi " + $json.name }}', twilioFrom: 'ACME', sinchFrom: 'ACME' } },
			]);
			if (result.error()) throw result.error();
			const failed = result.items('Send SMS').find((item) => item.json.error !== undefined);
			if (failed) throw new Error(`${provider}: an item failed: ${String(failed.json.error)}`);
		}, items.length);
	} finally {
		api.handle = handle;
	}
}

/** The same requests from a bare keep-alive client (node:http, one socket), one at a time, each answer read whole. */
async function bareSend(baseUrl: string, requests: Captured[]): Promise<Rates> {
	const agent = new Agent({ keepAlive: true, maxSockets: 1 });
	const one = (r: Captured) =>
		new Promise<void>((resolve, reject) => {
			const req = httpRequest(`${baseUrl}${r.url}`, { method: r.method, headers: r.headers, agent }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					const status = res.statusCode ?? 0;
					if (status >= 200 && status < 300) resolve();
					else reject(new Error(`bare client: ${r.method} ${r.url} answered ${status}: ${Buffer.concat(chunks).toString('utf-8').slice(0, 200)}`));
				});
			});
			req.on('error', reject);
			req.end(r.body);
		});
	try {
		return await ratesAsync(async () => {
			for (const r of requests) await one(r);
		}, requests.length);
	} finally {
		agent.destroy();
	}
}

const CREDENTIAL_TYPES: Record<ProviderName, string> = { twilio: 'messagingTwilioApi', sinch: 'messagingSinchApi', sns: 'messagingAwsSnsApi' };

/** What the floor node sends, item by item: the node's requests before n8n authenticates them. */
let floorRequests: Array<{ method: 'POST'; url: string; headers: Record<string, string>; body: string }> = [];
let floorCredentialType = '';

/**
 * n8n's part alone: per item, the two parameters Send SMS maps with expressions (To, Message) and one
 * httpRequestWithAuthentication with the provider's credential type (the credential read once, as Send SMS does),
 * sending what Send SMS sent. Nothing of ours runs: what no work of ours can go below.
 */
async function floorNodeType(): Promise<import('n8n-workflow').INodeType> {
	const { NodeConnectionTypes } = await import('n8n-workflow');
	return {
		description: {
			displayName: 'Floor',
			name: 'floor',
			group: ['output'],
			version: 1,
			description: 'bench',
			defaults: { name: 'Floor' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: Object.values(CREDENTIAL_TYPES).map((name) => ({ name, required: false })),
			properties: [
				{ displayName: 'To', name: 'to', type: 'string', default: '' },
				{ displayName: 'Message', name: 'message', type: 'string', default: '' },
			],
		},
		async execute(this: import('n8n-workflow').IExecuteFunctions) {
			const type = floorCredentialType;
			const data = await this.getCredentials(type);
			const out = [];
			for (let i = 0; i < this.getInputData().length; i++) {
				this.getNodeParameter('to', i);
				this.getNodeParameter('message', i);
				const response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					type,
					{ ...floorRequests[i], returnFullResponse: true, ignoreHttpStatusErrors: true },
					{ credentialsDecrypted: { id: type, name: type, type, data } },
				)) as { statusCode: number };
				if (response.statusCode >= 300) throw new Error(`floor: ${floorRequests[i].url} answered ${response.statusCode}`);
				out.push({ json: { statusCode: response.statusCode }, pairedItem: { item: i } });
			}
			return [out];
		},
	};
}

/** The floor node put beside the package's nodes in the engine (type `bench.floor`). */
async function addFloorNode(engine: Engine): Promise<void> {
	const floor = await floorNodeType();
	const types = engine.nodeTypes;
	const byName = types.getByName.bind(types);
	const byNameAndVersion = types.getByNameAndVersion.bind(types);
	types.getByName = (name) => (name === 'bench.floor' ? floor : byName(name));
	types.getByNameAndVersion = (name, version) => (name === 'bench.floor' ? floor : byNameAndVersion(name, version));
}

/** The floor over the requests Send SMS sent, as Send SMS handed them to n8n (n8n adds the authorization). */
async function floorSend(engine: Engine, sandbox: Sandbox, provider: ProviderName, items: object[], requests: Captured[]): Promise<Rates> {
	floorCredentialType = CREDENTIAL_TYPES[provider];
	floorRequests = requests.map((r) => ({
		method: 'POST',
		url: `${sandbox.url}${r.url}`,
		headers: { 'Content-Type': String(r.headers['content-type']) },
		body: r.body.toString('utf-8'),
	}));
	return await ratesAsync(async () => {
		const result = await engine.run(items as never, [{ type: 'bench.floor', name: 'Floor', parameters: { to: '={{ $json.phone }}', message: '={{ "Hi " + $json.name }}' } }]);
		if (result.error()) throw result.error();
	}, items.length);
}

/**
 * Send SMS one item at a time in n8n's engine, against a bare keep-alive client sending the very requests the node
 * sent (captured as the sandbox received them: method, URL, headers with the authorization, body), and against n8n's
 * part alone (the floor node). Rounds alternate the three and the best of each is kept, which is what the machine
 * gives when nothing else runs; the same for CPU time (client, n8n and sandbox all run in this process), which other
 * processes on a shared machine barely move.
 */
async function sendVersusBare(sandbox: Sandbox, engine: Engine, count: number, rounds: number): Promise<void> {
	const best = (a: Rates, b: Rates): Rates => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) });
	const none: Rates = { wall: 0, cpu: 0 };
	await addFloorNode(engine);
	for (const provider of SEND_PROVIDERS) {
		// Warm-up: every path compiled before anything is timed.
		const warm: Captured[] = [];
		await engineSend(engine, sandbox, provider, sendItems(200), warm);
		await bareSend(sandbox.url, warm);
		await floorSend(engine, sandbox, provider, sendItems(200), warm);
		sandbox.reset();
		let ours = none;
		let bare = none;
		let floor = none;
		for (let round = 0; round < rounds; round++) {
			const captured: Captured[] = [];
			ours = best(ours, await engineSend(engine, sandbox, provider, sendItems(count), captured));
			if (captured.length !== count) throw new Error(`${provider}: ${captured.length} requests for ${count} items`);
			bare = best(bare, await bareSend(sandbox.url, captured));
			floor = best(floor, await floorSend(engine, sandbox, provider, sendItems(count), captured));
			sandbox.reset();
		}
		const us = (r: Rates) => fmt(1e6 / r.cpu);
		row(`Send SMS via ${provider}, ${count.toLocaleString('en-US')} items one at a time: n8n's engine (messages/s)`, fmt(ours.wall));
		row(`Send SMS via ${provider}: bare keep-alive client, the same requests one at a time (messages/s)`, fmt(bare.wall));
		row(`Send SMS via ${provider}: engine ÷ bare client`, `${(ours.wall / bare.wall).toFixed(2)}×`);
		row(`Send SMS via ${provider}: engine ÷ bare client, by CPU time (µs per message: ${us(ours)} ÷ ${us(bare)})`, `${(ours.cpu / bare.cpu).toFixed(2)}×`);
		row(`Send SMS via ${provider}: n8n's part alone (two mapped parameters + httpRequestWithAuthentication) ÷ bare client, by CPU time (µs per message: ${us(floor)})`, `${(floor.cpu / bare.cpu).toFixed(2)}×`);
	}
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const lines: string[] = [];
const row = (what: string, value: string) => {
	lines.push(`| ${what} | ${value} |`);
	console.log(`${what}: ${value}`);
};

/** Figures of pure modules against the libraries they stand beside. */
async function pureFigures(): Promise<void> {
	const messages = [
		'Your code is 123456',
		'Votre rendez-vous est demain à 14h00 avec Dr. Dupont, salle 3. Répondez OUI pour confirmer ou NON pour annuler.',
		'Randevunuz yarın saat 14:00\'te. Onaylamak için EVET yazın. 😀',
		'a'.repeat(400),
		'{[~^|]} € '.repeat(30),
	];
	let k = 0;
	const ours = rate(() => countSegments(messages[k++ % messages.length]));
	k = 0;
	const twilio = rate(() => new SegmentedMessage(messages[k++ % messages.length]));
	row('Segment count, ours (messages/s)', fmt(ours));
	row("Segment count, Twilio's sms-segments-calculator (messages/s)", fmt(twilio));
	row('Segment count, ours ÷ calculator', `${(ours / twilio).toFixed(1)}×`);

	const phones = ['06 12 34 56 78', '(212) 555-0100', '+44 7911 123456', '0033 6 12 34 56 78', 'not a number'];
	k = 0;
	const describe = rate(() => describePhone(phones[k++ % phones.length], 'FR'));
	k = 0;
	const raw = rate(() => {
		const p = parsePhoneNumberFromString(phones[k++ % phones.length], 'FR');
		p?.isValid();
	});
	row('Phone describe (numbers/s)', fmt(describe));
	row('Phone describe ÷ bare libphonenumber parse+isValid', `${(describe / raw).toFixed(2)}×`);

	const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
	const body = 'Action=Publish&Version=2010-03-31&PhoneNumber=%2B33612345678&Message=Hello';
	const sigOurs = rate(() =>
		signAwsRequest({ method: 'POST', url: 'https://sns.us-east-1.amazonaws.com/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, region: 'us-east-1', service: 'sns', ...credentials }),
	);
	const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'sns', sha256: Sha256 });
	const smithyCount = 3000;
	const sigSmithy = await rateAsync(async () => {
		for (let i = 0; i < smithyCount; i++) {
			await signer.sign({ method: 'POST', protocol: 'https:', hostname: 'sns.us-east-1.amazonaws.com', path: '/', headers: { host: 'sns.us-east-1.amazonaws.com', 'content-type': 'application/x-www-form-urlencoded' }, body });
		}
	}, smithyCount);
	row('SigV4 signing, ours (requests/s)', fmt(sigOurs));
	row('SigV4 signing, ours ÷ @smithy/signature-v4', `${(sigOurs / sigSmithy).toFixed(1)}×`);

}

async function main() {
	// `run.js` for every figure; `run.js send` for the engine-versus-bare-client section alone; `run.js profile
	// [provider]` for where the time of Send SMS goes (docs/performance.md).
	const mode = process.argv[2] ?? 'all';
	const count = Number(process.env.BENCH_ITEMS ?? 2000);
	// `run.js queue [ops accuracy capacity memory n8n]` for queue mode's figures alone, or some of them (docs/scale.md).
	if (mode === 'queue') {
		const parts = process.argv.slice(3);
		try {
			await queueFigures({ row, fmt }, parts.length ? parts : undefined);
		} finally {
			rmSync(String(process.env.N8N_USER_FOLDER), { recursive: true, force: true });
		}
		printFigures();
		return;
	}
	if (mode === 'all') await pureFigures();

	// The nodes in n8n's engine against the sandbox over HTTP on this machine.
	const { startSandbox } = await import('../sandbox/server');
	const { Engine } = await import('../test/helpers/engine');
	const { sandboxCredentials } = await import('../test/helpers/credentials');
	// Providers' own limits lifted: the figures are ours, not the sandbox's emulation of a sender's queue.
	const sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { snsPerSecond: 1e6, sinchPerSecond: 1e7, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12, twilioSenderPerSecond: 1e6 } });
	const engine = await Engine.load();
	for (const [type, data] of Object.entries(sandboxCredentials(sandbox))) engine.setCredentials(type, { ...data });
	try {
		if (mode === 'all' || mode === 'send') await sendVersusBare(sandbox, engine, count, Number(process.env.BENCH_ROUNDS ?? 2));
		if (mode === 'profile') await profileSend(sandbox, engine, (process.argv[3] ?? 'twilio') as ProviderName, count);
		if (mode === 'all') await engineFigures(sandbox, engine);
		// `run.js campaign` for the Bulk SMS Campaign's figures alone.
		if (mode === 'all' || mode === 'campaign') await campaignFigures({ row, fmt }, sandbox, engine);
	} finally {
		await sandbox.stop();
		rmSync(String(process.env.N8N_USER_FOLDER), { recursive: true, force: true });
	}
	if (mode === 'all') await queueFigures({ row, fmt });
	printFigures();
}

function printFigures(): void {
	if (lines.length) {
		console.log('\n| figure | value |\n|---|---|');
		console.log(lines.join('\n'));
	}
}

interface CallFrame {
	functionName: string;
	url: string;
}
interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/**
 * Who a running frame works for, from the root of the stack to the leaf: the deepest mark wins (the first that fits
 * a frame), except inside a `whole` mark, which keeps what it calls (a credential's authenticate keeps the expressions
 * it resolves).
 */
const MARKS: Array<{ label: string; whole?: boolean; match: (f: CallFrame) => boolean }> = [
	{ label: "n8n httpRequestWithAuthentication: its own code, n8n's HTTP client (axios, new agents each request, proxy resolution)", match: (f) => /node_modules\/(axios|follow-redirects|proxy-from-env|@n8n\/backend-network)\//.test(f.url) || (f.functionName === 'httpRequestWithAuthentication' && /n8n-core/.test(f.url)) },
	{ label: 'n8n getNodeParameter: a parameter read (copy, checks)', match: (f) => f.functionName === '_getNodeParameter' },
	{ label: 'n8n expressions: {{ }} resolved (data proxy, luxon $now, tournament)', whole: true, match: (f) => /^(resolveSimpleParameterValue|getSimpleParameterValue)$/.test(f.functionName) && /n8n-workflow/.test(f.url) },
	{ label: 'n8n getCredentials: the credential fetched (the harness copies it; n8n reads and decrypts it)', whole: true, match: (f) => f.functionName === '_getCredentials' },
	{ label: "credential authenticate: the type's authenticate applied (Twilio: two expressions; Sinch: a header; SNS: SigV4)", whole: true, match: (f) => f.functionName === 'authenticate' && /test\/helpers\/engine/.test(f.url) },
	{ label: 'ours: ParameterReader (params.ts) and the phone rules (libphonenumber-js)', match: (f) => /\/dist\/nodes\/shared\/(params|rules\/phone)\.js/.test(f.url) },
	{ label: 'ours: makeRedactor, redactDeep (rules/redact.ts)', match: (f) => /\/dist\/nodes\/shared\/rules\/redact\.js/.test(f.url) },
	{ label: 'ours: ledger (fingerprint, key)', match: (f) => /\/dist\/nodes\/shared\/ledger\.js/.test(f.url) },
	{ label: 'ours: transport.ts (context, deadline, errors)', match: (f) => /\/dist\/nodes\/shared\/transport\.js/.test(f.url) },
	{ label: 'ours: provider module (request built, answer read)', match: (f) => /\/dist\/nodes\/shared\/providers\//.test(f.url) },
	{ label: 'ours: segments (countSegments, broken characters)', match: (f) => /\/dist\/nodes\/shared\/rules\/segments\.js/.test(f.url) },
	{ label: 'ours: the rest (send.operation, items, smsRoute, delivery, output)', match: (f) => /\/dist\/nodes\/(SendSms|shared\/(items|smsRoute|delivery|output|memo|descriptions))/.test(f.url) },
	{ label: 'n8n engine: the workflow run, node contexts', match: (f) => /node_modules\/n8n-core\/dist\/execution-engine\//.test(f.url) },
	{ label: 'sandbox (same process: the same share for the bare client)', whole: true, match: (f) => /\/sandbox\//.test(f.url) },
];

/** Inclusive time under a few functions: a function and what it calls synchronously (they overlap). */
const UNDER: Array<[string, (f: CallFrame) => boolean]> = [
	['getNodeParameter', (f) => f.functionName === '_getNodeParameter'],
	['getCredentials', (f) => f.functionName === '_getCredentials'],
	['credential authenticate', (f) => f.functionName === 'authenticate' && /test\/helpers\/engine/.test(f.url)],
	['makeRedactor', (f) => f.functionName === 'makeRedactor'],
	['redactDeep', (f) => f.functionName === 'redactDeep'],
	['ledger fingerprint', (f) => f.functionName === 'fingerprint'],
	['normalizePhone (libphonenumber-js)', (f) => f.functionName === 'normalizePhone'],
	['countSegments', (f) => f.functionName === 'countSegments' && /\/dist\//.test(f.url)],
	['sendOutput', (f) => f.functionName === 'sendOutput'],
];

/**
 * Send SMS over `count` items with V8's sampling profiler on, then the time per item: by who does the work (it adds
 * up to the wall time) and under a few functions.
 */
async function profileSend(sandbox: Sandbox, engine: Engine, provider: ProviderName, count: number): Promise<void> {
	const { Session } = await import('node:inspector');
	const session = new Session();
	session.connect();
	const post = <T>(method: string, params?: object) =>
		new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
	await engineSend(engine, sandbox, provider, sendItems(200));
	sandbox.reset();
	await post('Profiler.enable');
	await post('Profiler.setSamplingInterval', { interval: 50 });
	// How often the credential is fetched (n8n's server reads it from its database and decrypts it each time).
	let credentialReads = 0;
	const getDecrypted = engine.helper.getDecrypted.bind(engine.helper);
	engine.helper.getDecrypted = async (...args) => {
		credentialReads++;
		return await getDecrypted(...args);
	};
	await post('Profiler.start');
	const start = performance.now();
	const perSecond = (await engineSend(engine, sandbox, provider, sendItems(count))).wall;
	const wallMs = performance.now() - start;
	const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
	session.disconnect();
	engine.helper.getDecrypted = getDecrypted;
	sandbox.reset();
	// BENCH_CPUPROFILE=file.cpuprofile keeps the profile for Chrome DevTools (Performance → Load profile).
	if (process.env.BENCH_CPUPROFILE) writeFileSync(process.env.BENCH_CPUPROFILE, JSON.stringify(profile));

	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const by = new Map<string, number>();
	const under = new Map<string, number>();
	const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
	for (let i = 0; i < profile.samples.length; i++) {
		const us = profile.timeDeltas[i + 1] ?? 0;
		const stack: CallFrame[] = [];
		for (let node = byId.get(profile.samples[i]); node; node = byId.get(parent.get(node.id) ?? -1)) stack.unshift(node.callFrame);
		let label: string | undefined;
		let whole = false;
		const seen = new Set<string>();
		for (const f of stack) {
			const mark: (typeof MARKS)[number] | undefined = whole ? undefined : MARKS.find((m) => m.match(f));
			if (mark) {
				label = mark.label;
				whole = mark.whole === true;
			}
			for (const [name, match] of UNDER) if (match(f)) seen.add(name);
		}
		if (!label) {
			const leaf = stack[stack.length - 1]?.functionName ?? '';
			const io = stack.find((f) => /^node:/.test(f.url));
			label = leaf.startsWith('(') && leaf !== '(anonymous)' ? leaf : io ? 'node: socket and HTTP parser work outside any caller above (both ends)' : 'other';
		}
		add(by, label, us);
		for (const name of seen) add(under, name, us);
	}
	const total = [...by.values()].reduce((a, b) => a + b, 0);
	const perItem = (us: number) => `${`${(us / count).toFixed(0)} µs`.padStart(8)} ${`${((100 * us) / total).toFixed(1)} %`.padStart(6)}`;
	console.log(`\nSend SMS via ${provider}, ${count} items one at a time under the profiler: ${fmt(perSecond)} messages/s, ${((wallMs * 1000) / count).toFixed(0)} µs per item`);
	console.log(`Credential fetched ${credentialReads} times (${(credentialReads / count).toFixed(2)} per item)`);
	console.log('By who does the work (µs per item and share of the whole; adds up to the wall time):');
	for (const [key, us] of [...by].sort((x, y) => y[1] - x[1])) console.log(`  ${perItem(us)}  ${key}`);
	console.log('Under a few functions (µs per item and share of the whole, inclusive):');
	for (const [name] of UNDER) console.log(`  ${perItem(under.get(name) ?? 0)}  ${name}`);
}

/** The earlier engine figures: 500 items per provider, and the Phone Number node. */
async function engineFigures(sandbox: Sandbox, engine: Engine): Promise<void> {
	const items = Array.from({ length: 500 }, (_, i) => ({ phone: `+336${String(10000000 + i)}`, name: `N${i}` }));
	for (const provider of SEND_PROVIDERS) {
		const perSecond = (await engineSend(engine, sandbox, provider, items)).wall;
		row(`Send SMS in n8n's engine via ${provider} to the local sandbox, one request per item (messages/s)`, fmt(perSecond));
	}
	const many = Array.from({ length: 20000 }, (_, i) => ({ input: `06 12 ${String(i % 100).padStart(2, '0')} 56 78` }));
	const phoneNode = await rateAsync(async () => {
		await engine.run(many, [{ type: 'phoneNumber', name: 'Phone Number', parameters: { phoneNumber: '={{ $json.input }}', defaultCountry: 'FR' } }]);
	}, many.length);
	row("Phone Number node in n8n's engine (items/s)", fmt(phoneNode));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
