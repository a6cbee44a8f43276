/** Built-in one-time codes: the code's alphabet and distribution, and a token that reveals nothing and fails closed. */
import * as compare from '../../nodes/shared/signatures/compare';
import { clip } from '../../nodes/shared/rules/errors';
import { checkToken, CODE_ALPHABETS, generateCode, issueToken, MAX_CODE_LENGTH, MIN_CODE_LENGTH, normalizeCode, readToken, type CodeAlphabet, judgeSecret } from '../../nodes/shared/rules/otp';

const SECRET = 'a-secret-of-at-least-32-characters-0123456789';
const NOW = new Date('2026-11-29T10:00:00Z');
const TO = '+33612345678';
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('generateCode', () => {
	it.each(['digits', 'letters'] as CodeAlphabet[])('draws %s of every allowed length, from the alphabet only', (alphabet) => {
		for (let length = MIN_CODE_LENGTH; length <= MAX_CODE_LENGTH; length++) {
			for (let i = 0; i < 50; i++) {
				const code = generateCode(length, alphabet);
				expect(code).toHaveLength(length);
				for (const c of code) expect(CODE_ALPHABETS[alphabet]).toContain(c);
			}
		}
	});

	it('has digits by default and leaves out characters read alike in letter codes', () => {
		expect(generateCode(6)).toMatch(/^\d{6}$/);
		expect(CODE_ALPHABETS.letters).not.toMatch(/[01OIL]/);
		expect(new Set(CODE_ALPHABETS.letters).size).toBe(31);
	});

	it.each([3, 13, 4.5, Number.NaN, 0, -6])('refuses a length of %p', (length) => {
		expect(() => generateCode(length)).toThrow(`A code has 4 to 12 characters, not ${length}`);
	});

	// Chi-square over every position of many codes; the bound is the 1-in-a-million tail, so a fair CSPRNG fails it
	// about once in a million runs, and a modulo bias or a stuck position fails it every time.
	it.each([
		['digits', 10_000, 6, 44.81],
		['letters', 10_000, 6, 82.04],
	] as Array<[CodeAlphabet, number, number, number]>)('spreads %s evenly over the alphabet at every position', (alphabet, count, length, bound) => {
		const chars = CODE_ALPHABETS[alphabet];
		const perPosition = Array.from({ length }, () => new Map<string, number>());
		for (let i = 0; i < count; i++) {
			const code = generateCode(length, alphabet);
			[...code].forEach((c, p) => perPosition[p].set(c, (perPosition[p].get(c) ?? 0) + 1));
		}
		const expected = count / chars.length;
		for (const seen of perPosition) {
			expect(seen.size).toBe(chars.length);
			const chi2 = [...chars].reduce((sum, c) => sum + ((seen.get(c) ?? 0) - expected) ** 2 / expected, 0);
			expect(chi2).toBeLessThan(bound);
		}
	});
});

describe('normalizeCode', () => {
	it.each([
		['123456', '123456'],
		[' 123 456 ', '123456'],
		['123-456', '123456'],
		['ab7k', 'AB7K'],
		['\t12\n34', '1234'],
		['', ''],
	])('reads %p as %p', (typed, read) => {
		expect(normalizeCode(typed)).toBe(read);
	});
});

