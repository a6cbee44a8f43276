/** The official twilio SDK's Verify v2 client against the sandbox: start, check, fetch, cancel, and Twilio's limits. */
import { twilioSdk, useSandbox } from '../helpers/sandbox';

// 10 minutes of Verify time pass in 0.6 s.
const box = useSandbox({ timeScale: 0.001 });
const PHONE = '+33612345678';

const service = () => twilioSdk(box.get()).verify.v2.services(box.get().accounts.twilio.verifyServiceSid);
/** The code as the phone received it (the phone page shows the same message). */
const codeOnPhone = (to = PHONE) => {
	const texts = [...box.get().messages.values()].filter((m) => m.to === to && m.from === 'Verify');
	return /(\d{6})$/.exec(texts[texts.length - 1]?.body ?? '')?.[1] ?? '';
};
const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

describe('twilio SDK: Verify v2 against the sandbox', () => {
	it('starts an SMS verification, denies a wrong code as pending, approves the right one, then the verification is gone', async () => {
		const started = await service().verifications.create({ to: PHONE, channel: 'sms' });
		expect(started.sid).toMatch(/^VE[0-9a-f]{32}$/);
		expect([started.status, started.valid, started.to, started.channel, started.serviceSid]).toEqual(['pending', false, PHONE, 'sms', box.get().accounts.twilio.verifyServiceSid]);
		expect(started.sendCodeAttempts).toHaveLength(1);
		expect(started.dateCreated).toBeInstanceOf(Date);
		const code = codeOnPhone();
		expect(code).toMatch(/^\d{6}$/);

		const denied = await service().verificationChecks.create({ to: PHONE, code: wrong(code) });
		expect([denied.status, denied.valid, denied.sid]).toEqual(['pending', false, started.sid]);
		const approved = await service().verificationChecks.create({ to: PHONE, code });
		expect([approved.status, approved.valid]).toEqual(['approved', true]);

		await expect(service().verificationChecks.create({ to: PHONE, code })).rejects.toMatchObject({ status: 404, code: 20404 });
		await expect(service().verifications(started.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
	});

	it('checks by verification SID, fetches a pending one, and cancels it', async () => {
		const started = await service().verifications.create({ to: PHONE, channel: 'call' });
		expect(codeOnPhone()).toBe('');
		expect([...box.get().messages.values()].pop()?.body).toMatch(/^\(voice call\) Your verification code is \d \d \d \d \d \d$/);
		expect((await service().verifications(started.sid).fetch()).status).toBe('pending');
		const denied = await service().verificationChecks.create({ verificationSid: started.sid, code: '0000' });
		expect(denied.status).toBe('pending');
		const canceled = await service().verifications(started.sid).update({ status: 'canceled' });
		expect(canceled.status).toBe('canceled');
		await expect(service().verificationChecks.create({ verificationSid: started.sid, code: '1234' })).rejects.toMatchObject({ status: 404, code: 20404 });
	});

	it('sends the same code again on a new start, up to 5 sends; the 6th is refused (60203)', async () => {
		const first = await service().verifications.create({ to: PHONE, channel: 'sms' });
		const code = codeOnPhone();
		for (let i = 2; i <= 5; i++) {
			const again = await service().verifications.create({ to: PHONE, channel: 'sms' });
			expect([again.sid, again.sendCodeAttempts.length, codeOnPhone()]).toEqual([first.sid, i, code]);
		}
		await expect(service().verifications.create({ to: PHONE, channel: 'sms' })).rejects.toMatchObject({ status: 429, code: 60203 });
		expect((await service().verificationChecks.create({ to: PHONE, code })).status).toBe('approved');
	});

	it('allows 5 checks; the 6th is refused (60202) even with the right code, and the verification is gone', async () => {
		await service().verifications.create({ to: PHONE, channel: 'sms' });
		const code = codeOnPhone();
		for (let i = 0; i < 5; i++) expect((await service().verificationChecks.create({ to: PHONE, code: wrong(code) })).status).toBe('pending');
		await expect(service().verificationChecks.create({ to: PHONE, code })).rejects.toMatchObject({ status: 429, code: 60202 });
		await expect(service().verificationChecks.create({ to: PHONE, code })).rejects.toMatchObject({ status: 404, code: 20404 });
	});

	it('expires after 10 minutes (scaled): the code no longer checks, and a new start sends a new verification', async () => {
		const first = await service().verifications.create({ to: PHONE, channel: 'sms' });
		const code = codeOnPhone();
		await new Promise((r) => setTimeout(r, 700));
		await expect(service().verificationChecks.create({ to: PHONE, code })).rejects.toMatchObject({ status: 404, code: 20404 });
		const second = await service().verifications.create({ to: PHONE, channel: 'sms' });
		expect(second.sid).not.toBe(first.sid);
	});

	it('takes a custom code, and refuses what Twilio refuses', async () => {
		await service().verifications.create({ to: PHONE, channel: 'sms', customCode: '424242' });
		expect(codeOnPhone()).toBe('424242');
		expect((await service().verificationChecks.create({ to: PHONE, code: '424242' })).status).toBe('approved');

		await expect(service().verifications.create({ to: '+12125550103', channel: 'sms' })).rejects.toMatchObject({ status: 400, code: 60205 });
		expect((await service().verifications.create({ to: '+12125550103', channel: 'call' })).status).toBe('pending');
		for (const [to, channel] of [[PHONE, 'pigeon'], ['0612345678', 'sms'], ['+12125550101', 'sms'], ['not-an-email', 'email']]) {
			await expect(service().verifications.create({ to, channel })).rejects.toMatchObject({ status: 400, code: 60200 });
		}
		await expect(service().verifications.create({ to: PHONE, channel: 'sms', customCode: '12' })).rejects.toMatchObject({ status: 400, code: 60200 });
		await expect(service().verificationChecks.create({ to: PHONE, code: '1' })).rejects.toMatchObject({ status: 400, code: 60200 });
		await expect(twilioSdk(box.get()).verify.v2.services(`VA${'0'.repeat(32)}`).verifications.create({ to: PHONE, channel: 'sms' })).rejects.toMatchObject({ status: 404, code: 20404 });
		await expect(twilioSdk(box.get(), undefined, 'wrong').verify.v2.services(box.get().accounts.twilio.verifyServiceSid).verifications.create({ to: PHONE, channel: 'sms' })).rejects.toMatchObject({
			status: 401,
			code: 20003,
		});
	});
});
