/** The official @aws-sdk/client-sns, pointed at the sandbox, publishes and fails as against AWS. */
import { GetSMSAttributesCommand, PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { useSandbox } from '../helpers/sandbox';

const box = useSandbox();

function client(secretAccessKey?: string, accessKeyId?: string) {
	const { accessKeyId: id, secretAccessKey: secret, region } = box.get().accounts.sns;
	return new SNSClient({
		region,
		endpoint: box.get().url,
		credentials: { accessKeyId: accessKeyId ?? id, secretAccessKey: secretAccessKey ?? secret },
		maxAttempts: 1,
	});
}

async function failure(promise: Promise<unknown>): Promise<SNSServiceException> {
	try {
		await promise;
	} catch (error) {
		return error as SNSServiceException;
	}
	throw new Error('expected a failure');
}

describe('@aws-sdk/client-sns against the sandbox', () => {
	it('publishes an SMS with attributes', async () => {
		const out = await client().send(
			new PublishCommand({
				PhoneNumber: '+33612345678',
				Message: 'Bonjour',
				MessageAttributes: {
					'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
					'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'ACME' },
				},
			}),
		);
		expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
		const stored = box.get().messages.get(String(out.MessageId));
		expect(stored).toMatchObject({ to: '+33612345678', body: 'Bonjour', attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional', 'AWS.SNS.SMS.SenderID': 'ACME' } });
		const attrs = await client().send(new GetSMSAttributesCommand({}));
		expect(attrs.attributes?.DefaultSMSType).toBe('Transactional');
	});

	it('refuses a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidClientTokenId', async () => {
		const bad = await failure(client('wrong-secret').send(new PublishCommand({ PhoneNumber: '+33612345678', Message: 'x' })));
		expect(bad.name).toBe('SignatureDoesNotMatch');
		expect(bad.$metadata.httpStatusCode).toBe(403);
		const unknown = await failure(client(undefined, 'AKIAUNKNOWN000000000').send(new PublishCommand({ PhoneNumber: '+33612345678', Message: 'x' })));
		expect(unknown.name).toBe('InvalidClientTokenId');
	});

	it.each([
		['+12125550101', 'InvalidParameterException', 400],
		['+12125550102', 'OptedOutException', 400],
	])('%s fails with %s', async (phone, name, status) => {
		const e = await failure(client().send(new PublishCommand({ PhoneNumber: phone, Message: 'x' })));
		expect(e.name).toBe(name);
		expect(e.$metadata.httpStatusCode).toBe(status);
	});

	it('answers throttling as AWS does', async () => {
		box.get().addFault({ provider: 'sns', type: 'status', status: 429 });
		const e = await failure(client().send(new PublishCommand({ PhoneNumber: '+33612345678', Message: 'x' })));
		expect(e.name).toBe('ThrottledException');
		expect(e.$metadata.httpStatusCode).toBe(429);
	});
});
