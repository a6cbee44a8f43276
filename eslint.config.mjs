// n8n's official community-node lint (@n8n/node-cli), in its self-hosted flavour.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'build/**', 'coverage/**', '.n8n-server/**', '.test-output/**', 'node_modules/**'] },
	{
		files: ['**/*.ts', 'package.json'],
		rules: {
			// This package is for self-hosted n8n and ships two chosen runtime dependencies:
			// libphonenumber-js (numbering-plan metadata we must not maintain by hand) and luxon (time zones).
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
		},
	},
];
