/**
 * Send WhatsApp, run by n8n's real engine against the sandbox over real HTTP: Twilio (Messages API with whatsapp:
 * addresses, Content API templates) and Sinch (Conversation API with the project's OAuth2 token). Text, media,
 * templates with variables, buttons, the 24-hour window (a clear refusal, or a template instead), bad input, and
 * the editor's template list and variable fields.
 */
import type { IDataObject, INodeListSearchResult, ResourceMapperFields } from 'n8n-workflow';
import { TWILIO_TEMPLATE_SIDS } from '../../sandbox/twilioContentSeeds';
import { sandboxCredential } from '../helpers/credentials';
import type { Engine } from '../helpers/engine';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';
import { TriggerHarness } from '../helpers/trigger';
import { useEngine } from '../helpers/useEngine';

const box = useSandbox();
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
	engine.setCredentials('messagingSinchApi', sandboxCredential(box.get(), 'Sandbox Sinch (project, WhatsApp)'));
});

const PHONE = '+33612345678';
const TWILIO_WA = '+14155238886';
const SINCH_WA = '+12025550155';
const fast = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5000 };
const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);
/** The customer writes first: the 24-hour window opens. */
const customerWrites = (to: string, from = PHONE) => control('POST', '/inbound', { from, to, body: 'Hello', channel: 'whatsapp' });
const stored = () => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api');
const posts = (path: RegExp) => box.get().requests.filter((r) => r.method === 'POST' && path.test(r.path));
const TWILIO_MESSAGES = /\/Messages\.json$/;
const SINCH_SEND = /messages:send$/;

function node(parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	const { options, ...rest } = parameters as { options?: IDataObject };
	return {
		type: 'sendWhatsApp',
		name: 'Send WhatsApp',
		...extra,
		parameters: { provider: 'twilio', to: '={{ $json.phone }}', twilioWhatsAppFrom: TWILIO_WA, ...rest, options: { ...fast, ...options } },
	};
}

const twilioTemplate = (sid: string, variables: Record<string, string>) => ({
	operation: 'sendTemplate',
	template: { __rl: true, mode: 'list', value: sid },
	templateVariables: { mappingMode: 'defineBelow', value: variables },
});

