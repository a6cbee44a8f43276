/** The sandbox's own API, for tests and people: what it received, faults to inject, a reset; and the phone page. */
import type { IncomingHttpHeaders } from 'node:http';
import { MAGIC_NUMBERS } from './config';
import { E164, parseFault, PROVIDERS } from './faults';
import { httpUrl, json, jsonBody, postOnce } from './http';
import { PHONE_PAGE } from './phonePage';
import { newMessage } from './state';
import type { SandboxContext, SandboxProvider, SandboxRequest, SandboxResponse, StoredMessage, WebhookSpec, WhatsAppButton } from './types';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_INBOUND_BODY = 1600;
const WHATSAPP = 'whatsapp:';
const bare = (address: string) => (address.startsWith(WHATSAPP) ? address.slice(WHATSAPP.length) : address);

/** Requests the control API and the phone page answer (the rest go to a provider, or 404). */
export function isControlRequest(method: string, path: string): boolean {
	return path === '/__sandbox' || path.startsWith('/__sandbox/') || (path === '/' && method === 'GET');
}

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const shown = (value: string) => (value.length > 100 ? `${value.slice(0, 100)}…` : value);
/** What a stored message has, for GET /messages?fields=. */
const MESSAGE_FIELDS = new Set([...Object.keys(newMessage({ provider: 'twilio', id: '', account: '', from: null, to: '', body: '', status: '' })), 'channel', 'whatsapp']);

/** What a phone adds to a WhatsApp message: a tapped button, the message it answers, a profile name. */
interface WhatsAppExtras {
	channel?: 'sms' | 'whatsapp';
	button?: WhatsAppButton;
	replyTo?: string;
	profileName?: string;
}

/** The WhatsApp fields of a control call's JSON, checked; a sentence when one is wrong. */
function whatsappExtras(body: Record<string, unknown> | undefined): WhatsAppExtras | string {
	const out: WhatsAppExtras = {};
	const { channel, button, replyTo, profileName } = body ?? {};
	if (channel !== undefined) {
		if (channel !== 'sms' && channel !== 'whatsapp') return 'channel, when given, is sms or whatsapp';
		out.channel = channel;
	}
	if (button !== undefined) {
		const b = button as Record<string, unknown> | null;
		const ok = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 256;
		if (typeof b !== 'object' || b === null || !ok(b.payload) || !ok(b.title)) return 'button, when given, is {payload, title}: two strings of 1 to 256 characters';
		out.button = { payload: b.payload as string, title: b.title as string };
	}
	if (replyTo !== undefined) {
		if (typeof replyTo !== 'string' || replyTo.length === 0 || replyTo.length > 64) return 'replyTo, when given, is a message ID (a string of at most 64 characters)';
		out.replyTo = replyTo;
	}
	if (profileName !== undefined) {
		if (typeof profileName !== 'string' || profileName.length > 256) return 'profileName, when given, is a string of at most 256 characters';
		out.profileName = profileName;
	}
	return out;
}

/** The provider that has this number (SMS or WhatsApp), if any. */
function ownerOf(sandbox: SandboxContext, number: string): SandboxProvider | undefined {
	return sandbox.providerNames().find((name) => {
		const api = sandbox.api(name);
		return api.inboundNumbers().includes(number) || (api.whatsappNumbers?.() ?? []).includes(number);
	});
}

