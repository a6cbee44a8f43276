/**
 * The official Sinch SDK's Verification client (@sinch/sdk-core, @sinch/verification 1.x) against the sandbox: start
 * by SMS, flash call and callout, report right and wrong codes by ID and by number, read statuses, and Sinch's limits
 * and errors as the sandbox plays them. Then our own capability (nodes/shared/providers/sinch/verify.ts), signed by
 * the Sinch credential exactly as n8n signs it, against the same sandbox.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';
import { VerificationService } from '@sinch/sdk-core';
import { MessagingSinchApi } from '../../credentials/MessagingSinchApi.credentials';
import { sinchVerify } from '../../nodes/shared/providers/sinch/verify';
import type { ProviderContext, ProviderHttpRequest } from '../../nodes/shared/providers/types';
import { ProviderError } from '../../nodes/shared/rules/errors';
import { sinchApplicationAuthorization } from '../../nodes/shared/signatures/sinch';
import { rejectionOf } from '../helpers/fakeContext';
import { useSandbox } from '../helpers/sandbox';

// 10 minutes of Verification time pass in 1.2 s.
const box = useSandbox({ timeScale: 0.002 });
const PHONE = '+33612345678';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const app = () => box.get().accounts.sinch;
/** The SDK logs every failed answer at debug level: the refusals here are on purpose. */
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sdk = (applicationSecret = app().verificationAppSecret) =>
	new VerificationService({ applicationKey: app().verificationAppKey, applicationSecret, verificationHostname: box.get().url, logger: quiet });

/** What the phone page shows for a number: the texts and calls Sinch Verification sent it. */
const onPhone = (to = PHONE) => [...box.get().messages.values()].filter((m) => m.to === to && m.from === 'Sinch Verification').map((m) => m.body);
/** The code as the phone got it: the SMS's last word, the digits read out, or the flash call's caller ID. */
const codeOnPhone = (to = PHONE) => {
	const last = onPhone(to).pop() ?? '';
	const call = /^\(voice call\) Your verification code is ([\d ]+)$/.exec(last);
	if (call) return call[1].replace(/ /g, '');
	return /(\+?\w+)\.?$/.exec(last)?.[1] ?? '';
};
const wrong = (code: string) => (code === '0000' ? '1111' : '0000');

/** The error body of a refusal the SDK threw. */
async function refusal(promise: Promise<unknown>): Promise<{ statusCode: number; body: Record<string, unknown> }> {
	const error = await rejectionOf(promise);
	return { statusCode: error.statusCode, body: JSON.parse(error.data) };
}

