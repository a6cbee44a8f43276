import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Redis for the Messaging Gateway nodes: where they keep what every execution, worker and main process must agree on
 * (how many codes a number was sent lately, how many checks a verification has had, whether it was used). Redis has
 * no HTTP request to test it with: the node that uses it names its connection test in `testedBy`
 * (nodes/shared/state/redisStore.ts, testRedisCredential).
 */
export class MessagingRedisApi implements ICredentialType {
	name = 'messagingRedisApi';

	displayName = 'Messaging Gateway: Redis';

	icon = 'file:icons/redis.svg' as const;

	documentationUrl = 'https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			required: true,
			description:
				"The Redis server's name or address. The same Redis that n8n's queue mode uses works: every key this package writes starts with the key prefix below, apart from n8n's own.",
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 6379,
			required: true,
		},
		{
			displayName: 'Database Number',
			name: 'database',
			type: 'number',
			default: 0,
			description: 'Redis keeps numbered databases (0 to 15 unless configured otherwise); 0 is the one used when nothing says otherwise',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'Only for a Redis with users (ACL, Redis 6 or later). Leave empty to sign in with the password alone.',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Leave empty for a Redis without a password',
		},
		{
			displayName: 'Use TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			description: 'Whether to connect over TLS (needed by most hosted Redis services); the server certificate is checked',
		},
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			default: 'n8n-messaging-gateway:',
			description:
				'Every key this package writes starts with this, so it never touches anyone else\'s keys. Give two n8n instances that share a Redis but must not share counts different prefixes.',
		},
	];
}
