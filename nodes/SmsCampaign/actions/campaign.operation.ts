/**
 * The campaign's parameters and their reading: who the recipients are (the input items), the message and its
 * translations, the route and sender, the rate, quiet hours, prices; then the shared campaign: plan, send, report.
 */
import { sleep, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { planRecipients, priceRecipients, type MessageVariants, type PlanSettings, type QuietRule, type RecipientInput } from '../../shared/campaign/plan';
import { recipientItem, summaryItem, type CampaignFacts } from '../../shared/campaign/report';
import { sendCampaign, type SendReport } from '../../shared/campaign/send';
import { sharedStateProperty } from '../../shared/descriptions/sharedState';
import { sharing } from '../../shared/state';
import { defaultCountryProperty, phoneValidationOption } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings, retryOptions } from '../../shared/descriptions/retryOptions';
import { routeOptions } from '../../shared/descriptions/route';
import { perItem } from '../../shared/itemFields';
import { nodeOperationError } from '../../shared/items';
import { oncePerExecution } from '../../shared/memo';
import { holdsExpression, ParameterReader } from '../../shared/params';
import { parseRoute, PROVIDER_NAMES, PROVIDERS, ROUTES, routesWith } from '../../shared/providers/registry';
import type { Provider, SendSmsRequest, SenderRate } from '../../shared/providers/types';
import { parsePrice, type PriceBook } from '../../shared/rules/cost';
import { normaliseLanguage } from '../../shared/rules/messageTemplate';
import { clip } from '../../shared/rules/errors';
import { normalizePhone, type PhoneValidation } from '../../shared/rules/phone';
import { parseClock } from '../../shared/rules/quietHours';
import { senderProperties } from '../../shared/smsRoute';
import { providerContext } from '../../shared/transport';

/** Every sender kind the providers name, each once, with its rate. */
function senderTypes(): SenderRate[] {
	const seen = new Map<string, SenderRate>();
	for (const name of PROVIDER_NAMES) for (const rate of PROVIDERS[name].senderRates) if (!seen.has(rate.kind)) seen.set(rate.kind, rate);
	return [...seen.values()].sort((a, b) => a.perSecond - b.perSecond);
}

const SENDER_TYPES = senderTypes();

/** Routes whose first provider can tell a sender's rate from the sender itself. */
const RATE_FROM_SENDER = ROUTES.filter((route) => parseRoute(route)[0].sms.senderRate !== undefined);

const RATE_MODES = [
	{ name: 'By Sender Type', value: 'senderType', description: 'Pick the kind of number you send from' },
	{ name: 'Custom', value: 'custom', description: 'Your own rate, in messages or segments a second' },
	{ name: 'No Limit', value: 'none', description: 'As fast as the requests at once allow: only for senders with their own queue' },
];
const RATE_FROM_NUMBER = { name: "From the Sender's Number", value: 'auto', description: 'The rate carriers allow the From number: a US long code 1 segment a second, toll-free 3, a short code 100' };
const RATE_DESCRIPTION =
	'Carriers block senders that go faster than they allow; no second ever holds more than this. A segment is one SMS part: 160 plain characters, or 70 once a letter such as ş or an emoji is in it; a longer message takes several.';

