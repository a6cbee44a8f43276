import { blankCredentialFields, blankEveryPattern, makeRedactor, mayHoldCredentialFields, REDACTED, redactDeep, secretForms } from '../../nodes/shared/rules/redact';
import { rng } from '../helpers/hostile';

const TOKEN = 'sandbox_auth_token_0123456789';
const SID = 'AC0123456789abcdef0123456789abcdef';
const basic = (user: string, secret: string) => Buffer.from(`${user}:${secret}`).toString('base64');

describe('secrets never come back, in any form', () => {
	const redact = makeRedactor([TOKEN, `${SID}:${TOKEN}`, 'short', undefined, null, '']);

	it.each([
		['plain', `token=${TOKEN}`],
		['base64', Buffer.from(TOKEN).toString('base64')],
		['base64 without padding', Buffer.from(TOKEN).toString('base64').replace(/=+$/, '')],
		['URL-safe base64', Buffer.from(TOKEN).toString('base64url')],
		['URL-encoded', encodeURIComponent(`${TOKEN}/x y+z`)],
		['a Basic header', `Authorization: Basic ${basic(SID, TOKEN)}`],
		['a JSON-escaped string', JSON.stringify({ echo: `"${TOKEN}"` })],
	])('%s', (_, text) => {
		const out = redact(text);
		const forms = secretForms(TOKEN);
		// The raw value, its three base64 spellings (padded, unpadded, URL-safe); URL and JSON forms equal the raw one here.
		expect(forms).toEqual([TOKEN, Buffer.from(TOKEN).toString('base64'), Buffer.from(TOKEN).toString('base64').replace(/=+$/, ''), Buffer.from(TOKEN).toString('base64url')].filter((f, i, all) => all.indexOf(f) === i));
		for (const form of forms) expect(out).not.toContain(form);
		expect(out).not.toContain(basic(SID, TOKEN));
	});

	it.each([
		['Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.x.y', 'Authorization: [redacted]'],
		['{"authorization":"Bearer abc.def"}', '{"authorization":"[redacted]"}'],
		['{"access_token": "abc123456", "expires_in": 3599}', '{"access_token": "[redacted]", "expires_in": 3599}'],
		['grant_type=client_credentials&client_secret=s3cr3t-value', 'grant_type=client_credentials&client_secret=[redacted]'],
		['<SessionToken>FQoGZXIvYXdzE</SessionToken>', '<SessionToken>[redacted]</SessionToken>'],
		['x-amz-security-token: FQoGZXIvYXdzE\r\nHost: sns', 'x-amz-security-token: [redacted]\r\nHost: sns'],
		['AWS4-HMAC-SHA256 Credential=AKIA/20261122/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=abcdef', 'AWS4-HMAC-SHA256 [redacted]'],
		['Application key:c2lnbmF0dXJl', 'Application [redacted]'],
	])('credential-looking fields of any value: %s', (text, expected) => {
		expect(makeRedactor([])(text)).toBe(expected);
	});

	it('catches a secret written with XML character references, which a reader would decode', () => {
		const secret = 'FQoGZXIvYXdz/EHsession+token';
		const xml = `<Message>echo ${secret.replace('/', '&#47;').replace('+', '&#x2B;')}</Message>`;
		const out = makeRedactor([secret])(xml);
		expect(out).not.toContain('FQoGZXIvYXdz');
		expect(out).toBe('<Message>echo [redacted]</Message>');
		expect(makeRedactor([secret])('<a>&lt;ok&gt; &#47;</a>')).toBe('<a>&lt;ok&gt; &#47;</a>');
	});

	it('leaves ordinary text alone', () => {
		const text = 'The To number +33612345678 is not valid (Twilio 21211). Basically fine.';
		expect(redact(text)).toBe(text);
		expect(makeRedactor([])('{"sid":"SM1","status":"queued","body":"Hi Ada"}')).toBe('{"sid":"SM1","status":"queued","body":"Hi Ada"}');
	});

	it('ignores secrets too short to find safely', () => {
		expect(makeRedactor(['abc'])('abc')).toBe('abc');
	});

	it('cleans decoded answers deeply, keys included, and blanks secret-named fields', () => {
		const answer = { sid: 'SM1', echo: { headers: { authorization: `Basic ${basic(SID, TOKEN)}`, [TOKEN]: 1 }, list: [TOKEN, 3, null] }, password: 'hunter22' };
		const out = redactDeep(answer, redact);
		expect(JSON.stringify(out)).not.toContain(TOKEN);
		expect(out).toEqual({ sid: 'SM1', echo: { headers: { authorization: REDACTED, [REDACTED]: 1 }, list: [REDACTED, 3, null] }, password: REDACTED });
	});
});

