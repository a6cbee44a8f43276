/**
 * The sandbox's clock for everything it does later (status changes, callbacks and their retries, approvals): one
 * Node timer, however many changes are waiting, and every change run in time order, ties in the order they were
 * scheduled. With one Node timer per change, a busy event loop (a batch of 1,000 recipients being stored) could fire
 * a later timer before an earlier one of another duration, and a message went Delivered → Dispatched.
 */

interface Entry {
	dueAt: number;
	seq: number;
	fn: () => void;
}

/** The longest a timer can wait in Node (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long one turn may run due changes before it lets the server answer requests (then it goes on). */
const SLICE_MS = 20;

const before = (a: Entry, b: Entry) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);

export class Scheduler {
	/** A binary min-heap by (dueAt, seq). */
	private readonly heap: Entry[] = [];
	private seq = 0;
	private timer: NodeJS.Timeout | undefined;
	private timerAt = Infinity;
	private immediate: NodeJS.Immediate | undefined;

	constructor(
		/** A change that threw: reported, and the others go on. */
		private readonly onError: (error: unknown) => void,
		private readonly now: () => number = () => performance.now(),
	) {}

	/** Changes waiting. */
	get size(): number {
		return this.heap.length;
	}

	/** Run `fn` in `delayMs` milliseconds (0 or more), after everything due before it or at the same time. */
	after(delayMs: number, fn: () => void): void {
		const entry: Entry = { dueAt: this.now() + Math.max(0, delayMs), seq: this.seq++, fn };
		this.push(entry);
		if (!this.immediate && entry.dueAt < this.timerAt) this.arm();
	}

	/** Forget every change waiting. */
	clear(): void {
		this.heap.length = 0;
		if (this.timer) clearTimeout(this.timer);
		if (this.immediate) clearImmediate(this.immediate);
		this.timer = undefined;
		this.immediate = undefined;
		this.timerAt = Infinity;
	}

	private arm(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.timerAt = Infinity;
		const next = this.heap[0];
		if (!next) return;
		this.timerAt = next.dueAt;
		this.timer = setTimeout(() => this.run(), Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(next.dueAt - this.now()))));
	}

	private run(): void {
		this.timer = undefined;
		this.timerAt = Infinity;
		this.immediate = undefined;
		const started = this.now();
		for (;;) {
			const next = this.heap[0];
			if (!next || next.dueAt > this.now()) break;
			this.pop();
			try {
				next.fn();
			} catch (error) {
				this.onError(error);
			}
			if (this.now() - started > SLICE_MS) {
				// Let requests in; what is due still runs first, in order, on the next turn.
				this.immediate = setImmediate(() => this.run());
				return;
			}
		}
		this.arm();
	}

	private push(entry: Entry): void {
		const heap = this.heap;
		let i = heap.push(entry) - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!before(entry, heap[parent])) break;
			heap[i] = heap[parent];
			i = parent;
		}
		heap[i] = entry;
	}

	private pop(): Entry | undefined {
		const heap = this.heap;
		const top = heap[0];
		const last = heap.pop();
		if (heap.length === 0 || last === undefined) return top;
		let i = 0;
		for (;;) {
			const left = 2 * i + 1;
			if (left >= heap.length) break;
			const right = left + 1;
			const child = right < heap.length && before(heap[right], heap[left]) ? right : left;
			if (!before(heap[child], last)) break;
			heap[i] = heap[child];
			i = child;
		}
		heap[i] = last;
		return top;
	}
}
