/**
 * Send and wait for a reply, for any node that sends (Send SMS, Send WhatsApp): the message goes to each recipient
 * with how to answer (and a reference when the person already has one waiting), the wait is kept where the Messaging
 * Trigger finds it, and the execution waits with n8n's own mechanism (putExecutionToWait, resumed through the node's
 * restart webhooks at `$execution.resumeUrl`).
 *
 * Whoever answers first wins, once: a reply routed by the Messaging Trigger, a button on the answer page, or the time
 * limit each claim the wait in the store (atomic) before they ask n8n to resume, and the resumed node outputs what the
 * store recorded: a request to the resume URL carries no answer of its own, so one that holds the URL's token
 * (anyone the link was sent to) cannot make up a reply from someone else.
 *
 * The time limit: this process claims the wait as timed out at its end and resumes the execution, so the output says
 * `approved: null, timedOut: true`. n8n's own timer is set a few minutes later as a backstop (a restart in between):
 * it resumes with the node's input item, as n8n's send-and-wait nodes do.
 */
import { randomBytes } from 'node:crypto';
import {
	NodeOperationError,
	sleep,
	WAIT_INDEFINITELY,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import type { WaitStoreHome } from './descriptions/sendAndWait';
import { KEYWORD_LANGUAGES, matchKeyword, parseKeywordList, type KeywordLanguage } from './rules/optOut';
import { normalizePhone, type PhoneValidation } from './rules/phone';
import { makeRedactor, type Redactor } from './rules/redact';
import { approvalWords, replyInstructions, type ReplyExpectation, type SeveralWaiting } from './rules/replies';
import { nodeOperationError } from './items';
import { redisCredentials } from './state';
import { withDeadline } from './transport';
import { redisWaits } from './state/redisWaits';
import { isOpen, processWaits, type Answer, type PendingWait, type WaitChannel, type WaitStore } from './state/waits';

/** n8n's own timer resumes this long after the time limit, in case this process could not (it restarted). */
export const BACKSTOP_MS = 3 * 60 * 1000;
/** The most people one message can wait on (each gets it; the first answer wins). */
export const MAX_RECIPIENTS = 20;
/** The body a resume request carries: the wait it is about (its answer is in the store). */
export const RESUME_FIELD = 'gatewayWait';

const UNITS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

export interface WaitSettings {
	expects: ReplyExpectation;
	/** Labels of the page's (and WhatsApp's) buttons. */
	labels: { approve: string; decline: string };
	policy: SeveralWaiting;
	link: boolean;
	/** n8n's signed link, or its token URL (shorter, and works behind a path-stripping proxy). */
	linkType: 'signed' | 'token';
	instructions: boolean;
	template: string;
	/** The time limit in ms, or null to wait without one. */
	limitMs: number | null;
	home: WaitStoreHome;
}

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : value === undefined || value === null ? fallback : String(value));

