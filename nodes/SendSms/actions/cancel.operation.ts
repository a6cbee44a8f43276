import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ItemContext, ItemOperation } from '../../shared/items';
import { messageOutput } from '../../shared/output';
import { ParameterReader } from '../../shared/params';
import { getProvider, providersWith } from '../../shared/providers/registry';
import { providerContext } from '../../shared/transport';
import { messageLookupProperties } from './lookup';

const without = providersWith((p) => !p.sms.cancel).map((p) => p.label);

export const description: INodeProperties[] = messageLookupProperties(
	'cancel',
	providersWith((p) => p.sms.cancel),
	without.length ? `${without.join(' and ')} cannot schedule, so there is nothing to cancel there` : 'Where the message was scheduled',
	'The messageId of a scheduled message (Twilio SM…, Sinch batch ID)',
);

export const cancel: ItemOperation = {
	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const provider = getProvider(String(params.raw('provider', '')));
		const cancelMessage = provider.sms.cancel;
		if (!cancelMessage) return params.fail(`${provider.label} cannot cancel a message`, 'Pick the provider the message was scheduled with.');
		const messageId = params.text('Message ID', params.raw('messageId', '')).trim();
		if (!messageId) params.fail('The Message ID is empty', 'Map the messageId a Send SMS node returned, for example {{ $json.messageId }}.');
		const ctx = await providerContext(this, provider, i);
		return messageOutput(provider.name, await cancelMessage(ctx, messageId));
	},
};
