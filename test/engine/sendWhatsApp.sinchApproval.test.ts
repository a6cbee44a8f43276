/**
 * Send WhatsApp through Sinch, run by n8n's real engine against the sandbox over real HTTP: before a template is sent,
 * its WhatsApp approval is read from Sinch's Provisioning API (the templates of its name, with the project's OAuth2
 * token). An approved template goes; one WhatsApp has not approved is refused with its state and reason, unless the
 * 24-hour window is open; a name or language the project lacks is refused; nothing reaches messages:send then.
 */
import type { IDataObject } from 'n8n-workflow';
import { sandboxCredential } from '../helpers/credentials';
import type { Engine } from '../helpers/engine';
import { sandboxControl, useSandbox } from '../helpers/sandbox';
import { useEngine } from '../helpers/useEngine';

const box = useSandbox();
const engines = useEngine(box);
let engine: Engine;
beforeEach(() => {
	engine = engines.get();
	engine.setCredentials('messagingSinchApi', sandboxCredential(box.get(), 'Sandbox Sinch (project, WhatsApp)'));
});

const PHONE = '+33612345678';
const SINCH_WA = '+12025550155';
const fast = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5000 };
const SINCH_SEND = /messages:send$/;
const sends = () => box.get().requests.filter((r) => r.method === 'POST' && SINCH_SEND.test(r.path));
const lookUps = () => box.get().requests.filter((r) => r.method === 'GET' && r.path.includes('/whatsapp/templates/')).map((r) => r.path);
const templatePath = (name: string) => `/v1/projects/${box.get().accounts.sinch.projectId}/whatsapp/templates/${name}`;
const stored = () => [...box.get().messages.values()].filter((m) => m.direction === 'outbound-api');

function sinch(parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	const { options, ...rest } = parameters as { options?: IDataObject };
	return { type: 'sendWhatsApp', name: 'Send WhatsApp', ...extra, parameters: { provider: 'sinch', to: '={{ $json.phone }}', ...rest, options: { ...fast, ...options } } };
}

const template = (templateId: string, values: string[], templateLanguage = 'en') => ({
	operation: 'sendTemplate',
	templateId,
	templateLanguage,
	templateBodyValues: { value: values.map((value) => ({ value })) },
});

const NOT_APPROVED = '; outside the 24-hour window WhatsApp delivers approved templates only';

