/**
 * Sinch SMS batch `parameters` (a `${name}` in the body, a value per recipient and a default) and the dry run,
 * through the official SDK (@sinch/sdk-core's SinchClient) pointed at the sandbox: each recipient's stored message
 * carries its own body, a recipient with no value and no default fails alone with 405, the batch echoes
 * `parameters`, the dry run counts parts per rendered body, and a batch takes 1 to 1,000 recipients.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SinchClient } from '@sinch/sdk-core';
import { countSegments } from '../../nodes/shared/rules/segments';
import { sandboxControl, useSandbox, waitFor } from '../helpers/sandbox';

const box = useSandbox({ limits: { sinchPerSecond: 1e6 } });

function sms() {
	const { servicePlanId, apiToken } = box.get().accounts.sinch;
	return new SinchClient({ servicePlanId, apiToken, smsHostname: box.get().url }).sms;
}

/** The same request without the SDK, to read Sinch's error body. */
async function raw(path: string, body: unknown): Promise<{ status: number; body: any }> {
	const { servicePlanId, apiToken } = box.get().accounts.sinch;
	const res = await fetch(`${box.get().url}/xms/v1/${servicePlanId}/batches${path}`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: res.status, body: await res.json() };
}

const stored = (batchId: string, msisdn: string) => box.get().messages.get(`${batchId}:${msisdn}`);
const recipients = (count: number, offset = 0) => Array.from({ length: count }, (_, i) => `+3361${String(offset + i).padStart(7, '0')}`);