export const description: INodeProperties[] = [
	{
		displayName: 'Each input item is one recipient. Write {field} in the message to insert that field of the recipient\'s item, for example "Hi {name}, see you at {time}".',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: routeOptions(ROUTES),
		default: 'twilio',
		description: 'Who sends the messages, and optionally a provider of another kind to fall back to when the first is down',
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description: 'Whether to check every recipient, write every message and estimate the cost without sending anything',
	},
	...senderProperties({}, 'provider', (name) => routesWith(name)),
	{
		displayName: 'Phone Number',
		name: 'to',
		type: 'string',
		default: '={{ $json.phone }}',
		required: true,
		description: "The recipient's number, as people write it: +33 6 12 34 56 78, or 06 12 34 56 78 with a Default Country",
	},
	{ ...defaultCountryProperty() },
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Hi {name}, this is a reminder of your appointment tomorrow at {time}.',
		description: 'The message for recipients whose language has no translation below. {field} inserts a field of the recipient\'s item.',
	},
	{
		displayName: 'Translations',
		name: 'translations',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Translation',
		default: {},
		description: "The message in other languages, chosen by the recipient's Language",
		options: [
			{
				displayName: 'Translation',
				name: 'translation',
				values: [
					{ displayName: 'Language Code', name: 'language', type: 'string', default: '', placeholder: 'tr', description: 'Such as tr, en or pt-BR. A recipient whose language is tr-TR gets the tr translation when there is no tr-TR one.' },
					{ displayName: 'Translated Message', name: 'message', type: 'string', typeOptions: { rows: 3 }, default: '', placeholder: 'Merhaba {name}, yarın saat {time} randevunuzu hatırlatırız.' },
				],
			},
		],
	},
	{
		displayName: 'Recipient Opted Out',
		name: 'optedOut',
		type: 'string',
		default: '={{ $json.optedOut }}',
		description: "True (or yes, 1) when this recipient asked not to be messaged: they are skipped, with the reason. Reads the item's optedOut field unless you map another.",
	},
	{
		displayName: "Recipient's Language",
		name: 'language',
		type: 'string',
		default: '={{ $json.language }}',
		description: "The recipient's language, to pick a translation; empty means the Message above",
	},
	// Where the sender's rate can be told from its number (a Twilio From), that is the default; elsewhere a sender type.
	{
		displayName: 'Sending Rate',
		name: 'rateMode',
		type: 'options',
		noDataExpression: true,
		options: [RATE_FROM_NUMBER, ...RATE_MODES],
		default: 'auto',
		description: RATE_DESCRIPTION,
		displayOptions: { show: { provider: RATE_FROM_SENDER } },
	},
	{
		displayName: 'Sending Rate',
		name: 'rateMode',
		type: 'options',
		noDataExpression: true,
		options: RATE_MODES,
		default: 'senderType',
		description: RATE_DESCRIPTION,
		displayOptions: { hide: { provider: RATE_FROM_SENDER } },
	},
	{
		displayName: 'Sender Type',
		name: 'senderType',
		type: 'options',
		noDataExpression: true,
		options: SENDER_TYPES.map((rate) => ({ name: `${rate.label} (${rate.perSecond} Segment${rate.perSecond === 1 ? '' : 's'}/s)`, value: rate.kind })),
		default: 'longCode',
		displayOptions: { show: { rateMode: ['senderType'] } },
	},
	{
		displayName: 'Rate per Second',
		name: 'ratePerSecond',
		type: 'number',
		typeOptions: { minValue: 0.01, maxValue: 10000, numberPrecision: 2 },
		default: 1,
		displayOptions: { show: { rateMode: ['custom'] } },
	},
	{
		displayName: 'Rate Counts',
		name: 'rateUnit',
		type: 'options',
		options: [
			{ name: 'Segments', value: 'segments', description: 'A 2-part message counts twice (as carriers count)' },
			{ name: 'Messages', value: 'messages' },
		],
		default: 'segments',
		displayOptions: { show: { rateMode: ['custom'] } },
	},
	{
		displayName: 'Quiet Hours',
		name: 'quietHours',
		type: 'boolean',
		default: false,
		description: "Whether to hold messages at night in the recipient's time zone (from the item's Time Zone, else from the number)",
	},
	{
		displayName: 'Quiet From',
		name: 'quietStart',
		type: 'string',
		default: '21:00',
		placeholder: '21:00',
		description: 'Local time when quiet hours begin (24-hour clock)',
		displayOptions: { show: { quietHours: [true] } },
	},
	{
		displayName: 'Quiet Until',
		name: 'quietEnd',
		type: 'string',
		default: '08:00',
		placeholder: '08:00',
		description: 'Local time when messages may be sent again',
		displayOptions: { show: { quietHours: [true] } },
	},
	{
		displayName: 'During Quiet Hours',
		name: 'quietAction',
		type: 'options',
		options: [
			{ name: 'Skip the Recipient', value: 'skip', description: 'The recipient comes out with status skipped and the reason' },
			{ name: 'Schedule for the Next Allowed Time', value: 'schedule', description: 'Sinch: any time. Twilio: with a Messaging Service, 15 minutes to 35 days ahead (else skipped with the reason).' },
		],
		default: 'skip',
		displayOptions: { show: { quietHours: [true] } },
	},
	{
		displayName: 'Time Zone',
		name: 'timeZone',
		type: 'string',
		default: '={{ $json.timeZone }}',
		placeholder: 'Europe/Istanbul',
		description: "The recipient's time zone (an IANA name). Empty: from the number, else the workflow's time zone.",
		displayOptions: { show: { quietHours: [true] } },
	},
	{
		displayName: 'Campaign Key',
		name: 'campaignKey',
		type: 'string',
		default: '',
		placeholder: 'reminders-{{ $today.plus(1, "day").toISODate() }}',
		description:
			"Recipients already sent to under this key in this workflow are skipped, so running it again sends only to the rest (remembered for 7 days: in this n8n's memory, where a restart forgets, or in Redis, see Share Rate Limits Via). Empty: every run sends to everyone.",
	},
	sharedStateProperty('campaign'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Currency',
				name: 'currency',
				type: 'string',
				default: 'USD',
				description: 'Of your own prices (Twilio says its own)',
			},
			{
				displayName: 'Opt-Out List',
				name: 'optOutList',
				type: 'string',
				default: '',
				placeholder: "={{ $('Opt-outs').all().map(item => item.json.phone) }}",
				description: 'Numbers never to message: separated by commas or new lines, or a list from an expression',
			},
			{
				displayName: 'Price per Segment',
				name: 'pricePerSegment',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 5 },
				default: 0,
				description: "For the cost estimate where the provider has no price list (Sinch, AWS SNS) or the country is not in it. 0: no estimate.",
			},
			{
				displayName: 'Prices by Country',
				name: 'countryPrices',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [
					{
						name: 'price',
						displayName: 'Price',
						values: [
							{ displayName: 'Country Code', name: 'country', type: 'string', default: '', placeholder: 'TR' },
							{ displayName: 'Price per Segment', name: 'price', type: 'number', typeOptions: { minValue: 0, numberPrecision: 5 }, default: 0 },
						],
					},
				],
				description: 'Per-country prices that replace the others',
			},
			{
				displayName: 'Requests at Once',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
				default: 10,
				description: 'How many requests may be on their way at the same time (the rate still holds)',
			},
			{
				displayName: "Use Twilio's Price List",
				name: 'providerPrices',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/provider': ROUTES.filter((route) => parseRoute(route)[0].sms.pricing !== undefined) } },
				description: "Whether to look up each country's price per segment with Twilio's Pricing API (the highest mobile price)",
			},
			{ ...phoneValidationOption },
			...retryOptions,
		],
	},
];

