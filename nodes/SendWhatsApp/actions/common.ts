/**
 * What Send WhatsApp's operations share: the provider and its sender, the recipient, the template fields (picked from
 * the account's list, or named by ID and language), and reading them into a request. Sending, the template checks and
 * the 24-hour window are nodes/shared/whatsapp.ts's.
 */
import { NodeOperationError, type IDataObject, type IDisplayOptions, type IExecuteFunctions, type INodeProperties, type ResourceMapperValue } from 'n8n-workflow';
import { defaultCountryProperty, phoneValidationOption } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings, retryOptions } from '../../shared/descriptions/retryOptions';
import { oncePerExecution } from '../../shared/memo';
import type { ParameterReader } from '../../shared/params';
import { getProvider, providersWith } from '../../shared/providers/registry';
import type { Provider } from '../../shared/providers/types';
import type { TemplateChoice, WhatsAppRequest, WhatsAppSender } from '../../shared/providers/whatsappTypes';
import { clip } from '../../shared/rules/errors';
import type { PhoneValidation } from '../../shared/rules/phone';
import type { TransportContext } from '../../shared/transport';
import type { WhatsAppProvider } from '../../shared/whatsapp';

export type { WhatsAppProvider };
type Show = NonNullable<IDisplayOptions['show']>;

/** The providers that send WhatsApp, in the editor's order. */
export const WHATSAPP_PROVIDERS = providersWith((p) => p.whatsapp) as WhatsAppProvider[];
const names = (list: Provider[]) => list.map((p) => p.name);
/** Providers whose templates are picked from the account's list (Twilio's Content API), and those named by ID (Sinch). */
export const LISTED = names(WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.templates.kind === 'list'));
export const BY_ID = names(WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.templates.kind === 'byId'));
/** How a listed template is named by ID (Twilio: a Content SID): one "By ID" mode, from the first such provider. */
const LISTED_IDS = WHATSAPP_PROVIDERS.flatMap((p) => (p.whatsapp.templates.kind === 'list' ? [p.whatsapp.templates] : [])).slice(0, 1);

export function providerProperty(operations: string[]): INodeProperties {
	return {
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: WHATSAPP_PROVIDERS.map((p) => ({ name: p.label, value: p.name })),
		default: 'twilio',
		description: "Who sends the message. A template belongs to one provider's account, so there is no fallback to another provider.",
		displayOptions: { show: { operation: operations } },
	};
}

/** To, the default country and each provider's sender, for the sending operations. */
export function recipientProperties(operations: string[]): INodeProperties[] {
	const show = { operation: operations };
	return [
		{
			displayName: 'To',
			name: 'to',
			type: 'string',
			default: '',
			required: true,
			placeholder: '+33612345678',
			description: "The customer's WhatsApp number as people write it: +44 7911 123456, 06 12 34 56 78 (with a default country), whatsapp:+33…",
			displayOptions: { show },
		},
		{ ...defaultCountryProperty({ show }) },
		...WHATSAPP_PROVIDERS.flatMap((p) => p.whatsapp.senderProperties({ ...show, provider: [p.name] })),
	];
}

/**
 * A template's fields: a searchable list of the account's templates with their variables as named fields (Twilio),
 * or ID, language and parameters (Sinch). `prefix` names a second set (the template sent outside the window).
 */
