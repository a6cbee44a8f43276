/**
 * End to end: Send SMS as an AI Agent's human-in-the-loop tool, in a real n8n 2.41 server, offline.
 *
 * n8n generates `sendSmsHitlTool` from Send SMS at load time (its operation option 'sendAndWait'). Placed between the
 * AI Agent and a tool, it gates the tool: when the model calls the tool, n8n runs our node (the SMS to the approver,
 * the execution waits); the approver's reply comes back through the Messaging Trigger, which resumes the execution;
 * the agent reads `approved` from our node's output and runs the tool, or tells the model it was denied.
 *
 * The model is n8n's OpenAI chat model node talking to a scripted OpenAI-compatible server on 127.0.0.1
 * (test/helpers/fakeOpenAi.ts): it calls the Calculator with 6*7 and then answers with what the tool message said.
 * Answers: YES by SMS and Approve on the answer page run the Calculator; NO and the time limit (a minute here) do not.
 *
 * The workflow stays in this file rather than in examples/: every example is imported and published by `npm start`
 * and runs against the sandbox with no account, and this one needs a language model (here a scripted fake).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { freePort, installPackage, n8nCli, N8nSession, NODE24, packPackage, PACKAGE_NAME, sandboxCredentials, startN8n, CREDENTIAL_IDS, type RunningN8n } from '../../scripts/n8nServer';
import { callOnceThenAnswer, startFakeOpenAi, textOf, type FakeOpenAi } from '../helpers/fakeOpenAi';
import { unflatten } from '../helpers/n8nData';

const WORKFLOW = 'gwTestHitlAgent1';
const WEBHOOK_PATH = 'gateway-agent-approval';
/** A Twilio number of the sandbox no example's trigger listens on (they use +15005550006 and +12025550134). */
const NUMBER = '+447911000001';
const TRIGGER_WEBHOOK_ID = '7d1c0a4e-00a1-4000-8000-0000000a9e01';
const AGENT = 'AI Agent';
const HUMAN_REVIEW = 'Ask the approver by SMS';
const TOOL = 'Calculator';
const MESSAGE = '=The AI agent wants to use {{ $tool.name }} with {{ JSON.stringify($tool.parameters) }}.';
const OPENAI_CREDENTIAL = { id: 'gwTestFakeOpenAi', name: 'Fake OpenAI (tests)' };

/** Webhook → AI Agent (fake model; the Calculator gated by Send SMS's human review); a Messaging Trigger for replies. */
function agentWorkflow() {
	const twilio = { messagingTwilioApi: { id: CREDENTIAL_IDS.twilio, name: 'Sandbox Twilio' } };
	return {
		id: WORKFLOW,
		name: 'AI agent asks before using a tool (test)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '7d1c0a4e-00a1-4000-8000-000000000001',
				name: 'Question',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '7d1c0a4e-00a1-4000-8000-0000000a9e00',
				parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, options: {} },
			},
			{
				id: '7d1c0a4e-00a1-4000-8000-000000000002',
				name: AGENT,
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [260, 0],
				parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} },
			},
			{
				id: '7d1c0a4e-00a1-4000-8000-000000000003',
				name: 'Fake model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				position: [180, 240],
				parameters: { model: { __rl: true, mode: 'id', value: 'fake-model' }, responsesApiEnabled: false, options: {} },
				credentials: { openAiApi: OPENAI_CREDENTIAL },
			},
			{
				id: '7d1c0a4e-00a1-4000-8000-000000000004',
				name: HUMAN_REVIEW,
				type: `${PACKAGE_NAME}.sendSmsHitlTool`,
				typeVersion: 1,
				position: [420, 240],
				webhookId: '7d1c0a4e-00a1-4000-8000-0000000a9e02',
				// n8n's default Message ends with {{ $tool.parameters }}, which n8n renders "[object Object]" in text: say it ourselves.
				// A minute to answer, so that a test sees the time limit; the answer link, so that one answers on the page.
				parameters: { provider: 'twilio', to: '={{ $json.body.approver }}', twilioFrom: NUMBER, message: MESSAGE, waitAmount: 1, waitUnit: 'minutes', waitOptions: { answerLink: true } },
				credentials: twilio,
			},
			{
				id: '7d1c0a4e-00a1-4000-8000-000000000005',
				name: TOOL,
				type: '@n8n/n8n-nodes-langchain.toolCalculator',
				typeVersion: 1,
				position: [420, 460],
				parameters: {},
			},
			{
				id: '7d1c0a4e-00a1-4000-8000-000000000006',
				name: 'Replies to the approvals number',
				type: `${PACKAGE_NAME}.messagingTrigger`,
				typeVersion: 1,
				position: [0, 460],
				webhookId: TRIGGER_WEBHOOK_ID,
				parameters: { provider: 'twilio', events: ['inbound'], configureProvider: true, target: NUMBER, resumeWaiting: true, waitStore: 'process', options: {} },
				credentials: twilio,
			},
		],
		connections: {
			Question: { main: [[{ node: AGENT, type: 'main', index: 0 }]] },
			'Fake model': { ai_languageModel: [[{ node: AGENT, type: 'ai_languageModel', index: 0 }]] },
			[HUMAN_REVIEW]: { ai_tool: [[{ node: AGENT, type: 'ai_tool', index: 0 }]] },
			[TOOL]: { ai_tool: [[{ node: HUMAN_REVIEW, type: 'ai_tool', index: 0 }]] },
		},
	};
}

