/**
 * What sends and checks the codes: a provider's own verification service (any provider with a `verify`
 * capability), or built-in codes sent as a plain SMS over any Send SMS route. One parameter value each:
 * "twilio", "sinch", "builtin:twilio", "builtin:twilio,sns"… Checking, canceling or looking up a built-in code
 * sends nothing, so those operations name no route: "builtin", and no provider credential is asked for.
 */
import type { INodePropertyOptions } from 'n8n-workflow';
import { parseRoute, PROVIDERS, providersWith, ROUTES, routeProviders } from '../providers/registry';
import type { Provider, ProviderName } from '../providers/types';
import type { VerifyCapability } from '../providers/verifyTypes';

const BUILTIN_PREFIX = 'builtin:';
/** Built-in codes, without a route: what checks, cancels and looks them up. */
export const BUILTIN = 'builtin';

export type Engine =
	| { kind: 'service'; value: string; provider: Provider; verify: VerifyCapability }
	/** `route` is empty (and `providers` too) for the plain "builtin", which sends nothing. */
	| { kind: 'builtin'; value: string; route: string; providers: Provider[] };

export const SERVICE_ENGINES: readonly string[] = providersWith((p) => p.verify).map((p) => p.name);
/** Built-in codes sent over each route: what Send Code offers. */
export const BUILTIN_ENGINES: readonly string[] = ROUTES.map((route) => `${BUILTIN_PREFIX}${route}`);
/** What Send Code offers. */
export const START_ENGINES: readonly string[] = [...SERVICE_ENGINES, ...BUILTIN_ENGINES];
/** Every value: the start engines and the plain "builtin" of the other operations. */
export const ENGINES: readonly string[] = [...START_ENGINES, BUILTIN];

export function readEngine(value: string): Engine {
	if (value === BUILTIN) return { kind: 'builtin', value, route: '', providers: [] };
	if (value.startsWith(BUILTIN_PREFIX)) {
		const route = value.slice(BUILTIN_PREFIX.length);
		if (!ROUTES.includes(route)) throw new Error(`Unknown engine "${value}"`);
		return { kind: 'builtin', value, route, providers: parseRoute(route) };
	}
	const provider = (PROVIDERS as Record<string, Provider | undefined>)[value];
	if (!provider?.verify) throw new Error(`Unknown engine "${value}"`);
	return { kind: 'service', value, provider, verify: provider.verify };
}

/** Engines whose value satisfies `can`: what an operation or a parameter is shown for. */
export function enginesWhere(can: (engine: Engine) => boolean, among: readonly string[] = ENGINES): string[] {
	return among.filter((value) => can(readEngine(value)));
}

/** Engines that talk to a provider: its verification service, or a route that sends through it. */
export function enginesUsing(name: ProviderName): string[] {
	return enginesWhere((engine) => (engine.kind === 'service' ? engine.provider.name === name : engine.providers.some((p) => p.name === name)));
}

/** For a built-in engine value, the route it sends over (for the sender fields). */
export function builtinEnginesWith(name: ProviderName): string[] {
	return BUILTIN_ENGINES.filter((value) => routeProviders(value.slice(BUILTIN_PREFIX.length)).includes(name));
}

/** The Engine parameter's options among `values`: Send Code's (each route), or another operation's (one "builtin"). */
export function engineOptions(values: readonly string[]): INodePropertyOptions[] {
	const services = SERVICE_ENGINES.filter((value) => values.includes(value)).map((value) => {
		const engine = readEngine(value) as Extract<Engine, { kind: 'service' }>;
		return { name: engine.verify.label, value, description: `${engine.verify.label} sends the code and checks it` };
	});
	const builtin = BUILTIN_ENGINES.filter((value) => values.includes(value)).map((value) => {
		const [first, second] = (readEngine(value) as Extract<Engine, { kind: 'builtin' }>).providers.map((p) => p.label);
		return {
			name: second ? `Built-in Codes by SMS via ${first}, Falling Back to ${second}` : `Built-in Codes by SMS via ${first}`,
			value,
			description: `This node makes the code and sends it as a plain SMS with ${first}${second ? ` (${second} when ${first} is down)` : ''}; it keeps no code anywhere`,
		};
	});
	const plain = values.includes(BUILTIN)
		? [{ name: 'Built-in Codes', value: BUILTIN, description: 'Codes this node made and sent with Send Code (any provider): checked here, nothing is sent' }]
		: [];
	return [...services, ...builtin, ...plain];
}
