/**
 * The one item loop, on its own: the four things it asks of n8n (the input items, Continue On Fail, the node, the
 * execution ID) come from a small host here, and the operations are plain functions. The engine tests run the same
 * loop inside n8n's engine through the nodes; this file pins what the loop itself decides.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';
import { DeliveryFailure } from '../../nodes/shared/delivery';
import { failureItem, recipientField, runItems, runOperations, toNodeError, type ItemOperation } from '../../nodes/shared/items';
import { ProviderError } from '../../nodes/shared/rules/errors';

const NODE: INode = { id: 'node-1', name: 'Send SMS', type: 'n8n-nodes-messaging-gateway.sendSms', typeVersion: 1, position: [0, 0], parameters: {} };
const TWILIO = { name: 'twilio', label: 'Twilio' };

let executions = 0;
function host(count: number, continueOnFail: boolean): IExecuteFunctions {
	const executionId = `items-test-${++executions}`;
	const fns = {
		getInputData: () => Array.from({ length: count }, (_, i) => ({ json: { i } })),
		continueOnFail: () => continueOnFail,
		getNode: () => NODE,
		getExecutionId: () => executionId,
	};
	return fns as unknown as IExecuteFunctions;
}

const providerError = (kind: 'recipient' | 'ambiguous' | 'auth', extra: Partial<{ code: string; httpStatus: number; providerMessage: string; detail: string }> = {}) =>
	new ProviderError({ provider: TWILIO, kind, message: `Twilio said no (${kind})`, ...extra });

/** An operation whose item `bad` throws `error`; the others return their index. */
function failingAt(bad: number, error: unknown, failureFields?: ItemOperation['failureFields']): (index: number) => ItemOperation {
	return (index) => ({
		run: async (item) => {
			if (item.index !== index) throw new Error('the item context is for another item');
			if (index === bad) throw error;
			return { sent: index };
		},
		failureFields,
	});
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	return await promise.then(
		() => {
			throw new Error('expected the loop to throw');
		},
		(error: unknown) => error,
	);
}

