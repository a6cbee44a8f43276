import { SEND_AND_WAIT_OPERATION, sleep, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { defaultCountryProperty, phoneValidationOption } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings, retryOptions } from '../../shared/descriptions/retryOptions';
import { routeOptions } from '../../shared/descriptions/route';
import { recipientField, type ItemContext, type ItemOperation } from '../../shared/items';
import { sendOutput, type Channel } from '../../shared/output';
import { ParameterReader } from '../../shared/params';
import { parseRoute, PROVIDER_NAMES, PROVIDERS, ROUTES, routesWhereAll, routesWhereAny, routesWith } from '../../shared/providers/registry';
import type { Provider, ProviderContext, ProviderMessage, SendSmsRequest, SmsSendOptions } from '../../shared/providers/types';
import type { PhoneValidation } from '../../shared/rules/phone';
import { countSegments, findBrokenCharacter } from '../../shared/rules/segments';
import { isFinal } from '../../shared/rules/status';
import { providerContext } from '../../shared/transport';
import { oncePerExecution } from '../../shared/memo';
import { routeRequests, senderOf, senderProperties, sendOverRoute } from '../../shared/smsRoute';
import { paced, rateLimitedFor, senderKey } from '../../shared/campaign/budget';
import { sharedStateProperty } from '../../shared/descriptions/sharedState';
import { sharing } from '../../shared/state';

const show = { operation: ['send'] };
/** What Send and Wait for Reply shares with Send: the route, the recipient, the message, the country, the senders. */
const showWithWait = { operation: ['send', SEND_AND_WAIT_OPERATION] };
type BooleanOption = Exclude<keyof SmsSendOptions, 'schedule'>;
/** An option every provider of the route honours. */
const whenAll = (option: BooleanOption) => ({ show: { '/provider': routesWhereAll((p) => p.sms.options[option]) } });
/** An option some provider of the route uses; the others do without it. */
const whenAny = (option: BooleanOption) => ({ show: { '/provider': routesWhereAny((p) => p.sms.options[option]) } });

/**
 * Send At, offered only where it works: on routes whose every provider schedules, and where a provider needs a
 * sender setting to schedule (Twilio: a Messaging Service), only once that setting is chosen. One entry per
 * such setting, since the editor cannot say "or" across two parameters.
 */
function sendAtOptions(): INodeProperties[] {
	const scheduling = routesWhereAll((p) => p.sms.options.schedule !== undefined);
	const needs = (route: string) => parseRoute(route).map((p) => p.sms.options.schedule?.needsSender).find(Boolean);
	const base: INodeProperties = {
		displayName: 'Send At',
		name: 'sendAt',
		type: 'dateTime',
		default: '',
		description: 'Schedule the message. Twilio: through a Messaging Service, 5 minutes to 35 days ahead. Sinch: any time in the future.',
	};
	const free = scheduling.filter((route) => !needs(route));
	const out: INodeProperties[] = free.length ? [{ ...base, displayOptions: { show: { '/provider': free } } }] : [];
	const settings = [...new Set(scheduling.map(needs).filter((n): n is NonNullable<typeof n> => Boolean(n)))];
	for (const setting of settings) {
		const routes = scheduling.filter((route) => needs(route) === setting);
		out.push({ ...base, displayOptions: { show: { '/provider': routes, [`/${setting.parameter}`]: [setting.value] } } });
	}
	return out;
}

