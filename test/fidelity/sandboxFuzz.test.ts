/**
 * Fuzzing the sandbox over real HTTP on 127.0.0.1: thousands of malformed and random requests from a seeded
 * generator (paths, methods, headers, bodies; wrong types in every field of Twilio, Sinch and SNS sends and of
 * Sinch Verification's starts and reports; junk control calls; raw bytes). After each batch the sandbox must still
 * serve; no answer may be a 5xx (no faults are left in place while provider requests run); every error from a
 * provider path must be in that provider's shape; the sandbox must record no failure of its own. SANDBOX_FUZZ_SEED
 * and SANDBOX_FUZZ_REQUESTS change the run.
 */
import { sinchApplicationAuthorization } from '../../nodes/shared/signatures/sinch';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { rawRequest, shapeFor, shapeProblem, snsSignedHeaders, type RawRequest, type RawResponse } from '../sandbox/rawHttp';

const SEED = Number(process.env.SANDBOX_FUZZ_SEED ?? 0x5eed5);
const REQUESTS = Number(process.env.SANDBOX_FUZZ_REQUESTS ?? 4000);
const CONCURRENCY = 8;
const BATCH = 250;

/** mulberry32: small, fast, seeded. */
function prng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number) => Math.floor(next() * n);
	const pick = <T>(list: readonly T[]): T => list[int(list.length)];
	const chance = (p: number) => next() < p;
	return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const MAGIC = ['+12125550101', '+12125550102', '+12125550103', '+12125550104', '+12125550105'];

function randomText(r: Rng, max = 40): string {
	const alphabets = [
		'abcdefghijklmnopqrstuvwxyz0123456789',
		' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
		'\u0000\u0001\u0007\b\t\n\v\f\r\u001b\u007f',
		'éçßΩЖ中文日本語😀👍🏽\u200b\u202e\ufeff',
	];
	let out = '';
	for (let i = r.int(max + 1); i > 0; i--) out += r.pick([...r.pick(alphabets)]);
	if (r.chance(0.05)) out += r.pick(['\ud800', '\udc00']);
	return out;
}

function junkString(r: Rng): string {
	return r.pick([
		() => '',
		() => ' ',
		() => 'null',
		() => 'undefined',
		() => '0',
		() => '-1',
		() => '1e400',
		() => 'NaN',
		() => 'true',
		() => '[]',
		() => '{}',
		() => '%',
		() => '%zz',
		() => '%E0%A4%A',
		() => '%00',
		() => '\u0000',
		() => '\r\nSet-Cookie: injected=1',
		() => '<script>alert(1)</script>',
		() => ']]><x/>',
		() => '&amp;&',
		() => 'javascript:alert(1)',
		() => 'file:///etc/passwd',
		() => 'data:text/html,<b>x</b>',
		() => 'http://_under.example/cb',
		() => 'http://127.0.0.1:1/cb',
		() => 'https://127.0.0.1:1/cb?x=1',
		() => 'http://',
		() => 'whatsapp:+33612345678',
		() => '+33612345678',
		() => `+336${String(r.int(1e8)).padStart(8, '0')}`,
		() => r.pick(MAGIC),
		() => '+1',
		() => `+${'9'.repeat(20)}`,
		() => '33612345678',
		() => 'x'.repeat(1601),
		() => 'y'.repeat(5000),
		() => '2030-01-01T00:00:00Z',
		() => new Date(Date.now() + 3600_000).toISOString(),
		() => '+275760-09-13T00:00:00.000Z',
		() => 'yesterday',
		() => String(r.int(1e9) - 5e8),
		() => String(r.next() * 1e6),
		() => randomText(r),
		() => randomText(r, 300),
	])();
}

function junkJson(r: Rng, depth = 0): unknown {
	const kinds: Array<() => unknown> = [
		() => junkString(r),
		() => r.pick([0, -0, 1, -1, 1.5, 1e308, -1e308, 2 ** 53, r.int(1000)]),
		() => r.chance(0.5),
		() => null,
		() => ({ toString: 1 }),
		() => ({ __proto__: { polluted: true } }),
	];
	if (depth < 3) {
		kinds.push(
			() => Array.from({ length: r.int(4) }, () => junkJson(r, depth + 1)),
			() => Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(['a', '__proto__', 'constructor', 'to', '', randomText(r, 8)]), junkJson(r, depth + 1)])),
		);
	}
	return r.pick(kinds)();
}

