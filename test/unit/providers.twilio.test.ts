/** Twilio's wire format and facts, exactly: the requests it builds and how it reads every kind of answer. */
import { ProviderError } from '../../nodes/shared/rules/errors';
import { TWILIO_SENDER_RATES, TWILIO_STATUSES, twilioApiBase, twilioSecrets, twilioSenderKind, twilioSenderRate } from '../../nodes/shared/providers/twilio/index';
import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { twilioSms } from '../../nodes/shared/providers/twilio/sms';
import type { SendSmsRequest } from '../../nodes/shared/providers/types';
import { fakeContext, rejectionOf } from '../helpers/fakeContext';

const CREDS = { accountSid: 'AC123', authToken: 'secret-token' };
const URL_BASE = 'https://api.twilio.com/2010-04-01/Accounts/AC123/Messages';
const now = new Date('2026-11-21T10:00:00Z');
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

const resource = (over: Record<string, unknown> = {}) => ({
	sid: 'SM1',
	status: 'queued',
	to: '+33612345678',
	from: '+15005550006',
	body: 'Hi',
	num_segments: '1',
	price: null,
	price_unit: 'USD',
	error_code: null,
	error_message: null,
	date_created: 'Sat, 21 Nov 2026 10:00:00 +0000',
	date_sent: null,
	...over,
});