describe('verification tokens', () => {
	const issue = (over: Partial<Parameters<typeof issueToken>[0]> = {}) => issueToken({ secret: SECRET, code: '482910', to: TO, ttlSeconds: 600, now: NOW, ...over });
	const check = (token: string, over: Partial<Parameters<typeof checkToken>[0]> = {}) => checkToken({ secret: SECRET, token, code: '482910', to: TO, now: NOW, ...over });

	it('approves the right code for the right number within the time, with the ID and expiry', () => {
		const issued = issue();
		expect(issued.expiresAt).toEqual(later(600));
		expect(issued.verificationId).toMatch(/^[A-Za-z0-9_-]{16}$/);
		expect(check(issued.token)).toEqual({ status: 'approved', verificationId: issued.verificationId, expiresAt: later(600) });
		expect(check(issued.token, { code: ' 482-910 ' }).status).toBe('approved');
		expect(check(issued.token, { now: later(599) }).status).toBe('approved');
		expect(readToken(SECRET, issued.token)).toEqual({ verificationId: issued.verificationId, expiresAt: later(600) });
	});

	it('denies another code, or the same code for another number', () => {
		const { token, verificationId } = issue();
		for (const code of ['482911', '48291', '4829100', '', '000000', 'abcdef']) {
			expect(check(token, { code })).toEqual({ status: 'denied', verificationId, expiresAt: later(600) });
		}
		expect(check(token, { to: '+33612345679' }).status).toBe('denied');
	});

	it('is expired from its expiry second on, whatever the code', () => {
		const { token } = issue({ ttlSeconds: 60 });
		expect(check(token, { now: later(59.999) }).status).toBe('approved');
		expect(check(token, { now: later(60) }).status).toBe('expired');
		expect(check(token, { now: later(3600), code: 'wrong' }).status).toBe('expired');
	});

	it('letter codes are checked without regard to case', () => {
		const { token } = issue({ code: 'K7MX' });
		expect(check(token, { code: 'k7mx' }).status).toBe('approved');
	});

	it('reveals nothing: no code, no number, only an ID, the expiry, a salt and a keyed hash', () => {
		const { token } = issue();
		const [body] = token.split('.');
		const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf-8'));
		expect(Object.keys(payload).sort()).toEqual(['exp', 'h', 'id', 'salt', 'v']);
		const text = `${token} ${JSON.stringify(payload)}`;
		for (const secretish of ['482910', TO, TO.slice(1), SECRET]) expect(text).not.toContain(secretish);
		// Two tokens for the same code and number share nothing but the version.
		const other = JSON.parse(Buffer.from(issue().token.split('.')[0], 'base64url').toString('utf-8'));
		expect([other.id === payload.id, other.salt === payload.salt, other.h === payload.h]).toEqual([false, false, false]);
	});

	it('is invalid with another secret, and refuses a short secret or a bad lifetime', () => {
		const { token } = issue();
		expect(check(token, { secret: `${SECRET}x` })).toEqual({ status: 'invalid', reason: 'The verification token was not issued with this secret, or was changed or cut' });
		expect(readToken(`${SECRET}x`, token)).toBeUndefined();
		expect(() => issue({ secret: 'x'.repeat(31) })).toThrow('The verification secret must have at least 32 characters');
		expect(() => check(token, { secret: '' })).toThrow('at least 32 characters');
		for (const ttlSeconds of [0, -1, 1.5, Number.NaN, 86401]) expect(() => issue({ ttlSeconds })).toThrow(`A code is valid for a whole number of seconds from 1 to 86400, not ${ttlSeconds}`);
		expect(issue({ ttlSeconds: 86400 }).expiresAt).toEqual(later(86400));
	});

	it('takes a secret of exactly 32 characters, a lifetime of 1 second, and a token pasted with spaces around it', () => {
		const secret = 's'.repeat(32);
		const issued = issue({ secret, ttlSeconds: 1 });
		expect(issued.expiresAt).toEqual(later(1));
		expect(check(`  ${issued.token}\n`, { secret }).status).toBe('approved');
	});

	it('reads anything that is not a token text as invalid, never as an error', () => {
		for (const token of [42, null, undefined, {}, ['a.b']]) expect(check(token as unknown as string).status).toBe('invalid');
		expect(readToken(SECRET, 7 as unknown as string)).toBeUndefined();
	});

	it('binds a code to a number in E.164 only: anything else is refused, never hashed as written', () => {
		const { token } = issue();
		for (const to of ['0612345678', '33612345678', '+33 6 12 34 56 78', '+0612345678', '+123456', '+1234567890123456', '', 'whatsapp:+33612345678']) {
			expect(() => issue({ to })).toThrow(`A code is bound to a number in E.164 (+ and 7 to 15 digits), not ${JSON.stringify(to)}`);
			expect(() => check(token, { to })).toThrow('A code is bound to a number in E.164');
		}
		expect(check(issue({ to: '+1234567' }).token, { to: '+1234567' }).status).toBe('approved');
		expect(check(issue({ to: '+123456789012345' }).token, { to: '+123456789012345' }).status).toBe('approved');
	});

	it('compares in constant time: two fixed-length digests per check, whatever the code typed', () => {
		const { token } = issue();
		const spy = jest.spyOn(compare, 'safeEqual');
		try {
			for (const code of ['482910', '1', '4'.repeat(500)]) {
				spy.mockClear();
				check(token, { code });
				expect(spy.mock.calls.map(([a, b]) => [a.length, b.length])).toEqual([
					[43, 43],
					[43, 43],
				]);
			}
		} finally {
			spy.mockRestore();
		}
	});

	// Every change to a token: each character replaced by every other base64url character or a dot, deleted, doubled;
	// cut anywhere; payloads and MACs of other tokens swapped in; a payload re-signed with another secret.
	it('rejects every one of 10,000 or more changed tokens, whatever the code', () => {
		const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		const { token } = issue();
		const changed = new Set<string>();
		for (let i = 0; i < token.length; i++) {
			for (const c of `${B64}.=+/ `) if (c !== token[i]) changed.add(token.slice(0, i) + c + token.slice(i + 1));
			changed.add(token.slice(0, i) + token.slice(i + 1));
			changed.add(token.slice(0, i) + token[i] + token.slice(i));
			changed.add(token.slice(0, i));
		}
		const [body, mac] = token.split('.');
		for (let i = 0; i < 50; i++) {
			const other = issue().token.split('.');
			changed.add(`${body}.${other[1]}`);
			changed.add(`${other[0]}.${mac}`);
		}
		changed.add(`${issue({ secret: `${SECRET}!` }).token}`);
		changed.add(`${body}.${mac}.${mac}`);
		changed.add(`${body}`);
		changed.add(`.${mac}`);
		changed.add(`${token}${'A'.repeat(2000)}`);
		changed.delete(token);
		expect(changed.size).toBeGreaterThanOrEqual(10_000);
		let accepted = 0;
		for (const t of changed) if (check(t).status !== 'invalid') accepted++;
		expect(accepted).toBe(0);
	});

	it('refuses a genuine-looking payload that is not a token of this version, even correctly signed', () => {
		const { createHmac, hkdfSync } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
		const { scryptSync } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
		const master = scryptSync(SECRET, 'n8n-messaging-gateway otp', 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
		const mac = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'n8n-messaging-gateway otp token', 32));
		const sign = (payload: unknown) => {
			const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
			return `${body}.${createHmac('sha256', mac).update(body).digest('base64url')}`;
		};
		const good = JSON.parse(Buffer.from(issue().token.split('.')[0], 'base64url').toString('utf-8'));
		expect(check(sign(good)).status).toBe('approved');
		for (const payload of [{ ...good, v: 2 }, { ...good, id: 1 }, { ...good, exp: 'soon' }, { ...good, exp: 1.5 }, { ...good, salt: null }, { ...good, h: undefined }, null, [], 'text', 42]) {
			expect([payload, check(sign(payload)).status]).toEqual([payload, 'invalid']);
		}
		const notJson = Buffer.from('{not json').toString('base64url');
		expect(check(`${notJson}.${createHmac('sha256', mac).update(notJson).digest('base64url')}`).status).toBe('invalid');
	});
});

