/**
 * Sinch SMS (XMS) batches, the OAuth2 token endpoint, Verification (./sinchVerify.ts) and the Conversation API's
 * WhatsApp (./sinchConversation.ts), as the sandbox plays them.
 */
import { randomBytes } from 'node:crypto';
import { computeSinchWebhookSignature } from '../nodes/shared/signatures/sinch';
import { basicAuth, bearer, form, httpUrl, json, jsonBody, safeDecode } from './http';
import { scenarioOf, sinchStatusSteps, TokenBucket } from './rules';
import { sinchConversation } from './sinchConversation';
import { isParameterProblem, readSinchParameters, renderSinchBody, SegmentCache, sinchEncoding, unmatchedParameterSteps, type SinchParameters } from './sinchParameters';
import { sinchVerify } from './sinchVerify';
import { newMessage, ulid } from './state';
import type { ProviderApi, SandboxContext, SandboxRequest, SandboxResponse, StoredMessage, WebhookSpec } from './types';

const BATCHES = /^\/xms\/v1\/([^/]+)\/batches(?:\/(dry_run|[A-Za-z0-9]+))?(?:\/delivery_report(?:\/([^/]+))?)?$/;
const MSISDN = /^\+?[1-9]\d{6,14}$/;
const FINAL = new Set(['Delivered', 'Failed', 'Expired', 'Rejected', 'Aborted', 'Cancelled', 'Deleted', 'Unknown']);
const CODES: Record<string, number> = {
	Queued: 400,
	Dispatched: 401,
	Delivered: 0,
	Failed: 402,
	Expired: 406,
	Rejected: 408,
	Cancelled: 407,
};

function sinchError(status: number, code: string, text: string, headers: Record<string, string> = {}): SandboxResponse {
	return json(status, { code, text }, headers);
}

const bare = (msisdn: string) => msisdn.replace(/^\+/, '');
const shown = (text: string) => (text.length > 100 ? `${text.slice(0, 100)}…` : text);
const DELIVERY_REPORTS = ['none', 'summary', 'full', 'per_recipient', 'per_recipient_final'];
/** The latest date a batch may be scheduled or expire (Sinch allows 3 days of expiry; generous here). */
const MAX_DATE_MS = Date.UTC(9999, 11, 31);

/** Sinch's code for an HTTP status, for answers no specific check gave. */
function codeFor(status: number): string {
	const codes: Record<number, string> = { 400: 'syntax_invalid_parameter_format', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 413: 'syntax_constraint_violation', 429: 'too_many_requests' };
	return codes[status] ?? (status >= 500 ? 'internal_error' : 'syntax_invalid_parameter_format');
}

/** An optional ISO 8601 date field: absent, a valid date, or a refusal in Sinch's words. */
function dateField(body: Record<string, unknown>, name: string): Date | null | SandboxResponse {
	const value = body[name];
	if (value === undefined || value === null) return null;
	const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
	const time = date.getTime();
	if (!(time >= 0 && time <= MAX_DATE_MS)) {
		return sinchError(400, 'syntax_invalid_parameter_format', `'${name}' must be an ISO 8601 date-time`);
	}
	return date;
}

const isResponse = (value: unknown): value is SandboxResponse => typeof value === 'object' && value !== null && 'status' in value;

interface Batch {
	id: string;
	scope: string;
	from: string;
	to: string[];
	body: string;
	createdAt: string;
	modifiedAt: string;
	sendAt: string | null;
	expireAt: string;
	deliveryReport: string;
	callbackUrl: string | null;
	clientReference: string | null;
	/** `parameters` as sent, echoed by the batch resource. */
	parameters: SinchParameters['given'] | null;
	canceled: boolean;
	/** One stored message per recipient, by bare MSISDN. */
	messages: Map<string, StoredMessage>;
	/** Recipients whose message reached a final status: the summary report goes when all have. */
	finals: Set<string>;
}

