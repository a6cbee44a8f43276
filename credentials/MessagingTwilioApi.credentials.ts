import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** Twilio for the Messaging Gateway nodes: Account SID + Auth Token, or an API key. */
export class MessagingTwilioApi implements ICredentialType {
	name = 'messagingTwilioApi';

	displayName = 'Messaging Gateway: Twilio API';

	icon = 'file:icons/twilio.svg' as const;

	documentationUrl = 'https://www.twilio.com/docs/iam/api-keys';

	properties: INodeProperties[] = [
		{
			displayName: 'Authenticate With',
			name: 'authType',
			type: 'options',
			options: [
				{ name: 'Auth Token', value: 'authToken' },
				{ name: 'API Key', value: 'apiKey' },
			],
			default: 'authToken',
		},
		{
			displayName: 'Account SID',
			name: 'accountSid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'AC…',
			description: 'Starts with AC; shown on the Twilio console home page',
		},
		{
			displayName: 'Auth Token',
			name: 'authToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['authToken'] } },
		},
		{
			displayName: 'API Key SID',
			name: 'apiKeySid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'SK…',
			displayOptions: { show: { authType: ['apiKey'] } },
		},
		{
			displayName: 'API Key Secret',
			name: 'apiKeySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['apiKey'] } },
		},
		{
			displayName: 'Auth Token (for Webhook Signatures)',
			name: 'webhookAuthToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Twilio signs webhooks with the account's Auth Token, which an API key does not carry. Needed only to check incoming webhooks.",
			displayOptions: { show: { authType: ['apiKey'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.twilio.com',
			description:
				"Advanced. Leave empty for Twilio's own hosts. Set it to the Messaging Gateway sandbox (e.g. http://127.0.0.1:4010) to try the nodes without an account.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.authType === "apiKey" ? $credentials.apiKeySid : $credentials.accountSid}}',
				password: '={{$credentials.authType === "apiKey" ? $credentials.apiKeySecret : $credentials.authToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://api.twilio.com"}}',
			// Standard and Restricted API keys may not read /Accounts (20003), but may list messages.
			url: '=/2010-04-01/Accounts/{{$credentials.accountSid}}/Messages.json?PageSize=1',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Twilio refused these credentials (20003): check the Account SID and the Auth Token, or the API Key SID and Secret',
				},
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'Twilio has no account with this Account SID' },
			},
		],
	};
}
