/** From provider events to the trigger's items: keywords, filters, duplicates; and the delivery memory under them. */
import { toTriggerItems, type InboundOptions } from '../../nodes/shared/inbound';
import type { ProviderWebhookEvent } from '../../nodes/shared/providers/webhookTypes';
import { DEFAULT_DELIVERY_MEMORY, deliveryFingerprint, readDeliveryMemory, recordDelivery } from '../../nodes/shared/rules/dedupe';

const at = new Date('2026-11-29T10:00:00.000Z');

function event(over: Partial<ProviderWebhookEvent> = {}): ProviderWebhookEvent {
	return {
		kind: 'inbound',
		messageId: 'SM1',
		from: '+33612345678',
		to: '+15017122661',
		body: 'Hello',
		media: [],
		status: 'received',
		providerStatus: 'received',
		errorCode: null,
		errorMessage: null,
		channel: 'sms',
		deliveryKey: 'k1',
		raw: { a: 1 },
		...over,
	};
}
const status = (s: ProviderWebhookEvent['status'], key: string) => event({ kind: 'status', status: s, providerStatus: s, body: null, deliveryKey: key, messageId: key });
const all: InboundOptions = { events: ['inbound', 'status', 'keyword'], statuses: [], keywords: {}, dropDuplicates: false };

describe('recordDelivery', () => {
	it('remembers fingerprints, says when one comes again, and forgets the oldest past the capacity', () => {
		let memory: string[] = [];
		const seen: boolean[] = [];
		for (const key of ['a', 'b', 'a', 'c', 'd', 'a', 'd']) {
			const result = recordDelivery(memory, key, 3);
			seen.push(result.duplicate);
			memory = result.memory;
		}
		expect(seen).toEqual([false, false, true, false, false, false, true]);
		expect(memory).toEqual(['c', 'd', 'a']);
		expect(recordDelivery(['x', 'y'], 'z', 2).memory).toEqual(['y', 'z']);
		expect(recordDelivery(['x', 'y'], 'y', 2)).toEqual({ duplicate: true, memory: ['x', 'y'] });
		expect(DEFAULT_DELIVERY_MEMORY).toBe(500);
		const big = Array.from({ length: 500 }, (_, i) => `f${i}`);
		expect(recordDelivery(big, 'new').memory).toEqual([...big.slice(1), 'new']);
	});

	it('starts afresh from stored data that is not a list of strings', () => {
		expect(readDeliveryMemory('x')).toEqual([]);
		expect(readDeliveryMemory({ 0: 'a' })).toEqual([]);
		expect(readDeliveryMemory(['a', 1, null, 'b'])).toEqual(['a', 'b']);
		expect(recordDelivery(undefined, 'a')).toEqual({ duplicate: false, memory: ['a'] });
	});

	it('fingerprints by provider and key, short and fixed', () => {
		const f = deliveryFingerprint('twilio', 'idem-1');
		expect(f).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(deliveryFingerprint('twilio', 'idem-1')).toBe(f);
		expect(deliveryFingerprint('sinch', 'idem-1')).not.toBe(f);
		expect(deliveryFingerprint('twilio', 'idem-2')).not.toBe(f);
		expect(deliveryFingerprint('twilio\nidem', '1')).not.toBe(deliveryFingerprint('twilio', 'idem\n1'));
		expect(deliveryFingerprint('twilio', 'x'.repeat(10_000))).toHaveLength(22);
	});
});

