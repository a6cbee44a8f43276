import { PROVIDERS } from '../../nodes/shared/providers/registry';
import type { ProviderName } from '../../nodes/shared/providers/types';
import { classifyNetworkError, classifyProviderError as classifyWith, describeCode, INVALID_REQUEST_CODES, NEVER_SENT_CODES, ProviderError, type FailureKind } from '../../nodes/shared/rules/errors';

/** Classify an answer with the provider's own code table, as its module does. */
const classifyProviderError = (init: { provider: ProviderName; httpStatus?: number; code?: string | number; providerMessage?: string }) =>
	classifyWith(PROVIDERS[init.provider], PROVIDERS[init.provider].codes, init);
const describeDeliveryError = (provider: ProviderName, code: string | number | null) => describeCode(PROVIDERS[provider], PROVIDERS[provider].deliveryCodes, code);

describe('provider error classification', () => {
	it.each([
		['twilio', 400, 21211, 'recipient', false, false],
		['twilio', 400, 21610, 'recipient', false, false],
		['twilio', 400, 21614, 'recipient', false, false],
		['twilio', 400, 21612, 'recipient', false, false],
		['twilio', 400, 21617, 'content', false, false],
		['twilio', 400, 21602, 'content', false, false],
		['twilio', 401, 20003, 'auth', false, true],
		['twilio', 400, 21606, 'config', false, true],
		['twilio', 400, 21408, 'config', false, true],
		['twilio', 429, 20429, 'rateLimited', true, true],
		['twilio', 503, undefined, 'unavailable', true, true],
		['twilio', 500, 20500, 'unavailable', true, true],
		['twilio', 404, 20404, 'notFound', false, false],
		['twilio', 400, 35115, 'request', false, false],
		['sinch', 401, undefined, 'auth', false, true],
		['sinch', 403, 'unprovisioned_region', 'config', false, true],
		['sinch', 400, 'syntax_constraint_violation', 'request', false, false],
		['sinch', 429, undefined, 'rateLimited', true, true],
		['sinch', 502, undefined, 'unavailable', true, true],
		['sns', 400, 'OptedOut', 'recipient', false, false],
		['sns', 400, 'Throttling', 'rateLimited', true, true],
		['sns', 429, 'Throttled', 'rateLimited', true, true],
		['sns', 403, 'AuthorizationError', 'auth', false, true],
		['sns', 403, 'SignatureDoesNotMatch', 'auth', false, true],
		['sns', 400, 'InvalidParameter', 'request', false, false],
		['sns', 500, 'InternalError', 'unavailable', true, true],
	] as const)('%s HTTP %s code %s → %s (retry %s, fallback %s)', (provider, httpStatus, code, kind, retryable, fallback) => {
		const error = classifyProviderError({ provider, httpStatus, code });
		expect(error.kind).toBe(kind);
		expect(error.retryable).toBe(retryable);
		expect(error.allowsFallback).toBe(fallback);
		expect(error.message).toMatch(code === undefined ? new RegExp(`HTTP ${httpStatus}\\)$`) : new RegExp(`${code}\\)`));
	});

	it('says what to do, with the provider and its code', () => {
		expect(classifyProviderError({ provider: 'twilio', httpStatus: 400, code: 21610 }).message).toBe(
			'The recipient replied STOP (Twilio 21610): remove them from the list; they can text START to opt back in',
		);
	});

	/** Every row of every code table, written out: the code, its kind, and the two pieces of its sentence. */
	const TABLES: Array<[ProviderName, 'codes' | 'deliveryCodes', number, Array<[string, FailureKind, string, string]>]> = [
		['twilio', 'codes', 31, [
			['20003', 'auth', 'Twilio refused the credentials', 'check the Account SID and Auth Token (or API Key SID and Secret) in the credential'],
			['20404', 'notFound', 'Twilio has no such message', 'check the message SID and that it belongs to this account'],
			['20429', 'rateLimited', 'Too many requests to Twilio at once', 'lower the number of parallel sends or wait a moment'],
			['21211', 'recipient', 'The \'To\' number is not a valid phone number', 'correct the number or remove the recipient'],
			['21408', 'config', 'Sending SMS to this country is not enabled on the Twilio account', 'enable the country in Twilio\'s Messaging Geo Permissions'],
			['21602', 'content', 'The message body is empty', 'write a message or add a media URL'],
			['21604', 'recipient', 'The \'To\' number is missing', 'map a phone number into the To field'],
			['21606', 'config', 'The \'From\' number is not a message-capable number of this Twilio account', 'use one of the account’s SMS numbers, or a Messaging Service SID'],
			['21608', 'config', 'The Twilio account is a trial account and the recipient is not verified', 'verify the number in the Twilio console or upgrade the account'],
			['21610', 'recipient', 'The recipient replied STOP', 'remove them from the list; they can text START to opt back in'],
			['21611', 'config', 'The sender\'s queue is full (more than 10 hours of backlog)', 'send more slowly or spread the sending over more numbers'],
			['21612', 'recipient', 'The sender cannot reach this recipient', 'use a sender that can reach this country or carrier'],
			['21614', 'recipient', 'The \'To\' number is not a mobile number', 'remove landlines from the list (the Phone Number node can filter them)'],
			['21617', 'content', 'The message is longer than 1600 characters', 'shorten the message'],
			['21654', 'request', 'Template variables were given without a template', 'choose a template (Content SID) or remove the variables'],
			['21655', 'request', 'Twilio has no such template (Content SID) in this account', 'pick the template from the list in Send WhatsApp'],
			['21656', 'request', 'Twilio refused the template variables', 'give every variable of the template a text value'],
			['21910', 'request', "'From' and 'To' are on different channels", "send WhatsApp from a WhatsApp sender to a WhatsApp number ('whatsapp:' on both ends)"],
			['30001', 'config', 'The sender queue overflowed', 'send more slowly'],
			['30002', 'auth', 'The Twilio account is suspended', 'contact Twilio support'],
			['30003', 'recipient', 'The handset is unreachable', 'try again later or remove the number'],
			['30004', 'recipient', 'The message was blocked by the recipient or carrier', 'do not retry; remove the number'],
			['30005', 'recipient', 'The number is unknown or no longer in service', 'remove the number'],
			['30006', 'recipient', 'The number is a landline or cannot receive SMS', 'remove the number'],
			['30007', 'content', 'The carrier filtered the message as spam', 'register the sender (A2P 10DLC / toll-free verification) and review the wording'],
			['30008', 'unavailable', 'The carrier reported an unknown error', 'try again later'],
			['30036', 'config', 'The message expired in the sender queue (validity period)', 'send more slowly or lengthen the validity period'],
			['35111', 'request', 'Scheduling needs a Messaging Service', 'set a Messaging Service SID instead of a From number'],
			['35115', 'request', 'The send time is outside the window Twilio allows', 'schedule between 5 minutes and 35 days ahead'],
			['63007', 'config', "The 'From' number is not a WhatsApp sender of this Twilio account", 'use a number registered as a WhatsApp sender (Twilio console → Messaging → Senders → WhatsApp senders)'],
			['63016', 'content', 'WhatsApp free-form messages are only allowed within 24 hours of the customer’s last message', 'send an approved template instead'],
		]],
		['sinch', 'codes', 13, [
			['unauthorized', 'auth', 'Sinch refused the credentials', 'check the service plan ID and API token (or the access key) in the credential'],
			['forbidden', 'auth', 'Sinch refused access to this service plan', 'check that the token belongs to this service plan'],
			['syntax_invalid_json', 'request', 'Sinch could not read the request', 'report this as a bug in the node'],
			['syntax_invalid_parameter_format', 'request', 'Sinch refused a parameter', 'check the numbers and options'],
			['syntax_constraint_violation', 'request', 'Sinch refused a parameter value', 'check the numbers and options'],
			['missing_parameter', 'request', 'A parameter Sinch needs is missing', 'fill in the From and To fields'],
			['unknown_group', 'request', 'Sinch has no such group', 'check the group ID'],
			['unknown_campaign', 'config', 'Sinch has no such campaign for US sending', 'check the campaign ID in the Sinch dashboard'],
			['missing_callback_url', 'config', 'Sinch needs a callback URL for delivery reports', "set the service plan's callback URL in the Sinch dashboard (SMS → APIs), or give a Status Callback URL"],
			['unprovisioned_region', 'config', 'The Sinch service plan is not provisioned in this region', 'pick the region of the service plan in the credential'],
			['not_found', 'notFound', 'Sinch has no such batch', 'check the batch ID'],
			['too_many_requests', 'rateLimited', 'Too many requests to Sinch', 'send more slowly'],
			['internal_error', 'unavailable', 'Sinch had an internal error', 'try again later'],
		]],
		['sinch', 'deliveryCodes', 10, [
			['402', 'recipient', 'The number cannot be routed', 'check the number'],
			['403', 'unavailable', 'Sinch had an internal error', 'try again later'],
			['404', 'recipient', 'Temporary delivery failure', 'try again later'],
			['406', 'recipient', 'The message expired before delivery', 'check the handset is on; lengthen the expiry'],
			['407', 'request', 'The message was cancelled', 'nothing to do'],
			['408', 'recipient', 'The message was rejected', 'remove the number'],
			['410', 'config', 'The sender is not allowed for this destination', 'use a sender registered for this country'],
			['411', 'content', 'The message has too many parts', 'shorten the message'],
			['412', 'config', 'The destination region is not provisioned', 'ask Sinch to enable the region'],
			['413', 'recipient', 'The recipient is blocked', 'remove the number'],
		]],
		['sns', 'codes', 14, [
			['InvalidParameter', 'request', 'AWS SNS refused a parameter', 'check the phone number, Sender ID and SMS type'],
			['ParameterValueInvalid', 'request', 'AWS SNS refused a parameter value', 'check the phone number, Sender ID and SMS type'],
			['OptedOut', 'recipient', 'The recipient opted out of SMS from this AWS account', 'remove them from the list; they can opt back in through the SNS console'],
			['Throttling', 'rateLimited', 'AWS SNS is throttling the account (rate exceeded)', 'send more slowly or ask AWS for a higher limit'],
			['Throttled', 'rateLimited', 'AWS SNS is throttling the account', 'send more slowly'],
			['AuthorizationError', 'auth', 'The AWS credentials may not publish SMS', 'give the IAM user the sns:Publish permission'],
			['InvalidClientTokenId', 'auth', 'AWS does not know the access key ID', 'check the access key ID in the credential'],
			['SignatureDoesNotMatch', 'auth', 'AWS refused the request signature', 'check the secret access key in the credential'],
			['ExpiredToken', 'auth', 'The AWS session token has expired', 'refresh the temporary credentials'],
			['AccessDenied', 'auth', 'AWS denied access', 'check the IAM permissions of the credential'],
			['KMSAccessDenied', 'config', 'AWS KMS denied access', 'check the KMS key policy'],
			['InternalError', 'unavailable', 'AWS SNS had an internal error', 'try again later'],
			['InternalFailure', 'unavailable', 'AWS SNS had an internal failure', 'try again later'],
			['ServiceUnavailable', 'unavailable', 'AWS SNS is unavailable', 'try again later'],
		]],
	];

	it.each(TABLES)('%s %s: exactly these %i rows, each with its kind and sentence', (name, table, count, rows) => {
		const provider = PROVIDERS[name];
		expect(rows).toHaveLength(count);
		expect(Object.keys(provider[table])).toHaveLength(count);
		expect(Object.entries(provider[table]).map(([code, r]) => [code, r.kind, r.meaning, r.advice])).toEqual(rows);
		let checked = 0;
		for (const [code, kind, meaning, advice] of rows) {
			// Classified with a status that agrees with its kind, the code gives its own sentence and kind.
			const httpStatus = kind === 'rateLimited' ? 429 : kind === 'unavailable' ? 503 : 400;
			const e = classifyWith(provider, provider[table], { httpStatus, code });
			expect([code, e.kind, e.code, e.message]).toEqual([code, kind, code, `${meaning} (${provider.label} ${code}): ${advice}`]);
			expect(describeCode(provider, provider[table], code)).toBe(`${meaning} (${provider.label} ${code}): ${advice}`);
			checked++;
		}
		expect(checked).toBe(count);
	});

	it('Twilio and SNS report delivery failures with their API codes: the same tables', () => {
		expect(PROVIDERS.twilio.deliveryCodes).toBe(PROVIDERS.twilio.codes);
		expect(PROVIDERS.sns.deliveryCodes).toBe(PROVIDERS.sns.codes);
		expect(TABLES.map(([name, table]) => `${name} ${table}`)).toEqual(['twilio codes', 'sinch codes', 'sinch deliveryCodes', 'sns codes']);
	});

	it.each([
		[undefined, 'ambiguous'],
		[400, 'request'],
		[401, 'auth'],
		[403, 'auth'],
		[404, 'notFound'],
		[409, 'request'],
		[418, 'request'],
		[429, 'rateLimited'],
		[499, 'request'],
		[500, 'unavailable'],
		[501, 'unavailable'],
		[502, 'unavailable'],
		[503, 'unavailable'],
		[504, 'unavailable'],
		[599, 'unavailable'],
	] as const)('no code, HTTP %s → %s, with the generic sentence', (httpStatus, kind) => {
		const e = classifyWith(PROVIDERS.twilio, {}, { httpStatus });
		expect([e.kind, e.code, e.httpStatus]).toEqual([kind, undefined, httpStatus]);
		expect(e.message).toBe(`${GENERIC[kind]} (Twilio, HTTP ${httpStatus ?? 'no answer'})`);
	});

	const GENERIC: Record<FailureKind, string> = {
		rateLimited: 'Twilio asked us to slow down',
		unavailable: 'Twilio is failing or unavailable',
		auth: 'Twilio refused the credentials',
		notFound: 'Twilio has no such message',
		recipient: 'Twilio refused the recipient',
		config: "Twilio refused the account's setup for this message",
		content: 'Twilio refused the message text',
		ambiguous: 'Twilio gave an answer that could not be read, so the message may or may not have gone out; it was not sent again, to avoid a duplicate',
		request: 'Twilio refused the request',
		network: 'Twilio refused the request',
		unsupported: 'Twilio refused the request',
	};

	const GENERIC_ALL: Record<FailureKind, string> = {
		rateLimited: 'Sinch asked us to slow down',
		unavailable: 'Sinch is failing or unavailable',
		auth: 'Sinch refused the credentials',
		notFound: 'Sinch has no such message',
		recipient: 'Sinch refused the recipient',
		config: "Sinch refused the account's setup for this message",
		content: 'Sinch refused the message text',
		ambiguous: 'Sinch gave an answer that could not be read, so the message may or may not have gone out; it was not sent again, to avoid a duplicate',
		request: 'Sinch refused the request',
		network: 'Sinch refused the request',
		unsupported: 'Sinch refused the request',
	};

	it.each(Object.keys(GENERIC_ALL) as FailureKind[])('a given kind %s with no known code reads its own generic sentence', (kind) => {
		const e = classifyWith(PROVIDERS.sinch, PROVIDERS.sinch.codes, { httpStatus: 400, code: 'not_a_code', kind });
		expect([e.kind, e.message]).toEqual([kind, `${GENERIC_ALL[kind]} (Sinch not_a_code)`]);
	});


	it('a given kind wins over the table; a server error or a 429 wins over both; a sentence only goes with its own kind', () => {
		// The provider knows better: a format error that is really a bad recipient.
		const given = classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 400, code: 21211, kind: 'content' });
		expect([given.kind, given.message]).toEqual(['content', 'Twilio refused the message text (Twilio 21211)']);
		const server = classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 500, code: 21211, kind: 'recipient' });
		expect([server.kind, server.message]).toEqual(['unavailable', 'Twilio is failing or unavailable (Twilio 21211)']);
		const slow = classifyWith(PROVIDERS.sns, PROVIDERS.sns.codes, { httpStatus: 429, code: 'OptedOut' });
		expect(slow.kind).toBe('rateLimited');
		expect(classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 499, code: 30008 }).kind).toBe('unavailable');
	});

	it('an empty or missing code is no code; codes are kept as text; the answer\'s parts are kept apart', () => {
		let checked = 0;
		for (const code of ['', null, undefined]) {
			const e = classifyWith(PROVIDERS.sinch, PROVIDERS.sinch.codes, { httpStatus: 400, code });
			expect([code, e.code, e.message]).toEqual([code, undefined, 'Sinch refused the request (Sinch, HTTP 400)']);
			checked++;
		}
		expect(checked).toBe(3);
		const e = classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 429, code: 20429, providerMessage: 'Too Many Requests', retryAfterMs: 2000 });
		expect(e).toBeInstanceOf(ProviderError);
		expect([e.name, e.provider, e.providerLabel, e.code, e.httpStatus, e.providerMessage, e.retryAfterMs, e.detail]).toEqual([
			'ProviderError',
			'twilio',
			'Twilio',
			'20429',
			429,
			'Too Many Requests',
			2000,
			undefined,
		]);
		// A code the table does not own (an Object.prototype name) is unknown, not a crash.
		expect(classifyWith(PROVIDERS.twilio, PROVIDERS.twilio.codes, { httpStatus: 400, code: 'constructor' }).message).toBe('Twilio refused the request (Twilio constructor)');
	});

	it.each<[FailureKind, boolean, boolean, boolean]>([
		['rateLimited', true, true, false],
		['unavailable', true, true, false],
		['network', true, true, false],
		['auth', false, true, false],
		['config', false, true, false],
		['unsupported', false, true, false],
		['recipient', false, false, false],
		['content', false, false, false],
		['request', false, false, false],
		['notFound', false, false, false],
		['ambiguous', false, false, true],
	])('%s: retryable %s, falls back %s, ambiguous %s', (kind, retryable, fallback, ambiguous) => {
		const e = new ProviderError({ provider: PROVIDERS.sns, kind, message: 'm', code: 7 });
		expect([e.retryable, e.allowsFallback, e.ambiguous, e.code]).toEqual([retryable, fallback, ambiguous, '7']);
	});

	it('keeps an unknown code readable', () => {
		const e = classifyProviderError({ provider: 'twilio', httpStatus: 400, code: 99999, providerMessage: 'Something odd' });
		expect(e.kind).toBe('request');
		expect(e.message).toBe('Twilio refused the request (Twilio 99999)');
		expect(e.providerMessage).toBe('Something odd');
	});
});

