/** The Provider parameter and its credential slots (UI only). */
import type { INodeCredentialDescription, INodePropertyOptions } from 'n8n-workflow';
import { PROVIDER_NAMES, PROVIDERS, ROUTES, routeProviders } from '../providers/registry';
import type { ProviderName } from '../providers/types';

export function routeOptions(routes: readonly string[] = ROUTES): INodePropertyOptions[] {
	return routes.map((route) => {
		const [first, second] = routeProviders(route).map((name) => PROVIDERS[name].label);
		return second
			? {
					name: `${first}, Falling Back to ${second}`,
					value: route,
					description: `Send with ${first}; if it is down or refuses the credentials, send with ${second}`,
				}
			: { name: first, value: route };
	});
}

/**
 * One credential slot per provider, named for it ("Twilio Credential"), shown on the routes that use the
 * provider. n8n finds a node's credential by type (the first slot of that type), so a provider cannot have a
 * slot per role: the Provider parameter's own name says which is first and which the fallback. Written as
 * `hide` on the other routes: with `show`, n8n's editor would take Provider for an authentication selector and
 * move it (and Operation) out of the node's parameters.
 */
export function routeCredentials(providers: readonly ProviderName[] = PROVIDER_NAMES, routes: readonly string[] = ROUTES): INodeCredentialDescription[] {
	return providers.map((provider) => ({
		name: PROVIDERS[provider].credentialType,
		displayName: `${PROVIDERS[provider].label} Credential`,
		required: true,
		displayOptions: { hide: { provider: routes.filter((route) => !routeProviders(route).includes(provider)) } },
	}));
}
