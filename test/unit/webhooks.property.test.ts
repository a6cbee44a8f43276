/**
 * Every change to a signed request is refused: ten thousand and more one-place mutations of requests signed the
 * way each provider signs them (a byte of the URL, a parameter, the body, a header, the signature), 0 accepted;
 * and requests signed by the official libraries (twilio's own signer) are accepted.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import twilio from 'twilio';
import { sinchWebhooks } from '../../nodes/shared/providers/sinch/webhooks';
import { forgetSnsCertificates, snsWebhooks } from '../../nodes/shared/providers/sns/webhooks';
import { twilioWebhooks } from '../../nodes/shared/providers/twilio/webhooks';
import type { ProviderContext } from '../../nodes/shared/providers/types';
import type { WebhookRequest, WebhookSettings } from '../../nodes/shared/providers/webhookTypes';
import { computeSinchWebhookSignature } from '../../nodes/shared/signatures/sinch';
import { signSnsMessage } from '../../nodes/shared/signatures/snsMessage';
import { SANDBOX_SNS_CERTIFICATE, SANDBOX_SNS_PRIVATE_KEY } from '../../sandbox/snsSigningCertificate';
import { rng as seeded } from '../helpers/hostile';

/** The seeded generator of the hostile tests, with a text maker: the same requests on every run. */
function rng(seed: number) {
	const r = seeded(seed);
	const int = (n: number) => r.int(0, n - 1);
	const pick = <T>(list: readonly T[]) => r.pick(list);
	const text = (max: number) => Array.from({ length: int(max) + 1 }, () => pick([...'abcXYZ019 +-_.~%&=?/é😀\n"\'<>'])).join('');
	return { int, pick, text };
}

/** The text with one character replaced by a different one. */
function mutate(r: ReturnType<typeof rng>, text: string): string {
	const chars = [...text];
	const at = r.int(chars.length);
	let replacement = r.pick([...'aZ09+/=_-.:%é']);
	if (replacement === chars[at]) replacement = chars[at] === 'x' ? 'y' : 'x';
	chars[at] = replacement;
	return chars.join('');
}

const settings = (over: Partial<WebhookSettings> = {}): WebhookSettings => ({ url: 'https://n8n.example.com/webhook/id/messaging', target: '+15017122661', remembered: {}, ...over });
const ctxWith = (credentials: ICredentialDataDecryptedObject, http: ProviderContext['http'] = async () => ({ statusCode: 404, headers: {}, body: '' })): ProviderContext => ({ credentials, http, fetchPublic: (url) => http({ method: 'GET', url }), now: () => NOW });
/** The clock of these requests: signed timestamps are within a day of it. */
const NOW = new Date('2026-11-29T12:00:00.000Z');

