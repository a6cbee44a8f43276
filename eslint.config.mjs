// n8n's official community-node lint (@n8n/node-cli), in its self-hosted flavour.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

// Imports point one way: nodes → shared → providers → rules and signatures. Rules, signatures and providers
// import no n8n runtime (types only); parameter descriptions import no transport; nothing below a node imports it.
const NO_N8N_RUNTIME = { name: 'n8n-workflow', allowTypeImports: true, message: 'Rules, signatures and providers import no n8n runtime: take a ProviderContext or plain values.' };
const NO_N8N_CORE = { name: 'n8n-core', message: 'The package runs on what n8n-workflow gives a node.' };
const NODES = { group: ['**/nodes/SendSms/**', '**/nodes/PhoneNumber/**', '**/nodes/PhoneVerification/**', '**/nodes/MessagingTrigger/**', '../../*/*.node', '../../../*/*.node', '../*.node'], message: 'Shared code never imports a node.' };
const layer = (files, patterns, paths = []) => ({
	files,
	rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [NO_N8N_CORE, ...paths], patterns }] },
});
const LAYERS = [
	layer(['nodes/shared/rules/**/*.ts', 'nodes/shared/signatures/**/*.ts'], [
		{ group: ['**/providers/**', '**/providers', '**/descriptions/**', '**/transport', '**/delivery', '**/items', '**/ledger', '**/output', '**/params'], message: 'Rules and signatures are pure: they import only other rules and signatures.' },
		NODES,
	], [NO_N8N_RUNTIME]),
	layer(['nodes/shared/providers/**/*.ts'], [
		{ group: ['**/transport', '**/delivery', '**/items', '**/ledger', '**/output', '**/params', '**/descriptions/**'], message: 'Providers import only rules, signatures and their own facts; the transport is handed to them as a ProviderContext.' },
		NODES,
	], [NO_N8N_RUNTIME]),
	layer(['nodes/shared/descriptions/**/*.ts'], [
		{ group: ['**/transport', '**/delivery', '**/items', '**/ledger', '**/output'], message: 'Parameter descriptions are UI only: no transport.' },
		NODES,
	]),
	layer(['nodes/shared/*.ts', 'nodes/shared/state/**/*.ts', 'nodes/shared/verification/**/*.ts'], [NODES]),
];


export default [
	...LAYERS,
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'build/**', 'coverage/**', '.n8n-server/**', '.test-output/**', 'node_modules/**', 'reports/**', '.stryker-tmp*/**'] },
	{
		files: ['**/*.ts', 'package.json'],
		rules: {
			// This package is for self-hosted n8n and ships three chosen runtime dependencies: libphonenumber-js
			// (numbering-plan metadata we must not maintain by hand), luxon (time zones) and ioredis (n8n's own Redis
			// client, for state shared across queue-mode workers).
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		// Below the nodes, failures are ProviderErrors (kind, code, provider): the one item loop (nodes/shared/items.ts)
		// turns each into a NodeApiError with the item index, or into an item under Continue On Fail.
		files: ['nodes/shared/**/*.ts'],
		ignores: ['nodes/shared/items.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Tests, the sandbox, scripts and benchmarks are not part of the published package.
		files: ['test/**/*.ts', 'sandbox/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'no-console': 'off',
			'@typescript-eslint/no-explicit-any': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			// The sandbox's accounts are public fakes that open nothing but the sandbox.
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			'@n8n/community-nodes/node-usable-as-tool': 'off',
			// NodeApiError is for node code; tests, the sandbox and scripts throw plain errors.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
];
