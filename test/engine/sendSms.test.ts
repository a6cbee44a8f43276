import { Engine } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/credentials';
import { useSandbox } from '../helpers/sandbox';

const box = useSandbox();
let engine: Engine;

beforeAll(async () => {
	engine = await Engine.load();
});

beforeEach(() => {
	for (const [type, data] of Object.entries(sandboxCredentials(box.get()))) engine.setCredentials(type, { ...data });
});

const twilioSend = (params: Record<string, unknown> = {}) => ({
	type: 'sendSms',
	name: 'Send SMS',
	parameters: { operation: 'send', provider: 'twilio', to: '={{ $json.phone }}', message: '={{ "Hi " + $json.name }}', twilioFrom: '+15005550006', ...params },
});

describe('Send SMS in the engine', () => {
	it('sends through Twilio with one output shape', async () => {
		const result = await engine.run([{ phone: '06 12 34 56 78', name: 'Ada' }], [twilioSend({ defaultCountry: 'FR' })]);
		expect(result.error()).toBeUndefined();
		const [item] = result.items('Send SMS');
		expect(item.json).toMatchObject({ provider: 'twilio', status: 'queued', to: '+33612345678', segments: 1, encoding: 'GSM-7', fallbackUsed: false, attempts: 1 });
		expect(item.pairedItem).toEqual({ item: 0 });
		const stored = [...box.get().messages.values()];
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ to: '+33612345678', body: 'Hi Ada', from: '+15005550006' });
	});
});
