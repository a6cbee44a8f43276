/**
 * Twilio Verify v2 on the wire (verify.twilio.com/v2/Services/VA…): start a verification, check a code, cancel.
 * What a workflow branches on comes back as a status: a wrong code (Twilio's 200 "pending") is `denied`, five wrong
 * codes (60202) `max_attempts_reached`, a verification that is gone (approved, expired after 10 minutes or canceled:
 * 404/20404) `expired`. Anything else is an error, in Verify's own sentences.
 */
import type { IDataObject } from 'n8n-workflow';
import { clip, ProviderError } from '../../rules/errors';
import type { ProviderContext, ProviderHttpResponse } from '../types';
import type { VerificationResult, VerificationStatus, VerifyCapability } from '../verifyTypes';
import { asJson, baseUrlOr, formEncode } from '../wire';
import { readTwilioError, TWILIO, TWILIO_VERIFY_CODES, TWILIO_VERIFY_HOST, twilioFailure } from './index';

const SERVICE_SID = /^VA[0-9a-fA-F]{32}$/;
const VERIFICATION_SID = /^VE[0-9a-fA-F]{32}$/;
/** Twilio keeps a verification for 10 minutes. */
const LIFETIME_MS = 10 * 60 * 1000;
const CODE = /^[0-9A-Za-z]{4,10}$/;

const STATUSES: Record<string, VerificationStatus> = {
	pending: 'pending',
	approved: 'approved',
	canceled: 'canceled',
	max_attempts_reached: 'max_attempts_reached',
	expired: 'expired',
	failed: 'failed',
	deleted: 'canceled',
};

const GONE = 'Twilio has no pending verification for it: it was approved, expired (after 10 minutes) or was canceled. Start a new one';

function serviceUrl(ctx: ProviderContext, settings: IDataObject): string {
	const sid = String(settings.serviceSid ?? '').trim();
	if (!SERVICE_SID.test(sid)) {
		throw new ProviderError({ provider: TWILIO, kind: 'request', message: `"${clip(sid)}" is not a Verify Service SID (VA followed by 32 hexadecimal characters): copy it from Verify → Services in the Twilio console` });
	}
	return `${baseUrlOr(ctx.credentials.baseUrl, TWILIO_VERIFY_HOST)}/v2/Services/${sid}`;
}

function post(ctx: ProviderContext, url: string, form: Record<string, string | undefined>): Promise<ProviderHttpResponse> {
	return ctx.http({ method: 'POST', url, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: formEncode(form) });
}

/** A verification resource read into the one shape; `checked` turns Twilio's "pending" after a check into "denied". */
function toResult(body: Record<string, unknown>, checked: boolean): VerificationResult {
	const twilioStatus = typeof body.status === 'string' ? body.status : '';
	let status = STATUSES[twilioStatus] ?? 'failed';
	if (checked && status === 'pending') status = 'denied';
	const created = typeof body.date_created === 'string' ? Date.parse(body.date_created) : Number.NaN;
	const attempts = Array.isArray(body.send_code_attempts) ? body.send_code_attempts.length : null;
	return {
		verificationId: typeof body.sid === 'string' ? body.sid : null,
		to: typeof body.to === 'string' ? body.to : null,
		channel: typeof body.channel === 'string' ? body.channel : null,
		status,
		valid: status === 'approved',
		attempts: checked ? null : attempts,
		expiresAt: Number.isFinite(created) ? new Date(created + LIFETIME_MS).toISOString() : null,
		reason: status === 'denied' ? 'The code is not the one sent' : status === 'failed' ? `Twilio Verify answered "${clip(twilioStatus)}"` : null,
		// Twilio never sends the code back; the raw answer is kept as Twilio gave it.
		raw: body as IDataObject,
	};
}

/** An answer the workflow branches on, with what is known of the verification. */
function outcome(status: VerificationStatus, reason: string, known: { to?: string; verificationId?: string; channel?: string }, raw: IDataObject): VerificationResult {
	return { verificationId: known.verificationId ?? null, to: known.to ?? null, channel: known.channel ?? null, status, valid: false, attempts: null, expiresAt: null, reason, raw };
}

const ok = (response: ProviderHttpResponse, body: Record<string, unknown> | undefined): body is Record<string, unknown> =>
	response.statusCode >= 200 && response.statusCode < 300 && body !== undefined && typeof body.sid === 'string';

