/**
 * End to end: a fresh n8n 2.x server (Node 24) with this package installed from its tarball, the example
 * workflows imported and published, webhooks hit over HTTP, `n8n execute`, credential tests through n8n's
 * own endpoint, and the editor driven in headless Chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import {
	exampleWorkflows,
	freePort,
	importExamples,
	installPackage,
	n8nCli,
	N8nSession,
	NODE24,
	packPackage,
	PACKAGE_NAME,
	ROOT,
	sandboxCredentials,
	startN8n,
	type RunningN8n,
} from '../../scripts/n8nServer';
import { unflatten } from '../helpers/n8nData';
import { waitFor } from '../helpers/sandbox';
import { runCampaignEditorChecks, runEditorChecks, withBrowser } from './editor';

let sandbox: Sandbox;
let n8n: RunningN8n;
let session: N8nSession;
let userFolder: string;
let port: number;

const stored = () => [...sandbox.messages.values()];

beforeAll(async () => {
	if (!existsSync(NODE24)) throw new Error('n8n is not installed: run `bash scripts/install-n8n.sh`');
	userFolder = mkdtempSync(join(tmpdir(), 'gateway-e2e-'));
	sandbox = await startSandbox({ port: 0, timeScale: 0.05 });
	port = await freePort();
	installPackage(userFolder, packPackage(join(userFolder, 'tarball')));
	await importExamples(userFolder, port, sandbox.url, sandbox.accounts, () => undefined);
	n8n = await startN8n({ userFolder, port, timeoutMs: 180_000 });
	await N8nSession.ownerSetup(n8n.url);
	session = await N8nSession.login(n8n.url);
}, 400_000);

afterAll(async () => {
	await n8n?.stop();
	await sandbox?.stop();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
}, 60_000);

beforeEach(() => sandbox.reset());

describe('n8n loads the package as a user installs it', () => {
	it('has every node and credential type of the package, under its real package name', async () => {
		const nodes = await session.request<Array<{ name: string; usableAsTool?: boolean }>>('GET', '/types/nodes.json');
		const ours = nodes.body.filter((n) => n.name.startsWith(`${PACKAGE_NAME}.`)).map((n) => n.name).sort();
		expect(ours).toEqual([
			`${PACKAGE_NAME}.messagingTrigger`,
			`${PACKAGE_NAME}.phoneNumber`,
			`${PACKAGE_NAME}.phoneNumberTool`,
			`${PACKAGE_NAME}.phoneVerification`,
			`${PACKAGE_NAME}.phoneVerificationTool`,
			`${PACKAGE_NAME}.sendSms`,
			// n8n's human review for the AI Agent, generated from the operation 'sendAndWait' (test/e2e/hitl.test.ts).
			`${PACKAGE_NAME}.sendSmsHitlTool`,
			`${PACKAGE_NAME}.sendSmsTool`,
			`${PACKAGE_NAME}.sendWhatsApp`,
			`${PACKAGE_NAME}.sendWhatsAppHitlTool`,
			`${PACKAGE_NAME}.sendWhatsAppTool`,
			`${PACKAGE_NAME}.smsCampaign`,
			`${PACKAGE_NAME}.smsCampaignTool`,
		]);
		const credentials = await session.request<Array<{ name: string }>>('GET', '/types/credentials.json');
		expect(credentials.body.map((c) => c.name).filter((n) => n.startsWith('messaging')).sort()).toEqual([
			'messagingAwsSnsApi',
			'messagingRedisApi',
			'messagingSinchApi',
			'messagingTwilioApi',
			'messagingVerificationSecretApi',
		]);
	});

	it('logs no warning or error about the package', () => {
		const about = n8n.logs.filter((line) => /n8n-nodes-messaging-gateway|messagingTwilioApi|messagingSinchApi|messagingAwsSnsApi|messagingRedisApi|messagingVerificationSecretApi|phoneVerification/i.test(line));
		expect(about.filter((line) => /warn|error|fail/i.test(line))).toEqual([]);
	});

	it('has the example workflows, the webhook ones published', async () => {
		const list = await session.request<{ data: Array<{ id: string; name: string; active: boolean }> }>('GET', '/rest/workflows');
		const byId = new Map(list.body.data.map((w) => [w.id, w]));
		for (const example of exampleWorkflows()) {
			expect(byId.get(example.id)?.name).toBe(example.name);
			if (example.webhook) expect(byId.get(example.id)?.active).toBe(true);
		}
	});
});

describe("credential Test buttons, through n8n's own endpoint, against the sandbox", () => {
	const credentials = () => sandboxCredentials(sandbox.url, sandbox.accounts);

	it.each(['messagingTwilioApi', 'messagingSinchApi', 'messagingAwsSnsApi'])('%s succeeds with good secrets', async (type) => {
		const credential = credentials().find((c) => c.type === type)!;
		const r = await session.request<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', { credentials: credential });
		expect(r.body.data).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sandbox.requests.length).toBeGreaterThan(0);
	});

	it('the Verification Code Secret is tested by the Phone Verification node: the sandbox one passes, a short one fails', async () => {
		const credential = credentials().find((c) => c.type === 'messagingVerificationSecretApi')!;
		const good = await session.request<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', { credentials: credential });
		expect(good.body.data).toEqual({ status: 'OK', message: `The secret has ${credential.data.secret.length} characters` });
		const short = await session.request<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', { credentials: { ...credential, data: { secret: 'too short' } } });
		expect(short.body.data).toEqual({ status: 'Error', message: 'The secret has 9 characters: it needs at least 32 random ones' });
	});

	it.each([
		['messagingTwilioApi', { authToken: 'wrong' }],
		['messagingSinchApi', { apiToken: 'wrong' }],
		['messagingAwsSnsApi', { secretAccessKey: 'wrong' }],
	])('%s fails clearly with a bad secret', async (type, override) => {
		const credential = credentials().find((c) => c.type === type)!;
		const r = await session.request<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
			credentials: { ...credential, data: { ...credential.data, ...override } },
		});
		expect(r.body.data.status).toBe('Error');
		expect(r.body.data.message).toMatch(/refused these credentials.*: check/);
	});

	it('Sinch with a project access key: a saved credential gets its OAuth2 token and tests green', async () => {
		const { sinch } = sandbox.accounts;
		const data = {
			smsAuth: 'project',
			region: 'us',
			projectId: sinch.projectId,
			keyId: sinch.keyId,
			keySecret: sinch.keySecret,
			smsBaseUrl: sandbox.url,
			authBaseUrl: sandbox.url,
		};
		const created = await session.request<{ data: { id: string } }>('POST', '/rest/credentials', { name: 'Sinch project', type: 'messagingSinchApi', data });
		expect(created.status).toBe(200);
		const r = await session.request<{ data: { status: string } }>('POST', '/rest/credentials/test', {
			credentials: { id: created.body.data.id, name: 'Sinch project', type: 'messagingSinchApi', data },
		});
		expect(r.body.data.status).toBe('OK');
		expect(sandbox.requests.some((q) => q.path === '/oauth2/token')).toBe(true);
	});
});

describe('example workflows in the running server', () => {
	const post = (path: string, body: unknown) =>
		fetch(`${n8n.url}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

	it('alert with fallback: Twilio sends; when Twilio is down, AWS SNS takes over', async () => {
		const first = await post('gateway-alert', { to: '+33612345678', message: 'Disk full' });
		expect(first.status).toBe(200);
		expect(await first.json()).toMatchObject({ provider: 'twilio', status: 'queued', fallbackUsed: false, to: '+33612345678' });

		sandbox.addFault({ provider: 'twilio', type: 'status', status: 503, count: -1 });
		const second = await post('gateway-alert', { to: '+33 6 12 34 56 79', message: 'Disk still full' });
		const out = (await second.json()) as Record<string, unknown>;
		expect(out).toMatchObject({ provider: 'sns', status: 'accepted', fallbackUsed: true, attempts: 4 });
		expect(stored().map((m) => [m.provider, m.body])).toEqual([
			['twilio', 'Disk full'],
			['sns', 'Disk still full'],
		]);
		expect(stored()[1].attributes['AWS.SNS.SMS.SenderID']).toBe('ALERTS');
	});

	it('number clean-up: only valid mobiles get a message', async () => {
		const r = await post('gateway-clean-numbers', { numbers: ['06 12 34 56 78', '01 23 45 67 89', '12345', '+44 7911 123456'] });
		expect(r.status).toBe(200);
		await waitFor(() => stored().length === 2);
		expect(stored().map((m) => [m.provider, m.to]).sort()).toEqual([
			['sinch', '+33612345678'],
			['sinch', '+447911123456'],
		]);
	});

	it('appointment reminders, run with `n8n execute`: one personalised SMS per appointment', async () => {
		const { status, output } = await n8nCli(userFolder, port, ['execute', '--id=gwExReminder0001']);
		expect({ status, output: status === 0 ? '' : output }).toEqual({ status: 0, output: '' });
		expect(stored().map((m) => [m.to, m.body])).toEqual([
			['+33612345678', 'Hi Ada, a reminder of your appointment tomorrow at 09:30. Reply YES to confirm.'],
			['+12125550100', 'Hi Grace, a reminder of your appointment tomorrow at 14:00. Reply YES to confirm.'],
			['+447911123456', 'Hi Alan, a reminder of your appointment tomorrow at 16:45. Reply YES to confirm.'],
		]);
	});

	it('stores the execution data of webhook runs with the one output shape', async () => {
		await post('gateway-alert', { to: '+33612345678', message: 'Stored?' });
		type Listing = { data: { results: Array<{ id: string; workflowId: string; status: string }> } };
		let latest: Listing['data']['results'][number] | undefined;
		for (let i = 0; i < 40 && latest?.status !== 'success'; i++) {
			const executions = await session.request<Listing>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: 'gwExFallback0001' }))}`);
			latest = executions.body.data.results.find((e) => e.workflowId === 'gwExFallback0001');
			if (latest?.status !== 'success') await new Promise((r) => setTimeout(r, 250));
		}
		expect(latest?.status).toBe('success');
		const one = await session.request<{ data: { data: string } }>('GET', `/rest/executions/${latest?.id}`);
		expect(one.body.data.data).toContain('fallbackUsed');
		expect(one.body.data.data).toContain('Stored?');
		expect(one.body.data.data).not.toContain(sandbox.accounts.twilio.authToken);
	});
});

/**
 * A published workflow whose Messaging Trigger configures a Twilio number of the sandbox: its URL, the number's
 * SmsUrl, (de)activation that waits until n8n has settled, its executions, and what happened when a step times out.
 */
