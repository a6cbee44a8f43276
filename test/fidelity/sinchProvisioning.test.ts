/**
 * Sinch's Provisioning API as the sandbox plays it: the project's WhatsApp templates (the paged list, and every
 * language of one name) with their approval, behind the project's access key or its OAuth2 token, errors in the API's
 * own {errorCode, message, resolution}. Sinch ships no SDK for this API (it is REST only), so the requests are raw, and
 * the node's own reader (the Sinch WhatsApp capability's `approval`) reads the same answers over real HTTP. A template
 * WhatsApp has not approved is accepted by the official SDK's messages:send, then FAILED, inside the window too.
 */
import { ConversationService } from '@sinch/sdk-core';
import { sinchConversation } from '../../nodes/shared/providers/sinch/conversation';
import type { ProviderContext } from '../../nodes/shared/providers/types';
import { SINCH_WHATSAPP_TEMPLATES } from '../../sandbox/sinchConversation';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();
const PHONE = '+33612345678';
const acct = () => box.get().accounts.sinch;
const base = () => `/v1/projects/${acct().projectId}/whatsapp/templates`;
const basic = (keyId = acct().keyId, keySecret = acct().keySecret) => `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function token(): Promise<string> {
	const res = await fetch(`${box.get().url}/oauth2/token`, {
		method: 'POST',
		headers: { Authorization: basic(), 'Content-Type': 'application/x-www-form-urlencoded' },
		body: 'grant_type=client_credentials',
	});
	return ((await res.json()) as { access_token: string }).access_token;
}

/** A raw call to the sandbox's Provisioning API, bearer-authorized unless told otherwise. */
async function raw(method: string, path: string, authorization?: string) {
	const res = await fetch(`${box.get().url}${path}`, { method, headers: { Authorization: authorization ?? `Bearer ${await token()}` } });
	return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const summary = (t: any) => `${t.name}/${t.language}/${t.state ?? `(${t.changes?.status})`}`;

describe('the WhatsApp templates of the project', () => {
	it('lists them in order of name and language, each as the Provisioning API describes it', async () => {
		const { status, body } = await raw('GET', base());
		expect(status).toBe(200);
		expect(body).toMatchObject({ totalSize: SINCH_WHATSAPP_TEMPLATES.length, pageSize: 50, previousPageToken: '', nextPageToken: '' });
		expect(body.templates.map(summary)).toEqual([
			'appointment_reminder/EN/APPROVED',
			'appointment_reminder/TR/APPROVED',
			'expense_approval/EN/APPROVED',
			'order_shipped/EN/APPROVED',
			'spring_sale/EN/(IN_PROGRESS)',
			'win_a_prize/EN/REJECTED',
		]);
		expect(body.templates[3]).toEqual({
			whatsappId: expect.stringMatching(/^\d+$/),
			state: 'APPROVED',
			name: 'order_shipped',
			language: 'EN',
			category: 'UTILITY',
			details: {
				components: [
					{ type: 'BODY', text: 'Hi {{name}}, your order {{order}} has shipped and should arrive on {{date}}.' },
					{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Track' }, { type: 'QUICK_REPLY', text: 'Talk to us' }] },
				],
			},
		});
		// The same template, the same WhatsApp ID, each time.
		expect((await raw('GET', base())).body.templates[3].whatsappId).toBe(body.templates[3].whatsappId);
	});

	it('pages with pageSize and pageToken, and filters by state and name', async () => {
		const names: string[] = [];
		let page = await raw('GET', `${base()}?pageSize=4`);
		expect(page.body).toMatchObject({ totalSize: 6, pageSize: 4, previousPageToken: '', nextPageToken: expect.any(String) });
		names.push(...page.body.templates.map(summary));
		page = await raw('GET', `${base()}?pageSize=4&pageToken=${page.body.nextPageToken}`);
		expect(page.body).toMatchObject({ totalSize: 6, nextPageToken: '', previousPageToken: expect.any(String) });
		names.push(...page.body.templates.map(summary));
		expect(names).toEqual((await raw('GET', base())).body.templates.map(summary));

		expect((await raw('GET', `${base()}?filterStates=REJECTED`)).body.templates.map(summary)).toEqual(['win_a_prize/EN/REJECTED']);
		const reviewed = await raw('GET', `${base()}?filterStates=APPROVED&filterStates=REJECTED`);
		expect(reviewed.body.totalSize).toBe(5);
		expect((await raw('GET', `${base()}?templateName=appointment_reminder`)).body.templates.map(summary)).toEqual(['appointment_reminder/EN/APPROVED', 'appointment_reminder/TR/APPROVED']);

		for (const query of ['pageSize=0', 'pageSize=1001', 'pageSize=two', 'pageToken=%%%', 'pageToken=bm9wZQ', 'filterStates=PENDING']) {
			const refused = await raw('GET', `${base()}?${query}`);
			expect([query, refused.status, refused.body.errorCode]).toEqual([query, 400, 'bad_request_error']);
		}
	});

	it('gives every language of one name, with its state, its rejection code, or the status of changes not yet reviewed', async () => {
		const both = await raw('GET', `${base()}/appointment_reminder`);
		expect(both.status).toBe(200);
		expect(both.body.templates.map(summary)).toEqual(['appointment_reminder/EN/APPROVED', 'appointment_reminder/TR/APPROVED']);
		const rejected = (await raw('GET', `${base()}/win_a_prize`)).body.templates;
		expect(rejected).toEqual([
			{
				whatsappId: expect.stringMatching(/^\d+$/),
				state: 'REJECTED',
				name: 'win_a_prize',
				language: 'EN',
				category: 'UTILITY',
				rejectionCode: 'INCORRECT_CATEGORY',
				details: { components: [{ type: 'BODY', text: 'Congratulations {{name}}! You have won a prize. Claim it today.' }] },
			},
		]);
		const pending = (await raw('GET', `${base()}/spring_sale`)).body.templates[0];
		expect(pending).not.toHaveProperty('state');
		expect(pending).not.toHaveProperty('whatsappId');
		expect(pending).toMatchObject({ name: 'spring_sale', language: 'EN', category: 'MARKETING', changes: { status: 'IN_PROGRESS', allowCategoryChange: false, details: pending.details } });
		const missing = await raw('GET', `${base()}/no_such_template`);
		expect(missing).toMatchObject({ status: 404, body: { errorCode: 'not_found_error', message: 'Template no_such_template not found', resolution: expect.any(String) } });
	});

	it("the node's reader reads these answers: approved, rejected, waiting, unknown, and the language as WhatsApp writes it", async () => {
		const templates = sinchConversation.templates;
		if (templates.kind !== 'byId' || !templates.approval) throw new Error('Sinch tells a template approval');
		const bearer = await token();
		const credentials = { smsAuth: 'project', projectId: acct().projectId, keyId: acct().keyId, keySecret: acct().keySecret, provisioningBaseUrl: box.get().url };
		const ctx: ProviderContext = {
			credentials,
			now: () => new Date(),
			fetchPublic: () => Promise.reject(new Error('not used')),
			http: async (request) => {
				const res = await fetch(request.url, { method: request.method, headers: { ...request.headers, Authorization: `Bearer ${bearer}` }, body: request.body });
				return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
			},
		};
		const ask = (id: string, language: string) => templates.approval!.call(templates, ctx, id, language);
		// What the template takes is read from its components: the body's values and its quick replies.
		expect(await ask('order_shipped', 'en')).toEqual({ state: 'approved', approved: true, reason: null, bodyValues: 3, quickReplies: ['Track', 'Talk to us'] });
		expect(await ask('appointment_reminder', 'TR')).toMatchObject({ state: 'approved', approved: true, reason: null, bodyValues: 3 });
		expect(await ask('win_a_prize', 'en')).toMatchObject({ state: 'rejected', approved: false, reason: 'INCORRECT_CATEGORY' });
		expect(await ask('spring_sale', 'en')).toMatchObject({ state: 'in progress', approved: false, reason: null });
		expect(await ask('order_shipped', 'de')).toBeUndefined();
		expect(await ask('no_such_template', 'en')).toBeUndefined();
		const otherProject = await templates.approval.call(templates, { ...ctx, credentials: { ...credentials, projectId: 'another-project' } }, 'order_shipped', 'en').catch((e: unknown) => e);
		expect(otherProject).toMatchObject({ kind: 'config', code: 'not_found_error', httpStatus: 404 });
	});
});

describe('auth and errors, in the Provisioning API shape', () => {
	it('takes the OAuth2 token or Basic key ID and secret; refuses anything else with 401 unauthorized_error', async () => {
		expect((await raw('GET', base(), basic())).status).toBe(200);
		for (const authorization of [basic(acct().keyId, 'wrong'), 'Bearer not-a-token', '']) {
			const denied = await raw('GET', base(), authorization);
			expect([authorization, denied.status, denied.body]).toEqual([authorization, 401, { errorCode: 'unauthorized_error', message: expect.any(String), resolution: expect.any(String) }]);
		}
		expect((await raw('GET', `${base()}/order_shipped`, '')).status).toBe(401);
	});

	it('an unknown project is 404; other paths 404; writing 405; never a crash', async () => {
		const other = await raw('GET', '/v1/projects/another-project/whatsapp/templates');
		expect(other).toMatchObject({ status: 404, body: { errorCode: 'not_found_error', message: 'Project another-project not found' } });
		expect((await raw('GET', `/v1/projects/${acct().projectId}/whatsapp/senders`)).body.errorCode).toBe('not_found_error');
		expect((await raw('GET', `${base()}/order_shipped/languages/EN`)).status).toBe(404);
		expect((await raw('POST', base())).body).toMatchObject({ errorCode: 'method_not_allowed_error' });
		expect((await raw('DELETE', `${base()}/order_shipped`)).status).toBe(405);
		expect(box.get().errors).toEqual([]);
	});

	it('injected faults answer in its shape: 429 too_many_requests with Retry-After', async () => {
		const bearer = await token();
		box.get().addFault({ provider: 'sinch', type: 'status', status: 429, retryAfter: 2 });
		const slow = await raw('GET', base(), `Bearer ${bearer}`);
		expect([slow.status, slow.headers.get('retry-after'), slow.body.errorCode]).toEqual([429, '2', 'too_many_requests']);
		box.get().addFault({ provider: 'sinch', type: 'status', status: 503 });
		expect((await raw('GET', `${base()}/order_shipped`, `Bearer ${bearer}`)).body.errorCode).toBe('service_unavailable_error');
		// The Conversation API keeps its own envelope.
		box.get().addFault({ provider: 'sinch', type: 'status', status: 429 });
		expect((await raw('GET', `/v1/projects/${acct().projectId}/apps`, `Bearer ${bearer}`)).body.error.status).toBe('RESOURCE_EXHAUSTED');
	});
});

describe('a template WhatsApp has not approved, sent anyway', () => {
	const sdk = () =>
		new ConversationService({ projectId: acct().projectId, keyId: acct().keyId, keySecret: acct().keySecret, conversationHostname: box.get().url, authHostname: box.get().url, logger: quiet });
	async function sendTemplate(template_id: string, parameters: Record<string, string>) {
		const sent = await sdk().messages.sendTemplateMessage({
			sendMessageRequestBody: {
				app_id: acct().conversationAppId,
				recipient: { identified_by: { channel_identities: [{ channel: 'WHATSAPP', identity: PHONE }] } },
				message: { template_message: { channel_template: { WHATSAPP: { template_id, language_code: 'en', parameters } } } },
			},
		});
		return String(sent.message_id);
	}
	const settled = (id: string) => waitFor(() => (['FAILED', 'DELIVERED', 'READ'].includes(String(box.get().messages.get(id)?.status)) ? box.get().messages.get(id) : undefined));

	it('is accepted, then FAILED TEMPLATE_NOT_FOUND, outside and inside the window; an approved one is delivered', async () => {
		const rejected = await sendTemplate('win_a_prize', { name: 'Ada' });
		const waiting = await sendTemplate('spring_sale', { discount: '20%' });
		for (const id of [rejected, waiting]) expect(await settled(id)).toMatchObject({ status: 'FAILED', errorCode: 'TEMPLATE_NOT_FOUND' });
		expect(box.get().messages.get(rejected)?.body).toBe('Congratulations Ada! You have won a prize. Claim it today.');

		const inbound = await sandboxControl(box.get(), 'POST', '/inbound', { from: PHONE, to: acct().whatsappNumbers[0], body: 'Hi', channel: 'whatsapp' });
		expect(inbound.httpStatus).toBe(201);
		expect((await sandboxControl(box.get(), 'GET', '/sinch/whatsapp-window')).windows).toEqual([expect.objectContaining({ number: PHONE })]);
		expect(await settled(await sendTemplate('win_a_prize', { name: 'Ada' }))).toMatchObject({ status: 'FAILED', errorCode: 'TEMPLATE_NOT_FOUND' });
		expect((await settled(await sendTemplate('order_shipped', { name: 'Ada', order: '1', date: 'today' })))?.status).toMatch(/^(DELIVERED|READ)$/);
		expect((await sandboxControl(box.get(), 'GET', '/sinch/whatsapp-templates')).templates.map((t: any) => `${t.name}/${t.state}`)).toContain('win_a_prize/REJECTED');
	});
});
