/**
 * Waits kept in this process's memory (nodes/shared/state/waits.ts): the WaitStore contract, then what only this store
 * has: an injected random source and clock, its sweep, and the one store of the process.
 */
import { ANSWER_KEPT_MS, EXPIRY_GRACE_MS, isOpen, keepUntil, ProcessWaitStore, processWaits, UNLIMITED_KEPT_MS } from '../../nodes/shared/state/waits';
import { answerTo, newWait, person, waitStoreContract } from '../helpers/waitStoreContract';

describe('ProcessWaitStore: the WaitStore contract', () => {
	// One store for the file: every handle make() returns is the same state, as the contract asks.
	const store = new ProcessWaitStore();
	waitStoreContract(() => store);
});

describe('ProcessWaitStore on its own', () => {
	it('is kind process; processWaits() is one store for the whole process', () => {
		expect(new ProcessWaitStore().kind).toBe('process');
		expect(processWaits()).toBe(processWaits());
		expect(processWaits()).toBeInstanceOf(ProcessWaitStore);
	});

	it('references come from the random source it is given: a stuck one still gives each person different ones', async () => {
		const store = new ProcessWaitStore(Date.now, () => 0);
		const to = [person()];
		const references = [];
		for (let n = 0; n < 4; n++) references.push((await store.register(newWait({ recipients: to }), 'reference', Date.now())).reference);
		expect(references).toEqual([null, 'C3C', 'C3D', 'C3F']);
		// Another person may have the same ones.
		const other = [person()];
		await store.register(newWait({ recipients: other }), 'reference', Date.now());
		expect(await store.register(newWait({ recipients: other }), 'reference', Date.now())).toEqual({ reference: 'C3C' });
	});

	it('forgets a wait past its limit and grace, and an answer after a day, by its clock', async () => {
		let now = Date.now();
		const store = new ProcessWaitStore(() => now);
		const wait = newWait({ createdAt: now, expiresAt: now + 60_000 });
		const unlimited = newWait({ createdAt: now, expiresAt: null });
		await store.register(wait, 'reference', now);
		await store.register(unlimited, 'reference', now);
		expect(store.size).toBe(2);
		// Past the limit, within the grace: not listed, still kept (n8n's own timer may resume it late).
		await store.waiting('sms', wait.recipients[0], now + 60_000 + EXPIRY_GRACE_MS - 1);
		expect(store.size).toBe(2);
		expect((await store.forExecution(wait.executionId))?.id).toBe(wait.id);
		await store.waiting('sms', wait.recipients[0], now + 60_000 + EXPIRY_GRACE_MS);
		expect(store.size).toBe(1);
		expect(await store.forExecution(wait.executionId)).toBeUndefined();
		const answer = answerTo({ ...unlimited, reference: null });
		expect(await store.claim(unlimited.id, answer)).toBe(true);
		now += ANSWER_KEPT_MS - 1;
		expect(await store.answerFor(unlimited.executionId)).toEqual(answer);
		now += 1;
		expect(await store.answerFor(unlimited.executionId)).toBeUndefined();
	});

	it('keeps nothing of a wait that is over but its answer, and that only for a day: no memory grows per person', async () => {
		let now = Date.now();
		const store = new ProcessWaitStore(() => now);
		const inside = store as unknown as { waits: Map<string, unknown>; lists: Map<string, unknown>; byExecution: Map<string, unknown>; answers: Map<string, unknown> };
		const sizes = () => [inside.waits.size, inside.lists.size, inside.byExecution.size, inside.answers.size];
		const [ann, bob] = [person(), person()];
		const answered = newWait({ recipients: [ann, bob] });
		const cancelled = newWait({ recipients: [ann] });
		const replaced = newWait({ recipients: [bob] });
		const replacing = newWait({ recipients: [ann], executionId: replaced.executionId });
		const expiring = newWait({ recipients: [bob], expiresAt: now + 1_000 });
		for (const wait of [answered, cancelled, replaced, replacing, expiring]) await store.register(wait, 'reference', now);
		// Four waits (one replaced), two people, four executions.
		expect(sizes()).toEqual([4, 2, 4, 0]);
		expect(await store.claim(answered.id, answerTo({ ...answered, reference: null }))).toBe(true);
		await store.cancel(cancelled.id);
		expect(sizes()).toEqual([2, 2, 2, 1]);
		// The wait that replaced another is the one its execution is in: ending the replaced one again changes nothing.
		await store.cancel(replaced.id);
		expect((await store.forExecution(replaced.executionId))?.id).toBe(replacing.id);
		expect(await store.claim(replacing.id, answerTo({ ...replacing, reference: null }))).toBe(true);
		expect(sizes()).toEqual([1, 1, 1, 2]);
		now += 1_000 + EXPIRY_GRACE_MS;
		await store.waiting('sms', bob, now);
		expect(sizes()).toEqual([0, 0, 0, 2]);
		now += ANSWER_KEPT_MS;
		await store.waiting('sms', bob, now);
		expect(sizes()).toEqual([0, 0, 0, 0]);
	});

	it('an answer is swept at exactly a day, and not before', async () => {
		let now = Date.now();
		const store = new ProcessWaitStore(() => now);
		const answers = (store as unknown as { answers: Map<string, unknown> }).answers;
		const wait = newWait();
		await store.register(wait, 'reference', now);
		await store.claim(wait.id, answerTo({ ...wait, reference: null }));
		await store.waiting('sms', wait.recipients[0], now + ANSWER_KEPT_MS - 1);
		expect(answers.size).toBe(1);
		now += ANSWER_KEPT_MS;
		await store.waiting('sms', wait.recipients[0], now);
		expect(answers.size).toBe(0);
	});

	it('clear() forgets everything', async () => {
		const store = new ProcessWaitStore();
		const wait = newWait();
		await store.register(wait, 'reference', Date.now());
		store.clear();
		expect([store.size, await store.forExecution(wait.executionId), await store.waiting('sms', wait.recipients[0], Date.now())]).toEqual([0, undefined, []]);
	});
});

describe('keepUntil and isOpen', () => {
	it.each<[number | null, number, number, boolean]>([
		[null, 1_000, 1_000 + UNLIMITED_KEPT_MS, true],
		[5_000, 1_000, 5_000 + EXPIRY_GRACE_MS, true],
		[5_000, 4_999, 5_000 + EXPIRY_GRACE_MS, true],
		[5_000, 5_000, 5_000 + EXPIRY_GRACE_MS, false],
		[5_000, 9_000, 5_000 + EXPIRY_GRACE_MS, false],
	])('expiresAt %p at %i: kept until %i, open %s', (expiresAt, nowMs, kept, open) => {
		expect(keepUntil({ expiresAt }, nowMs)).toBe(kept);
		expect(isOpen({ expiresAt }, nowMs)).toBe(open);
	});
});
