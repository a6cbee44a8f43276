/** The sandbox's own API, for tests and people: what it received, faults to inject, a reset. */
import { MAGIC_NUMBERS } from './config';
import { PHONE_PAGE } from './phonePage';
import { newId, newMessage } from './state';
import { json, jsonBody, type SandboxRequest, type SandboxResponse } from './http';
import type { Sandbox } from './server';
import type { FaultRule, SandboxProvider } from './state';

const PROVIDERS: SandboxProvider[] = ['twilio', 'sinch', 'sns'];

export async function handleControl(sandbox: Sandbox, req: SandboxRequest): Promise<SandboxResponse> {
	if (req.path === '/' && req.method === 'GET') {
		return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: PHONE_PAGE };
	}
	const path = req.path.replace(/^\/__sandbox/, '') || '/';
	const key = `${req.method} ${path}`;
	switch (key) {
		case 'POST /inbound': {
			// A reply typed on the phone page: kept as an inbound message to the last sender that wrote to this phone.
			const body = jsonBody(req);
			const from = typeof body?.from === 'string' ? body.from : '';
			const text = typeof body?.body === 'string' ? body.body : '';
			if (!from || !text) return json(400, { error: 'from and body are required' });
			const last = [...sandbox.messages.values()].reverse().find((m) => m.direction === 'outbound-api' && m.to.replace(/^whatsapp:/, '') === from);
			const message = sandbox.store(
				newMessage({
					provider: last?.provider ?? 'twilio',
					id: newId('SM'),
					account: last?.account ?? sandbox.accounts.twilio.accountSid,
					direction: 'inbound',
					from,
					to: typeof body?.to === 'string' ? body.to : (last?.from ?? sandbox.accounts.twilio.numbers[0]),
					body: text,
					status: 'received',
					sentAt: new Date().toISOString(),
				}),
			);
			return json(201, message);
		}
		case 'GET /':
			return json(200, {
				name: 'Messaging Gateway sandbox',
				providers: PROVIDERS,
				control: {
					'GET /__sandbox/messages?provider=&to=': 'messages received, newest last',
					'DELETE /__sandbox/messages': 'forget messages',
					'GET /__sandbox/requests': 'provider API requests, with any fault applied',
					'GET /__sandbox/callbacks': 'status callbacks sent',
					'GET|POST|DELETE /__sandbox/faults': 'list, add ({provider?, to?, type: status|reset|delay|hang, status?, retryAfter?, delayMs?, count?}), clear',
					'POST|DELETE /__sandbox/optouts': 'add or remove an opted-out number ({number})',
					'POST /__sandbox/reset': 'forget everything',
					'GET /__sandbox/config': 'the sandbox accounts (for credentials)',
					'POST /__sandbox/inbound': 'a message from a phone ({from, body, to?}), as the phone page sends it',
					'GET /': 'the phone page',
				},
				magicNumbers: MAGIC_NUMBERS,
			});
		case 'GET /health':
			return json(200, { ok: true });
		case 'GET /config':
			return json(200, { url: sandbox.url, accounts: sandbox.accounts, limits: sandbox.limits, timeScale: sandbox.timeScale });
		case 'GET /messages': {
			const provider = req.query.get('provider');
			const to = req.query.get('to');
			const messages = [...sandbox.messages.values()].filter(
				(m) => (!provider || m.provider === provider) && (!to || m.to === to || m.to === `whatsapp:${to}`),
			);
			return json(200, { messages });
		}
		case 'DELETE /messages':
			sandbox.messages.clear();
			return json(200, { ok: true });
		case 'GET /requests':
			return json(200, { requests: sandbox.requests });
		case 'GET /callbacks':
			return json(200, { callbacks: sandbox.callbacks });
		case 'GET /faults':
			return json(200, { faults: sandbox.faults });
		case 'POST /faults': {
			const body = jsonBody(req);
			const type = body?.type as FaultRule['type'] | undefined;
			if (!body || !type || !['status', 'reset', 'delay', 'hang'].includes(type)) {
				return json(400, { error: 'type must be one of status, reset, delay, hang' });
			}
			if (body.provider !== undefined && !PROVIDERS.includes(body.provider as SandboxProvider)) {
				return json(400, { error: `provider must be one of ${PROVIDERS.join(', ')}` });
			}
			const fault = sandbox.addFault({
				type,
				provider: body.provider as SandboxProvider | undefined,
				to: typeof body.to === 'string' ? body.to : undefined,
				status: typeof body.status === 'number' ? body.status : undefined,
				retryAfter: typeof body.retryAfter === 'number' ? body.retryAfter : undefined,
				delayMs: typeof body.delayMs === 'number' ? body.delayMs : undefined,
				count: typeof body.count === 'number' ? body.count : 1,
			});
			return json(201, fault);
		}
		case 'DELETE /faults':
			sandbox.faults.length = 0;
			return json(200, { ok: true });
		case 'POST /optouts':
		case 'DELETE /optouts': {
			const number = jsonBody(req)?.number;
			if (typeof number !== 'string') return json(400, { error: 'number is required' });
			if (req.method === 'POST') sandbox.optOuts.add(number);
			else sandbox.optOuts.delete(number);
			return json(200, { optOuts: [...sandbox.optOuts] });
		}
		case 'POST /reset':
			sandbox.reset();
			return json(200, { ok: true });
		default:
			return json(404, { error: `No sandbox control at ${req.method} ${req.path}` });
	}
}
