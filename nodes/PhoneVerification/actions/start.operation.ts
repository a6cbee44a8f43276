import { type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { defaultCountryProperty, phoneValidationOption } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings, retryOptions } from '../../shared/descriptions/retryOptions';
import { recipientField, type ItemContext, type ItemOperation } from '../../shared/items';
import { ParameterReader } from '../../shared/params';
import type { VerificationChannel } from '../../shared/providers/verifyTypes';
import { CODE_ALPHABETS, MAX_CODE_LENGTH, MIN_CODE_LENGTH, renderCodeMessage, type CodeAlphabet } from '../../shared/rules/otp';
import { countSegments, findBrokenCharacter } from '../../shared/rules/segments';
import { paced, rateLimitedFor, senderKey } from '../../shared/campaign/budget';
import { sharing } from '../../shared/state';
import { clip } from '../../shared/rules/errors';
import { routeRequests, senderOf, senderProperties, sendOverRoute, withBody } from '../../shared/smsRoute';
import { BUILTIN_PROVIDER, startBuiltin } from '../../shared/verification/builtin';
import { BUILTIN_ENGINES, builtinEnginesWith, enginesWhere, readEngine, SERVICE_ENGINES, type Engine } from '../../shared/verification/engines';
import { DEFAULT_START_LIMIT, limitedStart, withinStartLimit, type StartLimit } from '../../shared/verification/limits';
import { builtinSecret, callService, engineOf, recipientOf, stateOf, verificationOutput } from './common';

const show = { operation: ['start'] };
const builtin = { ...show, engine: [...BUILTIN_ENGINES] };
const startOption = (option: 'locale' | 'customCode' | 'reference') => ({
	show: { '/engine': enginesWhere((e) => e.kind === 'service' && e.verify.startOptions?.[option] === true) },
});
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DEFAULT_TEMPLATE = 'Your verification code is {code}. It expires in {minutes} minutes.';

/** One Channel parameter per verification service, with that service's channels. */
function channelProperties(): INodeProperties[] {
	return SERVICE_ENGINES.map((value) => {
		const engine = readEngine(value) as Extract<Engine, { kind: 'service' }>;
		return {
			displayName: 'Channel',
			name: 'channel',
			type: 'options',
			options: engine.verify.channels.map((c) => ({ name: c.label, value: c.value })),
			default: 'sms',
			description: 'How the code reaches the person. A landline can only be reached by a voice channel.',
			displayOptions: { show: { ...show, engine: [value] } },
		} satisfies INodeProperties;
	});
}

