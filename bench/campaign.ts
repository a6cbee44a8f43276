/**
 * The Bulk SMS Campaign's figures (part of `npm run bench`): its unthrottled throughput against a bare keep-alive
 * client sending the very same requests at the same concurrency (the ceiling) and against one Send SMS call per item
 * in sequence (what n8n users do today); the throttle's accuracy measured from the sandbox's arrival times; Sinch
 * requests for 100,000 recipients; peak memory for 100,000 recipients with n8n's own share separated out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { busiestSecond } from '../nodes/shared/rules/throttle';

type Sandbox = import('../sandbox/server').Sandbox;
type Engine = import('../test/helpers/engine').Engine;

export interface Figures {
	row(what: string, value: string): void;
	fmt(n: number): string;
}

interface Captured {
	method: string;
	url: string;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

const SENDER = '+15005550006';
/** Distinct French mobiles: +33 6, a block digit, then the index. */
const people = (n: number, block = '1') =>
	Array.from({ length: n }, (_, i) => ({ phone: `+336${block}${String(i).padStart(7, '0')}`, name: `N${i}`, time: `${8 + (i % 10)}:00`, language: i % 4 === 0 ? 'tr' : 'en' }));

function campaignNode(parameters: Record<string, unknown>) {
	return {
		type: 'smsCampaign',
		name: 'Campaign',
		parameters: {
			provider: 'twilio',
			twilioFrom: SENDER,
			sinchFrom: '+12025550150',
			to: '={{ $json.phone }}',
			message: 'Hi {name}, your appointment is tomorrow at {time}.',
			translations: { translation: [{ language: 'tr', message: 'Merhaba {name}, randevunuz yarın saat {time}.' }] },
			language: '={{ $json.language }}',
			rateMode: 'none',
			...parameters,
			options: { timeoutMs: 30000, ...(parameters.options as object) },
		},
	};
}

async function timed(fn: () => Promise<void>): Promise<number> {
	const start = performance.now();
	await fn();
	return (performance.now() - start) / 1000;
}

/** The captured requests from a bare keep-alive client, `concurrency` at a time, each answer read whole. */
async function bareReplay(baseUrl: string, requests: Captured[], concurrency: number): Promise<number> {
	const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
	const one = (r: Captured) =>
		new Promise<void>((resolve, reject) => {
			const req = httpRequest(`${baseUrl}${r.url}`, { method: r.method, headers: r.headers, agent }, (res) => {
				res.on('data', () => undefined);
				res.on('error', reject);
				res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`bare client: ${r.url} answered ${res.statusCode}`))));
			});
			req.on('error', reject);
			req.end(r.body);
		});
	let next = 0;
	const seconds = await timed(async () => {
		await Promise.all(
			Array.from({ length: concurrency }, async () => {
				while (next < requests.length) await one(requests[next++]);
			}),
		);
	});
	agent.destroy();
	return requests.length / seconds;
}

/** Keep what the sandbox's provider API receives, as it received it. */
function capture(sandbox: Sandbox, provider: 'twilio' | 'sinch' | 'sns', into: Captured[]): () => void {
	const api = sandbox.api(provider);
	const handle = api.handle;
	api.handle = (req) => {
		into.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.from(req.rawBody, 'utf-8') });
		return handle.call(api, req);
	};
	return () => {
		api.handle = handle;
	};
}

function check(result: Awaited<ReturnType<Engine['run']>>, name: string, expected?: number): void {
	const error = result.error();
	if (error) throw error;
	if (expected !== undefined) {
		const sent = result.items(name).filter((i) => typeof i.json.messageId === 'string').length;
		if (sent !== expected) throw new Error(`${name}: ${sent} sent of ${expected}`);
	}
}

/** One Send SMS node over `count` items, one after another (what n8n users do today); messages/s. */
async function sendSmsInSequence(engine: Engine, provider: string, count: number): Promise<number> {
	const seconds = await timed(async () =>
		check(
			await engine.run(people(count, '7'), [
				{
					type: 'sendSms',
					name: 'Send SMS',
					parameters: { operation: 'send', provider, to: '={{ $json.phone }}', message: '={{ "Hi " + $json.name + ", your appointment is tomorrow at " + $json.time + "." }}', twilioFrom: SENDER, sinchFrom: '+12025550150' },
				},
			]),
			'Send SMS',
			count,
		),
	);
	return count / seconds;
}