describe('Send WhatsApp · Twilio', () => {
	it('sends an approved template with its variables at any time: the one output shape, the rendered text and buttons on the phone', async () => {
		const result = await engine.run(
			[{ phone: '06 12 34 56 78', name: 'Ada', order: '#1042' }],
			[node({ ...twilioTemplate(TWILIO_TEMPLATE_SIDS.orderShipped, { '1': '={{ $json.name }}', '2': '={{ $json.order }}', '3': 'Friday' }), defaultCountry: 'FR' })],
		);
		expect(result.error()).toBeUndefined();
		const [item] = result.items('Send WhatsApp');
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual({
			provider: 'twilio',
			messageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
			status: 'queued',
			providerStatus: 'queued',
			to: PHONE,
			from: TWILIO_WA,
			channel: 'whatsapp',
			segments: null,
			encoding: null,
			type: 'template',
			template: { id: TWILIO_TEMPLATE_SIDS.orderShipped, name: 'order_shipped', language: 'en' },
			priceUnit: 'USD',
			fallbackUsed: false,
			attempts: 1,
			sentAt: expect.any(String),
			raw: expect.objectContaining({ to: `whatsapp:${PHONE}` }),
		});
		const [message] = stored();
		expect(message).toMatchObject({ channel: 'whatsapp', to: `whatsapp:${PHONE}`, body: 'Hi Ada, your order #1042 has shipped and arrives Friday.' });
		expect(message.whatsapp?.buttons).toEqual([
			{ title: 'Track', payload: 'track' },
			{ title: 'Talk to us', payload: 'talk' },
		]);
		// Delivered and read, as WhatsApp reports it.
		await waitFor(() => message.status === 'read', 10_000);
	});

	it('refuses a template variable left empty, and a template the account does not have, before sending', async () => {
		const result = await engine.run(
			[{ phone: PHONE, name: 'Ada' }, { phone: PHONE }],
			[node({ ...twilioTemplate(TWILIO_TEMPLATE_SIDS.orderShipped, { '1': '={{ $json.name }}', '2': '#1', '3': '' }) }, { continueOnFail: true })],
		);
		const items = result.items('Send WhatsApp').map((i) => i.json);
		expect(items[0]).toMatchObject({ to: PHONE, error: 'Template "order_shipped" needs a value for {{3}}', errorDescription: 'Nothing was sent.' });
		expect(items[1].error).toBe('Template "order_shipped" needs a value for {{1}}, {{3}}');
		const unknown = await engine.run([{ phone: PHONE }], [node(twilioTemplate(`HX${'0'.repeat(32)}`, {}))]);
		expect(unknown.error()?.message).toBe(`Template: the Twilio account has no template HX${'0'.repeat(32)}`);
		expect(posts(TWILIO_MESSAGES)).toHaveLength(0);
	});

	it('refuses a template WhatsApp has not approved outside the window, with the reason; inside the window it goes', async () => {
		const rejected = await engine.run([{ phone: PHONE }], [node(twilioTemplate(TWILIO_TEMPLATE_SIDS.winAPrize, { '1': 'Ada' }))]);
		expect(rejected.error()?.message).toMatch(/^Template "win_a_prize" is not approved for WhatsApp \(rejected: .+\); outside the 24-hour window WhatsApp delivers approved templates only$/);
		const unsubmitted = await engine.run([{ phone: PHONE }], [node(twilioTemplate(TWILIO_TEMPLATE_SIDS.springSale, { '1': '20%' }))]);
		expect(unsubmitted.error()?.message).toBe('Template "spring_sale" is not approved for WhatsApp (unsubmitted); outside the 24-hour window WhatsApp delivers approved templates only');
		expect(posts(TWILIO_MESSAGES)).toHaveLength(0);
		await customerWrites(`whatsapp:${TWILIO_WA}`);
		const inside = await engine.run([{ phone: PHONE }], [node(twilioTemplate(TWILIO_TEMPLATE_SIDS.springSale, { '1': '20%' }))]);
		expect(inside.error()).toBeUndefined();
		expect(stored()[0].body).toBe('Spring sale: 20% off everything until Sunday. Want the catalogue?');
	});

	it('sends free-form text and media inside the window', async () => {
		await customerWrites(`whatsapp:${TWILIO_WA}`);
		const result = await engine.run(
			[{ phone: PHONE }],
			[node({ operation: 'sendMessage', message: 'Your parcel is at the door 📦' }), node({ operation: 'sendMessage', messageType: 'media', to: PHONE, mediaUrl: 'https://example.com/label.pdf', caption: 'Your label' }, { name: 'Media' })],
		);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send WhatsApp')[0].json).toMatchObject({ type: 'text', status: 'queued', windowOpen: true, templateFallback: false });
		expect(result.items('Media')[0].json).toMatchObject({ type: 'media', status: 'queued' });
		const [text, media] = stored();
		expect([text.body, text.channel]).toEqual(['Your parcel is at the door 📦', 'whatsapp']);
		expect([media.body, media.mediaUrls]).toEqual(['Your label', ['https://example.com/label.pdf']]);
	});

	it('outside the window: a clear error and nothing sent; or the template instead; or sent anyway and failed 63016 later', async () => {
		const refused = await engine.run([{ phone: PHONE }], [node({ operation: 'sendMessage', message: 'Are you there?' })]);
		expect(refused.error()?.message).toBe('WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message (Twilio 63016): send an approved template instead.');
		expect(refused.error()?.description).toContain('Send a Template Instead');
		expect(posts(TWILIO_MESSAGES)).toHaveLength(0);

		const instead = await engine.run(
			[{ phone: PHONE, name: 'Ada' }],
			[
				node({
					operation: 'sendMessage',
					message: 'Are you there?',
					outsideWindow: 'template',
					fallbackTemplate: { __rl: true, mode: 'id', value: TWILIO_TEMPLATE_SIDS.orderShipped },
					fallbackTemplateVariables: { mappingMode: 'defineBelow', value: { '1': '={{ $json.name }}', '2': '#7', '3': 'soon' } },
				}),
			],
		);
		expect(instead.error()).toBeUndefined();
		expect(instead.items('Send WhatsApp')[0].json).toMatchObject({ type: 'template', templateFallback: true, windowOpen: false, template: { name: 'order_shipped' } });
		expect(stored().map((m) => m.body)).toEqual(['Hi Ada, your order #7 has shipped and arrives soon.']);

		const anyway = await engine.run([{ phone: PHONE }], [node({ operation: 'sendMessage', message: 'Anyone?', outsideWindow: 'send' })]);
		const sent = anyway.items('Send WhatsApp')[0].json;
		expect(sent).toMatchObject({ status: 'queued', windowOpen: null });
		await waitFor(() => stored().find((m) => m.id === sent.messageId && m.status === 'failed'), 10_000);
		const status = await engine.run([{ id: sent.messageId }], [{ type: 'sendWhatsApp', name: 'Status', parameters: { operation: 'getStatus', provider: 'twilio', messageId: '={{ $json.id }}' } }]);
		expect(status.items('Status')[0].json).toMatchObject({
			provider: 'twilio',
			status: 'failed',
			errorCode: '63016',
			errorMessage: 'WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message (Twilio 63016): send an approved template instead',
			channel: 'whatsapp',
			to: PHONE,
		});
	});

	it('refuses bad input item by item and sends the rest: a media URL that is not http(s), an empty message, an invalid number', async () => {
		await customerWrites(`whatsapp:${TWILIO_WA}`);
		const result = await engine.run(
			[
				{ phone: PHONE, url: 'ftp://example.com/a.png' },
				{ phone: PHONE, url: 'https://example.com/a.png' },
				{ phone: '12', url: 'https://example.com/a.png' },
				{ phone: PHONE, url: 'javascript:alert(1)' },
			],
			[node({ operation: 'sendMessage', messageType: 'media', mediaUrl: '={{ $json.url }}' }, { continueOnFail: true })],
		);
		const items = result.items('Send WhatsApp').map((i) => i.json);
		expect(items.map((i) => i.error ?? i.status)).toEqual([
			'Media URL must be an http:// or https:// URL: "ftp://example.com/a.png" is not one',
			'queued',
			expect.stringMatching(/^Invalid recipient: /),
			'Media URL must be an http:// or https:// URL: "javascript:alert(1)" is not one',
		]);
		expect(stored()).toHaveLength(1);
		const empty = await engine.run([{ phone: PHONE }], [node({ operation: 'sendMessage', message: '  ' })]);
		expect(empty.error()?.message).toBe('The message is empty');
		const buttons = await engine.run([{ phone: PHONE }], [node({ operation: 'sendMessage', message: 'Ok?', buttons: { button: [{ title: 'Yes' }] } })]);
		// Twilio has no free-form buttons: the parameter is not shown, and a value left in it is not read.
		expect(buttons.error()).toBeUndefined();
	});

	it('with Retry On Fail, an item already sent is never sent again when a later item fails the node', async () => {
		const result = await engine.run(
			[{ phone: PHONE }, { phone: '12' }],
			[node(twilioTemplate(TWILIO_TEMPLATE_SIDS.orderShipped, { '1': 'Ada', '2': '#1', '3': 'soon' }), { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 })],
		);
		expect(result.error()?.message).toMatch(/^Invalid recipient: /);
		expect(stored()).toHaveLength(1);
		expect(posts(TWILIO_MESSAGES)).toHaveLength(1);
	});

	it('maps the variables automatically from the input item by their names, and sends only the template’s own variables', async () => {
		const auto = await engine.run(
			[{ phone: PHONE, first_name: 'Grace', tracking_code: '1Z42', unrelated: 'x' }],
			[node({ operation: 'sendTemplate', template: { __rl: true, mode: 'id', value: TWILIO_TEMPLATE_SIDS.deliveryUpdate }, templateVariables: { mappingMode: 'autoMapInputData', value: null } })],
		);
		expect(auto.error()).toBeUndefined();
		expect(stored()[0].body).toBe('Hello Grace, your parcel 1Z42 is out for delivery today.');
		expect(stored()[0].whatsapp?.template?.variables).toEqual({ first_name: 'Grace', tracking_code: '1Z42' });
		const missing = await engine.run(
			[{ phone: PHONE, first_name: 'Grace' }],
			[node({ operation: 'sendTemplate', template: { __rl: true, mode: 'id', value: TWILIO_TEMPLATE_SIDS.deliveryUpdate }, templateVariables: { mappingMode: 'autoMapInputData', value: null } })],
		);
		expect(missing.error()?.message).toBe('Template "delivery_update" needs a value for {{tracking_code}}');
		expect(missing.error()?.description).toContain('mapped automatically');
		// Values left over from another template are not sent.
		const stale = await engine.run([{ phone: PHONE }], [node(twilioTemplate(TWILIO_TEMPLATE_SIDS.orderShipped, { '1': 'Ada', '2': '#1', '3': 'soon', '9': 'old', first_name: 'old' }))]);
		expect(stale.error()).toBeUndefined();
		expect(stored()[1].whatsapp?.template?.variables).toEqual({ '1': 'Ada', '2': '#1', '3': 'soon' });
	});

	it('through a Messaging Service, reads the window from the messages to any of its senders', async () => {
		const SERVICE = box.get().accounts.twilio.messagingServiceSid;
		const viaService = { twilioWhatsAppSenderType: 'messagingService', twilioWhatsAppServiceSid: SERVICE, twilioWhatsAppFrom: undefined };
		const closed = await engine.run([{ phone: PHONE }], [node({ operation: 'sendMessage', message: 'Hi', ...viaService })]);
		expect(closed.error()?.message).toContain('(Twilio 63016)');
		await customerWrites(`whatsapp:${TWILIO_WA}`);
		const open = await engine.run([{ phone: PHONE }], [node({ operation: 'sendMessage', message: 'Hi', ...viaService })]);
		expect(open.error()).toBeUndefined();
		expect(open.items('Send WhatsApp')[0].json).toMatchObject({ windowOpen: true, status: 'accepted' });
		expect(stored()).toHaveLength(1);
	});

	it('a history that cannot be read: nothing sent, and said so (never a free-form message sent blind)', async () => {
		await control('POST', '/faults', { provider: 'twilio', type: 'status', status: 503, count: 3 });
		const result = await engine.run([{ phone: PHONE }], [node({ operation: 'sendMessage', message: 'Hi' })]);
		expect(result.error()?.message).toBe(`Twilio could not tell whether ${PHONE} wrote in the last 24 hours, so the free-form message was not sent`);
		expect(result.error()?.description).toContain('Nothing was sent.');
		expect(posts(TWILIO_MESSAGES)).toHaveLength(0);
	});

	it('gives the editor the account’s templates (searchable, with language and approval) and a template’s variables as named fields', async () => {
		const list = await engine.editorMethod('sendWhatsApp', { operation: 'sendTemplate', provider: 'twilio' }, (methods, fns) =>
			(methods.listSearch?.searchTemplates as (this: unknown, filter?: string) => Promise<INodeListSearchResult>).call(fns, 'appointment'),
		);
		expect(list.results.map((r) => r.name)).toEqual(['appointment_reminder · en · approved for WhatsApp', 'appointment_reminder · tr · approved for WhatsApp']);
		const all = await engine.editorMethod('sendWhatsApp', { operation: 'sendTemplate', provider: 'twilio' }, (methods, fns) =>
			(methods.listSearch?.searchTemplates as (this: unknown, filter?: string) => Promise<INodeListSearchResult>).call(fns),
		);
		expect(all.results.find((r) => r.value === TWILIO_TEMPLATE_SIDS.springSale)?.name).toBe('spring_sale · en · WhatsApp: unsubmitted');
		const fields = await engine.editorMethod(
			'sendWhatsApp',
			{ operation: 'sendTemplate', provider: 'twilio', template: { __rl: true, mode: 'list', value: TWILIO_TEMPLATE_SIDS.deliveryUpdate } },
			(methods, fns) => (methods.resourceMapping?.getTemplateVariables as (this: unknown) => Promise<ResourceMapperFields>).call(fns),
		);
		expect(fields.fields.map((f) => [f.id, f.displayName, f.required])).toEqual([
			['first_name', '{{first_name}} (e.g. Ada)', true],
			['tracking_code', '{{tracking_code}} (e.g. 1Z999AA10123456784)', true],
		]);
	});
});

