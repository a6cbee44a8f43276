/**
 * The Messaging Trigger in n8n's real contexts (n8n-core's HookContext and WebhookContext, express, real HTTP),
 * against the sandbox: the lifecycle configures the provider and puts it back, inbound messages and delivery
 * statuses become items, forged requests get 403 and start nothing.
 */
import { sandboxControl, twilioSdk, useSandbox, waitFor } from '../helpers/sandbox';
import { useEngine } from '../helpers/useEngine';
import { TriggerHarness } from '../helpers/trigger';

const box = useSandbox();
const engine = useEngine(box);
let harnesses: TriggerHarness[] = [];

async function trigger(parameters: Record<string, unknown>): Promise<TriggerHarness> {
	const harness = new TriggerHarness(engine.get(), parameters as never);
	await harness.listen();
	harnesses.push(harness);
	return harness;
}
afterEach(async () => {
	await Promise.all(harnesses.map((h) => h.close()));
	harnesses = [];
});

const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);

const twilioClient = () => twilioSdk(box.get());

const NUMBER = '+15005550006';
const PHONE = '+33612345678';

describe('Messaging Trigger · Twilio', () => {
	it('on activation points the number at the trigger and remembers the old URL; a reply becomes one item; deactivation puts the old URL back', async () => {
		const c = twilioClient();
		const [number] = await c.incomingPhoneNumbers.list({ phoneNumber: NUMBER });
		await c.incomingPhoneNumbers(number.sid).update({ smsUrl: 'https://old.example.com/sms' });
		const t = await trigger({ provider: 'twilio', target: NUMBER, options: { replyText: 'Thanks, noted' } });
		expect(await t.lifecycle('checkExists')).toBe(false);
		expect(await t.lifecycle('create')).toBe(true);
		expect((await c.incomingPhoneNumbers(number.sid).fetch()).smsUrl).toBe(t.url);
		expect(t.staticData).toMatchObject({ provider: 'twilio', url: t.url, target: NUMBER, previous: { inboundUrl: 'https://old.example.com/sms', inboundMethod: 'POST' } });
		expect(await t.lifecycle('checkExists')).toBe(true);

		await control('POST', '/inbound', { from: PHONE, to: NUMBER, body: 'YES see you' });
		const [execution] = await waitFor(() => t.executions.length === 1 && t.executions);
		expect(execution.items).toEqual([
			{
				event: 'inbound',
				provider: 'twilio',
				messageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
				from: PHONE,
				to: NUMBER,
				body: 'YES see you',
				media: [],
				status: 'received',
				providerStatus: 'received',
				errorCode: null,
				errorMessage: null,
				channel: 'sms',
				keyword: null,
				receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				duplicate: false,
				// Resume Waiting Workflows is on: no message waits for this phone.
				waitingReply: null,
				raw: expect.objectContaining({ Body: 'YES see you', From: PHONE }),
			},
		]);
		// The TwiML reply went back to the phone.
		await waitFor(() => [...box.get().messages.values()].find((m) => m.direction === 'outbound-api' && m.body === 'Thanks, noted' && m.to === PHONE));

		expect(await t.lifecycle('delete')).toBe(true);
		expect((await c.incomingPhoneNumbers(number.sid).fetch()).smsUrl).toBe('https://old.example.com/sms');
		expect(t.staticData.url).toBeUndefined();
	});

	it('refuses forged, unsigned and altered requests with 403 and starts nothing; a signed one starts one execution', async () => {
		const t = await trigger({ provider: 'twilio', configureProvider: false });
		for (const forge of ['signature', 'unsigned', 'body'] as const) {
			const fired = await control('POST', '/webhooks', { provider: 'twilio', url: t.url, body: 'forged', forge });
			expect([forge, fired.answer.status, fired.answer.body]).toEqual([forge, 403, 'Forbidden']);
		}
		expect(t.executions).toHaveLength(0);
		const signed = await control('POST', '/webhooks', { provider: 'twilio', url: t.url, body: 'real' });
		expect(signed.answer).toMatchObject({ status: 200, contentType: expect.stringMatching(/^text\/xml/), body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' });
		expect(t.executions.map((e) => e.items[0].body)).toEqual(['real']);
	});

	it('checks the URL Twilio called: behind a proxy, the Public URL option makes the signature match', async () => {
		const t = await trigger({ provider: 'twilio', configureProvider: false, options: { publicUrl: 'https://public.example.com/n8n/webhook/x/messaging' } });
		const direct = await control('POST', '/webhooks', { provider: 'twilio', url: t.url, body: 'direct' });
		expect(direct.answer.status).toBe(403);
		const proxied = await control('POST', '/webhooks', { provider: 'twilio', url: t.url, signedUrl: 'https://public.example.com/n8n/webhook/x/messaging', body: 'proxied' });
		expect(proxied.answer.status).toBe(200);
		expect(t.executions.map((e) => e.items[0].body)).toEqual(['proxied']);
	});

	it('turns delivery statuses of a Send SMS with the trigger as status callback into items, filtered by status', async () => {
		const t = await trigger({ provider: 'twilio', configureProvider: false, events: ['status'], statuses: ['delivered', 'undelivered'] });
		const sent = await engine.get().run([{ to: PHONE }, { to: '+12125550104' }], [
			{ type: 'sendSms', parameters: { provider: 'twilio', twilioFrom: NUMBER, to: '={{ $json.to }}', message: 'Your appointment is tomorrow', options: { statusCallbackUrl: t.url } } },
		]);
		expect(sent.error()).toBeUndefined();
		const ids = sent.items('Node 1').map((item) => item.json.messageId);
		await waitFor(() => t.executions.length >= 2, 8000);
		const items = t.executions.map((e) => e.items[0]);
		expect(items.map((i) => [i.messageId, i.event, i.status]).sort()).toEqual(
			[
				[ids[0], 'status', 'delivered'],
				[ids[1], 'status', 'undelivered'],
			].sort(),
		);
		expect(items.find((i) => i.status === 'undelivered')).toMatchObject({ errorCode: '30003', errorMessage: 'The handset is unreachable (Twilio 30003): try again later or remove the number', to: '+12125550104' });
		// The sent/sending callbacks came too, and were answered, but started nothing.
		expect(box.get().callbacks.filter((c) => c.url === t.url).length).toBeGreaterThan(2);
	});

	it('makes STOP an opt-out event, marks a redelivery as a duplicate, and drops it when asked', async () => {
		const t = await trigger({ provider: 'twilio', configureProvider: false });
		const fired = await control('POST', '/webhooks', { provider: 'twilio', url: t.url, body: 'Stop.' });
		expect(t.executions[0].items[0]).toMatchObject({ event: 'optOut', keyword: { type: 'optOut', word: 'STOP', lists: ['en', 'fr', 'de', 'it', 'nl'] }, duplicate: false });
		// Twilio's retry: the same request, the same idempotency token.
		const again = await fetch(fired.sent.url, { method: 'POST', headers: fired.sent.headers, body: fired.sent.body });
		expect(again.status).toBe(200);
		expect(t.executions[1].items[0]).toMatchObject({ event: 'optOut', duplicate: true });
		const dropping = await trigger({ provider: 'twilio', configureProvider: false, options: { dropDuplicates: true } });
		const first = await control('POST', '/webhooks', { provider: 'twilio', url: dropping.url, body: 'hi' });
		await fetch(first.sent.url, { method: 'POST', headers: first.sent.headers, body: first.sent.body });
		expect(dropping.executions).toHaveLength(1);
	});

	it('with the check turned off, accepts an unsigned request (the editor warns about it)', async () => {
		const t = await trigger({ provider: 'twilio', configureProvider: false, checkSignature: false });
		const fired = await control('POST', '/webhooks', { provider: 'twilio', url: t.url, body: 'unsigned', forge: 'unsigned' });
		expect(fired.answer.status).toBe(200);
		expect(t.executions).toHaveLength(1);
		const notice = t.nodeType.description.properties.find((p) => p.name === 'signatureOffNotice');
		expect(notice?.displayOptions).toEqual({ show: { checkSignature: [false] } });
	});

	it('configures a Messaging Service’s inbound and status URLs and restores them', async () => {
		const c = twilioClient();
		const sid = box.get().accounts.twilio.messagingServiceSid;
		await c.messaging.v1.services(sid).update({ inboundRequestUrl: 'https://old.example.com/in', statusCallback: 'https://old.example.com/status' });
		const t = await trigger({ provider: 'twilio', target: sid });
		await t.activate();
		const service = await c.messaging.v1.services(sid).fetch();
		expect([service.inboundRequestUrl, service.statusCallback]).toEqual([t.url, t.url]);
		await t.lifecycle('delete');
		const back = await c.messaging.v1.services(sid).fetch();
		expect([back.inboundRequestUrl, back.statusCallback]).toEqual(['https://old.example.com/in', 'https://old.example.com/status']);
	});

	it('fails activation with Twilio’s reason, never silently', async () => {
		const t = await trigger({ provider: 'twilio', target: '+19998887777' });
		await expect(t.activate()).rejects.toThrow("The Twilio account has no number +19998887777: use one of the account's numbers (Phone Numbers → Active numbers) or a Messaging Service SID");
		const empty = await trigger({ provider: 'twilio', target: '' });
		await expect(empty.activate()).rejects.toThrow('Fill in Twilio Number or Service, or turn off Configure the Provider for Me');
		engine.get().setCredentials('messagingTwilioApi', { ...engine.get().credentials.messagingTwilioApi, authToken: 'wrong' });
		const auth = await trigger({ provider: 'twilio', target: NUMBER });
		await expect(auth.activate()).rejects.toThrow(/Twilio refused the credentials/);
	});

	it('moved to another number, puts the first number’s old URL back before taking the new one', async () => {
		const c = twilioClient();
		const [first] = await c.incomingPhoneNumbers.list({ phoneNumber: NUMBER });
		const [second] = await c.incomingPhoneNumbers.list({ phoneNumber: '+12025550134' });
		await c.incomingPhoneNumbers(first.sid).update({ smsUrl: 'https://first.example.com/sms' });
		const t = await trigger({ provider: 'twilio', target: NUMBER });
		await t.activate();
		t.node.parameters.target = '+12025550134';
		expect(await t.lifecycle('checkExists')).toBe(false);
		await t.lifecycle('create');
		expect((await c.incomingPhoneNumbers(first.sid).fetch()).smsUrl).toBe('https://first.example.com/sms');
		expect((await c.incomingPhoneNumbers(second.sid).fetch()).smsUrl).toBe(t.url);
		await t.lifecycle('delete');
		expect((await c.incomingPhoneNumbers(second.sid).fetch()).smsUrl).toBe('');
	});

	it('in test mode uses the test URL (never the production Public URL) and test static data', async () => {
		const withPublic = await trigger({ provider: 'twilio', target: NUMBER, options: { publicUrl: 'https://public.example.com/webhook/x/messaging' } });
		withPublic.test = true;
		await withPublic.activate();
		const [n] = await twilioClient().incomingPhoneNumbers.list({ phoneNumber: NUMBER });
		expect(n.smsUrl).toBe(withPublic.url);
		await control('POST', '/inbound', { from: PHONE, to: NUMBER, body: 'test event via test URL' });
		await waitFor(() => withPublic.executions.length === 1);
		await withPublic.lifecycle('delete');
	});

	it('in test mode uses the test URL and test static data, leaving production’s alone', async () => {
		const t = await trigger({ provider: 'twilio', target: NUMBER });
		t.test = true;
		await t.activate();
		expect(t.url).toContain('/webhook-test/');
		const [number] = await twilioClient().incomingPhoneNumbers.list({ phoneNumber: NUMBER });
		expect(number.smsUrl).toBe(t.url);
		await control('POST', '/inbound', { from: PHONE, to: NUMBER, body: 'test event' });
		await waitFor(() => t.executions.length === 1);
		await t.lifecycle('delete');
		expect((await twilioClient().incomingPhoneNumbers(number.sid).fetch()).smsUrl).toBe('');
	});
});

describe('Messaging Trigger · Sinch', () => {
	it('receives signed inbound messages and delivery reports; refuses unsigned ones, and all of them without a secret', async () => {
		const t = await trigger({ provider: 'sinch' });
		await control('PUT', '/sinch/callback-url', { url: t.url });
		await control('POST', '/inbound', { from: PHONE, to: '+46700000001', body: 'Baja' });
		await waitFor(() => t.executions.length === 1);
		expect(t.executions[0].items[0]).toMatchObject({ event: 'optOut', provider: 'sinch', from: PHONE, to: '+46700000001', keyword: { word: 'BAJA', lists: ['es'] } });
		const status = await control('POST', '/webhooks', { provider: 'sinch', url: t.url, event: 'status', status: 'Delivered', to: PHONE });
		expect(status.answer).toMatchObject({ status: 200, body: '{}' });
		expect(t.executions[1].items[0]).toMatchObject({ event: 'status', status: 'delivered', to: PHONE });
		const unsigned = await control('POST', '/webhooks', { provider: 'sinch', url: t.url, forge: 'unsigned' });
		expect(unsigned.answer.status).toBe(403);
		engine.get().setCredentials('messagingSinchApi', { ...engine.get().credentials.messagingSinchApi, webhookSecret: '' });
		const noSecret = await control('POST', '/webhooks', { provider: 'sinch', url: t.url });
		expect(noSecret.answer.status).toBe(403);
		expect(t.executions).toHaveLength(2);
	});
});

describe('Messaging Trigger · AWS SNS', () => {
	const TOPIC = 'arn:aws:sns:us-east-1:123456789012:sandbox-inbound-sms';

	it('subscribes on activation, confirms when SNS asks, turns two-way SMS into items, and unsubscribes on deactivation', async () => {
		const t = await trigger({ provider: 'sns', target: TOPIC });
		await t.activate();
		// SNS posts the confirmation; the trigger confirms through the API and starts nothing.
		await waitFor(() => (t.staticData.handshake as { subscriptionArn?: string } | undefined)?.subscriptionArn, 5000);
		expect(t.executions).toHaveLength(0);
		expect(await t.lifecycle('checkExists')).toBe(true);
		await control('POST', '/inbound', { from: PHONE, to: '+12025550160', body: 'Confirm' });
		await waitFor(() => t.executions.length === 1);
		expect(t.executions[0].items[0]).toMatchObject({ event: 'inbound', provider: 'sns', from: PHONE, to: '+12025550160', body: 'Confirm', channel: 'sms' });
		const forged = await control('POST', '/webhooks', { provider: 'sns', url: t.url, forge: 'signature' });
		expect(forged.answer.status).toBe(403);
		const lookAlike = await control('POST', '/webhooks', { provider: 'sns', url: t.url, forge: 'certificate' });
		expect(lookAlike.answer.status).toBe(403);
		expect(box.get().requests.some((r) => r.path.includes('evil'))).toBe(false);
		const otherTopic = await control('POST', '/webhooks', { provider: 'sns', url: t.url, topicArn: 'arn:aws:sns:us-east-1:999999999999:theirs' });
		expect(otherTopic.answer.status).toBe(403);
		await t.lifecycle('delete');
		// Unsubscribed: SNS says goodbye (answered, no execution), and the topic no longer lists the trigger.
		await waitFor(() => box.get().callbacks.some((c) => c.status === 'UnsubscribeConfirmation' && c.responseStatus === 200));
		expect(t.executions).toHaveLength(1);
		t.staticData.provider = 'sns';
		t.staticData.url = t.url;
		t.staticData.target = TOPIC;
		expect(await t.lifecycle('checkExists')).toBe(false);
	});
});
