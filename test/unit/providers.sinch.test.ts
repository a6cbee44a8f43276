/** Sinch's wire format and facts, exactly: the batches it builds and how it reads batches, reports and errors. */
import { ProviderError } from '../../nodes/shared/rules/errors';
import { SINCH_STATUSES, sinchHosts, sinchSecrets } from '../../nodes/shared/providers/sinch/index';
import { sinchSms } from '../../nodes/shared/providers/sinch/sms';
import type { SendSmsRequest } from '../../nodes/shared/providers/types';
import { fakeContext, rejectionOf } from '../helpers/fakeContext';

const CREDS = { servicePlanId: 'SP1', apiToken: 'tok', region: 'eu' };
const BATCHES = 'https://eu.sms.api.sinch.com/xms/v1/SP1/batches';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const now = new Date('2026-11-21T10:00:00Z');

const batch = (over: Record<string, unknown> = {}) => ({
	id: '01BATCH',
	to: ['33612345678'],
	from: '+12025550150',
	body: 'Hi',
	canceled: false,
	created_at: '2026-11-21T10:00:00.000Z',
	...over,
});

describe("Sinch's hosts", () => {
	it.each([
		[{ servicePlanId: 'SP1' }, { sms: 'https://us.sms.api.sinch.com', smsScope: 'SP1', conversation: 'https://us.conversation.api.sinch.com' }],
		[{ servicePlanId: 'SP1', region: 'eu' }, { sms: 'https://eu.sms.api.sinch.com', smsScope: 'SP1', conversation: 'https://eu.conversation.api.sinch.com' }],
		[{ servicePlanId: 'SP1', region: 'br' }, { sms: 'https://br.sms.api.sinch.com', smsScope: 'SP1', conversation: 'https://br.conversation.api.sinch.com' }],
		[{ servicePlanId: 'SP1', region: 'au' }, { sms: 'https://au.sms.api.sinch.com', smsScope: 'SP1', conversation: 'https://us.conversation.api.sinch.com' }],
		[{ smsAuth: 'project', projectId: 'P1', servicePlanId: 'SP1', region: 'ca' }, { sms: 'https://zt.ca.sms.api.sinch.com', smsScope: 'P1', conversation: 'https://us.conversation.api.sinch.com' }],
		[{ smsAuth: 'project' }, { sms: 'https://zt.us.sms.api.sinch.com', smsScope: '', conversation: 'https://us.conversation.api.sinch.com' }],
		[{}, { sms: 'https://us.sms.api.sinch.com', smsScope: '', conversation: 'https://us.conversation.api.sinch.com' }],
		// Conversation's own region wins; one Conversation does not have falls back to the SMS region's, then the US.
		[{ servicePlanId: 'SP1', region: 'us', conversationRegion: 'eu' }, { sms: 'https://us.sms.api.sinch.com', smsScope: 'SP1', conversation: 'https://eu.conversation.api.sinch.com' }],
		[{ servicePlanId: 'SP1', region: 'br', conversationRegion: '' }, { sms: 'https://br.sms.api.sinch.com', smsScope: 'SP1', conversation: 'https://br.conversation.api.sinch.com' }],
		[{ servicePlanId: 'SP1', region: 'au', conversationRegion: 'xx' }, { sms: 'https://au.sms.api.sinch.com', smsScope: 'SP1', conversation: 'https://us.conversation.api.sinch.com' }],
	])('%j', (credentials, expected) => {
		expect(sinchHosts(credentials)).toEqual({ ...expected, auth: 'https://auth.sinch.com', verification: 'https://verification.api.sinch.com', provisioning: 'https://provisioning.api.sinch.com' });
	});

	it("takes each Base URL the credential overrides, without trailing slashes", () => {
		expect(
			sinchHosts({ servicePlanId: 'SP1', smsBaseUrl: 'http://127.0.0.1:4010/', authBaseUrl: 'http://a/', verificationBaseUrl: 'http://v', conversationBaseUrl: 'http://c//', provisioningBaseUrl: 'http://p/' }),
		).toEqual({ sms: 'http://127.0.0.1:4010', auth: 'http://a', verification: 'http://v', conversation: 'http://c', provisioning: 'http://p', smsScope: 'SP1' });
	});
});