describe('Send WhatsApp · Sinch', () => {
	const sinch = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => node({ provider: 'sinch', ...parameters }, extra);
	const sinchTemplate = (values: string[], payloads: string[] = []) => ({
		operation: 'sendTemplate',
		templateId: 'order_shipped',
		templateLanguage: 'en',
		templateBodyValues: { value: values.map((value) => ({ value })) },
		templateButtonPayloads: { payload: payloads.map((payload) => ({ payload })) },
	});

	it('sends a WhatsApp template with its parameters through the Conversation API with the project token', async () => {
		const result = await engine.run([{ phone: PHONE, name: 'Ada' }], [sinch(sinchTemplate(['={{ $json.name }}', '#1042', 'Friday'], ['track-1042', 'talk']))]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send WhatsApp')[0].json).toMatchObject({
			provider: 'sinch',
			messageId: expect.stringMatching(/^[0-9A-Z]{26}$/),
			status: 'accepted',
			to: PHONE,
			channel: 'whatsapp',
			type: 'template',
			template: { id: 'order_shipped', name: 'order_shipped', language: 'en' },
			hint: expect.stringContaining('MESSAGE_DELIVERY'),
		});
		expect(box.get().requests.some((r) => r.path === '/oauth2/token')).toBe(true);
		const [message] = stored();
		expect(message).toMatchObject({ provider: 'sinch', channel: 'whatsapp', to: PHONE, body: 'Hi Ada, your order #1042 has shipped and should arrive on Friday.' });
		expect(message.whatsapp?.buttons).toEqual([
			{ title: 'Track', payload: 'track-1042' },
			{ title: 'Talk to us', payload: 'talk' },
		]);
	});

	it('knows from Sinch what the template takes: a body value missing is refused; a payload not given is the button\'s text', async () => {
		const short = await engine.run([{ phone: PHONE }], [sinch(sinchTemplate(['Ada', '#1']))]);
		expect(short.error()?.message).toBe('Template "order_shipped" needs a value for {{3}}: it takes 3');
		expect(posts(SINCH_SEND)).toHaveLength(0);
		const result = await engine.run([{ phone: PHONE }], [sinch(sinchTemplate(['Ada', '#1', 'today']))]);
		expect(result.error()).toBeUndefined();
		expect(stored()[0].whatsapp?.buttons).toEqual([
			{ title: 'Track', payload: 'Track' },
			{ title: 'Talk to us', payload: 'Talk to us' },
		]);
	});

	it('sends text with quick-reply buttons inside the window', async () => {
		await customerWrites(SINCH_WA);
		const result = await engine.run(
			[{ phone: PHONE }],
			[sinch({ operation: 'sendMessage', message: 'Expense #42, 380 EUR: approve?', buttons: { button: [{ title: 'Approve', payload: 'approve' }, { title: 'Decline' }] } })],
		);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send WhatsApp')[0].json).toMatchObject({ type: 'text', windowOpen: true });
		const [message] = stored();
		expect(message.whatsapp?.buttons).toEqual([
			{ title: 'Approve', payload: 'approve' },
			{ title: 'Decline', payload: 'Decline' },
		]);
	});

	it('outside the window: a clear error, or the template instead', async () => {
		const refused = await engine.run([{ phone: PHONE }], [sinch({ operation: 'sendMessage', message: 'Hi' })]);
		expect(refused.error()?.message).toBe('WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message (Sinch OUTSIDE_ALLOWED_SENDING_WINDOW): send an approved WhatsApp template instead, or wait until the customer writes.');
		expect(posts(SINCH_SEND)).toHaveLength(0);
		const instead = await engine.run(
			[{ phone: PHONE }],
			[
				sinch({
					operation: 'sendMessage',
					message: 'Hi',
					outsideWindow: 'template',
					fallbackTemplateId: 'order_shipped',
					fallbackTemplateLanguage: 'en',
					fallbackTemplateBodyValues: { value: [{ value: 'Ada' }, { value: '#1' }, { value: 'today' }] },
				}),
			],
		);
		expect(instead.items('Send WhatsApp')[0].json).toMatchObject({ templateFallback: true, type: 'template' });
		expect(posts(SINCH_SEND)).toHaveLength(1);
		expect(stored()[0].whatsapp?.template).toMatchObject({ id: 'order_shipped', language: 'en' });
	});

	it('sends media with a caption (a card), and refuses a media URL that is not http(s)', async () => {
		await customerWrites(SINCH_WA);
		const result = await engine.run(
			[{ phone: PHONE, url: 'https://example.com/label.pdf' }, { phone: PHONE, url: 'file:///etc/passwd' }],
			[sinch({ operation: 'sendMessage', messageType: 'media', mediaUrl: '={{ $json.url }}', caption: 'Your label' }, { continueOnFail: true })],
		);
		const [good, bad] = result.items('Send WhatsApp').map((i) => i.json);
		expect(good).toMatchObject({ type: 'media', status: 'accepted' });
		expect(bad.error).toBe('Media URL must be an http:// or https:// URL: "file:///etc/passwd" is not one');
		expect(stored()).toHaveLength(1);
		expect([stored()[0].mediaUrls, stored()[0].whatsapp?.caption]).toEqual([['https://example.com/label.pdf'], 'Your label']);
	});

	it('says what the credential lacks, and refuses more than 3 buttons and empty template parameters, before sending', async () => {
		engine.setCredentials('messagingSinchApi', { ...sandboxCredential(box.get(), 'Sandbox Sinch'), conversationAppId: box.get().accounts.sinch.conversationAppId });
		const servicePlan = await engine.run([{ phone: PHONE }], [sinch(sinchTemplate(['Ada', '1', 'x']))]);
		expect(servicePlan.error()?.message).toContain('Project ID + Access Key (OAuth2)');
		engine.setCredentials('messagingSinchApi', sandboxCredential(box.get(), 'Sandbox Sinch (project, WhatsApp)'));
		// A fourth button: n8n's own check of the parameter stops the workflow before the node runs.
		await expect(engine.run([{ phone: PHONE }], [sinch({ operation: 'sendMessage', message: 'Pick', buttons: { button: ['A', 'B', 'C', 'D'].map((title) => ({ title })) } })])).rejects.toThrow('At most 3 fields are allowed');
		const empty = await engine.run([{ phone: PHONE }], [sinch(sinchTemplate(['Ada', ' ', 'x']))]);
		expect(empty.error()?.message).toBe('Body Values: {{2}} is empty');
		expect(posts(SINCH_SEND)).toHaveLength(0);
	});
});

