/** Twilio's Messages API, as the sandbox plays it. */
import { countSegments } from '../nodes/shared/rules/segments';
import { computeTwilioSignature } from '../nodes/shared/signatures/twilio';
import { twilioSenderRate } from '../nodes/shared/providers/twilio/index';
import { basicAuth, form, httpUrl, json, rfc2822 } from './http';
import { ConversationWindows, scenarioOf, SenderQueue, twilioStatusSteps, twilioWhatsAppSteps, WHATSAPP_WINDOW_MS } from './rules';
import { E164 } from './faults';
import { newId, newMessage } from './state';
import { twilioContent } from './twilioContent';
import { twilioError } from './twilioError';
import { twilioPricing } from './twilioPricing';
import { twilioVerify } from './twilioVerify';
import {
	addressProblem,
	contentOf,
	isWhatsApp,
	stripChannel,
	WHATSAPP_PER_SECOND,
	WHATSAPP_PREFIX,
	WHATSAPP_PRICE,
	whatsappContent,
	whatsappInboundParams,
	whatsappStatusParams,
	windowRefusal,
} from './twilioWhatsApp';
import type { ProviderApi, SandboxContext, SandboxRequest, SandboxResponse, StatusEvent, StoredMessage, WebhookSpec } from './types';

/** The Messaging Services API lives on messaging.twilio.com: /v1/Services/MG…. */
const SERVICE_PATH = /^\/v1\/Services\/([^/]+)$/;
const NUMBER_PATH = /^\/IncomingPhoneNumbers\/([A-Za-z0-9]+)\.json$/;

/** Where a number's incoming messages go (its "A message comes in" webhook). */
interface NumberSettings {
	sid: string;
	smsUrl: string;
	smsMethod: string;
}

interface ServiceSettings {
	inboundRequestUrl: string;
	inboundMethod: string;
	statusCallback: string;
}

const PREFIX = /^\/2010-04-01\/Accounts\/([^/]+)(\/.*)?$/;

/** Twilio's generic code for an HTTP status, for answers no specific check gave. */
function codeFor(status: number): number {
	const codes: Record<number, number> = { 401: 20003, 404: 20404, 405: 20004, 429: 20429, 503: 20503 };
	return codes[status] ?? (status >= 500 ? 20500 : 20001);
}

const notFound = (path: string) => twilioError(404, 20404, `The requested resource ${path.length > 200 ? `${path.slice(0, 200)}…` : path} was not found`);

/** A StatusCallback Twilio would call: an absolute http(s) URL whose host has no underscore. */
function callbackProblem(value: string): boolean {
	const url = httpUrl(value);
	return !url || url.hostname.includes('_');
}

