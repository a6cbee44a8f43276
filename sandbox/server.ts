/**
 * The Messaging Gateway sandbox: a local stand-in for Twilio, Sinch and AWS SNS that speaks their wire
 * protocols, keeps what it receives, moves messages through realistic statuses with signed callbacks,
 * enforces rate limits with the providers' own errors, and injects faults on request.
 * Node built-ins only. Binds 127.0.0.1 unless told otherwise.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { DEFAULT_ACCOUNTS, DEFAULT_LIMITS, type SandboxAccounts, type SandboxLimits } from './config';
import { handleControl } from './control';
import { json, readBody, write, type SandboxRequest, type SandboxResponse } from './http';
import { sinchApi } from './sinch';
import { snsApi } from './sns';
import {
	newId,
	type CallbackRecord,
	type FaultRule,
	type RequestRecord,
	type SandboxProvider,
	type StatusEvent,
	type StoredMessage,
} from './state';
import { twilioApi } from './twilio';

export interface SandboxOptions {
	host?: string;
	/** 0 picks a free port. */
	port?: number;
	/** Multiplies every duration (status steps, rate windows): 0.01 makes the sandbox 100 times faster. */
	timeScale?: number;
	accounts?: Partial<{ [K in keyof SandboxAccounts]: Partial<SandboxAccounts[K]> }>;
	limits?: Partial<SandboxLimits>;
	/** Where request lines are logged; silent when absent. */
	log?: (line: string) => void;
}

/** A provider's part of the sandbox. */
export interface ProviderApi {
	name: SandboxProvider;
	matches(req: SandboxRequest): boolean;
	recipients(req: SandboxRequest): string[];
	handle(req: SandboxRequest): Promise<SandboxResponse> | SandboxResponse;
	/** The provider's own answer for an injected HTTP status. */
	faultResponse(status: number, retryAfter?: number): SandboxResponse;
}

export type FaultInput = Omit<FaultRule, 'id' | 'remaining' | 'hits'> & { count?: number };

export interface StatusStep {
	afterMs: number;
	status: string;
	errorCode?: string | number | null;
}

export class Sandbox {
	readonly accounts: SandboxAccounts;
	readonly limits: SandboxLimits;
	readonly timeScale: number;
	readonly messages = new Map<string, StoredMessage>();
	readonly requests: RequestRecord[] = [];
	readonly callbacks: CallbackRecord[] = [];
	readonly faults: FaultRule[] = [];
	readonly optOuts = new Set<string>();
	/** Hooks a provider runs when a message of its changes status (its callbacks). */
	readonly onStatus = new Map<SandboxProvider, (message: StoredMessage, event: StatusEvent) => void>();

	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly apis: ProviderApi[];
	private readonly log: (line: string) => void;
	private baseUrl = '';
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
		this.server = createServer((req, res) => void this.dispatch(req, res));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			this.server?.once('error', reject);
			this.server?.listen(this.options.port ?? 4010, host, () => resolve());
		});
		const address = this.server.address();
		const port = typeof address === 'object' && address ? address.port : this.options.port;
		this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
		return this.baseUrl;
	}

	async stop(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	/** Forget messages, requests, callbacks, faults and opt-outs. */
	reset(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.messages.clear();
		this.requests.length = 0;
		this.callbacks.length = 0;
		this.faults.length = 0;
		this.optOuts.clear();
	}

	/** Requests of a provider being handled now, this one included. */
	inFlightCount(provider: SandboxProvider): number {
		return this.inFlight.get(provider) ?? 0;
	}

	scaled(ms: number): number {
		return Math.max(0, Math.round(ms * this.timeScale));
	}

	later(ms: number, fn: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, this.scaled(ms));
		this.timers.add(timer);
	}

	store(message: StoredMessage): StoredMessage {
		this.messages.set(message.id, message);
		return message;
	}

	/** Move a message through statuses; canceled messages stop moving. A step may be skipped if it would go back. */
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

	/** POST a callback; retried on 5xx/429/connection errors a few times, recorded either way. */
	sendCallback(record: Omit<CallbackRecord, 'at' | 'responseStatus' | 'error' | 'attempts'>, maxAttempts = 3): void {
		const entry: CallbackRecord = { ...record, at: new Date().toISOString(), responseStatus: null, error: null, attempts: 0 };
		this.callbacks.push(entry);
		const attempt = () => {
			entry.attempts++;
			let target: URL;
			try {
				target = new URL(entry.url);
			} catch {
				entry.error = 'invalid callback URL';
				return;
			}
			const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
			const req = send(
				target,
				{ method: 'POST', headers: { ...entry.headers, 'Content-Length': Buffer.byteLength(entry.body) }, timeout: 10_000 },
				(res) => {
					res.resume();
					entry.responseStatus = res.statusCode ?? null;
					entry.error = null;
					const status = res.statusCode ?? 0;
					if ((status >= 500 || status === 429) && entry.attempts < maxAttempts) this.later(1000 * 2 ** entry.attempts, attempt);
				},
			);
			req.on('timeout', () => req.destroy(new Error('timeout')));
			req.on('error', (error) => {
				entry.error = error.message;
				if (entry.attempts < maxAttempts) this.later(1000 * 2 ** entry.attempts, attempt);
			});
			req.end(entry.body);
		};
		attempt();
	}

	/** A fault for the next `count` matching requests (1 by default, -1 for all of them). */
	addFault(rule: FaultInput): FaultRule {
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

	private async dispatch(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
		let rawBody = '';
		try {
			rawBody = await readBody(incoming);
		} catch {
			write(res, json(413, { error: 'body too large' }));
			return;
		}
		const url = new URL(incoming.url ?? '/', 'http://sandbox.local');
		const req: SandboxRequest = {
			method: (incoming.method ?? 'GET').toUpperCase(),
			path: url.pathname,
			query: url.searchParams,
			headers: incoming.headers,
			rawBody,
			url: incoming.url ?? '/',
		};
		if (req.path === '/__sandbox' || req.path.startsWith('/__sandbox/') || (req.path === '/' && req.method === 'GET')) {
			write(res, await handleControl(this, req));
			return;
		}
		const api = this.apis.find((a) => a.matches(req));
		const record: RequestRecord = {
			at: new Date().toISOString(),
			provider: api?.name ?? 'unknown',
			method: req.method,
			path: req.path,
			recipients: api ? api.recipients(req) : [],
			status: null,
			fault: null,
		};
		this.requests.push(record);
		if (!api) {
			record.status = 404;
			write(res, json(404, { error: `The sandbox does not serve ${req.method} ${req.path}` }));
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
			const response = api.faultResponse(fault.status ?? 503, fault.retryAfter);
			record.status = response.status;
			write(res, response);
			this.log(`${req.method} ${req.path} → ${response.status} (fault)`);
			return;
		}
		let response: SandboxResponse;
		this.inFlight.set(api.name, this.inFlightCount(api.name) + 1);
		try {
			if (fault?.type === 'delay') {
				await new Promise<void>((resolve) => this.later(fault.delayMs ?? 1000, resolve));
			}
			response = await api.handle(req);
		} catch (error) {
			response = json(500, { error: (error as Error).message });
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
