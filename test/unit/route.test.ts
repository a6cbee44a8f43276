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