describe('network errors', () => {
	const TWILIO = PROVIDERS.twilio;

	it('knows exactly which connection failures never carried the request, and which requests never left', () => {
		expect([...NEVER_SENT_CODES].sort()).toEqual(
			[
				'CERT_HAS_EXPIRED',
				'DEPTH_ZERO_SELF_SIGNED_CERT',
				'EADDRNOTAVAIL',
				'EAI_AGAIN',
				'EAI_FAIL',
				'ECONNREFUSED',
				'EHOSTDOWN',
				'EHOSTUNREACH',
				'ENETDOWN',
				'ENETUNREACH',
				'ENOTFOUND',
				'ERR_TLS_CERT_ALTNAME_INVALID',
				'SELF_SIGNED_CERT_IN_CHAIN',
				'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
			].sort(),
		);
		expect([...INVALID_REQUEST_CODES].sort()).toEqual(
			[
				'ERR_BAD_OPTION_VALUE',
				'ERR_FR_TOO_MANY_REDIRECTS',
				'ERR_INVALID_ARG_TYPE',
				'ERR_INVALID_ARG_VALUE',
				'ERR_INVALID_CHAR',
				'ERR_INVALID_HTTP_TOKEN',
				'ERR_INVALID_PROTOCOL',
				'ERR_INVALID_URL',
				'ERR_UNESCAPED_CHARACTERS',
			].sort(),
		);
	});

	// Every code, written out (not read from the sets above), with its kind when the transport cannot tell whether the
	// request left ('maybe') and when it knows it never did ('no').
	const NETWORK: Array<[string | undefined, 'network' | 'ambiguous' | 'config', 'network' | 'config']> = [
		// Never connected, or refused before the request was written: safe to retry and to fall back, whatever `reached` says.
		['ECONNREFUSED', 'network', 'network'],
		['ENOTFOUND', 'network', 'network'],
		['EAI_AGAIN', 'network', 'network'],
		['EAI_FAIL', 'network', 'network'],
		['EHOSTUNREACH', 'network', 'network'],
		['ENETUNREACH', 'network', 'network'],
		['EHOSTDOWN', 'network', 'network'],
		['ENETDOWN', 'network', 'network'],
		['EADDRNOTAVAIL', 'network', 'network'],
		['CERT_HAS_EXPIRED', 'network', 'network'],
		['DEPTH_ZERO_SELF_SIGNED_CERT', 'network', 'network'],
		['SELF_SIGNED_CERT_IN_CHAIN', 'network', 'network'],
		['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'network', 'network'],
		['ERR_TLS_CERT_ALTNAME_INVALID', 'network', 'network'],
		// Refused before it left this machine: a setup error, whatever `reached` says.
		['ERR_INVALID_URL', 'config', 'config'],
		['ERR_INVALID_CHAR', 'config', 'config'],
		['ERR_INVALID_ARG_TYPE', 'config', 'config'],
		['ERR_INVALID_ARG_VALUE', 'config', 'config'],
		['ERR_INVALID_HTTP_TOKEN', 'config', 'config'],
		['ERR_UNESCAPED_CHARACTERS', 'config', 'config'],
		['ERR_INVALID_PROTOCOL', 'config', 'config'],
		['ERR_BAD_OPTION_VALUE', 'config', 'config'],
		['ERR_FR_TOO_MANY_REDIRECTS', 'config', 'config'],
		// Broken after the request may have been written: ambiguous, unless the transport knows it never left.
		['ECONNRESET', 'ambiguous', 'network'],
		['ECONNABORTED', 'ambiguous', 'network'],
		['ETIMEDOUT', 'ambiguous', 'network'],
		['ESOCKETTIMEDOUT', 'ambiguous', 'network'],
		['EPIPE', 'ambiguous', 'network'],
		['UND_ERR_SOCKET', 'ambiguous', 'network'],
		['UND_ERR_CONNECT_TIMEOUT', 'ambiguous', 'network'],
		['ERR_STREAM_PREMATURE_CLOSE', 'ambiguous', 'network'],
		['EAI_AGAIN_NOT', 'ambiguous', 'network'],
		['econnrefused', 'ambiguous', 'network'],
		['', 'ambiguous', 'network'],
		[undefined, 'ambiguous', 'network'],
	];
	const FLAGS = { network: [true, true, false], config: [false, true, false], ambiguous: [false, false, true] } as const;
	const MESSAGE = {
		network: (code: string | undefined) => `Could not connect to Twilio${code ? ` (${code})` : ''}: check the network and the credential's Base URL. Nothing was sent`,
		config: (code: string | undefined) => `The request to Twilio could not be made (${code}): check the credential's Base URL and the node's settings. Nothing was sent`,
		ambiguous: (code: string | undefined) =>
			`Twilio did not answer after the request was sent (${code || 'no response'}), so the message may or may not have gone out. It was not sent again, to avoid a duplicate: check what Twilio recorded before resending`,
	};

	it('classifies every code exactly, reached or not: kind, retry, fallback, ambiguity, sentence and parts', () => {
		let checked = 0;
		for (const [code, maybe, no] of NETWORK) {
			for (const [reached, kind] of [['maybe', maybe], ['no', no]] as const) {
				const e = classifyNetworkError(TWILIO, code, 'the detail', reached);
				expect([code, reached, e.kind, e.retryable, e.allowsFallback, e.ambiguous]).toEqual([code, reached, kind, ...FLAGS[kind]]);
				expect([code, reached, e.message, e.code, e.detail, e.provider, e.providerLabel, e.httpStatus, e.providerMessage, e.retryAfterMs]).toEqual([
					code, reached, MESSAGE[kind](code), code, 'the detail', 'twilio', 'Twilio', undefined, undefined, undefined,
				]);
				expect(e).toBeInstanceOf(ProviderError);
				checked++;
			}
		}
		expect(checked).toBe(2 * 35);
		// Every code of the sets is in the table above, and the table's never-sent and setup codes are all in the sets.
		const known = new Set(NETWORK.map(([code]) => code));
		expect([...NEVER_SENT_CODES, ...INVALID_REQUEST_CODES].filter((code) => !known.has(code))).toEqual([]);
		expect(NETWORK.filter(([, maybe]) => maybe === 'network').map(([code]) => code)).toEqual([...NEVER_SENT_CODES]);
		expect(NETWORK.filter(([, maybe]) => maybe === 'config').map(([code]) => code)).toEqual([...INVALID_REQUEST_CODES]);
	});

	it('names the provider in every sentence', () => {
		expect(classifyNetworkError(PROVIDERS.sinch, 'EAI_AGAIN', 'x', 'maybe').message).toBe("Could not connect to Sinch (EAI_AGAIN): check the network and the credential's Base URL. Nothing was sent");
		expect(classifyNetworkError(PROVIDERS.sns, 'EPIPE', 'x', 'maybe').message).toBe(
			'AWS SNS did not answer after the request was sent (EPIPE), so the message may or may not have gone out. It was not sent again, to avoid a duplicate: check what AWS SNS recorded before resending',
		);
		expect(classifyNetworkError(PROVIDERS.sns, 'ERR_INVALID_URL', 'x', 'no').message).toBe(
			"The request to AWS SNS could not be made (ERR_INVALID_URL): check the credential's Base URL and the node's settings. Nothing was sent",
		);
	});
});

describe('delivery error descriptions', () => {
	it('describes asynchronous codes with the sentence of their table', () => {
		const rule = PROVIDERS.twilio.deliveryCodes['30003'];
		expect(describeDeliveryError('twilio', 30003)).toBe(`${rule.meaning} (Twilio 30003): ${rule.advice}`);
		expect(describeDeliveryError('twilio', '30003')).toBe(`${rule.meaning} (Twilio 30003): ${rule.advice}`);
		expect(describeDeliveryError('sinch', 402)).toContain('routed');
		expect(describeDeliveryError('sinch', 999)).toBe('Delivery failed (Sinch 999)');
		expect(describeDeliveryError('sinch', 'toString')).toBe('Delivery failed (Sinch toString)');
		const none = [null, undefined, '', 0, '0'].map((code) => describeCode(PROVIDERS.twilio, PROVIDERS.twilio.deliveryCodes, code));
		expect(none).toEqual([undefined, undefined, undefined, undefined, undefined]);
	});
});