/** Percent-encoding that does not throw on a lone surrogate (it sends the surrogate's bytes, as a sloppy client would). */
function enc(text: string): string {
	try {
		return encodeURIComponent(text);
	} catch {
		return text.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^\w%.~-]/g, (c) => {
			try {
				return encodeURIComponent(c);
			} catch {
				return '%EF%BF%BD';
			}
		});
	}
}

/** A request target a client library would send: anything outside visible ASCII percent-encoded. */
function target(path: string): string {
	return path.replace(/[^\x21-\x7e]/g, (c) => enc(c));
}

function deepJson(depth: number): string {
	return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function randomBytes(r: Rng, max = 200): Buffer {
	return Buffer.from(Array.from({ length: r.int(max + 1) }, () => r.int(256)));
}

/** A form body: key=value pairs encoded properly, or raw (with broken percent-encoding), with duplicates. */
function formBody(r: Rng, fields: Array<[string, string]>): string {
	if (r.chance(0.2)) return fields.map(([k, v]) => `${k}=${v}`).join(r.pick(['&', '&&', ';', '&=&']));
	const params = new URLSearchParams();
	for (const [k, v] of fields) params.append(k, v);
	return params.toString();
}

interface Case {
	label: string;
	request: RawRequest;
	/** Raw junk: Node's parser may answer (400, 417, 431) or close; only "no 5xx and still up" is checked. */
	raw?: boolean;
	/** A timeout for requests built to never finish (a body shorter than declared). */
	timeoutMs?: number;
}

function fuzzer(sandbox: Sandbox, port: number) {
	const { twilio, sinch, sns } = sandbox.accounts;
	const twilioAuth = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`;
	/** What a client library would let through in a header value: visible Latin-1 only. */
	const headerSafe = (value: string) => [...value].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).map((c) => (c.charCodeAt(0) > 0xff ? '?' : c)).join('');
	const junkAuth = (r: Rng): string | null => {
		const value = r.pick([
			null,
			'',
			'Basic',
			'Basic %%%',
			`Basic ${Buffer.from(junkString(r)).toString('base64')}`,
			`Basic ${Buffer.from(`${twilio.accountSid}:wrong`).toString('base64')}`,
			`Bearer ${junkString(r)}`,
			'AWS4-HMAC-SHA256 Credential=x',
		]);
		return value === null ? null : headerSafe(value);
	};
	const bigBody = (r: Rng) => Buffer.alloc(1024 * 1024 + 1 + r.int(2 * 1024 * 1024), 'a');

	function twilioCase(r: Rng): Case {
		const fields: Array<[string, string]> = [];
		const names = ['To', 'From', 'Body', 'MessagingServiceSid', 'MediaUrl', 'StatusCallback', 'SendAt', 'ScheduleType', 'ValidityPeriod', 'ContentSid', 'ContentVariables', 'Status', randomText(r, 6)];
		const valid: Record<string, () => string> = {
			To: () => `+336${String(r.int(1e8)).padStart(8, '0')}`,
			From: () => r.pick([...twilio.numbers, 'ACME', '12345']),
			Body: () => randomText(r, 200) || 'x',
			MessagingServiceSid: () => twilio.messagingServiceSid,
			StatusCallback: () => 'http://127.0.0.1:1/status',
			MediaUrl: () => 'https://127.0.0.1:1/cat.png',
			ScheduleType: () => 'fixed',
			SendAt: () => new Date(Date.now() + 3600_000).toISOString(),
		};
		const nearlyValid = r.chance(0.25);
		if (nearlyValid) {
			// Nearly valid: a good send with one field that may be bad (reaches statuses, queues and callbacks).
			fields.push(['To', valid.To()], ['From', valid.From()], ['Body', valid.Body()]);
			const name = r.pick(['StatusCallback', 'MediaUrl', 'ValidityPeriod', 'To', 'Body', 'From']);
			fields.push([name, valid[name] && r.chance(0.5) ? valid[name]() : junkString(r)]);
		} else {
			for (const name of names) {
				if (!r.chance(name === 'To' || name === 'Body' || name === 'From' ? 0.9 : 0.3)) continue;
				const times = r.chance(0.1) ? 1 + r.int(12) : 1;
				for (let i = 0; i < times; i++) fields.push([name, valid[name] && r.chance(0.5) ? valid[name]() : junkString(r)]);
			}
		}
		const sids = [twilio.accountSid, `${twilio.accountSid}.json`, 'AC' + '0'.repeat(32), junkString(r), '', '..', '%2e%2e'];
		const sid = r.chance(0.85) ? twilio.accountSid : r.pick(sids);
		const path = nearlyValid ? `/2010-04-01/Accounts/${twilio.accountSid}/Messages.json` : r.pick([
			() => `/2010-04-01/Accounts/${sid}/Messages.json`,
			() => `/2010-04-01/Accounts/${sid}/Messages.json`,
			() => `/2010-04-01/Accounts/${sid}/Messages.json`,
			() => `/2010-04-01/Accounts/${sid}/Messages/SM${'0'.repeat(32)}.json`,
			() => `/2010-04-01/Accounts/${sid}/Messages/${enc(junkString(r))}.json`,
			() => `/2010-04-01/Accounts/${sid}/Messages.json?${formBody(r, [[r.pick(['To', 'From', 'DateSent>', 'PageSize', 'Page']), junkString(r)]])}`,
			() => `/2010-04-01/Accounts/${sid}.json`,
			() => `/2010-04-01/${enc(junkString(r))}`,
			() => '/2010-04-01',
			() => `/2010-04-01/Accounts/${sid}/Messages.json/../../..`,
		])();
		const method = nearlyValid || r.chance(0.75) ? 'POST' : r.pick(['GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']);
		const body = nearlyValid ? new URLSearchParams(fields).toString() : r.pick<() => string | Buffer>([
			() => formBody(r, fields),
			() => formBody(r, fields),
			() => formBody(r, fields),
			() => JSON.stringify(Object.fromEntries(fields)),
			() => randomBytes(r),
			() => (r.chance(0.05) ? bigBody(r) : ''),
		])();
		const contentType = r.chance(0.85) ? 'application/x-www-form-urlencoded' : r.pick(['application/json', 'text/plain', junkString(r), null]);
		const authorization = nearlyValid || r.chance(0.9) ? twilioAuth : junkAuth(r);
		return {
			label: `twilio ${method} ${target(path)}`,
			request: { method, path: target(path), body, chunked: r.chance(0.05), headers: { Authorization: authorization, 'Content-Type': contentType === null ? null : headerSafe(contentType) } },
		};
	}

	function sinchCase(r: Rng): Case {
		const payload: Record<string, unknown> = {};
		const valid: Record<string, () => unknown> = {
			to: () => Array.from({ length: 1 + r.int(3) }, () => `+336${String(r.int(1e8)).padStart(8, '0')}`),
			from: () => r.pick([...sinch.numbers, 'ACME']),
			body: () => randomText(r, 200) || 'x',
			delivery_report: () => r.pick(['none', 'summary', 'full', 'per_recipient', 'per_recipient_final']),
			callback_url: () => 'http://127.0.0.1:1/dlr',
			client_reference: () => randomText(r, 20),
			send_at: () => new Date(Date.now() + r.int(3600_000)).toISOString(),
			expire_at: () => new Date(Date.now() + 86_400_000).toISOString(),
			type: () => 'mt_text',
		};
		const nearlyValid = r.chance(0.25);
		if (nearlyValid) {
			payload.to = valid.to();
			payload.from = valid.from();
			payload.body = valid.body();
			const name = r.pick(['callback_url', 'delivery_report', 'send_at', 'expire_at', 'client_reference', 'to', 'parameters']);
			payload[name] = valid[name] && r.chance(0.5) ? valid[name]() : junkJson(r);
			if (name === 'callback_url') payload.delivery_report = 'per_recipient';
		} else {
			for (const name of [...Object.keys(valid), 'parameters', randomText(r, 6)]) {
				const required = name === 'to' || name === 'from' || name === 'body';
				if (!r.chance(required ? 0.9 : 0.3)) continue;
				payload[name] = valid[name] && r.chance(0.5) ? valid[name]() : junkJson(r);
			}
		}
		if (r.chance(0.1)) {
			payload.to = r.pick([
				() => [...(valid.to() as string[]), junkJson(r)],
				() => Array.from({ length: 1001 }, (_, i) => `+3361234${String(i).padStart(4, '0')}`),
				() => [{ toString: 1 }],
				() => [null, 5, [], {}],
				() => junkString(r),
			])();
		}
		const scope = r.chance(0.85) ? sinch.servicePlanId : r.pick([sinch.projectId, junkString(r), '', '..']);
		const path = nearlyValid ? `/xms/v1/${sinch.servicePlanId}/batches` : r.pick([
			() => `/xms/v1/${scope}/batches`,
			() => `/xms/v1/${scope}/batches`,
			() => `/xms/v1/${scope}/batches`,
			() => `/xms/v1/${scope}/batches/dry_run`,
			() => `/xms/v1/${scope}/batches/${enc(junkString(r))}`,
			() => `/xms/v1/${scope}/batches/01ARZ3NDEKTSV4RRFFQ69G5FAV/delivery_report/${r.pick(['%E0%A4%A', '%zz', '33612345678', '+1'])}`,
			() => `/xms/v1/${scope}/batches?page_size=${enc(junkString(r))}`,
			() => `/xms/v1/${scope}/${enc(junkString(r))}`,
			() => '/xms',
			() => '/oauth2/token',
		])();
		const method = nearlyValid || r.chance(0.75) ? 'POST' : r.pick(['GET', 'DELETE', 'PUT', 'PATCH', 'HEAD']);
		const json = () => {
			try {
				return JSON.stringify(payload);
			} catch {
				return '{}';
			}
		};
		const body = nearlyValid ? json() : r.pick<() => string | Buffer>([
			json,
			json,
			json,
			() => json().slice(0, r.int(json().length + 1)),
			() => `{"to":${deepJson(1000 + r.int(20_000))},"from":"A","body":"x"}`,
			() => randomBytes(r),
			() => formBody(r, [['grant_type', r.pick(['client_credentials', junkString(r)])]]),
			() => (r.chance(0.05) ? bigBody(r) : ''),
		])();
		const authorization =
			path === '/oauth2/token'
				? r.pick([`Basic ${Buffer.from(`${sinch.keyId}:${sinch.keySecret}`).toString('base64')}`, junkAuth(r)])
				: nearlyValid || r.chance(0.9)
					? `Bearer ${sinch.apiToken}`
					: junkAuth(r);
		const contentType = r.chance(0.85) ? 'application/json' : r.pick(['application/x-www-form-urlencoded', 'text/plain', junkString(r), null]);
		return {
			label: `sinch ${method} ${target(path)}`,
			request: { method, path: target(path), body, chunked: r.chance(0.05), headers: { Authorization: authorization, 'Content-Type': contentType === null ? null : headerSafe(contentType) } },
		};
	}

	/** Sinch Verification: starts, reports and look-ups, mostly signed as the SDK signs them (so they reach the handlers). */
	function sinchVerificationCase(r: Rng): Case {
		const number = () => r.pick([() => `+336${String(r.int(1e8)).padStart(8, '0')}`, () => r.pick(MAGIC), () => junkString(r)])();
		const method = () => (r.chance(0.7) ? r.pick(['sms', 'flashcall', 'callout', 'whatsapp', 'seamless']) : junkJson(r));
		const start = () => {
			const payload: Record<string, unknown> = {};
			if (r.chance(0.9)) payload.identity = r.chance(0.8) ? { type: r.chance(0.9) ? 'number' : junkJson(r), endpoint: r.chance(0.8) ? number() : junkJson(r) } : junkJson(r);
			if (r.chance(0.9)) payload.method = method();
			for (const field of ['reference', 'custom', 'smsOptions', 'flashCallOptions', 'calloutOptions', 'whatsappOptions']) {
				if (r.chance(0.15)) payload[field] = field.endsWith('Options') && r.chance(0.5) ? { expiry: r.pick(['00:10:00', '99:99:99', junkString(r)]), codeType: r.pick(['Numeric', 'Alpha', junkString(r)]), locale: junkString(r) } : junkJson(r);
			}
			return payload;
		};
		const report = () => {
			const m = method();
			const payload: Record<string, unknown> = { method: m };
			const key = r.pick(['sms', 'flashCall', 'flashcall', 'callout', 'whatsapp', typeof m === 'string' ? m : 'sms']);
			if (r.chance(0.9)) payload[key] = r.chance(0.7) ? { code: r.chance(0.5) ? String(r.int(1e4)).padStart(4, '0') : junkJson(r), cli: r.chance(0.5) ? `+4610${String(r.int(1e7)).padStart(7, '0')}` : junkJson(r) } : junkJson(r);
			return payload;
		};
		const id = () => r.pick([() => '00000000-0000-4000-8000-000000000000', () => enc(junkString(r)), () => '%zz', () => ''])();
		const [httpMethod, path, payload] = r.pick<() => [string, string, unknown]>([
			() => ['POST', '/verification/v1/verifications', start()],
			() => ['POST', '/verification/v1/verifications', start()],
			() => ['PUT', `/verification/v1/verifications/id/${id()}`, report()],
			() => ['PUT', `/verification/v1/verifications/number/${enc(String(number()))}`, report()],
			() => ['GET', `/verification/v1/verifications/id/${id()}`, undefined],
			() => ['GET', `/verification/v1/verifications/${r.pick(['sms', 'flashcall', 'callout', 'phonecall', enc(junkString(r))])}/number/${enc(String(number()))}`, undefined],
			() => ['GET', `/verification/v1/verifications/reference/${enc(junkString(r))}`, undefined],
			() => [r.pick(['DELETE', 'PATCH', 'GET', 'PUT']), `/verification/${enc(junkString(r))}`, junkJson(r)],
		])();
		let body: string | Buffer;
		try {
			body = payload === undefined ? '' : r.pick<() => string | Buffer>([
				() => JSON.stringify(payload) ?? '',
				() => JSON.stringify(payload) ?? '',
				() => JSON.stringify(payload) ?? '',
				() => (JSON.stringify(payload) ?? '').slice(0, r.int(30)),
				() => randomBytes(r),
				() => deepJson(1000 + r.int(20_000)),
			])();
		} catch {
			body = '{}';
		}
		const contentType = r.chance(0.85) ? r.pick(['application/json', 'application/json; charset=UTF-8']) : r.pick(['text/plain', headerSafe(junkString(r)), null]);
		const timestamp = r.chance(0.9) ? new Date().toISOString() : r.pick([new Date(Date.now() - 3_600_000).toISOString(), headerSafe(junkString(r))]);
		const signed = () =>
			sinchApplicationAuthorization({ applicationKey: sinch.verificationAppKey, applicationSecret: sinch.verificationAppSecret, method: httpMethod, contentType: contentType ?? '', timestamp, path: target(path), body: typeof body === 'string' ? body : body.toString('utf-8') });
		const authorization = r.chance(0.8)
			? signed()
			: r.pick<() => string | null>([() => `Basic ${Buffer.from(`${sinch.verificationAppKey}:${sinch.verificationAppSecret}`).toString('base64')}`, () => `Application ${sinch.verificationAppKey}`, () => headerSafe(`Application ${junkString(r)}:${junkString(r)}`), () => junkAuth(r)])();
		return {
			label: `sinch verification ${httpMethod} ${target(path)}`,
			request: { method: httpMethod, path: target(path), body, headers: { Authorization: authorization, 'x-timestamp': timestamp, 'Content-Type': contentType } },
		};
	}

	async function snsCase(r: Rng): Promise<Case> {
		const fields: Array<[string, string]> = [];
		if (r.chance(0.9)) fields.push(['Action', r.chance(0.7) ? 'Publish' : r.pick(['GetSMSAttributes', 'CheckIfPhoneNumberIsOptedOut', 'ListPhoneNumbersOptedOut', 'Subscribe', junkString(r)])]);
		if (r.chance(0.7)) fields.push(['Version', '2010-03-31']);
		if (r.chance(0.85)) fields.push(['PhoneNumber', r.chance(0.5) ? `+336${String(r.int(1e8)).padStart(8, '0')}` : junkString(r)]);
		if (r.chance(0.85)) fields.push(['Message', r.chance(0.5) ? randomText(r, 100) || 'x' : junkString(r)]);
		if (r.chance(0.1)) fields.push([r.pick(['TopicArn', 'TargetArn', 'phoneNumber']), junkString(r)]);
		for (let n = 1; n <= r.int(4); n++) {
			const index = r.chance(0.9) ? n : r.pick([0, -1, 99, 'x'] as const);
			fields.push([`MessageAttributes.entry.${index}.Name`, r.pick(['AWS.SNS.SMS.SMSType', 'AWS.SNS.SMS.SenderID', 'AWS.SNS.SMS.MaxPrice', 'AWS.MM.SMS.OriginationNumber', '__proto__', junkString(r)])]);
			if (r.chance(0.8)) fields.push([`MessageAttributes.entry.${index}.Value.DataType`, r.pick(['String', 'Number', junkString(r)])]);
			if (r.chance(0.8)) fields.push([`MessageAttributes.entry.${index}.Value.StringValue`, r.pick(['Transactional', 'Promotional', 'ACME', '0.5', junkString(r)])]);
		}
		const body = r.pick<() => string | Buffer>([
			() => formBody(r, fields),
			() => formBody(r, fields),
			() => formBody(r, fields),
			() => randomBytes(r),
			() => JSON.stringify(Object.fromEntries(fields)),
			() => (r.chance(0.05) ? bigBody(r) : ''),
		])();
		const path = r.chance(0.9) ? '/' : r.pick(['/?Action=Publish', '/?%zz', `/?x=${enc(junkString(r))}`]);
		let headers: Record<string, string | null> = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };
		if (r.chance(0.7) && typeof body === 'string' && path === '/') headers = { ...headers, ...(await snsSignedHeaders(port, body, sns)) };
		else if (r.chance(0.5)) {
			headers.Authorization = headerSafe(`AWS4-HMAC-SHA256 Credential=${r.pick([sns.accessKeyId, 'AKIAX'])}/20260101/${r.pick(['us-east-1', junkString(r)])}/${r.pick(['sns', 'sqs'])}/aws4_request, SignedHeaders=${r.pick(['host;x-amz-date', 'host;x-missing', junkString(r)])}, Signature=${'a'.repeat(64)}`);
			headers['X-Amz-Date'] = r.pick([new Date().toISOString().replace(/[:-]|\.\d{3}/g, ''), '20000101T000000Z', headerSafe(junkString(r))]);
		}
		return { label: `sns POST ${target(path)}`, request: { method: 'POST', path: target(path), body, headers } };
	}

	function rawCase(r: Rng): Case {
		const host = `127.0.0.1:${port}`;
		if (r.chance(0.1)) return { label: 'raw random bytes', request: { raw: randomBytes(r, 600) }, raw: true };
		if (r.chance(0.03)) {
			// Declares more body than it sends: the sandbox waits for it (Node's request timeout ends it), unharmed.
			return {
				label: 'raw short body',
				request: { raw: Buffer.from(`POST /__sandbox/inbound HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"from":`) },
				raw: true,
				timeoutMs: 300,
			};
		}
		const method = r.pick(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PURGE', 'M-SEARCH', 'FOO', 'get', 'G\u00e9T', '', 'GET GET']);
		const path = r.pick([
			'//',
			'///',
			'/..',
			'/../..',
			'/%2e%2e/%2e%2e',
			'/%zz',
			'/%00',
			'*',
			'',
			'http://evil.example/__sandbox/reset',
			'/__sandbox/../__sandbox/reset',
			'/__sandbox/health#frag',
			'/__sandbox//health',
			`/${'a'.repeat(9000)}`,
			`/?${'x=1&'.repeat(3000)}`,
			`/__sandbox/messages?to=${junkString(r)}`,
			'/2010-04-01/Accounts//Messages.json',
			'/xms/v1//batches',
			'/\u00ff\u0080',
			'/ space',
		]);
		const version = r.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', '', 'HTTP/1.1 extra']);
		const lines: string[] = [];
		if (r.chance(0.8)) lines.push(`Host: ${r.pick([host, `localhost:${port}`, 'evil.example', '', `${host}\u0000`, `[::1]:${port}`])}`);
		if (r.chance(0.2)) lines.push(`Host: ${r.pick([host, 'evil.example'])}`);
		if (r.chance(0.3)) lines.push(`Origin: ${r.pick([`http://${host}`, 'http://evil.example', 'null', junkString(r)])}`);
		if (r.chance(0.3)) lines.push(`Content-Length: ${r.pick(['0', '-1', 'abc', '1e3', '5', '5, 6', '99999999999999999999'])}`);
		if (r.chance(0.15)) lines.push(`Transfer-Encoding: ${r.pick(['chunked', 'gzip', 'chunked, chunked', 'identity'])}`);
		if (r.chance(0.1)) lines.push(`Expect: ${r.pick(['100-continue', 'junk'])}`);
		if (r.chance(0.1)) lines.push(`X-Long: ${'a'.repeat(r.pick([100, 8000, 20_000]))}`);
		if (r.chance(0.1)) lines.push(r.pick(['no colon here', ' folded: line', 'X-Ctl: a\u0000b', 'X-Cr: a\rb', ': empty name', 'X-Bytes: \u00ff\u00fe']));
		if (r.chance(0.1)) lines.push('Upgrade: websocket', 'Connection: Upgrade');
		lines.push('Connection: close');
		const body = r.chance(0.3) ? r.pick(['{}', '0\r\n\r\n', 'zz\r\n', randomText(r, 50)]) : '';
		const head = `${method} ${path}${version ? ` ${version}` : ''}\r\n${lines.join('\r\n')}\r\n\r\n`;
		return { label: `raw ${method} ${path.slice(0, 40)} ${version}`, request: { raw: Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'latin1')]) }, raw: true };
	}

	function controlCase(r: Rng): Case {
		const method = r.pick(['GET', 'POST', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']);
		const path = r.pick([
			'/__sandbox',
			'/__sandbox/',
			'/__sandbox/faults',
			'/__sandbox/faults',
			'/__sandbox/faults',
			'/__sandbox/optouts',
			'/__sandbox/inbound',
			'/__sandbox/reset',
			'/__sandbox/messages',
			'/__sandbox/requests',
			'/__sandbox/callbacks',
			'/__sandbox/errors',
			'/__sandbox/config',
			'/__sandbox/health',
			`/__sandbox/${enc(junkString(r))}`,
			'/',
		]);
		const fault = () => {
			const out: Record<string, unknown> = {};
			for (const [name, good] of [
				['type', () => r.pick(['status', 'reset', 'delay', 'hang'])],
				['provider', () => r.pick(['twilio', 'sinch', 'sns'])],
				['to', () => '+33612345678'],
				['status', () => r.pick([0, 1, 99, 100, 200, 404, 429, 503, 599, 600, 1000, 503.5, -503, Infinity, '503'])],
				['retryAfter', () => r.pick([0, 1, 86400, 86401, -1, 1.5, '1\r\nX: y'])],
				['delayMs', () => r.pick([0, 10, 600000, 600001, 1e20, -1, Number.MAX_VALUE])],
				['count', () => r.pick([-1, 0, 1, 2, 1.5, 1e7, -2])],
			] as Array<[string, () => unknown]>) {
				if (r.chance(0.5)) out[name] = r.chance(0.6) ? good() : junkJson(r);
			}
			return out;
		};
		const goodFault = () => ({ type: r.pick(['status', 'reset', 'delay', 'hang']), provider: r.pick(['twilio', 'sinch', 'sns']), to: '+33699999999', status: 400 + r.int(200), count: r.pick([-1, 1, 5]) });
		const payloads: Record<string, Array<() => unknown>> = {
			'/__sandbox/faults': [fault, fault, goodFault, () => junkJson(r)],
			'/__sandbox/optouts': [() => ({ number: r.chance(0.5) ? `+336${String(r.int(1e8)).padStart(8, '0')}` : junkJson(r) }), () => junkJson(r)],
		};
		const payload = r.pick<() => unknown>(payloads[path] ?? [
			fault,
			goodFault,
			() => ({ number: r.chance(0.5) ? `+336${String(r.int(1e8)).padStart(8, '0')}` : junkJson(r) }),
			() => ({ from: r.chance(0.5) ? '+33612345678' : junkJson(r), body: r.chance(0.5) ? randomText(r, 100) || 'hi' : junkJson(r), to: r.chance(0.5) ? undefined : junkJson(r) }),
			() => junkJson(r),
		])();
		let body: string | Buffer;
		try {
			body = r.pick<() => string | Buffer>([
				() => JSON.stringify(payload) ?? '',
				() => JSON.stringify(payload) ?? '',
				() => (JSON.stringify(payload) ?? '').slice(0, r.int(20)),
				() => randomBytes(r),
				() => deepJson(10_000),
				() => '',
			])();
		} catch {
			body = '{}';
		}
		const headers: Record<string, string | null> = { 'Content-Type': r.chance(0.85) ? 'application/json' : r.pick(['text/plain', 'application/x-www-form-urlencoded', null, 'application/json; charset=utf-8']) };
		if (r.chance(0.1)) headers.Origin = r.pick([`http://127.0.0.1:${port}`, 'http://evil.example', 'null']);
		if (r.chance(0.1)) headers.Host = r.pick([`localhost:${port}`, `evil.example:${port}`, '']);
		return { label: `control ${method} ${target(path)}`, request: { method, path: target(path), body, headers } };
	}

	return { twilioCase, sinchCase, sinchVerificationCase, snsCase, rawCase, controlCase };
}

