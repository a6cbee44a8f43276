/**
 * Sending one SMS over a route (a provider, or one and a fallback), as Send SMS does and as the Phone Verification
 * node's built-in codes do: each provider's sender read from the node and checked before anything is sent, then the
 * delivery with retries and fallback.
 */
import { NodeOperationError, sleep, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { deliver, type Delivered } from './delivery';
import type { RetrySettings } from './descriptions/retryOptions';
import type { ParameterReader } from './params';
import { PROVIDER_NAMES, PROVIDERS } from './providers/registry';
import type { Provider, ProviderContext, ProviderMessage, ProviderName, SendSmsRequest, SmsSender } from './providers/types';
import { providerContext } from './transport';

/**
 * Each provider's sender fields (From, Messaging Service…), shown where the node's route parameter picks a route
 * with that provider: `show` holds the node's other conditions, `routesWith` the values of `routeParameter` that use it.
 */
export function senderProperties(show: NonNullable<NonNullable<INodeProperties['displayOptions']>['show']>, routeParameter: string, routesWith: (provider: ProviderName) => string[]): INodeProperties[] {
	return PROVIDER_NAMES.flatMap((name) => {
		const values = routesWith(name);
		return values.length ? PROVIDERS[name].sms.senderProperties({ ...show, [routeParameter]: values }) : [];
	});
}

/** Each provider's request for this item, built and checked before anything is sent; a refusal stops the item. */
export function routeRequests(fns: IExecuteFunctions, params: ParameterReader, providers: Provider[], base: SendSmsRequest, itemIndex: number, now = new Date()): Map<Provider, SendSmsRequest> {
	const requests = new Map<Provider, SendSmsRequest>();
	for (const provider of providers) {
		const sender = provider.sms.readSender(params.forProvider());
		const request: SendSmsRequest = { ...base, ...sender };
		const problem = provider.sms.check(request, now);
		if (problem) throw new NodeOperationError(fns.getNode(), problem, { itemIndex, description: 'Nothing was sent.' });
		requests.set(provider, request);
	}
	return requests;
}

/** The same requests with another text (the one that holds a code, made after the checks). */
export function withBody(requests: Map<Provider, SendSmsRequest>, body: string): Map<Provider, SendSmsRequest> {
	return new Map([...requests].map(([provider, request]): [Provider, SendSmsRequest] => [provider, { ...request, body }]));
}

/** The sender a request names, for the output. */
export function senderOf(request: SmsSender): string | null {
	return request.messagingServiceSid ?? request.from ?? request.senderId ?? null;
}

export interface RouteSendOptions {
	retry: RetrySettings;
	/** Texts to keep out of every answer and error besides the credential's secrets (a message holding a code). */
	secrets?: string[];
	/** A last change to the request once the provider's context is known (a status URL looked up). */
	prepare?: (provider: Provider, ctx: ProviderContext, request: SendSmsRequest) => Promise<SendSmsRequest>;
	/** Around each attempt (a campaign takes from the sender's rate budget there, and slows down on "too many requests"). */
	attempt?: (provider: Provider, request: SendSmsRequest, send: () => Promise<ProviderMessage>) => Promise<ProviderMessage>;
	/** How to wait between retries (a campaign's wait ends when the execution is canceled). */
	sleep?: (ms: number) => Promise<void>;
}

/** Send over the route: retries, then the fallback provider, as the route and the retry settings say. */
export async function sendOverRoute(
	fns: IExecuteFunctions,
	itemIndex: number,
	requests: Map<Provider, SendSmsRequest>,
	options: RouteSendOptions,
): Promise<Delivered<ProviderMessage> & { used: Provider; request: SendSmsRequest }> {
	const providers = [...requests.keys()];
	const delivered = await deliver(
		providers,
		async (provider) => {
			const ctx = await providerContext(fns, provider, itemIndex, options.retry.timeoutMs, options.secrets);
			const request = requests.get(provider) as SendSmsRequest;
			const prepared = options.prepare ? await options.prepare(provider, ctx, request) : request;
			// Everything but the request itself is ready: a rate budget taken here is spent the moment it goes.
			const send = async () => await provider.sms.send(ctx, prepared);
			return options.attempt ? await options.attempt(provider, prepared, send) : await send();
		},
		{ policy: options.retry.policy, sleep: options.sleep ?? sleep },
	);
	const used = providers.find((p) => p.name === delivered.provider) as Provider;
	return { ...delivered, used, request: requests.get(used) as SendSmsRequest };
}
