/**
 * The one place HTTP happens: a provider's request goes through n8n's httpRequestWithAuthentication with the
 * provider's credential type (so n8n's proxy, credential encryption and signing apply), within a deadline for
 * the whole exchange, and every outcome comes back as a response or a ProviderError. Whatever comes back is
 * cleaned of the credential's secrets first: an echoing provider or proxy cannot leak them into an item.
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IExecuteFunctions, IHookFunctions, IHttpRequestOptions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';
import { oncePerExecution } from './memo';
import { classifyNetworkError, ProviderError } from './rules/errors';
import { makeRedactor, redactDeep, type Redactor } from './rules/redact';
import type { Provider, ProviderContext, ProviderHttpRequest, ProviderHttpResponse } from './providers/types';

import { DEFAULT_TIMEOUT_MS } from './rules/retry';

export { DEFAULT_TIMEOUT_MS };

interface ErrorLike {
	code?: unknown;
	syscall?: unknown;
	message?: unknown;
	cause?: unknown;
	request?: { socket?: { connecting?: boolean; _bytesDispatched?: unknown } | null };
	response?: { status?: number; data?: unknown; headers?: Record<string, string> };
}

interface Unwrapped {
	code?: string;
	response?: ErrorLike['response'];
	message: string;
	/** The connection was never made: the request cannot have reached the provider. */
	neverConnected: boolean;
}

/** n8n wraps transport errors (NodeApiError → AxiosError → system error): find what they carry. */
export function unwrapTransportError(error: unknown): Unwrapped {
	let code: string | undefined;
	let response: ErrorLike['response'];
	let neverConnected = false;
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const e = current as ErrorLike;
		if (typeof e.code === 'string' && /^(E[A-Z_]+|ERR_[A-Z_]+|[A-Z_]+_CERT[A-Z_]*|CERT_[A-Z_]+)$/.test(e.code) && (!code || code === 'ERR_BAD_REQUEST' || code === 'ECONNABORTED')) {
			code = e.code;
		}
		if (e.syscall === 'connect' || e.syscall === 'getaddrinfo') neverConnected = true;
		const socket = e.request && typeof e.request === 'object' ? e.request.socket : undefined;
		// Still connecting, or not one byte handed to the connection (a connect that timed out): nothing reached the provider.
		if (socket && (socket.connecting === true || socket._bytesDispatched === 0)) neverConnected = true;
		if (!response && e.response && typeof e.response.status === 'number') response = e.response;
		current = e.cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	return { code, response, message, neverConnected };
}

class DeadlineExceeded extends Error {
	constructor(readonly ms: number) {
		super(`no complete answer within ${ms} ms`);
	}
}

/** Resolve with the promise, or reject once `ms` have passed: a provider that trickles bytes cannot hold an item. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms);
	});
	return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export interface TransportContext extends ProviderContext {
	/** Cleans a text of this credential's secrets (and any credential-looking header or field). */
	redact: Redactor;
}

/** The n8n contexts a provider can be reached from: a node's run, a trigger's lifecycle, a webhook request, the editor's lists. */
export type CallingFunctions = IExecuteFunctions | IHookFunctions | IWebhookFunctions | ILoadOptionsFunctions;

/**
 * A credential as one execution uses it: fetched and decrypted once per execution and provider (n8n reads and
 * decrypts it on every getCredentials), handed to n8n with each request so that n8n does not fetch it again, and
 * cleaned-of with one redactor. n8n writes a token it fetches or refreshes (preAuthentication, and again after a
 * 401) into this very object: the token is learnt from it after each request.
 */
interface CredentialState {
	data: ICredentialDataDecryptedObject;
	decrypted: ICredentialsDecrypted;
	/** The credential's secrets, then every token seen. */
	secrets: string[];
	redactor: Redactor;
	/** Grows each time `secrets` does: a redactor made with extra secrets is made again. */
	version: number;
}

async function credentialState(fns: CallingFunctions, provider: Provider, itemIndex: number): Promise<CredentialState> {
	return await oncePerExecution(fns, ['credentials', provider.credentialType], async () => {
		let data: ICredentialDataDecryptedObject;
		try {
			data = await fns.getCredentials(provider.credentialType, itemIndex);
		} catch (error) {
			// Nothing was sent: the node has no usable credential for this provider.
			throw new ProviderError({
				provider,
				kind: 'config',
				message: `No ${provider.label} credential could be used: choose one in the node's ${provider.label} Credential box. Nothing was sent`,
				detail: error instanceof Error ? error.message : String(error),
			});
		}
		const chosen = fns.getNode().credentials?.[provider.credentialType];
		const secrets = provider.secrets(data);
		const token = provider.token && typeof data[provider.token.field] === 'string' ? (data[provider.token.field] as string) : '';
		if (token && !secrets.includes(token)) secrets.push(token);
		return {
			data,
			decrypted: { id: chosen?.id ?? '', name: chosen?.name ?? '', type: provider.credentialType, data },
			secrets,
			redactor: makeRedactor(secrets),
			version: 0,
		};
	});
}

/** A secret to keep out from here on (a token n8n fetched): the execution's redactor is made again. */
function learn(state: CredentialState, secret: string): void {
	if (!secret || state.secrets.includes(secret)) return;
	state.secrets.push(secret);
	state.redactor = makeRedactor(state.secrets);
	state.version++;
}