describe('Twilio send', () => {
	it('posts the form Twilio expects, to the account, and reads the message', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 201, body: resource() }]);
		const request: SendSmsRequest = {
			to: '+33612345678',
			from: '+15005550006',
			body: 'Hi there & you',
			mediaUrls: ['https://e.com/a.png', 'https://e.com/b.png'],
			statusCallbackUrl: 'https://hook.example/status?x=1',
			validityPeriod: 600,
		};
		const message = await twilioSms.send(ctx, request);
		expect(requests).toEqual([
			{
				method: 'POST',
				url: `${URL_BASE}.json`,
				headers: FORM,
				body:
					'To=%2B33612345678&From=%2B15005550006&Body=Hi+there+%26+you&MediaUrl=https%3A%2F%2Fe.com%2Fa.png&MediaUrl=https%3A%2F%2Fe.com%2Fb.png' +
					'&StatusCallback=https%3A%2F%2Fhook.example%2Fstatus%3Fx%3D1&ValidityPeriod=600',
			},
		]);
		expect(message).toStrictEqual({
			messageId: 'SM1',
			status: 'queued',
			providerStatus: 'queued',
			to: '+33612345678',
			from: '+15005550006',
			segments: 1,
			price: undefined,
			priceUnit: 'USD',
			errorCode: undefined,
			errorMessage: undefined,
			sentAt: '2026-11-21T10:00:00.000Z',
			raw: resource(),
		});
	});

	it('schedules through a Messaging Service: no From, SendAt without milliseconds, ScheduleType fixed', async () => {
		const scheduled = resource({ status: 'scheduled', from: null, date_sent: null });
		const { ctx, requests } = fakeContext({ ...CREDS, baseUrl: ' http://127.0.0.1:4010// ' }, [{ statusCode: 201, body: JSON.stringify(scheduled) }]);
		const message = await twilioSms.send(ctx, {
			to: '+33612345678',
			from: '+15005550006',
			messagingServiceSid: 'MG9',
			body: 'Later',
			sendAt: new Date('2026-11-21T11:00:00.123Z'),
		});
		expect(requests[0].url).toBe('http://127.0.0.1:4010/2010-04-01/Accounts/AC123/Messages.json');
		expect(requests[0].body).toBe('To=%2B33612345678&MessagingServiceSid=MG9&Body=Later&SendAt=2026-11-21T11%3A00%3A00Z&ScheduleType=fixed');
		// Scheduled: not sent yet, so no send time even though it was created.
		expect([message.status, message.from, message.sentAt]).toEqual(['scheduled', null, undefined]);
	});

	it('reads a delivered message with its price (charged as a negative amount) and sending time', async () => {
		const { ctx } = fakeContext(CREDS, [
			{ statusCode: 200, body: Buffer.from(JSON.stringify(resource({ status: 'delivered', price: '-0.0079', num_segments: '3', date_sent: 'Sat, 21 Nov 2026 10:00:02 +0000' }))) },
		]);
		const message = await twilioSms.status!.get(ctx, 'SM1');
		expect([message.status, message.price, message.segments, message.sentAt]).toEqual(['delivered', 0.0079, 3, '2026-11-21T10:00:02.000Z']);
	});

	it.each([
		[{ price: '' }, undefined],
		[{ price: 'n/a' }, undefined],
		[{ price: 0 }, 0],
		[{ price: '0.05' }, 0.05],
	])('price %j → %s', async (over, price) => {
		const { ctx } = fakeContext(CREDS, [{ statusCode: 200, body: resource(over) }]);
		expect((await twilioSms.status!.get(ctx, 'SM1')).price).toBe(price);
	});

	it('gives a failed message its code and our sentence for it', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'undelivered', error_code: 30003, error_message: 'Unreachable' }) }]);
		const message = await twilioSms.status!.get(ctx, 'SM/1');
		expect(requests).toEqual([{ method: 'GET', url: `${URL_BASE}/SM%2F1.json` }]);
		expect([message.status, message.errorCode, message.errorMessage]).toEqual([
			'undelivered',
			'30003',
			'The handset is unreachable (Twilio 30003): try again later or remove the number',
		]);
		const { ctx: other } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'failed', error_code: '12345' }) }]);
		expect((await twilioSms.status!.get(other, 'SM1')).errorMessage).toBe('Delivery failed (Twilio 12345)');
	});

	it('reads what is missing or odd in an answer without inventing it', async () => {
		const { ctx } = fakeContext(CREDS, [{ statusCode: 200, body: { sid: 'SM2' } }]);
		const message = await twilioSms.status!.get(ctx, 'SM2');
		expect(message).toStrictEqual({
			messageId: 'SM2',
			status: 'unknown',
			providerStatus: '',
			to: '',
			from: null,
			segments: undefined,
			price: undefined,
			priceUnit: undefined,
			errorCode: undefined,
			errorMessage: undefined,
			sentAt: undefined,
			raw: { sid: 'SM2' },
		});
		const { ctx: bad } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'sent', date_sent: 'not a date', date_created: 'nor this' }) }]);
		expect((await twilioSms.status!.get(bad, 'SM1')).sentAt).toBeUndefined();
		const { ctx: created } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'sent', date_sent: null }) }]);
		expect((await twilioSms.status!.get(created, 'SM1')).sentAt).toBe('2026-11-21T10:00:00.000Z');
	});

	it('cancels by posting Status=canceled; a canceled message has no send time', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'canceled' }) }]);
		const message = await twilioSms.cancel!(ctx, 'SM1');
		expect(requests).toEqual([{ method: 'POST', url: `${URL_BASE}/SM1.json`, headers: FORM, body: 'Status=canceled' }]);
		expect([message.status, message.sentAt]).toEqual(['canceled', undefined]);
	});
});