const isWhatsAppNumber = (sandbox: SandboxContext, number: string) => sandbox.providerNames().some((name) => (sandbox.api(name).whatsappNumbers?.() ?? []).includes(number));
const isWhatsAppMessage = (m: StoredMessage) => m.channel === 'whatsapp' || m.to.startsWith(WHATSAPP);

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
			// WhatsApp (to a whatsapp: address, to a provider's WhatsApp number, or channel: 'whatsapp') may carry a
			// quick-reply tap (the body defaults to its title) and the ID of the message it answers.
			const body = jsonBody(req);
			const extras = whatsappExtras(body);
			if (typeof extras === 'string') return json(400, { error: extras });
			const from = typeof body?.from === 'string' ? body.from : '';
			const text = typeof body?.body === 'string' && body.body ? body.body : (extras.button?.title ?? '');
			if (!from || !text) return json(400, { error: 'from and body (or a button) are required, as strings' });
			if (from.length > 64) return json(400, { error: 'from must be a phone number (at most 64 characters)' });
			if (text.length > MAX_INBOUND_BODY) return json(400, { error: `body must be at most ${MAX_INBOUND_BODY} characters` });
			if (body?.to !== undefined && (typeof body.to !== 'string' || body.to.length > 64)) {
				return json(400, { error: 'to, when given, must be a phone number (a string of at most 64 characters)' });
			}
			const phone = bare(from);
			// Who this phone answers, when it does not say: the sender of the message it replies to, else the last
			// sender that wrote to it (on WhatsApp when it writes on WhatsApp).
			const replied = extras.replyTo ? sandbox.messages.get(extras.replyTo) : undefined;
			const last = [...sandbox.messages.values()]
				.reverse()
				.find((m) => m.direction === 'outbound-api' && bare(m.to) === phone && (extras.channel !== 'whatsapp' || isWhatsAppMessage(m)));
			const fallback = extras.channel === 'whatsapp' ? `${WHATSAPP}${sandbox.accounts.twilio.whatsappNumbers[0]}` : sandbox.accounts.twilio.numbers[0];
			const to = typeof body?.to === 'string' ? body.to : ((replied?.direction === 'outbound-api' ? replied.from : null) ?? last?.from ?? fallback);
			const bareTo = bare(to);
			const whatsapp = extras.channel === 'whatsapp' || (extras.channel !== 'sms' && (to.startsWith(WHATSAPP) || isWhatsAppNumber(sandbox, bareTo)));
			if (!whatsapp && (extras.button || extras.replyTo)) return json(400, { error: 'button and replyTo are for WhatsApp messages (to a WhatsApp number, or channel: whatsapp)' });
			const owner = ownerOf(sandbox, bareTo) ?? last?.provider ?? 'twilio';
			const account = sandbox.api(owner).inboundAccount();
			// Twilio writes WhatsApp addresses with their whatsapp: prefix; the other providers name plain numbers.
			const [fromAddress, toAddress] = !whatsapp
				? [to.startsWith(WHATSAPP) && !from.startsWith(WHATSAPP) ? `${WHATSAPP}${from}` : from, to]
				: owner === 'twilio'
					? [`${WHATSAPP}${phone}`, `${WHATSAPP}${bareTo}`]
					: [phone, bareTo];
			const message = sandbox.store(
				newMessage({
					provider: owner,
					id: sandbox.api(owner).newInboundId(),
					account: last?.provider === owner ? last.account : account,
					direction: 'inbound',
					from: fromAddress,
					to: toAddress,
					body: text,
					status: 'received',
					sentAt: new Date().toISOString(),
					...(whatsapp
						? {
								channel: 'whatsapp' as const,
								segments: 1,
								whatsapp: {
									...(extras.button ? { buttonPayload: extras.button.payload } : {}),
									...(extras.replyTo ? { replyTo: extras.replyTo } : {}),
									...(extras.profileName ? { profileName: extras.profileName } : {}),
								},
							}
						: {}),
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
			const extras = whatsappExtras(spec);
			if (typeof extras === 'string') return json(400, { error: extras });
			const text = (name: string, fallback: string) => (typeof spec?.[name] === 'string' ? (spec[name] as string).slice(0, MAX_INBOUND_BODY) : fallback);
			const api = sandbox.api(provider as SandboxProvider);
			const from = text('from', '+33612345678');
			// WhatsApp when asked, or when an address says so (whatsapp:…, or the provider's WhatsApp number); it then
			// goes to the provider's WhatsApp number unless told otherwise.
			const givenTo = typeof spec?.to === 'string' ? spec.to : '';
			const whatsapp =
				extras.channel === 'whatsapp' ||
				(extras.channel !== 'sms' && (from.startsWith(WHATSAPP) || givenTo.startsWith(WHATSAPP) || (api.whatsappNumbers?.() ?? []).includes(bare(givenTo))));
			const whatsappNumber = api.whatsappNumbers?.()[0];
			const defaultTo = whatsapp && whatsappNumber ? (from.startsWith(WHATSAPP) ? `${WHATSAPP}${whatsappNumber}` : whatsappNumber) : (api.inboundNumbers()[0] ?? '');
			const webhook: WebhookSpec = {
				url: String(spec?.url),
				event,
				from,
				to: text('to', defaultTo),
				body: text('body', extras.button?.title ?? 'Hello'),
				status: text('status', 'delivered'),
				errorCode: typeof spec?.errorCode === 'string' ? spec.errorCode : undefined,
				messageId: typeof spec?.messageId === 'string' ? spec.messageId : undefined,
				topicArn: typeof spec?.topicArn === 'string' ? spec.topicArn : undefined,
				signedUrl: typeof spec?.signedUrl === 'string' ? spec.signedUrl : undefined,
				forge: forge as WebhookSpec['forge'],
				...(whatsapp ? { channel: 'whatsapp' as const } : {}),
				...(extras.button ? { button: extras.button } : {}),
				...(extras.replyTo ? { replyTo: extras.replyTo } : {}),
				...(extras.profileName ? { profileName: extras.profileName } : {}),
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
					'GET /__sandbox/messages?provider=&to=&since=&fields=':
						'messages received, oldest first; each has arrivedAt (epoch ms its request arrived). since: arrived at or after (epoch ms); fields: only these, comma-separated',
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
					'POST /__sandbox/inbound':
						"a message from a phone ({from, body, to?, channel?: sms|whatsapp, button?: {payload, title}, replyTo?: message ID, profileName?}), as the phone page sends it; posted to the number's inbound webhook. WhatsApp when to is whatsapp:…, a WhatsApp number, or channel says so; it opens the 24-hour window",
					'POST /__sandbox/webhooks':
						'fire a provider webhook now ({provider, url, event: inbound|status, from?, to?, body?, status?, errorCode?, messageId?, topicArn?, signedUrl?, forge?: signature|unsigned|body|certificate, channel?, button?, replyTo?, profileName?}); WhatsApp when from or to is whatsapp:… or channel says so; returns what was sent and the answer',
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
			// since: only messages whose request arrived at or after this time (epoch ms); fields: only these fields of
			// each (e.g. fields=arrivedAt,provider for a throttle check over 100,000 messages).
			const sinceRaw = req.query.get('since');
			const since = sinceRaw === null ? undefined : Number(sinceRaw);
			if (since !== undefined && (sinceRaw === '' || !Number.isFinite(since))) return json(400, { error: 'since, when given, is a time in epoch milliseconds' });
			const fieldsRaw = req.query.get('fields');
			const fields = fieldsRaw === null ? undefined : fieldsRaw.split(',').map((f) => f.trim()).filter(Boolean);
			const unknown = fields?.find((f) => !MESSAGE_FIELDS.has(f));
			if (fields && (fields.length === 0 || unknown !== undefined)) return json(400, { error: `fields, when given, names fields of a message: ${[...MESSAGE_FIELDS].join(', ')}` });
			const messages: unknown[] = [];
			for (const m of sandbox.messages.values()) {
				if ((provider && m.provider !== provider) || (to && m.to !== to && m.to !== `whatsapp:${to}`) || (since !== undefined && m.arrivedAt < since)) continue;
				messages.push(fields ? Object.fromEntries(fields.map((f) => [f, m[f as keyof StoredMessage] ?? null])) : m);
			}
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
