/**
 * The groundwork issue's cases in n8n's engine against the sandbox: n8n's Retry On Fail sends nothing twice, errors
 * are ours, wrong-typed parameters are refused per item, Sinch status per recipient, scheduled messages, fallback
 * reasons.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { IDataObject } from 'n8n-workflow';
import type { Engine } from '../helpers/engine';
import { useEngine } from '../helpers/useEngine';
import { useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
});

const fast = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5000 };
const stored = () => [...box.get().messages.values()];

function send(params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
	const { options, ...rest } = params as { options?: IDataObject };
	return {
		type: 'sendSms',
		name: 'Send SMS',
		...extra,
		parameters: {
			operation: 'send',
			provider: 'twilio',
			to: '={{ $json.phone }}',
			message: '={{ $json.message }}',
			twilioFrom: '+15005550006',
			sinchFrom: '+12025550150',
			...rest,
			options: { ...fast, ...options },
		},
	};
}

/** n8n's Retry On Fail on the node, Continue On Fail off. */
const retryOnFail = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };

/** Distinct recipients: +336120000NN. */
const recipients = (n: number) => Array.from({ length: n }, (_, i) => ({ phone: `+3361${String(2000000 + i).padStart(7, '0')}`, message: `Hello ${i}` }));

describe("n8n's Retry On Fail never sends twice", () => {
	it.each(['twilio', 'sinch', 'sns'] as const)('%s: 300 items, a bad recipient last, 3 tries: every good recipient gets exactly one message', async (provider) => {
		const items = [...recipients(299), { phone: '+12125550102', message: 'opted out' }];
		if (provider === 'sinch') items[299] = { phone: '+12125550101', message: 'refused' };
		const result = await engine.run(items, [send({ provider }, retryOnFail)]);
		expect(result.error('Send SMS')?.message).toMatch(/recipient|STOP|opted out/i);
		const byRecipient = new Map<string, number>();
		for (const m of stored()) byRecipient.set(m.to, (byRecipient.get(m.to) ?? 0) + 1);
		expect(byRecipient.size).toBe(299);
		expect([...byRecipient.values()].filter((n) => n > 1)).toEqual([]);
		expect(stored()).toHaveLength(299);
	});

	it('an item whose request went unanswered is not sent again by the retry', async () => {
		box.get().addFault({ provider: 'twilio', type: 'hang', count: 1 });
		const items = [{ phone: '+33612345678', message: 'first' }, { phone: '+12125550102', message: 'opted out' }];
		const result = await engine.run(items, [send({ options: { timeoutMs: 1000 } }, retryOnFail)]);
		expect(result.error('Send SMS')?.message).toContain('may or may not have gone out');
		expect(stored().filter((m) => m.to === '+33612345678')).toHaveLength(1);
	});

	it('a new execution sends again (the ledger is per execution)', async () => {
		await engine.run(recipients(2), [send()]);
		await engine.run(recipients(2), [send()]);
		expect(stored()).toHaveLength(4);
	});
});

