/**
 * No code echoed back: the Phone Verification node's requests go to a local server that answers every one with
 * everything it received — the form or JSON body carrying the code, URL-decoded and re-encoded — in each provider's
 * success shape, its error shape, a 5xx, a 401 and plain HTML/text pages. The code (and the whole message that
 * carries it) may appear in no output item, error, run result or console/log line: not for built-in codes over each
 * provider, not for a Twilio Verify check or a custom code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { SANDBOX_CODE_SECRET } from '../../scripts/n8nServer';
import type { Engine } from '../helpers/engine';
import { captureOutput, localServer, type LocalServer } from '../helpers/hostile';
import { useEngine } from '../helpers/useEngine';
import { useSandbox } from '../helpers/sandbox';

const box = useSandbox();
const engines = useEngine(box);
let engine: Engine;
let echo: LocalServer;
beforeAll(async () => {
	echo = await localServer(answer);
});
afterAll(async () => {
	await echo?.close();
});
beforeEach(() => {
	engine = engines.get();
	engine.setCredentials('messagingVerificationSecretApi', { secret: SANDBOX_CODE_SECRET });
	seenBodies.length = 0;
});

const seenBodies: string[] = [];
type Shape = 'ok' | 'err' | 'err5' | 'auth401' | 'html4' | 'html5';
const SHAPES: Shape[] = ['ok', 'err', 'err5', 'auth401', 'html4', 'html5'];
const hex = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7 + 3) % 16).toString(16)).join('');
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function send(res: ServerResponse, status: number, type: string, body: string): void {
	res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...(status === 503 ? { 'Retry-After': '0' } : {}) });
	res.end(body);
}

/** Everything the request carried, its form fields decoded one by one. */
function echoOf(req: IncomingMessage, body: string): string {
	const fields = [...new URLSearchParams(body)].map(([k, v]) => `${k} ${v} ${encodeURIComponent(v)} ${Buffer.from(v).toString('base64')}`);
	return `${req.method} ${req.url}\n${body}\n${fields.join(' | ')}`;
}

function answer(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
	const url = req.url ?? '/';
	const body = raw.toString('utf-8');
	seenBodies.push(body);
	const shape = (/^\/([^/]+)/.exec(url)?.[1] ?? 'ok') as Shape;
	const text = echoOf(req, body);
	const json = (status: number, value: unknown) => send(res, status, 'application/json', JSON.stringify(value));
	if (shape === 'html4') return send(res, 403, 'text/html', `<html><body><h1>Forbidden</h1><pre>${escapeXml(text)}</pre></body></html>`);
	if (shape === 'html5') return send(res, 502, 'text/plain', `Bad gateway. The upstream request was:\n${text}`);
	const now = new Date().toISOString();
	if (url.includes('/v2/Services/')) {
		if (shape === 'ok') return json(200, { sid: `VE${hex(32)}`, status: url.endsWith('VerificationCheck') ? 'pending' : 'pending', to: '+33612345678', channel: 'sms', valid: false, date_created: now, send_code_attempts: [{ channel: text }], url: text });
		if (shape === 'auth401') return json(401, { code: 20003, message: text, more_info: text, status: 401 });
		if (shape === 'err5') return json(503, { code: 20500, message: text, more_info: text, status: 503 });
		return json(400, { code: 60200, message: text, more_info: text, status: 400 });
	}
	if (url.includes('/2010-04-01/')) {
		if (shape === 'ok') return json(201, { sid: `SM${hex(32)}`, status: 'queued', to: '+33612345678', from: '+15005550006', body: text, error_message: text, num_segments: '1', date_created: now, uri: text });
		if (shape === 'auth401') return json(401, { code: 20003, message: text, more_info: text, status: 401 });
		if (shape === 'err5') return json(503, { code: 20500, message: text, more_info: text, status: 503 });
		return json(400, { code: 21211, message: text, more_info: text, status: 400 });
	}
	if (url.includes('/xms/')) {
		if (shape === 'ok') return json(201, { id: `01ECHO${hex(20).toUpperCase()}`, to: ['33612345678'], from: '+12025550150', body: text, type: 'mt_text', created_at: now, canceled: false });
		if (shape === 'auth401') return json(401, { code: 'unauthorized', text });
		if (shape === 'err5') return json(503, { code: 'internal_error', text });
		return json(400, { code: 'syntax_invalid_parameter_format', text });
	}
	const error = (status: number, code: string, type = 'Sender') =>
		send(res, status, 'text/xml', `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(text)}</Message></Error><RequestId>${escapeXml(text)}</RequestId></ErrorResponse>`);
	if (shape === 'ok') return send(res, 200, 'text/xml', `<PublishResponse><PublishResult><MessageId>0e0c0a0b-0000-4000-8000-${hex(12)}</MessageId></PublishResult><ResponseMetadata><RequestId>${escapeXml(text)}</RequestId></ResponseMetadata></PublishResponse>`);
	if (shape === 'auth401') return error(403, 'InvalidClientTokenId');
	if (shape === 'err5') return error(503, 'ServiceUnavailable', 'Receiver');
	return error(400, 'InvalidParameter');
}

