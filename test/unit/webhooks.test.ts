/** The webhooks capability of each provider, exactly: signature checks, events read, replies, and setup requests. */
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { PROVIDERS, providersWith } from '../../nodes/shared/providers/registry';
import { readSinchCallback, sinchWebhooks } from '../../nodes/shared/providers/sinch/webhooks';
import { forgetSnsCertificates, isTopicArn, readSnsNotification, snsWebhooks } from '../../nodes/shared/providers/sns/webhooks';
import { readTwilioForm, twiml, twilioTriggerStatusUrl, twilioWebhookToken, twilioWebhooks } from '../../nodes/shared/providers/twilio/webhooks';
import { isTriggerUrl, type WebhookRequest, type WebhookSettings } from '../../nodes/shared/providers/webhookTypes';
import { xmlBlocks } from '../../nodes/shared/providers/wire';
import { ProviderError } from '../../nodes/shared/rules/errors';
import { addressToE164 } from '../../nodes/shared/rules/phone';
import { computeSinchWebhookSignature } from '../../nodes/shared/signatures/sinch';
import { signSnsMessage } from '../../nodes/shared/signatures/snsMessage';
import { SANDBOX_SNS_CERTIFICATE, SANDBOX_SNS_PRIVATE_KEY } from '../../sandbox/snsSigningCertificate';
import { fakeContext, rejectionOf } from '../helpers/fakeContext';

const URL_ = 'https://n8n.example.com/webhook/5f1c/messaging';
const settings = (over: Partial<WebhookSettings> = {}): WebhookSettings => ({ url: URL_, target: '+15017122661', remembered: {}, ...over });
const TWILIO_CREDS = { authType: 'authToken', accountSid: 'AC00000000000000000000000000000001', authToken: 'tok-123' };

const INBOUND = {
	MessageSid: 'SM11111111111111111111111111111111',
	SmsMessageSid: 'SM11111111111111111111111111111111',
	SmsSid: 'SM11111111111111111111111111111111',
	AccountSid: TWILIO_CREDS.accountSid,
	From: '+33612345678',
	To: '+15017122661',
	Body: 'Yes, see you then',
	NumMedia: '0',
	NumSegments: '1',
	SmsStatus: 'received',
	ApiVersion: '2010-04-01',
	FromCountry: 'FR',
};

function formRequest(form: Record<string, string>, url = URL_, token = TWILIO_CREDS.authToken, headers: Record<string, string> = {}): WebhookRequest {
	return {
		method: 'POST',
		url,
		headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, form), ...headers },
		rawBody: Buffer.from(new URLSearchParams(form).toString()),
		form,
	};
}

describe('registry: who pushes what', () => {
	it('gives every provider a webhooks capability, with setup where the provider has an API for it', () => {
		expect(providersWith((p) => p.webhooks).map((p) => p.name)).toEqual(['twilio', 'sinch', 'sns']);
		expect(providersWith((p) => p.webhooks?.setup).map((p) => p.name)).toEqual(['twilio', 'sns']);
		expect(providersWith((p) => p.webhooks?.events.status).map((p) => p.name)).toEqual(['twilio', 'sinch']);
		expect(PROVIDERS.sinch.webhooks?.manualSetupHint).toMatch(/Callback URLs/);
	});
});

describe('addressToE164', () => {
	it.each([
		['+33612345678', '+33612345678'],
		['33612345678', '+33612345678'],
		['46701234567', '+46701234567'],
		['whatsapp:+4915112345678', '+4915112345678'],
		[' +1 (212) 555-0100 ', '+12125550100'],
		['1234567', '+1234567'],
		['123456', '123456'],
		['12345', '12345'],
		['ACME', 'ACME'],
		['0612345678', '0612345678'],
		['+0612345678', '+0612345678'],
		['1234567890123456', '1234567890123456'],
		['', null],
		[null, null],
		[undefined, null],
	])('%j → %j', (input, expected) => {
		expect(addressToE164(input)).toBe(expected);
	});
});

