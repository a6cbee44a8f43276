/** Unit tests run in parallel; tests that start servers run one file at a time inside their project. */
const base = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	setupFiles: ['<rootDir>/test/helpers/env.ts'],
	// A mutation run's copy of the project (StrykerJS's sandbox) is not ours to test or resolve modules from.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
	modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
};

module.exports = {
	projects: [
		{ ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...base, displayName: 'fidelity', testMatch: ['<rootDir>/test/fidelity/**/*.test.ts'] },
		{ ...base, displayName: 'engine', testMatch: ['<rootDir>/test/engine/**/*.test.ts'] },
		// A real n8n server and Chromium: needs `bash scripts/install-n8n.sh` (npm test runs it).
		{ ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
	],
	globalSetup: '<rootDir>/test/helpers/globalSetup.js',
	globalTeardown: '<rootDir>/test/helpers/globalTeardown.js',
	testTimeout: 60_000,
};
