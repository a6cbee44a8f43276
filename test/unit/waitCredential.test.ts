// Imported at the top, never inside a test (docs/testing.md).
import { NodeHelpers, type INode, type INodeCredentialDescription, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';
import { MessagingTrigger } from '../../nodes/MessagingTrigger/MessagingTrigger.node';
import { SendSms } from '../../nodes/SendSms/SendSms.node';

/**
 * Whether n8n asks for the Redis credential on a node with these parameters, as saved in a workflow: n8n's own display
 * check, which its publish validation (validateNodeCredentials) and the editor's credential boxes both use.
 */
function asksForRedis(description: INodeTypeDescription, parameters: INodeParameters): boolean {
	const slot = (description.credentials ?? []).find((c) => c.name === 'messagingRedisApi') as INodeCredentialDescription;
	const node = { id: 'n', name: 'n', type: description.name, typeVersion: 1, position: [0, 0], parameters } as INode;
	return slot.required === true && NodeHelpers.displayParameter(parameters, slot, node, description);
}

describe('the Redis credential is asked for only where replies are matched in Redis', () => {
	const sendSms = new SendSms().description;
	const trigger = new MessagingTrigger().description;

	it.each([
		['Send SMS, Send (no Match Replies Using)', sendSms, { operation: 'send' }, false],
		['Send SMS, Send and Wait, Match Replies Using left out (its default)', sendSms, { operation: 'sendAndWait' }, false],
		['Send SMS, Send and Wait, This n8n Process', sendSms, { operation: 'sendAndWait', waitStore: 'process' }, false],
		['Send SMS, Send and Wait, Redis', sendSms, { operation: 'sendAndWait', waitStore: 'redis' }, true],
		['Messaging Trigger, as added (defaults left out)', trigger, {}, false],
		['Messaging Trigger, not resuming', trigger, { resumeWaiting: false }, false],
		['Messaging Trigger, This n8n Process', trigger, { resumeWaiting: true, waitStore: 'process' }, false],
		['Messaging Trigger, Redis', trigger, { resumeWaiting: true, waitStore: 'redis' }, true],
	])('%s', (_, description, parameters, expected) => {
		expect(asksForRedis(description, parameters as INodeParameters)).toBe(expected);
	});
});