interface Tally {
	sent: number;
	byStatus: Map<number, number>;
	failures: string[];
	acceptedFaults: number;
}

function check(c: Case, response: RawResponse, tally: Tally): void {
	tally.sent++;
	tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
	const fail = (why: string): void => void tally.failures.push(`${c.label}: ${why} (status ${response.status}${response.error ? `, ${response.error}` : ''}; body ${response.body.slice(0, 160)})`);
	if (response.status >= 500) return fail('a 5xx answer');
	if (c.raw) return;
	if (response.status === 0) return fail('no answer');
	const method = c.request.method ?? 'GET';
	if (method === 'HEAD' || response.status === 204 || response.status === 304) return;
	const path = ((c.request.path ?? '/').split('?')[0] || '/').split('#')[0];
	const shape = shapeFor(method, path);
	if (response.status >= 400) {
		const problem = shapeProblem(shape, response);
		if (problem) fail(`${problem}, owed the ${shape} shape`);
		return;
	}
	if (shape === 'sns') {
		if (!/^<(\w+)Response xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/">.*<\/\1Response>$/s.test(response.body)) fail('an SNS success that is not an XML Response');
	} else if (!(path === '/' && method === 'GET')) {
		try {
			JSON.parse(response.body);
		} catch {
			fail('a success that is not JSON');
		}
	}
}

async function runPool(port: number, cases: Case[], tally: Tally): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < cases.length) {
			const c = cases[next++];
			// Raw junk may leave the server waiting for a body that never comes: the client gives up after a second.
			check(c, await rawRequest(port, c.request, c.timeoutMs ?? (c.raw ? 1000 : 15_000)), tally);
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

let sandbox: Sandbox;
let port: number;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, timeScale: 0.01, log: () => undefined });
	port = Number(new URL(sandbox.url).port);
});
afterAll(() => sandbox.stop());