export const description: INodeProperties[] = [
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+33612345678',
		description: 'The phone number that gets the code, as people write it (with a Default Country for numbers without +). For the Email channel, an email address.',
		displayOptions: { show },
	},
	{ ...defaultCountryProperty({ show }) },
	...channelProperties(),
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		default: DEFAULT_TEMPLATE,
		required: true,
		description: 'The SMS. {code} is replaced by the code (it must be there) and {minutes} by how long it stays valid.',
		displayOptions: { show: builtin },
	},
	...senderProperties(builtin, 'engine', builtinEnginesWith),
	{
		displayName: 'Code Length',
		name: 'codeLength',
		type: 'number',
		typeOptions: { minValue: MIN_CODE_LENGTH, maxValue: MAX_CODE_LENGTH, numberPrecision: 0 },
		default: 6,
		displayOptions: { show: builtin },
	},
	{
		displayName: 'Code Characters',
		name: 'codeAlphabet',
		type: 'options',
		options: [
			{ name: 'Digits', value: 'digits', description: 'What phones offer to fill in from the SMS' },
			{ name: 'Letters and Digits', value: 'letters', description: `Upper-case letters and digits without look-alikes (${CODE_ALPHABETS.letters})` },
		],
		default: 'digits',
		displayOptions: { show: builtin },
	},
	{
		displayName: 'Code Valid For (Minutes)',
		name: 'codeLifetime',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1440, numberPrecision: 0 },
		default: 10,
		displayOptions: { show: builtin },
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
				displayName: 'Custom Code',
				name: 'customCode',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				description: 'Your own code instead of one the service makes, where the service allows it (Twilio: ask support to enable custom codes)',
				displayOptions: startOption('customCode'),
			},
			{
				displayName: 'Locale',
				name: 'locale',
				type: 'string',
				default: '',
				placeholder: 'fr',
				description: 'The language of the message or call, e.g. en, fr, de, pt-BR. Empty: the service picks it from the number.',
				displayOptions: startOption('locale'),
			},
			{
				displayName: 'Max Codes per Number',
				name: 'maxStartsPerNumber',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
				default: 5,
				description: 'Codes one number may be sent within the period below, whatever the engine allows; more are refused with status max_attempts_reached. 0 turns the limit off.',
			},
			{
				displayName: 'Period (Minutes)',
				name: 'startWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10080, numberPrecision: 0 },
				default: 60,
				description: 'The window Max Codes per Number counts in',
			},
			{
				displayName: 'Rate Limit (Segments per Second)',
				name: 'ratePerSecond',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10000, numberPrecision: 2 },
				default: 0,
				description:
					"Built-in codes: no more than this many segments a second from each sender, shared with Send SMS and Bulk SMS Campaign sends from it in this n8n, or on every queue-mode worker when Keep Limits In is Redis (a US long code: 1, toll-free: 3). 0: no limit.",
				displayOptions: { show: { '/engine': [...BUILTIN_ENGINES] } },
			},
			{
				displayName: 'Reference',
				name: 'reference',
				type: 'string',
				default: '',
				description: 'Your own reference for the verification, kept by the service',
				displayOptions: startOption('reference'),
			},
			{ ...phoneValidationOption },
			...retryOptions,
		],
	},
];

interface StartOptions extends IDataObject {
	customCode?: string;
	locale?: string;
	reference?: string;
	maxStartsPerNumber?: number;
	startWindowMinutes?: number;
	ratePerSecond?: number;
}

function readLimit(params: ParameterReader, options: StartOptions): StartLimit {
	return {
		perNumber: params.integer('Max Codes per Number', options.maxStartsPerNumber, 0, 1000) ?? DEFAULT_START_LIMIT.perNumber,
		windowMinutes: params.integer('Period (Minutes)', options.startWindowMinutes, 1, 10080) ?? DEFAULT_START_LIMIT.windowMinutes,
	};
}

