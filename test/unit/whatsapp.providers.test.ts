/**
 * WhatsApp's wire formats, exactly: the requests Twilio (Messages + Content API) and Sinch (Conversation API) are
 * sent, how their answers and errors read, the 24-hour window from each provider's history, and the Conversation
 * callbacks the Messaging Trigger reads. Engine and fidelity tests send the same requests to the sandbox.
 */
import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { SINCH_CONVERSATION_CODES, SINCH_CONVERSATION_STATUSES } from '../../nodes/shared/providers/sinch/index';
import { conversationMessage, sinchConversation, whatsappLanguage } from '../../nodes/shared/providers/sinch/conversation';
import { readSinchCallback } from '../../nodes/shared/providers/sinch/webhooks';
import { readTwilioForm } from '../../nodes/shared/providers/twilio/webhooks';
import { readContent, twilioWhatsApp } from '../../nodes/shared/providers/twilio/whatsapp';
import type { WhatsAppRequest } from '../../nodes/shared/providers/whatsappTypes';
import { ProviderError } from '../../nodes/shared/rules/errors';
import { fakeContext, rejectionOf } from '../helpers/fakeContext';

const now = new Date('2026-11-21T10:00:00Z');
const TWILIO = { accountSid: 'AC123', authToken: 'secret-token' };
const SINCH = { smsAuth: 'project', projectId: 'P1', keyId: 'k', keySecret: 's', conversationAppId: 'APP1', region: 'eu', accessToken: 'tok' };
const SID = `HX${'ab'.repeat(16)}`;
const text = (over: Partial<WhatsAppRequest> = {}): WhatsAppRequest => ({ to: '+33612345678', from: '+14155238886', content: { type: 'text', text: 'Hi' }, ...over });

const twilioMessage = (over: Record<string, unknown> = {}) => ({
	sid: 'SM1',
	status: 'queued',
	to: 'whatsapp:+33612345678',
	from: 'whatsapp:+14155238886',
	body: 'Hi',
	num_segments: '1',
	price: null,
	price_unit: 'USD',
	error_code: null,
	error_message: null,
	date_created: 'Sat, 21 Nov 2026 10:00:00 +0000',
	date_sent: null,
	...over,
});

