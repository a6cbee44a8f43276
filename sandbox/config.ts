/**
 * The sandbox's accounts and the numbers that behave in set ways. Everything here is fake and public:
 * these secrets open nothing but the sandbox.
 */
export interface SandboxAccounts {
	twilio: {
		accountSid: string;
		authToken: string;
		apiKeySid: string;
		apiKeySecret: string;
		/** Numbers the account owns (From must be one of them, a short code or an alphanumeric sender). */
		numbers: string[];
		messagingServiceSid: string;
		/** Numbers a Messaging Service sends from. */
		serviceNumbers: string[];
		/** The Verify service (verify.twilio.com/v2/Services/VA…). */
		verifyServiceSid: string;
		/** WhatsApp senders of the account (`From: whatsapp:+…`); inbound WhatsApp messages to them go to the number's SmsUrl. */
		whatsappNumbers: string[];
	};
	sinch: {
		servicePlanId: string;
		apiToken: string;
		projectId: string;
		keyId: string;
		keySecret: string;
		region: string;
		numbers: string[];
		/** When set, SMS callbacks carry x-sinch-webhook-signature. */
		webhookSecret: string;
		verificationAppKey: string;
		verificationAppSecret: string;
		/** The Conversation API app that sends WhatsApp (Sinch app IDs are 26-character ULIDs). */
		conversationAppId: string;
		/** The WhatsApp number of that app: what people write to on the phone page. */
		whatsappNumbers: string[];
	};
	sns: {
		accessKeyId: string;
		secretAccessKey: string;
		region: string;
		/** The AWS account ID in topic ARNs. */
		accountId: string;
		/** Two-way SMS numbers: what people text to them is published to the inbound topic. */
		numbers: string[];
		/** The topic two-way SMS publishes to (it exists from the start). */
		inboundTopic: string;
	};
}

export const DEFAULT_ACCOUNTS: SandboxAccounts = {
	twilio: {
		accountSid: `AC${'5a'.repeat(16)}`,
		authToken: 'sandbox_twilio_auth_token_00000',
		apiKeySid: `SK${'5b'.repeat(16)}`,
		apiKeySecret: 'sandbox_twilio_api_key_secret_0',
		numbers: ['+15005550006', '+12025550134', '+447911000001'],
		messagingServiceSid: `MG${'5c'.repeat(16)}`,
		serviceNumbers: ['+12025550135', '+12025550136'],
		verifyServiceSid: `VA${'5d'.repeat(16)}`,
		whatsappNumbers: ['+14155238886'],
	},
	sinch: {
		servicePlanId: 'sandboxplan0000000000000000000001',
		apiToken: 'sandbox_sinch_api_token_000000001',
		projectId: 'sandbox-project-0000-0000-000000000001',
		keyId: 'sandbox-key-0000-0000-000000000001',
		keySecret: 'sandbox_sinch_key_secret_0001',
		region: 'us',
		numbers: ['+12025550150', '+46700000001'],
		webhookSecret: 'sandbox_sinch_webhook_secret',
		verificationAppKey: '5a5a5a5a-0000-4000-8000-000000000001',
		verificationAppSecret: Buffer.from('sandbox-verification-secret').toString('base64'),
		conversationAppId: '01SANDBXAPP000000000000001',
		whatsappNumbers: ['+12025550155'],
	},
	sns: {
		accessKeyId: 'AKIASANDBOX000000001',
		secretAccessKey: 'sandbox/aws/secret/access/key/000000001',
		region: 'us-east-1',
		accountId: '123456789012',
		numbers: ['+12025550160'],
		inboundTopic: 'sandbox-inbound-sms',
	},
};

/** Recipients that fail in a set way, with every provider. All are valid numbers, so they get past validation. */
export const MAGIC_NUMBERS = {
	/** Refused at once: the provider says the number is invalid. */
	invalid: ['+12125550101', '+15005550001'],
	/** Refused at once: the recipient replied STOP. */
	optedOut: ['+12125550102', '+15005550004'],
	/** Refused at once: not a mobile number. */
	landline: ['+12125550103', '+15005550009'],
	/** Accepted, then undelivered: the handset is unreachable. */
	unreachable: ['+12125550104', '+15005550002'],
	/** Accepted, then failed: the carrier filtered it. */
	filtered: ['+12125550105'],
};

export interface SandboxLimits {
	/** Twilio: requests in flight per account before 429/20429. */
	twilioConcurrency: number;
	/** Twilio: how much backlog a sender may queue before 21611, in (scaled) milliseconds. */
	twilioMaxQueueMs: number;
	/**
	 * Twilio: segments a second every sender sends (WhatsApp senders: messages a second), in place of each sender's
	 * real rate (a US long code 1, toll-free 3, a short code 100…). Unset (the default): the real rates. A benchmark
	 * lifts it (e.g. 1e6) to push 10,000 messages through one sender without a backlog or 21611.
	 */
	twilioSenderPerSecond?: number;
	/** Sinch: messages per second per service plan (counted per recipient) before 429. */
	sinchPerSecond: number;
	/** AWS SNS: Publish calls per second per account before Throttling. */
	snsPerSecond: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
	twilioConcurrency: 100,
	twilioMaxQueueMs: 10 * 60 * 60 * 1000,
	sinchPerSecond: 100,
	snsPerSecond: 20,
};
