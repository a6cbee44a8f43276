/**
 * WhatsApp on Twilio, driven by the official twilio SDK against the sandbox: free-form messages inside the 24-hour
 * window (queued → sent → delivered → read, with signed callbacks), 63016 outside it, media with a caption,
 * templates by ContentSid with ContentVariables, Twilio's refusals as RestExceptions, the Content API (list, fetch,
 * create, approval), and a quick-reply tap posted, signed, to the WhatsApp number's SmsUrl.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type { ContentCreateRequest } from 'twilio/lib/rest/content/v1/content';
import { startSandbox } from '../../sandbox/server';
import { TWILIO_CONTENT_SEEDS, TWILIO_TEMPLATE_SIDS } from '../../sandbox/twilioContentSeeds';
import { sandboxControl, twilioSdk, useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();
const PHONE = '+33612345678';
const OTHER_PHONE = '+33612345679';
const wa = (n: string) => `whatsapp:${n}`;
const sender = () => box.get().accounts.twilio.whatsappNumbers[0];
const client = () => twilioSdk(box.get());
const control = (method: string, path: string, body?: unknown) => sandboxControl(box.get(), method, path, body);
const stored = (sid: string) => box.get().messages.get(sid);
const authToken = () => box.get().accounts.twilio.authToken;

/** Polls an async condition until it holds (waitFor takes synchronous ones). */
async function until(fn: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await fn())) {
		if (Date.now() > end) throw new Error('until: timed out');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** The phone writes to the WhatsApp sender: its 24-hour window opens. */
const phoneWrites = (from = PHONE, body = 'Hi') => control('POST', '/inbound', { from, to: wa(sender()), body });

interface Hook {
	path: string;
	signature: string;
	params: Record<string, string>;
}

/** A receiver on 127.0.0.1 for callbacks and inbound messages; it answers with `answer`. */
let server: Server;
let base = '';
let hooks: Hook[] = [];
let answer = '<Response/>';
beforeAll(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			hooks.push({ path: req.url ?? '', signature: String(req.headers['x-twilio-signature']), params: Object.fromEntries(new URLSearchParams(body)) });
			res.writeHead(200, { 'Content-Type': 'text/xml' }).end(answer);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
	hooks = [];
	answer = '<Response/>';
});

const statusesOf = (sid: string) => hooks.filter((h) => h.params.MessageSid === sid && h.path.startsWith('/status')).map((h) => h.params.MessageStatus);
const signed = (h: Hook) => twilio.validateRequest(authToken(), h.signature, `${base}${h.path}`, h.params);

