/**
 * End to end in n8n's real queue mode: Debian's redis-server, n8n main and two workers (concurrency 1 each) with this
 * package installed from its tarball, Bulk SMS Campaign nodes keeping their state in that Redis (sharedState redis,
 * the Messaging Gateway Redis credential), and the sandbox as Twilio (test/helpers/queueMode.ts).
 *
 * a. Two workflows send from one sender at the same moment, on the two workers: the sender's rate holds across them
 *    (no one-second window at the sandbox above it), every recipient gets exactly one message, and no 429.
 * b. The worker running a campaign is killed (SIGKILL) a third of the way through, with one request on its way (the
 *    sandbox stored that message and holds the answer back); the same campaign (same Campaign Key) run again lands on
 *    the other worker and sends only to the rest: one message per recipient, none lost, none twice. What the killed
 *    run had claimed stays claimed ("beingSent") until its claims go stale (their owner stopped renewing them); then
 *    one that never left is sent and one that was on its way is looked up in Twilio's message list; so the re-run is
 *    repeated until nothing is being sent.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { busiestSecond } from '../../nodes/shared/rules/throttle';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { CREDENTIAL_IDS, PACKAGE_NAME, REDIS_CREDENTIAL_NAME } from '../../scripts/n8nServer';
import { workerName } from '../../scripts/queueMode';
import { useQueueMode } from '../helpers/queueMode';

let sandbox: Sandbox;

const SENDER_A = '+12025550134';
const SENDER_B = '+447911000001';

interface Recipient {
	phone: string;
	name: string;
}
const people = (prefix: string, count: number): Recipient[] => Array.from({ length: count }, (_, i) => ({ phone: `${prefix}${String(i + 1).padStart(3, '0')}`, name: `P${i + 1}` }));

/** Webhook (POST, answers with the last node's item) → Split Out body.recipients → Bulk SMS Campaign → its Summary. */
function campaignWorkflow(id: string, path: string, campaign: { sender: string; perSecond: number; campaignKey?: string; message: string }) {
	const node = (name: string, type: string, typeVersion: number, x: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
		id: `${id}-${x}`,
		name,
		type,
		typeVersion,
		position: [x, 300],
		parameters,
		...extra,
	});
	return {
		id,
		name: `Queue mode e2e · ${path}`,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2, 0, { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} }, { webhookId: `${id}-hook` }),
			node('Recipients', 'n8n-nodes-base.splitOut', 1, 200, { fieldToSplitOut: 'body.recipients', include: 'noOtherFields', options: {} }),
			node(
				'Campaign',
				`${PACKAGE_NAME}.smsCampaign`,
				1,
				400,
				{
					provider: 'twilio',
					twilioFrom: campaign.sender,
					to: '={{ $json.phone }}',
					message: campaign.message,
					rateMode: 'custom',
					ratePerSecond: campaign.perSecond,
					rateUnit: 'messages',
					campaignKey: campaign.campaignKey ?? '',
					sharedState: 'redis',
					options: {},
				},
				{
					credentials: {
						messagingTwilioApi: { id: CREDENTIAL_IDS.twilio, name: 'Sandbox Twilio' },
						messagingRedisApi: { id: CREDENTIAL_IDS.redis, name: REDIS_CREDENTIAL_NAME },
					},
				},
			),
			node('Summary', 'n8n-nodes-base.noOp', 1, 600, {}),
		],
		connections: {
			Webhook: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
			Recipients: { main: [[{ node: 'Campaign', type: 'main', index: 0 }]] },
			Campaign: { main: [[], [{ node: 'Summary', type: 'main', index: 0 }]] },
		},
	};
}

const WORKFLOWS = {
	first: campaignWorkflow('gwQueueE2eA00001', 'queue-first', { sender: SENDER_A, perSecond: 1, message: 'Hi {name}, from the first campaign' }),
	second: campaignWorkflow('gwQueueE2eB00001', 'queue-second', { sender: SENDER_A, perSecond: 1, message: 'Hi {name}, from the second campaign' }),
	killed: campaignWorkflow('gwQueueE2eC00001', 'queue-killed', { sender: SENDER_B, perSecond: 2, campaignKey: 'kill-a-worker', message: 'Hi {name}, one message only' }),
};

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, timeScale: 0.05 });
});
const queue = useQueueMode({ sandbox: () => sandbox, workflows: () => Object.values(WORKFLOWS) });
afterAll(async () => {
	await sandbox?.stop();
});

interface Summary {
	recipients: number;
	sent: number;
	reasons: Record<string, number>;
	statuses: Record<string, number>;
	durationMs: number;
	canceled: boolean;
}

