/**
 * The shared state a node's run uses: Redis when the node's "Keep Limits In" says so (the package's Redis
 * credential), else this process's copy of the workflow's state, kept in its static data. One per execution, so
 * every item of a run counts in the same place.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
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
