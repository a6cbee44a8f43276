import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry';
import { DEFAULT_TIMEOUT_MS } from '../transport';

export const retryOptionsProperty: INodeProperties = {
	displayName: 'Retries and Timeout',
	name: 'retry',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	description:
		'Rate limits (429), server errors and refused connections are retried with exponential backoff and jitter. A request that got no answer after it was sent is never retried, so nothing is sent twice.',
	options: [
		{
			displayName: 'Initial Backoff (Ms)',
			name: 'baseDelayMs',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 500,
		},
		{
			displayName: 'Longest Retry-After to Wait (Ms)',
			name: 'maxRetryAfterMs',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60000,
			description: 'A provider asking to wait longer than this is treated as down (and the fallback is used, if any)',
		},
		{
			displayName: 'Max Backoff (Ms)',
			name: 'maxDelayMs',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10000,
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 3,
			description: 'Retries per provider after the first attempt',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeoutMs',
			type: 'number',
			typeOptions: { minValue: 1000 },
			default: 30000,
			description: 'How long to wait for an answer to one request',
		},
	],
};

export interface RetrySettings {
	policy: RetryPolicy;
	timeoutMs: number;
}

export function readRetrySettings(value: Record<string, unknown> | undefined): RetrySettings {
	const n = (key: string, fallback: number) => {
		const v = value?.[key];
		return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
	};
	return {
		policy: {
			maxRetries: n('maxRetries', DEFAULT_RETRY_POLICY.maxRetries),
			baseDelayMs: n('baseDelayMs', DEFAULT_RETRY_POLICY.baseDelayMs),
			maxDelayMs: n('maxDelayMs', DEFAULT_RETRY_POLICY.maxDelayMs),
			maxRetryAfterMs: n('maxRetryAfterMs', DEFAULT_RETRY_POLICY.maxRetryAfterMs),
		},
		timeoutMs: Math.max(1000, n('timeoutMs', DEFAULT_TIMEOUT_MS)),
	};
}
