/** What sends and checks the codes: the Engine parameter's values, what each reads as, and who offers what. */
import { PROVIDERS } from '../../nodes/shared/providers/registry';
import { BUILTIN, BUILTIN_ENGINES, builtinEnginesWith, engineOptions, ENGINES, enginesUsing, enginesWhere, readEngine, SERVICE_ENGINES, START_ENGINES } from '../../nodes/shared/verification/engines';

describe('verification engines', () => {
	it('are the providers with a verification service, then built-in codes over every route, then the plain "builtin"', () => {
		expect(SERVICE_ENGINES).toEqual(['twilio', 'sinch']);
		expect(BUILTIN_ENGINES).toEqual(['builtin:twilio', 'builtin:sinch', 'builtin:sns', 'builtin:twilio,sinch', 'builtin:twilio,sns', 'builtin:sinch,twilio', 'builtin:sinch,sns', 'builtin:sns,twilio', 'builtin:sns,sinch']);
		expect(START_ENGINES).toEqual([...SERVICE_ENGINES, ...BUILTIN_ENGINES]);
		expect(ENGINES).toEqual([...START_ENGINES, BUILTIN]);
	});

	it.each<[string, string, string[] | null]>([
		['twilio', 'service', null],
		['sinch', 'service', null],
		['builtin:sns', 'builtin', ['sns']],
		['builtin:twilio,sns', 'builtin', ['twilio', 'sns']],
		['builtin', 'builtin', []],
	])('%s reads as %s', (value, kind, providers) => {
		const engine = readEngine(value);
		expect([engine.kind, engine.value]).toEqual([kind, value]);
		if (engine.kind === 'service') expect(engine.verify).toBe(PROVIDERS[value as 'twilio' | 'sinch'].verify);
		else expect(engine.providers.map((p) => p.name)).toEqual(providers);
		if (engine.kind === 'builtin') expect(engine.route).toBe(value === 'builtin' ? '' : value.slice('builtin:'.length));
	});

	it.each(['sns', 'builtin:', 'builtin:twilio,twilio', 'builtin:carrier-pigeon', 'Twilio', '', 'builtin:sns ', '__proto__'])('refuses %p', (value) => {
		expect(() => readEngine(value)).toThrow(`Unknown engine "${value}"`);
	});

	it('says which engines talk to a provider, and which send over it', () => {
		expect(enginesUsing('twilio')).toEqual(['twilio', 'builtin:twilio', 'builtin:twilio,sinch', 'builtin:twilio,sns', 'builtin:sinch,twilio', 'builtin:sns,twilio']);
		expect(enginesUsing('sns')).toEqual(['builtin:sns', 'builtin:twilio,sns', 'builtin:sinch,sns', 'builtin:sns,twilio', 'builtin:sns,sinch']);
		expect(builtinEnginesWith('sinch')).toEqual(['builtin:sinch', 'builtin:twilio,sinch', 'builtin:sinch,twilio', 'builtin:sinch,sns', 'builtin:sns,sinch']);
		expect(enginesWhere((e) => e.kind === 'service' && e.verify.cancel !== undefined)).toEqual(['twilio']);
		expect(enginesWhere((e) => e.kind === 'builtin', ['twilio', 'builtin'])).toEqual(['builtin']);
	});

	it('names each option for a person: the service, the route with its fallback, or plain built-in codes', () => {
		expect(engineOptions(['twilio', 'sinch', 'builtin:sns', 'builtin:twilio,sns', 'builtin'])).toEqual([
			{ name: 'Twilio Verify', value: 'twilio', description: 'Twilio Verify sends the code and checks it' },
			{ name: 'Sinch Verification', value: 'sinch', description: 'Sinch Verification sends the code and checks it' },
			{ name: 'Built-in Codes by SMS via AWS SNS', value: 'builtin:sns', description: 'This node makes the code and sends it as a plain SMS with AWS SNS; it keeps no code anywhere' },
			{
				name: 'Built-in Codes by SMS via Twilio, Falling Back to AWS SNS',
				value: 'builtin:twilio,sns',
				description: 'This node makes the code and sends it as a plain SMS with Twilio (AWS SNS when Twilio is down); it keeps no code anywhere',
			},
			{ name: 'Built-in Codes', value: 'builtin', description: 'Codes this node made and sent with Send Code (any provider): checked here, nothing is sent' },
		]);
		expect(engineOptions(['builtin:sinch'])).toHaveLength(1);
		expect(engineOptions([])).toEqual([]);
	});
});
