import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ItemContext, ItemOperation } from '../../shared/items';
import { messageOutput } from '../../shared/output';
import { ParameterReader } from '../../shared/params';
import { readRetrySettings, retryOptions } from '../../shared/descriptions/retryOptions';
import { clip } from '../../shared/rules/errors';
import { lookUp } from '../../shared/whatsapp';
import { WHATSAPP_PROVIDERS } from './common';

const operation = 'getStatus';
const show = { operation: [operation] };
const ASKABLE = WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.status);
const NOT_ASKABLE = WHATSAPP_PROVIDERS.filter((p) => !p.whatsapp.status);

export const description: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		// Every provider is offered, so that a node switched from sending keeps its provider; those that cannot be asked say why.
		options: WHATSAPP_PROVIDERS.map((p) => ({ name: p.label, value: p.name })),
		default: 'twilio',
		description: 'Where the message was sent',
		displayOptions: { show },
	},
	...NOT_ASKABLE.map(
		(p): INodeProperties => ({
			displayName: `${p.label}: ${p.whatsapp.statusNote ?? 'statuses cannot be asked for here'}`,
			name: `statusNotice${p.label.replace(/\W/g, '')}`,
			type: 'notice',
			default: '',
			displayOptions: { show: { ...show, provider: [p.name] } },
		}),
	),
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '',
		required: true,
		description: 'The messageId a Send WhatsApp node returned',
		displayOptions: { show: { ...show, provider: ASKABLE.map((p) => p.name) } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { ...show, provider: ASKABLE.map((p) => p.name) } },
		options: [...retryOptions],
	},
];

export const getStatus: ItemOperation = {
	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const name = String(params.raw('provider', ASKABLE[0]?.name ?? ''));
		const provider = ASKABLE.find((p) => p.name === name);
		if (!provider?.whatsapp.status) {
			return params.fail(`Get Status cannot ask "${name.slice(0, 40)}" for a WhatsApp message's status`, `Pick ${ASKABLE.map((p) => p.label).join(' or ')}. ${NOT_ASKABLE.map((p) => p.whatsapp.statusNote).join(' ')}`);
		}
		const messageId = params.identifier('Message ID', params.raw('messageId', '')).trim();
		if (!messageId) params.fail('Message ID is empty', 'Map the messageId a Send WhatsApp node returned, for example {{ $json.messageId }}.');
		const status = provider.whatsapp.status;
		// A look-up sends nothing: retried like a send, and one that gets no answer is said so, never "may have gone out".
		const message = await lookUp(this, provider, i, readRetrySettings(params.options()), `with the status of ${clip(messageId, 40)}`, (ctx) => status.get(ctx, messageId));
		return { ...messageOutput(provider.name, message), channel: 'whatsapp' };
	},
};
