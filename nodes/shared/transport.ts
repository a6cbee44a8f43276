/**
 * The one place HTTP happens: a provider's request goes through n8n's httpRequestWithAuthentication with
 * the provider's credential type (so n8n's proxy, credential encryption and signing apply), and every
 * outcome comes back as a response or a ProviderError.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { classifyNetworkError, classifyProviderError } from './errors';
import type { ProviderContext, ProviderHttpRequest, ProviderHttpResponse, SmsProvider } from './providers/types';

export const DEFAULT_TIMEOUT_MS = 30_000;

interface ErrorLike {
	code?: unknown;
	message?: unknown;
	cause?: unknown;
	response?: { status?: number; data?: unknown; headers?: Record<string, string> };
}

/** n8n wraps transport errors (NodeApiError → AxiosError → system error): find what they carry. */
function unwrap(error: unknown): { code?: string; response?: ErrorLike['response']; message: string } {
	let code: string | undefined;
	let response: ErrorLike['response'];
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const e = current as ErrorLike;
		if (!code && typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) code = e.code;
		if (!response && e.response && typeof e.response.status === 'number') response = e.response;
		current = e.cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	return { code, response, message };
}

export async function providerContext(
	fns: IExecuteFunctions,
	provider: SmsProvider,
	itemIndex: number,
	timeoutMs: number = DEFAULT_TIMEOUT_MS,
): Promise<ProviderContext> {
	const credentials = await fns.getCredentials(provider.credentialType, itemIndex);
	const http = async (request: ProviderHttpRequest): Promise<ProviderHttpResponse> => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			headers: request.headers,
			body: request.body,
			returnFullResponse: true,
			// Sinch's OAuth2 token is refreshed by n8n when a request answers 401; everything else comes back to us.
			ignoreHttpStatusErrors: provider.name === 'sinch' ? { ignore: true, except: [401] } : true,
			timeout: timeoutMs,
		};
		try {
			const response = (await fns.helpers.httpRequestWithAuthentication.call(fns, provider.credentialType, options)) as {
				statusCode: number;
				headers: Record<string, string | string[] | undefined>;
				body: unknown;
			};
			return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
		} catch (error) {
			const { code, response, message } = unwrap(error);
			if (response?.status !== undefined) {
				return { statusCode: response.status, headers: response.headers ?? {}, body: response.data };
			}
			if (code === undefined && /credentials|access token/i.test(message)) {
				throw classifyProviderError({ provider: provider.name, httpStatus: 401, providerMessage: message });
			}
			throw classifyNetworkError(provider.name, code, message);
		}
	};
	return { credentials, http, now: () => new Date() };
}
