/**
 * The transport against a small stand-in for n8n's helpers that behaves as n8n-core's httpRequestWithAuthentication
 * does with a credential handed to it: it authenticates with that very object, and writes a token it fetches
 * (preAuthentication) or refreshes after a 401 into it. The engine tests run the same code in n8n's engine.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import type { Provider } from '../../nodes/shared/providers/types';
import { REDACTED } from '../../nodes/shared/rules/redact';
import { providerContext } from '../../nodes/shared/transport';
import { rejectionOf } from '../helpers/fakeContext';

const TYPE = 'messagingSinchApi';
const PROVIDER = {
	name: 'sinch',
	label: 'Sinch',
	credentialType: TYPE,
	secrets: (c: ICredentialDataDecryptedObject) => [String(c.keySecret ?? ''), String(c.apiToken ?? '')],
	token: { field: 'accessToken', inUse: (c: ICredentialDataDecryptedObject) => c.smsAuth === 'project' },
} as unknown as Provider;

interface Stand {
	fns: IExecuteFunctions;
	/** What n8n keeps (its database). */
	stored: ICredentialDataDecryptedObject;
	credentialReads: number;
	tokensIssued: number;
	handed: Array<{ data: ICredentialDataDecryptedObject; id: string; name: string; type: string }>;
	/** What the next request does instead of answering with an echo of what it sent. */
	next?: 'fail before the token' | 'fail after sending';
	/** A token the provider no longer takes (answered 401, then n8n refreshes it). */
	refused?: string;
}

function stand(credential: ICredentialDataDecryptedObject): Stand {
	const s: Stand = { stored: { ...credential }, credentialReads: 0, tokensIssued: 0, handed: [], fns: undefined as never };
	const preAuthenticate = (data: ICredentialDataDecryptedObject, expired: boolean) => {
		if (data.smsAuth !== 'project' || (data.accessToken && !expired)) return;
		const token = `token-${++s.tokensIssued}-abcdef`;
		s.stored.accessToken = token;
		Object.assign(data, { accessToken: token });
	};
	const helpers = {
		async httpRequestWithAuthentication(type: string, options: IHttpRequestOptions, extra?: { credentialsDecrypted?: Stand['handed'][number] }) {
			const given = extra?.credentialsDecrypted;
			if (!given?.data) throw new Error('the transport must hand its credential to n8n');
			s.handed.push(given);
			if (s.next === 'fail before the token') {
				s.next = undefined;
				throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' });
			}
			preAuthenticate(given.data, false);
			if (s.refused && given.data.accessToken === s.refused) preAuthenticate(given.data, true);
			if (s.next === 'fail after sending') {
				s.next = undefined;
				throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
			}
			const auth = given.data.smsAuth === 'project' ? String(given.data.accessToken) : String(given.data.apiToken);
			// An echoing server: the token bare, and in a header.
			return { statusCode: 200, headers: {}, body: { echo: `got ${auth}`, headers: `Authorization: Bearer ${auth}`, to: options.url, type } };
		},
		async httpRequest() {
			return { statusCode: 200, headers: {}, body: 'public' };
		},
	};
	s.fns = {
		getCredentials: async (type: string) => {
			s.credentialReads++;
			if (type !== TYPE || s.stored.missing) throw new Error('Node does not have any credentials set');
			return { ...s.stored };
		},
		getNode: () => ({ id: 'n', name: 'Send SMS', type: 't', typeVersion: 1, position: [0, 0], parameters: {}, credentials: { [TYPE]: { id: 'cred-1', name: 'My Sinch' } } }),
		helpers,
	} as unknown as IExecuteFunctions;
	return s;
}

const PROJECT = { smsAuth: 'project', keyId: 'key-id', keySecret: 'key-secret-0001', accessToken: '' };

