import twilio from 'twilio';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

/** A sandbox for one test file: fast clock, a free port, stopped after the file. */
export function useSandbox(options: SandboxOptions = {}): { get: () => Sandbox } {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, timeScale: 0.02, ...options });
	});
	afterAll(async () => {
		await sandbox?.stop();
	});
	beforeEach(() => sandbox?.reset());
	return {
		get: () => {
			if (!sandbox) throw new Error('sandbox not started');
			return sandbox;
		},
	};
}

export async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000, stepMs = 20): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = fn();
		if (value) return value;
		if (Date.now() > end) throw new Error('waitFor: timed out');
		await new Promise((resolve) => setTimeout(resolve, stepMs));
	}
}

/** The sandbox's control API, as a test calls it: the JSON answer, with its HTTP status as httpStatus. */
export async function sandboxControl(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<any> {
	const res = await fetch(`${sandbox.url}/__sandbox${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	return { ...((await res.json()) as object), httpStatus: res.status };
}

/** The official twilio SDK pointed at the sandbox (api, messaging, verify, content and pricing.twilio.com). */
export function twilioSdk(sandbox: Sandbox, user?: string, password?: string): twilio.Twilio {
	const { accountSid, authToken } = sandbox.accounts.twilio;
	const base = sandbox.url;
	class SandboxRequestClient extends twilio.RequestClient {
		request<TData>(opts: Parameters<twilio.RequestClient['request']>[0]) {
			return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/(api|messaging|verify|content|pricing)\.twilio\.com/, base) } as typeof opts & { data?: TData });
		}
	}
	return twilio(user ?? accountSid, password ?? authToken, { accountSid, httpClient: new SandboxRequestClient() });
}
