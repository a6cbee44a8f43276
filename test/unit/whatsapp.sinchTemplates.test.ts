/**
 * A Sinch WhatsApp template's approval, exactly: the Provisioning API request (the templates of one name), how its
 * answer reads (state, or the status of changes not yet reviewed; the rejection code; the language as WhatsApp writes
 * it), an unknown name or language, and its errors ({errorCode, message, resolution}) in our model. The engine and
 * fidelity tests send the same request to the sandbox.
 */
import { provisioningFailure, sinchConversation } from '../../nodes/shared/providers/sinch/conversation';
import { SINCH_PROVISIONING_CODES, sinchHosts } from '../../nodes/shared/providers/sinch/index';
import { ProviderError } from '../../nodes/shared/rules/errors';
import { fakeContext, rejectionOf, type Answer } from '../helpers/fakeContext';

const SINCH = { smsAuth: 'project', projectId: 'P1', keyId: 'k', keySecret: 's', conversationAppId: 'APP1', region: 'eu', accessToken: 'tok' };
const BY_NAME = 'https://provisioning.api.sinch.com/v1/projects/P1/whatsapp/templates';

const templates = sinchConversation.templates;
if (templates.kind !== 'byId' || !templates.approval) throw new Error('Sinch names templates by ID and tells their approval');
const approval = templates.approval.bind(templates);

/** A template as the Provisioning API describes it (developers.sinch.com, WhatsApp Templates). */
const template = (over: Record<string, unknown> = {}) => ({
	whatsappId: '1234567890',
	state: 'APPROVED',
	name: 'order_shipped',
	language: 'EN',
	category: 'UTILITY',
	details: { components: [{ type: 'BODY', text: 'Hi {{1}}' }] },
	...over,
});

async function ask(answer: Answer, id = 'order_shipped', language = 'en', credentials: Record<string, unknown> = SINCH) {
	const { ctx, requests } = fakeContext(credentials as never, [answer]);
	return { result: await approval(ctx, id, language), requests };
}

describe('the request', () => {
	it('GETs the templates of the name from the Provisioning API, nothing else', async () => {
		const { requests } = await ask({ statusCode: 200, body: { templates: [template()] } });
		expect(requests).toEqual([{ method: 'GET', url: `${BY_NAME}/order_shipped` }]);
	});

	it("uses the Conversation project and the credential's Provisioning Base URL, and encodes the name", async () => {
		const credentials = { ...SINCH, conversationProjectId: 'C P', provisioningBaseUrl: 'http://127.0.0.1:4010/' };
		const { requests } = await ask({ statusCode: 404, body: {} }, 'a b/c?', 'en', credentials);
		expect(requests).toEqual([{ method: 'GET', url: 'http://127.0.0.1:4010/v1/projects/C%20P/whatsapp/templates/a%20b%2Fc%3F' }]);
	});

	it('the host is one for every region, unless the credential overrides it', () => {
		expect(sinchHosts({ region: 'eu' }).provisioning).toBe('https://provisioning.api.sinch.com');
		expect(sinchHosts({ region: 'br', provisioningBaseUrl: ' http://p// ' }).provisioning).toBe('http://p');
	});
});

