import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ItemContext, ItemOperation } from '../../shared/items';
import { messageOutput } from '../../shared/output';
import { ParameterReader } from '../../shared/params';
import { providersWith } from '../../shared/providers/registry';
import { providerContext } from '../../shared/transport';
import { messageLookupProperties, readMessageRef } from './lookup';

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
		const { provider, capability: cancelMessage, messageId } = readMessageRef(params, (p) => p.sms.cancel, 'cannot cancel a message', 'Pick the provider the message was scheduled with.');
		const ctx = await providerContext(this, provider, i);
		return messageOutput(provider.name, await cancelMessage(ctx, messageId));
	},
};
