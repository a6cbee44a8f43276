import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { routeOptions } from '../../shared/descriptions/route';
import { messageOutput } from '../../shared/output';
import { getProvider } from '../../shared/providers/registry';
import { providerContext } from '../../shared/transport';

const show = { operation: ['cancel'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: routeOptions(['twilio', 'sinch']),
		default: 'twilio',
		description: 'AWS SNS cannot schedule, so it has nothing to cancel',
		displayOptions: { show },
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.messageId }}',
		description: 'The messageId of a scheduled message (Twilio SM…, Sinch batch ID)',
		displayOptions: { show },
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const provider = getProvider(this.getNodeParameter('provider', i) as string);
	const messageId = String(this.getNodeParameter('messageId', i)).trim();
	const ctx = await providerContext(this, provider, i);
	return messageOutput(provider.name, await provider.cancelMessage(ctx, messageId));
}
