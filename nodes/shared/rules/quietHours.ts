/**
 * Quiet hours: no message between two local clock times (21:00 to 08:00, over midnight, or 12:00 to 14:00 within a
 * day) in the recipient's time zone. A recipient who may be in several zones (a number shared by a few) is quiet
 * when any of them is; the next allowed time is the first moment outside quiet hours in all of them.
 */
import { DateTime } from 'luxon';

export interface QuietHours {
	/** Minutes after local midnight when quiet hours begin, and when they end. */
	start: number;
	end: number;
}

/** "21:00", "8:30" or "0800" as minutes after midnight; undefined when it is not a time of day. */
export function parseClock(text: string): number | undefined {
	const match = /^\s*([01]?\d|2[0-3]):?([0-5]\d)\s*$/.exec(text);
	return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export function formatClock(minutes: number): string {
	return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Whether local minute-of-day `minute` falls in quiet hours (start included, end excluded). */
export function isQuietMinute(minute: number, quiet: QuietHours): boolean {
	if (quiet.start === quiet.end) return false;
	return quiet.start < quiet.end ? minute >= quiet.start && minute < quiet.end : minute >= quiet.start || minute < quiet.end;
}

/** The first moment at or after `at` outside quiet hours in `zone`. */
export function nextAllowedIn(at: DateTime, zone: string, quiet: QuietHours): DateTime {
	const local = at.setZone(zone);
	const minute = local.hour * 60 + local.minute;
	if (!isQuietMinute(minute, quiet)) return at;
	// Quiet now: it ends at `end` today, or tomorrow when that has passed (over midnight, before midnight).
	// Wall-clock time, not minutes after midnight: a day with a clock change has 23 or 25 hours. An end the clock
	// shows twice (set back) ends quiet hours the first time.
	const clock = { hour: Math.floor(quiet.end / 60), minute: quiet.end % 60, second: 0, millisecond: 0 };
	const ends = [local, local.plus({ days: 1 })].flatMap((day): DateTime[] => day.set(clock).getPossibleOffsets()).filter((end) => end > local);
	let end = ends.reduce((first, end) => (end < first ? end : first));
	// An end the clock skips (set forward over it): luxon gives that time as far past the jump; quiet hours ended at it.
	if (end.hour * 60 + end.minute !== quiet.end) {
		for (let before = end.minus({ minutes: 1 }); before > local && !isQuietMinute(before.hour * 60 + before.minute, quiet); before = before.minus({ minutes: 1 })) {
			end = before;
		}
	}
	return end.setZone(at.zone);
}

export type QuietVerdict =
	| { quiet: false }
	| {
			quiet: true;
			/** The zone that is quiet now, and its local time. */
			zone: string;
			localTime: string;
			/** The first moment outside quiet hours in every zone, or undefined when the zones never agree. */
			nextAllowed?: Date;
	  };

/** Whether `at` is within quiet hours in any of `zones`, and when it no longer is in any. */
export function quietVerdict(at: Date, zones: readonly string[], quiet: QuietHours): QuietVerdict {
	const when = DateTime.fromJSDate(at, { zone: 'utc' });
	const quietZone = zones.find((zone) => {
		const local = when.setZone(zone);
		return isQuietMinute(local.hour * 60 + local.minute, quiet);
	});
	if (quietZone === undefined) return { quiet: false };
	const localTime = when.setZone(quietZone).toFormat('HH:mm');
	let candidate: DateTime = when;
	// Each round moves to the end of one zone's quiet hours; agreeing zones settle in a few rounds.
	for (let round = 0; round < 4 * zones.length + 4; round++) {
		let next: DateTime = candidate;
		for (const zone of zones) {
			const allowed = nextAllowedIn(next, zone, quiet);
			if (allowed > next) next = allowed;
		}
		if (next.equals(candidate)) return { quiet: true, zone: quietZone, localTime, nextAllowed: candidate.toJSDate() };
		candidate = next;
		// More than two days away means the zones' allowed hours never overlap.
		if (candidate.diff(when, 'hours').hours > 48) break;
	}
	return { quiet: true, zone: quietZone, localTime };
}
