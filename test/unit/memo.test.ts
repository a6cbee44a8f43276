import { oncePerExecution, perExecution } from '../../nodes/shared/memo';

describe('what an execution works out once', () => {
	it('perExecution: once per execution context and key, again after a throw, nothing shared between executions', () => {
		const one = {};
		const other = {};
		let made = 0;
		const make = () => ({ n: ++made });
		expect(perExecution(one, 'k', make)).toBe(perExecution(one, 'k', make));
		expect(made).toBe(1);
		expect(perExecution(one, 'other key', make)).toEqual({ n: 2 });
		expect(perExecution(other, 'k', make)).toEqual({ n: 3 });
		expect(perExecution(one, 'undefined', () => undefined)).toBeUndefined();
		expect(perExecution(one, 'undefined', make)).toBeUndefined();
		expect(() => perExecution(one, 'fails', () => {
			throw new Error('no');
		})).toThrow('no');
		expect(perExecution(one, 'fails', () => 'now')).toBe('now');
	});

	it('oncePerExecution: one look-up for the items of an execution, forgotten when it fails', async () => {
		const fns = {};
		let asked = 0;
		const lookUp = async () => ++asked;
		expect(await Promise.all([oncePerExecution(fns, ['a', 1], lookUp), oncePerExecution(fns, ['a', 1], lookUp)])).toEqual([1, 1]);
		await expect(oncePerExecution(fns, ['b'], async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
		expect(await oncePerExecution(fns, ['b'], lookUp)).toBe(2);
	});
});
