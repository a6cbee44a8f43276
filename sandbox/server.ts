/**
 * The Messaging Gateway sandbox: a local stand-in for Twilio, Sinch and AWS SNS that speaks their wire
 * protocols, keeps what it receives, moves messages through realistic statuses with signed callbacks,
 * enforces rate limits with the providers' own errors, and injects faults on request.
 * Node built-ins only. Binds 127.0.0.1 unless told otherwise.
 */
import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_ACCOUNTS, DEFAULT_LIMITS, type SandboxAccounts, type SandboxLimits } from './config';
import { handleControl, isControlRequest, refuseCrossSite } from './control';
import { faultProblem } from './faults';
import { BODY_LIMIT, httpUrl, json, parseTarget, readBody, write } from './http';
import { Scheduler } from './scheduler';
import { sinchApi } from './sinch';
import { snsApi } from './sns';
import { newId } from './state';
import { twilioApi } from './twilio';
import type {
	CallbackRecord,
	FaultInput,
	FaultRule,
	ProviderApi,
	RequestRecord,
	SandboxContext,
	SandboxErrorRecord,
	SandboxOptions,
	SandboxProvider,
	SandboxRequest,
	SandboxResponse,
	StatusEvent,
	StatusStep,
	StoredMessage,
} from './types';

export type { FaultInput, ProviderApi, SandboxOptions, StatusStep } from './types';

/**
 * Callbacks in flight to one host at most (the others wait their turn, in order): a batch of 1,000 recipients that
 * turn final together would otherwise open 1,000 connections at once, overflow the receiver's accept queue, and
 * each lost connection attempt would cost a second.
 */
