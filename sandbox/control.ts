/** The sandbox's own API, for tests and people: what it received, faults to inject, a reset; and the phone page. */
import type { IncomingHttpHeaders } from 'node:http';
import { MAGIC_NUMBERS } from './config';
import { E164, parseFault, PROVIDERS } from './faults';
import { httpUrl, json, jsonBody, postOnce } from './http';
import { PHONE_PAGE } from './phonePage';
import { newMessage } from './state';
import type { SandboxContext, SandboxProvider, SandboxRequest, SandboxResponse, WebhookSpec } from './types';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_INBOUND_BODY = 1600;

/** Requests the control API and the phone page answer (the rest go to a provider, or 404). */
export function isControlRequest(method: string, path: string): boolean {
	return path === '/__sandbox' || path.startsWith('/__sandbox/') || (path === '/' && method === 'GET');
}

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const shown = (value: string) => (value.length > 100 ? `${value.slice(0, 100)}…` : value);

/**
 * Refuse what a web page the developer happens to visit could send to the sandbox on their machine: a Host
 * that is not the sandbox's own (DNS rebinding), an Origin that is not the sandbox's own (cross-site requests),
 * and a state-changing call whose body a plain HTML form or a "simple" fetch could send (anything but JSON).
 * The phone page is served by the sandbox, so its own calls carry the sandbox's origin and pass.
 */
export function refuseCrossSite(method: string, headers: IncomingHttpHeaders, ownHosts: Set<string>): SandboxResponse | undefined {
	const host = (one(headers.host) ?? '').trim().toLowerCase();
	if (!ownHosts.has(host)) {
		return json(403, {
			error:
				`The sandbox control API and phone page answer only requests addressed to the sandbox itself ` +
				`(${[...ownHosts].join(', ')}); Host ${host ? shown(host) : '(none)'} is refused. ` +
				'To reach it under another name, start it with allowedHosts (npm run sandbox -- --allowed-hosts=name).',
		});
	}
	const origin = one(headers.origin);
	if (origin !== undefined) {
		const trimmed = origin.trim().toLowerCase();
		const own = /^http:\/\/([^/]+)$/.exec(trimmed);
		if (!own || !ownHosts.has(own[1])) {
			return json(403, { error: `Cross-site request refused: Origin ${shown(origin)} is not the sandbox's own origin.` });
		}
	}
	if (!SAFE_METHODS.has(method)) {
		const type = one(headers['content-type']);
		const mime = type?.split(';')[0].trim().toLowerCase();
		const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
		if (type !== undefined ? mime !== 'application/json' : hasBody) {
			return json(415, { error: 'Control calls that change the sandbox take a JSON body with Content-Type: application/json (or no body).' });
		}
	}
	return undefined;
}