describe("Twilio's errors", () => {
	const send = (answer: { statusCode: number; body?: unknown; headers?: Record<string, string | string[]> }) => {
		const { ctx } = fakeContext(CREDS, [answer]);
		return rejectionOf(twilioSms.send(ctx, { to: '+33612345678', from: '+15005550006', body: 'Hi' }));
	};

	it("keeps Twilio's own code, words and status", async () => {
		const e: ProviderError = await send({ statusCode: 400, body: { code: 21211, message: "Invalid 'To' Phone Number", status: 400 } });
		expect(e).toBeInstanceOf(ProviderError);
		expect([e.kind, e.code, e.httpStatus, e.providerMessage, e.message]).toEqual([
			'recipient',
			'21211',
			400,
			"Invalid 'To' Phone Number",
			"The 'To' number is not a valid phone number (Twilio 21211): correct the number or remove the recipient",
		]);
	});

	it('a 429 carries its Retry-After, however the header is written', async () => {
		const e: ProviderError = await send({ statusCode: 429, body: { code: '20429', message: 'Too Many Requests' }, headers: { 'Retry-After': ['3'] } });
		expect([e.kind, e.code, e.retryAfterMs]).toEqual(['rateLimited', '20429', 3000]);
		const plain: ProviderError = await send({ statusCode: 429, body: '', headers: { 'retry-after': '1' } });
		expect([plain.kind, plain.code, plain.retryAfterMs]).toEqual(['rateLimited', undefined, 1000]);
	});

	it("a proxy's page is not Twilio's words", async () => {
		const e: ProviderError = await send({ statusCode: 502, body: '<html>Bad Gateway</html>' });
		expect([e.kind, e.code, e.providerMessage, e.message]).toEqual(['unavailable', undefined, undefined, 'Twilio is failing or unavailable (Twilio, HTTP 502)']);
		const half: ProviderError = await send({ statusCode: 400, body: { code: 21211, message: { text: 'not a string' } } });
		expect([half.kind, half.code, half.providerMessage]).toEqual(['request', undefined, undefined]);
		const noCode: ProviderError = await send({ statusCode: 400, body: { code: null, message: 'm' } });
		expect([noCode.code, noCode.providerMessage]).toEqual([undefined, undefined]);
	});

	it.each([
		[200, {}],
		[201, { sid: 42 }],
		[204, ''],
		[299, 'not json'],
	])('a %i without a message is ambiguous: it may or may not exist', async (statusCode, body) => {
		const e: ProviderError = await send({ statusCode, body });
		expect([e.kind, e.httpStatus]).toEqual(['ambiguous', statusCode]);
	});

	it('a 3xx or 1xx is not success', async () => {
		const e: ProviderError = await send({ statusCode: 302, body: resource() });
		expect(e.kind).toBe('request');
	});
});

describe('Twilio refuses what it cannot send, before sending', () => {
	const base: SendSmsRequest = { to: '+33612345678', body: 'Hi', from: '+15005550006' };
	const at = (ms: number) => new Date(now.getTime() + ms);
	it.each([
		[{ body: 'x'.repeat(1600) }, undefined],
		[{ body: 'x'.repeat(1601) }, 'The message has 1601 characters; Twilio accepts at most 1600 (error 21617)'],
		[{ mediaUrls: Array(10).fill('https://e.com/a.png') }, undefined],
		[{ mediaUrls: Array(11).fill('https://e.com/a.png') }, 'Twilio accepts at most 10 media URLs per message'],
		[{ validityPeriod: 1 }, undefined],
		[{ validityPeriod: 36000 }, undefined],
		[{ validityPeriod: 0 }, 'Twilio accepts a validity period of whole seconds from 1 to 36000; 0 is not one'],
		[{ validityPeriod: 36001 }, 'Twilio accepts a validity period of whole seconds from 1 to 36000; 36001 is not one'],
		[{ validityPeriod: 1.5 }, 'Twilio accepts a validity period of whole seconds from 1 to 36000; 1.5 is not one'],
		[{ from: undefined, messagingServiceSid: 'MG1' }, undefined],
		[{ from: undefined }, 'Twilio needs a From number or a Messaging Service SID'],
		[{ sendAt: at(3_600_000) }, 'Twilio schedules messages only through a Messaging Service: set Twilio Sender → Messaging Service and its SID, or remove Send At'],
		[{ messagingServiceSid: 'MG1', sendAt: at(300_000) }, 'Twilio schedules between 5 minutes and 35 days ahead; 2026-11-21T10:05:00.000Z is outside that window (error 35115)'],
		[{ messagingServiceSid: 'MG1', sendAt: at(300_001) }, undefined],
		[{ messagingServiceSid: 'MG1', sendAt: at(35 * 86_400_000) }, undefined],
		[{ messagingServiceSid: 'MG1', sendAt: at(35 * 86_400_000 + 1) }, 'Twilio schedules between 5 minutes and 35 days ahead; 2026-12-26T10:00:00.001Z is outside that window (error 35115)'],
	] as const)('%j → %s', (override, problem) => {
		expect(twilioSms.check({ ...base, ...override } as SendSmsRequest, now)).toBe(problem);
	});
});