function triggerWorkflow(WORKFLOW: string, NUMBER: string, webhookId: string) {
	const hookUrl = () => `${n8n.url}/webhook/${webhookId}/messaging`;
	const control = async (method: string, path: string, body?: unknown) => {
		const r = await fetch(`${sandbox.url}/__sandbox${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
		return (await r.json()) as any;
	};
	const smsUrl = async () => {
		const { accountSid, authToken } = sandbox.accounts.twilio;
		const r = await fetch(`${sandbox.url}/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(NUMBER)}`, {
			headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
		});
		return ((await r.json()) as { incoming_phone_numbers: Array<{ sid: string; sms_url: string }> }).incoming_phone_numbers[0];
	};
	const setSmsUrl = async (url: string) => {
		const { accountSid, authToken } = sandbox.accounts.twilio;
		const { sid } = await smsUrl();
		await fetch(`${sandbox.url}/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`, {
			method: 'POST',
			headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ SmsUrl: url }).toString(),
		});
	};
	type Listing = { data: { results: Array<{ id: string; workflowId: string; status: string }> } };
	const executions = async () => (await session.request<Listing>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW }))}`)).body.data.results;
	const executionData = async (id: string) => (await session.request<{ data: { data: string } }>('GET', `/rest/executions/${id}`)).body.data.data;
	// When a step times out: what the sandbox posted and got back, the workflow's executions, and n8n's last log lines.
	const whatHappened = async () => ({
		smsUrl: (await smsUrl()).sms_url,
		callbacks: sandbox.callbacks.slice(-5).map(({ url, status, responseStatus, error, attempts }) => ({ url, status, responseStatus, error, attempts })),
		messages: stored().map(({ direction, from, to, body, status }) => ({ direction, from, to, body, status })),
		executions: await executions(),
		log: n8n.logs.slice(-25),
	});
	const eventually = async (check: () => Promise<boolean>, ms: number) => {
		const end = Date.now() + ms;
		while (!(await check())) {
			if (Date.now() > end) throw new Error(`eventually: timed out\n${JSON.stringify(await whatHappened(), null, 1)}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	};
	// n8n (de)activates a trigger asynchronously, after the REST call returns: the webhook row, then the node's
	// checkExists/create (or delete), then its static data saved. A test that toggles again before that has settled
	// races n8n's own queue, so each toggle waits until every part of it is seen done.
	const hookAnswer = async () => (await fetch(hookUrl(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Body=probe' })).status;
	const remembered = async () => {
		const wf = await session.request<{ data: { staticData?: Record<string, { url?: string }> | null } }>('GET', `/rest/workflows/${WORKFLOW}`);
		return Object.values(wf.body.data.staticData ?? {}).some((node) => node?.url === hookUrl());
	};
	const setActive = async (active: boolean) => {
		const wf = await session.request<{ data: { versionId: string; active: boolean } }>('GET', `/rest/workflows/${WORKFLOW}`);
		const r = await session.request('POST', `/rest/workflows/${WORKFLOW}/${active ? 'activate' : 'deactivate'}`, { versionId: wf.body.data.versionId });
		expect([active, r.status]).toEqual([active, 200]);
		if (active) await eventually(async () => (await smsUrl()).sms_url === hookUrl() && (await hookAnswer()) === 403 && (await remembered()), 20_000);
		else await eventually(async () => (await hookAnswer()) === 404 && (await smsUrl()).sms_url !== hookUrl() && !(await remembered()), 20_000);
	};
	return { hookUrl, control, smsUrl, setSmsUrl, executions, executionData, whatHappened, eventually, setActive };
}

describe('Messaging Trigger in the running server', () => {
	const PHONE = '+33612345678';
	const NUMBER = '+15005550006';
	const { hookUrl, control, smsUrl, setSmsUrl, executions, executionData, whatHappened, eventually, setActive } = triggerWorkflow('gwExConfirm00001', NUMBER, '5b1e7c3a-0004-4000-8000-00000000c0f1');

	it('on activation points the sandbox number at n8n, deactivation puts the old URL back', async () => {
		// The sandbox was reset before this test: publish again, as a user would after moving n8n.
		await setActive(false);
		await setSmsUrl('https://old.example.com/sms');
		await setActive(true);
		expect((await smsUrl()).sms_url).toBe(hookUrl());
		await setActive(false);
		expect((await smsUrl()).sms_url).toBe('https://old.example.com/sms');
		await setActive(true);
	}, 60_000);

	it("a reply YES from the phone starts the workflow, which confirms by SMS; the confirmation's delivery statuses come back to the trigger and are stored; a forged request gets 403 and no execution", async () => {
		// The sandbox was reset before this test too: its number points nowhere until the trigger is published again.
		await setActive(false);
		await setActive(true);
		const before = (await executions()).length;
		const sent = await control('POST', '/inbound', { from: PHONE, to: NUMBER, body: 'Yes!' });
		expect(sent.webhook).toBe('posted');
		const confirmation = await waitFor(() => stored().find((m) => m.direction === 'outbound-api' && m.to === PHONE && m.body.startsWith('Thank you, your appointment is confirmed')), 20_000).catch(
			async (error: Error) => {
				throw new Error(`${error.message}: no confirmation SMS\n${JSON.stringify(await whatHappened(), null, 1)}`);
			},
		);
		expect(confirmation.from).toBe(NUMBER);
		// Send SMS's "Send Statuses to the Messaging Trigger": the number's URL, which the trigger set, gets them.
		expect(confirmation.callbackUrl).toBe(hookUrl());
		const statuses = () => sandbox.callbacks.filter((c) => c.messageId === confirmation.id && c.url === hookUrl());
		// Every status posted, delivered the last, and each one answered (none still in flight or retried).
		await eventually(async () => statuses().some((c) => c.status === 'delivered') && statuses().every((c) => c.responseStatus !== null), 20_000);
		expect(statuses().map((c) => [c.status, c.responseStatus, c.attempts])).toEqual(statuses().map((c) => [c.status, 200, 1]));
		const expected = before + 1 + statuses().length;
		await eventually(async () => (await executions()).length >= expected, 20_000);
		const forged = await control('POST', '/webhooks', { provider: 'twilio', url: hookUrl(), body: 'Yes', forge: 'signature' });
		expect([forged.answer.status, forged.answer.body]).toEqual([403, 'Forbidden']);
		await new Promise((r) => setTimeout(r, 1500));
		const all = await executions();
		expect(all.length).toBe(expected);
		const details = await Promise.all(all.slice(0, expected - before).map((e) => executionData(e.id)));
		expect(details.some((d) => d.includes('"Yes!"') && d.includes('inbound'))).toBe(true);
		expect(details.some((d) => d.includes('delivered') && d.includes(confirmation.id))).toBe(true);
		for (const d of details) expect(d).not.toContain(sandbox.accounts.twilio.authToken);
	}, 60_000);
});

describe('Send WhatsApp in the running server: the "order shipped" example', () => {
	const PHONE = '+33612345678';
	const WHATSAPP = '+14155238886';
	const flow = triggerWorkflow('gwExWhatsApp0001', WHATSAPP, '5b1e7c3a-0007-4000-8000-00000000c0e2');

	it('an order shipped sends the approved template with Track / Talk to us; the trigger hears it delivered and read; a tap on Track is answered free-form within the window', async () => {
		// The sandbox was reset before this test: the WhatsApp number points nowhere until the trigger is published again.
		await flow.setActive(false);
		await flow.setActive(true);
		const before = (await flow.executions()).length;
		const r = await fetch(`${n8n.url}/webhook/gateway-order-shipped`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ phone: '+33 6 12 34 56 78', name: 'Ada', order: '#1042', arrives: 'on Friday' }),
		});
		const out = (await r.json()) as Record<string, any>;
		expect([r.status, out.error]).toEqual([200, undefined]);
		expect(out).toMatchObject({ provider: 'twilio', channel: 'whatsapp', type: 'template', status: 'queued', to: '+33612345678', template: { name: 'order_shipped', language: 'en' } });
		const template = await waitFor(() => stored().find((m) => m.id === out.messageId), 10_000);
		expect(template).toMatchObject({ channel: 'whatsapp', to: `whatsapp:${PHONE}`, body: 'Hi Ada, your order #1042 has shipped and arrives on Friday.', callbackUrl: flow.hookUrl() });
		expect(template.whatsapp?.buttons?.map((b) => b.title)).toEqual(['Track', 'Talk to us']);
		// WhatsApp's read receipt reaches the trigger (Send Statuses to the Messaging Trigger), and that run goes down "Read".
		await flow.eventually(async () => sandbox.callbacks.some((c) => c.messageId === template.id && c.status === 'read' && c.responseStatus === 200), 20_000);
		const readRun = async () => {
			const all = (await flow.executions()).slice(0, (await flow.executions()).length - before);
			for (const e of all) {
				const data = await flow.executionData(e.id);
				if (data.includes('The customer read it') && data.includes(template.id)) return true;
			}
			return false;
		};
		await flow.eventually(readRun, 20_000);

		// The customer taps Track: the trigger gets the button's payload, and the workflow answers inside the window.
		const tap = await flow.control('POST', '/inbound', { from: PHONE, to: `whatsapp:${WHATSAPP}`, body: 'Track', button: { payload: 'track', title: 'Track' }, replyTo: template.id, channel: 'whatsapp' });
		expect(tap.webhook).toBe('posted');
		const answer = await waitFor(() => stored().find((m) => m.direction === 'outbound-api' && m.to === `whatsapp:${PHONE}` && m.body.startsWith('Here is where your parcel is')), 20_000).catch(async (error: Error) => {
			throw new Error(`${error.message}: no answer to the tap\n${JSON.stringify(await flow.whatHappened(), null, 1)}`);
		});
		expect(answer).toMatchObject({ channel: 'whatsapp', from: `whatsapp:${WHATSAPP}`, body: `Here is where your parcel is: https://track.example.com/parcels?phone=${encodeURIComponent(PHONE)}` });
		await waitFor(() => answer.status === 'delivered' || answer.status === 'read', 20_000);
		// No secret in any stored execution of the workflow.
		for (const e of await flow.executions()) expect(await flow.executionData(e.id)).not.toContain(sandbox.accounts.twilio.authToken);
	}, 120_000);
});

