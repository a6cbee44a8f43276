import {
	NodeConnectionTypes,
	SEND_AND_WAIT_OPERATION,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { SEND_AND_WAIT_WEBHOOKS } from '../shared/descriptions/sendAndWait';
import { withSendSmsRedisCredential } from '../shared/descriptions/sharedState';
import { waitWebhook } from '../shared/sendAndWait';
import { messagingRedisConnectionTest } from '../shared/state/redisStore';
import * as sendAndWaitOperation from './actions/sendAndWait.operation';
import { routeCredentials } from '../shared/descriptions/route';
import { runOperations, type ItemOperation } from '../shared/items';
import * as cancelOperation from './actions/cancel.operation';
import * as getStatusOperation from './actions/getStatus.operation';
import * as sendOperation from './actions/send.operation';

const OPERATIONS: Record<string, ItemOperation> = {
	send: sendOperation.send,
	getStatus: getStatusOperation.getStatus,
	cancel: cancelOperation.cancel,
};

export class SendSms implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send SMS',
		name: 'sendSms',
		icon: { light: 'file:sendSms.svg', dark: 'file:sendSms.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ ({send: "Send", sendAndWait: "Send and Wait", getStatus: "Get Status", cancel: "Cancel Scheduled"})[$parameter["operation"]] + " · " + $parameter["provider"].split(",").map(p => ({twilio: "Twilio", sinch: "Sinch", sns: "AWS SNS"})[p] || p).join(" → ") }}',
		description: 'Send a text message (SMS or MMS) for notifications, reminders and alerts through Twilio, Sinch or AWS SNS, with fallback; look up or cancel a message',
		// The editor opens this as given; a codex documentation link would get its tracking query after the anchor.
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-messaging-gateway#send-sms',
		defaults: { name: 'Send SMS' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: withSendSmsRedisCredential(routeCredentials()),
		// n8n resumes a waiting execution through these (Send and Wait for Reply); they are never registered on activation.
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Send', value: 'send', action: 'Send an SMS', description: 'Send an SMS or MMS to one number per item' },
					{
						name: 'Send and Wait for Reply',
						value: SEND_AND_WAIT_OPERATION,
						action: 'Send an SMS and wait for a reply',
						description: 'Ask a question (approve or decline, or any answer) and resume the workflow when the reply comes',
					},
					{ name: 'Get Status', value: 'getStatus', action: 'Get the status of a message', description: 'Look up where a message is: queued, sent, delivered…' },
					{ name: 'Cancel Scheduled', value: 'cancel', action: 'Cancel a scheduled message', description: 'Cancel a message scheduled with Send At' },
				],
				default: 'send',
			},
			...sendOperation.description,
			...sendAndWaitOperation.description,
			...getStatusOperation.description,
			...cancelOperation.description,
		],
	};

	methods = {
		credentialTest: {
			messagingRedisConnectionTest,
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await waitWebhook(this, 'sms');
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getNodeParameter('operation', 0, 'send') === SEND_AND_WAIT_OPERATION) return await sendAndWaitOperation.sendAndWait(this);
		return await runOperations(this, OPERATIONS, 'Send SMS', 'For other API calls, use an HTTP Request node with the same Messaging Gateway credential.', sendOperation.sendConcurrency(this));
	}
}