describe('Twilio WhatsApp free-form messages and the 24-hour window', () => {
	it('inside the window: queued, then sent, delivered and read, each in a signed callback with WhatsApp’s fields', async () => {
		await phoneWrites();
		const created = await client().messages.create({ from: wa(sender()), to: wa(PHONE), body: 'Your table is ready', statusCallback: `${base}/status` });
		expect([created.status, created.to, created.from, created.numSegments, created.direction]).toEqual(['queued', wa(PHONE), wa(sender()), '1', 'outbound-api']);
		expect(created.sid).toMatch(/^SM[0-9a-f]{32}$/);
		await waitFor(() => statusesOf(created.sid).includes('read'));
		expect(statusesOf(created.sid)).toEqual(['sent', 'delivered', 'read']);
		const byStatus = Object.fromEntries(hooks.map((h) => [h.params.MessageStatus, h]));
		for (const h of Object.values(byStatus)) {
			expect(signed(h)).toBe(true);
			expect(h.params).toMatchObject({ ChannelPrefix: 'whatsapp', From: wa(sender()), To: wa(PHONE), ChannelToAddress: '+3361234XXXX', SmsStatus: h.params.MessageStatus });
			expect(h.params.ChannelInstallSid).toMatch(/^XE[0-9a-f]{32}$/);
			expect(h.params.RawDlrDoneDate).toBeUndefined();
		}
		expect(byStatus.sent.params.StructuredMessage).toBe('false');
		expect([byStatus.delivered.params.EventType, byStatus.read.params.EventType]).toEqual(['DELIVERED', 'READ']);
		const fetched = await client().messages(created.sid).fetch();
		expect([fetched.status, fetched.price, fetched.errorCode]).toEqual(['read', '-0.00500', null]);
		expect(stored(created.sid)).toMatchObject({ channel: 'whatsapp', history: [{ status: 'queued' }, { status: 'sent' }, { status: 'delivered' }, { status: 'read' }] });
		expect(stored(created.sid)?.whatsapp?.readAt).toEqual(expect.any(String));
	});

	it('outside the window: Twilio accepts it (201 queued), then it fails with 63016, callback and all', async () => {
		// Another phone's message opens that phone's window, not this one's.
		await phoneWrites(OTHER_PHONE);
		const created = await client().messages.create({ from: wa(sender()), to: wa(PHONE), body: 'Free-form, too late', statusCallback: `${base}/status` });
		expect(created.status).toBe('queued');
		const failed = await waitFor(() => hooks.find((h) => h.params.MessageSid === created.sid));
		expect(failed.params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '63016', ChannelPrefix: 'whatsapp' });
		expect(failed.params.ChannelStatusMessage).toContain('outside the allowed window');
		expect(signed(failed)).toBe(true);
		const fetched = await client().messages(created.sid).fetch();
		expect([fetched.status, fetched.errorCode, fetched.price]).toEqual(['failed', 63016, null]);
		expect(statusesOf(created.sid)).toEqual(['failed']);
	});

	it('closes 24 hours (scaled) after the contact last wrote', async () => {
		// 24 hours last 0.864 s here.
		const fast = await startSandbox({ port: 0, timeScale: 0.00001 });
		try {
			const c = twilioSdk(fast);
			const from = wa(fast.accounts.twilio.whatsappNumbers[0]);
			await sandboxControl(fast, 'POST', '/inbound', { from: PHONE, to: from, body: 'Hi' });
			const inside = await c.messages.create({ from, to: wa(PHONE), body: 'in time' });
			await new Promise((resolve) => setTimeout(resolve, 1000));
			const outside = await c.messages.create({ from, to: wa(PHONE), body: 'too late' });
			await waitFor(() => fast.messages.get(outside.sid)?.status === 'failed');
			expect([fast.messages.get(inside.sid)?.status, fast.messages.get(outside.sid)?.errorCode]).toEqual(['read', 63016]);
		} finally {
			await fast.stop();
		}
	});

	it('sends media with a caption', async () => {
		await phoneWrites();
		const created = await client().messages.create({ from: wa(sender()), to: wa(PHONE), body: 'The menu', mediaUrl: ['https://example.com/menu.jpg'] });
		expect(created.sid).toMatch(/^MM[0-9a-f]{32}$/);
		expect([created.numMedia, created.body]).toEqual(['1', 'The menu']);
		expect(stored(created.sid)).toMatchObject({ channel: 'whatsapp', mediaUrls: ['https://example.com/menu.jpg'], whatsapp: { caption: 'The menu' } });
		await waitFor(() => stored(created.sid)?.status === 'read');
	});

	it('keeps the magic numbers: refused at once, or undelivered 30003', async () => {
		await expect(client().messages.create({ from: wa(sender()), to: wa('+12125550101'), body: 'x' })).rejects.toMatchObject({ status: 400, code: 21211 });
		await expect(client().messages.create({ from: wa(sender()), to: wa('+12125550102'), body: 'x' })).rejects.toMatchObject({ status: 400, code: 21610 });
		await phoneWrites('+12125550104');
		const unreachable = await client().messages.create({ from: wa(sender()), to: wa('+12125550104'), body: 'x' });
		await waitFor(() => stored(unreachable.sid)?.status === 'undelivered');
		expect(stored(unreachable.sid)?.errorCode).toBe(30003);
	});

	it('sends WhatsApp through a Messaging Service from its WhatsApp sender', async () => {
		await phoneWrites();
		const created = await client().messages.create({ messagingServiceSid: box.get().accounts.twilio.messagingServiceSid, to: wa(PHONE), body: 'via the service' });
		expect(created.status).toBe('accepted');
		await waitFor(() => stored(created.sid)?.status === 'read');
		expect(stored(created.sid)?.from).toBe(wa(sender()));
	});
});