describe('Phone Verification in the running server: the "log in with a code" example', () => {
	const WORKFLOW = 'gwExLoginCode001';
	const post = async (path: string, body: unknown) => {
		const r = await fetch(`${n8n.url}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		return { status: r.status, body: (await r.json()) as Record<string, unknown> };
	};
	/** The code as the phone got it (the sandbox's phone page shows the same text). */
	const codeOn = (phone: string) => /code is (\d{6})\./.exec(stored().filter((m) => m.to === phone).pop()?.body ?? '')?.[1] ?? '';
	type Listing = { data: { results: Array<{ id: string; workflowId: string; status: string }> } };
	const executionData = async () => {
		const listing = await session.request<Listing>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW }))}`);
		return await Promise.all(listing.body.data.results.map(async (e) => (await session.request<{ data: { data: string } }>('GET', `/rest/executions/${e.id}`)).body.data.data));
	};

	it('sends a code by SMS, refuses a wrong code, logs in with the right one once; the code is in no execution of the Send Code run', async () => {
		const phone = '+33612345670';
		const started = await post('gateway-login-start', { phone: '+33 6 12 34 56 70' });
		expect(started).toMatchObject({ status: 200, body: { status: 'pending', verificationId: expect.stringMatching(/^[\w-]+\.[\w-]+$/), reason: null } });
		const code = codeOn(phone);
		expect(code).toMatch(/^\d{6}$/);
		expect(stored().filter((m) => m.to === phone).pop()?.body).toBe(`Your Acme login code is ${code}. It expires in 10 minutes.`);
		const { verificationId } = started.body;
		const wrong = code === '000000' ? '111111' : '000000';
		expect(await post('gateway-login-check', { verificationId, phone, code: wrong })).toEqual({
			status: 401,
			body: { loggedIn: false, status: 'denied', reason: 'The code is not the one sent (4 attempts left)' },
		});
		expect(await post('gateway-login-check', { verificationId, phone, code })).toEqual({ status: 200, body: { loggedIn: true, phone } });
		expect(await post('gateway-login-check', { verificationId, phone, code })).toEqual({
			status: 401,
			body: { loggedIn: false, status: 'expired', reason: 'This code was already used: a code works once. Start a new verification' },
		});
		// The Send Code run's execution data (webhook, node output, response) holds the token, never the code.
		const runs = await executionData();
		const startRun = runs.find((d) => d.includes('gateway-login-start') || d.includes('Send code'));
		expect(startRun).toBeDefined();
		const sendRuns = runs.filter((d) => !d.includes('"code"'));
		expect(sendRuns.length).toBeGreaterThan(0);
		for (const d of sendRuns) expect(d).not.toContain(code);
	}, 60_000);

	it('stops a brute-force run of 1,000 guesses after the configured 5 attempts: even the right code then fails', async () => {
		const phone = '+33612345671';
		const started = await post('gateway-login-start', { phone });
		expect(started.status).toBe(200);
		const code = codeOn(phone);
		const guesses = Array.from({ length: 1000 }, (_, k) => String(k * 997 % 1_000_000).padStart(6, '0')).filter((g) => g !== code);
		guesses.push(code);
		const answers: Array<{ status: number; body: Record<string, unknown> }> = [];
		for (const guess of guesses) answers.push(await post('gateway-login-check', { verificationId: started.body.verificationId, phone, code: guess }));
		expect(answers.filter((a) => a.status === 200)).toEqual([]);
		const statuses = answers.map((a) => a.body.status);
		expect(statuses.slice(0, 5)).toEqual(['denied', 'denied', 'denied', 'denied', 'denied']);
		expect(statuses.slice(5).filter((s) => s !== 'max_attempts_reached')).toEqual([]);
		expect(answers[answers.length - 1].body).toEqual({ loggedIn: false, status: 'max_attempts_reached', reason: 'Too many wrong codes (5): the verification is closed. Start a new one' });
	}, 300_000);

	it('sends at most 5 codes to one number in an hour: the sixth request is refused with 429 and nothing is sent', async () => {
		const phone = '+33612345672';
		for (let k = 0; k < 5; k++) expect((await post('gateway-login-start', { phone })).status).toBe(200);
		const sixth = await post('gateway-login-start', { phone });
		expect(sixth).toMatchObject({ status: 429, body: { status: 'max_attempts_reached', verificationId: null } });
		expect(String(sixth.body.reason)).toMatch(/^5 codes were already sent to this number in the last 60 minutes \(the limit is 5\): nothing was sent\. The next one can be sent in (60|59) minutes$/);
		expect(stored().filter((m) => m.to === phone)).toHaveLength(5);
	}, 60_000);
});

