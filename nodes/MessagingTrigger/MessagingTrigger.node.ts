import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { routeCredentials } from '../shared/descriptions/route';
import { withWaitCredential } from '../shared/descriptions/sendAndWait';
import { toTriggerItems, type EventChoice, type InboundOptions } from '../shared/inbound';
import { toNodeError } from '../shared/items';
import { PROVIDER_NAMES, PROVIDERS, getProvider, providersWith } from '../shared/providers/registry';
import type { Provider } from '../shared/providers/types';
import { TRIGGER_WEBHOOK_PATH, type ProviderWebhookEvent, type WebhookReply, type WebhookRequest, type WebhookSettings } from '../shared/providers/webhookTypes';
import { deliveryFingerprint, readDeliveryMemory } from '../shared/rules/dedupe';
import { ProviderError } from '../shared/rules/errors';
import { KEYWORD_LANGUAGES, KEYWORD_LISTS, parseKeywordList, type KeywordLanguage } from '../shared/rules/optOut';
import type { MessageStatus } from '../shared/rules/status';
import { providerContext } from '../shared/transport';
import { routeReply, type RouteOutcome } from '../shared/replyRouter';
import { resume, waitStore } from '../shared/sendAndWait';
import { messagingRedisConnectionTest } from '../shared/state/redisStore';

const names = (list: Provider[]) => list.map((p) => p.name);
const WITH_STATUS = names(providersWith((p) => p.webhooks?.events.status));
const WITHOUT_STATUS = names(providersWith((p) => p.webhooks && !p.webhooks.events.status));
const WITH_SETUP = names(providersWith((p) => p.webhooks?.setup));
const WITHOUT_SETUP = names(providersWith((p) => p.webhooks && !p.webhooks.setup));
const WITH_REPLIES = names(providersWith((p) => p.webhooks?.replies));
const LABELS = Object.fromEntries(PROVIDER_NAMES.map((name) => [name, PROVIDERS[name].label]));

const EVENT_OPTIONS = {
	inbound: { name: 'Inbound Message', value: 'inbound', description: 'SMS, MMS or WhatsApp messages people send to your number' },
	status: { name: 'Delivery Status', value: 'status', description: 'Sent, delivered, failed… for messages you sent with a status callback to this trigger' },
	keyword: { name: 'Opt-Out / Opt-In / Help Keyword', value: 'keyword', description: 'STOP, START, HELP and their equivalents in 8 languages' },
};

/** Delivery statuses a filter can keep (the one status model, without the inbound ones). */
const FILTER_STATUSES: MessageStatus[] = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'canceled', 'unknown'];

function targetProperties(): INodeProperties[] {
	return WITH_SETUP.map((name) => {
		const setup = PROVIDERS[name].webhooks!.setup!;
		const always = setup.targetAlwaysNeeded === true;
		return {
			displayName: setup.targetLabel,
			name: 'target',
			type: 'string',
			default: '',
			required: true,
			placeholder: setup.targetPlaceholder,
			description: setup.targetDescription,
			displayOptions: { show: always ? { provider: [name] } : { provider: [name], configureProvider: [true] } },
		} satisfies INodeProperties;
	});
}

function setupNotices(): INodeProperties[] {
	return WITHOUT_SETUP.map((name) => ({
		displayName: `${PROVIDERS[name].webhooks!.manualSetupHint}. The URL is under Webhook URLs above (Production URL once the workflow is active).`,
		name: `setupNotice_${name}`,
		type: 'notice',
		default: '',
		displayOptions: { show: { provider: [name] } },
	}));
}

