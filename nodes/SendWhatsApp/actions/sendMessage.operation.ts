import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { recipientField, type ItemContext, type ItemOperation } from '../../shared/items';
import { ParameterReader } from '../../shared/params';
import type { QuickReply, WhatsAppContent, WhatsAppRequest } from '../../shared/providers/whatsappTypes';
import { findBrokenCharacter } from '../../shared/rules/segments';
import { providerContext } from '../../shared/transport';
import { sendFreeForm, resolveTemplate, type OutsideWindow } from '../../shared/whatsapp';
import {
	checkedRequest,
	providerProperty,
	readSending,
	readTemplateChoice,
	recipientProperties,
	sendingOptions,
	statusUrlOf,
	templateProperties,
	WHATSAPP_PROVIDERS,
	type WhatsAppProvider,
} from './common';

const operation = 'sendMessage';
const show = { operation: [operation] };
const WITH_BUTTONS = WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.maxButtons > 0);
const WITHOUT_BUTTONS = WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.maxButtons === 0);
const CAPTIONED = WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.captions);

export const description: INodeProperties[] = [
	providerProperty([operation]),
	...recipientProperties([operation]),
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Text', value: 'text', description: 'A text, optionally with quick-reply buttons' },
			{ name: 'Media', value: 'media', description: 'An image, video, audio file or PDF from a public URL' },
		],
		default: 'text',
		displayOptions: { show },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'Free-form text: WhatsApp delivers it only within 24 hours of the customer’s last message (see Outside the 24-Hour Window)',
		displayOptions: { show: { ...show, messageType: ['text'] } },
	},
	{
		displayName: 'Media URL',
		name: 'mediaUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/invoice.pdf',
		description: 'A public http(s) URL the provider downloads the file from',
		displayOptions: { show: { ...show, messageType: ['media'] } },
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		description: 'Text shown under the media',
		displayOptions: { show: { ...show, messageType: ['media'], provider: CAPTIONED.map((p) => p.name) } },
	},
	{
		displayName: 'Quick-Reply Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, maxAllowedFields: Math.max(0, ...WITH_BUTTONS.map((p) => p.whatsapp.maxButtons)) },
		placeholder: 'Add Button',
		default: {},
		description: 'Up to 3 buttons under the message (e.g. Yes / No). A tap comes back to the Messaging Trigger as an inbound message whose button is the payload.',
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '', placeholder: 'Yes', description: 'What the button says (up to 20 characters)' },
					{ displayName: 'Payload', name: 'payload', type: 'string', default: '', placeholder: 'yes', description: 'What comes back when it is tapped; the title when empty' },
				],
			},
		],
		displayOptions: { show: { ...show, messageType: ['text'], provider: WITH_BUTTONS.map((p) => p.name) } },
	},
	...(WITHOUT_BUTTONS.length
		? [
				{
					displayName: `${WITHOUT_BUTTONS.map((p) => p.label).join(' and ')}: quick-reply buttons travel in templates. Use Send Template with a quick-reply template; inside the 24-hour window it needs no WhatsApp approval.`,
					name: 'buttonsNotice',
					type: 'notice',
					default: '',
					displayOptions: { show: { ...show, messageType: ['text'], provider: WITHOUT_BUTTONS.map((p) => p.name) } },
				} satisfies INodeProperties,
			]
		: []),
	outsideWindowProperty(show),
	...templateProperties('fallback', { ...show, outsideWindow: ['template'] }),
	sendingOptions(show),
];

/** What to do with a free-form message outside the 24-hour window (Send Message, and Send and Wait's text). */
export function outsideWindowProperty(show: NonNullable<NonNullable<INodeProperties['displayOptions']>['show']>): INodeProperties {
	return {
		displayName: 'Outside the 24-Hour Window',
		name: 'outsideWindow',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Stop With a Clear Error',
				value: 'fail',
				description: "Ask the provider for the customer's last message first; when it is older than 24 hours, send nothing and say so",
			},
			{
				name: 'Send a Template Instead',
				value: 'template',
				description: 'When the window is closed, send the approved template chosen below instead of the message',
			},
			{
				name: 'Send Anyway',
				value: 'send',
				description: `Do not ask first; the provider reports the failure later (${WHATSAPP_PROVIDERS.map((p) => `${p.label} ${p.whatsapp.windowCode}`).join(', ')})`,
			},
		],
		default: 'fail',
		description: 'WhatsApp delivers free-form messages only within 24 hours of the customer’s last message to the sender',
		displayOptions: { show },
	};
}

