import { MAGIC_NUMBERS } from '../../sandbox/config';
import {
	ConversationWindows,
	scenarioOf,
	SenderQueue,
	sinchStatusSteps,
	snsStatusSteps,
	STEP_MS,
	TokenBucket,
	twilioStatusSteps,
	twilioWhatsAppSteps,
	WHATSAPP_READ_MS,
	WHATSAPP_WINDOW_MS,
	type Scenario,
} from '../../sandbox/rules';
import { countSegments } from '../../nodes/shared/rules/segments';
import { twilioSenderRate } from '../../nodes/shared/providers/twilio/index';

describe('scenarioOf', () => {
	const cases: Array<[string, Scenario]> = [
		['+12125550101', 'invalid'],
		['+15005550001', 'invalid'],
		['+12125550102', 'optedOut'],
		['+15005550004', 'optedOut'],
		['+12125550103', 'landline'],
		['+15005550009', 'landline'],
		['+12125550104', 'unreachable'],
		['+15005550002', 'unreachable'],
		['+12125550105', 'filtered'],
		['+12125550100', 'ok'],
		['+447700900123', 'ok'],
		['12125550101', 'ok'],
	];
	it.each(cases)('%s → %s', (number, scenario) => {
		expect(scenarioOf(number, new Set())).toBe(scenario);
	});

	it('covers every magic number', () => {
		const listed = Object.values(MAGIC_NUMBERS).flat();
		expect(listed).toHaveLength(9);
		expect(cases.filter(([, s]) => s !== 'ok')).toHaveLength(listed.length);
	});

	it('a number on the opt-out list is opted out, whatever else it is', () => {
		expect(scenarioOf('+12125550100', new Set(['+12125550100']))).toBe('optedOut');
		expect(scenarioOf('+12125550104', new Set(['+12125550104']))).toBe('optedOut');
		expect(scenarioOf('+12125550100', new Set(['+12125550199']))).toBe('ok');
	});
});

describe('TokenBucket', () => {
	it('starts full, refuses past the rate, and refills in proportion to the time passed', () => {
		const bucket = new TokenBucket(5, 1000, 0);
		expect([1, 2, 3, 4, 5].map(() => bucket.take(1, 0))).toEqual([true, true, true, true, true]);
		expect(bucket.take(1, 0)).toBe(false);
		expect(bucket.take(1, 199)).toBe(false); // 0.995 of a token
		expect(bucket.take(1, 200)).toBe(true); // one token a 200 ms
		expect(bucket.take(1, 200)).toBe(false);
		expect(bucket.take(2, 600)).toBe(true); // two more
		expect(bucket.take(1, 600)).toBe(false);
	});

	it('never saves up more than the rate, however long it waits', () => {
		const bucket = new TokenBucket(3, 1000, 0);
		expect(bucket.take(3, 0)).toBe(true);
		expect(bucket.take(4, 1_000_000)).toBe(false);
		expect(bucket.take(3, 1_000_000)).toBe(true);
		expect(bucket.take(1, 1_000_000)).toBe(false);
	});

	it('takes all or nothing: a refused request leaves its tokens for a smaller one', () => {
		const bucket = new TokenBucket(10, 1000, 0);
		expect(bucket.take(11, 0)).toBe(false);
		expect(bucket.take(10, 0)).toBe(true);
		expect(bucket.take(1, 0)).toBe(false);
	});

	it('takes one token by default and reads the clock when none is given', () => {
		const bucket = new TokenBucket(1, 60_000);
		expect(bucket.take()).toBe(true);
		expect(bucket.take()).toBe(false);
	});

	it('in any one-second window, lets through no more than the rate plus what it started with', () => {
		const bucket = new TokenBucket(20, 1000, 0);
		const accepted: number[] = [];
		for (let t = 0; t < 5000; t += 7) if (bucket.take(1, t)) accepted.push(t);
		for (const start of accepted) {
			const inWindow = accepted.filter((t) => t >= start && t < start + 1000).length;
			expect(inWindow).toBeLessThanOrEqual(start < 1000 ? 40 : 21);
		}
		// 20 at once, then 20 a second for the rest of the 5 s.
		expect(accepted.length).toBeGreaterThanOrEqual(118);
		expect(accepted.length).toBeLessThanOrEqual(121);
	});
});