describe('Twilio webhooks', () => {
	it('checks the signature with the Auth Token, or the Webhook Auth Token with API keys, and fails closed without one', async () => {
		expect(twilioWebhookToken(TWILIO_CREDS)).toBe('tok-123');
		expect(twilioWebhookToken({ ...TWILIO_CREDS, webhookAuthToken: ' own ' })).toBe('own');
		expect(twilioWebhookToken({ authType: 'apiKey', authToken: 'stale', apiKeySecret: 'k' })).toBe('');
		expect(twilioWebhookToken({ authType: 'apiKey', webhookAuthToken: 'w' })).toBe('w');
		expect(twilioWebhookToken({ authToken: 42 })).toBe('');
		const { ctx } = fakeContext(TWILIO_CREDS, []);
		await expect(twilioWebhooks.verify(ctx, formRequest(INBOUND), settings())).resolves.toEqual({ ok: true });
		const apiKey = fakeContext({ authType: 'apiKey', accountSid: 'AC1', apiKeySid: 'SK1', apiKeySecret: 's' }, []).ctx;
		expect(await twilioWebhooks.verify(apiKey, formRequest(INBOUND), settings())).toEqual({ ok: false, reason: expect.stringMatching(/API Key and has no Webhook Auth Token/) });
		const withOwn = fakeContext({ authType: 'apiKey', webhookAuthToken: 'tok-123' }, []).ctx;
		await expect(twilioWebhooks.verify(withOwn, formRequest(INBOUND), settings())).resolves.toEqual({ ok: true });
	});

	it('refuses a missing or wrong signature, another URL, another token and a changed parameter', async () => {
		const { ctx } = fakeContext(TWILIO_CREDS, []);
		const good = formRequest(INBOUND);
		const unsigned = { ...good.headers, 'x-twilio-signature': undefined };
		expect(await twilioWebhooks.verify(ctx, { ...good, headers: unsigned }, settings())).toEqual({ ok: false, reason: 'the request has no X-Twilio-Signature header' });
		expect((await twilioWebhooks.verify(ctx, { ...good, url: `${URL_}x` }, settings())).ok).toBe(false);
		expect((await twilioWebhooks.verify(ctx, formRequest(INBOUND, URL_, 'other'), settings())).ok).toBe(false);
		expect((await twilioWebhooks.verify(ctx, { ...good, form: { ...INBOUND, Body: 'No' } }, settings())).ok).toBe(false);
		const bad = await twilioWebhooks.verify(ctx, { ...good, url: 'not a url' }, settings());
		expect(bad).toEqual({ ok: false, reason: 'the trigger\'s URL "not a url" is not a URL: correct the Public URL option' });
		const wrong = await twilioWebhooks.verify(ctx, { ...good, form: { ...INBOUND, Body: 'No' } }, settings());
		expect(wrong).toEqual({ ok: false, reason: expect.stringContaining(`signed for ${URL_}`) });
	});

	it('uses the settings URL when the request has none, reads the raw body when n8n gave no form, and accepts the port variants', async () => {
		const { ctx } = fakeContext(TWILIO_CREDS, []);
		const good = formRequest(INBOUND);
		await expect(twilioWebhooks.verify(ctx, { ...good, url: '' }, settings())).resolves.toEqual({ ok: true });
		await expect(twilioWebhooks.verify(ctx, { ...good, form: undefined }, settings())).resolves.toEqual({ ok: true });
		const withPort = formRequest(INBOUND, URL_.replace('example.com', 'example.com:443'));
		await expect(twilioWebhooks.verify(ctx, { ...withPort, url: URL_ }, settings())).resolves.toEqual({ ok: true });
	});

	it('reads a key repeated three times in the raw body as Twilio signed it', async () => {
		const { ctx } = fakeContext(TWILIO_CREDS, []);
		const params = { ...INBOUND, Tag: ['a', 'b', 'c'] } as unknown as Record<string, string>;
		const raw = `${new URLSearchParams(INBOUND).toString()}&Tag=a&Tag=b&Tag=c`;
		const request: WebhookRequest = {
			method: 'POST',
			url: URL_,
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_CREDS.authToken, URL_, params) },
			rawBody: Buffer.from(raw),
		};
		await expect(twilioWebhooks.verify(ctx, request, settings())).resolves.toEqual({ ok: true });
		const two = { ...request, rawBody: Buffer.from(`${new URLSearchParams(INBOUND).toString()}&Tag=a&Tag=b`) };
		expect((await twilioWebhooks.verify(ctx, two, settings())).ok).toBe(false);
	});

	it('reads an inbound form without SmsStatus as received, media only for a whole NumMedia, WhatsApp only by its prefix', () => {
		const noStatus: Record<string, string> = { ...INBOUND };
		delete noStatus.SmsStatus;
		expect(readTwilioForm(noStatus).providerStatus).toBe('received');
		const media = { MediaUrl0: 'https://m/0', MediaUrl1: 'https://m/1', MediaUrl2: 'https://m/2' };
		for (const NumMedia of ['2.5', '-1', 'x', '']) expect([NumMedia, readTwilioForm({ ...INBOUND, ...media, NumMedia }).media]).toEqual([NumMedia, []]);
		expect(readTwilioForm({ ...INBOUND, ...media, NumMedia: '2' }).media.map((m) => m.url)).toEqual(['https://m/0', 'https://m/1']);
		expect(readTwilioForm({ ...INBOUND, From: 'tel:whatsapp:+33612345678' }).channel).toBe('sms');
		expect(readTwilioForm({ ...INBOUND, From: 'WhatsApp:+33612345678' }).channel).toBe('whatsapp');
	});

	it('checks the JSON-body variant by its bodySHA256', async () => {
		const body = JSON.stringify({ MessageSid: 'SM1', MessageStatus: 'delivered' });
		const hash = createHash('sha256').update(body).digest('hex');
		const url = `${URL_}?bodySHA256=${hash}`;
		const signature = twilio.getExpectedTwilioSignature('tok-123', url, {});
		const { ctx } = fakeContext(TWILIO_CREDS, []);
		const request: WebhookRequest = { method: 'POST', url, headers: { 'x-twilio-signature': signature }, rawBody: Buffer.from(body) };
		await expect(twilioWebhooks.verify(ctx, request, settings())).resolves.toEqual({ ok: true });
		expect(twilio.validateRequestWithBody('tok-123', signature, url, body)).toBe(true);
		expect((await twilioWebhooks.verify(ctx, { ...request, rawBody: Buffer.from(`${body} `) }, settings())).ok).toBe(false);
	});

	it('reads an inbound SMS into the one shape', async () => {
		const { ctx } = fakeContext(TWILIO_CREDS, []);
		// The unsigned I-Twilio-Idempotency-Token is not what duplicates are found by: a replay could change it.
		const reading = await twilioWebhooks.read(ctx, formRequest(INBOUND, URL_, 'tok-123', { 'i-twilio-idempotency-token': 'idem-1' }), settings());
		expect(reading).toEqual({
			type: 'events',
			events: [
				{
					kind: 'inbound',
					messageId: INBOUND.MessageSid,
					from: '+33612345678',
					to: '+15017122661',
					body: 'Yes, see you then',
					media: [],
					status: 'received',
					providerStatus: 'received',
					errorCode: null,
					errorMessage: null,
					channel: 'sms',
					deliveryKey: `${INBOUND.MessageSid}:inbound`,
					raw: INBOUND,
				},
			],
		});
	});

	it('reads MMS media in order, at most ten, and WhatsApp by its prefix', () => {
		const form: Record<string, string> = { ...INBOUND, NumMedia: '12' };
		for (let i = 0; i < 12; i++) {
			form[`MediaUrl${i}`] = `https://api.twilio.com/media/${i}`;
			form[`MediaContentType${i}`] = i % 2 ? 'image/png' : 'image/jpeg';
		}
		const mms = readTwilioForm(form);
		expect(mms.channel).toBe('mms');
		expect(mms.media).toHaveLength(10);
		expect(mms.media[9]).toEqual({ url: 'https://api.twilio.com/media/9', contentType: 'image/png' });
		expect(readTwilioForm({ ...INBOUND, NumMedia: '1', MediaUrl0: 'https://m/0' }).media).toEqual([{ url: 'https://m/0', contentType: null }]);
		expect(readTwilioForm({ ...INBOUND, NumMedia: '2', MediaUrl1: 'https://m/1' }).media).toEqual([{ url: 'https://m/1', contentType: null }]);
		expect(readTwilioForm({ ...INBOUND, NumMedia: '-1', MediaUrl0: 'https://m/0' }).channel).toBe('sms');
		expect(readTwilioForm({ ...INBOUND, NumMedia: '1.5', MediaUrl0: 'https://m/0' }).media).toEqual([]);
		expect(readTwilioForm({ ...INBOUND, NumMedia: 'x' }).media).toEqual([]);
		const wa = readTwilioForm({ ...INBOUND, From: 'whatsapp:+33612345678', To: 'whatsapp:+15017122661', ProfileName: 'Ada', ButtonPayload: 'yes' });
		expect([wa.channel, wa.from, wa.to, wa.raw.ButtonPayload]).toEqual(['whatsapp', '+33612345678', '+15017122661', 'yes']);
		expect(readTwilioForm({ ...INBOUND, To: 'whatsapp:+15017122661' }).channel).toBe('whatsapp');
		expect(readTwilioForm({ ...INBOUND, Body: undefined as unknown as string }).body).toBe('');
	});

	it('reads status callbacks: status through the one model, the error code in words, a key per status', () => {
		const base = { MessageSid: 'SM2', SmsSid: 'SM2', AccountSid: 'AC1', From: '+15017122661', To: '+33612345678', ApiVersion: '2010-04-01' };
		const delivered = readTwilioForm({ ...base, MessageStatus: 'delivered', SmsStatus: 'delivered' });
		expect(delivered).toMatchObject({ kind: 'status', status: 'delivered', providerStatus: 'delivered', body: null, errorCode: null, errorMessage: null, deliveryKey: 'SM2:delivered' });
		const failed = readTwilioForm({ ...base, MessageStatus: 'undelivered', ErrorCode: '30003' });
		expect(failed).toMatchObject({ status: 'undelivered', errorCode: '30003', errorMessage: 'The handset is unreachable (Twilio 30003): try again later or remove the number' });
		expect(readTwilioForm({ ...base, MessageStatus: 'failed', ErrorCode: '99999', ChannelStatusMessage: 'odd' })).toMatchObject({ errorMessage: 'Delivery failed (Twilio 99999)', raw: { ChannelStatusMessage: 'odd' } });
		expect(readTwilioForm({ ...base, MessageStatus: 'failed', ErrorCode: '' })).toMatchObject({ errorCode: null, errorMessage: null });
		const read = readTwilioForm({ ...base, From: 'whatsapp:+1', MessageStatus: 'read', EventType: 'READ' });
		expect([read.status, read.deliveryKey, read.channel]).toEqual(['read', 'SM2:read:READ', 'whatsapp']);
		expect(readTwilioForm({ ...base, MessageStatus: 'Delivered' }).status).toBe('delivered');
		expect(readTwilioForm({ ...base, MessageStatus: 'received', Body: 'x' }).kind).toBe('inbound');
		expect(readTwilioForm({ ...base, MessageStatus: 'receiving', Body: 'x' }).kind).toBe('inbound');
		expect(readTwilioForm({ ...base, MessageStatus: 'brand-new' })).toMatchObject({ kind: 'status', status: 'unknown', providerStatus: 'brand-new' });
		expect(readTwilioForm({ SmsSid: 'SM3', Body: 'x' }).messageId).toBe('SM3');
		expect(readTwilioForm({ SmsMessageSid: 'SM4', SmsSid: 'SM5', Body: 'x' }).messageId).toBe('SM4');
		expect(readTwilioForm({ SmsSid: 'SM3', Body: 'x', SmsStatus: 'RECEIVED' }).providerStatus).toBe('received');
		expect(readTwilioForm({ SmsSid: 'SM3', Body: 'x' }).deliveryKey).toBe('SM3:inbound');
		expect(readTwilioForm({ MessageSid: ['SM6', 'SM7'], Body: 'x' }).messageId).toBe('SM6');
		expect(() => readTwilioForm({ Body: 'hi' })).toThrow('The request is not a Twilio messaging webhook: it has no MessageSid');
	});

	it('answers TwiML: empty, or the reply text escaped, only to inbound messages', () => {
		expect(twiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
		expect(twiml('  ')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
		expect(twiml(` Thanks <Ada> & "co" 'x' `)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks &lt;Ada&gt; &amp; &quot;co&quot; &apos;x&apos;</Message></Response>');
		const inbound = readTwilioForm(INBOUND);
		const status = readTwilioForm({ MessageSid: 'SM2', MessageStatus: 'sent' });
		expect(twilioWebhooks.reply([inbound], { replyText: 'Got it' })).toEqual({ statusCode: 200, contentType: 'text/xml', body: twiml('Got it') });
		expect(twilioWebhooks.reply([status], { replyText: 'Got it' }).body).toBe(twiml());
		expect(twilioWebhooks.reply([], {}).body).toBe(twiml());
	});
});

describe('Twilio setup', () => {
	const setup = twilioWebhooks.setup!;
	const api = `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_CREDS.accountSid}`;
	const numberList = (smsUrl: string) => ({ statusCode: 200, body: { incoming_phone_numbers: [{ sid: 'PN00000000000000000000000000000001', phone_number: '+15017122661', sms_url: smsUrl, sms_method: 'GET' }] } });
	const SERVICE = 'MG00000000000000000000000000000001';

	it('finds the number by E.164, points its SmsUrl at the trigger and remembers the old one', async () => {
		const { ctx, requests } = fakeContext(TWILIO_CREDS, [numberList('https://old.example/sms'), { statusCode: 200, body: { sid: 'PN00000000000000000000000000000001' } }]);
		const state = await setup.create(ctx, settings({ target: ' +1 501 712 2661 ' }));
		expect(requests.map((r) => [r.method, r.url])).toEqual([
			['GET', `${api}/IncomingPhoneNumbers.json?PhoneNumber=%2B15017122661`],
			['POST', `${api}/IncomingPhoneNumbers/PN00000000000000000000000000000001.json`],
		]);
		expect(requests[1].headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded' });
		expect(Object.fromEntries(new URLSearchParams(requests[1].body))).toEqual({ SmsUrl: URL_, SmsMethod: 'POST' });
		expect(state).toEqual({ previous: { inboundUrl: 'https://old.example/sms', inboundMethod: 'GET' }, current: { kind: 'number', sid: 'PN00000000000000000000000000000001', url: URL_ } });
	});

	it('keeps what was there before the trigger when the number already points at it', async () => {
		const remembered = { previous: { inboundUrl: 'https://first.example', inboundMethod: 'POST' } };
		const { ctx } = fakeContext(TWILIO_CREDS, [numberList(URL_), { statusCode: 200, body: {} }]);
		expect((await setup.create(ctx, settings({ remembered }))).previous).toEqual(remembered.previous);
		const fresh = fakeContext(TWILIO_CREDS, [numberList(URL_), { statusCode: 200, body: {} }]).ctx;
		expect((await setup.create(fresh, settings())).previous).toEqual({ inboundUrl: URL_, inboundMethod: 'GET' });
	});

	it('says whether the number or service posts to the trigger', async () => {
		expect(await setup.exists(fakeContext(TWILIO_CREDS, [numberList(URL_)]).ctx, settings())).toBe(true);
		expect(await setup.exists(fakeContext(TWILIO_CREDS, [numberList('https://else')]).ctx, settings())).toBe(false);
		const service = (inbound: string, status: string) => ({ statusCode: 200, body: { sid: SERVICE, inbound_request_url: inbound, status_callback: status, inbound_method: 'POST' } });
		expect(await setup.exists(fakeContext(TWILIO_CREDS, [service(URL_, URL_)]).ctx, settings({ target: SERVICE }))).toBe(true);
		expect(await setup.exists(fakeContext(TWILIO_CREDS, [service(URL_, 'https://else')]).ctx, settings({ target: SERVICE }))).toBe(false);
		expect(await setup.exists(fakeContext(TWILIO_CREDS, [service('https://else', URL_)]).ctx, settings({ target: SERVICE }))).toBe(false);
	});

	it('points a Messaging Service’s inbound and status URLs at the trigger, and puts them back', async () => {
		const { ctx, requests } = fakeContext({ ...TWILIO_CREDS, baseUrl: 'http://127.0.0.1:4010/' }, [
			{ statusCode: 200, body: { sid: SERVICE, inbound_request_url: 'https://old/in', inbound_method: 'GET', status_callback: 'https://old/status' } },
			{ statusCode: 200, body: { sid: SERVICE } },
		]);
		const state = await setup.create(ctx, settings({ target: SERVICE }));
		expect(requests.map((r) => [r.method, r.url])).toEqual([
			['GET', `http://127.0.0.1:4010/v1/Services/${SERVICE}`],
			['POST', `http://127.0.0.1:4010/v1/Services/${SERVICE}`],
		]);
		expect(Object.fromEntries(new URLSearchParams(requests[1].body))).toEqual({ InboundRequestUrl: URL_, InboundMethod: 'POST', StatusCallback: URL_ });
		expect(state.previous).toEqual({ inboundUrl: 'https://old/in', inboundMethod: 'GET', statusUrl: 'https://old/status' });
		const back = fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { sid: SERVICE, inbound_request_url: URL_, status_callback: URL_ } }, { statusCode: 200, body: {} }]);
		await setup.delete(back.ctx, settings({ target: SERVICE, remembered: state as never }));
		expect(back.requests[0].url).toBe(`https://messaging.twilio.com/v1/Services/${SERVICE}`);
		expect(Object.fromEntries(new URLSearchParams(back.requests[1].body))).toEqual({ InboundRequestUrl: 'https://old/in', InboundMethod: 'GET', StatusCallback: 'https://old/status' });
	});

	it('on delete puts back each Messaging Service URL that still points at the trigger, and leaves one someone changed', async () => {
		const remembered = { previous: { inboundUrl: 'https://old/in', inboundMethod: 'GET', statusUrl: 'https://old/status' } };
		const back = fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { sid: SERVICE, inbound_request_url: 'https://theirs/in', inbound_method: 'POST', status_callback: URL_ } }, { statusCode: 200, body: {} }]);
		await setup.delete(back.ctx, settings({ target: SERVICE, remembered }));
		expect(Object.fromEntries(new URLSearchParams(back.requests[1].body))).toEqual({ InboundRequestUrl: 'https://theirs/in', InboundMethod: 'POST', StatusCallback: 'https://old/status' });
		const inboundOnly = fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { sid: SERVICE, inbound_request_url: URL_, status_callback: 'https://theirs/status' } }, { statusCode: 200, body: {} }]);
		await setup.delete(inboundOnly.ctx, settings({ target: SERVICE, remembered }));
		expect(Object.fromEntries(new URLSearchParams(inboundOnly.requests[1].body))).toEqual({ InboundRequestUrl: 'https://old/in', InboundMethod: 'GET', StatusCallback: 'https://theirs/status' });
		const neither = fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { sid: SERVICE, inbound_request_url: 'https://a', status_callback: 'https://b' } }]);
		await setup.delete(neither.ctx, settings({ target: SERVICE, remembered }));
		expect(neither.requests).toHaveLength(1);
	});

	it('on delete puts the number’s old URL back, found by its SID, unless someone changed it since; a vanished number is fine', async () => {
		const remembered = { previous: { inboundUrl: 'https://old.example/sms', inboundMethod: 'GET' }, current: { kind: 'number', sid: 'PN00000000000000000000000000000001', url: URL_ } };
		const one = (smsUrl: string) => ({ statusCode: 200, body: { sid: 'PN00000000000000000000000000000001', sms_url: smsUrl } });
		const back = fakeContext(TWILIO_CREDS, [one(URL_), { statusCode: 200, body: {} }]);
		await setup.delete(back.ctx, settings({ remembered }));
		expect(back.requests.map((r) => r.url)).toEqual([`${api}/IncomingPhoneNumbers/PN00000000000000000000000000000001.json`, `${api}/IncomingPhoneNumbers/PN00000000000000000000000000000001.json`]);
		expect(Object.fromEntries(new URLSearchParams(back.requests[1].body))).toEqual({ SmsUrl: 'https://old.example/sms', SmsMethod: 'GET' });
		const changed = fakeContext(TWILIO_CREDS, [one('https://someone.else')]);
		await setup.delete(changed.ctx, settings({ remembered }));
		expect(changed.requests).toHaveLength(1);
		const gone = fakeContext(TWILIO_CREDS, [{ statusCode: 404, body: { code: 20404, message: 'not found', status: 404 } }]);
		await expect(setup.delete(gone.ctx, settings({ remembered }))).resolves.toBeUndefined();
		const empty = fakeContext(TWILIO_CREDS, [numberList(URL_), { statusCode: 200, body: {} }]);
		await setup.delete(empty.ctx, settings());
		expect(Object.fromEntries(new URLSearchParams(empty.requests[1].body))).toEqual({ SmsUrl: '', SmsMethod: 'POST' });
	});

	it('says which number or service Twilio has not got, trims a service SID, takes only 2xx as done, and never swallows a failed look-up on delete', async () => {
		const sid = 'PN00000000000000000000000000000009';
		const byPath = await rejectionOf(setup.exists(fakeContext(TWILIO_CREDS, [{ statusCode: 404, body: 'Not Found' }]).ctx, settings({ target: sid })));
		expect([byPath.kind, byPath.code, byPath.message]).toEqual(['notFound', undefined, `Twilio has no number ${sid} in this account: check it in the trigger and that the credential is the account's`]);
		const listed = await rejectionOf(setup.exists(fakeContext(TWILIO_CREDS, [{ statusCode: 404, body: { code: 20404, message: 'x' } }]).ctx, settings()));
		expect(listed.message).toBe("Twilio has no number +15017122661 in this account: check it in the trigger and that the credential is the account's");
		const serviceBody = { sid: SERVICE, inbound_request_url: URL_, status_callback: URL_ };
		expect(await setup.exists(fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: serviceBody }]).ctx, settings({ target: `  ${SERVICE} ` }))).toBe(true);
		const pointing = await rejectionOf(setup.create(fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: serviceBody }, { statusCode: 404, body: { code: 20404, message: 'x' } }]).ctx, settings({ target: SERVICE })));
		expect(pointing.message).toBe(`Twilio has no Messaging Service ${SERVICE} in this account: check it in the trigger and that the credential is the account's`);
		const pointingNumber = await rejectionOf(setup.create(fakeContext(TWILIO_CREDS, [numberList('x'), { statusCode: 404, body: { code: 20404, message: 'x' } }]).ctx, settings()));
		expect(pointingNumber.message).toBe("Twilio has no number PN00000000000000000000000000000001 in this account: check it in the trigger and that the credential is the account's");
		for (const statusCode of [300, 199]) expect((await rejectionOf(setup.exists(fakeContext(TWILIO_CREDS, [{ ...numberList(URL_), statusCode }]).ctx, settings()))) instanceof ProviderError).toBe(true);
		const failing = await rejectionOf(setup.delete(fakeContext(TWILIO_CREDS, [{ statusCode: 500, body: { code: 20500, message: 'x' } }]).ctx, settings({ remembered: { current: { sid: 'PN00000000000000000000000000000001' } } })));
		expect(failing.kind).toBe('unavailable');
	});

	it('remembers what was there only when it is not the trigger already, and fills in what Twilio left out', async () => {
		const remembered = { previous: { inboundUrl: 'https://first.example', inboundMethod: 'POST' } };
		const elsewhere = fakeContext(TWILIO_CREDS, [numberList('https://now.example'), { statusCode: 200, body: {} }]);
		expect((await setup.create(elsewhere.ctx, settings({ remembered }))).previous).toEqual({ inboundUrl: 'https://now.example', inboundMethod: 'GET' });
		const sparseService = fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { sid: SERVICE } }, { statusCode: 200, body: {} }]);
		expect((await setup.create(sparseService.ctx, settings({ target: SERVICE }))).previous).toEqual({ inboundUrl: '', inboundMethod: 'POST', statusUrl: '' });
		const sparseNumber = fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { incoming_phone_numbers: [{ sid: 'PN00000000000000000000000000000001', phone_number: '+15017122661' }] } }, { statusCode: 200, body: {} }]);
		expect((await setup.create(sparseNumber.ctx, settings())).previous).toEqual({ inboundUrl: '', inboundMethod: 'POST' });
	});

	it('on delete leaves a number someone re-pointed, and keeps the inbound method of a service whose inbound URL is theirs', async () => {
		const remembered = { previous: { inboundUrl: 'https://old/in', inboundMethod: 'POST', statusUrl: 'https://old/status' } };
		const theirs = fakeContext(TWILIO_CREDS, [numberList('https://theirs.example')]);
		await setup.delete(theirs.ctx, settings({ remembered }));
		expect(theirs.requests).toHaveLength(1);
		const keep = fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { sid: SERVICE, inbound_request_url: 'https://theirs/in', inbound_method: 'GET', status_callback: URL_ } }, { statusCode: 200, body: {} }]);
		await setup.delete(keep.ctx, settings({ target: SERVICE, remembered }));
		expect(Object.fromEntries(new URLSearchParams(keep.requests[1].body))).toEqual({ InboundRequestUrl: 'https://theirs/in', InboundMethod: 'GET', StatusCallback: 'https://old/status' });
	});

	it('throws what Twilio says, never swallowing it: auth, a number not in the account, a bad target', async () => {
		const auth = await rejectionOf(setup.create(fakeContext(TWILIO_CREDS, [{ statusCode: 401, body: { code: 20003, message: 'Authenticate', status: 401 } }]).ctx, settings()));
		expect(auth).toBeInstanceOf(ProviderError);
		expect([auth.kind, auth.code]).toEqual(['auth', '20003']);
		const missing = await rejectionOf(setup.create(fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { incoming_phone_numbers: [] } }]).ctx, settings()));
		expect([missing.kind, missing.message]).toEqual(['notFound', "The Twilio account has no number +15017122661: use one of the account's numbers (Phone Numbers → Active numbers) or a Messaging Service SID"]);
		const other = await rejectionOf(setup.create(fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: { incoming_phone_numbers: [{ sid: 'PN1', phone_number: '+19999999999' }] } }]).ctx, settings()));
		expect(other.kind).toBe('notFound');
		const bad = await rejectionOf(setup.create(fakeContext(TWILIO_CREDS, []).ctx, settings({ target: 'my number' })));
		expect([bad.kind, bad.message]).toEqual(['request', '"my number" is neither a phone number in international format (+1…) nor a Messaging Service SID (MG…): correct the trigger\'s Twilio Number or Service']);
		const service404 = await rejectionOf(setup.exists(fakeContext(TWILIO_CREDS, [{ statusCode: 404, body: { code: 20404, message: 'x', status: 404 } }]).ctx, settings({ target: SERVICE })));
		expect([service404.kind, service404.code, service404.message]).toEqual(['notFound', '20404', `Twilio has no Messaging Service ${SERVICE} in this account: check it in the trigger and that the credential is the account's`]);
		const server = await rejectionOf(setup.create(fakeContext(TWILIO_CREDS, [numberList('x'), { statusCode: 503, body: 'down' }]).ctx, settings()));
		expect(server.kind).toBe('unavailable');
		const garbled = await rejectionOf(setup.exists(fakeContext(TWILIO_CREDS, [{ statusCode: 200, body: 'not json' }]).ctx, settings()));
		expect(garbled).toBeInstanceOf(ProviderError);
	});
});

