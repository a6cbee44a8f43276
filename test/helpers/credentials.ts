import type { Sandbox } from '../../sandbox/server';
import { sandboxCredentials as importableCredentials } from '../../scripts/n8nServer';

/** Credentials of this package's types pointing at a sandbox, by type (the first of each type): the ones `npm start` imports. */
export function sandboxCredentials(sandbox: Sandbox): Record<string, Record<string, string>> {
	const out: Record<string, Record<string, string>> = {};
	for (const c of importableCredentials(sandbox.url, sandbox.accounts)) out[c.type] ??= { ...c.data };
	return out;
}

/** A credential `npm start` imports, by its name (e.g. 'Sandbox Sinch (project, WhatsApp)'). */
export function sandboxCredential(sandbox: Sandbox, name: string): Record<string, string> {
	const found = importableCredentials(sandbox.url, sandbox.accounts).find((c) => c.name === name);
	if (!found) throw new Error(`no sandbox credential named ${name}`);
	return { ...found.data };
}