describe('Twilio WhatsApp send', () => {
	it('sends text with whatsapp: on both ends and answers in E.164', async () => {
		const { ctx, requests } = fakeContext(TWILIO, [{ statusCode: 201, body: twilioMessage() }]);
		const message = await twilioWhatsApp.send(ctx, text({ statusCallbackUrl: 'https://hook.example/s' }));
		expect(requests).toEqual([
			{
				method: 'POST',
				url: 'https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: 'To=whatsapp%3A%2B33612345678&From=whatsapp%3A%2B14155238886&Body=Hi&StatusCallback=https%3A%2F%2Fhook.example%2Fs',
			},
		]);
		expect(message).toMatchObject({ messageId: 'SM1', status: 'queued', to: '+33612345678', from: '+14155238886' });
	});

	it('sends media with its caption as the Body, and templates as ContentSid + ContentVariables (a JSON string)', async () => {
		const { ctx, requests } = fakeContext(TWILIO, [{ statusCode: 201, body: twilioMessage() }, { statusCode: 201, body: twilioMessage() }, { statusCode: 201, body: twilioMessage() }]);
		await twilioWhatsApp.send(ctx, text({ content: { type: 'media', url: 'https://e.com/a.pdf', caption: 'Invoice' } }));
		await twilioWhatsApp.send(ctx, text({ content: { type: 'template', template: { id: SID, variables: { '1': 'Ada', '2': '#42' } } } }));
		await twilioWhatsApp.send(ctx, { to: '+33612345678', messagingServiceSid: `MG${'1'.repeat(32)}`, content: { type: 'template', template: { id: SID, variables: {} } } });
		const forms = requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
		expect(forms[0]).toEqual({ To: 'whatsapp:+33612345678', From: 'whatsapp:+14155238886', Body: 'Invoice', MediaUrl: 'https://e.com/a.pdf' });
		expect(forms[1]).toEqual({ To: 'whatsapp:+33612345678', From: 'whatsapp:+14155238886', ContentSid: SID, ContentVariables: '{"1":"Ada","2":"#42"}' });
		expect(forms[2]).toEqual({ To: 'whatsapp:+33612345678', MessagingServiceSid: `MG${'1'.repeat(32)}`, ContentSid: SID });
	});

	it.each([
		[{ from: undefined }, 'Twilio needs a WhatsApp From number or a Messaging Service SID'],
		[{ from: '14155238886' }, 'WhatsApp From must be the sender\'s number in international format (+14155238886); "14155238886" is not one'],
		[{ from: undefined, messagingServiceSid: 'MG1' }, '"MG1" is not a Messaging Service SID (MG followed by 32 hexadecimal characters)'],
		[{ content: { type: 'text', text: 'x'.repeat(1601) } }, 'The message has 1601 characters; Twilio accepts at most 1600 (error 21617)'],
		[{ content: { type: 'text', text: 'Ok?', buttons: [{ title: 'Yes', payload: 'y' }] } }, expect.stringContaining('quick-reply buttons only in a Content template')],
		[{ content: { type: 'template', template: { id: 'order_shipped', variables: {} } } }, expect.stringContaining('is not a Twilio Content SID')],
	] as Array<[Partial<WhatsAppRequest>, unknown]>)('refuses before sending: %j', (over, problem) => {
		expect(twilioWhatsApp.check(text(over), TWILIO)).toEqual(problem);
	});

	it('passes a good request', () => {
		expect(twilioWhatsApp.check(text(), TWILIO)).toBeUndefined();
		expect(twilioWhatsApp.check(text({ content: { type: 'template', template: { id: SID, variables: {} } } }), TWILIO)).toBeUndefined();
	});

	it('reads a refusal as Twilio error with its code', async () => {
		const { ctx } = fakeContext(TWILIO, [{ statusCode: 400, body: { code: 63016, message: 'outside window', status: 400 } }]);
		const error = await rejectionOf(twilioWhatsApp.send(ctx, text()));
		expect(error).toBeInstanceOf(ProviderError);
		expect([error.code, error.kind, error.message]).toEqual(['63016', 'content', 'WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message (Twilio 63016): send an approved template instead']);
	});
});

describe('Twilio WhatsApp window, from the account history', () => {
	const inbound = (at: string, over: Record<string, unknown> = {}) => ({ ...twilioMessage({ direction: 'inbound', date_sent: at, from: 'whatsapp:+33612345678', to: 'whatsapp:+14155238886', ...over }) });
	const SERVICE = `MG${'1'.repeat(32)}`;

	it('asks for the customer\'s messages to the sender since yesterday, and is open within 24 hours', async () => {
		const { ctx, requests } = fakeContext(TWILIO, [{ statusCode: 200, body: { messages: [inbound('Sat, 21 Nov 2026 09:00:00 +0000')] } }], now);
		expect(await twilioWhatsApp.window(ctx, text())).toBe('open');
		const url = new URL(requests[0].url);
		expect([url.pathname, Object.fromEntries(url.searchParams)]).toEqual([
			'/2010-04-01/Accounts/AC123/Messages.json',
			{ From: 'whatsapp:+33612345678', To: 'whatsapp:+14155238886', 'DateSent>': '2026-11-20', PageSize: '50' },
		]);
	});

	it.each([
		['a message 24 hours and a second ago', { messages: [inbound('Fri, 20 Nov 2026 09:59:59 +0000')] }, 'closed'],
		['no message', { messages: [] }, 'closed'],
		['an outbound message only', { messages: [twilioMessage({ direction: 'outbound-api', date_sent: 'Sat, 21 Nov 2026 09:00:00 +0000' })] }, 'closed'],
	])('%s → %s', async (_what, body, state) => {
		const { ctx } = fakeContext(TWILIO, [{ statusCode: 200, body }], now);
		expect(await twilioWhatsApp.window(ctx, text())).toBe(state);
	});

	it('a history that cannot be read is an error in our words, never a guess', async () => {
		const refused = await rejectionOf(twilioWhatsApp.window(fakeContext(TWILIO, [{ statusCode: 401, body: { code: 20003, message: 'Authenticate' } }], now).ctx, text()));
		expect([refused.kind, refused.code]).toEqual(['auth', '20003']);
		const page = await rejectionOf(twilioWhatsApp.window(fakeContext(TWILIO, [{ statusCode: 200, body: '<html>' }], now).ctx, text()));
		expect(page.kind).toBe('ambiguous');
	});

	it('for a Messaging Service, counts the customer\'s messages to any sender of that service', async () => {
		const { ctx, requests } = fakeContext(
			TWILIO,
			[
				{ statusCode: 200, body: { messages: [inbound('Sat, 21 Nov 2026 09:00:00 +0000', { messaging_service_sid: SERVICE })] } },
				{ statusCode: 200, body: { messages: [inbound('Sat, 21 Nov 2026 09:00:00 +0000', { messaging_service_sid: `MG${'2'.repeat(32)}` }), inbound('Sat, 21 Nov 2026 09:00:00 +0000', { messaging_service_sid: null })] } },
			],
			now,
		);
		const request = { to: '+33612345678', messagingServiceSid: SERVICE, content: { type: 'text', text: 'x' } } as WhatsAppRequest;
		expect(await twilioWhatsApp.window(ctx, request)).toBe('open');
		expect(Object.fromEntries(new URL(requests[0].url).searchParams)).toEqual({ From: 'whatsapp:+33612345678', 'DateSent>': '2026-11-20', PageSize: '50' });
		expect(await twilioWhatsApp.window(ctx, request)).toBe('closed');
	});
});