const CALLBACK_SOCKETS_PER_HOST = 64;
/** How many request, callback and error records are kept (the oldest go first). */
const MAX_RECORDS = 10_000;
/** The longest a timer can wait in Node (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function keepLast<T>(list: T[], entry: T): void {
	list.push(entry);
	if (list.length > MAX_RECORDS) list.splice(0, list.length - MAX_RECORDS);
}

const shorten = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}…` : text);

export class Sandbox implements SandboxContext {
	readonly accounts: SandboxAccounts;
	readonly limits: SandboxLimits;
	readonly timeScale: number;
	readonly messages = new Map<string, StoredMessage>();
	readonly requests: RequestRecord[] = [];
	readonly callbacks: CallbackRecord[] = [];
	readonly faults: FaultRule[] = [];
	readonly optOuts = new Set<string>();
	/** Failures of the sandbox itself (a handler or a timer threw); each was answered 500 or skipped, and logged once. */
	readonly errors: SandboxErrorRecord[] = [];
	/** Hooks a provider runs when a message of its changes status (its callbacks). */
	readonly onStatus = new Map<SandboxProvider, (message: StoredMessage, event: StatusEvent) => void>();

	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	/** Where callbacks go out from: kept-alive connections, CALLBACK_SOCKETS_PER_HOST a host. */
	private readonly callbackAgents = {
		http: new HttpAgent({ keepAlive: true, maxSockets: CALLBACK_SOCKETS_PER_HOST }),
		https: new HttpsAgent({ keepAlive: true, maxSockets: CALLBACK_SOCKETS_PER_HOST }),
	};
	/** Status changes, callbacks and retries waiting: one Node timer for all, run in time order. */
	private readonly scheduler = new Scheduler((error) => this.internalError('a scheduled status change or callback', error));
	/** Delay faults being waited out: not cleared by reset() (a request waits on each), only by stop(). */
	private readonly waits = new Map<NodeJS.Timeout, () => void>();
	private readonly apis: ProviderApi[];
	private readonly log: (line: string) => void;
	/** When the request being handled arrived (epoch ms), while its handler runs: what store() stamps on messages. */
	private arrival: number | undefined;
	private baseUrl = '';
	private port = 0;
	private readonly inFlight = new Map<SandboxProvider, number>();

	constructor(private readonly options: SandboxOptions = {}) {
		this.accounts = {
			twilio: { ...DEFAULT_ACCOUNTS.twilio, ...options.accounts?.twilio },
			sinch: { ...DEFAULT_ACCOUNTS.sinch, ...options.accounts?.sinch },
			sns: { ...DEFAULT_ACCOUNTS.sns, ...options.accounts?.sns },
		};
		this.limits = { ...DEFAULT_LIMITS, ...options.limits };
		this.timeScale = options.timeScale ?? 1;
		this.log = options.log ?? (() => undefined);
		this.apis = [twilioApi(this), sinchApi(this), snsApi(this)];
	}

	get url(): string {
		return this.baseUrl;
	}

	async start(): Promise<string> {
		const host = this.options.host ?? '127.0.0.1';
		// A client gets 30 s to send a whole request (Node's default is 5 min): a stalled upload does not hold a socket long.
		const server = createServer({ requestTimeout: 30_000, headersTimeout: 20_000 }, (req, res) => this.handle(req, res));
		this.server = server;
		// Expect: 100-continue: no "go ahead" for a body that will be refused anyway.
		server.on('checkContinue', (req, res) => {
			if (!(Number(req.headers['content-length']) > BODY_LIMIT)) res.writeContinue();
			this.handle(req, res);
		});
		// CONNECT asks for a proxy tunnel, which the sandbox is not: a plain refusal rather than a silent close.
		server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
			const body = JSON.stringify({ error: 'The sandbox is not a proxy: CONNECT is not served' });
			socket.on('error', () => undefined);
			socket.end(
				`HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
			);
		});
		server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.options.port ?? 4010, host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		// Past listening, a server error must not end the process.
		server.on('error', (error) => this.internalError('the HTTP server', error));
		const address = server.address();
		this.port = typeof address === 'object' && address ? address.port : (this.options.port ?? 0);
		this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
		return this.baseUrl;
	}

	async stop(): Promise<void> {
		this.scheduler.clear();
		for (const [timer, resolve] of this.waits) {
			clearTimeout(timer);
			resolve();
		}
		this.waits.clear();
		for (const socket of this.sockets) socket.destroy();
		this.callbackAgents.http.destroy();
		this.callbackAgents.https.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	/** Forget messages, requests, callbacks, faults and opt-outs. */
	reset(): void {
		this.scheduler.clear();
		this.messages.clear();
		this.requests.length = 0;
		this.callbacks.length = 0;
		this.faults.length = 0;
		this.optOuts.clear();
		for (const api of this.apis) api.reset();
	}

	providerNames(): SandboxProvider[] {
		return this.apis.map((api) => api.name);
	}

	api(provider: SandboxProvider): ProviderApi {
		return this.apis.find((api) => api.name === provider) as ProviderApi;
	}

	/** Requests of a provider being handled now, this one included. */
	inFlightCount(provider: SandboxProvider): number {
		return this.inFlight.get(provider) ?? 0;
	}

	/** Host[:port] values (lower case) the control API and the phone page answer to. */
	ownHosts(): Set<string> {
		const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
		const bound = (this.options.host ?? '127.0.0.1').toLowerCase();
		// A wildcard address is never a Host; binding one needs allowedHosts for the control API.
		if (!['0.0.0.0', '::', '[::]'].includes(bound)) names.add(bound.includes(':') && !bound.startsWith('[') ? `[${bound}]` : bound);
		const hosts = new Set<string>();
		for (const name of names) {
			hosts.add(`${name}:${this.port}`);
			if (this.port === 80) hosts.add(name);
		}
		for (const extra of this.options.allowedHosts ?? []) {
			const host = extra.trim().toLowerCase();
			if (!host) continue;
			const hasPort = /^\[[^\]]*\]:\d+$/.test(host) || /^[^:[\]]+:\d+$/.test(host);
			hosts.add(hasPort ? host : `${host}:${this.port}`);
			if (!hasPort && this.port === 80) hosts.add(host);
		}
		return hosts;
	}

	scaled(ms: number): number {
		const value = Math.round(ms * this.timeScale);
		return Number.isFinite(value) ? Math.min(MAX_TIMER_MS, Math.max(0, value)) : 0;
	}

	/** Run `fn` after `ms` (unscaled) milliseconds, after everything scheduled to run before it or at the same time. */
	later(ms: number, fn: () => void): void {
		this.scheduler.after(this.scaled(ms), fn);
	}

	/** Keep a message; made while a request is handled, it carries that request's arrival time. */
	store(message: StoredMessage): StoredMessage {
		if (this.arrival !== undefined) message.arrivedAt = this.arrival;
		this.messages.set(message.id, message);
		return message;
	}

	/**
	 * Run a handler's synchronous part with `at` as the arrival time of what it stores. The handlers store their
	 * messages before they return (none awaits), so the time is set and cleared around that part only: nothing that
	 * runs in between (another request's handler, a timer) can take it.
	 */
	private withArrival<T>(at: number, fn: () => T): T {
		this.arrival = at;
		try {
			return fn();
		} finally {
			this.arrival = undefined;
		}
	}

	/** Move a message through statuses, in order (steps are applied in time order); canceled messages stop moving. */
	progress(message: StoredMessage, steps: StatusStep[]): void {
		for (const step of steps) {
			this.later(step.afterMs, () => {
				if (message.canceled) return;
				this.setStatus(message, step.status, step.errorCode);
			});
		}
	}

	setStatus(message: StoredMessage, status: string, errorCode?: string | number | null): void {
		const at = new Date().toISOString();
		message.status = status;
		message.updatedAt = at;
		if (errorCode !== undefined) message.errorCode = errorCode;
		if ((status === 'sent' || status === 'Dispatched') && !message.sentAt) message.sentAt = at;
		const event: StatusEvent = { status, at, errorCode: errorCode ?? null };
		message.history.push(event);
		this.onStatus.get(message.provider)?.(message, event);
	}

	/**
	 * POST a callback; retried on 5xx/429/connection errors a few times, recorded either way. Only http(s) URLs
	 * are ever fetched (the providers refuse others when the message is created; this is the last line).
	 */
	sendCallback(record: Omit<CallbackRecord, 'at' | 'responseStatus' | 'error' | 'attempts'>, maxAttempts = 3, onAnswer?: (status: number, body: string) => void): void {
		const entry: CallbackRecord = { ...record, at: new Date().toISOString(), responseStatus: null, error: null, attempts: 0 };
		keepLast(this.callbacks, entry);
		const target = httpUrl(entry.url);
		if (!target) {
			entry.error = 'refused: a callback URL must be an absolute http(s) URL';
			return;
		}
		const attempt = () => {
			entry.attempts++;
			const retry = () => {
				if (entry.attempts < maxAttempts) this.later(1000 * 2 ** entry.attempts, attempt);
			};
			try {
				const https = target.protocol === 'https:';
				const send = https ? httpsRequest : httpRequest;
				const req = send(
					target,
					{
						method: 'POST',
						headers: { ...entry.headers, 'Content-Length': Buffer.byteLength(entry.body) },
						timeout: 10_000,
						agent: https ? this.callbackAgents.https : this.callbackAgents.http,
					},
					(res) => {
						const chunks: Buffer[] = [];
						let size = 0;
						res.on('data', (chunk: Buffer) => {
							// An answer is read up to 64 KiB: enough for TwiML, bounded for a server that never stops.
							size += chunk.length;
							if (size <= 64 * 1024) chunks.push(chunk);
						});
						res.on('error', () => undefined);
						entry.responseStatus = res.statusCode ?? null;
						entry.error = null;
						const status = res.statusCode ?? 0;
						if (status >= 500 || status === 429) retry();
						else if (onAnswer) res.on('end', () => this.guard(`answer from ${entry.url}`, () => onAnswer(status, Buffer.concat(chunks).toString('utf-8'))));
					},
				);
				req.on('timeout', () => req.destroy(new Error('timeout')));
				req.on('error', (error) => {
					entry.error = error.message;
					retry();
				});
				req.end(entry.body);
			} catch (error) {
				// Node refused the request outright (a header or URL it will not send): recorded, not retried.
				entry.error = error instanceof Error ? error.message : String(error);
			}
		};
		attempt();
	}

	/** A fault for the next `count` matching requests (1 by default, -1 for all of them). Throws on an invalid rule. */
	addFault(rule: FaultInput): FaultRule {
		const problem = faultProblem(rule);
		if (problem) throw new RangeError(problem);
		const { count, ...rest } = rule;
		const fault: FaultRule = { id: newId('FR', 8), hits: 0, ...rest, remaining: count ?? 1 };
		this.faults.push(fault);
		return fault;
	}

	private takeFault(provider: SandboxProvider, recipients: string[]): FaultRule | undefined {
		const fault = this.faults.find(
			(f) => f.remaining !== 0 && (!f.provider || f.provider === provider) && (!f.to || recipients.includes(f.to)),
		);
		if (!fault) return undefined;
		fault.hits++;
		if (fault.remaining > 0) fault.remaining--;
		return fault;
	}

	/** A failure of the sandbox itself: kept, and logged once (to the log option, else stderr). */
	/** Run a callback's follow-up; a throw is the sandbox's own failure, recorded, never a crash. */
	private guard(where: string, fn: () => void): void {
		try {
			fn();
		} catch (error) {
			this.internalError(where, error);
		}
	}

	private internalError(where: string, error: unknown): void {
		const message = error instanceof Error ? error.message : String(error);
		keepLast(this.errors, { at: new Date().toISOString(), where, message });
		const line = `sandbox error in ${where}: ${message}`;
		if (this.options.log) this.log(line);
		else console.error(`[sandbox] ${line}`);
	}

	/** Wait out a delay fault; stop() ends the wait. */
	private wait(ms: number): Promise<void> {
		return new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				this.waits.delete(timer);
				resolve();
			}, this.scaled(ms));
			this.waits.set(timer, resolve);
		});
	}

	/** Every request comes through here: nothing a client sends may end the process or leave a promise unhandled. */
	private handle(incoming: IncomingMessage, res: ServerResponse): void {
		this.dispatch(incoming, res).catch((error: unknown) => {
			this.internalError(`${incoming.method} request`, error);
			res.destroy();
		});
	}

	/**
	 * Answer before the body is read (a refusal, a body over the limit): the connection closes after the answer,
	 * and what the client still sends is thrown away for a second at most.
	 */
	private respondEarly(incoming: IncomingMessage, res: ServerResponse, response: SandboxResponse): void {
		write(res, { ...response, headers: { ...response.headers, Connection: 'close' } });
		if (incoming.complete) return;
		let discarded = 0;
		const timer = setTimeout(() => incoming.socket.destroy(), 1000);
		timer.unref();
		incoming.on('data', (chunk: Buffer) => {
			discarded += chunk.length;
			if (discarded > 8 * BODY_LIMIT) incoming.socket.destroy();
		});
		incoming.on('end', () => clearTimeout(timer));
		incoming.on('error', () => undefined);
		incoming.resume();
	}

	private async dispatch(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
		// The arrival time messages carry: now, before the body is read and before any delay fault.
		const arrivedAt = Date.now();
		const method = (incoming.method ?? 'GET').toUpperCase();
		const target = incoming.url ?? '/';
		const { path, query } = parseTarget(target);
		const where = `${method} ${shorten(path)}`;
		const control = isControlRequest(method, path);
		const api = control ? undefined : this.apis.find((a) => a.matches(method, path));
		try {
			if (control) {
				const refusal = refuseCrossSite(method, incoming.headers, this.ownHosts());
				if (refusal) {
					this.log(`${where} → ${refusal.status} (cross-site refused)`);
					this.respondEarly(incoming, res, refusal);
					return;
				}
			}
			const body = await readBody(incoming, BODY_LIMIT);
			if (body.kind === 'failed') return; // The client went away: nobody to answer.
			if (body.kind === 'tooLarge') {
				const message = `The request body is larger than the sandbox accepts (${BODY_LIMIT} bytes)`;
				this.log(`${where} → 413`);
				this.respondEarly(incoming, res, api ? api.errorResponse(413, message, path) : json(413, { error: message }));
				return;
			}
			const req: SandboxRequest = { method, path, query, headers: incoming.headers, rawBody: body.body, url: target };
			if (control) {
				write(res, await this.withArrival(arrivedAt, () => handleControl(this, req)));
				return;
			}
			await this.serveProvider(api, req, incoming, res, arrivedAt);
		} catch (error) {
			this.internalError(where, error);
			if (res.headersSent) {
				res.destroy();
				return;
			}
			const message = 'The sandbox failed on this request (a sandbox bug: the request may be retried)';
			try {
				write(res, api ? api.errorResponse(500, message, path) : json(500, { error: message }));
			} catch {
				res.destroy();
			}
		}
	}

	private async serveProvider(api: ProviderApi | undefined, req: SandboxRequest, incoming: IncomingMessage, res: ServerResponse, arrivedAt: number): Promise<void> {
		const record: RequestRecord = {
			at: new Date().toISOString(),
			provider: api?.name ?? 'unknown',
			method: req.method,
			path: req.path,
			recipients: api ? api.recipients(req) : [],
			status: null,
			fault: null,
		};
		keepLast(this.requests, record);
		if (!api) {
			record.status = 404;
			write(res, json(404, { error: `The sandbox does not serve ${req.method} ${shorten(req.path)}` }));
			return;
		}
		const fault = this.takeFault(api.name, record.recipients);
		if (fault) record.fault = fault.type === 'status' ? `status ${fault.status ?? 503}` : fault.type;
		if (fault?.type === 'reset') {
			incoming.socket.destroy();
			this.log(`${req.method} ${req.path} → reset (fault)`);
			return;
		}
		if (fault?.type === 'status') {
			const response = api.faultResponse(fault.status ?? 503, fault.retryAfter, req.path);
			record.status = response.status;
			write(res, response);
			this.log(`${req.method} ${req.path} → ${response.status} (fault)`);
			return;
		}
		let response: SandboxResponse;
		this.inFlight.set(api.name, this.inFlightCount(api.name) + 1);
		try {
			if (fault?.type === 'delay') await this.wait(fault.delayMs ?? 1000);
			response = await this.withArrival(arrivedAt, () => api.handle(req));
		} catch (error) {
			this.internalError(`${req.method} ${shorten(req.path)}`, error);
			response = api.errorResponse(500, 'The sandbox failed on this request (a sandbox bug: the request may be retried)', req.path);
		} finally {
			this.inFlight.set(api.name, this.inFlightCount(api.name) - 1);
		}
		record.status = response.status;
		if (fault?.type === 'hang') {
			// Accepted and stored, but the answer never comes: the client cannot know the message went out.
			this.log(`${req.method} ${req.path} → ${response.status} withheld (hang fault)`);
			return;
		}
		this.log(`${req.method} ${req.path} → ${response.status}`);
		write(res, response);
	}
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const sandbox = new Sandbox(options);
	await sandbox.start();
	return sandbox;
}