export class MessagingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Messaging Trigger',
		name: 'messagingTrigger',
		icon: { light: 'file:messagingTrigger.svg', dark: 'file:messagingTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ (${JSON.stringify(LABELS)})[$parameter["provider"]] }}`,
		description: 'Starts the workflow on inbound SMS and WhatsApp messages, delivery statuses and STOP/START/HELP keywords from Twilio, Sinch or AWS SNS, every request signature-checked',
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-messaging-gateway#messaging-trigger',
		defaults: { name: 'Messaging Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: withWaitCredential(routeCredentials(PROVIDER_NAMES, PROVIDER_NAMES)),
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: TRIGGER_WEBHOOK_PATH,
			},
		],
		properties: [
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				noDataExpression: true,
				options: PROVIDER_NAMES.map((name) => ({ name: PROVIDERS[name].label, value: name })),
				default: 'twilio',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [EVENT_OPTIONS.inbound, EVENT_OPTIONS.status, EVENT_OPTIONS.keyword],
				default: ['inbound', 'status', 'keyword'],
				required: true,
				displayOptions: { show: { provider: WITH_STATUS } },
			},
			...WITHOUT_STATUS.map(
				(name): INodeProperties => ({
					displayName: 'Events',
					name: 'events',
					type: 'multiOptions',
					options: [EVENT_OPTIONS.inbound, EVENT_OPTIONS.keyword],
					default: ['inbound', 'keyword'],
					required: true,
					description: PROVIDERS[name].webhooks!.noStatusNote,
					displayOptions: { show: { provider: [name] } },
				}),
			),
			{
				displayName: 'Only These Statuses',
				name: 'statuses',
				type: 'multiOptions',
				options: FILTER_STATUSES.map((status) => ({ name: status[0].toUpperCase() + status.slice(1), value: status })),
				default: [],
				description: 'Delivery statuses that start the workflow; leave empty for every status',
				displayOptions: { show: { provider: WITH_STATUS, events: ['status'] } },
			},
			{
				displayName: 'Configure the Provider for Me',
				name: 'configureProvider',
				type: 'boolean',
				default: true,
				description:
					'Whether activating the workflow points the provider at this trigger (and deactivating puts back what was there). Off: set the URL in the provider yourself.',
				displayOptions: { show: { provider: WITH_SETUP } },
			},
			...targetProperties(),
			...setupNotices(),
			{
				displayName: 'Check Signatures',
				name: 'checkSignature',
				type: 'boolean',
				default: true,
				description: 'Whether to refuse (403, no execution) every request the provider did not sign',
			},
			{
				displayName:
					'Signature checks are off: anyone who learns this URL can start the workflow with made-up messages. Turn them back on before real use.',
				name: 'signatureOffNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { checkSignature: [false] } },
			},
			{
				displayName: 'Resume Waiting Workflows',
				name: 'resumeWaiting',
				type: 'boolean',
				default: true,
				description:
					'Whether a reply to a Send and Wait for Reply message (Send SMS, Send WhatsApp) resumes the workflow that waits for it, instead of starting this one',
			},
			{
				displayName: 'Match Replies Using',
				name: 'waitStore',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'This N8n Process', value: 'process', description: 'One n8n instance in regular mode' },
					{ name: 'Redis', value: 'redis', description: 'Queue mode, several n8n processes, and waits that outlive a restart' },
				],
				default: 'process',
				description: 'Set it as in the Send and Wait for Reply nodes whose replies come here',
				displayOptions: { show: { resumeWaiting: [true] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Also Start This Workflow for Answers',
						name: 'alsoTriggerAnswers',
						type: 'boolean',
						default: false,
						description: 'Whether a reply that resumed a waiting workflow also starts this one (with waitingReply.outcome "resumed")',
						displayOptions: { show: { '/resumeWaiting': [true] } },
					},
					{
						displayName: 'Drop Redeliveries',
						name: 'dropDuplicates',
						type: 'boolean',
						default: false,
						description: 'Whether to start no execution for an event the provider sends again (its retries). Off: they come with duplicate set to true.',
					},
					{
						displayName: 'Extra Help Words',
						name: 'helpWords',
						type: 'string',
						default: '',
						placeholder: 'SUPPORT, ASSIST',
						description: 'Your own help words, separated by commas',
					},
					{
						displayName: 'Extra Opt-In Words',
						name: 'optInWords',
						type: 'string',
						default: '',
						placeholder: 'JOIN, SUBSCRIBE',
						description: 'Your own opt-in words, separated by commas',
					},
					{
						displayName: 'Extra Opt-Out Words',
						name: 'optOutWords',
						type: 'string',
						default: '',
						placeholder: 'REMOVE, PAUSE',
						description: 'Your own opt-out words, separated by commas (matched ignoring case and accents)',
					},
					{
						displayName: 'Keyword Languages',
						name: 'keywordLanguages',
						type: 'multiOptions',
						options: KEYWORD_LISTS.map((list) => ({ name: list.label, value: list.language })),
						default: [...KEYWORD_LANGUAGES],
						description: 'The languages whose opt-out, opt-in and help words are recognised',
					},
					{
						displayName: 'Public URL',
						name: 'publicUrl',
						type: 'string',
						default: '',
						placeholder: 'https://n8n.example.com/webhook/…/messaging',
						description:
							"This trigger's URL as the provider calls it, when n8n runs behind a reverse proxy that changes it (Twilio signs the URL it called). Leave empty to use n8n's own webhook URL.",
					},
					{
						displayName: 'Reply Text',
						name: 'replyText',
						type: 'string',
						default: '',
						typeOptions: { rows: 2 },
						description: 'A message sent back at once to each inbound message (not to opt-out keywords: the provider answers those itself)',
						displayOptions: { show: { '/provider': WITH_REPLIES } },
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			messagingRedisConnectionTest,
		},
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const lifecycle = lifecycleOf(this);
				if (!lifecycle) return true;
				const { provider, settings, stored } = lifecycle;
				// Set up for another URL or target (the public URL changed, the number was edited): set up again.
				if (stored.url !== settings.url || stored.target !== settings.target || stored.provider !== provider.name) return false;
				try {
					return await provider.webhooks!.setup!.exists(await providerContext(this, provider, 0), settings);
				} catch (error) {
					throw nodeError(this, error);
				}
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const lifecycle = lifecycleOf(this);
				if (!lifecycle) return true;
				const { provider, settings, stored } = lifecycle;
				try {
					// Set up before for another URL, target or provider: put that back first, or its old values are lost.
					if (stored.url && (stored.url !== settings.url || stored.target !== settings.target || stored.provider !== provider.name)) {
						await undoSetup(this, stored);
					}
					// The provider keeps what was there before us when the target already points at the trigger.
					const state = await provider.webhooks!.setup!.create(await providerContext(this, provider, 0), settings);
					Object.assign(stored, { provider: provider.name, url: settings.url, target: settings.target, previous: state.previous, current: state.current });
					return true;
				} catch (error) {
					throw nodeError(this, error);
				}
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				try {
					await undoSetup(this, this.getWorkflowStaticData('node'));
				} catch (error) {
					throw nodeError(this, error);
				}
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const answer = (reply: WebhookReply): IWebhookResponseData => {
			res.status(reply.statusCode).type(reply.contentType).send(reply.body);
			return { noWebhookResponse: true };
		};
		const refuse = (statusCode: number, text: string, reason: string): IWebhookResponseData => {
			this.logger.warn(`Messaging Trigger refused a request (${statusCode}): ${reason}`, { node: this.getNode().name });
			return answer({ statusCode, contentType: 'text/plain', body: text });
		};

		const provider = getProvider(String(this.getNodeParameter('provider', 'twilio')));
		const hooks = provider.webhooks!;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const stored = this.getWorkflowStaticData('node');
		// The Public URL stands for the production URL; a test event comes to the test URL, as served.
		const override = this.getMode() === 'manual' ? '' : String(options.publicUrl ?? '').trim();
		const base = override || this.getWebhookResourceUrl('default') || this.getNodeWebhookUrl('default') || '';
		const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
		const settings: WebhookSettings = { url: base, target: String(this.getNodeParameter('target', '') ?? '').trim(), remembered: stored };

		let rawBody: Buffer;
		try {
			if (!Buffer.isBuffer(req.rawBody)) await req.readRawBody();
			rawBody = Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0);
		} catch (error) {
			return refuse(400, 'Bad Request', `the body could not be read: ${(error as Error).message}`);
		}
		// The raw form, never n8n's parsed body: what the provider signed, key for key.
		const request: WebhookRequest = { method: req.method, url: base.includes('?') ? base : base + query, headers: req.headers, rawBody };

		let ctx;
		try {
			ctx = await providerContext(this, provider, 0);
		} catch (error) {
			return refuse(500, 'Internal Server Error', (error as Error).message);
		}
		if (this.getNodeParameter('checkSignature', true) !== false) {
			let check;
			try {
				check = await hooks.verify(ctx, request, settings);
			} catch (error) {
				check = { ok: false as const, reason: `the signature could not be checked: ${ctx.redact((error as Error).message)}` };
			}
			if (!check.ok) return refuse(403, 'Forbidden', check.reason);
		}

		let reading;
		try {
			reading = await hooks.read(ctx, request, settings);
		} catch (error) {
			// A provider call that failed (an SNS confirmation): 500, so that the provider tries again.
			if (error instanceof ProviderError) return refuse(500, 'Internal Server Error', ctx.redact(error.message));
			return refuse(400, 'Bad Request', ctx.redact((error as Error).message));
		}
		if (reading.type === 'handled') {
			if (reading.remember) stored.handshake = { ...((stored.handshake as IDataObject | undefined) ?? {}), ...reading.remember };
			this.logger.info(`Messaging Trigger: ${reading.note}`, { node: this.getNode().name });
			return { ...answer(reading.reply) };
		}

		const inbound: InboundOptions = {
			events: this.getNodeParameter('events', []) as EventChoice[],
			statuses: this.getNodeParameter('statuses', []) as MessageStatus[],
			keywords: {
				languages: (options.keywordLanguages as KeywordLanguage[] | undefined) ?? undefined,
				custom: {
					optOut: parseKeywordList(options.optOutWords as string | undefined),
					optIn: parseKeywordList(options.optInWords as string | undefined),
					help: parseKeywordList(options.helpWords as string | undefined),
				},
			},
			dropDuplicates: options.dropDuplicates === true,
		};
		// A redelivery of a message already handled here (the provider's retry) is routed no more: it answered once, and
		// the person's other waiting messages must not take it as theirs.
		const handled = new Set(readDeliveryMemory(stored.deliveries));
		const fresh = reading.events.filter((event) => !handled.has(deliveryFingerprint(provider.name, event.deliveryKey)));
		const routed = await routeReplies(this, fresh, inbound.keywords);
		const alsoAnswers = options.alsoTriggerAnswers === true;
		const result = toTriggerItems(provider.name, reading.events, inbound, stored.deliveries, new Date(), (event) => {
			if (!routed) return undefined;
			const outcome = routed.get(event);
			if (outcome?.outcome === 'resumed' && !alsoAnswers) return { drop: `it answered a waiting workflow (execution ${outcome.executionId})` };
			return event.kind === 'inbound' ? { fields: { waitingReply: outcome ?? null } } : undefined;
		});
		stored.deliveries = result.memory;
		const replyText = result.items.some((item) => item.event === 'inbound') ? String(options.replyText ?? '') : undefined;
		answer(hooks.reply(reading.events, { replyText }));
		if (result.items.length === 0) return { noWebhookResponse: true };
		return { noWebhookResponse: true, workflowData: [this.helpers.returnJsonArray(result.items)] };
	}
}