export const start: ItemOperation = {
	failureFields: recipientField,

	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const engine = engineOf(params);
		const options = params.options<StartOptions>();
		const retry = readRetrySettings(options);
		const limit = readLimit(params, options);
		const validation = options.phoneValidation === 'possible' ? 'possible' : 'strict';
		const state = await stateOf(this, params, i);
		const now = new Date();

		if (engine.kind === 'service') {
			const { verify } = engine;
			const channelValue = params.identifier('Channel', params.raw('channel', verify.channels[0].value));
			const channel: VerificationChannel | undefined = verify.channels.find((c) => c.value === channelValue);
			if (!channel) return params.fail(`${verify.label} has no channel "${clip(channelValue)}"`, `Pick one of: ${verify.channels.map((c) => c.label).join(', ')}. Nothing was sent.`);
			const voiceChannels = verify.channels.filter((c) => c.voice);
			let to: string;
			if (channel.email) {
				to = params.text('To', params.raw('to', '')).trim();
				if (!EMAIL.test(to)) return params.fail(`"${clip(to)}" is not an email address`, 'The Email channel sends the code to an email address. Nothing was sent.');
			} else {
				to = recipientOf(this, params, i, { channel, voiceChannels, validation });
			}
			const customCode = verify.startOptions?.customCode ? params.secretText('Custom Code', options.customCode).trim() || undefined : undefined;
			const request = {
				to,
				channel: channel.value,
				locale: verify.startOptions?.locale ? params.text('Locale', options.locale).trim() || undefined : undefined,
				customCode,
				reference: verify.startOptions?.reference ? params.text('Reference', options.reference).trim() || undefined : undefined,
				settings: verify.readSettings(params.forProvider()),
			};
			// The fingerprint of what is started, never the custom code itself.
			return await item.once({ engine: engine.value, ...request, customCode: customCode !== undefined }, async () => {
				const result = await withinStartLimit(
					state,
					// One count per address, however its letters are written.
					channel.email ? to.toLowerCase() : to,
					limit,
					now,
					(place) => limitedStart(to, channel.value, limit, place),
					() => callService(this, engine, i, retry, customCode ? [customCode] : [], (ctx) => verify.start(ctx, request)),
					// A service's "too many sends" (Twilio 60203) sent nothing either.
					(answer) => answer.status === 'pending',
				);
				return verificationOutput(result, engine.provider.name);
			});
		}

		// Built-in codes: made here, sent as a plain SMS over the route, checked later against the token.
		if (engine.providers.length === 0) return params.fail('Built-in codes need a provider to send them', 'Pick an engine "Built-in Codes by SMS via …" in Send Code. Nothing was sent.');
		const to = recipientOf(this, params, i, { voiceChannels: [], validation });
		const template = params.text('Message', params.raw('message', DEFAULT_TEMPLATE));
		const length = params.integer('Code Length', params.raw('codeLength', 6), MIN_CODE_LENGTH, MAX_CODE_LENGTH) ?? 6;
		const alphabetValue = params.identifier('Code Characters', params.raw('codeAlphabet', 'digits')) || 'digits';
		if (alphabetValue !== 'digits' && alphabetValue !== 'letters') return params.fail(`Code Characters must be "digits" or "letters", not "${clip(alphabetValue)}"`);
		const alphabet: CodeAlphabet = alphabetValue;
		const minutes = params.integer('Code Valid For (Minutes)', params.raw('codeLifetime', 10), 1, 1440) ?? 10;
		// A sample of the message, for the route's checks (length, sender) before any code is made.
		const sample = renderCodeMessage(template, CODE_ALPHABETS[alphabet][0].repeat(length), minutes);
		if (sample === undefined) return params.fail('The message has no {code}', 'Put {code} where the code goes, for example "Your code is {code}". Nothing was sent.');
		const broken = findBrokenCharacter(template);
		if (broken) {
			return params.fail(
				`The message has a broken character at position ${broken} (half of an emoji or symbol)`,
				'Retype or remove the character there; it usually comes from text cut in the middle of an emoji. Nothing was sent.',
			);
		}
		const secret = await builtinSecret(this, params, i);
		const perSecond = params.number('Rate Limit', options.ratePerSecond, 0) || undefined;
		// The sender's budget, shared with every send from it: this process's, or every worker's in Redis.
		const budget = perSecond ? (await sharing(this, params.raw('sharedState', 'workflow') === 'redis' ? 'redis' : 'process', 'Keep Limits In')).budget : undefined;
		const requests = routeRequests(this, params, engine.providers, { to, body: sample }, i, now);
		const senders = [...requests.values()].map(senderOf);
		return await item.once({ engine: engine.value, to, template, length, alphabet, minutes, senders }, async () => {
			const result = await withinStartLimit(
				state,
				to,
				limit,
				now,
				(place) => limitedStart(to, 'sms', limit, place),
				(place) => startBuiltin({ secret, to, template, length, alphabet, minutes, now, attempts: place.count }, (body, secrets) =>
					sendOverRoute(this, i, withBody(requests, body), {
						retry,
						secrets,
						attempt: budget ? (provider, request, go) => paced(budget, senderKey(provider, request), countSegments(body).segments, perSecond, undefined, go, rateLimitedFor) : undefined,
					}),
				),
				() => true,
			);
			return verificationOutput(result, BUILTIN_PROVIDER);
		});
	},
};
