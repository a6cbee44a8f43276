import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { phoneValidationOption } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings, retryOptions } from '../../shared/descriptions/retryOptions';
import { sendAndWaitProperties } from '../../shared/descriptions/sendAndWait';
import { runWhole } from '../../shared/items';
import { itemContext } from '../../shared/ledger';
import { ParameterReader } from '../../shared/params';
import { parseRoute } from '../../shared/providers/registry';
import type { ProviderMessage, SendSmsRequest } from '../../shared/providers/types';
import type { PhoneValidation } from '../../shared/rules/phone';
import { readRecipients, readWaitSettings, senderNumber, startWait } from '../../shared/sendAndWait';
import { routeRequests, sendOverRoute, withBody } from '../../shared/smsRoute';

const show = { operation: ['sendAndWait'] };

/** The parameters Send SMS's Send has too (provider, To, Message, Default Country, senders) show for this operation as well. */
export const description: INodeProperties[] = sendAndWaitProperties(show, 'sms', [{ ...phoneValidationOption }, ...retryOptions]);


/**
 * Send the message (first item: one wait per execution) to each recipient over the route, and wait for the first
 * answer. n8n's Retry On Fail never sends a recipient's message twice (the sent-ledger).
 */
export async function sendAndWait(fns: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runWhole(fns, 1, 0, async () => {
		const params = new ParameterReader(fns, 0);
		const providers = parseRoute(String(params.raw('provider', 'twilio')));
		const options = (params.raw('waitOptions', {}) ?? {}) as IDataObject;
		const retry = readRetrySettings(options);
		const settings = readWaitSettings(fns);
		const recipients = readRecipients(fns, options.phoneValidation as PhoneValidation | undefined);
		const message = params.outgoingText('Message', params.raw('message', ''));
		if (message.trim() === '') params.fail('The message is empty', 'Write the question to answer. Nothing was sent.');
		// Each provider's request, checked before anything goes (the recipient is set per message below).
		const requests = routeRequests(fns, params, providers, { to: recipients[0], body: message }, 0);
		const first = requests.get(providers[0]) as SendSmsRequest;
		// A reply names the number it went to: known when one provider sends from one number; else any of ours matches.
		const sender = providers.length === 1 ? senderNumber(first.from) : null;
		if (first.from && !senderNumber(first.from) && !first.messagingServiceSid && !settings.link) {
			throw new NodeOperationError(fns.getNode(), `Nobody can reply to the sender "${first.from.slice(0, 20)}": it is a name, not a number`, {
				itemIndex: 0,
				description: 'Send from a number, or turn on Add Answer Link (Options) so that the answer comes through the page. Nothing was sent.',
			});
		}
		const ledger = itemContext(fns, 0);
		return await startWait(fns, {
			channel: 'sms',
			recipients,
			message,
			sender,
			settings,
			async send(recipient, text, { secrets }) {
				const perRecipient = new Map([...withBody(requests, text)].map(([provider, request]) => [provider, { ...request, to: recipient }]));
				// Once per execution and recipient: Retry On Fail gets the first outcome back instead of sending again.
				const sent = await ledger.once({ sendAndWait: recipient, route: providers.map((p) => p.name), message }, async () => {
					const delivered = await sendOverRoute(fns, 0, perRecipient, { retry, secrets });
					const value: ProviderMessage = delivered.value;
					return { messageId: value.messageId, from: value.from ?? delivered.request.from ?? null, provider: delivered.provider };
				});
				const from = typeof sent.from === 'string' ? sent.from : null;
				return { messageId: String(sent.messageId), sender: senderNumber(from), provider: String(sent.provider) };
			},
		});
	});
}
