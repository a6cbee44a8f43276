import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { baseUrlOr } from '../http';

/** Sinch's hosts for a credential: the real ones by region, or the base URLs the credential overrides them with. */
export function sinchHosts(credentials: ICredentialDataDecryptedObject) {
	const region = String(credentials.region || 'us');
	const project = credentials.smsAuth === 'project';
	return {
		sms: baseUrlOr(credentials.smsBaseUrl, project ? `https://zt.${region}.sms.api.sinch.com` : `https://${region}.sms.api.sinch.com`),
		auth: baseUrlOr(credentials.authBaseUrl, 'https://auth.sinch.com'),
		verification: baseUrlOr(credentials.verificationBaseUrl, 'https://verification.api.sinch.com'),
		conversation: baseUrlOr(credentials.conversationBaseUrl, `https://${region === 'eu' ? 'eu' : region === 'br' ? 'br' : 'us'}.conversation.api.sinch.com`),
		/** The path segment SMS requests are scoped by. */
		smsScope: project ? String(credentials.projectId ?? '') : String(credentials.servicePlanId ?? ''),
	};
}
