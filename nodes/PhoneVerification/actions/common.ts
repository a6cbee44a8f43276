/** What every operation of Phone Verification shares: the engine, where limits are kept, reading a number, the output. */
import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { deliver } from '../../shared/delivery';
import { readRetrySettings, retryOptions, type RetrySettings } from '../../shared/descriptions/retryOptions';
import { nodeOperationError, type ItemContext, type ItemOperation } from '../../shared/items';
import { ParameterReader } from '../../shared/params';
import type { ProviderContext } from '../../shared/providers/types';
import type { VerificationChannel, VerificationResult, VerifyCapability } from '../../shared/providers/verifyTypes';
import { clip } from '../../shared/rules/errors';
import { MIN_SECRET_LENGTH } from '../../shared/rules/otp';
import { describeType, type PhoneValidation } from '../../shared/rules/phone';
import { sharedState } from '../../shared/state/index';
import type { SharedState } from '../../shared/state/types';
import { providerContext } from '../../shared/transport';
import { BUILTIN_PROVIDER } from '../../shared/verification/builtin';
import { readEngine, SERVICE_ENGINES, type Engine } from '../../shared/verification/engines';

export const VERIFICATION_SECRET_CREDENTIAL = 'messagingVerificationSecretApi';

export function engineOf(params: ParameterReader): Engine {
	const value = String(params.raw('engine', 'twilio'));
	try {
		return readEngine(value);
	} catch {
		return params.fail(`Phone Verification has no engine "${clip(value)}"`, 'Pick an engine in the node. Nothing was sent.');
	}
}

/**
 * Where limits are kept, for this item. A store that fails (Redis away, a wrong password) stops the item with the
 * store's own sentence: n8n would otherwise put its generic text in place of one that names a network code.
 */
export async function stateOf(fns: IExecuteFunctions, params: ParameterReader, index: number): Promise<SharedState> {
	const fail = (error: unknown): never => {
		const message = error instanceof Error ? error.message : String(error);
		throw nodeOperationError(fns.getNode(), message, { itemIndex: index, description: 'Nothing was sent. Limits could not be counted, so nothing went out uncounted.' });
	};
	const guarded = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
		try {
			return await call(...args);
		} catch (error) {
			return fail(error);
		}
	};
	const state = await sharedState(fns, params.raw('sharedState', 'workflow') === 'redis' ? 'redis' : 'workflow', index).catch(fail);
	return {
		kind: state.kind,
		take: guarded(state.take.bind(state)),
		release: guarded(state.release.bind(state)),
		attempt: guarded(state.attempt.bind(state)),
		close: guarded(state.close.bind(state)),
		state: guarded(state.state.bind(state)),
	};
}

/** The secret built-in codes are keyed by, from its credential. */
export async function builtinSecret(fns: IExecuteFunctions, params: ParameterReader, index: number): Promise<string> {
	let secret = '';
	try {
		const credentials = await fns.getCredentials(VERIFICATION_SECRET_CREDENTIAL, index);
		secret = typeof credentials.secret === 'string' ? credentials.secret : '';
	} catch {
		secret = '';
	}
	if (secret.length < MIN_SECRET_LENGTH) {
		params.fail(
			'Built-in codes need a Verification Code Secret credential with a secret of at least 32 characters',
			'Create one in the node\'s Verification Code Secret box with 32 random characters or more (a password manager\'s generator makes one), and use the same credential in the Send Code and Check Code nodes. Nothing was sent.',
		);
	}
	return secret;
}

/** A provider's context for a verification service call, with `secrets` (a code) kept out of every answer. */
export function serviceContext(fns: IExecuteFunctions, engine: Extract<Engine, { kind: 'service' }>, index: number, secrets: string[] = [], timeoutMs?: number): Promise<ProviderContext> {
	return providerContext(fns, engine.provider, index, timeoutMs, secrets);
}

/** A call to a verification service, retried as Send SMS retries (only what the service never processed). */
export async function callService<T>(fns: IExecuteFunctions, engine: Extract<Engine, { kind: 'service' }>, index: number, retry: RetrySettings, secrets: string[], call: (ctx: ProviderContext) => Promise<T>): Promise<T> {
	const delivered = await deliver([engine.provider], async () => await call(await serviceContext(fns, engine, index, secrets, retry.timeoutMs)), { policy: retry.policy, sleep });
	return delivered.value;
}

/**
 * The recipient in E.164, refused before anything is sent when it is not a number the channel can reach: a
 * landline gets no SMS (offered the engine's voice channel where it has one).
 */
