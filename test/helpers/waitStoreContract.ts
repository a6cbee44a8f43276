/**
 * What every WaitStore (nodes/shared/state/waits.ts) must do, as Jest tests to run against each store:
 * `describe('…', () => waitStoreContract(() => store))`. Every call of `make` must return a handle on the same state
 * (two handles stand for two processes: the one that sent, the trigger that routes the reply); each test uses
 * recipients and executions of its own, so the state may be shared by the whole file. Times are the real clock's.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { REFERENCE_PATTERN, type ReplyExpectation } from '../../nodes/shared/rules/replies';
import type { Answer, PendingWait, WaitStore } from '../../nodes/shared/state/waits';

export type NewWait = Omit<PendingWait, 'reference' | 'messageIds'>;

const HOUR = 3_600_000;
const OUR_NUMBER = '+15005550006';
const OTHER_NUMBER = '+15005550007';
const APPROVAL: ReplyExpectation = { mode: 'approval', approve: ['YES', 'OK'], decline: ['NO'] };

let numbers = randomInt(0, 9_000_000);
/** Sending times that never tie (a tie would leave the order of a person's waits to the store). */
let lastCreated = 0;
/** A phone number no other test of the file uses (E.164, +44 7700 9xx xxx-like). */
export const person = () => `+4477${String(++numbers).padStart(8, '0')}`;

/** A wait as startWait builds it, sent now, answerable for an hour, to one new person unless told otherwise. */
export function newWait(overrides: Partial<NewWait> = {}): NewWait {
	const executionId = overrides.executionId ?? `exec-${randomUUID()}`;
	const now = (lastCreated = Math.max(Date.now(), lastCreated + 1));
	return {
		id: randomUUID().replace(/-/g, ''),
		executionId,
		resumeUrl: `https://n8n.example.com/webhook-waiting/${executionId}?signature=0123abcd`,
		channel: 'sms',
		sender: OUR_NUMBER,
		recipients: [person()],
		expects: APPROVAL,
		message: 'Expense #42: 380 EUR for the team dinner.',
		createdAt: now,
		expiresAt: now + HOUR,
		...overrides,
	};
}

/** The answer a reply gives (by the first recipient, approving, unless told otherwise). */
export function answerTo(wait: Pick<PendingWait, 'id' | 'executionId' | 'recipients' | 'reference' | 'createdAt'>, overrides: Partial<Answer> = {}): Answer {
	return {
		waitId: wait.id,
		executionId: wait.executionId,
		channel: 'sms',
		approved: true,
		answer: 'Yes',
		button: null,
		answeredBy: wait.recipients[0],
		answeredAt: new Date().toISOString(),
		replyMessageId: `SM${randomUUID().replace(/-/g, '')}`,
		messageIds: [],
		recipients: wait.recipients,
		reference: wait.reference,
		sentAt: new Date(wait.createdAt).toISOString(),
		...overrides,
	};
}

/** What the store keeps of a registered wait. */
const stored = (wait: NewWait, reference: string | null = null, messageIds: string[] = []): PendingWait => ({ ...wait, reference, messageIds });

