import { NodeHelpers, type INodeCredentialDescription, type INodeProperties } from 'n8n-workflow';
import { description } from '../../nodes/SendSms/actions/send.operation';
import { routeCredentials } from '../../nodes/shared/descriptions/route';
import { PROVIDERS, ROUTES, routesWith, routeProviders } from '../../nodes/shared/providers/registry';

const shown = (credential: INodeCredentialDescription, provider: string) =>
	NodeHelpers.displayParameter({ provider, operation: 'send' }, credential, null as never, null as never);

describe('credential slots follow the route', () => {
	it.each([...ROUTES])('route %s shows the credentials of its providers, each named for its provider', (route) => {
		const visible = routeCredentials().filter((c) => shown(c, route));
		const providers = routeProviders(route);
		expect(visible.map((c) => c.name).sort()).toEqual(providers.map((p) => PROVIDERS[p].credentialType).sort());
		expect(visible.map((c) => c.displayName).sort()).toEqual(providers.map((p) => `${PROVIDERS[p].label} Credential`).sort());
	});

	it('has one slot per credential type: n8n finds a credential by its type', () => {
		const names = routeCredentials().map((c) => c.name);
		expect(new Set(names).size).toBe(names.length);
	});

	it('never uses show, so the editor keeps Provider among the parameters', () => {
		for (const credential of routeCredentials()) expect(credential.displayOptions?.show).toBeUndefined();
		expect(routesWith('sns')).toEqual(['sns', 'twilio,sns', 'sinch,sns', 'sns,twilio', 'sns,sinch']);
	});
});

describe('Send SMS options follow what the route can do', () => {
	type Option = INodeProperties & { displayOptions?: { show?: Record<string, string[]> } };
	let options: Option[];
	beforeAll(() => {
		options = (description.find((p) => p.name === 'options')?.options ?? []) as Option[];
	});
	const routesOf = (name: string) => options.filter((o) => o.name === name).map((o) => o.displayOptions?.show?.['/provider']);
	/** Whether an option is offered, given the node's parameters. */
	const offered = (name: string, parameters: Record<string, string>) =>
		options.filter((o) => o.name === name).some((o) => NodeHelpers.displayParameter({}, o, { typeVersion: 1 }, null, parameters));

	it('offers an option only on routes where it works', () => {
		expect(routesOf('mediaUrls')).toEqual([['twilio']]);
		expect(routesOf('clientReference')).toEqual([routesWith('sinch')]);
		expect(routesOf('maxPrice')).toEqual([routesWith('sns')]);
		expect(routesOf('statusCallbackUrl')).toEqual([ROUTES.filter((r) => r !== 'sns')]);
		expect(routesOf('validityPeriod')).toEqual([ROUTES.filter((r) => r !== 'sns')]);
		expect(routesOf('waitForStatus')).toEqual([['twilio', 'sinch', 'twilio,sinch', 'sinch,twilio']]);
	});

	it.each([
		[{ provider: 'sinch' }, true],
		[{ provider: 'twilio', twilioSenderType: 'from' }, false],
		[{ provider: 'twilio', twilioSenderType: 'messagingService' }, true],
		[{ provider: 'twilio,sinch', twilioSenderType: 'messagingService' }, true],
		[{ provider: 'sinch,twilio', twilioSenderType: 'from' }, false],
		[{ provider: 'sns' }, false],
		[{ provider: 'twilio,sns', twilioSenderType: 'messagingService' }, false],
	])('Send At with %j: offered %s', (parameters, expected) => {
		expect(offered('sendAt', parameters)).toBe(expected);
	});
});