describe('Sinch send', () => {
	it('posts a one-recipient batch with no delivery report when no callback is asked for', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 201, body: batch() }]);
		const message = await sinchSms.send(ctx, { to: '+33612345678', from: '+12025550150', body: 'Hi' });
		expect(requests.map((r) => ({ ...r, body: JSON.parse(r.body as string) }))).toEqual([
			{ method: 'POST', url: BATCHES, headers: JSON_TYPE, body: { to: ['+33612345678'], from: '+12025550150', body: 'Hi', type: 'mt_text', delivery_report: 'none' } },
		]);
		expect(message).toStrictEqual({
			messageId: '01BATCH',
			status: 'accepted',
			providerStatus: 'accepted',
			to: '+33612345678',
			from: '+12025550150',
			sentAt: '2026-11-21T10:00:00.000Z',
			raw: batch(),
		});
	});

	it('asks for per-recipient reports with a callback, and sets reference, send time and expiry', async () => {
		const sendAt = new Date('2026-11-22T08:00:00Z');
		const scheduled = batch({ send_at: sendAt.toISOString() });
		const { ctx, requests } = fakeContext({ ...CREDS, servicePlanId: 'S P/1' }, [{ statusCode: 201, body: JSON.stringify(scheduled) }], now);
		const message = await sinchSms.send(ctx, {
			to: '+33612345678',
			from: 'ACME',
			body: 'Later',
			statusCallbackUrl: 'https://hook.example/dlr',
			clientReference: 'order-42',
			sendAt,
			validityPeriod: 3600,
		});
		expect(requests[0].url).toBe('https://eu.sms.api.sinch.com/xms/v1/S%20P%2F1/batches');
		expect(JSON.parse(requests[0].body as string)).toEqual({
			to: ['+33612345678'],
			from: 'ACME',
			body: 'Later',
			type: 'mt_text',
			delivery_report: 'per_recipient',
			callback_url: 'https://hook.example/dlr',
			client_reference: 'order-42',
			send_at: '2026-11-22T08:00:00.000Z',
			expire_at: '2026-11-22T09:00:00.000Z',
		});
		expect([message.status, message.providerStatus, message.sentAt]).toEqual(['scheduled', 'scheduled', undefined]);
	});

	it('counts the validity period from now when the message goes now', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 201, body: batch() }], now);
		await sinchSms.send(ctx, { to: '+33612345678', from: 'ACME', body: 'x', validityPeriod: 60 });
		expect(JSON.parse(requests[0].body as string).expire_at).toBe('2026-11-21T10:01:00.000Z');
	});

	it('a batch whose send time has passed, or that was canceled, says so', async () => {
		const { ctx } = fakeContext(CREDS, [{ statusCode: 201, body: batch({ send_at: '2026-11-21T09:00:00.000Z', to: ['+33612345678'], from: '' }) }]);
		const past = await sinchSms.send(ctx, { to: '+33612345678', from: 'ACME', body: 'x' });
		expect([past.status, past.to, past.from]).toEqual(['accepted', '+33612345678', null]);
		const { ctx: exact } = fakeContext(CREDS, [{ statusCode: 201, body: batch({ send_at: now.toISOString() }) }]);
		expect((await sinchSms.send(exact, { to: '+33612345678', from: 'ACME', body: 'x' })).status).toBe('accepted');
		const { ctx: canceled } = fakeContext(CREDS, [{ statusCode: 200, body: batch({ canceled: true, send_at: '2026-12-01T00:00:00Z' }) }]);
		const message = await sinchSms.cancel!(canceled, '01BATCH');
		expect([message.status, message.providerStatus, message.sentAt]).toEqual(['canceled', 'cancelled', undefined]);
		const { ctx: empty } = fakeContext(CREDS, [{ statusCode: 201, body: { id: 'B2' } }]);
		expect(await sinchSms.send(empty, { to: '+33612345678', from: 'ACME', body: 'x' })).toStrictEqual({
			messageId: 'B2',
			status: 'accepted',
			providerStatus: 'accepted',
			to: '',
			from: null,
			sentAt: undefined,
			raw: { id: 'B2' },
		});
	});

	it('cancels with DELETE on the batch', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: batch({ canceled: true }) }]);
		await sinchSms.cancel!(ctx, '01/B');
		expect(requests).toEqual([{ method: 'DELETE', url: `${BATCHES}/01%2FB` }]);
	});
});