function credentials(base: string): Record<string, IDataObject> {
	const { accounts } = box.get();
	return {
		messagingTwilioApi: { authType: 'authToken', accountSid: accounts.twilio.accountSid, authToken: accounts.twilio.authToken, baseUrl: base },
		messagingSinchApi: { smsAuth: 'servicePlan', region: 'us', servicePlanId: accounts.sinch.servicePlanId, apiToken: accounts.sinch.apiToken, smsBaseUrl: base },
		messagingAwsSnsApi: { region: 'us-east-1', accessKeyId: accounts.sns.accessKeyId, secretAccessKey: accounts.sns.secretAccessKey, baseUrl: base },
	};
}

function dump(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, v: unknown) => {
		if (v && typeof v === 'object') {
			if (seen.has(v)) return '[circular]';
			seen.add(v);
			if (v instanceof Error) return Object.fromEntries(Object.getOwnPropertyNames(v).map((k) => [k, (v as unknown as Record<string, unknown>)[k]]));
		}
		return v;
	});
}

/** Every form a text is looked for in: plain, URL- and form-encoded, base64. */
const forms = (text: string) => [text, encodeURIComponent(text), new URLSearchParams({ s: text }).toString().slice(2), Buffer.from(text).toString('base64').replace(/=+$/, '')];

/**
 * Run one node and look for the secrets everywhere but where the user put them: a code the person typed arrives in
 * the input item (mapped into the node by an expression), so the input node's own output is not searched.
 */
async function runAndLook(nodeParams: IDataObject, secretsOf: () => string[], stopOnError: boolean, input: IDataObject = {}): Promise<{ leaks: string[]; summary: string }> {
	const capture = captureOutput();
	let result;
	try {
		result = await engine.run([input], [{ type: 'phoneVerification', name: 'Verify', ...(stopOnError ? {} : { onError: 'continueRegularOutput' as const }), parameters: nodeParams as INodeParameters }]);
		await new Promise((resolve) => setImmediate(resolve));
	} finally {
		capture.restore();
	}
	const error = result.error('Verify');
	const places: Array<[string, string]> = [
		['output', dump(result.items('Verify'))],
		['error', `${error?.message ?? ''}\n${error?.description ?? ''}\n${dump(error)}\n${error?.stack ?? ''}`],
		['run result', `${dump(result.task('Verify'))}\n${inspect(result.task('Verify'), { depth: 30, maxStringLength: Infinity })}\n${dump(result.run.data.resultData.error ?? null)}`],
		['console/log', capture.text()],
	];
	const leaks: string[] = [];
	const secrets = secretsOf();
	expect(secrets.length).toBeGreaterThan(0);
	for (const secret of secrets) for (const form of forms(secret)) for (const [where, text] of places) if (text.includes(form)) leaks.push(`${JSON.stringify(form)} in ${where}`);
	const items = result.items('Verify');
	return { leaks, summary: error ? `error: ${error.message}` : items.map((i) => String(i.json.status ?? i.json.error)).join(',') };
}

