/**
 * The Messaging Trigger attacked: 3,000 generated bad requests (random methods, content types, bodies, headers,
 * signatures, huge and broken bodies) to each provider's trigger get 4xx and start nothing, and the trigger keeps
 * answering; a provider (or proxy) that echoes the request back cannot leak a secret into an activation error or a
 * log line; a provider that never answers fails activation within the deadline instead of hanging.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { captureOutput, localServer, rng, type LocalServer } from '../helpers/hostile';
import { useSandbox } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';

const box = useSandbox();
const engine = useEngine(box);
let harnesses: TriggerHarness[] = [];
afterEach(async () => {
	await Promise.all(harnesses.map((h) => h.close()));
	harnesses = [];
});
async function trigger(parameters: Record<string, unknown>): Promise<TriggerHarness> {
	const harness = new TriggerHarness(engine.get(), parameters as never);
	await harness.listen();
	harnesses.push(harness);
	return harness;
}

const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'text/xml', 'application/octet-stream', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1'];

function badRequest(r: ReturnType<typeof rng>, i: number): { headers: Record<string, string>; body: Buffer } {
	const pieces = [
		() => 'MessageSid=SM1&Body=hi&From=%2B33612345678',
		() => '{"type":"mo_text","id":"x","from":"1","to":"2","body":"STOP"}',
		() => JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:123456789012:sandbox-inbound-sms', Message: '{}', Timestamp: 't', SignatureVersion: r.pick(['1', '2', '3']), Signature: 'AAAA', SigningCertURL: r.pick(['https://sns.us-east-1.amazonaws.com/x.pem', 'http://127.0.0.1:1/x.pem', 'file:///etc/passwd', '']) }),
		() => '%%%&&&===',
		() => '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
		() => '\u0000\uffff\ud800',
		() => 'x'.repeat(r.int(0, 200_000)),
		() => Buffer.from(Array.from({ length: r.int(0, 300) }, () => r.int(0, 255))).toString('latin1'),
		() => '[1,2,3]',
		() => 'null',
		() => `MessageSid=${'A'.repeat(r.int(1, 5000))}&MessageStatus=constructor&NumMedia=1e9&MediaUrl0=javascript:alert(1)`,
	];
	const headers: Record<string, string> = { 'Content-Type': r.pick(CONTENT_TYPES) };
	if (r.chance(0.5)) headers['X-Twilio-Signature'] = r.pick(['', 'AAAA', 'x'.repeat(300), '==', 'bm90IGEgc2lnbmF0dXJl']);
	if (r.chance(0.5)) {
		headers['x-sinch-webhook-signature'] = r.pick(['', 'AAAA', 'x'.repeat(300)]);
		headers['x-sinch-webhook-signature-nonce'] = String(i);
		headers['x-sinch-webhook-signature-timestamp'] = r.pick(['0', '-1', 'NaN', '9'.repeat(30)]);
	}
	if (r.chance(0.2)) headers['I-Twilio-Idempotency-Token'] = 'same';
	return { headers, body: Buffer.from(r.pick(pieces)(), 'utf-8') };
}

describe('Messaging Trigger under attack', () => {
	it.each(['twilio', 'sinch', 'sns'] as const)('%s: 1,000 generated bad requests, every one 4xx, no execution, the trigger still answers', async (provider) => {
		const t = await trigger({ provider, configureProvider: false, target: 'arn:aws:sns:us-east-1:123456789012:sandbox-inbound-sms' });
		const r = rng(provider.length * 7919);
		const statuses = new Map<number, number>();
		const output = captureOutput();
		try {
			for (let i = 0; i < 1000; i++) {
				const { headers, body } = badRequest(r, i);
				const method = r.pick(['POST', 'POST', 'POST', 'PUT', 'GET']);
				const res = await fetch(t.url, { method, headers, body: method === 'GET' ? undefined : body }).catch(() => undefined);
				const status = res?.status ?? 0;
				await res?.arrayBuffer().catch(() => undefined);
				statuses.set(status, (statuses.get(status) ?? 0) + 1);
			}
		} finally {
			output.restore();
		}
		expect(t.executions).toHaveLength(0);
		// 403 for what fails the check, 400 for what cannot be read, 404/405 where express has no such route, 413 for too big.
		expect([...statuses.keys()].filter((s) => s < 400 || s >= 500)).toEqual([]);
		const signed = await (await fetch(`${box.get().url}/__sandbox/webhooks`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ provider, url: t.url, body: 'still here', topicArn: 'arn:aws:sns:us-east-1:123456789012:sandbox-inbound-sms' }),
		})).json() as { answer: { status: number } };
		// (SNS: the sandbox's certificate is served from the sandbox, which the credential's Base URL trusts.)
		expect(signed.answer.status).toBe(200);
		expect(t.executions).toHaveLength(1);
	}, 120_000);

	describe('a provider that echoes everything back', () => {
		let echo: LocalServer;
		const SECRET = 'Tw1l10+Auth/Token=9f8e7d6c5b4a';
		beforeAll(async () => {
			echo = await localServer((req: IncomingMessage, res: ServerResponse, body: Buffer) => {
				const echoed = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf-8') });
				res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 21211, message: echoed, status: 400 }));
			});
		});
		afterAll(async () => echo?.close());

		it('never puts a secret into the activation error or a log line', async () => {
			engine.get().setCredentials('messagingTwilioApi', { authType: 'authToken', accountSid: `AC${'e1'.repeat(16)}`, authToken: SECRET, baseUrl: echo.url });
			const t = await trigger({ provider: 'twilio', target: '+15005550006' });
			const output = captureOutput();
			let error: (Error & { description?: string }) | undefined;
			try {
				await t.activate();
			} catch (e) {
				error = e as Error;
			} finally {
				output.restore();
			}
			expect(error).toBeDefined();
			const seen = `${error?.message}\n${error?.description}\n${JSON.stringify(error)}\n${output.text()}`;
			expect(seen).toContain('Twilio');
			for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), encodeURIComponent(SECRET), Buffer.from(`AC${'e1'.repeat(16)}:${SECRET}`).toString('base64')]) {
				expect(seen).not.toContain(form);
			}
		});
	});

	describe('a provider that never answers', () => {
		let silent: LocalServer;
		beforeAll(async () => {
			silent = await localServer(() => undefined);
		});
		afterAll(async () => silent?.close());

		it('fails activation within the 30 s deadline, saying the provider did not answer', async () => {
			engine.get().setCredentials('messagingTwilioApi', { ...engine.get().credentials.messagingTwilioApi, baseUrl: silent.url });
			const t = await trigger({ provider: 'twilio', target: '+15005550006' });
			const started = Date.now();
			await expect(t.activate()).rejects.toThrow(/Twilio/);
			expect(Date.now() - started).toBeLessThan(35_000);
		}, 40_000);
	});
});
