import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { messageLookupProperties } from './lookup';
import { messageOutput } from '../../shared/output';
import { getProvider } from '../../shared/providers/registry';
import { providerContext } from '../../shared/transport';

const show = { operation: ['getStatus'] };

export const description: INodeProperties[] = [
	...messageLookupProperties(
		'getStatus',
		'AWS SNS reports delivery only to CloudWatch Logs, so it has no status to look up',
		'The messageId a Send SMS node returned (Twilio SM…/MM…, Sinch batch ID)',
	),
	{
		displayName: 'Recipient (Sinch)',
		name: 'to',
		type: 'string',
		default: '',
		description: "Sinch reports status per recipient; leave empty for the batch's first recipient",
		displayOptions: { show: { ...show, provider: ['sinch'] } },
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const provider = getProvider(this.getNodeParameter('provider', i) as string);
	const messageId = String(this.getNodeParameter('messageId', i)).trim();
	const to = provider.name === 'sinch' ? String(this.getNodeParameter('to', i, '')).trim() || undefined : undefined;
	const ctx = await providerContext(this, provider, i);
	return messageOutput(provider.name, await provider.getMessage(ctx, messageId, to));
}
