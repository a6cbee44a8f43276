/**
 * Before a campaign sends anything: every recipient's number cleaned and checked, duplicates and opted-out numbers
 * dropped, the message rendered in the recipient's language, its encoding, segments and estimated cost, and the
 * recipient's quiet hours. A dry run stops here. One bad recipient never stops the others: it comes out with a reason.
 */
import { estimateCost, type PriceBook } from '../rules/cost';
import { parseTemplate, pickVariant, renderTemplate, type TemplatePart } from '../rules/messageTemplate';
import { normalizePhone, type PhoneValidation } from '../rules/phone';
import { quietVerdict, formatClock, type QuietHours } from '../rules/quietHours';
import { countSegments, findBrokenCharacter, type SegmentInfo } from '../rules/segments';
import { clip } from '../rules/errors';
import { isTimeZone, recipientZones, type RecipientZones } from '../rules/timeZones';

export type SkipReason =
	| 'invalidNumber'
	| 'duplicate'
	| 'optedOut'
	| 'missingField'
	| 'emptyMessage'
	| 'brokenCharacter'
	| 'quietHours'
	| 'refused'
	| 'invalidTimeZone'
	| 'invalidOptOut'
	| 'invalidMessage'
	| 'alreadySent'
	| 'beingSent'
	| 'canceled'
	| 'sharedStateUnavailable';

/** What a recipient's item gives the campaign. */
export interface RecipientInput {
	index: number;
	phone: unknown;
	language?: string;
	timeZone?: string;
	optedOut: boolean;
	/** The item's fields, for the message's {placeholders}. */
	fields: Record<string, unknown>;
	/** The message and its translations for this item (one shared object when no expression makes them differ). */
	messages: MessageVariants;
	/** What made this item's own parameters unreadable (its message, its opt-out): refused with the reason. */
	problem?: { reason: SkipReason; text: string };
}

export interface MessageVariants {
	/** The message for languages without a translation. */
	fallback: string;
	/** Translations by language tag, lower case ("tr", "en-gb"). */
	byLanguage: ReadonlyMap<string, string>;
}

export interface QuietRule {
	hours: QuietHours;
	/** Skip such recipients, or schedule them for the next allowed time (where the route can schedule). */
	action: 'skip' | 'schedule';
}

export interface PlanSettings {
	defaultCountry: string;
	validation: PhoneValidation;
	/** Opted-out numbers, in E.164. */
	optOut: ReadonlySet<string>;
	quiet?: QuietRule;
	/** The zone for recipients whose zone neither their item nor their number tells (the workflow's). */
	defaultZone: string;
	/** What the rate counts. */
	unit: 'messages' | 'segments';
	/** Why the route's providers would refuse this text to this number (Twilio: over 1,600 characters), if they would. */
	check?: (to: string, text: string) => string | undefined;
}

export interface PlannedRecipient {
	index: number;
	input: string;
	to?: string;
	country?: string;
	status: 'ready' | 'skipped' | 'invalid';
	reason?: SkipReason;
	reasonText?: string;
	language: string | null;
	parts?: readonly TemplatePart[];
	/** The same for recipients whose message comes from one template (they can share a batch). */
	templateKey?: string;
	values?: Record<string, string>;
	text?: string;
	segments?: SegmentInfo;
	/** What the recipient's message takes from the rate. */
	units: number;
	estimatedCost?: number;
	zones?: RecipientZones;
	/** Scheduled for after quiet hours. */
	sendAt?: Date;
}

const parsedTemplates = new Map<string, TemplatePart[]>();

function partsOf(template: string): TemplatePart[] {
	let parts = parsedTemplates.get(template);
	if (!parts) {
		if (parsedTemplates.size > 1000) parsedTemplates.clear();
		parts = parseTemplate(template);
		parsedTemplates.set(template, parts);
	}
	return parts;
}

function phoneText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return '';
}

function skip(recipient: PlannedRecipient, status: 'skipped' | 'invalid', reason: SkipReason, reasonText: string): PlannedRecipient {
	return Object.assign(recipient, { status, reason, reasonText });
}

/** Recipients planned between two turns given to the rest of the n8n process. */
const YIELD_EVERY = 500;

/**
 * Each recipient's plan, in input order. A number counts as taken (its later items are duplicates) only once an item
 * for it would be sent, or is opted out: a first item refused for its own data leaves the number to the next one.
 */
export async function planRecipients(inputs: readonly RecipientInput[], settings: PlanSettings, now: Date, yieldTurn: () => Promise<void> = async () => undefined): Promise<PlannedRecipient[]> {
	const taken = new Map<string, { index: number; optedOut: boolean }>();
	const out: PlannedRecipient[] = [];
	for (let k = 0; k < inputs.length; k++) {
		if (k > 0 && k % YIELD_EVERY === 0) await yieldTurn();
		out.push(planOne(inputs[k], settings, now, taken));
	}
	return out;
}

