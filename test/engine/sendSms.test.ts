/** Send SMS, run by n8n's engine against the sandbox over real HTTP. */
import type { IDataObject } from 'n8n-workflow';
import type { Engine } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/credentials';
import { useEngine } from '../helpers/useEngine';
import { sandboxControl, twilioSdk, useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
});

const fast = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5000 };

/** A Send SMS node; `retry` settings go into its Options, with the other options. */
function send(params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
	const { retry, options, ...rest } = params as { retry?: IDataObject; options?: IDataObject };
	return {
		type: 'sendSms',
		name: 'Send SMS',
		...extra,
		parameters: {
			operation: 'send',
			provider: 'twilio',
			to: '={{ $json.phone }}',
			message: '={{ "Hi " + $json.name }}',
			twilioFrom: '+15005550006',
			sinchFrom: '+12025550150',
			...rest,
			options: { ...fast, ...retry, ...options },
		},
	};
}

const stored = () => [...box.get().messages.values()];
const apiRequests = (provider?: string) => box.get().requests.filter((r) => !provider || r.provider === provider);

describe('Send SMS: each provider', () => {
	it('sends through Twilio: one item per recipient, expressions per item, pairedItem, the one output shape', async () => {
		const result = await engine.run(
			[
				{ phone: '06 12 34 56 78', name: 'Ada' },
				{ phone: '+44 7911 123456', name: 'Grace' },
				{ phone: '0033 6 12 34 56 79', name: 'Émile 😀' },
			],
			[send({ defaultCountry: 'FR' })],
		);
		expect(result.error()).toBeUndefined();
		const items = result.items('Send SMS');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json).toEqual({
			provider: 'twilio',
			messageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
			status: 'queued',
			providerStatus: 'queued',
			to: '+33612345678',
			from: '+15005550006',
			channel: 'sms',
			segments: 1,
			encoding: 'GSM-7',
			priceUnit: 'USD',
			fallbackUsed: false,
			attempts: 1,
			sentAt: expect.any(String),
			raw: expect.objectContaining({ sid: items[0].json.messageId, num_segments: '1' }),
		});
		expect(items[2].json).toMatchObject({ to: '+33612345679', encoding: 'UCS-2' });
		expect(stored().map((m) => [m.to, m.body])).toEqual([
			['+33612345678', 'Hi Ada'],
			['+447911123456', 'Hi Grace'],
			['+33612345679', 'Hi Émile 😀'],
		]);
	});

	it('sends through Sinch with a service plan token, then reads the delivery status', async () => {
		const result = await engine.run([{ phone: '(212) 555-0100', name: 'Ada' }], [send({ provider: 'sinch', defaultCountry: 'US' })]);
		expect(result.error()).toBeUndefined();
		const [item] = result.items('Send SMS');
		expect(item.json).toMatchObject({ provider: 'sinch', status: 'accepted', to: '+12125550100', from: '+12025550150', segments: 1 });
		expect(stored()[0]).toMatchObject({ to: '+12125550100', body: 'Hi Ada' });
		await waitFor(() => stored()[0].status === 'Delivered');
		const status = await engine.run([{ id: item.json.messageId }], [
			{ type: 'sendSms', name: 'Status', parameters: { operation: 'getStatus', provider: 'sinch', messageId: '={{ $json.id }}' } },
		]);
		expect(status.error()).toBeUndefined();
		expect(status.items('Status')[0].json).toMatchObject({ provider: 'sinch', messageId: item.json.messageId, status: 'delivered', providerStatus: 'Delivered', to: '+12125550100' });
	});

	it('sends through Sinch with a project access key: one OAuth2 token, reused, refreshed when refused', async () => {
		const { sinch } = box.get().accounts;
		engine.setCredentials('messagingSinchApi', {
			...sandboxCredentials(box.get()).messagingSinchApi,
			smsAuth: 'project',
			projectId: sinch.projectId,
			keyId: sinch.keyId,
			keySecret: sinch.keySecret,
			accessToken: '',
		});
		const before = engine.helper.preAuthentications;
		const first = await engine.run([{ phone: '+33612345678', name: 'A' }, { phone: '+33612345679', name: 'B' }], [send({ provider: 'sinch' })]);
		expect(first.error()).toBeUndefined();
		expect(first.items('Send SMS')).toHaveLength(2);
		expect(engine.helper.preAuthentications - before).toBe(1);
		expect(apiRequests().filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
		// A token Sinch no longer accepts: n8n asks for a new one and sends again.
		engine.credentials.messagingSinchApi.accessToken = 'expired-token';
		const second = await engine.run([{ phone: '+33612345678', name: 'C' }], [send({ provider: 'sinch' })]);
		expect(second.error()).toBeUndefined();
		expect(apiRequests().filter((r) => r.path === '/oauth2/token')).toHaveLength(2);
		expect(stored()).toHaveLength(3);
	});

	it('sends through AWS SNS with a Signature V4 the sandbox verifies, with SMS type and sender ID', async () => {
		const result = await engine.run([{ phone: '+34 612 34 56 78', name: 'Ada' }], [
			send({ provider: 'sns', snsSenderId: 'ACME', snsSmsType: 'Promotional' }),
		]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: 'sns', status: 'accepted', to: '+34612345678', from: 'ACME', messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
		expect(stored()[0].attributes).toEqual({ 'AWS.SNS.SMS.SMSType': 'Promotional', 'AWS.SNS.SMS.SenderID': 'ACME' });
	});
});

describe('Send SMS: errors a person can act on', () => {
	it.each([
		['twilio', '+12125550101', 'The \'To\' number is not a valid phone number (Twilio 21211)', '400'],
		['twilio', '+12125550102', 'The recipient replied STOP (Twilio 21610): remove them from the list', '400'],
		['twilio', '+12125550103', "The 'To' number is not a mobile number (Twilio 21614)", '400'],
		['sns', '+12125550102', 'The recipient opted out of SMS from this AWS account (AWS SNS OptedOut)', '400'],
		['sns', '+12125550101', 'AWS SNS refused the recipient (AWS SNS InvalidParameter)', '400'],
		['sinch', '+12125550101', 'Sinch refused the recipient (Sinch syntax_invalid_parameter_format)', '400'],
	])('%s to %s fails with "%s"', async (provider, phone, message, httpCode) => {
		const result = await engine.run([{ phone, name: 'x' }], [send({ provider })]);
		const error = result.error('Send SMS');
		expect(error?.message).toContain(message);
		expect(error?.httpCode).toBe(httpCode);
		expect(error?.context?.itemIndex).toBe(0);
	});

	it.each([
		['twilio', 'messagingTwilioApi', { authToken: 'wrong' }, 'Twilio refused the credentials (Twilio 20003): check the Account SID and Auth Token'],
		['sinch', 'messagingSinchApi', { apiToken: 'wrong' }, 'Sinch refused the credentials (Sinch unauthorized)'],
		['sns', 'messagingAwsSnsApi', { secretAccessKey: 'wrong' }, 'AWS refused the request signature (AWS SNS SignatureDoesNotMatch): check the secret access key'],
		['sns', 'messagingAwsSnsApi', { accessKeyId: 'AKIAWRONG00000000000' }, 'AWS does not know the access key ID (AWS SNS InvalidClientTokenId)'],
	])('%s with bad credentials says so', async (provider, type, override, message) => {
		engine.setCredentials(type, { ...engine.credentials[type], ...override });
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider })]);
		expect(result.error('Send SMS')?.message).toContain(message);
		expect(stored()).toHaveLength(0);
	});

	it('refuses an invalid number before spending anything, with the reason', async () => {
		const result = await engine.run([{ phone: '12345', name: 'x' }], [send({ defaultCountry: 'US' })]);
		expect(result.error('Send SMS')?.message).toBe('Invalid recipient: The number is too short ("12345")');
		expect(apiRequests()).toHaveLength(0);
	});

	it('refuses a possible-but-unassigned number in strict mode, and sends it with "possible length only"', async () => {
		const strict = await engine.run([{ phone: '+44 7700 900123', name: 'x' }], [send()]);
		expect(strict.error('Send SMS')?.message).toContain('not assigned to any country');
		const loose = await engine.run([{ phone: '+44 7700 900123', name: 'x' }], [send({ options: { phoneValidation: 'possible' } })]);
		expect(loose.error()).toBeUndefined();
		expect(stored()[0].to).toBe('+447700900123');
	});

	const firstStatus = { twilio: 'queued', sinch: 'accepted', sns: 'accepted' } as const;
	// The provider-side refusal each provider makes at once: opted out (Twilio, SNS), invalid number (Sinch).
	const refused = { twilio: ['+12125550102', 'recipient', '21610'], sinch: ['+12125550101', 'recipient', 'syntax_invalid_parameter_format'], sns: ['+12125550102', 'recipient', 'OptedOut'] } as const;

	it.each(['twilio', 'sinch', 'sns'] as const)('%s, Continue On Fail: one bad recipient never sinks the others', async (provider) => {
		const [badNumber, kind, code] = refused[provider];
		const result = await engine.run(
			[
				{ phone: '+33612345678', name: 'ok 1' },
				{ phone: 'not a number', name: 'bad local' },
				{ phone: badNumber, name: 'refused' },
				{ phone: '+33612345679', name: 'ok 2' },
			],
			[send({ provider }, { onError: 'continueRegularOutput' })],
		);
		expect(result.error()).toBeUndefined();
		const items = result.items('Send SMS').map((i) => i.json);
		expect(items).toHaveLength(4);
		expect(items[0]).toMatchObject({ provider, status: firstStatus[provider], to: '+33612345678' });
		expect(items[1]).toMatchObject({ to: 'not a number', error: 'Invalid recipient: This is not a phone number ("not a number")' });
		expect(items[2]).toMatchObject({ status: 'failed', errorKind: kind, errorCode: code, httpStatus: 400, provider, attempts: 1 });
		expect(items[3]).toMatchObject({ provider, status: firstStatus[provider], to: '+33612345679' });
		expect(result.items('Send SMS').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(stored().map((m) => m.body)).toEqual(['Hi ok 1', 'Hi ok 2']);
	});

	it.each([
		['twilio', 'messagingTwilioApi', 'authToken'],
		['sinch', 'messagingSinchApi', 'apiToken'],
		['sns', 'messagingAwsSnsApi', 'secretAccessKey'],
	] as const)('%s: never puts a secret in an output item or an error, right or wrong', async (provider, type, field) => {
		const creds = sandboxCredentials(box.get());
		const secrets = [creds.messagingTwilioApi.authToken, creds.messagingSinchApi.apiToken, creds.messagingAwsSnsApi.secretAccessKey];
		const ok = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider })]);
		expect(ok.items('Send SMS')[0].json).toMatchObject({ provider });
		const wrong = `wrong-${provider}-secret-value`;
		engine.setCredentials(type, { ...creds[type], [field]: wrong });
		try {
			const bad = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider }, { onError: 'continueRegularOutput' })]);
			expect(bad.items('Send SMS')[0].json).toMatchObject({ errorKind: 'auth', provider });
			const failed = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider })]);
			expect(failed.error('Send SMS')).toBeDefined();
			const text = JSON.stringify([ok.items('Send SMS'), bad.items('Send SMS'), failed.error('Send SMS'), failed.error('Send SMS')?.description]);
			for (const secret of [...secrets, wrong]) expect(text).not.toContain(secret);
		} finally {
			engine.setCredentials(type, creds[type]);
		}
	});
});