describe("Twilio: where a sender's Messaging Trigger hears statuses", () => {
	const api = `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_CREDS.accountSid}`;
	const SERVICE = 'MG00000000000000000000000000000001';
	const number = (smsUrl: unknown) => ({ statusCode: 200, body: { incoming_phone_numbers: [{ sid: 'PN00000000000000000000000000000001', phone_number: '+15017122661', sms_url: smsUrl }] } });
	const service = (statusCallback: unknown) => ({ statusCode: 200, body: { sid: SERVICE, inbound_request_url: URL_, status_callback: statusCallback } });
	const HOW = 'activate a workflow whose Messaging Trigger listens to it with Configure the Provider for Me on, or turn off Send Statuses to the Messaging Trigger and give a Status Callback URL';

	it("names a number's incoming-message URL, after one look-up by the number in E.164", async () => {
		const { ctx, requests } = fakeContext(TWILIO_CREDS, [number(URL_)]);
		expect(await twilioTriggerStatusUrl(ctx, { from: ' +1 (501) 712-2661 ' })).toBe(URL_);
		expect(requests.map((r) => [r.method, r.url])).toEqual([['GET', `${api}/IncomingPhoneNumbers.json?PhoneNumber=%2B15017122661`]]);
	});

	it("names nothing for a Messaging Service that posts statuses itself (its status callback), after reading it", async () => {
		const { ctx, requests } = fakeContext(TWILIO_CREDS, [service('https://n8n.example.com/webhook/x/messaging')]);
		expect(await twilioTriggerStatusUrl(ctx, { messagingServiceSid: ` ${SERVICE} `, from: '+15017122661' })).toBeUndefined();
		expect(requests.map((r) => [r.method, r.url])).toEqual([['GET', `https://messaging.twilio.com/v1/Services/${SERVICE}`]]);
	});

	it.each([
		['a number whose incoming messages go nowhere', { from: '+15017122661' }, [number('')], `The Twilio number +15017122661 posts its incoming messages nowhere: ${HOW}`],
		['a number whose URL is null', { from: '+15017122661' }, [number(null)], `The Twilio number +15017122661 posts its incoming messages nowhere: ${HOW}`],
		[
			"a number with Twilio's demo reply, as a new number has",
			{ from: '+15017122661' },
			[number('https://demo.twilio.com/welcome/sms/reply')],
			`The Twilio number +15017122661 posts its incoming messages to https://demo.twilio.com/welcome/sms/reply, not to a Messaging Trigger: ${HOW}`,
		],
		['a number that posts to another application', { from: '+15017122661' }, [number('https://app.example.com/messaging/in')], `The Twilio number +15017122661 posts its incoming messages to https://app.example.com/messaging/in, not to a Messaging Trigger: ${HOW}`],
		['a number the account does not have', { from: '+15017122661' }, [{ statusCode: 200, body: { incoming_phone_numbers: [] } }], `The Twilio account has no number +15017122661: ${HOW}`],
		['a Messaging Service whose statuses go nowhere', { messagingServiceSid: SERVICE }, [service('')], `The Messaging Service ${SERVICE} posts its statuses nowhere: ${HOW}`],
		['a Messaging Service that posts statuses elsewhere', { messagingServiceSid: SERVICE }, [service('https://status.example.com/cb')], `The Messaging Service ${SERVICE} posts its statuses to https://status.example.com/cb, not to a Messaging Trigger: ${HOW}`],
		['a Messaging Service that does not exist', { messagingServiceSid: SERVICE }, [{ statusCode: 404, body: { code: 20404, message: 'not found' } }], `Twilio has no Messaging Service ${SERVICE} in this account: ${HOW}`],
	])('refuses %s, saying what to do, as a request error (no fallback)', async (_name, sender, answers, message) => {
		const error = await rejectionOf(twilioTriggerStatusUrl(fakeContext(TWILIO_CREDS, answers).ctx, sender));
		expect(error).toBeInstanceOf(ProviderError);
		expect([error.kind, error.message]).toEqual(['request', message]);
	});

	it.each(['MG123', `MG${'0'.repeat(31)}`, `MG${'g'.repeat(32)}`, `SG${'0'.repeat(32)}`])('refuses the malformed Messaging Service SID %p without asking Twilio', async (sid) => {
		const { ctx, requests } = fakeContext(TWILIO_CREDS, []);
		const error = await rejectionOf(twilioTriggerStatusUrl(ctx, { messagingServiceSid: sid }));
		expect([error.kind, error.message]).toEqual(['request', `"${sid}" is not a Messaging Service SID (MG followed by 32 hexadecimal characters): correct the Messaging Service SID`]);
		expect(requests).toHaveLength(0);
	});

	it.each([
		['https://n8n.example.com/webhook/5f1c/messaging', true],
		['http://127.0.0.1:5678/webhook/5f1c/messaging/', true],
		['https://proxy.example.com/hooks/sms/messaging?x=1', true],
		['https://n8n.example.com/webhook/5f1c/messaging-old', false],
		['https://n8n.example.com/webhook/5f1cmessaging', false],
		['https://demo.twilio.com/welcome/sms/reply', false],
		['ftp://n8n.example.com/webhook/5f1c/messaging', false],
		['/webhook/5f1c/messaging', false],
		['', false],
	])('knows a trigger URL by its path: %p → %p', (url, is) => {
		expect(isTriggerUrl(url)).toBe(is);
	});

	it.each([[{ from: 'ACME' }, 'ACME'], [{ from: '12345' }, '12345'], [{}, '']])('refuses a sender that is not a number or a service (%j) without asking Twilio', async (sender, shown) => {
		const { ctx, requests } = fakeContext(TWILIO_CREDS, []);
		const error = await rejectionOf(twilioTriggerStatusUrl(ctx, sender));
		expect([error.kind, error.message]).toEqual([
			'request',
			`Delivery statuses reach a Messaging Trigger from a phone number or a Messaging Service; "${shown}" is neither: turn off Send Statuses to the Messaging Trigger and give a Status Callback URL`,
		]);
		expect(requests).toHaveLength(0);
	});

	it('turns a look-up that got no answer into "nothing sent" (safe to retry), and passes other failures on as they are', async () => {
		const silent = fakeContext(TWILIO_CREDS, []).ctx;
		silent.http = async () => {
			throw new ProviderError({ provider: { name: 'twilio', label: 'Twilio' }, kind: 'ambiguous', message: 'no answer', detail: 'socket hang up' });
		};
		const error = await rejectionOf(twilioTriggerStatusUrl(silent, { from: '+15017122661' }));
		expect([error.kind, error.message, error.detail]).toEqual(['network', 'Twilio did not answer where +15017122661 posts its messages; nothing was sent', 'socket hang up']);
		const busy = await rejectionOf(twilioTriggerStatusUrl(fakeContext(TWILIO_CREDS, [{ statusCode: 503, body: { code: 20500, message: 'busy' } }]).ctx, { messagingServiceSid: SERVICE }));
		expect([busy.kind, busy.httpStatus]).toEqual(['unavailable', 503]);
		const odd = fakeContext(TWILIO_CREDS, []).ctx;
		odd.http = async () => {
			throw new TypeError('boom');
		};
		expect(await rejectionOf(twilioTriggerStatusUrl(odd, { from: '+15017122661' }))).toEqual(new TypeError('boom'));
	});
});