export async function providerContext(
	fns: CallingFunctions,
	provider: Provider,
	itemIndex: number,
	timeoutMs: number = DEFAULT_TIMEOUT_MS,
	/** Texts to keep out of every answer and error besides the credential's own secrets (a one-time code). */
	extraSecrets: readonly string[] = [],
): Promise<TransportContext> {
	const state = await credentialState(fns, provider, itemIndex);
	const credentials = state.data;
	const extra = extraSecrets.filter((secret) => typeof secret === 'string' && secret !== '');
	// With texts of its own (a code), this context's redactor holds them with the credential's secrets, longest first.
	let own: { version: number; redactor: Redactor } | undefined;
	const redactor = (): Redactor => {
		if (extra.length === 0) return state.redactor;
		if (own?.version !== state.version) own = { version: state.version, redactor: makeRedactor([...state.secrets, ...extra]) };
		return own.redactor;
	};
	const redact: Redactor = (text) => redactor()(text);
	const usesToken = provider.token !== undefined && provider.token.inUse(credentials);
	const tokenOf = (data: ICredentialDataDecryptedObject | undefined) => (provider.token && typeof data?.[provider.token.field] === 'string' ? (data[provider.token.field] as string) : '');
	/** A token n8n fetched or refreshed during the request is in the execution's credential now: known from here on. */
	const learnToken = () => {
		if (usesToken) learn(state, tokenOf(credentials));
	};
	/**
	 * After a failure, the credential as n8n keeps it, read again: whether a token ever came, and any token n8n got
	 * while the request failed (it may not have reached the execution's copy yet), known from here on.
	 */
	const reread = async (): Promise<ICredentialDataDecryptedObject | undefined> => {
		if (!usesToken) return undefined;
		learnToken();
		try {
			const data = await fns.getCredentials(provider.credentialType, itemIndex);
			learn(state, tokenOf(data));
			return data;
		} catch {
			return undefined;
		}
	};
	// The idle timeout n8n's client applies fires a little before the deadline, so that a connection that never
	// opened is recognised as such (nothing sent) rather than cut off by the deadline.
	const idleTimeoutMs = Math.max(500, timeoutMs - Math.min(200, Math.floor(timeoutMs / 10)));
	const http = async (request: ProviderHttpRequest): Promise<ProviderHttpResponse> => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			headers: request.headers,
			body: request.body,
			returnFullResponse: true,
			// A token n8n refreshes on 401 (Sinch OAuth2) must let that status through to n8n; everything else comes back to us.
			ignoreHttpStatusErrors: usesToken ? { ignore: true, except: [401] } : true,
			timeout: idleTimeoutMs,
		};
		const tokenBefore = tokenOf(credentials);
		try {
			// The whole exchange, a token refresh included, within the timeout (n8n's own timeout is per idle socket).
			// The credential goes with the request: n8n authenticates with it (and writes a new token into it) rather
			// than fetching and decrypting it again.
			const response = (await withDeadline(
				Promise.resolve(fns.helpers.httpRequestWithAuthentication.call(fns, provider.credentialType, options, { credentialsDecrypted: state.decrypted })),
				timeoutMs,
			)) as { statusCode: number; headers: Record<string, string | string[] | undefined>; body: unknown };
			learnToken();
			return { statusCode: response.statusCode, headers: response.headers ?? {}, body: redactDeep(response.body, redact) };
		} catch (error) {
			if (error instanceof ProviderError) throw error;
			const now = await reread();
			// Still no token when it failed, neither in n8n nor in the credential handed to it: n8n was getting one (or
			// could not), and the request itself never left.
			const tokenNeverCame = usesToken && now !== undefined && tokenOf(now) === '' && tokenBefore === '' && tokenOf(credentials) === '';
			if (error instanceof DeadlineExceeded) {
				throw classifyNetworkError(provider, 'ETIMEDOUT', redact(error.message), tokenNeverCame ? 'no' : 'maybe');
			}
			const { code, response, message, neverConnected } = unwrapTransportError(error);
			if (response?.status !== undefined) {
				return { statusCode: response.status, headers: response.headers ?? {}, body: redactDeep(response.data, redact) };
			}
			if (code === undefined && /credentials|access token|token request/i.test(message)) {
				// n8n could not get a token (preAuthentication): nothing was sent to the messaging API.
				throw new ProviderError({
					provider,
					kind: 'auth',
					httpStatus: 401,
					message: `${provider.label} refused the credentials: check them in the credential and use its Test button. Nothing was sent`,
					detail: redact(message),
				});
			}
			throw classifyNetworkError(provider, code, redact(message), neverConnected || tokenNeverCame ? 'no' : 'maybe');
		}
	};
	const fetchPublic = async (url: string): Promise<ProviderHttpResponse> => {
		try {
			const response = (await withDeadline(
				Promise.resolve(fns.helpers.httpRequest({ method: 'GET', url, returnFullResponse: true, ignoreHttpStatusErrors: true, timeout: idleTimeoutMs, json: false })),
				timeoutMs,
			)) as { statusCode: number; headers: Record<string, string | string[] | undefined>; body: unknown };
			return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
		} catch (error) {
			const { code, message, neverConnected } = unwrapTransportError(error);
			throw classifyNetworkError(provider, code ?? (error instanceof DeadlineExceeded ? 'ETIMEDOUT' : undefined), redact(message), neverConnected ? 'no' : 'maybe');
		}
	};
	return { credentials, http, fetchPublic, now: () => new Date(), redact };
}
