/**
 * Send and Wait for Reply in n8n's real engine, against the sandbox over real HTTP: the execution waits with n8n's
 * own mechanism, a reply on the sandbox's phone reaches the Messaging Trigger (real WebhookContext), which resumes the
 * execution through its resume URL (test/helpers/waiting.ts does what n8n's /webhook-waiting/ route does), and the node
 * outputs the answer. The clock is fixed where time matters (the time limit): Jest's fake Date and setTimeout, nothing
 * else faked, so HTTP, the sandbox and the engine run as usual.
 */
import { join } from 'node:path';
import { BACKSTOP_MS } from '../../nodes/shared/sendAndWait';
import { processWaits } from '../../nodes/shared/state/waits';
import { useRedis } from '../helpers/redis';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';
import { WaitingExecutions, type WaitingRun } from '../helpers/waiting';

const box = useSandbox();
const engine = useEngine(box);
const redis = useRedis();
afterAll(async () => {
	// The engine runs the nodes from dist/: their Redis clients belong to that copy of the module (useRedis closes the source's).
	const dist = join(__dirname, '..', '..', 'dist', 'nodes', 'shared', 'state', 'redisStore.js');
	await ((await import(dist)) as typeof import('../../nodes/shared/state/redisStore')).closeRedisClients();
});
let waiting: WaitingExecutions;
let trigger: TriggerHarness;

const NUMBER = '+15005550006';
/** Another number of the same Twilio account. */
const OTHER_NUMBER = '+12025550134';
const BOSS = '+33612345678';
const DEPUTY = '+447911123456';
const MESSAGE = 'Expense #42: 380 EUR for the team dinner.';
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);

async function openTrigger(parameters: Record<string, unknown> = {}): Promise<TriggerHarness> {
	const t = new TriggerHarness(engine.get(), { provider: 'twilio', target: NUMBER, ...parameters } as never);
	await t.listen();
	await t.activate();
	return t;
}

/** Replace the trigger with one with these parameters (on the same number). */
async function reopenTrigger(parameters: Record<string, unknown>): Promise<void> {
	await trigger.lifecycle('delete');
	await trigger.close();
	trigger = await openTrigger(parameters);
}

beforeEach(async () => {
	processWaits().clear();
	waiting = new WaitingExecutions(engine.get());
	await waiting.listen();
	trigger = await openTrigger();
});
afterEach(async () => {
	jest.useRealTimers();
	await trigger.lifecycle('delete');
	await trigger.close();
	await waiting.close();
});

function sendAndWait(parameters: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
	return {
		type: 'sendSms',
		name: 'Ask',
		parameters: { operation: 'sendAndWait', provider: 'twilio', twilioFrom: NUMBER, to: BOSS, message: MESSAGE, ...parameters },
		...settings,
	};
}

const outbound = () => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api');
const outboundTo = (to: string) => outbound().filter((m) => m.to === to);
/** The only message sent to `to` that reads `body`. */
function sentTo(to: string, body: string) {
	const found = outboundTo(to).filter((m) => m.body === body);
	expect(found.map((m) => m.body)).toEqual([body]);
	return found[0];
}

/** `check`'s first truthy value within 5 s, looked at on every turn of the event loop (it works with Jest's fake setTimeout and Date too). */
async function poll<T>(check: () => T | undefined | false, ms = 5000): Promise<T | undefined> {
	const end = performance.now() + ms;
	for (;;) {
		const value = check();
		if (value || performance.now() > end) return value || undefined;
		await new Promise((resolve) => setImmediate(resolve));
	}
}

/**
 * A reply typed on the phone: posted by the sandbox, signed, to the number's inbound URL (the trigger). Returns once
 * the trigger has answered it (it routes the reply, and asks n8n to resume, before it answers): what it started or
 * resumed is known by then.
 */
async function reply(from: string, body: string): Promise<string> {
	const posted = await control('POST', '/inbound', { from, to: NUMBER, body });
	expect(posted).toMatchObject({ httpStatus: 201, webhook: 'posted' });
	const id = posted.id as string;
	const answered = await poll(() => box.get().callbacks.find((c) => c.messageId === id && (c.responseStatus !== null || c.error !== null)));
	expect(answered?.responseStatus).toBe(200);
	return id;
}

