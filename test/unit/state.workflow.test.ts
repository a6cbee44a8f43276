/** The workflow-static-data store: the shared-state contract, and what a workflow's static data may hold. */
import type { IDataObject } from 'n8n-workflow';
import { MAX_ENTRIES, STATIC_DATA_KEY, workflowState } from '../../nodes/shared/state/workflowStore';
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

	it('keeps at most 20,000 entries of a kind, the oldest going first, in linear time', async () => {
		const data: IDataObject = {};
		const state = workflowState(data);
		const until = Date.now() + 60_000;
		for (let i = 0; i < 60_000; i++) {
			await state.attempt(`id${i}`, until);
			await state.take(`k${i}`, 1, 60_000, Date.now());
		}
		const blob = data[STATIC_DATA_KEY] as { attempts: Record<string, unknown>; windows: Record<string, unknown> };
		for (const part of [blob.attempts, blob.windows]) {
			expect(Object.keys(part).length).toBeLessThanOrEqual(MAX_ENTRIES);
			expect(Object.keys(part).length).toBeGreaterThanOrEqual(MAX_ENTRIES * 0.9);
		}
		expect(blob.attempts.id0).toBeUndefined();
		expect(blob.attempts.id59999).toEqual([1, until]);
	});
});
