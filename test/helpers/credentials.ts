import type { Sandbox } from '../../sandbox/server';
import { Engine } from './engine';

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

/** An engine for one test file, with fresh sandbox credentials before each test. */
export function useEngine(box: { get: () => Sandbox }): { get: () => Engine } {
	let engine: Engine | undefined;
	beforeAll(async () => {
		engine = await Engine.load();
	});
	beforeEach(() => {
		for (const [type, data] of Object.entries(sandboxCredentials(box.get()))) engine?.setCredentials(type, { ...data });
	});
	return {
		get: () => {
			if (!engine) throw new Error('engine not loaded');
			return engine;
		},
	};
}