describe('Sinch status, per recipient', () => {
	it('reads the batch, then the delivery report of its first recipient', async () => {
		const report = { at: '2026-11-21T10:00:05Z', code: 0, recipient: '33612345678', status: 'Delivered', type: 'recipient_delivery_report_sms' };
		const { ctx, requests } = fakeContext(CREDS, [
			{ statusCode: 200, body: batch({ to: ['33612345678', '33612345679'] }) },
			{ statusCode: 200, body: report },
		]);
		const message = await sinchSms.status!.get(ctx, '01BATCH');
		expect(requests).toEqual([
			{ method: 'GET', url: `${BATCHES}/01BATCH` },
			{ method: 'GET', url: `${BATCHES}/01BATCH/delivery_report/33612345678` },
		]);
		expect(message).toStrictEqual({
			messageId: '01BATCH',
			status: 'delivered',
			providerStatus: 'Delivered',
			to: '+33612345678',
			from: '+12025550150',
			errorCode: undefined,
			errorMessage: undefined,
			sentAt: '2026-11-21T10:00:00.000Z',
			raw: { batch: batch({ to: ['33612345678', '33612345679'] }), deliveryReport: report },
		});
	});

	it('reads the recipient asked for, written with or without +, and names a failure', async () => {
		const { ctx, requests } = fakeContext(CREDS, [
			{ statusCode: 200, body: batch({ to: ['33612345678', '33612345679'] }) },
			{ statusCode: 200, body: { status: 'Failed', code: 402 } },
		]);
		const message = await sinchSms.status!.get(ctx, '01BATCH', '+33612345679');
		expect(requests[1].url).toBe(`${BATCHES}/01BATCH/delivery_report/33612345679`);
		expect([message.to, message.status, message.errorCode, message.errorMessage]).toEqual([
			'+33612345679',
			'failed',
			'402',
			expect.stringMatching(/\(Sinch 402\): /),
		]);
	});

	it.each([
		['Expired', 406, 'undelivered', '406'],
		['Dispatched', 0, 'sent', undefined],
		['Queued', undefined, 'queued', undefined],
		['Rejected', 413, 'failed', '413'],
	])('a report %s (code %s) → %s, error code %s', async (status, code, ours, errorCode) => {
		const { ctx } = fakeContext(CREDS, [
			{ statusCode: 200, body: batch() },
			{ statusCode: 200, body: { status, code } },
		]);
		const message = await sinchSms.status!.get(ctx, '01BATCH');
		expect([message.status, message.providerStatus, message.errorCode]).toEqual([ours, status, errorCode]);
		expect(message.errorMessage === undefined).toBe(errorCode === undefined);
	});

	it('no report yet (404) leaves the batch accepted', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: batch() }, { statusCode: 404, body: { code: 'not_found', text: 'No report' } }]);
		const message = await sinchSms.status!.get(ctx, '01BATCH', '33612345678');
		expect(requests).toHaveLength(2);
		expect([message.status, message.to, message.sentAt]).toEqual(['accepted', '+33612345678', '2026-11-21T10:00:00.000Z']);
	});

	it('a canceled batch, or one with no recipient, asks for no report', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: batch({ canceled: true }) }]);
		expect((await sinchSms.status!.get(ctx, '01BATCH')).status).toBe('canceled');
		expect(requests).toHaveLength(1);
		const { ctx: none, requests: asked } = fakeContext(CREDS, [{ statusCode: 200, body: batch({ to: 'not a list' }) }]);
		expect((await sinchSms.status!.get(none, '01BATCH')).to).toBe('');
		expect(asked).toHaveLength(1);
	});

	it('a recipient not in the batch is refused with what to do', async () => {
		const { ctx } = fakeContext(CREDS, [{ statusCode: 200, body: batch() }]);
		const e: ProviderError = await rejectionOf(sinchSms.status!.get(ctx, '01BATCH', '+33699999999'));
		expect([e.kind, e.provider, e.message]).toEqual([
			'request',
			'sinch',
			'+33699999999 is not a recipient of Sinch batch 01BATCH: check the Recipient, or leave it empty for the batch\'s first recipient',
		]);
	});

	it('a report that fails or cannot be read is an error, not a status', async () => {
		const { ctx } = fakeContext(CREDS, [{ statusCode: 200, body: batch() }, { statusCode: 503, body: '' }]);
		expect((await rejectionOf(sinchSms.status!.get(ctx, '01BATCH'))).kind).toBe('unavailable');
		const { ctx: odd } = fakeContext(CREDS, [{ statusCode: 200, body: batch() }, { statusCode: 200, body: { status: 7 } }]);
		expect((await rejectionOf(sinchSms.status!.get(odd, '01BATCH'))).kind).toBe('ambiguous');
		const { ctx: redirect } = fakeContext(CREDS, [{ statusCode: 200, body: batch() }, { statusCode: 302, body: { status: 'Delivered' } }]);
		expect((await rejectionOf(sinchSms.status!.get(redirect, '01BATCH'))).kind).toBe('request');
		const { ctx: empty } = fakeContext(CREDS, [{ statusCode: 200, body: batch() }, { statusCode: 200, body: '' }]);
		expect((await rejectionOf(sinchSms.status!.get(empty, '01BATCH'))).kind).toBe('ambiguous');
	});
});

