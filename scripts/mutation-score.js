#!/usr/bin/env node
// Reads StrykerJS's JSON report and prints the mutation score of each part of the code against its threshold
// (docs/testing.md says why these parts and these numbers), then every mutant that survived. Exits non-zero when a
// part is under its threshold or the report is missing.
//   node scripts/mutation-score.js [report.json] [--survivors]
const { existsSync, readFileSync } = require('node:fs');

const PARTS = [
	{ name: 'rules (nodes/shared/rules)', threshold: 90, matches: (f) => f.startsWith('nodes/shared/rules/') },
	{ name: 'signatures (nodes/shared/signatures)', threshold: 90, matches: (f) => f.startsWith('nodes/shared/signatures/') },
	{ name: 'providers (nodes/shared/providers)', threshold: 80, matches: (f) => f.startsWith('nodes/shared/providers/') },
	{ name: 'delivery and the item loop', threshold: 80, matches: (f) => ['nodes/shared/delivery.ts', 'nodes/shared/items.ts'].includes(f) },
	{ name: 'verification and the workflow store', threshold: 80, matches: (f) => f.startsWith('nodes/shared/verification/') || f === 'nodes/shared/state/workflowStore.ts' },
	{ name: "the sandbox's rules (sandbox/rules.ts)", threshold: 80, matches: (f) => f === 'sandbox/rules.ts' },
];

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? 'reports/mutation/mutation.json';
if (!existsSync(file)) {
	console.log(`No mutation report at ${file}: run \`npm run mutation\` first`);
	process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf-8'));
const files = Object.entries(report.files).map(([path, f]) => [path.replace(/\\/g, '/').replace(/^.*?(?=(nodes|sandbox)\/)/, ''), f]);

const pct = (detected, valid) => (valid === 0 ? 100 : (100 * detected) / valid);
const rows = [];
let failed = 0;
const survivors = [];
for (const part of PARTS) {
	let detected = 0;
	let undetected = 0;
	for (const [path, f] of files.filter(([path]) => part.matches(path))) {
		for (const m of f.mutants) {
			if (DETECTED.has(m.status)) detected++;
			else if (UNDETECTED.has(m.status)) {
				undetected++;
				survivors.push({ path, m });
			}
		}
	}
	const valid = detected + undetected;
	const score = pct(detected, valid);
	const ok = valid > 0 && score >= part.threshold;
	if (!ok) failed++;
	rows.push([part.name, `${score.toFixed(1)} %`, `${detected}/${valid}`, `≥ ${part.threshold} %`, valid === 0 ? 'NO MUTANTS' : ok ? 'ok' : 'BELOW']);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length), ['part', 'score', 'killed', 'threshold', ''][i].length));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(['part', 'score', 'killed', 'threshold', '']));
for (const row of rows) console.log(line(row));

if (args.includes('--survivors') || survivors.length <= 40) {
	console.log(`\n${survivors.length} mutant(s) not killed:`);
	for (const { path, m } of survivors.sort((a, b) => a.path.localeCompare(b.path) || a.m.location.start.line - b.m.location.start.line)) {
		const at = `${path}:${m.location.start.line}:${m.location.start.column}`;
		console.log(`  ${m.status.padEnd(10)} ${at}  ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '').slice(0, 100)}`);
	}
} else {
	console.log(`\n${survivors.length} mutants not killed: list them with \`node scripts/mutation-score.js --survivors\`; see reports/mutation/index.html`);
}
process.exit(failed ? 1 : 0);