/** The node's send-and-wait parameters (read for item 0: one wait per execution). */
export function readWaitSettings(fns: IExecuteFunctions | IWebhookFunctions): WaitSettings {
	// An execution reads parameters for an item; a webhook has no items.
	const get = (name: string, fallback: unknown): unknown =>
		'getInputData' in fns ? fns.getNodeParameter(name, 0, fallback) : (fns as IWebhookFunctions).getNodeParameter(name, fallback);
	const node = fns.getNode();
	const fail = (message: string, description: string): never => {
		throw new NodeOperationError(node, message, { itemIndex: 0, description });
	};
	const mode = get('responseType', 'approval') === 'freeText' ? 'freeText' : 'approval';
	const approvalOptions = (get('approvalOptions', {}) as IDataObject) ?? {};
	const values = ((approvalOptions.values as IDataObject | undefined) ?? {}) as IDataObject;
	const options = ((get('waitOptions', {}) as IDataObject) ?? {}) as IDataObject;
	const languages = (Array.isArray(options.languages) ? options.languages : KEYWORD_LANGUAGES).filter((l): l is KeywordLanguage => KEYWORD_LANGUAGES.includes(l as KeywordLanguage));
	const custom = { approve: parseKeywordList(text(options.approveWords)), decline: parseKeywordList(text(options.declineWords)) };
	// A keyword is never an answer (the trigger takes STOP, CANCEL… as what they are): a message must not ask for one.
	for (const [field, list] of [['Approve Words', custom.approve], ['Decline Words', custom.decline]] as const) {
		for (const word of list) {
			const keyword = matchKeyword(word);
			if (keyword) fail(`${field} holds "${word.slice(0, 40)}", ${{ optOut: 'an opt-out', optIn: 'an opt-in', help: 'a help' }[keyword.type]} keyword`, 'A reply that is a keyword never answers (providers and carriers act on it: CANCEL or STOP unsubscribes the person). Choose another word. Nothing was sent.');
		}
	}
	const words = approvalWords(languages, custom);
	const approveOnly = mode === 'approval' && values.approvalType === 'single';
	if (mode === 'approval' && words.approve.length === 0) fail('No word approves', 'Add Approve Words, or choose at least one Word Language. Nothing was sent.');
	if (mode === 'approval' && !approveOnly && words.decline.length === 0) fail('No word declines', 'Add Decline Words, or choose at least one Word Language. Nothing was sent.');
	let limitMs: number | null = null;
	if (get('limitWaitTime', true) !== false) {
		const amount = Number(get('waitAmount', 1));
		const unit = text(get('waitUnit', 'days'));
		if (!Number.isFinite(amount) || amount <= 0 || !Object.hasOwn(UNITS, unit)) fail('The wait time is not a positive amount of minutes, hours or days', 'Set Amount to 1 or more. Nothing was sent.');
		limitMs = Math.round(amount * UNITS[unit as keyof typeof UNITS]);
		if (limitMs > 365 * UNITS.days) fail('The wait time is over a year', 'Wait at most 365 days, or turn off Limit Wait Time. Nothing was sent.');
	}
	return {
		// Approve only keeps the decline words to read "yes… no" as no answer; they never answer it (rules/replies answers).
		expects: { mode, approveOnly, approve: words.approve, decline: words.decline },
		labels: { approve: text(values.approveLabel, 'Approve').trim() || 'Approve', decline: text(values.disapproveLabel, 'Decline').trim() || 'Decline' },
		policy: options.severalWaiting === 'latest' ? 'latest' : 'reference',
		link: options.answerLink === true,
		linkType: options.linkType === 'token' ? 'token' : 'signed',
		instructions: options.addInstructions !== false,
		template: text(options.instructions),
		limitMs,
		home: get('waitStore', 'process') === 'redis' ? 'redis' : 'process',
	};
}

/** The store the node (or the trigger) keeps waits in. */
export async function waitStore(fns: IExecuteFunctions | IWebhookFunctions, home: WaitStoreHome): Promise<WaitStore> {
	if (home === 'redis') return redisWaits(await redisCredentials(fns, 'Match Replies Using'));
	return processWaits();
}

/** The recipients of To: one number, or several separated by commas, each cleaned as the other nodes clean one. */
export function readRecipients(fns: IExecuteFunctions, validation: PhoneValidation | undefined): string[] {
	const raw = fns.getNodeParameter('to', 0, '');
	const defaultCountry = text(fns.getNodeParameter('defaultCountry', 0, '')).replace(/\s+/g, '').toUpperCase();
	const fail = (message: string, description: string): never => {
		throw new NodeOperationError(fns.getNode(), message, { itemIndex: 0, description });
	};
	const list = (Array.isArray(raw) ? raw.map((v) => text(v)) : text(raw).split(/[,;\n]/)).map((s) => s.trim()).filter(Boolean);
	if (list.length === 0) fail('To is empty', 'Map a phone number into To, for example {{ $json.phone }} (several approvers: separate them with commas). Nothing was sent.');
	if (list.length > MAX_RECIPIENTS) fail(`To holds ${list.length} numbers`, `Send and wait goes to at most ${MAX_RECIPIENTS} people (the first answer wins). Nothing was sent.`);
	const out: string[] = [];
	for (const entry of list) {
		const phone = normalizePhone(entry, { defaultCountry, validation: validation === 'possible' ? 'possible' : 'strict' });
		if (!phone.ok) return fail(`Invalid recipient ${JSON.stringify(entry.slice(0, 40))}: ${phone.message}`, 'Nothing was sent. Fix the number, or set the Default Country for numbers written without +.');
		if (!out.includes(phone.e164)) out.push(phone.e164);
	}
	return out;
}

