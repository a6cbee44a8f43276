import type { INodeCredentialDescription, INodePropertyOptions } from 'n8n-workflow';
import { PROVIDER_LABEL } from '../errors';
import type { ProviderName } from '../status';

const NAMES: ProviderName[] = ['twilio', 'sinch', 'sns'];

/** Every route: one provider, or one and a provider of another kind to fall back to. */
export const ROUTES: string[] = [
	...NAMES,
	...NAMES.flatMap((first) => NAMES.filter((second) => second !== first).map((second) => `${first},${second}`)),
];

export function routeOptions(routes: string[] = ROUTES): INodePropertyOptions[] {
	return routes.map((route) => {
		const [first, second] = route.split(',') as ProviderName[];
		return second
			? {
					name: `${PROVIDER_LABEL[first]}, Falling Back to ${PROVIDER_LABEL[second]}`,
					value: route,
					description: `Send with ${PROVIDER_LABEL[first]}; if it is down or refuses the credentials, send with ${PROVIDER_LABEL[second]}`,
				}
			: { name: PROVIDER_LABEL[first], value: route };
	});
}

export function routesWith(provider: ProviderName, routes: string[] = ROUTES): string[] {
	return routes.filter((route) => route.split(',').includes(provider));
}

/** Routes on which every provider can do it: what the node offers for an option. */
export function routesWhereAll(can: (provider: ProviderName) => boolean, routes: string[] = ROUTES): string[] {
	return routes.filter((route) => (route.split(',') as ProviderName[]).every(can));
}

/** Routes on which some provider uses it (a provider-specific option such as Sinch's client reference). */
export function routesWhereAny(can: (provider: ProviderName) => boolean, routes: string[] = ROUTES): string[] {
	return routes.filter((route) => (route.split(',') as ProviderName[]).some(can));
}

const CREDENTIAL_TYPES: Record<ProviderName, string> = {
	twilio: 'messagingTwilioApi',
	sinch: 'messagingSinchApi',
	sns: 'messagingAwsSnsApi',
};

/**
 * Each provider's credential slot shows when the chosen route uses that provider. Written as `hide` on
 * the other routes: with `show`, n8n's editor would take Provider for an authentication selector and move
 * it (and Operation) out of the node's parameters.
 */
export function routeCredentials(providers: ProviderName[] = NAMES): INodeCredentialDescription[] {
	return providers.map((provider) => ({
		name: CREDENTIAL_TYPES[provider],
		required: true,
		displayOptions: { hide: { provider: ROUTES.filter((route) => !route.split(',').includes(provider)) } },
	}));
}
