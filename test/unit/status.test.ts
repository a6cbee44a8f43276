import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { advanceStatus, FINAL_STATUSES, mapStatus as mapWith, MESSAGE_STATUSES, isFinal, type MessageStatus } from '../../nodes/shared/rules/status';

const mapStatus = (provider: keyof typeof PROVIDERS, status: string | undefined) => mapWith(PROVIDERS[provider].statuses, status);

describe('status mapping', () => {
	it.each([
		['twilio', 'queued', 'queued'],
		['twilio', 'accepted', 'accepted'],
		['twilio', 'scheduled', 'scheduled'],
		['twilio', 'sending', 'sending'],
		['twilio', 'sent', 'sent'],
		['twilio', 'delivered', 'delivered'],
		['twilio', 'undelivered', 'undelivered'],
		['twilio', 'failed', 'failed'],
		['twilio', 'receiving', 'received'],
		['twilio', 'received', 'received'],
		['twilio', 'read', 'read'],
		['twilio', 'partially_delivered', 'undelivered'],
		['twilio', 'canceled', 'canceled'],
		['sinch', 'Queued', 'queued'],
		['sinch', 'Dispatched', 'sent'],
		['sinch', 'Delivered', 'delivered'],
		['sinch', 'Failed', 'failed'],
		['sinch', 'Expired', 'undelivered'],
		['sinch', 'Rejected', 'failed'],
		['sinch', 'Aborted', 'failed'],
		['sinch', 'Cancelled', 'canceled'],
		['sinch', 'Deleted', 'undelivered'],
		['sinch', 'Unknown', 'unknown'],
		['sns', 'accepted', 'accepted'],
		['twilio', 'something-new', 'unknown'],
		['twilio', undefined, 'unknown'],
	] as const)('%s %s → %s', (provider, status, expected) => {
		expect(mapStatus(provider, status)).toBe(expected);
	});

	it('maps case-insensitively, and anything else to unknown', () => {
		expect(mapWith({ delivered: 'delivered' }, 'DELIVERED')).toBe('delivered');
		expect(mapWith({ delivered: 'delivered' }, '')).toBe('unknown');
		expect(mapWith({ delivered: 'delivered' }, null)).toBe('unknown');
		expect(mapWith({}, 'toString')).toBe('unknown');
		expect(mapWith({}, 'constructor')).toBe('unknown');
		expect(mapWith({}, '__proto__')).toBe('unknown');
	});

	it('maps only to statuses of the model', () => {
		let checked = 0;
		for (const table of Object.values(PROVIDERS).map((p) => p.statuses)) {
			for (const status of Object.values(table)) {
				expect(MESSAGE_STATUSES).toContain(status);
				checked++;
			}
		}
		expect(checked).toBe(Object.values(PROVIDERS).reduce((n, p) => n + Object.keys(p.statuses).length, 0));
		expect(checked).toBeGreaterThanOrEqual(25);
	});
});

describe('statuses only move forward', () => {
	it.each([
		['queued', 'sent', 'sent'],
		['delivered', 'sent', 'delivered'],
		['delivered', 'sending', 'delivered'],
		['sent', 'delivered', 'delivered'],
		['delivered', 'read', 'read'],
		['read', 'delivered', 'read'],
		['failed', 'delivered', 'failed'],
		['accepted', 'queued', 'queued'],
		['unknown', 'queued', 'queued'],
		[undefined, 'sent', 'sent'],
	] as const)('%s then %s → %s', (current, next, expected) => {
		expect(advanceStatus(current, next)).toBe(expected);
	});

	it('knows final statuses, exactly', () => {
		const final = MESSAGE_STATUSES.filter((s) => isFinal(s));
		expect(final).toEqual(['delivered', 'undelivered', 'failed', 'read', 'received', 'canceled']);
		expect([...FINAL_STATUSES].sort()).toEqual([...final].sort());
	});

	it('orders every pair of statuses by how far along a message is', () => {
		// Same rank: the first one stays. A higher rank replaces a lower one.
		const ranks: MessageStatus[][] = [['unknown'], ['accepted', 'scheduled'], ['queued'], ['sending'], ['sent', 'received'], ['delivered', 'undelivered', 'failed', 'canceled'], ['read']];
		const rankOf = (s: MessageStatus) => ranks.findIndex((r) => r.includes(s));
		expect(ranks.flat().sort()).toEqual([...MESSAGE_STATUSES].sort());
		let checked = 0;
		for (const current of MESSAGE_STATUSES) {
			for (const next of MESSAGE_STATUSES) {
				expect([current, next, advanceStatus(current, next)]).toEqual([current, next, rankOf(next) > rankOf(current) ? next : current]);
				checked++;
			}
		}
		expect(checked).toBe(144);
	});
});