interface Lifecycle {
	provider: Provider;
	settings: WebhookSettings;
	stored: IDataObject;
}

/** What the lifecycle methods work with, or undefined when the node does not configure the provider. */
function lifecycleOf(fns: IHookFunctions): Lifecycle | undefined {
	const provider = getProvider(String(fns.getNodeParameter('provider', 'twilio')));
	if (!provider.webhooks?.setup || fns.getNodeParameter('configureProvider', true) !== true) return undefined;
	const options = fns.getNodeParameter('options', {}) as IDataObject;
	// Listening for a test event sets the provider up for the test URL, never the production Public URL.
	const url = (fns.getMode() === 'manual' ? '' : String(options.publicUrl ?? '').trim()) || fns.getNodeWebhookUrl('default') || '';
	const target = String(fns.getNodeParameter('target', '') ?? '').trim();
	if (!target) throw new NodeOperationError(fns.getNode(), `Fill in ${provider.webhooks.setup.targetLabel}, or turn off Configure the Provider for Me`);
	const stored = fns.getWorkflowStaticData('node');
	return { provider, settings: { url, target, remembered: stored }, stored };
}

/** Put back what a setup changed (as remembered in static data), then forget it. Nothing remembered: nothing to do. */
async function undoSetup(fns: IHookFunctions, stored: IDataObject): Promise<void> {
	const providerName = typeof stored.provider === 'string' ? stored.provider : undefined;
	if (!providerName || !stored.url) return;
	const provider = getProvider(providerName);
	const settings: WebhookSettings = { url: String(stored.url), target: String(stored.target ?? ''), remembered: stored };
	await provider.webhooks!.setup!.delete(await providerContext(fns, provider, 0), settings);
	for (const key of ['provider', 'url', 'target', 'previous', 'current', 'handshake']) delete stored[key];
}

