/** The workflow-static-data store: the shared-state contract, and what a workflow's static data may hold. */
import type { IDataObject } from 'n8n-workflow';
import { forgetProcessCopies, FULL, MAX_ENTRIES, STATIC_DATA_KEY, workflowState } from '../../nodes/shared/state/workflowStore';
import { sharedStateContract } from '../helpers/sharedStateContract';

describe('workflowState', () => {
	// One workflow's static data, seen by every "execution" of the file.
	const staticData: IDataObject = {};
	sharedStateContract(() => workflowState(staticData));

	it.each<[string, unknown]>([
		['nothing', undefined],
		['a text', 'garbage'],
		['a list', [1, 2]],
		['empty parts', { windows: null, attempts: 7, closed: 'x' }],
	])('starts afresh from static data holding %s under its key', async (_, held) => {
		const data: IDataObject = { [STATIC_DATA_KEY]: held as IDataObject, other: 'kept' };
		const state = workflowState(data);
		expect(await state.state('id')).toBe('open');
		expect(await state.attempt('id', Date.now() + 60_000)).toBe(1);
		expect(data.other).toBe('kept');
	});

	it('drops entries past their expiry, and keys whose window emptied', async () => {
		let now = 1_000_000;
		const data: IDataObject = {};
		const state = workflowState(data, () => now);
		await state.attempt('a', now + 10);
		await state.close('b', 'used', now + 10);
		await state.take('k1', 5, 100, now - 8 * 24 * 3_600_000);
		await state.take('k2', 5, 100, now);
		now += 1001;
		expect([await state.state('b'), await state.attempt('a', now + 10)]).toEqual(['open', 1]);
		workflowState(data, () => now + 2000);
		const blob = data[STATIC_DATA_KEY] as { windows: object; attempts: object; closed: object };
		expect(blob.attempts).toEqual({});
		expect(blob.closed).toEqual({});
		expect(Object.keys(blob.windows)).toEqual(['k2']);
	});

	it('holds at most 20,000 live entries of a kind: past ones make room, live ones are never dropped, and a full store refuses more', async () => {
		let now = Date.now();
		const data: IDataObject = {};
		const state = workflowState(data, () => now);
		// 20,000 verifications that expire in a second, checked and closed.
		for (let i = 0; i < MAX_ENTRIES; i++) {
			await state.attempt(`old${i}`, now + 1000);
			await state.close(`old${i}`, 'used', now + 1000);
		}
		now += 2000;
		// Their time has passed: new ones take their room, in linear time.
		for (let i = 0; i < MAX_ENTRIES; i++) {
			await state.attempt(`new${i}`, now + 60_000);
			await state.close(`new${i}`, 'used', now + 60_000);
		}
		const blob = data[STATIC_DATA_KEY] as { attempts: Record<string, unknown>; closed: Record<string, unknown> };
		expect([Object.keys(blob.attempts).length, Object.keys(blob.closed).length]).toEqual([MAX_ENTRIES, MAX_ENTRIES]);
		// Full of live entries: one more is refused with the way out, and no live "used" mark was dropped.
		await expect(state.close('one-more', 'used', now + 60_000)).rejects.toThrow(FULL);
		await expect(state.attempt('one-more', now + 60_000)).rejects.toThrow(FULL);
		expect(await state.state('new0')).toBe('used');
		// Known ids still count and close as before.
		expect(await state.attempt('new0', now + 60_000)).toBe(2);
		expect(await state.close('new1', 'canceled', now + 60_000)).toBe('used');
		// Numbers too: a window full of live numbers refuses a new one; one already counted goes on being counted.
		for (let i = 0; i < MAX_ENTRIES; i++) await state.take(`n${i}`, 5, 60_000, now);
		await expect(state.take('n-new', 5, 60_000, now)).rejects.toThrow(FULL);
		expect(await state.take('n0', 5, 60_000, now)).toMatchObject({ allowed: true, count: 2 });
		// Once their window (and the clock tolerance) has passed, new numbers get room.
		now += 60_000 + 60_001;
		expect(await state.take('n-new', 5, 60_000, now)).toMatchObject({ allowed: true, count: 1 });
	});

	describe('executions of one workflow at once, each with its own copy of the static data', () => {
		const clone = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;

		it('see each other at once: a code used by one is used for the other, checks and starts are counted once', async () => {
			const saved: IDataObject = {};
			const id = `wf-${Math.random()}`;
			// Both executions started from the same saved static data, before either did anything.
			const [a, b] = [workflowState(clone(saved), Date.now, id), workflowState(clone(saved), Date.now, id)];
			const until = Date.now() + 60_000;
			expect(await a.close('v1', 'used', until)).toBe('open');
			expect(await b.close('v1', 'used', until)).toBe('used');
			expect([await a.attempt('v2', until), await b.attempt('v2', until), await a.attempt('v2', until)]).toEqual([1, 2, 3]);
			expect((await a.take('n', 1, 60_000, Date.now())).allowed).toBe(true);
			expect((await b.take('n', 1, 60_000, Date.now())).allowed).toBe(false);
		});

		it('whichever saves last saves everything: an execution that started earlier cannot erase a "used" mark', async () => {
			const id = `wf-${Math.random()}`;
			const saved: IDataObject = {};
			const early = clone(saved);
			const earlyState = workflowState(early, Date.now, id);
			await earlyState.attempt('other', Date.now() + 60_000);
			const late = clone(saved);
			await workflowState(late, Date.now, id).close('v1', 'used', Date.now() + 60_000);
			// The late one saves first, the early one last (n8n keeps the last); then n8n restarts.
			const afterSave = clone(early);
			forgetProcessCopies();
			const restarted = workflowState(afterSave, Date.now, id);
			expect(await restarted.state('v1')).toBe('used');
			expect(await restarted.attempt('other', Date.now() + 60_000)).toBe(2);
		});

		it('an execution of another workflow, or one with no ID, shares nothing', async () => {
			const id = `wf-${Math.random()}`;
			await workflowState({}, Date.now, id).close('v1', 'used', Date.now() + 60_000);
			expect(await workflowState({}, Date.now, `${id}-other`).state('v1')).toBe('open');
			expect(await workflowState({}).state('v1')).toBe('open');
		});

		it('merges what a restart left with what the process has: every time, the higher count, every close', async () => {
			const id = `wf-${Math.random()}`;
			const now = Date.now();
			const live = workflowState({}, () => now, id);
			await live.take('k', 10, 60_000, now);
			await live.attempt('a', now + 60_000);
			const fromDisk: IDataObject = {
				[STATIC_DATA_KEY]: { windows: { k: [now, now - 1], j: [now] }, attempts: { a: [4, now + 60_000], b: [1, now + 60_000] }, closed: { c: ['canceled', now + 60_000] } },
			};
			const merged = workflowState(fromDisk, () => now, id);
			expect((await merged.take('k', 10, 60_000, now)).count).toBe(3);
			expect((await merged.take('j', 10, 60_000, now)).count).toBe(2);
			expect([await merged.attempt('a', now + 60_000), await merged.attempt('b', now + 60_000)]).toEqual([5, 2]);
			expect(await merged.state('c')).toBe('canceled');
		});
	});

	it('release gives back a place by its ticket, once; an unknown ticket changes nothing', async () => {
		const state = workflowState({});
		const t0 = Date.now();
		const first = await state.take('k', 2, 60_000, t0);
		const second = await state.take('k', 2, 60_000, t0 + 1);
		expect((await state.take('k', 2, 60_000, t0 + 2)).allowed).toBe(false);
		await state.release('k', String(second.ticket));
		await state.release('k', String(second.ticket));
		await state.release('k', 'nonsense');
		await state.release('unknown-key', String(first.ticket));
		expect(await state.take('k', 2, 60_000, t0 + 3)).toMatchObject({ allowed: true, count: 2 });
		expect((await state.take('k', 2, 60_000, t0 + 4)).allowed).toBe(false);
	});

});
