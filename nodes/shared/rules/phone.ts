/**
 * Phone numbers: parse what people type, describe it, and decide whether it may be sent to.
 * Pure functions over libphonenumber-js's full ("max") metadata.
 */
import {
	getCountries,
	parsePhoneNumberFromString,
	validatePhoneNumberLength,
	type CountryCode,
	type NumberType,
} from 'libphonenumber-js/max';
import { clip } from './errors';

export type PhoneValidation = 'strict' | 'possible';

export type PhoneRejection =
	| 'EMPTY'
	| 'NOT_A_NUMBER'
	| 'INVALID_COUNTRY'
	| 'TOO_SHORT'
	| 'TOO_LONG'
	| 'INVALID_LENGTH'
	| 'INVALID_FOR_REGION'
	| 'NOT_MOBILE'
	| 'HAS_EXTENSION';

export interface PhoneInfo {
	input: string;
	e164: string | null;
	valid: boolean;
	possible: boolean;
	country: string | null;
	callingCode: string | null;
	type: NumberType | null;
	isMobile: boolean | null;
	national: string | null;
	international: string | null;
	reason?: PhoneRejection;
	reasonText?: string;
}

const COUNTRIES = new Set<string>(getCountries());

/** Number types that can receive an SMS. FIXED_LINE_OR_MOBILE is what NANP numbers report. */
const MOBILE_TYPES = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

export function isCountryCode(value: string): value is CountryCode {
	return COUNTRIES.has(value);
}

export function listCountries(): string[] {
	return [...COUNTRIES].sort();
}

/** `whatsapp:+44…` → `+44…`; trims and removes invisible characters pasted from spreadsheets. */
export function stripAddressPrefix(input: string): string {
	return input
		.replace(/[\u200B-\u200F\u202A-\u202E\u2060\uFEFF]/g, '')
		.trim()
		.replace(/^(whatsapp|sms|tel):/i, '')
		.trim();
}

/**
 * A sender or recipient as a provider reports it, in E.164 where it is an international number: Sinch's
 * `46701234567` and Twilio's `whatsapp:+4670…` become `+46701234567`. Short codes (up to 6 digits), sender names and
 * anything else stay as they are: a webhook reports what the provider said, it does not validate.
 */
export function addressToE164(address: unknown): string | null {
	if (address === null || address === undefined) return null;
	const text = stripAddressPrefix(String(address));
	if (text === '') return null;
	const digits = text.replace(/[\s().-]/g, '');
	if (/^\+?[1-9]\d{6,14}$/.test(digits)) return `+${digits.replace(/^\+/, '')}`;
	return text;
}

export function reasonText(reason: PhoneRejection, country?: string | null): string {
	switch (reason) {
		case 'EMPTY':
			return 'The phone number is empty';
		case 'NOT_A_NUMBER':
			return 'This is not a phone number';
		case 'INVALID_COUNTRY':
			return 'The country could not be told: write the number with its country code (+…) or set a default country';
		case 'TOO_SHORT':
			return 'The number is too short';
		case 'TOO_LONG':
			return 'The number is too long';
		case 'INVALID_LENGTH':
			return 'The number has the wrong length for its country';
		case 'INVALID_FOR_REGION':
			return country
				? `The number is not a valid number in ${country}`
				: 'The number is not assigned to any country: check the digits';
		case 'NOT_MOBILE':
			return 'The number is not a mobile number and cannot receive SMS';
		case 'HAS_EXTENSION':
			return 'The number has an extension, and an SMS cannot reach an extension: remove it, or use the line\'s own mobile number';
	}
}

function parse(text: string, defaultCountry?: CountryCode) {
	const first = parsePhoneNumberFromString(text, defaultCountry);
	if (first?.isValid()) return first;
	// "00" international prefix where the default country dials out differently (or none is set), however it is
	// written: "0044 …", "00 44 …", "00-44-…", "(00) 44 …". The text is trimmed.
	const outward = /^\(?0\s*0\)?[\s.-]*(?=\d)/.exec(text);
	if (outward) {
		const second = parsePhoneNumberFromString(`+${text.slice(outward[0].length)}`, defaultCountry);
		if (second && (second.isValid() || !first)) return second;
	}
	return first;
}

