import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ItemContext, ItemOperation } from '../../shared/items';
import { messageOutput } from '../../shared/output';
import { ParameterReader } from '../../shared/params';
import { providersWith } from '../../shared/providers/registry';
import { providerContext } from '../../shared/transport';
import { messageLookupProperties, readMessageRef } from './lookup';

const show = { operation: ['getStatus'] };
const withStatus = providersWith((p) => p.sms.status);
const without = providersWith((p) => !p.sms.status).map((p) => p.label);

export const description: INodeProperties[] = [
	...messageLookupProperties(
		'getStatus',
		withStatus,
		without.length ? `${without.join(' and ')} cannot report a message's status here` : 'Where the message was sent',
		'The messageId a Send SMS node returned (Twilio SM…/MM…, Sinch batch ID)',
	),
	{
		displayName: 'Recipient',
		name: 'recipient',
		type: 'string',
		default: '',
		placeholder: '+33612345678',
		description: "Sinch reports status per recipient of a batch; leave empty for the batch's first recipient",
		displayOptions: { show: { ...show, provider: providersWith((p) => p.sms.status?.perRecipient).map((p) => p.name) } },
	},
];

export const getStatus: ItemOperation = {
	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const { provider, capability: status, messageId } = readMessageRef(params, (p) => p.sms.status, "cannot report a message's status here", 'Pick the provider the message was sent with.');
		const recipient = status.perRecipient ? params.text('Recipient', params.raw('recipient', '')).trim() || undefined : undefined;
		const ctx = await providerContext(this, provider, i);
		return messageOutput(provider.name, await status.get(ctx, messageId, recipient));
	},
};
