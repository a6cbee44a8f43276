/**
 * The sandbox survives what a browser or a test may send: one test per kind of request that used to end its
 * process or answer outside the provider's shape, and the control API's refusal of cross-site requests.
 */
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { rawRequest, shapeProblem, snsSignedHeaders, type RawRequest, type RawResponse, type Shape } from '../sandbox/rawHttp';

let sandbox: Sandbox;
let port: number;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, timeScale: 0.02 });
	port = Number(new URL(sandbox.url).port);
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

const send = (request: RawRequest) => rawRequest(port, request);
const body = (response: RawResponse) => JSON.parse(response.body) as Record<string, unknown>;

async function expectUp(): Promise<void> {
	const health = await send({ path: '/__sandbox/health' });
	expect(health.status).toBe(200);
	expect(sandbox.errors).toEqual([]);
}

function expectShape(shape: Shape, response: RawResponse): void {
	expect(shapeProblem(shape, response)).toBeUndefined();
}

const MESSAGES = () => `/2010-04-01/Accounts/${sandbox.accounts.twilio.accountSid}/Messages.json`;
const BATCHES = () => `/xms/v1/${sandbox.accounts.sinch.servicePlanId}/batches`;

function twilio(fields: Record<string, string> | string | Buffer, extra: Partial<RawRequest> = {}): Promise<RawResponse> {
	const { accountSid, authToken } = sandbox.accounts.twilio;
	const payload = typeof fields === 'string' || Buffer.isBuffer(fields) ? fields : new URLSearchParams({ To: '+33612345678', From: '+15005550006', Body: 'x', ...fields }).toString();
	return send({
		method: 'POST',
		path: MESSAGES(),
		headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: payload,
		...extra,
	});
}

function sinch(payload: unknown, extra: Partial<RawRequest> = {}): Promise<RawResponse> {
	return send({
		method: 'POST',
		path: BATCHES(),
		headers: { Authorization: `Bearer ${sandbox.accounts.sinch.apiToken}`, 'Content-Type': 'application/json' },
		body: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
		...extra,
	});
}

function control(method: string, path: string, payload?: unknown, headers: Record<string, string | null> = {}): Promise<RawResponse> {
	return send({
		method,
		path: `/__sandbox${path}`,
		headers: payload === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
		body: payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload),
	});
}