/** Describe a number as people type it. Never throws. */
export function describePhone(input: unknown, defaultCountry?: string | null): PhoneInfo {
	const raw = input === undefined || input === null ? '' : String(input);
	const text = stripAddressPrefix(raw);
	const country =
		defaultCountry && isCountryCode(defaultCountry.toUpperCase())
			? (defaultCountry.toUpperCase() as CountryCode)
			: undefined;
	const empty: PhoneInfo = {
		input: raw,
		e164: null,
		valid: false,
		possible: false,
		country: null,
		callingCode: null,
		type: null,
		isMobile: null,
		national: null,
		international: null,
	};
	if (text === '') return withReason(empty, 'EMPTY');
	// Control characters are never part of a number a person wrote: refuse rather than guess around them.
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return withReason(empty, 'NOT_A_NUMBER');
	const phone = parse(text, country);
	if (!phone) {
		const lengthReason = validatePhoneNumberLength(text, country);
		return withReason(empty, lengthReason === 'INVALID_COUNTRY' ? 'INVALID_COUNTRY' : 'NOT_A_NUMBER');
	}
	const valid = phone.isValid();
	const possible = phone.isPossible();
	const type = valid ? (phone.getType() ?? null) : null;
	const info: PhoneInfo = {
		input: raw,
		e164: phone.number,
		valid,
		possible,
		country: phone.country ?? null,
		callingCode: phone.countryCallingCode,
		type,
		isMobile: type === null ? null : MOBILE_TYPES.has(type),
		national: phone.formatNational(),
		international: phone.formatInternational(),
	};
	if (phone.ext) return withReason({ ...info, valid: false }, 'HAS_EXTENSION');
	if (valid) return info;
	if (!possible) {
		const lengthReason = validatePhoneNumberLength(phone.number);
		return withReason(info, (lengthReason as PhoneRejection | undefined) ?? 'INVALID_LENGTH');
	}
	return withReason(info, 'INVALID_FOR_REGION');
}

function withReason(info: PhoneInfo, reason: PhoneRejection): PhoneInfo {
	return { ...info, reason, reasonText: reasonText(reason, info.country) };
}

export interface PhoneRules {
	defaultCountry?: string | null;
	validation?: PhoneValidation;
	requireMobile?: boolean;
}

export type NormalizedPhone =
	| { ok: true; e164: string; info: PhoneInfo }
	| { ok: false; reason: PhoneRejection; message: string; info: PhoneInfo };

/**
 * Decide whether a number may be sent to. Strict validation (the default) wants a number valid for its
 * region; "possible" accepts any number of a possible length (numbers newer than the metadata).
 */
export function normalizePhone(input: unknown, rules: PhoneRules = {}): NormalizedPhone {
	return judgePhone(describePhone(input, rules.defaultCountry), rules);
}

/** The verdict on a number already described. */
export function judgePhone(info: PhoneInfo, rules: Omit<PhoneRules, 'defaultCountry'> = {}): NormalizedPhone {
	const validation = rules.validation ?? 'strict';
	// An extension is refused in either mode: the SMS would go to the line, never to the extension.
	const accepted = info.reason !== 'HAS_EXTENSION' && (validation === 'strict' ? info.valid : info.possible);
	if (!accepted || info.e164 === null) {
		const reason = info.reason ?? 'INVALID_FOR_REGION';
		return { ok: false, reason, message: `${reasonText(reason, info.country)} ("${clip(info.input)}")`, info };
	}
	if (rules.requireMobile && info.isMobile === false) {
		return {
			ok: false,
			reason: 'NOT_MOBILE',
			message: `${reasonText('NOT_MOBILE')} ("${clip(info.input)}" is ${describeType(info.type)})`,
			info,
		};
	}
	return { ok: true, e164: info.e164, info };
}

export function describeType(type: NumberType | null): string {
	if (!type) return 'of an unknown type';
	return `a ${type.toLowerCase().replace(/_/g, ' ')} number`;
}

const LINE_TYPES: Record<string, string> = {
	MOBILE: 'Mobile',
	FIXED_LINE: 'Landline',
	FIXED_LINE_OR_MOBILE: 'Landline or mobile',
	TOLL_FREE: 'Toll-free',
	PREMIUM_RATE: 'Premium rate',
	SHARED_COST: 'Shared cost',
	VOIP: 'Internet phone (VoIP)',
	PERSONAL_NUMBER: 'Personal number',
	PAGER: 'Pager',
	UAN: 'Company number (UAN)',
	VOICEMAIL: 'Voicemail',
};

/** The line type in plain words ("Landline", "Toll-free"), or "Unknown". */
export function lineTypeText(type: NumberType | null | undefined): string {
	return (type && LINE_TYPES[type]) || 'Unknown';
}

let regionNames: Intl.DisplayNames | undefined;

/** A country's English name from its ISO code ("FR" → "France"), or null. */
export function countryName(code: string | null | undefined): string | null {
	if (!code) return null;
	regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
	try {
		return regionNames.of(code) ?? null;
	} catch {
		return null;
	}
}