/** The secrets in resume links: each link, and its `signature` (n8n's resume token, or the link's HMAC). */
export function linkSecrets(links: ReadonlyArray<string | null | undefined>): string[] {
	const out: string[] = [];
	for (const link of links) {
		if (!link) continue;
		out.push(link);
		try {
			const signature = new URL(link).searchParams.get('signature');
			if (signature) out.push(signature);
		} catch {
			// Not a URL: the whole text is the secret.
		}
	}
	return out;
}

/** An error with the secrets taken out of its message, description and the provider's words, in place. */
function scrub(error: unknown, hide: Redactor): unknown {
	const seen = new Set<object>();
	const walk = (value: unknown, depth: number) => {
		if (!value || typeof value !== 'object' || seen.has(value) || depth > 6) return;
		seen.add(value);
		const record = value as Record<string, unknown>;
		for (const key of [...Object.getOwnPropertyNames(record)]) {
			const v = record[key];
			if (typeof v === 'string') {
				const clean = hide(v);
				if (clean !== v) {
					try {
						record[key] = clean;
					} catch {
						// A read-only field: nothing to do.
					}
				}
			} else walk(v, depth + 1);
		}
	};
	walk(error, 0);
	return error;
}

/** A sender as a reply names it: an E.164 number (a `whatsapp:` prefix dropped), else null (a name, a service). */
export function senderNumber(value: unknown): string | null {
	const bare = typeof value === 'string' ? value.replace(/^whatsapp:/i, '').trim() : '';
	return /^\+[1-9]\d{6,14}$/.test(bare) ? bare : null;
}

/** One message as sent to one recipient. */
export interface SentMessage {
	messageId: string;
	/** Our number as the recipient sees it (E.164), or null when the provider chose it. */
	sender: string | null;
	provider: string;
}

export interface StartWait {
	channel: WaitChannel;
	recipients: string[];
	message: string;
	/** The sender as configured (E.164), when the node names a number; null when the provider picks one. */
	sender: string | null;
	/** Buttons the message carries (WhatsApp): their titles are the answers their taps give. */
	buttons?: Array<{ payload: string; title: string }>;
	settings: WaitSettings;
	/**
	 * Send the final text to one recipient. A thrown error is that recipient's failure. `secrets`: what the text holds
	 * that must stay out of every answer, error and log line (the link's token or signature), for the transport.
	 */
	send(recipient: string, text: string, wait: { reference: string | null; secrets: string[] }): Promise<SentMessage>;
}

/** n8n's resume URL (with its token) for this execution. */
function resumeUrlOf(fns: IExecuteFunctions): string {
	const url = text(fns.evaluateExpression('{{ $execution.resumeUrl }}', 0));
	if (!/^https?:\/\//.test(url)) {
		throw new NodeOperationError(fns.getNode(), 'n8n gave no resume URL for this execution', { itemIndex: 0, description: 'Send and wait needs a saved workflow run by n8n (not a one-off `n8n execute`). Nothing was sent.' });
	}
	return url;
}

/**
 * Send the message to every recipient and put the execution to wait. One recipient's failure does not stop the
 * others (it is logged); when nobody could be sent to, the wait is forgotten and the node fails with the first reason.
 */
