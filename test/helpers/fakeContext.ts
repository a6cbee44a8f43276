/**
 * A ProviderContext (our own small interface: credentials, one HTTP exchange, a clock) that answers from a list
 * and records what the provider asked for. Unit tests pin a provider's exact requests and how it reads the answers;
 * the engine and fidelity tests send the same requests through n8n to the sandbox over real HTTP.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { ProviderContext, ProviderHttpRequest, ProviderHttpResponse } from '../../nodes/shared/providers/types';

export type Answer = Partial<ProviderHttpResponse> & { statusCode: number };

export function fakeContext(credentials: ICredentialDataDecryptedObject, answers: Answer[], now = new Date('2026-11-21T10:00:00Z')) {
	const requests: ProviderHttpRequest[] = [];
	const ctx: ProviderContext = {
		credentials,
		now: () => now,
		http: async (request) => {
			requests.push(request);
			const next = answers.shift();
			if (!next) throw new Error(`no answer scripted for ${request.method} ${request.url}`);
			return { headers: {}, body: '', ...next };
		},
		// Public GETs are recorded and answered from the same list, marked unauthenticated.
		fetchPublic: async (url) => ctx.http({ method: 'GET', url, headers: { 'x-test-unauthenticated': 'true' } }),
	};
	return { ctx, requests };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
	return await promise.then(
		(value) => {
			throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
		},
		(error: unknown) => error,
	);
}
