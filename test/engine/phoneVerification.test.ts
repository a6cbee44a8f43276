/** Phone Verification, run by n8n's engine against the sandbox over real HTTP: Start → Check for each engine. */
import type { IDataObject } from 'n8n-workflow';
import { SANDBOX_CODE_SECRET } from '../../scripts/n8nServer';
import type { Engine } from '../helpers/engine';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';

// Ten minutes of Twilio Verify time pass in 0.6 s.
const box = useSandbox({ timeScale: 0.001 });
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
	engine.setCredentials('messagingVerificationSecretApi', { secret: SANDBOX_CODE_SECRET });
});

const PHONE = '+33612345678';
const fast = { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5000 };
const serviceSid = () => box.get().accounts.twilio.verifyServiceSid;

function node(operation: string, engineName: string, params: IDataObject = {}, name = operation) {
	return {
		type: 'phoneVerification',
		name,
		parameters: { operation, engine: engineName, twilioVerifyServiceSid: serviceSid(), twilioFrom: '+15005550006', sinchFrom: '+12025550150', ...params },
	};
}

/** The newest code the phone got (the sandbox's phone page shows the same texts). */
function codeOnPhone(to = PHONE): string {
	const texts = [...box.get().messages.values()].filter((m) => m.to === to);
	return /(\d{4,12})(?!.*\d{4,})/.exec(texts[texts.length - 1]?.body ?? '')?.[1] ?? '';
}
const wrong = (code: string) => code.replace(/./g, (d, i) => (i === 0 ? String((Number(d) + 1) % 10) : d));

async function startOne(engineName: string, params: IDataObject = {}, staticData?: IDataObject) {
	const result = await engine.run([{ phone: PHONE }], [node('start', engineName, { to: '={{ $json.phone }}', ...params, options: { ...fast, ...((params.options as IDataObject) ?? {}) } })], { staticData });
	expect(result.error()).toBeUndefined();
	return result.items('start')[0].json;
}

async function checkOne(engineName: string, params: IDataObject, staticData?: IDataObject) {
	const result = await engine.run([{}], [node('check', engineName, params)], { staticData });
	expect(result.error()).toBeUndefined();
	return result.items('check')[0].json;
}

