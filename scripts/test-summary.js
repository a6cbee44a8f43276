#!/usr/bin/env node
// Reads Jest's JSON result (and any failed pre-test steps) and prints the one line CI reads last:
// "N passed, N failed". Exits non-zero on any failure.
const { readFileSync, existsSync } = require('node:fs');

const [resultFile, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = failedSteps.length;
if (resultFile && existsSync(resultFile)) {
	const result = JSON.parse(readFileSync(resultFile, 'utf-8'));
	passed += result.numPassedTests;
	failed += result.numFailedTests;
	// A test file that could not run counts as a failure even if it had no tests to count.
	failed += result.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
	if (result.numTotalTests === 0) failed += 1;
	// Jest itself said the run failed (a suite that crashed, a global setup error) though no test counted as failed.
	if (result.success === false && failed === failedSteps.length) failed += 1;
} else {
	failed += 1;
	console.log(`No test result at ${resultFile}: Jest did not run, or did not finish (see the output above)`);
}
for (const step of failedSteps) console.log(`failed step: ${step}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