describe('Sinch webhooks', () => {
	const SECRET = 'sinch-secret';
	const CREDS = { smsAuth: 'servicePlan', servicePlanId: 'sp', apiToken: 't', webhookSecret: SECRET };
	function signed(body: object, headers: Record<string, string> = {}): WebhookRequest {
		const raw = JSON.stringify(body);
		const nonce = '01FJA8B4A7BM43YGWSG9GBV067';
		const timestamp = '1795255080';
		return {
			method: 'POST',
			url: URL_,
			headers: {
				'content-type': 'application/json',
				'x-sinch-webhook-signature': computeSinchWebhookSignature(SECRET, raw, nonce, timestamp),
				'x-sinch-webhook-signature-nonce': nonce,
				'x-sinch-webhook-signature-timestamp': timestamp,
				'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
				...headers,
			},
			rawBody: Buffer.from(raw),
		};
	}
	const MO = { type: 'mo_text', id: '01FC66621XXXXX119Z8PMV1QPQ', from: '33612345678', to: '12345', body: 'STOP', received_at: '2026-11-29T10:00:00.000Z' };

	it('checks the HMAC with the credential’s secret, and fails closed without a secret', async () => {
		const { ctx } = fakeContext(CREDS, []);
		await expect(sinchWebhooks.verify(ctx, signed(MO), settings())).resolves.toEqual({ ok: true });
		const noAlgorithm = { ...signed(MO).headers, 'x-sinch-webhook-signature-algorithm': undefined };
		await expect(sinchWebhooks.verify(ctx, { ...signed(MO), headers: noAlgorithm }, settings())).resolves.toEqual({ ok: true });
		expect((await sinchWebhooks.verify(ctx, signed(MO, { 'x-sinch-webhook-signature-algorithm': 'HmacSHA1' }), settings())).ok).toBe(false);
		expect((await sinchWebhooks.verify(ctx, { ...signed(MO), rawBody: Buffer.from(JSON.stringify({ ...MO, body: 'START' })) }, settings())).ok).toBe(false);
		expect((await sinchWebhooks.verify(ctx, signed(MO, { 'x-sinch-webhook-signature-nonce': 'other' }), settings())).ok).toBe(false);
		expect((await sinchWebhooks.verify(ctx, signed(MO, { 'x-sinch-webhook-signature-timestamp': '1795255081' }), settings())).ok).toBe(false);
		const noSecret = await sinchWebhooks.verify(fakeContext({ ...CREDS, webhookSecret: '' }, []).ctx, signed(MO), settings());
		expect(noSecret).toEqual({ ok: false, reason: expect.stringMatching(/^the Sinch credential has no Webhook Signing Secret/) });
		expect((await sinchWebhooks.verify(fakeContext({ ...CREDS, webhookSecret: 7 }, []).ctx, signed(MO), settings())).ok).toBe(false);
		expect(await sinchWebhooks.verify(fakeContext({ ...CREDS, webhookSecret: 'other' }, []).ctx, signed(MO), settings())).toEqual({
			ok: false,
			reason: 'the x-sinch-webhook-signature does not match the body signed with the credential’s Webhook Signing Secret',
		});
	});

	it('refuses a signed callback older than 24 hours or more than 5 minutes ahead (a replay)', async () => {
		const at = (iso: string) => fakeContext(CREDS, [], new Date(iso)).ctx;
		const req = signed(MO);
		// Signed at 2026-11-21T09:58:00Z.
		await expect(sinchWebhooks.verify(at('2026-11-22T09:58:00Z'), req, settings())).resolves.toEqual({ ok: true });
		expect(await sinchWebhooks.verify(at('2026-11-22T09:58:01Z'), req, settings())).toEqual({ ok: false, reason: 'the signed timestamp is not within the last 24 hours (a replay, or a clock far off)' });
		await expect(sinchWebhooks.verify(at('2026-11-21T09:53:00Z'), req, settings())).resolves.toEqual({ ok: true });
		expect((await sinchWebhooks.verify(at('2026-11-21T09:52:59Z'), req, settings())).ok).toBe(false);
	});

	it('reads an inbound message, numbers in E.164 and short codes as they are', async () => {
		const reading = await sinchWebhooks.read(fakeContext(CREDS, []).ctx, signed(MO), settings());
		expect(reading).toEqual({
			type: 'events',
			events: [
				{
					kind: 'inbound',
					messageId: MO.id,
					from: '+33612345678',
					to: '12345',
					body: 'STOP',
					media: [],
					status: 'received',
					providerStatus: 'mo_text',
					errorCode: null,
					errorMessage: null,
					channel: 'sms',
					deliveryKey: `mo:${MO.id}`,
					raw: MO,
				},
			],
		});
		expect(readSinchCallback({ ...MO, type: 'mo_binary', body: 'AAE=', udh: '050003' })[0]).toMatchObject({ providerStatus: 'mo_binary', body: 'AAE=' });
		expect(readSinchCallback({ ...MO, body: undefined })[0].body).toBe('');
	});

	it('reads per-recipient and summary delivery reports, one event per recipient', () => {
		const one = readSinchCallback({ type: 'recipient_delivery_report_sms', batch_id: 'B1', recipient: '33612345678', code: 402, status: 'Failed', at: '2026-11-29T10:00:01Z', client_reference: 'r' });
		expect(one).toEqual([
			{
				kind: 'status',
				messageId: 'B1',
				from: null,
				to: '+33612345678',
				body: null,
				media: [],
				status: 'failed',
				providerStatus: 'Failed',
				errorCode: '402',
				errorMessage: 'The number cannot be routed (Sinch 402): check the number',
				channel: 'sms',
				deliveryKey: 'B1:33612345678:Failed:402:2026-11-29T10:00:01Z',
				raw: expect.objectContaining({ client_reference: 'r' }),
			},
		]);
		for (const code of [0, 400, 401]) expect(readSinchCallback({ type: 'recipient_delivery_report_sms', batch_id: 'B1', recipient: '1', code, status: 'Delivered' })[0].errorCode).toBeNull();
		expect(readSinchCallback({ type: 'recipient_delivery_report_sms', batch_id: 'B1', recipient: '1', code: 999, status: 'Failed' })[0]).toMatchObject({ errorCode: '999', errorMessage: 'Delivery failed (Sinch 999)' });
		const summary = readSinchCallback({
			type: 'delivery_report_sms',
			batch_id: 'B2',
			total_message_count: 3,
			statuses: [
				{ code: 0, status: 'Delivered', count: 2, recipients: ['33612345678', '33612345679'] },
				{ code: 406, status: 'Expired', count: 1, recipients: ['33612345670'] },
				{ code: 0, status: 'Delivered', count: 5 },
				{ code: 1, count: 1 },
				null,
			],
		});
		expect(summary.map((e) => [e.to, e.status, e.errorCode, e.deliveryKey])).toEqual([
			['+33612345678', 'delivered', null, 'B2:33612345678:Delivered:0:'],
			['+33612345679', 'delivered', null, 'B2:33612345679:Delivered:0:'],
			['+33612345670', 'undelivered', '406', 'B2:33612345670:Expired:406:'],
			[null, 'delivered', null, 'B2:*:Delivered:0:5'],
		]);
	});

	it('reads empty texts as absent, skips recipients that are not numbers, and refuses a body that is not an object', () => {
		expect(readSinchCallback({ ...MO, to: '' })[0].to).toBeNull();
		const summary = readSinchCallback({ type: 'delivery_report_sms', batch_id: 'B3', statuses: [{ code: 0, status: 'Delivered', count: 3, recipients: [null, '', '33612345678', { n: 1 }] }] });
		expect(summary.map((e) => [e.to, e.deliveryKey])).toEqual([['+33612345678', 'B3:33612345678:Delivered:0:']]);
		for (const body of ['text', 42, true]) expect(() => readSinchCallback(body)).toThrow('its body is not a JSON object');
	});

	it('refuses a signature algorithm that only contains HmacSHA256, and says when the credential’s secret is not text', async () => {
		const { ctx } = fakeContext(CREDS, []);
		for (const algorithm of ['xHmacSHA256', 'HmacSHA256x', 'hmacsha256 ']) {
			expect([algorithm, (await sinchWebhooks.verify(ctx, signed(MO, { 'x-sinch-webhook-signature-algorithm': algorithm }), settings())).ok]).toEqual([algorithm, false]);
		}
		expect((await sinchWebhooks.verify(ctx, signed(MO, { 'x-sinch-webhook-signature-algorithm': 'HMACSHA256' }), settings())).ok).toBe(true);
		expect(await sinchWebhooks.verify(fakeContext({ ...CREDS, webhookSecret: 7 }, []).ctx, signed(MO), settings())).toEqual({
			ok: false,
			reason: expect.stringMatching(/^the Sinch credential has no Webhook Signing Secret/),
		});
	});

	it('refuses bodies Sinch does not send, with the reason', async () => {
		expect(() => readSinchCallback([])).toThrow('its body is not a JSON object');
		expect(() => readSinchCallback(null)).toThrow('its body is not a JSON object');
		expect(() => readSinchCallback({ type: 'other' })).toThrow('its type is "other"');
		expect(() => readSinchCallback({})).toThrow('its type is null');
		expect(() => readSinchCallback({ type: 'mo_text' })).toThrow('The Sinch inbound message has no id');
		expect(() => readSinchCallback({ type: 'recipient_delivery_report_sms', batch_id: 'B' })).toThrow('no batch_id or status');
		expect(() => readSinchCallback({ type: 'delivery_report_sms', batch_id: 'B' })).toThrow('no batch_id or statuses');
		await expect(sinchWebhooks.read(fakeContext(CREDS, []).ctx, { ...signed(MO), rawBody: Buffer.from('{') }, settings())).rejects.toThrow('its body is not JSON');
		expect(sinchWebhooks.reply([], {})).toEqual({ statusCode: 200, contentType: 'application/json', body: '{}' });
	});
});

