/** AWS SNS: Publish to a phone number. SNS reports no delivery status through its API, and cannot schedule. */
import type { IDataObject } from 'n8n-workflow';
import { classifyProviderError, ProviderError } from '../../rules/errors';
import { parseRetryAfter } from '../../rules/retry';
import type { SmsCapability } from '../types';
import { asText, formEncode, headerValue, xmlTag } from '../wire';
import { readAwsError, SNS, SNS_CODES, snsEndpoint } from './index';

export const snsSms: SmsCapability = {
	options: { media: false, statusCallback: false, statusToTrigger: false, clientReference: false, maxPrice: true, validityPeriod: false },
	acceptedHint: 'AWS SNS reports delivery only to CloudWatch Logs: "accepted" is the last status it gives here.',

	senderProperties: (show) => [
		{
			displayName: 'AWS SNS SMS Type',
			name: 'snsSmsType',
			type: 'options',
			options: [
				{ name: 'Transactional', value: 'Transactional', description: 'Codes, alerts, reminders: highest reliability' },
				{ name: 'Promotional', value: 'Promotional', description: 'Marketing: lowest cost' },
			],
			default: 'Transactional',
			displayOptions: { show },
		},
		{
			displayName: 'AWS SNS Sender ID',
			name: 'snsSenderId',
			type: 'string',
			default: '',
			description: '3 to 11 letters or digits, where the destination country supports sender IDs',
			displayOptions: { show },
		},
		{
			displayName: 'AWS SNS Origination Number',
			name: 'snsOriginationNumber',
			type: 'string',
			default: '',
			placeholder: '+18005550199',
			description: 'A number of the account to send from (toll-free, 10DLC or short code), where required',
			displayOptions: { show },
		},
	],

	readSender(read) {
		return {
			from: read.text('snsOriginationNumber', 'AWS SNS Origination Number').trim() || undefined,
			senderId: read.text('snsSenderId', 'AWS SNS Sender ID').trim() || undefined,
			smsType: read.option('snsSmsType', 'Transactional') === 'Promotional' ? 'Promotional' : 'Transactional',
		};
	},

	check(request) {
		if (request.body.length > 1600) return `The message has ${request.body.length} characters; AWS SNS accepts at most 1600`;
		if (request.mediaUrls?.length) return 'AWS SNS does not send media (MMS): remove the media URLs or use Twilio';
		if (request.sendAt) return 'AWS SNS cannot schedule a message: remove Send At or use Twilio or Sinch';
		if (request.senderId && !/^(?=.*[A-Za-z])[A-Za-z0-9]{3,11}$/.test(request.senderId)) {
			return 'An AWS SNS Sender ID has 3 to 11 letters or digits, at least one a letter';
		}
		if (request.maxPrice !== undefined && !(Number.isFinite(request.maxPrice) && request.maxPrice >= 0)) {
			return 'The AWS SNS Max Price must be a number of US dollars, 0 or more';
		}
		return undefined;
	},

	async send(ctx, request) {
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
			url: `${snsEndpoint(ctx.credentials)}/`,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
			body: formEncode(fields),
		});
		const xml = asText(response.body);
		if (response.statusCode < 200 || response.statusCode >= 300) {
			const { code, message: providerMessage } = readAwsError(xml);
			throw classifyProviderError(SNS, SNS_CODES, {
				httpStatus: response.statusCode,
				code,
				providerMessage,
				retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
				// SNS reports a bad number as an invalid parameter naming it.
				kind: code === 'InvalidParameter' && /phone ?number/i.test(providerMessage ?? '') ? 'recipient' : undefined,
			});
		}
		const messageId = xmlTag(xml, 'MessageId');
		if (!messageId) {
			throw new ProviderError({
				provider: SNS,
				kind: 'ambiguous',
				message: 'AWS SNS answered without a MessageId, so the message may or may not have been sent; it was not sent again, to avoid a duplicate',
			});
		}
		return {
			messageId,
			status: 'accepted',
			providerStatus: 'accepted',
			to: request.to,
			from: request.from ?? request.senderId ?? null,
			sentAt: ctx.now().toISOString(),
			raw: { MessageId: messageId, RequestId: xmlTag(xml, 'RequestId') ?? null } as IDataObject,
		};
	},
};
