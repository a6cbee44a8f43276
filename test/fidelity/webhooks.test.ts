/**
 * The sandbox's webhook side, driven by the official SDKs: Twilio numbers' and Messaging Services' webhook URLs
 * (twilio), SNS topics and subscriptions (@aws-sdk/client-sns); inbound messages from the phone page posted, signed,
 * to what was configured; status callbacks through a service's URL; a test's webhooks fired signed or forged.
 */
import { ConfirmSubscriptionCommand, ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmsService } from '@sinch/sms';
import twilio from 'twilio';
import { verifySnsMessageSignature } from '../../nodes/shared/signatures/snsMessage';
import { validateSinchWebhookSignature } from '../../nodes/shared/signatures/sinch';
import { SANDBOX_SNS_CERTIFICATE } from '../../sandbox/snsSigningCertificate';
import { sandboxControl, twilioSdk, useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();

interface Received {
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
}

/** A receiver on 127.0.0.1 that keeps what it is sent and answers with `answer`. */
let server: Server;
let received: Received[] = [];
let answer: (r: Received) => { status: number; type: string; body: string } = () => ({ status: 200, type: 'text/plain', body: 'OK' });
let base = '';
beforeAll(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			const r = { path: req.url ?? '', headers: req.headers, body };
			received.push(r);
			const a = answer(r);
			res.writeHead(a.status, { 'Content-Type': a.type }).end(a.body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
	received = [];
	answer = () => ({ status: 200, type: 'text/plain', body: 'OK' });
});

const twilioClient = () => twilioSdk(box.get());

function snsClient() {
	const { accessKeyId, secretAccessKey, region } = box.get().accounts.sns;
	return new SNSClient({ region, endpoint: box.get().url, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);

describe('Twilio webhooks in the sandbox', () => {
	it('lets the SDK find a number and set its SmsUrl; a phone reply is posted there, signed, and TwiML replies come back to the phone', async () => {
		const c = twilioClient();
		const [number] = await c.incomingPhoneNumbers.list({ phoneNumber: '+15005550006' });
		expect(number.phoneNumber).toBe('+15005550006');
		expect(number.smsUrl).toBe('');
		const updated = await c.incomingPhoneNumbers(number.sid).update({ smsUrl: `${base}/sms?n=1`, smsMethod: 'POST' });
		expect(updated.smsUrl).toBe(`${base}/sms?n=1`);
		expect((await c.incomingPhoneNumbers(number.sid).fetch()).smsUrl).toBe(`${base}/sms?n=1`);
		answer = () => ({ status: 200, type: 'text/xml', body: '<?xml version="1.0"?><Response><Message>Thanks &amp; see you</Message></Response>' });
		const sent = await control('POST', '/inbound', { from: '+33612345678', to: '+15005550006', body: 'YES' });
		expect([sent.httpStatus, sent.webhook, sent.provider]).toEqual([201, 'posted', 'twilio']);
		const hook = await waitFor(() => received[0]);
		const params = Object.fromEntries(new URLSearchParams(hook.body));
		expect(params).toMatchObject({ From: '+33612345678', To: '+15005550006', Body: 'YES', SmsStatus: 'received', NumMedia: '0', AccountSid: box.get().accounts.twilio.accountSid });
		expect(twilio.validateRequest(box.get().accounts.twilio.authToken, String(hook.headers['x-twilio-signature']), `${base}/sms?n=1`, params)).toBe(true);
		expect(hook.headers['i-twilio-idempotency-token']).toMatch(/^[0-9a-f]{32}$/);
		const reply = await waitFor(() => [...box.get().messages.values()].find((m) => m.direction === 'outbound-api' && m.body === 'Thanks & see you'));
		expect([reply.from, reply.to]).toEqual(['+15005550006', '+33612345678']);
	});

	it('refuses a URL Twilio would not call, and an unknown number', async () => {
		const c = twilioClient();
		const [number] = await c.incomingPhoneNumbers.list({ phoneNumber: '+15005550006' });
		await expect(c.incomingPhoneNumbers(number.sid).update({ smsUrl: 'ftp://x' })).rejects.toMatchObject({ status: 400, code: 21502 });
		await expect(c.incomingPhoneNumbers(number.sid).update({ smsMethod: 'PUT' as 'POST' })).rejects.toMatchObject({ status: 400, code: 21501 });
		await expect(c.incomingPhoneNumbers(`PN${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404 });
		expect(await c.incomingPhoneNumbers.list({ phoneNumber: '+19999999999' })).toEqual([]);
		const none = await control('POST', '/inbound', { from: '+33612345678', to: '+15005550006', body: 'hi' });
		expect(none.webhook).toBe('none configured');
	});

	it('sets a Messaging Service’s inbound and status URLs through the SDK; sends through it report to its status URL', async () => {
		const c = twilioClient();
		const sid = box.get().accounts.twilio.messagingServiceSid;
		const service = await c.messaging.v1.services(sid).update({ inboundRequestUrl: `${base}/in`, statusCallback: `${base}/status` });
		expect([service.inboundRequestUrl, service.statusCallback]).toEqual([`${base}/in`, `${base}/status`]);
		await c.messages.create({ to: '+33612345678', messagingServiceSid: sid, body: 'via service' });
		const status = await waitFor(() => received.find((r) => r.path === '/status'));
		expect(Object.fromEntries(new URLSearchParams(status.body)).MessagingServiceSid).toBe(sid);
		await control('POST', '/inbound', { from: '+33612345678', to: box.get().accounts.twilio.serviceNumbers[0], body: 'to the service' });
		const inbound = await waitFor(() => received.find((r) => r.path === '/in'));
		expect(Object.fromEntries(new URLSearchParams(inbound.body))).toMatchObject({ Body: 'to the service', MessagingServiceSid: sid });
		await expect(c.messaging.v1.services(`MG${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404 });
	});
});

describe('AWS SNS topics in the sandbox', () => {
	const topic = () => `arn:aws:sns:us-east-1:123456789012:sandbox-inbound-sms`;

	it('subscribes, sends a signed confirmation, confirms through the SDK, delivers inbound SMS signed, and unsubscribes', async () => {
		const sns = snsClient();
		const sub = await sns.send(new SubscribeCommand({ TopicArn: topic(), Protocol: 'http', Endpoint: `${base}/sns`, ReturnSubscriptionArn: true }));
		expect(sub.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:123456789012:sandbox-inbound-sms:/);
		const confirmation = JSON.parse((await waitFor(() => received[0])).body);
		expect(confirmation.Type).toBe('SubscriptionConfirmation');
		expect(confirmation.SigningCertURL).toBe(`${box.get().url}/sns/SimpleNotificationService-sandbox.pem`);
		const cert = await (await fetch(confirmation.SigningCertURL)).text();
		expect(cert).toBe(SANDBOX_SNS_CERTIFICATE);
		expect(verifySnsMessageSignature(confirmation, cert)).toBe(true);
		let listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic() }));
		expect(listed.Subscriptions?.map((s) => [s.SubscriptionArn, s.Endpoint])).toEqual([['PendingConfirmation', `${base}/sns`]]);
		const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic(), Token: confirmation.Token }));
		expect(confirmed.SubscriptionArn).toBe(sub.SubscriptionArn);
		listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic() }));
		expect(listed.Subscriptions?.[0].SubscriptionArn).toBe(sub.SubscriptionArn);

		const sent = await control('POST', '/inbound', { from: '+33612345678', to: '+12025550160', body: 'Arrêt' });
		expect([sent.provider, sent.webhook]).toEqual(['sns', 'posted']);
		const note = JSON.parse((await waitFor(() => received.find((r) => JSON.parse(r.body).Type === 'Notification'))).body);
		expect(verifySnsMessageSignature(note, cert)).toBe(true);
		expect(JSON.parse(note.Message)).toMatchObject({ originationNumber: '+33612345678', destinationNumber: '+12025550160', messageBody: 'Arrêt', inboundMessageId: sent.id });

		await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
		const bye = JSON.parse((await waitFor(() => received.find((r) => JSON.parse(r.body).Type === 'UnsubscribeConfirmation'))).body);
		expect(verifySnsMessageSignature(bye, cert)).toBe(true);
		expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic() }))).Subscriptions).toEqual([]);
		await expect(sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }))).rejects.toMatchObject({ name: 'NotFoundException' });
	});

	it('refuses a bad endpoint, an unknown topic and a wrong token', async () => {
		const sns = snsClient();
		await expect(sns.send(new SubscribeCommand({ TopicArn: topic(), Protocol: 'https', Endpoint: 'http://x' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
		await expect(sns.send(new SubscribeCommand({ TopicArn: `${topic()}x`, Protocol: 'http', Endpoint: `${base}/x` }))).rejects.toMatchObject({ name: 'NotFoundException' });
		await expect(sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic(), Token: 'nope' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
	});
});

describe('Sinch inbound in the sandbox', () => {
	it('posts inbound messages, signed, to the service plan’s callback URL', async () => {
		expect((await control('PUT', '/sinch/callback-url', { url: 'nope' })).httpStatus).toBe(400);
		expect((await control('PUT', '/sinch/callback-url', { url: `${base}/sinch` })).url).toBe(`${base}/sinch`);
		const sent = await control('POST', '/inbound', { from: '+33612345678', to: '+46700000001', body: 'STOP' });
		expect([sent.provider, sent.webhook]).toEqual(['sinch', 'posted']);
		const hook = await waitFor(() => received[0]);
		expect(JSON.parse(hook.body)).toMatchObject({ type: 'mo_text', from: '33612345678', to: '46700000001', body: 'STOP' });
		const h = (name: string) => String(hook.headers[name]);
		expect(
			validateSinchWebhookSignature({ secret: box.get().accounts.sinch.webhookSecret, rawBody: hook.body, nonce: h('x-sinch-webhook-signature-nonce'), timestamp: h('x-sinch-webhook-signature-timestamp'), signature: h('x-sinch-webhook-signature') }),
		).toBe(true);
	});
});

describe("Sinch's service plan callback URL, a dashboard setting, in the sandbox", () => {
	it('is read and set at /__sandbox/sinch/callback-url, listed in the index, and forgotten on reset', async () => {
		expect(await control('GET', '/sinch/callback-url')).toEqual({ url: '', httpStatus: 200 });
		await control('PUT', '/sinch/callback-url', { url: `${base}/plan` });
		expect((await control('GET', '/sinch/callback-url')).url).toBe(`${base}/plan`);
		expect((await control('GET', '/')).control['GET|PUT /__sandbox/sinch/callback-url']).toContain("the service plan's callback URL");
		for (const [method, path] of [['GET', '/sinch/nope'], ['DELETE', '/sinch/callback-url'], ['GET', '/twilio/callback-url'], ['GET', '/nobody/callback-url']]) {
			expect([method, path, (await control(method, path)).httpStatus]).toEqual([method, path, 404]);
		}
		await control('POST', '/reset');
		expect((await control('GET', '/sinch/callback-url')).url).toBe('');
	});

	it('receives the delivery reports of a batch sent by the official SDK with no callback_url; a batch with its own URL keeps it', async () => {
		const { servicePlanId, apiToken } = box.get().accounts.sinch;
		const sms = new SmsService({ servicePlanId, apiToken, smsHostname: box.get().url });
		await control('PUT', '/sinch/callback-url', { url: `${base}/plan` });
		const batch = await sms.batches.send({ sendSMSRequestBody: { to: ['+33612345678'], from: '+12025550150', body: 'dlr', delivery_report: 'per_recipient' } });
		const report = await waitFor(() => received.find((r) => r.path === '/plan' && JSON.parse(r.body).status === 'Delivered'), 5000);
		expect(JSON.parse(report.body)).toMatchObject({ type: 'recipient_delivery_report_sms', batch_id: batch.id, recipient: '33612345678', code: 0 });
		received = [];
		await sms.batches.send({ sendSMSRequestBody: { to: ['+33612345679'], from: '+12025550150', body: 'own', delivery_report: 'per_recipient', callback_url: `${base}/own` } });
		await waitFor(() => received.find((r) => r.path === '/own' && JSON.parse(r.body).status === 'Delivered'), 5000);
		expect(received.filter((r) => r.path === '/plan')).toEqual([]);
	});
});

describe('POST /__sandbox/webhooks: a test’s webhooks, signed or forged', () => {
	it.each(['twilio', 'sinch', 'sns'] as const)('%s: signed, then each forgery', async (provider) => {
		for (const forge of [undefined, 'signature', 'unsigned', 'body'] as const) {
			received = [];
			answer = () => ({ status: 202, type: 'text/plain', body: `got ${forge ?? 'signed'}` });
			const fired = await control('POST', '/webhooks', { provider, url: `${base}/fire`, event: 'inbound', body: 'YES', forge });
			expect(fired.answer).toEqual({ status: 202, contentType: 'text/plain', body: `got ${forge ?? 'signed'}`, error: null });
			expect(received).toHaveLength(1);
			expect(received[0].body).toBe(fired.sent.body);
		}
		const status = await control('POST', '/webhooks', { provider, url: `${base}/fire`, event: 'status', status: 'delivered', to: '+33612345678' });
		expect(status.answer.status).toBe(202);
	});

	it('refuses what it cannot send', async () => {
		expect((await control('POST', '/webhooks', { provider: 'x', url: base })).httpStatus).toBe(400);
		expect((await control('POST', '/webhooks', { provider: 'twilio', url: 'file:///etc/passwd' })).httpStatus).toBe(400);
		expect((await control('POST', '/webhooks', { provider: 'twilio', url: base, event: 'other' })).httpStatus).toBe(400);
		expect((await control('POST', '/webhooks', { provider: 'twilio', url: base, forge: 'x' })).httpStatus).toBe(400);
		const closed = await control('POST', '/webhooks', { provider: 'twilio', url: 'http://127.0.0.1:1/x' });
		expect(closed.answer).toMatchObject({ status: null, error: expect.stringMatching(/ECONNREFUSED/) });
	});
});