/** The code in a message the echo server received (form Body=…, Sinch's JSON body, SNS's Message=…). */
function codesSeen(): string[] {
	const out: string[] = [];
	for (const body of seenBodies) {
		const text = body.startsWith('{') ? String((JSON.parse(body) as { body?: string }).body ?? '') : (new URLSearchParams(body).get('Body') ?? new URLSearchParams(body).get('Message') ?? '');
		const code = /code is ([0-9A-Z]{6,})/.exec(text)?.[1];
		if (code) out.push(code, text);
	}
	return out;
}

describe('No one-time code echoed back', () => {
	it('the echo server really echoes the code (the checks below would see a leak)', async () => {
		for (const [type, data] of Object.entries(credentials(`${echo.url}/ok`))) engine.setCredentials(type, data as never);
		const result = await engine.run([{}], [{ type: 'phoneVerification', name: 'Verify', parameters: { operation: 'start', engine: 'builtin:twilio', to: '+33612345678', twilioFrom: '+15005550006', message: 'Your code is {code}' } }]);
		const codes = codesSeen();
		expect(codes.length).toBe(2);
		// The provider's answer held the code; what the node gives out does not.
		expect(result.items('Verify')[0].json.status).toBe('pending');
		expect(dump(result.items('Verify'))).not.toContain(codes[0]);
	});

	const routes = ['twilio', 'sinch', 'sns', 'twilio,sns', 'sinch,twilio'];
	it.each(routes.flatMap((route) => SHAPES.flatMap((shape) => [false, true].map((stop): [string, Shape, boolean] => [route, shape, stop]))))(
		'built-in codes via %s, answer %s, stop on error %p: the code and its message nowhere',
		async (route, shape, stopOnError) => {
			for (const [type, data] of Object.entries(credentials(`${echo.url}/${shape}`))) engine.setCredentials(type, data as never);
			const { leaks } = await runAndLook(
				{ operation: 'start', engine: `builtin:${route}`, to: '+33612345678', twilioFrom: '+15005550006', sinchFrom: '+12025550150', message: 'Your code is {code}', codeLength: 8, codeAlphabet: 'letters', options: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 5000, maxStartsPerNumber: 0 } },
				codesSeen,
				stopOnError,
			);
			expect(leaks).toEqual([]);
		},
	);

	it.each(SHAPES.flatMap((shape) => [false, true].map((stop): [Shape, boolean] => [shape, stop])))('Twilio Verify check and custom code, answer %s, stop on error %p: the code nowhere', async (shape, stopOnError) => {
		engine.setCredentials('messagingTwilioApi', { ...credentials(`${echo.url}/${shape}`).messagingTwilioApi } as never);
		const sid = box.get().accounts.twilio.verifyServiceSid;
		const check = await runAndLook(
			{ operation: 'check', engine: 'twilio', twilioVerifyServiceSid: sid, to: '+33612345678', code: '={{ $json.code }}', options: { maxRetries: 1, baseDelayMs: 1, timeoutMs: 5000 } },
			() => ['73519246'],
			stopOnError,
			{ code: '73519246' },
		);
		const start = await runAndLook(
			{ operation: 'start', engine: 'twilio', twilioVerifyServiceSid: sid, to: '+33612345678', options: { customCode: '={{ $json.custom }}', maxRetries: 1, baseDelayMs: 1, timeoutMs: 5000, maxStartsPerNumber: 0 } },
			() => ['48151623'],
			stopOnError,
			{ custom: '48151623' },
		);
		// Typed with spaces and dashes: the services send it without them, and that form is kept out too.
		const spaced = await runAndLook(
			{ operation: 'check', engine: 'twilio', twilioVerifyServiceSid: sid, to: '+33612345678', code: '={{ $json.code }}', options: { maxRetries: 1, baseDelayMs: 1, timeoutMs: 5000 } },
			() => ['62840519'],
			stopOnError,
			{ code: '628 405-19' },
		);
		expect(seenBodies.join('\n')).toContain('Code=62840519');
		expect([...check.leaks, ...start.leaks, ...spaced.leaks]).toEqual([]);
		expect(seenBodies.join('\n')).toContain('Code=73519246');
		expect(seenBodies.join('\n')).toContain('CustomCode=48151623');
	});
});
