/**
 * Twilio's Messaging Pricing API, as the sandbox plays it (pricing.twilio.com, served on the sandbox's origin like
 * the Content and Verify APIs): `GET /v1/Messaging/Countries` (a page of `{country, iso_country, url}` with Twilio's
 * `meta`) and `GET /v1/Messaging/Countries/{IsoCountry}` (the country's outbound prices per carrier and sender
 * type, its inbound prices per number type). Field names and shapes follow the official SDK
 * (twilio/lib/rest/pricing/v1/messaging/country.js: `outbound_sms_prices[].{carrier, mcc, mnc, prices[]}`,
 * `prices[].{number_type, base_price, current_price}`, `inbound_sms_prices[].{number_type, base_price,
 * current_price}`, `price_unit`, `url`) and twilio.com/docs/messaging/api/pricing; prices are strings, as Twilio
 * writes them. An unknown or malformed country is Twilio's 404 (20404).
 */
import { json } from './http';
import { twilioError } from './twilioError';
import type { SandboxRequest, SandboxResponse } from './types';

const HOST = 'https://pricing.twilio.com';
const LIST = '/v1/Messaging/Countries';
const COUNTRY = /^\/v1\/Messaging\/Countries\/([^/]+)$/;

/** A sender type as Twilio names it in `number_type`. */
export type TwilioNumberType = 'mobile' | 'local' | 'toll free' | 'shortcode';

export interface TwilioPrice {
	number_type: TwilioNumberType;
	/** The list price, per segment, in `price_unit`. */
	base_price: string;
	/** What the account pays (after discounts): the price to use. */
	current_price: string;
}

export interface TwilioOutboundSmsPrice {
	carrier: string;
	mcc: string;
	mnc: string;
	prices: TwilioPrice[];
}

export interface TwilioMessagingCountry {
	country: string;
	iso_country: string;
	outbound_sms_prices: TwilioOutboundSmsPrice[];
	inbound_sms_prices: TwilioPrice[];
}

const price = (numberType: TwilioNumberType, base: string, current = base): TwilioPrice => ({ number_type: numberType, base_price: base, current_price: current });
/** The same price for every sender type that can send to this carrier. */
const carrier = (name: string, mcc: string, mnc: string, types: TwilioNumberType[], base: string, current = base): TwilioOutboundSmsPrice => ({
	carrier: name,
	mcc,
	mnc,
	prices: types.map((t) => price(t, base, current)),
});

const NANP: TwilioNumberType[] = ['local', 'toll free', 'shortcode'];
const INTL: TwilioNumberType[] = ['mobile', 'local', 'shortcode'];

/**
 * The sandbox's price list, USD per outbound segment (and per inbound message). Illustrative figures close to
 * Twilio's public list prices of 2024–2025, not Twilio's current prices: a campaign estimate against the sandbox is
 * a rehearsal, not a quote.
 *
 * Where a country's carriers differ, a caller must choose. The highest `current_price` is the worst case (a budget
 * cap that cannot be exceeded whichever network the recipients are on); the average over carriers is the expected
 * cost when the carrier mix is unknown (Twilio publishes no market shares). Per mobile segment:
 * - same price on every carrier: US 0.0083, CA 0.0083, AU 0.0515;
 * - GB 0.0520–0.0524 (highest 0.0524 EE, Vodafone, O2; average 0.0523);
 * - FR 0.0846–0.0869 (highest 0.0869 Orange; average 0.0861);
 * - DE 0.0935–0.0955 current (highest 0.0955 Telekom, Vodafone; average 0.0948); Telefónica's base price is
 *   0.0955 but its current price 0.0935: compare `current_price`, not `base_price`;
 * - TR 0.0358–0.0363 (highest 0.0363; average 0.0361); ES 0.0790–0.0864 (highest 0.0864; average 0.08425);
 * - IT 0.0711–0.0765 (highest 0.0765; average 0.0750); NL 0.1100–0.1135 (highest 0.1135; average 0.1123);
 * - BR 0.0412–0.0430 (highest 0.0430 Oi; average 0.04165); IN 0.0790–0.0832 (highest 0.0832; average 0.08215).
 * TR, BR and IN have no Twilio numbers that receive SMS here: their `inbound_sms_prices` is empty.
 */
