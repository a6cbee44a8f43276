import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { advanceStatus, mapStatus as mapWith, MESSAGE_STATUSES, isFinal } from '../../nodes/shared/rules/status';

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

	it('maps only to statuses of the model', () => {
		for (const table of Object.values(PROVIDERS).map((p) => p.statuses)) {
			for (const status of Object.values(table)) expect(MESSAGE_STATUSES).toContain(status);
		}
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

	it('knows final statuses', () => {
		expect(isFinal('delivered')).toBe(true);
		expect(isFinal('sent')).toBe(false);
	});
});
