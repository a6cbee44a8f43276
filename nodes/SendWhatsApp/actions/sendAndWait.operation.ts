import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { phoneValidationOption } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings, retryOptions } from '../../shared/descriptions/retryOptions';
import { sendAndWaitProperties } from '../../shared/descriptions/sendAndWait';
import { runWhole } from '../../shared/items';
import { itemContext } from '../../shared/ledger';
import { ParameterReader } from '../../shared/params';
import type { QuickReply, WhatsAppContent, WhatsAppRequest } from '../../shared/providers/whatsappTypes';
import { readRecipients, readWaitSettings, senderNumber, startWait, type WaitSettings } from '../../shared/sendAndWait';
import { providerContext } from '../../shared/transport';
import { resolveTemplate, sendFreeForm, sendTemplateMessage, type OutsideWindow } from '../../shared/whatsapp';
import { checkedRequest, providerProperty, readProvider, readTemplateChoice, recipientProperties, templateProperties, WHATSAPP_PROVIDERS, type SendingOptions } from './common';
import { outsideWindowProperty } from './sendMessage.operation';

const operation = 'sendAndWait';
const show = { operation: [operation] };
const WITH_BUTTONS = WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.maxButtons >= 2);

export const description: INodeProperties[] = [
	providerProperty([operation]),
	...recipientProperties([operation]),
	{
		displayName: 'Send As',
		name: 'waitContent',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Text',
				value: 'text',
				description: `A free-form message, within 24 hours of the person's last message. ${WITH_BUTTONS.map((p) => p.label).join(' and ')}: with Approve and Decline buttons under it.`,
			},
			{
				name: 'Template',
				value: 'template',
				description: 'An approved template, at any time: its quick-reply buttons answer (a payload or title such as approve, yes, decline, no)',
			},
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
		description: 'The question. Free-form: WhatsApp delivers it only within 24 hours of the person’s last message (see Outside the 24-Hour Window).',
		displayOptions: { show: { ...show, waitContent: ['text'] } },
	},
	outsideWindowProperty({ ...show, waitContent: ['text'] }),
	...templateProperties('fallback', { ...show, waitContent: ['text'], outsideWindow: ['template'] }),
	...templateProperties('', { ...show, waitContent: ['template'] }),
	...sendAndWaitProperties(show, 'whatsapp', [{ ...phoneValidationOption }, ...retryOptions]),
];

/** The buttons a free-form question carries where the provider allows them: Approve (and Decline), answered by payload. */
function answerButtons(settings: WaitSettings, maxButtons: number): QuickReply[] | undefined {
	if (settings.expects.mode !== 'approval' || maxButtons < (settings.expects.approveOnly ? 1 : 2)) return undefined;
	const title = (label: string) => [...label].slice(0, 20).join('');
	const buttons = [{ title: title(settings.labels.approve), payload: 'APPROVE' }];
	if (!settings.expects.approveOnly) buttons.push({ title: title(settings.labels.decline), payload: 'DECLINE' });
	return buttons;
}


/**
 * Send the question (first item: one wait per execution) to each recipient, as a free-form text with buttons or as a
 * template, and wait for the first answer: a tapped button (matched by the message it answers), a typed word, the page.
 */
export async function sendAndWait(fns: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runWhole(fns, 1, 0, async () => {
		const params = new ParameterReader(fns, 0);
		const provider = readProvider(params);
		const options = (params.raw('waitOptions', {}) ?? {}) as SendingOptions & IDataObject;
		const settings = readWaitSettings(fns);
		const recipients = readRecipients(fns, options.phoneValidation);
		const sender = provider.whatsapp.readSender(params.forProvider());
		const asTemplate = params.raw('waitContent', 'text') === 'template';
		const retry = readRetrySettings(options);
		const ctx = await providerContext(fns, provider, 0, retry.timeoutMs);

		let content: WhatsAppContent;
		let question: string;
		let outsideWindow: OutsideWindow = 'fail';
		let fallback: Awaited<ReturnType<typeof resolveTemplate>> | undefined;
		if (asTemplate) {
			const { choice, fromItem } = readTemplateChoice(params, provider, '');
			content = { type: 'template', template: choice };
			checkedRequest(fns, provider, ctx, { ...sender, to: recipients[0], content }, 0);
			const resolved = await resolveTemplate(fns, provider, 0, retry, { ...sender, to: recipients[0], content }, { label: 'Template', fromItem });
			content = resolved.request.content;
			const body = resolved.template?.body;
			const values = content.type === 'template' ? content.template.variables : {};
			question = body ? body.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole)) : `WhatsApp template ${resolved.template?.name ?? choice.id}`;
		} else {
			question = params.outgoingText('Message', params.raw('message', ''));
			if (question.trim() === '') params.fail('The message is empty', 'Write the question to answer. Nothing was sent.');
			outsideWindow = String(params.raw('outsideWindow', 'fail')) as OutsideWindow;
			if (!['fail', 'template', 'send'].includes(outsideWindow)) params.fail(`Outside the 24-Hour Window cannot be "${outsideWindow.slice(0, 40)}"`, 'Choose Stop With a Clear Error, Send a Template Instead or Send Anyway. Nothing was sent.');
			content = { type: 'text', text: question, buttons: answerButtons(settings, provider.whatsapp.maxButtons) };
			checkedRequest(fns, provider, ctx, { ...sender, to: recipients[0], content }, 0);
			if (outsideWindow === 'template') {
				const fields = readTemplateChoice(params, provider, 'fallback');
				const fallbackContent = { type: 'template', template: fields.choice } as const;
				checkedRequest(fns, provider, ctx, { ...sender, to: recipients[0], content: fallbackContent }, 0);
				fallback = await resolveTemplate(fns, provider, 0, retry, { ...sender, to: recipients[0], content: fallbackContent }, { label: 'Fallback Template', asFallback: true, fromItem: fields.fromItem });
			}
		}
		const buttons = content.type === 'text' && Boolean(content.buttons?.length);
		// A template cannot carry a reference: its buttons name the message they answer, a typed reply answers the latest.
		const waitSettings: WaitSettings = asTemplate ? { ...settings, policy: 'latest', instructions: false } : buttons ? { ...settings, instructions: false } : settings;
		if (asTemplate && settings.link) {
			throw new NodeOperationError(fns.getNode(), 'A template cannot carry the answer link', { itemIndex: 0, description: 'Turn off Add Answer Link, or send the question as Text. Nothing was sent.' });
		}
		const ledger = itemContext(fns, 0);
		return await startWait(fns, {
			channel: 'whatsapp',
			recipients,
			message: question,
			sender: senderNumber(sender.from),
			buttons: content.type === 'text' ? content.buttons : undefined,
			settings: waitSettings,
			async send(recipient, text, { secrets }) {
				const sendContent: WhatsAppContent = content.type === 'text' ? { ...content, text } : content;
				const request: WhatsAppRequest = { ...sender, to: recipient, content: sendContent };
				const plan = fallback ? { ...fallback, request: { ...fallback.request, to: recipient } } : undefined;
				// Once per execution and recipient: Retry On Fail gets the first outcome back instead of sending again.
				const out = await ledger.once({ sendAndWait: recipient, provider: provider.name, content: sendContent }, async () =>
					sendContent.type === 'template' ? await sendTemplateMessage(fns, provider, 0, retry, { request }, secrets) : await sendFreeForm(fns, provider, 0, retry, { request, outsideWindow, fallback: plan, secrets }),
				);
				return { messageId: String(out.messageId), sender: senderNumber(out.from), provider: provider.name };
			},
		});
	});
}
