import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The secret built-in verification codes are keyed by. The Send Code node signs a token with it (the token holds a
 * keyed hash of the code, never the code); the Check Code node must use the same credential to check the code.
 */
export class MessagingVerificationSecretApi implements ICredentialType {
	name = 'messagingVerificationSecretApi';

	displayName = 'Messaging Gateway: Verification Code Secret API';

	icon = 'file:icons/key.svg' as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-messaging-gateway#phone-verification';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'At least 32 random characters, kept only here: a password manager\'s generator, or `openssl rand -base64 48`, makes one. Whoever has it could make codes pass; changing it makes every pending code fail.',
		},
	];
}
