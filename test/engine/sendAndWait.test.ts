/**
 * Send and Wait for Reply in n8n's real engine, against the sandbox over real HTTP: the execution waits with n8n's
 * own mechanism, a reply on the sandbox's phone reaches the Messaging Trigger (real WebhookContext), which resumes the
 * execution through its resume URL (test/helpers/waiting.ts does what n8n's /webhook-waiting/ route does), and the node
 * outputs the answer. The clock is fixed where time matters (the time limit).
 */
import { processWaits } from '../../nodes/shared/state/waits';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';
import { WaitingExecutions } from '../helpers/waiting';

const box = useSandbox();
const engine = useEngine(box);
let waiting: WaitingExecutions;
let trigger: TriggerHarness;

const NUMBER = '+15005550006';
const BOSS = '+33612345678';
const DEPUTY = '+447911123456';
const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);

beforeEach(async () => {
	processWaits().clear();
	waiting = new WaitingExecutions(engine.get());
	await waiting.listen();
	trigger = new TriggerHarness(engine.get(), { provider: 'twilio', target: NUMBER } as never);
	await trigger.listen();
	await trigger.activate();
});
afterEach(async () => {
	await trigger.lifecycle('delete');
	await trigger.close();
	await waiting.close();
});

function sendAndWait(parameters: Record<string, unknown> = {}) {
	return {
		type: 'sendSms',
		name: 'Ask',
		parameters: { operation: 'sendAndWait', provider: 'twilio', twilioFrom: NUMBER, to: BOSS, message: 'Expense #42: 380 EUR for the team dinner.', ...parameters },
	};
}

const outboundTo = (to: string) => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api' && m.to === to);

describe('Send SMS · Send and Wait for Reply', () => {
	it('waits, and a YES from the recipient resumes it with approved true; the reply starts no trigger execution', async () => {
		const run = await waiting.start([{ expense: 42 }], [sendAndWait()]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		const [sent] = outboundTo(BOSS);
		expect(sent.body).toBe('Expense #42: 380 EUR for the team dinner.\n\nReply YES or NO.');
		await control('POST', '/inbound', { from: BOSS, to: NUMBER, body: 'Yes' });
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask').map((i) => i.json)).toEqual([
			{
				approved: true,
				answer: 'Yes',
				answeredBy: BOSS,
				answeredAt: expect.stringMatching(/^\d{4}-/),
				channel: 'sms',
				timedOut: false,
				button: null,
				messageId: sent.id,
				messageIds: [sent.id],
				replyMessageId: expect.stringMatching(/^SM/),
				reference: null,
				sentTo: [BOSS],
				sentAt: expect.stringMatching(/^\d{4}-/),
			},
		]);
		expect(trigger.executions).toHaveLength(0);
	});

	it('NO declines; a reply from another number never resumes it and starts the trigger instead', async () => {
		const run = await waiting.start([{}], [sendAndWait()]);
		await control('POST', '/inbound', { from: DEPUTY, to: NUMBER, body: 'YES' });
		await waitFor(() => trigger.executions.length === 1);
		expect(waiting.status(run.executionId)).toBe('waiting');
		await control('POST', '/inbound', { from: BOSS, to: NUMBER, body: 'non' });
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: false, answer: 'non', answeredBy: BOSS });
		expect(trigger.executions).toHaveLength(1);
	});
});

afterAll(() => {
	expect(processWaits().size).toBeGreaterThanOrEqual(0);
});