/** The answer the resumed node outputs, whole. */
function answered(sent: { id: string }, fields: Record<string, unknown>) {
	return {
		approved: true,
		answer: 'YES',
		answeredBy: BOSS,
		answeredAt: ISO,
		channel: 'sms',
		timedOut: false,
		button: null,
		messageId: sent.id,
		messageIds: [sent.id],
		replyMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
		reference: null,
		sentTo: [BOSS],
		sentAt: ISO,
		...fields,
	};
}

/** The trigger's item for an inbound SMS, whole. */
function inboundItem(fields: { from: string; to?: string; body: string; messageId?: string; waitingReply: unknown; event?: string; keyword?: unknown; duplicate?: boolean }) {
	return {
		event: fields.event ?? 'inbound',
		provider: 'twilio',
		messageId: fields.messageId ?? expect.stringMatching(/^SM[0-9a-f]{32}$/),
		from: fields.from,
		to: fields.to ?? NUMBER,
		body: fields.body,
		media: [],
		status: 'received',
		providerStatus: 'received',
		errorCode: null,
		errorMessage: null,
		channel: 'sms',
		keyword: fields.keyword ?? null,
		receivedAt: ISO,
		duplicate: fields.duplicate ?? false,
		waitingReply: fields.waitingReply,
		raw: expect.objectContaining({ Body: fields.body, From: fields.from }),
	};
}

const outputOf = async (run: WaitingRun) => (await waiting.ended(run.executionId)).items('Ask').map((i) => i.json);
const resumes = (run: WaitingRun) => waiting.requests(run.executionId).filter((r) => r.resumed).length;

