/**
 * What a campaign will cost before it is sent: each message's segments times the price of one segment to the
 * recipient's country. Prices come from the provider's pricing API where it has one (Twilio), else from the node: a
 * price per segment, with per-country prices that override it.
 */

export interface PriceBook {
	currency: string;
	/** Price of one segment to a country (ISO 3166 alpha-2, upper case). */
	byCountry: ReadonlyMap<string, number>;
	/** Price of one segment where the country has none. */
	perSegment?: number;
}

/** The estimated price of a message of `segments` parts to `country`, or undefined when nothing says. */
export function estimateCost(segments: number, country: string | undefined, book: PriceBook): number | undefined {
	const price = (country ? book.byCountry.get(country.toUpperCase()) : undefined) ?? book.perSegment;
	return price === undefined ? undefined : roundMoney(price * segments);
}

/** Money to a tenth of a thousandth, so that sums of many prices do not show float noise. */
export function roundMoney(value: number): number {
	return Math.round(value * 1e5) / 1e5;
}

/** "0.0079", 0.0079 or "$0.0079" as a price; undefined when it is not one. */
export function parsePrice(value: unknown): number | undefined {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^[$€£]/, '') : '';
	if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
	return Number(text);
}
