import type { Sandbox } from '../../sandbox/server';
import { sandboxCredentials as importableCredentials } from '../../scripts/n8nServer';

/** Credentials of this package's types pointing at a sandbox, by type: the ones `npm start` imports. */
export function sandboxCredentials(sandbox: Sandbox): Record<string, Record<string, string>> {
	return Object.fromEntries(importableCredentials(sandbox.url, sandbox.accounts).map((c) => [c.type, { ...c.data }]));
}
