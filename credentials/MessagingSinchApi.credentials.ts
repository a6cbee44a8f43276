import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { sinchApplicationAuthorization } from '../nodes/shared/signatures/sinch';
import { sinchHosts } from '../nodes/shared/providers/sinch/index';

/**
 * Sinch for the Messaging Gateway nodes: SMS (service plan + API token, or project + access key with an
 * OAuth2 token), Verification (application key + secret, signed requests) and Conversation (WhatsApp).
 */
export class MessagingSinchApi implements ICredentialType {
	name = 'messagingSinchApi';

	displayName = 'Messaging Gateway: Sinch API';

	icon = 'file:icons/sinch.svg' as const;

	documentationUrl = 'https://developers.sinch.com/docs/sms/api-reference/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'SMS Authentication',
			name: 'smsAuth',
			type: 'options',
			options: [
				{ name: 'Service Plan ID + API Token', value: 'servicePlan' },
				{ name: 'Project ID + Access Key (OAuth2)', value: 'project' },
			],
			default: 'servicePlan',
		},
		{
			displayName: 'SMS Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'United States', value: 'us' },
				{ name: 'Europe', value: 'eu' },
				{ name: 'Australia', value: 'au' },
				{ name: 'Brazil', value: 'br' },
				{ name: 'Canada', value: 'ca' },
			],
			default: 'us',
			description: 'Where the service plan lives. Project (OAuth2) authentication exists in US and EU only.',
		},
		{
			displayName: 'Service Plan ID',
			name: 'servicePlanId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { smsAuth: ['servicePlan'] } },
		},
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { smsAuth: ['servicePlan'] } },
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { smsAuth: ['project'] } },
		},
		{
			displayName: 'Access Key ID',
			name: 'keyId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { smsAuth: ['project'] } },
		},
		{
			displayName: 'Access Key Secret',
			name: 'keySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { smsAuth: ['project'] } },
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Verification Application Key (Optional)',
			name: 'verificationAppKey',
			type: 'string',
			default: '',
			description: 'Optional: only the Phone Verification node uses it, for Sinch Verification (Sinch dashboard → Verification → Apps). Sending SMS does not need it.',
		},
		{
			displayName: 'Verification Application Secret (Optional)',
			name: 'verificationAppSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Optional, with the Verification Application Key: base64, as the dashboard shows it',
		},
		{
			displayName: 'Conversation Project ID (Optional)',
			name: 'conversationProjectId',
			type: 'string',
			default: '',
			description: 'Optional: only Send WhatsApp uses it, through the Sinch Conversation API (with the access key above). Sending SMS does not need it.',
		},
		{
			displayName: 'Conversation App ID (Optional)',
			name: 'conversationAppId',
			type: 'string',
			default: '',
			description: 'Optional: the Conversation API app that sends WhatsApp messages, for Send WhatsApp',
		},
		{
			displayName: 'Conversation Region',
			name: 'conversationRegion',
			type: 'options',
			options: [
				{ name: 'Same as the SMS Region', value: '' },
				{ name: 'United States', value: 'us' },
				{ name: 'Europe', value: 'eu' },
				{ name: 'Brazil', value: 'br' },
			],
			default: '',
			description: 'Where the Conversation API app lives (Send WhatsApp). Conversation exists in the US, Europe and Brazil; other SMS regions use the US.',
		},
		{
			displayName: 'Webhook Signing Secret (Optional)',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The secret Sinch signs callbacks with (x-sinch-webhook-signature): SMS callbacks, as Sinch support or the dashboard gives it, and the Conversation API app's webhook (WhatsApp), where you set it yourself. The Messaging Trigger refuses unsigned Sinch callbacks unless its signature check is turned off.",
		},
		{
			displayName: 'SMS Base URL',
			name: 'smsBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://us.sms.api.sinch.com',
			description:
				"Advanced. Leave the base URLs empty for Sinch's own hosts. Point them at the Messaging Gateway sandbox (e.g. http://127.0.0.1:4010) to try the nodes without an account.",
		},
		{
			displayName: 'Auth Base URL',
			name: 'authBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://auth.sinch.com',
		},
		{
			displayName: 'Verification Base URL',
			name: 'verificationBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://verification.api.sinch.com',
		},
		{
			displayName: 'Conversation Base URL',
			name: 'conversationBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://us.conversation.api.sinch.com',
		},
		{
			displayName: 'Provisioning Base URL',
			name: 'provisioningBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://provisioning.api.sinch.com',
			description: "Where Send WhatsApp asks for a template's WhatsApp approval before sending",
		},
	];

	/** Project authentication: exchange the access key for a token, kept until Sinch refuses it (401). */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		if (credentials.smsAuth !== 'project') return {};
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${sinchHosts(credentials).auth}/oauth2/token`,
			auth: { username: String(credentials.keyId), password: String(credentials.keySecret) },
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials',
			json: true,
			// A token server that never answers must not hold the item: the send's own deadline covers this too.
			timeout: 15_000,
		})) as { access_token?: string };
		if (!response?.access_token) throw new Error('Sinch did not return an access token: check the access key ID and secret');
		return { accessToken: response.access_token };
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const target = `${requestOptions.baseURL ?? ''}${requestOptions.url}`;
		if (/\/verification\/v\d+\//.test(target)) {
			return signVerificationRequest(credentials, requestOptions, target);
		}
		// SMS, Conversation and Provisioning (WhatsApp templates) requests all carry the bearer token.
		const token = credentials.smsAuth === 'project' ? credentials.accessToken : credentials.apiToken;
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(token ?? '')}` },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.smsBaseUrl ? $credentials.smsBaseUrl.replace(/\\/+$/, "") : ($credentials.smsAuth === "project" ? "https://zt." + $credentials.region + ".sms.api.sinch.com" : "https://" + $credentials.region + ".sms.api.sinch.com")}}',
			url: '=/xms/v1/{{$credentials.smsAuth === "project" ? $credentials.projectId : $credentials.servicePlanId}}/batches?page_size=1',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Sinch refused these credentials: check the service plan ID and API token (or the project access key), and the region',
				},
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'Sinch refused access: the token does not belong to this service plan or project, or it lives in another region' },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'Sinch has no such service plan or project in this region' },
			},
		],
	};
}

function signVerificationRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
	target: string,
): IHttpRequestOptions {
	const body =
		requestOptions.body === undefined || requestOptions.body === null
			? ''
			: typeof requestOptions.body === 'string'
				? requestOptions.body
				: JSON.stringify(requestOptions.body);
	const contentType = body === '' ? '' : 'application/json; charset=UTF-8';
	const timestamp = new Date().toISOString();
	const url = new URL(target);
	const authorization = sinchApplicationAuthorization({
		applicationKey: String(credentials.verificationAppKey ?? ''),
		applicationSecret: String(credentials.verificationAppSecret ?? ''),
		method: requestOptions.method ?? 'GET',
		contentType,
		timestamp,
		path: `${url.pathname}${url.search}`,
		body,
	});
	return {
		...requestOptions,
		body: body === '' ? undefined : body,
		headers: {
			...requestOptions.headers,
			...(contentType ? { 'Content-Type': contentType } : {}),
			'x-timestamp': timestamp,
			Authorization: authorization,
		},
	};
}