export const twilioVerify: VerifyCapability = {
	label: 'Twilio Verify',
	channels: [
		{ value: 'sms', label: 'SMS' },
		{ value: 'call', label: 'Voice Call', voice: true },
		{ value: 'whatsapp', label: 'WhatsApp' },
		{ value: 'email', label: 'Email', email: true },
	],

	startOptions: { locale: true, customCode: true },

	properties: (show) => [
		{
			displayName: 'Verify Service SID',
			name: 'twilioVerifyServiceSid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'VA…',
			description: 'The Verify service that sends and checks the codes (Twilio console → Verify → Services)',
			displayOptions: { show },
		},
	],

	readSettings: (read) => ({ serviceSid: read.text('twilioVerifyServiceSid', 'Verify Service SID').trim() }),

	async start(ctx, request) {
		const url = `${serviceUrl(ctx, request.settings)}/Verifications`;
		const response = await post(ctx, url, { To: request.to, Channel: request.channel, Locale: request.locale || undefined, CustomCode: request.customCode || undefined });
		const body = asJson(response.body);
		if (ok(response, body)) return toResult(body, false);
		if (String(readTwilioError(body).code ?? '') === '60203') {
			return outcome('max_attempts_reached', 'The code was already sent 5 times for this verification: wait for it to expire (10 minutes) before starting again', request, body ?? {});
		}
		throw twilioFailure(response, body, TWILIO_VERIFY_CODES);
	},

	async check(ctx, request) {
		const url = `${serviceUrl(ctx, request.settings)}/VerificationCheck`;
		const code = request.code.replace(/[\s-]+/g, '');
		const known = { to: request.to, verificationId: request.verificationId };
		// A code Twilio would refuse as a parameter is no code at all: denied, without using up one of the 5 checks.
		if (!CODE.test(code)) return outcome('denied', 'A code has 4 to 10 letters or digits', known, {});
		if (request.verificationId !== undefined && !VERIFICATION_SID.test(request.verificationId)) {
			throw new ProviderError({ provider: TWILIO, kind: 'request', message: `"${clip(request.verificationId)}" is not a Twilio verification SID (VE followed by 32 hexadecimal characters)` });
		}
		const response = await post(ctx, url, { Code: code, To: request.verificationId ? undefined : request.to, VerificationSid: request.verificationId });
		const body = asJson(response.body);
		if (ok(response, body)) return toResult(body, true);
		const twilioCode = String(readTwilioError(body).code ?? '');
		if (twilioCode === '60202') return outcome('max_attempts_reached', 'Too many wrong codes (5): the verification is closed. Start a new one', known, body ?? {});
		if (response.statusCode === 404 && (twilioCode === '20404' || twilioCode === '')) return outcome('expired', GONE, known, body ?? {});
		throw twilioFailure(response, body, TWILIO_VERIFY_CODES);
	},

	async status(ctx, request) {
		const id = request.verificationId ?? '';
		if (!VERIFICATION_SID.test(id)) {
			throw new ProviderError({ provider: TWILIO, kind: 'request', message: `"${clip(id)}" is not a Twilio verification SID (VE followed by 32 hexadecimal characters): Twilio looks verifications up by SID only` });
		}
		const response = await ctx.http({ method: 'GET', url: `${serviceUrl(ctx, request.settings)}/Verifications/${id}` });
		const body = asJson(response.body);
		if (ok(response, body)) return toResult(body, false);
		if (response.statusCode === 404) return outcome('expired', GONE, { verificationId: id }, body ?? {});
		throw twilioFailure(response, body, TWILIO_VERIFY_CODES);
	},

	async cancel(ctx, request) {
		if (!VERIFICATION_SID.test(request.verificationId)) {
			throw new ProviderError({ provider: TWILIO, kind: 'request', message: `"${clip(request.verificationId)}" is not a Twilio verification SID (VE followed by 32 hexadecimal characters)` });
		}
		const url = `${serviceUrl(ctx, request.settings)}/Verifications/${request.verificationId}`;
		const response = await post(ctx, url, { Status: 'canceled' });
		const body = asJson(response.body);
		if (ok(response, body)) return toResult(body, false);
		if (response.statusCode === 404) return outcome('expired', GONE, { verificationId: request.verificationId }, body ?? {});
		throw twilioFailure(response, body, TWILIO_VERIFY_CODES);
	},
};
