import { PROVIDERS } from '../../nodes/shared/providers/registry';
import type { SendSmsRequest } from '../../nodes/shared/providers/types';

const now = new Date('2026-11-21T10:00:00Z');
const inMinutes = (m: number) => new Date(now.getTime() + m * 60_000);
const base: SendSmsRequest = { to: '+33612345678', body: 'Hi', from: '+15005550006' };

describe('each provider refuses what it cannot do, before anything is sent', () => {
	it.each([
		['twilio', {}, undefined],
		['twilio', { from: undefined }, 'Twilio needs a From number or a Messaging Service SID'],
		['twilio', { body: 'x'.repeat(1601) }, 'Twilio accepts at most 1600 (error 21617)'],
		['twilio', { mediaUrls: Array(11).fill('https://e.com/a.png') }, 'at most 10 media URLs'],
		['twilio', { validityPeriod: 36001 }, 'from 1 to 36000; 36001 is not one'],
		['twilio', { sendAt: inMinutes(60) }, 'only through a Messaging Service: set Twilio Sender → Messaging Service'],
		['twilio', { validityPeriod: 90.5 }, 'whole seconds'],
		['twilio', { validityPeriod: 0 }, 'whole seconds'],
		['sinch', { validityPeriod: 90.5 }, 'whole seconds'],
		['sns', { maxPrice: -1 }, 'Max Price'],
		['twilio', { messagingServiceSid: 'MG1', sendAt: inMinutes(4) }, 'between 5 minutes and 35 days'],
		['twilio', { messagingServiceSid: 'MG1', sendAt: inMinutes(36 * 24 * 60) }, 'between 5 minutes and 35 days'],
		['twilio', { messagingServiceSid: 'MG1', sendAt: inMinutes(60) }, undefined],
		['sinch', {}, undefined],
		['sinch', { from: undefined }, 'Sinch needs a From'],
		['sinch', { mediaUrls: ['https://e.com/a.png'] }, 'Sinch SMS does not send media'],
		['sinch', { clientReference: 'x'.repeat(129) }, 'at most 128 characters'],
		['sinch', { sendAt: inMinutes(-1) }, 'only in the future'],
		['sinch', { validityPeriod: 3 * 24 * 3600 + 1 }, 'at most 3 days'],
		['sns', {}, undefined],
		['sns', { sendAt: inMinutes(60) }, 'AWS SNS cannot schedule'],
		['sns', { mediaUrls: ['https://e.com/a.png'] }, 'AWS SNS does not send media'],
		['sns', { senderId: 'AB' }, '3 to 11 letters or digits'],
		['sns', { senderId: '123456' }, 'at least one a letter'],
		['sns', { senderId: 'ACME' }, undefined],
	] as const)('%s %j → %s', (provider, override, problem) => {
		const result = PROVIDERS[provider].sms.check({ ...base, ...override } as SendSmsRequest, now);
		if (problem === undefined) expect(result).toBeUndefined();
		else expect(result).toContain(problem);
	});

	it('declares what each provider can do', () => {
		expect(PROVIDERS.sns.sms.options).toEqual({ media: false, statusCallback: false, statusToTrigger: false, clientReference: false, maxPrice: true, validityPeriod: false });
		expect(PROVIDERS.sns.sms.status).toBeUndefined();
		expect(PROVIDERS.sns.sms.cancel).toBeUndefined();
		expect(PROVIDERS.twilio.sms.options).toEqual({
			media: true,
			statusCallback: true,
			statusToTrigger: true,
			clientReference: false,
			maxPrice: false,
			validityPeriod: true,
			schedule: { needsSender: { parameter: 'twilioSenderType', value: 'messagingService', label: 'Twilio Sender → Messaging Service' } },
		});
		expect(PROVIDERS.sinch.sms.options).toEqual({ media: false, statusCallback: true, statusToTrigger: true, clientReference: true, maxPrice: false, validityPeriod: true, schedule: {} });
		expect(PROVIDERS.twilio.sms.status?.perRecipient).toBe(false);
		expect(PROVIDERS.sinch.sms.status?.perRecipient).toBe(true);
		// Only Twilio looks up where a sender's trigger is; Sinch's service plan callback needs no look-up.
		expect([PROVIDERS.twilio.sms.triggerStatusUrl !== undefined, PROVIDERS.sinch.sms.triggerStatusUrl, PROVIDERS.sns.sms.triggerStatusUrl]).toEqual([true, undefined, undefined]);
	});
});
