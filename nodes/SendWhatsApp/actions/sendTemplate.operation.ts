import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { recipientField, type ItemContext, type ItemOperation } from '../../shared/items';
import { ParameterReader } from '../../shared/params';
import type { WhatsAppRequest } from '../../shared/providers/whatsappTypes';
import { providerContext } from '../../shared/transport';
import { resolveTemplate, sendTemplateMessage } from '../../shared/whatsapp';
import { checkedRequest, providerProperty, readSending, readTemplateChoice, recipientProperties, sendingOptions, statusUrlOf, templateProperties } from './common';

const operation = 'sendTemplate';
const show = { operation: [operation] };

export const description: INodeProperties[] = [
	providerProperty([operation]),
	...recipientProperties([operation]),
	...templateProperties('', show),
	sendingOptions(show),
];

export const sendTemplate: ItemOperation = {
	failureFields: recipientField,

	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const { provider, options, retry, to, sender } = readSending(params);
		const { choice, fromItem } = readTemplateChoice(params, provider, '');
		const content = { type: 'template', template: choice } as const;
		const ctx = await providerContext(this, provider, i, retry.timeoutMs);
		checkedRequest(this, provider, ctx, { ...sender, to, content }, i);
		const request: WhatsAppRequest = { ...sender, to, content, statusCallbackUrl: await statusUrlOf(this, params, provider, ctx, sender, options) };
		const resolved = await resolveTemplate(this, provider, i, retry, request, { label: 'Template', fromItem });
		return await item.once({ provider: provider.name, request: resolved.request }, async () => await sendTemplateMessage(this, provider, i, retry, resolved));
	},
};
