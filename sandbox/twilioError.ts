/** Twilio's error answer ({code, message, more_info, status}), as every Twilio API of the sandbox gives it. */
import { json } from './http';
import type { SandboxResponse } from './types';

export function twilioError(status: number, code: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
	return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}