describe("Twilio's sender fields", () => {
	const reader = (values: Record<string, string>) => ({
		text: (name: string) => values[name] ?? '',
		option: (name: string, fallback: string) => values[name] ?? fallback,
	});

	it('reads a From number, or a Messaging Service, trimmed; empty is absent', () => {
		expect(twilioSms.readSender(reader({ twilioFrom: ' +15005550006 ' }))).toStrictEqual({ from: '+15005550006' });
		expect(twilioSms.readSender(reader({ twilioFrom: '   ' }))).toStrictEqual({ from: undefined });
		expect(twilioSms.readSender(reader({ twilioSenderType: 'messagingService', twilioMessagingServiceSid: ' MG1 ', twilioFrom: '+1' }))).toStrictEqual({ messagingServiceSid: 'MG1' });
		expect(twilioSms.readSender(reader({ twilioSenderType: 'messagingService' }))).toStrictEqual({ messagingServiceSid: undefined });
	});

	it('shows the From or the Messaging Service SID by the sender type, on the routes given', () => {
		const properties = twilioSms.senderProperties({ '/provider': ['twilio'] });
		expect(properties.map((p) => [p.name, p.type, p.default, p.required ?? false, p.displayOptions?.show])).toEqual([
			['twilioSenderType', 'options', 'from', false, { '/provider': ['twilio'] }],
			['twilioFrom', 'string', '', true, { '/provider': ['twilio'], twilioSenderType: ['from'] }],
			['twilioMessagingServiceSid', 'string', '', true, { '/provider': ['twilio'], twilioSenderType: ['messagingService'] }],
		]);
		expect(properties[0].options).toEqual([
			{ name: 'Phone Number or Sender ID', value: 'from' },
			{ name: 'Messaging Service', value: 'messagingService', description: 'Needed to schedule messages with Send At' },
		]);
	});
});

describe("Twilio's facts", () => {
	it.each([
		['12345', 'shortCode', 100],
		['123456', 'shortCode', 100],
		['1234', 'international', 10],
		['1234567', 'international', 10],
		['+18005550199', 'tollFree', 3],
		['+18335550199', 'tollFree', 3],
		['+18445550199', 'tollFree', 3],
		['+18555550199', 'tollFree', 3],
		['+18665550199', 'tollFree', 3],
		['+18775550199', 'tollFree', 3],
		['+18885550199', 'tollFree', 3],
		['+18995550199', 'longCode', 1],
		['+12125550100', 'longCode', 1],
		['+121255501000', 'international', 10],
		['+1212555010', 'international', 10],
		['x+12125550100', 'alphanumeric', 10],
		['+18005550199x', 'alphanumeric', 10],
		['ACME', 'alphanumeric', 10],
		['+33612345678', 'international', 10],
	])('sender %s is a %s: %i segments a second', (from, kind, rate) => {
		expect([twilioSenderKind(from), twilioSenderRate(from)]).toEqual([kind, rate]);
	});

	it('knows every sender rate', () => {
		expect(TWILIO_SENDER_RATES.map((r) => [r.kind, r.perSecond])).toEqual([
			['shortCode', 100],
			['tollFree', 3],
			['longCode', 1],
			['alphanumeric', 10],
			['international', 10],
		]);
	});

	it('maps every Twilio status', () => {
		expect(TWILIO_STATUSES).toEqual({
			accepted: 'accepted',
			scheduled: 'scheduled',
			queued: 'queued',
			sending: 'sending',
			sent: 'sent',
			delivered: 'delivered',
			undelivered: 'undelivered',
			failed: 'failed',
			read: 'read',
			receiving: 'received',
			received: 'received',
			partially_delivered: 'undelivered',
			canceled: 'canceled',
		});
	});

	it("uses the credential's Base URL without trailing slashes, else Twilio's host", () => {
		expect(twilioApiBase({})).toBe('https://api.twilio.com');
		expect(twilioApiBase({ baseUrl: '' })).toBe('https://api.twilio.com');
		expect(twilioApiBase({ baseUrl: 'http://127.0.0.1:4010/' })).toBe('http://127.0.0.1:4010');
	});

	it('lists every secret, raw and as sent in Basic auth', () => {
		expect(twilioSecrets({ accountSid: 'AC1', authToken: 'tok', apiKeySid: 'SK1', apiKeySecret: 'ks', webhookAuthToken: 'wh' })).toEqual([
			'tok',
			'ks',
			'wh',
			'AC1:tok',
			'SK1:ks',
		]);
		expect(twilioSecrets({ accountSid: 'AC1', authToken: 'tok', apiKeySecret: 42 })).toEqual(['tok', 'AC1:tok']);
		expect(twilioSecrets({})).toEqual([]);
	});
});