describe('redaction, exactly', () => {
	it.each([
		// Every form, in this order: raw, base64 (padded, unpadded, URL-safe), URL-encoded, form-encoded, JSON-escaped;
		// each once, none shorter than 4 characters.
		['abcd', ['abcd', 'YWJjZA==', 'YWJjZA']],
		['ab', ['YWI=']],
		['>>>???>>>???a', ['>>>???>>>???a', 'Pj4+Pz8/Pj4+Pz8/YQ==', 'Pj4+Pz8/Pj4+Pz8/YQ', 'Pj4-Pz8_Pj4-Pz8_YQ', '%3E%3E%3E%3F%3F%3F%3E%3E%3E%3F%3F%3Fa']],
		['a+b/c?d=e f&g', ['a+b/c?d=e f&g', 'YStiL2M/ZD1lIGYmZw==', 'YStiL2M/ZD1lIGYmZw', 'YStiL2M_ZD1lIGYmZw', 'a%2Bb%2Fc%3Fd%3De%20f%26g', 'a%2Bb%2Fc%3Fd%3De+f%26g']],
		['say "hi"\\now', ['say "hi"\\now', 'c2F5ICJoaSJcbm93', 'say%20%22hi%22%5Cnow', 'say+%22hi%22%5Cnow', 'say \\"hi\\"\\\\now']],
	])('the forms of %j', (secret, forms) => {
		expect(secretForms(secret)).toEqual(forms);
	});

	it('redacts a secret of exactly 4 characters, and never one of 3', () => {
		expect(makeRedactor(['abcd'])('xabcdx YWJjZA==')).toBe('x[redacted]x [redacted]');
		expect(makeRedactor(['abc', 42 as never])('xabcx 42')).toBe('xabcx 42');
	});

	it('replaces the longest form first: a composite goes whole, not around its part', () => {
		expect(makeRedactor(['password1', 'user:password1'])('x user:password1 y')).toBe('x [redacted] y');
		expect(makeRedactor(['user:password1', 'password1'])('x user:password1 y')).toBe('x [redacted] y');
	});

	it('decodes character references only when a secret hides behind them, and then every kind of them', () => {
		const secret = 'p<a>s"s\'w&rd1';
		expect(makeRedactor([secret])('<Message>echo p&lt;a&gt;s&quot;s&apos;w&amp;rd1 and 5 &lt; 6</Message>')).toBe('<Message>echo [redacted] and 5 < 6</Message>');
		// Decimal only, hexadecimal only (two digits or more), the code points at and past the ends of Unicode.
		expect(makeRedactor(['secret/1234'])('a secret&#47;1234 b')).toBe('a [redacted] b');
		expect(makeRedactor(['secret/1234'])('a secret&#x2f;1234 b')).toBe('a [redacted] b');
		expect(makeRedactor(['secret/1234'])('a secret&#X2F;1234 b')).toBe('a [redacted] b');
		expect(makeRedactor(['secret/1234'])('&#0;&#x10ffff;&#x110000;secret&#47;1234 &#1114112;')).toBe('\u0000\u{10ffff}[redacted] ');
		// No secret behind the references: the text stays as it came, references and all.
		expect(makeRedactor(['secret/1234'])('a &#47; &amp; b')).toBe('a &#47; &amp; b');
		expect(makeRedactor(['secret/1234'])('')).toBe('');
		expect(makeRedactor(['secret/1234'])(42 as never)).toBe(42);
	});

	it('cleans to 50 levels deep, and blanks what is deeper', () => {
		const nest = (levels: number, inner: unknown): unknown => (levels === 0 ? inner : [nest(levels - 1, inner)]);
		const redact = makeRedactor([TOKEN]);
		expect(redactDeep(nest(50, `a ${TOKEN}`), redact)).toEqual(nest(50, 'a [redacted]'));
		expect(redactDeep(nest(50, 7), redact)).toEqual(nest(50, 7));
		expect(redactDeep(nest(51, 7), redact)).toEqual(nest(51, REDACTED));
		expect(redactDeep(nest(52, 7), redact)).toEqual(nest(51, REDACTED));
		const nestObject = (levels: number, inner: unknown): unknown => (levels === 0 ? inner : { a: nestObject(levels - 1, inner) });
		expect(redactDeep(nestObject(50, 7), redact)).toEqual(nestObject(50, 7));
		expect(redactDeep(nestObject(51, 7), redact)).toEqual(nestObject(51, REDACTED));
	});

	it('leaves secrets under 4 characters alone: too short to tell from ordinary text', () => {
		expect(makeRedactor(['abc'])('abc and abcd')).toBe('abc and abcd');
		expect(makeRedactor(['abcd'])('abc and abcd')).toBe('abc and [redacted]');
	});

	it('reads buffers as text, keeps other values, and blanks a secret-named field only when it holds something', () => {
		const redact = makeRedactor([TOKEN]);
		expect(redactDeep(Buffer.from(`token ${TOKEN}`), redact)).toBe('token [redacted]');
		expect(redactDeep({ body: Buffer.from(TOKEN) }, redact)).toEqual({ body: REDACTED });
		expect(redactDeep({ password: null, secret: '', auth_token: undefined, apiToken: 0, Authorization: 'x', n: 1, ok: true, none: null }, redact)).toEqual({
			password: null,
			secret: '',
			auth_token: undefined,
			apiToken: REDACTED,
			Authorization: REDACTED,
			n: 1,
			ok: true,
			none: null,
		});
		expect(redactDeep(undefined, redact)).toBeUndefined();
		expect(redactDeep(3, redact)).toBe(3);
		expect(redactDeep(`${TOKEN}`, redact)).toBe(REDACTED);
	});
});