describe("Sinch's errors", () => {
	const send = (answer: { statusCode: number; body?: unknown; headers?: Record<string, string> }) => {
		const { ctx } = fakeContext(CREDS, [answer]);
		return rejectionOf(sinchSms.send(ctx, { to: '+33612345678', from: 'ACME', body: 'Hi' }));
	};

	it.each([
		[400, { code: 'syntax_invalid_parameter_format', text: "Invalid 'to' number" }, 'recipient', 'syntax_invalid_parameter_format'],
		[400, { code: 'syntax_constraint_violation', text: 'recipient msisdn too long' }, 'recipient', 'syntax_constraint_violation'],
		[400, { code: 'syntax_constraint_violation', text: "'body' is too long" }, 'request', 'syntax_constraint_violation'],
		[400, { code: 'missing_parameter', text: "'to' is missing" }, 'request', 'missing_parameter'],
		[401, '', 'auth', 'unauthorized'],
		[401, { code: 'forbidden', text: 'no' }, 'auth', 'forbidden'],
		[403, { code: 'unprovisioned_region', text: 'x' }, 'config', 'unprovisioned_region'],
		[403, '<html>Forbidden</html>', 'auth', undefined],
		[429, { code: 'too_many_requests', text: 'slow' }, 'rateLimited', 'too_many_requests'],
		[500, { code: 'internal_error', text: 'oops' }, 'unavailable', 'internal_error'],
		[201, { no: 'id' }, 'ambiguous', undefined],
		[200, { code: 'x', text: 'y' }, 'ambiguous', 'x'],
	])('HTTP %i %j → %s (%s)', async (statusCode, body, kind, code) => {
		const e: ProviderError = await send({ statusCode, body });
		expect([e.kind, e.code, e.httpStatus]).toEqual([kind, code, statusCode]);
		expect(e.providerMessage).toBe(typeof body === 'object' && 'text' in body ? body.text : undefined);
	});

	it('a recipient error says so in our words; a 429 carries its Retry-After', async () => {
		const e: ProviderError = await send({ statusCode: 400, body: { code: 'syntax_invalid_parameter_format', text: "Invalid 'to' number" } });
		expect(e.message).toBe('Sinch refused the recipient (Sinch syntax_invalid_parameter_format)');
		const slow: ProviderError = await send({ statusCode: 429, body: '', headers: { 'Retry-After': '2' } });
		expect(slow.retryAfterMs).toBe(2000);
		const auth: ProviderError = await send({ statusCode: 401, body: '' });
		expect(auth.message).toBe('Sinch refused the credentials (Sinch unauthorized): check the service plan ID and API token (or the access key) in the credential');
	});
});

describe('Sinch refuses what it cannot send, before sending', () => {
	const base: SendSmsRequest = { to: '+33612345678', body: 'Hi', from: 'ACME' };
	it.each([
		[{}, undefined],
		[{ from: undefined }, 'Sinch needs a From (a number of the service plan, a short code or an alphanumeric sender)'],
		[{ mediaUrls: ['https://e.com/a.png'] }, 'Sinch SMS does not send media (MMS) here: remove the media URLs or use Twilio'],
		[{ mediaUrls: [] }, undefined],
		[{ clientReference: 'x'.repeat(128) }, undefined],
		[{ clientReference: 'x'.repeat(129) }, 'Sinch accepts a client reference of at most 128 characters'],
		[{ sendAt: new Date(now.getTime() + 1) }, undefined],
		[{ sendAt: now }, 'Sinch schedules only in the future; 2026-11-21T10:00:00.000Z has passed'],
		[{ validityPeriod: 1 }, undefined],
		[{ validityPeriod: 259_200 }, undefined],
		[{ validityPeriod: 259_201 }, 'Sinch keeps trying for at most 3 days: use a validity period of whole seconds from 1 to 259200'],
		[{ validityPeriod: 0 }, 'Sinch keeps trying for at most 3 days: use a validity period of whole seconds from 1 to 259200'],
		[{ validityPeriod: 2.5 }, 'Sinch keeps trying for at most 3 days: use a validity period of whole seconds from 1 to 259200'],
	] as const)('%j → %s', (override, problem) => {
		expect(sinchSms.check({ ...base, ...override } as SendSmsRequest, now)).toBe(problem);
	});
});