describe('Send and Wait for Reply in the running server: the expense approval example', () => {
	const WORKFLOW = 'gwExApproval0001';
	const NUMBER = '+12025550134';
	const ASK = 'Ask the approver';
	const APPROVED = 'Approved';
	const DECLINED = 'Declined';
	const NO_ANSWER = 'No answer';
	const OTHER = 'Other messages to this number';
	const flow = triggerWorkflow(WORKFLOW, NUMBER, '5b1e7c3a-0009-4000-8000-00000000e0a3');
	const screenshots = join(ROOT, '.test-output', 'screenshots');

	const submit = (expense: Record<string, unknown>) =>
		fetch(`${n8n.url}/webhook/gateway-expense-approval`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(expense) });
	/** The question as the approver's phone got it, and the execution that waits for the answer (its ID is in the link). */
	const question = async (approver: string) => {
		const sms = await waitFor(() => stored().find((m) => m.direction === 'outbound-api' && m.to === approver), 20_000).catch(async (error: Error) => {
			throw new Error(`${error.message}: no question SMS to ${approver}\n${JSON.stringify(await flow.whatHappened(), null, 1)}`);
		});
		// n8n's signed link: /webhook-waiting/<execution>/<node ID>?signature=<HMAC>.
		const link = /(http:\/\/\S+\/webhook-waiting\/(\d+)\/[0-9a-f-]+\?signature=[0-9a-f]{64})$/.exec(sms.body);
		expect(link).not.toBeNull();
		return { sms, link: link![1], executionId: link![2] };
	};
	const listed = async (id: string) => (await flow.executions()).find((e) => e.id === id) as { id: string; status: string; waitTill?: string | null } | undefined;
	/** Each node that ran in an execution, with the items of each of its outputs. */
	const runOf = async (id: string) => {
		const data = unflatten(await flow.executionData(id));
		const nodes: Record<string, Array<Array<Record<string, unknown>>>> = {};
		for (const [name, runs] of Object.entries(data.resultData.runData as Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>)) {
			nodes[name] = (runs.at(-1)?.data?.main ?? []).map((output) => (output ?? []).map((item) => item.json));
		}
		return nodes;
	};
	const finished = async (id: string) => {
		await flow.eventually(async () => (await listed(id))?.status === 'success', 20_000);
		return await runOf(id);
	};

	beforeAll(() => mkdirSync(screenshots, { recursive: true }));

	it('the approver gets the question with "Reply YES or NO." and the link; the run waits; YES typed on the phone page resumes it down Approved (approved true, channel sms), with no run of its own', async () => {
		// The sandbox was reset before this test: its number points nowhere until the trigger is published again.
		await flow.setActive(false);
		await flow.setActive(true);
		const before = (await flow.executions()).length;
		const approver = '+33612345678';
		const r = await submit({ employee: 'Ada', amount: 120, currency: 'EUR', reason: 'the train to Lyon', approver });
		expect([r.status, await r.json()]).toEqual([200, { message: 'Workflow was started' }]);
		const { sms, link, executionId } = await question(approver);
		expect(sms.from).toBe(NUMBER);
		expect(sms.body).toBe(`Expense from Ada: 120 EUR for the train to Lyon.\n\nReply YES or NO.\nOr answer here: ${link}`);
		expect(link.startsWith(`${n8n.url}/webhook-waiting/${executionId}/`)).toBe(true);
		// Waiting, with n8n's own deadline a day (and a few minutes of backstop) away.
		await flow.eventually(async () => (await listed(executionId))?.status === 'waiting', 10_000);
		const waitTill = Date.parse(String((await listed(executionId))?.waitTill));
		expect(waitTill - Date.now()).toBeGreaterThan(24 * 3600_000 - 60_000);
		expect(waitTill - Date.now()).toBeLessThan(24 * 3600_000 + 10 * 60_000);

		// The approver opens the conversation on the sandbox's phone page and types YES.
		await withBrowser(async (browser) => {
			const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
			await page.goto(`${sandbox.url}/`);
			await page.locator(`.phone[data-phone="${approver}"]`).click();
			await page.locator('#thread').getByText('Reply YES or NO.').waitFor({ timeout: 10_000 });
			expect(await page.locator('#thread').innerText()).toContain(link);
			await page.fill('#text', 'YES');
			await page.click('#reply button');
			await page.locator('#thread .msg.inbound').getByText('YES').waitFor({ timeout: 10_000 });
			await page.screenshot({ path: join(screenshots, 'expense-approval-phone.png') });
		});
		const reply = await waitFor(() => stored().find((m) => m.direction === 'inbound' && m.from === approver), 5000);
		expect([reply.to, reply.body]).toEqual([NUMBER, 'YES']);

		const run = await finished(executionId).catch(async (error: Error) => {
			throw new Error(`${error.message}\n${JSON.stringify(await flow.whatHappened(), null, 1)}`);
		});
		expect(run[ASK][0][0]).toMatchObject({ approved: true, channel: 'sms', answer: 'YES', answeredBy: approver, timedOut: false, replyMessageId: reply.id, messageId: sms.id, sentTo: [approver] });
		expect(run[APPROVED]).toEqual([[expect.objectContaining({ decision: 'approved', employee: 'Ada', amount: 120, currency: 'EUR', answeredBy: approver })]]);
		expect([DECLINED, NO_ANSWER].filter((name) => name in run)).toEqual([]);
		// The reply resumed the waiting run instead of starting the trigger's branch: one run in all, the webhook's.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect((await flow.executions()).length).toBe(before + 1);
		expect(await flow.executionData(executionId)).not.toContain(sandbox.accounts.twilio.authToken);
	}, 120_000);

	it('the link opens a page with the message and Approve / Decline; Decline shows "Thank you" and the run goes down Declined (channel link); the link opened again shows n8n\'s "No action required"', async () => {
		await flow.setActive(false);
		await flow.setActive(true);
		const approver = '+33612345677';
		const r = await submit({ employee: 'Grace', amount: 80, currency: 'USD', reason: 'a taxi', approver });
		expect(r.status).toBe(200);
		const { link, executionId } = await question(approver);
		await flow.eventually(async () => (await listed(executionId))?.status === 'waiting', 10_000);

		const seen = await withBrowser(async (browser) => {
			const page = await browser.newPage({ viewport: { width: 800, height: 700 } });
			const opened = await page.goto(link);
			const answerPage = {
				status: opened?.status(),
				title: await page.title(),
				heading: await page.locator('h1').innerText(),
				message: await page.locator('p.msg').innerText(),
				buttons: await page.locator('button').allInnerTexts(),
			};
			await page.screenshot({ path: join(screenshots, 'expense-approval-answer-page.png') });
			// Opening the page answered nothing.
			const stillWaiting = (await listed(executionId))?.status;
			await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Decline' }).click()]);
			const thanks = { heading: await page.locator('h1').innerText(), text: await page.locator('main').innerText(), buttons: await page.locator('button').count() };
			await page.screenshot({ path: join(screenshots, 'expense-approval-thank-you.png') });
			await flow.eventually(async () => (await listed(executionId))?.status === 'success', 20_000);
			// Again, once the run is over: n8n answers a finished execution's signed link itself, with its own page.
			const again = await page.goto(link);
			const later = { status: again?.status(), text: await page.locator('body').innerText(), buttons: await page.locator('button').count() };
			await page.screenshot({ path: join(screenshots, 'expense-approval-link-again.png') });
			return { answerPage, stillWaiting, thanks, later };
		});
		expect(seen.answerPage).toEqual({ status: 200, title: 'Your answer', heading: 'Your answer', message: 'Expense from Grace: 80 USD for a taxi.', buttons: ['Approve', 'Decline'] });
		expect(seen.stillWaiting).toBe('waiting');
		expect(seen.thanks).toEqual({ heading: 'Thank you', text: 'Thank you\n\nYour answer was recorded.', buttons: 0 });
		expect(seen.later.status).toBe(200);
		expect(seen.later.text).toContain('No action required');
		expect(seen.later.buttons).toBe(0);

		const run = await finished(executionId);
		expect(run[ASK][0][0]).toMatchObject({ approved: false, channel: 'link', answer: 'Decline', answeredBy: null, timedOut: false, sentTo: [approver] });
		expect(run[DECLINED]).toEqual([[expect.objectContaining({ decision: 'declined', employee: 'Grace', amount: 80, currency: 'USD', answeredBy: 'the answer page' })]]);
		expect([APPROVED, NO_ANSWER].filter((name) => name in run)).toEqual([]);
	}, 120_000);

	it('a YES from another phone resumes nothing (it starts the trigger branch as a plain message); the approver\'s own NO then resumes the run down Declined', async () => {
		await flow.setActive(false);
		await flow.setActive(true);
		const approver = '+33612345676';
		const stranger = '+33699999999';
		const r = await submit({ employee: 'Alan', amount: 45.5, currency: 'GBP', reason: 'lunch with a client', approver });
		expect(r.status).toBe(200);
		const { executionId } = await question(approver);
		await flow.eventually(async () => (await listed(executionId))?.status === 'waiting', 10_000);
		const before = await flow.executions();

		// Someone else texts YES to the approvals number from the phone page's "Text a sandbox number" form.
		await withBrowser(async (browser) => {
			const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
			await page.goto(`${sandbox.url}/`);
			await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#cto option').length > 0);
			await page.fill('#cfrom', stranger);
			await page.selectOption('#cto', NUMBER);
			await page.fill('#ctext', 'YES');
			await page.click('#compose button');
			await page.locator('#thread .msg.inbound').getByText('YES').waitFor({ timeout: 10_000 });
		});
		await flow.eventually(async () => (await flow.executions()).some((e) => !before.some((b) => b.id === e.id) && e.status === 'success'), 20_000);
		const strangerRun = (await flow.executions()).find((e) => !before.some((b) => b.id === e.id))!;
		const plain = await runOf(strangerRun.id);
		expect(Object.keys(plain).sort()).toEqual([OTHER, 'Replies to the approvals number'].sort());
		expect(plain[OTHER][0][0]).toMatchObject({ event: 'inbound', from: stranger, to: NUMBER, body: 'YES', waitingReply: null });
		expect((await listed(executionId))?.status).toBe('waiting');

		// The approver answers NO by SMS: the wait was still theirs.
		const no = await flow.control('POST', '/inbound', { from: approver, to: NUMBER, body: 'No' });
		expect(no.webhook).toBe('posted');
		const run = await finished(executionId);
		expect(run[ASK][0][0]).toMatchObject({ approved: false, channel: 'sms', answer: 'No', answeredBy: approver, replyMessageId: no.id });
		expect(run[DECLINED]).toEqual([[expect.objectContaining({ decision: 'declined', employee: 'Alan', amount: 45.5, currency: 'GBP', answeredBy: approver })]]);
		expect([APPROVED, NO_ANSWER].filter((name) => name in run)).toEqual([]);
		// Two runs since the stranger's message: theirs, and no other (the NO resumed the waiting one).
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect((await flow.executions()).length).toBe(before.length + 1);
	}, 120_000);
});