export const description: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: routeOptions(ROUTES),
		default: 'twilio',
		description: 'Who sends the message, and optionally a provider of another kind to fall back to when the first is down',
		displayOptions: { show: showWithWait },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+33612345678',
		description: 'The recipient, as people write it: +44 7911 123456, 06 12 34 56 78 (with a default country), 00 33 6…',
		displayOptions: { show: showWithWait },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'Up to 1600 characters. One character outside the GSM alphabet (an emoji, ç) makes every part hold 70 characters instead of 160.',
		displayOptions: { show: showWithWait },
	},
	{ ...defaultCountryProperty({ show: showWithWait }) },
	...senderProperties(showWithWait, 'provider', (name) => routesWith(name)),
	sharedStateProperty('send', show),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Client Reference (Sinch)',
				name: 'clientReference',
				type: 'string',
				default: '',
				description: 'Your own reference, up to 128 characters, returned in Sinch delivery reports',
				displayOptions: whenAny('clientReference'),
			},
			{
				displayName: 'Max Price (AWS SNS, USD)',
				name: 'maxPrice',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 0.5,
				description: 'AWS SNS does not send a message that would cost more than this',
				displayOptions: whenAny('maxPrice'),
			},
			{
				displayName: 'Media URLs (Twilio MMS)',
				name: 'mediaUrls',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/a.jpg, https://example.com/b.png',
				description: 'Up to 10 public URLs, separated by commas',
				displayOptions: whenAll('media'),
			},
			{ ...phoneValidationOption },
			{
				displayName: 'Rate Limit (Segments per Second)',
				name: 'ratePerSecond',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10000, numberPrecision: 2 },
				default: 0,
				description:
					"No more than this many segments a second from each sender, across every execution in this n8n, or every queue-mode worker with Share Rate Limits Via set to Redis (a US long code: 1, toll-free: 3, a short code: 100). 0: no limit. For lists with dedupe, quiet hours and a summary, use the Bulk SMS Campaign node.",
			},
			{
				displayName: 'Requests at Once',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
				default: 1,
				description:
					'How many items are sent at the same time. More than 1 sends a long list much faster; the rate limit still holds. Without Continue On Fail, nothing new starts after a failure, but messages already on their way go out.',
			},
			...retryOptions,
			...sendAtOptions(),
			{
				displayName: 'Send Statuses to the Messaging Trigger',
				name: 'statusToTrigger',
				type: 'boolean',
				default: false,
				description: [
					"Whether delivery updates go to the workflow whose Messaging Trigger receives this sender's messages, with no URL to copy.",
					...PROVIDER_NAMES.map((name) => PROVIDERS[name].sms).flatMap((sms) => (sms.options.statusToTrigger && sms.triggerStatusNote ? [sms.triggerStatusNote] : [])),
				].join(' '),
				// Every provider of the route must bring statuses back: a fallback that cannot would lose them unseen.
				displayOptions: whenAll('statusToTrigger'),
			},
			{
				displayName: 'Status Callback URL',
				name: 'statusCallbackUrl',
				type: 'string',
				default: '',
				description:
					"Where the provider posts delivery status changes. To start a workflow on them, turn on Send Statuses to the Messaging Trigger instead, or paste a Messaging Trigger's Production URL here (open the trigger: Webhook URLs → Production URL).",
				displayOptions: whenAny('statusCallback'),
			},
			{
				displayName: 'Validity Period (Seconds)',
				name: 'validityPeriod',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: 36000,
				description: 'How long the provider keeps trying before giving up, in whole seconds (Twilio: at most 36000, Sinch: at most 3 days)',
				displayOptions: whenAny('validityPeriod'),
			},
			{
				displayName: 'Wait for Final Status (Seconds)',
				name: 'waitForStatus',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 600, numberPrecision: 0 },
				default: 0,
				description:
					'After sending, ask the provider for the status until it is final (delivered, failed…) or this many seconds have passed. "Accepted" only means the provider took the message.',
				displayOptions: { show: { '/provider': routesWhereAll((p) => p.sms.status !== undefined) } },
			},
		],
	},
];

interface SendOptions extends IDataObject {
	phoneValidation?: PhoneValidation;
	ratePerSecond?: number;
	concurrency?: number;
}

/** Items sent at once, as the node's Options say (read once: one value for the whole run). */
export function sendConcurrency(fns: IExecuteFunctions): number {
	if (fns.getNodeParameter('operation', 0, 'send') !== 'send') return 1;
	const options = new ParameterReader(fns, 0).options<SendOptions>();
	const n = Number(options.concurrency ?? 1);
	return Number.isInteger(n) && n >= 1 ? Math.min(n, 100) : 1;
}

const POLL_MS = 2000;

/**
 * The request with the status callback URL that reaches the sender's Messaging Trigger, when the user asked for it
 * and the provider needs one named: looked up once per execution and sender.
 */
async function withTriggerStatusUrl(fns: IExecuteFunctions, provider: Provider, ctx: ProviderContext, request: SendSmsRequest): Promise<SendSmsRequest> {
	const lookUp = provider.sms.triggerStatusUrl;
	if (!request.statusToTrigger || !lookUp) return request;
	const statusCallbackUrl = await oncePerExecution(fns, ['triggerStatusUrl', provider.name, request.messagingServiceSid ?? null, request.from ?? null], () => lookUp.call(provider.sms, ctx, request));
	return statusCallbackUrl ? { ...request, statusCallbackUrl } : request;
}