export async function startWait(fns: IExecuteFunctions, start: StartWait): Promise<INodeExecutionData[][]> {
	const { settings } = start;
	const executionId = fns.getExecutionId();
	const resumeUrl = resumeUrlOf(fns);
	const store = await waitStore(fns, settings.home);
	const now = Date.now();
	const id = randomBytes(16).toString('hex');
	const expiresAt = settings.limitMs === null ? null : now + settings.limitMs;
	const wait: Omit<PendingWait, 'reference' | 'messageIds'> = {
		id,
		executionId,
		resumeUrl,
		channel: start.channel,
		sender: start.sender,
		recipients: start.recipients,
		expects: settings.expects,
		message: start.message,
		...(start.buttons?.length ? { buttons: start.buttons } : {}),
		labels: settings.labels,
		createdAt: now,
		expiresAt,
	};
	// A reference only helps when the message shows it: without instructions a reply answers the latest message.
	const { reference } = await store.register(wait, settings.instructions ? settings.policy : 'latest', now).catch((error: unknown) => {
		// The store's own sentence ("Could not reach Redis at …").
		throw nodeOperationError(fns.getNode(), error instanceof Error ? error.message : String(error), {
			itemIndex: 0,
			description: 'Nothing was sent: the wait could not be kept, so no answer could have found it.',
		});
	});
	const words = { approve: settings.expects.approve[0] ?? settings.labels.approve, decline: settings.expects.approveOnly ? null : (settings.expects.decline[0] ?? settings.labels.decline) };
	const link = settings.link ? (settings.linkType === 'token' ? resumeUrl : fns.getSignedResumeUrl()) : null;
	// The resume token (and the link's signature) open the execution: kept out of every answer, error and log line.
	const secrets = linkSecrets([resumeUrl, link]);
	const hide = makeRedactor(secrets);
	const instructions = settings.instructions ? replyInstructions(settings.expects, words, reference, link, settings.template) : link ? `Answer here: ${link}` : '';
	const body = instructions ? `${start.message.trimEnd()}\n\n${instructions}` : start.message;

	const sent: Array<SentMessage & { to: string }> = [];
	const failures: Array<{ to: string; error: unknown }> = [];
	for (const recipient of start.recipients) {
		try {
			sent.push({ ...(await start.send(recipient, body, { reference, secrets })), to: recipient });
		} catch (error) {
			failures.push({ to: recipient, error });
		}
	}
	for (const failure of failures) {
		fns.logger.warn(hide(`Send and wait: the message to ${failure.to} failed: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}`), { node: fns.getNode().name, executionId });
	}
	if (sent.length === 0) {
		// The node fails, so the execution ends: its wait would only catch this person's next answer. (A message that
		// may have gone out is not sent again by Retry On Fail: the sent-ledger answers with the same failure.)
		await store.cancel(id).catch(() => undefined);
		throw scrub(failures[0].error, hide);
	}
	try {
		await store.sent(id, sent.map((s) => s.messageId));
	} catch (error) {
		// The messages are out: a reply still finds the wait by its sender and reference, only a quoted WhatsApp reply cannot.
		fns.logger.warn(`Send and wait: could not note the message IDs (${error instanceof Error ? error.message : String(error)})`, { node: fns.getNode().name, executionId });
	}
	await fns.putExecutionToWait(expiresAt === null ? WAIT_INDEFINITELY : new Date(expiresAt + BACKSTOP_MS));
	if (expiresAt !== null) keepTime(fns, store, { ...wait, reference, messageIds: sent.map((s) => s.messageId) });
	fns.logger.info(`Send and wait: ${sent.length} message${sent.length === 1 ? '' : 's'} sent, waiting for an answer${reference ? ` (reference ${reference})` : ''}`, { node: fns.getNode().name, executionId });
	return [fns.getInputData().slice(0, 1).map((item) => ({ json: item.json, pairedItem: { item: 0 } }))];
}

/**
 * At the time limit, claim the wait as timed out and resume the execution. The timer never keeps n8n from exiting;
 * what it misses (a restart) n8n's own timer catches a few minutes later.
 */
function keepTime(fns: IExecuteFunctions, store: WaitStore, wait: PendingWait): void {
	const fire = async () => {
		const claimed = await store.claim(wait.id, timeoutAnswer(wait));
		if (claimed) await resume(fns, wait.resumeUrl, wait.id, 60_000);
	};
	const schedule = (at: number) => {
		// setTimeout holds at most ~24.8 days: longer waits go in steps.
		const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
		const timer = setTimeout(() => {
			if (Date.now() < at) return schedule(at);
			fire().catch((error: unknown) => {
				const said = makeRedactor(linkSecrets([wait.resumeUrl]))(error instanceof Error ? error.message : String(error));
				fns.logger.warn(`Send and wait: could not resume after the time limit (${said}); n8n resumes it itself within ${BACKSTOP_MS / 60_000} minutes`, { executionId: wait.executionId });
			});
		}, delay);
		timer.unref();
	};
	schedule(wait.expiresAt as number);
}