interface CampaignOptions extends IDataObject {
	concurrency?: number;
	optOutList?: string | string[];
	pricePerSegment?: number;
	countryPrices?: { price?: Array<{ country?: string; price?: number }> };
	currency?: string;
	providerPrices?: boolean;
	phoneValidation?: PhoneValidation;
}

const PROGRESS_EVERY_MS = 5000;
/** The highest rate the node takes, per second. */
const MAX_RATE = 10_000;
/** Price look-ups on their way at once. */
const PRICE_LOOKUPS_AT_ONCE = 4;

/** Yes or no as items write it (true, "yes", 1, "TRUE"; false, "no", 0, empty); undefined when it is neither. */
function yesOrNo(value: unknown): boolean | undefined {
	if (value === true || value === 1) return true;
	if (value === false || value === 0 || value === undefined || value === null) return false;
	if (typeof value !== 'string') return undefined;
	if (/^\s*(true|yes|y|1)\s*$/i.test(value)) return true;
	if (/^\s*(false|no|n|0|)\s*$/i.test(value)) return false;
	return undefined;
}

/** An opt-out list entry as a number in E.164: text or a number (with + or the default country, or international digits without +), or an item with a phone field. */
function optOutNumber(entry: unknown, defaultCountry: string): string | undefined {
	let value = entry;
	if (value && typeof value === 'object' && !Array.isArray(value)) {
		const object = ('json' in value && value.json && typeof value.json === 'object' ? value.json : value) as Record<string, unknown>;
		value = ['phone', 'number', 'to', 'msisdn', 'mobile'].map((k) => (Object.hasOwn(object, k) ? object[k] : undefined)).find((v) => v !== undefined);
	}
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value);
	const phone = normalizePhone(text, { defaultCountry, validation: 'possible' });
	if (phone.ok) return phone.e164;
	// Digits stored without their "+" (a spreadsheet's number column): read as international.
	const digits = text.replace(/[\s().-]/g, '');
	if (/^\d{8,15}$/.test(digits)) {
		const international = normalizePhone(`+${digits}`, { validation: 'possible' });
		if (international.ok) return international.e164;
	}
	return undefined;
}

