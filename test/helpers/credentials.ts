import type { Sandbox } from '../../sandbox/server';

/** Credentials of this package's types, pointing at a sandbox. */
export function sandboxCredentials(sandbox: Sandbox) {
	const { twilio, sinch, sns } = sandbox.accounts;
	return {
		messagingTwilioApi: { authType: 'authToken', accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: sandbox.url },
		messagingSinchApi: {
			smsAuth: 'servicePlan',
			region: sinch.region,
			servicePlanId: sinch.servicePlanId,
			apiToken: sinch.apiToken,
			accessToken: '',
			smsBaseUrl: sandbox.url,
			authBaseUrl: sandbox.url,
			verificationBaseUrl: sandbox.url,
			conversationBaseUrl: sandbox.url,
		},
		messagingAwsSnsApi: { region: sns.region, accessKeyId: sns.accessKeyId, secretAccessKey: sns.secretAccessKey, sessionToken: '', baseUrl: sandbox.url },
	};
}

