/**
 * What one execution looks up once for all its items (a sender's trigger URL, a template and its approval): kept with
 * the execution's context, gone with it. A failed look-up is forgotten, so a retry or the next item asks again.
 */
const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

export async function oncePerExecution<T>(fns: object, key: readonly unknown[], lookUp: () => Promise<T>): Promise<T> {
	let known = memos.get(fns);
	if (!known) memos.set(fns, (known = new Map()));
	const id = JSON.stringify(key);
	let found = known.get(id) as Promise<T> | undefined;
	if (!found) {
		const asked = lookUp();
		known.set(id, asked);
		// Only this look-up is forgotten, never a newer one made after it failed.
		asked.catch(() => {
			if (known.get(id) === asked) known.delete(id);
		});
		found = asked;
	}
	return await found;
}

const values = new WeakMap<object, Map<string, unknown>>();

/**
 * What one execution works out once and keeps as it is (the node as written, a parameter with no expression): kept
 * with the execution's context, gone with it. `make` runs again only if it threw.
 */
export function perExecution<T>(fns: object, key: string, make: () => T): T {
	let known = values.get(fns);
	if (!known) values.set(fns, (known = new Map()));
	if (known.has(key)) return known.get(key) as T;
	const value = make();
	known.set(key, value);
	return value;
}
