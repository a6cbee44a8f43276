import https from 'node:https';
import { EventEmitter } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import MessageValidator from 'sns-validator';
import SnsPayloadValidator from 'sns-payload-validator';
import {
	signSnsMessage,
	snsCertificateUrlTrusted,
	snsStringToSign,
	verifySnsMessageSignature,
	type SnsEnvelope,
} from '../../nodes/shared/signatures/snsMessage';
import { SANDBOX_SNS_CERTIFICATE, SANDBOX_SNS_PRIVATE_KEY } from '../../sandbox/snsSigningCertificate';

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

function notification(i = 0): SnsEnvelope {
	return {
		Type: 'Notification',
		MessageId: `22b80b92-fdea-4c2c-8f9d-bdfb0c7bf32${i % 10}`,
		TopicArn: 'arn:aws:sns:us-east-1:123456789012:inbound-sms',
		Message: JSON.stringify({ originationNumber: '+33612345678', destinationNumber: '+12125550100', messageBody: `Yes ${i} é😀\n"q"`, inboundMessageId: `id-${i}` }),
		Timestamp: '2026-11-29T12:00:00.000Z',
		SigningCertURL: CERT_URL,
		UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:x',
	};
}

function confirmation(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', i = 0): SnsEnvelope {
	return {
		Type: type,
		MessageId: `165545c9-2a5c-472c-8df2-7ff2be2b3b1${i % 10}`,
		Token: `2336412f37fb687f5d51e6e241d09c8058323f60b964${i}`,
		TopicArn: 'arn:aws:sns:us-east-1:123456789012:inbound-sms',
		Message: `You have chosen to subscribe to the topic ${i}.`,
		SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t${i}`,
		Timestamp: '2026-11-29T12:00:00.000Z',
		SigningCertURL: CERT_URL,
	};
}

/** The validators fetch the certificate with https.get: answered here with the sandbox's certificate. */
function serveCertificate(): jest.SpyInstance {
	return jest.spyOn(https, 'get').mockImplementation(((_url: unknown, ...rest: unknown[]) => {
		const callback = rest.find((arg) => typeof arg === 'function') as (res: EventEmitter & { statusCode: number }) => void;
		const res = Object.assign(new EventEmitter(), { statusCode: 200 });
		const req = new EventEmitter();
		setImmediate(() => {
			callback(res);
			res.emit('data', Buffer.from(SANDBOX_SNS_CERTIFICATE));
			res.emit('end');
		});
		return req;
	}) as never);
}

describe('SNS message signatures', () => {
	afterEach(() => jest.restoreAllMocks());

	it('builds the string to sign from the keys SNS signs, in its order', () => {
		expect(snsStringToSign({ ...notification(), Subject: 'Hi' })).toBe(
			`Message\n${notification().Message}\nMessageId\n${notification().MessageId}\nSubject\nHi\nTimestamp\n2026-11-29T12:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:123456789012:inbound-sms\nType\nNotification\n`,
		);
		expect(snsStringToSign({ ...notification(), Subject: null })).toBe(snsStringToSign(notification()));
		const c = confirmation('UnsubscribeConfirmation');
		expect(snsStringToSign(c)).toBe(
			`Message\n${c.Message}\nMessageId\n${c.MessageId}\nSubscribeURL\n${c.SubscribeURL}\nTimestamp\n${c.Timestamp}\nToken\n${c.Token}\nTopicArn\n${c.TopicArn}\nType\nUnsubscribeConfirmation\n`,
		);
		expect(snsStringToSign({ ...notification(), Type: 'Other' })).toBeUndefined();
		expect(snsStringToSign({ ...notification(), Message: 42 })).toBeUndefined();
		// Only Subject may be null (SNS leaves it out); any other signed field must be a string.
		expect(snsStringToSign({ ...notification(), Message: null })).toBeUndefined();
		expect(snsStringToSign({ ...c, Token: null })).toBeUndefined();
		expect(() => signSnsMessage({ Type: 'Other' }, SANDBOX_SNS_PRIVATE_KEY)).toThrow('Cannot sign an SNS message of type Other');
	});

	it.each(['1', '2'] as const)('verifies version %s signatures with the certificate, and nothing else', (version) => {
		for (const message of [notification(), confirmation('SubscriptionConfirmation'), confirmation('UnsubscribeConfirmation')]) {
			const signed = signSnsMessage(message, SANDBOX_SNS_PRIVATE_KEY, version);
			expect(signed.SignatureVersion).toBe(version);
			expect(verifySnsMessageSignature(signed, SANDBOX_SNS_CERTIFICATE)).toBe(true);
			expect(verifySnsMessageSignature({ ...signed, SignatureVersion: version === '1' ? '2' : '1' }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature({ ...signed, SignatureVersion: '3' }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature({ ...signed, SignatureVersion: 1 }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature({ ...signed, SignatureVersion: 'constructor' }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature({ ...signed, Signature: '' }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			// The same bytes spelt another way (no padding, a line break) are not the signature SNS sent.
			expect(verifySnsMessageSignature({ ...signed, Signature: signed.Signature.replace(/=+$/, '') }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature({ ...signed, Signature: `${signed.Signature}\n` }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature({ ...signed, Signature: undefined }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature({ ...signed, Type: 'Other' }, SANDBOX_SNS_CERTIFICATE)).toBe(false);
			expect(verifySnsMessageSignature(signed, 'not a certificate')).toBe(false);
			const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
			expect(verifySnsMessageSignature(signed, other)).toBe(false);
		}
	});

	it('rejects every one-character change to a signed field or the signature (3,000 mutations, 0 accepted)', () => {
		const keys = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Signature', 'Token', 'SubscribeURL'];
		let tried = 0;
		// 150 signed messages (signing is the slow part), 20 changes to each.
		for (let i = 0; i < 150; i++) {
			const base = i % 2 ? notification(i) : confirmation('SubscriptionConfirmation', i);
			const signed = signSnsMessage(base, SANDBOX_SNS_PRIVATE_KEY, i % 3 ? '1' : '2') as SnsEnvelope;
			for (let m = 0; m < 20; m++) {
				const n = i * 20 + m;
				const present = keys.filter((k) => typeof signed[k] === 'string');
				const key = present[n % present.length];
				const value = signed[key] as string;
				const at = (n * 7919) % value.length;
				const replacement = value[at] === 'A' ? 'B' : 'A';
				const changed = { ...signed, [key]: value.slice(0, at) + replacement + value.slice(at + 1) };
				expect([n, key, verifySnsMessageSignature(changed, SANDBOX_SNS_CERTIFICATE)]).toEqual([n, key, false]);
				tried++;
			}
		}
		expect(tried).toBe(3000);
	});

	it('signs as AWS does: the official validators accept what the sandbox signs (200 random messages, both versions)', async () => {
		serveCertificate();
		const awsLabs = new MessageValidator();
		const payload = new SnsPayloadValidator({ useCache: false });
		let accepted = 0;
		for (let i = 0; i < 200; i++) {
			const types = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
			const type = types[i % 3];
			const base = type === 'Notification' ? { ...notification(i), ...(i % 2 ? { Subject: `S${i}` } : {}) } : confirmation(type, i);
			const signed = signSnsMessage(base, SANDBOX_SNS_PRIVATE_KEY, i % 2 ? '1' : '2');
			await expect(payload.validate(JSON.stringify(signed))).resolves.toBeTruthy();
			// sns-validator (AWS Labs) signs UnsubscribeConfirmation with the Notification keys, unlike AWS's documentation.
			if (type !== 'UnsubscribeConfirmation') {
				await new Promise<void>((resolve, reject) => awsLabs.validate(signed, (error) => (error ? reject(error) : resolve())));
			}
			expect(verifySnsMessageSignature(signed, SANDBOX_SNS_CERTIFICATE)).toBe(true);
			accepted++;
		}
		expect(accepted).toBe(200);
		const forged = { ...signSnsMessage(notification(), SANDBOX_SNS_PRIVATE_KEY), Message: 'forged' };
		await expect(payload.validate(JSON.stringify(forged))).rejects.toThrow();
	});
});

describe('snsCertificateUrlTrusted', () => {
	const aws = { region: 'us-east-1' };
	it.each([
		[CERT_URL, aws, true],
		['https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-x.pem', { region: 'eu-west-3' }, true],
		['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem', { region: 'cn-north-1' }, true],
		['https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-x.pem', { region: 'us-gov-west-1' }, true],
		['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', { region: 'eu-west-3' }, false],
		['https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-x.pem', { region: 'cn-north-1' }, false],
		['http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', aws, false],
		['https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-x.pem', aws, false],
		['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.txt', aws, false],
		['https://sns.us-east-1.amazonaws.com.evil.test/SimpleNotificationService-x.pem', aws, false],
		['https://evil.test/sns.us-east-1.amazonaws.com/x.pem', aws, false],
		['https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', aws, false],
		['https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', aws, false],
		['https://:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', aws, false],
		// The credential's region must be a region: not a longer name that happens to end or start like one.
		['https://sns.x.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', { region: 'x.us-east-1' }, false],
		['https://sns.us-east-1.x.amazonaws.com/SimpleNotificationService-x.pem', { region: 'us-east-1.x' }, false],
		['https://sns.ap-southeast-10.amazonaws.com/SimpleNotificationService-x.pem', { region: 'ap-southeast-10' }, true],
		['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', {} as { region: string }, false],
		['https://xsns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', aws, false],
		['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', { region: 'us-east-1.amazonaws.com/x' }, false],
		['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', { region: '' }, false],
		['not a url', aws, false],
		[42, aws, false],
		['http://127.0.0.1:4010/sns/SimpleNotificationService-sandbox.pem', { region: 'us-east-1', baseUrl: 'http://127.0.0.1:4010/sns' }, true],
		['http://127.0.0.1:4010/sns/SimpleNotificationService-sandbox.pem', { region: 'us-east-1', baseUrl: 'http://127.0.0.1:4010/sns/' }, true],
		['http://127.0.0.1:4010/other/cert.pem', { region: 'us-east-1', baseUrl: 'http://127.0.0.1:4010/sns' }, false],
		['http://127.0.0.1:4010/snsx/cert.pem', { region: 'us-east-1', baseUrl: 'http://127.0.0.1:4010/sns' }, false],
		['http://127.0.0.1:4011/sns/cert.pem', { region: 'us-east-1', baseUrl: 'http://127.0.0.1:4010/sns' }, false],
		['http://127.0.0.1:4010/sns/cert.pem', { region: 'us-east-1', baseUrl: 'not a url' }, false],
		['http://127.0.0.1:4010/cert.pem', { region: 'us-east-1', baseUrl: 'http://127.0.0.1:4010' }, true],
		['http://127.0.0.1:4010/cert.key', { region: 'us-east-1', baseUrl: 'http://127.0.0.1:4010' }, false],
	] as const)('%j with %j → %s', (url, trust, expected) => {
		expect(snsCertificateUrlTrusted(url, trust)).toBe(expected);
	});
});