describe('Twilio WhatsApp templates (ContentSid)', () => {
	it('sends an approved template outside the window: the text rendered, missing variables from the samples, its buttons kept', async () => {
		const created = await client().messages.create({
			from: wa(sender()),
			to: wa(PHONE),
			contentSid: TWILIO_TEMPLATE_SIDS.orderShipped,
			contentVariables: JSON.stringify({ '1': 'Grace', '2': '#42' }),
			statusCallback: `${base}/status`,
		});
		expect(created.body).toBe('Hi Grace, your order #42 has shipped and arrives tomorrow.');
		expect(stored(created.sid)?.whatsapp).toEqual({
			template: { id: TWILIO_TEMPLATE_SIDS.orderShipped, name: 'order_shipped', language: 'en', variables: { '1': 'Grace', '2': '#42', '3': 'tomorrow' } },
			buttons: [
				{ title: 'Track', payload: 'track' },
				{ title: 'Talk to us', payload: 'talk' },
			],
		});
		await waitFor(() => statusesOf(created.sid).includes('read'));
		expect(hooks.find((h) => h.params.MessageSid === created.sid && h.params.MessageStatus === 'sent')?.params.StructuredMessage).toBe('true');
	});

	it('fills named variables, and the Turkish variant of a template', async () => {
		const named = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: TWILIO_TEMPLATE_SIDS.deliveryUpdate, contentVariables: '{"first_name":"Grace"}' });
		expect(named.body).toBe('Hello Grace, your parcel 1Z999AA10123456784 is out for delivery today.');
		const tr = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: TWILIO_TEMPLATE_SIDS.appointmentReminderTr, contentVariables: '{"1":"Ayşe","2":"3 Haziran","3":"10:30"}' });
		expect(tr.body).toBe('Merhaba Ayşe, 3 Haziran günü saat 10:30 randevunuzu hatırlatırız. Gelebilecek misiniz?');
		expect(stored(tr.sid)?.whatsapp?.buttons?.map((b) => b.payload)).toEqual(['confirm', 'cancel']);
	});

	it('sends a media template with its media and caption', async () => {
		const created = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: TWILIO_TEMPLATE_SIDS.invoiceReady, contentVariables: '{"2":"INV-7"}' });
		expect(created.sid).toMatch(/^MM/);
		expect(stored(created.sid)).toMatchObject({ body: 'Hi Ada, your invoice INV-7 is attached.', mediaUrls: ['https://example.com/invoices/INV-7.pdf'] });
		expect(stored(created.sid)?.whatsapp?.caption).toBe('Hi Ada, your invoice INV-7 is attached.');
	});

	it('a template WhatsApp has not approved goes inside the window only: outside, 63016', async () => {
		for (const sid of [TWILIO_TEMPLATE_SIDS.springSale, TWILIO_TEMPLATE_SIDS.winAPrize]) {
			const created = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: sid });
			await waitFor(() => stored(created.sid)?.status === 'failed');
			expect(stored(created.sid)?.errorCode).toBe(63016);
		}
		await phoneWrites();
		const inside = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: TWILIO_TEMPLATE_SIDS.springSale });
		await waitFor(() => stored(inside.sid)?.status === 'read');
		// Sent as an interactive session message, since WhatsApp never approved it.
		expect(stored(inside.sid)?.whatsapp).toMatchObject({ interactive: true, buttons: [{ title: 'Yes please', payload: 'catalogue' }, { title: 'No thanks', payload: 'no' }] });
	});

	it.each([
		['an unknown ContentSid', { contentSid: `HX${'0'.repeat(32)}` }, 21655],
		['a malformed ContentSid', { contentSid: 'HXnope' }, 21655],
		['ContentVariables that are not JSON', { contentSid: TWILIO_TEMPLATE_SIDS.orderShipped, contentVariables: "{'1': 'Ada'}" }, 21656],
		['ContentVariables that are not an object', { contentSid: TWILIO_TEMPLATE_SIDS.orderShipped, contentVariables: '["Ada"]' }, 21656],
		['a null variable', { contentSid: TWILIO_TEMPLATE_SIDS.orderShipped, contentVariables: '{"1": null}' }, 21656],
		['an empty variable', { contentSid: TWILIO_TEMPLATE_SIDS.orderShipped, contentVariables: '{"1": ""}' }, 21656],
		['ContentVariables without a ContentSid', { body: 'x', contentVariables: '{"1":"Ada"}' }, 21654],
		['a From that is no WhatsApp sender', { from: wa('+15005550006'), body: 'x' }, 63007],
		['an SMS From to a WhatsApp To', { from: '+15005550006', body: 'x' }, 21910],
		['a WhatsApp From to an SMS To', { to: PHONE, body: 'x' }, 21910],
	])('refuses %s with HTTP 400 and its code, as a RestException', async (_what, override, code) => {
		const params = { from: wa(sender()), to: wa(PHONE), ...override };
		const refusal = await client()
			.messages.create(params)
			.then(
				() => undefined,
				(error: unknown) => error,
			);
		expect(refusal).toBeInstanceOf(twilio.RestException);
		expect(refusal).toMatchObject({ status: 400, code, moreInfo: `https://www.twilio.com/docs/errors/${code}` });
	});

	it('refuses a variable with neither a value nor a sample (21656), and a deleted content (21655)', async () => {
		const content = await client().content.v1.contents.create({ friendly_name: 'no_samples', language: 'en', variables: { '1': 'Ada' }, types: { 'twilio/text': { body: 'Hi {{1}}, see you {{2}}.' } } } as unknown as ContentCreateRequest);
		await expect(client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: content.sid, contentVariables: '{"1":"Grace"}' })).rejects.toMatchObject({ status: 400, code: 21656 });
		const ok = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: content.sid, contentVariables: '{"2":"Monday"}' });
		expect(ok.body).toBe('Hi Ada, see you Monday.');
		expect(await client().content.v1.contents(content.sid).remove()).toBe(true);
		await expect(client().content.v1.contents(content.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
		await expect(client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: content.sid })).rejects.toMatchObject({ status: 400, code: 21655 });
	});
});

