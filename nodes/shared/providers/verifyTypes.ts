/**
 * The verify capability: one-time codes started, checked and canceled by a provider's own verification service
 * (Twilio Verify, Sinch Verification). Every engine answers in the one shape below, and an answer a workflow should
 * branch on (a wrong code, too many attempts, an expired verification) is a status, never an exception.
 */
import type { IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';
import type { ProviderContext, SenderParameters } from './types';

export const VERIFICATION_STATUSES = ['pending', 'approved', 'denied', 'expired', 'canceled', 'max_attempts_reached', 'failed'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

export interface VerificationChannel {
	value: string;
	label: string;
	/** A voice call: what reaches a landline. */
	voice?: boolean;
	/** The code goes to an email address, not a phone number. */
	email?: boolean;
}

/** What a verification is, after a start, a check or a cancel. Never holds a code. */
export interface VerificationResult {
	verificationId: string | null;
	/** E.164 (or the e-mail address, for an e-mail channel). */
	to: string | null;
	channel: string | null;
	status: VerificationStatus;
	/** True only when the code was right: `status` is `approved`. */
	valid: boolean;
	/** Codes sent so far (after a start) or checks made (after a check), where the engine says. */
	attempts: number | null;
	expiresAt: string | null;
	/** Why, in a sentence, when the status is not what the workflow hoped for. */
	reason: string | null;
	raw: IDataObject;
}

export interface StartVerification {
	to: string;
	channel: string;
	locale?: string;
	/** A code the user made, where the engine allows it. */
	customCode?: string;
	/** Your own reference for the verification, where the engine keeps one (Sinch). */
	reference?: string;
	/** The engine's own settings, read from the node by `readSettings`. */
	settings: IDataObject;
}

export interface CheckVerification {
	code: string;
	/** By number, or by the ID a start returned. */
	to?: string;
	verificationId?: string;
	settings: IDataObject;
}

export interface VerifyCapability {
	/** What the engine is called: "Twilio Verify". */
	label: string;
	channels: readonly VerificationChannel[];
	/** The start options the engine honours; the node offers them only for engines that do. */
	startOptions?: { locale?: boolean; customCode?: boolean; reference?: boolean };
	/** The node parameters the engine needs (a Verify service SID), shown when it is chosen. */
	properties: (show: NonNullable<IDisplayOptions['show']>) => INodeProperties[];
	readSettings: (read: SenderParameters) => IDataObject;
	start(ctx: ProviderContext, request: StartVerification): Promise<VerificationResult>;
	check(ctx: ProviderContext, request: CheckVerification): Promise<VerificationResult>;
	/** Stop a pending verification; absent where the engine cannot (its verifications simply expire). */
	cancel?(ctx: ProviderContext, request: { verificationId: string; settings: IDataObject }): Promise<VerificationResult>;
	/** Where a verification stands, by the ID a start returned or by number, without using up a check. */
	status?(ctx: ProviderContext, request: { verificationId?: string; to?: string; channel?: string; settings: IDataObject }): Promise<VerificationResult>;
}