export const TWILIO_MESSAGING_PRICES: readonly TwilioMessagingCountry[] = [
	{
		country: 'Australia',
		iso_country: 'AU',
		outbound_sms_prices: [carrier('Telstra', '505', '01', INTL, '0.0515'), carrier('Optus', '505', '02', INTL, '0.0515'), carrier('Vodafone', '505', '03', INTL, '0.0515')],
		inbound_sms_prices: [price('mobile', '0.0075')],
	},
	{
		country: 'Brazil',
		iso_country: 'BR',
		outbound_sms_prices: [carrier('Vivo', '724', '06', INTL, '0.0412'), carrier('Claro', '724', '05', INTL, '0.0412'), carrier('TIM', '724', '02', INTL, '0.0412'), carrier('Oi', '724', '31', INTL, '0.0430')],
		inbound_sms_prices: [],
	},
	{
		country: 'Canada',
		iso_country: 'CA',
		outbound_sms_prices: [carrier('Rogers Wireless', '302', '720', NANP, '0.0083'), carrier('Bell Mobility', '302', '610', NANP, '0.0083'), carrier('Telus Mobility', '302', '220', NANP, '0.0083')],
		inbound_sms_prices: [price('local', '0.0083'), price('toll free', '0.0083')],
	},
	{
		country: 'France',
		iso_country: 'FR',
		outbound_sms_prices: [
			carrier('Orange', '208', '01', INTL, '0.0869'),
			carrier('SFR', '208', '10', INTL, '0.0868'),
			carrier('Bouygues Telecom', '208', '20', INTL, '0.0861'),
			carrier('Free Mobile', '208', '15', INTL, '0.0846'),
		],
		inbound_sms_prices: [price('mobile', '0.0075')],
	},
	{
		country: 'Germany',
		iso_country: 'DE',
		outbound_sms_prices: [
			carrier('Telekom', '262', '01', INTL, '0.0955'),
			carrier('Vodafone', '262', '02', INTL, '0.0955'),
			carrier('Telefonica (O2)', '262', '03', INTL, '0.0955', '0.0935'),
		],
		inbound_sms_prices: [price('mobile', '0.0075')],
	},
	{
		country: 'India',
		iso_country: 'IN',
		outbound_sms_prices: [
			carrier('Reliance Jio', '405', '840', INTL, '0.0832'),
			carrier('Bharti Airtel', '404', '10', INTL, '0.0832'),
			carrier('Vodafone Idea', '404', '20', INTL, '0.0832'),
			carrier('BSNL', '404', '34', INTL, '0.0790'),
		],
		inbound_sms_prices: [],
	},
	{
		country: 'Italy',
		iso_country: 'IT',
		outbound_sms_prices: [
			carrier('TIM', '222', '01', INTL, '0.0765'),
			carrier('Vodafone', '222', '10', INTL, '0.0765'),
			carrier('WindTre', '222', '88', INTL, '0.0758'),
			carrier('Iliad', '222', '50', INTL, '0.0711'),
		],
		inbound_sms_prices: [price('mobile', '0.0075')],
	},
	{
		country: 'Netherlands',
		iso_country: 'NL',
		outbound_sms_prices: [carrier('KPN', '204', '08', INTL, '0.1135'), carrier('Vodafone', '204', '04', INTL, '0.1135'), carrier('Odido', '204', '16', INTL, '0.1100')],
		inbound_sms_prices: [price('mobile', '0.0075')],
	},
	{
		country: 'Spain',
		iso_country: 'ES',
		outbound_sms_prices: [
			carrier('Movistar', '214', '07', INTL, '0.0864'),
			carrier('Vodafone', '214', '01', INTL, '0.0864'),
			carrier('Orange', '214', '03', INTL, '0.0852'),
			carrier('Yoigo', '214', '04', INTL, '0.0790'),
		],
		inbound_sms_prices: [price('mobile', '0.0075')],
	},
	{
		country: 'Turkey',
		iso_country: 'TR',
		outbound_sms_prices: [carrier('Turkcell', '286', '01', INTL, '0.0363'), carrier('Vodafone', '286', '02', INTL, '0.0363'), carrier('Turk Telekom', '286', '03', INTL, '0.0358')],
		inbound_sms_prices: [],
	},
	{
		country: 'United Kingdom',
		iso_country: 'GB',
		outbound_sms_prices: [
			carrier('EE', '234', '30', INTL, '0.0524'),
			carrier('Vodafone', '234', '15', INTL, '0.0524'),
			carrier('O2', '234', '10', INTL, '0.0524'),
			carrier('Three', '234', '20', INTL, '0.0520'),
		],
		inbound_sms_prices: [price('mobile', '0.0075'), price('local', '0.0075')],
	},
	{
		country: 'United States',
		iso_country: 'US',
		outbound_sms_prices: [
			carrier('AT&T Wireless', '310', '410', NANP, '0.0083'),
			carrier('Verizon Wireless', '311', '480', NANP, '0.0083'),
			carrier('T-Mobile USA', '310', '260', NANP, '0.0083'),
			carrier('US Cellular', '311', '580', NANP, '0.0083'),
		],
		inbound_sms_prices: [price('local', '0.0083'), price('toll free', '0.0083'), price('shortcode', '0.0083')],
	},
];