describe('Twilio Content API through the SDK', () => {
	it('lists the seeded templates, page by page, and fetches one with its links', async () => {
		const all = await client().content.v1.contents.list({ pageSize: 3 });
		expect(all.map((c) => c.sid)).toEqual(TWILIO_CONTENT_SEEDS.map((s) => s.sid));
		const one = await client().content.v1.contents(TWILIO_TEMPLATE_SIDS.expenseApproval).fetch();
		expect([one.friendlyName, one.language, one.accountSid, one.variables]).toEqual(['expense_approval', 'en', box.get().accounts.twilio.accountSid, { '1': 'Grace Hopper', '2': '$120.00', '3': 'team lunch' }]);
		expect((one.types as Record<string, { actions?: unknown }>)['twilio/quick-reply'].actions).toEqual([
			{ title: 'Approve', id: 'approve' },
			{ title: 'Decline', id: 'decline' },
		]);
		expect(one.dateCreated).toBeInstanceOf(Date);
		expect(one.links).toEqual({
			approval_create: `https://content.twilio.com/v1/Content/${one.sid}/ApprovalRequests/whatsapp`,
			approval_fetch: `https://content.twilio.com/v1/Content/${one.sid}/ApprovalRequests`,
		});
		await expect(client().content.v1.contents(`HX${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
	});

	it('lists contents with their WhatsApp approvals: approved, unsubmitted, rejected with a reason', async () => {
		const listed = await client().content.v1.contentAndApprovals.list();
		const approval = (sid: string) => listed.find((c) => c.sid === sid)?.approvalRequests as Record<string, unknown>;
		expect(listed).toHaveLength(TWILIO_CONTENT_SEEDS.length);
		expect(approval(TWILIO_TEMPLATE_SIDS.orderShipped)).toEqual({ name: 'order_shipped', category: 'UTILITY', content_type: 'twilio/quick-reply', status: 'approved', rejection_reason: '', allow_category_change: true });
		expect(approval(TWILIO_TEMPLATE_SIDS.springSale)).toMatchObject({ status: 'unsubmitted', name: '' });
		expect(approval(TWILIO_TEMPLATE_SIDS.winAPrize)).toMatchObject({ status: 'rejected', rejection_reason: expect.stringContaining('INCORRECT_CATEGORY') });
		expect(approval(TWILIO_TEMPLATE_SIDS.deliveryUpdate).content_type).toBe('twilio/text');
		const fetched = await client().content.v1.contents(TWILIO_TEMPLATE_SIDS.invoiceReady).approvalFetch().fetch();
		expect(fetched.whatsapp).toMatchObject({ type: 'whatsapp', name: 'invoice_ready', content_type: 'twilio/media', status: 'approved' });
	});

	it('creates a template and submits it: received, then pending, then approved; a name with "reject" gets rejected', async () => {
		const types = { 'twilio/quick-reply': { body: 'Is {{1}} still the best time?', actions: [{ title: 'Yes', id: 'yes' }, { title: 'Another time', id: 'later' }] } };
		const create = (name: string) => client().content.v1.contents.create({ friendly_name: name, language: 'en', variables: { '1': '9 AM' }, types } as unknown as ContentCreateRequest);
		const good = await create('slot_check');
		expect(good.sid).toMatch(/^HX[0-9a-f]{32}$/);
		expect([good.friendlyName, good.variables, good.types]).toEqual(['slot_check', { '1': '9 AM' }, types]);
		const status = async (sid: string) => ((await client().content.v1.contents(sid).approvalFetch().fetch()).whatsapp as unknown as { status: string }).status;
		expect(await status(good.sid)).toBe('unsubmitted');

		const submitted = await client().content.v1.contents(good.sid).approvalCreate.create({ name: 'slot_check', category: 'UTILITY' });
		expect([submitted.status, submitted.name, submitted.category, submitted.contentType]).toEqual(['received', 'slot_check', 'UTILITY', 'twilio/quick-reply']);
		const seen: string[] = [];
		await until(async () => {
			const now = await status(good.sid);
			if (seen.at(-1) !== now) seen.push(now);
			return now === 'approved';
		});
		// In order, never backwards (a poll may miss a short-lived state).
		const order = ['received', 'pending', 'approved'];
		expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort());
		expect(seen.every((s) => order.includes(s))).toBe(true);
		// Approved, it now goes outside the window too.
		const sent = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: good.sid });
		await waitFor(() => stored(sent.sid)?.status === 'read');
		// Submitted once, it cannot be submitted again (92009).
		await expect(client().content.v1.contents(good.sid).approvalCreate.create({ name: 'slot_check', category: 'UTILITY' })).rejects.toMatchObject({ status: 400, code: 92009 });

		const bad = await create('reject_me');
		await client().content.v1.contents(bad.sid).approvalCreate.create({ name: 'reject_me', category: 'MARKETING' });
		let verdict: Record<string, unknown> = {};
		await until(async () => {
			verdict = (await client().content.v1.contents(bad.sid).approvalFetch().fetch()).whatsapp as Record<string, unknown>;
			return verdict.status === 'rejected';
		});
		expect(verdict).toMatchObject({ status: 'rejected', category: 'MARKETING', rejection_reason: expect.stringContaining('reject') });
	});

	it('refuses a bad content or approval request in Twilio’s shape', async () => {
		const create = (body: unknown) => client().content.v1.contents.create(body as ContentCreateRequest);
		await expect(create({ friendly_name: 'x', types: { 'twilio/text': { body: 'Hi' } } })).rejects.toMatchObject({ status: 400, code: 20001 });
		await expect(create({ friendly_name: 'x', language: 'en', types: {} })).rejects.toMatchObject({ status: 400, code: 20001 });
		await expect(create({ language: 'en', types: { 'twilio/quick-reply': { body: 'Hi', actions: [] } } })).rejects.toMatchObject({ status: 400, code: 20001 });
		const approvals = client().content.v1.contents(TWILIO_TEMPLATE_SIDS.springSale).approvalCreate;
		await expect(approvals.create({ name: 'Spring Sale!', category: 'MARKETING' })).rejects.toMatchObject({ status: 400, code: 20001 });
		await expect(approvals.create({ name: 'spring_sale', category: 'PROMOTION' })).rejects.toMatchObject({ status: 400, code: 20001 });
		await expect(twilioSdk(box.get(), undefined, 'wrong').content.v1.contents.list()).rejects.toMatchObject({ status: 401, code: 20003 });
		const { apiKeySid, apiKeySecret } = box.get().accounts.twilio;
		expect(await twilioSdk(box.get(), apiKeySid, apiKeySecret).content.v1.contents.list({ limit: 1 })).toHaveLength(1);
	});

	it('starts again from the seeds after a reset', async () => {
		await client().content.v1.contents(TWILIO_TEMPLATE_SIDS.orderShipped).remove();
		await client().content.v1.contents(TWILIO_TEMPLATE_SIDS.springSale).approvalCreate.create({ name: 'spring_sale', category: 'MARKETING' });
		await control('POST', '/reset');
		const listed = await client().content.v1.contentAndApprovals.list();
		expect(listed.map((c) => c.sid)).toEqual(TWILIO_CONTENT_SEEDS.map((s) => s.sid));
		expect((listed.find((c) => c.sid === TWILIO_TEMPLATE_SIDS.springSale)?.approvalRequests as unknown as { status: string }).status).toBe('unsubmitted');
	});
});

describe('Twilio WhatsApp inbound messages and quick-reply taps', () => {
	async function pointNumberAt(path: string): Promise<void> {
		const [number] = await client().incomingPhoneNumbers.list({ phoneNumber: sender() });
		await client().incomingPhoneNumbers(number.sid).update({ smsUrl: `${base}${path}` });
	}

	it('posts a tap to the WhatsApp number’s SmsUrl, signed, with ButtonText, ButtonPayload and the message it answers; the tap opens the window', async () => {
		await pointNumberAt('/wa?n=1');
		const template = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: TWILIO_TEMPLATE_SIDS.expenseApproval });
		await waitFor(() => stored(template.sid)?.status === 'read');
		answer = '<Response><Message>Thanks, approved.</Message></Response>';
		const tap = await control('POST', '/inbound', { from: PHONE, to: wa(sender()), button: { payload: 'approve', title: 'Approve' }, replyTo: template.sid, channel: 'whatsapp' });
		expect(tap).toMatchObject({ httpStatus: 201, webhook: 'posted', channel: 'whatsapp', body: 'Approve', from: wa(PHONE), to: wa(sender()), whatsapp: { buttonPayload: 'approve', replyTo: template.sid } });
		const hook = await waitFor(() => hooks.find((h) => h.path === '/wa?n=1'));
		expect(signed(hook)).toBe(true);
		expect(hook.params).toMatchObject({
			From: wa(PHONE),
			To: wa(sender()),
			Body: 'Approve',
			ButtonText: 'Approve',
			ButtonPayload: 'approve',
			MessageType: 'button',
			OriginalRepliedMessageSid: template.sid,
			OriginalRepliedMessageSender: wa(sender()),
			ProfileName: 'Sandbox Phone',
			WaId: '33612345678',
			SmsStatus: 'received',
			NumMedia: '0',
			MessageSid: tap.id,
			AccountSid: box.get().accounts.twilio.accountSid,
		});
		// TwiML answers on WhatsApp, and the tap opened the window: free-form goes now.
		const reply = await waitFor(() => [...box.get().messages.values()].find((m) => m.body === 'Thanks, approved.'));
		expect([reply.from, reply.to, reply.channel]).toEqual([wa(sender()), wa(PHONE), 'whatsapp']);
		const freeForm = await client().messages.create({ from: wa(sender()), to: wa(PHONE), body: 'Paid on Friday' });
		await waitFor(() => stored(freeForm.sid)?.status === 'read');
	});

	it('a tap on buttons sent as a session message is MessageType=interactive; a plain reply is text', async () => {
		await pointNumberAt('/wa');
		await phoneWrites(PHONE, 'Any deals?');
		const offer = await client().messages.create({ from: wa(sender()), to: wa(PHONE), contentSid: TWILIO_TEMPLATE_SIDS.springSale });
		await control('POST', '/inbound', { from: PHONE, to: wa(sender()), button: { payload: 'catalogue', title: 'Yes please' }, replyTo: offer.sid });
		await waitFor(() => hooks.find((h) => h.params.ButtonPayload === 'catalogue'));
		expect(hooks.map((h) => [h.params.Body, h.params.MessageType])).toEqual([
			['Any deals?', 'text'],
			['Yes please', 'interactive'],
		]);
		expect(hooks[0].params.ButtonPayload).toBeUndefined();
	});

	it('takes a bare WhatsApp number as WhatsApp (the phone page’s compose box), for Twilio and Sinch alike', async () => {
		const twilioSide = await control('POST', '/inbound', { from: PHONE, to: sender(), body: 'Hello Twilio', profileName: 'Ada' });
		expect(twilioSide).toMatchObject({ provider: 'twilio', channel: 'whatsapp', from: wa(PHONE), to: wa(sender()), whatsapp: { profileName: 'Ada' } });
		const sinchNumber = box.get().accounts.sinch.whatsappNumbers[0];
		const sinchSide = await control('POST', '/inbound', { from: PHONE, to: sinchNumber, body: 'Hello Sinch' });
		expect(sinchSide).toMatchObject({ provider: 'sinch', channel: 'whatsapp', from: PHONE, to: sinchNumber });
		// An SMS number stays SMS; a button needs WhatsApp.
		expect(await control('POST', '/inbound', { from: PHONE, to: '+15005550006', body: 'sms' })).toMatchObject({ httpStatus: 201, to: '+15005550006' });
		expect((await control('POST', '/inbound', { from: PHONE, to: '+15005550006', button: { payload: 'x', title: 'X' } })).httpStatus).toBe(400);
		expect((await control('POST', '/inbound', { from: PHONE, to: sender(), button: { payload: 'x' } })).httpStatus).toBe(400);
		expect((await control('POST', '/inbound', { from: PHONE, to: sender(), body: 'x', channel: 'fax' })).httpStatus).toBe(400);
	});

	it('the phone page shows WhatsApp messages with their buttons, and posts a tap as the control API takes it', async () => {
		const page = await (await fetch(`${box.get().url}/`)).text();
		expect(page).toContain('<span class="badge">WhatsApp</span>');
		expect(page).toContain("post({ from: current, to: m.from, body: b.title, button: { payload: b.payload, title: b.title }, replyTo: m.id, channel: 'whatsapp' })");
		expect(page).toContain("['Twilio WhatsApp', 'whatsapp:' + n, 'whatsapp']");
		expect(page).toContain("['Sinch WhatsApp', n, 'whatsapp']");
	});

	it('fires WhatsApp webhooks for a test: a signed tap, a forged one, and a read status', async () => {
		const fired = await control('POST', '/webhooks', { provider: 'twilio', url: `${base}/fire`, event: 'inbound', from: wa(PHONE), button: { payload: 'track', title: 'Track' }, replyTo: `SM${'1'.repeat(32)}` });
		expect(fired.answer.status).toBe(200);
		const params = Object.fromEntries(new URLSearchParams(fired.sent.body));
		expect(params).toMatchObject({ To: wa(sender()), From: wa(PHONE), Body: 'Track', ButtonText: 'Track', ButtonPayload: 'track', MessageType: 'button', OriginalRepliedMessageSid: `SM${'1'.repeat(32)}`, WaId: '33612345678' });
		expect(twilio.validateRequest(authToken(), fired.sent.headers['X-Twilio-Signature'], `${base}/fire`, params)).toBe(true);
		const forged = await control('POST', '/webhooks', { provider: 'twilio', url: `${base}/fire`, event: 'inbound', from: wa(PHONE), body: 'hi', forge: 'signature' });
		expect(twilio.validateRequest(authToken(), forged.sent.headers['X-Twilio-Signature'], `${base}/fire`, Object.fromEntries(new URLSearchParams(forged.sent.body)))).toBe(false);
		const read = await control('POST', '/webhooks', { provider: 'twilio', url: `${base}/fire`, event: 'status', status: 'read', from: wa(sender()), to: wa(PHONE) });
		expect(Object.fromEntries(new URLSearchParams(read.sent.body))).toMatchObject({ MessageStatus: 'read', EventType: 'READ', ChannelPrefix: 'whatsapp', To: wa(PHONE) });
	});
});