describe('Send WhatsApp → Messaging Trigger', () => {
	let harness: TriggerHarness | undefined;
	afterEach(async () => {
		await harness?.close();
		harness = undefined;
	});

	it('a tapped button comes back as an inbound WhatsApp message with its payload; the read receipt as read', async () => {
		harness = new TriggerHarness(engine, { provider: 'twilio', target: TWILIO_WA, events: ['inbound', 'status'] });
		await harness.listen();
		expect(await harness.lifecycle('create')).toBe(true);
		const sent = await engine.run(
			[{ phone: PHONE }],
			[node({ ...twilioTemplate(TWILIO_TEMPLATE_SIDS.orderShipped, { '1': 'Ada', '2': '#1', '3': 'soon' }), options: { statusToTrigger: true } })],
		);
		const messageId = String(sent.items('Send WhatsApp')[0].json.messageId);
		// Callbacks may arrive out of order, as Twilio's do.
		await waitFor(() => harness?.executions.length === 3, 10_000);
		expect(harness.executions.map((e) => e.items[0].status).sort()).toEqual(['delivered', 'read', 'sent']);
		expect(harness.executions.find((e) => e.items[0].status === 'read')?.items[0]).toMatchObject({ event: 'status', channel: 'whatsapp', messageId, to: PHONE, providerStatus: 'read' });

		await control('POST', '/inbound', { from: PHONE, to: `whatsapp:${TWILIO_WA}`, body: 'Track', button: { payload: 'track', title: 'Track' }, replyTo: messageId, channel: 'whatsapp' });
		const tap = await waitFor(() => harness?.executions.find((e) => e.items[0].event === 'inbound'));
		expect(tap.items[0]).toMatchObject({ event: 'inbound', channel: 'whatsapp', from: PHONE, to: TWILIO_WA, body: 'Track', button: { payload: 'track', text: 'Track' }, replyTo: messageId });
		// A button titled like a keyword is an answer, not an opt-out; the same word typed is one.
		await control('POST', '/inbound', { from: PHONE, to: `whatsapp:${TWILIO_WA}`, body: 'Cancel', button: { payload: 'cancel', title: 'Cancel' }, replyTo: messageId, channel: 'whatsapp' });
		const cancel = await waitFor(() => harness?.executions.find((e) => e.items[0].body === 'Cancel'));
		expect(cancel.items[0]).toMatchObject({ event: 'inbound', keyword: null, button: { payload: 'cancel', text: 'Cancel' } });
	});

	it('Sinch: the app’s webhook brings the tap (its payload) and the statuses, signed; a forged one is refused', async () => {
		harness = new TriggerHarness(engine, { provider: 'sinch', events: ['inbound', 'status'] });
		await harness.listen();
		await control('PUT', '/sinch/conversation-webhook', { target: harness.url });
		await customerWrites(SINCH_WA);
		const opened = await waitFor(() => harness?.executions.find((e) => e.items[0].event === 'inbound'));
		expect(opened.items[0]).toMatchObject({ provider: 'sinch', channel: 'whatsapp', from: PHONE, body: 'Hello', button: null });
		const sent = await engine.run(
			[{ phone: PHONE }],
			[node({ provider: 'sinch', operation: 'sendMessage', message: 'Expense #42: approve?', buttons: { button: [{ title: 'Approve', payload: 'approve-42' }, { title: 'Decline', payload: 'decline-42' }] } })],
		);
		const messageId = String(sent.items('Send WhatsApp')[0].json.messageId);
		await waitFor(() => harness?.executions.some((e) => e.items[0].status === 'read'), 10_000);
		expect(harness.executions.filter((e) => e.items[0].event === 'status').map((e) => e.items[0].status).sort()).toEqual(['delivered', 'read', 'sent']);
		await control('POST', '/inbound', { from: PHONE, to: SINCH_WA, body: 'Approve', button: { payload: 'approve-42', title: 'Approve' }, replyTo: messageId, channel: 'whatsapp' });
		const tap = await waitFor(() => harness?.executions.find((e) => e.items[0].button && (e.items[0].button as IDataObject).payload === 'approve-42'));
		expect(tap.items[0]).toMatchObject({ event: 'inbound', provider: 'sinch', channel: 'whatsapp', from: PHONE, replyTo: messageId });
		const count = harness.executions.length;
		const forged = await control('POST', '/webhooks', { provider: 'sinch', url: harness.url, channel: 'whatsapp', from: PHONE, to: SINCH_WA, body: 'Approve', forge: 'signature' });
		expect(forged.answer.status).toBe(403);
		expect(harness.executions).toHaveLength(count);
	});
});