describe('Send SMS: retries and fallback', () => {
	it.each(['twilio', 'sinch', 'sns'] as const)('%s: retries a 429 after the Retry-After the provider asked for', async (provider) => {
		box.get().addFault({ provider, type: 'status', status: 429, retryAfter: 1 });
		const started = Date.now();
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider })]);
		const elapsed = Date.now() - started;
		expect(result.error()).toBeUndefined();
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider, attempts: 2, fallbackUsed: false });
		expect(elapsed).toBeGreaterThanOrEqual(1000);
		expect(apiRequests(provider).map((r) => r.status)).toEqual([429, provider === 'sns' ? 200 : 201]);
		expect(stored()).toHaveLength(1);
	});

	it('retries 503s with backoff, and gives up after the maximum count', async () => {
		box.get().addFault({ provider: 'sinch', type: 'status', status: 503, count: 2 });
		const ok = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider: 'sinch' })]);
		expect(ok.items('Send SMS')[0].json).toMatchObject({ attempts: 3, provider: 'sinch' });
		box.get().addFault({ provider: 'sinch', type: 'status', status: 503, count: -1 });
		const failed = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider: 'sinch', retry: { ...fast, maxRetries: 1 } })]);
		expect(failed.error('Send SMS')?.message).toContain('Sinch had an internal error');
		expect(failed.error('Send SMS')?.description).toContain('2 attempts');
	});

	it.each(['twilio,sns', 'sinch,twilio', 'sns,sinch'])('%s: never sends twice after the provider accepted the message and then went silent', async (route) => {
		const provider = route.split(',')[0] as 'twilio' | 'sinch' | 'sns';
		box.get().addFault({ provider, type: 'hang' });
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [
			send({ provider: route, retry: { ...fast, timeoutMs: 1000 } }, { onError: 'continueRegularOutput' }),
		]);
		const [item] = result.items('Send SMS');
		expect(item.json).toMatchObject({ status: 'unknown', errorKind: 'ambiguous', attempts: 1, provider });
		expect(String(item.json.error)).toContain('may or may not have gone out');
		expect(apiRequests()).toHaveLength(1);
		expect(stored()).toHaveLength(1);
	});

	it.each([
		['sinch,sns', 'messagingSinchApi', 'smsBaseUrl', 'sns'],
		['sns,twilio', 'messagingAwsSnsApi', 'baseUrl', 'twilio'],
	])('%s: falls back when the first provider cannot be reached', async (route, type, field, fallback) => {
		engine.setCredentials(type, { ...engine.credentials[type], [field]: 'http://127.0.0.1:1' });
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider: route })]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: fallback, fallbackUsed: true, attempts: 4 });
	});

	it('retries a connection refused, then falls back to a provider of another kind', async () => {
		engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, baseUrl: 'http://127.0.0.1:1' });
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider: 'twilio,sns' })]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: 'sns', fallbackUsed: true, attempts: 4, status: 'accepted' });
		expect(stored().map((m) => m.provider)).toEqual(['sns']);
	});

	it('falls back when the first provider keeps failing with 5xx', async () => {
		box.get().addFault({ provider: 'sinch', type: 'status', status: 502, count: -1 });
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider: 'sinch,twilio' })]);
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: 'twilio', fallbackUsed: true, attempts: 4 });
	});

	it('falls back at once when the first provider refuses the credentials', async () => {
		engine.setCredentials('messagingTwilioApi', { ...engine.credentials.messagingTwilioApi, authToken: 'wrong' });
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider: 'twilio,sinch' })]);
		expect(result.items('Send SMS')[0].json).toMatchObject({ provider: 'sinch', fallbackUsed: true, attempts: 2 });
	});

	it.each([
		['twilio,sns', '+12125550102', 'The recipient replied STOP', 'sns'],
		['sns,twilio', '+12125550102', 'opted out of SMS from this AWS account', 'twilio'],
		['sinch,sns', '+12125550101', "Invalid 'to' address", 'sns'],
	])('%s: never falls back on a recipient error (%s): the next provider would fail the same way or break consent', async (route, phone, message, second) => {
		const result = await engine.run([{ phone, name: 'x' }], [send({ provider: route })]);
		const error = result.error('Send SMS');
		expect(`${error?.message} ${error?.description}`).toContain(message);
		expect(apiRequests(second)).toHaveLength(0);
	});
});

