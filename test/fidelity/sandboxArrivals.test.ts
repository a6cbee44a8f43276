/**
 * Every message the sandbox keeps carries the time its request arrived (epoch ms, before any delay fault), and the
 * control API lists it, whole or as a few fields, from a given time: what a benchmark needs to check a throttle
 * ("no one-second window above N messages"). Sent with the official SDKs.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SmsService } from '@sinch/sms';
import { sandboxControl, twilioSdk, useSandbox } from '../helpers/sandbox';

// The real clock (timeScale 1): a delay fault of 400 ms lasts 400 ms.
const box = useSandbox({ timeScale: 1 });

function sinch() {
	const { servicePlanId, apiToken } = box.get().accounts.sinch;
	return new SmsService({ servicePlanId, apiToken, smsHostname: box.get().url });
}

function sns() {
	const { accessKeyId, secretAccessKey, region } = box.get().accounts.sns;
	return new SNSClient({ region, endpoint: box.get().url, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

describe('arrival times of stored messages', () => {
	it('Twilio, Sinch and SNS messages carry the epoch ms their request arrived; a batch shares one', async () => {
		const before = Date.now();
		const twilio = await twilioSdk(box.get()).messages.create({ to: '+33612345678', from: '+15005550006', body: 'one' });
		const batch = await sinch().batches.send({ sendSMSRequestBody: { to: ['+33612345679', '+33612345680'], from: '+12025550150', body: 'two' } });
		const published = await sns().send(new PublishCommand({ PhoneNumber: '+33612345681', Message: 'three' }));
		const after = Date.now();
		const stored = [...box.get().messages.values()];
		expect(stored).toHaveLength(4);
		for (const m of stored) {
			expect(typeof m.arrivedAt).toBe('number');
			expect(m.arrivedAt).toBeGreaterThanOrEqual(before);
			expect(m.arrivedAt).toBeLessThanOrEqual(after);
		}
		const of = (id: string) => box.get().messages.get(id)?.arrivedAt as number;
		expect(of(`${batch.id}:33612345679`)).toBe(of(`${batch.id}:33612345680`));
		// In the order the requests were sent.
		expect(of(twilio.sid)).toBeLessThanOrEqual(of(`${batch.id}:33612345679`));
		expect(of(`${batch.id}:33612345679`)).toBeLessThanOrEqual(of(String(published.MessageId)));
	});

	it('is taken when the request came in, before a delay fault is waited out', async () => {
		box.get().addFault({ provider: 'twilio', type: 'delay', delayMs: 400 });
		const sent = Date.now();
		const created = await twilioSdk(box.get()).messages.create({ to: '+33612345678', from: '+15005550006', body: 'slow' });
		const answered = Date.now();
		expect(answered - sent).toBeGreaterThanOrEqual(400);
		const m = box.get().messages.get(created.sid);
		expect(m?.arrivedAt).toBeGreaterThanOrEqual(sent);
		expect(m?.arrivedAt).toBeLessThan(sent + 200);
		// createdAt is when the handler made it, after the delay.
		expect(Date.parse(String(m?.createdAt)) - Number(m?.arrivedAt)).toBeGreaterThanOrEqual(390);
	});

	it('GET /__sandbox/messages lists arrivedAt, and only some fields or messages when asked', async () => {
		await twilioSdk(box.get()).messages.create({ to: '+33612345678', from: '+15005550006', body: 'first' });
		await new Promise((resolve) => setTimeout(resolve, 20));
		const cut = Date.now();
		await sinch().batches.send({ sendSMSRequestBody: { to: ['+33612345679'], from: '+12025550150', body: 'second' } });
		const all = await sandboxControl(box.get(), 'GET', '/messages');
		expect(all.messages).toHaveLength(2);
		expect(all.messages.every((m: { arrivedAt: unknown }) => typeof m.arrivedAt === 'number')).toBe(true);
		const some = await sandboxControl(box.get(), 'GET', `/messages?since=${cut}&fields=arrivedAt,provider,to`);
		expect(some.messages).toEqual([{ arrivedAt: expect.any(Number), provider: 'sinch', to: '+33612345679' }]);
		expect(some.messages[0].arrivedAt).toBeGreaterThanOrEqual(cut);
		expect((await sandboxControl(box.get(), 'GET', '/messages?since=soon')).httpStatus).toBe(400);
		expect((await sandboxControl(box.get(), 'GET', '/messages?fields=arrivedAt,password')).httpStatus).toBe(400);
		expect((await sandboxControl(box.get(), 'GET', '/messages?fields=')).httpStatus).toBe(400);
	});

	it('a phone reply typed on the phone page carries its arrival too', async () => {
		const before = Date.now();
		const answer = await sandboxControl(box.get(), 'POST', '/inbound', { from: '+33612345678', body: 'YES' });
		expect(answer.httpStatus).toBe(201);
		expect(answer.arrivedAt).toBeGreaterThanOrEqual(before);
		expect(answer.arrivedAt).toBeLessThanOrEqual(Date.now());
	});
});
