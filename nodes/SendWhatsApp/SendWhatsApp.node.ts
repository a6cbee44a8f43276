import {
	NodeConnectionTypes,
	SEND_AND_WAIT_OPERATION,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeType,
	type INodeTypeDescription,
	type ResourceMapperFields,
} from 'n8n-workflow';
import { routeCredentials } from '../shared/descriptions/route';
import { SEND_AND_WAIT_WEBHOOKS, withWaitCredential } from '../shared/descriptions/sendAndWait';
import { waitWebhook } from '../shared/sendAndWait';
import { messagingRedisConnectionTest } from '../shared/state/redisStore';
import * as sendAndWaitOperation from './actions/sendAndWait.operation';
import { runOperations, type ItemOperation } from '../shared/items';
import { providerContext } from '../shared/transport';
import { WHATSAPP_PROVIDERS, whatsappProvider } from './actions/common';
import * as getStatusOperation from './actions/getStatus.operation';
import * as sendMessageOperation from './actions/sendMessage.operation';
import * as sendTemplateOperation from './actions/sendTemplate.operation';

const OPERATIONS: Record<string, ItemOperation> = {
	sendMessage: sendMessageOperation.sendMessage,
	sendTemplate: sendTemplateOperation.sendTemplate,
	getStatus: getStatusOperation.getStatus,
};

const PROVIDERS = WHATSAPP_PROVIDERS.map((p) => p.name);

/** The templates of the account the node's credential reaches, for the editor's list. */
async function searchTemplates(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const provider = whatsappProvider(this.getCurrentNodeParameter('provider'));
	const templates = provider.whatsapp.templates;
	if (templates.kind !== 'list') return { results: [] };
	const ctx = await providerContext(this, provider, 0);
	const found = await templates.list(ctx, filter);
	return {
		results: found.map((t) => ({
			name: `${t.name} · ${t.language || 'no language'} · ${t.approval === 'approved' ? 'approved for WhatsApp' : `WhatsApp: ${t.approval}`}`,
			value: t.id,
			description: t.body ?? undefined,
		})),
	};
}

/** A template's variables as named fields, each required (a missing one is refused before sending). */
async function variablesOf(fns: ILoadOptionsFunctions, parameter: string): Promise<ResourceMapperFields> {
	const provider = whatsappProvider(fns.getCurrentNodeParameter('provider'));
	const templates = provider.whatsapp.templates;
	const locator = fns.getCurrentNodeParameter(parameter, { extractValue: true });
	const id = typeof locator === 'string' ? locator.trim() : '';
	if (templates.kind !== 'list' || !id) return { fields: [], emptyFieldsNotice: 'Pick a template first' };
	// A template chosen by an expression is known only when the workflow runs: its variables cannot be listed here.
	if (id.startsWith('=') || id.includes('{{')) {
		return { fields: [], emptyFieldsNotice: "The template is an expression, so its variables cannot be listed here: choose Map Automatically (the input item's fields named like the variables, e.g. 1, 2 or first_name), or pick the template from the list" };
	}
	const ctx = await providerContext(fns, provider, 0);
	const template = await templates.get(ctx, id);
	if (!template) return { fields: [], emptyFieldsNotice: `The ${provider.label} account has no template ${id}` };
	return {
		fields: template.variables.map((variable) => ({
			id: variable.name,
			displayName: variable.sample ? `{{${variable.name}}} (e.g. ${variable.sample})` : `{{${variable.name}}}`,
			required: true,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: 'string',
		})),
		emptyFieldsNotice: 'This template has no variables',
	};
}

export class SendWhatsApp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send WhatsApp',
		name: 'sendWhatsApp',
		icon: { light: 'file:sendWhatsApp.svg', dark: 'file:sendWhatsApp.dark.svg' },
		group: ['output'],
		version: 1,
		// Written out: n8n's lint reads the subtitle as a literal.
		subtitle: '={{ ({sendMessage: "Send Message", sendTemplate: "Send Template", sendAndWait: "Send and Wait", getStatus: "Get Status"})[$parameter["operation"]] + " · " + ({twilio: "Twilio", sinch: "Sinch"})[$parameter["provider"]] }}',
		description: `Send WhatsApp messages through ${WHATSAPP_PROVIDERS.map((p) => p.label).join(' or ')}: text, media and quick-reply buttons inside the 24-hour window, approved templates at any time`,
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-messaging-gateway#send-whatsapp',
		defaults: { name: 'Send WhatsApp' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: withWaitCredential(routeCredentials(PROVIDERS, PROVIDERS)),
		// n8n resumes a waiting execution through these (Send and Wait for Reply); they are never registered on activation.
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Send Message', value: 'sendMessage', action: 'Send a message', description: 'Text, media or quick-reply buttons, within 24 hours of the customer’s last message' },
					{ name: 'Send Template', value: 'sendTemplate', action: 'Send a template', description: 'An approved template, at any time (e.g. the first message to a customer)' },
					{
						name: 'Send and Wait for Reply',
						value: SEND_AND_WAIT_OPERATION,
						action: 'Send a message and wait for a reply',
						description: 'Ask a question (buttons, a typed answer or the answer page) and resume the workflow when the answer comes',
					},
					{ name: 'Get Status', value: 'getStatus', action: 'Get the status of a message', description: 'Sent, delivered, read or failed' },
				],
				default: 'sendTemplate',
			},
			...sendMessageOperation.description,
			...sendTemplateOperation.description,
			...sendAndWaitOperation.description,
			...getStatusOperation.description,
		],
	};

	methods = {
		credentialTest: {
			messagingRedisConnectionTest,
		},
		listSearch: { searchTemplates },
		resourceMapping: {
			async getTemplateVariables(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
				return await variablesOf(this, 'template');
			},
			async getFallbackTemplateVariables(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
				return await variablesOf(this, 'fallbackTemplate');
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await waitWebhook(this, 'whatsapp');
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getNodeParameter('operation', 0, 'sendTemplate') === SEND_AND_WAIT_OPERATION) return await sendAndWaitOperation.sendAndWait(this);
		return await runOperations(this, OPERATIONS, 'Send WhatsApp', 'For other API calls, use an HTTP Request node with the same Messaging Gateway credential.');
	}
}
