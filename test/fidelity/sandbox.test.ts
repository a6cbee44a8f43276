/** The sandbox's own behaviour: control API, faults, rate limits, the phone page. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { waitFor } from '../helpers/sandbox';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, timeScale: 0.02, limits: { snsPerSecond: 5, sinchPerSecond: 3, twilioMaxQueueMs: 2500 } });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

const control = (path: string, init?: RequestInit) => fetch(`${sandbox.url}/__sandbox${path}`, init).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

function twilioSend(fields: Record<string, string>) {
	const { accountSid, authToken } = sandbox.accounts.twilio;
	return fetch(`${sandbox.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
		method: 'POST',
		headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ To: '+33612345678', From: '+15005550006', Body: 'x', ...fields }),
	});
}

function sinchSend(to: string[]) {
	const { servicePlanId, apiToken } = sandbox.accounts.sinch;
	return fetch(`${sandbox.url}/xms/v1/${servicePlanId}/batches`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ to, from: 'ACME', body: 'x' }),
	});
}

describe('sandbox control API', () => {
	it('binds to 127.0.0.1 by default and serves its index and phone page', async () => {
		expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const index = await control('');
		expect(index.body.providers).toEqual(['twilio', 'sinch', 'sns']);
		const page = await fetch(`${sandbox.url}/`);
		expect(page.headers.get('content-type')).toContain('text/html');
		expect(await page.text()).toContain('Sandbox phones');
	});

	it('lists, filters and clears messages; keeps replies typed on the phone page', async () => {
		await twilioSend({ To: '+33612345678' });
		await twilioSend({ To: '+33612345679' });
		expect((await control('/messages?to=%2B33612345679')).body.messages).toHaveLength(1);
		const reply = await control('/inbound', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: '+33612345678', body: 'YES' }) });
		expect(reply.body).toMatchObject({ direction: 'inbound', from: '+33612345678', to: '+15005550006', body: 'YES', status: 'received' });
		await control('/messages', { method: 'DELETE' });
		expect((await control('/messages')).body.messages).toHaveLength(0);
	});

	it('injects faults over HTTP: status with Retry-After, for one number only, then clears them', async () => {
		const added = await control('/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ provider: 'twilio', to: '+33612345679', type: 'status', status: 503, retryAfter: 3, count: 2 }) });
		expect(added.status).toBe(201);
		expect((await twilioSend({ To: '+33612345678' })).status).toBe(201);
		const failed = await twilioSend({ To: '+33612345679' });
		expect(failed.status).toBe(503);
		expect(failed.headers.get('retry-after')).toBe('3');
		await control('/faults', { method: 'DELETE' });
		expect((await twilioSend({ To: '+33612345679' })).status).toBe(201);
		expect((await control('/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":"explode"}' })).status).toBe(400);
	});

	it('resets a connection, delays, and hangs after accepting', async () => {
		sandbox.addFault({ type: 'reset' });
		await expect(twilioSend({})).rejects.toThrow();
		expect(sandbox.messages.size).toBe(0);
		sandbox.addFault({ type: 'delay', delayMs: 5000 });
		const started = Date.now();
		expect((await twilioSend({})).status).toBe(201);
		expect(Date.now() - started).toBeGreaterThanOrEqual(90);
		sandbox.addFault({ type: 'hang' });
		let answered = false;
		// The answer never comes; the socket is closed when the sandbox stops.
		void twilioSend({ To: '+33612345679' }).then(() => (answered = true), () => undefined);
		await waitFor(() => [...sandbox.messages.values()].some((m) => m.to === '+33612345679'));
		await new Promise((r) => setTimeout(r, 200));
		expect(answered).toBe(false);
		expect(sandbox.requests.at(-1)).toMatchObject({ fault: 'hang', status: 201 });
	});
});

describe('sandbox rate limits, with the providers own errors', () => {
	// Real time here: rate windows shrink with the time scale.
	beforeAll(async () => {
		await sandbox.stop();
		sandbox = await startSandbox({ port: 0, timeScale: 1, limits: { snsPerSecond: 5, sinchPerSecond: 3, twilioMaxQueueMs: 5000 } });
	});

	it('Twilio: a US long code sends 1 segment a second; past the allowed backlog it refuses with 21611', async () => {
		const statuses: number[] = [];
		let code = 0;
		for (let i = 0; i < 10; i++) {
			const r = await twilioSend({ From: '+12025550134' });
			statuses.push(r.status);
			if (r.status === 400) code = ((await r.json()) as { code: number }).code;
		}
		expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
		expect(statuses.at(-1)).toBe(400);
		expect(code).toBe(21611);
		// Another sender has its own queue.
		expect((await twilioSend({ From: '+15005550006' })).status).toBe(201);
	});

	it('Sinch: more recipients a second than the plan allows answers 429', async () => {
		expect((await sinchSend(['+33612345678', '+33612345679'])).status).toBe(201);
		const limited = await sinchSend(['+33612345670', '+33612345671']);
		expect(limited.status).toBe(429);
		expect(await limited.json()).toEqual({ code: 'too_many_requests', text: 'Too many requests' });
	});

	it('AWS SNS: more publishes a second than allowed answers Throttling', async () => {
		const { accessKeyId, secretAccessKey, region } = sandbox.accounts.sns;
		const client = new SNSClient({ region, endpoint: sandbox.url, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
		const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.send(new PublishCommand({ PhoneNumber: '+33612345678', Message: 'x' }))));
		const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
		expect(rejected.length).toBeGreaterThan(0);
		expect(rejected[0].reason.name).toBe('Throttling');
		expect(rejected[0].reason.$metadata.httpStatusCode).toBe(400);
	});
});