describe('the transport: one credential per execution, handed to n8n with each request', () => {
	it('reads the credential once for all items, and hands n8n that credential, named as the node names it', async () => {
		const s = stand({ smsAuth: 'servicePlan', apiToken: 'api-token-0001' });
		for (let i = 0; i < 5; i++) {
			const ctx = await providerContext(s.fns, PROVIDER, i);
			const answer = await ctx.http({ method: 'POST', url: `https://sms.example/${i}` });
			expect(answer.body).toEqual({ echo: `got ${REDACTED}`, headers: `Authorization: ${REDACTED}`, to: `https://sms.example/${i}`, type: TYPE });
		}
		expect(s.credentialReads).toBe(1);
		expect(s.handed).toHaveLength(5);
		expect(new Set(s.handed.map((h) => h.data)).size).toBe(1);
		expect(s.handed[0]).toMatchObject({ id: 'cred-1', name: 'My Sinch', type: TYPE });
	});

	it('a token n8n fetches during a request is kept out of that answer and every later one, and fetched once', async () => {
		const s = stand(PROJECT);
		const texts: string[] = [];
		for (let i = 0; i < 3; i++) {
			const ctx = await providerContext(s.fns, PROVIDER, i);
			const answer = await ctx.http({ method: 'POST', url: 'https://sms.example/' });
			texts.push(JSON.stringify(answer.body), ctx.redact(`later: token-1-abcdef ${Buffer.from('token-1-abcdef').toString('base64')}`));
		}
		expect(s.tokensIssued).toBe(1);
		expect(s.credentialReads).toBe(1);
		expect(texts.join(' ')).not.toContain('token-1');
		expect(texts.join(' ')).not.toContain(Buffer.from('token-1-abcdef').toString('base64'));
	});

	it('a token n8n refreshes after a 401 is kept out of the answer that follows, and used from then on', async () => {
		const s = stand({ ...PROJECT, accessToken: 'stale-token-0001' });
		s.refused = 'stale-token-0001';
		const first = await providerContext(s.fns, PROVIDER, 0);
		const answer = await first.http({ method: 'POST', url: 'https://sms.example/' });
		expect(JSON.stringify(answer.body)).not.toContain('token-1');
		expect(answer.body).toMatchObject({ echo: `got ${REDACTED}` });
		const second = await providerContext(s.fns, PROVIDER, 1);
		await second.http({ method: 'POST', url: 'https://sms.example/' });
		expect(s.tokensIssued).toBe(1);
		expect(s.handed[1].data.accessToken).toBe('token-1-abcdef');
		expect(second.redact('stale-token-0001 token-1-abcdef')).toBe(`${REDACTED} ${REDACTED}`);
	});

	it("an item's own secrets (a code) are kept out of its answers, and do not stay for the next item", async () => {
		const s = stand({ smsAuth: 'servicePlan', apiToken: 'api-token-0001' });
		const withCode = await providerContext(s.fns, PROVIDER, 0, undefined, ['123456']);
		expect(withCode.redact('your code is 123456 (api-token-0001)')).toBe(`your code is ${REDACTED} (${REDACTED})`);
		const next = await providerContext(s.fns, PROVIDER, 1);
		expect(next.redact('your code is 123456 (api-token-0001)')).toBe(`your code is 123456 (${REDACTED})`);
		expect(s.credentialReads).toBe(1);
	});

	it('a request that fails before a token came is not ambiguous; one that fails after it was sent is', async () => {
		const s = stand(PROJECT);
		s.next = 'fail before the token';
		const ctx = await providerContext(s.fns, PROVIDER, 0);
		const never = await rejectionOf(ctx.http({ method: 'POST', url: 'https://sms.example/' }));
		expect(never.ambiguous).toBe(false);
		// After a failure the credential is read again: a token n8n got meanwhile would be known.
		expect(s.credentialReads).toBe(2);
		s.next = 'fail after sending';
		const maybe = await rejectionOf(ctx.http({ method: 'POST', url: 'https://sms.example/' }));
		expect(maybe.ambiguous).toBe(true);
		expect(JSON.stringify([maybe.message, maybe.detail])).not.toContain('token-1');
		expect(ctx.redact('token-1-abcdef')).toBe(REDACTED);
	});

	it('a credential that cannot be read fails the item with nothing sent, and is asked for again by the next item', async () => {
		const s = stand({ smsAuth: 'servicePlan', apiToken: 'api-token-0001', missing: true });
		const error = await rejectionOf(providerContext(s.fns, PROVIDER, 0));
		expect(error).toMatchObject({ kind: 'config', message: expect.stringContaining('Nothing was sent') });
		delete s.stored.missing;
		const ctx = await providerContext(s.fns, PROVIDER, 1);
		expect((await ctx.http({ method: 'POST', url: 'https://sms.example/' })).statusCode).toBe(200);
		expect(s.credentialReads).toBe(2);
	});
});
