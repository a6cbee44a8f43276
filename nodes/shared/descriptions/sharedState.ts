/**
 * Where a sending node keeps the sender's rate budget and a campaign's sent-ledger: this n8n process, or the
 * package's Redis credential, shared by every execution and queue-mode worker (UI only).
 */
import type { IDisplayOptions, INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

export type SharingHome = 'process' | 'redis';

export function sharedStateProperty(what: 'campaign' | 'send', show?: IDisplayOptions['show']): INodeProperties {
	const kept = what === 'campaign' ? "each sender's rate, and who was sent to under a Campaign Key" : "each sender's rate (Rate Limit)";
	return {
		displayName: 'Share Rate Limits Via',
		name: 'sharedState',
		type: 'options',
		options: [
			{ name: 'This Process (Regular Mode)', value: 'process', description: `No setup: every execution on this n8n shares ${kept}; queue-mode workers do not see each other's` },
			{
				name: 'Redis (Queue Mode)',
				value: 'redis',
				description: `Every execution and queue-mode worker using the same Redis credential shares ${kept}. If Redis cannot be reached for 30 s, sending stops.`,
			},
		],
		default: 'process',
		description: `Where ${kept} is kept. With n8n in queue mode (several workers), pick Redis so that two workers sending from one number together stay under its rate.`,
		...(show ? { displayOptions: { show } } : {}),
	};
}

/**
 * The package's Redis credential, asked for when Share Rate Limits Via is Redis. `hide` with a condition, so that a node
 * saved without the parameter (its default) does not ask for it (see descriptions/sendAndWait.ts).
 */
export function withSharedStateCredential(credentials: INodeCredentialDescription[]): INodeCredentialDescription[] {
	return [...credentials, sharedStateCredential()];
}

function sharedStateCredential(): INodeCredentialDescription {
	return {
		name: 'messagingRedisApi',
		displayName: 'Redis',
		required: true,
		testedBy: 'messagingRedisConnectionTest',
		displayOptions: { hide: { sharedState: [{ _cnd: { not: 'redis' } }] } } as unknown as INodeCredentialDescription['displayOptions'],
	};
}

/**
 * Send SMS's Redis credential, for Send and Wait's Match Replies Using and Send's Share Rate Limits Via. n8n's display
 * rules cannot say "hidden unless one of two parameters is Redis" for a node saved without them (their defaults), so
 * the slot is hidden while either says This Process, and not required: the node itself says clearly when Redis
 * is chosen and no credential is set.
 */
export function withSendSmsRedisCredential(credentials: INodeCredentialDescription[]): INodeCredentialDescription[] {
	return [...credentials, sendSmsRedisCredential()];
}

function sendSmsRedisCredential(): INodeCredentialDescription {
	return {
		name: 'messagingRedisApi',
		displayName: 'Redis',
		required: false,
		testedBy: 'messagingRedisConnectionTest',
		displayOptions: { hide: { operation: ['getStatus', 'cancel'], waitStore: ['process'], sharedState: ['process'] } },
	};
}