describe('Send WhatsApp · Sinch · WhatsApp approval from the Provisioning API', () => {
	it('an approved template goes, after one look-up of its name per execution', async () => {
		const result = await engine.run([{ phone: PHONE }, { phone: '+33612345679' }], [sinch(template('order_shipped', ['Ada', '#1042', 'Friday']))]);
		expect(result.error()).toBeUndefined();
		expect(result.items('Send WhatsApp').map((i) => i.json)).toEqual([
			expect.objectContaining({ provider: 'sinch', status: 'accepted', type: 'template', template: { id: 'order_shipped', name: 'order_shipped', language: 'en' } }),
			expect.objectContaining({ provider: 'sinch', status: 'accepted', to: '+33612345679' }),
		]);
		expect(lookUps()).toEqual([templatePath('order_shipped')]);
		expect(sends()).toHaveLength(2);
		// The look-up came before the first send.
		const [lookUp] = box.get().requests.filter((r) => r.path === templatePath('order_shipped'));
		expect(lookUp.status).toBe(200);
		expect(box.get().requests.indexOf(lookUp)).toBeLessThan(box.get().requests.indexOf(sends()[0]));
	});

	it('a rejected template is refused before sending, with its state and reason; one waiting for review too', async () => {
		const rejected = await engine.run([{ phone: PHONE }], [sinch(template('win_a_prize', ['Ada']))]);
		expect(rejected.error()?.message).toBe(`Template "win_a_prize" is not approved for WhatsApp (rejected: INCORRECT_CATEGORY)${NOT_APPROVED}`);
		expect(rejected.error()?.description).toBe('Nothing was sent.');
		const waiting = await engine.run([{ phone: PHONE }], [sinch(template('spring_sale', ['20%']))]);
		expect(waiting.error()?.message).toBe(`Template "spring_sale" is not approved for WhatsApp (in progress)${NOT_APPROVED}`);
		expect(sends()).toHaveLength(0);
		expect(stored()).toHaveLength(0);
	});

	it('with Continue On Fail, the refused item says why and the approved one goes', async () => {
		const result = await engine.run(
			[
				{ phone: PHONE, name: 'win_a_prize', values: ['Ada'] },
				{ phone: PHONE, name: 'order_shipped', values: ['Ada', '#1', 'today'] },
			],
			[
				sinch(
					{ operation: 'sendTemplate', templateId: '={{ $json.name }}', templateLanguage: 'en', templateBodyValues: { value: [0, 1, 2].map((n) => ({ value: `={{ $json.values[${n}] ?? 'x' }}` })) } },
					{ continueOnFail: true },
				),
			],
		);
		const [refused, sent] = result.items('Send WhatsApp').map((i) => i.json);
		expect(refused).toMatchObject({ to: PHONE, error: `Template "win_a_prize" is not approved for WhatsApp (rejected: INCORRECT_CATEGORY)${NOT_APPROVED}`, errorDescription: 'Nothing was sent.' });
		expect(sent).toMatchObject({ status: 'accepted', template: { id: 'order_shipped' } });
		expect(sends()).toHaveLength(1);
	});

	it('a name or a language the project lacks is refused before sending', async () => {
		const unknown = await engine.run([{ phone: PHONE }], [sinch(template('no_such_template', ['Ada']))]);
		expect(unknown.error()?.message).toBe('Template: Sinch has no WhatsApp template "no_such_template" in en');
		const german = await engine.run([{ phone: PHONE }], [sinch(template('appointment_reminder', ['Dr. Who', 'Monday', '9:00'], 'de'))]);
		expect(german.error()?.message).toBe('Template: Sinch has no WhatsApp template "appointment_reminder" in de');
		expect(sends()).toHaveLength(0);
		// The language as WhatsApp writes it, in any case: tr is the project's TR.
		const turkish = await engine.run([{ phone: PHONE }], [sinch(template('appointment_reminder', ['Dr. Yılmaz', '12 Mayıs', '14:30'], 'tr'))]);
		expect(turkish.error()).toBeUndefined();
		expect(stored()[0].body).toBe('Hatırlatma: Dr. Yılmaz ile randevunuz 12 Mayıs tarihinde saat 14:30.');
	});

	it('a fallback template WhatsApp has not approved is refused too: the window is closed, nothing goes', async () => {
		const result = await engine.run(
			[{ phone: PHONE }],
			[sinch({ operation: 'sendMessage', message: 'Are you there?', outsideWindow: 'template', fallbackTemplateId: 'win_a_prize', fallbackTemplateLanguage: 'en', fallbackTemplateBodyValues: { value: [{ value: 'Ada' }] } })],
		);
		expect(result.error()?.message).toBe(`Fallback Template "win_a_prize" is not approved for WhatsApp (rejected: INCORRECT_CATEGORY)${NOT_APPROVED}`);
		expect(sends()).toHaveLength(0);
	});

	it('inside the window too, a template WhatsApp has not approved is refused: Sinch hands it to WhatsApp, which delivers approved templates only', async () => {
		const wrote = await sandboxControl(box.get(), 'POST', '/inbound', { from: PHONE, to: SINCH_WA, body: 'Hello', channel: 'whatsapp' });
		expect(wrote.httpStatus).toBe(201);
		const result = await engine.run([{ phone: PHONE }], [sinch(template('win_a_prize', ['Ada']))]);
		expect(result.error()?.message).toBe(`Template "win_a_prize" is not approved for WhatsApp (rejected: INCORRECT_CATEGORY)${NOT_APPROVED}`);
		expect(sends()).toHaveLength(0);
	});

	it("a project the Provisioning API does not know is the credential's setup, said so; nothing is sent", async () => {
		engine.setCredentials('messagingSinchApi', { ...sandboxCredential(box.get(), 'Sandbox Sinch (project, WhatsApp)'), conversationProjectId: 'another-project' });
		const result = await engine.run([{ phone: PHONE }], [sinch(template('order_shipped', ['Ada', '#1', 'today']))]);
		expect(result.error()?.message).toContain('Sinch has no such project in its Provisioning API (Sinch not_found_error): check the Conversation Project ID (or Project ID) in the Sinch credential');
		expect(sends()).toHaveLength(0);
	});
});
