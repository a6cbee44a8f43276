/** Fault rules: what a valid one is, from the control API's JSON or from code. */
import type { FaultInput, FaultRule, SandboxProvider } from './types';

export const PROVIDERS: SandboxProvider[] = ['twilio', 'sinch', 'sns'];
export const FAULT_TYPES: FaultRule['type'][] = ['status', 'reset', 'delay', 'hang'];
/** An E.164 number, as faults and opt-outs name recipients. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** The longest delay a fault may add: 10 minutes (before the time scale). */
export const MAX_DELAY_MS = 10 * 60 * 1000;
export const MAX_RETRY_AFTER_S = 24 * 3600;
export const MAX_COUNT = 1_000_000;

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** Why a fault rule is invalid, in a sentence; undefined when it is valid. */
export function faultProblem(rule: Partial<FaultInput> & Record<string, unknown>): string | undefined {
	if (typeof rule.type !== 'string' || !FAULT_TYPES.includes(rule.type as FaultRule['type'])) {
		return `type must be one of ${FAULT_TYPES.join(', ')}`;
	}
	if (rule.provider !== undefined && !PROVIDERS.includes(rule.provider as SandboxProvider)) {
		return `provider must be one of ${PROVIDERS.join(', ')} (or left out for all)`;
	}
	if (rule.to !== undefined && (typeof rule.to !== 'string' || !E164.test(rule.to))) {
		return 'to must be an E.164 number such as +33612345678 (or left out for all recipients)';
	}
	if (rule.status !== undefined && (!isInteger(rule.status) || rule.status < 100 || rule.status > 599)) {
		return 'status must be an integer HTTP status from 100 to 599';
	}
	if (rule.retryAfter !== undefined && (!isInteger(rule.retryAfter) || rule.retryAfter < 0 || rule.retryAfter > MAX_RETRY_AFTER_S)) {
		return `retryAfter must be a whole number of seconds from 0 to ${MAX_RETRY_AFTER_S}`;
	}
	if (rule.delayMs !== undefined && (typeof rule.delayMs !== 'number' || !(rule.delayMs >= 0 && rule.delayMs <= MAX_DELAY_MS))) {
		return `delayMs must be a number of milliseconds from 0 to ${MAX_DELAY_MS}`;
	}
	if (rule.count !== undefined && (!isInteger(rule.count) || (rule.count !== -1 && (rule.count < 1 || rule.count > MAX_COUNT)))) {
		return `count must be -1 (every request) or an integer from 1 to ${MAX_COUNT}`;
	}
	return undefined;
}

/** A fault rule from the control API's JSON body, or why it is refused. Unknown fields are ignored. */
export function parseFault(body: Record<string, unknown> | undefined): FaultInput | string {
	if (!body) return 'the body must be a JSON object: {type, provider?, to?, status?, retryAfter?, delayMs?, count?}';
	const problem = faultProblem(body);
	if (problem) return problem;
	const rule: FaultInput = { type: body.type as FaultRule['type'] };
	if (body.provider !== undefined) rule.provider = body.provider as SandboxProvider;
	if (body.to !== undefined) rule.to = body.to as string;
	if (body.status !== undefined) rule.status = body.status as number;
	if (body.retryAfter !== undefined) rule.retryAfter = body.retryAfter as number;
	if (body.delayMs !== undefined) rule.delayMs = body.delayMs as number;
	rule.count = body.count === undefined ? 1 : (body.count as number);
	return rule;
}