/** Numbers from a text (commas, semicolons, new lines) or a list. */
function listOf(value: unknown): unknown[] {
	if (Array.isArray(value)) return value.flat();
	if (typeof value === 'string') return value.split(/[,;\n]+/).map((s) => s.trim()).filter(Boolean);
	if (typeof value === 'number') return [value];
	return [];
}

function messagesOf(fns: IExecuteFunctions, index: number): MessageVariants {
	const read = new ParameterReader(fns, index);
	const fallback = read.text('Message', read.raw('message', ''));
	const byLanguage = new Map<string, string>();
	const translations = read.raw('translations', {}) as { translation?: Array<{ language?: unknown; message?: unknown }> };
	for (const t of translations?.translation ?? []) {
		const language = normaliseLanguage(read.text('Translation language', t.language));
		if (!language) continue;
		byLanguage.set(language, read.text(`Translation (${language})`, t.message));
	}
	return { fallback, byLanguage };
}

/** A parameter that differs between items only when it holds an expression. */
const isExpression = (fns: IExecuteFunctions, name: string) => holdsExpression(fns.getNode().parameters[name]);

async function buildPriceBook(fns: IExecuteFunctions, provider: Provider, countries: string[], options: Partial<CampaignOptions>, read: ParameterReader, timeoutMs: number): Promise<{ book: PriceBook; source: string }> {
	const currency = read.text('Currency', options.currency ?? 'USD').trim().toUpperCase() || 'USD';
	const own = new Map<string, number>();
	for (const entry of options.countryPrices?.price ?? []) {
		const country = read.text('Country Code', entry.country).trim().toUpperCase();
		const price = parsePrice(entry.price);
		if (country && price !== undefined) own.set(country, price);
	}
	const perSegment = typeof options.pricePerSegment === 'number' && options.pricePerSegment > 0 ? options.pricePerSegment : undefined;
	const byCountry = new Map<string, number>();
	let source = own.size || perSegment !== undefined ? 'node' : 'none';
	let unit = currency;
	const pricing = provider.sms.pricing;
	if (pricing && options.providerPrices !== false) {
		try {
			const ctx = await providerContext(fns, provider, 0, timeoutMs);
			// A few countries at a time; the first failure ends the look-ups (the node's prices then apply).
			for (let k = 0; k < countries.length; k += PRICE_LOOKUPS_AT_ONCE) {
				const quotes = await Promise.all(countries.slice(k, k + PRICE_LOOKUPS_AT_ONCE).map(async (country) => [country, await oncePerExecution(fns, ['price', provider.name, country], () => pricing.perSegment(ctx, country))] as const));
				for (const [country, quote] of quotes) {
					if (!quote) continue;
					byCountry.set(country, quote.price);
					unit = quote.unit;
				}
			}
			source = own.size || perSegment !== undefined ? `${provider.name}+node` : provider.name;
		} catch (error) {
			// Prices are an estimate: without the provider's list, the node's own prices (if any) still say something.
			fns.logger.warn(`SMS campaign: ${provider.label}'s price list could not be read; the node's prices are used (${error instanceof Error ? error.message : String(error)})`);
		}
	}
	for (const [country, price] of own) byCountry.set(country, price);
	return { book: { currency: unit, byCountry, perSegment }, source };
}

