/**
 * What sends and checks the codes: a provider's own verification service (any provider with a `verify`
 * capability), or built-in codes sent as a plain SMS over any Send SMS route. One parameter value each:
 * "twilio", "sinch", "builtin:twilio", "builtin:twilio,sns"…
 */
import type { INodePropertyOptions } from 'n8n-workflow';
import { parseRoute, PROVIDERS, providersWith, ROUTES, routeProviders } from '../providers/registry';
import type { Provider, ProviderName } from '../providers/types';
import type { VerifyCapability } from '../providers/verifyTypes';

const BUILTIN_PREFIX = 'builtin:';

export type Engine =
	| { kind: 'service'; value: string; provider: Provider; verify: VerifyCapability }
	| { kind: 'builtin'; value: string; route: string; providers: Provider[] };

export const SERVICE_ENGINES: readonly string[] = providersWith((p) => p.verify).map((p) => p.name);
export const BUILTIN_ENGINES: readonly string[] = ROUTES.map((route) => `${BUILTIN_PREFIX}${route}`);
export const ENGINES: readonly string[] = [...SERVICE_ENGINES, ...BUILTIN_ENGINES];

export function isBuiltin(value: string): boolean {
	return value.startsWith(BUILTIN_PREFIX);
}

export function readEngine(value: string): Engine {
	if (isBuiltin(value)) {
		const route = value.slice(BUILTIN_PREFIX.length);
		if (!ROUTES.includes(route)) throw new Error(`Unknown engine "${value}"`);
		return { kind: 'builtin', value, route, providers: parseRoute(route) };
	}
	const provider = (PROVIDERS as Record<string, Provider | undefined>)[value];
	if (!provider?.verify) throw new Error(`Unknown engine "${value}"`);
	return { kind: 'service', value, provider, verify: provider.verify };
}

/** Engines whose value satisfies `can`: what an operation or a parameter is shown for. */
export function enginesWhere(can: (engine: Engine) => boolean): string[] {
	return ENGINES.filter((value) => can(readEngine(value)));
}

/** Engines that talk to a provider: its verification service, or a route that sends through it. */
export function enginesUsing(name: ProviderName): string[] {
	return enginesWhere((engine) => (engine.kind === 'service' ? engine.provider.name === name : engine.providers.some((p) => p.name === name)));
}

/** For a built-in engine value, the route it sends over (for the sender fields). */
export function builtinEnginesWith(name: ProviderName): string[] {
	return BUILTIN_ENGINES.filter((value) => routeProviders(value.slice(BUILTIN_PREFIX.length)).includes(name));
}

export function engineOptions(): INodePropertyOptions[] {
	const services = SERVICE_ENGINES.map((value) => {
		const engine = readEngine(value) as Extract<Engine, { kind: 'service' }>;
		return { name: engine.verify.label, value, description: `${engine.verify.label} sends the code and checks it` };
	});
	const builtin = BUILTIN_ENGINES.map((value) => {
		const [first, second] = (readEngine(value) as Extract<Engine, { kind: 'builtin' }>).providers.map((p) => p.label);
		return {
			name: second ? `Built-in Codes by SMS via ${first}, Falling Back to ${second}` : `Built-in Codes by SMS via ${first}`,
			value,
			description: `This node makes the code and sends it as a plain SMS with ${first}${second ? ` (${second} when ${first} is down)` : ''}; it keeps no code anywhere`,
		};
	});
	return [...services, ...builtin];
}
