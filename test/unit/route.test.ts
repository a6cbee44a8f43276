import { NodeHelpers, type INodeCredentialDescription } from 'n8n-workflow';
import { routeCredentials, ROUTES, routesWith } from '../../nodes/shared/descriptions/route';

const shown = (credential: INodeCredentialDescription, provider: string) =>
	NodeHelpers.displayParameter({ provider, operation: 'send' }, credential, null as never, null as never);

describe('credential slots follow the route', () => {
	it.each(ROUTES)('route %s shows exactly the credentials of its providers', (route) => {
		const visible = routeCredentials().filter((c) => shown(c, route)).map((c) => c.name).sort();
		const expected = route
			.split(',')
			.map((p) => ({ twilio: 'messagingTwilioApi', sinch: 'messagingSinchApi', sns: 'messagingAwsSnsApi' })[p] as string)
			.sort();
		expect(visible).toEqual(expected);
	});

	it('never uses show, so the editor keeps Provider among the parameters', () => {
		for (const credential of routeCredentials()) expect(credential.displayOptions?.show).toBeUndefined();
		expect(routesWith('sns')).toEqual(['sns', 'twilio,sns', 'sinch,sns', 'sns,twilio', 'sns,sinch']);
	});
});

describe('Send SMS options follow what the route can do', () => {
	it('offers media only with Twilio alone, scheduling only where every provider schedules', async () => {
		const { description } = await import('../../nodes/SendSms/actions/send.operation');
		const options = (description.find((p) => p.name === 'options')?.options ?? []) as Array<{ name: string; displayOptions?: { show?: Record<string, string[]> } }>;
		const routesOf = (name: string) => options.find((o) => o.name === name)?.displayOptions?.show?.['/provider'];
		expect(routesOf('mediaUrls')).toEqual(['twilio']);
		expect(routesOf('sendAt')).toEqual(['twilio', 'sinch', 'twilio,sinch', 'sinch,twilio']);
		expect(routesOf('clientReference')).toEqual(routesWith('sinch'));
		expect(routesOf('maxPrice')).toEqual(routesWith('sns'));
		expect(routesOf('statusCallbackUrl')).toEqual(ROUTES.filter((r) => r !== 'sns'));
	});
});