describe('judgeSecret (the Verification Code Secret credential\'s Test button)', () => {
	it.each<[unknown, string, string]>([
		[undefined, 'Error', 'The secret has 0 characters: it needs at least 32 random ones'],
		[42, 'Error', 'The secret has 0 characters: it needs at least 32 random ones'],
		['x'.repeat(31), 'Error', 'The secret has 31 characters: it needs at least 32 random ones'],
		['ab'.repeat(16), 'Error', 'The secret repeats a few characters: use a random one, for example from a password manager'],
		['abcdefg'.repeat(5), 'Error', 'The secret repeats a few characters: use a random one, for example from a password manager'],
		['abcdefgh'.repeat(4), 'OK', 'The secret has 32 characters'],
		['x8Kq2mVt9Lp4Rz7Wn3Bc6Hy1Jd5Fg0Ss', 'OK', 'The secret has 32 characters'],
	])('%p → %s', (secret, status, message) => {
		expect(judgeSecret(secret)).toEqual({ status, message });
	});
});

describe('clip (a value as an error quotes it)', () => {
	it.each<[string, number | undefined, string]>([
		['short', undefined, 'short'],
		['x'.repeat(100), undefined, 'x'.repeat(100)],
		['x'.repeat(101), undefined, `${'x'.repeat(100)}…`],
		['abcdef', 3, 'abc…'],
		['abc', 3, 'abc'],
		['😀😀😀😀', 2, '😀😀…'],
		['', 0, ''],
	])('%p (max %p) → %p', (value, max, out) => {
		expect(clip(value, max)).toBe(out);
	});
});