describe('@sinch/sdk-core: batch parameters against the sandbox', () => {
	it('renders each recipient its own body (with and without +, the default for the others) and echoes parameters', async () => {
		const parameters = { name: { '+33612345671': 'Ada', '33612345672': 'Grace', default: 'friend' }, code: { default: '7781' } };
		const batch = await sms().batches.send({
			sendSMSRequestBody: {
				to: ['+33612345671', '+33612345672', '+33612345673'],
				from: '+12025550150',
				body: 'Hi ${name}, your code is ${code}. ${unknown} stays.',
				parameters,
			},
		});
		// A text batch's answer (TextResponse) has parameters; the SDK's union type also covers binary and media.
		expect('parameters' in batch && batch.parameters).toEqual(parameters);
		expect(batch.body).toBe('Hi ${name}, your code is ${code}. ${unknown} stays.');
		const id = String(batch.id);
		expect(stored(id, '33612345671')?.body).toBe('Hi Ada, your code is 7781. ${unknown} stays.');
		expect(stored(id, '33612345672')?.body).toBe('Hi Grace, your code is 7781. ${unknown} stays.');
		expect(stored(id, '33612345673')?.body).toBe('Hi friend, your code is 7781. ${unknown} stays.');
		// What the phone page reads.
		const listed = await sandboxControl(box.get(), 'GET', '/messages?provider=sinch&fields=to,body');
		expect(listed.messages).toEqual([
			{ to: '+33612345671', body: 'Hi Ada, your code is 7781. ${unknown} stays.' },
			{ to: '+33612345672', body: 'Hi Grace, your code is 7781. ${unknown} stays.' },
			{ to: '+33612345673', body: 'Hi friend, your code is 7781. ${unknown} stays.' },
		]);
		const fetched = await sms().batches.get({ batch_id: id });
		expect('parameters' in fetched && fetched.parameters).toEqual(parameters);
		await waitFor(() => [...box.get().messages.values()].every((m) => m.status === 'Delivered'), 5000);
	});

	it('a recipient with no value and no default fails alone, 405 Unmatched Parameter; the full report says so once', async () => {
		const received: any[] = [];
		const server: Server = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				received.push(JSON.parse(body));
				res.end();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const batch = await sms().batches.send({
				sendSMSRequestBody: {
					to: ['+33612345671', '+33612345672', '+33612345673'],
					from: '+12025550150',
					body: 'Hi ${name}!',
					parameters: { name: { '+33612345671': 'Ada', '+33612345672': 'Grace' } },
					delivery_report: 'full',
					callback_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dlr`,
				},
			});
			const id = String(batch.id);
			await waitFor(() => received.length > 0, 5000);
			expect(stored(id, '33612345673')).toMatchObject({ body: 'Hi ${name}!', status: 'Failed', errorCode: 405 });
			expect(stored(id, '33612345673')?.history.map((h) => h.status)).toEqual(['Queued', 'Failed']);
			expect(stored(id, '33612345671')).toMatchObject({ body: 'Hi Ada!', status: 'Delivered' });
			const report = await sms().deliveryReports.getForNumber({ batch_id: id, phone_number: '33612345673' });
			expect(report).toMatchObject({ status: 'Failed', code: 405 });
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(received).toHaveLength(1);
			expect(received[0]).toMatchObject({ type: 'delivery_report_sms', batch_id: id, total_message_count: 3 });
			expect(received[0].statuses).toEqual(
				expect.arrayContaining([
					{ code: 405, status: 'Failed', count: 1, recipients: ['33612345673'] },
					{ code: 0, status: 'Delivered', count: 2, recipients: ['33612345671', '33612345672'] },
				]),
			);
		} finally {
			server.close();
		}
	});

	it.each([
		['a name with a space', 'syntax_invalid_parameter_format', { 'first name': { default: 'x' } }],
		['a name longer than 16 characters', 'syntax_invalid_parameter_format', { abcdefghijklmnopq: { default: 'x' } }],
		['an array', 'syntax_invalid_parameter_format', [{ name: 'x' }]],
		['values that are not an object', 'syntax_invalid_parameter_format', { name: 'Ada' }],
		['a value that is not a string', 'syntax_invalid_parameter_format', { name: { '+33612345671': 42 } }],
		['a value over 160 characters', 'syntax_constraint_violation', { name: { default: 'x'.repeat(161) } }],
	])('refuses parameters with %s: 400 %s', async (_what, code, parameters) => {
		const answer = await raw('', { to: ['+33612345671'], from: '+12025550150', body: 'Hi ${name}', parameters });
		expect(answer).toMatchObject({ status: 400, body: { code } });
		await expect(
			sms().batches.send({ sendSMSRequestBody: { to: ['+33612345671'], from: '+12025550150', body: 'Hi ${name}', parameters: parameters as any } }),
		).rejects.toMatchObject({ statusCode: 400 });
		expect(box.get().messages.size).toBe(0);
	});

	it('dry run: parts per rendered body, summed; per_recipient details with number_of_recipients', async () => {
		const long = 'Lovelace '.repeat(17).trim(); // 152 characters: within a value's 160, and the body needs 2 parts
		const request = {
			to: ['+33612345671', '+33612345672', '+33612345673'],
			from: '+12025550150',
			body: 'Hi ${name}, see you soon.',
			parameters: { name: { '+33612345671': long, '33612345672': 'Ayşe', default: 'friend' } },
		};
		const bodies = [`Hi ${long}, see you soon.`, 'Hi Ayşe, see you soon.', 'Hi friend, see you soon.'];
		const parts = bodies.map((b) => countSegments(b).segments);
		expect(parts).toEqual([2, 1, 1]);
		const dry = await sms().batches.dryRun({ per_recipient: true, dryRunRequestBody: request });
		expect(dry.number_of_recipients).toBe(3);
		expect(dry.number_of_messages).toBe(4);
		expect(dry.per_recipient).toEqual([
			{ recipient: '33612345671', number_of_parts: 2, body: bodies[0], encoding: 'GSM' },
			{ recipient: '33612345672', number_of_parts: 1, body: bodies[1], encoding: 'UNICODE' },
			{ recipient: '33612345673', number_of_parts: 1, body: bodies[2], encoding: 'GSM' },
		]);
		const two = await sms().batches.dryRun({ per_recipient: true, number_of_recipients: 2, dryRunRequestBody: request });
		expect(two.per_recipient?.map((r) => r.recipient)).toEqual(['33612345671', '33612345672']);
		expect(two.number_of_messages).toBe(4);
		const totals = await sms().batches.dryRun({ dryRunRequestBody: request });
		expect(totals).toMatchObject({ number_of_recipients: 3, number_of_messages: 4, per_recipient: [] });
		await expect(sms().batches.dryRun({ per_recipient: true, number_of_recipients: 1001, dryRunRequestBody: request })).rejects.toMatchObject({ statusCode: 400 });
		// Nothing was sent.
		expect(box.get().messages.size).toBe(0);
	});

	it('takes 1,000 recipients in one batch, each with its own body, and refuses 1,001', async () => {
		const thousand = recipients(1000);
		const names = Object.fromEntries(thousand.slice(0, 500).map((to, i) => [to, `N${i}`]));
		const batch = await sms().batches.send({
			sendSMSRequestBody: { to: thousand, from: '+12025550150', body: 'Hello ${name}', parameters: { name: { ...names, default: 'friend' } } },
		});
		expect(batch.to).toHaveLength(1000);
		const id = String(batch.id);
		expect(stored(id, thousand[0].slice(1))?.body).toBe('Hello N0');
		expect(stored(id, thousand[499].slice(1))?.body).toBe('Hello N499');
		expect(stored(id, thousand[500].slice(1))?.body).toBe('Hello friend');
		expect(box.get().messages.size).toBe(1000);
		const tooMany = recipients(1001, 2000);
		await expect(sms().batches.send({ sendSMSRequestBody: { to: tooMany, from: '+12025550150', body: 'Hello' } })).rejects.toMatchObject({ statusCode: 400 });
		expect(await raw('', { to: tooMany, from: '+12025550150', body: 'Hello' })).toMatchObject({ status: 400, body: { code: 'syntax_constraint_violation' } });
		expect(box.get().messages.size).toBe(1000);
	});
});