describe('Twilio Content API templates', () => {
	const content = {
		sid: SID,
		friendly_name: 'order_shipped',
		language: 'en',
		variables: { '1': 'Ada', '2': '#1001', '3': 'Friday' },
		types: { 'twilio/quick-reply': { body: 'Hi {{1}}, order {{2}} arrives {{3}}.', actions: [{ title: 'Track', id: 'track' }, { title: 'Talk to us', id: 'talk' }] } },
	};

	it('reads variables in the order the text uses them, their samples, the buttons and the approval', () => {
		expect(readContent(content, { status: 'approved' })).toEqual({
			id: SID,
			name: 'order_shipped',
			language: 'en',
			variables: [
				{ name: '1', sample: 'Ada' },
				{ name: '2', sample: '#1001' },
				{ name: '3', sample: 'Friday' },
			],
			body: 'Hi {{1}}, order {{2}} arrives {{3}}.',
			buttons: [
				{ title: 'Track', payload: 'track' },
				{ title: 'Talk to us', payload: 'talk' },
			],
			approval: 'approved',
			rejectionReason: null,
		});
	});

	it('keeps named variables, variables only in buttons, and no approval as unsubmitted; URL buttons are not quick replies', () => {
		const named = readContent({
			sid: SID,
			friendly_name: 'card',
			language: 'tr',
			variables: { extra: 'x' },
			types: { 'twilio/card': { title: 'Hello {{ name }}', actions: [{ type: 'URL', title: 'Open', url: 'https://e.com/{{path}}' }, { type: 'QUICK_REPLY', title: 'Ok', id: 'ok' }] } },
		});
		expect(named.variables.map((v) => v.name)).toEqual(['name', 'path', 'extra']);
		expect([named.approval, named.body, named.buttons]).toEqual(['unsubmitted', null, [{ title: 'Ok', payload: 'ok' }]]);
		expect(readContent({ sid: SID }, { status: 'REJECTED', rejection_reason: 'Promotional' })).toMatchObject({ approval: 'rejected', rejectionReason: 'Promotional', variables: [], buttons: [] });
	});

	it('lists ContentAndApprovals page after page on the credential\'s host, filtered by name', async () => {
		const { ctx, requests } = fakeContext({ ...TWILIO, baseUrl: 'http://127.0.0.1:4010/' }, [
			{ statusCode: 200, body: { contents: [{ ...content, approval_requests: { status: 'approved' } }], meta: { next_page_url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=100&PageToken=P2' } } },
			{ statusCode: 200, body: { contents: [{ ...content, sid: `HX${'cd'.repeat(16)}`, friendly_name: 'expense_approval' }], meta: { next_page_url: null } } },
		]);
		const found = await twilioWhatsApp.templates.kind === 'list' ? await (twilioWhatsApp.templates as Extract<typeof twilioWhatsApp.templates, { kind: 'list' }>).list(ctx, 'ORDER') : [];
		expect(requests.map((r) => r.url)).toEqual(['http://127.0.0.1:4010/v1/ContentAndApprovals?PageSize=100', 'http://127.0.0.1:4010/v1/ContentAndApprovals?PageSize=100&PageToken=P2']);
		expect(found.map((t) => [t.name, t.approval])).toEqual([['order_shipped', 'approved']]);
	});

	it('gets one template with its WhatsApp approval; an unknown SID is no template; no approval request is unsubmitted', async () => {
		const templates = twilioWhatsApp.templates as Extract<typeof twilioWhatsApp.templates, { kind: 'list' }>;
		const { ctx, requests } = fakeContext(TWILIO, [
			{ statusCode: 200, body: content },
			{ statusCode: 200, body: { sid: SID, whatsapp: { status: 'rejected', rejection_reason: 'Wrong category' } } },
			{ statusCode: 404, body: { code: 20404, message: 'not found' } },
			{ statusCode: 200, body: content },
			{ statusCode: 404, body: { code: 20404, message: 'not found' } },
		]);
		expect(await templates.get(ctx, SID)).toMatchObject({ approval: 'rejected', rejectionReason: 'Wrong category' });
		expect(requests.map((r) => r.url)).toEqual([`https://content.twilio.com/v1/Content/${SID}`, `https://content.twilio.com/v1/Content/${SID}/ApprovalRequests`]);
		expect(await templates.get(ctx, SID)).toBeUndefined();
		expect(await templates.get(ctx, SID)).toMatchObject({ approval: 'unsubmitted' });
	});

	it('a refused list is an error in our words', async () => {
		const templates = twilioWhatsApp.templates as Extract<typeof twilioWhatsApp.templates, { kind: 'list' }>;
		const { ctx } = fakeContext(TWILIO, [{ statusCode: 401, body: { code: 20003, message: 'Authenticate' } }]);
		expect((await rejectionOf(templates.list(ctx))).message).toBe('Twilio refused the credentials (Twilio 20003): check the Account SID and Auth Token (or API Key SID and Secret) in the credential');
	});
});

describe('Sinch Conversation send', () => {
	it('posts messages:send for the app, with the identity in digits, and reads the answer', async () => {
		const { ctx, requests } = fakeContext(SINCH, [{ statusCode: 200, body: { message_id: '01M', accepted_time: '2026-11-21T10:00:00Z' } }]);
		const message = await sinchConversation.send(ctx, { to: '+33612345678', content: { type: 'text', text: 'Hi' }, statusCallbackUrl: 'https://hook.example/s' });
		expect(requests[0].url).toBe('https://eu.conversation.api.sinch.com/v1/projects/P1/messages:send');
		expect(JSON.parse(requests[0].body ?? '')).toEqual({
			app_id: 'APP1',
			recipient: { identified_by: { channel_identities: [{ channel: 'WHATSAPP', identity: '33612345678' }] } },
			message: { text_message: { text: 'Hi' } },
			callback_url: 'https://hook.example/s',
		});
		expect(message).toMatchObject({ messageId: '01M', status: 'accepted', to: '+33612345678', sentAt: '2026-11-21T10:00:00Z' });
	});

	it('uses its own Conversation Project ID and Base URL when set', async () => {
		const { ctx, requests } = fakeContext({ ...SINCH, conversationProjectId: 'CP', conversationBaseUrl: 'http://127.0.0.1:4010/' }, [{ statusCode: 200, body: { message_id: '01M' } }]);
		await sinchConversation.send(ctx, { to: '+33612345678', content: { type: 'text', text: 'Hi' } });
		expect(requests[0].url).toBe('http://127.0.0.1:4010/v1/projects/CP/messages:send');
	});

	it('writes buttons as a choice message, media by URL, templates for WhatsApp with underscored languages', () => {
		expect(conversationMessage({ type: 'text', text: 'Approve?', buttons: [{ title: 'Yes', payload: 'approve' }, { title: 'No', payload: 'decline' }] })).toEqual({
			choice_message: {
				text_message: { text: 'Approve?' },
				choices: [
					{ text_message: { text: 'Yes' }, postback_data: 'approve' },
					{ text_message: { text: 'No' }, postback_data: 'decline' },
				],
			},
		});
		expect(conversationMessage({ type: 'media', url: 'https://e.com/a.png' })).toEqual({ media_message: { url: 'https://e.com/a.png' } });
		expect(conversationMessage({ type: 'media', url: 'https://e.com/a.png', caption: 'Your label' })).toEqual({ card_message: { description: 'Your label', media_message: { url: 'https://e.com/a.png' } } });
		expect(conversationMessage({ type: 'template', template: { id: 'order_shipped', language: 'en-US', variables: { name: 'Ada' } } })).toEqual({
			template_message: { channel_template: { WHATSAPP: { template_id: 'order_shipped', language_code: 'en_US', parameters: { name: 'Ada' } } } },
		});
		expect([whatsappLanguage(' pt-BR '), whatsappLanguage(undefined)]).toEqual(['pt_BR', '']);
	});

	it.each([
		['no access key', { ...SINCH, smsAuth: 'servicePlan' }, {}, expect.stringContaining('Project ID + Access Key (OAuth2)')],
		['no project', { ...SINCH, projectId: '' }, {}, 'The Sinch credential has no Conversation Project ID (or Project ID): fill it in'],
		['no app', { ...SINCH, conversationAppId: ' ' }, {}, expect.stringContaining('no Conversation App ID')],
		['four buttons', SINCH, { content: { type: 'text', text: 'x', buttons: [1, 2, 3, 4].map((n) => ({ title: `B${n}`, payload: `${n}` })) } }, 'WhatsApp shows at most 3 quick-reply buttons; the message has 4'],
		['a caption over 1024', SINCH, { content: { type: 'media', url: 'https://e.com/a.png', caption: 'x'.repeat(1025) } }, 'The caption has 1025 characters; WhatsApp accepts at most 1024'],
		['a template without language', SINCH, { content: { type: 'template', template: { id: 't', language: ' ', variables: {} } } }, expect.stringContaining('language')],
		['a text over 4096', SINCH, { content: { type: 'text', text: 'x'.repeat(4097) } }, 'The message has 4097 characters; WhatsApp accepts at most 4096'],
	] as Array<[string, Record<string, unknown>, Partial<WhatsAppRequest>, unknown]>)('refuses %s before sending', (_what, credentials, over, problem) => {
		expect(sinchConversation.check({ to: '+33612345678', content: { type: 'text', text: 'Hi' }, ...over }, credentials as never)).toEqual(problem);
	});

	it.each([
		[401, { error: { code: 401, message: 'bad token', status: 'UNAUTHENTICATED' } }, 'UNAUTHENTICATED', 'auth'],
		[404, { error: { code: 404, message: 'app not found', status: 'NOT_FOUND' } }, 'NOT_FOUND', 'config'],
		[400, { error: { code: 400, message: 'Invalid channel identity', status: 'INVALID_ARGUMENT' } }, 'INVALID_ARGUMENT', 'recipient'],
		[400, { error: { code: 400, message: 'message missing', status: 'INVALID_ARGUMENT' } }, 'INVALID_ARGUMENT', 'request'],
		[429, { error: { code: 429, message: 'slow', status: 'RESOURCE_EXHAUSTED' } }, 'RESOURCE_EXHAUSTED', 'rateLimited'],
		[503, '<html>down</html>', undefined, 'unavailable'],
		[200, { accepted_time: 'x' }, undefined, 'ambiguous'],
		[401, '', 'UNAUTHENTICATED', 'auth'],
	])('reads HTTP %s %j as %s / %s', async (statusCode, body, code, kind) => {
		const { ctx } = fakeContext(SINCH, [{ statusCode, body }]);
		const error = await rejectionOf(sinchConversation.send(ctx, { to: '+33612345678', content: { type: 'text', text: 'Hi' } }));
		expect(error).toBeInstanceOf(ProviderError);
		expect([error.code, error.kind]).toEqual([code, kind]);
	});

	it('reads the window from the app\'s TO_APP messages of the last 24 hours, then from what Dispatch mode keeps', async () => {
		const { ctx, requests } = fakeContext(
			SINCH,
			[{ statusCode: 200, body: { messages: [{ id: 'm' }] } }, { statusCode: 200, body: { messages: [] } }, { statusCode: 200, body: { messages: [{ id: 'd' }] } }, { statusCode: 200, body: {} }, { statusCode: 200, body: {} }],
			now,
		);
		const request: WhatsAppRequest = { to: '+33612345678', content: { type: 'text', text: 'Hi' } };
		expect(await sinchConversation.window(ctx, request)).toBe('open');
		const url = new URL(requests[0].url);
		expect([url.pathname, Object.fromEntries(url.searchParams)]).toEqual([
			'/v1/projects/P1/messages',
			{ app_id: 'APP1', channel_identity: '33612345678', channel: 'WHATSAPP', direction: 'TO_APP', start_time: '2026-11-20T10:00:00.000Z', page_size: '1' },
		]);
		expect(await sinchConversation.window(ctx, request)).toBe('open');
		expect(Object.fromEntries(new URL(requests[2].url).searchParams)).toMatchObject({ messages_source: 'DISPATCH_SOURCE', only_recipient_originated: 'true' });
		expect(await sinchConversation.window(ctx, request)).toBe('closed');
		expect(requests).toHaveLength(5);
		const refused = await rejectionOf(sinchConversation.window(fakeContext(SINCH, [{ statusCode: 403, body: { error: { code: 403, message: 'no', status: 'PERMISSION_DENIED' } } }], now).ctx, request));
		expect([refused.kind, refused.code]).toEqual(['auth', 'PERMISSION_DENIED']);
	});

	it('keeps its facts in tables: every reason code has a sentence, every delivery status a place in the model', () => {
		expect(Object.keys(SINCH_CONVERSATION_STATUSES).sort()).toEqual(['delivered', 'failed', 'queued_on_channel', 'read', 'switching_channel']);
		expect(SINCH_CONVERSATION_CODES.OUTSIDE_ALLOWED_SENDING_WINDOW.kind).toBe('content');
		expect(PROVIDERS.sinch.whatsapp?.windowCode).toBe('OUTSIDE_ALLOWED_SENDING_WINDOW');
		expect(PROVIDERS.twilio.whatsapp?.windowCode).toBe('63016');
		expect(PROVIDERS.sns.whatsapp).toBeUndefined();
	});
});

describe('WhatsApp in the Messaging Trigger', () => {
	const FORM = { MessageSid: 'SM9', AccountSid: 'AC1', From: 'whatsapp:+33612345678', To: 'whatsapp:+14155238886', Body: 'Track', NumMedia: '0', SmsStatus: 'received', ProfileName: 'Ada', WaId: '33612345678' };

	it('reads a Twilio button tap: payload, text, the message it answered, the profile name', () => {
		const event = readTwilioForm({ ...FORM, ButtonPayload: 'track', ButtonText: 'Track', MessageType: 'button', OriginalRepliedMessageSid: 'SM1' });
		expect(event).toMatchObject({ kind: 'inbound', channel: 'whatsapp', from: '+33612345678', to: '+14155238886', body: 'Track', button: { payload: 'track', text: 'Track' }, replyTo: 'SM1', profileName: 'Ada' });
		expect(readTwilioForm(FORM)).toMatchObject({ button: null, replyTo: null });
		expect(readTwilioForm({ ...FORM, From: '+33612345678', To: '+14155238886' }).button).toBeUndefined();
	});

	it('reads a Twilio read receipt as read', () => {
		expect(readTwilioForm({ MessageSid: 'SM1', MessageStatus: 'read', EventType: 'READ', From: 'whatsapp:+14155238886', To: 'whatsapp:+33612345678' })).toMatchObject({ kind: 'status', status: 'read', channel: 'whatsapp', deliveryKey: 'SM1:read:READ' });
	});

	const base = { app_id: 'APP1', project_id: 'P1', accepted_time: '2026-11-21T10:00:00Z', event_time: '2026-11-21T10:00:01Z' };
	const identity = { channel: 'WHATSAPP', identity: '33612345678', app_id: 'APP1' };

	it('reads Sinch Conversation inbound text and quick-reply taps', () => {
		const textEvent = readSinchCallback({ ...base, message: { id: 'M1', direction: 'TO_APP', contact_message: { text_message: { text: 'Hello' } }, channel_identity: identity } });
		expect(textEvent).toEqual([
			expect.objectContaining({ kind: 'inbound', messageId: 'M1', from: '+33612345678', to: null, body: 'Hello', channel: 'whatsapp', button: null, replyTo: null, deliveryKey: 'conversation:M1:inbound' }),
		]);
		const tap = readSinchCallback({ ...base, message: { id: 'M2', contact_message: { choice_response_message: { message_id: 'M0', postback_data: 'approve' } }, channel_identity: identity } });
		expect(tap[0]).toMatchObject({ body: 'approve', button: { payload: 'approve', text: null }, replyTo: 'M0' });
		const media = readSinchCallback({ ...base, message: { id: 'M3', contact_message: { media_message: { url: 'https://e.com/p.jpg' } }, channel_identity: identity } });
		expect(media[0]).toMatchObject({ body: '', media: [{ url: 'https://e.com/p.jpg', contentType: null }] });
		const card = readSinchCallback({ ...base, message: { id: 'M4', contact_message: { media_card_message: { url: 'https://e.com/p.jpg', caption: 'My receipt' } }, channel_identity: identity } });
		expect(card[0]).toMatchObject({ body: 'My receipt', media: [{ url: 'https://e.com/p.jpg', contentType: null }] });
	});

	it.each([
		['QUEUED_ON_CHANNEL', 'sent', null, null],
		['DELIVERED', 'delivered', null, null],
		['READ', 'read', null, null],
		['FAILED', 'failed', 'OUTSIDE_ALLOWED_SENDING_WINDOW', 'WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message (Sinch OUTSIDE_ALLOWED_SENDING_WINDOW): send an approved WhatsApp template instead, or wait until the customer writes'],
	])('reads a Conversation delivery report %s as %s', (status, ours, code, message) => {
		const events = readSinchCallback({ ...base, message_delivery_report: { message_id: 'M1', status, channel_identity: identity, ...(code ? { reason: { code, description: 'x' } } : {}) } });
		expect(events).toEqual([expect.objectContaining({ kind: 'status', messageId: 'M1', to: '+33612345678', status: ours, errorCode: code, errorMessage: message, channel: 'whatsapp', deliveryKey: `conversation:M1:${status}` })]);
	});

	it('a failure with an unknown reason keeps Sinch\'s description; callbacks without a message are no events; broken ones are refused', () => {
		expect(readSinchCallback({ ...base, message_delivery_report: { message_id: 'M1', status: 'FAILED', reason: { code: 'NEW_CODE', description: 'Something new' } } })[0]).toMatchObject({ errorCode: 'NEW_CODE', errorMessage: 'WhatsApp delivery failed (Sinch NEW_CODE): Something new' });
		expect(readSinchCallback({ ...base, contact_create_notification: { contact: {} } })).toEqual([]);
		expect(() => readSinchCallback({ ...base, message: { contact_message: {} } })).toThrow('has no id');
		expect(() => readSinchCallback({ ...base, message_delivery_report: { status: 'READ' } })).toThrow('has no message_id or status');
	});
});
