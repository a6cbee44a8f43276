import type { Sandbox } from '../../sandbox/server';
import { sandboxCredentials } from './credentials';
import { Engine } from './engine';

/** An engine for one test file, with fresh sandbox credentials before each test. */
export function useEngine(box: { get: () => Sandbox }): { get: () => Engine } {
	let engine: Engine | undefined;
	beforeAll(async () => {
		engine = await Engine.load();
	});
	beforeEach(() => {
		for (const [type, data] of Object.entries(sandboxCredentials(box.get()))) engine?.setCredentials(type, { ...data });
	});
	return {
		get: () => {
			if (!engine) throw new Error('engine not loaded');
			return engine;
		},
	};
}
