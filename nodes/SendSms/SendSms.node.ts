import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { DeliveryFailure } from '../shared/delivery';
import { routeCredentials } from '../shared/descriptions/route';
import { ProviderError } from '../shared/errors';
import { failureItem, toNodeError } from '../shared/output';
import * as cancel from './actions/cancel.operation';
import * as getStatus from './actions/getStatus.operation';
import * as send from './actions/send.operation';

const operations: Record<string, (this: IExecuteFunctions, i: number) => Promise<IDataObject>> = {
	send: send.execute,
	getStatus: getStatus.execute,
	cancel: cancel.execute,
};

export class SendSms implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send SMS',
		name: 'sendSms',
		icon: { light: 'file:sendSms.svg', dark: 'file:sendSms.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ {send: "Send", getStatus: "Get Status", cancel: "Cancel Scheduled"}[$parameter["operation"]] + " · " + $parameter["provider"].replace("twilio", "Twilio").replace("sinch", "Sinch").replace("sns", "AWS SNS").replace(",", " → ") }}',
		description: 'Send an SMS or MMS through Twilio, Sinch or AWS SNS, with fallback; look up or cancel a message',
		defaults: { name: 'Send SMS' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: routeCredentials(),
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Send', value: 'send', action: 'Send an SMS', description: 'Send an SMS or MMS to one number per item' },
					{ name: 'Get Status', value: 'getStatus', action: 'Get the status of a message', description: 'Look up where a message is: queued, sent, delivered…' },
					{ name: 'Cancel Scheduled', value: 'cancel', action: 'Cancel a scheduled message', description: 'Cancel a message scheduled with Send At' },
				],
				default: 'send',
			},
			...send.description,
			...getStatus.description,
			...cancel.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const operation = this.getNodeParameter('operation', i) as string;
			try {
				const run = operations[operation];
				if (!run) {
					throw new NodeOperationError(this.getNode(), `Send SMS has no operation "${operation}"`, {
						itemIndex: i,
						description: 'For other API calls, use an HTTP Request node with the same Messaging Gateway credential.',
					});
				}
				out.push({ json: await run.call(this, i), pairedItem: { item: i } });
			} catch (caught) {
				const failure = caught instanceof DeliveryFailure ? caught : undefined;
				const error = failure ? failure.error : caught;
				if (this.continueOnFail()) {
					const to = operation === 'send' ? String(this.getNodeParameter('to', i, '') ?? '') : undefined;
					out.push({
						json: failureItem(error as Error, to !== undefined ? { to } : {}, failure),
						pairedItem: { item: i },
					});
					continue;
				}
				if (error instanceof ProviderError) throw toNodeError(this.getNode(), error, i, failure);
				if (error instanceof NodeOperationError) throw error;
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			}
		}
		return [out];
	}
}
