/**
 * Node parameters read as the types the nodes need, with a clear per-item error when an expression hands over
 * something else (an object as Message, a number as a URL): never JavaScript internals, never `[object Object]`
 * sent as text, never an impossible date moved to another day.
 */
import { DateTime } from 'luxon';
import { deepCopy, NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { perExecution } from './memo';
import type { SenderParameters } from './providers/types';
import { normalizePhone, type NormalizedPhone, type PhoneRules, type PhoneValidation } from './rules/phone';
import { findBrokenCharacter } from './rules/segments';

function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return `a list (${value.length} entr${value.length === 1 ? 'y' : 'ies'})`;
	if (value instanceof Date) return 'a date';
	if (DateTime.isDateTime(value)) return 'a date';
	if (typeof value === 'object') {
		let preview = '';
		try {
			preview = JSON.stringify(value).slice(0, 60);
		} catch {
			preview = '';
		}
		return `an object${preview ? ` (${preview}${preview.length >= 60 ? '…' : ''})` : ''}`;
	}
	return `a ${typeof value}`;
}

/** Whether a parameter as written holds an expression anywhere (n8n's mark: a text that starts with "="). */
export function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

/** A value no item can change for another: objects and lists copied. */
const copyOf = (value: unknown): unknown => (value && typeof value === 'object' ? deepCopy(value) : value);

/**
 * A node parameter for an item. One written without an expression is the same for every item: n8n reads it for the
 * first item (with its checks), and the other items get a copy of that value rather than read it again.
 */
export function nodeParameter(fns: IExecuteFunctions, name: string, index: number, fallback: unknown): unknown {
	const known = perExecution(fns, 'parameters', () => new Map<string, unknown>());
	if (known.has(name)) return copyOf(known.get(name));
	const value = fns.getNodeParameter(name, index, fallback);
	// The node as written, copied once per execution (getNode() copies it on every call).
	const written = perExecution(fns, 'node parameters', () => fns.getNode().parameters ?? {});
	if (Object.hasOwn(written, name) && written[name] !== undefined && !holdsExpression(written[name])) known.set(name, copyOf(value));
	return value;
}

export class ParameterReader {
	constructor(
		private readonly fns: IExecuteFunctions,
		private readonly index: number,
	) {}

	raw(name: string, fallback: unknown): unknown {
		return nodeParameter(this.fns, name, this.index, fallback);
	}

	/** The input item's fields (for what the node maps automatically by name). */
	item(): IDataObject {
		return this.fns.getInputData()[this.index]?.json ?? {};
	}

	/** The node's parameters as a provider reads its own fields (a sender, a Verify service SID). */
	forProvider(): SenderParameters {
		return { text: (name, label) => this.identifier(label, this.raw(name, '')), option: (name, fallback) => this.raw(name, fallback) };
	}

	/** The node's Options collection, as an object (anything else reads as no options). */
	options<T extends object>(): Partial<T> {
		const value = this.raw('options', {});
		return (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Partial<T>;
	}

	/** The To parameter as written, and as the phone rules read it with the node's Default Country. */
	phone(rules: Omit<PhoneRules, 'defaultCountry'>): { raw: string; phone: NormalizedPhone } {
		const raw = this.text('To', this.raw('to', ''), 'Map a phone number into To, for example {{ $json.phone }}. Nothing was sent.');
		const defaultCountry = this.text('Default Country', this.raw('defaultCountry', '')).replace(/\s+/g, '').toUpperCase();
		return { raw, phone: normalizePhone(raw, { ...rules, defaultCountry }) };
	}

	/** The recipient in E.164, or the item refused with the reason (`possible`: Number Validation's Possible Length Only). */
	recipient(validation: PhoneValidation | undefined): string {
		const { phone } = this.phone({ validation: validation === 'possible' ? 'possible' : 'strict' });
		return phone.ok ? phone.e164 : this.invalidRecipient(phone.message);
	}

	/** A recipient the phone rules refused: the same sentence and advice in every node. */
	invalidRecipient(reason: string): never {
		return this.fail(`Invalid recipient: ${reason}`, 'Nothing was sent. Fix the number, set the Default Country for numbers written without +, or filter the list with the Phone Number node.');
	}

	fail(message: string, description?: string): never {
		throw new NodeOperationError(this.fns.getNode(), message, { itemIndex: this.index, description: description ?? 'Nothing was sent.' });
	}

	/** Text: a string, or a number or boolean written out. Anything else is refused. */
	text(label: string, value: unknown, hint?: string): string {
		if (value === undefined || value === null) return '';
		if (typeof value === 'string') return value;
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
		if (typeof value === 'boolean') return String(value);
		return this.refuseText(label, value, hint);
	}

	/** Text that goes to the recipient: refused when it holds a broken character (half of an emoji), naming the field. */
	outgoingText(label: string, value: unknown): string {
		const text = this.text(label, value);
		const broken = findBrokenCharacter(text);
		if (broken) this.fail(`${label} has a broken character at position ${broken} (half of an emoji or symbol)`, 'Retype or remove the character there; it usually comes from text cut in the middle of an emoji. Nothing was sent.');
		return text;
	}

	/**
	 * A secret typed by a person (a code): text or a number written out. Anything else is refused without quoting
	 * it, since an object mapped in by mistake may hold the secret.
	 */
	secretText(label: string, value: unknown, hint?: string): string {
		if (value === undefined || value === null) return '';
		if (typeof value === 'string') return value;
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
		const kind = Array.isArray(value) ? 'a list' : value instanceof Date || DateTime.isDateTime(value) ? 'a date' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
		return this.fail(`${label} must be text, but it is ${kind}`, hint ?? `Map the text field into ${label}, not a whole object. Nothing was sent.`);
	}

	/** An identifier (a sender, a SID, a country code): a string, or a number written out; never a boolean or an object. */
	identifier(label: string, value: unknown): string {
		if (value === undefined || value === null) return '';
		if (typeof value === 'string') return value;
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
		return this.refuseText(label, value);
	}

	private refuseText(label: string, value: unknown, hint?: string): never {
		this.fail(`${label} must be text, but it is ${describeValue(value)}`, hint ?? `Map a text field into ${label}, for example {{ $json.text }}, not a whole object. Nothing was sent.`);
	}

	/** An http(s) URL, or undefined when empty. */
	url(label: string, value: unknown): string | undefined {
		if (value === undefined || value === null || value === '') return undefined;
		if (typeof value !== 'string') this.fail(`${label} must be a URL, but it is ${describeValue(value)}`);
		const text = value.trim();
		if (text === '') return undefined;
		let parsed: URL | undefined;
		try {
			parsed = new URL(text);
		} catch {
			parsed = undefined;
		}
		if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
			this.fail(`${label} must be an http:// or https:// URL: "${text.slice(0, 100)}" is not one`);
		}
		return text;
	}