describe('the quick look that spares most texts the patterns', () => {
	// The words the patterns start from, cut up and in odd cases, among the characters around them in headers, JSON,
	// forms and XML: a text the quick look lets through must be one no pattern would change.
	const PIECES = [
		'Basic', 'bEARER', 'Application', 'aws4-hmac-sha256', 'Digest', 'TOKEN', 'Tok', 'en', 'authorization', 'Proxy-Authorization', 'x-amz-security-token',
		'X-Amz-Signature', 'access_token', 'ACCESSTOKEN', 'refresh_token', 'client_secret', 'id_token', 'password', 'pass', 'word', 'Secret', 'secretAccessKey',
		'session_token', 'SessionToken', 'authtoken', 'api_token', 'apiKeySecret', 'key_secret', 'x-sinch-webhook-signature', 'X-Twilio-Signature', 'Signature',
		'SignedHeaders', 'ſecret', 'K', 'İ', 'sid', 'SM123', '+33612345678', '2026-11-30T10:00:00Z', 'queued', ' ', '  ', '\t', '\r\n', '\n', '"', "'", ':', ': ',
		'=', '&', '?', ',', ';', '{', '}', '<', '>', '</', '/', '[', ']', '\\', 'abc', 'XYZ', '0', '42', 'é', '😀',
	];

	it('lets a text through only when no pattern would change it (10,000 generated texts)', () => {
		const random = rng(20261130);
		let through = 0;
		let looked = 0;
		for (let n = 0; n < 10_000; n++) {
			const text = Array.from({ length: random.int(0, 12) }, () => random.pick(PIECES)).join('');
			if (mayHoldCredentialFields(text)) looked++;
			else {
				through++;
				expect(blankEveryPattern(text)).toBe(text);
			}
			expect(blankCredentialFields(text)).toBe(blankEveryPattern(text));
		}
		// Both sides were exercised.
		expect(through).toBeGreaterThan(1000);
		expect(looked).toBeGreaterThan(1000);
	});

	it('looks at a text with any of the words, in any case', () => {
		for (const word of ['basic', 'BEARER', 'Application', 'AWS4-HMAC-SHA256', 'digest', 'Token', 'x-amz-signature', 'client_secret', 'PASSWORD', 'x-twilio-signature']) {
			expect(mayHoldCredentialFields(`a ${word} b`)).toBe(true);
		}
		for (const text of ['', 'SM123 queued', '+33612345678', '2026-11-30T10:00:00Z', '{"sid":"SM1","status":"queued"}']) expect(mayHoldCredentialFields(text)).toBe(false);
	});

	it('a redactor still finds secrets in texts the quick look lets through', () => {
		const secret = 'sk_live_0123456789abcdef';
		const redact = makeRedactor([secret]);
		expect(mayHoldCredentialFields(`echo ${secret}`)).toBe(false);
		expect(redact(`echo ${secret}`)).toBe(`echo ${REDACTED}`);
		expect(redact(`echo ${Buffer.from(secret).toString('base64')}`)).toBe(`echo ${REDACTED}`);
	});
});
