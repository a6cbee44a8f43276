/** The workflow-static-data store: the shared-state contract, and what a workflow's static data may hold. */
import type { IDataObject } from 'n8n-workflow';
import { FULL, MAX_ENTRIES, STATIC_DATA_KEY, workflowState } from '../../nodes/shared/state/workflowStore';
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