export function templateProperties(prefix: '' | 'fallback', show: Show): INodeProperties[] {
	const name = (base: string) => (prefix ? `${prefix}${base[0].toUpperCase()}${base.slice(1)}` : base);
	const label = (base: string) => (prefix ? `Fallback ${base}` : base);
	return [
		{
			displayName: label('Template'),
			name: name('template'),
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: 'A template of the account, with its language and WhatsApp approval; one that WhatsApp has not approved is refused before sending (inside the 24-hour window it may go)',
			modes: [
				{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchTemplates', searchable: true } },
				...LISTED_IDS.map((ids) => ({
					displayName: `By ${ids.idLabel}`,
					name: 'id',
					type: 'string' as const,
					placeholder: ids.idPlaceholder,
					validation: [{ type: 'regex' as const, properties: { regex: `^\\s*${ids.idPattern.source.replace(/^\^|\$$/g, '')}\\s*$`, errorMessage: `A ${ids.idLabel} looks like ${ids.idPlaceholder}` } }],
				})),
			],
			displayOptions: { show: { ...show, provider: LISTED } },
		},
		{
			displayName: label('Template Variables'),
			name: name('templateVariables'),
			type: 'resourceMapper',
			noDataExpression: true,
			default: { mappingMode: 'defineBelow', value: null },
			required: true,
			typeOptions: {
				loadOptionsDependsOn: [`${name('template')}.value`],
				resourceMapper: {
					resourceMapperMethod: prefix ? 'getFallbackTemplateVariables' : 'getTemplateVariables',
					mode: 'add',
					valuesLabel: 'Template Variables',
					fieldWords: { singular: 'variable', plural: 'variables' },
					addAllFields: true,
					multiKeyMatch: false,
					supportAutoMap: true,
					noFieldsError: 'This template has no variables',
				},
			},
			displayOptions: { show: { ...show, provider: LISTED } },
		},
		{
			displayName: label('Template Name'),
			name: name('templateId'),
			type: 'string',
			default: '',
			required: true,
			placeholder: 'order_shipped',
			description: WHATSAPP_PROVIDERS.flatMap((p) => (p.whatsapp.templates.kind === 'byId' ? [p.whatsapp.templates.note] : [])).join(' '),
			displayOptions: { show: { ...show, provider: BY_ID } },
		},
		{
			displayName: label('Template Language'),
			name: name('templateLanguage'),
			type: 'string',
			default: 'en',
			required: true,
			placeholder: 'en',
			description: 'The language the template is approved in, as WhatsApp writes it: en, en_US, tr, pt_BR…',
			displayOptions: { show: { ...show, provider: BY_ID } },
		},
		{
			displayName: label('Body Values'),
			name: name('templateBodyValues'),
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, sortable: true },
			placeholder: 'Add Value',
			default: {},
			description: "The values of the template's {{1}}, {{2}}… in order",
			options: [{ displayName: 'Value', name: 'value', values: [{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'The text for this {{n}} of the template' }] }],
			displayOptions: { show: { ...show, provider: BY_ID } },
		},
		{
			displayName: label('Button Payloads'),
			name: name('templateButtonPayloads'),
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, sortable: true, maxAllowedFields: 10 },
			placeholder: 'Add Payload',
			default: {},
			description: "What comes back to the Messaging Trigger when the template's 1st, 2nd… quick-reply button is tapped; WhatsApp wants one per quick-reply button of the template",
			options: [{ displayName: 'Payload', name: 'payload', values: [{ displayName: 'Payload', name: 'payload', type: 'string', default: '', placeholder: 'track' }] }],
			displayOptions: { show: { ...show, provider: BY_ID } },
		},
		{
			displayName: label('More Parameters'),
			name: name('templateParameters'),
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Parameter',
			default: {},
			description: "Other parameters of the template, keyed as Sinch writes them (e.g. header[1]image link)",
			options: [
				{
					displayName: 'Parameter',
					name: 'parameter',
					values: [
						{ displayName: 'Key', name: 'name', type: 'string', default: '', placeholder: 'header[1]image link' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
			displayOptions: { show: { ...show, provider: BY_ID } },
		},
	];
}

/** Options both sending operations have: phone validation, statuses, retries. */
export function sendingOptions(show: Show): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{ ...phoneValidationOption },
			...retryOptions,
			{
				displayName: 'Send Statuses to the Messaging Trigger',
				name: 'statusToTrigger',
				type: 'boolean',
				default: false,
				description: "Whether delivered, read and failed statuses go to the workflow whose Messaging Trigger receives this sender's messages, with no URL to copy (the trigger active for the WhatsApp number or Messaging Service, with Configure the Provider for Me on)",
				displayOptions: { show: { '/provider': names(WHATSAPP_PROVIDERS.filter((p) => p.whatsapp.triggerStatusUrl)) } },
			},
			{
				displayName: 'Status Callback URL',
				name: 'statusCallbackUrl',
				type: 'string',
				default: '',
				description: "Where the provider posts this message's statuses (delivered, read, failed): paste a Messaging Trigger's Production URL to start a workflow on them",
			},
		],
	};
}