function readButtons(params: ParameterReader, provider: WhatsAppProvider): QuickReply[] | undefined {
	if (provider.whatsapp.maxButtons === 0) return undefined;
	const collection = params.raw('buttons', {}) as { button?: Array<{ title?: unknown; payload?: unknown }> } | null;
	const entries = Array.isArray(collection?.button) ? collection.button : [];
	const buttons = entries.map((entry, n) => {
		const title = params.outgoingText(`Button ${n + 1} Title`, entry?.title).trim();
		if (!title) params.fail(`Button ${n + 1} has no title`, 'Give each button the text it shows, or remove it. Nothing was sent.');
		if ([...title].length > 20) params.fail(`Button ${n + 1} says "${title.slice(0, 40)}", longer than the 20 characters WhatsApp shows`, 'Shorten the title. Nothing was sent.');
		const payload = params.outgoingText(`Button ${n + 1} Payload`, entry?.payload).trim() || title;
		return { title, payload };
	});
	const titles = new Set(buttons.map((b) => b.title.toLowerCase()));
	if (titles.size < buttons.length) params.fail('Two buttons have the same title', 'WhatsApp needs each button to say something different. Nothing was sent.');
	return buttons.length ? buttons : undefined;
}

function readContent(params: ParameterReader, provider: WhatsAppProvider): WhatsAppContent {
	const type = String(params.raw('messageType', 'text'));
	if (type === 'media') {
		const url = params.url('Media URL', params.raw('mediaUrl', ''));
		if (!url) params.fail('Media URL is empty', 'Give the public http(s) URL of the file to send. Nothing was sent.');
		const caption = params.outgoingText('Caption', params.raw('caption', '')).trim();
		return { type: 'media', url, caption: caption || undefined };
	}
	const text = params.text('Message', params.raw('message', ''));
	if (text.trim() === '') params.fail('The message is empty', 'Write a message, or send a media file or a template. Nothing was sent.');
	const broken = findBrokenCharacter(text);
	if (broken) params.fail(`The message has a broken character at position ${broken} (half of an emoji or symbol)`, 'Retype or remove the character there. Nothing was sent.');
	return { type: 'text', text, buttons: readButtons(params, provider) };
}

const OUTSIDE_WINDOW: readonly OutsideWindow[] = ['fail', 'template', 'send'];

export const sendMessage: ItemOperation = {
	failureFields: recipientField,

	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const { provider, options, retry, to, sender } = readSending(params);
		const outsideWindow = String(params.raw('outsideWindow', 'fail')) as OutsideWindow;
		if (!OUTSIDE_WINDOW.includes(outsideWindow)) params.fail(`Outside the 24-Hour Window cannot be "${outsideWindow.slice(0, 40)}"`, 'Choose Stop With a Clear Error, Send a Template Instead or Send Anyway. Nothing was sent.');
		const content = readContent(params, provider);
		const fallbackFields = outsideWindow === 'template' ? readTemplateChoice(params, provider, 'fallback') : undefined;
		const fallbackContent = fallbackFields ? ({ type: 'template', template: fallbackFields.choice } as const) : undefined;
		const ctx = await providerContext(this, provider, i, retry.timeoutMs);
		checkedRequest(this, provider, ctx, { ...sender, to, content }, i);
		if (fallbackContent) checkedRequest(this, provider, ctx, { ...sender, to, content: fallbackContent }, i);
		const statusCallbackUrl = await statusUrlOf(this, params, provider, ctx, sender, options);
		const request: WhatsAppRequest = { ...sender, to, content, statusCallbackUrl };
		// The fallback is checked before anything is sent, whether or not it will be needed: a mistake in it shows now.
		const fallback = fallbackContent
			? await resolveTemplate(this, provider, i, retry, { ...sender, to, content: fallbackContent, statusCallbackUrl }, { label: 'Fallback Template', asFallback: true, fromItem: fallbackFields?.fromItem })
			: undefined;
		return await item.once({ provider: provider.name, request, fallback: fallback?.request, outsideWindow }, async () => await sendFreeForm(this, provider, i, retry, { request, outsideWindow, fallback }));
	},
};
