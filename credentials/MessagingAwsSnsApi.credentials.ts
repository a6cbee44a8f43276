import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { signAwsRequest } from '../nodes/shared/signatures/awsSigV4';

const REGIONS = [
	'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
	'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
	'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
	'me-south-1', 'me-central-1', 'af-south-1', 'il-central-1',
];

function bodyAsString(body: IHttpRequestOptions['body']): string {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	if (body instanceof URLSearchParams) return body.toString();
	if (Buffer.isBuffer(body)) return body.toString('utf-8');
	return new URLSearchParams(body as Record<string, string>).toString();
}

/** AWS SNS for the Messaging Gateway nodes; every request is signed with Signature V4. */
export class MessagingAwsSnsApi implements ICredentialType {
	name = 'messagingAwsSnsApi';

	displayName = 'Messaging Gateway: AWS SNS API';

	icon = 'file:icons/sns.svg' as const;

	documentationUrl = 'https://docs.aws.amazon.com/sns/latest/dg/sms_sending-overview.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: REGIONS.map((r) => ({ name: r, value: r })),
			default: 'us-east-1',
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for temporary credentials from AWS STS',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://sns.us-east-1.amazonaws.com',
			description:
				'Advanced. Leave empty for the SNS endpoint of the region. Set it to a VPC endpoint, or to the Messaging Gateway sandbox (e.g. http://127.0.0.1:4010).',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const base = requestOptions.baseURL ?? '';
		const url = new URL(/^https?:\/\//.test(requestOptions.url) ? requestOptions.url : `${base.replace(/\/+$/, '')}/${requestOptions.url.replace(/^\/+/, '')}`);
		for (const [key, value] of Object.entries(requestOptions.qs ?? {})) url.searchParams.append(key, String(value));
		const body = bodyAsString(requestOptions.body);
		const headers: Record<string, string> = {};
		for (const [key, value] of Object.entries(requestOptions.headers ?? {})) headers[key] = String(value);
		const { headers: signed } = signAwsRequest({
			method: requestOptions.method ?? 'GET',
			url: url.toString(),
			headers,
			body,
			region: String(credentials.region),
			service: 'sns',
			accessKeyId: String(credentials.accessKeyId),
			secretAccessKey: String(credentials.secretAccessKey),
			sessionToken: credentials.sessionToken ? String(credentials.sessionToken) : undefined,
		});
		// The HTTP client sets Host from the URL; the signature covers the same value.
		const toSend: Record<string, string> = { ...signed };
		delete toSend.host;
		return {
			...requestOptions,
			url: url.toString(),
			baseURL: undefined,
			qs: undefined,
			body: body === '' ? undefined : body,
			headers: { ...requestOptions.headers, ...toSend },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://sns." + $credentials.region + ".amazonaws.com"}}',
			url: '/',
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
			body: 'Action=GetSMSAttributes&Version=2010-03-31',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'AWS refused these credentials: check the access key ID, the secret access key (and session token), and that the user may use SNS',
				},
			},
		],
	};
}
