// Mutation testing (`npm run mutation`): StrykerJS changes the code one small way at a time and checks that a test
// fails. What it mutates is below; scripts/mutation-score.js prints the score per folder and holds each folder to its
// threshold (docs/testing.md). Incremental: a run reuses the results of mutants whose code and tests did not change.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	packageManager: 'npm',
	testRunner: 'jest',
	jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
	checkers: ['typescript'],
	tsconfigFile: 'tsconfig.json',
	coverageAnalysis: 'perTest',
	// Mutants in module-level tables run against every unit test, and took 70 % of the time: left out here. The tables
	// are pinned whole by equality tests; `npm run mutation -- --ignoreStatic false` includes them (docs/testing.md).
	ignoreStatic: true,
	incremental: true,
	incrementalFile: 'reports/mutation/stryker-incremental.json',
	mutate: [
		'nodes/shared/rules/**/*.ts',
		'nodes/shared/signatures/**/*.ts',
		'nodes/shared/providers/**/*.ts',
		'nodes/shared/delivery.ts',
		'nodes/shared/items.ts',
		'nodes/shared/verification/**/*.ts',
		'nodes/shared/state/workflowStore.ts',
		'sandbox/rules.ts',
	],
	reporters: ['clear-text', 'progress', 'html', 'json'],
	htmlReporter: { fileName: 'reports/mutation/index.html' },
	jsonReporter: { fileName: 'reports/mutation/mutation.json' },
	clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
	// Copied into Stryker's sandbox is the source, not what builds, installs and runs leave behind.
	ignorePatterns: ['dist', 'build', '.n8n-server', '.n8n-data', '.test-output', 'coverage', 'docs/screenshots', 'examples'],
	tempDirName: '.stryker-tmp',
	cleanTempDir: 'always',
	concurrency: 2,
	timeoutMS: 10000,
	thresholds: { high: 90, low: 80, break: null },
};