/** Ask the provider until the status is final or the time is up; the last answer wins. */
async function waitForFinal(fns: IExecuteFunctions, provider: Provider, message: ProviderMessage, seconds: number, i: number, timeoutMs: number): Promise<ProviderMessage> {
	const status = provider.sms.status;
	if (!status || seconds <= 0 || isFinal(message.status) || message.status === 'scheduled') return message;
	const end = Date.now() + seconds * 1000;
	let last = message;
	while (Date.now() < end && !isFinal(last.status)) {
		await sleep(Math.min(POLL_MS, Math.max(0, end - Date.now())));
		const ctx = await providerContext(fns, provider, i, timeoutMs);
		try {
			const next = await status.get(ctx, message.messageId, status.perRecipient ? message.to : undefined);
			last = { ...next, sentAt: next.sentAt ?? last.sentAt };
		} catch {
			// A failed look-up changes nothing about the message: keep what we know and stop asking.
			break;
		}
	}
	return last;
}

export const send: ItemOperation = {
	failureFields: recipientField,

	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const providers = parseRoute(String(params.raw('provider', 'twilio')));
		const options = params.options<SendOptions>();
		const retry = readRetrySettings(options);

		const to = params.recipient(options.phoneValidation);
		const body = params.text('Message', params.raw('message', ''));
		const broken = findBrokenCharacter(body);
		if (broken) {
			params.fail(
				`The message has a broken character at position ${broken} (half of an emoji or symbol)`,
				'Retype or remove the character there; it usually comes from text cut in the middle of an emoji. Nothing was sent.',
			);
		}
		const mediaUrls = params.urls('Media URLs', options.mediaUrls);
		if (body.trim() === '' && mediaUrls.length === 0) {
			params.fail('The message is empty', 'Write a message (or add a media URL for Twilio MMS). Nothing was sent.');
		}
		const base: SendSmsRequest = {
			to,
			body,
			mediaUrls: mediaUrls.length ? mediaUrls : undefined,
			statusCallbackUrl: params.url('Status Callback URL', options.statusCallbackUrl),
			statusToTrigger: options.statusToTrigger === true || options.statusToTrigger === 'true' || undefined,
			validityPeriod: params.integer('Validity Period', options.validityPeriod, 1, 259200),
			sendAt: params.dateTime('Send At', options.sendAt),
			clientReference: params.text('Client Reference', options.clientReference).trim() || undefined,
			maxPrice: params.number('Max Price', options.maxPrice, 0),
		};
		if (base.statusToTrigger && base.statusCallbackUrl) {
			params.fail(
				'Send Statuses to the Messaging Trigger and Status Callback URL are both set',
				'Keep one: the trigger of the sender, or the URL. Nothing was sent.',
			);
		}
		const waitSeconds = params.integer('Wait for Final Status', options.waitForStatus, 0, 600) ?? 0;
		const perSecond = params.number('Rate Limit', options.ratePerSecond, 0) || undefined;
		// The budget every run shares: this process's, or with Share Rate Limits Via set to Redis, every worker's.
		const budget = perSecond ? (await sharing(this, params.raw('sharedState', 'process') === 'redis' ? 'redis' : 'process')).budget : undefined;

		// Each provider's request, built once; every provider of the route is checked before anything is sent.
		const requests = routeRequests(this, params, providers, base, i);

		const segments = countSegments(body);
		const channel: Channel = mediaUrls.length ? 'mms' : 'sms';
		return await item.once({ route: providers.map((p) => p.name), requests: [...requests.values()] }, async () => {
			const delivered = await sendOverRoute(this, i, requests, {
				retry,
				prepare: (provider, ctx, request) => withTriggerStatusUrl(this, provider, ctx, request),
				// With a rate, each attempt takes its segments from the sender's budget, shared with every other run here.
				attempt: budget ? (provider, request, go) => paced(budget, senderKey(provider, request), segments.segments, perSecond, undefined, go, rateLimitedFor) : undefined,
			});
			const { used, request } = delivered;
			const value = await waitForFinal(this, used, delivered.value, waitSeconds, i, retry.timeoutMs);
			return sendOutput(
				{ ...delivered, value },
				{
					to,
					from: senderOf(request),
					channel,
					segments,
					sendAt: value.status === 'scheduled' ? request.sendAt : undefined,
					hint: used.sms.acceptedHint,
				},
			);
		});
	},
};