describe('requests that used to end the sandbox process', () => {
	it('GET // (and //host/path) is a 404, not a crash', async () => {
		for (const path of ['//', '//evil.example/x', '/..', '/%2e%2e/%2e%2e', '/%zz']) {
			const response = await send({ path });
			expect(response.status).toBe(404);
			expect(body(response)).toEqual({ error: `The sandbox does not serve GET ${path}` });
		}
		await expectUp();
	});

	it.each([
		['a number', [33612345678], 'number'],
		['null', [null], 'null'],
		['an object', [{ number: '+33612345678' }], 'object'],
		['an object that cannot become a string', [{ toString: 1 }], 'object'],
		['an array', [['+33612345678']], 'an array'],
		['a boolean', ['+33612345678', true], 'boolean'],
	])("Sinch: a 'to' element that is %s is refused with syntax_invalid_parameter_format", async (_label, to, kind) => {
		const response = await sinch({ to, from: 'ACME', body: 'x' });
		expect(response.status).toBe(400);
		expect(body(response)).toEqual({ code: 'syntax_invalid_parameter_format', text: `Invalid 'to' address: each recipient must be a string, not ${kind}` });
		expect(sandbox.messages.size).toBe(0);
		await expectUp();
	});

	it.each([['a string', '+33612345678'], ['an object', { '0': '+33612345678' }], ['a number', 33612345678], ['true', true]])(
		"Sinch: 'to' that is %s and not an array is refused",
		async (_label, to) => {
			const response = await sinch({ to, from: 'ACME', body: 'x' });
			expect(response.status).toBe(400);
			expect(body(response)).toEqual({ code: 'syntax_invalid_parameter_format', text: "'to' must be an array of phone numbers" });
			await expectUp();
		},
	);

	it.each(['javascript:alert(1)', 'file:///etc/passwd', 'data:text/plain,x', 'ftp://127.0.0.1/x', '/relative/path', 'http://under_score.example/cb', 'http://'])(
		'Twilio: StatusCallback %s is refused with 21609 and never fetched',
		async (url) => {
			const response = await twilio({ StatusCallback: url });
			expect(response.status).toBe(400);
			expect(body(response)).toEqual({
				code: 21609,
				message: 'Invalid StatusCallback url: it must be an absolute http(s) URL whose host has no underscore.',
				more_info: 'https://www.twilio.com/docs/errors/21609',
				status: 400,
			});
			expect(sandbox.messages.size).toBe(0);
			await new Promise((resolve) => setTimeout(resolve, 50));
			expect(sandbox.callbacks).toEqual([]);
			await expectUp();
		},
	);

	it.each(['javascript:alert(1)', 'file:///etc/passwd', 'gopher://127.0.0.1/', 'not a url'])(
		'Sinch: callback_url %s is refused with syntax_invalid_parameter_format and never fetched',
		async (url) => {
			const response = await sinch({ to: ['+33612345678'], from: 'ACME', body: 'x', callback_url: url, delivery_report: 'per_recipient' });
			expect(response.status).toBe(400);
			expect(body(response)).toEqual({ code: 'syntax_invalid_parameter_format', text: "Invalid 'callback_url': it must be an absolute http(s) URL" });
			expect(sandbox.messages.size).toBe(0);
			await expectUp();
		},
	);

	it('never fetches a callback URL that is not http(s), even when asked from code', async () => {
		sandbox.sendCallback({ provider: 'twilio', url: 'file:///etc/passwd', messageId: 'SMx', status: 'sent', body: '', headers: {} });
		sandbox.sendCallback({ provider: 'sinch', url: 'http://127.0.0.1:1/x', messageId: 'x', status: 'sent', body: '', headers: { 'X-Bad': 'a\r\nb' } });
		expect(sandbox.callbacks[0].error).toBe('refused: a callback URL must be an absolute http(s) URL');
		expect(sandbox.callbacks[1].error).toMatch(/header/i);
		await expectUp();
	});

	it.each([
		[{ type: 'status', status: 0 }, 'status must be an integer HTTP status from 100 to 599'],
		[{ type: 'status', status: 1000 }, 'status must be an integer HTTP status from 100 to 599'],
		[{ type: 'status', status: 99 }, 'status must be an integer HTTP status from 100 to 599'],
		[{ type: 'status', status: 503.5 }, 'status must be an integer HTTP status from 100 to 599'],
		[{ type: 'status', status: '503' }, 'status must be an integer HTTP status from 100 to 599'],
		[{ type: 'status', status: 429, retryAfter: '1\r\nSet-Cookie: x=1' }, 'retryAfter must be a whole number of seconds from 0 to 86400'],
		[{ type: 'status', status: 429, retryAfter: -1 }, 'retryAfter must be a whole number of seconds from 0 to 86400'],
		[{ type: 'delay', delayMs: 1e20 }, 'delayMs must be a number of milliseconds from 0 to 600000'],
		[{ type: 'delay', delayMs: -5 }, 'delayMs must be a number of milliseconds from 0 to 600000'],
		[{ type: 'reset', count: 0 }, 'count must be -1 (every request) or an integer from 1 to 1000000'],
		[{ type: 'reset', count: 1.5 }, 'count must be -1 (every request) or an integer from 1 to 1000000'],
		[{ type: 'reset', provider: 'nexmo' }, 'provider must be one of twilio, sinch, sns (or left out for all)'],
		[{ type: 'reset', provider: null }, 'provider must be one of twilio, sinch, sns (or left out for all)'],
		[{ type: 'reset', to: 33612345678 }, 'to must be an E.164 number such as +33612345678 (or left out for all recipients)'],
		[{ type: 'explode' }, 'type must be one of status, reset, delay, hang'],
		[[{ type: 'reset' }], 'the body must be a JSON object: {type, provider?, to?, status?, retryAfter?, delayMs?, count?}'],
	])('control API: fault %j is refused with 400', async (fault, error) => {
		const response = await control('POST', '/faults', fault);
		expect(response.status).toBe(400);
		expect(body(response)).toEqual({ error });
		expect(sandbox.faults).toEqual([]);
		expect((await twilio({})).status).toBe(201);
		await expectUp();
	});

	it('refuses an invalid fault from code too, and takes the extremes 100 and 599', async () => {
		expect(() => sandbox.addFault({ type: 'status', status: 0 })).toThrow(RangeError);
		expect(() => sandbox.addFault({ type: 'status', status: 1000 })).toThrow('status must be an integer HTTP status from 100 to 599');
		expect(sandbox.faults).toEqual([]);
		expect((await control('POST', '/faults', { provider: 'twilio', type: 'status', status: 599 })).status).toBe(201);
		const faulted = await twilio({});
		expect(faulted.status).toBe(599);
		expectShape('twilio', faulted);
		expect((await control('POST', '/faults', { provider: 'sinch', type: 'status', status: 100 })).status).toBe(201);
		// A 1xx answer is no final answer: the client is left waiting, like a hang (a deliberate fault).
		const waiting = await rawRequest(port, { method: 'POST', path: BATCHES(), body: '{}' }, 300);
		expect(waiting.status).toBe(0);
		await expectUp();
	});
});