export interface SendingOptions extends IDataObject {
	phoneValidation?: PhoneValidation;
	statusCallbackUrl?: string;
	statusToTrigger?: boolean;
}

/**
 * The status callback URL the options ask for: the one given, or the one of the sender's Messaging Trigger (looked up
 * once per execution and sender).
 */
export async function statusUrlOf(fns: IExecuteFunctions, params: ParameterReader, provider: WhatsAppProvider, ctx: TransportContext, sender: WhatsAppSender, options: SendingOptions): Promise<string | undefined> {
	const given = params.url('Status Callback URL', options.statusCallbackUrl);
	const toTrigger = options.statusToTrigger === true || (options.statusToTrigger as unknown) === 'true';
	const lookUp = provider.whatsapp.triggerStatusUrl;
	if (!toTrigger || !lookUp) return given;
	if (given) params.fail('Send Statuses to the Messaging Trigger and Status Callback URL are both set', 'Keep one: the trigger of the sender, or the URL. Nothing was sent.');
	return await oncePerExecution(fns, ['triggerStatusUrl', provider.name, sender.messagingServiceSid ?? null, sender.from ?? null], () => lookUp.call(provider.whatsapp, ctx, sender));
}

export function readProvider(params: ParameterReader): WhatsAppProvider {
	const name = String(params.raw('provider', WHATSAPP_PROVIDERS[0].name));
	const provider = WHATSAPP_PROVIDERS.find((p) => p.name === name);
	if (!provider) params.fail(`Send WhatsApp cannot send through "${name.slice(0, 40)}"`, `Pick ${WHATSAPP_PROVIDERS.map((p) => p.label).join(' or ')}. Nothing was sent.`);
	return provider;
}

/** What every sending operation reads first: the provider, its options and retries, the recipient and the sender. */
export function readSending(params: ParameterReader) {
	const provider = readProvider(params);
	const options = params.options<SendingOptions>();
	return { provider, options, retry: readRetrySettings(options), to: params.recipient(options.phoneValidation), sender: provider.whatsapp.readSender(params.forProvider()) };
}

/** The template fields as the node holds them (`prefix` for the fallback set). */
/** A template as the node's fields name it; `fromItem` when its variables are mapped automatically from the input item. */
export interface TemplateFields {
	choice: TemplateChoice;
	fromItem?: IDataObject;
}