describe("SenderQueue (Twilio's per-sender queue)", () => {
	it('counts segments, not messages: a 3-segment message holds a 1-segment-a-second long code for 3 s', () => {
		const queue = new SenderQueue(10_000);
		const long = countSegments('a'.repeat(153 * 3)).segments;
		expect(long).toBe(3);
		expect(queue.enqueue('+12125550000', long, 1, 0)).toBe(0);
		expect(queue.enqueue('+12125550000', 1, 1, 0)).toBe(3000);
		expect(queue.enqueue('+12125550000', 1, 1, 0)).toBe(4000);
	});

	it('uses each sender type at its own rate (long code 1, toll-free 3, short code 100 segments a second)', () => {
		const rates = ['+12125550000', '+18005550000', '12345'].map(twilioSenderRate);
		expect(rates).toEqual([1, 3, 100]);
		const queue = new SenderQueue(1e9);
		const starts = (sender: string, rate: number) => Array.from({ length: 4 }, () => queue.enqueue(sender, 2, rate, 0));
		expect(starts('long', 1)).toEqual([0, 2000, 4000, 6000]);
		expect(starts('tollfree', 3)).toEqual([0, 2000 / 3, 4000 / 3, 2000]);
		expect(starts('short', 100)).toEqual([0, 20, 40, 60]);
	});

	it('senders do not share a queue; a sender free again starts at once', () => {
		const queue = new SenderQueue(1e9);
		expect(queue.enqueue('a', 5, 1, 1000)).toBe(1000);
		expect(queue.enqueue('b', 1, 1, 1000)).toBe(1000);
		expect(queue.enqueue('a', 1, 1, 10_000)).toBe(10_000);
	});

	it('refuses once the backlog is longer than allowed (21611), and keeps nothing for the refused message', () => {
		const queue = new SenderQueue(2000);
		expect(queue.enqueue('s', 2, 1, 0)).toBe(0); // busy until 2000
		expect(queue.enqueue('s', 1, 1, 0)).toBe(2000); // a backlog of exactly 2000: allowed
		expect(queue.enqueue('s', 1, 1, 0)).toBeNull(); // 3000
		expect(queue.enqueue('s', 1, 1, 1000)).toBe(3000); // 2000 again
		queue.clear();
		expect(queue.enqueue('s', 1, 1, 1000)).toBe(1000);
	});

	it("runs on the sandbox's clock: a second lasts msPerSecond", () => {
		const queue = new SenderQueue(1e9, 20);
		expect(queue.enqueue('s', 3, 1, 0)).toBe(0);
		expect(queue.enqueue('s', 1, 1, 0)).toBe(60);
	});
});