describe('other malformed requests get the provider own error', () => {
	it('bad percent-encoding in a query, a form, a path and a signed SNS query', async () => {
		expect((await send({ path: '/__sandbox/messages?to=%E0%A4%A' })).status).toBe(200);
		const form = await twilio('To=%E0%A4%A&From=%2B15005550006&Body=%');
		expect(form.status).toBe(400);
		expect(body(form)).toMatchObject({ code: 21211, status: 400 });
		expectShape('twilio', form);

		const batch = await sinch({ to: ['+33612345678'], from: 'ACME', body: 'x' });
		const id = String(body(batch).id);
		const report = await send({ path: `${BATCHES()}/${id}/delivery_report/%E0%A4%A`, headers: { Authorization: `Bearer ${sandbox.accounts.sinch.apiToken}` } });
		expect(report.status).toBe(404);
		expectShape('sinch', report);

		// The signer cannot decode this query: before, the sandbox answered a bare 500.
		const stamp = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
		const sns = await send({
			method: 'POST',
			path: '/?x=%E0%A4%A',
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				'X-Amz-Date': stamp,
				Authorization: `AWS4-HMAC-SHA256 Credential=${sandbox.accounts.sns.accessKeyId}/${stamp.slice(0, 8)}/us-east-1/sns/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
			},
			body: 'Action=Publish&PhoneNumber=%2B33612345678&Message=x',
		});
		expect(sns.status).toBe(403);
		expect(sns.body).toContain('<Code>SignatureDoesNotMatch</Code>');
		expectShape('sns', sns);
		await expectUp();
	});

	it('invalid and deep JSON', async () => {
		for (const payload of ['{"to":', '', 'null', '[]', '"x"', '{"to": [1,]}']) {
			const response = await sinch(payload);
			expect(response.status).toBe(400);
			expect(body(response)).toEqual({ code: 'syntax_invalid_json', text: 'The JSON body could not be parsed' });
		}
		const deep = await sinch(`{"to":${'['.repeat(50_000)}${']'.repeat(50_000)},"from":"A","body":"x"}`);
		expect(deep.status).toBe(400);
		expectShape('sinch', deep);
		const faults = await control('POST', '/faults', '{"type":');
		expect(faults.status).toBe(400);
		await expectUp();
	});

	it.each([
		['send_at', { send_at: 'tomorrow' }, "'send_at' must be an ISO 8601 date-time"],
		['send_at', { send_at: '+275760-09-13T00:00:00.000Z' }, "'send_at' must be an ISO 8601 date-time"],
		['send_at', { send_at: 1700000000 }, "'send_at' must be an ISO 8601 date-time"],
		['expire_at', { expire_at: 'never' }, "'expire_at' must be an ISO 8601 date-time"],
		['delivery_report', { delivery_report: { toString: 1 } }, "'delivery_report' must be a string"],
		['delivery_report', { delivery_report: 'sometimes' }, 'Invalid delivery_report: sometimes'],
		['from', { from: 5 }, "'from' must be a string"],
		['body', { body: ['x'] }, "'body' must be a string"],
		['client_reference', { client_reference: {} }, "'client_reference' must be a string"],
	])('Sinch: a bad %s is a 400 in Sinch shape (some were a bare 500)', async (_field, fields, text) => {
		const response = await sinch({ to: ['+33612345678'], from: 'ACME', body: 'x', ...fields });
		expect(response.status).toBe(400);
		expect(body(response)).toEqual({ code: 'syntax_invalid_parameter_format', text });
		await expectUp();
	});

	it('bodies over 1 MiB get 413 in each provider shape, declared or streamed, and the connection closes', async () => {
		const big = Buffer.alloc(1024 * 1024 + 1, 'a');
		const cases: Array<[Shape, RawRequest]> = [
			['twilio', { method: 'POST', path: MESSAGES(), body: big }],
			['sinch', { method: 'POST', path: BATCHES(), body: big }],
			['sinchVerification', { method: 'POST', path: '/verification/v1/verifications', body: big }],
			['oauth', { method: 'POST', path: '/oauth2/token', body: big }],
			['sns', { method: 'POST', path: '/', body: big }],
			['sandbox', { method: 'POST', path: '/__sandbox/inbound', headers: { 'Content-Type': 'application/json' }, body: big }],
			['sandbox', { method: 'POST', path: '/nowhere', body: big }],
			['twilio', { method: 'POST', path: MESSAGES(), body: Buffer.alloc(3 * 1024 * 1024, 'a'), chunked: true }],
		];
		for (const [shape, request] of cases) {
			const started = Date.now();
			const response = await send(request);
			expect(response.status).toBe(413);
			expectShape(shape, response);
			expect(response.headers.connection).toBe('close');
			expect(Date.now() - started).toBeLessThan(3000);
		}
		const twilio413 = await send(cases[0][1]);
		expect(body(twilio413)).toEqual({
			code: 20001,
			message: 'The request body is larger than the sandbox accepts (1048576 bytes)',
			more_info: 'https://www.twilio.com/docs/errors/20001',
			status: 413,
		});
		await expectUp();
	});

	it('a missing Host header', async () => {
		// HTTP/1.1 requires Host: Node's parser refuses; HTTP/1.0 reaches the sandbox.
		expect((await send({ path: '/__sandbox/health', headers: { Host: null } })).status).toBe(400);
		const provider = await send({ method: 'POST', path: MESSAGES(), headers: { Host: null }, httpVersion: '1.0', body: 'To=x' });
		expect(provider.status).toBe(401);
		expectShape('twilio', provider);
		const controlled = await send({ path: '/__sandbox/config', headers: { Host: null }, httpVersion: '1.0' });
		expect(controlled.status).toBe(403);
		await expectUp();
	});

	it('odd methods', async () => {
		const patch = await send({ method: 'PATCH', path: MESSAGES() });
		expect(patch.status).toBe(401); // authentication comes first, as at Twilio
		const { accountSid, authToken } = sandbox.accounts.twilio;
		const auth = { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` };
		const put = await send({ method: 'PUT', path: MESSAGES(), headers: auth });
		expect(put.status).toBe(405);
		expect(body(put)).toMatchObject({ code: 20004 });
		expectShape('twilio', put);
		const sinchDelete = await send({ method: 'DELETE', path: BATCHES(), headers: { Authorization: `Bearer ${sandbox.accounts.sinch.apiToken}` } });
		expect(sinchDelete.status).toBe(405);
		expectShape('sinch', sinchDelete);
		const token = await send({ method: 'GET', path: '/oauth2/token' });
		expect(token.status).toBe(405);
		expectShape('oauth', token);
		expect((await send({ method: 'PURGE', path: '/__sandbox/health' })).status).toBe(404);
		expect((await send({ method: 'M-SEARCH', path: '*' })).status).toBe(404);
		const connect = await send({ method: 'CONNECT', path: '127.0.0.1:1' });
		expect(connect.status).toBe(405);
		expect(body(connect)).toEqual({ error: 'The sandbox is not a proxy: CONNECT is not served' });
		expect((await send({ method: 'BREW', path: '/' })).status).toBe(400); // not an HTTP method Node knows
		expect((await send({ method: 'G\u00e9T', path: '/' })).status).toBe(400);
		await expectUp();
	});

	it('bytes that are not UTF-8', async () => {
		const tw = await twilio(Buffer.from([0x54, 0x6f, 0x3d, 0xff, 0xfe, 0x26, 0x42, 0x6f, 0x64, 0x79, 0x3d, 0xc3]));
		expect(tw.status).toBe(400);
		expectShape('twilio', tw);
		const si = await sinch(Buffer.concat([Buffer.from('{"to":["+3361234567'), Buffer.from([0xff, 0xc3]), Buffer.from('"],"from":"A","body":"x"}')]));
		expect(si.status).toBe(400);
		expectShape('sinch', si);
		// In the request target, Node's parser refuses them before any handler; in a header value they pass.
		const path = await send({ raw: Buffer.concat([Buffer.from('GET /__sandbox/messages?to='), Buffer.from([0xff, 0xfe]), Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)]) });
		expect(path.status).toBe(400);
		const header = await send({ raw: Buffer.concat([Buffer.from(`GET /__sandbox/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Junk: `), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('\r\nConnection: close\r\n\r\n')]) });
		expect(header.status).toBe(200);
		await expectUp();
	});

	it('values echoed back cannot inject headers or markup', async () => {
		const tw = await twilio({ To: '+1\r\nSet-Cookie: x=1' });
		expect(tw.status).toBe(400);
		expect(tw.headers['set-cookie']).toBeUndefined();
		expectShape('twilio', tw);
		const headers = await snsSignedHeaders(port, 'Action=<x>\u0001\r\nSet-Cookie: y', sandbox.accounts.sns);
		const sns = await send({ method: 'POST', path: '/', headers, body: 'Action=<x>\u0001\r\nSet-Cookie: y' });
		expect(sns.status).toBe(400);
		expect(sns.headers['set-cookie']).toBeUndefined();
		expect(sns.body).toContain('<Code>InvalidAction</Code><Message>The action &lt;x&gt;\ufffd\r\nSet-Cookie: y is not valid for this endpoint.</Message>');
		expectShape('sns', sns);
		// Raw CR/LF in a header line is refused by Node's parser before any handler.
		const injected = await send({ raw: Buffer.from(`GET /__sandbox/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-A: a\rb\r\n\r\n`) });
		expect(injected.status).toBe(400);
		await expectUp();
	});

	it('unknown paths get 404 in the addressed provider shape', async () => {
		const tw = await send({ path: '/2010-04-01/Nope.json' });
		expect(tw.status).toBe(404);
		expect(body(tw)).toMatchObject({ code: 20404, status: 404 });
		expectShape('twilio', tw);
		const si = await send({ path: `/xms/v1/${sandbox.accounts.sinch.servicePlanId}/inbounds/x` });
		expect(si.status).toBe(404);
		expect(body(si)).toMatchObject({ code: 'not_found' });
		expectShape('sinch', si);
		// Sinch Verification asks for its authorization first, in its own shape.
		const verification = await send({ path: '/verification/v9/nothing' });
		expect(verification.status).toBe(401);
		expect(body(verification)).toMatchObject({ errorCode: 40104 });
		expectShape('sinchVerification', verification);
		const sns = await send({ method: 'POST', path: '/', body: 'no=action' });
		expect(sns.status).toBe(403); // unsigned: AWS refuses before reading the action
		expectShape('sns', sns);
		const signed = await send({ method: 'POST', path: '/', headers: await snsSignedHeaders(port, 'Version=2010-03-31', sandbox.accounts.sns), body: 'Version=2010-03-31' });
		expect(signed.status).toBe(400);
		expect(signed.body).toContain('<Code>MissingAction</Code>');
		const none = await send({ path: '/favicon.ico' });
		expect(none.status).toBe(404);
		expectShape('sandbox', none);
		await expectUp();
	});

	it('Twilio: a MediaUrl that is not http(s) is refused with 21620', async () => {
		const response = await twilio({ MediaUrl: 'file:///etc/passwd' });
		expect(response.status).toBe(400);
		expect(body(response)).toMatchObject({ code: 21620, status: 400 });
		await expectUp();
	});

	it('Twilio Content API: malformed JSON, odd paths and methods, and hostile ContentVariables get Twilio’s shape, never a crash', async () => {
		const { accountSid, authToken } = sandbox.accounts.twilio;
		const auth = { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'Content-Type': 'application/json' };
		const content = (method: string, path: string, payload?: string | Buffer, headers: Record<string, string | null> = auth) => send({ method, path, headers, body: payload });
		const seed = 'HX0b7de13e8d46508ca7c9981891d2a673';
		const bad: Array<[string, string, string | Buffer | undefined, number]> = [
			...['{"language":', '', 'null', '[]', '"x"', `{"language":"en","types":${'['.repeat(50_000)}${']'.repeat(50_000)}}`].map((p): [string, string, string, number] => ['POST', '/v1/Content', p, 400]),
			['POST', '/v1/Content', '{"language":"en","types":{"__proto__":{"body":"x"}}}', 400],
			['POST', '/v1/Content', '{"language":"en","variables":{"1":{"x":1}},"types":{"twilio/text":{"body":"x"}}}', 400],
			['POST', '/v1/Content', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 400],
			['POST', `/v1/Content/${seed}/ApprovalRequests/whatsapp`, '{"name":', 400],
			['POST', `/v1/Content/${seed}/ApprovalRequests/whatsapp`, '{"name":["x"],"category":{"toString":1}}', 400],
			['GET', '/v1/Content/%zz', undefined, 404],
			['GET', `/v1/Content/${seed}/Nope`, undefined, 404],
			['GET', `/v1/Content/${seed}/ApprovalRequests/sms`, undefined, 404],
			['GET', '/v1/Content?PageSize=-1&Page=1e309', undefined, 200],
			['PATCH', '/v1/Content', '{}', 405],
			['PUT', `/v1/Content/${seed}`, '{}', 405],
			['POST', '/v1/ContentAndApprovals', '{}', 405],
		];
		for (const [method, path, payload, status] of bad) {
			const response = await content(method, path, payload);
			expect([method, path, response.status]).toEqual([method, path, status]);
			if (status !== 200) expectShape('twilio', response);
		}
		const unauthenticated = await content('GET', '/v1/ContentAndApprovals', undefined, {});
		expect(unauthenticated.status).toBe(401);
		expectShape('twilio', unauthenticated);
		// ContentVariables reach JSON.parse as a form value: hostile ones are a 21656, never a crash or a polluted object.
		for (const variables of ['{"__proto__":{"polluted":"yes"}}', `${'['.repeat(50_000)}${']'.repeat(50_000)}`, '{"1":"x"', '1e309']) {
			const response = await twilio({ To: 'whatsapp:+33612345678', From: 'whatsapp:+14155238886', Body: '', ContentSid: seed, ContentVariables: variables });
			expect(response.status).toBe(400);
			expect(body(response)).toMatchObject({ code: 21656 });
			expectShape('twilio', response);
		}
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		await expectUp();
	});
});

