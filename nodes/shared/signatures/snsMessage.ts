/**
 * AWS SNS message signatures: what SNS signs in each HTTP(S) delivery, how to check it against the signing
 * certificate, and which certificate URLs may be trusted. SignatureVersion 1 is RSA with SHA1, version 2 RSA with
 * SHA256, over "key\nvalue\n" for each signed key present, in this order:
 * - Notification: Message, MessageId, Subject (when present), Timestamp, TopicArn, Type;
 * - SubscriptionConfirmation and UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp, Token,
 *   TopicArn, Type.
 */
import { createSign, createVerify } from 'node:crypto';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export const SNS_MESSAGE_TYPES: readonly SnsMessageType[] = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SUBSCRIPTION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** An SNS HTTP delivery as it arrives (JSON body, sent as text/plain). */
export type SnsEnvelope = Record<string, unknown>;

const ALGORITHMS: Readonly<Record<string, string>> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

export function isSnsMessageType(type: unknown): type is SnsMessageType {
	return (SNS_MESSAGE_TYPES as readonly unknown[]).includes(type);
}

/** The text SNS signs for this message, or undefined when the type is not one SNS sends or a signed field is not text. */
export function snsStringToSign(message: SnsEnvelope): string | undefined {
	if (!isSnsMessageType(message.Type)) return undefined;
	const keys = message.Type === 'Notification' ? NOTIFICATION_KEYS : SUBSCRIPTION_KEYS;
	let text = '';
	for (const key of keys) {
		const value = message[key];
		if (value === undefined || (key === 'Subject' && value === null)) continue;
		if (typeof value !== 'string') return undefined;
		text += `${key}\n${value}\n`;
	}
	return text;
}

/** Signs a message as SNS does (the sandbox's side). Adds Signature and SignatureVersion. */
export function signSnsMessage<T extends SnsEnvelope>(message: T, privateKeyPem: string, version: '1' | '2' = '1'): T & { Signature: string; SignatureVersion: string } {
	const text = snsStringToSign(message);
	if (text === undefined) throw new Error(`Cannot sign an SNS message of type ${String(message.Type)}`);
	const signature = createSign(ALGORITHMS[version]).update(text, 'utf-8').sign(privateKeyPem, 'base64');
	return { ...message, SignatureVersion: version, Signature: signature };
}

/** True when the message's Signature is the certificate's key's signature of it, for version 1 or 2. */
export function verifySnsMessageSignature(message: SnsEnvelope, certificatePem: string): boolean {
	const version = message.SignatureVersion;
	if (typeof version !== 'string' || !Object.prototype.hasOwnProperty.call(ALGORITHMS, version)) return false;
	const signature = message.Signature;
	// Canonical base64 only: a lenient decoder maps several spellings (padding, unused low bits) to one signature,
	// and a changed byte of the request must never pass.
	if (typeof signature !== 'string' || signature === '' || Buffer.from(signature, 'base64').toString('base64') !== signature) return false;
	const text = snsStringToSign(message);
	if (text === undefined) return false;
	try {
		return createVerify(ALGORITHMS[version]).update(text, 'utf-8').verify(certificatePem, signature, 'base64');
	} catch {
		// Not a certificate, or a key of another kind: not signed by it.
		return false;
	}
}

export interface SnsCertificateTrust {
	/** The credential's region: only `sns.<region>.amazonaws.com` (or `.amazonaws.com.cn` in China) is trusted. */
	region: string;
	/** The credential's Base URL (the sandbox, or a private endpoint): certificates under it are trusted too. */
	baseUrl?: string;
}

/**
 * Whether the certificate at this URL may be fetched and trusted: an https `.pem` on the SNS host of the
 * credential's region, or under the credential's own Base URL. Anything else (another host, another region, a
 * look-alike such as sns.us-east-1.amazonaws.com.evil.test, credentials in the URL) is refused before any request.
 */
export function snsCertificateUrlTrusted(certificateUrl: unknown, trust: SnsCertificateTrust): boolean {
	if (typeof certificateUrl !== 'string') return false;
	let url: URL;
	try {
		url = new URL(certificateUrl);
	} catch {
		return false;
	}
	if (url.username || url.password || !url.pathname.endsWith('.pem')) return false;
	if (trust.baseUrl) {
		let base: URL | undefined;
		try {
			base = new URL(trust.baseUrl);
		} catch {
			base = undefined;
		}
		if (base && url.origin === base.origin && url.pathname.startsWith(base.pathname.replace(/\/?$/, '/'))) return true;
	}
	if (url.protocol !== 'https:' || url.port !== '') return false;
	const region = String(trust.region ?? '').toLowerCase();
	if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return false;
	const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
	return url.hostname === `sns.${region}.${suffix}`;
}
