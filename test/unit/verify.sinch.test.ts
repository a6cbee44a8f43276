/** Sinch Verification on the wire: the exact requests, and every answer read into the one shape (statuses, not exceptions, for what a workflow branches on). */
import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { sinchVerify } from '../../nodes/shared/providers/sinch/verify';
import { ProviderError } from '../../nodes/shared/rules/errors';
import { fakeContext, rejectionOf, type Answer } from '../helpers/fakeContext';

const CREDS = { smsAuth: 'servicePlan', region: 'us', servicePlanId: 'plan-1', apiToken: 'tok-1', verificationAppKey: 'app-key-1', verificationAppSecret: 'c2VjcmV0LTE=' };
const BASE = 'https://verification.api.sinch.com/verification/v1/verifications';
const ID = '1ce0ffee-c0de-5eed-d00d-f00dfeed1337';
const PHONE = '+33612345678';
const NOW = new Date('2026-11-21T10:00:00Z');
const settings = {};
const JSON_HEADERS = { 'Content-Type': 'application/json; charset=UTF-8', Accept: 'application/json' };
const GET_HEADERS = { Accept: 'application/json' };

const GONE = 'Sinch has no verification for it: it was never started, or Sinch no longer keeps it. Start a new one';
const WRONG = 'The code is not the one sent';
const CLOSED = 'Too many wrong codes: Sinch closed the verification. Start a new one';
const EXPIRED = 'The verification expired before the right code came. Start a new one';
const DONE = 'This verification was already approved: a code is checked once. Start a new one to check again';
const NO_APP = 'Sinch Verification needs the Verification Application Key and Secret: fill them in the Sinch credential (Sinch dashboard → Verification → Apps). Nothing was sent';

/** A status answer, as GET …/id/{id} gives it. */
const verification = (over: Record<string, unknown> = {}) => ({
	id: ID,
	method: 'sms',
	status: 'PENDING',
	identity: { type: 'number', endpoint: PHONE },
	countryId: 'FR',
	verificationTimestamp: '2026-11-21T09:59:00.000',
	...over,
});
const found = (over: Record<string, unknown> = {}): Answer => ({ statusCode: 200, body: verification(over) });
/** A report answer, as PUT …/id/{id} gives it. */
const reported = (status: string, reason?: string, over: Record<string, unknown> = {}): Answer => ({ statusCode: 200, body: { id: ID, method: 'sms', status, ...(reason ? { reason } : {}), ...over } });
const err = (statusCode: number, errorCode?: number | string, message = 'x', headers: Record<string, string> = {}): Answer => ({
	statusCode,
	headers,
	body: errorCode === undefined ? '' : { errorCode, message, reference: 'c01dc0de-0000-4000-8000-000000000000' },
});
const sent = (requests: Array<{ method: string; url: string; headers?: Record<string, string>; body?: string }>) => requests.map((r) => [r.method, r.url, r.headers, r.body]);

