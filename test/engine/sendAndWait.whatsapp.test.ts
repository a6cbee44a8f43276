/**
 * Send WhatsApp · Send and Wait for Reply in n8n's real engine, against the sandbox over real HTTP: a question with
 * Approve and Decline buttons (Sinch, free-form), a quick-reply template whose buttons answer (Twilio), a typed answer;
 * a tap reaches the Messaging Trigger (real WebhookContext), which resumes the waiting execution through its resume URL.
 */
import { TWILIO_TEMPLATE_SIDS } from '../../sandbox/twilioContentSeeds';
import { processWaits } from '../../nodes/shared/state/waits';
import { sandboxCredential } from '../helpers/credentials';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';
import { WaitingExecutions } from '../helpers/waiting';

const box = useSandbox();
const engines = useEngine(box);
let waiting: WaitingExecutions;
let trigger: TriggerHarness | undefined;

const PHONE = '+33612345678';
const OTHER = '+447911123456';
const TWILIO_WA = '+14155238886';
const SINCH_WA = '+12025550155';
const fast = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5000 };
const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);
const outbound = () => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api');

beforeEach(async () => {
	processWaits().clear();
	engines.get().setCredentials('messagingSinchApi', sandboxCredential(box.get(), 'Sandbox Sinch (project, WhatsApp)'));
	waiting = new WaitingExecutions(engines.get());
	await waiting.listen();
});
afterEach(async () => {
	if (trigger) {
		await trigger.lifecycle('delete').catch(() => undefined);
		await trigger.close();
	}
	trigger = undefined;
	await waiting.close();
});

function ask(parameters: Record<string, unknown>) {
	return {
		type: 'sendWhatsApp',
		name: 'Ask',
		parameters: { operation: 'sendAndWait', provider: 'twilio', to: PHONE, twilioWhatsAppFrom: TWILIO_WA, waitOptions: fast, ...parameters },
	};
}

describe('Send WhatsApp · Send and Wait for Reply', () => {
	it('Sinch: the question goes with Approve and Decline buttons; a tap on Decline resumes with approved false and the button', async () => {
		trigger = new TriggerHarness(engines.get(), { provider: 'sinch', events: ['inbound', 'status'] } as never);
		await trigger.listen();
		await control('PUT', '/sinch/conversation-webhook', { target: trigger.url });
		await control('POST', '/inbound', { from: PHONE, to: SINCH_WA, body: 'Hello', channel: 'whatsapp' });
		await waitFor(() => trigger!.executions.length === 1);
		const run = await waiting.start([{}], [ask({ provider: 'sinch', message: 'Expense #42, 380 EUR: approve?', approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes, pay it', disapproveLabel: 'No' } } })]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		const question = outbound().find((m) => m.provider === 'sinch' && m.to === PHONE);
		expect(question?.body).toBe('Expense #42, 380 EUR: approve?');
		expect(question?.whatsapp?.buttons).toEqual([
			{ title: 'Yes, pay it', payload: 'APPROVE' },
			{ title: 'No', payload: 'DECLINE' },
		]);
		await control('POST', '/inbound', { from: PHONE, to: SINCH_WA, body: 'No', button: { payload: 'DECLINE', title: 'No' }, replyTo: question!.id, channel: 'whatsapp' });
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: false, answer: 'No', button: 'DECLINE', answeredBy: PHONE, channel: 'whatsapp', timedOut: false, messageId: question!.id });
		// The tap resumed the wait: it started no execution of the trigger's own (only the delivery statuses did).
		expect(trigger.executions.filter((e) => e.items[0].event === 'inbound')).toHaveLength(1);
	});

	it('Twilio: a quick-reply template (expense_approval) goes at any time; its Approve button resumes with approved true; a tap from another phone does not', async () => {
		trigger = new TriggerHarness(engines.get(), { provider: 'twilio', target: TWILIO_WA } as never);
		await trigger.listen();
		await trigger.activate();
		const run = await waiting.start(
			[{}],
			[
				ask({
					waitContent: 'template',
					template: { __rl: true, mode: 'list', value: TWILIO_TEMPLATE_SIDS.expenseApproval },
					templateVariables: { mappingMode: 'defineBelow', value: { '1': 'Grace', '2': '380 EUR', '3': 'the team dinner' } },
				}),
			],
		);
		expect(waiting.status(run.executionId)).toBe('waiting');
		const sent = outbound().find((m) => m.to === `whatsapp:${PHONE}`);
		expect(sent?.body).toBe('Expense report from Grace: 380 EUR for the team dinner. Do you approve it?');
		await control('POST', '/inbound', { from: OTHER, to: `whatsapp:${TWILIO_WA}`, body: 'Approve', button: { payload: 'approve', title: 'Approve' }, replyTo: sent!.id, channel: 'whatsapp' });
		await waitFor(() => trigger!.executions.length === 1);
		expect(waiting.status(run.executionId)).toBe('waiting');
		await control('POST', '/inbound', { from: PHONE, to: `whatsapp:${TWILIO_WA}`, body: 'Approve', button: { payload: 'approve', title: 'Approve' }, replyTo: sent!.id, channel: 'whatsapp' });
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: true, answer: 'Approve', button: 'approve', answeredBy: PHONE, channel: 'whatsapp', messageId: sent!.id });
		expect(trigger.executions).toHaveLength(1);
	});

	it('Twilio text inside the window: no buttons on free-form, so the message says how to answer; a typed "sí" approves', async () => {
		trigger = new TriggerHarness(engines.get(), { provider: 'twilio', target: TWILIO_WA } as never);
		await trigger.listen();
		await trigger.activate();
		await control('POST', '/inbound', { from: PHONE, to: `whatsapp:${TWILIO_WA}`, body: 'Hola', channel: 'whatsapp' });
		await waitFor(() => trigger!.executions.length === 1);
		const run = await waiting.start([{}], [ask({ message: '¿Apruebas el gasto #42?' })]);
		const sent = outbound().find((m) => m.to === `whatsapp:${PHONE}`);
		expect(sent?.body).toBe('¿Apruebas el gasto #42?\n\nReply YES or NO.');
		await control('POST', '/inbound', { from: PHONE, to: `whatsapp:${TWILIO_WA}`, body: 'sí', channel: 'whatsapp' });
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: true, answer: 'sí', button: null, channel: 'whatsapp' });
	});

	it('outside the window a free-form question stops with a clear error and leaves no wait', async () => {
		const run = await waiting.start([{}], [ask({ message: 'Approve?' })]);
		expect(run.first.error('Ask')?.message).toMatch(/24 hours/);
		expect(processWaits().size).toBe(0);
	});
});
