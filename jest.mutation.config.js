/**
 * The tests StrykerJS runs against each mutant (`npm run mutation`): the unit project, which loads the TypeScript
 * sources it mutates and runs in seconds. The fidelity, engine and end-to-end tests start servers, load `dist/` or a
 * real n8n, and take minutes: too slow to run once per mutant, so they are not part of the mutation score.
 * One flat project, not `projects`: Stryker's per-test coverage sets the test environment at the top level only.
 * TypeScript is only transpiled here (isolatedModules): Stryker's TypeScript checker already rejects mutants that do not
 * compile, and type-checking each test file again in every Jest run is what made a mutant cost seconds.
 */
const config = require('./jest.config');

const { displayName: _name, ...unit } = config.projects.find((project) => project.displayName === 'unit');

module.exports = {
	...unit,
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	rootDir: __dirname,
	globalSetup: config.globalSetup,
	globalTeardown: config.globalTeardown,
	testTimeout: config.testTimeout,
};