describe('toTriggerItems', () => {
	it('gives one item per event in the one shape', () => {
		const { items, memory, skipped } = toTriggerItems('twilio', [event()], all, [], at);
		expect(items).toEqual([
			{
				event: 'inbound',
				provider: 'twilio',
				messageId: 'SM1',
				from: '+33612345678',
				to: '+15017122661',
				body: 'Hello',
				media: [],
				status: 'received',
				providerStatus: 'received',
				errorCode: null,
				errorMessage: null,
				channel: 'sms',
				keyword: null,
				receivedAt: '2026-11-29T10:00:00.000Z',
				duplicate: false,
				raw: { a: 1 },
			},
		]);
		expect(memory).toEqual([deliveryFingerprint('twilio', 'k1')]);
		expect(skipped).toEqual([]);
	});

	it('makes a keyword message a keyword event when keywords are listened to, else an inbound one that still says so', () => {
		const stop = event({ body: ' Stop. ' });
		expect(toTriggerItems('twilio', [stop], all, [], at).items[0]).toMatchObject({ event: 'optOut', keyword: { type: 'optOut', word: 'STOP' } });
		expect(toTriggerItems('twilio', [event({ body: 'start' })], all, [], at).items[0].event).toBe('optIn');
		expect(toTriggerItems('twilio', [event({ body: 'Aide' })], all, [], at).items[0].event).toBe('help');
		const inboundOnly = toTriggerItems('twilio', [stop], { ...all, events: ['inbound'] }, [], at);
		expect(inboundOnly.items[0]).toMatchObject({ event: 'inbound', keyword: { type: 'optOut' } });
		const keywordsOnly = toTriggerItems('twilio', [stop, event({ body: 'hi', deliveryKey: 'k2' })], { ...all, events: ['keyword'] }, [], at);
		expect(keywordsOnly.items.map((i) => i.event)).toEqual(['optOut']);
		expect(keywordsOnly.skipped).toEqual([{ messageId: 'SM1', reason: 'the message is not a keyword' }]);
		const noKeywords = toTriggerItems('twilio', [stop], { ...all, events: ['status'] }, [], at);
		expect(noKeywords.skipped).toEqual([{ messageId: 'SM1', reason: 'inbound messages are not listened to' }]);
		expect(toTriggerItems('twilio', [event({ body: 'baja' })], { ...all, keywords: { languages: ['en'] } }, [], at).items[0]).toMatchObject({ event: 'inbound', keyword: null });
		expect(toTriggerItems('twilio', [event({ body: null })], all, [], at).items[0]).toMatchObject({ event: 'inbound', keyword: null });
	});

	it('never reads a keyword into a delivery status', () => {
		const item = toTriggerItems('twilio', [status('delivered', 's1')], all, [], at).items[0];
		expect(item).toMatchObject({ event: 'status', keyword: null, status: 'delivered' });
		expect(toTriggerItems('twilio', [{ ...status('sent', 's2'), body: 'STOP' }], all, [], at).items[0]).toMatchObject({ event: 'status', keyword: null });
	});

	it('keeps only the chosen statuses, and statuses only when listened to', () => {
		const events = [status('sent', 's1'), status('delivered', 's2'), status('failed', 's3'), status(null, 's4')];
		const chosen = toTriggerItems('sinch', events, { ...all, statuses: ['delivered', 'failed'] }, [], at);
		expect(chosen.items.map((i) => i.status)).toEqual(['delivered', 'failed']);
		expect(chosen.skipped).toEqual([
			{ messageId: 's1', reason: 'status sent is filtered out' },
			{ messageId: 's4', reason: 'status unknown is filtered out' },
		]);
		expect(toTriggerItems('sinch', events, all, [], at).items).toHaveLength(4);
		const off = toTriggerItems('sinch', events, { ...all, events: ['inbound', 'keyword'] }, [], at);
		expect(off.items).toEqual([]);
		expect(off.skipped[0]).toEqual({ messageId: 's1', reason: 'delivery statuses are not listened to' });
	});

	it('marks a redelivery as a duplicate, or drops it when asked, remembering across requests', () => {
		const first = toTriggerItems('twilio', [event()], all, [], at);
		const again = toTriggerItems('twilio', [event()], all, first.memory, at);
		expect(again.items[0].duplicate).toBe(true);
		expect(again.memory).toEqual(first.memory);
		const dropped = toTriggerItems('twilio', [event()], { ...all, dropDuplicates: true }, first.memory, at);
		expect(dropped.items).toEqual([]);
		expect(dropped.skipped).toEqual([{ messageId: 'SM1', reason: 'a redelivery of an event already received' }]);
		const within = toTriggerItems('sinch', [status('delivered', 'same'), status('delivered', 'same')], all, [], at);
		expect(within.items.map((i) => i.duplicate)).toEqual([false, true]);
		expect(toTriggerItems('sinch', [event()], all, first.memory, at).items[0].duplicate).toBe(false);
		const filtered = toTriggerItems('sinch', [status('sent', 'x')], { ...all, statuses: ['delivered'] }, [], at);
		expect(filtered.memory).toHaveLength(1);
		expect(toTriggerItems('sinch', [], all, ['a', 3], at).memory).toEqual(['a']);
	});
});
