/**
 * The providers, their names, labels and routes. A route is the provider, then optionally one of another kind
 * to fall back to: "twilio", "twilio,sns".
 */
import { SINCH, SINCH_CODES, SINCH_DELIVERY_CODES, SINCH_STATUSES, sinchSecrets } from './sinch/index';
import { sinchConversation } from './sinch/conversation';
import { sinchSms } from './sinch/sms';
import { sinchVerify } from './sinch/verify';
import { sinchWebhooks } from './sinch/webhooks';
import { SNS, SNS_CODES, SNS_SENDER_RATES, SNS_STATUSES, snsSecrets } from './sns/index';
import { snsSms } from './sns/sms';
import { snsWebhooks } from './sns/webhooks';
import { TWILIO, TWILIO_CODES, TWILIO_SENDER_RATES, TWILIO_STATUSES, twilioSecrets } from './twilio/index';
import { twilioSms } from './twilio/sms';
import { twilioVerify } from './twilio/verify';
import { twilioWebhooks } from './twilio/webhooks';
import { twilioWhatsApp } from './twilio/whatsapp';
import type { Provider, ProviderName } from './types';

export const PROVIDERS: Readonly<Record<ProviderName, Provider>> = {
	twilio: {
		...TWILIO,
		credentialType: 'messagingTwilioApi',
		statuses: TWILIO_STATUSES,
		codes: TWILIO_CODES,
		deliveryCodes: TWILIO_CODES,
		senderRates: TWILIO_SENDER_RATES,
		secrets: twilioSecrets,
		sms: twilioSms,
		webhooks: twilioWebhooks,
		verify: twilioVerify,
		whatsapp: twilioWhatsApp,
	},
	sinch: {
		...SINCH,
		credentialType: 'messagingSinchApi',
		statuses: SINCH_STATUSES,
		codes: SINCH_CODES,
		deliveryCodes: SINCH_DELIVERY_CODES,
		senderRates: [],
		secrets: sinchSecrets,
		// Project credentials get an OAuth2 token from n8n, refreshed when a request answers 401.
		token: { field: 'accessToken', inUse: (credentials) => credentials.smsAuth === 'project' },
		sms: sinchSms,
		webhooks: sinchWebhooks,
		verify: sinchVerify,
		whatsapp: sinchConversation,
	},
	sns: {
		...SNS,
		credentialType: 'messagingAwsSnsApi',
		statuses: SNS_STATUSES,
		codes: SNS_CODES,
		deliveryCodes: SNS_CODES,
		senderRates: SNS_SENDER_RATES,
		secrets: snsSecrets,
		sms: snsSms,
		webhooks: snsWebhooks,
	},
};

/** In the order the editor lists them. */
export const PROVIDER_NAMES: readonly ProviderName[] = ['twilio', 'sinch', 'sns'];

export function isProviderName(name: string): name is ProviderName {
	return (PROVIDER_NAMES as readonly string[]).includes(name);
}

export function getProvider(name: string): Provider {
	if (!isProviderName(name)) throw new Error(`Unknown provider "${name}"`);
	return PROVIDERS[name];
}

/** Every route: one provider, or one and a provider of another kind to fall back to. */
export const ROUTES: readonly string[] = [
	...PROVIDER_NAMES,
	...PROVIDER_NAMES.flatMap((first) => PROVIDER_NAMES.filter((second) => second !== first).map((second) => `${first},${second}`)),
];

export function routeProviders(route: string): ProviderName[] {
	return route
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean) as ProviderName[];
}

/** The providers of a route, in order. */
export function parseRoute(route: string): Provider[] {
	return routeProviders(String(route ?? '')).map(getProvider);
}

export function routesWith(provider: ProviderName, routes: readonly string[] = ROUTES): string[] {
	return routes.filter((route) => routeProviders(route).includes(provider));
}

/** Routes on which every provider can do it: what the node offers for an option. */
export function routesWhereAll(can: (provider: Provider) => boolean, routes: readonly string[] = ROUTES): string[] {
	return routes.filter((route) => routeProviders(route).every((name) => can(PROVIDERS[name])));
}

/** Routes on which some provider uses it (a provider-specific option such as Sinch's client reference). */
export function routesWhereAny(can: (provider: Provider) => boolean, routes: readonly string[] = ROUTES): string[] {
	return routes.filter((route) => routeProviders(route).some((name) => can(PROVIDERS[name])));
}

/** The providers that offer something, e.g. `providersWith((p) => p.sms.status)`. */
export function providersWith(has: (provider: Provider) => unknown): Provider[] {
	return PROVIDER_NAMES.map((name) => PROVIDERS[name]).filter((provider) => Boolean(has(provider)));
}