describe('runItems', () => {
	it('one output a item, in order, each paired with its input item', async () => {
		const [out] = await runItems(host(3, false), (i) => ({ run: async () => ({ sent: i }) }));
		expect(out).toEqual([
			{ json: { sent: 0 }, pairedItem: { item: 0 } },
			{ json: { sent: 1 }, pairedItem: { item: 1 } },
			{ json: { sent: 2 }, pairedItem: { item: 2 } },
		]);
	});

	it('no items: one empty output', async () => {
		expect(await runItems(host(0, false), () => ({ run: async () => ({}) }))).toEqual([[]]);
	});

	it('Continue On Fail: the failed item comes out in its place, paired with its own input, and the others go on', async () => {
		const error = providerError('recipient', { code: '21211', httpStatus: 400, providerMessage: "Invalid 'To' Phone Number" });
		const [out] = await runItems(host(4, true), failingAt(2, error, (i) => ({ to: `recipient ${i}` })));
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[1].json).toEqual({ sent: 1 });
		expect(out[3].json).toEqual({ sent: 3 });
		expect(out[2].json).toEqual({
			to: 'recipient 2',
			error: 'Twilio said no (recipient)',
			status: 'failed',
			errorKind: 'recipient',
			errorCode: '21211',
			httpStatus: 400,
			provider: 'twilio',
			providerMessage: "Invalid 'To' Phone Number",
		});
	});

	it('Continue On Fail: a delivery failure gives its attempts and whether a fallback was tried', async () => {
		const failure = new DeliveryFailure(providerError('ambiguous'), [{ provider: 'twilio', attempt: 1, ok: false, kind: 'ambiguous' }], false);
		const [out] = await runItems(host(1, true), failingAt(0, failure));
		// Strict: no providerMessage key at all when the provider said nothing.
		expect(out[0].json).toStrictEqual({
			error: 'Twilio said no (ambiguous)',
			status: 'unknown',
			errorKind: 'ambiguous',
			errorCode: null,
			httpStatus: null,
			provider: 'twilio',
			attempts: 1,
			fallbackUsed: false,
		});
	});

	it('Continue On Fail: an operation that fails before it starts, or whose failure fields fail, still gives an item', async () => {
		const [before] = await runItems(host(2, true), (i) => {
			if (i === 0) throw new NodeOperationError(NODE, 'The "To" field is empty', { description: 'Map a phone number to it' });
			return { run: async () => ({ sent: i }) };
		});
		expect(before).toEqual([
			{ json: { error: 'The "To" field is empty', errorDescription: 'Map a phone number to it' }, pairedItem: { item: 0 } },
			{ json: { sent: 1 }, pairedItem: { item: 1 } },
		]);
		const [broken] = await runItems(
			host(1, true),
			failingAt(0, new Error('boom'), () => {
				throw new Error('cannot read the recipient either');
			}),
		);
		expect(broken).toEqual([{ json: { error: 'boom' }, pairedItem: { item: 0 } }]);
	});

	it('without Continue On Fail, a provider error stops the node with our sentence, the code, the status and the item', async () => {
		const error = providerError('recipient', { code: '21610', httpStatus: 400, providerMessage: 'Attempt to send to unsubscribed recipient' });
		const thrown = await rejection(runItems(host(3, false), failingAt(1, error)));
		expect(thrown).toBeInstanceOf(NodeApiError);
		const apiError = thrown as NodeApiError;
		expect(apiError.message).toBe('Twilio said no (recipient)');
		expect(apiError.description).toBe('Provider: Twilio · code 21610 · HTTP 400. Twilio said: Attempt to send to unsubscribed recipient');
		expect(apiError.httpCode).toBe('400');
		expect(apiError.context.itemIndex).toBe(1);
	});

	it('without Continue On Fail, a delivery failure counts its attempts in the description', async () => {
		const log = [1, 2, 3].map((attempt) => ({ provider: 'twilio', attempt, ok: false }));
		const failure = new DeliveryFailure(providerError('auth', { detail: 'connect ECONNREFUSED 127.0.0.1:9' }), log, false);
		const apiError = (await rejection(runItems(host(1, false), failingAt(0, failure)))) as NodeApiError;
		expect(apiError.description).toBe('Provider: Twilio · 3 attempts. Detail: connect ECONNREFUSED 127.0.0.1:9');
	});

	it("n8n's own errors pass through unchanged; anything else becomes a NodeOperationError on its item", async () => {
		const own = new NodeOperationError(NODE, 'Enter a message', { itemIndex: 0 });
		expect(await rejection(runItems(host(1, false), failingAt(0, own)))).toBe(own);
		const api = new NodeApiError(NODE, { message: 'x' });
		expect(await rejection(runItems(host(1, false), failingAt(0, api)))).toBe(api);
		const other = (await rejection(runItems(host(3, false), failingAt(2, new RangeError('out of range'))))) as NodeOperationError;
		expect(other).toBeInstanceOf(NodeOperationError);
		expect(other.message).toBe('out of range');
		expect(other.context.itemIndex).toBe(2);
		const text = (await rejection(runItems(host(1, false), failingAt(0, 'plain text')))) as NodeOperationError;
		expect(text).toBeInstanceOf(NodeOperationError);
		expect(text.message).toBe('plain text');
	});

	it('gives other work a turn every 50 items, and not before', async () => {
		let turns = 0;
		const timer = setInterval(() => turns++, 0);
		const seen: number[] = [];
		try {
			await runItems(host(101, false), (i) => ({
				run: async () => {
					seen[i] = turns;
					return {};
				},
			}));
		} finally {
			clearInterval(timer);
		}
		// Items answered at once never wait, so the timer only runs where the loop yields: before items 50 and 100.
		expect(seen[0]).toBe(0);
		expect(seen[49]).toBe(0);
		expect(seen[50]).toBeGreaterThan(0);
		expect(seen[99]).toBe(seen[50]);
		expect(seen[100]).toBeGreaterThan(seen[99]);
	});

	it('Retry On Fail: a second run of the same execution answers a sent item from the ledger, not by sending again', async () => {
		const fns = host(2, false);
		let sends = 0;
		const operation = (): ItemOperation => ({
			run: async (item) => await item.once({ to: `+1555000000${item.index}` }, async () => ({ sent: ++sends })),
		});
		const first = await runItems(fns, operation);
		const again = await runItems(fns, operation);
		expect(sends).toBe(2);
		expect(again).toEqual(first);
	});

	it('the ledger reads the node once per execution (n8n copies the whole node on every getNode)', async () => {
		const fns = host(120, false) as unknown as { getNode: () => INode };
		let reads = 0;
		fns.getNode = () => {
			reads++;
			return NODE;
		};
		const [out] = await runItems(fns as unknown as IExecuteFunctions, () => ({ run: async (item) => await item.once({ to: item.index }, async () => ({ sent: item.index })) }));
		expect(out).toHaveLength(120);
		expect(reads).toBe(1);
	});
});

