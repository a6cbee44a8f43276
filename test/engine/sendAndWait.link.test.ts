/**
 * The answer link of Send and Wait for Reply, in n8n's real engine: n8n's signed link (the default) and its token URL;
 * the page a GET shows (the question and two POST buttons, no script), a POST that answers once, n8n's own checks of
 * the signature and the token (test/helpers/waiting.ts does what n8n's /webhook-waiting/ route does).
 */
import { processWaits } from '../../nodes/shared/state/waits';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';
import { WaitingExecutions } from '../helpers/waiting';

const box = useSandbox();
const engine = useEngine(box);
let waiting: WaitingExecutions;

const NUMBER = '+15005550006';
const BOSS = '+33612345678';

beforeEach(async () => {
	processWaits().clear();
	waiting = new WaitingExecutions(engine.get());
	await waiting.listen();
});
afterEach(async () => {
	await waiting.close();
});

const ask = (waitOptions: Record<string, unknown>) => ({
	type: 'sendSms',
	name: 'Ask',
	parameters: { operation: 'sendAndWait', provider: 'twilio', twilioFrom: NUMBER, to: BOSS, message: 'Expense #42: 380 EUR <dinner> & "drinks".', waitOptions: { answerLink: true, ...waitOptions } },
});

const lastBody = () => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api' && m.to === BOSS).at(-1)?.body ?? '';
const linkIn = (body: string) => /(http:\/\/\S+)$/.exec(body)?.[1] ?? '';

describe('Send and Wait for Reply · the answer link', () => {
	it.each([
		['signed', /\/webhook-waiting\/test-execution-\d+\/node-0\?signature=[0-9a-f]{64}$/],
		['token', /\/webhook-waiting\/test-execution-\d+\?signature=[0-9a-f]{64}$/],
	])('%s link: GET shows the question and two POST buttons and answers nothing; Decline answers once', async (linkType, shape) => {
		const run = await waiting.start([{}], [ask({ linkType })]);
		const body = lastBody();
		expect(body).toMatch(/^Expense #42: 380 EUR <dinner> & "drinks"\.\n\nReply YES or NO\.\nOr answer here: http:\/\/127\.0\.0\.1:\d+\/webhook-waiting\//);
		const link = linkIn(body);
		expect(link).toMatch(shape);
		const page = await fetch(link);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('Expense #42: 380 EUR &lt;dinner&gt; &amp; &quot;drinks&quot;.');
		expect(html.match(/<form method="post">/g)).toHaveLength(2);
		expect(html).not.toMatch(/<script/i);
		expect(waiting.status(run.executionId)).toBe('waiting');
		// A made-up claim of an answer resumes nothing.
		const forged = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gatewayWait: 'f'.repeat(32) }) });
		expect(forged.status).toBe(409);
		expect(waiting.status(run.executionId)).toBe('waiting');
		const answer = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=decline' });
		expect(await answer.text()).toContain('Your answer was recorded');
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: false, answer: 'Decline', channel: 'link', answeredBy: null, timedOut: false });
		const again = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
		// After the end n8n answers itself: its "no action required" page for a signed link, 409 for a token URL.
		expect(again.status).toBe(linkType === 'signed' ? 200 : 409);
	});

	it('a signed link with a wrong signature, or a token link with a wrong token, is refused by n8n (401)', async () => {
		await waiting.start([{}], [ask({ linkType: 'signed' })]);
		const signed = linkIn(lastBody());
		expect((await fetch(signed.replace(/signature=([0-9a-f])/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`))).status).toBe(401);
		await waiting.start([{}], [ask({ linkType: 'token' })]);
		const token = linkIn(lastBody());
		expect((await fetch(token.replace(/signature=([0-9a-f])/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`))).status).toBe(401);
	});
});

describe('Send and Wait for Reply · when things go wrong', () => {
	const NUMBER_TRIGGER = { provider: 'twilio', target: NUMBER };
	let trigger: TriggerHarness | undefined;
	afterEach(async () => {
		if (trigger) {
			await trigger.lifecycle('delete').catch(() => undefined);
			await trigger.close();
		}
		trigger = undefined;
	});
	const withTrigger = async () => {
		trigger = new TriggerHarness(engine.get(), NUMBER_TRIGGER as never);
		await trigger.listen();
		await trigger.activate();
		return trigger;
	};
	const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);

	it('the store lost the wait (n8n restarted): the link still shows buttons and the first answer resumes the execution', async () => {
		const run = await waiting.start([{}], [ask({ linkType: 'token' })]);
		const link = linkIn(lastBody());
		processWaits().clear();
		const html = await (await fetch(link)).text();
		expect(html).toContain('Your answer to the message you were sent');
		expect(html.match(/<form method="post">/g)).toHaveLength(2);
		await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: true, answer: 'Approve', channel: 'link', sentAt: null, messageIds: [] });
	});

	it('past the time limit (before the resume) the page answers nothing', async () => {
		const run = await waiting.start([{}], [ask({ linkType: 'token' })].map((n) => ({ ...n, parameters: { ...n.parameters, limitWaitTime: true, waitAmount: 1, waitUnit: 'minutes' } })));
		const link = linkIn(lastBody());
		jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
		try {
			jest.setSystemTime(Date.now() + 61_000);
			expect(await (await fetch(link)).text()).toContain('Nothing to answer');
			await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
			expect(waiting.status(run.executionId)).toBe('waiting');
		} finally {
			jest.useRealTimers();
		}
	});

	it('a reply that comes while n8n still runs the execution resumes it once it waits', async () => {
		await withTrigger();
		const run = await waiting.start([{}], [ask({ answerLink: false })]);
		waiting.busy(run.executionId, 800);
		await control('POST', '/inbound', { from: BOSS, to: NUMBER, body: 'YES' });
		const done = await waiting.ended(run.executionId);
		expect(done.items('Ask')[0].json).toMatchObject({ approved: true, channel: 'sms', answeredBy: BOSS });
		// n8n said "running already" until it had saved the execution as waiting; then it resumed.
		const statuses = waiting.requests(run.executionId).map((r) => r.status);
		expect(statuses.length).toBeGreaterThan(1);
		expect(statuses).toEqual([...statuses.slice(0, -1).map(() => 409), 200]);
		expect(trigger!.executions).toHaveLength(0);
	});

	it('a stopped execution: the reply finds its wait over and starts the trigger as a plain message; the wait is gone', async () => {
		await withTrigger();
		const run = await waiting.start([{}], [ask({ answerLink: false })]);
		waiting.stop(run.executionId);
		await control('POST', '/inbound', { from: BOSS, to: NUMBER, body: 'YES' });
		const [execution] = await waitFor(() => trigger!.executions.length === 1 && trigger!.executions);
		expect(execution.items[0]).toMatchObject({ event: 'inbound', body: 'YES', waitingReply: null });
		expect(processWaits().size).toBe(0);
	});
});
