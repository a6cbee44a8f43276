/**
 * Twilio Verify v2, as the sandbox plays it (verify.twilio.com): start a verification (the code goes to the phone
 * page), check a code, fetch and cancel. Twilio's limits: 5 sends and 5 checks per verification, 10 minutes to live
 * (scaled with the sandbox's time), and an approved, expired or canceled verification is gone (404, 20404).
 */
import { randomInt } from 'node:crypto';
import { form, json } from './http';
import { E164 } from './faults';
import { scenarioOf } from './rules';
import { newId, newMessage } from './state';
import { twilioError } from './twilioError';
import type { SandboxContext, SandboxRequest, SandboxResponse } from './types';

/** /v2/Services/VA…/Verifications, /v2/Services/VA…/Verifications/VE…, /v2/Services/VA…/VerificationCheck. */
const VERIFY_PATH = /^\/v2\/Services\/([^/]+)\/(Verifications|VerificationCheck)(?:\/([^/]+))?$/;
const CHANNELS = ['sms', 'call', 'whatsapp', 'email', 'sna', 'auto'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const VERIFY_MAX_SENDS = 5;
export const VERIFY_MAX_CHECKS = 5;
export const VERIFY_TTL_MS = 10 * 60 * 1000;
const CODE_LENGTH = 6;

type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'max_attempts_reached' | 'expired' | 'failed' | 'deleted';

interface Verification {
	sid: string;
	serviceSid: string;
	to: string;
	channel: string;
	code: string;
	status: VerificationStatus;
	sends: Array<{ time: string; channel: string; attempt_sid: string }>;
	checks: number;
	createdAt: Date;
	updatedAt: Date;
	expiresAt: number;
}

export interface TwilioVerifyApi {
	matches(path: string): boolean;
	handle(req: SandboxRequest, authenticate: () => SandboxResponse | undefined): SandboxResponse;
	reset(): void;
}

export function twilioVerify(sandbox: SandboxContext): TwilioVerifyApi {
	const account = sandbox.accounts.twilio;
	const verifications = new Map<string, Verification>();

	/** A verification that is still there: a pending one past its time has expired and is gone. */
	function live(v: Verification | undefined): Verification | undefined {
		if (!v) return undefined;
		if (v.status === 'pending' && Date.now() >= v.expiresAt) v.status = 'expired';
		return v.status === 'pending' ? v : undefined;
	}

	function pendingFor(serviceSid: string, to: string): Verification | undefined {
		return [...verifications.values()].reverse().find((v) => v.serviceSid === serviceSid && v.to === to && live(v));
	}

	function resource(v: Verification, extra: Record<string, unknown> = {}) {
		return {
			sid: v.sid,
			service_sid: v.serviceSid,
			account_sid: account.accountSid,
			to: v.to,
			channel: v.channel,
			status: v.status,
			valid: v.status === 'approved',
			lookup: {},
			amount: null,
			payee: null,
			send_code_attempts: v.sends,
			date_created: v.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
			date_updated: v.updatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
			sna: null,
			url: `https://verify.twilio.com/v2/Services/${v.serviceSid}/Verifications/${v.sid}`,
			...extra,
		};
	}

	/** The code reaches the phone as the text (or call, or email) Twilio would send. */
	function deliver(v: Verification): void {
		const body = v.channel === 'call' ? `(voice call) Your verification code is ${[...v.code].join(' ')}` : `Your Sandbox verification code is: ${v.code}`;
		sandbox.store(newMessage({ provider: 'twilio', id: newId('SM'), account: account.accountSid, from: 'Verify', to: v.channel === 'whatsapp' ? `whatsapp:${v.to}` : v.to, body, status: 'delivered' }));
	}

	function start(req: SandboxRequest, serviceSid: string): SandboxResponse {
		const p = form(req);
		const to = (p.get('To') ?? '').trim();
		const channel = p.get('Channel') ?? '';
		if (!CHANNELS.includes(channel)) return twilioError(400, 60200, 'Invalid parameter: Channel');
		if (channel === 'email' ? !EMAIL.test(to) : !E164.test(to)) return twilioError(400, 60200, 'Invalid parameter `To`: ' + (to.length > 40 ? `${to.slice(0, 40)}…` : to));
		if (channel !== 'email') {
			const scenario = scenarioOf(to, new Set());
			if (scenario === 'invalid') return twilioError(400, 60200, 'Invalid parameter `To`: ' + to);
			if (scenario === 'landline' && (channel === 'sms' || channel === 'whatsapp')) return twilioError(400, 60205, 'SMS is not supported by landline phone number');
		}
		const customCode = p.get('CustomCode');
		if (customCode !== null && !/^[0-9A-Za-z]{4,10}$/.test(customCode)) return twilioError(400, 60200, 'Invalid parameter: CustomCode');
		const now = new Date();
		let v = pendingFor(serviceSid, to);
		if (v) {
			// A new start while one is pending sends the same code again, up to 5 sends.
			if (v.sends.length >= VERIFY_MAX_SENDS) return twilioError(429, 60203, 'Max send attempts reached');
			v.channel = channel;
			v.updatedAt = now;
		} else {
			const code = customCode ?? Array.from({ length: CODE_LENGTH }, () => String(randomInt(10))).join('');
			v = { sid: newId('VE'), serviceSid, to, channel, code, status: 'pending', sends: [], checks: 0, createdAt: now, updatedAt: now, expiresAt: Date.now() + sandbox.scaled(VERIFY_TTL_MS) };
			verifications.set(v.sid, v);
		}
		v.sends.push({ time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), channel, attempt_sid: newId('VL') });
		deliver(v);
		return json(201, resource(v));
	}

	function check(req: SandboxRequest, serviceSid: string): SandboxResponse {
		const p = form(req);
		const code = p.get('Code') ?? '';
		const to = p.get('To');
		const verificationSid = p.get('VerificationSid');
		if (!/^[0-9A-Za-z]{4,10}$/.test(code)) return twilioError(400, 60200, 'Invalid parameter: Code');
		if (!to && !verificationSid) return twilioError(400, 60200, 'Either a \'To\' number or \'VerificationSid\' must be specified');
		const v = verificationSid ? live(verifications.get(verificationSid)) : pendingFor(serviceSid, (to ?? '').trim());
		if (!v || v.serviceSid !== serviceSid) return twilioError(404, 20404, `The requested resource /Services/${serviceSid}/VerificationCheck was not found`);
		v.checks++;
		v.updatedAt = new Date();
		if (v.checks > VERIFY_MAX_CHECKS) {
			v.status = 'max_attempts_reached';
			return twilioError(429, 60202, 'Max check attempts reached');
		}
		if (code === v.code) v.status = 'approved';
		return json(200, resource(v, { sid: v.sid, url: undefined }));
	}

	return {
		matches: (path) => VERIFY_PATH.test(path),
		reset: () => verifications.clear(),
		handle(req, authenticate) {
			const denied = authenticate();
			if (denied) return denied;
			const [, serviceSid, what, verificationSid] = VERIFY_PATH.exec(req.path) as RegExpExecArray;
			if (serviceSid !== account.verifyServiceSid) return twilioError(404, 20404, `The requested resource /Services/${serviceSid} was not found`);
			if (what === 'VerificationCheck') {
				if (verificationSid !== undefined || req.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
				return check(req, serviceSid);
			}
			if (verificationSid === undefined) {
				if (req.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
				return start(req, serviceSid);
			}
			const v = live(verifications.get(verificationSid));
			if (!v || v.serviceSid !== serviceSid) return twilioError(404, 20404, `The requested resource /Services/${serviceSid}/Verifications/${verificationSid} was not found`);
			if (req.method === 'GET') return json(200, resource(v));
			if (req.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
			const status = form(req).get('Status');
			if (status !== 'canceled' && status !== 'approved') return twilioError(400, 60200, 'Invalid parameter: Status');
			v.status = status;
			v.updatedAt = new Date();
			return json(200, resource(v));
		},
	};
}