export function waitStoreContract(make: () => WaitStore): void {
	/** Register each wait in turn (policy `reference` unless told), returning the references given. */
	const registerAll = async (store: WaitStore, waits: NewWait[], policy: 'reference' | 'latest' = 'reference') => {
		const references: Array<string | null> = [];
		for (const wait of waits) references.push((await store.register(wait, policy, Date.now())).reference);
		return references;
	};
	const ids = (waits: PendingWait[]) => waits.map((w) => w.id);

	describe('register, waiting, forExecution', () => {
		it('keeps a wait as given, with no reference and no message IDs yet; found by each recipient and by its execution', async () => {
			const [one, two] = [make(), make()];
			const wait = newWait({ recipients: [person(), person()], expiresAt: null });
			expect(await one.register(wait, 'reference', Date.now())).toEqual({ reference: null });
			for (const recipient of wait.recipients) expect(await two.waiting('sms', recipient, Date.now())).toEqual([stored(wait)]);
			expect(await two.forExecution(wait.executionId)).toEqual(stored(wait));
		});

		it('finds nothing for another person, another channel, or another execution', async () => {
			const store = make();
			const wait = newWait();
			await store.register(wait, 'reference', Date.now());
			expect(await store.waiting('sms', person(), Date.now())).toEqual([]);
			expect(await store.waiting('whatsapp', wait.recipients[0], Date.now())).toEqual([]);
			expect(await store.forExecution(`exec-${randomUUID()}`)).toBeUndefined();
			expect(await store.answerFor(wait.executionId)).toBeUndefined();
		});

		it('lists a person’s waits oldest first, whatever order they were registered in', async () => {
			const store = make();
			const to = [person()];
			const t = Date.now();
			const [b, c, a] = [newWait({ recipients: to, createdAt: t - 2_000 }), newWait({ recipients: to, createdAt: t - 1_000 }), newWait({ recipients: to, createdAt: t - 3_000 })];
			await registerAll(store, [b, c, a], 'latest');
			expect(ids(await store.waiting('sms', to[0], Date.now()))).toEqual([a.id, b.id, c.id]);
		});

		it('hands out copies: changing what it returned changes nothing stored', async () => {
			const store = make();
			const wait = newWait();
			await store.register(wait, 'reference', Date.now());
			const [listed] = await store.waiting('sms', wait.recipients[0], Date.now());
			listed.messageIds = ['changed'];
			listed.recipients.push('+15550000000');
			(await store.forExecution(wait.executionId))!.recipients.length = 0;
			expect(await store.waiting('sms', wait.recipients[0], Date.now())).toEqual([stored(wait)]);
		});

		it('keeps WhatsApp waits apart from SMS ones, references included', async () => {
			const store = make();
			const to = [person()];
			const sms = newWait({ recipients: to });
			const whatsapp = newWait({ recipients: to, channel: 'whatsapp' });
			expect(await registerAll(store, [sms, whatsapp])).toEqual([null, null]);
			expect(await store.waiting('sms', to[0], Date.now())).toEqual([stored(sms)]);
			expect(await store.waiting('whatsapp', to[0], Date.now())).toEqual([stored(whatsapp)]);
		});
	});

	describe('references', () => {
		it('only from the second open wait of a person on, each one different, of the pattern, as stored', async () => {
			const [one, two] = [make(), make()];
			const to = [person()];
			const waits = Array.from({ length: 8 }, () => newWait({ recipients: to }));
			const references = await registerAll(one, waits);
			expect(references[0]).toBeNull();
			const given = references.slice(1) as string[];
			for (const reference of given) expect(reference).toMatch(REFERENCE_PATTERN);
			expect(new Set(given).size).toBe(7);
			expect((await two.waiting('sms', to[0], Date.now())).map((w) => [w.id, w.reference])).toEqual(waits.map((w, n) => [w.id, references[n]]));
		});

		it('600 waits of one person (over half of all references): 599 references, none twice', async () => {
			const store = make();
			const to = [person()];
			const references = await registerAll(store, Array.from({ length: 600 }, () => newWait({ recipients: to })));
			expect(references.filter((r) => r === null)).toHaveLength(1);
			expect(new Set(references).size).toBe(600);
		});

		it('none with the policy "latest"', async () => {
			const store = make();
			const to = [person()];
			expect(await registerAll(store, [newWait({ recipients: to }), newWait({ recipients: to }), newWait({ recipients: to })], 'latest')).toEqual([null, null, null]);
		});

		it('none when the other waits are from another number of ours; one when either sender is unknown; unique among all the person’s waits', async () => {
			const store = make();
			const to = [person()];
			const [fromUs, fromOther, unknown, fromThird, fromOtherAgain] = [
				newWait({ recipients: to, sender: OUR_NUMBER }),
				newWait({ recipients: to, sender: OTHER_NUMBER }),
				newWait({ recipients: to, sender: null }),
				newWait({ recipients: to, sender: '+15005550009' }),
				newWait({ recipients: to, sender: OTHER_NUMBER }),
			];
			const [a, b, c, d, e] = await registerAll(store, [fromUs, fromOther, unknown, fromThird, fromOtherAgain]);
			expect([a, b]).toEqual([null, null]);
			for (const reference of [c, d, e]) expect(reference).toMatch(REFERENCE_PATTERN);
			expect(new Set([c, d, e]).size).toBe(3);
		});

		it('several recipients: one is needed when any of them has a wait open, and it is unique among all of theirs', async () => {
			const store = make();
			const [ann, bob, cat] = [person(), person(), person()];
			const annOnly = Array.from({ length: 5 }, () => newWait({ recipients: [ann] }));
			const annRefs = await registerAll(store, annOnly);
			const both = newWait({ recipients: [bob, ann] });
			const [bothRef] = await registerAll(store, [both]);
			expect(bothRef).toMatch(REFERENCE_PATTERN);
			expect(annRefs).not.toContain(bothRef);
			// Bob has only the shared one: his next needs a reference other than it; Cat's first needs none.
			const [bobRef, catRef] = await registerAll(store, [newWait({ recipients: [bob] }), newWait({ recipients: [cat] })]);
			expect(bobRef).toMatch(REFERENCE_PATTERN);
			expect(bobRef).not.toBe(bothRef);
			expect(catRef).toBeNull();
			expect((await store.waiting('sms', ann, Date.now())).map((w) => w.reference)).toEqual([...annRefs, bothRef]);
		});

		it('the same recipient twice in one wait counts once', async () => {
			const store = make();
			const ann = person();
			const wait = newWait({ recipients: [ann, ann] });
			expect(await registerAll(store, [wait])).toEqual([null]);
			expect(ids(await store.waiting('sms', ann, Date.now()))).toEqual([wait.id]);
		});

		it('10 registrations at once for one person: one without, nine different references', async () => {
			const [one, two] = [make(), make()];
			const to = [person()];
			const results = await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 ? one : two).register(newWait({ recipients: to }), 'reference', Date.now())));
			const references = results.map((r) => r.reference);
			expect(references.filter((r) => r === null)).toHaveLength(1);
			expect(new Set(references).size).toBe(10);
			expect(new Set((await one.waiting('sms', to[0], Date.now())).map((w) => w.reference))).toEqual(new Set(references));
		});
	});

	describe('one wait per execution', () => {
		it('a second register for the same execution ends the first: not listed, not claimable, and not counted for a reference', async () => {
			const store = make();
			const to = [person()];
			const executionId = `exec-${randomUUID()}`;
			const first = newWait({ executionId, recipients: to });
			const second = newWait({ executionId, recipients: to });
			expect(await registerAll(store, [first, second])).toEqual([null, null]);
			expect(await store.waiting('sms', to[0], Date.now())).toEqual([stored(second)]);
			expect(await store.forExecution(executionId)).toEqual(stored(second));
			expect(await store.claim(first.id, answerTo({ ...first, reference: null }))).toBe(false);
			expect(await store.answerFor(executionId)).toBeUndefined();
		});

		it('the first ends for every one of its recipients, even ones the second does not go to', async () => {
			const store = make();
			const [ann, bob] = [person(), person()];
			const executionId = `exec-${randomUUID()}`;
			await registerAll(store, [newWait({ executionId, recipients: [ann, bob] }), newWait({ executionId, recipients: [bob] })]);
			expect(await store.waiting('sms', ann, Date.now())).toEqual([]);
			expect(await store.waiting('sms', bob, Date.now())).toHaveLength(1);
		});
	});

	describe('time limits', () => {
		it('a wait past its time limit is not listed; one without a limit is', async () => {
			const store = make();
			const to = [person()];
			const now = Date.now();
			const past = newWait({ recipients: to, createdAt: now - 2 * HOUR, expiresAt: now - 1_000 });
			const open = newWait({ recipients: to, createdAt: now - HOUR, expiresAt: now + HOUR });
			const unlimited = newWait({ recipients: to, createdAt: now - 10, expiresAt: null });
			await registerAll(store, [past, open, unlimited]);
			expect(ids(await store.waiting('sms', to[0], now))).toEqual([open.id, unlimited.id]);
		});

		it('"now" is the caller’s: listed before its limit, not at it, not after', async () => {
			const store = make();
			const to = [person()];
			const now = Date.now();
			const wait = newWait({ recipients: to, expiresAt: now + 60_000 });
			await store.register(wait, 'reference', now);
			expect(ids(await store.waiting('sms', to[0], now + 59_999))).toEqual([wait.id]);
			expect(await store.waiting('sms', to[0], now + 60_000)).toEqual([]);
			expect(await store.waiting('sms', to[0], now + 61_000)).toEqual([]);
		});

		it('an expired wait does not count for a reference, nor keep one from being given again', async () => {
			const store = make();
			const to = [person()];
			const now = Date.now();
			const expired = newWait({ recipients: to, createdAt: now - 2 * HOUR, expiresAt: now - 1 });
			const [first, second] = await registerAll(store, [expired, newWait({ recipients: to })]);
			expect([first, second]).toEqual([null, null]);
			// Registered at a "now" past the second one's limit: it no longer counts either.
			const later = newWait({ recipients: to, createdAt: now + 2 * HOUR, expiresAt: now + 3 * HOUR });
			expect(await store.register(later, 'reference', now + 2 * HOUR)).toEqual({ reference: null });
		});
	});

	describe('claim: once only', () => {
		it('the first claim takes it (out of every recipient’s list) and records the answer; a second gets false', async () => {
			const [one, two] = [make(), make()];
			const recipients = [person(), person(), person()];
			const wait = newWait({ recipients });
			await one.register(wait, 'reference', Date.now());
			const answer = answerTo({ ...wait, reference: null }, { answeredBy: recipients[1] });
			expect(await two.claim(wait.id, answer)).toBe(true);
			expect(await one.claim(wait.id, answerTo({ ...wait, reference: null }, { approved: false, answer: 'No' }))).toBe(false);
			for (const recipient of recipients) expect(await one.waiting('sms', recipient, Date.now())).toEqual([]);
			expect(await one.forExecution(wait.executionId)).toBeUndefined();
			expect(await one.answerFor(wait.executionId)).toEqual(answer);
		});

		it('takes only that wait: the person’s others stay, and their answers are their own', async () => {
			const store = make();
			const to = [person()];
			const [a, b] = [newWait({ recipients: to }), newWait({ recipients: to })];
			const [, bRef] = await registerAll(store, [a, b]);
			expect(await store.claim(a.id, answerTo({ ...a, reference: null }))).toBe(true);
			expect(await store.waiting('sms', to[0], Date.now())).toEqual([stored(b, bRef)]);
			expect(await store.answerFor(b.executionId)).toBeUndefined();
		});

		it('a wait never registered, or cancelled, cannot be claimed', async () => {
			const store = make();
			const ghost = newWait();
			expect(await store.claim(ghost.id, answerTo({ ...ghost, reference: null }))).toBe(false);
			expect(await store.answerFor(ghost.executionId)).toBeUndefined();
		});

		it('a timed-out answer (approved and answer null) is kept as given', async () => {
			const store = make();
			const wait = newWait();
			await store.register(wait, 'reference', Date.now());
			const timeout = answerTo({ ...wait, reference: null }, { channel: 'timeout', approved: null, answer: null, answeredBy: null, replyMessageId: null });
			expect(await store.claim(wait.id, timeout)).toBe(true);
			expect(await store.answerFor(wait.executionId)).toEqual(timeout);
		});

		it('50 claims at once through two handles: exactly one wins, and its answer is the one recorded', async () => {
			const [one, two] = [make(), make()];
			const wait = newWait({ recipients: [person(), person()] });
			await one.register(wait, 'reference', Date.now());
			const answers = Array.from({ length: 50 }, (_, n) => answerTo({ ...wait, reference: null }, { replyMessageId: `SM-${n}`, approved: n % 2 === 0 }));
			const results = await Promise.all(answers.map((answer, n) => (n % 2 ? one : two).claim(wait.id, answer)));
			expect(results.filter(Boolean)).toHaveLength(1);
			expect(await two.answerFor(wait.executionId)).toEqual(answers[results.indexOf(true)]);
		});
	});

	describe('unclaim: puts back a wait whose execution could not be resumed', () => {
		it('listed again for every recipient, as it was (reference and message IDs), its answer gone; claimable again', async () => {
			const [one, two] = [make(), make()];
			const recipients = [person(), person()];
			const [first, wait] = [newWait({ recipients: [recipients[0]] }), newWait({ recipients })];
			const [, reference] = await registerAll(one, [first, wait]);
			expect(reference).toMatch(REFERENCE_PATTERN);
			await one.sent(wait.id, ['SM-1', 'SM-2']);
			const [, taken] = await two.waiting('sms', recipients[0], Date.now());
			expect(taken).toEqual(stored(wait, reference, ['SM-1', 'SM-2']));
			expect(await two.claim(taken.id, answerTo(taken))).toBe(true);
			await two.unclaim(taken);
			expect(await one.answerFor(wait.executionId)).toBeUndefined();
			expect(await one.waiting('sms', recipients[0], Date.now())).toEqual([stored(first), taken]);
			expect(await one.waiting('sms', recipients[1], Date.now())).toEqual([taken]);
			expect(await one.forExecution(wait.executionId)).toEqual(taken);
			const later = answerTo(taken, { answer: 'no', approved: false });
			expect(await one.claim(taken.id, later)).toBe(true);
			expect(await two.answerFor(wait.executionId)).toEqual(later);
			expect(await two.claim(taken.id, answerTo(taken))).toBe(false);
		});

		it('of a wait still waiting: changes nothing (an older copy does not overwrite it)', async () => {
			const store = make();
			const wait = newWait();
			await store.register(wait, 'reference', Date.now());
			const [copy] = await store.waiting('sms', wait.recipients[0], Date.now());
			await store.sent(wait.id, ['SM-1']);
			await store.unclaim(copy);
			expect(await store.waiting('sms', wait.recipients[0], Date.now())).toEqual([stored(wait, null, ['SM-1'])]);
			expect(await store.answerFor(wait.executionId)).toBeUndefined();
		});

		it('leaves an answer that another wait of the execution was given since', async () => {
			const store = make();
			const executionId = `exec-${randomUUID()}`;
			const [first, second] = [newWait({ executionId }), newWait({ executionId })];
			await store.register(first, 'reference', Date.now());
			expect(await store.claim(first.id, answerTo({ ...first, reference: null }))).toBe(true);
			await store.register(second, 'reference', Date.now());
			const answer = answerTo({ ...second, reference: null }, { answer: 'second' });
			expect(await store.claim(second.id, answer)).toBe(true);
			await store.unclaim(stored(first));
			expect(await store.answerFor(executionId)).toEqual(answer);
		});
	});

	describe('cancel and sent', () => {
		it('cancel forgets the wait (everywhere) and only it; a cancelled or unknown wait cancels without error', async () => {
			const store = make();
			const recipients = [person(), person()];
			const [gone, kept] = [newWait({ recipients }), newWait({ recipients: [recipients[1]] })];
			const [, keptRef] = await registerAll(store, [gone, kept]);
			await store.cancel(gone.id);
			await store.cancel(gone.id);
			await store.cancel(`never-${randomUUID()}`);
			expect(await store.waiting('sms', recipients[0], Date.now())).toEqual([]);
			expect(await store.waiting('sms', recipients[1], Date.now())).toEqual([stored(kept, keptRef)]);
			expect(await store.forExecution(gone.executionId)).toBeUndefined();
			expect(await store.forExecution(kept.executionId)).toEqual(stored(kept, keptRef));
			expect(await store.claim(gone.id, answerTo({ ...gone, reference: null }))).toBe(false);
		});

		it('after a cancel the person’s next wait needs no reference', async () => {
			const store = make();
			const to = [person()];
			const first = newWait({ recipients: to });
			await store.register(first, 'reference', Date.now());
			await store.cancel(first.id);
			expect(await store.register(newWait({ recipients: to }), 'reference', Date.now())).toEqual({ reference: null });
		});

		it('sent adds message IDs, in order, seen through every handle and in the claimed answer’s wait', async () => {
			const [one, two] = [make(), make()];
			const wait = newWait({ recipients: [person(), person()] });
			await one.register(wait, 'reference', Date.now());
			await one.sent(wait.id, ['SM-a']);
			await two.sent(wait.id, ['SM-b', 'SM-c']);
			await one.sent(wait.id, []);
			expect(await two.forExecution(wait.executionId)).toEqual(stored(wait, null, ['SM-a', 'SM-b', 'SM-c']));
			for (const recipient of wait.recipients) expect((await one.waiting('sms', recipient, Date.now()))[0].messageIds).toEqual(['SM-a', 'SM-b', 'SM-c']);
		});

		it('sent for a wait that is gone (claimed, or never there) brings nothing back', async () => {
			const store = make();
			const wait = newWait();
			await store.register(wait, 'reference', Date.now());
			expect(await store.claim(wait.id, answerTo({ ...wait, reference: null }))).toBe(true);
			await store.sent(wait.id, ['SM-late']);
			await store.sent(`never-${randomUUID()}`, ['SM-x']);
			expect(await store.waiting('sms', wait.recipients[0], Date.now())).toEqual([]);
			expect(await store.forExecution(wait.executionId)).toBeUndefined();
		});
	});
}