export function twilioApi(sandbox: SandboxContext): ProviderApi {
	const account = sandbox.accounts.twilio;
	/** Each sender's queue, in real (scaled) milliseconds. */
	const queue = new SenderQueue(sandbox.scaled(sandbox.limits.twilioMaxQueueMs), 1000 * sandbox.timeScale);
	/** A rate every sender sends at instead of its own, when the sandbox was started with one (limits.twilioSenderPerSecond). */
	const lifted = sandbox.limits.twilioSenderPerSecond;
	const liftedRate = lifted !== undefined && lifted > 0 && Number.isFinite(lifted) ? lifted : undefined;
	/** Webhook settings of the account's numbers (by E.164) and of its Messaging Service. */
	const numbers = new Map<string, NumberSettings>();
	const service: ServiceSettings = { inboundRequestUrl: '', inboundMethod: 'POST', statusCallback: '' };
	// The WhatsApp senders are numbers of the account too: their inbound messages go to their SmsUrl.
	const allNumbers = () => [...new Set([...account.numbers, ...account.serviceNumbers, ...account.whatsappNumbers])];
	const verify = twilioVerify(sandbox);
	const contents = twilioContent(sandbox);
	const pricing = twilioPricing(() => sandbox.url);
	/** WhatsApp's 24-hour windows, by (sender, contact), opened by the contact's inbound messages. */
	const windows = new ConversationWindows(sandbox.scaled(WHATSAPP_WINDOW_MS));

	function numberSettings(number: string): NumberSettings | undefined {
		if (!allNumbers().includes(number)) return undefined;
		let settings = numbers.get(number);
		if (!settings) {
			// A stable SID per number: PN + the number's digits, padded.
			settings = { sid: `PN${number.replace(/\D/g, '').padStart(32, '0').slice(-32)}`, smsUrl: '', smsMethod: 'POST' };
			numbers.set(number, settings);
		}
		return settings;
	}

	function numberResource(number: string, settings: NumberSettings) {
		return {
			sid: settings.sid,
			account_sid: account.accountSid,
			phone_number: number,
			friendly_name: number,
			sms_url: settings.smsUrl,
			sms_method: settings.smsMethod,
			capabilities: { sms: true, mms: true, voice: false },
			uri: `/2010-04-01/Accounts/${account.accountSid}/IncomingPhoneNumbers/${settings.sid}.json`,
		};
	}

	function serviceResource() {
		return {
			sid: account.messagingServiceSid,
			account_sid: account.accountSid,
			friendly_name: 'Sandbox Messaging Service',
			inbound_request_url: service.inboundRequestUrl || null,
			inbound_method: service.inboundMethod,
			status_callback: service.statusCallback || null,
			use_inbound_webhook_on_number: false,
			url: `https://messaging.twilio.com/v1/Services/${account.messagingServiceSid}`,
		};
	}

	/** A form value that is a URL Twilio would call, or empty (to clear it). */
	function urlField(p: URLSearchParams, name: string): string | undefined | SandboxResponse {
		const value = p.get(name);
		if (value === null) return undefined;
		if (value !== '' && callbackProblem(value)) return twilioError(400, 21502, `${name} is not a valid URL: it must be an absolute http(s) URL whose host has no underscore.`);
		return value;
	}

	function methodField(p: URLSearchParams, name: string): string | undefined | SandboxResponse {
		const value = p.get(name);
		if (value === null) return undefined;
		if (value !== 'GET' && value !== 'POST') return twilioError(400, 21501, `${name} must be GET or POST.`);
		return value;
	}

	/** The form Twilio posts for an inbound message, and the URL it is sent to. */
	function inboundParams(m: StoredMessage): Record<string, string> {
		const to = stripChannel(m.to);
		const whatsapp = isWhatsApp(m);
		const prefix = whatsapp ? WHATSAPP_PREFIX : '';
		const params: Record<string, string> = {
			SmsMessageSid: m.id,
			NumMedia: String(m.mediaUrls.length),
			SmsSid: m.id,
			SmsStatus: 'received',
			Body: m.body,
			To: `${prefix}${to.number}`,
			NumSegments: String(m.segments),
			MessageSid: m.id,
			AccountSid: m.account,
			From: `${prefix}${stripChannel(m.from ?? '').number}`,
			ApiVersion: '2010-04-01',
		};
		m.mediaUrls.forEach((url, i) => {
			params[`MediaUrl${i}`] = url;
			params[`MediaContentType${i}`] = 'image/jpeg';
		});
		if (account.serviceNumbers.includes(to.number) || account.whatsappNumbers.includes(to.number)) params.MessagingServiceSid = account.messagingServiceSid;
		if (whatsapp) Object.assign(params, whatsappInboundParams(m, m.whatsapp?.replyTo ? sandbox.messages.get(m.whatsapp.replyTo) : undefined));
		return params;
	}

	function signedForm(url: string, params: Record<string, string>, signedUrl = url): { headers: Record<string, string>; body: string } {
		return {
			body: new URLSearchParams(params).toString(),
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				'X-Twilio-Signature': computeTwilioSignature(account.authToken, signedUrl, params),
				'I-Twilio-Idempotency-Token': newId('', 32),
				'User-Agent': 'TwilioProxy/1.1',
			},
		};
	}

	/** TwiML's <Message> replies, sent back to the phone as Twilio would. */
	function replyFromTwiml(m: StoredMessage, twiml: string): void {
		for (const match of twiml.matchAll(/<Message(?:\s[^>]*)?>([\s\S]*?)<\/Message>/g)) {
			const body = match[1]
				.replace(/<Body>([\s\S]*?)<\/Body>/, '$1')
				.replace(/&lt;/g, '<')
				.replace(/&gt;/g, '>')
				.replace(/&quot;/g, '"')
				.replace(/&apos;/g, "'")
				.replace(/&amp;/g, '&')
				.trim();
			if (!body) continue;
			const reply = sandbox.store(newMessage({ provider: 'twilio', id: newId('SM'), account: m.account, from: m.to, to: m.from ?? '', body, status: 'queued' }));
			// A reply to a WhatsApp message is one too, inside the window the message just opened.
			if (isWhatsApp(m)) Object.assign(reply, { channel: 'whatsapp', segments: 1, whatsapp: {} });
			sandbox.progress(reply, isWhatsApp(m) ? twilioWhatsAppSteps('ok', false, 0) : twilioStatusSteps('ok', false, 0));
		}
	}

	function resource(m: StoredMessage) {
		const base = `/2010-04-01/Accounts/${m.account}/Messages/${m.id}`;
		return {
			account_sid: m.account,
			api_version: '2010-04-01',
			body: m.body,
			date_created: rfc2822(new Date(m.createdAt)),
			date_sent: m.sentAt ? rfc2822(new Date(m.sentAt)) : null,
			date_updated: rfc2822(new Date(m.updatedAt)),
			direction: m.direction,
			error_code: m.errorCode === null ? null : Number(m.errorCode),
			error_message: m.errorCode === null ? null : `Error ${m.errorCode}`,
			from: m.from,
			messaging_service_sid: m.messagingServiceSid,
			num_media: String(m.mediaUrls.length),
			num_segments: String(m.segments),
			price: m.price,
			price_unit: 'USD',
			sid: m.id,
			status: m.status,
			subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
			to: m.to,
			uri: `${base}.json`,
		};
	}

	/** A status callback's form: the SMS fields, WhatsApp's own, or an SMS carrier's receipt date on a final status. */
	function statusParams(m: StoredMessage, event: StatusEvent): Record<string, string> {
		const params: Record<string, string> = {
			AccountSid: m.account,
			From: m.from ?? '',
			To: m.to,
			MessageSid: m.id,
			MessageStatus: event.status,
			SmsSid: m.id,
			SmsStatus: event.status,
			ApiVersion: '2010-04-01',
		};
		if (m.messagingServiceSid) params.MessagingServiceSid = m.messagingServiceSid;
		if (event.errorCode !== null && event.errorCode !== undefined) params.ErrorCode = String(event.errorCode);
		if (isWhatsApp(m)) Object.assign(params, whatsappStatusParams(m, event));
		else if (['delivered', 'undelivered', 'failed'].includes(event.status)) params.RawDlrDoneDate = event.at.slice(2, 16).replace(/[-T:]/g, '');
		return params;
	}

	sandbox.onStatus.set('twilio', (m, event) => {
		if (event.status === 'read' && m.whatsapp) m.whatsapp.readAt = event.at;
		if (!m.callbackUrl) return;
		const params = statusParams(m, event);
		const body = new URLSearchParams(params).toString();
		sandbox.sendCallback({
			provider: 'twilio',
			url: m.callbackUrl,
			messageId: m.id,
			status: event.status,
			body,
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				'X-Twilio-Signature': computeTwilioSignature(account.authToken, m.callbackUrl, params),
				'I-Twilio-Idempotency-Token': newId('', 32),
				'User-Agent': 'TwilioProxy/1.1',
			},
		});
	});

	function authenticate(req: SandboxRequest, pathSid: string): SandboxResponse | undefined {
		const auth = basicAuth(req);
		const ok =
			auth !== undefined &&
			pathSid === account.accountSid &&
			((auth.user === account.accountSid && auth.password === account.authToken) ||
				(auth.user === account.apiKeySid && auth.password === account.apiKeySecret));
		return ok ? undefined : twilioError(401, 20003, 'Authenticate');
	}

	function create(req: SandboxRequest, sid: string): SandboxResponse {
		const p = form(req);
		const toRaw = p.get('To') ?? '';
		const fromRaw = p.get('From') ?? '';
		const serviceSid = p.get('MessagingServiceSid') ?? '';
		const body = p.get('Body') ?? '';
		const media = p.getAll('MediaUrl');
		const contentSid = p.get('ContentSid') ?? '';
		const sendAtRaw = p.get('SendAt');
		if (!toRaw) return twilioError(400, 21604, "A 'To' phone number is required.");
		if (!fromRaw && !serviceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
		if (!body && media.length === 0 && !contentSid) return twilioError(400, 21602, 'Message body is required.');
		if (body.length > 1600) return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
		if (media.length > 10) return twilioError(400, 21623, 'Number of media files exceeds allowed limit.');
		if (media.some((url) => !httpUrl(url))) return twilioError(400, 21620, 'Invalid media URL(s). Media URLs must be absolute http(s) URLs.');
		// Without a StatusCallback, a Messaging Service's own status callback URL is used.
		const callbackUrl = p.get('StatusCallback') || (serviceSid && serviceSid === account.messagingServiceSid ? service.statusCallback : '');
		if (callbackUrl && callbackProblem(callbackUrl)) {
			return twilioError(400, 21609, `Invalid StatusCallback url: it must be an absolute http(s) URL whose host has no underscore.`);
		}
		const to = stripChannel(toRaw);
		if (!E164.test(to.number)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${toRaw}`);
		if (serviceSid && serviceSid !== account.messagingServiceSid) {
			return twilioError(400, 21701, 'The Messaging Service Sid is invalid.');
		}
		const addressError = addressProblem(to, fromRaw, Boolean(serviceSid), account.whatsappNumbers);
		if (addressError) return addressError;
		if (fromRaw && !serviceSid && to.channel === 'sms') {
			const from = fromRaw;
			const alphanumeric = /[A-Za-z]/.test(from) && /^[A-Za-z0-9 ]{1,11}$/.test(from);
			const shortCode = /^\d{5,6}$/.test(from);
			if (!alphanumeric && !shortCode && !account.numbers.includes(from)) {
				return twilioError(400, 21606, `The From phone number ${fromRaw} is not a valid, SMS-capable inbound phone number or short code for your account.`);
			}
		}
		let sendAt: Date | null = null;
		if (sendAtRaw) {
			if (!serviceSid) return twilioError(400, 35111, 'Scheduling a message requires a MessagingServiceSid.');
			sendAt = new Date(sendAtRaw);
			const ahead = sendAt.getTime() - Date.now();
			if (Number.isNaN(ahead) || ahead < 5 * 60 * 1000 || ahead > 35 * 24 * 3600 * 1000) {
				return twilioError(400, 35115, 'SendAt time must be between 15 minutes and 35 days from now.');
			}
			if (p.get('ScheduleType') !== 'fixed') return twilioError(400, 35114, 'Scheduling does not support this ScheduleType.');
		}
		const sent = contentOf(p, to.channel, contents.get);
		if ('error' in sent) return sent.error;
		const validity = p.get('ValidityPeriod');
		if (validity !== null && !(Number(validity) >= 1 && Number(validity) <= 36000)) {
			return twilioError(400, 21620, 'Invalid ValidityPeriod.');
		}
		const scenario = scenarioOf(to.number, sandbox.optOuts);
		if (scenario === 'invalid') return twilioError(400, 21211, `Invalid 'To' Phone Number: ${toRaw}`);
		if (scenario === 'optedOut') return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
		if (scenario === 'landline') return twilioError(400, 21614, `'To' number ${toRaw} is not a valid mobile number`);

		const whatsapp = to.channel === 'whatsapp';
		// A content replaces Body and MediaUrl: what goes out is the template's text and media, variables filled in.
		const text = sent.rendered ? sent.rendered.body : body;
		const mediaUrls = sent.rendered ? sent.rendered.mediaUrls : media;
		const segments = countSegments(text);
		// A Messaging Service sends from its pool: its WhatsApp sender for WhatsApp, else its first number.
		const from = serviceSid ? (whatsapp ? `${WHATSAPP_PREFIX}${account.whatsappNumbers[0]}` : account.serviceNumbers[0]) : fromRaw;
		// The sender's queue: each sender sends its segments at its own rate (a WhatsApp sender, messages at its
		// throughput); more than the allowed backlog is refused. A scheduled message waits for its time instead.
		const now = Date.now();
		const [units, realRate] = whatsapp ? [1, WHATSAPP_PER_SECOND] : [segments.segments, twilioSenderRate(stripChannel(from).number)];
		const rate = liftedRate ?? realRate;
		const slot = sendAt ? now : queue.enqueue(`${sid}|${from}`, units, rate, now);
		if (slot === null) return twilioError(400, 21611, 'This From number has exceeded the maximum number of queued messages.');
		// WhatsApp: free-form goes only inside the contact's 24-hour window; outside it, only an approved template.
		const windowOpen = whatsapp && windows.isOpen(stripChannel(from).number, to.number, now);
		const failCode = whatsapp ? windowRefusal(sent.content, windowOpen) : undefined;
		const template = sent.content && sent.rendered ? { content: sent.content, rendered: sent.rendered, windowOpen } : undefined;

		const first = sendAt ? 'scheduled' : serviceSid ? 'accepted' : 'queued';
		const message = sandbox.store(
			newMessage({
				provider: 'twilio',
				id: newId(mediaUrls.length ? 'MM' : 'SM'),
				account: sid,
				from: sendAt ? null : from,
				to: toRaw,
				body: text,
				// Counted above already: not again.
				segments: segments.segments,
				encoding: segments.encoding,
				mediaUrls,
				status: first,
				sendAt: sendAt ? sendAt.toISOString() : null,
				callbackUrl: callbackUrl || null,
				messagingServiceSid: serviceSid || null,
				// Twilio counts a WhatsApp message as one segment, whatever its length.
				...(whatsapp ? { channel: 'whatsapp' as const, segments: 1, whatsapp: whatsappContent(text, mediaUrls, template) } : {}),
			}),
		);
		if (sendAt) return json(201, resource(message));
		// Status steps are in unscaled sandbox time (sandbox.later scales them); the queue is in real time.
		const start = (slot - now) / sandbox.timeScale;
		sandbox.progress(message, whatsapp ? twilioWhatsAppSteps(scenario, first === 'accepted', start, failCode) : twilioStatusSteps(scenario, first === 'accepted', start));
		if (failCode !== undefined) return json(201, resource(message));
		sandbox.later(start + 260, () => {
			message.price = whatsapp ? WHATSAPP_PRICE : (-0.0079 * message.segments).toFixed(5);
		});
		return json(201, resource(message));
	}

	function find(sid: string, messageSid: string): StoredMessage | undefined {
		const m = sandbox.messages.get(messageSid);
		return m && m.provider === 'twilio' && m.account === sid ? m : undefined;
	}

	function list(req: SandboxRequest, sid: string): SandboxResponse {
		const to = req.query.get('To');
		const from = req.query.get('From');
		const after = req.query.get('DateSent>');
		const pageSize = Math.min(1000, Math.max(1, Math.floor(Number(req.query.get('PageSize') ?? 50)) || 50));
		const page = Math.min(1e6, Math.max(0, Math.floor(Number(req.query.get('Page') ?? 0)) || 0));
		const all = [...sandbox.messages.values()]
			.filter((m) => m.provider === 'twilio' && m.account === sid)
			.filter((m) => (!to || m.to === to) && (!from || m.from === from))
			.filter((m) => !after || new Date(m.createdAt) >= new Date(after))
			.reverse();
		const slice = all.slice(page * pageSize, (page + 1) * pageSize);
		const uri = `/2010-04-01/Accounts/${sid}/Messages.json`;
		return json(200, {
			messages: slice.map(resource),
			end: page * pageSize + Math.max(0, slice.length - 1),
			first_page_uri: `${uri}?PageSize=${pageSize}&Page=0`,
			next_page_uri: (page + 1) * pageSize < all.length ? `${uri}?PageSize=${pageSize}&Page=${page + 1}` : null,
			page,
			page_size: pageSize,
			previous_page_uri: page > 0 ? `${uri}?PageSize=${pageSize}&Page=${page - 1}` : null,
			start: page * pageSize,
			uri: `${uri}?PageSize=${pageSize}&Page=${page}`,
		});
	}

	function update(req: SandboxRequest, sid: string, messageSid: string): SandboxResponse {
		const m = find(sid, messageSid);
		if (!m) return notFound(`/2010-04-01/Accounts/${sid}/Messages/${messageSid}.json`);
		const p = form(req);
		if (p.get('Status') === 'canceled') {
			if (m.status !== 'scheduled') return twilioError(400, 30409, 'Message cannot be canceled: it is not scheduled.');
			m.canceled = true;
			sandbox.setStatus(m, 'canceled');
		}
		if (p.get('Body') === '') m.body = '';
		return json(200, resource(m));
	}

	return {
		name: 'twilio',
		reset: () => {
			queue.clear();
			numbers.clear();
			Object.assign(service, { inboundRequestUrl: '', inboundMethod: 'POST', statusCallback: '' });
			verify.reset();
			contents.reset();
			windows.clear();
		},
		matches: (_method, path) => path === '/2010-04-01' || path.startsWith('/2010-04-01/') || SERVICE_PATH.test(path) || verify.matches(path) || contents.matches(path) || pricing.matches(path),
		inboundAccount: () => account.accountSid,
		newInboundId: () => newId('SM'),
		inboundNumbers: allNumbers,
		whatsappNumbers: () => [...account.whatsappNumbers],
		deliverInbound(m) {
			const to = stripChannel(m.to).number;
			// What the contact writes opens (again) their 24-hour window with this sender, webhook or not.
			if (isWhatsApp(m)) windows.open(to, stripChannel(m.from ?? '').number);
			// The Messaging Service's sender pool holds the account's WhatsApp senders (it sends WhatsApp from them): a
			// message to one belongs to the service, as Twilio records it (messaging_service_sid).
			if (account.serviceNumbers.includes(to) || account.whatsappNumbers.includes(to)) m.messagingServiceSid = account.messagingServiceSid;
			const url = account.serviceNumbers.includes(to) && service.inboundRequestUrl ? service.inboundRequestUrl : numberSettings(to)?.smsUrl;
			if (!url) return false;
			const params = inboundParams(m);
			sandbox.sendCallback({ provider: 'twilio', url, messageId: m.id, status: 'received', ...signedForm(url, params) }, 3, (status, twiml) => {
				if (status >= 200 && status < 300) replyFromTwiml(m, twiml);
			});
			return true;
		},
		webhook(spec: WebhookSpec) {
			const id = spec.messageId ?? newId('SM');
			// A message as Twilio would have it: WhatsApp when either address says so, with a tap or a reply if asked.
			const whatsapp = spec.channel === 'whatsapp' || spec.from.startsWith(WHATSAPP_PREFIX) || spec.to.startsWith(WHATSAPP_PREFIX);
			const address = (value: string) => (whatsapp && !value.startsWith(WHATSAPP_PREFIX) ? `${WHATSAPP_PREFIX}${value}` : value);
			const inbound = spec.event === 'inbound';
			const m = newMessage({
				provider: 'twilio',
				id,
				account: account.accountSid,
				direction: inbound ? 'inbound' : 'outbound-api',
				from: address(spec.from),
				to: address(spec.to),
				body: spec.body,
				status: inbound ? 'received' : spec.status,
				...(whatsapp ? { channel: 'whatsapp' as const, whatsapp: inbound ? { buttonPayload: spec.button?.payload, replyTo: spec.replyTo, profileName: spec.profileName } : {} } : {}),
			});
			const params = inbound ? inboundParams(m) : statusParams(m, { status: spec.status, at: m.createdAt, errorCode: spec.errorCode ?? null });
			const signed = signedForm(spec.url, params, spec.signedUrl ?? spec.url);
			if (spec.forge === 'unsigned') delete signed.headers['X-Twilio-Signature'];
			if (spec.forge === 'signature' || spec.forge === 'certificate') signed.headers['X-Twilio-Signature'] = computeTwilioSignature('not-the-auth-token', spec.signedUrl ?? spec.url, params);
			if (spec.forge === 'body') signed.body = new URLSearchParams({ ...params, Body: `${params.Body ?? ''} (changed)` }).toString();
			return { url: spec.url, ...signed };
		},
		recipients: (req) => {
			if (req.method !== 'POST' || contents.matches(req.path)) return [];
			const to = form(req).get('To');
			return to ? [stripChannel(to).number] : [];
		},
		faultResponse: (status, retryAfter) => {
			const headers: Record<string, string> = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {};
			if (status === 429) return twilioError(429, 20429, 'Too Many Requests', headers);
			if (status >= 500) return twilioError(status, 20500, 'Internal Server Error', headers);
			return twilioError(status, status * 100, `Injected error ${status}`, headers);
		},
		errorResponse: (status, message) => twilioError(status, codeFor(status), message),
		async handle(req) {
			if (verify.matches(req.path)) return verify.handle(req, () => authenticate(req, account.accountSid));
			if (contents.matches(req.path)) return contents.handle(req, () => authenticate(req, account.accountSid));
			if (pricing.matches(req.path)) return pricing.handle(req, () => authenticate(req, account.accountSid));
			const serviceMatch = SERVICE_PATH.exec(req.path);
			if (serviceMatch) {
				const denied = authenticate(req, account.accountSid);
				if (denied) return denied;
				if (serviceMatch[1] !== account.messagingServiceSid) return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
				if (req.method === 'POST') {
					const p = form(req);
					const fields = { inboundRequestUrl: urlField(p, 'InboundRequestUrl'), inboundMethod: methodField(p, 'InboundMethod'), statusCallback: urlField(p, 'StatusCallback') };
					for (const value of Object.values(fields)) if (value && typeof value === 'object') return value;
					for (const [key, value] of Object.entries(fields)) if (typeof value === 'string') service[key as keyof ServiceSettings] = value;
				} else if (req.method !== 'GET') return twilioError(405, 20004, `Method not allowed: ${req.method} on a Messaging Service`);
				return json(200, serviceResource());
			}
			const match = PREFIX.exec(req.path);
			if (!match) return notFound(req.path);
			const sid = match[1].replace(/\.json$/, '');
			const rest = match[2] ?? '';
			const denied = authenticate(req, sid);
			if (denied) return denied;
			if (sandbox.inFlightCount('twilio') > sandbox.limits.twilioConcurrency) {
				return twilioError(429, 20429, 'Too Many Requests', { 'Retry-After': '1' });
			}
			{
				if (rest === '' && req.method === 'GET') {
					// Twilio refuses Standard and Restricted API keys (the sandbox's key is a Standard one) on the Account resource.
					if (basicAuth(req)?.user === account.apiKeySid) return twilioError(401, 20003, 'Authenticate');
					return json(200, {
						sid,
						friendly_name: 'Messaging Gateway sandbox',
						status: 'active',
						type: 'Full',
						date_created: rfc2822(new Date(0)),
						uri: `/2010-04-01/Accounts/${sid}.json`,
					});
				}
				if (rest === '/IncomingPhoneNumbers.json' && req.method === 'GET') {
					const wanted = req.query.get('PhoneNumber');
					const list = allNumbers()
						.filter((n) => !wanted || n === wanted)
						.map((n) => numberResource(n, numberSettings(n) as NumberSettings));
					return json(200, { incoming_phone_numbers: list, page: 0, page_size: 50, uri: `/2010-04-01/Accounts/${sid}/IncomingPhoneNumbers.json` });
				}
				const numberMatch = NUMBER_PATH.exec(rest);
				if (numberMatch) {
					const number = allNumbers().find((n) => numberSettings(n)?.sid === numberMatch[1]);
					if (!number) return notFound(req.path);
					const settings = numberSettings(number) as NumberSettings;
					if (req.method === 'POST') {
						const p = form(req);
						const smsUrl = urlField(p, 'SmsUrl');
						const smsMethod = methodField(p, 'SmsMethod');
						for (const value of [smsUrl, smsMethod]) if (value && typeof value === 'object') return value;
						if (typeof smsUrl === 'string') settings.smsUrl = smsUrl;
						if (typeof smsMethod === 'string') settings.smsMethod = smsMethod;
					} else if (req.method !== 'GET') return twilioError(405, 20004, `Method not allowed: ${req.method} on a phone number`);
					return json(200, numberResource(number, settings));
				}
				if (rest === '/Messages.json' && req.method === 'POST') return create(req, sid);
				if (rest === '/Messages.json' && req.method === 'GET') return list(req, sid);
				if (rest === '/Messages.json') return twilioError(405, 20004, `Method not allowed: ${req.method} on the Messages list`);
				const one = /^\/Messages\/([A-Za-z0-9]+)\.json$/.exec(rest);
				if (one) {
					if (req.method === 'GET') {
						const m = find(sid, one[1]);
						return m ? json(200, resource(m)) : notFound(req.path);
					}
					if (req.method === 'POST') return update(req, sid, one[1]);
					if (req.method === 'DELETE') {
						const m = find(sid, one[1]);
						if (!m) return notFound(req.path);
						sandbox.messages.delete(m.id);
						return { status: 204 };
					}
					return twilioError(405, 20004, `Method not allowed: ${req.method} on a Message`);
				}
				return notFound(req.path);
			}
		},
	};
}
