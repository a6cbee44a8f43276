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

async function rateAsync(fn: () => Promise<void>, count: number): Promise<number> {
	const start = performance.now();
	await fn();
	return (count * 1000) / (performance.now() - start);
}

type Sandbox = import('../sandbox/server').Sandbox;
type Engine = import('../test/helpers/engine').Engine;
type ProviderName = 'twilio' | 'sinch' | 'sns';
const SEND_PROVIDERS: ProviderName[] = ['twilio', 'sinch', 'sns'];

/** One request exactly as the sandbox received it: what the bare client sends again. */
interface Captured {
	method: string;
	url: string;
	headers: OutgoingHttpHeaders;
	body: Buffer;
}

const sendItems = (count: number) => Array.from({ length: count }, (_, i) => ({ phone: `+336${String(10000000 + i)}`, name: `N${i}` }));

/** Send SMS in n8n's engine over `items`, one request at a time; the requests the sandbox received are kept in `captured`. */
async function engineSend(engine: Engine, sandbox: Sandbox, provider: ProviderName, items: object[], captured?: Captured[]): Promise<number> {
	const api = sandbox.api(provider);
	const handle = api.handle;
	if (captured) {
		api.handle = (req) => {
			captured.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.from(req.rawBody, 'utf-8') });
			return handle.call(api, req);
		};
	}
	try {
		return await rateAsync(async () => {
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
async function bareSend(baseUrl: string, requests: Captured[]): Promise<number> {
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
		return await rateAsync(async () => {
			for (const r of requests) await one(r);
		}, requests.length);
	} finally {
		agent.destroy();
	}
}

/**
 * Send SMS one item at a time in n8n's engine, against a bare keep-alive client sending the very requests the node
 * sent (captured as the sandbox received them: method, URL, headers with the authorization, body). Rounds alternate
 * the two; the best of each is kept, which is what the machine allows when nothing else runs.
 */
async function sendVersusBare(sandbox: Sandbox, engine: Engine, count: number, rounds: number): Promise<void> {
	for (const provider of SEND_PROVIDERS) {
		// Warm-up: both paths compiled before anything is timed.
		const warm: Captured[] = [];
		await engineSend(engine, sandbox, provider, sendItems(200), warm);
		await bareSend(sandbox.url, warm);
		sandbox.reset();
		let engineBest = 0;
		let bareBest = 0;
		for (let round = 0; round < rounds; round++) {
			const captured: Captured[] = [];
			engineBest = Math.max(engineBest, await engineSend(engine, sandbox, provider, sendItems(count), captured));
			if (captured.length !== count) throw new Error(`${provider}: ${captured.length} requests for ${count} items`);
			bareBest = Math.max(bareBest, await bareSend(sandbox.url, captured));
			sandbox.reset();
		}
		row(`Send SMS via ${provider}, ${count.toLocaleString('en-US')} items one at a time: n8n's engine (messages/s)`, fmt(engineBest));
		row(`Send SMS via ${provider}: bare keep-alive client, the same requests one at a time (messages/s)`, fmt(bareBest));
		row(`Send SMS via ${provider}: engine ÷ bare client`, `${(engineBest / bareBest).toFixed(2)}×`);
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
	if (mode === 'all') await pureFigures();

	// The nodes in n8n's engine against the sandbox over HTTP on this machine.
	const { startSandbox } = await import('../sandbox/server');
	const { Engine } = await import('../test/helpers/engine');
	const { sandboxCredentials } = await import('../test/helpers/credentials');
	const sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6 } });
	const engine = await Engine.load();
	for (const [type, data] of Object.entries(sandboxCredentials(sandbox))) engine.setCredentials(type, { ...data });
	try {
		if (mode === 'all' || mode === 'send') await sendVersusBare(sandbox, engine, count, Number(process.env.BENCH_ROUNDS ?? 2));
		if (mode === 'profile') await profileSend(sandbox, engine, (process.argv[3] ?? 'twilio') as ProviderName, count);
		if (mode === 'all') await engineFigures(sandbox, engine);
	} finally {
		await sandbox.stop();
		rmSync(String(process.env.N8N_USER_FOLDER), { recursive: true, force: true });
	}

	if (lines.length) {
		console.log('\n| figure | value |\n|---|---|');
		console.log(lines.join('\n'));
	}
}

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/** Where a frame's code lives, as the breakdown groups it. */
function componentOf(url: string): string | undefined {
	if (!url) return undefined;
	const path = url.replace(/^file:\/\//, '');
	const ours = /\/dist\/(nodes|credentials)\/(.+)\.js$/.exec(path);
	if (ours) return `ours: ${ours[2]}`;
	if (/\/test\/helpers\/engine/.test(path)) return "test harness: engine.ts (credentials helper, n8n's server stand-in)";
	if (/\/sandbox\//.test(path)) return 'sandbox (same process)';
	if (/\/bench\//.test(path)) return 'bench';
	const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
	if (pkg) {
		if (pkg[1] === 'n8n-core') return `n8n-core: ${pkg[2].replace(/^dist\//, '').replace(/\.js$/, '').split('/').slice(-2).join('/')}`;
		if (pkg[1] === 'n8n-workflow') return `n8n-workflow: ${pkg[2].replace(/^dist\/(cjs\/)?/, '').replace(/\.js$/, '').split('/').slice(-1)[0]}`;
		return pkg[1];
	}
	if (path.startsWith('node:')) {
		const internal = path.replace(/^node:(internal\/)?/, '');
		return `node: ${/^(_http|http)/.test(internal) ? 'http' : /^(net|stream|streams)/.test(internal) ? 'net/streams' : internal.split('/')[0]}`;
	}
	return path;
}

/**
 * Send SMS over `count` items with V8's sampling profiler on, then the time per item: by where the running code
 * lives (self time: it adds up), and under chosen functions (inclusive: a function and what it calls synchronously).
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
	await post('Profiler.start');
	const start = performance.now();
	const perSecond = await engineSend(engine, sandbox, provider, sendItems(count));
	const wallMs = performance.now() - start;
	const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
	session.disconnect();
	// BENCH_CPUPROFILE=file.cpuprofile keeps the profile for Chrome DevTools (Performance → Load profile).
	if (process.env.BENCH_CPUPROFILE) writeFileSync(process.env.BENCH_CPUPROFILE, JSON.stringify(profile));

	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map<string, number>();
	const inclusive = new Map<string, number>();
	const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
	const wanted: Array<[string, (f: ProfileNode['callFrame']) => boolean]> = [
		['n8n getCredentials (the credential read and checked, each call)', (f) => f.functionName === '_getCredentials'],
		["n8n httpRequestWithAuthentication (its own synchronous parts)", (f) => f.functionName === 'httpRequestWithAuthentication' && /n8n-core/.test(f.url)],
		["credential authenticate (n8n's credentials helper applying the type's authenticate)", (f) => f.functionName === 'authenticate' && /engine|credentials/.test(f.url)],
		['n8n getNodeParameter (parameters and their expressions)', (f) => f.functionName === 'getNodeParameter' && /n8n-core/.test(f.url)],
		['axios (n8n\'s HTTP client)', (f) => /node_modules\/axios\//.test(f.url)],
		['ours: makeRedactor (a redactor built)', (f) => f.functionName === 'makeRedactor'],
		['ours: redactDeep (the answer cleaned of secrets)', (f) => f.functionName === 'redactDeep'],
		['ours: ledger fingerprint (sha256 of the request)', (f) => f.functionName === 'fingerprint'],
		['ours: ParameterReader (all of params.ts)', (f) => /dist\/nodes\/shared\/params\.js/.test(f.url)],
		['ours: phone rules (libphonenumber-js)', (f) => /dist\/nodes\/shared\/rules\/phone\.js/.test(f.url)],
		['ours: countSegments', (f) => f.functionName === 'countSegments'],
		['ours: sendOutput', (f) => f.functionName === 'sendOutput'],
		['ours: provider module (request built, answer read)', (f) => /dist\/nodes\/shared\/providers\//.test(f.url)],
		['ours: transport.ts', (f) => /dist\/nodes\/shared\/transport\.js/.test(f.url)],
		['sandbox (same process: its share is the same for the bare client)', (f) => /\/sandbox\//.test(f.url)],
	];
	for (let i = 0; i < profile.samples.length; i++) {
		const us = profile.timeDeltas[i + 1] ?? 0;
		let node = byId.get(profile.samples[i]);
		const leaf = node;
		// Self time goes to the first frame with a file: a builtin (a RegExp, JSON.parse) counts for whoever called it.
		let group: string | undefined;
		const seen = new Set<string>();
		while (node) {
			const f = node.callFrame;
			if (!group) group = componentOf(f.url);
			for (const [label, match] of wanted) if (!seen.has(label) && match(f)) seen.add(label);
			const up = parent.get(node.id);
			node = up === undefined ? undefined : byId.get(up);
		}
		const name = leaf?.callFrame.functionName ?? '';
		add(self, group ?? (name.startsWith('(') ? name : `(native: ${name || 'anonymous'})`), us);
		for (const label of seen) add(inclusive, label, us);
	}
	const perItem = (us: number) => `${(us / count).toFixed(1)} µs`;
	console.log(`\nSend SMS via ${provider}, ${count} items one at a time under the profiler: ${fmt(perSecond)} messages/s, ${((wallMs * 1000) / count).toFixed(0)} µs per item`);
	console.log('\nSelf time by where the code lives (µs per item, adds up to the wall time):');
	for (const [key, us] of [...self].sort((a, b) => b[1] - a[1])) if (us / count >= 1) console.log(`  ${perItem(us).padStart(10)}  ${key}`);
	console.log('\nInclusive time under chosen functions (µs per item; they overlap):');
	for (const [label] of wanted) console.log(`  ${perItem(inclusive.get(label) ?? 0).padStart(10)}  ${label}`);
}

/** The earlier engine figures: 500 items per provider, and the Phone Number node. */
async function engineFigures(sandbox: Sandbox, engine: Engine): Promise<void> {
	const items = Array.from({ length: 500 }, (_, i) => ({ phone: `+336${String(10000000 + i)}`, name: `N${i}` }));
	for (const provider of SEND_PROVIDERS) {
		const perSecond = await engineSend(engine, sandbox, provider, items);
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