export function recipientOf(fns: IExecuteFunctions, params: ParameterReader, index: number, options: { channel?: VerificationChannel; voiceChannels: readonly VerificationChannel[]; validation?: PhoneValidation; anyLine?: boolean }): string {
	const voice = options.channel?.voice === true;
	const { raw: rawTo, phone } = params.phone({ validation: options.validation ?? 'strict', requireMobile: !voice && options.anyLine !== true });
	if (phone.ok) return phone.e164;
	if (phone.reason === 'NOT_MOBILE') {
		const alternative = options.voiceChannels[0];
		throw new NodeOperationError(fns.getNode(), `"${clip(rawTo)}" is ${describeType(phone.info.type)}: it cannot receive a code by ${options.channel?.label ?? 'SMS'}`, {
			itemIndex: index,
			description: alternative
				? `Nothing was sent. Choose the ${alternative.label} channel to reach it by phone, or ask for a mobile number.`
				: 'Nothing was sent. Ask for a mobile number (this engine has no voice channel).',
		});
	}
	return params.invalidRecipient(phone.message);
}

/** How long a service's approved verification is remembered as used: longer than any service keeps one open. */
const SERVICE_USED_MS = 24 * 3600 * 1000;

/**
 * A service's approval, once: the first check that finds the code right marks the verification used, and any other
 * (a second check racing it, which a service like Sinch answers with the same final status) finds it used.
 */
export async function usedOnce(state: SharedState, provider: string, result: VerificationResult): Promise<VerificationResult> {
	if (result.status !== 'approved' || !result.verificationId) return result;
	const before = await state.close(`${provider}:${result.verificationId}`, 'used', Date.now() + SERVICE_USED_MS);
	return before === 'open' ? result : { ...result, status: 'expired', valid: false, reason: 'This verification was already approved: a code works once. Start a new verification' };
}

/** The one output shape of every engine and operation. */
export function verificationOutput(result: VerificationResult, provider: string, extra: IDataObject = {}): IDataObject {
	const out: IDataObject = {
		verificationId: result.verificationId,
		to: result.to,
		channel: result.channel,
		status: result.status,
		valid: result.valid,
		attempts: result.attempts,
		expiresAt: result.expiresAt,
		provider,
		...extra,
	};
	if (result.reason) out.reason = result.reason;
	out.raw = result.raw;
	return out;
}



/**
 * An operation on one verification by its ID (Cancel, Get Status): the service's own call where it has one, else
 * the built-in token read against the shared state.
 */
export function byIdOperation(spec: {
	/** The service's call; absent on services that do not offer it. */
	call: (verify: VerifyCapability) => ((ctx: ProviderContext, request: { verificationId: string; settings: IDataObject }) => Promise<VerificationResult>) | undefined;
	builtin: (input: { secret: string; token: string; state: SharedState; now: Date }) => Promise<VerificationResult>;
	/** Why a service cannot, and what to do instead. */
	unsupported: (label: string) => [string, string];
}): ItemOperation {
	return {
		async run(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
			const i = item.index;
			const params = new ParameterReader(this, i);
			const engine = engineOf(params);
			const verificationId = params.identifier('Verification ID', params.raw('verificationId', '')).trim();
			if (!verificationId) return params.fail('Verification ID is empty', 'Map the verificationId the Send Code operation returned.');
			if (engine.kind === 'service') {
				const call = spec.call(engine.verify);
				if (!call) return params.fail(...spec.unsupported(engine.verify.label));
				const settings = engine.verify.readSettings(params.forProvider());
				const retry = readRetrySettings(params.options<IDataObject>());
				const result = await callService(this, engine, i, retry, [], (ctx) => call.call(engine.verify, ctx, { verificationId, settings }));
				return verificationOutput(result, engine.provider.name);
			}
			const secret = await builtinSecret(this, params, i);
			const state = await stateOf(this, params, i);
			return verificationOutput(await spec.builtin({ secret, token: verificationId, state, now: new Date() }), BUILTIN_PROVIDER);
		},
	};
}

/** Retry and timeout settings of a call to a verification service, for an operation. */
export function serviceOptionsProperty(operation: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: [operation], engine: [...SERVICE_ENGINES] } },
		options: [...retryOptions],
	};
}

/** The Verification ID parameter of an operation on one verification. */
export function verificationIdProperty(operation: string, description: string): INodeProperties {
	return { displayName: 'Verification ID', name: 'verificationId', type: 'string', default: '', required: true, description, displayOptions: { show: { operation: [operation] } } };
}