describe('the top-level guard', () => {
	it('a handler that throws answers 500 in the provider shape, is logged once, and the sandbox serves on', async () => {
		const lines: string[] = [];
		const guarded = await startSandbox({ port: 0, timeScale: 0.02, log: (line) => lines.push(line) });
		const guardedPort = Number(new URL(guarded.url).port);
		try {
			const apis = (guarded as any).apis as Array<{ name: string; handle: () => unknown }>;
			for (const api of apis) {
				api.handle = () => {
					throw new Error(`boom in ${api.name}`);
				};
			}
			const cases: Array<[Shape, RawRequest]> = [
				['twilio', { method: 'POST', path: MESSAGES(), body: 'x' }],
				['sinch', { method: 'POST', path: BATCHES(), body: '{}' }],
				['sns', { method: 'POST', path: '/', body: 'Action=Publish' }],
			];
			for (const [shape, request] of cases) {
				const response = await rawRequest(guardedPort, request);
				expect(response.status).toBe(500);
				expect(shapeProblem(shape, response)).toBeUndefined();
			}
			expect(guarded.errors.map((e) => e.message)).toEqual(['boom in twilio', 'boom in sinch', 'boom in sns']);
			expect(lines.filter((line) => line.startsWith('sandbox error'))).toHaveLength(3);
			expect((await rawRequest(guardedPort, { path: '/__sandbox/health' })).status).toBe(200);
		} finally {
			await guarded.stop();
		}
	});

	it('a timer that throws is kept as an error and the process goes on', async () => {
		const errors = console.error;
		console.error = () => undefined;
		try {
			sandbox.later(0, () => {
				throw new Error('timer boom');
			});
			await new Promise((resolve) => setTimeout(resolve, 30));
			expect(sandbox.errors.at(-1)).toMatchObject({ where: 'a scheduled status change or callback', message: 'timer boom' });
		} finally {
			console.error = errors;
			sandbox.errors.length = 0;
		}
		await expectUp();
	});

	it('a request waiting out a delay fault is still answered after a reset', async () => {
		sandbox.addFault({ type: 'delay', delayMs: 5000 });
		const pending = twilio({});
		await new Promise((resolve) => setTimeout(resolve, 20));
		sandbox.reset();
		expect((await pending).status).toBe(201);
		expect(sandbox.inFlightCount('twilio')).toBe(0);
	});
});