export function readTemplateChoice(params: ParameterReader, provider: WhatsAppProvider, prefix: '' | 'fallback'): TemplateFields {
	const name = (base: string) => (prefix ? `${prefix}${base[0].toUpperCase()}${base.slice(1)}` : base);
	const label = (base: string) => (prefix ? `Fallback ${base}` : base);
	if (provider.whatsapp.templates.kind === 'list') {
		const locator = params.raw(name('template'), { mode: 'list', value: '' });
		const id = params.text(label('Template'), locator && typeof locator === 'object' ? (locator as { value?: unknown }).value : locator).trim();
		if (!id) params.fail(`${label('Template')} is empty`, 'Pick a template from the list, or give its Content SID. Nothing was sent.');
		const mapped = params.raw(name('templateVariables'), {}) as Partial<ResourceMapperValue> | null;
		// Map Automatically: the input item's fields named like the template's variables.
		if (mapped && typeof mapped === 'object' && mapped.mappingMode === 'autoMapInputData') return { choice: { id, variables: {} }, fromItem: params.item() };
		// Without a prototype: a variable may be named "constructor" or "__proto__".
		const variables: Record<string, string> = Object.create(null);
		const values = mapped && typeof mapped === 'object' && mapped.value && typeof mapped.value === 'object' ? mapped.value : {};
		for (const [key, value] of Object.entries(values)) {
			if (value === null || value === undefined) continue;
			variables[key] = params.outgoingText(`${label('Template Variables')} → {{${clip(key, 40)}}}`, value);
		}
		return { choice: { id, variables } };
	}
	const templates = provider.whatsapp.templates;
	const id = params.identifier(label('Template Name'), params.raw(name('templateId'), '')).trim();
	if (!id) params.fail(`${label('Template Name')} is empty`, 'Give the name of a WhatsApp template approved for the sender. Nothing was sent.');
	const language = params.identifier(label('Template Language'), params.raw(name('templateLanguage'), '')).trim();
	const variables: Record<string, string> = Object.create(null);
	const set = (key: string, value: string, what: string) => {
		if (Object.hasOwn(variables, key)) params.fail(`${what} sets the template parameter "${clip(key, 40)}" a second time`, 'Keep one value per parameter. Nothing was sent.');
		variables[key] = value;
	};
	const list = <T>(parameter: string, entry: string): T[] => {
		const collection = params.raw(name(parameter), {}) as Record<string, unknown> | null;
		const entries = collection && typeof collection === 'object' ? collection[entry] : undefined;
		return Array.isArray(entries) ? (entries as T[]) : [];
	};
	list<{ value?: unknown }>('templateBodyValues', 'value').forEach((entry, index) => {
		const value = params.outgoingText(`${label('Body Values')} → {{${index + 1}}}`, entry?.value);
		// An empty value would send the template with a hole in it, or be refused by WhatsApp after the fact.
		if (value.trim() === '') params.fail(`${label('Body Values')}: {{${index + 1}}} is empty`, 'Give every value of the template a text, or remove the empty one. Nothing was sent.');
		set(templates.kind === 'byId' ? templates.bodyKey(index + 1) : String(index + 1), value, label('Body Values'));
	});
	list<{ payload?: unknown }>('templateButtonPayloads', 'payload').forEach((entry, index) => {
		// WhatsApp takes an empty payload for a button: it is sent as it is.
		set(templates.kind === 'byId' ? templates.buttonKey(index + 1) : String(index + 1), params.outgoingText(`${label('Button Payloads')} → ${index + 1}`, entry?.payload), label('Button Payloads'));
	});
	for (const entry of list<{ name?: unknown; value?: unknown }>('templateParameters', 'parameter')) {
		const key = params.identifier(`${label('More Parameters')} → Key`, entry?.name).trim();
		if (!key) params.fail(`A parameter of ${label('More Parameters')} has no key`, 'Give each parameter the key Sinch uses, or remove it. Nothing was sent.');
		const value = params.outgoingText(`${label('More Parameters')} → ${clip(key, 40)}`, entry?.value);
		if (value.trim() === '') params.fail(`${label('More Parameters')}: "${clip(key, 40)}" is empty`, 'Give it a value, or remove it. Nothing was sent.');
		set(key, value, label('More Parameters'));
	}
	return { choice: { id, language, variables } };
}

/** The request for this item, checked by the provider before anything is sent. */
export function checkedRequest(fns: IExecuteFunctions, provider: WhatsAppProvider, ctx: TransportContext, request: WhatsAppRequest, itemIndex: number): WhatsAppRequest {
	const problem = provider.whatsapp.check(request, ctx.credentials);
	if (problem) throw new NodeOperationError(fns.getNode(), problem, { itemIndex, description: 'Nothing was sent.' });
	return request;
}

/** For the editor's methods: a provider by name, or the first one. */
export function whatsappProvider(name: unknown): WhatsAppProvider {
	const provider = getProvider(String(name ?? WHATSAPP_PROVIDERS[0].name));
	if (!provider.whatsapp) throw new Error(`${provider.label} does not send WhatsApp here`);
	return provider as WhatsAppProvider;
}
