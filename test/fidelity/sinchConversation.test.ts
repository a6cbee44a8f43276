/**
 * The official Sinch SDK's Conversation client (@sinch/sdk-core, @sinch/conversation 1.x) against the sandbox's
 * Conversation API: WhatsApp text, media, card, choice and template messages; the 24-hour window; delivery reports and
 * inbound messages posted to the app's webhooks, signed so that the SDK's own validator accepts them; the webhooks and
 * messages APIs; and the API's errors, in its Google-style envelope.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConversationCallbackWebhooks, ConversationService } from '@sinch/sdk-core';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { SINCH_WHATSAPP_TEMPLATES } from '../../sandbox/sinchConversation';
import { newMessage } from '../../sandbox/state';
import type { StoredMessage } from '../../sandbox/types';
import { rejectionOf } from '../helpers/fakeContext';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();
const PHONE = '+33612345678';
const IDENTITY = '33612345678';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const SECRET = 'conversation-webhook-secret';

const acct = () => box.get().accounts.sinch;
const WA = () => acct().whatsappNumbers[0];
/** The SDK logs failed answers at debug level: the refusals here are on purpose. */
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sdkFor = (sandbox: Sandbox, keySecret = sandbox.accounts.sinch.keySecret) =>
	new ConversationService({
		projectId: sandbox.accounts.sinch.projectId,
		keyId: sandbox.accounts.sinch.keyId,
		keySecret,
		conversationHostname: sandbox.url,
		authHostname: sandbox.url,
		logger: quiet,
	});
const sdk = (keySecret?: string) => sdkFor(box.get(), keySecret);
const to = (identity = PHONE) => ({ identified_by: { channel_identities: [{ channel: 'WHATSAPP' as const, identity }] } });

/** What a webhook receiver got: headers, the raw body and the body parsed. */
interface Received {
	path: string;
	headers: IncomingHttpHeaders;
	raw: string;
	body: any;
}
let receiver: Server;
let received: Received[] = [];
let hook = '';

beforeAll(async () => {
	receiver = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf-8');
			received.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) });
			res.writeHead(200).end();
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
beforeEach(() => {
	received = [];
});

/** The callbacks received for a message (delivery reports), in order. */
const reportsOf = (messageId: string) => received.filter((r) => r.body.message_delivery_report?.message_id === messageId);
const statusesOf = (messageId: string) => reportsOf(messageId).map((r) => r.body.message_delivery_report.status as string);
const inbounds = () => received.filter((r) => r.body.message !== undefined);
async function waitForStatus(messageId: string, status: string) {
	return waitFor(() => reportsOf(messageId).find((r) => r.body.message_delivery_report.status === status));
}

async function addWebhook(secret = SECRET, path = '/hook') {
	return sdk().webhooks.create({
		webhookCreateRequestBody: { app_id: acct().conversationAppId, target: `${hook}${path}`, target_type: 'HTTP', secret, triggers: ['MESSAGE_DELIVERY', 'MESSAGE_INBOUND'] },
	});
}

/** A message from the phone to the app's WhatsApp number, as the phone page sends it. */
async function writeFromPhone(body = 'Hi there', from = PHONE) {
	const answer = await sandboxControl(box.get(), 'POST', '/inbound', { from, to: WA(), body });
	expect(answer.httpStatus).toBe(201);
	return answer as StoredMessage & { webhook: string };
}

/** A quick-reply tap on the phone: stored, then handed to Sinch as the control API does. */
function tap(payload: string, replyTo: string, from = PHONE): StoredMessage {
	const sinch = box.get().api('sinch');
	const message = box.get().store(
		newMessage({ provider: 'sinch', id: sinch.newInboundId(), account: sinch.inboundAccount(), direction: 'inbound', from, to: WA(), body: payload, status: 'received', channel: 'whatsapp', whatsapp: { buttonPayload: payload, replyTo } }),
	);
	sinch.deliverInbound(message);
	return message;
}