describe('the control API and the phone page refuse cross-site requests', () => {
	const own = () => `http://127.0.0.1:${port}`;

	it.each([
		['POST', '/reset'],
		['POST', '/faults'],
		['DELETE', '/faults'],
		['POST', '/inbound'],
		['GET', '/messages'],
	])('%s %s from a foreign Origin is refused with 403', async (method, path) => {
		for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`, 'null', `http://localhost:${port}.evil.example`]) {
			const response = await control(method, path, method === 'GET' || method === 'DELETE' ? undefined : { type: 'reset', from: '+33612345678', body: 'x' }, { Origin: origin });
			expect(response.status).toBe(403);
			expect(String(body(response).error)).toContain(`Cross-site request refused: Origin ${origin}`);
			expect(response.headers['access-control-allow-origin']).toBeUndefined();
		}
		expect(sandbox.faults).toEqual([]);
		expect(sandbox.messages.size).toBe(0);
	});

	it('a foreign Host (DNS rebinding) is refused, the phone page too; loopback names are not', async () => {
		for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'evil.example', `127.0.0.2:${port}`, '']) {
			for (const path of ['/__sandbox/config', '/']) {
				const response = await send({ path, headers: { Host: host } });
				expect(response.status).toBe(403);
				expect(String(body(response).error)).toContain('answer only requests addressed to the sandbox itself');
			}
		}
		const reset = await control('POST', '/reset', undefined, { Host: `attacker.example:${port}` });
		expect(reset.status).toBe(403);
		for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
			expect((await send({ path: '/__sandbox/health', headers: { Host: host } })).status).toBe(200);
		}
	});

	it('state-changing calls need a JSON body (no plain form or text), or no body', async () => {
		sandbox.addFault({ type: 'status', status: 503, to: '+33612345670' });
		for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
			const response = await control('POST', '/reset', undefined, { 'Content-Type': type });
			expect(response.status).toBe(415);
			const withBody = await send({ method: 'POST', path: '/__sandbox/faults', headers: { 'Content-Type': type }, body: '{"type":"reset"}' });
			expect(withBody.status).toBe(415);
		}
		expect((await send({ method: 'POST', path: '/__sandbox/reset', chunked: true, body: '{}' })).status).toBe(415);
		expect(sandbox.faults).toHaveLength(1);
		// What `curl -X POST …/reset` sends: no body, no type.
		expect((await control('POST', '/reset')).status).toBe(200);
		expect(sandbox.faults).toHaveLength(0);
	});

	it('the phone page keeps working: its own origin, same-origin relative URLs, JSON replies', async () => {
		const page = await send({ path: '/', headers: { Host: `localhost:${port}` } });
		expect(page.status).toBe(200);
		expect(page.body).toContain("fetch('/__sandbox/messages')");
		expect(page.body).toContain("fetch('/__sandbox/inbound', { method: 'POST', headers: { 'Content-Type': 'application/json' }");
		// What a browser sends for the page's fetch calls.
		const list = await send({ path: '/__sandbox/messages', headers: { 'Sec-Fetch-Site': 'same-origin' } });
		expect(list.status).toBe(200);
		const reply = await control('POST', '/inbound', { from: '+33612345678', body: 'YES' }, { Origin: own(), 'Sec-Fetch-Site': 'same-origin' });
		expect(reply.status).toBe(201);
		const viaLocalhost = await control('POST', '/inbound', { from: '+33612345678', body: 'NO' }, { Host: `localhost:${port}`, Origin: `http://localhost:${port}` });
		expect(viaLocalhost.status).toBe(201);
	});

	it('provider APIs answer any Host (n8n in Docker calls host.docker.internal)', async () => {
		const response = await twilio({}, { headers: { Host: `host.docker.internal:${port}`, Authorization: twilioAuth(), 'Content-Type': 'application/x-www-form-urlencoded' } });
		expect(response.status).toBe(201);
	});

	it('allowedHosts adds names (and name:port) for the control API', async () => {
		const lan = await startSandbox({ port: 0, allowedHosts: ['sandbox.lan', 'mapped.example:14010'] });
		const lanPort = Number(new URL(lan.url).port);
		try {
			expect((await rawRequest(lanPort, { path: '/__sandbox/health', headers: { Host: `sandbox.lan:${lanPort}`, Origin: `http://sandbox.lan:${lanPort}` } })).status).toBe(200);
			expect((await rawRequest(lanPort, { path: '/__sandbox/health', headers: { Host: 'mapped.example:14010' } })).status).toBe(200);
			expect((await rawRequest(lanPort, { path: '/__sandbox/health', headers: { Host: `mapped.example:${lanPort}` } })).status).toBe(403);
			expect((await rawRequest(lanPort, { path: '/__sandbox/health', headers: { Host: `other.lan:${lanPort}` } })).status).toBe(403);
		} finally {
			await lan.stop();
		}
	});
});

function twilioAuth(): string {
	const { accountSid, authToken } = sandbox.accounts.twilio;
	return `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
}
