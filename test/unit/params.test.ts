/**
 * Node parameters read for each item: one written without an expression is read through n8n once per execution, and
 * every item gets its own copy of it; one with an expression anywhere is read for every item.
 */
import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';
import { nodeParameter, ParameterReader } from '../../nodes/shared/params';

function host(parameters: INodeParameters, value: (name: string, index: number) => unknown = (name) => parameters[name]) {
	const reads: string[] = [];
	let nodeReads = 0;
	const fns = {
		getNode: () => {
			nodeReads++;
			return { id: 'n', name: 'Send SMS', type: 't', typeVersion: 1, position: [0, 0], parameters: structuredClone(parameters) };
		},
		getNodeParameter: (name: string, index: number, fallback?: unknown) => {
			reads.push(`${name}@${index}`);
			if (name === 'broken' && index === 0) throw new Error('not valid for item 0');
			const v = value(name, index);
			return v === undefined ? fallback : v;
		},
	} as unknown as IExecuteFunctions;
	return { fns, reads, nodeReads: () => nodeReads };
}

describe('nodeParameter', () => {
	it('a parameter without an expression: read through n8n for the first item only, the node read once', () => {
		const { fns, reads, nodeReads } = host({ provider: 'twilio', options: { waitForStatus: 5, list: ['a'] }, count: 3, on: false });
		for (let i = 0; i < 3; i++) {
			expect(nodeParameter(fns, 'provider', i, 'x')).toBe('twilio');
			expect(nodeParameter(fns, 'options', i, {})).toEqual({ waitForStatus: 5, list: ['a'] });
			expect(nodeParameter(fns, 'count', i, 0)).toBe(3);
			expect(nodeParameter(fns, 'on', i, true)).toBe(false);
		}
		expect(reads).toEqual(['provider@0', 'options@0', 'count@0', 'on@0']);
		expect(nodeReads()).toBe(1);
	});

	it('an expression anywhere in it (nested in a collection too): read for every item', () => {
		const parameters = { to: '={{ $json.phone }}', options: { a: 1, deep: [{ b: '={{ $json.b }}' }] } };
		const { fns, reads } = host(parameters, (name, index) => `${name}${index}`);
		for (let i = 0; i < 3; i++) {
			expect(nodeParameter(fns, 'to', i, '')).toBe(`to${i}`);
			expect(nodeParameter(fns, 'options', i, {})).toBe(`options${i}`);
		}
		expect(reads).toEqual(['to@0', 'options@0', 'to@1', 'options@1', 'to@2', 'options@2']);
	});

	it('each item gets its own copy: what one item changes, the next does not see', () => {
		const { fns } = host({ options: { list: ['a'] } });
		const first = nodeParameter(fns, 'options', 0, {}) as { list: string[] };
		first.list.push('changed');
		const second = nodeParameter(fns, 'options', 1, {}) as { list: string[] };
		expect(second).toEqual({ list: ['a'] });
		second.list.push('changed too');
		expect(nodeParameter(fns, 'options', 2, {})).toEqual({ list: ['a'] });
	});

	it('a parameter the node does not have, a path, or a read that fails: through n8n every time', () => {
		const { fns, reads } = host({ options: { a: 1 }, broken: 'x' });
		for (let i = 0; i < 2; i++) {
			expect(nodeParameter(fns, 'missing', i, 'fallback')).toBe('fallback');
			expect(nodeParameter(fns, 'options.a', i, 0)).toBe(0);
		}
		expect(() => nodeParameter(fns, 'broken', 0, '')).toThrow('not valid for item 0');
		expect(nodeParameter(fns, 'broken', 1, '')).toBe('x');
		expect(nodeParameter(fns, 'broken', 2, '')).toBe('x');
		expect(reads).toEqual(['missing@0', 'options.a@0', 'missing@1', 'options.a@1', 'broken@0', 'broken@1']);
	});

	it('a new execution reads again', () => {
		const parameters = { provider: 'sinch' };
		const one = host(parameters);
		const two = host(parameters);
		nodeParameter(one.fns, 'provider', 0, '');
		nodeParameter(two.fns, 'provider', 0, '');
		expect([...one.reads, ...two.reads]).toEqual(['provider@0', 'provider@0']);
	});

	it('ParameterReader reads through it', () => {
		const { fns, reads } = host({ options: { waitForStatus: 5 } });
		expect(new ParameterReader(fns, 0).options()).toEqual({ waitForStatus: 5 });
		expect(new ParameterReader(fns, 1).options()).toEqual({ waitForStatus: 5 });
		expect(reads).toEqual(['options@0']);
	});
});
