import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { defaultCountryProperty } from '../../shared/descriptions/phoneOptions';
import { readRetrySettings } from '../../shared/descriptions/retryOptions';
import { clip } from '../../shared/rules/errors';
import type { ItemContext, ItemOperation } from '../../shared/items';
import { ParameterReader } from '../../shared/params';
import { BUILTIN_PROVIDER, checkBuiltin, DEFAULT_MAX_ATTEMPTS } from '../../shared/verification/builtin';
import { BUILTIN, BUILTIN_ENGINES, SERVICE_ENGINES } from '../../shared/verification/engines';
import { builtinSecret, callService, engineOf, recipientOf, serviceOptionsProperty, stateOf, usedOnce, verificationOutput } from './common';

const show = { operation: ['check'] };
const service = { ...show, engine: [...SERVICE_ENGINES] };
// The routes' values too: a node switched from Send Code keeps the engine it had.
const builtin = { ...show, engine: [BUILTIN, ...BUILTIN_ENGINES] };

export const description: INodeProperties[] = [
	{
		displayName: 'Check By',
		name: 'checkBy',
		type: 'options',
		options: [
			{ name: 'Phone Number', value: 'to', description: 'The pending verification of this number' },
			{ name: 'Verification ID', value: 'verificationId', description: 'The verificationId the Send Code operation returned' },
		],
		default: 'to',
		displayOptions: { show: service },
	},
	{
		displayName: 'Verification ID',
		name: 'verificationId',
		type: 'string',
		default: '',
		required: true,
		description: 'The verificationId the Send Code operation returned (drag it in from its output)',
		displayOptions: { show: { ...service, checkBy: ['verificationId'] } },
	},
	{
		displayName: 'Verification Token',
		name: 'verificationId',
		type: 'string',
		default: '',
		required: true,
		description: 'The verificationId the Send Code operation returned (a signed token that holds no code). Keep it with the login attempt, for example in your app or a database.',
		displayOptions: { show: builtin },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+33612345678',
		description: 'The number the code was sent to (or, for the Email channel, the address)',
		displayOptions: { show: { ...service, checkBy: ['to'] } },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+33612345678',
		description: 'The number the code was sent to: a code works only for the number it was sent to',
		displayOptions: { show: builtin },
	},
	{ ...defaultCountryProperty({ show }) },
	{
		displayName: 'Code',
		name: 'code',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description: 'What the person typed, mapped from the request that brought it. Spaces and dashes are ignored. A wrong code comes out with status "denied", not as an error.',
		displayOptions: { show },
	},
	{
		displayName: 'Max Attempts',
		name: 'maxAttempts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 20, numberPrecision: 0 },
		default: DEFAULT_MAX_ATTEMPTS,
		description: 'Checks one verification allows; after that every check is refused with status max_attempts_reached, even with the right code',
		displayOptions: { show: builtin },
	},
	serviceOptionsProperty('check'),
];

export const check: ItemOperation = {
	async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
		const i = item.index;
		const params = new ParameterReader(this, i);
		const engine = engineOf(params);
		const code = params.secretText('Code', params.raw('code', ''), 'Map the code the person typed into Code, for example {{ $json.body.code }}.');
		const now = new Date();

		if (engine.kind === 'service') {
			const retry = readRetrySettings(params.options<IDataObject>());
			const checkBy = params.identifier('Check By', params.raw('checkBy', 'to')) || 'to';
			if (checkBy !== 'to' && checkBy !== 'verificationId') return params.fail(`Check By must be "to" or "verificationId", not "${clip(checkBy)}"`);
			const byId = checkBy === 'verificationId';
			const verificationId = byId ? params.identifier('Verification ID', params.raw('verificationId', '')).trim() : undefined;
			if (byId && !verificationId) return params.fail('Verification ID is empty', 'Map the verificationId the Send Code operation returned, for example {{ $json.verificationId }}.');
			let to: string | undefined;
			if (!byId) {
				const typed = params.text('To', params.raw('to', '')).trim();
				to = typed.includes('@') ? typed : recipientOf(this, params, i, { voiceChannels: [], validation: 'possible', anyLine: true });
			}
			const settings = engine.verify.readSettings(params.forProvider());
			const state = await stateOf(this, params, i);
			// A repeated run (Retry On Fail) gets the first answer: a second check would use up an attempt, or find an approved code gone.
			return await item.once({ op: 'check', engine: engine.value, to, verificationId, code }, async () => {
				// The code as typed, and as the services send it (without spaces, dashes, dots or brackets).
				const result = await callService(this, engine, i, retry, [code, code.replace(/[\s\-.()]+/g, '')], (ctx) => engine.verify.check(ctx, { code, to, verificationId, settings }));
				return verificationOutput(await usedOnce(state, engine.provider.name, result), engine.provider.name);
			});
		}

		const token = params.identifier('Verification Token', params.raw('verificationId', '')).trim();
		if (!token) return params.fail('Verification Token is empty', 'Map the verificationId the Send Code operation returned, for example {{ $json.verificationId }}.');
		const to = recipientOf(this, params, i, { voiceChannels: [], validation: 'possible', anyLine: true });
		const maxAttempts = params.integer('Max Attempts', params.raw('maxAttempts', DEFAULT_MAX_ATTEMPTS), 1, 20) ?? DEFAULT_MAX_ATTEMPTS;
		const secret = await builtinSecret(this, params, i);
		const state = await stateOf(this, params, i);
		return await item.once({ op: 'check', engine: engine.value, token, to, code }, async () => {
			return verificationOutput(await checkBuiltin({ secret, token, code, to, maxAttempts, state, now }), BUILTIN_PROVIDER);
		});
	},
};
