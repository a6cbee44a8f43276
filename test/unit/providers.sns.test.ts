/** AWS SNS's wire format and facts, exactly; then the small wire helpers and the registry every provider goes through. */
import { ProviderError } from '../../nodes/shared/rules/errors';
import { getProvider, isProviderName, parseRoute, PROVIDER_NAMES, PROVIDERS, providersWith, ROUTES, routeProviders, routesWhereAll, routesWhereAny, routesWith } from '../../nodes/shared/providers/registry';
import { SNS_SENDER_RATES, SNS_STATUSES, snsEndpoint, snsSecrets } from '../../nodes/shared/providers/sns/index';
import { snsSms } from '../../nodes/shared/providers/sns/sms';
import type { SendSmsRequest } from '../../nodes/shared/providers/types';
import { asJson, asText, baseUrlOr, formEncode, headerValue, xmlTag } from '../../nodes/shared/providers/wire';
import { fakeContext, rejectionOf } from '../helpers/fakeContext';

const CREDS = { accessKeyId: 'AKIA1', secretAccessKey: 'secret', region: 'eu-west-1' };
const now = new Date('2026-11-21T10:00:00Z');
const published = (id = 'abc-123') =>
	`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PublishResponse>`;
const awsError = (code: string, message: string) =>
	`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

describe('AWS SNS send', () => {
	it('publishes to the phone number with its attributes, numbered in order', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: published() }], now);
		const message = await snsSms.send(ctx, { to: '+33612345678', body: 'Hi & bye', smsType: 'Promotional', senderId: 'ACME', maxPrice: 0.5, from: '+18005550199' });
		expect(requests).toHaveLength(1);
		expect(requests[0].method).toBe('POST');
		expect(requests[0].url).toBe('https://sns.eu-west-1.amazonaws.com/');
		expect(requests[0].headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' });
		expect(Object.fromEntries(new URLSearchParams(requests[0].body))).toEqual({
			Action: 'Publish',
			Version: '2010-03-31',
			PhoneNumber: '+33612345678',
			Message: 'Hi & bye',
			'MessageAttributes.entry.1.Name': 'AWS.SNS.SMS.SMSType',
			'MessageAttributes.entry.1.Value.DataType': 'String',
			'MessageAttributes.entry.1.Value.StringValue': 'Promotional',
			'MessageAttributes.entry.2.Name': 'AWS.SNS.SMS.SenderID',
			'MessageAttributes.entry.2.Value.DataType': 'String',
			'MessageAttributes.entry.2.Value.StringValue': 'ACME',
			'MessageAttributes.entry.3.Name': 'AWS.SNS.SMS.MaxPrice',
			'MessageAttributes.entry.3.Value.DataType': 'Number',
			'MessageAttributes.entry.3.Value.StringValue': '0.5',
			'MessageAttributes.entry.4.Name': 'AWS.MM.SMS.OriginationNumber',
			'MessageAttributes.entry.4.Value.DataType': 'String',
			'MessageAttributes.entry.4.Value.StringValue': '+18005550199',
		});
		expect(message).toStrictEqual({
			messageId: 'abc-123',
			status: 'accepted',
			providerStatus: 'accepted',
			to: '+33612345678',
			from: '+18005550199',
			sentAt: '2026-11-21T10:00:00.000Z',
			raw: { MessageId: 'abc-123', RequestId: 'req-1' },
		});
	});

	it('sends only the attributes it was given; a Max Price of 0 is one', async () => {
		const { ctx, requests } = fakeContext({ accessKeyId: 'AKIA1', secretAccessKey: 's' }, [{ statusCode: 200, body: Buffer.from(published()) }]);
		const message = await snsSms.send(ctx, { to: '+33612345678', body: 'x', senderId: 'ACME', maxPrice: 0 });
		expect(requests[0].url).toBe('https://sns.us-east-1.amazonaws.com/');
		expect(requests[0].body).toBe(
			'Action=Publish&Version=2010-03-31&PhoneNumber=%2B33612345678&Message=x' +
				'&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SenderID&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=ACME' +
				'&MessageAttributes.entry.2.Name=AWS.SNS.SMS.MaxPrice&MessageAttributes.entry.2.Value.DataType=Number&MessageAttributes.entry.2.Value.StringValue=0',
		);
		expect(message.from).toBe('ACME');
		const { ctx: bare, requests: plain } = fakeContext({ ...CREDS, baseUrl: 'http://127.0.0.1:4010/' }, [{ statusCode: 200, body: published() }]);
		const none = await snsSms.send(bare, { to: '+33612345678', body: 'x' });
		expect(plain[0].url).toBe('http://127.0.0.1:4010/');
		expect(plain[0].body).toBe('Action=Publish&Version=2010-03-31&PhoneNumber=%2B33612345678&Message=x');
		expect(none.from).toBeNull();
	});

	it('an answer without a MessageId is ambiguous: it may have been sent', async () => {
		const { ctx } = fakeContext(CREDS, [{ statusCode: 200, body: '<PublishResponse/>' }]);
		const e: ProviderError = await rejectionOf(snsSms.send(ctx, { to: '+33612345678', body: 'x' }));
		expect([e.kind, e.provider, e.message]).toEqual([
			'ambiguous',
			'sns',
			'AWS SNS answered without a MessageId, so the message may or may not have been sent; it was not sent again, to avoid a duplicate',
		]);
		const { ctx: noRequestId } = fakeContext(CREDS, [{ statusCode: 200, body: '<MessageId>m</MessageId>' }]);
		expect((await snsSms.send(noRequestId, { to: '+33612345678', body: 'x' })).raw).toEqual({ MessageId: 'm', RequestId: null });
	});

	it.each([
		[400, awsError('InvalidParameter', 'Invalid parameter: PhoneNumber Reason: +1 is not valid'), 'recipient', 'InvalidParameter'],
		[400, awsError('InvalidParameter', 'Invalid parameter: Phone number is not valid'), 'recipient', 'InvalidParameter'],
		[400, awsError('InvalidParameter', 'Invalid parameter: SenderID'), 'request', 'InvalidParameter'],
		[400, awsError('ParameterValueInvalid', 'PhoneNumber bad'), 'request', 'ParameterValueInvalid'],
		[400, awsError('OptedOut', 'Phone number is opted out'), 'recipient', 'OptedOut'],
		[400, awsError('Throttling', 'Rate exceeded'), 'rateLimited', 'Throttling'],
		[403, awsError('SignatureDoesNotMatch', 'The request signature we calculated does not match'), 'auth', 'SignatureDoesNotMatch'],
		[500, awsError('InternalError', 'oops'), 'unavailable', 'InternalError'],
		[503, 'Service Unavailable', 'unavailable', undefined],
		[400, '<Error><Code>OptedOut</Code></Error>', 'request', undefined],
		[403, '<ErrorResponse><Message>no code</Message></ErrorResponse>', 'auth', undefined],
		[302, '', 'request', undefined],
	])('HTTP %i %s → %s (%s)', async (statusCode, body, kind, code) => {
		const { ctx } = fakeContext(CREDS, [{ statusCode, body }]);
		const e: ProviderError = await rejectionOf(snsSms.send(ctx, { to: '+33612345678', body: 'x' }));
		expect([e.kind, e.code, e.httpStatus]).toEqual([kind, code, statusCode]);
		expect(e.providerMessage).toBe(code ? /<Message>(.*)<\/Message>/.exec(body)?.[1] : undefined);
	});

	it("reads AWS's words, decoded, and a Retry-After", async () => {
		const { ctx } = fakeContext(CREDS, [{ statusCode: 400, body: awsError('Throttling', 'Rate &amp; burst &lt;exceeded&gt;'), headers: { 'retry-after': '4' } }]);
		const e: ProviderError = await rejectionOf(snsSms.send(ctx, { to: '+33612345678', body: 'x' }));
		expect([e.providerMessage, e.retryAfterMs, e.message]).toEqual([
			'Rate & burst <exceeded>',
			4000,
			'AWS SNS is throttling the account (rate exceeded) (AWS SNS Throttling): send more slowly or ask AWS for a higher limit',
		]);
	});
});

describe('AWS SNS refuses what it cannot send, before sending', () => {
	const base: SendSmsRequest = { to: '+33612345678', body: 'Hi' };
	it.each([
		[{}, undefined],
		[{ body: 'x'.repeat(1600) }, undefined],
		[{ body: 'x'.repeat(1601) }, 'The message has 1601 characters; AWS SNS accepts at most 1600'],
		[{ mediaUrls: ['https://e.com/a.png'] }, 'AWS SNS does not send media (MMS): remove the media URLs or use Twilio'],
		[{ mediaUrls: [] }, undefined],
		[{ sendAt: now }, 'AWS SNS cannot schedule a message: remove Send At or use Twilio or Sinch'],
		[{ senderId: 'ABC' }, undefined],
		[{ senderId: 'A1234567890' }, undefined],
		[{ senderId: 'AB' }, 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter'],
		[{ senderId: 'A12345678901' }, 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter'],
		[{ senderId: '12345' }, 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter'],
		[{ senderId: 'AC-ME' }, 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter'],
		[{ senderId: 'x ACME' }, 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter'],
		[{ senderId: 'ACME x' }, 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter'],
		[{ maxPrice: 0 }, undefined],
		[{ maxPrice: -0.01 }, 'The AWS SNS Max Price must be a number of US dollars, 0 or more'],
		[{ maxPrice: Number.NaN }, 'The AWS SNS Max Price must be a number of US dollars, 0 or more'],
		[{ maxPrice: Number.POSITIVE_INFINITY }, 'The AWS SNS Max Price must be a number of US dollars, 0 or more'],
	] as const)('%j → %s', (override, problem) => {
		expect(snsSms.check({ ...base, ...override } as SendSmsRequest, now)).toBe(problem);
	});
});

describe("AWS SNS's facts", () => {
	const reader = (values: Record<string, string>) => ({ text: (name: string) => values[name] ?? '', option: (name: string, fallback: string) => values[name] ?? fallback });

	it('reads its sender fields, trimmed, with Transactional unless Promotional is chosen', () => {
		expect(snsSms.readSender(reader({ snsOriginationNumber: ' +18005550199 ', snsSenderId: ' ACME ', snsSmsType: 'Promotional' }))).toStrictEqual({
			from: '+18005550199',
			senderId: 'ACME',
			smsType: 'Promotional',
		});
		expect(snsSms.readSender(reader({ snsSmsType: 'Something' }))).toStrictEqual({ from: undefined, senderId: undefined, smsType: 'Transactional' });
		expect(snsSms.readSender(reader({}))).toStrictEqual({ from: undefined, senderId: undefined, smsType: 'Transactional' });
		expect(snsSms.senderProperties({ '/provider': ['sns'] }).map((p) => [p.name, p.default, p.displayOptions?.show])).toEqual([
			['snsSmsType', 'Transactional', { '/provider': ['sns'] }],
			['snsSenderId', '', { '/provider': ['sns'] }],
			['snsOriginationNumber', '', { '/provider': ['sns'] }],
		]);
	});

	it('has its endpoint, statuses, rates and secrets', () => {
		expect(snsEndpoint({ region: 'ap-south-1' })).toBe('https://sns.ap-south-1.amazonaws.com');
		expect(snsEndpoint({ region: 'ap-south-1', baseUrl: ' http://x:1// ' })).toBe('http://x:1');
		expect(SNS_STATUSES).toEqual({ accepted: 'accepted', success: 'delivered', failure: 'failed' });
		expect(SNS_SENDER_RATES.map((r) => [r.kind, r.perSecond])).toEqual([
			['shortCode', 100],
			['tollFree', 3],
		]);
		expect(snsSecrets({ accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' })).toEqual(['s', 't']);
		expect(snsSecrets({ secretAccessKey: 's', sessionToken: 1 })).toEqual(['s']);
		expect(snsSms.acceptedHint).toBe('AWS SNS reports delivery only to CloudWatch Logs: "accepted" is the last status it gives here.');
	});
});

describe('wire helpers', () => {
	it('baseUrlOr', () => {
		expect([baseUrlOr(undefined, 'https://h'), baseUrlOr(null, 'https://h'), baseUrlOr('', 'https://h'), baseUrlOr('  ', 'https://h')]).toEqual([
			'https://h',
			'https://h',
			'https://h',
			'https://h',
		]);
		expect(baseUrlOr(' http://x/y/// ', 'https://h')).toBe('http://x/y');
		expect(baseUrlOr('http://x/y', 'https://h')).toBe('http://x/y');
	});

	it('headerValue: any case, the first of several, absent', () => {
		const headers = { 'Retry-After': ['5', '6'], 'x-one': 'a', 'X-Two': undefined };
		expect([headerValue(headers, 'retry-after'), headerValue(headers, 'X-ONE'), headerValue(headers, 'x-two'), headerValue(headers, 'none')]).toEqual(['5', 'a', undefined, undefined]);
		expect(headerValue(undefined as never, 'x')).toBeUndefined();
	});

	it('asJson: objects as they are, text and bytes parsed, anything else undefined', () => {
		const object = { a: 1 };
		expect(asJson(object)).toBe(object);
		expect(asJson('{"a":1}')).toEqual({ a: 1 });
		expect(asJson(Buffer.from('{"b":2}'))).toEqual({ b: 2 });
		for (const body of ['', '   ', 'null', '5', '"text"', '{broken', undefined, null, 5, false]) expect(asJson(body)).toBeUndefined();
	});

	it('asText', () => {
		expect([asText('a'), asText(Buffer.from('b')), asText(undefined), asText(null), asText({ c: 1 }), asText(5)]).toEqual(['a', 'b', '', '', '{"c":1}', '5']);
	});

	it('formEncode: skips undefined, repeats arrays, writes numbers and booleans', () => {
		expect(formEncode({ A: 'x y', B: undefined, C: ['1', '2'], D: 3, E: false, F: '' })).toBe('A=x+y&C=1&C=2&D=3&E=false&F=');
	});

	it('xmlTag: the first tag, decoded once, over lines', () => {
		expect(xmlTag('<a><B>1</B><B>2</B></a>', 'B')).toBe('1');
		expect(xmlTag('<B>x\ny</B>', 'B')).toBe('x\ny');
		expect(xmlTag('<B></B>', 'B')).toBe('');
		expect(xmlTag('<b>1</b>', 'B')).toBeUndefined();
		expect(xmlTag('<B>&amp;lt; &lt;&gt;&quot;&apos;&#233;&#128512;</B>', 'B')).toBe('&lt; <>"\'é😀');
	});
});

describe('the registry', () => {
	it('lists the providers in editor order, with their credential types', () => {
		expect(PROVIDER_NAMES).toEqual(['twilio', 'sinch', 'sns']);
		expect(PROVIDER_NAMES.map((n) => [PROVIDERS[n].name, PROVIDERS[n].label, PROVIDERS[n].credentialType])).toEqual([
			['twilio', 'Twilio', 'messagingTwilioApi'],
			['sinch', 'Sinch', 'messagingSinchApi'],
			['sns', 'AWS SNS', 'messagingAwsSnsApi'],
		]);
		expect(PROVIDERS.twilio.deliveryCodes).toBe(PROVIDERS.twilio.codes);
		expect(PROVIDERS.sns.deliveryCodes).toBe(PROVIDERS.sns.codes);
		expect(PROVIDERS.sinch.deliveryCodes).not.toBe(PROVIDERS.sinch.codes);
		expect(PROVIDERS.sinch.senderRates).toEqual([]);
	});

	it('knows which credentials use a token', () => {
		expect(PROVIDERS.sinch.token?.field).toBe('accessToken');
		expect(PROVIDERS.sinch.token?.inUse({ smsAuth: 'project' })).toBe(true);
		expect(PROVIDERS.sinch.token?.inUse({ smsAuth: 'servicePlan' })).toBe(false);
		expect(PROVIDERS.twilio.token).toBeUndefined();
		expect(PROVIDERS.sns.token).toBeUndefined();
	});

	it('has every route: one provider, or two different ones', () => {
		expect(ROUTES).toEqual(['twilio', 'sinch', 'sns', 'twilio,sinch', 'twilio,sns', 'sinch,twilio', 'sinch,sns', 'sns,twilio', 'sns,sinch']);
	});

	it('reads a route into its providers, and refuses an unknown one', () => {
		expect(routeProviders(' twilio , sns ,')).toEqual(['twilio', 'sns']);
		expect(parseRoute('sinch,twilio').map((p) => p.name)).toEqual(['sinch', 'twilio']);
		expect(parseRoute('')).toEqual([]);
		expect(parseRoute(undefined as never)).toEqual([]);
		expect(() => parseRoute('twilio,nexmo')).toThrow('Unknown provider "nexmo"');
		expect(() => getProvider('toString')).toThrow('Unknown provider "toString"');
		expect(getProvider('sns')).toBe(PROVIDERS.sns);
		expect([isProviderName('sinch'), isProviderName('Sinch'), isProviderName('')]).toEqual([true, false, false]);
	});

	it('finds the routes with a provider, where all or any can do something, and the providers that offer it', () => {
		expect(routesWith('twilio')).toEqual(['twilio', 'twilio,sinch', 'twilio,sns', 'sinch,twilio', 'sns,twilio']);
		expect(routesWith('sinch', ['twilio', 'sinch,sns'])).toEqual(['sinch,sns']);
		const media = (p: (typeof PROVIDERS)['twilio']) => p.sms.options.media;
		const schedule = (p: (typeof PROVIDERS)['twilio']) => p.sms.options.schedule !== undefined;
		expect(routesWhereAll(media)).toEqual(['twilio']);
		expect(routesWhereAll(schedule)).toEqual(['twilio', 'sinch', 'twilio,sinch', 'sinch,twilio']);
		expect(routesWhereAny((p) => p.sms.options.maxPrice)).toEqual(['sns', 'twilio,sns', 'sinch,sns', 'sns,twilio', 'sns,sinch']);
		expect(routesWhereAny(media, ['sinch', 'sns,twilio'])).toEqual(['sns,twilio']);
		expect(routesWhereAll(media, ['sinch', 'twilio'])).toEqual(['twilio']);
		expect(providersWith((p) => p.sms.status).map((p) => p.name)).toEqual(['twilio', 'sinch']);
		expect(providersWith((p) => p.sms.cancel).map((p) => p.name)).toEqual(['twilio', 'sinch']);
		expect(providersWith(() => 0)).toEqual([]);
	});
});

describe('AWS SNS answers at the edges', () => {
	it('takes only a 2xx answer as published', async () => {
		for (const statusCode of [300, 199]) {
			const error = await rejectionOf(snsSms.send(fakeContext(CREDS, [{ statusCode, body: published() }]).ctx, { to: '+33612345678', body: 'x' }));
			expect([statusCode, error instanceof ProviderError]).toEqual([statusCode, true]);
		}
	});
});