	/** URLs given as text (separated by commas, spaces or new lines) or as a list of texts. */
	urls(label: string, value: unknown): string[] {
		if (value === undefined || value === null || value === '') return [];
		const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\s]+/) : this.fail(`${label} must be URLs separated by commas, or a list of URLs, but it is ${describeValue(value)}`);
		const out: string[] = [];
		for (const part of parts) {
			if (typeof part !== 'string') this.fail(`${label} must hold only URLs, but one entry is ${describeValue(part)}`);
			const url = this.url(label, part);
			if (url) out.push(url);
		}
		return out;
	}

	/** A whole number within bounds, or undefined when empty. */
	integer(label: string, value: unknown, min: number, max: number): number | undefined {
		if (value === undefined || value === null || value === '') return undefined;
		// A text must be written as a whole number: "0x6" or "1e1" are not how people write 6 or 10.
		const n = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
		if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
			this.fail(`${label} must be a whole number from ${min} to ${max}, but it is ${typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : describeValue(value)}`);
		}
		return n;
	}

	/** A number of at least `min`, or undefined when empty. */
	number(label: string, value: unknown, min: number): number | undefined {
		if (value === undefined || value === null || value === '') return undefined;
		const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		if (typeof n !== 'number' || !Number.isFinite(n) || n < min) {
			this.fail(`${label} must be a number of at least ${min}, but it is ${typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : describeValue(value)}`);
		}
		return n;
	}

	/**
	 * A moment in time: an ISO 8601 text (without an offset it is read in the workflow's time zone), a Date or a
	 * Luxon DateTime. An impossible date (February 30) is refused, never moved to another day.
	 */
	dateTime(label: string, value: unknown): Date | undefined {
		if (value === undefined || value === null || value === '') return undefined;
		if (value instanceof Date) {
			if (Number.isNaN(value.getTime())) this.fail(`${label} is not a valid date`);
			return value;
		}
		if (DateTime.isDateTime(value)) {
			if (!value.isValid) this.fail(`${label} is not a valid date: ${value.invalidExplanation ?? value.invalidReason ?? ''}`);
			return value.toJSDate();
		}
		if (typeof value !== 'string') this.fail(`${label} must be a date such as 2026-12-24T09:00:00+01:00, but it is ${describeValue(value)}`);
		const text = value.trim();
		const zone = this.fns.getTimezone();
		let parsed = DateTime.fromISO(text, { zone, setZone: true });
		if (!parsed.isValid) parsed = DateTime.fromSQL(text, { zone, setZone: true });
		if (!parsed.isValid) {
			this.fail(
				`${label} is not a valid date: "${text.slice(0, 60)}"`,
				'Use a date that exists, written as ISO 8601, for example 2026-12-24T09:00:00+01:00 (without an offset, the workflow\'s time zone is used). Nothing was sent.',
			);
		}
		return parsed.toJSDate();
	}
}