describe('sandbox fuzz', () => {
	it(`survives ${REQUESTS} malformed and random requests (seed ${SEED})`, async () => {
		const started = Date.now();
		const r = prng(SEED);
		const gen = fuzzer(sandbox, port);
		const tally: Tally = { sent: 0, byStatus: new Map(), failures: [], acceptedFaults: 0 };
		let batches = 0;

		const health = async (after: string) => {
			const up = await rawRequest(port, { path: '/__sandbox/health' }, 5000);
			if (up.status !== 200) tally.failures.push(`the sandbox stopped serving after ${after} (health: ${up.status} ${up.error ?? ''})`);
			for (const error of sandbox.errors.splice(0)) tally.failures.push(`sandbox error after ${after}: ${error.where}: ${error.message}`);
		};

		while (tally.sent < REQUESTS && tally.failures.length < 20) {
			batches++;
			// Provider and raw requests, many at a time; no fault is in place while they run.
			const cases: Case[] = [];
			for (let i = 0; i < BATCH; i++) {
				const kind = r.next();
				if (kind < 0.24) cases.push(gen.twilioCase(r));
				else if (kind < 0.44) cases.push(gen.sinchCase(r));
				else if (kind < 0.58) cases.push(gen.sinchVerificationCase(r));
				else if (kind < 0.78) cases.push(await gen.snsCase(r));
				else cases.push(gen.rawCase(r));
			}
			await runPool(port, cases, tally);
			await health(`batch ${batches}`);
			// Control API junk, one at a time: a fault it manages to add is cleared before anything else runs.
			for (let i = 0; i < 40; i++) {
				const c = gen.controlCase(r);
				const response = await rawRequest(port, c.request, 5000);
				check(c, response, tally);
				if (sandbox.faults.length > 0) {
					tally.acceptedFaults += sandbox.faults.length;
					sandbox.faults.length = 0;
				}
			}
			await health(`the control calls of batch ${batches}`);
		}

		// Still a working sandbox: a plain send goes through.
		const { accountSid, authToken } = sandbox.accounts.twilio;
		const ok = await rawRequest(port, {
			method: 'POST',
			path: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
			headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'To=%2B33612345678&From=%2B15005550006&Body=still+here',
		});
		expect(ok.status).toBe(201);

		const elapsed = Date.now() - started;
		const statuses = [...tally.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
		console.log(`sandbox fuzz: seed ${SEED}, ${tally.sent} requests in ${elapsed} ms (${batches} batches), faults accepted then cleared ${tally.acceptedFaults}, statuses ${statuses}`);
		expect(tally.failures.slice(0, 20)).toEqual([]);
		expect(sandbox.errors).toEqual([]);
		expect(tally.sent).toBeGreaterThanOrEqual(REQUESTS);
		expect(elapsed).toBeLessThan(60_000);
	}, 120_000);
});