describe('errors are ours, and say what happened', () => {
	it('a reset after the request was written is not an invitation to retry', async () => {
		box.get().addFault({ provider: 'twilio', type: 'reset', count: 1 });
		const result = await engine.run([{ phone: '+33612345678', message: 'x' }], [send()]);
		const error = result.error('Send SMS');
		expect(error?.message).toContain('may or may not have gone out');
		expect(error?.message).not.toMatch(/retry the request immediately|perhaps the server is offline/i);
		expect(String(error?.description)).not.toMatch(/said:/);
	});

	it('a hang after the message was accepted is reported as unknown, not as an offline server', async () => {
		box.get().addFault({ provider: 'sinch', type: 'hang', count: 1 });
		const result = await engine.run([{ phone: '+33612345678', message: 'x' }], [send({ provider: 'sinch', options: { timeoutMs: 1000 } })]);
		const error = result.error('Send SMS');
		expect(error?.message).toContain('Sinch did not answer after the request was sent');
		expect(error?.message).not.toMatch(/perhaps the server is offline/i);
	});

	it('a refused connection is labelled as ours, never as the provider speaking, and falls back', async () => {
		engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, baseUrl: 'http://127.0.0.1:1' });
		const result = await engine.run([{ phone: '+33612345678', message: 'x' }], [send({ provider: 'twilio,sns' })]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: 'sns', fallbackUsed: true, fallbackReason: expect.stringContaining('Could not connect to Twilio (ECONNREFUSED)') });
	});

	it('a fallback says why the first provider was left', async () => {
		engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, authToken: 'wrong-token-0000000000' });
		const result = await engine.run([{ phone: '+33612345678', message: 'x' }], [send({ provider: 'twilio,sinch' })]);
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: 'sinch', fallbackUsed: true, fallbackReason: expect.stringContaining('(Twilio 20003)') });
	});

	it.each([
		['an object as Message', { message: { text: 'hi' } }, { message: '={{ $json.message }}' }, 'Message must be text, but it is an object'],
		['an array as Message', { message: ['a', 'b'] }, { message: '={{ $json.message }}' }, 'Message must be text, but it is a list'],
		['a number as Status Callback URL', { cb: 42 }, { options: { statusCallbackUrl: '={{ $json.cb }}' } }, 'Status Callback URL must be a URL, but it is a number'],
		['a javascript: Status Callback URL', { cb: 'javascript:alert(1)' }, { options: { statusCallbackUrl: '={{ $json.cb }}' } }, 'must be an http:// or https:// URL'],
		['an object as Media URLs', { media: { a: 1 } }, { options: { mediaUrls: '={{ $json.media }}' } }, 'Media URLs must be URLs separated by commas, or a list of URLs'],
		['a list holding a number as Media URLs', { media: ['https://e.com/a.png', 3] }, { options: { mediaUrls: '={{ $json.media }}' } }, 'one entry is a number'],
		['February 30 as Send At', { at: '2027-02-30T10:00:00Z' }, { provider: 'sinch', options: { sendAt: '={{ $json.at }}' } }, 'Send At is not a valid date'],
		['a broken character', { message: 'Hi \uD83D there' }, { message: '={{ $json.message }}' }, 'broken character at position 4'],
		['an object as To', { phone: { n: 1 } }, {}, 'To must be text, but it is an object'],
	])('%s is refused for its item, with nothing sent and nothing internal shown', async (_, json, params, expected) => {
		const result = await engine.run([{ phone: '+33612345678', message: 'ok', ...json }, { phone: '+33612345679', message: 'fine' }], [send(params, { onError: 'continueRegularOutput' })]);
		const [bad, good] = result.items('Send SMS').map((i) => i.json);
		expect(String(bad.error)).toContain(expected);
		expect(String(bad.error)).not.toMatch(/is not a function|Cannot read|\[object Object\]|TypeError/);
		expect(good).toMatchObject({ status: expect.any(String), messageId: expect.any(String) });
		expect(stored().map((m) => m.to)).toEqual(['+33612345679']);
	});

	it('a list of URLs is accepted as Media URLs, and a number as Message is sent as its digits', async () => {
		const result = await engine.run([{ phone: '+33612345678', message: 4242, media: ['https://e.com/a.png', 'https://e.com/b.png'] }], [
			send({ options: { mediaUrls: '={{ $json.media }}' } }),
		]);
		expect(result.error()).toBeUndefined();
		expect(stored()[0]).toMatchObject({ body: '4242', mediaUrls: ['https://e.com/a.png', 'https://e.com/b.png'] });
	});

	it('a Default Country with spaces and lower case works', async () => {
		const result = await engine.run([{ phone: '06 12 34 56 78', message: 'x' }], [send({ defaultCountry: ' fr ' })]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send SMS')[0].json).toMatchObject({ to: '+33612345678' });
	});

	it('Validity Period must be whole seconds: 90.5 is refused, not sent', async () => {
		const result = await engine.run([{ phone: '+33612345678', message: 'x' }], [send({ options: { validityPeriod: 90.5 } }, { onError: 'continueRegularOutput' })]);
		expect(String(result.items('Send SMS')[0].json.error)).toContain('Validity Period must be a whole number');
		expect(stored()).toHaveLength(0);
	});
});

