import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { deliver } from '../../shared/delivery';
import { defaultCountryProperty, phoneValidationOption } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings, retryOptionsProperty } from '../../shared/descriptions/retryOptions';
import { routeOptions, routesWhereAll, routesWhereAny, routesWith, ROUTES } from '../../shared/descriptions/route';
import { normalizePhone, type PhoneValidation } from '../../shared/phone';
import { parseRoute, PROVIDERS } from '../../shared/providers/registry';
import type { SendSmsRequest, SmsProvider } from '../../shared/providers/types';
import { countSegments } from '../../shared/segments';
import { providerContext } from '../../shared/transport';
import { sendOutput, type Channel } from '../../shared/output';

const show = { operation: ['send'] };
const showFor = (provider: 'twilio' | 'sinch' | 'sns') => ({ show: { ...show, provider: routesWith(provider) } });
/** An option offered only on routes whose every provider can honour it (`/provider` is the node's Provider). */
const whenAll = (capability: keyof SmsProvider['capabilities']) => ({
	show: { '/provider': routesWhereAll((p) => PROVIDERS[p].capabilities[capability]) },
});
/** An option some provider of the route uses; the others ignore it. */
const whenAny = (capability: keyof SmsProvider['capabilities'] | 'twilio' | 'sinch' | 'sns') => ({
	show: {
		'/provider': routesWhereAny((p) => (capability in PROVIDERS ? p === capability : PROVIDERS[p].capabilities[capability as keyof SmsProvider['capabilities']])),
	},
});

export const description: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: routeOptions(ROUTES),
		default: 'twilio',
		description: 'Who sends the message, and optionally a provider of another kind to fall back to when the first is down',
		displayOptions: { show },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+33612345678',
		description: 'The recipient, as people write it: +44 7911 123456, 06 12 34 56 78 (with a default country), 00 33 6…',
		displayOptions: { show },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'Up to 1600 characters. One character outside the GSM alphabet (an emoji, ç) makes every part hold 70 characters instead of 160.',
		displayOptions: { show },
	},
	{ ...defaultCountryProperty({ show }) },
	{
		displayName: 'Twilio Sender',
		name: 'twilioSenderType',
		type: 'options',
		options: [
			{ name: 'Phone Number or Sender ID', value: 'from' },
			{ name: 'Messaging Service', value: 'messagingService' },
		],
		default: 'from',
		displayOptions: showFor('twilio'),
	},
	{
		displayName: 'Twilio From',
		name: 'twilioFrom',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+15005550006',
		description: 'A number of the Twilio account, a short code, or an alphanumeric sender ID',
		displayOptions: { show: { ...show, provider: routesWith('twilio'), twilioSenderType: ['from'] } },
	},
	{
		displayName: 'Messaging Service SID',
		name: 'twilioMessagingServiceSid',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'MG…',
		displayOptions: { show: { ...show, provider: routesWith('twilio'), twilioSenderType: ['messagingService'] } },
	},
	{
		displayName: 'Sinch From',
		name: 'sinchFrom',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+12025550134',
		description: 'A number of the service plan, a short code, or an alphanumeric sender',
		displayOptions: showFor('sinch'),
	},
	{
		displayName: 'AWS SNS SMS Type',
		name: 'snsSmsType',
		type: 'options',
		options: [
			{ name: 'Transactional', value: 'Transactional', description: 'Codes, alerts, reminders: highest reliability' },
			{ name: 'Promotional', value: 'Promotional', description: 'Marketing: lowest cost' },
		],
		default: 'Transactional',
		displayOptions: showFor('sns'),
	},
	{
		displayName: 'AWS SNS Sender ID',
		name: 'snsSenderId',
		type: 'string',
		default: '',
		description: '3 to 11 letters or digits, where the destination country supports sender IDs',
		displayOptions: showFor('sns'),
	},
	{
		displayName: 'AWS SNS Origination Number',
		name: 'snsOriginationNumber',
		type: 'string',
		default: '',
		placeholder: '+18005550199',
		description: 'A number of the account to send from (toll-free, 10DLC or short code), where required',
		displayOptions: showFor('sns'),
	},
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
				displayOptions: whenAny('sinch'),
			},
			{
				displayName: 'Max Price (AWS SNS, USD)',
				name: 'maxPrice',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 0.5,
				description: 'AWS SNS does not send a message that would cost more than this',
				displayOptions: whenAny('sns'),
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
				displayName: 'Send At',
				name: 'sendAt',
				type: 'dateTime',
				default: '',
				description: 'Schedule the message. Twilio: through a Messaging Service, 5 minutes to 35 days ahead. Sinch: any time in the future.',
				displayOptions: whenAll('schedule'),
			},
			{
				displayName: 'Status Callback URL',
				name: 'statusCallbackUrl',
				type: 'string',
				default: '',
				description: 'Where the provider posts delivery status changes (e.g. a Messaging Trigger webhook URL)',
				displayOptions: whenAny('statusCallback'),
			},
			{
				displayName: 'Validity Period (Seconds)',
				name: 'validityPeriod',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 36000,
				description: 'How long the provider keeps trying before giving up (Twilio: at most 36000, Sinch: at most 3 days)',
			},
		],
	},
	{ ...retryOptionsProperty, displayOptions: { show } },
];