describe('signed requests: any change is refused, official signatures are accepted', () => {
	it('Twilio: 4,000 mutations of the URL, a parameter or the signature, 0 accepted; 4,000 originals accepted as twilio accepts them', async () => {
		const r = rng(7);
		const ctx = ctxWith({ authType: 'authToken', authToken: 'auth-token-0123' });
		let refused = 0;
		let accepted = 0;
		for (let i = 0; i < 4000; i++) {
			const url = `https://n8n-${r.int(50)}.example.com${r.pick(['', ':8443'])}/webhook/${r.text(12).replace(/[^a-z0-9]/gi, 'x')}/messaging${r.pick(['', `?q=${r.int(99)}`])}`;
			const form: Record<string, string> = { MessageSid: `SM${i}`, Body: r.text(30) };
			for (let k = r.int(6); k > 0; k--) form[`K${r.text(4).replace(/\W/g, 'q')}`] = r.text(10);
			const signature = twilio.getExpectedTwilioSignature('auth-token-0123', url, form);
			const request: WebhookRequest = { method: 'POST', url, headers: { 'x-twilio-signature': signature }, rawBody: Buffer.from(''), form };
			expect(twilio.validateRequest('auth-token-0123', signature, url, form)).toBe(true);
			if ((await twilioWebhooks.verify(ctx, request, settings())).ok) accepted++;
			const what = i % 4;
			let changed: WebhookRequest;
			if (what === 0) changed = { ...request, url: mutate(r, url) };
			else if (what === 1) {
				const key = r.pick(Object.keys(form));
				changed = { ...request, form: { ...form, [key]: mutate(r, form[key] || 'v') } };
			} else if (what === 2) {
				const key = r.pick(Object.keys(form));
				const { [key]: value, ...rest } = form;
				changed = { ...request, form: r.int(2) ? rest : { ...rest, [mutate(r, key)]: value } };
			} else changed = { ...request, headers: { 'x-twilio-signature': mutate(r, signature) } };
			if (!(await twilioWebhooks.verify(ctx, changed, settings())).ok) refused++;
		}
		expect({ accepted, refused }).toEqual({ accepted: 4000, refused: 4000 });
	});

	it('Sinch: 3,000 mutations of the body, nonce, timestamp or signature, 0 accepted', async () => {
		const r = rng(11);
		const ctx = ctxWith({ webhookSecret: 'sinch-secret' });
		let refused = 0;
		let accepted = 0;
		for (let i = 0; i < 3000; i++) {
			const body = JSON.stringify({ type: 'mo_text', id: `id-${i}`, from: `3361234${i}`, to: '12345', body: r.text(40) });
			const nonce = `nonce-${r.text(8)}`;
			const timestamp = String(Math.floor(NOW.getTime() / 1000) - r.int(86_000));
			const headers = {
				'x-sinch-webhook-signature': computeSinchWebhookSignature('sinch-secret', body, nonce, timestamp),
				'x-sinch-webhook-signature-nonce': nonce,
				'x-sinch-webhook-signature-timestamp': timestamp,
				'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
			};
			const request: WebhookRequest = { method: 'POST', url: settings().url, headers, rawBody: Buffer.from(body) };
			if ((await sinchWebhooks.verify(ctx, request, settings())).ok) accepted++;
			const what = i % 4;
			const changed: WebhookRequest =
				what === 0
					? { ...request, rawBody: Buffer.from(mutate(r, body)) }
					: { ...request, headers: { ...headers, ...(what === 1 ? { 'x-sinch-webhook-signature-nonce': mutate(r, nonce) } : what === 2 ? { 'x-sinch-webhook-signature-timestamp': mutate(r, timestamp) } : { 'x-sinch-webhook-signature': mutate(r, headers['x-sinch-webhook-signature']) }) } };
			if (!(await sinchWebhooks.verify(ctx, changed, settings())).ok) refused++;
		}
		expect({ accepted, refused }).toEqual({ accepted: 3000, refused: 3000 });
	});

	it('AWS SNS: 3,200 mutations of a byte of the body (signed fields, signature, type, version, certificate URL), 0 accepted', async () => {
		forgetSnsCertificates();
		const r = rng(13);
		const topic = 'arn:aws:sns:eu-west-1:123456789012:inbound-sms';
		const cert = 'http://127.0.0.1:4010/sns/SimpleNotificationService-sandbox.pem';
		// The certificate is served at its own URL only, as AWS serves each certificate at one URL.
		const ctx = ctxWith({ region: 'eu-west-1', baseUrl: 'http://127.0.0.1:4010' }, async (request) => (request.url === cert ? { statusCode: 200, headers: {}, body: SANDBOX_SNS_CERTIFICATE } : { statusCode: 404, headers: {}, body: '' }));
		let refused = 0;
		let accepted = 0;
		// 200 signed messages (RSA signing is the slow part), 16 mutations of each.
		for (let i = 0; i < 200; i++) {
			// UnsubscribeURL is not signed by SNS's design, so it is left out here: a change to it is not a forgery.
			const type = r.pick(['Notification', 'SubscriptionConfirmation'] as const);
			const base =
				type === 'Notification'
					? { Type: type, MessageId: `m-${i}`, TopicArn: topic, Message: JSON.stringify({ originationNumber: '+33612345678', messageBody: r.text(30) }), Timestamp: '2026-11-29T10:00:00.000Z', SigningCertURL: cert }
					: { Type: type, MessageId: `m-${i}`, Token: r.text(20), TopicArn: topic, Message: r.text(20), SubscribeURL: `http://127.0.0.1:4010/?Action=ConfirmSubscription&n=${i}`, Timestamp: '2026-11-29T10:00:00.000Z', SigningCertURL: cert };
			const body = JSON.stringify(signSnsMessage(base, SANDBOX_SNS_PRIVATE_KEY, r.pick(['1', '2'] as const)));
			const request: WebhookRequest = { method: 'POST', url: settings().url, headers: { 'content-type': 'text/plain' }, rawBody: Buffer.from(body) };
			if ((await snsWebhooks.verify(ctx, request, settings({ target: topic }))).ok) accepted++;
			for (let m = 0; m < 16; m++) {
				if (!(await snsWebhooks.verify(ctx, { ...request, rawBody: Buffer.from(mutate(r, body)) }, settings({ target: topic }))).ok) refused++;
			}
		}
		expect({ accepted, refused }).toEqual({ accepted: 200, refused: 3200 });
	});
});