async function token(): Promise<string> {
	const { keyId, keySecret } = acct();
	const res = await fetch(`${box.get().url}/oauth2/token`, {
		method: 'POST',
		headers: { Authorization: `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: 'grant_type=client_credentials',
	});
	return ((await res.json()) as { access_token: string }).access_token;
}

/** A raw call to the sandbox's Conversation API, bearer-authorized unless told otherwise. */
async function raw(method: string, path: string, body?: string, authorization?: string) {
	const res = await fetch(`${box.get().url}${path}`, {
		method,
		headers: { Authorization: authorization ?? `Bearer ${await token()}`, 'Content-Type': 'application/json' },
		body,
	});
	return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** The error body of a refusal the SDK threw. */
async function refusal(promise: Promise<unknown>): Promise<{ statusCode: number; body: any }> {
	const error = await rejectionOf(promise);
	return { statusCode: error.statusCode, body: error.data ? JSON.parse(error.data) : undefined };
}

const stored = (id: string) => box.get().messages.get(id) as StoredMessage;
const base = () => `/v1/projects/${acct().projectId}`;

describe('@sinch/sdk-core Conversation against the sandbox: WhatsApp', () => {
	it('sends text inside the window: QUEUED_ON_CHANNEL, DELIVERED, READ, each signed and accepted by the SDK', async () => {
		await addWebhook();
		const inbound = await writeFromPhone('Hi there');
		expect(inbound.webhook).toBe('posted');
		const mo = await waitFor(() => inbounds()[0]);
		const validator = new ConversationCallbackWebhooks(SECRET);
		expect(validator.validateAuthenticationHeader(mo.headers, mo.raw, '/hook', 'POST')).toBe(true);
		expect(validator.parseEvent(mo.raw)).toMatchObject({ trigger: 'MESSAGE_INBOUND', app_id: acct().conversationAppId, project_id: acct().projectId });
		expect(mo.body.message).toMatchObject({
			id: inbound.id,
			direction: 'TO_APP',
			contact_message: { text_message: { text: 'Hi there' } },
			channel_identity: { channel: 'WHATSAPP', identity: IDENTITY, app_id: '' },
			processing_mode: 'CONVERSATION',
		});
		const { contact_id: contactId, conversation_id: conversationId } = mo.body.message;
		expect([contactId, conversationId]).toEqual([expect.stringMatching(ULID), expect.stringMatching(ULID)]);

		const sent = await sdk().messages.sendTextMessage({
			sendMessageRequestBody: { app_id: acct().conversationAppId, recipient: to(), message: { text_message: { text: 'Hello from n8n' } }, message_metadata: 'order-1', correlation_id: 'corr-1' },
		});
		expect(sent.message_id).toMatch(ULID);
		expect(sent.accepted_time).toBeInstanceOf(Date);
		const id = String(sent.message_id);
		await waitForStatus(id, 'READ');
		expect(statusesOf(id)).toEqual(['QUEUED_ON_CHANNEL', 'DELIVERED', 'READ']);
		for (const report of reportsOf(id)) {
			expect(validator.validateAuthenticationHeader(report.headers, report.raw, '/hook', 'POST')).toBe(true);
			expect(new ConversationCallbackWebhooks('not-the-secret').validateAuthenticationHeader(report.headers, report.raw, '/hook', 'POST')).toBe(false);
			expect(report.headers['x-sinch-webhook-signature-algorithm']).toBe('HmacSHA256');
			expect(validator.parseEvent(report.raw).trigger).toBe('MESSAGE_DELIVERY');
		}
		expect(reportsOf(id)[1].body).toEqual({
			app_id: acct().conversationAppId,
			accepted_time: expect.any(String),
			event_time: expect.any(String),
			project_id: acct().projectId,
			message_delivery_report: {
				message_id: id,
				conversation_id: conversationId,
				status: 'DELIVERED',
				channel_identity: { channel: 'WHATSAPP', identity: IDENTITY, app_id: '' },
				contact_id: contactId,
				metadata: 'order-1',
				processing_mode: 'CONVERSATION',
			},
			message_metadata: '',
			correlation_id: 'corr-1',
		});
		const message = stored(id);
		expect(message).toMatchObject({ provider: 'sinch', channel: 'whatsapp', account: acct().projectId, from: WA(), to: PHONE, body: 'Hello from n8n', status: 'READ' });
		expect(message.attributes).toMatchObject({ appId: acct().conversationAppId, conversationId, contactId });
		expect(message.whatsapp?.readAt).toEqual(expect.any(String));
		// The SDK's request recorded the recipient, for faults addressed to it.
		expect(box.get().requests.find((r) => r.path.endsWith('/messages:send'))?.recipients).toEqual([PHONE]);
	});

	it('outside the window, free-form is accepted and then FAILED OUTSIDE_ALLOWED_SENDING_WINDOW; a template goes', async () => {
		await addWebhook();
		const app_id = acct().conversationAppId;
		const text = await sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to(), message: { text_message: { text: 'Are you there?' } } } });
		const failed = await waitForStatus(String(text.message_id), 'FAILED');
		expect(statusesOf(String(text.message_id))).toEqual(['QUEUED_ON_CHANNEL', 'FAILED']);
		expect(failed.body.message_delivery_report.reason).toEqual({ code: 'OUTSIDE_ALLOWED_SENDING_WINDOW', description: expect.stringContaining('24 hours'), sub_code: 'UNSPECIFIED_SUB_CODE' });
		expect(stored(String(text.message_id))).toMatchObject({ status: 'FAILED', errorCode: 'OUTSIDE_ALLOWED_SENDING_WINDOW' });

		const template = await sdk().messages.sendTemplateMessage({
			sendMessageRequestBody: {
				app_id,
				recipient: to(),
				message: { template_message: { channel_template: { WHATSAPP: { template_id: 'order_shipped', language_code: 'en', parameters: { name: 'Ada', order: 'A-42', date: '3 May' } } } } },
			},
		});
		const id = String(template.message_id);
		await waitForStatus(id, 'READ');
		expect(statusesOf(id)).toEqual(['QUEUED_ON_CHANNEL', 'DELIVERED', 'READ']);
		expect(stored(id)).toMatchObject({
			body: 'Hi Ada, your order A-42 has shipped and should arrive on 3 May.',
			whatsapp: {
				template: { id: 'order_shipped', name: 'order_shipped', language: 'en', variables: { name: 'Ada', order: 'A-42', date: '3 May' } },
				buttons: [
					{ title: 'Track', payload: 'track' },
					{ title: 'Talk to us', payload: 'talk' },
				],
			},
		});

		// The window opens when the contact writes, and closes again from the control API.
		await writeFromPhone('ok');
		const inside = await sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to(PHONE.slice(1)), message: { text_message: { text: 'Now I can' } } } });
		await waitForStatus(String(inside.message_id), 'DELIVERED');
		expect((await sandboxControl(box.get(), 'PUT', '/sinch/whatsapp-window', { number: PHONE, open: false })).windows).toEqual([]);
		const closed = await sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to(), message: { text_message: { text: 'Too late' } } } });
		expect((await waitForStatus(String(closed.message_id), 'FAILED')).body.message_delivery_report.reason.code).toBe('OUTSIDE_ALLOWED_SENDING_WINDOW');
	});

	it('sends media, and media with a caption as a card', async () => {
		await addWebhook();
		await writeFromPhone();
		const app_id = acct().conversationAppId;
		const media = await sdk().messages.sendMediaMessage({
			sendMessageRequestBody: { app_id, recipient: to(), message: { media_message: { url: 'https://example.com/invoice.pdf', filename_override: 'invoice-42.pdf' } } },
		});
		await waitForStatus(String(media.message_id), 'DELIVERED');
		expect(stored(String(media.message_id))).toMatchObject({ body: '', mediaUrls: ['https://example.com/invoice.pdf'], attributes: { filename: 'invoice-42.pdf' } });

		const card = await sdk().messages.sendCardMessage({
			sendMessageRequestBody: { app_id, recipient: to(), message: { card_message: { title: 'Your parcel', description: 'Left at the door', media_message: { url: 'https://example.com/door.jpg' } } } },
		});
		await waitForStatus(String(card.message_id), 'DELIVERED');
		expect(stored(String(card.message_id))).toMatchObject({ body: 'Your parcel\nLeft at the door', mediaUrls: ['https://example.com/door.jpg'], whatsapp: { caption: 'Your parcel\nLeft at the door' } });
	});

	it('sends quick replies as a choice message; a tap comes back as a choice response with the postback data', async () => {
		await addWebhook();
		await writeFromPhone();
		const sent = await sdk().messages.sendChoiceMessage({
			sendMessageRequestBody: {
				app_id: acct().conversationAppId,
				recipient: to(),
				message_metadata: 'ticket-7',
				message: {
					choice_message: {
						text_message: { text: 'Was this helpful?' },
						choices: [{ text_message: { text: 'Yes' }, postback_data: 'helpful_yes' }, { text_message: { text: 'No' } }],
					},
				},
			},
		});
		const id = String(sent.message_id);
		await waitForStatus(id, 'DELIVERED');
		expect(stored(id)).toMatchObject({
			body: 'Was this helpful?',
			whatsapp: {
				buttons: [
					{ title: 'Yes', payload: 'helpful_yes' },
					{ title: 'No', payload: `${id}_No` },
				],
			},
		});
		received = [];
		tap('helpful_yes', id);
		const response = await waitFor(() => inbounds()[0]);
		expect(new ConversationCallbackWebhooks(SECRET).validateAuthenticationHeader(response.headers, response.raw, '/hook', 'POST')).toBe(true);
		expect(response.body.message).toMatchObject({ direction: 'TO_APP', contact_message: { choice_response_message: { message_id: id, postback_data: 'helpful_yes' } }, metadata: 'ticket-7' });
	});

	it('renders templates by name or position, in each language, with the payloads sent; a template button tap comes back', async () => {
		await addWebhook();
		const app_id = acct().conversationAppId;
		const send = (WHATSAPP: Record<string, unknown>) =>
			sdk().messages.sendTemplateMessage({ sendMessageRequestBody: { app_id, recipient: to(), message: { template_message: { channel_template: { WHATSAPP: WHATSAPP as any } } } } });
		const positional = await send({
			template_id: 'expense_approval',
			language_code: 'en',
			parameters: { 'body[1]text': 'Grace', 'body[2]text': '€120', 'body[3]text': 'a train ticket', 'button[0]quick_reply[1]payload': 'approve:exp-9', 'button[1]quick_reply[1]payload': 'decline:exp-9' },
		});
		const id = String(positional.message_id);
		await waitForStatus(id, 'DELIVERED');
		expect(stored(id)).toMatchObject({
			body: 'Grace submitted an expense of €120 for a train ticket. Do you approve it?',
			whatsapp: {
				template: { id: 'expense_approval', language: 'en', variables: { employee: 'Grace', amount: '€120', purpose: 'a train ticket' } },
				buttons: [
					{ title: 'Approve', payload: 'approve:exp-9' },
					{ title: 'Decline', payload: 'decline:exp-9' },
				],
			},
		});
		// The phone page's tap: POST /__sandbox/inbound with the button and the message it answers.
		const answer = await sandboxControl(box.get(), 'POST', '/inbound', { from: PHONE, button: { title: 'Approve', payload: 'approve:exp-9' }, replyTo: id });
		expect(answer).toMatchObject({ httpStatus: 201, channel: 'whatsapp', webhook: 'posted' });
		const tapped = await waitFor(() => inbounds()[0]);
		expect(tapped.body.message.contact_message).toEqual({ choice_response_message: { message_id: id, postback_data: 'approve:exp-9' } });

		const turkish = await send({ template_id: 'appointment_reminder', language_code: 'tr', parameters: { provider: 'Dr. Yılmaz', date: '12 Mayıs', time: '14:30' } });
		await waitForStatus(String(turkish.message_id), 'DELIVERED');
		expect(stored(String(turkish.message_id)).body).toBe('Hatırlatma: Dr. Yılmaz ile randevunuz 12 Mayıs tarihinde saat 14:30.');
		expect(stored(String(turkish.message_id)).whatsapp?.buttons?.map((b) => b.payload)).toEqual(['confirm', 'reschedule']);

		// An omni-channel template reference (a version is required) finds the same templates.
		const omni = await sdk().messages.sendTemplateMessage({
			sendMessageRequestBody: { app_id, recipient: to(), message: { template_message: { omni_template: { template_id: 'order_shipped', version: 'latest', language_code: 'en', parameters: { name: 'Lin', order: '7', date: 'today' } } } } },
		});
		await waitForStatus(String(omni.message_id), 'DELIVERED');
		expect(stored(String(omni.message_id)).body).toBe('Hi Lin, your order 7 has shipped and should arrive on today.');
		expect(SINCH_WHATSAPP_TEMPLATES.map((t) => `${t.name}/${t.language}`)).toEqual(['order_shipped/en', 'expense_approval/en', 'appointment_reminder/en', 'appointment_reminder/tr', 'spring_sale/en', 'win_a_prize/en']);
	});

	it('fails a template the app lacks, a language it lacks, and a parameter left out, after accepting them', async () => {
		await addWebhook();
		const app_id = acct().conversationAppId;
		const send = async (WHATSAPP: Record<string, unknown>) => {
			const sent = await sdk().messages.sendTemplateMessage({ sendMessageRequestBody: { app_id, recipient: to(), message: { template_message: { channel_template: { WHATSAPP: WHATSAPP as any } } } } });
			expect(sent.message_id).toMatch(ULID);
			const failed = await waitForStatus(String(sent.message_id), 'FAILED');
			return { reason: failed.body.message_delivery_report.reason.code, message: stored(String(sent.message_id)) };
		};
		const unknown = await send({ template_id: 'no_such_template', language_code: 'en', parameters: { name: 'Ada' } });
		expect(unknown.reason).toBe('TEMPLATE_NOT_FOUND');
		expect(unknown.message.body).toBe('[template no_such_template] name=Ada');
		expect((await send({ template_id: 'order_shipped', language_code: 'de', parameters: { name: 'Ada', order: '1', date: 'x' } })).reason).toBe('TEMPLATE_NON_EXISTING_LANGUAGE_OR_VERSION');
		expect((await send({ template_id: 'order_shipped', language_code: 'en', parameters: { name: 'Ada' } })).reason).toBe('TEMPLATE_INSUFFICIENT_PARAMETERS');
		expect((await send({ template_id: 'order_shipped', language_code: 'en', parameters: { name: 'Ada', order: '', date: 'x' } })).reason).toBe('TEMPLATE_INSUFFICIENT_PARAMETERS');
		expect((await send({ template_id: 'order_shipped', parameters: { name: 'Ada', order: '1', date: 'x' } })).reason).toBe('BAD_REQUEST');
	});

	it('fails the magic numbers as WhatsApp would, after accepting them', async () => {
		await addWebhook();
		const app_id = acct().conversationAppId;
		const cases: Array<[string, string]> = [
			['+12125550101', 'RECIPIENT_INVALID_CHANNEL_IDENTITY'],
			['+12125550103', 'RECIPIENT_NOT_REACHABLE'],
			['+12125550104', 'RECIPIENT_NOT_REACHABLE'],
			['+12125550105', 'DELIVERY_REJECTED_DUE_TO_POLICY'],
			['+12125550102', 'RECIPIENT_NOT_OPTED_IN'],
		];
		for (const [number, reason] of cases) {
			const sent = await sdk().messages.sendTemplateMessage({
				sendMessageRequestBody: { app_id, recipient: to(number), message: { template_message: { channel_template: { WHATSAPP: { template_id: 'order_shipped', language_code: 'en', parameters: { name: 'A', order: '1', date: 'd' } } } } } },
			});
			const failed = await waitForStatus(String(sent.message_id), 'FAILED');
			expect([number, failed.body.message_delivery_report.reason.code]).toEqual([number, reason]);
		}
	});

	it('sends delivery reports to a callback_url instead of the webhooks, signed with the app secret for overridden URLs', async () => {
		await addWebhook();
		await writeFromPhone();
		const app = await sdk().app.update({ app_id: acct().conversationAppId, appUpdateRequestBody: { callback_settings: { secret_for_overridden_callback_urls: 'override-secret' } } });
		expect(app.callback_settings?.secret_for_overridden_callback_urls).toBe('override-secret');
		received = [];
		const sent = await sdk().messages.send({ sendMessageRequestBody: { app_id: acct().conversationAppId, recipient: to(), callback_url: `${hook}/per-message`, message: { text_message: { text: 'x' } } } });
		const read = await waitForStatus(String(sent.message_id), 'READ');
		expect(reportsOf(String(sent.message_id)).map((r) => r.path)).toEqual(['/per-message', '/per-message', '/per-message']);
		expect(new ConversationCallbackWebhooks('override-secret').validateAuthenticationHeader(read.headers, read.raw, '/per-message', 'POST')).toBe(true);
	});
});

describe('webhooks and messages APIs through the SDK', () => {
	it('creates, lists, reads, updates and deletes webhooks; refuses a sixth and a bad trigger', async () => {
		const app_id = acct().conversationAppId;
		const created = await addWebhook();
		expect(created).toEqual({ id: expect.stringMatching(ULID), app_id, target: `${hook}/hook`, target_type: 'HTTP', secret: SECRET, triggers: ['MESSAGE_DELIVERY', 'MESSAGE_INBOUND'] });
		const id = String(created.id);
		expect((await sdk().webhooks.list({ app_id })).webhooks).toEqual([created]);
		expect(await sdk().webhooks.get({ webhook_id: id })).toEqual(created);
		const updated = await sdk().webhooks.update({ webhook_id: id, update_mask: ['triggers'], webhookUpdateRequestBody: { target: 'https://ignored.example.com', triggers: ['MESSAGE_INBOUND'] } });
		expect([updated.target, updated.triggers]).toEqual([`${hook}/hook`, ['MESSAGE_INBOUND']]);
		for (let i = 0; i < 4; i++) await addWebhook('', `/more${i}`);
		expect(await refusal(addWebhook())).toMatchObject({ statusCode: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT' } } });
		await sdk().webhooks.delete({ webhook_id: id });
		expect((await sdk().webhooks.list({ app_id })).webhooks).toHaveLength(4);
		expect(await refusal(sdk().webhooks.get({ webhook_id: id }))).toMatchObject({ statusCode: 404, body: { error: { status: 'NOT_FOUND' } } });
		const badTrigger = sdk().webhooks.create({ webhookCreateRequestBody: { app_id, target: `${hook}/x`, triggers: ['NOT_A_TRIGGER' as any] } });
		expect(await refusal(badTrigger)).toMatchObject({ statusCode: 400, body: { error: { status: 'INVALID_ARGUMENT' } } });
		const otherApp = sdk().webhooks.create({ webhookCreateRequestBody: { app_id: '01NOSUCHAPP000000000000000', target: `${hook}/x`, triggers: ['MESSAGE_INBOUND'] } });
		expect(await refusal(otherApp)).toMatchObject({ statusCode: 404, body: { error: { status: 'NOT_FOUND' } } });
	});

	it('lists messages both ways, newest first, filtered by direction and identity, page by page; reads one', async () => {
		const app_id = acct().conversationAppId;
		const inbound = await writeFromPhone('first');
		const out1 = await sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to(), message: { text_message: { text: 'reply 1' } } } });
		const out2 = await sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to(), message: { text_message: { text: 'reply 2' } } } });
		await sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to('+447700900123'), message: { text_message: { text: 'someone else' } } } });

		// The SDK writes channel_identity into the query unencoded: its "+" arrives as a space, and still matches.
		const toApp = await sdk().messages.list({ app_id, channel_identity: PHONE, direction: 'TO_APP' });
		expect(toApp.data.map((m) => m.id)).toEqual([inbound.id]);
		expect(toApp.data[0]).toMatchObject({ direction: 'TO_APP', contact_message: { text_message: { text: 'first' } }, channel_identity: { channel: 'WHATSAPP', identity: IDENTITY }, injected: false });
		expect(toApp.data[0].accept_time).toBeInstanceOf(Date);
		expect(toApp.hasNextPage).toBe(false);

		const toContact = await sdk().messages.list({ app_id, channel_identity: IDENTITY, direction: 'TO_CONTACT', channel: 'WHATSAPP' });
		expect(toContact.data.map((m) => m.id)).toEqual([out2.message_id, out1.message_id]);
		expect(toContact.data[0]).toMatchObject({ app_message: { text_message: { text: 'reply 2' } }, processing_mode: 'CONVERSATION' });

		const first = await sdk().messages.list({ app_id, channel_identity: IDENTITY, page_size: 2 });
		expect(first.data.map((m) => m.id)).toEqual([out2.message_id, out1.message_id]);
		expect(first.hasNextPage).toBe(true);
		const second = await first.nextPage();
		expect(second.data.map((m) => m.id)).toEqual([inbound.id]);
		expect(second.hasNextPage).toBe(false);
		const all: string[] = [];
		for await (const m of sdk().messages.list({ app_id, page_size: 1 })) all.push(String(m.id));
		expect(all).toHaveLength(4);

		const one = await sdk().messages.get({ message_id: String(out1.message_id) });
		expect(one).toMatchObject({ id: out1.message_id, direction: 'TO_CONTACT', channel_identity: { identity: IDENTITY } });
		expect(await refusal(sdk().messages.get({ message_id: '01NOSUCHMESSAGE00000000000' }))).toMatchObject({ statusCode: 404, body: { error: { status: 'NOT_FOUND' } } });
		const later = await sdk().messages.list({ app_id, start_time: new Date(Date.now() + 60_000) });
		expect(later.data).toEqual([]);
	});
});

describe('errors in the Conversation envelope, and faults', () => {
	it('refuses bad credentials with 401: a wrong key secret in the SDK, a bad token, no credentials; Basic auth works', async () => {
		const denied = await rejectionOf(sdk('wrong').messages.list({}));
		expect(denied.statusCode).toBe(401);
		const bad = await raw('GET', `${base()}/messages`, undefined, 'Bearer not-a-token');
		expect(bad).toMatchObject({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED', details: [] } } });
		expect((await raw('GET', `${base()}/messages`, undefined, '')).status).toBe(401);
		const { keyId, keySecret } = acct();
		const basic = await raw('GET', `${base()}/apps/${acct().conversationAppId}`, undefined, `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`);
		expect(basic).toMatchObject({ status: 200, body: { id: acct().conversationAppId, channel_credentials: [{ channel: 'WHATSAPP' }] } });
	});

	it('answers malformed and invalid sends with 400 (or 403, 404) in the envelope, never a crash', async () => {
		const send = `${base()}/messages:send`;
		const valid = { app_id: acct().conversationAppId, recipient: to(), message: { text_message: { text: 'x' } } };
		const cases: Array<[string, number, string]> = [
			['{"app_id": "x",', 400, 'INVALID_ARGUMENT'],
			['[]', 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, app_id: '01NOSUCHAPP000000000000000' }), 404, 'NOT_FOUND'],
			[JSON.stringify({ ...valid, recipient: to('call me') }), 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, recipient: { identified_by: { channel_identities: [{ channel: 'SMS', identity: IDENTITY }] } } }), 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, recipient: { contact_id: '01NOSUCHCONTACT00000000000' } }), 404, 'NOT_FOUND'],
			[JSON.stringify({ ...valid, message: {} }), 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, message: { text_message: { text: 'x' }, media_message: { url: 'https://example.com/a.png' } } }), 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, message: { media_message: { url: 'file:///etc/passwd' } } }), 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, message: { template_message: { channel_template: { WHATSAPP: { language_code: 'en' } } } } }), 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, colour: 'blue' }), 400, 'INVALID_ARGUMENT'],
			[JSON.stringify({ ...valid, callback_url: 'ftp://example.com' }), 400, 'INVALID_ARGUMENT'],
		];
		for (const [body, status, name] of cases) {
			const answer = await raw('POST', send, body);
			expect([body, answer.status, answer.body.error?.status, answer.body.error?.code]).toEqual([body, status, name, status]);
			expect(answer.body.error.message).toEqual(expect.any(String));
		}
		const otherProject = await raw('POST', '/v1/projects/another-project/messages:send', JSON.stringify(valid));
		expect(otherProject).toMatchObject({ status: 403, body: { error: { status: 'PERMISSION_DENIED' } } });
		expect((await raw('GET', `${base()}/nothing/here`)).body.error.status).toBe('NOT_FOUND');
		expect((await raw('PUT', `${base()}/messages:send`, JSON.stringify(valid))).status).toBe(405);
		expect((await raw('GET', `${base()}/messages?page_size=0`)).status).toBe(400);
		expect((await raw('GET', `${base()}/messages?page_token=%%%`)).status).toBe(400);
		expect(box.get().errors).toEqual([]);
		expect([...box.get().messages.values()]).toEqual([]);
	});

	it('injected faults answer in the envelope, addressed by the WhatsApp recipient', async () => {
		box.get().addFault({ provider: 'sinch', to: '+447700900999', type: 'status', status: 503, retryAfter: 2 });
		const app_id = acct().conversationAppId;
		const ok = await sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to(), message: { text_message: { text: 'x' } } } });
		expect(ok.message_id).toMatch(ULID);
		const faulted = await refusal(sdk().messages.send({ sendMessageRequestBody: { app_id, recipient: to('+447700900999'), message: { text_message: { text: 'x' } } } }));
		expect(faulted).toMatchObject({ statusCode: 503, body: { error: { code: 503, status: 'UNAVAILABLE' } } });
		expect(box.get().requests.find((r) => r.fault)).toMatchObject({ recipients: ['+447700900999'], status: 503, fault: 'status 503' });
		// A client that holds its token already (a fresh one would meet the fault at /oauth2/token, and retry it).
		const client = sdk();
		await client.webhooks.list({ app_id });
		box.get().addFault({ provider: 'sinch', type: 'status', status: 429 });
		expect(await refusal(client.webhooks.list({ app_id }))).toMatchObject({ statusCode: 429, body: { error: { status: 'RESOURCE_EXHAUSTED' } } });
	});

	it('a fired test webhook for WhatsApp is a Conversation callback the SDK accepts, or rejects when forged', async () => {
		const sinch = box.get().api('sinch');
		const inbound = sinch.webhook({ url: `${hook}/t`, event: 'inbound', from: PHONE, to: WA(), body: 'Hello', status: '', channel: 'whatsapp' });
		const validator = new ConversationCallbackWebhooks(acct().webhookSecret);
		expect(validator.validateAuthenticationHeader(inbound.headers, inbound.body, '/t', 'POST')).toBe(true);
		expect(JSON.parse(inbound.body).message).toMatchObject({ direction: 'TO_APP', contact_message: { text_message: { text: 'Hello' } }, channel_identity: { identity: IDENTITY } });
		const tapped = sinch.webhook({ url: `${hook}/t`, event: 'inbound', from: PHONE, to: WA(), body: 'Track', status: '', button: { title: 'Track', payload: 'track' }, replyTo: '01MSG' });
		expect(JSON.parse(tapped.body).message.contact_message).toEqual({ choice_response_message: { message_id: '01MSG', postback_data: 'track' } });
		const status = sinch.webhook({ url: `${hook}/t`, event: 'status', from: WA(), to: PHONE, body: '', status: 'failed', errorCode: 'OUTSIDE_ALLOWED_SENDING_WINDOW', messageId: '01MSG' });
		expect(JSON.parse(status.body).message_delivery_report).toMatchObject({ message_id: '01MSG', status: 'FAILED', reason: { code: 'OUTSIDE_ALLOWED_SENDING_WINDOW' } });
		// As the control API fills a WhatsApp status spec (from the phone, to the app's number): the contact is still the phone.
		const swapped = sinch.webhook({ url: `${hook}/t`, event: 'status', from: PHONE, to: WA(), body: '', status: 'read', channel: 'whatsapp' });
		expect(JSON.parse(swapped.body).message_delivery_report).toMatchObject({ status: 'READ', channel_identity: { identity: IDENTITY } });
		const forged = sinch.webhook({ url: `${hook}/t`, event: 'status', from: WA(), to: PHONE, body: '', status: 'delivered', forge: 'signature' });
		expect(validator.validateAuthenticationHeader(forged.headers, forged.body, '/t', 'POST')).toBe(false);
		// An SMS spec still builds an XMS callback.
		expect(JSON.parse(sinch.webhook({ url: `${hook}/t`, event: 'inbound', from: PHONE, to: acct().numbers[0], body: 'sms', status: '' }).body).type).toBe('mo_text');
	});

	it('the dashboard webhook from the control API gets inbound messages; none configured says so', async () => {
		expect((await writeFromPhone('nobody listens')).webhook).toBe('none configured');
		const set = await sandboxControl(box.get(), 'PUT', '/sinch/conversation-webhook', { target: `${hook}/dash`, secret: 's3' });
		expect(set).toMatchObject({ httpStatus: 200, target: `${hook}/dash`, triggers: ['MESSAGE_DELIVERY', 'MESSAGE_INBOUND'] });
		expect((await writeFromPhone('hello dashboard')).webhook).toBe('posted');
		const mo = await waitFor(() => inbounds()[0]);
		expect(mo.path).toBe('/dash');
		expect(new ConversationCallbackWebhooks('s3').validateAuthenticationHeader(mo.headers, mo.raw, '/dash', 'POST')).toBe(true);
		expect((await sdk().webhooks.list({ app_id: acct().conversationAppId })).webhooks).toHaveLength(1);
		expect((await sandboxControl(box.get(), 'PUT', '/sinch/conversation-webhook', { target: `${hook}/dash` })).secret).toBe(acct().webhookSecret);
		expect((await sandboxControl(box.get(), 'PUT', '/sinch/conversation-webhook', { target: '' })).target).toBe('');
		expect((await sandboxControl(box.get(), 'GET', '/sinch/whatsapp-templates')).templates).toHaveLength(SINCH_WHATSAPP_TEMPLATES.length);
	});
});

describe('an expired access token', () => {
	it('is refused with 401 and "expired", and the SDK fetches a new one and retries', async () => {
		// Tokens live 3599 s, scaled: 0.36 s here.
		const fast = await startSandbox({ port: 0, timeScale: 0.0001 });
		try {
			const client = sdkFor(fast);
			const app_id = fast.accounts.sinch.conversationAppId;
			expect((await client.webhooks.list({ app_id })).webhooks).toEqual([]);
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect((await client.webhooks.list({ app_id })).webhooks).toEqual([]);
			const tokenCalls = fast.requests.filter((r) => r.path === '/oauth2/token');
			const expired = fast.requests.filter((r) => r.path.endsWith('/webhooks') && r.status === 401);
			expect([tokenCalls.length, expired.length]).toEqual([2, 1]);
		} finally {
			await fast.stop();
		}
	});
});
