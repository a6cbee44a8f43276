/** The official twilio SDK, pointed at the sandbox, sends, fetches, lists, cancels and fails as against Twilio. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox();

function client(password?: string, user?: string) {
	const { accountSid, authToken } = box.get().accounts.twilio;
	const base = box.get().url;
	class SandboxRequestClient extends twilio.RequestClient {
		request<TData>(opts: Parameters<twilio.RequestClient['request']>[0]) {
			return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, base) } as typeof opts & { data?: TData });
		}
	}
	return twilio(user ?? accountSid, password ?? authToken, { accountSid, httpClient: new SandboxRequestClient() });
}

describe('twilio SDK against the sandbox', () => {
	it('creates, fetches and lists a message', async () => {
		const c = client();
		const created = await c.messages.create({ to: '+33612345678', from: '+15005550006', body: 'Hello from the sandbox' });
		expect(created.sid).toMatch(/^SM[0-9a-f]{32}$/);
		expect(created.status).toBe('queued');
		expect(created.numSegments).toBe('1');
		expect(created.direction).toBe('outbound-api');
		expect(created.dateCreated).toBeInstanceOf(Date);
		const fetched = await c.messages(created.sid).fetch();
		expect(fetched.body).toBe('Hello from the sandbox');
		const listed = await c.messages.list({ to: '+33612345678', limit: 20 });
		expect(listed.map((m) => m.sid)).toContain(created.sid);
		// Then it moves on by itself: queued → sending → sent → delivered, as the SDK reads it.
		const delivered = await waitFor(() => (box.get().messages.get(created.sid)?.status === 'delivered' ? true : undefined), 5000);
		expect(delivered).toBe(true);
		const final = await c.messages(created.sid).fetch();
		expect(final.status).toBe('delivered');
		expect(final.dateSent).toBeInstanceOf(Date);
		expect(box.get().messages.get(created.sid)?.history.map((h) => h.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
	});

	it('accepts an API key with the account SID', async () => {
		const { apiKeySid, apiKeySecret } = box.get().accounts.twilio;
		const created = await client(apiKeySecret, apiKeySid).messages.create({ to: '+33612345678', from: '+15005550006', body: 'key' });
		expect(created.status).toBe('queued');
	});

	it('moves the message to delivered and posts signed callbacks the SDK validates', async () => {
		const received: Array<{ url: string; signature: string; params: Record<string, string> }> = [];
		const server: Server = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				received.push({ url: req.url ?? '', signature: String(req.headers['x-twilio-signature']), params: Object.fromEntries(new URLSearchParams(body)) });
				res.end('<Response/>');
			});
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status?x=1`;
		try {
			const c = client();
			const created = await c.messages.create({ to: '+33612345678', from: 'ACME', body: 'cb', statusCallback: callbackUrl });
			await waitFor(() => received.find((r) => r.params.MessageStatus === 'delivered'), 5000);
			expect(received.map((r) => r.params.MessageStatus)).toEqual(['sending', 'sent', 'delivered']);
			for (const r of received) {
				expect(twilio.validateRequest(box.get().accounts.twilio.authToken, r.signature, callbackUrl, r.params)).toBe(true);
				expect(r.params.MessageSid).toBe(created.sid);
			}
			expect((await c.messages(created.sid).fetch()).status).toBe('delivered');
		} finally {
			server.close();
		}
	});

	it('schedules through a Messaging Service and cancels', async () => {
		const c = client();
		const { messagingServiceSid } = box.get().accounts.twilio;
		const sendAt = new Date(Date.now() + 3600_000);
		const created = await c.messages.create({ to: '+33612345678', messagingServiceSid, body: 'later', sendAt, scheduleType: 'fixed' });
		expect(created.status).toBe('scheduled');
		const canceled = await c.messages(created.sid).update({ status: 'canceled' });
		expect(canceled.status).toBe('canceled');
	});

	it.each([
		[{ to: '+12125550101' }, 400, 21211],
		[{ to: '+12125550102' }, 400, 21610],
		[{ to: '+12125550103' }, 400, 21614],
		[{ from: '+19995550000' }, 400, 21606],
		[{ body: 'x'.repeat(1601) }, 400, 21617],
	])('fails %j with HTTP %i and code %i', async (override, status, code) => {
		await expect(client().messages.create({ to: '+33612345678', from: '+15005550006', body: 'x', ...override })).rejects.toMatchObject({ status, code });
	});

	it('refuses bad credentials with 20003', async () => {
		await expect(client('wrong').messages.create({ to: '+33612345678', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 401, code: 20003 });
	});

	it('answers an injected 429 with 20429 and Retry-After, and a 404 with 20404', async () => {
		box.get().addFault({ provider: 'twilio', type: 'status', status: 429, retryAfter: 2 });
		await expect(client().messages.create({ to: '+33612345678', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 429, code: 20429 });
		await expect(client().messages('SM00000000000000000000000000000000').fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
	});
});