/** A request to the sandbox's Verification API signed with our own signer (or not), made with plain fetch. */
async function signedFetch(method: string, path: string, body = '', options: { secret?: string; timestamp?: string; contentType?: string; authorization?: string } = {}) {
	const contentType = options.contentType ?? (body ? 'application/json; charset=UTF-8' : '');
	const timestamp = options.timestamp ?? new Date().toISOString();
	const authorization =
		options.authorization ??
		sinchApplicationAuthorization({ applicationKey: app().verificationAppKey, applicationSecret: options.secret ?? app().verificationAppSecret, method, contentType, timestamp, path, body });
	const headers: Record<string, string> = { 'x-timestamp': timestamp, Authorization: authorization };
	if (contentType) headers['Content-Type'] = contentType;
	const response = await fetch(`${box.get().url}${path}`, { method, headers, body: body || undefined });
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const START = '/verification/v1/verifications';
const startBody = (endpoint = PHONE, method = 'sms', extra: Record<string, unknown> = {}) => JSON.stringify({ identity: { type: 'number', endpoint }, method, ...extra });

describe('@sinch/sdk-core Verification against the sandbox', () => {
	it('starts an SMS verification, refuses a wrong code, accepts the right one by ID, and reads the status', async () => {
		const started = await sdk().verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint: PHONE } } });
		expect(started.id).toMatch(UUID);
		expect([started.method, started.sms?.template, started.sms?.interceptionTimeout]).toEqual(['sms', 'Your verification code is {{CODE}}.', 300]);
		const href = `${box.get().url}/verification/v1/verifications/id/${started.id}`;
		expect(started._links).toEqual([
			{ rel: 'status', href, method: 'GET' },
			{ rel: 'report', href, method: 'PUT' },
		]);
		const id = String(started.id);
		const code = codeOnPhone();
		expect(onPhone()).toEqual([`Your verification code is ${code}.`]);
		expect(code).toMatch(/^\d{4}$/);

		const denied = await sdk().verifications.reportSmsById({ id, reportSmsVerificationByIdRequestBody: { sms: { code: wrong(code) } } });
		expect(denied).toEqual({ id, method: 'sms', status: 'FAIL', reason: 'Invalid code' });
		expect((await sdk().verificationStatus.getById({ id })).status).toBe('PENDING');

		const approved = await sdk().verifications.reportSmsById({ id, reportSmsVerificationByIdRequestBody: { sms: { code } } });
		expect(approved).toEqual({ id, method: 'sms', status: 'SUCCESSFUL' });
		const status = (await sdk().verificationStatus.getById({ id })) as Record<string, unknown>;
		expect(status).toMatchObject({ id, method: 'sms', status: 'SUCCESSFUL', identity: { type: 'number', endpoint: PHONE }, countryId: 'FR', price: { verificationPrice: { currencyId: 'EUR' } } });
		// Sinch writes verificationTimestamp without the Z; the SDK revives it as a Date all the same.
		expect(status.verificationTimestamp).toBeInstanceOf(Date);

		// A finished verification answers its final status, whatever is reported.
		expect((await sdk().verifications.reportSmsById({ id, reportSmsVerificationByIdRequestBody: { sms: { code: wrong(code) } } })).status).toBe('SUCCESSFUL');
	});

	it('reports by number, takes the SMS language from Accept-Language, and reads the status by method and number', async () => {
		const started = await sdk().verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint: PHONE }, smsOptions: { locale: 'sv-SE', codeType: 'Alpha' } } });
		expect(started.sms?.template).toBe('Din verifieringskod är {{CODE}}.');
		const code = codeOnPhone();
		expect(code).toMatch(/^[A-Z]{4}$/);
		expect(onPhone()).toEqual([`Din verifieringskod är ${code}.`]);
		expect((await sdk().verificationStatus.getByIdentity({ endpoint: PHONE, method: 'sms' })).status).toBe('PENDING');
		const approved = await sdk().verifications.reportSmsByIdentity({ endpoint: PHONE, reportSmsVerificationByIdentityRequestBody: { sms: { code: code.toLowerCase() } } });
		expect([approved.id, approved.status]).toEqual([started.id, 'SUCCESSFUL']);
		expect((await sdk().verificationStatus.getByIdentity({ endpoint: PHONE, method: 'sms' })).status).toBe('SUCCESSFUL');
		expect(await refusal(sdk().verificationStatus.getByIdentity({ endpoint: PHONE, method: 'callout' }))).toMatchObject({ statusCode: 404, body: { errorCode: 40400 } });
	});

	it('starts a flash call: the caller ID is the code, reported as a CLI; the reference finds it', async () => {
		const started = await sdk().verifications.startFlashCall({ startVerificationWithFlashCallRequestBody: { identity: { type: 'number', endpoint: PHONE }, reference: 'order-42' } });
		const cli = codeOnPhone();
		expect(onPhone()).toEqual([`(flash call) Missed call from ${cli}`]);
		expect(cli).toMatch(/^\+4610\d{7}$/);
		expect(started.method).toBe('flashcall');
		expect(started.flashCall).toEqual({ cliFilter: `(.*)${cli.slice(3, 7)}(.*)`, interceptionTimeout: 45, reportTimeout: 600, denyCallAfter: 0, callId: started.id });
		const id = String(started.id);

		const denied = await sdk().verifications.reportFlashCallByIdentity({ endpoint: PHONE, reportFlashCallVerificationByIdentityRequestBody: { flashCall: { cli: '+46101111111' } } });
		expect(denied).toEqual({ id, method: 'flashcall', status: 'FAIL', reason: 'Invalid CLI', reference: 'order-42', callComplete: true });
		const approved = await sdk().verifications.reportFlashCallById({ id, reportFlashCallVerificationByIdRequestBody: { flashCall: { cli } } });
		expect(approved).toEqual({ id, method: 'flashcall', status: 'SUCCESSFUL', reference: 'order-42', callComplete: true });
		expect(await sdk().verificationStatus.getByReference({ reference: 'order-42' })).toMatchObject({ id, method: 'flashcall', status: 'SUCCESSFUL', reference: 'order-42', callComplete: true, callResult: 'ANSWERED' });

		const again = sdk().verifications.startFlashCall({ startVerificationWithFlashCallRequestBody: { identity: { type: 'number', endpoint: PHONE }, reference: 'order-42' } });
		expect(await refusal(again)).toMatchObject({ statusCode: 409, body: { errorCode: 40900, message: 'Reference already defined.' } });
	});

	it('starts a callout: the code is read out; reported by number, read back as a phone call', async () => {
		const started = await sdk().verifications.startPhoneCall({ startVerificationWithPhoneCallRequestBody: { identity: { type: 'number', endpoint: PHONE }, phoneCallOptions: { speech: { locale: 'fr-FR' } } } });
		expect([started.method, started._links?.length]).toEqual(['callout', 2]);
		expect(onPhone()[0]).toMatch(/^\(voice call\) Your verification code is \d \d \d \d$/);
		const approved = await sdk().verifications.reportPhoneCallByIdentity({ endpoint: PHONE, reportPhoneCallVerificationByIdentityRequestBody: { phoneCall: { code: codeOnPhone() } } });
		expect(approved).toEqual({ id: started.id, method: 'callout', status: 'SUCCESSFUL', callComplete: true });
		expect(await sdk().verificationStatus.getByIdentity({ endpoint: PHONE, method: 'phonecall' })).toMatchObject({ id: started.id, method: 'callout', status: 'SUCCESSFUL', callResult: 'ANSWERED' });
	});

	it('takes 5 reports: the 5th wrong code closes the verification, and the right code no longer helps', async () => {
		const { id } = await sdk().verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint: PHONE } } });
		const code = codeOnPhone();
		for (let i = 1; i <= 5; i++) {
			const answer = await sdk().verifications.reportSmsById({ id: String(id), reportSmsVerificationByIdRequestBody: { sms: { code: wrong(code) } } });
			expect([answer.status, answer.reason]).toEqual(['FAIL', 'Invalid code']);
			expect((await sdk().verificationStatus.getById({ id: String(id) })).status).toBe(i < 5 ? 'PENDING' : 'FAIL');
		}
		const late = await sdk().verifications.reportSmsById({ id: String(id), reportSmsVerificationByIdRequestBody: { sms: { code } } });
		expect([late.status, late.reason]).toEqual(['FAIL', 'Invalid code']);
		expect(await sdk().verificationStatus.getById({ id: String(id) })).toMatchObject({ status: 'FAIL', reason: 'Invalid code' });
	});

	it('takes 5 starts for a number in 10 minutes (scaled): the 6th is refused with 42901, another number is not', async () => {
		const start = (endpoint: string) => sdk().verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint } } });
		const ids = new Set<string>();
		for (let i = 0; i < 5; i++) ids.add(String((await start(PHONE)).id));
		expect(ids.size).toBe(5);
		expect(await refusal(start(PHONE))).toMatchObject({ statusCode: 429, body: { errorCode: 42901, message: 'Cannot initiate verification to the same number too quickly.' } });
		expect((await start('+33612345679')).id).toMatch(UUID);
		// Reporting by number reaches the newest verification.
		const approved = await sdk().verifications.reportSmsByIdentity({ endpoint: PHONE, reportSmsVerificationByIdentityRequestBody: { sms: { code: codeOnPhone() } } });
		expect(approved.id).toBe([...ids].pop());
		await new Promise((resolve) => setTimeout(resolve, 1300));
		expect((await start(PHONE)).id).toMatch(UUID);
	});

	it('expires after 10 minutes (scaled): the right code then answers FAIL "Expired"', async () => {
		const { id } = await sdk().verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint: PHONE } } });
		const code = codeOnPhone();
		await new Promise((resolve) => setTimeout(resolve, 1300));
		const late = await sdk().verifications.reportSmsById({ id: String(id), reportSmsVerificationByIdRequestBody: { sms: { code } } });
		expect(late).toEqual({ id, method: 'sms', status: 'FAIL', reason: 'Expired' });
		expect(await sdk().verificationStatus.getById({ id: String(id) })).toMatchObject({ status: 'FAIL', reason: 'Expired' });
		// smsOptions.expiry sets another lifetime.
		const short = await sdk().verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint: '+33612345679' }, smsOptions: { expiry: '00:01:00' } } });
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect((await sdk().verificationStatus.getById({ id: String(short.id) })).reason).toBe('Expired');
	});

	it('refuses what is not signed right with 401 in Sinch shape, and takes Basic key:secret', async () => {
		const denied = await signedFetch('POST', START, startBody(), { secret: Buffer.from('not-the-secret').toString('base64') });
		expect(denied.status).toBe(401);
		expect(denied.body).toEqual({ errorCode: 40102, message: 'Invalid signature.', reference: expect.stringMatching(UUID) });
		expect(onPhone()).toEqual([]);
		expect(await refusal(sdk(Buffer.from('wrong').toString('base64')).verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint: PHONE } } }))).toMatchObject({
			statusCode: 401,
			body: { errorCode: 40102 },
		});
		const stale = await signedFetch('POST', START, startBody(), { timestamp: new Date(Date.now() - 16 * 60_000).toISOString() });
		expect([stale.status, stale.body.errorCode]).toEqual([401, 40101]);
		expect((await signedFetch('POST', START, startBody(), { timestamp: new Date(Date.now() - 14 * 60_000).toISOString() })).status).toBe(200);
		const none = await signedFetch('GET', `${START}/id/x`, '', { authorization: '' });
		expect([none.status, none.body.errorCode]).toEqual([401, 40104]);
		const bearer = await signedFetch('GET', `${START}/id/x`, '', { authorization: 'Bearer abc' });
		expect([bearer.status, bearer.body.errorCode]).toEqual([401, 40100]);
		const publicOnly = await signedFetch('POST', START, startBody(), { authorization: `Application ${app().verificationAppKey}` });
		expect([publicOnly.status, publicOnly.body.errorCode]).toEqual([403, 40303]);
		// The body changed after signing.
		const signature = sinchApplicationAuthorization({ applicationKey: app().verificationAppKey, applicationSecret: app().verificationAppSecret, method: 'POST', contentType: 'application/json', timestamp: new Date().toISOString(), path: START, body: startBody() });
		const tampered = await signedFetch('POST', START, startBody('+33612345679'), { authorization: signature, contentType: 'application/json' });
		expect([tampered.status, tampered.body.errorCode]).toEqual([401, 40102]);

		const basic = `Basic ${Buffer.from(`${app().verificationAppKey}:${app().verificationAppSecret}`).toString('base64')}`;
		const started = await signedFetch('POST', START, startBody(), { authorization: basic });
		expect([started.status, started.body.method]).toEqual([200, 'sms']);
		const wrongBasic = await signedFetch('POST', START, startBody(), { authorization: `Basic ${Buffer.from(`${app().verificationAppKey}:nope`).toString('base64')}` });
		expect([wrongBasic.status, wrongBasic.body.errorCode]).toEqual([401, 40107]);
	});

	it('answers malformed requests with 400, unknown verifications with 404, in Sinch shape', async () => {
		const cases: Array<[string, string, string, string | undefined, number, number, string?]> = [
			['POST', START, '{"identity":', undefined, 400, 40001, 'The request body is not a valid JSON object.'],
			['POST', START, startBody(), 'text/plain', 400, 40001, 'Content-Type must be application/json.'],
			['POST', START, '{"method":"sms"}', undefined, 400, 40001, 'identity is required.'],
			['POST', START, startBody('+4813'), undefined, 400, 40001, 'Number +4813 is invalid. Too short.'],
			['POST', START, startBody('33612345678'), undefined, 400, 40001, 'Number 33612345678 is invalid. Missing + sign.'],
			['POST', START, startBody('+12125550101'), undefined, 400, 40001, 'Number +12125550101 is invalid.'],
			['POST', START, startBody(PHONE, 'pigeon'), undefined, 400, 40001, 'method must be one of sms, flashcall, callout, whatsapp.'],
			['POST', START, startBody(PHONE, 'seamless'), undefined, 403, 40300, 'Seamless verification not available for given destination.'],
			['POST', START, startBody('+12125550103'), undefined, 422, 42201, 'No route to destination.'],
			['POST', START, startBody(PHONE, 'sms', { smsOptions: { codeType: 'Emoji' } }), undefined, 400, 40001],
			['POST', START, startBody(PHONE, 'sms', { reference: 7 }), undefined, 400, 40001, 'reference must be a string.'],
			['GET', `${START}/id/00000000-0000-4000-8000-000000000000`, '', undefined, 404, 40400, 'Requested resource was not found.'],
			['PUT', `${START}/id/00000000-0000-4000-8000-000000000000`, '{"method":"sms","sms":{"code":"1234"}}', undefined, 404, 40400],
			['PUT', `${START}/number/${PHONE}`, '{"method":"sms","sms":{"code":"12345678901"}}', undefined, 400, 40001],
			['PUT', `${START}/number/${PHONE}`, '{"method":"sms"}', undefined, 400, 40001, 'sms is required.'],
			['GET', `${START}/pigeon/number/${PHONE}`, '', undefined, 404, 40400],
			['DELETE', `${START}/id/x`, '', undefined, 405, 40500],
			['GET', '/verification/v2/nothing', '', undefined, 404, 40400],
		];
		for (const [method, path, body, contentType, status, errorCode, message] of cases) {
			const answer = await signedFetch(method, path, body, { contentType });
			expect([method, path, answer.status, answer.body.errorCode]).toEqual([method, path, status, errorCode]);
			if (message) expect(answer.body.message).toBe(message);
			expect(Object.keys(answer.body).sort()).toEqual(['errorCode', 'message', 'reference']);
		}
		expect(onPhone('+12125550103')).toEqual([]);
		expect(box.get().errors).toEqual([]);
	});

	it('an unreachable number ends FAIL, a filtered one DENIED, with nothing on the phone; a reset forgets every verification', async () => {
		const unreachable = await sdk().verifications.startSms({ startVerificationWithSmsRequestBody: { identity: { type: 'number', endpoint: '+12125550104' } } });
		const filtered = await sdk().verifications.startPhoneCall({ startVerificationWithPhoneCallRequestBody: { identity: { type: 'number', endpoint: '+12125550105' } } });
		const statusOf = async (id: unknown) => (await sdk().verificationStatus.getById({ id: String(id) })) as Record<string, unknown>;
		// Sinch gives up shortly after the start (600 ms of sandbox time).
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(await statusOf(unreachable.id)).toMatchObject({ status: 'FAIL', reason: 'Network error or number unreachable' });
		expect(await statusOf(filtered.id)).toMatchObject({ status: 'DENIED', reason: 'Blocked', callResult: 'FAILED' });
		expect([...onPhone('+12125550104'), ...onPhone('+12125550105')]).toEqual([]);
		box.get().reset();
		expect(await refusal(sdk().verificationStatus.getById({ id: String(filtered.id) }))).toMatchObject({ statusCode: 404 });
	});
});

