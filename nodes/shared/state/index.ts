/**
 * The shared state a node's run uses: Redis when the node's "Keep Limits In" says so (the package's Redis
 * credential), else this process's copy of the workflow's state, kept in its static data. One per execution, so
 * every item of a run counts in the same place.
 */
import { NodeOperationError, type ICredentialDataDecryptedObject, type IExecuteFunctions, type IWebhookFunctions } from 'n8n-workflow';
import { processBudget, type RateBudget } from '../campaign/budget';
import { processLedger, type SentLedger } from '../campaign/sentLedger';
import { oncePerExecution } from '../memo';
import { redisBudget } from './redisBudget';
import { redisLedger } from './redisLedger';
import { redisState } from './redisStore';
import type { SharedState } from './types';
import { workflowState } from './workflowStore';

export const REDIS_CREDENTIAL = 'messagingRedisApi';
export type StateHome = 'workflow' | 'redis';

const perRun = new WeakMap<IExecuteFunctions, Map<StateHome, Promise<SharedState>>>();

export async function sharedState(fns: IExecuteFunctions, home: StateHome, itemIndex: number): Promise<SharedState> {
	let known = perRun.get(fns);
	if (!known) perRun.set(fns, (known = new Map()));
	let state = known.get(home);
	if (!state) {
		state = home === 'redis' ? fns.getCredentials(REDIS_CREDENTIAL, itemIndex).then((credentials) => redisState(credentials)) : Promise.resolve(workflowState(fns.getWorkflowStaticData('global'), Date.now, workflowKey(fns)));
		known.set(home, state);
		state.catch(() => known.delete(home));
	}
	return await state;
}

/** The workflow's ID, or for a workflow never saved (no ID), its name: what its executions in this process share. */
function workflowKey(fns: IExecuteFunctions): string {
	const workflow = fns.getWorkflow();
	return workflow.id ? `id:${workflow.id}` : `name:${workflow.name ?? ''}`;
}

/**
 * The package's Redis credential, for a parameter set to Redis (`parameter` names it in the error when the node has
 * none): n8n's own error would only name the credential type.
 */
export async function redisCredentials(fns: IExecuteFunctions | IWebhookFunctions, parameter: string, itemIndex = 0): Promise<ICredentialDataDecryptedObject> {
	try {
		return await (fns as IExecuteFunctions).getCredentials(REDIS_CREDENTIAL, itemIndex);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		if (!/credential/i.test(message) || /decrypt/i.test(message)) throw error;
		throw new NodeOperationError(fns.getNode(), `${parameter} is Redis, but no Redis credential is set`, {
			description: `Pick or create a Messaging Gateway Redis credential in the node's Credentials, or choose the other option in ${parameter} (not shared with other n8n processes). Nothing was sent.`,
		});
	}
}

/** Where a run's sends take their rate and record their recipients: this process, or Redis shared by every worker. */
export interface Sharing {
	kind: 'process' | 'redis';
	budget: RateBudget;
	ledger: SentLedger;
}

const PROCESS_SHARING: Sharing = { kind: 'process', budget: processBudget, ledger: processLedger };

/** Looked up once per execution (the credential is decrypted once, not per item). */
export async function sharing(fns: IExecuteFunctions, home: 'process' | 'redis', parameter = 'Share Rate Limits Via'): Promise<Sharing> {
	if (home !== 'redis') return PROCESS_SHARING;
	return await oncePerExecution(fns, ['sharing', parameter], async () => {
		const credentials = await redisCredentials(fns, parameter);
		return { kind: 'redis', budget: redisBudget(credentials), ledger: redisLedger(credentials) };
	});
}