describe('Sinch Verification', () => {
	it('is the Sinch provider’s verify capability: three channels, no parameter, no cancel (Sinch has none)', () => {
		expect(PROVIDERS.sinch.verify).toBe(sinchVerify);
		expect(sinchVerify.label).toBe('Sinch Verification');
		expect(sinchVerify.channels.map((c) => [c.value, c.label, c.voice === true])).toEqual([
			['sms', 'SMS', false],
			['flashcall', 'Flash Call', false],
			['callout', 'Voice Callout', true],
		]);
		expect(sinchVerify.startOptions).toEqual({ locale: true, reference: true });
		expect(sinchVerify.properties({ engine: ['sinch'] })).toEqual([]);
		expect(sinchVerify.readSettings({ text: () => 'x', option: () => 'y' })).toEqual({});
		expect(sinchVerify.cancel).toBeUndefined();
		expect(typeof sinchVerify.status).toBe('function');
	});

	it('starts by SMS: the JSON Sinch expects, the locale as Accept-Language, the answer in the one shape', async () => {
		const answer = { id: ID, method: 'sms', sms: { template: 'Your verification code is {{CODE}}.', interceptionTimeout: 298 }, _links: [{ rel: 'status', href: `${BASE}/id/${ID}`, method: 'GET' }] };
		const { ctx, requests } = fakeContext(CREDS, [{ statusCode: 200, body: answer }], NOW);
		const result = await sinchVerify.start(ctx, { to: PHONE, channel: 'sms', locale: 'fr-FR', reference: 'order-1', settings });
		expect(sent(requests)).toEqual([
			['POST', BASE, { ...JSON_HEADERS, 'Accept-Language': 'fr-FR' }, '{"identity":{"type":"number","endpoint":"+33612345678"},"method":"sms","reference":"order-1"}'],
		]);
		expect(result).toEqual({
			verificationId: ID,
			to: PHONE,
			channel: 'sms',
			status: 'pending',
			valid: false,
			attempts: 1,
			expiresAt: '2026-11-21T10:10:00.000Z',
			reason: null,
			raw: answer,
		});
	});

	it('starts a flash call (expiring at its reportTimeout, without the CLI filter that shows part of the code) and a callout (the locale as its voice)', async () => {
		const flash = { id: ID, method: 'flashcall', flashCall: { cliFilter: '(.*)8156(.*)', interceptionTimeout: 45, reportTimeout: 75, denyCallAfter: 0, callId: ID }, _links: [] };
		const { ctx, requests } = fakeContext({ ...CREDS, verificationBaseUrl: 'http://127.0.0.1:4010/' }, [{ statusCode: 200, body: flash }, { statusCode: 200, body: { id: ID, method: 'callout' } }], NOW);
		const started = await sinchVerify.start(ctx, { to: PHONE, channel: 'flashcall', locale: 'fr-FR', settings });
		expect([started.channel, started.expiresAt, started.raw]).toEqual(['flashcall', '2026-11-21T10:01:15.000Z', { id: ID, method: 'flashcall', flashCall: { interceptionTimeout: 45, reportTimeout: 75, denyCallAfter: 0, callId: ID }, _links: [] }]);
		expect(JSON.stringify(started)).not.toContain('8156');
		const callout = await sinchVerify.start(ctx, { to: PHONE, channel: 'callout', locale: 'fr-FR', settings });
		expect([callout.channel, callout.expiresAt]).toEqual(['callout', '2026-11-21T10:10:00.000Z']);
		expect(sent(requests)).toEqual([
			['POST', 'http://127.0.0.1:4010/verification/v1/verifications', JSON_HEADERS, '{"identity":{"type":"number","endpoint":"+33612345678"},"method":"flashcall"}'],
			['POST', 'http://127.0.0.1:4010/verification/v1/verifications', JSON_HEADERS, '{"identity":{"type":"number","endpoint":"+33612345678"},"method":"callout","calloutOptions":{"speech":{"locale":"fr-FR"}}}'],
		]);
	});

	it.each([
		['no key', { ...CREDS, verificationAppKey: '' }],
		['no secret', Object.fromEntries(Object.entries(CREDS).filter(([key]) => key !== 'verificationAppSecret'))],
		['blank key and secret', { ...CREDS, verificationAppKey: '  ', verificationAppSecret: ' ' }],
	])('refuses every call before sending anything when the credential has %s', async (_name, credentials) => {
		const { ctx, requests } = fakeContext(credentials, []);
		for (const call of [
			sinchVerify.start(ctx, { to: PHONE, channel: 'sms', settings }),
			sinchVerify.check(ctx, { code: '1234', verificationId: ID, settings }),
			sinchVerify.status!(ctx, { verificationId: ID, settings }),
		]) {
			const error = await rejectionOf(call);
			expect(error).toBeInstanceOf(ProviderError);
			expect([error.kind, error.message, error.provider]).toEqual(['config', NO_APP, 'sinch']);
		}
		expect(requests).toHaveLength(0);
	});

	it.each([
		['a channel Sinch Verification has not here', { channel: 'whatsapp' }, 'request', 'Sinch Verification has no channel "whatsapp": use sms, flashcall or callout'],
		['a number that is not E.164', { to: '0612345678' }, 'request', '"0612345678" is not a number in E.164 format (+ and the country code), which Sinch Verification needs'],
		['a custom code (Sinch makes its own)', { customCode: '424242' }, 'unsupported', 'Sinch Verification makes its own codes: leave Custom Code empty, or use built-in codes. Nothing was sent'],
	])('refuses to start with %s, sending nothing', async (_name, over, kind, message) => {
		const { ctx, requests } = fakeContext(CREDS, []);
		const error = await rejectionOf(sinchVerify.start(ctx, { to: PHONE, channel: 'sms', settings, ...over }));
		expect([error.kind, error.message]).toEqual([kind, message]);
		expect(requests).toHaveLength(0);
	});

	it.each([
		['a bad signature', err(401, 40102, 'Invalid signature.'), 'auth', '40102', 'Sinch refused the request signature (Sinch 40102): paste the Verification Application Secret into the Sinch credential exactly as the dashboard shows it (base64)'],
		['a 401 with no Sinch answer', err(401), 'auth', '40100', 'Sinch refused the Verification authorization (Sinch 40100): check the Verification Application Key and Secret in the Sinch credential (Sinch dashboard → Verification → Apps)'],
		['a 403 with no Sinch answer', err(403), 'auth', undefined, 'Sinch refused the credentials (Sinch, HTTP 403)'],
		['an old timestamp', err(401, 40101), 'auth', '40101', "Sinch refused the request's timestamp (Sinch 40101): check this machine's clock: it must be within a few minutes of the real time"],
		['an invalid number', err(400, 40001, 'Number +4813 is invalid. Too short.'), 'request', '40001', 'Sinch Verification refused a parameter (Sinch 40001): check the number (E.164, with + and the country code) and the channel'],
		['a reference used before', err(409, 40900), 'request', '40900', 'Another verification already has this reference (Sinch 40900): give each verification its own reference, or leave it empty'],
		['no credit', err(402, 40200), 'config', '40200', 'The Sinch account has not enough credit (Sinch 40200): top up the account in the Sinch dashboard'],
		['a blocked number', err(403, 40300), 'recipient', '40300', 'Sinch Verification refused to verify this number (Sinch 40300): the number is blocked, or the channel is not offered for its country: try another channel'],
		['no route', err(422, 42201), 'recipient', '42201', 'Sinch has no route to this number for the channel (Sinch 42201): check the number, or choose another channel (a landline takes a voice callout)'],
		['too many starts for the number', err(429, 42901, 'x', { 'Retry-After': '30' }), 'rateLimited', '42901', 'Too many verifications for this number in a short time (Sinch 42901): wait a few minutes before starting another one'],
		['Sinch down', err(503, 50300), 'unavailable', '50300', 'Sinch Verification is unavailable for now (Sinch 50300): try again later'],
		['a 500 with no Sinch answer', err(500), 'unavailable', undefined, 'Sinch is failing or unavailable (Sinch, HTTP 500)'],
		['a 2xx without a verification', { statusCode: 200, body: { method: 'sms' } }, 'ambiguous', undefined, expect.stringMatching(/^Sinch gave an answer that could not be read/)],
	])('turns a start answered with %s into a ProviderError', async (_name, answer, kind, code, message) => {
		const error = await rejectionOf(sinchVerify.start(fakeContext(CREDS, [answer]).ctx, { to: PHONE, channel: 'sms', settings }));
		expect(error).toBeInstanceOf(ProviderError);
		expect([error.kind, error.code, error.httpStatus, error.message]).toEqual([kind, code, answer.statusCode, message]);
		if (kind === 'rateLimited') expect(error.retryAfterMs).toBe(30_000);
	});

	it.each([
		['right', reported('SUCCESSFUL'), undefined, 'approved', true, null],
		['wrong, with reports left', reported('FAIL', 'Invalid code'), found(), 'denied', false, WRONG],
		['wrong, and the verification closed by it', reported('FAIL', 'Invalid code'), found({ status: 'FAIL', reason: 'Invalid code' }), 'max_attempts_reached', false, CLOSED],
		['wrong, and it expired meanwhile', reported('FAIL', 'Invalid code'), found({ status: 'FAIL', reason: 'Expired' }), 'expired', false, EXPIRED],
		['wrong, and the look-up after it failing', reported('FAIL', 'Invalid code'), err(503, 50300), 'denied', false, WRONG],
		['expired', reported('FAIL', 'Expired'), undefined, 'expired', false, EXPIRED],
		['undelivered', reported('FAIL', 'SMS delivery failure'), undefined, 'failed', false, 'Sinch Verification failed: SMS delivery failure'],
		['failed with no reason', reported('FAIL'), undefined, 'failed', false, 'Sinch Verification failed: no reason given'],
		['denied as fraud', reported('DENIED', 'Fraud'), undefined, 'denied', false, 'Sinch Verification denied it: Fraud'],
		['aborted', reported('ABORTED', 'Failed pending'), undefined, 'canceled', false, 'Sinch Verification aborted it: Failed pending'],
		['in error', reported('ERROR'), undefined, 'failed', false, 'Sinch Verification had an error'],
		['still pending', reported('PENDING'), undefined, 'denied', false, WRONG],
		['a status Sinch may add later', reported('SOMETHING_NEW'), undefined, 'failed', false, 'Sinch Verification answered "SOMETHING_NEW"'],
	])('checks a code by ID (%s) into a status to branch on', async (_name, answer, after, status, valid, reason) => {
		const { ctx, requests } = fakeContext(CREDS, [found(), answer, ...(after ? [after] : [])]);
		const result = await sinchVerify.check(ctx, { code: 'QZ7X9K', verificationId: ID, to: PHONE, settings });
		expect([result.status, result.valid, result.reason, result.verificationId, result.channel, result.attempts, result.expiresAt]).toEqual([status, valid, reason, ID, 'sms', null, null]);
		expect(sent(requests).slice(0, 2)).toEqual([
			['GET', `${BASE}/id/${ID}`, GET_HEADERS, undefined],
			['PUT', `${BASE}/id/${ID}`, JSON_HEADERS, '{"method":"sms","sms":{"code":"QZ7X9K"}}'],
		]);
		// Only a wrong code is looked up again, to tell a closed verification from one with reports left.
		expect(sent(requests).slice(2)).toEqual(after ? [['GET', `${BASE}/id/${ID}`, GET_HEADERS, undefined]] : []);
		expect(JSON.stringify(result)).not.toContain('QZ7X9K');
	});

	it.each([
		['approved (a code is checked once)', { status: 'SUCCESSFUL' }, 'expired', DONE],
		['expired', { status: 'FAIL', reason: 'Expired' }, 'expired', EXPIRED],
		['closed by wrong codes', { status: 'FAIL', reason: 'Invalid code' }, 'max_attempts_reached', CLOSED],
		['denied', { status: 'DENIED', reason: 'Blocked' }, 'denied', 'Sinch Verification denied it: Blocked'],
		['aborted', { status: 'ABORTED' }, 'canceled', 'Sinch Verification aborted it'],
	])('does not report a code for a verification already finished (%s)', async (_name, over, status, reason) => {
		const { ctx, requests } = fakeContext(CREDS, [found(over)]);
		const result = await sinchVerify.check(ctx, { code: '1234', verificationId: ID, settings });
		expect([result.status, result.valid, result.reason, result.verificationId, result.to]).toEqual([status, false, reason, ID, PHONE]);
		expect(requests).toHaveLength(1);
	});

	it('checks by number: finds the verification by method (a pending one before a finished one), then reports by number', async () => {
		const { ctx, requests } = fakeContext(CREDS, [
			found({ status: 'SUCCESSFUL' }),
			found({ method: 'callout', id: 'callout-1' }),
			{ statusCode: 200, body: { id: 'callout-1', method: 'callout', status: 'SUCCESSFUL', callComplete: true } },
		]);
		const result = await sinchVerify.check(ctx, { code: '482 910', to: PHONE, settings });
		expect([result.status, result.valid, result.verificationId, result.channel, result.to]).toEqual(['approved', true, 'callout-1', 'callout', PHONE]);
		expect(sent(requests)).toEqual([
			['GET', `${BASE}/sms/number/${PHONE}`, GET_HEADERS, undefined],
			['GET', `${BASE}/callout/number/${PHONE}`, GET_HEADERS, undefined],
			['PUT', `${BASE}/number/${PHONE}`, JSON_HEADERS, '{"method":"callout","callout":{"code":"482910"}}'],
		]);
	});

	it('checks a flash call with the caller ID (a number), as flashCall.cli', async () => {
		const { ctx, requests } = fakeContext(CREDS, [found({ method: 'flashcall' }), reported('SUCCESSFUL', undefined, { method: 'flashcall', callComplete: true })]);
		const result = await sinchVerify.check(ctx, { code: '+46 10-123 45 67', to: PHONE, settings });
		expect([result.status, result.channel]).toEqual(['approved', 'flashcall']);
		expect(sent(requests)).toEqual([
			['GET', `${BASE}/flashcall/number/${PHONE}`, GET_HEADERS, undefined],
			['PUT', `${BASE}/number/${PHONE}`, JSON_HEADERS, '{"method":"flashcall","flashCall":{"cli":"+46101234567"}}'],
		]);
		const wrong = fakeContext(CREDS, [found({ method: 'flashcall' }), reported('FAIL', 'Invalid CLI', { method: 'flashcall' }), found({ method: 'flashcall' })]);
		const denied = await sinchVerify.check(wrong.ctx, { code: '+46101111111', verificationId: ID, settings });
		// Checked by ID, the number comes from the verification Sinch described.
		expect([denied.status, denied.reason, denied.to]).toEqual(['denied', 'The number given is not the one the flash call came from', PHONE]);
	});

	it('a number Sinch has no verification for, or a verification it does not know, is expired (gone), not an error', async () => {
		const byNumber = fakeContext(CREDS, [err(404, 40400), err(404, 40400)]);
		expect(await sinchVerify.check(byNumber.ctx, { code: '1234', to: PHONE, settings })).toEqual({
			verificationId: null,
			to: PHONE,
			channel: null,
			status: 'expired',
			valid: false,
			attempts: null,
			expiresAt: null,
			reason: GONE,
			raw: { errorCode: 40400, message: 'x', reference: 'c01dc0de-0000-4000-8000-000000000000' },
		});
		expect(byNumber.requests.map((r) => r.url)).toEqual([`${BASE}/sms/number/${PHONE}`, `${BASE}/callout/number/${PHONE}`]);
		const byId = fakeContext(CREDS, [{ statusCode: 404, body: 'Not Found' }]);
		expect(await sinchVerify.check(byId.ctx, { code: '1234', verificationId: ID, settings })).toMatchObject({ status: 'expired', reason: GONE, verificationId: ID, raw: {} });
		// Gone between the look-up and the report.
		const meanwhile = fakeContext(CREDS, [found(), err(404, 40400)]);
		expect(await sinchVerify.check(meanwhile.ctx, { code: '1234', verificationId: ID, settings })).toMatchObject({ status: 'expired', reason: GONE, channel: 'sms' });
	});

	it.each(['', '123', 'abc', 'ABCDEFGHIJK', '12 34 5é', '💥💥💥💥', '+0123456', '++46101234567'])('denies the code %p without asking Sinch (it is neither a code nor a caller ID)', async (code) => {
		const { ctx, requests } = fakeContext(CREDS, []);
		const result = await sinchVerify.check(ctx, { code, verificationId: ID, settings });
		expect([result.status, result.valid, result.reason]).toEqual(['denied', false, 'A code has 4 to 10 letters or digits; a flash call is checked with the number it came from (its caller ID), such as +46101234567']);
		expect(requests).toHaveLength(0);
	});

	it('denies a code of the wrong kind for the verification without reporting it (no report used up)', async () => {
		const flash = fakeContext(CREDS, [found({ method: 'flashcall' })]);
		expect((await sinchVerify.check(flash.ctx, { code: '1234', verificationId: ID, settings })).reason).toBe('A flash call is checked with the number it came from (its caller ID), such as +46101234567');
		const sms = fakeContext(CREDS, [found()]);
		expect((await sinchVerify.check(sms.ctx, { code: '+46101234567', verificationId: ID, settings })).reason).toBe('A code has 4 to 10 letters or digits');
		expect([flash.requests.length, sms.requests.length]).toEqual([1, 1]);
	});

	it('keeps the code out of errors, even where Sinch echoes it', async () => {
		const { ctx } = fakeContext(CREDS, [found(), err(400, 40001, 'The code QZ7X9K is not valid.')]);
		const error = await rejectionOf(sinchVerify.check(ctx, { code: 'QZ7X9K', verificationId: ID, settings }));
		expect([error.kind, error.code, error.providerMessage]).toEqual(['request', '40001', 'The code … is not valid.']);
		expect(JSON.stringify({ ...error, message: error.message })).not.toContain('QZ7X9K');
	});

	it.each([
		['the look-up refused (bad signature)', [err(401, 40102)], 'auth'],
		['the look-up failing', [err(503, 50300)], 'unavailable'],
		['the look-up answered without a status (a read: safe to send again)', [{ statusCode: 200, body: { id: ID } }], 'unavailable'],
		['the report rate-limited', [found(), err(429, 42900)], 'rateLimited'],
		['the report answered without a status', [found(), { statusCode: 200, body: { id: ID } }], 'ambiguous'],
	])('throws when a check meets %s', async (_name, answers, kind) => {
		expect((await rejectionOf(sinchVerify.check(fakeContext(CREDS, answers).ctx, { code: '1234', verificationId: ID, settings }))).kind).toBe(kind);
	});

	it.each([
		['a verification ID Sinch never gives', { verificationId: '../id/x' }, '"../id/x" is not a Sinch verification ID (letters, digits and dashes, as a start returned it)'],
		['a number that is not E.164', { to: '0612345678' }, '"0612345678" is not a number in E.164 format (+ and the country code), which Sinch Verification needs'],
		['neither an ID nor a number', {}, 'Sinch Verification needs the verification ID a start returned, or the number'],
	])('refuses to check with %s, sending nothing', async (_name, over, message) => {
		const { ctx, requests } = fakeContext(CREDS, []);
		const error = await rejectionOf(sinchVerify.check(ctx, { code: '1234', settings, ...over }));
		expect([error.kind, error.message]).toEqual(['request', message]);
		expect(requests).toHaveLength(0);
	});

	it.each([
		['PENDING', {}, 'pending', false, null],
		['SUCCESSFUL', { status: 'SUCCESSFUL' }, 'approved', true, null],
		['FAIL "Invalid code"', { status: 'FAIL', reason: 'Invalid code' }, 'max_attempts_reached', false, CLOSED],
		['FAIL "Invalid CLI"', { status: 'FAIL', reason: 'Invalid CLI' }, 'max_attempts_reached', false, CLOSED],
		['FAIL "Expired"', { status: 'FAIL', reason: 'Expired' }, 'expired', false, EXPIRED],
		['FAIL "Network error or number unreachable"', { status: 'FAIL', reason: 'Network error or number unreachable' }, 'failed', false, 'Sinch Verification failed: Network error or number unreachable'],
		['DENIED "Blocked"', { status: 'DENIED', reason: 'Blocked' }, 'denied', false, 'Sinch Verification denied it: Blocked'],
		['DENIED without a reason', { status: 'DENIED' }, 'denied', false, 'Sinch Verification denied it: no reason given'],
		['ABORTED', { status: 'ABORTED', reason: 'Hung up without entering valid code' }, 'canceled', false, 'Sinch Verification aborted it: Hung up without entering valid code'],
		['ERROR "Internal error"', { status: 'ERROR', reason: 'Internal error' }, 'failed', false, 'Sinch Verification had an error: Internal error'],
	])('reads a status by ID (%s) without using up a check', async (_name, over, status, valid, reason) => {
		const { ctx, requests } = fakeContext(CREDS, [found(over)]);
		const result = await sinchVerify.status!(ctx, { verificationId: ID, settings });
		expect(result).toEqual({ verificationId: ID, to: PHONE, channel: 'sms', status, valid, attempts: null, expiresAt: null, reason, raw: verification(over) });
		expect(sent(requests)).toEqual([['GET', `${BASE}/id/${ID}`, GET_HEADERS, undefined]]);
	});

	it('reads a status by number: with a channel at its method, without one at each method in turn', async () => {
		const withChannel = fakeContext(CREDS, [found({ method: 'callout', callComplete: true, callResult: 'ANSWERED' })]);
		expect((await sinchVerify.status!(withChannel.ctx, { to: PHONE, channel: 'callout', settings })).channel).toBe('callout');
		expect(withChannel.requests.map((r) => r.url)).toEqual([`${BASE}/callout/number/${PHONE}`]);
		const without = fakeContext(CREDS, [err(404, 40400), err(404, 40400), err(404, 40400)]);
		expect(await sinchVerify.status!(without.ctx, { to: PHONE, settings })).toMatchObject({ status: 'expired', reason: GONE, to: PHONE, verificationId: null });
		expect(without.requests.map((r) => r.url)).toEqual([`${BASE}/sms/number/${PHONE}`, `${BASE}/flashcall/number/${PHONE}`, `${BASE}/callout/number/${PHONE}`]);
		expect((await rejectionOf(sinchVerify.status!(fakeContext(CREDS, []).ctx, { to: PHONE, channel: 'whatsapp', settings }))).kind).toBe('request');
		expect((await rejectionOf(sinchVerify.status!(fakeContext(CREDS, [err(401, 40107)]).ctx, { verificationId: ID, settings }))).code).toBe('40107');
	});

	it('drops whatever could give a code away from raw, at any depth', async () => {
		const body = verification({ status: 'SUCCESSFUL', flashCall: { cli: '+46101234567', cliFilter: '(.*)1012(.*)', interceptionTimeout: 45 }, sms: { code: '1234', template: 'x' }, list: [{ Code: '1' }] });
		const result = await sinchVerify.status!(fakeContext(CREDS, [{ statusCode: 200, body }]).ctx, { verificationId: ID, settings });
		expect(result.raw).toEqual(verification({ status: 'SUCCESSFUL', flashCall: { interceptionTimeout: 45 }, sms: { template: 'x' }, list: [{}] }));
	});
});