describe('Sinch status per recipient, and what "accepted" means', () => {
	it('reports a recipient Sinch rejected after accepting the batch, and refuses a recipient not in the batch', async () => {
		const sent = await engine.run([{ phone: '+12125550102', message: 'x' }], [send({ provider: 'sinch' })]);
		const item = sent.items('Send SMS')[0].json;
		expect(item).toMatchObject({ status: 'accepted', hint: expect.stringContaining('refuses blocked or opted-out numbers only afterwards') });
		await waitFor(() => ['Rejected', 'Failed'].includes(String(stored()[0].status)), 10_000);
		const lookup = (recipient: string) =>
			engine.run([{ id: item.messageId }], [
				{ type: 'sendSms', name: 'Status', parameters: { operation: 'getStatus', provider: 'sinch', messageId: '={{ $json.id }}', recipient } },
			]);
		const status = await lookup('');
		expect(status.items('Status')[0].json).toMatchObject({ status: 'failed', to: '+12125550102', errorMessage: expect.any(String) });
		const other = await lookup('+33612345678');
		expect(other.error('Status')?.message).toContain('+33612345678 is not a recipient of Sinch batch');
	});

	it('Wait for Final Status returns the final status, within its bound', async () => {
		const started = Date.now();
		const result = await engine.run([{ phone: '+33612345678', message: 'x' }], [send({ provider: 'sinch', options: { waitForStatus: 20 } })]);
		expect(result.items('Send SMS')[0].json).toMatchObject({ status: 'delivered' });
		expect(Date.now() - started).toBeLessThan(21_000);
	});
});

describe('scheduled messages', () => {
	it('a scheduled Twilio message has no sentAt until it is sent, and says when it will be', async () => {
		const { messagingServiceSid } = box.get().accounts.twilio;
		const at = new Date(Date.now() + 3600_000);
		const result = await engine.run([{ phone: '+33612345678', message: 'later' }], [
			send({ twilioSenderType: 'messagingService', twilioMessagingServiceSid: messagingServiceSid, options: { sendAt: at.toISOString() } }),
		]);
		expect(result.items('Send SMS')[0].json).toMatchObject({ status: 'scheduled', sentAt: null, sendAt: at.toISOString() });
	});
});

describe('a connection that was never made is not ambiguous', () => {
	let blackhole: ChildProcess | undefined;
	let port = 0;
	beforeAll(async () => {
		// A listening socket whose accept queue is full: the kernel drops new connection attempts, so connecting hangs.
		blackhole = spawn('python3', ['-c', BLACKHOLE], { stdio: ['ignore', 'pipe', 'inherit'] });
		port = await new Promise<number>((resolve, reject) => {
			blackhole?.stdout?.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
			blackhole?.once('error', reject);
		});
	});
	afterAll(() => blackhole?.kill());

	it('a connect that times out is retried and falls back, with "Nothing was sent"', async () => {
		engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, baseUrl: `http://127.0.0.1:${port}` });
		const started = Date.now();
		const result = await engine.run([{ phone: '+33612345678', message: 'x' }], [send({ provider: 'twilio,sns', options: { timeoutMs: 1000, maxRetries: 1 } })]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: 'sns', fallbackUsed: true, attempts: 3, fallbackReason: expect.stringContaining('Nothing was sent') });
		expect(Date.now() - started).toBeLessThan(2 * 1000 + 2000);
		expect(stored().map((m) => m.provider)).toEqual(['sns']);
	});
});

const BLACKHOLE = `
import socket, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(8):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(('127.0.0.1', port))
    except BlockingIOError:
        pass
    fill.append(c)
print(port, flush=True)
time.sleep(600)
`;