/**
 * Throughput side by side on the same in-process sandbox: the campaign; a bare keep-alive client replaying the very
 * requests the campaign made, at the same concurrency; Send SMS item after item. `latencyMs` is added to every answer
 * of the provider, as a provider across the internet answers (the local sandbox answers in well under a millisecond).
 */
export async function throughput(out: Figures, sandbox: Sandbox, engine: Engine, options: { provider: 'twilio' | 'sinch'; count: number; concurrency: number; latencyMs: number; sequentialCount: number }): Promise<void> {
	const { provider, count, concurrency, latencyMs, sequentialCount } = options;
	const latency = () => {
		// The sandbox scales its waits by its time scale.
		if (latencyMs > 0) sandbox.addFault({ provider, type: 'delay', delayMs: latencyMs / sandbox.timeScale, count: -1 });
	};
	const node = campaignNode({ provider, options: { concurrency } });
	// Warm-up: every path compiled before anything is timed.
	check(await engine.run(people(300, '5'), [node]), 'Campaign', 300);
	sandbox.reset();
	latency();
	const captured: Captured[] = [];
	const release = capture(sandbox, provider, captured);
	const campaignSeconds = await timed(async () => check(await engine.run(people(count), [node]), 'Campaign', count));
	release();
	sandbox.reset();
	latency();
	const bare = (await bareReplay(sandbox.url, captured, concurrency)) * (count / captured.length);
	sandbox.reset();
	latency();
	const sequential = await sendSmsInSequence(engine, provider, sequentialCount);
	sandbox.reset();
	const campaign = count / campaignSeconds;
	const where = `${count.toLocaleString('en-US')} recipients via ${provider === 'sinch' ? 'Sinch (batches)' : 'Twilio'}, ${latencyMs ? `provider answering in ${latencyMs} ms` : 'local sandbox'}, ${concurrency} requests at once`;
	out.row(`Campaign, ${where} (messages/s)`, out.fmt(campaign));
	out.row(`Bare keep-alive client, the same ${captured.length.toLocaleString('en-US')} requests, ${concurrency} at once (messages/s)`, out.fmt(bare));
	out.row(`Send SMS item after item, same provider and latency (${sequentialCount.toLocaleString('en-US')} items; messages/s)`, out.fmt(sequential));
	out.row(`Campaign ÷ bare client (target ≥ 0.7): ${where}`, `${(campaign / bare).toFixed(2)}×`);
	out.row(`Campaign ÷ Send SMS item after item (target ≥ 20): ${where}`, `${(campaign / sequential).toFixed(1)}×`);
}

/** A sandbox in its own process. */
class RemoteSandbox {
	private constructor(
		private readonly child: ChildProcess,
		readonly url: string,
		readonly accounts: Sandbox['accounts'],
	) {}
	private next = 0;

	static async start(limits: Record<string, number>): Promise<RemoteSandbox> {
		const child = fork(join(__dirname, 'sandboxProcess.js'), [JSON.stringify(limits)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		const ready = await new Promise<{ url: string; accounts: Sandbox['accounts'] }>((resolve, reject) => {
			child.once('message', (m) => resolve(m as { url: string; accounts: Sandbox['accounts'] }));
			child.once('exit', (code) => reject(new Error(`sandbox process exited (${code})`)));
		});
		return new RemoteSandbox(child, ready.url, ready.accounts);
	}

	ask<T>(kind: 'messages' | 'requests' | 'reset'): Promise<T> {
		const id = ++this.next;
		return new Promise((resolve) => {
			const listen = (m: { id?: number } & T) => {
				if (m.id !== id) return;
				this.child.off('message', listen);
				resolve(m);
			};
			this.child.on('message', listen);
			this.child.send({ kind, id });
		});
	}

	stop(): void {
		this.child.send({ kind: 'stop', id: 0 });
	}
}

/** The throttle at `perSecond` for `seconds`, from arrival times stamped by a sandbox process that does nothing else. */
export async function throttleAccuracy(out: Figures, engine: Engine, remote: RemoteSandbox, perSecond = 50, seconds = 20): Promise<void> {
	const count = perSecond * seconds;
	await remote.ask('reset');
	check(await engine.run(people(count, '4'), [campaignNode({ rateMode: 'custom', ratePerSecond: perSecond, rateUnit: 'messages', options: { concurrency: 10 } })]), 'Campaign', count);
	const { messages } = await remote.ask<{ messages: Array<{ createdAt: string; arrivedAt?: number }> }>('messages');
	const times = messages.map((m) => m.arrivedAt ?? Date.parse(m.createdAt)).sort((a, b) => a - b);
	const achieved = ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]);
	const busiest = busiestSecond(times.map((t) => [t, 1] as const));
	out.row(`Throttle at ${perSecond} messages/s for ${seconds} s: achieved rate at the sandbox (messages/s)`, achieved.toFixed(2));
	out.row(`Throttle at ${perSecond} messages/s: achieved ÷ asked (target within 2 %)`, `${((achieved / perSecond - 1) * 100).toFixed(2)} %`);
	out.row(`Throttle at ${perSecond} messages/s: most messages in any one second at the sandbox (must be ≤ ${perSecond})`, String(busiest));
}