export async function runCampaign(fns: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const startedAt = new Date();
	const items = fns.getInputData();
	const read: ParameterReader = new ParameterReader(fns, 0);
	const providers = parseRoute(String(read.raw('provider', 'twilio')));
	const options = read.options<CampaignOptions>();
	const retry = readRetrySettings(options);
	const dryRun = read.raw('dryRun', false) === true;
	const defaultCountry = read.text('Default Country', read.raw('defaultCountry', '')).replace(/\s+/g, '').toUpperCase();

	// The sender of each provider, checked once for the whole campaign.
	const base = new Map<Provider, Omit<SendSmsRequest, 'to' | 'body'>>();
	for (const provider of providers) {
		const sender = provider.sms.readSender(read.forProvider());
		const problem = provider.sms.check({ ...sender, to: '+10000000000', body: 'x' }, new Date());
		if (problem) read.fail(problem, 'Nothing was sent.');
		base.set(provider, { ...sender });
	}

	// The rate.
	const rateMode = String(read.raw('rateMode', 'auto'));
	let rate: CampaignFacts['rate'] = null;
	if (rateMode === 'auto') {
		const [first] = providers;
		const found = first.sms.senderRate?.(base.get(first) ?? {});
		if (!found) {
			read.fail(
				`The sending rate cannot be told from this ${first.label} sender`,
				'Set Sending Rate to By Sender Type or Custom (Sinch: the rate of your service plan; a Messaging Service: the rate of its numbers). Nothing was sent.',
			);
		}
		rate = { perSecond: found.perSecond, unit: 'segments' };
	} else if (rateMode === 'senderType') {
		const kind = String(read.raw('senderType', ''));
		const found = SENDER_TYPES.find((r) => r.kind === kind);
		if (!found) read.fail(`Unknown sender type "${kind}"`, 'Pick one in Sender Type. Nothing was sent.');
		rate = { perSecond: found.perSecond, unit: 'segments' };
	} else if (rateMode === 'custom') {
		const written = read.raw('ratePerSecond', 1);
		// Written as people write rates: "0x10" or "1e3" are not.
		const perSecond = typeof written === 'string' && !/^\s*\d+(\.\d+)?\s*$/.test(written) ? NaN : Number(written);
		if (!Number.isFinite(perSecond) || perSecond < 0.01 || perSecond > MAX_RATE) {
			read.fail(`Rate per Second must be a number from 0.01 to ${MAX_RATE}, but it is ${JSON.stringify(written)}`, 'Nothing was sent.');
		}
		rate = { perSecond, unit: read.raw('rateUnit', 'segments') === 'messages' ? 'messages' : 'segments' };
	} else if (rateMode !== 'none') {
		read.fail(`Unknown Sending Rate "${String(rateMode).slice(0, 40)}"`, "Pick one in Sending Rate: From the Sender's Number, By Sender Type, Custom or No Limit. Nothing was sent.");
	}
	const concurrency = read.integer('Requests at Once', options.concurrency, 1, 100) ?? 10;

	// Quiet hours.
	let quiet: QuietRule | undefined;
	if (read.raw('quietHours', false) === true) {
		const start = parseClock(read.text('Quiet From', read.raw('quietStart', '21:00')));
		const end = parseClock(read.text('Quiet Until', read.raw('quietEnd', '08:00')));
		if (start === undefined || end === undefined) read.fail('Quiet From and Quiet Until must be times of day such as 21:00 and 08:00', 'Nothing was sent.');
		if (start === end) read.fail('Quiet From and Quiet Until are the same time', 'Set when quiet hours begin and end, for example 21:00 and 08:00. Nothing was sent.');
		quiet = { hours: { start, end }, action: read.raw('quietAction', 'skip') === 'schedule' ? 'schedule' : 'skip' };
	}
	const defaultZone = fns.getTimezone();

	// The opt-out list, in E.164. An entry that cannot be read stops the campaign: it could not keep its promise.
	const optOut = new Set<string>();
	listOf(options.optOutList).forEach((entry, k) => {
		const number = optOutNumber(entry, defaultCountry);
		if (!number) {
			read.fail(
				`Entry ${k + 1} of the Opt-Out List is not a phone number: ${clip(typeof entry === 'string' ? entry : JSON.stringify(entry) ?? String(entry), 60)}`,
				'Give numbers (with + or a Default Country), or items with a phone field. Nothing was sent: the list could not be honoured.',
			);
		}
		optOut.add(number);
	});

	// Each item's recipient. Parameters without an expression are read once.
	const phoneOf = perItem(fns, 'to', '');
	const languageOf = perItem(fns, 'language', '');
	const zoneOf = quiet ? perItem(fns, 'timeZone', '') : () => '';
	const optedOutOf = perItem(fns, 'optedOut', false);
	const sharedMessages = isExpression(fns, 'message') || isExpression(fns, 'translations') ? undefined : messagesOf(fns, 0);
	const inputs: RecipientInput[] = items.map((item, i) => {
		const language = languageOf(i);
		const zone = zoneOf(i);
		const optedOut = yesOrNo(optedOutOf(i));
		let messages = sharedMessages;
		let problem: RecipientInput['problem'];
		if (!messages) {
			try {
				messages = messagesOf(fns, i);
			} catch (error) {
				problem = { reason: 'invalidMessage', text: error instanceof Error ? error.message : String(error) };
			}
		}
		if (optedOut === undefined) problem ??= { reason: 'invalidOptOut', text: 'Recipient Opted Out cannot be read as yes or no, so consent is unknown: not sent. Map true/false, yes/no or 1/0' };
		return {
			index: i,
			phone: phoneOf(i),
			language: typeof language === 'string' ? language : undefined,
			timeZone: typeof zone === 'string' && zone.trim() ? zone.trim() : undefined,
			optedOut: optedOut === true,
			fields: item.json,
			messages: messages ?? { fallback: '', byLanguage: new Map() },
			problem,
		};
	});

	const planSettings: PlanSettings = {
		defaultCountry,
		validation: options.phoneValidation === 'possible' ? 'possible' : 'strict',
		optOut,
		quiet,
		defaultZone,
		unit: rate?.unit ?? 'segments',
		check: (to, body) => providers.map((p) => p.sms.check({ ...(base.get(p) as SendSmsRequest), to, body }, new Date())).find(Boolean),
	};
	// Planning 100,000 recipients takes seconds: the rest of n8n gets its turns meanwhile.
	const planned = await planRecipients(inputs, planSettings, new Date(), async () => await sleep(0));
	const countries = [...new Set(planned.flatMap((r) => (r.status === 'ready' && r.country ? [r.country] : [])))];
	const prices = await buildPriceBook(fns, providers[0], countries, options, read, retry.timeoutMs);
	priceRecipients(planned, prices.book);

	const node = fns.getNode();
	const workflow = fns.getWorkflow();
	const campaignKey = read.text('Campaign Key', read.raw('campaignKey', '')).trim();
	const facts: CampaignFacts = { campaignKey: campaignKey || null, dryRun, currency: prices.book.currency, priceSource: prices.source, rate, concurrency, route: providers.map((p) => p.name) };

	let report: SendReport | undefined;
	if (!dryRun) {
		const { budget, ledger } = await sharing(fns, read.raw('sharedState', 'process') === 'redis' ? 'redis' : 'process');
		const ready = planned.filter((r) => r.status === 'ready').length;
		let lastProgress = Date.now();
		const manual = fns.getMode() === 'manual';
		report = await sendCampaign(fns, planned, {
			providers,
			base,
			retry,
			perSecond: rate?.perSecond,
			concurrency,
			ledgerScope: campaignKey ? `campaign:${workflow.id ?? workflow.name ?? ''}:${campaignKey}` : `run:${fns.getExecutionId()}:${node.id ?? node.name}`,
			budget,
			ledger,
			quiet,
			signal: fns.getExecutionCancelSignal?.(),
			progress: (done) => {
				if (Date.now() - lastProgress < PROGRESS_EVERY_MS && done < ready) return;
				lastProgress = Date.now();
				const line = `SMS campaign "${node.name}": ${done} of ${ready} recipients done`;
				fns.logger.info(line);
				if (manual) fns.sendMessageToUI(line);
			},
		});
		if (report.canceled) {
			const sent = [...report.outcomes.values()].filter((o) => o.messageId).length;
			fns.logger.warn(`SMS campaign "${node.name}" canceled: ${sent} messages had left, ${ready - sent} were not sent. A re-run with the same Campaign Key sends only to the rest.`);
		}
		if (report.stoppedBy) {
			const sent = [...report.outcomes.values()].filter((o) => o.messageId).length;
			const line = `SMS campaign "${node.name}" stopped: ${report.stoppedBy}. ${sent} messages had left, ${ready - sent} were not sent`;
			fns.logger.warn(line);
			// The recipients and the summary say it all with Continue On Fail; otherwise the run fails, as nothing more can be sent safely.
			if (!fns.continueOnFail()) {
				const message = `The campaign stopped: ${report.stoppedBy}`;
				throw nodeOperationError(node, message, {
					description: `${sent} messages had left; ${ready - sent} recipients were not sent (nothing is sent without the shared rate budget and sent-ledger). Once Redis is back, run it again with the same Campaign Key: it sends only to the rest.`,
				});
			}
		}
	}

	const recipients = planned.map((r) => recipientItem(r, report?.outcomes.get(r.index), facts));
	const summary = summaryItem(recipients, planned, report, facts, startedAt, new Date());
	return [recipients.map((json, i) => ({ json, pairedItem: { item: planned[i].index } })), [{ json: summary, pairedItem: items.map((_, i) => ({ item: i })) }]];
}