describe('Twilio answers at the edges', () => {
	const send = (answer: { statusCode: number; body: unknown }) => twilioSms.send(fakeContext(CREDS, [answer]).ctx, { to: '+33612345678', from: '+15005550006', body: 'Hi' });

	it('takes only a 2xx answer with a message as sent; a 2xx without one may have been sent', async () => {
		for (const statusCode of [300, 199]) {
			const error = await rejectionOf(send({ statusCode, body: resource() }));
			expect([statusCode, error instanceof ProviderError, error.kind === 'ambiguous']).toEqual([statusCode, true, false]);
		}
		expect((await rejectionOf(send({ statusCode: 299, body: { ok: true } }))).kind).toBe('ambiguous');
		expect((await rejectionOf(send({ statusCode: 200, body: { sid: 7 } }))).kind).toBe('ambiguous');
	});

	it('reads an empty price as none, and error code 0 with Twilio’s own words', async () => {
		expect((await send({ statusCode: 201, body: resource({ price: '' }) })).price).toBeUndefined();
		expect((await send({ statusCode: 201, body: resource({ status: 'failed', error_code: 0, error_message: 'Twilio says why' }) })).errorMessage).toBe('Twilio says why');
		expect((await send({ statusCode: 201, body: resource({ status: 'failed', error_code: 0, error_message: null }) })).errorMessage).toBe('');
	});
});

describe('the editor and the errors name each sender field the same way', () => {
	it.each([
		[
			'twilio',
			[
				['twilioSenderType', 'Twilio Sender', null, null],
				['twilioFrom', 'Twilio From', '+15005550006', 'A number of the Twilio account, a short code, or an alphanumeric sender ID'],
				['twilioMessagingServiceSid', 'Messaging Service SID', 'MG…', null],
			],
		],
		['sinch', [['sinchFrom', 'Sinch From', '+12025550134', 'A number of the service plan, a short code, or an alphanumeric sender']]],
		[
			'sns',
			[
				['snsSmsType', 'AWS SNS SMS Type', null, null],
				['snsSenderId', 'AWS SNS Sender ID', null, '3 to 11 letters or digits, where the destination country supports sender IDs'],
				['snsOriginationNumber', 'AWS SNS Origination Number', '+18005550199', 'A number of the account to send from (toll-free, 10DLC or short code), where required'],
			],
		],
	] as const)('%s', (name, fields) => {
		const sms = PROVIDERS[name].sms;
		const properties = sms.senderProperties({ '/provider': [name] });
		expect(properties.map((p) => [p.name, p.displayName, p.placeholder ?? null, p.description ?? null])).toEqual(fields);
		// Every field starts empty but the choices, which start at the common case.
		expect(properties.map((p) => p.default)).toEqual(properties.map((p) => (p.type === 'options' ? (name === 'sns' ? 'Transactional' : 'from') : '')));
		const shown = Object.fromEntries(properties.map((p) => [p.name, p.displayName]));
		const asked: Array<[string, string]> = [];
		const text = (field: string, label: string) => (asked.push([field, label]), '');
		sms.readSender({ text, option: (_field, fallback) => fallback });
		sms.readSender({ text, option: (field, fallback) => (field === 'twilioSenderType' ? 'messagingService' : fallback) });
		expect(asked.length).toBeGreaterThan(0);
		for (const [field, label] of asked) expect([field, label]).toEqual([field, shown[field]]);
	});

	it("offers AWS SNS's two SMS types, described", () => {
		expect(PROVIDERS.sns.sms.senderProperties({ '/provider': ['sns'] })[0].options).toEqual([
			{ name: 'Transactional', value: 'Transactional', description: 'Codes, alerts, reminders: highest reliability' },
			{ name: 'Promotional', value: 'Promotional', description: 'Marketing: lowest cost' },
		]);
	});
});
