/** AWS SNS: Publish to a phone number. SNS reports no delivery status through its API. */
import type { IDataObject } from 'n8n-workflow';
import { classifyProviderError, ProviderError } from '../errors';
import { asText, baseUrlOr, formEncode, headerValue, xmlTag } from '../http';
import { parseRetryAfter } from '../retry';
import type { ProviderContext, SmsProvider } from './types';

export function snsEndpoint(ctx: ProviderContext): string {
	return baseUrlOr(ctx.credentials.baseUrl, `https://sns.${String(ctx.credentials.region ?? 'us-east-1')}.amazonaws.com`);
}

const unsupported = (what: string) =>
	new ProviderError({
		provider: 'sns',
		kind: 'unsupported',
		message: `AWS SNS cannot ${what}: it reports SMS delivery only to CloudWatch Logs. Use Twilio or Sinch for this`,
	});

export const snsProvider: SmsProvider = {
	name: 'sns',
	label: 'AWS SNS',
	credentialType: 'messagingAwsSnsApi',
	capabilities: { getMessage: false, cancelMessage: false, schedule: false, media: false, statusCallback: false },

	checkSendRequest(request) {
		if (request.body.length > 1600) return `The message has ${request.body.length} characters; AWS SNS accepts at most 1600`;
		if (request.mediaUrls?.length) return 'AWS SNS does not send media (MMS): remove the media URLs or use Twilio';
		if (request.sendAt) return 'AWS SNS cannot schedule a message: remove Send At or use Twilio or Sinch';
		if (request.senderId && !/^(?=.*[A-Za-z])[A-Za-z0-9]{3,11}$/.test(request.senderId)) {
			return 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter';
		}
		return undefined;
	},

	async sendSms(ctx, request) {
		const attributes: Array<[string, string, string]> = [];
		if (request.smsType) attributes.push(['AWS.SNS.SMS.SMSType', 'String', request.smsType]);
		if (request.senderId) attributes.push(['AWS.SNS.SMS.SenderID', 'String', request.senderId]);
		if (request.maxPrice !== undefined) attributes.push(['AWS.SNS.SMS.MaxPrice', 'Number', String(request.maxPrice)]);
		if (request.from) attributes.push(['AWS.MM.SMS.OriginationNumber', 'String', request.from]);
		const fields: Record<string, string> = {
			Action: 'Publish',
			Version: '2010-03-31',
			PhoneNumber: request.to,
			Message: request.body,
		};
		attributes.forEach(([name, type, value], i) => {
			const n = i + 1;
			fields[`MessageAttributes.entry.${n}.Name`] = name;
			fields[`MessageAttributes.entry.${n}.Value.DataType`] = type;
			fields[`MessageAttributes.entry.${n}.Value.StringValue`] = value;
		});
		const response = await ctx.http({
			method: 'POST',
			url: `${snsEndpoint(ctx)}/`,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
			body: formEncode(fields),
		});
		const xml = asText(response.body);
		if (response.statusCode < 200 || response.statusCode >= 300) {
			throw classifyProviderError({
				provider: 'sns',
				httpStatus: response.statusCode,
				code: xmlTag(xml, 'Code'),
				providerMessage: xmlTag(xml, 'Message') ?? (xml.slice(0, 300) || undefined),
				retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
			});
		}
		const messageId = xmlTag(xml, 'MessageId');
		if (!messageId) {
			throw new ProviderError({ provider: 'sns', kind: 'ambiguous', message: 'AWS SNS answered without a MessageId: the message may or may not have been sent', providerMessage: xml.slice(0, 300) });
		}
		return {
			messageId,
			status: 'accepted',
			providerStatus: 'accepted',
			to: request.to,
			from: request.from ?? request.senderId ?? null,
			raw: { MessageId: messageId, RequestId: xmlTag(xml, 'RequestId') ?? null } as IDataObject,
		};
	},

	async getMessage() {
		throw unsupported('look up the status of a message');
	},

	async cancelMessage() {
		throw unsupported('cancel a message');
	},
};
