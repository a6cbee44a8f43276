/** Each credential's Test request, sent as n8n's Test button sends it, against the sandbox. */
import type { Engine } from '../helpers/engine';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';

const box = useSandbox();
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
});

describe('credential Test requests', () => {
	it('loads the credential types with unique names, icons and documentation; each has a Test (a request, or a node\'s testedBy)', () => {
		expect([...engine.credentialTypes.keys()].sort()).toEqual(['messagingAwsSnsApi', 'messagingRedisApi', 'messagingSinchApi', 'messagingTwilioApi', 'messagingVerificationSecretApi']);
		const testedBy = new Map<string, string>();
		for (const name of Object.keys(engine.loader.known.nodes)) {
			const description = engine.loader.getNode(name).type.description as { credentials?: Array<{ name: string; testedBy?: string }> };
			for (const slot of description.credentials ?? []) if (slot.testedBy) testedBy.set(slot.name, slot.testedBy);
		}
		for (const [name, type] of engine.credentialTypes) {
			expect(type.icon ?? (type as { iconUrl?: unknown }).iconUrl).toBeDefined();
			expect(type.documentationUrl).toMatch(/^https:\/\//);
			expect({ name, tested: type.test !== undefined || testedBy.has(name) }).toEqual({ name, tested: true });
		}
		expect(Object.fromEntries(testedBy)).toEqual({ messagingRedisApi: 'messagingRedisConnectionTest', messagingVerificationSecretApi: 'messagingVerificationSecretTest' });
	});

	it.each([
		['messagingTwilioApi', {}, '/Messages.json'],
		// A Standard API key may not read /Accounts (20003): the Test lists messages, which such a key may.
		['messagingTwilioApi', 'apiKey', '/Messages.json'],
		['messagingSinchApi', {}, '/batches'],
		['messagingSinchApi', 'project', '/batches'],
		['messagingAwsSnsApi', {}, '/'],
	])('%s (%j) succeeds with good secrets, calling the provider', async (type, variant, path) => {
		const { twilio, sinch } = box.get().accounts;
		if (variant === 'apiKey') engine.setCredentials(type, { ...engine.credentials[type], authType: 'apiKey', apiKeySid: twilio.apiKeySid, apiKeySecret: twilio.apiKeySecret, authToken: '' });
		if (variant === 'project') engine.setCredentials(type, { ...engine.credentials[type], smsAuth: 'project', projectId: sinch.projectId, keyId: sinch.keyId, keySecret: sinch.keySecret, accessToken: '' });
		const { statusCode } = await engine.testCredential(type);
		expect(statusCode).toBe(200);
		expect(box.get().requests.at(-1)?.path).toContain(path);
	});

	it('the sandbox refuses a Standard API key on the Account resource, as Twilio does', async () => {
		const { twilio } = box.get().accounts;
		const answer = await fetch(`${box.get().url}/2010-04-01/Accounts/${twilio.accountSid}.json`, {
			headers: { Authorization: `Basic ${Buffer.from(`${twilio.apiKeySid}:${twilio.apiKeySecret}`).toString('base64')}` },
		});
		expect(answer.status).toBe(401);
		expect(await answer.json()).toMatchObject({ code: 20003 });
	});

	it.each([
		['messagingTwilioApi', { authToken: 'wrong' }, 401],
		['messagingSinchApi', { apiToken: 'wrong' }, 401],
		['messagingAwsSnsApi', { secretAccessKey: 'wrong' }, 403],
	])('%s fails clearly with bad secrets', async (type, override, status) => {
		engine.setCredentials(type, { ...engine.credentials[type], ...override });
		const { statusCode } = await engine.testCredential(type);
		expect(statusCode).toBe(status);
	});
});
