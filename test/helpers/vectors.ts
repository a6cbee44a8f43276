import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shared vectors, computed with the providers' own libraries, live beside the repository. */
const dir = process.env.GATEWAY_VECTORS_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'vectors');

export function loadVectors<T = any>(name: string): T {
	return JSON.parse(readFileSync(join(dir, name), 'utf-8')) as T;
}
