/**
 * The answer link of Send and Wait for Reply, in n8n's real engine: n8n's signed link (the default) and its token URL;
 * the page a GET shows (the question and two POST buttons, no script), a POST that answers once, n8n's own checks of
 * the signature and the token (test/helpers/waiting.ts does what n8n's /webhook-waiting/ route does).
 */
import { processWaits } from '../../nodes/shared/state/waits';
import { useSandbox } from '../helpers/sandbox';
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
