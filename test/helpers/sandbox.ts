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
