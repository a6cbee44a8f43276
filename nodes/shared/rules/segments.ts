/**
 * SMS encoding and segment count, as carriers and Twilio's own calculator count them.
 *
 * One SMS carries 140 octets (1120 bits). GSM-7 characters take 7 bits (extension characters 14, as an
 * escape pair), UCS-2 code units 16. A message that needs more than one SMS gives each part a 6-octet
 * user data header, leaving 1072 bits: 153 GSM-7 characters or 67 UCS-2 units. A character (a grapheme:
 * an emoji with its modifiers, a letter with its accents) is never split across two parts.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
	encoding: SmsEncoding;
	segments: number;
	/** Characters as the handset counts them: GSM-7 septets, or UCS-2 graphemes. */
	characters: number;
	/** Characters that forced UCS-2, in order of appearance, each once. */
	nonGsmCharacters: string[];
}

const GSM7_BASIC =
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

const SEGMENT_BITS = 1120;
const HEADER_BITS = 48;

let segmenter: Intl.Segmenter | undefined;

/** Graphemes, with a CRLF pair counted as the two characters it is sent as. */
export function splitGraphemes(text: string): string[] {
	segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
	const out: string[] = [];
	for (const { segment } of segmenter.segment(text)) {
		if (segment === '\r\n') out.push('\r', '\n');
		else out.push(segment);
	}
	return out;
}

export function isGsm7Char(grapheme: string): boolean {
	return grapheme.length === 1 && (BASIC.has(grapheme) || EXTENSION.has(grapheme));
}

function bitsOf(grapheme: string, encoding: SmsEncoding): number {
	if (encoding === 'GSM-7') return EXTENSION.has(grapheme) ? 14 : 7;
	return 16 * grapheme.length;
}

/** Encoding and number of parts of a message body. */
export function countSegments(text: string): SegmentInfo {
	const graphemes = splitGraphemes(text);
	const nonGsm: string[] = [];
	for (const g of graphemes) if (!isGsm7Char(g) && !nonGsm.includes(g)) nonGsm.push(g);
	const encoding: SmsEncoding = nonGsm.length > 0 ? 'UCS-2' : 'GSM-7';

	// Sizes of the graphemes; a single part takes them all if they fit in 1120 bits.
	let total = 0;
	const sizes = graphemes.map((g) => {
		const bits = bitsOf(g, encoding);
		total += bits;
		return bits;
	});
	const characters = encoding === 'GSM-7' ? total / 7 : graphemes.length;
	if (total <= SEGMENT_BITS) {
		return { encoding, segments: 1, characters, nonGsmCharacters: nonGsm };
	}
	// Multipart: every part has a header; fill greedily without splitting a grapheme.
	let segments = 1;
	let free = SEGMENT_BITS - HEADER_BITS;
	for (const bits of sizes) {
		if (bits > free) {
			segments++;
			free = SEGMENT_BITS - HEADER_BITS;
		}
		free -= bits;
	}
	return { encoding, segments, characters, nonGsmCharacters: nonGsm };
}

/**
 * The position (1-based, in UTF-16 code units as editors count) of the first half of a character whose other
 * half is missing, or 0 when the text is whole. Such a text cannot be encoded: providers replace the broken
 * character or refuse the message, so it must be fixed before it is sent.
 */
export function findBrokenCharacter(text: string): number {
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		if (unit >= 0xd800 && unit <= 0xdbff) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				i++;
				continue;
			}
			return i + 1;
		}
		if (unit >= 0xdc00 && unit <= 0xdfff) return i + 1;
	}
	return 0;
}
