import { timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison (lengths may differ without leaking where). */
export function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a, 'utf-8');
	const right = Buffer.from(b, 'utf-8');
	if (left.length !== right.length) {
		timingSafeEqual(left, left);
		return false;
	}
	return timingSafeEqual(left, right);
}