describe('Phone Verification: Twilio Verify', () => {
	it('sends a code, denies a wrong one for the workflow to branch on, approves the right one, then the code is gone', async () => {
		const started = await startOne('twilio');
		expect(started).toEqual({
			verificationId: expect.stringMatching(/^VE[0-9a-f]{32}$/),
			to: PHONE,
			channel: 'sms',
			status: 'pending',
			valid: false,
			attempts: 1,
			expiresAt: expect.any(String),
			provider: 'twilio',
			raw: expect.objectContaining({ status: 'pending' }),
		});
		const code = codeOnPhone();
		expect(code).toMatch(/^\d{6}$/);
		expect(JSON.stringify(started)).not.toContain(code);

		const denied = await checkOne('twilio', { to: PHONE, code: wrong(code) });
		expect(denied).toMatchObject({ status: 'denied', valid: false, reason: 'The code is not the one sent' });
		const approved = await checkOne('twilio', { checkBy: 'verificationId', verificationId: started.verificationId, code });
		expect(approved).toMatchObject({ status: 'approved', valid: true, verificationId: started.verificationId, to: PHONE });
		expect(JSON.stringify([denied, approved])).not.toContain(code);
		// Reuse of an approved code: Twilio has forgotten the verification.
		expect(await checkOne('twilio', { to: PHONE, code })).toMatchObject({ status: 'expired', valid: false });
	});

	it('closes a verification after 5 wrong codes, even for the right one', async () => {
		await startOne('twilio');
		const code = codeOnPhone();
		const statuses: string[] = [];
		for (let k = 0; k < 6; k++) statuses.push(String((await checkOne('twilio', { to: PHONE, code: wrong(code) })).status));
		expect(statuses).toEqual(['denied', 'denied', 'denied', 'denied', 'denied', 'max_attempts_reached']);
		expect((await checkOne('twilio', { to: PHONE, code })).status).not.toBe('approved');
	});

	it('expires after 10 minutes, cancels, and looks a verification up', async () => {
		const first = await startOne('twilio');
		await new Promise((resolve) => setTimeout(resolve, 700));
		expect(await checkOne('twilio', { to: PHONE, code: codeOnPhone() })).toMatchObject({ status: 'expired' });

		const second = await startOne('twilio');
		const status = await engine.run([{}], [node('getStatus', 'twilio', { verificationId: second.verificationId })]);
		expect(status.items('getStatus')[0].json).toMatchObject({ status: 'pending', verificationId: second.verificationId });
		const canceled = await engine.run([{}], [node('cancel', 'twilio', { verificationId: second.verificationId })]);
		expect(canceled.items('cancel')[0].json).toMatchObject({ status: 'canceled' });
		expect(await checkOne('twilio', { to: PHONE, code: codeOnPhone() })).toMatchObject({ status: 'expired' });
		expect(first.verificationId).not.toBe(second.verificationId);
	});

	it('counts codes to an email address once however its letters are written', async () => {
		const limit = { maxStartsPerNumber: 1 };
		const first = await startOne('twilio', { to: 'Ada@Example.com', channel: 'email', options: limit }, {});
		const staticData: IDataObject = {};
		expect((await startOne('twilio', { to: 'Ada@Example.com', channel: 'email', options: limit }, staticData)).status).toBe('pending');
		expect((await startOne('twilio', { to: 'ada@example.COM', channel: 'email', options: limit }, staticData)).status).toBe('max_attempts_reached');
		expect(first.channel).toBe('email');
	});

	it('refuses a landline for SMS before anything is sent, and names the Voice Call channel', async () => {
		const before = box.get().requests.length;
		const result = await engine.run([{}], [node('start', 'twilio', { to: '+33 1 42 68 53 00' })]);
		expect(result.error()?.message).toBe('"+33 1 42 68 53 00" is a fixed line number: it cannot receive a code by SMS');
		expect(result.error()?.description).toBe('Nothing was sent. Choose the Voice Call channel to reach it by phone, or ask for a mobile number.');
		expect(box.get().requests.length).toBe(before);
		const call = await startOne('twilio', { to: '+33 1 42 68 53 00', channel: 'call' });
		expect(call).toMatchObject({ status: 'pending', channel: 'call', to: '+33142685300' });
	});
});

describe('Phone Verification: Sinch Verification', () => {
	it('sends a code by SMS, denies a wrong one, approves the right one by ID, then an approved code is refused', async () => {
		const started = await startOne('sinch');
		expect(started).toMatchObject({ verificationId: expect.any(String), to: PHONE, channel: 'sms', status: 'pending', valid: false, provider: 'sinch' });
		const code = codeOnPhone();
		expect(code).toMatch(/^\d{4,}$/);
		expect(JSON.stringify(started)).not.toContain(code);
		const denied = await checkOne('sinch', { to: PHONE, code: wrong(code) });
		expect(denied).toMatchObject({ status: 'denied', valid: false });
		const approved = await checkOne('sinch', { checkBy: 'verificationId', verificationId: started.verificationId, code });
		expect(approved).toMatchObject({ status: 'approved', valid: true, verificationId: started.verificationId });
		expect(JSON.stringify([denied, approved])).not.toContain(code);
		expect((await checkOne('sinch', { checkBy: 'verificationId', verificationId: started.verificationId, code })).valid).toBe(false);
		const status = await engine.run([{}], [node('getStatus', 'sinch', { verificationId: started.verificationId })]);
		expect(status.items('getStatus')[0].json).toMatchObject({ status: 'approved' });
	});

	it('an approval counts once: two checks with the right code at once, or a wrong code after it, never approve twice', async () => {
		const started = await startOne('sinch');
		const code = codeOnPhone();
		const byId = { checkBy: 'verificationId', verificationId: started.verificationId, code };
		const staticData: IDataObject = {};
		const twice = await Promise.all([0, 1].map(() => engine.run([{}], [node('check', 'sinch', byId)], { staticData, workflowId: 'sinch-race' })));
		expect(twice.map((r) => r.items('check')[0].json.status).sort()).toEqual(['approved', 'expired']);
		// Sinch answers a finished verification with its final status whatever the code: still not a second approval.
		const after = await engine.run([{}], [node('check', 'sinch', { ...byId, code: wrong(code) })], { staticData, workflowId: 'sinch-race' });
		expect(after.items('check')[0].json).toMatchObject({ valid: false });
	});

	it('closes after 5 wrong codes, even for the right one; expires after 10 minutes', async () => {
		await startOne('sinch');
		const code = codeOnPhone();
		const statuses: string[] = [];
		for (let k = 0; k < 5; k++) statuses.push(String((await checkOne('sinch', { to: PHONE, code: wrong(code) })).status));
		expect(statuses.slice(0, 4)).toEqual(['denied', 'denied', 'denied', 'denied']);
		expect(statuses[4]).toBe('max_attempts_reached');
		expect((await checkOne('sinch', { to: PHONE, code })).valid).toBe(false);

		const other = '+33612345679';
		const started = await startOne('sinch', { to: other });
		await new Promise((resolve) => setTimeout(resolve, 700));
		expect(await checkOne('sinch', { checkBy: 'verificationId', verificationId: started.verificationId, code: codeOnPhone(other) })).toMatchObject({ status: 'expired', valid: false });
	});

	it('a voice callout reaches a landline; an SMS to it is refused before anything is sent, naming Voice Callout', async () => {
		const refused = await engine.run([{}], [node('start', 'sinch', { to: '+33 1 42 68 53 00' })]);
		expect(refused.error()?.description).toBe('Nothing was sent. Choose the Voice Callout channel to reach it by phone, or ask for a mobile number.');
		expect(await startOne('sinch', { to: '+33142685300', channel: 'callout' })).toMatchObject({ status: 'pending', channel: 'callout' });
	});
});

