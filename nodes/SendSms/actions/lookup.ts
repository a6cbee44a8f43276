import type { INodeProperties } from 'n8n-workflow';
import { routeOptions } from '../../shared/descriptions/route';
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