let sandbox: Sandbox;
let model: FakeOpenAi;
let n8n: RunningN8n;
let session: N8nSession;
let userFolder: string;

const hookUrl = () => `${n8n.url}/webhook/${TRIGGER_WEBHOOK_ID}/messaging`;
const twilioAuth = () => `Basic ${Buffer.from(`${sandbox.accounts.twilio.accountSid}:${sandbox.accounts.twilio.authToken}`).toString('base64')}`;
/** Where the sandbox posts what is texted to NUMBER (the Messaging Trigger sets it when the workflow is published). */
const smsUrl = async () => {
	const r = await fetch(`${sandbox.url}/2010-04-01/Accounts/${sandbox.accounts.twilio.accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(NUMBER)}`, { headers: { Authorization: twilioAuth() } });
	return ((await r.json()) as { incoming_phone_numbers: Array<{ sms_url: string }> }).incoming_phone_numbers[0]?.sms_url;
};

type Execution = { id: string; workflowId: string; status: string; waitTill?: string | null };
const executions = async () =>
	(await session.request<{ data: { results: Execution[] } }>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW }))}`)).body.data.results;
const executionData = async (id: string) => unflatten((await session.request<{ data: { data: string } }>('GET', `/rest/executions/${id}`)).body.data.data);

/** Each node's runs in an execution: per run, its outputs by connection type (main, ai_tool…), each output's items' JSON. */
const runsOf = async (id: string) => {
	const data = await executionData(id);
	const runs: Record<string, Array<Record<string, Array<Array<Record<string, any>>>>>> = {};
	for (const [name, nodeRuns] of Object.entries(data.resultData.runData as Record<string, Array<{ data?: Record<string, Array<Array<{ json: Record<string, unknown> }> | null>> }>>)) {
		runs[name] = nodeRuns.map((run) => Object.fromEntries(Object.entries(run.data ?? {}).map(([type, outputs]) => [type, outputs.map((items) => (items ?? []).map((item) => item.json))])));
	}
	return { runs, error: data.resultData.error as { message?: string } | undefined, lastNodeExecuted: data.resultData.lastNodeExecuted as string };
};

/** What happened, for a step that timed out. */
const whatHappened = async () => ({
	smsUrl: await smsUrl(),
	messages: [...sandbox.messages.values()].map(({ direction, from, to, body, status }) => ({ direction, from, to, body, status })),
	callbacks: sandbox.callbacks.slice(-5).map(({ url, status, responseStatus, error }) => ({ url, status, responseStatus, error })),
	modelRequests: model.requests.length,
	executions: await executions(),
	log: n8n.logs.slice(-30),
});
const eventually = async <T>(check: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> => {
	const end = Date.now() + ms;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > end) throw new Error(`Timed out waiting for ${what}\n${JSON.stringify(await whatHappened(), null, 1)}`);
		await new Promise((r) => setTimeout(r, 250));
	}
};

beforeAll(async () => {
	if (!existsSync(NODE24)) throw new Error('n8n is not installed: run `bash scripts/install-n8n.sh`');
	userFolder = mkdtempSync(join(tmpdir(), 'gateway-hitl-'));
	sandbox = await startSandbox({ port: 0, timeScale: 0.05 });
	model = await startFakeOpenAi(
		callOnceThenAnswer(
			TOOL,
			// The gated tool's arguments: the tool's own under toolParameters (n8n's HITL toolkit wraps them so).
			() => ({ toolParameters: { input: '6*7' }, hitlParameters: {} }),
			(toolMessage) => `The calculator tool answered: ${toolMessage}`,
		),
	);
	const port = await freePort();
	installPackage(userFolder, packPackage(join(userFolder, 'tarball')));
	const credentialsFile = join(userFolder, 'credentials.json');
	writeFileSync(
		credentialsFile,
		JSON.stringify([
			...sandboxCredentials(sandbox.url, sandbox.accounts),
			{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-fake-key-for-tests', url: model.url } },
		]),
	);
	const workflowFile = join(userFolder, 'workflow.json');
	writeFileSync(workflowFile, JSON.stringify(agentWorkflow()));
	for (const args of [['import:credentials', `--input=${credentialsFile}`], ['import:workflow', `--input=${workflowFile}`], ['publish:workflow', `--id=${WORKFLOW}`]]) {
		const { status, output } = await n8nCli(userFolder, port, args);
		if (status !== 0) throw new Error(`n8n ${args.join(' ')} failed:\n${output}`);
	}
	n8n = await startN8n({ userFolder, port, timeoutMs: 240_000 });
	await N8nSession.ownerSetup(n8n.url);
	session = await N8nSession.login(n8n.url);
	// Publish again through the REST API, as a user does: the Messaging Trigger then points the number at n8n.
	const wf = await session.request<{ data: { versionId: string } }>('GET', `/rest/workflows/${WORKFLOW}`);
	expect((await session.request('POST', `/rest/workflows/${WORKFLOW}/deactivate`)).status).toBe(200);
	expect((await session.request('POST', `/rest/workflows/${WORKFLOW}/activate`, { versionId: wf.body.data.versionId })).status).toBe(200);
	await eventually(async () => (await smsUrl()) === hookUrl(), 30_000, "the number's SmsUrl to be the trigger's");
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await model?.stop();
	await sandbox?.stop();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
}, 60_000);

describe('n8n generates the human-in-the-loop tools from our send-and-wait operation', () => {
	it('sendSmsHitlTool and sendWhatsAppHitlTool: a Message, the hidden operation sendAndWait and response type approval, Approval Options, and our To, provider and sender fields', async () => {
		const nodes = await session.request<Array<{ name: string; displayName: string; properties: Array<{ name: string; type: string; default: unknown; required?: boolean }>; inputs: unknown; outputs: unknown; credentials?: Array<{ name: string }>; webhooks?: unknown[] }>>('GET', '/types/nodes.json');
		const hitl = nodes.body.filter((n) => n.name.startsWith(`${PACKAGE_NAME}.`) && n.name.endsWith('HitlTool'));
		expect(hitl.map((n) => n.name).sort()).toEqual([`${PACKAGE_NAME}.sendSmsHitlTool`, `${PACKAGE_NAME}.sendWhatsAppHitlTool`]);
		for (const node of hitl) {
			const byName = new Map(node.properties.map((p) => [p.name, p]));
			expect(byName.get('message')).toMatchObject({ type: 'string', required: true, default: expect.stringContaining('{{ $tool.name }}') });
			expect(byName.get('operation')).toMatchObject({ type: 'hidden', default: 'sendAndWait' });
			expect(byName.get('responseType')).toMatchObject({ type: 'hidden', default: 'approval' });
			expect(byName.get('approvalOptions')?.type).toBe('fixedCollection');
			for (const name of ['provider', 'to', 'limitWaitTime', 'waitStore', 'waitOptions']) expect({ name, present: byName.has(name) }).toEqual({ name, present: true });
			// One Message only: ours gave way to n8n's.
			expect(node.properties.filter((p) => p.name === 'message')).toHaveLength(1);
			expect(node.inputs).toEqual([{ displayName: 'Tool', type: 'ai_tool', required: true }]);
			expect(node.outputs).toEqual([expect.objectContaining({ displayName: 'Human review', type: 'ai_tool' })]);
			expect(node.credentials?.map((c) => c.name)).toEqual(expect.arrayContaining(['messagingTwilioApi', 'messagingRedisApi']));
			expect(node.webhooks?.length).toBeGreaterThan(0);
		}
		const sms = new Map(hitl.find((n) => n.name.endsWith('sendSmsHitlTool'))!.properties.map((p) => [p.name, p]));
		for (const name of ['twilioFrom', 'defaultCountry']) expect({ name, present: sms.has(name) }).toEqual({ name, present: true });
	});
});

describe('Send SMS as the AI Agent\'s human review, in the running server', () => {
	const QUESTION = 'What is 6 times 7? Use the calculator.';
	const ask = async (approver: string) => {
		const before = new Set((await executions()).map((e) => e.id));
		const r = await fetch(`${n8n.url}/webhook/${WEBHOOK_PATH}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ question: QUESTION, approver }),
		});
		expect([r.status, await r.json()]).toEqual([200, { message: 'Workflow was started' }]);
		const sms = await eventually(async () => [...sandbox.messages.values()].find((m) => m.direction === 'outbound-api' && m.to === approver), 60_000, `the question SMS to ${approver}`);
		const waiting = await eventually(async () => (await executions()).find((e) => !before.has(e.id) && e.status === 'waiting'), 30_000, 'the execution to wait');
		// The question, how to answer, and n8n's signed link to the answer page (/webhook-waiting/<execution>/<node ID>).
		const shape = /^The AI agent wants to use Calculator with \{"input":"6\*7"\}\.\n\nReply YES or NO\.\nOr answer here: (http:\/\/\S+\/webhook-waiting\/(\d+)\/[0-9a-f-]+\?signature=[0-9a-f]{64})$/.exec(sms.body);
		expect({ body: sms.body, shaped: shape !== null }).toEqual({ body: sms.body, shaped: true });
		expect(shape![2]).toBe(waiting.id);
		return { sms, link: shape![1], executionId: waiting.id, waitTill: waiting.waitTill, before };
	};
	const reply = async (approver: string, body: string) => {
		const r = await fetch(`${sandbox.url}/__sandbox/inbound`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: approver, to: NUMBER, body }) });
		return (await r.json()) as { id: string; webhook: string };
	};
	const finished = async (id: string, ms = 90_000) => {
		const done = await eventually(async () => (await executions()).find((e) => e.id === id && e.status !== 'waiting' && e.status !== 'running' && e.status !== 'new'), ms, `execution ${id} to finish`);
		const run = await runsOf(id);
		if (done.status !== 'success') throw new Error(`Execution ${id} ended ${done.status}: ${run.error?.message}\n${JSON.stringify(run.runs, null, 1).slice(0, 4000)}`);
		return run;
	};

	it('YES: the approver gets the SMS, the run waits, the reply resumes it, the Calculator runs and the agent answers with its result', async () => {
		const approver = '+447911123450';
		const requestsBefore = model.requests.length;
		const { sms, executionId, waitTill, before } = await ask(approver);
		expect(sms.from).toBe(NUMBER);
		// The time limit (a minute) and our backstop (3 minutes more): n8n's own deadline about 4 minutes away.
		const deadline = Date.parse(String(waitTill)) - Date.now();
		expect(deadline).toBeGreaterThan(3 * 60_000);
		expect(deadline).toBeLessThan(4 * 60_000 + 5_000);
		// The model was asked once: the question, and the gated tool offered with n8n's HITL wrapping of its arguments.
		const first = model.requests[requestsBefore];
		expect(model.requests.length - requestsBefore).toBe(1);
		expect([first.messages.at(-1)?.role, textOf(first.messages.at(-1))]).toEqual(['user', QUESTION]);
		expect(first.tools?.map((t) => t.function.name)).toEqual([TOOL]);
		expect(first.tools?.[0].function.parameters).toMatchObject({
			required: ['toolParameters', 'hitlParameters'],
			properties: { toolParameters: { type: 'object', properties: { input: { type: 'string' } } }, hitlParameters: { type: 'object', properties: {} } },
		});
		const paused = await runsOf(executionId);
		expect(paused.runs[TOOL]).toBeUndefined();

		const answer = await reply(approver, 'YES');
		expect(answer.webhook).toBe('posted');
		const { runs } = await finished(executionId);
		// Our node's output after the resume, as the agent read it (n8n puts it on ai_tool).
		expect(runs[HUMAN_REVIEW]?.at(-1)?.ai_tool?.[0]?.[0]).toMatchObject({ approved: true, answer: 'YES', answeredBy: approver, channel: 'sms', messageId: sms.id });
		// The Calculator ran once, with the arguments the model gave; the model got its result and answered with it.
		expect(runs[TOOL]?.map((run) => run.ai_tool?.[0]?.[0])).toEqual([{ response: '42' }]);
		expect(model.requests.length - requestsBefore).toBe(2);
		expect(textOf([...model.requests.at(-1)!.messages].reverse().find((m) => m.role === 'tool'))).toBe('[{"response":"42"}]');
		expect(runs[AGENT].at(-1)?.main?.[0]?.[0]?.output).toBe('The calculator tool answered: [{"response":"42"}]');
		// The reply resumed the run: the trigger started no run of its own.
		await new Promise((r) => setTimeout(r, 1000));
		expect((await executions()).filter((e) => !before.has(e.id)).map((e) => e.id)).toEqual([executionId]);
	}, 240_000);

	it('NO: the Calculator never runs; the model is told the user rejected the call, and the agent\'s answer says so', async () => {
		const approver = '+447911123451';
		const requestsBefore = model.requests.length;
		const { executionId } = await ask(approver);
		const answer = await reply(approver, 'NO');
		expect(answer.webhook).toBe('posted');
		const { runs } = await finished(executionId);
		expect(runs[HUMAN_REVIEW]?.at(-1)?.ai_tool?.[0]?.[0]).toMatchObject({ approved: false, answer: 'NO', answeredBy: approver, channel: 'sms' });
		expect(runs[TOOL]).toBeUndefined();
		// n8n's own words to the model for a denied call, as the fake model echoed them.
		expect(model.requests.length - requestsBefore).toBe(2);
		expect(runs[AGENT].at(-1)?.main?.[0]?.[0]?.output).toMatch(
			/^The calculator tool answered: \[\{"output":"User rejected the tool call to Calculator \(id: call_\w+\)\. STOP what you are doing and wait for the user to tell you how to proceed\. The tool is still available if needed\."\}\]$/,
		);
	}, 240_000);

	it("the answer link: the page shows the question with Approve and Decline; Approve resumes the run (channel link) and the Calculator runs", async () => {
		const approver = '+447911123452';
		const { link, executionId } = await ask(approver);
		const page = await fetch(link);
		const html = await page.text();
		expect(page.status).toBe(200);
		expect(html).toContain('The AI agent wants to use Calculator with {&quot;input&quot;:&quot;6*7&quot;}.');
		expect(html).toMatch(/<button class="approve"[^>]*>Approve<\/button>.*<button class="decline"[^>]*>Decline<\/button>/s);
		// Opening the page answered nothing.
		expect((await executions()).find((e) => e.id === executionId)?.status).toBe('waiting');
		const approve = await fetch(link, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
		expect([approve.status, await approve.text()]).toEqual([200, expect.stringContaining('Your answer was recorded.')]);
		const { runs } = await finished(executionId);
		expect(runs[HUMAN_REVIEW]?.at(-1)?.ai_tool?.[0]?.[0]).toMatchObject({ approved: true, answer: 'Approve', answeredBy: null, channel: 'link' });
		expect(runs[TOOL]?.map((run) => run.ai_tool?.[0]?.[0])).toEqual([{ response: '42' }]);
		expect(runs[AGENT].at(-1)?.main?.[0]?.[0]?.output).toBe('The calculator tool answered: [{"response":"42"}]');
	}, 240_000);

	it('no answer in the minute: the time limit resumes the run with approved null, the Calculator never runs and the model is told the call was rejected', async () => {
		const approver = '+447911123453';
		const { executionId } = await ask(approver);
		const { runs } = await finished(executionId, 150_000);
		expect(runs[HUMAN_REVIEW]?.at(-1)?.ai_tool?.[0]?.[0]).toMatchObject({ approved: null, timedOut: true, answer: null, channel: null });
		expect(runs[TOOL]).toBeUndefined();
		// The model cannot tell this from a NO: n8n denies whatever is not approved: true.
		expect(runs[AGENT].at(-1)?.main?.[0]?.[0]?.output).toContain('User rejected the tool call to Calculator');
	}, 240_000);

	it('the model was only ever asked through /v1/chat/completions, without streaming (the webhook does not stream)', () => {
		expect(model.unknown).toEqual([]);
		expect(model.requests.length).toBeGreaterThan(0);
		expect(model.requests.map((r) => r.stream ?? false)).toEqual(model.requests.map(() => false));
	});

	it('n8n logged no warning or error about our nodes', () => {
		const about = n8n.logs.filter((line) => /n8n-nodes-messaging-gateway|Send and wait|Messaging Trigger|Ask the approver by SMS|Replies to the approvals number/i.test(line));
		// Our own lines are there (the filter sees them): one question sent per run.
		expect(about.filter((line) => line.includes('Send and wait: 1 message sent, waiting for an answer')).length).toBeGreaterThanOrEqual(4);
		expect(about.filter((line) => /warn|error|fail/i.test(line))).toEqual([]);
	});
});