function planOne(input: RecipientInput, settings: PlanSettings, now: Date, taken: Map<string, { index: number; optedOut: boolean }>): PlannedRecipient {
	const raw = phoneText(input.phone);
	const planned: PlannedRecipient = { index: input.index, input: raw, status: 'ready', language: null, units: 0 };
	if (input.problem) return skip(planned, 'invalid', input.problem.reason, input.problem.text);
	if (input.phone !== undefined && input.phone !== null && raw === '' && typeof input.phone !== 'string') {
		return skip(planned, 'invalid', 'invalidNumber', `The phone number must be text, but it is ${Array.isArray(input.phone) ? 'a list' : typeof input.phone}`);
	}
	const phone = normalizePhone(raw, { defaultCountry: settings.defaultCountry, validation: settings.validation });
	if (!phone.ok) return skip(planned, 'invalid', 'invalidNumber', `Invalid recipient: ${phone.message}`);
	planned.to = phone.e164;
	planned.country = phone.info.country ?? undefined;
	const first = taken.get(phone.e164);
	if (first !== undefined) return skip(planned, 'skipped', 'duplicate', `Same number as item ${first.index + 1}${first.optedOut ? ', which is opted out' : ': sent once'}`);
	if (input.optedOut || settings.optOut.has(phone.e164)) {
		taken.set(phone.e164, { index: input.index, optedOut: true });
		return skip(planned, 'skipped', 'optedOut', 'The recipient is on the opt-out list');
	}

	const variant = pickVariant(input.language, input.messages.byLanguage, input.messages.fallback);
	planned.language = variant.language;
	const parts = partsOf(variant.value);
	const rendered = renderTemplate(parts, input.fields);
	if (!rendered.ok) {
		const named = [...rendered.missing.map((f) => `{${f}} has no value`), ...rendered.notText.map((f) => `{${f}} is not text`)];
		return skip(planned, 'invalid', 'missingField', `The message cannot be written for this recipient: ${named.join(', ')}. Fill the field, or remove the placeholder`);
	}
	if (rendered.text.trim() === '') return skip(planned, 'invalid', 'emptyMessage', 'The message is empty for this recipient');
	const broken = findBrokenCharacter(rendered.text);
	if (broken) return skip(planned, 'invalid', 'brokenCharacter', `The message has a broken character at position ${broken} (half of an emoji or symbol)`);
	const refusal = settings.check?.(phone.e164, rendered.text);
	if (refusal) return skip(planned, 'invalid', 'refused', `${refusal}. Nothing was sent`);
	taken.set(phone.e164, { index: input.index, optedOut: false });
	planned.parts = parts;
	planned.templateKey = variant.value;
	planned.values = rendered.values;
	planned.text = rendered.text;
	planned.segments = countSegments(rendered.text);
	planned.units = settings.unit === 'messages' ? 1 : planned.segments.segments;
	if (!settings.quiet) return planned;
	const itemZone = input.timeZone?.trim() || undefined;
	if (itemZone && !isTimeZone(itemZone)) {
		return skip(planned, 'invalid', 'invalidTimeZone', `"${clip(itemZone, 60)}" is not a time zone: use an IANA name such as Europe/Istanbul, or leave it empty to take it from the number`);
	}
	planned.zones = recipientZones(phone.e164, itemZone, settings.defaultZone, now);
	return applyQuietHours(planned, settings.quiet, now);
}

/** Quiet hours at `now` for a ready recipient: skipped, or scheduled for the next allowed time. */
export function applyQuietHours(planned: PlannedRecipient, quiet: QuietRule, now: Date): PlannedRecipient {
	if (planned.status !== 'ready' || !planned.zones) return planned;
	const verdict = quietVerdict(now, planned.zones.zones, quiet.hours);
	if (!verdict.quiet) return planned;
	const window = `${formatClock(quiet.hours.start)}–${formatClock(quiet.hours.end)}`;
	if (quiet.action === 'schedule' && verdict.nextAllowed) {
		planned.sendAt = verdict.nextAllowed;
		return planned;
	}
	const when = verdict.nextAllowed ? `; it may be sent from ${verdict.nextAllowed.toISOString()}` : '';
	return skip(planned, 'skipped', 'quietHours', `It is ${verdict.localTime} in ${verdict.zone}, within quiet hours (${window})${when}`);
}

/** The estimated cost of each ready recipient's message. */
export function priceRecipients(recipients: PlannedRecipient[], book: PriceBook): void {
	for (const r of recipients) {
		if (r.status === 'ready' && r.segments) r.estimatedCost = estimateCost(r.segments.segments, r.country, book);
	}
}