async function post(path: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: any }> {
	const r = await fetch(`${queue.get().url}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal });
	const text = await r.text();
	try {
		return { status: r.status, body: JSON.parse(text) };
	} catch {
		return { status: r.status, body: text };
	}
}

async function executionIds(workflowId: string): Promise<string[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const r = await queue.get().session.request<{ data: { results: Array<{ id: string }> } }>('GET', `/rest/executions?filter=${filter}`);
	return r.body.data.results.map((e) => e.id);
}

async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, stepMs = 100): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, stepMs));
	}
}

/** What the sandbox holds for these recipients, through its control API: arrival times (epoch ms) and count per number. */
async function arrivals(recipients: Recipient[], from: string): Promise<{ times: number[]; perRecipient: Map<string, number> }> {
	const r = await fetch(`${sandbox.url}/__sandbox/messages?provider=twilio&fields=from,to,arrivedAt,createdAt`);
	const { messages } = (await r.json()) as { messages: Array<{ from: string; to: string; arrivedAt: number; createdAt: string }> };
	const wanted = new Set(recipients.map((p) => p.phone));
	const ours = messages.filter((m) => m.from === from && wanted.has(m.to));
	const perRecipient = new Map(recipients.map((p) => [p.phone, 0]));
	for (const m of ours) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
	return { times: ours.map((m) => m.arrivedAt).sort((a, b) => a - b), perRecipient };
}

/** The provider's answers to the sends to these recipients: HTTP statuses, counted. */
function sendStatuses(recipients: Recipient[]): Record<string, number> {
	const wanted = new Set(recipients.map((p) => p.phone));
	const out: Record<string, number> = {};
	for (const q of sandbox.requests) {
		if (q.provider !== 'twilio' || q.method !== 'POST' || !q.path.endsWith('/Messages.json') || !q.recipients.some((to) => wanted.has(to))) continue;
		out[String(q.status)] = (out[String(q.status)] ?? 0) + 1;
	}
	return out;
}

const countsOf = (perRecipient: Map<string, number>) => {
	const out: Record<string, number> = {};
	for (const n of perRecipient.values()) out[`${n} message${n === 1 ? '' : 's'}`] = (out[`${n} message${n === 1 ? '' : 's'}`] ?? 0) + 1;
	return out;
};

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe('queue mode: Bulk SMS Campaign with its state in Redis', () => {
	it('two workflows sending from one sender at once run on the two workers, and together keep to its rate of 1 a second', async () => {
		const q = queue.get();
		const first = people('+33611000', 9);
		const second = people('+33622000', 9);
		// The sandbox runs in this process: its arrival stamps are late by as much as this event loop stalls.
		const lag = monitorEventLoopDelay({ resolution: 5 });
		lag.enable();
		const started = Date.now();
		const [a, b] = await Promise.all([post('queue-first', { recipients: first }), post('queue-second', { recipients: second })]);
		const seconds = (Date.now() - started) / 1000;
		lag.disable();
		const stallMs = Math.max(0, Math.round(lag.max / 1e6) - 15);

		const [idA] = await executionIds(WORKFLOWS.first.id);
		const [idB] = await executionIds(WORKFLOWS.second.id);
		const workers = { first: q.workerOf(idA), second: q.workerOf(idB) };
		const { times, perRecipient } = await arrivals([...first, ...second], SENDER_A);
		const window = 1000 - Math.min(stallMs, 100);
		const busiest = busiestSecond(times.map((t) => [t, 1] as const), window);
		const statuses = sendStatuses([...first, ...second]);
		console.log(
			[
				`a. two campaigns at once, 9 + 9 recipients, one sender at 1 message/s: ${seconds.toFixed(1)} s`,
				`   execution ${idA} on ${workers.first === undefined ? '?' : workerName(workers.first)}, execution ${idB} on ${workers.second === undefined ? '?' : workerName(workers.second)}`,
				`   summaries: first sent ${a.body?.sent} (${a.body?.durationMs} ms), second sent ${b.body?.sent} (${b.body?.durationMs} ms)`,
				`   at the sandbox: ${times.length} messages, busiest ${window} ms window ${busiest}, smallest gap ${Math.min(...gaps(times))} ms, event-loop stall here ${stallMs} ms`,
				`   per recipient ${JSON.stringify(countsOf(perRecipient))}, provider answers ${JSON.stringify(statuses)}`,
			].join('\n'),
		);

		expect({ first: a.status, second: b.status }).toEqual({ first: 200, second: 200 });
		expect({ first: (a.body as Summary).sent, second: (b.body as Summary).sent }).toEqual({ first: 9, second: 9 });
		// On different workers, as n8n's workers log it ("Worker started execution <id> (job <n>)").
		expect(workers.first).toBeDefined();
		expect(workers.second).toBeDefined();
		expect(workers.first).not.toBe(workers.second);
		expect(busiest).toBeLessThanOrEqual(1);
		expect(countsOf(perRecipient)).toEqual({ '1 message': 18 });
		expect(statuses).toEqual({ '201': 18 });
	}, 150_000);

	it('a worker killed mid-campaign, then the campaign run again on the other worker: every recipient gets exactly one message', async () => {
		const q = queue.get();
		const recipients = people('+33633000', 24);
		// The fourth recipient's request is taken and stored by the sandbox but never answered: it is on its way when the
		// worker dies, so the re-run cannot know from the ledger whether it left, and must ask Twilio's message list.
		const inFlight = recipients[3].phone;
		sandbox.addFault({ provider: 'twilio', to: inFlight, type: 'hang', count: 1 });
		const abort = new AbortController();
		// The webhook's answer never comes (the worker dies): not awaited, aborted at the end.
		const killedRun = post('queue-killed', { recipients }, abort.signal).catch((error: Error) => ({ status: 0, body: error.message }));
		try {
			const id = await eventually('the execution', async () => (await executionIds(WORKFLOWS.killed.id))[0], 30_000, 200);
			const { victim } = await eventually(`a worker to log that it started execution ${id}`, () => {
				const i = q.workerOf(id);
				return i === undefined ? undefined : { victim: i };
			}, 30_000);
			const other = 1 - victim;
			await eventually('a third of the messages', async () => (await arrivals(recipients, SENDER_B)).times.length >= recipients.length / 3, 60_000, 50);
			await q.killWorker(victim);
			const killedAt = Date.now();
			// What the killed worker had sent: what arrives until a moment after the kill (a request on its way lands or not).
			await new Promise((r) => setTimeout(r, 500));
			const atKill = await arrivals(recipients, SENDER_B);
			console.log(
				`b. killed ${workerName(victim)} (execution ${id}) after ${atKill.times.length} of ${recipients.length} messages arrived; ${inFlight}'s was stored by the sandbox and left unanswered (${atKill.perRecipient.get(inFlight)} message)`,
			);

			const runs: Array<{ execution: string; worker: string; after: number; summary: Summary }> = [];
			let restarted: Promise<unknown> | undefined;
			for (;;) {
				const before = new Set(await executionIds(WORKFLOWS.killed.id));
				const r = await post('queue-killed', { recipients });
				expect(r.status).toBe(200);
				const summary = r.body as Summary;
				const execution = (await executionIds(WORKFLOWS.killed.id)).find((e) => !before.has(e)) ?? '?';
				const ranOn = q.workerOf(execution);
				runs.push({ execution, worker: ranOn === undefined ? '?' : workerName(ranOn), after: Math.round((Date.now() - killedAt) / 1000), summary });
				console.log(
					`   re-run ${runs.length} (execution ${execution} on ${runs[runs.length - 1].worker}, ${runs[runs.length - 1].after} s after the kill): sent ${summary.sent}, reasons ${JSON.stringify(summary.reasons)}, statuses ${JSON.stringify(summary.statuses)}`,
				);
				if (runs.length === 1) {
					// The first re-run could only go to the worker still alive.
					expect(ranOn).toBe(other);
					// The killed worker comes back meanwhile (the next re-runs may land on either).
					restarted = q.startWorker(victim);
				}
				if (!summary.reasons?.beingSent) break;
				if (Date.now() - killedAt > 75_000) break;
				await new Promise((r) => setTimeout(r, 5000));
			}
			const last = runs[runs.length - 1].summary;
			const after = await arrivals(recipients, SENDER_B);
			const statuses = sendStatuses(recipients);
			console.log(
				[
					`   at the sandbox: ${after.times.length} messages for ${recipients.length} recipients: ${JSON.stringify(countsOf(after.perRecipient))}; provider answers ${JSON.stringify(statuses)}`,
					`   sent before the kill ${atKill.times.length}, by the re-runs ${runs.map((r) => r.summary.sent).join(' + ')}`,
				].join('\n'),
			);
			await restarted;
			console.log(`   ${workerName(victim)} started again: ${q.workerLogs(victim).filter((line) => /n8n worker is now ready/.test(line)).length} "ready" lines in its log`);

			expect(countsOf(after.perRecipient)).toEqual({ '1 message': recipients.length });
			expect(last.reasons?.beingSent ?? 0).toBe(0);
			expect(last.sent + (last.reasons?.alreadySent ?? 0)).toBe(recipients.length);
			expect(statuses['429']).toBeUndefined();
		} finally {
			abort.abort();
			await killedRun;
		}
	}, 200_000);
});
