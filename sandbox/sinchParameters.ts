/**
 * Sinch SMS batch `parameters`, pure: a body with `${name}` placeholders and, per parameter, a value per recipient
 * and a `default` (https://developers.sinch.com/docs/sms/resources/message-info/message-parameterization/):
 *
 *   "body": "Hi ${name}!", "parameters": {"name": {"+46701234567": "Ada", "default": "friend"}}
 *
 * What the sandbox does, and on what authority:
 * - Each recipient's message carries its own rendered body. A recipient with no value and no `default` for a
 *   parameter the body uses: "the message will fail for that MSISDN but not for other recipients" (Sinch's
 *   parameterization page). It fails with delivery report code 405, "Unmatched Parameter: one or more parameters in
 *   the message body has no mapping for this recipient" (the code: Sinch's SDKs, e.g. sinch-sdk-java
 *   DeliveryReceiptErrorCode.UNMATCHED_PARAMETER). Its status is `Failed`, before it is dispatched (unconfirmed: the
 *   sources name the code, not the status); its body keeps the placeholder.
 * - Parameter names are case-sensitive (the parameterization page), of letters A-Z and a-z, digits 0-9 and `.-_`
 *   (Sinch's API reference and SDKs). At most 16 characters per name and 160 per value: Sinch's older XMS reference
 *   (unconfirmed for today's API). A violation is refused with 400 `syntax_invalid_parameter_format` (a name, a shape,
 *   a value that is not a string) or `syntax_constraint_violation` (a length).
 * - A recipient is matched with or without its `+` (Sinch takes numbers either way and writes them without).
 *   (unconfirmed: Sinch's examples write the keys without `+`).
 * - A placeholder naming no parameter at all is left as written, for every recipient (unconfirmed).
 */
import { countSegments } from '../nodes/shared/rules/segments';
import { STEP_MS } from './rules';
import type { StatusStep } from './types';

/** Delivery report code 405: a parameter in the body has no value for this recipient and no default. */
export const UNMATCHED_PARAMETER_CODE = 405;

const NAME = /^[A-Za-z0-9._-]{1,16}$/;
const MAX_VALUE = 160;
const PLACEHOLDER = /\$\{([A-Za-z0-9._-]+)\}/g;

export interface SinchParameter {
	/** Values by recipient, without `+`. */
	values: Map<string, string>;
	fallback: string | undefined;
}

/** The parameters of a batch, by name, ready to render; `given` as the request sent them (the batch echoes it). */
export interface SinchParameters {
	given: Record<string, Record<string, string>>;
	byName: Map<string, SinchParameter>;
}

export interface ParameterProblem {
	code: 'syntax_invalid_parameter_format' | 'syntax_constraint_violation';
	text: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const shown = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
const bare = (msisdn: string) => msisdn.replace(/^\+/, '');

/** A batch's `parameters` read, or why Sinch refuses it; undefined when the batch has none. */
export function readSinchParameters(value: unknown): SinchParameters | ParameterProblem | undefined {
	if (value === undefined || value === null) return undefined;
	const invalid = (text: string): ParameterProblem => ({ code: 'syntax_invalid_parameter_format', text });
	if (!isRecord(value)) return invalid("'parameters' must be an object: {\"name\": {\"<msisdn>\": \"value\", \"default\": \"value\"}}");
	const byName = new Map<string, SinchParameter>();
	const given: Record<string, Record<string, string>> = {};
	for (const [name, entries] of Object.entries(value)) {
		if (!NAME.test(name)) {
			return invalid(`Invalid parameter name '${shown(name)}': letters A-Z and a-z, digits 0-9 and .-_ allowed, at most 16 characters`);
		}
		if (!isRecord(entries)) return invalid(`'parameters.${name}' must be an object of recipients (and default) to values`);
		const parameter: SinchParameter = { values: new Map(), fallback: undefined };
		given[name] = {};
		for (const [key, text] of Object.entries(entries)) {
			if (typeof text !== 'string') return invalid(`'parameters.${name}.${shown(key)}' must be a string`);
			if (text.length > MAX_VALUE) return { code: 'syntax_constraint_violation', text: `'parameters.${name}.${shown(key)}' is longer than ${MAX_VALUE} characters` };
			given[name][key] = text;
			if (key === 'default') parameter.fallback = text;
			else parameter.values.set(bare(key), text);
		}
		byName.set(name, parameter);
	}
	return { given, byName };
}

export const isParameterProblem = (value: SinchParameters | ParameterProblem | undefined): value is ParameterProblem => value !== undefined && 'code' in value;

/** The body one recipient gets, and the parameters it lacks (then its message fails with 405). */
export function renderSinchBody(body: string, parameters: SinchParameters | undefined, recipient: string): { body: string; unmatched: string[] } {
	if (!parameters) return { body, unmatched: [] };
	const unmatched: string[] = [];
	const msisdn = bare(recipient);
	const rendered = body.replace(PLACEHOLDER, (whole, name: string) => {
		const parameter = parameters.byName.get(name);
		if (!parameter) return whole;
		const value = parameter.values.get(msisdn) ?? parameter.fallback;
		if (value === undefined) {
			unmatched.push(name);
			return whole;
		}
		return value;
	});
	return { body: rendered, unmatched };
}

/** A message that lacks a parameter: Queued, then Failed 405 where another would be dispatched. */
export function unmatchedParameterSteps(startMs: number): StatusStep[] {
	return [{ afterMs: startMs + STEP_MS.dispatched, status: 'Failed', errorCode: UNMATCHED_PARAMETER_CODE }];
}

/** Segments and encoding of bodies, each counted once (a batch of 1,000 usually has a few distinct bodies). */
export class SegmentCache {
	private readonly counted = new Map<string, { segments: number; encoding: string }>();

	of(body: string): { segments: number; encoding: string } {
		let found = this.counted.get(body);
		if (!found) {
			const { segments, encoding } = countSegments(body);
			found = { segments, encoding };
			if (this.counted.size < 10_000) this.counted.set(body, found);
		}
		return found;
	}
}

/** The encoding as Sinch's dry run names it. */
export const sinchEncoding = (encoding: string) => (encoding === 'UCS-2' ? 'UNICODE' : 'GSM');
