/**
 * Helpers for the hostile engine tests (test/engine/hostile.*.test.ts): a seeded PRNG, a capture of everything
 * written to the console, stdout, stderr and n8n's logger during a run, and small local HTTP servers.
 */
import { dirname } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { LoggerProxy } from 'n8n-workflow';

/** mulberry32: a small, fast, seeded PRNG (the same seed gives the same run). */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface Rng {
	(): number;
	int(min: number, max: number): number;
	pick<T>(list: readonly T[]): T;
	chance(p: number): boolean;
}

export function rng(seed: number): Rng {
	const next = prng(seed) as Rng;
	next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
	next.pick = (list) => list[Math.floor(next() * list.length)];
	next.chance = (p) => next() < p;
	return next;
}

export interface CapturedOutput {
	/** Everything written so far, as one text (objects JSON-serialised). */
	text(): string;
	restore(): void;
}

function show(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value instanceof Error) {
		let extra = '';
		try {
			extra = JSON.stringify(value);
		} catch {
			extra = '';
		}
		return `${value.name}: ${value.message}\n${value.stack ?? ''}\n${extra}\n${show((value as { cause?: unknown }).cause ?? '')}`;
	}
	if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('utf-8');
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

/**
 * Capture (and silence) console.*, process.stdout/stderr writes and n8n's LoggerProxy until restore().
 * n8n's logger is a no-op in tests; while capturing, every level is recorded with its metadata.
 */
/** n8n-core's Logger, as its execution contexts get it: Container.get(Logger) in the copies n8n-core resolves. */
function n8nCoreLogger(): { internalLogger?: Record<string, unknown> & { levels?: unknown } } | undefined {
	try {
		const from = { paths: [dirname(require.resolve('n8n-core'))] };
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- the copies n8n-core resolves, not ours
		const di = require(require.resolve('@n8n/di', from)) as { Container: { get(type: unknown): unknown } };
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- the copies n8n-core resolves, not ours
		const common = require(require.resolve('@n8n/backend-common', from)) as { Logger: unknown };
		return di.Container.get(common.Logger) as never;
	} catch {
		return undefined;
	}
}

export function captureOutput(): CapturedOutput {
	const chunks: string[] = [];
	const spies: jest.SpyInstance[] = [];
	for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
		spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void chunks.push(args.map(show).join(' '))));
	}
	for (const stream of [process.stdout, process.stderr]) {
		spies.push(
			jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
				chunks.push(show(chunk));
				return true;
			}) as never),
		);
	}
	const record =
		(level: string) =>
		(message: string, meta?: object): void =>
			void chunks.push(`${level} ${show(message)} ${show(meta ?? {})}`);
	LoggerProxy.init({ error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') } as never);
	// A node's `this.logger` is n8n-core's Logger from its dependency-injection container, which outlives a test file
	// (another file of the same Jest process may have made it, writing to that file's console): recorded too.
	const logger = n8nCoreLogger();
	const internal = logger?.internalLogger;
	if (logger && internal) {
		const fake: Record<string, unknown> = { ...internal, levels: internal.levels, log: (level: string, message: string, meta?: object) => record(level)(message, meta) };
		fake.child = () => fake;
		logger.internalLogger = fake;
	}
	return {
		text: () => chunks.join('\n'),
		restore() {
			for (const spy of spies) spy.mockRestore();
			if (logger && internal) logger.internalLogger = internal;
			const quiet = () => undefined;
			LoggerProxy.init({ error: quiet, warn: quiet, info: quiet, debug: quiet } as never);
		},
	};
}

export interface LocalServer {
	url: string;
	port: number;
	server: Server;
	/** Destroy every open socket and close the server. */
	close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (a free port), whose open sockets close() destroys. */
export async function localServer(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<LocalServer> {
	const sockets = new Set<Socket>();
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => handler(req, res, Buffer.concat(chunks)));
		req.on('error', () => undefined);
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		server,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 1;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}
