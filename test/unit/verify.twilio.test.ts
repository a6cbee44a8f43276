/** Twilio Verify on the wire: the exact requests, and every answer read into the one shape (statuses, not exceptions, for what a workflow branches on). */
import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { twilioVerify } from '../../nodes/shared/providers/twilio/verify';
import { ProviderError } from '../../nodes/shared/rules/errors';
import { fakeContext, rejectionOf, type Answer } from '../helpers/fakeContext';

const CREDS = { authType: 'authToken', accountSid: 'AC00000000000000000000000000000001', authToken: 'tok-123' };
const VA = `VA${'1'.repeat(32)}`;
const VE = `VE${'2'.repeat(32)}`;
const settings = { serviceSid: VA };
const BASE = `https://verify.twilio.com/v2/Services/${VA}`;
const resource = (over: Record<string, unknown> = {}) => ({
	sid: VE,
	service_sid: VA,
	account_sid: CREDS.accountSid,
	to: '+33612345678',
	channel: 'sms',
	status: 'pending',
	valid: false,
	send_code_attempts: [{ time: '2026-11-29T10:00:00Z', channel: 'sms', attempt_sid: 'VL1' }],
	date_created: '2026-11-29T10:00:00Z',
	...over,
});
const form = (body: string | undefined) => Object.fromEntries(new URLSearchParams(body ?? ''));
const err = (statusCode: number, code: number, message = 'x'): Answer => ({ statusCode, body: { code, message, status: statusCode } });