interface SendOptions {
	clientReference?: string;
	maxPrice?: number;
	mediaUrls?: string;
	phoneValidation?: PhoneValidation;
	sendAt?: string;
	statusCallbackUrl?: string;
	validityPeriod?: number;
}

function requestFor(fns: IExecuteFunctions, provider: SmsProvider, base: SendSmsRequest, i: number): SendSmsRequest {
	const str = (name: string) => String(fns.getNodeParameter(name, i, '') ?? '').trim();
	switch (provider.name) {
		case 'twilio': {
			const viaService = fns.getNodeParameter('twilioSenderType', i, 'from') === 'messagingService';
			return viaService
				? { ...base, messagingServiceSid: str('twilioMessagingServiceSid'), from: undefined }
				: { ...base, from: str('twilioFrom') || undefined };
		}
		case 'sinch':
			return { ...base, from: str('sinchFrom') || undefined };
		case 'sns':
			return {
				...base,
				from: str('snsOriginationNumber') || undefined,
				senderId: str('snsSenderId') || undefined,
				smsType: fns.getNodeParameter('snsSmsType', i, 'Transactional') as 'Transactional' | 'Promotional',
			};
	}
}

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const node = this.getNode();
	const providers = parseRoute(this.getNodeParameter('provider', i) as string);
	const options = this.getNodeParameter('options', i, {}) as SendOptions;
	const retry = readRetrySettings(this.getNodeParameter('retry', i, {}) as Record<string, unknown>);

	const rawTo = this.getNodeParameter('to', i, '') as string;
	const phone = normalizePhone(rawTo, {
		defaultCountry: this.getNodeParameter('defaultCountry', i, '') as string,
		validation: options.phoneValidation ?? 'strict',
	});
	if (!phone.ok) {
		throw new NodeOperationError(node, `Invalid recipient: ${phone.message}`, {
			itemIndex: i,
			description: 'Nothing was sent. Fix the number, set the Default Country for numbers written without +, or filter the list with the Phone Number node.',
		});
	}
	const body = String(this.getNodeParameter('message', i, '') ?? '');
	const mediaUrls = (options.mediaUrls ?? '')
		.split(/[,\s]+/)
		.map((u) => u.trim())
		.filter(Boolean);
	if (body.trim() === '' && mediaUrls.length === 0) {
		throw new NodeOperationError(node, 'The message is empty', { itemIndex: i, description: 'Write a message (or add a media URL for Twilio MMS).' });
	}
	let sendAt: Date | undefined;
	if (options.sendAt) {
		sendAt = new Date(options.sendAt);
		if (Number.isNaN(sendAt.getTime())) throw new NodeOperationError(node, `Send At is not a date: "${options.sendAt}"`, { itemIndex: i });
	}
	const base: SendSmsRequest = {
		to: phone.e164,
		body,
		mediaUrls: mediaUrls.length ? mediaUrls : undefined,
		statusCallbackUrl: options.statusCallbackUrl?.trim() || undefined,
		validityPeriod: options.validityPeriod,
		sendAt,
		clientReference: options.clientReference?.trim() || undefined,
		maxPrice: options.maxPrice,
	};

	// Check every provider of the route before anything is sent: a fallback that could never work is a setup error.
	const now = new Date();
	for (const provider of providers) {
		const problem = provider.checkSendRequest(requestFor(this, provider, base, i), now);
		if (problem) throw new NodeOperationError(node, problem, { itemIndex: i, description: 'Nothing was sent.' });
	}

	const segments = countSegments(body);
	const channel: Channel = mediaUrls.length ? 'mms' : 'sms';
	const delivered = await deliver(
		providers,
		async (provider) => {
			const ctx = await providerContext(this, provider, i, retry.timeoutMs);
			return await provider.sendSms(ctx, requestFor(this, provider, base, i));
		},
		{ policy: retry.policy, sleep },
	);
	const usedProvider = providers.find((p) => p.name === delivered.provider) as SmsProvider;
	const request = requestFor(this, usedProvider, base, i);
	return sendOutput(delivered, {
		to: phone.e164,
		from: request.messagingServiceSid ?? request.from ?? request.senderId ?? null,
		channel,
		segments,
	});
}

