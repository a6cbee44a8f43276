/**
 * The one item loop every node runs: each item through its operation, `pairedItem` on every output, Continue
 * On Fail as one error shape, our errors (never n8n's generic text) when the node stops, and the sent-ledger
 * (ledger.ts) that keeps n8n's Retry On Fail from sending an item twice.
 */
import { NodeApiError, NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INode, type INodeExecutionData, type JsonObject } from 'n8n-workflow';
import { DeliveryFailure } from './delivery';
import { itemContext, type ItemContext } from './ledger';
import { nodeParameter } from './params';
import { clip, ProviderError } from './rules/errors';

export type { ItemContext };

const YIELD_EVERY = 50;

export interface ItemOperation {
	run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject>;
	/** Fields a failed item keeps when the node continues on fail (e.g. its recipient). */
	failureFields?(this: IExecuteFunctions, index: number): IDataObject;
}

/** The item a failure leaves when the node continues on fail. */
export function failureItem(error: unknown, extra: IDataObject = {}, failure?: DeliveryFailure): IDataObject {
	const message = error instanceof Error ? error.message : String(error);
	const out: IDataObject = { ...extra, error: message };
	if (error instanceof NodeOperationError && error.description) out.errorDescription = error.description;
	if (error instanceof ProviderError) {
		Object.assign(out, {
			status: error.ambiguous ? 'unknown' : 'failed',
			errorKind: error.kind,
			errorCode: error.code ?? null,
			httpStatus: error.httpStatus ?? null,
			provider: error.provider,
		});
		if (error.providerMessage) out.providerMessage = error.providerMessage;
	}
	if (failure) Object.assign(out, { attempts: failure.attempts, fallbackUsed: failure.fallbackTried });
	return out;
}

/** The error n8n shows: our sentence, the provider's code and HTTP status, and the item it happened on. */
export function toNodeError(fns: Pick<IExecuteFunctions, 'getNode'>, error: ProviderError, itemIndex?: number, failure?: DeliveryFailure): NodeApiError {
	const details = [
		`Provider: ${error.providerLabel}`,
		error.code ? `code ${error.code}` : undefined,
		error.httpStatus ? `HTTP ${error.httpStatus}` : undefined,
		failure ? `${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'}` : undefined,
	]
		.filter(Boolean)
		.join(' · ');
	let description = details;
	if (error.providerMessage) description += `. ${error.providerLabel} said: ${error.providerMessage}`;
	else if (error.detail) description += `. Detail: ${error.detail}`;
	const apiError = new NodeApiError(
		fns.getNode(),
		// No `code` here: n8n would replace our sentence with its own text for known network codes.
		{ message: error.message, kind: error.kind, provider: error.provider } as JsonObject,
		{ message: error.message, description, httpCode: error.httpStatus ? String(error.httpStatus) : undefined, itemIndex },
	);
	// n8n's constructor may still have picked a generic message from the status code: ours is the one to show.
	apiError.message = error.message;
	apiError.description = description;
	return apiError;
}

/** What to do with an item's failure: an output item (Continue On Fail), or the error the node stops with. */
function settleFailure(fns: IExecuteFunctions, caught: unknown, i: number, operation: ItemOperation | undefined): INodeExecutionData {
	const failure = caught instanceof DeliveryFailure ? caught : undefined;
	const error = failure ? failure.error : caught;
	if (fns.continueOnFail()) {
		let extra: IDataObject = {};
		try {
			extra = operation?.failureFields?.call(fns, i) ?? {};
		} catch {
			extra = {};
		}
		return { json: failureItem(error, extra, failure), pairedItem: { item: i } };
	}
	if (error instanceof ProviderError) throw toNodeError(fns, error, i, failure);
	if (error instanceof NodeOperationError || error instanceof NodeApiError) throw error;
	throw nodeOperationError(fns.getNode(), error instanceof Error ? error.message : String(error), { itemIndex: i });
}

/**
 * A NodeOperationError that keeps our sentence: n8n puts its own in place of a message that names a network error code
 * (Redis's "connect ECONNREFUSED…" becomes "The service refused the connection - perhaps it is offline", and the SMS
 * provider looks to blame).
 */
