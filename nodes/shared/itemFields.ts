/**
 * A parameter read for each of many items (a campaign's phone, language, time zone): a fixed value once, the commonest
 * expression (`{{ $json.phone }}`: one field of the item) straight from the item, as n8n would evaluate it, and
 * anything else through n8n's expressions. Evaluating 100,000 expressions takes n8n seconds; reading a field does not.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { holdsExpression, nodeParameter } from './params';

const ONE_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]+)\2\s*\])\s*\}\}$/;

export function perItem(fns: IExecuteFunctions, name: string, fallback: unknown): (index: number) => unknown {
	const raw = fns.getNode().parameters[name];
	if (raw === undefined) return () => fallback;
	if (typeof raw !== 'string' || !holdsExpression(raw)) {
		const value = nodeParameter(fns, name, 0, fallback);
		return () => value;
	}
	const match = ONE_FIELD.exec(raw);
	if (match) {
		const field = match[1] ?? match[3];
		const items = fns.getInputData();
		return (index) => {
			const json = items[index]?.json;
			return json && Object.hasOwn(json, field) ? json[field] : undefined;
		};
	}
	return (index) => nodeParameter(fns, name, index, fallback);
}