describe('Send and Wait for Reply on WhatsApp in the running server: the expense approval example, by WhatsApp', () => {
	const WHATSAPP = '+14155238886';
	const approvals = triggerWorkflow('gwExApproval0001', '+12025550134', '5b1e7c3a-0009-4000-8000-00000000e0a3');
	// The only Messaging Trigger on the WhatsApp number is the "order shipped" example's: it resumes the waiting run.
	const whatsappTrigger = triggerWorkflow('gwExWhatsApp0001', WHATSAPP, '5b1e7c3a-0007-4000-8000-00000000c0e2');

	it('the approved expense_approval template goes to the approver; a tap on Approve on the phone page resumes the run down Approved (channel whatsapp), through the other workflow\'s trigger', async () => {
		await whatsappTrigger.setActive(false);
		await whatsappTrigger.setActive(true);
		const triggerRunsBefore = (await whatsappTrigger.executions()).length;
		const approver = '+33612345675';
		const r = await fetch(`${n8n.url}/webhook/gateway-expense-approval`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ employee: 'Grace', amount: 380, currency: 'EUR', reason: 'the team dinner', approver, channel: 'whatsapp' }),
		});
		expect(r.status).toBe(200);
		const question = await waitFor(() => stored().find((m) => m.direction === 'outbound-api' && m.to === `whatsapp:${approver}`), 20_000).catch(async (error: Error) => {
			throw new Error(`${error.message}: no WhatsApp question\n${JSON.stringify(await approvals.whatHappened(), null, 1)}`);
		});
		expect(question).toMatchObject({ channel: 'whatsapp', from: `whatsapp:${WHATSAPP}`, body: 'Expense report from Grace: 380 EUR for the team dinner. Do you approve it?' });
		expect(question.whatsapp?.buttons?.map((b) => b.title)).toEqual(['Approve', 'Decline']);
		const waiting = async () => (await approvals.executions()).find((e) => e.status === 'waiting');
		await approvals.eventually(async () => Boolean(await waiting()), 10_000);
		const executionId = (await waiting())!.id;

		// The approver taps Approve under the message on the sandbox's phone page.
		await withBrowser(async (browser) => {
			const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
			await page.goto(`${sandbox.url}/`);
			await page.locator(`.phone[data-phone="${approver}"]`).click();
			await page.locator('#thread .buttons button', { hasText: 'Approve' }).click();
			await page.locator('#thread .msg.inbound').getByText('Approve').waitFor({ timeout: 10_000 });
			await page.screenshot({ path: join(ROOT, '.test-output', 'screenshots', 'expense-approval-whatsapp-phone.png') });
		});
		await approvals.eventually(async () => (await approvals.executions()).find((e) => e.id === executionId)?.status === 'success', 20_000);
		const raw = await approvals.executionData(executionId);
		expect(raw).not.toContain(sandbox.accounts.twilio.authToken);
		const runData = unflatten(raw).resultData.runData as Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;
		const out = (name: string) => (runData[name]?.at(-1)?.data?.main ?? []).map((output) => (output ?? []).map((item) => item.json));
		expect(out('Ask on WhatsApp')[0][0]).toMatchObject({ approved: true, channel: 'whatsapp', answer: 'Approve', button: 'approve', answeredBy: approver, messageId: question.id, timedOut: false });
		expect(out('Approved')[0][0]).toMatchObject({ decision: 'approved', employee: 'Grace', amount: 380 });
		expect(['Declined', 'No answer', 'Ask the approver'].filter((name) => name in runData)).toEqual([]);
		// The tap resumed the waiting run: the trigger's workflow started no run for it.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const triggerRuns = (await whatsappTrigger.executions()).slice(0, (await whatsappTrigger.executions()).length - triggerRunsBefore);
		for (const run of triggerRuns) expect(await whatsappTrigger.executionData(run.id)).not.toContain('"button"');
	}, 120_000);
});