describe('the answer', () => {
	it.each([
		['approved', template(), { state: 'approved', approved: true, reason: null, bodyValues: 1, quickReplies: [] }],
		['rejected, with its code', template({ state: 'REJECTED', rejectionCode: 'INCORRECT_CATEGORY' }), { state: 'rejected', approved: false, reason: 'INCORRECT_CATEGORY', bodyValues: 1, quickReplies: [] }],
		['rejected, without a code', template({ state: 'REJECTED', rejectionCode: 'NONE' }), { state: 'rejected', approved: false, reason: null, bodyValues: 1, quickReplies: [] }],
		['paused', template({ state: 'PAUSED' }), { state: 'paused', approved: false, reason: null, bodyValues: 1, quickReplies: [] }],
		['disabled', template({ state: 'DISABLED' }), { state: 'disabled', approved: false, reason: null, bodyValues: 1, quickReplies: [] }],
		['waiting for review: no state, the status of its changes', template({ state: undefined, whatsappId: undefined, changes: { status: 'IN_PROGRESS' } }), { state: 'in progress', approved: false, reason: null, bodyValues: 1, quickReplies: [] }],
		['a draft', template({ state: '', changes: { status: 'DRAFT' } }), { state: 'draft', approved: false, reason: null, bodyValues: 1, quickReplies: [] }],
		['no state at all', template({ state: undefined }), { state: 'unknown', approved: false, reason: null, bodyValues: 1, quickReplies: [] }],
		['approved, with changes waiting: the approved version goes', template({ changes: { status: 'IN_PROGRESS' } }), { state: 'approved', approved: true, reason: null, bodyValues: 1, quickReplies: [] }],
		['approved, a stale rejection code ignored', template({ rejectionCode: 'INVALID_FORMAT' }), { state: 'approved', approved: true, reason: null, bodyValues: 1, quickReplies: [] }],
	])('%s', async (_, entry, expected) => {
		expect((await ask({ statusCode: 200, body: { templates: [entry] } })).result).toStrictEqual(expected);
	});

	it('reads what the components say it takes: the body\'s distinct values and its quick replies; nothing when they are missing', async () => {
		const details = {
			components: [
				{ type: 'HEADER', format: 'TEXT', text: 'Order {{9}}' },
				{ type: 'BODY', text: 'Hi {{1}}, order {{2}} ({{1}}) arrives {{ 3 }}.' },
				{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Track' }, { type: 'URL', text: 'Site', url: 'https://e.com' }, { type: 'quick_reply', text: 'Talk to us' }, null] },
			],
		};
		expect((await ask({ statusCode: 200, body: { templates: [template({ details })] } })).result).toMatchObject({ bodyValues: 3, quickReplies: ['Track', 'Talk to us'] });
		expect((await ask({ statusCode: 200, body: { templates: [template({ state: undefined, details: undefined, changes: { status: 'IN_PROGRESS', details } })] } })).result).toMatchObject({ bodyValues: 3 });
		expect((await ask({ statusCode: 200, body: { templates: [template({ details: undefined })] } })).result).toMatchObject({ bodyValues: null, quickReplies: null });
		expect((await ask({ statusCode: 200, body: { templates: [template({ details: { components: [{ type: 'BODY', text: 'No values' }] } })] } })).result).toMatchObject({ bodyValues: 0, quickReplies: [] });
	});

	it('reads a bare list, or one template, as well as {templates}', async () => {
		expect((await ask({ statusCode: 200, body: [template({ state: 'REJECTED' })] })).result?.state).toBe('rejected');
		expect((await ask({ statusCode: 200, body: template({ state: 'PAUSED' }) })).result?.state).toBe('paused');
		expect((await ask({ statusCode: 200, body: JSON.stringify({ templates: [template()] }) })).result?.approved).toBe(true);
	});

	it('prefers an approved version of the language when there are several', async () => {
		const body = { templates: [template({ state: 'REJECTED', rejectionCode: 'INVALID_FORMAT' }), template()] };
		expect((await ask({ statusCode: 200, body })).result).toStrictEqual({ state: 'approved', approved: true, reason: null, bodyValues: 1, quickReplies: [] });
		const none = { templates: [template({ state: 'REJECTED', rejectionCode: 'INVALID_FORMAT' }), template({ state: 'PAUSED' })] };
		expect((await ask({ statusCode: 200, body: none })).result?.state).toBe('rejected');
	});

	it('skips what is not a template of that name', async () => {
		const body = { templates: [null, 'x', 7, template({ name: 'other_name' }), template({ name: undefined, state: 'PAUSED' })] };
		expect((await ask({ statusCode: 200, body })).result?.state).toBe('paused');
	});
});

describe('the language, as WhatsApp writes it', () => {
	const both = { templates: [template({ language: 'EN_US' }), template({ language: 'TR', state: 'REJECTED' })] };
	it.each([
		['en_US', 'approved'],
		['en-US', 'approved'],
		[' EN_us ', 'approved'],
		['tr', 'rejected'],
		['TR', 'rejected'],
		['en', undefined],
		['pt_BR', undefined],
		['', undefined],
	])('%j → %s', async (language, state) => {
		expect((await ask({ statusCode: 200, body: both }, 'order_shipped', language)).result?.state).toBe(state);
	});

	it('reads a lower-case language too', async () => {
		expect((await ask({ statusCode: 200, body: { templates: [template({ language: 'pt_br' })] } }, 'order_shipped', 'pt-BR')).result?.approved).toBe(true);
		expect((await ask({ statusCode: 200, body: { templates: [template({ language: 5 })] } }, 'order_shipped', 'en')).result).toBeUndefined();
	});

	it('no templates at all is none in that language', async () => {
		expect((await ask({ statusCode: 200, body: { templates: [] } })).result).toBeUndefined();
	});
});

describe('unknown names and errors', () => {
	it('a 404 is no template of that name', async () => {
		expect((await ask({ statusCode: 404, body: { errorCode: 'not_found_error', message: 'Template nope not found', resolution: 'x' } }, 'nope')).result).toBeUndefined();
		expect((await ask({ statusCode: 404, body: '' }, 'nope')).result).toBeUndefined();
	});

	it('a 404 that names the project is the project missing: a setup error, not a missing template', async () => {
		const { ctx } = fakeContext(SINCH, [{ statusCode: 404, body: { errorCode: 'not_found_error', message: 'Project P1 not found', resolution: 'Check the project ID' } }]);
		const e: ProviderError = await rejectionOf(approval(ctx, 'order_shipped', 'en'));
		expect([e.kind, e.code, e.httpStatus, e.providerMessage]).toEqual(['config', 'not_found_error', 404, 'Project P1 not found']);
		expect(e.message).toBe('Sinch has no such project in its Provisioning API (Sinch not_found_error): check the Conversation Project ID (or Project ID) in the Sinch credential');
	});

	it.each([
		[401, { errorCode: 'unauthorized_error', message: 'Unauthorized', resolution: 'Check your credentials' }, {}, 'auth', 'unauthorized_error'],
		[401, '', {}, 'auth', 'unauthorized_error'],
		[403, { errorCode: 'forbidden_error', message: 'Forbidden' }, {}, 'auth', 'forbidden_error'],
		[403, '<html>Forbidden</html>', {}, 'auth', undefined],
		[400, { errorCode: 'bad_request_error', message: 'templateName is invalid' }, {}, 'request', 'bad_request_error'],
		[429, { errorCode: 'too_many_requests', message: 'Slow down' }, { 'Retry-After': '3' }, 'rateLimited', 'too_many_requests'],
		[500, { errorCode: 'internal_server_error', message: 'oops' }, {}, 'unavailable', 'internal_server_error'],
		[503, '', {}, 'unavailable', undefined],
		[200, '', {}, 'unavailable', undefined],
		[200, 'not json', {}, 'unavailable', undefined],
		[302, { templates: [] }, {}, 'request', undefined],
	])('HTTP %i %j %j → %s (%s)', async (statusCode, body, headers, kind, code) => {
		const { ctx } = fakeContext(SINCH, [{ statusCode, body, headers }]);
		const e: ProviderError = await rejectionOf(approval(ctx, 'order_shipped', 'en'));
		expect(e).toBeInstanceOf(ProviderError);
		expect([e.kind, e.code, e.httpStatus, e.provider]).toEqual([kind, code, statusCode, 'sinch']);
		expect(e.providerMessage).toBe(typeof body === 'object' ? (body as { message?: string }).message : undefined);
		if (statusCode === 429) expect(e.retryAfterMs).toBe(3000);
	});

	it('says what to do, in our words', () => {
		const e = provisioningFailure({ statusCode: 401, headers: {}, body: '' }, undefined);
		expect(e.message).toBe('Sinch refused the access key for its Provisioning API (Sinch unauthorized_error): check the Access Key ID and Secret in the Sinch credential (Project ID + Access Key)');
		expect(Object.keys(SINCH_PROVISIONING_CODES)).toEqual(['unauthorized_error', 'forbidden_error', 'not_found_error', 'too_many_requests', 'internal_server_error']);
	});
});