export function timeoutAnswer(wait: PendingWait): Answer {
	return {
		waitId: wait.id,
		executionId: wait.executionId,
		channel: 'timeout',
		approved: null,
		answer: null,
		button: null,
		answeredBy: null,
		answeredAt: new Date().toISOString(),
		replyMessageId: null,
		messageIds: wait.messageIds,
		recipients: wait.recipients,
		reference: wait.reference,
		sentAt: new Date(wait.createdAt).toISOString(),
	};
}

type HttpCaller = { helpers: { httpRequest: IExecuteFunctions['helpers']['httpRequest'] } };

/** The pauses between asking n8n again while it still runs the execution (a reply that came before it was saved). */
const RUNNING_RETRY_MS = [250, 500, 1_000, 2_000];
/**
 * How long the Messaging Trigger may spend asking n8n to resume: a provider waits about 15 s for its webhook's answer
 * (Twilio's timeout), and the trigger must answer it well before.
 */
export const RESUME_DEADLINE_MS = 8_000;

/** The HTTP status and body text of a failed request, whatever shape n8n's helper gave the error. */
function failureOf(error: unknown): { status: number | undefined; text: string } {
	const e = (error ?? {}) as { response?: { status?: number; data?: unknown }; httpCode?: string; status?: number; message?: string };
	const status = e.response?.status ?? e.status ?? (e.httpCode ? Number(e.httpCode) : undefined);
	const data = e.response?.data;
	const text = `${typeof data === 'string' ? data : data ? JSON.stringify(data) : ''} ${e.message ?? ''}`;
	return { status: Number.isFinite(status) ? status : undefined, text };
}

export type ResumeResult = 'resumed' | 'gone';

/**
 * Ask n8n to resume the execution whose wait was just claimed (its answer is in the store). 'gone' when the execution
 * no longer waits (it finished, was stopped or deleted): its wait is over. Throws when n8n could not be asked
 * (unreachable, an error): the caller puts the wait back. An execution n8n still runs (the reply came before it was
 * saved as waiting) is asked again for a few seconds.
 */
export async function resume(fns: HttpCaller, resumeUrl: string, waitId: string, deadlineMs = RESUME_DEADLINE_MS): Promise<ResumeResult> {
	const end = Date.now() + deadlineMs;
	const tooLong = () => new Error(`n8n did not resume the execution within ${Math.round(deadlineMs / 1000)} s`);
	for (let attempt = 0; ; attempt++) {
		const left = end - Date.now();
		if (left <= 0) throw tooLong();
		try {
			// The whole exchange within what is left: a server that trickles its answer never ends n8n's idle timeout. The
			// request is aborted then, not left open for as long as the server likes.
			const request = { method: 'POST' as const, url: resumeUrl, body: { [RESUME_FIELD]: waitId }, json: true, timeout: left, abortSignal: AbortSignal.timeout(left) };
			await withDeadline(Promise.resolve(fns.helpers.httpRequest(request)), left);
			return 'resumed';
		} catch (error) {
			// No answer in time: said as such (the deadline's own words give the last attempt's few milliseconds).
			if (Date.now() >= end && failureOf(error).status === undefined) throw tooLong();
			const { status, text } = failureOf(error);
			const pause = RUNNING_RETRY_MS[Math.min(attempt, RUNNING_RETRY_MS.length - 1)];
			if (status === 409 && /running/i.test(text) && Date.now() + pause < end) {
				await sleep(pause);
				continue;
			}
			// n8n's own words only: a 404 page from a proxy in front of n8n says nothing about the execution.
			if ((status === 404 && /does not exist/i.test(text)) || (status === 409 && /finished|resum/i.test(text))) return 'gone';
			throw error;
		}
	}
}

/** The node's output when the wait ends. */
export function answerItem(answer: Answer): IDataObject {
	return {
		approved: answer.approved,
		answer: answer.answer,
		answeredBy: answer.answeredBy,
		answeredAt: answer.answeredAt,
		channel: answer.channel === 'timeout' ? null : answer.channel,
		timedOut: answer.channel === 'timeout',
		button: answer.button,
		messageId: answer.messageIds[0] ?? null,
		messageIds: answer.messageIds,
		replyMessageId: answer.replyMessageId,
		reference: answer.reference,
		sentTo: answer.recipients,
		sentAt: answer.sentAt,
	};
}

