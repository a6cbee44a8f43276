import type { INodeProperties } from 'n8n-workflow';
import { routeOptions } from '../../shared/descriptions/route';
import type { ParameterReader } from '../../shared/params';
import { getProvider } from '../../shared/providers/registry';
import type { Provider } from '../../shared/providers/types';

/** Provider and message ID, for the operations that act on a message already sent (no fallback: it lives at one provider). */
export function messageLookupProperties(operation: string, providers: Provider[], providerNote: string, messageIdNote: string): INodeProperties[] {
	const show = { operation: [operation] };
	return [
		{
			displayName: 'Provider',
			name: 'provider',
			type: 'options',
			noDataExpression: true,
			options: routeOptions(providers.map((p) => p.name)),
			default: 'twilio',
			description: providerNote,
			displayOptions: { show },
		},
		{
			displayName: 'Message ID',
			name: 'messageId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '={{ $json.messageId }}',
			description: messageIdNote,
			displayOptions: { show },
		},
	];
}

/**
 * The message an operation acts on: its provider, which must offer the capability (`can`), and its ID. A
 * provider without it, or an empty ID, is refused for the item with what to change.
 */
export function readMessageRef<T>(params: ParameterReader, can: (provider: Provider) => T | undefined, cannot: string, pick: string) {
	const provider = getProvider(String(params.raw('provider', '')));
	const capability = can(provider);
	if (!capability) return params.fail(`${provider.label} ${cannot}`, pick);
	const messageId = params.text('Message ID', params.raw('messageId', '')).trim();
	if (!messageId) params.fail('The Message ID is empty', 'Map the messageId a Send SMS node returned, for example {{ $json.messageId }}.');
	return { provider, capability, messageId };
}