describe('status steps', () => {
	it('Twilio: queued → sending → sent → the final status, each after the message starts sending', () => {
		expect(STEP_MS).toEqual({ queued: 50, sending: 100, dispatched: 150, sent: 250, final: 600 });
		expect(twilioStatusSteps('ok', false, 1000)).toEqual([
			{ afterMs: 1100, status: 'sending' },
			{ afterMs: 1250, status: 'sent' },
			{ afterMs: 1600, status: 'delivered' },
		]);
		expect(twilioStatusSteps('ok', true, 0)).toEqual([
			{ afterMs: 50, status: 'queued' },
			{ afterMs: 100, status: 'sending' },
			{ afterMs: 250, status: 'sent' },
			{ afterMs: 600, status: 'delivered' },
		]);
		expect(twilioStatusSteps('unreachable', false, 0).at(-1)).toEqual({ afterMs: 600, status: 'undelivered', errorCode: 30003 });
		expect(twilioStatusSteps('filtered', false, 0).at(-1)).toEqual({ afterMs: 600, status: 'failed', errorCode: 30007 });
	});

	it('Twilio WhatsApp: sent → delivered → read (no sending step), 63016 soon after it starts, magic numbers as SMS', () => {
		expect(WHATSAPP_READ_MS).toBe(300);
		expect(twilioWhatsAppSteps('ok', false, 1000)).toEqual([
			{ afterMs: 1250, status: 'sent' },
			{ afterMs: 1600, status: 'delivered' },
			{ afterMs: 1900, status: 'read' },
		]);
		expect(twilioWhatsAppSteps('ok', true, 0)[0]).toEqual({ afterMs: 50, status: 'queued' });
		expect(twilioWhatsAppSteps('ok', false, 1000, 63016)).toEqual([{ afterMs: 1100, status: 'failed', errorCode: 63016 }]);
		expect(twilioWhatsAppSteps('ok', true, 0, 63016)).toEqual([
			{ afterMs: 50, status: 'queued' },
			{ afterMs: 100, status: 'failed', errorCode: 63016 },
		]);
		expect(twilioWhatsAppSteps('unreachable', false, 0).at(-1)).toEqual({ afterMs: 600, status: 'undelivered', errorCode: 30003 });
		expect(twilioWhatsAppSteps('filtered', false, 0).at(-1)).toEqual({ afterMs: 600, status: 'failed', errorCode: 30007 });
	});

	it('Sinch: Dispatched, then Delivered or the failure with its code', () => {
		expect(sinchStatusSteps('ok', 500)).toEqual([
			{ afterMs: 650, status: 'Dispatched' },
			{ afterMs: 1100, status: 'Delivered' },
		]);
		const last = (s: Scenario) => sinchStatusSteps(s, 0).at(-1);
		expect(last('unreachable')).toEqual({ afterMs: 600, status: 'Expired', errorCode: 406 });
		expect(last('filtered')).toEqual({ afterMs: 600, status: 'Rejected', errorCode: 408 });
		expect(last('optedOut')).toEqual({ afterMs: 600, status: 'Rejected', errorCode: 413 });
		expect(last('landline')).toEqual({ afterMs: 600, status: 'Failed', errorCode: 402 });
	});

	it('AWS SNS: SUCCESS, or FAILURE with the reason', () => {
		expect(snsStatusSteps('ok')).toEqual([{ afterMs: 600, status: 'SUCCESS', errorCode: null }]);
		expect(snsStatusSteps('unreachable')).toEqual([{ afterMs: 600, status: 'FAILURE', errorCode: 'unreachable' }]);
	});
});

describe("ConversationWindows (WhatsApp's 24-hour window)", () => {
	it('opens for 24 hours from the contact’s last message, per sender and contact, again with each message', () => {
		expect(WHATSAPP_WINDOW_MS).toBe(86_400_000);
		const windows = new ConversationWindows();
		expect(windows.isOpen('+14155238886', '+33612345678', 0)).toBe(false);
		windows.open('+14155238886', '+33612345678', 1000);
		expect(windows.isOpen('+14155238886', '+33612345678', 1000 + WHATSAPP_WINDOW_MS - 1)).toBe(true);
		expect(windows.isOpen('+14155238886', '+33612345678', 1000 + WHATSAPP_WINDOW_MS)).toBe(false);
		expect(windows.isOpen('+14155238886', '+33612345679', 1000)).toBe(false);
		expect(windows.isOpen('+12025550155', '+33612345678', 1000)).toBe(false);
		windows.open('+14155238886', '+33612345678', 50_000_000);
		expect(windows.isOpen('+14155238886', '+33612345678', 1000 + WHATSAPP_WINDOW_MS)).toBe(true);
		windows.clear();
		expect(windows.isOpen('+14155238886', '+33612345678', 50_000_000)).toBe(false);
	});

	it('runs on the sandbox’s clock: its length is given scaled', () => {
		const windows = new ConversationWindows(100);
		windows.open('s', 'c', 0);
		expect([windows.isOpen('s', 'c', 99), windows.isOpen('s', 'c', 100)]).toEqual([true, false]);
	});
});