export async function handleControl(sandbox: SandboxContext, req: SandboxRequest): Promise<SandboxResponse> {
	if (req.path === '/' && req.method === 'GET') {
		return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: PHONE_PAGE };
	}
	const path = req.path.replace(/^\/__sandbox/, '') || '/';
	const key = `${req.method} ${path}`;
	switch (key) {
		case 'POST /inbound': {
			// A reply typed on the phone page: to the number named, else to the last sender that wrote to this phone;
			// kept, then posted (signed) to where that number's provider is told to send inbound messages.
			const body = jsonBody(req);
			const from = typeof body?.from === 'string' ? body.from : '';
			const text = typeof body?.body === 'string' ? body.body : '';
			if (!from || !text) return json(400, { error: 'from and body are required, as strings' });
			if (from.length > 64) return json(400, { error: 'from must be a phone number (at most 64 characters)' });
			if (text.length > MAX_INBOUND_BODY) return json(400, { error: `body must be at most ${MAX_INBOUND_BODY} characters` });
			if (body?.to !== undefined && (typeof body.to !== 'string' || body.to.length > 64)) {
				return json(400, { error: 'to, when given, must be a phone number (a string of at most 64 characters)' });
			}
			const last = [...sandbox.messages.values()].reverse().find((m) => m.direction === 'outbound-api' && m.to.replace(/^whatsapp:/, '') === from);
			const to = typeof body?.to === 'string' ? body.to : (last?.from ?? sandbox.accounts.twilio.numbers[0]);
			const bareTo = to.replace(/^whatsapp:/, '');
			const owner = sandbox.providerNames().find((name) => sandbox.api(name).inboundNumbers().includes(bareTo)) ?? last?.provider ?? 'twilio';
			const account = sandbox.api(owner).inboundAccount();
			const message = sandbox.store(
				newMessage({
					provider: owner,
					id: sandbox.api(owner).newInboundId(),
					account: last?.provider === owner ? last.account : account,
					direction: 'inbound',
					from: to.startsWith('whatsapp:') && !from.startsWith('whatsapp:') ? `whatsapp:${from}` : from,
					to,
					body: text,
					status: 'received',
					sentAt: new Date().toISOString(),
				}),
			);
			const delivered = sandbox.api(owner).deliverInbound(message);
			return json(201, { ...message, webhook: delivered ? 'posted' : 'none configured' });
		}
		case 'POST /webhooks': {
			// A provider's webhook built and signed as the provider would (or forged), posted now; its answer returned.
			const spec = jsonBody(req);
			const provider = spec?.provider;
			if (typeof provider !== 'string' || !sandbox.providerNames().includes(provider as SandboxProvider)) return json(400, { error: `provider must be one of ${sandbox.providerNames().join(', ')}` });
			if (!httpUrl(spec?.url)) return json(400, { error: 'url must be an absolute http(s) URL' });
			const event = spec?.event ?? 'inbound';
			if (event !== 'inbound' && event !== 'status') return json(400, { error: 'event must be inbound or status' });
			const forge = spec?.forge;
			if (forge !== undefined && !['signature', 'unsigned', 'body', 'certificate'].includes(forge as string)) return json(400, { error: 'forge, when given, is signature, unsigned, body or certificate' });
			const text = (name: string, fallback: string) => (typeof spec?.[name] === 'string' ? (spec[name] as string).slice(0, MAX_INBOUND_BODY) : fallback);
			const webhook: WebhookSpec = {
				url: String(spec?.url),
				event,
				from: text('from', '+33612345678'),
				to: text('to', sandbox.api(provider as SandboxProvider).inboundNumbers()[0] ?? ''),
				body: text('body', 'Hello'),
				status: text('status', 'delivered'),
				errorCode: typeof spec?.errorCode === 'string' ? spec.errorCode : undefined,
				messageId: typeof spec?.messageId === 'string' ? spec.messageId : undefined,
				topicArn: typeof spec?.topicArn === 'string' ? spec.topicArn : undefined,
				signedUrl: typeof spec?.signedUrl === 'string' ? spec.signedUrl : undefined,
				forge: forge as WebhookSpec['forge'],
			};
			const built = sandbox.api(provider as SandboxProvider).webhook(webhook);
			const answer = await postOnce(built.url, built.headers, built.body);
			return json(200, { sent: built, answer });
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
					'GET /__sandbox/errors': 'failures of the sandbox itself (none, normally)',
					'GET|POST|DELETE /__sandbox/faults':
						'list, add ({provider?, to?, type: status|reset|delay|hang, status?: 100-599, retryAfter?: s, delayMs?: <= 600000, count?: -1 or >= 1}), clear',
					'POST|DELETE /__sandbox/optouts': 'add or remove an opted-out number ({number}, E.164)',
					'POST /__sandbox/reset': 'forget everything',
					'GET /__sandbox/config': 'the sandbox accounts (for credentials)',
					'GET /__sandbox/health': '{ok: true} while the sandbox serves',
					'POST /__sandbox/inbound': "a message from a phone ({from, body, to?}), as the phone page sends it; posted to the number's inbound webhook",
					'POST /__sandbox/webhooks':
						'fire a provider webhook now ({provider, url, event: inbound|status, from?, to?, body?, status?, errorCode?, messageId?, topicArn?, signedUrl?, forge?: signature|unsigned|body|certificate}); returns what was sent and the answer',
					...Object.fromEntries(sandbox.providerNames().flatMap((name) => Object.entries(sandbox.api(name).control?.routes ?? {}))),
					'GET /': 'the phone page',
				},
				notes: 'Calls that change state take Content-Type: application/json and are refused from other origins or hosts.',
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
		case 'GET /errors':
			return json(200, { errors: sandbox.errors });
		case 'GET /faults':
			return json(200, { faults: sandbox.faults });
		case 'POST /faults': {
			const rule = parseFault(jsonBody(req));
			if (typeof rule === 'string') return json(400, { error: rule });
			return json(201, sandbox.addFault(rule));
		}
		case 'DELETE /faults':
			sandbox.faults.length = 0;
			return json(200, { ok: true });
		case 'POST /optouts':
		case 'DELETE /optouts': {
			const number = jsonBody(req)?.number;
			if (typeof number !== 'string' || !E164.test(number)) return json(400, { error: 'number is required, in E.164 (e.g. +33612345678)' });
			if (req.method === 'POST') sandbox.optOuts.add(number);
			else sandbox.optOuts.delete(number);
			return json(200, { optOuts: [...sandbox.optOuts] });
		}
		case 'POST /reset':
			sandbox.reset();
			return json(200, { ok: true });
		default: {
			// A provider's dashboard settings: /__sandbox/<provider>/<setting>.
			const [, name, ...rest] = path.split('/');
			const api = sandbox.providerNames().includes(name as SandboxProvider) ? sandbox.api(name as SandboxProvider) : undefined;
			const answer = api?.control?.handle(req.method, `/${rest.join('/')}`, req.method === 'GET' ? undefined : jsonBody(req));
			return answer ?? json(404, { error: `No sandbox control at ${req.method} ${shown(req.path)}` });
		}
	}
}
