import {
	NodeConnectionTypes,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IExecuteFunctions,
		type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { runOperations, type ItemOperation } from '../shared/items';
import { judgeSecret } from '../shared/rules/otp';
import { messagingRedisConnectionTest } from '../shared/state/redisStore';
import { BUILTIN, BUILTIN_ENGINES, engineOptions, ENGINES, enginesUsing, readEngine, SERVICE_ENGINES, START_ENGINES, type Engine } from '../shared/verification/engines';
import * as cancelOperation from './actions/cancel.operation';
import * as checkOperation from './actions/check.operation';
import * as getStatusOperation from './actions/getStatus.operation';
import * as startOperation from './actions/start.operation';

const OPERATIONS: Record<string, ItemOperation> = {
	start: startOperation.start,
	check: checkOperation.check,
	cancel: cancelOperation.cancel,
	getStatus: getStatusOperation.getStatus,
};

const others = (keep: readonly string[]) => ENGINES.filter((value) => !keep.includes(value));

/** Each verification service's own parameters (Twilio's Verify Service SID), on every operation. */
function serviceProperties() {
	return SERVICE_ENGINES.flatMap((value) => (readEngine(value) as Extract<Engine, { kind: 'service' }>).verify.properties({ engine: [value] }));
}

export class PhoneVerification implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Phone Verification',
		name: 'phoneVerification',
		icon: { light: 'file:phoneVerification.svg', dark: 'file:phoneVerification.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ ({start: "Send Code", check: "Check Code", cancel: "Cancel", getStatus: "Get Status"})[$parameter["operation"]] }}',
		description: 'Send a one-time code by SMS or call and check what the person typed: Twilio Verify, Sinch Verification, or built-in codes over Twilio, Sinch or AWS SNS',
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-messaging-gateway#phone-verification',
		defaults: { name: 'Phone Verification' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// A slot per provider, shown for the engines that use it; the code secret for built-in codes; Redis when limits
		// are kept there. Written out in full (literal names, testedBy), as n8n's lint reads them, and as `hide` (see
		// descriptions/route.ts: with `show`, n8n's editor would take Engine for an authentication selector).
		credentials: [
			{ name: 'messagingTwilioApi', displayName: 'Twilio Credential', required: true, displayOptions: { hide: { engine: others(enginesUsing('twilio')) } } },
			{ name: 'messagingSinchApi', displayName: 'Sinch Credential', required: true, displayOptions: { hide: { engine: others(enginesUsing('sinch')) } } },
			{ name: 'messagingAwsSnsApi', displayName: 'AWS SNS Credential', required: true, displayOptions: { hide: { engine: others(enginesUsing('sns')) } } },
			{
				name: 'messagingVerificationSecretApi',
				displayName: 'Verification Code Secret',
				required: true,
				testedBy: 'messagingVerificationSecretTest',
				displayOptions: { hide: { engine: others([...BUILTIN_ENGINES, BUILTIN]) } },
			},
			{
				name: 'messagingRedisApi',
				displayName: 'Redis',
				required: true,
				testedBy: 'messagingRedisConnectionTest',
				displayOptions: { hide: { sharedState: ['workflow'] } },
			},
		],
		hints: [
			{
				type: 'info',
				location: 'ndv',
				whenToDisplay: 'always',
				displayCondition: '={{ $parameter["sharedState"] !== "redis" }}',
				message:
					"Limits are kept for this workflow by this n8n process (and saved in the workflow's data): every execution of this workflow on this n8n sees them at once, but not other workflows, and not other n8n processes (queue-mode workers). For those, keep them in Redis.",
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Send Code', value: 'start', action: 'Send a verification code', description: 'Start a verification: send a one-time code to a number' },
					{ name: 'Check Code', value: 'check', action: 'Check a verification code', description: 'Whether the code the person typed is right: approved, denied, expired…' },
					{ name: 'Cancel', value: 'cancel', action: 'Cancel a verification', description: 'Make a pending code stop working' },
					{ name: 'Get Status', value: 'getStatus', action: 'Get the status of a verification', description: 'Where a verification stands, without using up a check' },
				],
				default: 'start',
			},
			{
				displayName: 'Engine',
				name: 'engine',
				type: 'options',
				noDataExpression: true,
				options: engineOptions(START_ENGINES),
				default: 'twilio',
				description: 'Who makes, sends and checks the code. Check Code then uses the same service (or Built-in Codes) and the same credentials.',
				displayOptions: { show: { operation: ['start'] } },
			},
			{
				displayName: 'Engine',
				name: 'engine',
				type: 'options',
				noDataExpression: true,
				options: engineOptions([...SERVICE_ENGINES, BUILTIN]),
				default: 'twilio',
				description: 'Who sent the code: the same service as in Send Code, or Built-in Codes (whatever provider sent them)',
				displayOptions: { show: { operation: ['check'] } },
			},
			{
				displayName: 'Engine',
				name: 'engine',
				type: 'options',
				noDataExpression: true,
				options: engineOptions(cancelOperation.CANCEL_ENGINES),
				default: 'twilio',
				description: 'Who made the verification',
				displayOptions: { show: { operation: ['cancel'] } },
			},
			{
				displayName: 'Engine',
				name: 'engine',
				type: 'options',
				noDataExpression: true,
				options: engineOptions(getStatusOperation.STATUS_ENGINES),
				default: 'twilio',
				description: 'Who made the verification',
				displayOptions: { show: { operation: ['getStatus'] } },
			},
			...serviceProperties(),
			{
				displayName: 'Keep Limits In',
				name: 'sharedState',
				type: 'options',
				options: [
					{ name: 'This Workflow', value: 'workflow', description: "The workflow's static data: no setup; see the note about what it guarantees" },
					{ name: 'Redis', value: 'redis', description: 'Shared by every workflow, execution and queue-mode worker using the same Redis credential' },
				],
				default: 'workflow',
				description: "Where codes sent per number, checks per code, used codes and built-in codes' Rate Limit are counted",
			},
			...startOperation.description,
			...checkOperation.description,
			...cancelOperation.description,
			...getStatusOperation.description,
		],
	};

	methods = {
		credentialTest: {
			async messagingVerificationSecretTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				return judgeSecret(credential.data?.secret);
			},
			messagingRedisConnectionTest,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, OPERATIONS, 'Phone Verification', 'Pick Send Code, Check Code, Cancel or Get Status.');
	}
}