/**
 * The execution a waiting-webhook request resumes: n8n gives the context its ID (webhook-helpers executeWebhook), the
 * one whose token it checked; the path's last segment (`/webhook-waiting/<id>`) where a context does not say.
 */
function executionIdOf(fns: IWebhookFunctions): string | undefined {
	try {
		const id = fns.getExecutionId();
		if (id) return id;
	} catch {
		// Not every context knows it.
	}
	const req = fns.getRequestObject();
	const path = (req.originalUrl ?? req.url ?? '').split('?')[0].replace(/\/+$/, '');
	const last = path.slice(path.lastIndexOf('/') + 1);
	return last ? decodeURIComponent(last) : undefined;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(title: string, body: string): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;margin:0;padding:24px;color:#1f2328}main{max-width:480px;margin:8vh auto;background:#fff;border-radius:12px;padding:28px;box-shadow:0 2px 12px rgba(0,0,0,.08)}h1{font-size:20px;margin:0 0 16px}p.msg{white-space:pre-wrap;background:#f6f8fa;border-radius:8px;padding:14px;margin:0 0 20px}form{display:inline}button{font-size:16px;padding:10px 22px;border-radius:8px;border:0;margin:0 8px 8px 0;cursor:pointer}button.approve{background:#1a7f37;color:#fff}button.decline{background:#d1242f;color:#fff}button.send{background:#0969da;color:#fff}textarea{width:100%;box-sizing:border-box;min-height:90px;font:inherit;padding:8px;margin-bottom:12px}</style></head><body><main>${body}</main></body></html>`;
}

/** What the page uses when the node's parameters cannot be read in the webhook. */
const PAGE_DEFAULTS: WaitSettings = {
	expects: { mode: 'approval', approve: ['YES'], decline: ['NO'] },
	labels: { approve: 'Approve', decline: 'Decline' },
	policy: 'reference',
	link: true,
	linkType: 'signed',
	instructions: true,
	template: '',
	limitMs: null,
	home: 'process',
};

/** A wait the store lost, as far as the node's parameters tell it: enough for the page to answer. */
function lostWait(executionId: string, channel: WaitChannel, settings: WaitSettings): PendingWait {
	return { id: `lost-${executionId}`, executionId, resumeUrl: '', channel, sender: null, recipients: [], expects: settings.expects, message: '', createdAt: 0, expiresAt: null, reference: null, messageIds: [] };
}

/** The answer page: the message, and buttons that POST (a GET never answers, so link previews cannot). */
export function answerPage(wait: PendingWait | undefined, labels: WaitSettings['labels']): string {
	if (!wait) return page('Nothing to answer', '<h1>Nothing to answer</h1><p>This request was answered already, or it is no longer waiting.</p>');
	const message = wait.message ? `<p class="msg">${escapeHtml(wait.message)}</p>` : '<p>Your answer to the message you were sent:</p>';
	if (wait.expects.mode === 'freeText') {
		return page('Your answer', `<h1>Your answer</h1>${message}<form method="post"><textarea name="answer" required maxlength="1600"></textarea><button class="send" type="submit" name="decision" value="text">Send</button></form>`);
	}
	const decline = wait.expects.approveOnly ? '' : `<form method="post"><button class="decline" type="submit" name="decision" value="decline">${escapeHtml(labels.decline)}</button></form>`;
	return page('Your answer', `<h1>Your answer</h1>${message}<form method="post"><button class="approve" type="submit" name="decision" value="approve">${escapeHtml(labels.approve)}</button></form>${decline}`);
}

/**
 * The waiting node's webhook: GET shows the answer page; a POST from the page claims the wait with its button (the
 * first answer wins); a POST naming a wait resumes with the answer the store holds for this execution (the trigger's
 * or the time limit's claim). Anything else resumes nothing.
 */
