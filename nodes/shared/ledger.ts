/**
 * The sent-ledger that keeps n8n's Retry On Fail from sending an item twice.
 *
 * When the node fails on item k, n8n's Retry On Fail runs the node again on every item. Within one execution, an
 * item a provider accepted (or may have accepted: an ambiguous failure) is remembered by execution, node, item
 * index and a fingerprint of what was sent; the retry returns the remembered outcome instead of sending again.
 * It lives in this n8n process's memory for the execution's life (bounded in size and time): a new execution (a
 * re-run from the Executions list) starts with an empty ledger.
 */
import { hash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { DeliveryFailure } from './delivery';
import { perExecution } from './memo';
import { ProviderError } from './rules/errors';

const LEDGER_MAX_ENTRIES = 200_000;
const LEDGER_TTL_MS = 24 * 60 * 60 * 1000;

type LedgerOutcome = { ok: true; json: IDataObject } | { ok: false; error: ProviderError; failure?: DeliveryFailure };

interface LedgerEntry {
	at: number;
	outcome: LedgerOutcome;
}

/** Insertion-ordered, so the oldest entries go first when it is full. */
const ledger = new Map<string, LedgerEntry>();

function prune(now: number): void {
	for (const [key, entry] of ledger) {
		if (ledger.size <= LEDGER_MAX_ENTRIES && now - entry.at < LEDGER_TTL_MS) break;
		ledger.delete(key);
	}
}

/** JSON with object keys in order and undefined fields left out, so that key order does not matter. */
function stableJson(value: unknown): string {
	if (value instanceof Date) return JSON.stringify(value.toISOString());
	if (Array.isArray(value)) return `[${value.map((v) => (isOmitted(v) ? 'null' : stableJson(v))).join(',')}]`;
	if (value && typeof value === 'object') {
		const fields: string[] = [];
		for (const key of Object.keys(value).sort()) {
			const v = (value as Record<string, unknown>)[key];
			if (!isOmitted(v)) fields.push(`${JSON.stringify(key)}:${stableJson(v)}`);
		}
		return `{${fields.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** What JSON leaves out of an object (and writes as null in a list). */
const isOmitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** A stable digest of what an item sends (key order does not matter). */
export function fingerprint(value: unknown): string {
	return hash('sha256', stableJson(value), 'hex');
}

export interface ItemContext {
	index: number;
	/**
	 * Run `send` once per execution for this item and content: a repeated call (n8n's Retry On Fail) gets the
	 * first call's output, or its ambiguous failure again, without sending.
	 */
	once(content: unknown, send: () => Promise<IDataObject>): Promise<IDataObject>;
}


function ledgerKey(fns: IExecuteFunctions, index: number, content: unknown): string | undefined {
	let executionId: string | undefined;
	try {
		executionId = fns.getExecutionId();
	} catch {
		executionId = undefined;
	}
	if (!executionId) return undefined;
	// getNode() copies the whole node: its ID is read once per execution.
	const nodeId = perExecution(fns, 'ledger node', () => {
		const node = fns.getNode();
		return node.id ?? node.name;
	});
	return [executionId, nodeId, index, fingerprint(content)].join('\u0000');
}

export function itemContext(fns: IExecuteFunctions, index: number): ItemContext {
	return {
		index,
		async once(content, send) {
			const key = ledgerKey(fns, index, content);
			const known = key ? ledger.get(key) : undefined;
			if (known) {
				if (known.outcome.ok) return { ...known.outcome.json };
				throw known.outcome.failure ?? known.outcome.error;
			}
			try {
				const json = await send();
				if (key) remember(key, { ok: true, json: { ...json } });
				return json;
			} catch (caught) {
				const failure = caught instanceof DeliveryFailure ? caught : undefined;
				const error = failure ? failure.error : caught;
				// Only what may have reached the provider is remembered: a certain refusal is tried again.
				if (key && error instanceof ProviderError && error.ambiguous) remember(key, { ok: false, error, failure });
				throw caught;
			}
		},
	};
}

function remember(key: string, outcome: LedgerOutcome): void {
	const now = Date.now();
	ledger.set(key, { at: now, outcome });
	prune(now);
}
