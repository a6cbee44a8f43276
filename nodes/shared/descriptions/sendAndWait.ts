/**
 * The parameters of "Send and Wait for Reply" (Send SMS, Send WhatsApp): what answers the message, how long to wait,
 * the answer link, and where pending replies are kept. The names `message`, `responseType` and `approvalOptions` are
 * the ones n8n's human-in-the-loop tool wrapper knows (it fills in the message and forces approvals).
 */
import type { IDisplayOptions, INodeCredentialDescription, INodeProperties, IWebhookDescription } from 'n8n-workflow';
import { KEYWORD_LANGUAGES, KEYWORD_LISTS } from '../rules/optOut';

type Show = NonNullable<IDisplayOptions['show']>;

/**
 * n8n resumes a waiting execution through these: GET shows the answer page, POST records an answer (from the page, the
 * Messaging Trigger or the time limit). Path '' is n8n's token URL (`$execution.resumeUrl`): what the trigger and the
 * time limit post to, and the short link that works behind a proxy that strips a path prefix. Path = the node's ID is
 * n8n's signed link (`getSignedResumeUrl`, for nodes whose operation is `sendAndWait`): once the execution has ended,
 * n8n itself answers it with its "no action required" page instead of an error.
 */
export const SEND_AND_WAIT_WEBHOOKS: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', responseData: '', path: '', restartWebhook: true },
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '', restartWebhook: true },
	{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
];

export type WaitStoreHome = 'process' | 'redis';

/**
 * Hides the Redis credential unless Match Replies Using is Redis, also where the node has no such parameter (Send SMS's
 * other operations, a trigger that does not resume): `hide: { waitStore: ['process'] }` leaves it shown there, and n8n
 * then refuses to publish the workflow ("Missing required credential: Redis"). n8n's display check takes conditions in
 * credentials too; its type for them does not say so.
 */
const UNLESS_REDIS = { hide: { waitStore: [{ _cnd: { not: 'redis' } }] } } as unknown as INodeCredentialDescription['displayOptions'];

/**
 * The node's credentials with the package's Redis one, asked for when Match Replies Using is Redis. `hide`, not
 * `show`: with `show` n8n's editor would take Match Replies Using for an authentication selector.
 */
export function withWaitCredential(credentials: INodeCredentialDescription[]): INodeCredentialDescription[] {
	return [...credentials, { name: 'messagingRedisApi', displayName: 'Redis', required: true, testedBy: 'messagingRedisConnectionTest', displayOptions: UNLESS_REDIS }];
}