describe('the editor, in headless Chromium', () => {
	it('logs in, opens each example, finds our nodes, renders Send SMS and switches providers', async () => {
		const dir = join(ROOT, '.test-output', 'screenshots');
		mkdirSync(dir, { recursive: true });
		await runEditorChecks(n8n.url, dir, exampleWorkflows());
	}, 240_000);
});

// Last in the file: its editor check changes the campaign's parameters without saving, and n8n then shows the
// workflow as being edited in another tab to the browser that opens it next.
describe('Bulk SMS Campaign in the running server: the "appointment reminders" example', () => {
	const WORKFLOW = 'gwExCampaign0001';
	const CAMPAIGN = 'Send the reminders';
	const FROM = '+15005550006';
	const english = (name: string, time: string) => `Hi ${name}, a reminder of your appointment at the clinic tomorrow at ${time}. Reply YES to confirm.`;
	const turkish = (name: string, time: string) => `Merhaba ${name}, yarınki randevunuz saat ${time}. Onay için EVET yazın.`;
	/**
	 * A time zone where it is now `hour` o'clock (and as many minutes as in UTC): Etc/GMT-3 is UTC+3 (POSIX signs are
	 * inverted). Offsets from -12 to +11 reach every hour, so the test never depends on when it runs.
	 */
	const zoneAt = (hour: number, now = new Date()) => {
		const offset = ((hour - now.getUTCHours() + 36) % 24) - 12;
		return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
	};
	/** The valid numbers of the patients posted below, in E.164 as the sandbox stores them. */
	const OURS = new Set(['+905429876543', '+447700123456', '+61491570156', '+33781234567', '+16465550199', '+905331112244', '+447123456789']);
	/**
	 * The sandbox's messages to those patients, through its HTTP control API (the example's 10:00 schedule, should it
	 * fire during the test, texts other numbers).
	 */
	const sandboxMessages = async () => {
		const r = await fetch(`${sandbox.url}/__sandbox/messages`);
		const { messages } = (await r.json()) as { messages: Array<{ direction: string; to: string; from: string | null; body: string; segments: number; createdAt: string }> };
		return messages.filter((m) => m.direction === 'outbound-api' && OURS.has(m.to));
	};
	const post = async (body: unknown) => {
		const r = await fetch(`${n8n.url}/webhook/gateway-appointment-reminders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		return { status: r.status, body: (await r.json()) as Record<string, any> };
	};

	it("texts each patient once, in their language, skips those for whom it is night, the duplicate, the opted-out and the bad number; a second run the same day sends nothing", async () => {
		// 14:xx is daytime and 02:xx night whatever quiet hours 21:00–08:00 are checked against; a run takes seconds.
		const day = zoneAt(14);
		const night = zoneAt(2);
		const patients = [
			{ name: 'Zeynep', phone: '+90 542 987 65 43', language: 'tr', time: '09:00', timeZone: day, optedOut: false },
			{ name: 'Harry', phone: '+44 7700 123456', language: 'en-GB', time: '09:45', timeZone: day, optedOut: false },
			// A Turkish speaker with an Australian number: the language decides, not the number.
			{ name: 'Murat', phone: '+61 491 570 156', language: 'tr-TR', time: '10:30', timeZone: day, optedOut: false },
			{ name: 'Chloé', phone: '+33 7 81 23 45 67', language: 'en', time: '11:15', timeZone: day, optedOut: false },
			{ name: 'Grace', phone: '+1 646 555 0199', language: 'en', time: '13:00', timeZone: night, optedOut: false },
			{ name: 'Elif', phone: '+90 533 111 22 44', language: 'tr', time: '13:30', timeZone: night, optedOut: false },
			// Zeynep again, her number written another way.
			{ name: 'Zeynep', phone: '0090 542 987 65 43', language: 'tr', time: '09:00', timeZone: day, optedOut: false },
			{ name: 'Sam', phone: '+44 7123 456789', language: 'en', time: '14:15', timeZone: day, optedOut: true },
			{ name: 'Nobody', phone: '+90 12', language: 'tr', time: '15:00', timeZone: day, optedOut: false },
		];
		const expected = [
			['+905429876543', turkish('Zeynep', '09:00')],
			['+447700123456', english('Harry', '09:45')],
			['+61491570156', turkish('Murat', '10:30')],
			['+33781234567', english('Chloé', '11:15')],
		];
		// The Campaign Key is "reminders-" and tomorrow's date in the instance's time zone ($today).
		const settings = await session.request<{ data: { timezone: string } }>('GET', '/rest/settings');
		const tomorrow = DateTime.now().setZone(settings.body.data.timezone).plus({ days: 1 }).toISODate();

		const first = await post({ patients });
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({
			campaignKey: `reminders-${tomorrow}`,
			dryRun: false,
			recipients: 9,
			route: ['twilio'],
			// The sandbox number is a US long code: one segment a second.
			rate: { perSecond: 1, unit: 'segments' },
			segments: 4,
			fallbackUsed: 0,
			canceled: false,
		});
		expect([first.body.statuses, first.body.reasons]).toEqual([
			{ queued: 4, skipped: 4, invalid: 1 },
			{ quietHours: 2, duplicate: 1, optedOut: 1, invalidNumber: 1 },
		]);
		const sent = await sandboxMessages();
		expect(sent.map((m) => [m.to, m.body]).sort()).toEqual([...expected].sort());
		expect(sent.every((m) => m.from === FROM && m.segments === 1)).toBe(true);
		// At the sender's rate: four one-segment messages take three seconds at least.
		const times = sent.map((m) => Date.parse(m.createdAt)).sort((a, b) => a - b);
		expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(2700);

		// Each patient's line says why, with the local time for those skipped at night.
		type Listing = { data: { results: Array<{ id: string; workflowId: string; status: string }> } };
		const runs = await session.request<Listing>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW }))}`);
		const details = await Promise.all(runs.body.data.results.map(async (e) => (await session.request<{ data: { data: string } }>('GET', `/rest/executions/${e.id}`)).body.data.data));
		const data = details.find((d) => d.includes('Zeynep')) ?? '';
		expect(data).toContain(`in ${night}, within quiet hours (21:00–08:00)`);
		expect(data).toContain('Same number as item 1: sent once');
		expect(data).not.toContain(sandbox.accounts.twilio.authToken);

		// Again the same day: everyone already texted is skipped, nobody new is texted.
		const second = await post({ patients });
		expect(second.status).toBe(200);
		expect(second.body).toMatchObject({ campaignKey: `reminders-${tomorrow}`, recipients: 9, requests: 0, segments: 0 });
		expect([second.body.statuses, second.body.reasons]).toEqual([
			{ skipped: 8, invalid: 1 },
			{ alreadySent: 4, quietHours: 2, duplicate: 1, optedOut: 1, invalidNumber: 1 },
		]);
		await new Promise((r) => setTimeout(r, 500));
		expect((await sandboxMessages()).map((m) => [m.to, m.body]).sort()).toEqual([...expected].sort());
	}, 120_000);

	it('in the editor: the example explained on the canvas, the node with its outputs Recipients and Summary, its parameters as a person reads them', async () => {
		const dir = join(ROOT, '.test-output', 'screenshots');
		mkdirSync(dir, { recursive: true });
		const view = await runCampaignEditorChecks(n8n.url, dir, WORKFLOW, CAMPAIGN);
		console.log('campaign editor:', JSON.stringify({ ...view, text: undefined }, null, 1));
		expect(view.canvas.sort()).toEqual(["Campaign summary", 'Every day at 10:00', 'Send the reminders', "Tomorrow's patients", 'Try it now (webhook)']);
		expect(view.stickyNotes).toBe(5);
		expect(view.outputs).toEqual([
			['0', 'Recipients'],
			['1', 'Summary'],
		]);
		expect(view.search['Bulk SMS'][0]).toBe('Bulk SMS Campaign');
		for (const words of ['campaign', 'appointment reminders', 'mass SMS']) expect({ words, top: view.search[words].slice(0, 3) }).toEqual({ words, top: expect.arrayContaining(['Bulk SMS Campaign']) });
		// The notice on {field}s, the credential box, and every parameter the example sets, in the order of the panel.
		expect(view.text).toContain('Each input item is one recipient');
		expect(view.text).toContain('Twilio Credential');
		const order = ['Provider', 'Dry Run', 'Twilio Sender', 'Twilio From', 'Phone Number', 'Default Country', 'Message', 'Translations', 'Recipient Opted Out', "Recipient's Language", 'Sending Rate', 'Quiet Hours', 'Quiet From', 'Quiet Until', 'During Quiet Hours', 'Time Zone', 'Campaign Key', 'Share Rate Limits Via', 'Options'];
		expect(view.labels.filter((label) => order.includes(label)).filter((label, i, all) => all.indexOf(label) === i)).toEqual(order);
		expect(view.labels).toEqual(expect.arrayContaining(['Language Code', 'Translated Message']));
		expect(view.values).toMatchObject({ provider: 'Twilio', rateMode: "From the Sender's Number", quietAction: 'Skip the Recipient' });
		expect(view.options).toEqual(expect.arrayContaining(['Opt-Out List', 'Price per Segment', 'Requests at Once']));
		expect(view.byRateMode['By Sender Type']).toContain('Sender Type');
		expect(view.byRateMode.Custom).toEqual(expect.arrayContaining(['Rate per Second', 'Rate Counts']));
		for (const label of ['Sender Type', 'Rate per Second']) expect(view.byRateMode['No Limit']).not.toContain(label);
		for (const label of ['Quiet From', 'Quiet Until', 'During Quiet Hours', 'Time Zone']) expect(view.quietOff).not.toContain(label);
		// The Redis credential box only once Share Rate Limits Via is Redis.
		expect(view.redis.before).toBe(1);
		expect(view.redis.after).toBe(2);
		expect(view.redis.text).toContain('Connect to Messaging Gateway: Redis');
		expect(view.text).not.toContain('Messaging Gateway: Redis');
	}, 180_000);
});
