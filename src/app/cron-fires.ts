/**
 * Pure: the runs of a cron expression around any instant, in a time zone. node-cron runs the
 * ticks but only looks ahead from the wall clock; /healthz and the lease length need the runs
 * before and after a given instant. The fields come from node-cron's own parser (five or six
 * fields, ranges, steps, lists, names), and a day matches as node-cron matches it: month, day of
 * month AND day of week, with its L, W and # forms. A run is an instant whose local time in the
 * zone matches, so a local time skipped by a DST change does not run and a repeated one runs twice.
 */
import { DateTime } from 'luxon';
import cron from 'node-cron';

export interface FireTimes {
  /** the latest run at or before `atMs`; undefined when there is none within the search horizon */
  previous(atMs: number): number | undefined;
  /** the earliest run after `afterMs`; undefined when there is none within the search horizon */
  next(afterMs: number): number | undefined;
}

const DAY_MS = 86_400_000;
/** far enough for any real schedule (29 February included), bounded for an impossible one */
const HORIZON_DAYS = 8 * 366;

export function cronFires(expression: string, timezone: string): FireTimes {
  const fields = cron.parse(expression);
  const secondsOfDay = [
    ...new Set(
      fields.hour.flatMap((h) =>
        fields.minute.flatMap((m) => fields.second.map((s) => h * 3600 + m * 60 + s)),
      ),
    ),
  ].sort((a, b) => a - b);
  const months = new Set(fields.month);
  // /healthz asks about the same few days again and again; a DST day costs a search
  const recent = new Map<number, Runs>();
  const runsOn = (dayMs: number): Runs => {
    const known = recent.get(dayMs);
    if (known) return known;
    const d = new Date(dayMs);
    const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const matches =
      months.has(month) &&
      matchesDayOfMonth(fields.dayOfMonth, year, month, day) &&
      matchesDayOfWeek(fields.dayOfWeek, year, month, day);
    const runs = matches ? localRuns(dayMs, secondsOfDay, timezone) : NO_RUNS;
    if (recent.size >= 64) recent.clear();
    recent.set(dayMs, runs);
    return runs;
  };
  const localDay = (ms: number) => {
    const local = DateTime.fromMillis(ms, { zone: timezone });
    return Date.UTC(local.year, local.month - 1, local.day);
  };
  return {
    previous(atMs) {
      // from the day after: a zone that turns its clock back over midnight repeats part of a day
      for (let i = -1, day = localDay(atMs) + DAY_MS; i < HORIZON_DAYS; i++, day -= DAY_MS) {
        const runs = runsOn(day);
        const n = countAtOrBefore(runs, atMs);
        if (n > 0) return runs.at(n - 1);
      }
      return undefined;
    },
    next(afterMs) {
      for (let i = -1, day = localDay(afterMs) - DAY_MS; i < HORIZON_DAYS; i++, day += DAY_MS) {
        const runs = runsOn(day);
        const n = countAtOrBefore(runs, afterMs);
        if (n < runs.length) return runs.at(n);
      }
      return undefined;
    },
  };
}

/** The runs of one day in order, without building a list of every second of a busy schedule. */
interface Runs {
  length: number;
  at(i: number): number;
}

const NO_RUNS: Runs = { length: 0, at: () => Number.NaN };

/** How many of the runs are at or before `t` (binary search). */
function countAtOrBefore(runs: Runs, t: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (runs.at(mid) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The instants at which the local clock of one calendar day (`dayMs`: its midnight as if UTC) shows
 * each of the given seconds of the day, in order.
 */
function localRuns(dayMs: number, secondsOfDay: number[], timezone: string): Runs {
  // the offsets in force at the local times 00:00, 23:00 and 24:00 of this day
  const offsetAt = (hours: number) =>
    DateTime.fromMillis(dayMs + hours * 3_600_000, { zone: 'UTC' }).setZone(timezone, { keepLocalTime: true })
      .offset;
  const offsets = [...new Set([offsetAt(0), offsetAt(23), offsetAt(24)])];
  if (offsets.length === 1) {
    const base = dayMs - offsets[0] * 60_000;
    return { length: secondsOfDay.length, at: (i) => base + secondsOfDay[i] * 1000 };
  }
  // a DST change on this day: a local time exists under the offset in force at its instant
  const offsetOf = offsetFinder(dayMs, timezone);
  const runs: number[] = [];
  for (const s of secondsOfDay)
    for (const offset of offsets) {
      const t = dayMs + s * 1000 - offset * 60_000;
      if (offsetOf(t) === offset) runs.push(t);
    }
  runs.sort((a, b) => a - b);
  return { length: runs.length, at: (i) => runs[i] };
}

/**
 * The zone's offset at any instant of the ~2 days around a day with one DST change: the change
 * is found once (to the second), so a schedule with a run every second stays cheap on that day.
 */
function offsetFinder(dayMs: number, timezone: string): (t: number) => number {
  const offsetOf = (t: number) => DateTime.fromMillis(t, { zone: timezone }).offset;
  // UTC instants before the local day's start and after its end in any zone (offsets -12h..+14h)
  let lo = dayMs - 15 * 3_600_000;
  let hi = dayMs + 37 * 3_600_000;
  const before = offsetOf(lo);
  const after = offsetOf(hi);
  if (before === after) return offsetOf; // two changes in two days: look each instant up
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetOf(mid) === before) lo = mid;
    else hi = mid;
  }
  return (t) => (t < hi ? before : after);
}

type DayField = (number | string)[];

/** node-cron's day of month: a number, L (last day), nW / LW (nearest weekday), L-n (n before the last). */
function matchesDayOfMonth(field: DayField, year: number, month: number, day: number): boolean {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return field.some((v) => {
    if (v === day) return true;
    if (typeof v !== 'string') return false;
    if (v === 'L') return day === last;
    const weekday = /^(\d{1,2}|L)W$/.exec(v);
    if (weekday) return nearestWeekday(year, month, weekday[1] === 'L' ? last : Number(weekday[1])) === day;
    const offset = /^L-(\d{1,2})$/.exec(v);
    return offset !== null && last - Number(offset[1]) === day;
  });
}

function nearestWeekday(year: number, month: number, target: number): number {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (target < 1 || target > last) return -1;
  const weekday = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? target + 2 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

/** node-cron's day of week (0 = Sunday): a number, dL (the last d of the month), d#n (the n-th d). */
function matchesDayOfWeek(field: DayField, year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return field.some((v) => {
    if (v === weekday) return true;
    if (typeof v !== 'string') return false;
    const lastOf = /^([0-7])L$/i.exec(v);
    if (lastOf)
      return Number(lastOf[1]) % 7 === weekday && day + 7 > new Date(Date.UTC(year, month, 0)).getUTCDate();
    const nth = /^([0-7])#([1-5])$/.exec(v);
    return nth !== null && Number(nth[1]) % 7 === weekday && Math.floor((day - 1) / 7) + 1 === Number(nth[2]);
  });
}
