/**
 * Twilio's Messaging Pricing API (pricing.twilio.com/v1/Messaging/Countries) through the official twilio SDK, pointed
 * at the sandbox: the SDK reads the sandbox's countries and prices, fields mapped as it maps Twilio's, and fails on an
 * unknown country as against Twilio.
 */
import { TWILIO_MESSAGING_PRICES, type TwilioMessagingCountry, type TwilioPrice } from '../../sandbox/twilioPricing';
import { twilioSdk, useSandbox } from '../helpers/sandbox';

const box = useSandbox();
const client = () => twilioSdk(box.get());
const seeded = (iso: string) => TWILIO_MESSAGING_PRICES.find((c) => c.iso_country === iso) as TwilioMessagingCountry;
/**
 * The SDK's types say an outbound price has basePrice/currentPrice/numberType (numbers), but at run time it leaves
 * `prices` as Twilio sent it (country.js: `this.prices = payload["prices"]`): snake_case strings. Read it as that.
 */
const raw = (prices: unknown) => (prices ?? []) as TwilioPrice[];
const mobilePrice = (prices: unknown) => raw(prices).find((p) => p.number_type === 'mobile');

describe('twilio SDK: Messaging Pricing against the sandbox', () => {
	it("fetches Turkey's prices per carrier, as the SDK maps them", async () => {
		const tr = await client().pricing.v1.messaging.countries('TR').fetch();
		expect(tr.country).toBe('Turkey');
		expect(tr.isoCountry).toBe('TR');
		expect(tr.priceUnit).toBe('USD');
		expect(tr.url).toBe('https://pricing.twilio.com/v1/Messaging/Countries/TR');
		// The SDK maps carrier, mcc, mnc and leaves each price as Twilio sent it (number_type, base_price, current_price).
		expect(tr.outboundSmsPrices).toEqual(seeded('TR').outbound_sms_prices);
		expect(tr.outboundSmsPrices.map((p) => p.carrier)).toEqual(['Turkcell', 'Vodafone', 'Turk Telekom']);
		expect(raw(tr.outboundSmsPrices[0].prices)).toContainEqual({ number_type: 'mobile', base_price: '0.0363', current_price: '0.0363' });
		expect(tr.inboundSmsPrices).toEqual([]);
	});

	it('maps inbound prices to camelCase, and a discounted carrier has a current price below its base price', async () => {
		const gb = await client().pricing.v1.messaging.countries('GB').fetch();
		expect(gb.inboundSmsPrices).toEqual([
			{ numberType: 'mobile', basePrice: '0.0075', currentPrice: '0.0075' },
			{ numberType: 'local', basePrice: '0.0075', currentPrice: '0.0075' },
		]);
		const de = await client().pricing.v1.messaging.countries('DE').fetch();
		const telefonica = de.outboundSmsPrices.find((p) => p.carrier?.startsWith('Telefonica'));
		expect(mobilePrice(telefonica?.prices)).toEqual({ number_type: 'mobile', base_price: '0.0955', current_price: '0.0935' });
	});

	it("carriers' prices differ where the table says: the highest and the average a caller may take", async () => {
		const mobile = async (iso: string) => {
			const country = await client().pricing.v1.messaging.countries(iso).fetch();
			return country.outboundSmsPrices.map((p) => Number(mobilePrice(p.prices)?.current_price));
		};
		const fr = await mobile('FR');
		expect(Math.max(...fr)).toBe(0.0869);
		expect(fr.reduce((a, b) => a + b, 0) / fr.length).toBeCloseTo(0.0861, 4);
		const es = await mobile('ES');
		expect([Math.min(...es), Math.max(...es)]).toEqual([0.079, 0.0864]);
		// The US: one price on every carrier, for local numbers, toll-free and short codes.
		const us = await client().pricing.v1.messaging.countries('US').fetch();
		expect(new Set(us.outboundSmsPrices.flatMap((p) => raw(p.prices).map((x) => `${x.number_type} ${x.current_price}`)))).toEqual(
			new Set(['local 0.0083', 'toll free 0.0083', 'shortcode 0.0083']),
		);
	});

	it('lists every country, page by page', async () => {
		const all = await client().pricing.v1.messaging.countries.list();
		expect(all.map((c) => c.isoCountry).sort()).toEqual(['AU', 'BR', 'CA', 'DE', 'ES', 'FR', 'GB', 'IN', 'IT', 'NL', 'TR', 'US']);
		expect(all.map((c) => c.country)).toEqual([...all.map((c) => c.country)].sort((a, b) => a.localeCompare(b, 'en')));
		const turkey = all.find((c) => c.isoCountry === 'TR');
		expect(turkey).toMatchObject({ country: 'Turkey', url: 'https://pricing.twilio.com/v1/Messaging/Countries/TR', outboundSmsPrices: null, inboundSmsPrices: null });
		// Pages of 5: the SDK follows next_page_url (on the sandbox) to the end.
		const paged = await client().pricing.v1.messaging.countries.list({ pageSize: 5 });
		expect(paged.map((c) => c.isoCountry)).toEqual(all.map((c) => c.isoCountry));
		const page = await client().pricing.v1.messaging.countries.page({ pageSize: 5, pageNumber: 2 });
		expect(page.instances).toHaveLength(2);
		expect(page.nextPageUrl).toBeUndefined();
		expect((await client().pricing.v1.messaging.countries.list({ limit: 3 })).length).toBe(3);
	});

	it.each(['ZZ', 'tr', 'TUR', '00'])('an unknown or malformed country (%s) rejects with 404 and code 20404', async (iso) => {
		await expect(client().pricing.v1.messaging.countries(iso).fetch()).rejects.toMatchObject({ status: 404, code: 20404, moreInfo: 'https://www.twilio.com/docs/errors/20404' });
	});

	it('checks the account as the other Twilio APIs do (API key accepted, a wrong token refused with 20003)', async () => {
		const { apiKeySid, apiKeySecret } = box.get().accounts.twilio;
		expect((await twilioSdk(box.get(), apiKeySid, apiKeySecret).pricing.v1.messaging.countries('US').fetch()).isoCountry).toBe('US');
		await expect(twilioSdk(box.get(), undefined, 'wrong').pricing.v1.messaging.countries('US').fetch()).rejects.toMatchObject({ status: 401, code: 20003 });
		const unauthenticated = await fetch(`${box.get().url}/v1/Messaging/Countries/US`);
		expect(unauthenticated.status).toBe(401);
	});

	it('answers only GET, and 404 for paths it does not serve', async () => {
		const { accountSid, authToken } = box.get().accounts.twilio;
		const headers = { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` };
		const post = await fetch(`${box.get().url}/v1/Messaging/Countries/US`, { method: 'POST', headers });
		expect(post.status).toBe(405);
		expect(await post.json()).toMatchObject({ code: 20004, status: 405 });
		const elsewhere = await fetch(`${box.get().url}/v1/Messaging/Numbers/+15005550006`, { headers });
		expect(elsewhere.status).toBe(404);
		expect(await elsewhere.json()).toMatchObject({ code: 20404, status: 404 });
	});
});