function nodeError(fns: IHookFunctions, error: unknown): Error {
	if (error instanceof ProviderError) return toNodeError(fns, error);
	if (error instanceof NodeOperationError) return error;
	return new NodeOperationError(fns.getNode(), error instanceof Error ? error.message : String(error));
}

/**
 * Replies to Send and Wait messages, each resuming its waiting execution (once), when the trigger is asked to; undefined
 * when it is not. A store that cannot be reached starts the workflow with the messages as they are, saying why.
 */
async function routeReplies(fns: IWebhookFunctions, events: readonly ProviderWebhookEvent[], keywords: InboundOptions['keywords']): Promise<Map<ProviderWebhookEvent, RouteOutcome> | undefined> {
	if (fns.getNodeParameter('resumeWaiting', true) === false) return undefined;
	const inbound = events.filter((event) => event.kind === 'inbound' && event.from);
	const outcomes = new Map<ProviderWebhookEvent, RouteOutcome>();
	if (inbound.length === 0) return outcomes;
	const node = fns.getNode().name;
	let store;
	try {
		store = await waitStore(fns, fns.getNodeParameter('waitStore', 'process') === 'redis' ? 'redis' : 'process');
	} catch (error) {
		const reason = `waiting workflows could not be looked up: ${error instanceof Error ? error.message : String(error)}`;
		fns.logger.warn(`Messaging Trigger: ${reason}`, { node });
		for (const event of inbound) outcomes.set(event, { outcome: 'failed', waiting: 0, reason });
		return outcomes;
	}
	for (const event of inbound) {
		try {
			const outcome = await routeReply(store, event, {
				keywords,
				now: Date.now,
				resume: (wait) => resume(fns, wait.resumeUrl, wait.id),
			});
			if (!outcome) continue;
			outcomes.set(event, outcome);
			if (outcome.outcome === 'resumed') fns.logger.info(`Messaging Trigger: a reply resumed execution ${outcome.executionId}`, { node });
			else if (outcome.outcome === 'failed') fns.logger.warn(`Messaging Trigger: a reply could not resume its workflow: ${outcome.reason}`, { node });
		} catch (error) {
			const reason = `waiting workflows could not be looked up: ${error instanceof Error ? error.message : String(error)}`;
			fns.logger.warn(`Messaging Trigger: ${reason}`, { node });
			outcomes.set(event, { outcome: 'failed', waiting: 0, reason });
		}
	}
	return outcomes;
}