describe("Sinch's facts", () => {
	it('reads its sender, trimmed', () => {
		const read = (from: string) => sinchSms.readSender({ text: () => from, option: (_n, fallback) => fallback });
		expect(read(' +12025550150 ')).toStrictEqual({ from: '+12025550150' });
		expect(read(' ')).toStrictEqual({ from: undefined });
		expect(sinchSms.senderProperties({ '/provider': ['sinch'] }).map((p) => [p.name, p.required, p.displayOptions?.show])).toEqual([
			['sinchFrom', true, { '/provider': ['sinch'] }],
		]);
	});

	it('maps every Sinch status', () => {
		expect(SINCH_STATUSES).toEqual({
			accepted: 'accepted',
			scheduled: 'scheduled',
			queued: 'queued',
			dispatched: 'sent',
			delivered: 'delivered',
			failed: 'failed',
			expired: 'undelivered',
			rejected: 'failed',
			aborted: 'failed',
			cancelled: 'canceled',
			canceled: 'canceled',
			deleted: 'undelivered',
			unknown: 'unknown',
		});
	});

	it('lists every secret, raw and composed', () => {
		expect(sinchSecrets({ apiToken: 'a', keyId: 'k', keySecret: 's', accessToken: 't', verificationAppKey: 'vk', verificationAppSecret: 'vs', webhookSecret: 'w' })).toEqual([
			'a',
			's',
			't',
			'vs',
			'w',
			'k:s',
			'vk:vs',
		]);
		expect(sinchSecrets({ apiToken: 'a', keySecret: 5 })).toEqual(['a']);
		expect(sinchSecrets({})).toEqual([]);
	});

	it('tells the accepted hint', () => {
		expect(sinchSms.acceptedHint).toMatch(/^Sinch has accepted the batch; it refuses blocked or opted-out numbers only afterwards \(delivery report 413\)/);
	});
});

describe('Sinch answers at the edges', () => {
	const send = (answer: { statusCode: number; body: unknown }) => sinchSms.send(fakeContext(CREDS, [answer]).ctx, { to: '+33612345678', from: '+12025550150', body: 'Hi' });

	it('takes only a 2xx answer with a batch as sent; a 2xx without one may have been sent', async () => {
		for (const statusCode of [300, 199]) {
			const error = await rejectionOf(send({ statusCode, body: batch() }));
			expect([statusCode, error instanceof ProviderError, error.kind === 'ambiguous']).toEqual([statusCode, true, false]);
		}
		expect((await rejectionOf(send({ statusCode: 299, body: { ok: true } }))).kind).toBe('ambiguous');
		expect((await rejectionOf(send({ statusCode: 201, body: { id: 7 } }))).kind).toBe('ambiguous');
		// No body at all: still a ProviderError, never a TypeError from reading it.
		expect((await rejectionOf(send({ statusCode: 200, body: '' }))).kind).toBe('ambiguous');
		const bare = await rejectionOf(send({ statusCode: 400, body: '' }));
		expect([bare instanceof ProviderError, bare.code]).toEqual([true, undefined]);
	});

	it('reads a Sinch error only when both its code and text are strings, and a bad recipient only from a syntax_ code', async () => {
		const halfCode = await rejectionOf(send({ statusCode: 400, body: { code: 'syntax_invalid_parameter_format', text: 5 } }));
		expect([halfCode.code, halfCode.providerMessage]).toEqual([undefined, undefined]);
		const halfText = await rejectionOf(send({ statusCode: 400, body: { code: 5, text: "Invalid 'to' address" } }));
		expect([halfText.code, halfText.providerMessage]).toEqual([undefined, undefined]);
		const notSyntax = await rejectionOf(send({ statusCode: 400, body: { code: 'xsyntax_invalid_parameter_format', text: "Invalid 'to' address" } }));
		expect([notSyntax.code, notSyntax.kind === 'recipient']).toEqual(['xsyntax_invalid_parameter_format', false]);
		const recipient = await rejectionOf(send({ statusCode: 400, body: { code: 'syntax_invalid_parameter_format', text: "Invalid 'to' address" } }));
		expect(recipient.kind).toBe('recipient');
	});

	it('takes only a 2xx delivery report', async () => {
		const { ctx } = fakeContext(CREDS, [
			{ statusCode: 200, body: batch() },
			{ statusCode: 300, body: { recipient: '33612345678', status: 'Delivered', code: 0 } },
		]);
		expect(await rejectionOf(sinchSms.status!.get(ctx, '01BATCH'))).toBeInstanceOf(ProviderError);
	});
});
