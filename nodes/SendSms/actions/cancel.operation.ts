import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { messageLookupProperties } from './lookup';
import { messageOutput } from '../../shared/output';
import { getProvider } from '../../shared/providers/registry';
import { providerContext } from '../../shared/transport';

export const description: INodeProperties[] = messageLookupProperties(
	'cancel',
	'AWS SNS cannot schedule, so it has nothing to cancel',
	'The messageId of a scheduled message (Twilio SM…, Sinch batch ID)',
);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const provider = getProvider(this.getNodeParameter('provider', i) as string);
	const messageId = String(this.getNodeParameter('messageId', i)).trim();
	const ctx = await providerContext(this, provider, i);
	return messageOutput(provider.name, await provider.cancelMessage(ctx, messageId));
}
