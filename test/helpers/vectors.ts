import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Known answers computed with the providers' own libraries, kept in the repository (test/fixtures; how each was
 * computed: test/fixtures/README.md). A missing file, bad JSON or an empty set throws: a test over an empty list of
 * vectors must fail, not pass.
 */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

export function loadVectors<T = any>(name: string): T {
	const file = join(FIXTURES_DIR, name);
	if (!existsSync(file)) throw new Error(`Test vectors missing: ${file} (see test/fixtures/README.md)`);
	let data: unknown;
	try {
		data = JSON.parse(readFileSync(file, 'utf-8'));
	} catch (error) {
		throw new Error(`Test vectors in ${file} are not JSON: ${(error as Error).message}`);
	}
	if (Array.isArray(data)) {
		if (data.length === 0) throw new Error(`Test vectors in ${file} are an empty list`);
	} else if (data && typeof data === 'object') {
		const sets = Object.entries(data);
		if (sets.length === 0) throw new Error(`Test vectors in ${file} hold no set`);
		for (const [set, vectors] of sets) {
			if (!Array.isArray(vectors) || vectors.length === 0) throw new Error(`Test vector set "${set}" in ${file} is empty or not a list`);
		}
	} else {
		throw new Error(`Test vectors in ${file} are neither a list nor sets of lists`);
	}
	return data as T;
}
