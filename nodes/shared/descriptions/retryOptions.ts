/** Retry and timeout settings, shown among a node's other options (UI and reading only). */
import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_RETRY_POLICY, DEFAULT_TIMEOUT_MS, type RetryPolicy } from '../rules/retry';

export { DEFAULT_TIMEOUT_MS };

/** Options entries, placed in a node's Options collection. Defaults are the code's own (a unit test holds them equal). */
export const retryOptions: INodeProperties[] = [
	{
		displayName: 'Retries When the Provider Is Busy or Down',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
		default: 3,
		description:
			'How many more times to try a provider that answered "too many requests" or a server error, or could not be reached. A request that got no answer after it was sent is never repeated, so nothing is sent twice.',
	},
	{
		displayName: 'First Wait Before Retrying (Ms)',
		name: 'baseDelayMs',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600000 },
		default: 500,
		description: 'Waits double with each retry, picked at random up to that length so that many items do not retry at once',
	},
	{
		displayName: 'Longest Wait Between Retries (Ms)',
		name: 'maxDelayMs',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600000 },
		default: 10000,
	},
	{
		displayName: 'Longest Pause a Provider May Ask For (Ms)',
		name: 'maxRetryAfterMs',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600000 },
		default: 60000,
		description: 'A provider asking to wait longer than this (Retry-After) is treated as down, and the fallback is used if there is one',
	},
	{
		displayName: 'Timeout per Request (Ms)',
		name: 'timeoutMs',
		type: 'number',
		typeOptions: { minValue: 1000, maxValue: 3600000 },
		default: 30000,
		description: 'The longest one request may take, from connecting to the last byte of the answer',
	},
];

export interface RetrySettings {
	policy: RetryPolicy;
	timeoutMs: number;
}

/** Longest wait or timeout a setting may ask for: an hour (Node's timers cannot count past about 24 days). */
export const MAX_WAIT_MS = 3_600_000;

export function readRetrySettings(value: Record<string, unknown> | undefined): RetrySettings {
	const n = (key: string, fallback: number) => {
		const v = value?.[key];
		return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, MAX_WAIT_MS) : fallback;
	};
	return {
		policy: {
			maxRetries: Math.min(10, Math.floor(n('maxRetries', DEFAULT_RETRY_POLICY.maxRetries))),
			baseDelayMs: n('baseDelayMs', DEFAULT_RETRY_POLICY.baseDelayMs),
			maxDelayMs: n('maxDelayMs', DEFAULT_RETRY_POLICY.maxDelayMs),
			maxRetryAfterMs: n('maxRetryAfterMs', DEFAULT_RETRY_POLICY.maxRetryAfterMs),
		},
		timeoutMs: Math.max(1000, n('timeoutMs', DEFAULT_TIMEOUT_MS)),
	};
}