/** `moreOptions`: the sending node's own options (number validation, retries), added to the Options collection. */
export function sendAndWaitProperties(show: Show, channel: 'sms' | 'whatsapp', moreOptions: INodeProperties[] = []): INodeProperties[] {
	const approval = { show: { ...show, responseType: ['approval'] } };
	return [
		{
			displayName: 'Response Type',
			name: 'responseType',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Approval', value: 'approval', description: `Approve or decline: a reply such as YES or NO${channel === 'whatsapp' ? ', a button' : ''}, or the answer page` },
				{ name: 'Free Text', value: 'freeText', description: 'Any reply: its text comes out as the answer' },
			],
			default: 'approval',
			displayOptions: { show },
		},
		{
			displayName: 'Approval Options',
			name: 'approvalOptions',
			type: 'fixedCollection',
			placeholder: 'Add option',
			default: {},
			options: [
				{
					displayName: 'Values',
					name: 'values',
					values: [
						{
							displayName: 'Type of Approval',
							name: 'approvalType',
							type: 'options',
							options: [
								{ name: 'Approve Only', value: 'single', description: 'One answer accepts (a technician\'s "reply ACCEPT")' },
								{ name: 'Approve and Decline', value: 'double' },
							],
							default: 'double',
						},
						{
							displayName: 'Approve Button Label',
							name: 'approveLabel',
							type: 'string',
							default: 'Approve',
							description: `The approve button on the answer page${channel === 'whatsapp' ? ' and under the WhatsApp message' : ''}`,
						},
						{
							displayName: 'Decline Button Label',
							name: 'disapproveLabel',
							type: 'string',
							default: 'Decline',
							displayOptions: { show: { approvalType: ['double'] } },
						},
					],
				},
			],
			displayOptions: approval,
		},
		{
			displayName: 'Limit Wait Time',
			name: 'limitWaitTime',
			type: 'boolean',
			default: true,
			description: 'Whether the workflow goes on without an answer after a while (approved comes out as null and timedOut as true)',
			displayOptions: { show },
		},
		{
			displayName: 'Amount',
			name: 'waitAmount',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: 1,
			displayOptions: { show: { ...show, limitWaitTime: [true] } },
		},
		{
			displayName: 'Unit',
			name: 'waitUnit',
			type: 'options',
			options: [
				{ name: 'Minutes', value: 'minutes' },
				{ name: 'Hours', value: 'hours' },
				{ name: 'Days', value: 'days' },
			],
			default: 'days',
			displayOptions: { show: { ...show, limitWaitTime: [true] } },
		},
		{
			displayName: 'Match Replies Using',
			name: 'waitStore',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'This N8n Process', value: 'process', description: 'One n8n instance in regular mode. A restart forgets who is waiting: links and the time limit still work.' },
				{ name: 'Redis', value: 'redis', description: 'Queue mode, several n8n processes, and waits that outlive a restart' },
			],
			default: 'process',
			description: "Where the Messaging Trigger finds this message when the reply comes in: set the trigger's Match Replies Using the same way",
			displayOptions: { show },
		},
		{
			displayName:
				'Replies come back through an active workflow with a Messaging Trigger on the same number (Resume Waiting Workflows on). Without one, the answer link and the time limit still work.',
			name: 'sendAndWaitNotice',
			type: 'notice',
			default: '',
			displayOptions: { show },
		},
		{
			displayName: 'Options',
			name: 'waitOptions',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			displayOptions: { show },
			// The editor lists a collection's options as given: kept in alphabetical order.
			options: ([...moreOptions,
				{
					displayName: 'Add Answer Link',
					name: 'answerLink',
					type: 'boolean',
					default: false,
					description:
						'Whether the message ends with a link to a page with the buttons (about 100 characters: often a second SMS segment). Opening the link answers nothing: only a button does, so link previews cannot.',
				},
				{
					displayName: 'Answer Link Type',
					name: 'linkType',
					type: 'options',
					options: [
						{ name: 'Signed (N8n Shows "No Action Required" Once Answered)', value: 'signed', description: "The signed link n8n makes, about 150 characters" },
						{ name: 'Short (Works Behind a Path-Stripping Proxy)', value: 'token', description: 'The resume URL with its token, about 100 characters: use it when n8n runs under a path (https://example.com/n8n/) behind a proxy that strips it' },
					],
					default: 'signed',
					displayOptions: { show: { answerLink: [true] } },
				},
				{
					displayName: 'Add Reply Instructions',
					name: 'addInstructions',
					type: 'boolean',
					default: true,
					description: 'Whether the message ends with how to answer ("Reply YES or NO."), and the reference when one is needed',
				},
				{
					displayName: 'Approve Words',
					name: 'approveWords',
					type: 'string',
					default: '',
					placeholder: 'ACCEPT, GO',
					description: 'Your own words that approve, separated by commas; the first one is the word the instructions show',
					displayOptions: { show: { '/responseType': ['approval'] } },
				},
				{
					displayName: 'Decline Words',
					name: 'declineWords',
					type: 'string',
					default: '',
					placeholder: 'REFUSE, HOLD',
					description: 'Your own words that decline, separated by commas; the first one is the word the instructions show',
					displayOptions: { show: { '/responseType': ['approval'] } },
				},
				{
					displayName: 'Reply Instructions',
					name: 'instructions',
					type: 'string',
					default: '',
					placeholder: 'Antworten Sie {approve} oder {decline}. {link}',
					description:
						'Your own wording of the last line, with {approve}, {decline} (each with the reference when there is one), {reference} and {link}. Empty: "Reply YES or NO." in English.',
				},
				{
					displayName: 'Several Waiting for One Person',
					name: 'severalWaiting',
					type: 'options',
					options: [
						{ name: 'Add a Reference to Quote', value: 'reference', description: 'A message sent while another waits for the same person carries a short reference ("Reply YES K4M"); a reply without one answers the message sent without one' },
						{ name: 'The Latest Message Wins', value: 'latest', description: 'No reference: a reply answers the latest message still waiting' },
					],
					default: 'reference',
				},
				{
					displayName: 'Word Languages',
					name: 'languages',
					type: 'multiOptions',
					options: KEYWORD_LISTS.map((list) => ({ name: list.label, value: list.language })),
					default: [...KEYWORD_LANGUAGES],
					description: 'The languages whose yes and no words answer (YES, OUI, SÍ, JA, SIM, EVET, NEE…)',
					displayOptions: { show: { '/responseType': ['approval'] } },
				},
			] as INodeProperties[]).sort((a, b) => a.displayName.localeCompare(b.displayName)),
		},
	];
}