describe('Send SMS · Send and Wait for Reply: answers by SMS', () => {
	it('waits, and a YES from the recipient resumes it with approved true; the reply starts no trigger execution', async () => {
		const run = await waiting.start([{ expense: 42 }], [sendAndWait()]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		const replyId = await reply(BOSS, 'Yes');
		expect(await outputOf(run)).toEqual([answered(sent, { answer: 'Yes', replyMessageId: replyId })]);
		expect(trigger.executions).toHaveLength(0);
		expect(processWaits().size).toBe(0);
	});

	it('NO declines; a reply from another number never resumes it and starts the trigger instead', async () => {
		const run = await waiting.start([{}], [sendAndWait()]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		await reply(DEPUTY, 'YES');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items).toEqual([inboundItem({ from: DEPUTY, body: 'YES', waitingReply: null })]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		await reply(BOSS, 'non');
		expect(await outputOf(run)).toEqual([answered(sent, { approved: false, answer: 'non' })]);
		expect(trigger.executions).toHaveLength(1);
	});

	it.each([
		['French', 'Oui merci', true],
		['Spanish', 'Sí', true],
		['German', 'ja, passt', true],
		['Portuguese', 'sim', true],
		['Turkish', 'Evet', true],
		['Dutch', 'akkoord', true],
		['a thumbs up', '👍', true],
		['German', 'Nein danke', false],
		['Portuguese', 'não', false],
		['Turkish', 'Hayır', false],
		['Dutch', 'nee', false],
		['Italian', 'rifiuto', false],
		['a thumbs down', '👎', false],
	])('%s: %j answers approved %s', async (_language, text, approved) => {
		const run = await waiting.start([{}], [sendAndWait()]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		await reply(BOSS, text);
		expect(await outputOf(run)).toEqual([answered(sent, { approved, answer: text })]);
		expect(trigger.executions).toHaveLength(0);
	});

	it('free text: any reply is the answer, approved null', async () => {
		const run = await waiting.start([{}], [sendAndWait({ responseType: 'freeText', message: 'Which day suits you for the audit?' })]);
		const sent = sentTo(BOSS, 'Which day suits you for the audit?\n\nReply to this message.');
		await reply(BOSS, 'Thursday after 2 pm, or Friday morning');
		expect(await outputOf(run)).toEqual([answered(sent, { approved: null, answer: 'Thursday after 2 pm, or Friday morning' })]);
		expect(trigger.executions).toHaveLength(0);
	});

	it('approve only: NO is no answer (the trigger starts, waitingReply notAnAnswer, the wait stays); YES approves', async () => {
		const run = await waiting.start([{}], [sendAndWait({ approvalOptions: { values: { approvalType: 'single' } } })]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES.`);
		const noId = await reply(BOSS, 'NO');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items).toEqual([inboundItem({ from: BOSS, body: 'NO', messageId: noId, waitingReply: { outcome: 'notAnAnswer', waiting: 1 } })]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		await reply(BOSS, 'yes');
		expect(await outputOf(run)).toEqual([answered(sent, { answer: 'yes' })]);
		expect(trigger.executions).toHaveLength(1);
	});

	it('a reply to another of our numbers never resumes it (sender check): it starts the trigger', async () => {
		const run = await waiting.start([{}], [sendAndWait()]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		// Signed by Twilio, to the trigger's URL, but sent to our other number.
		const fired = await control('POST', '/webhooks', { provider: 'twilio', url: trigger.url, from: BOSS, to: OTHER_NUMBER, body: 'YES' });
		expect(fired.answer.status).toBe(200);
		expect(trigger.executions.map((e) => e.items)).toEqual([[inboundItem({ from: BOSS, to: OTHER_NUMBER, body: 'YES', waitingReply: null })]]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		expect(resumes(run)).toBe(0);
		await reply(BOSS, 'YES');
		expect(await outputOf(run)).toEqual([answered(sent, {})]);
	});

	it('STOP while a wait is pending is an opt-out event; the wait stays and a later YES still answers', async () => {
		const run = await waiting.start([{}], [sendAndWait()]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		await reply(BOSS, 'STOP');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items).toEqual([
			inboundItem({ event: 'optOut', from: BOSS, body: 'STOP', keyword: expect.objectContaining({ type: 'optOut', word: 'STOP' }), waitingReply: null }),
		]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		expect(processWaits().size).toBe(1);
		await reply(BOSS, 'YES');
		expect(await outputOf(run)).toEqual([answered(sent, {})]);
	});

	it('a forged inbound is refused 403 before any matching: nothing resumes, nothing starts, the wait stays', async () => {
		const run = await waiting.start([{}], [sendAndWait()]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		for (const forge of ['signature', 'unsigned', 'body'] as const) {
			const fired = await control('POST', '/webhooks', { provider: 'twilio', url: trigger.url, from: BOSS, to: NUMBER, body: 'YES', forge });
			expect([forge, fired.answer.status, fired.answer.body]).toEqual([forge, 403, 'Forbidden']);
		}
		expect(trigger.executions).toHaveLength(0);
		expect(waiting.requests(run.executionId)).toEqual([]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		expect(processWaits().size).toBe(1);
		await reply(BOSS, 'YES');
		expect(await outputOf(run)).toEqual([answered(sent, {})]);
	});
});

describe('Send SMS · Send and Wait for Reply: the trigger’s choices', () => {
	it('Also Start This Workflow for Answers: the reply resumes the wait and starts the trigger with waitingReply resumed', async () => {
		await reopenTrigger({ options: { alsoTriggerAnswers: true } });
		const run = await waiting.start([{}], [sendAndWait()]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		const id = await reply(BOSS, 'Ja');
		expect(await outputOf(run)).toEqual([answered(sent, { answer: 'Ja', replyMessageId: id })]);
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions.map((e) => e.items)).toEqual([
			[inboundItem({ from: BOSS, body: 'Ja', messageId: id, waitingReply: { outcome: 'resumed', executionId: run.executionId, waitId: expect.stringMatching(/^[0-9a-f]{32}$/), approved: true } })],
		]);
	});

	it('Resume Waiting Workflows off: the reply starts the trigger as a plain message and the wait stays', async () => {
		await reopenTrigger({ resumeWaiting: false });
		const run = await waiting.start([{}], [sendAndWait()]);
		const id = await reply(BOSS, 'YES');
		await waitFor(() => trigger.executions.length === 1);
		const { waitingReply, ...item } = inboundItem({ from: BOSS, body: 'YES', messageId: id, waitingReply: undefined });
		expect(waitingReply).toBeUndefined();
		expect(trigger.executions[0].items).toEqual([item]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		expect(processWaits().size).toBe(1);
	});
});

describe('Send SMS · Send and Wait for Reply: several waiting for one person', () => {
	it('the second message carries a reference; a reply quoting it resumes the second, a plain reply the first', async () => {
		const first = await waiting.start([{ n: 1 }], [sendAndWait({ message: 'Expense #1' })]);
		const second = await waiting.start([{ n: 2 }], [sendAndWait({ message: 'Expense #2' })]);
		const sentFirst = sentTo(BOSS, 'Expense #1\n\nReply YES or NO.');
		const [sentSecond] = outboundTo(BOSS).filter((m) => m.body.startsWith('Expense #2'));
		const reference = /^Expense #2\n\nReply YES ([A-Z0-9]{3}) or NO \1\.$/.exec(sentSecond.body)?.[1];
		expect(reference).toMatch(/^[CDFHJKMNPRTVWXY][34679][CDFHJKMNPRTVWXY]$/);
		await reply(BOSS, `no ${reference!.toLowerCase()}`);
		expect(await outputOf(second)).toEqual([answered(sentSecond, { approved: false, answer: 'no', reference })]);
		expect(waiting.status(first.executionId)).toBe('waiting');
		await reply(BOSS, 'YES');
		expect(await outputOf(first)).toEqual([answered(sentFirst, {})]);
		expect(trigger.executions).toHaveLength(0);
	});

	it("with Several Waiting 'latest', no reference is added and a reply answers the latest", async () => {
		const latest = { waitOptions: { severalWaiting: 'latest' } };
		const first = await waiting.start([{}], [sendAndWait({ message: 'Expense #1', ...latest })]);
		await new Promise((resolve) => setTimeout(resolve, 5));
		const second = await waiting.start([{}], [sendAndWait({ message: 'Expense #2', ...latest })]);
		const sentFirst = sentTo(BOSS, 'Expense #1\n\nReply YES or NO.');
		const sentSecond = sentTo(BOSS, 'Expense #2\n\nReply YES or NO.');
		await reply(BOSS, 'YES');
		expect(await outputOf(second)).toEqual([answered(sentSecond, {})]);
		expect(waiting.status(first.executionId)).toBe('waiting');
		await reply(BOSS, 'NO');
		expect(await outputOf(first)).toEqual([answered(sentFirst, { approved: false, answer: 'NO' })]);
	});

	it('three waiting, all with references, and a reply without one: ambiguous, the trigger starts, all three stay', async () => {
		const runs: WaitingRun[] = [];
		for (const n of [1, 2, 3, 4]) runs.push(await waiting.start([{ n }], [sendAndWait({ message: `Expense #${n}` })]));
		const references = [2, 3, 4].map((n) => /Reply YES ([A-Z0-9]{3}) or NO \1\.$/.exec(outboundTo(BOSS).find((m) => m.body.startsWith(`Expense #${n}\n`))!.body)?.[1]);
		expect(new Set(references).size).toBe(3);
		// The one sent without a reference takes the plain reply.
		await reply(BOSS, 'YES');
		expect(await outputOf(runs[0])).toEqual([answered(sentTo(BOSS, 'Expense #1\n\nReply YES or NO.'), {})]);
		const id = await reply(BOSS, 'YES');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items).toEqual([inboundItem({ from: BOSS, body: 'YES', messageId: id, waitingReply: { outcome: 'ambiguous', waiting: 3, references } })]);
		expect(runs.slice(1).map((r) => waiting.status(r.executionId))).toEqual(['waiting', 'waiting', 'waiting']);
		await reply(BOSS, `YES ${references[1]}`);
		expect(await outputOf(runs[2])).toEqual([answered(sentTo(BOSS, `Expense #3\n\nReply YES ${references[1]} or NO ${references[1]}.`), { reference: references[1] })]);
		expect([runs[1], runs[3]].map((r) => waiting.status(r.executionId))).toEqual(['waiting', 'waiting']);
	});
});

describe('Send SMS · Send and Wait for Reply: once', () => {
	it('the same inbound redelivered by the provider resumes nothing a second time', async () => {
		const run = await waiting.start([{}], [sendAndWait()]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		const fired = await control('POST', '/webhooks', { provider: 'twilio', url: trigger.url, from: BOSS, to: NUMBER, body: 'YES' });
		expect(fired.answer.status).toBe(200);
		expect(await outputOf(run)).toEqual([answered(sent, { replyMessageId: fired.sent.body.match(/MessageSid=(SM[0-9a-f]{32})/)[1] })]);
		// Twilio's retry: the same request, the same idempotency token.
		const again = await fetch(fired.sent.url, { method: 'POST', headers: fired.sent.headers, body: fired.sent.body });
		expect(again.status).toBe(200);
		expect(resumes(run)).toBe(1);
		expect(waiting.requests(run.executionId)).toEqual([{ method: 'POST', status: 200, resumed: true }]);
	});

	it('a redelivered answer never answers another message waiting for the same person', async () => {
		const first = await waiting.start([{}], [sendAndWait({ message: 'Expense #1' })]);
		const second = await waiting.start([{}], [sendAndWait({ message: 'Expense #2' })]);
		const fired = await control('POST', '/webhooks', { provider: 'twilio', url: trigger.url, from: BOSS, to: NUMBER, body: 'YES' });
		expect(fired.answer.status).toBe(200);
		expect(await outputOf(first)).toEqual([answered(sentTo(BOSS, 'Expense #1\n\nReply YES or NO.'), { replyMessageId: fired.sent.body.match(/MessageSid=(SM[0-9a-f]{32})/)[1] })]);
		const again = await fetch(fired.sent.url, { method: 'POST', headers: fired.sent.headers, body: fired.sent.body });
		expect(again.status).toBe(200);
		expect(waiting.status(second.executionId)).toBe('waiting');
		expect(waiting.requests(second.executionId)).toEqual([]);
		expect(processWaits().size).toBe(1);
	});

	it.each(['process', 'redis'] as const)('a link click and an SMS reply racing: exactly one resumes, the other answers nothing (waits kept in %s)', async (store) => {
		if (store === 'redis') {
			engine.get().setCredentials('messagingRedisApi', redis.get().credentials());
			await reopenTrigger({ waitStore: 'redis' });
		}
		for (let round = 0; round < 16; round++) {
			trigger.executions.length = 0;
			const run = await waiting.start([{ round }], [sendAndWait({ waitStore: store, waitOptions: { answerLink: true, linkType: 'token' } })]);
			// The reply goes through the sandbox and the trigger: the click leaves a little later each round.
			const [replyId, click] = await Promise.all([
				reply(BOSS, 'NO'),
				new Promise((resolve) => setTimeout(resolve, round)).then(() => fetch(run.resumeUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' })),
			]);
			const page = await click.text();
			const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.\nOr answer here: ${run.resumeUrl}`);
			const [output] = await outputOf(run);
			expect(resumes(run)).toBe(1);
			if (output.channel === 'link') {
				expect(output).toEqual(answered(sent, { answer: 'Approve', answeredBy: null, channel: 'link', replyMessageId: null }));
				// The reply found nothing waiting: it starts the trigger as a plain message.
				await waitFor(() => trigger.executions.length === 1);
				expect(trigger.executions[0].items).toEqual([inboundItem({ from: BOSS, body: 'NO', messageId: replyId, waitingReply: null })]);
			} else {
				expect(output).toEqual(answered(sent, { approved: false, answer: 'NO', replyMessageId: replyId }));
				expect(click.status === 409 || page.includes('Nothing to answer')).toBe(true);
				expect(trigger.executions).toHaveLength(0);
			}
			expect(processWaits().size).toBe(0);
		}
	});
});

describe('Send SMS · Send and Wait for Reply: the answer link', () => {
	it('ends the message with the resume URL; GET shows the page and never resumes; POST approve resumes with channel link, once', async () => {
		const message = 'Expense <b>#42</b> & "dinner"';
		const run = await waiting.start([{}], [sendAndWait({ message, waitOptions: { answerLink: true, linkType: 'token' } })]);
		const sent = sentTo(BOSS, `${message}\n\nReply YES or NO.\nOr answer here: ${run.resumeUrl}`);
		expect(sent.body.endsWith(run.resumeUrl)).toBe(true);

		const got = await fetch(run.resumeUrl);
		expect(got.status).toBe(200);
		expect(got.headers.get('content-type')).toMatch(/^text\/html/);
		expect(got.headers.get('cache-control')).toBe('no-store');
		const html = await got.text();
		expect(html).toContain('<p class="msg">Expense &lt;b&gt;#42&lt;/b&gt; &amp; &quot;dinner&quot;</p>');
		expect(html.match(/<form method="post">/g)).toHaveLength(2);
		expect(html).toContain('name="decision" value="approve">Approve</button>');
		expect(html).toContain('name="decision" value="decline">Decline</button>');
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toContain('signature=');
		expect(waiting.status(run.executionId)).toBe('waiting');

		// A made-up wait resumes nothing; a wrong token never reaches the node.
		const madeUp = await fetch(run.resumeUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ gatewayWait: '0123456789abcdef0123456789abcdef' }) });
		expect([madeUp.status, await madeUp.json()]).toEqual([409, { resumed: false, reason: 'no answer recorded for this wait' }]);
		const wrongToken = await fetch(run.resumeUrl.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(64)}`), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
		expect(wrongToken.status).toBe(401);
		expect(waiting.status(run.executionId)).toBe('waiting');
		expect(resumes(run)).toBe(0);

		const approve = await fetch(run.resumeUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
		expect(approve.status).toBe(200);
		expect(await approve.text()).toContain('Your answer was recorded.');
		expect(await outputOf(run)).toEqual([answered(sent, { answer: 'Approve', answeredBy: null, channel: 'link', replyMessageId: null })]);

		const second = await fetch(run.resumeUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=decline' });
		const secondPage = await second.text();
		expect(second.status === 409 || secondPage.includes('Nothing to answer')).toBe(true);
		expect(resumes(run)).toBe(1);
		// And a reply after the click finds nothing waiting.
		await reply(BOSS, 'NO');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items[0].waitingReply).toBeNull();
	});

	it('free text through the page: a text box; an empty answer resumes nothing, a written one resumes with it', async () => {
		const run = await waiting.start([{}], [sendAndWait({ responseType: 'freeText', message: 'Which day?', waitOptions: { answerLink: true, linkType: 'token' } })]);
		const sent = sentTo(BOSS, `Which day?\n\nReply to this message.\nOr answer here: ${run.resumeUrl}`);
		const html = await (await fetch(run.resumeUrl)).text();
		expect(html.match(/<form method="post">/g)).toHaveLength(1);
		expect(html).toContain('<textarea name="answer" required maxlength="1600"></textarea>');
		const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
		const empty = await fetch(run.resumeUrl, { method: 'POST', headers: form, body: 'decision=text&answer=%20%20' });
		expect(await empty.text()).toContain('<textarea');
		expect(waiting.status(run.executionId)).toBe('waiting');
		const written = await fetch(run.resumeUrl, { method: 'POST', headers: form, body: `decision=text&answer=${encodeURIComponent('  Friday, 10 am <b>sharp</b> ')}` });
		expect(written.status).toBe(200);
		expect(await outputOf(run)).toEqual([answered(sent, { approved: null, answer: 'Friday, 10 am <b>sharp</b>', answeredBy: null, channel: 'link', replyMessageId: null })]);
		expect(resumes(run)).toBe(1);
	});

	it('a POST while the wait was already claimed by a reply gets the "Nothing to answer" page and resumes nothing', async () => {
		const run = await waiting.start([{}], [sendAndWait({ waitOptions: { answerLink: true, linkType: 'token' } })]);
		// The claim without the resume, as when n8n has not handled the trigger's request yet.
		const wait = (await processWaits().forExecution(run.executionId))!;
		expect(await processWaits().claim(wait.id, { waitId: wait.id, executionId: run.executionId, channel: 'sms', approved: false, answer: 'NO', button: null, answeredBy: BOSS, answeredAt: new Date().toISOString(), replyMessageId: 'SMx', messageIds: wait.messageIds, recipients: wait.recipients, reference: null, sentAt: new Date(wait.createdAt).toISOString() })).toBe(true);
		const click = await fetch(run.resumeUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
		expect(click.status).toBe(200);
		expect(await click.text()).toContain('<h1>Nothing to answer</h1>');
		const page = await (await fetch(run.resumeUrl)).text();
		expect(page).toContain('<h1>Nothing to answer</h1>');
		expect(page).not.toContain('<form');
		expect(waiting.status(run.executionId)).toBe('waiting');
		expect(resumes(run)).toBe(0);
	});
});

describe('Send SMS · Send and Wait for Reply: several recipients', () => {
	it('To "a, b": both get the message, the first to answer wins, the other’s later reply starts the trigger', async () => {
		const run = await waiting.start([{}], [sendAndWait({ to: `${BOSS}, ${DEPUTY}` })]);
		const toBoss = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		const toDeputy = sentTo(DEPUTY, `${MESSAGE}\n\nReply YES or NO.`);
		const replyId = await reply(DEPUTY, 'yes');
		expect(await outputOf(run)).toEqual([
			answered(toBoss, { answer: 'yes', answeredBy: DEPUTY, replyMessageId: replyId, messageIds: [toBoss.id, toDeputy.id], sentTo: [BOSS, DEPUTY] }),
		]);
		const late = await reply(BOSS, 'NO');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items).toEqual([inboundItem({ from: BOSS, body: 'NO', messageId: late, waitingReply: null })]);
		expect(resumes(run)).toBe(1);
	});
});

describe('Send SMS · Send and Wait for Reply: the time limit', () => {
	const T0 = Date.parse('2026-03-02T09:00:00.000Z');
	const LIMIT = 60_000;
	/** Date and setTimeout only: HTTP, the sandbox's sockets, promises and setImmediate stay real. */
	const fixClock = () => jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'hrtime', 'performance'] });
	const until = async (check: () => boolean) => expect(await poll(check)).toBe(true);

	it("at the limit the node's own timer claims the wait and resumes: approved null, timedOut true; waitTill is the limit plus the backstop", async () => {
		fixClock();
		const run = await waiting.start([{ expense: 42 }], [sendAndWait({ waitAmount: 1, waitUnit: 'minutes' })]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		expect(BACKSTOP_MS).toBe(3 * 60_000);
		expect(run.waitTill?.toISOString()).toBe(new Date(T0 + LIMIT + BACKSTOP_MS).toISOString());
		jest.advanceTimersByTime(LIMIT - 1);
		expect(await poll(() => processWaits().size === 0 || waiting.requests(run.executionId).length > 0, 200)).toBeUndefined();
		expect(waiting.status(run.executionId)).toBe('waiting');
		jest.advanceTimersByTime(1);
		await until(() => waiting.status(run.executionId) === 'success');
		expect(await outputOf(run)).toEqual([
			answered(sent, { approved: null, answer: null, answeredBy: null, answeredAt: new Date(T0 + LIMIT).toISOString(), channel: null, timedOut: true, replyMessageId: null, sentAt: new Date(T0).toISOString() }),
		]);
		expect(resumes(run)).toBe(1);
		expect(processWaits().size).toBe(0);
		// A reply after the limit finds nothing waiting.
		jest.useRealTimers();
		await reply(BOSS, 'YES');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items[0].waitingReply).toBeNull();
	});

	it("when the process timer is lost (a restart), n8n's WaitTracker resumes at waitTill with the node's input item", async () => {
		fixClock();
		const run = await waiting.start([{ expense: 42 }], [sendAndWait({ waitAmount: 1, waitUnit: 'minutes' })]);
		expect(run.waitTill?.getTime()).toBe(T0 + LIMIT + BACKSTOP_MS);
		// The restart: this process's timers are gone.
		jest.clearAllTimers();
		jest.setSystemTime(T0 + LIMIT + BACKSTOP_MS);
		const done = await waiting.timeOut(run.executionId);
		expect(done.items('Ask').map((i) => i.json)).toEqual([{ expense: 42 }]);
		expect(waiting.status(run.executionId)).toBe('success');
		jest.useRealTimers();
		// A reply now: the wait is past its limit, so it answers nothing.
		await reply(BOSS, 'YES');
		await waitFor(() => trigger.executions.length === 1);
		expect(trigger.executions[0].items[0].waitingReply).toBeNull();
		expect(resumes(run)).toBe(0);
	});

	it('a reply before the limit wins over the timer, which then resumes nothing', async () => {
		fixClock();
		const run = await waiting.start([{}], [sendAndWait({ waitAmount: 1, waitUnit: 'minutes' })]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		jest.advanceTimersByTime(LIMIT / 2);
		await reply(BOSS, 'YES');
		await until(() => waiting.status(run.executionId) === 'success');
		expect(await outputOf(run)).toEqual([answered(sent, { answeredAt: new Date(T0 + LIMIT / 2).toISOString(), sentAt: new Date(T0).toISOString() })]);
		jest.advanceTimersByTime(LIMIT);
		expect(await poll(() => waiting.requests(run.executionId).length > 1, 300)).toBeUndefined();
		expect(waiting.requests(run.executionId)).toEqual([{ method: 'POST', status: 200, resumed: true }]);
	});
});

describe('Send SMS · Send and Wait for Reply: Redis', () => {
	it('waits kept in Redis (node and trigger): a YES approves through Redis, nothing in this process', async () => {
		engine.get().setCredentials('messagingRedisApi', redis.get().credentials());
		const prefix = engine.get().credentials.messagingRedisApi.keyPrefix as string;
		await reopenTrigger({ waitStore: 'redis' });
		const run = await waiting.start([{}], [sendAndWait({ waitStore: 'redis' })]);
		const sent = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		expect(processWaits().size).toBe(0);
		const admin = redis.get().admin();
		const keys = async () => (await admin.keys(`${prefix}*`)).map((k) => k.slice(prefix.length)).sort();
		const held = await keys();
		expect(held).toHaveLength(3);
		expect(held).toEqual(expect.arrayContaining([expect.stringMatching(/^wait:[0-9a-f]{32}$/), `wait:exec:${run.executionId}`, `wait:to:sms:${BOSS}`]));
		const replyId = await reply(BOSS, 'OK');
		expect(await outputOf(run)).toEqual([answered(sent, { answer: 'OK', replyMessageId: replyId })]);
		// The answer, and the reply that gave it (a reply answers once, also when delivered twice).
		expect(await keys()).toEqual([`wait:answer:${run.executionId}`, `wait:reply:${BOSS}:${replyId}`]);
		expect(trigger.executions).toHaveLength(0);
	});
});

describe('Send SMS · Send and Wait for Reply: failures', () => {
	it.each(['process', 'redis'] as const)('Retry On Fail never sends twice: an unanswered request is not repeated, a refused one is, and the wait goes on (waits kept in %s)', async (store) => {
		if (store === 'redis') {
			engine.get().setCredentials('messagingRedisApi', redis.get().credentials());
			await reopenTrigger({ waitStore: 'redis' });
		}
		// BOSS: accepted but never answered (may have gone out); DEPUTY: refused once (certainly not sent).
		box.get().addFault({ provider: 'twilio', to: BOSS, type: 'hang', count: 1 });
		box.get().addFault({ provider: 'twilio', to: DEPUTY, type: 'status', status: 503, count: 1 });
		const run = await waiting.start([{}], [sendAndWait({ to: `${BOSS}, ${DEPUTY}`, waitStore: store, waitOptions: { maxRetries: 0, timeoutMs: 1000 } }, { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 })]);
		expect(waiting.status(run.executionId)).toBe('waiting');
		const requests = box.get().requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
		expect(requests.map((r) => [r.recipients, r.fault])).toEqual([
			[[BOSS], 'hang'],
			[[DEPUTY], 'status 503'],
			[[DEPUTY], null],
		]);
		const toBoss = sentTo(BOSS, `${MESSAGE}\n\nReply YES or NO.`);
		const toDeputy = sentTo(DEPUTY, `${MESSAGE}\n\nReply YES or NO.`);
		expect(processWaits().size).toBe(store === 'process' ? 1 : 0);
		// BOSS may have it: his reply counts.
		await reply(BOSS, 'YES');
		expect(await outputOf(run)).toEqual([answered(toDeputy, { messageIds: [toDeputy.id], sentTo: [BOSS, DEPUTY] })]);
		expect(toBoss.id).not.toBe(toDeputy.id);
	});

	it('a provider refusal for the only recipient fails the node and leaves no wait', async () => {
		const run = await waiting.start([{}], [sendAndWait({ to: '+12125550101' })]);
		expect(waiting.status(run.executionId)).not.toBe('waiting');
		expect(run.first.run.status).toBe('error');
		expect(run.first.error('Ask')?.message).toBe("The 'To' number is not a valid phone number (Twilio 21211): correct the number or remove the recipient");
		expect(run.waitTill).toBeUndefined();
		expect(processWaits().size).toBe(0);
		expect(outboundTo('+12125550101')).toEqual([]);
	});
});