describe('Phone Verification: built-in codes', () => {
	it.each([
		['builtin:twilio', 'twilio'],
		['builtin:sinch', 'sinch'],
		['builtin:sns', 'sns'],
	])('%s: the code goes out as an SMS, the token reveals nothing, right code approved once, wrong code denied', async (engineName, smsProvider) => {
		const staticData: IDataObject = {};
		const started = await startOne(engineName, { message: 'Code: {code} ({minutes} min)', codeLength: 6 }, staticData);
		const code = codeOnPhone();
		expect(code).toMatch(/^\d{6}$/);
		expect([...box.get().messages.values()].pop()?.body).toBe(`Code: ${code} (10 min)`);
		expect(started).toEqual({
			verificationId: expect.stringMatching(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
			to: PHONE,
			channel: 'sms',
			status: 'pending',
			valid: false,
			attempts: 1,
			expiresAt: expect.any(String),
			provider: 'builtin',
			raw: expect.objectContaining({ smsProvider, messageId: expect.any(String), fallbackUsed: false }),
		});
		expect(JSON.stringify(started)).not.toContain(code);
		expect(JSON.stringify(staticData)).not.toContain(code);

		// Checking sends nothing: the plain "builtin" engine, no provider credential needed.
		const token = started.verificationId;
		expect(await checkOne('builtin', { verificationId: token, to: PHONE, code: wrong(code) }, staticData)).toMatchObject({ status: 'denied', attempts: 1, reason: 'The code is not the one sent (4 attempts left)' });
		expect(await checkOne('builtin', { verificationId: token, to: '+33612345679', code }, staticData)).toMatchObject({ status: 'denied', attempts: 2 });
		expect(await checkOne('builtin', { verificationId: token, to: '06 12 34 56 78', defaultCountry: 'FR', code: `${code.slice(0, 3)} ${code.slice(3)}` }, staticData)).toMatchObject({ status: 'approved', valid: true, attempts: 3 });
		expect(await checkOne('builtin', { verificationId: token, to: PHONE, code }, staticData)).toMatchObject({ status: 'expired', reason: 'This code was already used: a code works once. Start a new verification' });
		expect(JSON.stringify(staticData)).not.toContain(PHONE.slice(1));
	});

	it('stops a guesser after Max Attempts, even when a later guess is right', async () => {
		const staticData: IDataObject = {};
		const started = await startOne('builtin:sns', {}, staticData);
		const code = codeOnPhone();
		const guesses = Array.from({ length: 40 }, (_, k) => ({ code: String(k).padStart(6, '0') })).filter((g) => g.code !== code);
		guesses.push({ code });
		const result = await engine.run(guesses, [node('check', 'builtin:sns', { verificationId: started.verificationId, to: PHONE, code: '={{ $json.code }}', maxAttempts: 3 })], { staticData });
		const statuses = result.items('check').map((i) => i.json.status);
		expect(statuses.slice(0, 3)).toEqual(['denied', 'denied', 'denied']);
		expect(new Set(statuses.slice(3))).toEqual(new Set(['max_attempts_reached']));
	});

	it('cancels, expires, and refuses a token changed by one character or made with another secret', async () => {
		const staticData: IDataObject = {};
		const started = await startOne('builtin:twilio', { codeLifetime: 1 }, staticData);
		const token = String(started.verificationId);
		const code = codeOnPhone();
		const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
		expect(await checkOne('builtin:twilio', { verificationId: flipped, to: PHONE, code }, staticData)).toMatchObject({ status: 'failed', valid: false });
		engine.setCredentials('messagingVerificationSecretApi', { secret: 'another secret of more than thirty-two characters' });
		expect(await checkOne('builtin:twilio', { verificationId: token, to: PHONE, code }, staticData)).toMatchObject({ status: 'failed' });
		engine.setCredentials('messagingVerificationSecretApi', { secret: SANDBOX_CODE_SECRET });
		const status = await engine.run([{}], [node('getStatus', 'builtin:twilio', { verificationId: token })], { staticData });
		expect(status.items('getStatus')[0].json).toMatchObject({ status: 'pending' });
		const canceled = await engine.run([{}], [node('cancel', 'builtin:twilio', { verificationId: token })], { staticData });
		expect(canceled.items('cancel')[0].json).toMatchObject({ status: 'canceled' });
		expect(await checkOne('builtin:twilio', { verificationId: token, to: PHONE, code }, staticData)).toMatchObject({ status: 'canceled' });
	});

	it('a message without {code} and a secret that is too short are refused before anything is sent', async () => {
		const before = box.get().requests.length;
		let result = await engine.run([{}], [node('start', 'builtin:twilio', { to: PHONE, message: 'Your code is code' })]);
		expect(result.error()?.message).toBe('The message has no {code}');
		engine.setCredentials('messagingVerificationSecretApi', { secret: 'short' });
		result = await engine.run([{}], [node('start', 'builtin:twilio', { to: PHONE })]);
		expect(result.error()?.message).toBe('Built-in codes need a Verification Code Secret credential with a secret of at least 32 characters');
		expect(box.get().requests.length).toBe(before);
	});
});

describe('Phone Verification: the node\'s own limit on codes per number', () => {
	it('sends at most Max Codes per Number within the period, across executions, whatever the engine', async () => {
		const staticData: IDataObject = {};
		const limit = { maxStartsPerNumber: 2, startWindowMinutes: 60 };
		const a = await startOne('builtin:sns', { options: limit }, staticData);
		const b = await startOne('twilio', { options: limit }, staticData);
		const sent = box.get().messages.size;
		const c = await startOne('builtin:twilio', { options: limit }, staticData);
		expect([a.status, b.status, c.status]).toEqual(['pending', 'pending', 'max_attempts_reached']);
		expect(c).toMatchObject({ verificationId: null, attempts: 2, reason: expect.stringMatching(/^2 codes were already sent to this number in the last 60 minutes \(the limit is 2\): nothing was sent\. The next one can be sent in 60 minutes$/) });
		expect(box.get().messages.size).toBe(sent);
		// Another number is not held back.
		const other = await engine.run([{}], [node('start', 'builtin:sns', { to: '+33612345679', options: limit })], { staticData });
		expect(other.items('start')[0].json.status).toBe('pending');
	});

	it('counts within one execution of many items too', async () => {
		const result = await engine.run(Array.from({ length: 8 }, () => ({ phone: PHONE })), [node('start', 'builtin:sns', { to: '={{ $json.phone }}', options: { maxStartsPerNumber: 3 } })]);
		expect(result.items('start').map((i) => i.json.status)).toEqual(['pending', 'pending', 'pending', ...Array(5).fill('max_attempts_reached')]);
	});
});