describe('Send SMS: scheduling, status and cancel', () => {
	const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();

	it('schedules through a Twilio Messaging Service, reads the status, cancels', async () => {
		const { messagingServiceSid } = box.get().accounts.twilio;
		const sent = await engine.run([{ phone: '+33612345678', name: 'x' }], [
			send({ twilioSenderType: 'messagingService', twilioMessagingServiceSid: messagingServiceSid, options: { sendAt: inOneHour() } }),
		]);
		expect(sent.error()).toBeUndefined();
		const id = sent.items('Send SMS')[0].json.messageId as string;
		expect(sent.items('Send SMS')[0].json.status).toBe('scheduled');
		const status = await engine.run([{ id }], [{ type: 'sendSms', name: 'S', parameters: { operation: 'getStatus', provider: 'twilio', messageId: '={{ $json.id }}' } }]);
		expect(status.items('S')[0].json).toMatchObject({ status: 'scheduled', messageId: id });
		const canceled = await engine.run([{ id }], [{ type: 'sendSms', name: 'C', parameters: { operation: 'cancel', provider: 'twilio', messageId: '={{ $json.id }}' } }]);
		expect(canceled.error()).toBeUndefined();
		expect(canceled.items('C')[0].json).toMatchObject({ status: 'canceled', providerStatus: 'canceled' });
	});

	it('schedules and cancels a Sinch batch', async () => {
		const sent = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider: 'sinch', options: { sendAt: inOneHour(), clientReference: 'order-42' } })]);
		const id = sent.items('Send SMS')[0].json.messageId as string;
		expect(sent.items('Send SMS')[0].json.status).toBe('scheduled');
		const canceled = await engine.run([{ id }], [{ type: 'sendSms', name: 'C', parameters: { operation: 'cancel', provider: 'sinch', messageId: '={{ $json.id }}' } }]);
		expect(canceled.items('C')[0].json).toMatchObject({ status: 'canceled' });
		expect(stored()[0]).toMatchObject({ clientReference: 'order-42', status: 'Cancelled' });
	});

	it.each([
		['twilio', { twilioSenderType: 'messagingService', twilioMessagingServiceSid: 'MGx', options: { sendAt: new Date(Date.now() + 60_000).toISOString() } }, 'between 5 minutes and 35 days ahead'],
		['sinch', { options: { sendAt: new Date(Date.now() - 60_000).toISOString() } }, 'Sinch schedules only in the future'],
	])('%s refuses an impossible request before sending: %j', async (provider, params, message) => {
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ provider, ...params })]);
		expect(result.error('Send SMS')?.message).toContain(message);
		expect(apiRequests()).toHaveLength(0);
	});

	it('reports delivered, and a failure with its reason, when the status is looked up later', async () => {
		const sent = await engine.run([{ phone: '+33612345678', name: 'a' }, { phone: '+12125550104', name: 'b' }], [send()]);
		const ids = sent.items('Send SMS').map((i) => i.json.messageId as string);
		await waitFor(() => stored().every((m) => ['delivered', 'undelivered'].includes(m.status)));
		const status = await engine.run(ids.map((id) => ({ id })), [{ type: 'sendSms', name: 'S', parameters: { operation: 'getStatus', provider: 'twilio', messageId: '={{ $json.id }}' } }]);
		const [ok, ko] = status.items('S').map((i) => i.json as IDataObject);
		expect(ok).toMatchObject({ status: 'delivered', price: expect.any(Number), priceUnit: 'USD' });
		expect(ko).toMatchObject({ status: 'undelivered', errorCode: '30003', errorMessage: expect.stringContaining('unreachable') });
	});

	it('MMS through Twilio: media URLs as repeated MediaUrl fields', async () => {
		const result = await engine.run([{ phone: '+33612345678', name: 'x' }], [send({ options: { mediaUrls: 'https://example.com/a.png, https://example.com/b.png' } })]);
		expect(result.items('Send SMS')[0].json).toMatchObject({ channel: 'mms', messageId: expect.stringMatching(/^MM/) });
		expect(stored()[0].mediaUrls).toEqual(['https://example.com/a.png', 'https://example.com/b.png']);
	});
});

