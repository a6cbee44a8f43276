import type { ProviderName } from '../status';
import { sinchProvider } from './sinch';
import { snsProvider } from './sns';
import { twilioProvider } from './twilio';
import type { SmsProvider } from './types';

export const PROVIDERS: Record<ProviderName, SmsProvider> = {
	twilio: twilioProvider,
	sinch: sinchProvider,
	sns: snsProvider,
};

export function getProvider(name: string): SmsProvider {
	const provider = PROVIDERS[name as ProviderName];
	if (!provider) throw new Error(`Unknown provider "${name}"`);
	return provider;
}

/** A route is the provider, then the one to fall back to: "twilio", "twilio,sns". */
export function parseRoute(route: string): SmsProvider[] {
	return route
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean)
		.map(getProvider);
}