export function sinchApi(sandbox: SandboxContext): ProviderApi {
	const account = sandbox.accounts.sinch;
	const batches = new Map<string, Batch>();
	const tokens = new Map<string, number>();
	let bucket: TokenBucket | undefined;
	/** Set in Sinch's dashboard for real (PUT /__sandbox/sinch/callback-url here): inbound messages and default delivery reports go there. */
	const servicePlan = { callbackUrl: '' };
	const verify = sinchVerify(sandbox);
	const conversation = sinchConversation(sandbox, {
		tokenState(token) {
			const expires = tokens.get(token);
			if (expires === undefined) return 'unknown';
			return expires > Date.now() ? 'valid' : 'expired';
		},
	});

	function batchResource(b: Batch) {
		const out: Record<string, unknown> = {
			id: b.id,
			to: b.to,
			from: b.from,
			canceled: b.canceled,
			body: b.body,
			type: 'mt_text',
			created_at: b.createdAt,
			modified_at: b.modifiedAt,
			delivery_report: b.deliveryReport,
			expire_at: b.expireAt,
			flash_message: false,
			feedback_enabled: false,
		};
		if (b.sendAt) out.send_at = b.sendAt;
		if (b.callbackUrl) out.callback_url = b.callbackUrl;
		if (b.clientReference) out.client_reference = b.clientReference;
		if (b.parameters) out.parameters = b.parameters;
		return out;
	}

	function recipientReport(b: Batch, m: StoredMessage) {
		const out: Record<string, unknown> = {
			at: m.updatedAt,
			batch_id: b.id,
			code: CODES[m.status] ?? Number(m.errorCode ?? 0),
			recipient: bare(m.to),
			status: m.status,
			type: 'recipient_delivery_report_sms',
			operator_status_at: m.updatedAt,
		};
		if (m.errorCode !== null && m.errorCode !== undefined) out.code = Number(m.errorCode);
		if (b.clientReference) out.client_reference = b.clientReference;
		return out;
	}

	function summary(b: Batch, full: boolean) {
		const groups = new Map<string, { code: number; status: string; count: number; recipients: string[] }>();
		for (const m of b.messages.values()) {
			const code = m.errorCode !== null ? Number(m.errorCode) : (CODES[m.status] ?? 0);
			const key = `${m.status}|${code}`;
			const g = groups.get(key) ?? { code, status: m.status, count: 0, recipients: [] };
			g.count++;
			g.recipients.push(bare(m.to));
			groups.set(key, g);
		}
		const out: Record<string, unknown> = {
			batch_id: b.id,
			statuses: [...groups.values()].map((g) => (full ? g : { code: g.code, status: g.status, count: g.count })),
			total_message_count: b.messages.size,
			type: 'delivery_report_sms',
		};
		if (b.clientReference) out.client_reference = b.clientReference;
		return out;
	}

	/** An inbound SMS as Sinch posts it (mo_text). */
	function moText(id: string, from: string, to: string, body: string, receivedAt: string) {
		return { type: 'mo_text', id, from: bare(from), to: bare(to), body, received_at: receivedAt, operator_id: '31000' };
	}

	function signedHeaders(body: string): Record<string, string> {
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (account.webhookSecret) {
			const nonce = randomBytes(12).toString('hex');
			const timestamp = String(Math.floor(Date.now() / 1000));
			headers['x-sinch-webhook-signature-nonce'] = nonce;
			headers['x-sinch-webhook-signature-timestamp'] = timestamp;
			headers['x-sinch-webhook-signature-algorithm'] = 'HmacSHA256';
			headers['x-sinch-webhook-signature'] = computeSinchWebhookSignature(account.webhookSecret, body, nonce, timestamp);
		}
		return headers;
	}

	sandbox.onStatus.set('sinch', (m, event) => {
		if (m.channel === 'whatsapp') {
			conversation.onStatus(m, event);
			return;
		}
		const b = batches.get(String(m.attributes.batchId));
		if (!b) return;
		const final = FINAL.has(event.status);
		if (final) b.finals.add(bare(m.to));
		// A batch without its own callback URL reports to the service plan's (set in Sinch's dashboard).
		const url = b.callbackUrl || servicePlan.callbackUrl;
		if (!url) return;
		const mode = b.deliveryReport;
		if (mode === 'per_recipient' || (mode === 'per_recipient_final' && final)) {
			const body = JSON.stringify(recipientReport(b, m));
			sandbox.sendCallback({ provider: 'sinch', url, messageId: b.id, status: event.status, body, headers: signedHeaders(body) });
		} else if ((mode === 'summary' || mode === 'full') && final && b.finals.size >= b.messages.size) {
			// Counted as they arrive, not by looking at every message of the batch at each status change.
			const body = JSON.stringify(summary(b, mode === 'full'));
			sandbox.sendCallback({ provider: 'sinch', url, messageId: b.id, status: 'summary', body, headers: signedHeaders(body) });
		}
	});

	function authorized(req: SandboxRequest, scope: string): boolean {
		const token = bearer(req);
		if (!token) return false;
		if (scope === account.servicePlanId) return token === account.apiToken;
		if (scope === account.projectId) {
			const expires = tokens.get(token);
			return expires !== undefined && expires > Date.now();
		}
		return false;
	}

	function issueToken(req: SandboxRequest): SandboxResponse {
		const auth = basicAuth(req);
		const grant = form(req).get('grant_type');
		if (!auth || auth.user !== account.keyId || auth.password !== account.keySecret) {
			return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
		}
		if (grant !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
		const token = `sbx.${randomBytes(24).toString('base64url')}`;
		const ttl = 3599;
		tokens.set(token, Date.now() + sandbox.scaled(ttl * 1000));
		return json(200, { access_token: token, expires_in: ttl, scope: '', token_type: 'bearer' });
	}

	/**
	 * POST /batches/dry_run: the parts per rendered body, summed over the recipients; with ?per_recipient=true, the
	 * first number_of_recipients (100 by default, at most 1000) recipients' details.
	 */
	function dryRunAnswer(req: SandboxRequest, rendered: Array<{ recipient: string; body: string; segments: number; encoding: string }>): SandboxResponse {
		const perRecipient = req.query.get('per_recipient');
		if (perRecipient !== null && perRecipient !== 'true' && perRecipient !== 'false') {
			return sinchError(400, 'syntax_invalid_parameter_format', "'per_recipient' must be true or false");
		}
		const countRaw = req.query.get('number_of_recipients');
		const count = countRaw === null ? 100 : Number(countRaw);
		if (!Number.isInteger(count) || count < 0 || count > 1000 || countRaw === '') {
			return sinchError(400, 'syntax_invalid_parameter_format', "'number_of_recipients' must be a whole number from 0 to 1000");
		}
		const details =
			perRecipient === 'true'
				? rendered.slice(0, count).map((r) => ({ recipient: r.recipient, number_of_parts: r.segments, body: r.body, encoding: sinchEncoding(r.encoding) }))
				: [];
		return json(200, {
			number_of_recipients: rendered.length,
			number_of_messages: rendered.reduce((sum, r) => sum + r.segments, 0),
			per_recipient: details,
		});
	}

	function create(req: SandboxRequest, scope: string, dryRun: boolean): SandboxResponse {
		const body = jsonBody(req);
		if (!body) return sinchError(400, 'syntax_invalid_json', 'The JSON body could not be parsed');
		const to: unknown = body.to;
		if (to !== undefined && to !== null && !Array.isArray(to)) return sinchError(400, 'syntax_invalid_parameter_format', "'to' must be an array of phone numbers");
		if (!Array.isArray(to) || to.length === 0) return sinchError(400, 'syntax_constraint_violation', "'to' must contain between 1 and 1000 recipients");
		if (to.length > 1000) return sinchError(400, 'syntax_constraint_violation', "'to' must contain between 1 and 1000 recipients");
		for (const recipient of to as unknown[]) {
			if (typeof recipient !== 'string') {
				return sinchError(400, 'syntax_invalid_parameter_format', `Invalid 'to' address: each recipient must be a string, not ${recipient === null ? 'null' : Array.isArray(recipient) ? 'an array' : typeof recipient}`);
			}
			if (!MSISDN.test(recipient) || scenarioOf(`+${bare(recipient)}`, new Set()) === 'invalid') {
				return sinchError(400, 'syntax_invalid_parameter_format', `Invalid 'to' address: ${shown(recipient)}`);
			}
		}
		const recipients = to as string[];
		for (const field of ['from', 'body', 'callback_url', 'client_reference', 'delivery_report', 'type']) {
			const value = body[field];
			if (value !== undefined && value !== null && typeof value !== 'string') {
				return sinchError(400, 'syntax_invalid_parameter_format', `'${field}' must be a string`);
			}
		}
		const from = typeof body.from === 'string' ? body.from : '';
		if (!from) return sinchError(400, 'syntax_constraint_violation', "'from' must be set");
		const text = typeof body.body === 'string' ? body.body : '';
		if (!text) return sinchError(400, 'syntax_constraint_violation', "'body' must be set");
		const mode = typeof body.delivery_report === 'string' ? body.delivery_report : 'none';
		if (!DELIVERY_REPORTS.includes(mode)) {
			return sinchError(400, 'syntax_invalid_parameter_format', `Invalid delivery_report: ${shown(mode)}`);
		}
		const callbackUrl = typeof body.callback_url === 'string' && body.callback_url !== '' ? body.callback_url : null;
		if (callbackUrl !== null && !httpUrl(callbackUrl)) {
			return sinchError(400, 'syntax_invalid_parameter_format', "Invalid 'callback_url': it must be an absolute http(s) URL");
		}
		const clientReference = typeof body.client_reference === 'string' ? body.client_reference : null;
		if (clientReference && clientReference.length > 128) return sinchError(400, 'syntax_constraint_violation', "'client_reference' is longer than 128 characters");
		const sendAt = dateField(body, 'send_at');
		if (isResponse(sendAt)) return sendAt;
		const expireAt = dateField(body, 'expire_at');
		if (isResponse(expireAt)) return expireAt;
		const parameters = readSinchParameters(body.parameters);
		if (isParameterProblem(parameters)) return sinchError(400, parameters.code, parameters.text);
		// Each recipient's own body (parameters filled in), its segments counted once per distinct body.
		const segmentCache = new SegmentCache();
		const rendered = recipients.map((r) => {
			const one = renderSinchBody(text, parameters, r);
			return { recipient: bare(r), ...one, ...segmentCache.of(one.body) };
		});
		if (dryRun) return dryRunAnswer(req, rendered);
		if (bucket === undefined) bucket = new TokenBucket(sandbox.limits.sinchPerSecond, sandbox.scaled(1000) || 1);
		if (!bucket.take(recipients.length)) return sinchError(429, 'too_many_requests', 'Too many requests', { 'Retry-After': '1' });

		const now = new Date();
		const start = sendAt && sendAt.getTime() > now.getTime() ? sendAt : now;
		const expiry = expireAt ?? new Date(Math.min(MAX_DATE_MS, start.getTime() + 3 * 24 * 3600 * 1000));
		const b: Batch = {
			id: ulid(),
			scope,
			from,
			to: recipients.map(bare),
			body: text,
			createdAt: now.toISOString(),
			modifiedAt: now.toISOString(),
			sendAt: sendAt ? sendAt.toISOString() : null,
			expireAt: expiry.toISOString(),
			deliveryReport: mode,
			callbackUrl,
			clientReference,
			parameters: parameters ? parameters.given : null,
			canceled: false,
			messages: new Map(),
			finals: new Set(),
		};
		batches.set(b.id, b);
		const delay = start.getTime() - now.getTime();
		for (const one of rendered) {
			const r = one.recipient;
			const msisdn = `+${r}`;
			const m = sandbox.store(
				newMessage({
					provider: 'sinch',
					id: `${b.id}:${r}`,
					account: scope,
					from,
					to: msisdn,
					body: one.body,
					segments: one.segments,
					encoding: one.encoding,
					status: 'Queued',
					sendAt: b.sendAt,
					callbackUrl,
					clientReference,
					deliveryReport: mode,
					attributes: one.unmatched.length ? { batchId: b.id, unmatchedParameters: one.unmatched.join(',') } : { batchId: b.id },
				}),
			);
			b.messages.set(r, m);
			// A parameter the body uses without a value for this recipient (nor a default): Failed 405, the others go on.
			const steps = one.unmatched.length ? unmatchedParameterSteps(delay / sandbox.timeScale) : sinchStatusSteps(scenarioOf(msisdn, sandbox.optOuts), delay / sandbox.timeScale);
			sandbox.progress(m, steps);
		}
		return json(201, batchResource(b));
	}

	return {
		name: 'sinch',
		// Issued OAuth2 tokens stay valid, as a provider's do; batches and the rate budget go.
		reset: () => {
			batches.clear();
			bucket = undefined;
			servicePlan.callbackUrl = '';
			verify.reset();
			conversation.reset();
		},
		matches: (_method, path) => path === '/xms' || path.startsWith('/xms/') || path === '/oauth2/token' || verify.matches(path) || conversation.matches(path),
		inboundAccount: () => account.servicePlanId,
		newInboundId: () => ulid(),
		// SMS numbers first (the control API's default `to`), then the Conversation app's WhatsApp number.
		inboundNumbers: () => [...account.numbers, ...account.whatsappNumbers],
		whatsappNumbers: () => conversation.whatsappNumbers(),
		deliverInbound(m) {
			// A WhatsApp message goes to the Conversation app's MESSAGE_INBOUND webhooks, an SMS to the service plan's callback URL.
			if (conversation.isWhatsApp(m)) return conversation.deliverInbound(m);
			const url = servicePlan.callbackUrl;
			if (!url) return false;
			const body = JSON.stringify(moText(m.id, m.from ?? '', m.to, m.body, m.createdAt));
			sandbox.sendCallback({ provider: 'sinch', url, messageId: m.id, status: 'received', body, headers: signedHeaders(body) });
			return true;
		},
		control: {
			routes: {
				'GET|PUT /__sandbox/sinch/callback-url':
					"the service plan's callback URL ({url}), as set in Sinch's dashboard: inbound messages, and the delivery reports of batches that name no callback_url",
				...conversation.control.routes,
			},
			handle(method, path, body) {
				if (path !== '/callback-url') return conversation.control.handle(method, path, body);
				if (method === 'GET') return json(200, { url: servicePlan.callbackUrl });
				if (method !== 'PUT') return undefined;
				const url = body?.url;
				if (typeof url !== 'string' || (url !== '' && !httpUrl(url))) return json(400, { error: 'url must be an absolute http(s) URL, or empty to stop' });
				servicePlan.callbackUrl = url;
				return json(200, { url });
			},
		},
		webhook(spec: WebhookSpec) {
			if (conversation.isWhatsAppSpec(spec)) return conversation.webhook(spec);
			const id = spec.messageId ?? ulid();
			const payload =
				spec.event === 'inbound'
					? moText(id, spec.from, spec.to, spec.body, new Date().toISOString())
					: { type: 'recipient_delivery_report_sms', batch_id: id, recipient: bare(spec.to), code: Number(spec.errorCode ?? CODES[spec.status] ?? 0), status: spec.status, at: new Date().toISOString() };
			const body = JSON.stringify(payload);
			let headers = signedHeaders(body);
			if (spec.forge === 'unsigned') headers = { 'Content-Type': 'application/json' };
			if (spec.forge === 'signature' || spec.forge === 'certificate') headers['x-sinch-webhook-signature'] = computeSinchWebhookSignature('not-the-secret', body, headers['x-sinch-webhook-signature-nonce'] ?? 'n', headers['x-sinch-webhook-signature-timestamp'] ?? '0');
			return { url: spec.url, headers, body: spec.forge === 'body' ? body.replace(/}$/, ',"changed":true}') : body };
		},
		recipients: (req) => {
			if (verify.matches(req.path)) return verify.recipients(req);
			if (conversation.matches(req.path)) return conversation.recipients(req);
			if (req.method !== 'POST') return [];
			const to = jsonBody(req)?.to;
			return Array.isArray(to) ? to.filter((r): r is string => typeof r === 'string').map((r) => `+${bare(r)}`) : [];
		},
		faultResponse: (status, retryAfter, path) => {
			// The Conversation and Provisioning APIs answer in their own shapes; the SMS API (and Verification, as before) in XMS's.
			if (path !== undefined && conversation.matches(path)) return conversation.faultResponse(status, retryAfter, path);
			const headers: Record<string, string> = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {};
			if (status === 429) return sinchError(429, 'too_many_requests', 'Too many requests', headers);
			if (status >= 500) return sinchError(status, 'internal_error', 'Internal error', headers);
			return sinchError(status, 'injected', `Injected error ${status}`, headers);
		},
		errorResponse: (status, message, path) => {
			// The OAuth2 token endpoint answers in OAuth2's shape, Verification in its own, the SMS API in Sinch's.
			if (path === '/oauth2/token') return json(status, { error: status >= 500 ? 'server_error' : 'invalid_request', error_description: message });
			if (conversation.matches(path)) return conversation.errorResponse(status, message, path);
			return verify.matches(path) ? verify.errorResponse(status, message) : sinchError(status, codeFor(status), message);
		},
		handle(req) {
			if (verify.matches(req.path)) return verify.handle(req);
			if (conversation.matches(req.path)) return conversation.handle(req);
			if (req.path === '/oauth2/token') {
				return req.method === 'POST' ? issueToken(req) : json(405, { error: 'invalid_request', error_description: `${req.method} is not allowed here` });
			}
			const match = BATCHES.exec(req.path);
			if (!match) return sinchError(404, 'not_found', `No such resource: ${shown(req.path)}`);
			const [, scope, idOrAction, recipient] = match;
			if (!authorized(req, scope)) return json(401, { code: 'unauthorized', text: 'Unauthorized' });
			const isReport = req.path.includes('/delivery_report');
			if (!idOrAction) {
				if (req.method === 'POST') return create(req, scope, false);
				if (req.method === 'GET') {
					const pageSize = Math.min(100, Number(req.query.get('page_size') ?? 30) || 30);
					const list = [...batches.values()].filter((b) => b.scope === scope).reverse();
					return json(200, { batches: list.slice(0, pageSize).map(batchResource), count: list.length, page: 0, page_size: pageSize });
				}
				return sinchError(405, 'method_not_allowed', `${req.method} is not allowed here`);
			}
			if (idOrAction === 'dry_run' && req.method === 'POST') return create(req, scope, true);
			const b = idOrAction ? batches.get(idOrAction) : undefined;
			if (!b || b.scope !== scope) return sinchError(404, 'not_found', `Batch ${idOrAction} not found`);
			if (isReport && req.method === 'GET') {
				if (recipient) {
					const m = b.messages.get(bare(safeDecode(recipient) ?? recipient));
					return m ? json(200, recipientReport(b, m)) : sinchError(404, 'not_found', `No delivery report for ${shown(recipient)}`);
				}
				return json(200, summary(b, req.query.get('type') === 'full'));
			}
			if (req.method === 'GET') return json(200, batchResource(b));
			if (req.method === 'DELETE') {
				const pending = [...b.messages.values()].some((m) => m.status === 'Queued');
				if (!b.canceled && pending) {
					b.canceled = true;
					b.modifiedAt = new Date().toISOString();
					for (const m of b.messages.values()) {
						if (m.status !== 'Queued') continue;
						m.canceled = true;
						sandbox.setStatus(m, 'Cancelled', 407);
					}
				}
				return json(200, batchResource(b));
			}
			return sinchError(405, 'method_not_allowed', `${req.method} is not allowed here`);
		},
	};
}