describe('Send SMS: statuses to the Messaging Trigger, with no URL to copy', () => {
	const TRIGGER = 'http://127.0.0.1:9/webhook/trigger-of-the-number/messaging';
	const setNumberUrl = async (url: string) => {
		const c = twilioSdk(box.get());
		const [number] = await c.incomingPhoneNumbers.list({ phoneNumber: '+15005550006' });
		await c.incomingPhoneNumbers(number.sid).update({ smsUrl: url });
	};
	const lookUps = () => apiRequests('twilio').filter((r) => r.method === 'GET' && /IncomingPhoneNumbers|Services/.test(r.path));
	const toTrigger = (extra: Record<string, unknown> = {}) => send({ ...extra, options: { statusToTrigger: true, ...((extra.options as IDataObject) ?? {}) } });

	it("Twilio from a number: each message names the number's incoming-message URL, looked up once for all items", async () => {
		await setNumberUrl(TRIGGER);
		const before = lookUps().length;
		const result = await engine.run(
			[
				{ phone: '+33612345678', name: 'Ada' },
				{ phone: '+33612345679', name: 'Grace' },
				{ phone: '+33612345670', name: 'Alan' },
			],
			[toTrigger()],
		);
		expect(result.error()).toBeUndefined();
		expect(stored().map((m) => m.callbackUrl)).toEqual([TRIGGER, TRIGGER, TRIGGER]);
		expect(lookUps().length - before).toBe(1);
		// The sandbox moves each message on and posts its statuses there, signed.
		await waitFor(() => box.get().callbacks.filter((c) => c.url === TRIGGER).length >= 3, 10_000);
	});

	it('Twilio through a Messaging Service: its own status callback is used, and none is named per message', async () => {
		const { messagingServiceSid } = box.get().accounts.twilio;
		await twilioSdk(box.get()).messaging.v1.services(messagingServiceSid).update({ statusCallback: TRIGGER });
		const result = await engine.run([{ phone: '+33612345678', name: 'Ada' }], [toTrigger({ twilioSenderType: 'messagingService', twilioMessagingServiceSid: messagingServiceSid })]);
		expect(result.error()).toBeUndefined();
		expect(lookUps().map((r) => r.path)).toEqual([`/v1/Services/${messagingServiceSid}`]);
		expect(stored()[0].callbackUrl).toBe(TRIGGER);
	});

	it.each([
		['a number that posts its messages nowhere', {}, 'The Twilio number +15005550006 posts its incoming messages nowhere: activate a workflow whose Messaging Trigger listens to it'],
		['a number not in the account', { twilioFrom: '+15005550099' }, 'The Twilio account has no number +15005550099: activate a workflow whose Messaging Trigger'],
		['a sender ID', { twilioFrom: 'ACME' }, 'Delivery statuses reach a Messaging Trigger from a phone number or a Messaging Service; "ACME" is neither'],
		['a Messaging Service that posts its statuses nowhere', { twilioSenderType: 'messagingService', twilioMessagingServiceSid: 'MG' + '5c'.repeat(16) }, 'posts its statuses nowhere'],
		['a malformed Messaging Service SID', { twilioSenderType: 'messagingService', twilioMessagingServiceSid: 'MG123' }, '"MG123" is not a Messaging Service SID'],
	])('Twilio refuses %s with what to do, and sends nothing, not even through the fallback', async (_name, extra, message) => {
		const result = await engine.run([{ phone: '+33612345678', name: 'Ada' }], [toTrigger({ provider: 'twilio,sinch', ...extra })]);
		expect(result.error('Send SMS')?.message).toContain(message);
		expect(stored()).toHaveLength(0);
	});

	it("Twilio refuses a number whose URL is not a trigger's (a new number's demo reply): statuses would go to someone else", async () => {
		await setNumberUrl('https://demo.twilio.com/welcome/sms/reply');
		const result = await engine.run([{ phone: '+33612345678', name: 'Ada' }], [toTrigger({ provider: 'twilio,sinch' })]);
		expect(result.error('Send SMS')?.message).toContain(
			'The Twilio number +15005550006 posts its incoming messages to https://demo.twilio.com/welcome/sms/reply, not to a Messaging Trigger: activate a workflow whose Messaging Trigger listens to it',
		);
		expect(stored()).toHaveLength(0);
	});

	it('is not offered on a route with a provider that cannot bring statuses back: n8n drops it there, and nothing is looked up', async () => {
		await setNumberUrl(TRIGGER);
		const before = lookUps().length;
		const result = await engine.run([{ phone: '+33612345678', name: 'Ada' }], [toTrigger({ provider: 'twilio,sns' })]);
		expect(result.error()).toBeUndefined();
		expect(lookUps().length - before).toBe(0);
		expect(stored().map((m) => [m.provider, m.callbackUrl])).toEqual([['twilio', null]]);
	});

	it.each([
		['refused (503)', { type: 'status', status: 503 }],
		['cut off with no answer (connection reset)', { type: 'reset' }],
	])('Twilio: a look-up %s sent nothing, so it is tried again, and the message goes once', async (_name, fault) => {
		await setNumberUrl(TRIGGER);
		const before = lookUps().length;
		// The first request to Twilio is the look-up.
		box.get().addFault({ provider: 'twilio', count: 1, ...(fault as { type: 'status' | 'reset'; status?: number }) });
		const result = await engine.run([{ phone: '+33612345678', name: 'Ada' }], [toTrigger()]);
		expect(result.error()).toBeUndefined();
		expect(lookUps().length - before).toBe(2);
		expect(stored().map((m) => m.callbackUrl)).toEqual([TRIGGER]);
	});

	it("Sinch: delivery reports are asked for and go to the service plan's callback URL, with none named per batch", async () => {
		await sandboxControl(box.get(), 'PUT', '/sinch/callback-url', { url: TRIGGER });
		const result = await engine.run([{ phone: '+33612345678', name: 'Ada' }], [toTrigger({ provider: 'sinch' })]);
		expect(result.error()).toBeUndefined();
		expect(stored()[0].callbackUrl).toBeNull();
		// Per recipient: a report for each status the message passes.
		await waitFor(() => box.get().callbacks.some((c) => c.url === TRIGGER && c.provider === 'sinch'), 10_000);
	});

	it('refuses the option and a Status Callback URL together, before sending', async () => {
		const result = await engine.run([{ phone: '+33612345678', name: 'Ada' }], [toTrigger({ options: { statusToTrigger: true, statusCallbackUrl: 'https://example.com/cb' } })]);
		expect(result.error('Send SMS')?.message).toBe('Send Statuses to the Messaging Trigger and Status Callback URL are both set');
		expect(apiRequests()).toHaveLength(0);
	});
});