export function nodeOperationError(node: INode, message: string, options: ConstructorParameters<typeof NodeOperationError>[2] = {}): NodeOperationError {
	const error = new NodeOperationError(node, message, options);
	error.message = message;
	return error;
}

/**
 * Run the operation over every input item, one at a time, or `concurrency` at a time with the output in input order.
 * Without Continue On Fail, the first item to fail (in input order) stops the node; with more than one at a time,
 * nothing new starts after a failure, and what was in flight is finished (the sent-ledger keeps it from going twice).
 */
export async function runItems(fns: IExecuteFunctions, operationOf: (index: number) => ItemOperation, concurrency = 1): Promise<INodeExecutionData[][]> {
	const items = fns.getInputData();
	if (concurrency > 1 && items.length > 1) return await runItemsAtOnce(fns, operationOf, items.length, concurrency);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		// Give other executions a turn now and then: items answered from memory (the ledger, a refusal) never wait.
		if (i > 0 && i % YIELD_EVERY === 0) await sleep(0);
		let operation: ItemOperation | undefined;
		try {
			operation = operationOf(i);
			out.push({ json: await operation.run.call(fns, itemContext(fns, i)), pairedItem: { item: i } });
		} catch (caught) {
			out.push(settleFailure(fns, caught, i, operation));
		}
	}
	return [out];
}

async function runItemsAtOnce(fns: IExecuteFunctions, operationOf: (index: number) => ItemOperation, count: number, concurrency: number): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = new Array(count);
	let stopAt: number | undefined;
	let stopWith: unknown;
	let next = 0;
	const worker = async () => {
		while (next < count && stopAt === undefined) {
			const i = next++;
			let operation: ItemOperation | undefined;
			try {
				operation = operationOf(i);
				out[i] = { json: await operation.run.call(fns, itemContext(fns, i)), pairedItem: { item: i } };
			} catch (caught) {
				try {
					out[i] = settleFailure(fns, caught, i, operation);
				} catch (stopping) {
					if (stopAt === undefined || i < stopAt) {
						stopAt = i;
						stopWith = stopping;
					}
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	if (stopAt !== undefined) throw stopWith;
	return [out];
}

/**
 * A node's operations by name: the item loop with the operation each item names, and a clear error (never n8n's
 * generic one) for a name the node does not have, such as n8n's "Custom API Call".
 */
export function runOperations(fns: IExecuteFunctions, operations: Record<string, ItemOperation>, nodeLabel: string, hint: string, concurrency = 1): Promise<INodeExecutionData[][]> {
	const unknown = (name: string): ItemOperation => ({
		async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
			throw new NodeOperationError(this.getNode(), `${nodeLabel} has no operation "${clip(name)}"`, { itemIndex: item.index, description: hint });
		},
	});
	return runItems(fns, (i) => {
		const name = String(nodeParameter(fns, 'operation', i, undefined));
		// Own names only: "constructor" or "__proto__" must not find Object's members.
		return Object.hasOwn(operations, name) ? operations[name] : unknown(name);
	}, concurrency);
}

/** What a failed item keeps of its recipient when the node continues on fail: the To parameter, if it is text. */
export function recipientField(this: IExecuteFunctions, index: number): IDataObject {
	const to = this.getNodeParameter('to', index, '');
	return typeof to === 'string' || typeof to === 'number' ? { to: String(to) } : {};
}

/**
 * A node that runs once for all its items (a campaign): its error as ours, or with Continue On Fail, one item on
 * `errorOutput` with the error, paired with every input item.
 */
export async function runWhole(fns: IExecuteFunctions, outputs: number, errorOutput: number, run: () => Promise<INodeExecutionData[][]>): Promise<INodeExecutionData[][]> {
	try {
		return await run();
	} catch (caught) {
		const error: unknown = caught instanceof DeliveryFailure ? caught.error : caught;
		if (fns.continueOnFail()) {
			const out: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
			const pairedItem = fns.getInputData().map((_, item) => ({ item }));
			out[errorOutput].push({ json: failureItem(error, { sent: 0 }), pairedItem });
			return out;
		}
		if (error instanceof NodeOperationError || error instanceof NodeApiError) throw error;
		if (error instanceof ProviderError) throw toNodeError(fns, error);
		throw new NodeOperationError(fns.getNode(), error instanceof Error ? error : String(error));
	}
}
