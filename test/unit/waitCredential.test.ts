// Imported at the top, never inside a test (docs/testing.md).
import { NodeHelpers, type INode, type INodeCredentialDescription, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';
import { MessagingTrigger } from '../../nodes/MessagingTrigger/MessagingTrigger.node';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { SmsCampaign } from '../../nodes/SmsCampaign/SmsCampaign.node';

/**
 * Whether n8n's publish validation (validateNodeCredentials) asks for the Redis credential on a node saved with these
 * parameters (defaults left out, as n8n saves them): required, and displayed by n8n's own display check.
 */
function asksForRedis(description: INodeTypeDescription, parameters: INodeParameters): boolean {
	const slot = (description.credentials ?? []).find((c) => c.name === 'messagingRedisApi') as INodeCredentialDescription;
	const node = { id: 'n', name: 'n', type: description.name, typeVersion: 1, position: [0, 0], parameters } as INode;
	return slot.required === true && NodeHelpers.displayParameter(parameters, slot, node, description);
}

/** Whether the editor shows the Redis credential box: the same display check, over the parameters with their defaults. */
function showsRedis(description: INodeTypeDescription, parameters: INodeParameters): boolean {
	const slot = (description.credentials ?? []).find((c) => c.name === 'messagingRedisApi') as INodeCredentialDescription;
	const node = { id: 'n', name: 'n', type: description.name, typeVersion: 1, position: [0, 0], parameters } as INode;
	const withDefaults = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description) ?? {};
	return NodeHelpers.displayParameter(withDefaults, slot, node, description);
}

describe('the Redis credential is asked for only where replies are matched in Redis', () => {
	const trigger = new MessagingTrigger().description;

	it.each([
		['Messaging Trigger, as added (defaults left out)', trigger, {}, false],
		['Messaging Trigger, not resuming', trigger, { resumeWaiting: false }, false],
		['Messaging Trigger, This n8n Process', trigger, { resumeWaiting: true, waitStore: 'process' }, false],
		['Messaging Trigger, Redis', trigger, { resumeWaiting: true, waitStore: 'redis' }, true],
	])('%s', (_, description, parameters, expected) => {
		expect(asksForRedis(description, parameters as INodeParameters)).toBe(expected);
		expect(showsRedis(description, parameters as INodeParameters)).toBe(expected);
	});
});

describe('Send SMS and Bulk SMS Campaign show the Redis credential only where something is kept in Redis', () => {
	const sendSms = new SendSms().description;
	const campaign = new SmsCampaign().description;

	// Send SMS's slot serves two parameters (Match Replies Using, Share Rate Limits Via): n8n's display rules cannot hide
	// it for a node saved without both, so it is never required there, and the node says when Redis lacks a credential.
	it.each([
		['Send SMS, as added', sendSms, {}, false, false],
		['Send SMS, Send, This Process', sendSms, { operation: 'send', sharedState: 'process' }, false, false],
		['Send SMS, Send, Share Rate Limits Via Redis', sendSms, { operation: 'send', sharedState: 'redis' }, true, false],
		['Send SMS, Send and Wait, Match Replies Using left out (its default)', sendSms, { operation: 'sendAndWait' }, false, false],
		['Send SMS, Send and Wait, This n8n Process', sendSms, { operation: 'sendAndWait', waitStore: 'process' }, false, false],
		['Send SMS, Send and Wait, Redis', sendSms, { operation: 'sendAndWait', waitStore: 'redis' }, true, false],
		['Send SMS, Get Status', sendSms, { operation: 'getStatus' }, false, false],
		['Bulk SMS Campaign, as added', campaign, {}, false, false],
		['Bulk SMS Campaign, This Process', campaign, { sharedState: 'process' }, false, false],
		['Bulk SMS Campaign, Redis', campaign, { sharedState: 'redis' }, true, true],
	])('%s', (_, description, parameters, shown, required) => {
		expect(showsRedis(description, parameters as INodeParameters)).toBe(shown);
		expect(asksForRedis(description, parameters as INodeParameters)).toBe(required);
	});
});