export interface TwilioPricingApi {
	matches(path: string): boolean;
	handle(req: SandboxRequest, authenticate: () => SandboxResponse | undefined): SandboxResponse;
}

/** Where the page links point: the origin the client called (the sandbox, or a proxy in front of it). */
function origin(req: SandboxRequest, fallback: string): string {
	const host = req.headers.host;
	return typeof host === 'string' && /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host) ? `http://${host}` : fallback;
}

export function twilioPricing(sandboxUrl: () => string, prices: readonly TwilioMessagingCountry[] = TWILIO_MESSAGING_PRICES): TwilioPricingApi {
	const byIso = new Map(prices.map((c) => [c.iso_country, c]));
	// Listed in the order of the countries' names, as Twilio lists them.
	const listed = [...prices].sort((a, b) => a.country.localeCompare(b.country, 'en'));
	const url = (iso: string) => `${HOST}${LIST}/${iso}`;
	const notFound = (path: string) => twilioError(404, 20404, `The requested resource ${path.length > 200 ? `${path.slice(0, 200)}…` : path} was not found`);

	function list(req: SandboxRequest): SandboxResponse {
		// PageSize 1–1000 (50 by default), Page from 0, as the Pricing API documents them.
		const pageSize = Math.min(1000, Math.max(1, Math.floor(Number(req.query.get('PageSize') ?? 50)) || 50));
		const page = Math.min(1e6, Math.max(0, Math.floor(Number(req.query.get('Page') ?? 0)) || 0));
		const at = (n: number) => `${origin(req, sandboxUrl())}${LIST}?PageSize=${pageSize}&Page=${n}`;
		return json(200, {
			countries: listed.slice(page * pageSize, (page + 1) * pageSize).map((c) => ({ country: c.country, iso_country: c.iso_country, url: url(c.iso_country) })),
			meta: {
				page,
				page_size: pageSize,
				first_page_url: at(0),
				previous_page_url: page > 0 ? at(page - 1) : null,
				url: at(page),
				next_page_url: (page + 1) * pageSize < listed.length ? at(page + 1) : null,
				key: 'countries',
			},
		});
	}

	return {
		matches: (path) => path === '/v1/Messaging' || path.startsWith('/v1/Messaging/'),
		handle(req, authenticate) {
			const denied = authenticate();
			if (denied) return denied;
			const isList = req.path === LIST;
			const match = COUNTRY.exec(req.path);
			if (!isList && !match) return notFound(req.path);
			if (req.method !== 'GET') return twilioError(405, 20004, `Method not allowed: ${req.method} on ${req.path.slice(0, 200)}`);
			if (isList) return list(req);
			// An ISO 3166-1 alpha-2 code in capitals, as Twilio writes it. Whether Twilio also takes `tr` is (unconfirmed):
			// the sandbox takes only what surely works.
			const c = byIso.get(match?.[1] ?? '');
			if (!c) return notFound(req.path);
			return json(200, { ...structuredClone(c), price_unit: 'USD', url: url(c.iso_country) });
		},
	};
}