describe('AWS SNS webhooks', () => {
	const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:inbound-sms';
	const CREDS = { accessKeyId: 'AKIA1', secretAccessKey: 's', region: 'eu-west-1', baseUrl: 'http://127.0.0.1:4010' };
	const CERT = 'http://127.0.0.1:4010/sns/SimpleNotificationService-sandbox.pem';
	const SMS = { originationNumber: '+33612345678', destinationNumber: '+12125550100', messageKeyword: 'KEYWORD_1', messageBody: 'Arrêt', inboundMessageId: 'in-1', previousPublishedMessageId: 'p' };
	const envelope = (over: Record<string, unknown> = {}) =>
		signSnsMessage({ Type: 'Notification', MessageId: 'mid-1', TopicArn: TOPIC, Message: JSON.stringify(SMS), Timestamp: '2026-11-29T10:00:00.000Z', SigningCertURL: CERT, ...over }, SANDBOX_SNS_PRIVATE_KEY);
	const request = (body: unknown): WebhookRequest => ({ method: 'POST', url: URL_, headers: { 'content-type': 'text/plain' }, rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });
	const snsSettings = settings({ target: TOPIC });
	beforeEach(() => forgetSnsCertificates());

	it('verifies with the certificate fetched once, without the credential, from a trusted URL, and only for the trigger’s topic', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: SANDBOX_SNS_CERTIFICATE }], new Date('2026-11-29T12:00:00Z'));
		await expect(snsWebhooks.verify(ctx, request(envelope()), snsSettings)).resolves.toEqual({ ok: true });
		await expect(snsWebhooks.verify(ctx, request(envelope({ MessageId: 'mid-2' })), snsSettings)).resolves.toEqual({ ok: true });
		expect(requests).toEqual([{ method: 'GET', url: CERT, headers: { 'x-test-unauthenticated': 'true' } }]);
		expect(await snsWebhooks.verify(ctx, request(envelope({ TopicArn: 'arn:aws:sns:eu-west-1:999999999999:theirs' })), snsSettings)).toEqual({
			ok: false,
			reason: `the message is from topic "arn:aws:sns:eu-west-1:999999999999:theirs", not the trigger's topic ${TOPIC}`,
		});
		expect(await snsWebhooks.verify(ctx, request({ ...envelope(), Message: 'forged' }), snsSettings)).toEqual({ ok: false, reason: 'the SNS message signature does not match its signing certificate' });
	});

	it('never fetches an untrusted certificate, nor one for a message of another topic or too old, and refuses what is not an SNS message', async () => {
		const now = new Date('2026-11-29T12:00:00Z');
		const { ctx, requests } = fakeContext({ ...CREDS, baseUrl: '' }, [], now);
		expect(await snsWebhooks.verify(ctx, request(envelope()), snsSettings)).toEqual({ ok: false, reason: `the signing certificate URL "${CERT}" is not an SNS certificate on the SNS host of region eu-west-1` });
		expect(await snsWebhooks.verify(ctx, request(envelope({ SigningCertURL: 'https://evil.test/x.pem' })), snsSettings)).toMatchObject({ ok: false });
		expect(await snsWebhooks.verify(ctx, request(envelope({ SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/other.pem' })), snsSettings)).toMatchObject({ ok: false });
		expect(await snsWebhooks.verify(fakeContext({ region: '' }, [], now).ctx, request(envelope()), snsSettings)).toEqual({ ok: false, reason: `the signing certificate URL "${CERT}" is not an SNS certificate on the SNS host of region (none)` });
		const trusting = fakeContext(CREDS, [], now);
		expect(await snsWebhooks.verify(trusting.ctx, request(envelope({ TopicArn: 'arn:aws:sns:eu-west-1:999999999999:theirs' })), snsSettings)).toMatchObject({ ok: false });
		expect(await snsWebhooks.verify(trusting.ctx, request(envelope({ Timestamp: '2026-11-28T11:59:59.000Z' })), snsSettings)).toEqual({
			ok: false,
			reason: 'the message\'s Timestamp "2026-11-28T11:59:59.000Z" is not within the last 24 hours (a replay, or not SNS\'s)',
		});
		expect(await snsWebhooks.verify(trusting.ctx, request(envelope({ Timestamp: 'yesterday' })), snsSettings)).toMatchObject({ ok: false });
		expect(trusting.requests).toEqual([]);
		expect(requests).toEqual([]);
		expect(await snsWebhooks.verify(ctx, request('{'), snsSettings)).toEqual({ ok: false, reason: 'The request is not an AWS SNS message: its body is not JSON' });
		expect(await snsWebhooks.verify(ctx, request('[1]'), snsSettings)).toEqual({ ok: false, reason: 'The request is not an AWS SNS message: its body is not a JSON object' });
		expect(await snsWebhooks.verify(ctx, request({ Type: 'Other' }), snsSettings)).toEqual({ ok: false, reason: 'the SNS message type "Other" is not one SNS sends' });
		expect(await snsWebhooks.verify(ctx, request({}), snsSettings)).toEqual({ ok: false, reason: 'the SNS message type null is not one SNS sends' });
	});

	it('refuses every JSON body that is not an object, and reads no SMS from a message that is not one', async () => {
		const { ctx } = fakeContext(CREDS, []);
		for (const body of ['"x"', '42', 'null', 'true', '[]']) {
			expect([body, await snsWebhooks.verify(ctx, request(body), snsSettings)]).toEqual([body, { ok: false, reason: 'The request is not an AWS SNS message: its body is not a JSON object' }]);
		}
		for (const Message of ['null', '42', '"text"', 'not json', undefined]) expect(readSnsNotification({ Type: 'Notification', Message } as never)).toBeUndefined();
	});

	it('keeps the 16 newest certificates: a 17th URL pushes the oldest out, which is then fetched again', async () => {
		const now = new Date('2026-11-29T12:00:00Z');
		const cert = (i: number) => `http://127.0.0.1:4010/sns/SimpleNotificationService-k${i}.pem`;
		const { ctx, requests } = fakeContext(CREDS, Array.from({ length: 19 }, () => ({ statusCode: 200, body: SANDBOX_SNS_CERTIFICATE })), now);
		for (let i = 0; i < 17; i++) expect((await snsWebhooks.verify(ctx, request(envelope({ MessageId: `k${i}`, SigningCertURL: cert(i) })), snsSettings)).ok).toBe(true);
		expect(requests).toHaveLength(17);
		await snsWebhooks.verify(ctx, request(envelope({ MessageId: 'again-1', SigningCertURL: cert(1) })), snsSettings);
		expect(requests).toHaveLength(17);
		await snsWebhooks.verify(ctx, request(envelope({ MessageId: 'again-0', SigningCertURL: cert(0) })), snsSettings);
		expect(requests.map((r) => r.url).slice(17)).toEqual([cert(0)]);
	});

	it('asks again for a certificate that failed once its 5 minutes are over, to the millisecond; a PEM of exactly 16 KiB is taken', async () => {
		const at = new Date('2026-11-29T12:00:00Z');
		const answers = [{ statusCode: 503, body: '' }, { statusCode: 200, body: SANDBOX_SNS_CERTIFICATE }];
		const early = fakeContext(CREDS, [...answers], at);
		expect(await snsWebhooks.verify(early.ctx, request(envelope()), snsSettings)).toEqual({ ok: false, reason: 'the signing certificate could not be fetched' });
		early.ctx.now = () => new Date(at.getTime() + 5 * 60 * 1000 - 1);
		await snsWebhooks.verify(early.ctx, request(envelope()), snsSettings);
		expect(early.requests).toHaveLength(1);
		early.ctx.now = () => new Date(at.getTime() + 5 * 60 * 1000);
		expect(await snsWebhooks.verify(early.ctx, request(envelope({ Timestamp: '2026-11-29T12:00:00.000Z' })), snsSettings)).toEqual({ ok: true });
		expect(early.requests).toHaveLength(2);

		forgetSnsCertificates();
		const padded = `${SANDBOX_SNS_CERTIFICATE}\n${' '.repeat(16 * 1024 - SANDBOX_SNS_CERTIFICATE.length - 1)}`;
		expect(padded).toHaveLength(16 * 1024);
		const exact = fakeContext(CREDS, [{ statusCode: 200, body: padded }], at);
		expect(await snsWebhooks.verify(exact.ctx, request(envelope()), snsSettings)).toEqual({ ok: true });
	});

	it('takes a message signed exactly 24 hours ago, and a topic written with spaces around it', async () => {
		const now = new Date('2026-11-30T10:00:00.000Z');
		const { ctx } = fakeContext(CREDS, [{ statusCode: 200, body: SANDBOX_SNS_CERTIFICATE }], now);
		expect(await snsWebhooks.verify(ctx, request(envelope()), settings({ target: `  ${TOPIC} ` }))).toEqual({ ok: true });
		ctx.now = () => new Date(now.getTime() + 1);
		expect((await snsWebhooks.verify(ctx, request(envelope()), snsSettings)).ok).toBe(false);
	});

	it('refuses a certificate it cannot use (an error answer, too big, not PEM, no answer), and does not ask again for 5 minutes', async () => {
		const now = new Date('2026-11-29T12:00:00Z');
		for (const answer of [{ statusCode: 404, body: SANDBOX_SNS_CERTIFICATE }, { statusCode: 200, body: 'hello' }, { statusCode: 200, body: `${SANDBOX_SNS_CERTIFICATE}${'x'.repeat(16 * 1024)}` }]) {
			forgetSnsCertificates();
			const { ctx, requests } = fakeContext(CREDS, [answer], now);
			expect(await snsWebhooks.verify(ctx, request(envelope()), snsSettings)).toEqual({ ok: false, reason: 'the signing certificate could not be fetched' });
			expect(await snsWebhooks.verify(ctx, request(envelope()), snsSettings)).toEqual({ ok: false, reason: 'the signing certificate could not be fetched' });
			expect(requests).toHaveLength(1);
		}
		forgetSnsCertificates();
		// No answer scripted: the fetch throws.
		expect(await snsWebhooks.verify(fakeContext(CREDS, [], now).ctx, request(envelope()), snsSettings)).toEqual({ ok: false, reason: 'the signing certificate could not be fetched' });
		const later = fakeContext(CREDS, [{ statusCode: 200, body: SANDBOX_SNS_CERTIFICATE }], new Date(now.getTime() + 5 * 60 * 1000 + 1));
		await expect(snsWebhooks.verify(later.ctx, request(envelope()), snsSettings)).resolves.toEqual({ ok: true });
	});

	it('keeps at most 16 certificates, forgetting the oldest', async () => {
		const answers = Array.from({ length: 18 }, () => ({ statusCode: 200, body: SANDBOX_SNS_CERTIFICATE }));
		const { ctx, requests } = fakeContext(CREDS, answers, new Date('2026-11-29T12:00:00Z'));
		const cert = (i: number) => `http://127.0.0.1:4010/sns/SimpleNotificationService-c${i}.pem`;
		for (let i = 0; i < 17; i++) await snsWebhooks.verify(ctx, request(envelope({ SigningCertURL: cert(i) })), snsSettings);
		expect(requests).toHaveLength(17);
		await snsWebhooks.verify(ctx, request(envelope({ SigningCertURL: cert(16) })), snsSettings);
		expect(requests).toHaveLength(17);
		await snsWebhooks.verify(ctx, request(envelope({ SigningCertURL: cert(0) })), snsSettings);
		expect(requests).toHaveLength(18);
	});

	it('reads a two-way SMS notification into the one shape', async () => {
		const reading = await snsWebhooks.read(fakeContext(CREDS, []).ctx, request(envelope()), snsSettings);
		expect(reading).toEqual({
			type: 'events',
			events: [
				{
					kind: 'inbound',
					messageId: 'in-1',
					from: '+33612345678',
					to: '+12125550100',
					body: 'Arrêt',
					media: [],
					status: 'received',
					providerStatus: 'received',
					errorCode: null,
					errorMessage: null,
					channel: 'sms',
					deliveryKey: 'sns:mid-1',
					raw: { ...SMS, snsMessageId: 'mid-1', topicArn: TOPIC, timestamp: '2026-11-29T10:00:00.000Z' },
				},
			],
		});
		expect(readSnsNotification({ MessageId: 'm', Message: JSON.stringify({ ...SMS, inboundMessageId: undefined, destinationNumber: 5 }) })).toMatchObject({ messageId: 'm', to: null });
		expect(readSnsNotification({ Message: JSON.stringify({ ...SMS, inboundMessageId: undefined }) })).toMatchObject({ messageId: null, deliveryKey: 'sns:' });
		for (const message of ['not json', '"text"', JSON.stringify({ messageBody: 'x' }), JSON.stringify({ originationNumber: '+1' }), undefined]) {
			expect(readSnsNotification({ MessageId: 'm', Message: message })).toBeUndefined();
		}
	});

	it('reads a message of the trigger’s topic written with spaces around it', async () => {
		const reading = await snsWebhooks.read(fakeContext(CREDS, []).ctx, request(envelope()), settings({ target: ` ${TOPIC}\t` }));
		expect(reading.type).toBe('events');
	});

	it('never confirms nor takes a message of another topic, even with the signature check off', async () => {
		const { ctx, requests } = fakeContext(CREDS, []);
		const foreign = signSnsMessage(
			{ Type: 'SubscriptionConfirmation', MessageId: 'c9', Token: 'tok', TopicArn: 'arn:aws:sns:eu-west-1:999999999999:theirs', Message: 'm', SubscribeURL: 'http://x', Timestamp: 't', SigningCertURL: CERT },
			SANDBOX_SNS_PRIVATE_KEY,
		);
		expect(await snsWebhooks.read(ctx, request(foreign), snsSettings)).toEqual({
			type: 'handled',
			reply: { statusCode: 200, contentType: 'text/plain', body: 'OK' },
			note: 'ignored a message of topic "arn:aws:sns:eu-west-1:999999999999:theirs", not the trigger\'s',
		});
		expect(requests).toEqual([]);
	});

	it('answers other notifications itself, with no event', async () => {
		const reading = await snsWebhooks.read(fakeContext(CREDS, []).ctx, request(envelope({ Message: 'hello' })), snsSettings);
		expect(reading).toEqual({ type: 'handled', reply: { statusCode: 200, contentType: 'text/plain', body: 'OK' }, note: 'the notification is not an inbound SMS (no originationNumber and messageBody): ignored' });
		await expect(snsWebhooks.read(fakeContext(CREDS, []).ctx, request('nope'), snsSettings)).rejects.toThrow('its body is not JSON');
		expect(snsWebhooks.reply([], {})).toEqual({ statusCode: 200, contentType: 'text/plain', body: 'OK' });
	});

	it('confirms a subscription through the API with its token, and remembers the subscription', async () => {
		const confirmation = signSnsMessage(
			{ Type: 'SubscriptionConfirmation', MessageId: 'c1', Token: 'tok', TopicArn: TOPIC, Message: 'confirm', SubscribeURL: 'http://127.0.0.1:4010/?Action=ConfirmSubscription', Timestamp: 't', SigningCertURL: CERT },
			SANDBOX_SNS_PRIVATE_KEY,
		);
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${TOPIC}:sub-1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>` }]);
		const reading = await snsWebhooks.read(ctx, request(confirmation), snsSettings);
		expect(reading).toEqual({ type: 'handled', reply: { statusCode: 200, contentType: 'text/plain', body: 'OK' }, note: `confirmed the subscription to ${TOPIC}`, remember: { subscriptionArn: `${TOPIC}:sub-1` } });
		expect([requests[0].method, requests[0].url]).toEqual(['POST', 'http://127.0.0.1:4010/']);
		expect(Object.fromEntries(new URLSearchParams(requests[0].body))).toEqual({ Action: 'ConfirmSubscription', TopicArn: TOPIC, Token: 'tok', AuthenticateOnUnsubscribe: 'true', Version: '2010-03-31' });
		const unsub = await snsWebhooks.read(ctx, request({ ...confirmation, Type: 'UnsubscribeConfirmation' }), snsSettings);
		expect(unsub).toEqual({ type: 'handled', reply: { statusCode: 200, contentType: 'text/plain', body: 'OK' }, note: `unsubscribed from ${TOPIC}` });
		const failing = fakeContext(CREDS, [{ statusCode: 403, body: '<ErrorResponse><Error><Code>AuthorizationError</Code><Message>no</Message></Error></ErrorResponse>' }]);
		const error = await rejectionOf(snsWebhooks.read(failing.ctx, request(confirmation), snsSettings));
		expect([error.kind, error.code]).toEqual(['auth', 'AuthorizationError']);
		const empty = fakeContext(CREDS, [{ statusCode: 200, body: '<ConfirmSubscriptionResponse/>' }]);
		expect(await snsWebhooks.read(empty.ctx, request({ ...confirmation, Token: undefined }), snsSettings)).toMatchObject({ remember: { subscriptionArn: '' } });
		expect(Object.fromEntries(new URLSearchParams(empty.requests[0].body)).Token).toBe('');
	});

	describe('setup', () => {
		const setup = snsWebhooks.setup!;
		const list = (members: Array<[string, string]>, next?: string) => ({
			statusCode: 200,
			body: `<ListSubscriptionsByTopicResponse><ListSubscriptionsByTopicResult><Subscriptions>${members
				.map(([arn, endpoint]) => `<member><TopicArn>${TOPIC}</TopicArn><Protocol>https</Protocol><SubscriptionArn>${arn}</SubscriptionArn><Endpoint>${endpoint}</Endpoint></member>`)
				.join('')}</Subscriptions>${next ? `<NextToken>${next}</NextToken>` : ''}</ListSubscriptionsByTopicResult></ListSubscriptionsByTopicResponse>`,
		});

		it('subscribes the trigger’s URL to the topic', async () => {
			const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: '<SubscribeResponse><SubscribeResult><SubscriptionArn>pending confirmation</SubscriptionArn></SubscribeResult></SubscribeResponse>' }]);
			expect(await setup.create(ctx, snsSettings)).toEqual({ previous: {}, current: { topicArn: TOPIC, subscriptionArn: 'pending confirmation', url: URL_ } });
			expect(Object.fromEntries(new URLSearchParams(requests[0].body))).toEqual({ Action: 'Subscribe', TopicArn: TOPIC, Protocol: 'https', Endpoint: URL_, ReturnSubscriptionArn: 'true', Version: '2010-03-31' });
			const http = fakeContext(CREDS, [{ statusCode: 200, body: '<SubscribeResponse/>' }]);
			expect((await setup.create(http.ctx, settings({ target: TOPIC, url: 'http://127.0.0.1:5678/webhook/x' }))).current).toEqual({ topicArn: TOPIC, subscriptionArn: '', url: 'http://127.0.0.1:5678/webhook/x' });
			expect(new URLSearchParams(http.requests[0].body).get('Protocol')).toBe('http');
		});

		it('exists only when a confirmed subscription of this URL is on the topic, reading every page', async () => {
			const { ctx, requests } = fakeContext(CREDS, [list([[`${TOPIC}:a`, 'https://else']], 'page-2'), list([[`${TOPIC}:b`, URL_]])]);
			expect(await setup.exists(ctx, snsSettings)).toBe(true);
			expect(new URLSearchParams(requests[1].body).get('NextToken')).toBe('page-2');
			expect(await setup.exists(fakeContext(CREDS, [list([['PendingConfirmation', URL_]])]).ctx, snsSettings)).toBe(false);
			expect(await setup.exists(fakeContext(CREDS, [list([])]).ctx, snsSettings)).toBe(false);
			const endless = fakeContext(CREDS, Array.from({ length: 60 }, () => list([], 'again')));
			expect(await setup.exists(endless.ctx, snsSettings)).toBe(false);
			expect(endless.requests).toHaveLength(50);
		});

		it('does not exist when only another URL’s subscription is confirmed, or a member lacks its fields; a topic with spaces is trimmed', async () => {
			expect(await setup.exists(fakeContext(CREDS, [list([[`${TOPIC}:a`, 'https://else']])]).ctx, snsSettings)).toBe(false);
			const bare = { statusCode: 200, body: `<ListSubscriptionsByTopicResponse><member><Endpoint>${URL_}</Endpoint></member><member><SubscriptionArn>${TOPIC}:c</SubscriptionArn></member></ListSubscriptionsByTopicResponse>` };
			expect(await setup.exists(fakeContext(CREDS, [bare]).ctx, snsSettings)).toBe(false);
			const spaced = fakeContext(CREDS, [list([[`${TOPIC}:b`, URL_]])]);
			expect(await setup.exists(spaced.ctx, settings({ target: ` ${TOPIC}  ` }))).toBe(true);
			expect([spaced.requests[0].headers, Object.fromEntries(new URLSearchParams(spaced.requests[0].body))]).toEqual([
				{ 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
				{ Action: 'ListSubscriptionsByTopic', TopicArn: TOPIC, Version: '2010-03-31' },
			]);
		});

		it('takes only a 2xx answer from SNS as done', async () => {
			for (const statusCode of [300, 199]) {
				const error = await rejectionOf(setup.exists(fakeContext(CREDS, [{ ...list([[`${TOPIC}:b`, URL_]]), statusCode }]).ctx, snsSettings));
				expect([statusCode, error instanceof ProviderError]).toEqual([statusCode, true]);
			}
		});

		it('unsubscribes the confirmed subscription it remembers, or those it finds for its URL', async () => {
			const remembered = fakeContext(CREDS, [{ statusCode: 200, body: '<UnsubscribeResponse/>' }]);
			await setup.delete(remembered.ctx, settings({ target: TOPIC, remembered: { handshake: { subscriptionArn: `${TOPIC}:s1` }, current: { topicArn: TOPIC, subscriptionArn: 'pending confirmation' } } }));
			expect(remembered.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)))).toEqual([{ Action: 'Unsubscribe', SubscriptionArn: `${TOPIC}:s1`, Version: '2010-03-31' }]);
			const found = fakeContext(CREDS, [list([[`${TOPIC}:a`, URL_], [`${TOPIC}:b`, 'https://else'], ['PendingConfirmation', URL_]]), { statusCode: 200, body: '<UnsubscribeResponse/>' }]);
			await setup.delete(found.ctx, snsSettings);
			expect(found.requests.map((r) => new URLSearchParams(r.body).get('SubscriptionArn'))).toEqual([null, `${TOPIC}:a`]);
			const notFound = '<ErrorResponse><Error><Code>NotFound</Code><Message>gone</Message></Error></ErrorResponse>';
			await expect(setup.delete(fakeContext(CREDS, [{ statusCode: 404, body: notFound }]).ctx, snsSettings)).resolves.toBeUndefined();
			await expect(setup.delete(fakeContext(CREDS, [{ statusCode: 404, body: notFound }]).ctx, settings({ target: TOPIC, remembered: { handshake: { subscriptionArn: `${TOPIC}:s1` } } }))).resolves.toBeUndefined();
			const denied = '<ErrorResponse><Error><Code>AuthorizationError</Code><Message>no</Message></Error></ErrorResponse>';
			expect((await rejectionOf(setup.delete(fakeContext(CREDS, [{ statusCode: 403, body: denied }]).ctx, snsSettings))).kind).toBe('auth');
			expect((await rejectionOf(setup.delete(fakeContext(CREDS, [{ statusCode: 403, body: denied }]).ctx, settings({ target: TOPIC, remembered: { handshake: { subscriptionArn: `${TOPIC}:s1` } } })))).kind).toBe('auth');
		});

		it('refuses a target that is not a topic ARN, before any request', async () => {
			expect(isTopicArn(TOPIC)).toBe(true);
			expect(isTopicArn(`${TOPIC}.fifo`)).toBe(true);
			expect(isTopicArn(' arn:aws-cn:sns:cn-north-1:123456789012:t ')).toBe(true);
			for (const bad of ['inbound-sms', 'arn:aws:sqs:eu-west-1:123456789012:q', 'arn:aws:sns:eu-west-1:1234:t', `${TOPIC}/x`]) expect(isTopicArn(bad)).toBe(false);
			const { ctx, requests } = fakeContext(CREDS, []);
			const error = await rejectionOf(setup.create(ctx, settings({ target: 'inbound-sms' })));
			expect([error.kind, error.message]).toEqual(['request', '"inbound-sms" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>): copy the ARN of the topic two-way SMS publishes to']);
			expect(requests).toEqual([]);
		});
	});
});

describe('xmlBlocks', () => {
	it('returns every block’s inner text, in order', () => {
		expect(xmlBlocks('<a><m>1</m><m>2\n</m></a><m></m>', 'm')).toEqual(['1', '2\n', '']);
		expect(xmlBlocks('<a/>', 'm')).toEqual([]);
	});
});