describe('failureItem and toNodeError', () => {
	it('a plain error keeps only its message and the extra fields', () => {
		expect(failureItem(new Error('x'), { to: '+1' })).toEqual({ to: '+1', error: 'x' });
		expect(failureItem('text')).toEqual({ error: 'text' });
	});

	it('an error with neither code nor status, nor provider words, says so plainly', () => {
		const error = new ProviderError({ provider: TWILIO, kind: 'ambiguous', message: 'm' });
		const apiError = toNodeError(host(1, false), error, 0);
		expect(apiError.description).toBe('Provider: Twilio');
		expect(apiError.httpCode).toBeNull();
		const one = toNodeError(host(1, false), error, 0, new DeliveryFailure(error, [{ provider: 'twilio', attempt: 1, ok: false }], false));
		expect(one.description).toBe('Provider: Twilio · 1 attempt');
	});
});

describe('runOperations and recipientField', () => {
	/** A host whose items name their operation and recipient in the node's parameters. */
	function routed(operations: string[], to: unknown[] = [], continueOnFail = false): IExecuteFunctions {
		const fns = host(operations.length, continueOnFail) as unknown as Record<string, unknown>;
		fns.getNodeParameter = (name: string, index: number, fallback?: unknown) => (name === 'operation' ? operations[index] : name === 'to' ? (index < to.length ? to[index] : fallback) : fallback);
		return fns as unknown as IExecuteFunctions;
	}
	const echo = (label: string): ItemOperation => ({ run: async (item) => ({ op: label, index: item.index }) });

	it('an operation written without an expression is read through n8n once per execution', async () => {
		const fns = routed(['a', 'a', 'a']) as unknown as Record<string, unknown>;
		const read = fns.getNodeParameter as (name: string, index: number) => unknown;
		const reads: number[] = [];
		fns.getNodeParameter = (name: string, index: number) => (reads.push(index), read(name, index));
		fns.getNode = () => ({ ...NODE, parameters: { operation: 'a' } });
		const out = await runOperations(fns as unknown as IExecuteFunctions, { a: echo('a') }, 'Node', 'hint');
		expect(out[0]).toHaveLength(3);
		expect(reads).toEqual([0]);
	});

	it('runs each item through the operation it names', async () => {
		const out = await runOperations(routed(['a', 'b', 'a']), { a: echo('a'), b: echo('b') }, 'Node', 'hint');
		expect(out[0].map((i) => i.json)).toEqual([
			{ op: 'a', index: 0 },
			{ op: 'b', index: 1 },
			{ op: 'a', index: 2 },
		]);
	});

	it('an operation the node does not have stops the node with a sentence and the hint, on its item', async () => {
		const error = await runOperations(routed(['a', 'customApiCall']), { a: echo('a') }, 'Send SMS', 'Use an HTTP Request node.').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error).toMatchObject({ message: 'Send SMS has no operation "customApiCall"', description: 'Use an HTTP Request node.', context: { itemIndex: 1 } });
	});

	it('with Continue On Fail, an unknown operation fails its item only', async () => {
		const out = await runOperations(routed(['nope', 'a'], [], true), { a: echo('a') }, 'Node', 'hint');
		expect(out[0].map((i) => i.json)).toEqual([{ error: 'Node has no operation "nope"', errorDescription: 'hint' }, { op: 'a', index: 1 }]);
	});

	it.each<[unknown, object]>([
		['+33612345678', { to: '+33612345678' }],
		[33612345678, { to: '33612345678' }],
		['', { to: '' }],
		[{ phone: 1 }, {}],
		[['+1'], {}],
		[null, {}],
		[true, {}],
	])('keeps the To parameter %p of a failed item as %p', (to, fields) => {
		expect(recipientField.call(routed(['a'], [to]), 0)).toEqual(fields);
	});
});