/** A ProviderContext whose requests are signed by the Sinch credential as n8n signs them, and sent with fetch. */
function capabilityContext(credentialsOver: ICredentialDataDecryptedObject = {}) {
	const credentials: ICredentialDataDecryptedObject = {
		smsAuth: 'servicePlan',
		region: 'us',
		servicePlanId: app().servicePlanId,
		apiToken: app().apiToken,
		verificationAppKey: app().verificationAppKey,
		verificationAppSecret: app().verificationAppSecret,
		verificationBaseUrl: box.get().url,
		...credentialsOver,
	};
	const credential = new MessagingSinchApi();
	const requests: ProviderHttpRequest[] = [];
	const ctx: ProviderContext = {
		credentials,
		now: () => new Date(),
		http: async (request) => {
			requests.push(request);
			const options: IHttpRequestOptions = { method: request.method, url: request.url, headers: request.headers, body: request.body };
			const signed = await credential.authenticate(credentials, options);
			const response = await fetch(signed.url, { method: signed.method, headers: signed.headers as Record<string, string>, body: signed.body as string | undefined });
			return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
		},
		fetchPublic: async () => {
			throw new Error('not used');
		},
	};
	return { ctx, requests };
}

describe('our Sinch Verification capability against the sandbox, signed by the Sinch credential', () => {
	const settings = {};

	it('starts by SMS, denies a wrong code, approves the right one by number, and a second check finds it used', async () => {
		const { ctx } = capabilityContext();
		const started = await sinchVerify.start(ctx, { to: PHONE, channel: 'sms', locale: 'fr-FR', reference: 'ref-1', settings });
		expect(started).toMatchObject({ to: PHONE, channel: 'sms', status: 'pending', valid: false, attempts: 1, reason: null });
		expect(started.verificationId).toMatch(UUID);
		const code = codeOnPhone();
		expect(onPhone()).toEqual([`Votre code de vérification est ${code}.`]);
		const id = String(started.verificationId);

		const denied = await sinchVerify.check(ctx, { code: wrong(code), verificationId: id, settings });
		expect([denied.status, denied.valid, denied.reason, denied.verificationId, denied.channel]).toEqual(['denied', false, 'The code is not the one sent', id, 'sms']);
		expect((await sinchVerify.status!(ctx, { verificationId: id, settings })).status).toBe('pending');
		const approved = await sinchVerify.check(ctx, { code: ` ${code.slice(0, 2)}-${code.slice(2)} `, to: PHONE, settings });
		expect([approved.status, approved.valid, approved.verificationId]).toEqual(['approved', true, id]);
		// The phone number may hold the same four digits by chance: only the code itself must not appear.
		expect(JSON.stringify([denied, approved]).replaceAll(PHONE, '')).not.toContain(code);
		expect(await sinchVerify.status!(ctx, { to: PHONE, channel: 'sms', settings })).toMatchObject({ status: 'approved', verificationId: id, to: PHONE });
		const again = await sinchVerify.check(ctx, { code, verificationId: id, settings });
		expect([again.status, again.valid]).toEqual(['expired', false]);
	});

	it('checks a flash call with its caller ID and a callout with the code read out; the code never comes back', async () => {
		const { ctx } = capabilityContext();
		const flash = await sinchVerify.start(ctx, { to: PHONE, channel: 'flashcall', settings });
		const cli = codeOnPhone();
		expect(JSON.stringify(flash)).not.toContain(cli.slice(3, 7));
		expect(Date.parse(String(flash.expiresAt)) - Date.now()).toBeGreaterThan(590_000);
		expect((await sinchVerify.check(ctx, { code: '+46 10 111 11 11', to: PHONE, settings })).status).toBe('denied');
		const approved = await sinchVerify.check(ctx, { code: cli, to: PHONE, settings });
		expect([approved.status, approved.channel]).toEqual(['approved', 'flashcall']);
		expect(JSON.stringify(approved)).not.toContain(cli);

		const callout = await sinchVerify.start(ctx, { to: '+33612345679', channel: 'callout', locale: 'fr-FR', settings });
		const code = codeOnPhone('+33612345679');
		const result = await sinchVerify.check(ctx, { code, verificationId: String(callout.verificationId), settings });
		expect([result.status, result.channel]).toEqual(['approved', 'callout']);
	});

	it('reads the 5th wrong code as max_attempts_reached, an expired verification as expired, an unknown one as gone', async () => {
		const { ctx } = capabilityContext();
		const started = await sinchVerify.start(ctx, { to: PHONE, channel: 'sms', settings });
		const code = codeOnPhone();
		const statuses = [];
		for (let i = 0; i < 5; i++) statuses.push((await sinchVerify.check(ctx, { code: wrong(code), verificationId: String(started.verificationId), settings })).status);
		expect(statuses).toEqual(['denied', 'denied', 'denied', 'denied', 'max_attempts_reached']);
		expect((await sinchVerify.check(ctx, { code, verificationId: String(started.verificationId), settings })).status).toBe('max_attempts_reached');
		expect((await sinchVerify.status!(ctx, { verificationId: String(started.verificationId), settings })).status).toBe('max_attempts_reached');

		const later = await sinchVerify.start(ctx, { to: '+33612345679', channel: 'sms', settings });
		await new Promise((resolve) => setTimeout(resolve, 1300));
		expect((await sinchVerify.check(ctx, { code: codeOnPhone('+33612345679'), verificationId: String(later.verificationId), settings })).status).toBe('expired');
		expect((await sinchVerify.status!(ctx, { verificationId: String(later.verificationId), settings })).status).toBe('expired');

		const gone = await sinchVerify.check(ctx, { code: '1234', verificationId: '00000000-0000-4000-8000-000000000000', settings });
		expect([gone.status, gone.reason]).toEqual(['expired', 'Sinch has no verification for it: it was never started, or Sinch no longer keeps it. Start a new one']);
		expect((await sinchVerify.check(ctx, { code: '1234', to: '+33612345670', settings })).status).toBe('expired');
	});

	it('fails with the credential’s errors: a wrong secret is auth, no application key sends nothing', async () => {
		const wrongSecret = capabilityContext({ verificationAppSecret: Buffer.from('nope').toString('base64') });
		const error = await rejectionOf(sinchVerify.start(wrongSecret.ctx, { to: PHONE, channel: 'sms', settings }));
		expect(error).toBeInstanceOf(ProviderError);
		expect([error.kind, error.code, error.httpStatus, error.providerMessage]).toEqual(['auth', '40102', 401, 'Invalid signature.']);

		const before = box.get().requests.length;
		const noKey = capabilityContext({ verificationAppKey: '' });
		expect((await rejectionOf(sinchVerify.start(noKey.ctx, { to: PHONE, channel: 'sms', settings }))).kind).toBe('config');
		expect([noKey.requests, box.get().requests.length]).toEqual([[], before]);

		const limited = capabilityContext();
		for (let i = 0; i < 5; i++) await sinchVerify.start(limited.ctx, { to: '+33612345671', channel: 'sms', settings });
		const tooMany = await rejectionOf(sinchVerify.start(limited.ctx, { to: '+33612345671', channel: 'sms', settings }));
		expect([tooMany.kind, tooMany.code, tooMany.httpStatus]).toEqual(['rateLimited', '42901', 429]);
	});
});