export async function waitWebhook(fns: IWebhookFunctions, channel: WaitChannel): Promise<IWebhookResponseData> {
	const req = fns.getRequestObject();
	const res = fns.getResponseObject();
	const html = (status: number, body: string): IWebhookResponseData => {
		res.status(status).setHeader('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(body);
		return { noWebhookResponse: true };
	};
	// The parameters as the page needs them; one that no longer reads (an expression of the input item, which a webhook
	// does not have) falls back to what the wait itself keeps.
	let settings: WaitSettings;
	try {
		settings = readWaitSettings(fns);
	} catch {
		settings = { ...PAGE_DEFAULTS, home: fns.getNodeParameter('waitStore', 'process') === 'redis' ? 'redis' : 'process' };
	}
	const executionId = executionIdOf(fns);
	if (!executionId) return html(404, answerPage(undefined, settings.labels));
	let store: WaitStore;
	try {
		store = await waitStore(fns as unknown as IExecuteFunctions, settings.home);
	} catch (error) {
		fns.logger.warn(`Send and wait: the store could not be opened (${error instanceof Error ? error.message : String(error)})`);
		return html(503, page('Try again', '<h1>Try again in a moment</h1><p>The answer could not be recorded right now.</p>'));
	}
	const method = String(req.method ?? 'GET').toUpperCase();
	try {
		const now = Date.now();
		const found = await store.forExecution(executionId);
		// n8n calls this only while the execution waits: a wait neither in the store nor answered was lost (this
		// process restarted, Redis was emptied). The page still answers, and n8n resumes the execution once.
		const lost = !found && !(await store.answerFor(executionId));
		const wait = found ?? (lost ? lostWait(executionId, channel, settings) : undefined);
		const open = wait !== undefined && wait.channel === channel && isOpen(wait, now);
		const labels = wait?.labels ?? settings.labels;
		if (method === 'GET' || method === 'HEAD') return html(200, answerPage(open ? wait : undefined, labels));
		if (method !== 'POST') return html(405, page('Not allowed', '<h1>Not allowed</h1>'));
		const body = (fns.getBodyData() ?? {}) as IDataObject;
		const named = typeof body[RESUME_FIELD] === 'string' ? (body[RESUME_FIELD] as string) : undefined;
		if (named !== undefined) {
			// The trigger's or the time limit's claim: resume with what the store recorded, for this execution only.
			const answer = await store.answerFor(executionId);
			// Only the answer to the wait the execution is in: a wait put back after a resume that did go through (the
			// execution now waits somewhere else) must not resume the new wait with its old answer.
			if (!answer || answer.waitId !== named || (found !== undefined && found.id !== named)) {
				res.status(409).json({ resumed: false, reason: 'no answer recorded for this wait' });
				return { noWebhookResponse: true };
			}
			res.status(200).json({ resumed: true });
			return { noWebhookResponse: true, workflowData: [[{ json: answerItem(answer) }]] };
		}
		if (!open || !wait) return html(200, answerPage(undefined, labels));
		const decision = typeof body.decision === 'string' ? body.decision : '';
		let answer: Answer;
		const base = { waitId: wait.id, executionId, channel: 'link' as const, button: null, answeredBy: null, answeredAt: new Date(now).toISOString(), replyMessageId: null, messageIds: wait.messageIds, recipients: wait.recipients, reference: wait.reference, sentAt: lost ? null : new Date(wait.createdAt).toISOString() };
		if (wait.expects.mode === 'freeText') {
			const given = typeof body.answer === 'string' ? body.answer.trim().slice(0, 1600) : '';
			if (!given) return html(200, answerPage(wait, labels));
			answer = { ...base, approved: null, answer: given };
		} else if (decision === 'approve' || (decision === 'decline' && !wait.expects.approveOnly)) {
			answer = { ...base, approved: decision === 'approve', answer: decision === 'approve' ? labels.approve : labels.decline };
		} else {
			return html(200, answerPage(wait, labels));
		}
		if (!lost && !(await store.claim(wait.id, answer))) return html(200, answerPage(undefined, labels));
		res.status(200).setHeader('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page('Thank you', '<h1>Thank you</h1><p>Your answer was recorded.</p>'));
		return { noWebhookResponse: true, workflowData: [[{ json: answerItem(answer) }]] };
	} catch (error) {
		fns.logger.warn(`Send and wait: ${error instanceof Error ? error.message : String(error)}`);
		return html(503, page('Try again', '<h1>Try again in a moment</h1><p>The answer could not be recorded right now.</p>'));
	}
}
