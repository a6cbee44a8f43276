import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { routeCredentials } from '../shared/descriptions/route';
import { withSharedStateCredential } from '../shared/descriptions/sharedState';
import { messagingRedisConnectionTest } from '../shared/state/redisStore';
import { runWhole } from '../shared/items';
import * as campaign from './actions/campaign.operation';

export class SmsCampaign implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bulk SMS Campaign',
		name: 'smsCampaign',
		icon: { light: 'file:smsCampaign.svg', dark: 'file:smsCampaign.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ ($parameter["dryRun"] ? "Dry run · " : "") + $parameter["provider"].split(",").map(p => ({twilio: "Twilio", sinch: "Sinch", sns: "AWS SNS"})[p] || p).join(" → ") }}',
		description: 'Send one message, personalised and in each recipient\'s language, to many recipients at the rate the sender allows, with dedupe, opt-outs, quiet hours, a dry run and a summary',
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-messaging-gateway#bulk-sms-campaign',
		defaults: { name: 'Bulk SMS Campaign' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Recipients', 'Summary'],
		credentials: withSharedStateCredential(routeCredentials()),
		properties: campaign.description,
	};

	methods = {
		credentialTest: {
			messagingRedisConnectionTest,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// A campaign-wide problem (no sender, a bad rate) stops it before anything is sent.
		return await runWhole(this, 2, 1, async () => await campaign.runCampaign(this));
	}
}
