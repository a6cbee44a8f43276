/**
 * Sinch signatures: the "application signed request" of the Verification API (also used on its callbacks),
 * and the HMAC-SHA256 signature of SMS webhooks.
 */
import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from './compare';

export interface SinchSignedRequestInput {
	applicationKey: string;
	/** Base64, as the Sinch dashboard shows it. */
	applicationSecret: string;
	method: string;
	contentType: string;
	/** ISO 8601, sent as the x-timestamp header. */
	timestamp: string;
	/** Path with query, as requested. */
	path: string;
	body: string;
}

export function sinchContentMd5(body: string): string {
	return body === '' ? '' : createHash('md5').update(body, 'utf-8').digest('base64');
}

export function sinchStringToSign(input: SinchSignedRequestInput): string {
	return [
		input.method.toUpperCase(),
		sinchContentMd5(input.body),
		input.contentType,
		`x-timestamp:${input.timestamp}`,
		input.path,
	].join('\n');
}

/** The Authorization header value: `Application {key}:{signature}`. */
export function sinchApplicationAuthorization(input: SinchSignedRequestInput): string {
	const signature = createHmac('sha256', Buffer.from(input.applicationSecret, 'base64'))
		.update(sinchStringToSign(input), 'utf-8')
		.digest('base64');
	return `Application ${input.applicationKey}:${signature}`;
}

export function validateSinchApplicationSignature(input: SinchSignedRequestInput, authorization: string | undefined): boolean {
	if (!authorization) return false;
	return safeEqual(sinchApplicationAuthorization(input), authorization.trim());
}

export function computeSinchWebhookSignature(secret: string, rawBody: string, nonce: string, timestamp: string): string {
	return createHmac('sha256', secret).update(`${rawBody}.${nonce}.${timestamp}`, 'utf-8').digest('base64');
}

export function validateSinchWebhookSignature(check: {
	secret: string;
	rawBody: string;
	nonce: string | undefined;
	timestamp: string | undefined;
	signature: string | undefined;
}): boolean {
	if (!check.signature || !check.nonce || !check.timestamp || !check.secret) return false;
	return safeEqual(computeSinchWebhookSignature(check.secret, check.rawBody, check.nonce, check.timestamp), check.signature);
}