function gc(): void {
	setFlagsFromString('--expose-gc');
	(runInNewContext('gc') as () => void)();
}

/** The highest heap in use while `fn` runs, above the heap before it, sampled every 10 ms. */
async function peakHeapMb(fn: () => Promise<void>): Promise<number> {
	gc();
	const base = process.memoryUsage().heapUsed;
	let peak = base;
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 10);
	try {
		await fn();
	} finally {
		clearInterval(timer);
	}
	peak = Math.max(peak, process.memoryUsage().heapUsed);
	return (peak - base) / 1024 / 1024;
}

/** Sinch, 100,000 recipients: requests made, time, and peak memory, n8n's own share (the items alone) separated out. */
export async function sinchAtScale(out: Figures, engine: Engine, remote: RemoteSandbox, count = 100_000): Promise<void> {
	await remote.ask('reset');
	const items = people(count, '3');
	const engineOnly = await peakHeapMb(async () => {
		const result = await engine.run(items, []);
		if (result.error()) throw result.error();
	});
	let seconds = 0;
	const withCampaign = await peakHeapMb(async () => {
		seconds = await timed(async () => check(await engine.run(items, [campaignNode({ provider: 'sinch', options: { concurrency: 4 } })]), 'Campaign', count));
	});
	const { requests } = await remote.ask<{ requests: Array<{ provider: string; method: string; recipients: number }> }>('requests');
	const batches = requests.filter((r) => r.provider === 'sinch' && r.method === 'POST');
	out.row(`Sinch, ${count.toLocaleString('en-US')} recipients (two languages, personalised): batch requests (target ≤ 100)`, String(batches.length));
	out.row(`Sinch, ${count.toLocaleString('en-US')} recipients: time (s)`, seconds.toFixed(1));
	out.row(`Peak heap for ${count.toLocaleString('en-US')} recipients: n8n's engine with the items alone (MB)`, engineOnly.toFixed(0));
	out.row(`Peak heap for ${count.toLocaleString('en-US')} recipients: the campaign run, engine included (MB)`, withCampaign.toFixed(0));
	out.row(`Peak heap for ${count.toLocaleString('en-US')} recipients: the campaign's own share (MB)`, Math.max(0, withCampaign - engineOnly).toFixed(0));
}

/** Every campaign figure, with the in-process sandbox for throughput and one of its own for the rest. */
export async function campaignFigures(out: Figures, sandbox: Sandbox, engine: Engine): Promise<void> {
	const { sandboxCredentials } = await import('../test/helpers/credentials');
	await throughput(out, sandbox, engine, { provider: 'twilio', count: 10_000, concurrency: 8, latencyMs: 0, sequentialCount: 2000 });
	await throughput(out, sandbox, engine, { provider: 'twilio', count: 10_000, concurrency: 50, latencyMs: 50, sequentialCount: 200 });
	await throughput(out, sandbox, engine, { provider: 'sinch', count: 10_000, concurrency: 8, latencyMs: 50, sequentialCount: 200 });
	const remote = await RemoteSandbox.start({ snsPerSecond: 1e6, sinchPerSecond: 1e7, twilioConcurrency: 1e6, twilioMaxQueueMs: 1e12, twilioSenderPerSecond: 1e6 });
	try {
		for (const [type, data] of Object.entries(sandboxCredentials({ url: remote.url, accounts: remote.accounts } as Sandbox))) engine.setCredentials(type, { ...data });
		await throttleAccuracy(out, engine, remote);
		await sinchAtScale(out, engine, remote);
	} finally {
		remote.stop();
		for (const [type, data] of Object.entries(sandboxCredentials(sandbox))) engine.setCredentials(type, { ...data });
	}
}
