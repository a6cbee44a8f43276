import { makeRedactor, REDACTED, redactDeep, secretForms } from '../../nodes/shared/rules/redact';

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