describe('Twilio Verify', () => {
	it('is the Twilio provider’s verify capability, with its channels and one parameter', () => {
		expect(PROVIDERS.twilio.verify).toBe(twilioVerify);
		expect(PROVIDERS.sns.verify).toBeUndefined();
		expect(twilioVerify.channels.map((c) => [c.value, c.voice === true])).toEqual([
			['sms', false],
			['call', true],
			['whatsapp', false],
			['email', false],
		]);
		expect(twilioVerify.properties({ engine: ['twilio'] }).map((p) => [p.name, p.required, p.displayOptions])).toEqual([['twilioVerifyServiceSid', true, { show: { engine: ['twilio'] } }]]);
		expect(twilioVerify.readSettings({ text: () => `  ${VA} `, option: () => undefined })).toEqual({ serviceSid: VA });
		const [field] = twilioVerify.properties({ engine: ['twilio'] });
		expect([field.displayName, field.default, field.placeholder, field.description]).toEqual([
			'Verify Service SID',
			'',
			'VA…',
			'The Verify service that sends and checks the codes (Twilio console → Verify → Services)',
		]);
		const asked: Array<[string, string]> = [];
		twilioVerify.readSettings({ text: (name, label) => (asked.push([name, label]), ''), option: () => undefined });
		expect(asked).toEqual([[field.name, field.displayName]]);
	});

	it('starts: the form Twilio expects, the answer in the one shape, expiry 10 minutes after creation', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 201, body: resource() }]);
		const result = await twilioVerify.start(ctx, { to: '+33612345678', channel: 'sms', locale: 'fr', customCode: '424242', settings });
		expect(requests.map((r) => [r.method, r.url, r.headers])).toEqual([['POST', `${BASE}/Verifications`, { 'Content-Type': 'application/x-www-form-urlencoded' }]]);
		expect(form(requests[0].body)).toEqual({ To: '+33612345678', Channel: 'sms', Locale: 'fr', CustomCode: '424242' });
		expect(result).toEqual({
			verificationId: VE,
			to: '+33612345678',
			channel: 'sms',
			status: 'pending',
			valid: false,
			attempts: 1,
			expiresAt: '2026-11-29T10:10:00.000Z',
			reason: null,
			raw: resource(),
		});
		const plain = fakeContext({ ...CREDS, baseUrl: 'http://127.0.0.1:4010/' }, [{ statusCode: 201, body: resource() }]);
		await twilioVerify.start(plain.ctx, { to: '+33612345678', channel: 'call', locale: '', settings });
		expect([plain.requests[0].url, form(plain.requests[0].body)]).toEqual([`http://127.0.0.1:4010/v2/Services/${VA}/Verifications`, { To: '+33612345678', Channel: 'call' }]);
	});

	it.each([
		['right', resource({ status: 'approved', valid: true }), 'approved', true, null],
		['wrong', resource({ status: 'pending' }), 'denied', false, 'The code is not the one sent'],
		['a status Twilio may add later', resource({ status: 'something-new' }), 'failed', false, 'Twilio Verify answered "something-new"'],
		['canceled', resource({ status: 'deleted' }), 'canceled', false, null],
	])('checks a code (%s) into a status to branch on', async (_name, answer, status, valid, reason) => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: answer }]);
		const result = await twilioVerify.check(ctx, { code: ' 482-910 ', to: '+33612345678', settings });
		expect([requests[0].url, form(requests[0].body)]).toEqual([`${BASE}/VerificationCheck`, { Code: '482910', To: '+33612345678' }]);
		expect([result.status, result.valid, result.reason, result.attempts, result.verificationId]).toEqual([status, valid, reason, null, VE]);
	});

	it('checks by verification SID instead of the number when given one', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'approved' }) }]);
		await twilioVerify.check(ctx, { code: '4829', to: '+33612345678', verificationId: VE, settings });
		expect(form(requests[0].body)).toEqual({ Code: '4829', VerificationSid: VE });
	});

	it.each([
		['60202 (five wrong codes)', err(429, 60202, 'Max check attempts reached'), 'max_attempts_reached', 'Too many wrong codes (5): the verification is closed. Start a new one'],
		['404/20404 (approved, expired or canceled)', err(404, 20404), 'expired', 'Twilio has no pending verification for it: it was approved, expired (after 10 minutes) or was canceled. Start a new one'],
		['404 with no Twilio error', { statusCode: 404, body: 'Not Found' }, 'expired', 'Twilio has no pending verification for it: it was approved, expired (after 10 minutes) or was canceled. Start a new one'],
	])('turns a check answered %s into a status, not an exception', async (_name, answer, status, reason) => {
		const result = await twilioVerify.check(fakeContext(CREDS, [answer]).ctx, { code: '482910', to: '+33612345678', settings });
		expect(result).toEqual({ verificationId: null, to: '+33612345678', channel: null, status, valid: false, attempts: null, expiresAt: null, reason, raw: typeof answer.body === 'object' ? answer.body : {} });
	});

	it.each(['', '123', '12345678901', '12 34 5é', '💥💥💥💥'])('denies the code %p without asking Twilio (it would refuse it, and it costs no check)', async (code) => {
		const { ctx, requests } = fakeContext(CREDS, []);
		expect(await twilioVerify.check(ctx, { code, to: '+33612345678', settings })).toMatchObject({ status: 'denied', valid: false, reason: 'A code has 4 to 10 letters or digits' });
		expect(requests).toHaveLength(0);
	});

	it('reports a start refused for sending too often (60203) as max_attempts_reached', async () => {
		const result = await twilioVerify.start(fakeContext(CREDS, [err(429, 60203, 'Max send attempts reached')]).ctx, { to: '+33612345678', channel: 'sms', settings });
		expect([result.status, result.valid, result.to, result.channel, result.reason]).toEqual([
			'max_attempts_reached',
			false,
			'+33612345678',
			'sms',
			'The code was already sent 5 times for this verification: wait for it to expire (10 minutes) before starting again',
		]);
	});

	it.each([
		[err(400, 60200), 'request', 'Twilio Verify refused a parameter (Twilio 60200): check the number (E.164), the channel and the locale'],
		[err(400, 60205), 'recipient', 'The number is a landline and cannot receive SMS (Twilio 60205): use the call channel for this number'],
		[err(429, 60212), 'rateLimited', 'Too many verifications for this number at once (Twilio 60212)'],
		[err(404, 20404), 'notFound', 'Twilio has no such Verify service in this account (Twilio 20404): check the Verify Service SID'],
		[err(401, 20003), 'auth', 'Twilio refused the credentials (Twilio 20003)'],
		[err(503, 20500), 'unavailable', '(Twilio 20500)'],
		[{ statusCode: 201, body: 'not json' }, 'ambiguous', ''],
	])('throws a start refused otherwise, in Verify’s own words (%j)', async (answer, kind, message) => {
		const error = await rejectionOf(twilioVerify.start(fakeContext(CREDS, [answer]).ctx, { to: '+33612345678', channel: 'sms', settings }));
		expect(error).toBeInstanceOf(ProviderError);
		expect(error.kind).toBe(kind);
		expect(error.message).toContain(message);
	});

	it('takes only a 2xx answer with a verification as done, and throws the rest', async () => {
		const start = (answer: Answer) => twilioVerify.start(fakeContext(CREDS, [answer]).ctx, { to: '+33612345678', channel: 'sms', settings: { serviceSid: ` ${VA} ` } });
		for (const statusCode of [300, 199]) {
			const error = await rejectionOf(start({ statusCode, body: resource() }));
			expect([statusCode, error instanceof ProviderError, error.kind === 'ambiguous']).toEqual([statusCode, true, false]);
		}
		for (const body of [{ ok: true }, { sid: 7 }, '']) expect((await rejectionOf(start({ statusCode: 201, body }))).kind).toBe('ambiguous');
		expect((await start({ statusCode: 201, body: resource() })).status).toBe('pending');
		const check = (answer: Answer) => twilioVerify.check(fakeContext(CREDS, [answer]).ctx, { code: '482910', to: '+33612345678', settings });
		expect((await rejectionOf(check({ statusCode: 500, body: '' }))).kind).toBe('unavailable');
		expect((await rejectionOf(check(err(400, 60200)))).kind).toBe('request');
		expect(await rejectionOf(check(err(400, 20404)))).toBeInstanceOf(ProviderError);
		expect((await rejectionOf(check(err(404, 20003)))).kind).not.toBe('expired');
		expect((await rejectionOf(twilioVerify.cancel!(fakeContext(CREDS, [err(503, 20500)]).ctx, { verificationId: VE, settings }))).kind).toBe('unavailable');
		const badId = await rejectionOf(twilioVerify.check(fakeContext(CREDS, []).ctx, { code: '1234', verificationId: 'VE1', settings }));
		expect(badId.message).toBe('"VE1" is not a Twilio verification SID (VE followed by 32 hexadecimal characters)');
	});

	it('cancels, and a verification already gone is expired, not an error', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'canceled' }) }, err(404, 20404)]);
		expect((await twilioVerify.cancel!(ctx, { verificationId: VE, settings })).status).toBe('canceled');
		expect([requests[0].url, form(requests[0].body)]).toEqual([`${BASE}/Verifications/${VE}`, { Status: 'canceled' }]);
		expect(await twilioVerify.cancel!(ctx, { verificationId: VE, settings })).toMatchObject({ status: 'expired', verificationId: VE });
	});

	it('looks a verification up by SID (a GET, no check used up); one already gone is expired; a bad SID is refused unsent', async () => {
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: resource({ status: 'pending' }) }, err(404, 20404), err(503, 20500)]);
		expect(await twilioVerify.status!(ctx, { verificationId: VE, settings })).toMatchObject({ status: 'pending', valid: false, verificationId: expect.stringMatching(/^VE/) });
		expect([requests[0].method, requests[0].url, requests[0].body]).toEqual(['GET', `${BASE}/Verifications/${VE}`, undefined]);
		expect(await twilioVerify.status!(ctx, { verificationId: VE, settings })).toMatchObject({ status: 'expired', verificationId: VE, reason: expect.stringMatching(/^Twilio has no pending verification/) });
		expect((await rejectionOf(twilioVerify.status!(ctx, { verificationId: VE, settings }))).kind).toBe('unavailable');
		const before = requests.length;
		for (const verificationId of [undefined, '', 'VE1', `SM${'2'.repeat(32)}`, 'x'.repeat(500)]) {
			const error = await rejectionOf(twilioVerify.status!(ctx, { verificationId, settings }));
			expect(error.kind).toBe('request');
			expect(error.message.length).toBeLessThan(250);
		}
		expect(requests.length).toBe(before);
	});

	it('refuses a malformed service or verification SID before asking Twilio', async () => {
		const { ctx, requests } = fakeContext(CREDS, []);
		for (const serviceSid of ['', 'VA123', `MG${'1'.repeat(32)}`, `VA${'g'.repeat(32)}`]) {
			const error = await rejectionOf(twilioVerify.start(ctx, { to: '+33612345678', channel: 'sms', settings: { serviceSid } }));
			expect([error.kind, error.message]).toEqual(['request', `"${serviceSid}" is not a Verify Service SID (VA followed by 32 hexadecimal characters): copy it from Verify → Services in the Twilio console`]);
		}
		for (const verificationId of ['VE1', `SM${'2'.repeat(32)}`]) {
			expect((await rejectionOf(twilioVerify.cancel!(ctx, { verificationId, settings }))).message).toBe(`"${verificationId}" is not a Twilio verification SID (VE followed by 32 hexadecimal characters)`);
			expect((await rejectionOf(twilioVerify.check(ctx, { code: '1234', verificationId, settings }))).kind).toBe('request');
		}
		expect(requests).toHaveLength(0);
	});
});
