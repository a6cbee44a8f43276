/** The official @sinch/sms SDK, pointed at the sandbox, sends, reads reports, cancels and fails as against Sinch. */
import { SmsService } from '@sinch/sms';
import { useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();

function planClient(apiToken?: string) {
	const { servicePlanId, apiToken: token } = box.get().accounts.sinch;
	return new SmsService({ servicePlanId, apiToken: apiToken ?? token, smsHostname: box.get().url });
}

function projectClient() {
	const { projectId, keyId, keySecret } = box.get().accounts.sinch;
	return new SmsService({ projectId, keyId, keySecret, smsHostname: box.get().url, authHostname: box.get().url });
}

describe('@sinch/sms SDK against the sandbox', () => {
	it('sends a batch, reads it back and gets a delivery report', async () => {
		const sms = planClient();
		const batch = await sms.batches.send({
			sendSMSRequestBody: { to: ['+33612345678'], from: '+12025550150', body: 'Hej', delivery_report: 'per_recipient' },
		});
		expect(batch.id).toMatch(/^[0-9A-Z]{26}$/);
		expect(batch.to).toEqual(['33612345678']);
		expect(batch.canceled).toBe(false);
		const fetched = await sms.batches.get({ batch_id: String(batch.id) });
		expect(fetched.body).toBe('Hej');
		await waitFor(() => [...box.get().messages.values()].find((m) => m.status === 'Delivered'), 5000);
		const report = await sms.deliveryReports.getForNumber({ batch_id: String(batch.id), phone_number: '33612345678' });
		expect(report.status).toBe('Delivered');
		expect(report.code).toBe(0);
		const summary = await sms.deliveryReports.get({ batch_id: String(batch.id) });
		expect(summary.total_message_count).toBe(1);
	});

	it('authenticates with a project access key through OAuth2', async () => {
		const batch = await projectClient().batches.send({ sendSMSRequestBody: { to: ['+33612345678'], from: '+12025550150', body: 'oauth' } });
		expect(batch.id).toBeDefined();
	});

	it('cancels a scheduled batch', async () => {
		const sms = planClient();
		const batch = await sms.batches.send({
			sendSMSRequestBody: { to: ['+33612345678'], from: '+12025550150', body: 'later', send_at: new Date(Date.now() + 3600_000) },
		});
		const canceled = await sms.batches.cancel({ batch_id: String(batch.id) });
		expect(canceled.canceled).toBe(true);
	});

	it('refuses a bad token with 401, an invalid number with 400, and passes an injected 429', async () => {
		await expect(planClient('wrong').batches.send({ sendSMSRequestBody: { to: ['+33612345678'], from: 'x', body: 'x' } })).rejects.toMatchObject({ statusCode: 401 });
		await expect(planClient().batches.send({ sendSMSRequestBody: { to: ['+12125550101'], from: 'x', body: 'x' } })).rejects.toMatchObject({ statusCode: 400 });
		box.get().addFault({ provider: 'sinch', type: 'status', status: 429, retryAfter: 1 });
		await expect(planClient().batches.send({ sendSMSRequestBody: { to: ['+33612345678'], from: 'x', body: 'x' } })).rejects.toMatchObject({ statusCode: 429 });
	});
});
