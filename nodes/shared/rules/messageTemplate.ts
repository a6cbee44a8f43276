/**
 * A campaign's message: text with {placeholders} filled from each recipient's fields ({name}, {appointment.time}),
 * in the variant for the recipient's language. Braces that do not hold a field name ("{ ok }", "{[~^|]}") are text.
 * n8n's own {{ expressions }} are evaluated by n8n before this, so both can be used in one message.
 */

/** A field name or a dotted path, as n8n users name fields. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\}/g;

export type TemplatePart = string | { field: string };

/** The template as text and placeholders, in order. */
export function parseTemplate(template: string): TemplatePart[] {
	const parts: TemplatePart[] = [];
	let last = 0;
	for (const match of template.matchAll(PLACEHOLDER)) {
		const at = match.index ?? 0;
		// "{{name}}": n8n's expression braces left as text (a fixed field): the inner name is still ours, once.
		if (at > 0 && template[at - 1] === '{' && template[at + match[0].length] === '}') {
			if (at - 1 > last) parts.push(template.slice(last, at - 1));
			parts.push({ field: match[1] });
			last = at + match[0].length + 1;
			continue;
		}
		if (at > last) parts.push(template.slice(last, at));
		parts.push({ field: match[1] });
		last = at + match[0].length;
	}
	if (last < template.length) parts.push(template.slice(last));
	return parts;
}

export function fieldsOf(parts: readonly TemplatePart[]): string[] {
	return [...new Set(parts.flatMap((part) => (typeof part === 'string' ? [] : [part.field])))];
}

/** A field of the item by name or dotted path (own properties only: "constructor" is not a field). */
export function fieldValue(item: Record<string, unknown>, path: string): unknown {
	let value: unknown = item;
	for (const key of path.split('.')) {
		if (!value || typeof value !== 'object' || !Object.hasOwn(value, key)) {
			// A field whose name holds dots ("appointment.time" as one key) is found whole.
			return path.includes('.') && Object.hasOwn(item, path) ? item[path] : undefined;
		}
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

export type Rendered = { ok: true; text: string; values: Record<string, string> } | { ok: false; missing: string[]; notText: string[] };

/** What a value reads as in a message: text, a number, a yes/no; nothing else. */
export function asMessageText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	return undefined;
}

/** Fill the template from an item; every placeholder must find text (an empty field is a missing one). */
export function renderTemplate(parts: readonly TemplatePart[], item: Record<string, unknown>): Rendered {
	const missing: string[] = [];
	const notText: string[] = [];
	const values: Record<string, string> = {};
	let text = '';
	for (const part of parts) {
		if (typeof part === 'string') {
			text += part;
			continue;
		}
		const value = fieldValue(item, part.field);
		const written = asMessageText(value);
		if (value === undefined || value === null || written === '') {
			if (!missing.includes(part.field)) missing.push(part.field);
		} else if (written === undefined) {
			if (!notText.includes(part.field)) notText.push(part.field);
		} else {
			values[part.field] = written;
			text += written;
		}
	}
	return missing.length || notText.length ? { ok: false, missing, notText } : { ok: true, text, values };
}

/** Language tags as people write them: "TR", "tr-TR", "en_GB" → "tr", "tr-tr", "en-gb". */
export function normaliseLanguage(tag: string): string {
	return tag.trim().toLowerCase().replace(/_/g, '-');
}

/**
 * The variant for a recipient's language: the exact tag, else its main language (tr-TR → tr), else the default
 * (`undefined` key). Returns the language chosen, or null for the default.
 */
export function pickVariant<T>(language: string | undefined, variants: ReadonlyMap<string, T>, fallback: T): { language: string | null; value: T } {
	if (language) {
		const tag = normaliseLanguage(language);
		const exact = variants.get(tag);
		if (exact !== undefined) return { language: tag, value: exact };
		const main = tag.split('-')[0];
		const general = variants.get(main);
		if (general !== undefined) return { language: main, value: general };
	}
	return { language: null, value: fallback };
}
