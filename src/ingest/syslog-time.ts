/**
 * Turning syslog time stamps into instants. RFC 3164 stamps carry no year and no zone: the zone is
 * the configured one, and the year is inferred so that no event lands in the future. All functions
 * take "now" as an argument; none reads the clock.
 */
import { DateTime, FixedOffsetZone, IANAZone, Info } from 'luxon';
import type { SyslogStamp } from './syslog-header';

/** An event may be this far ahead of "now" (clock skew, zone mistakes) before it is sent a year back. */
export const FUTURE_SLACK_MS = 24 * 3600 * 1000;

/** Resolves local wall-clock times in one zone, caching the zone offset per local hour. */
export class ZonedClock {
  /** The zone as luxon reads it: an IANA name or `UTC±H[:MM]`. */
  readonly zone: string;
  /** What `event.timezone` says: the IANA name, or a fixed offset as `±HH:MM` (Filebeat's add_locale). */
  readonly label: string;
  private readonly hourCache = new Map<number, number>();

  /** `zone`: an IANA name, `±HH:MM` / `±HHMM`, `Z`, or luxon's `UTC±H[:MM]`. */
  constructor(zone: string) {
    this.zone = toLuxonZone(zone);
    this.label = zoneLabel(this.zone);
  }

  /** Epoch milliseconds of a wall-clock time in this zone. */
  toMillis(year: number, s: SyslogStamp): number {
    const key = ((year * 13 + s.month) * 32 + s.day) * 24 + s.hour;
    let hourStart = this.hourCache.get(key);
    if (hourStart === undefined) {
      hourStart = DateTime.fromObject(
        { year, month: s.month, day: s.day, hour: s.hour },
        { zone: this.zone },
      ).toMillis();
      if (this.hourCache.size > 10_000) this.hourCache.clear();
      this.hourCache.set(key, hourStart);
    }
    return hourStart + s.minute * 60_000 + s.second * 1000 + s.millis;
  }

  /** Parses an ISO 8601 stamp; one without an offset is read in this zone. NaN when invalid. */
  isoToMillis(text: string): number {
    const dt = DateTime.fromISO(text.replace(' ', 'T').replace(',', '.'), { zone: this.zone });
    return dt.isValid ? dt.toMillis() : Number.NaN;
  }
}

const OFFSET = /^([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** `-02:00`, `+0530`, `+5` and `Z` become luxon's `UTC-2`, `UTC+5:30`; other names pass unchanged. */
export function toLuxonZone(zone: string): string {
  const t = zone.trim();
  if (t === 'Z' || t === 'z') return 'UTC';
  const m = OFFSET.exec(t);
  if (!m) return t;
  const minutes = m[3] && m[3] !== '00' ? `:${m[3]}` : '';
  return `UTC${m[1]}${Number(m[2])}${minutes}`;
}

/** A fixed offset as `±HH:MM`, else the IANA name (both are ECS `event.timezone` formats). */
function zoneLabel(zone: string): string {
  if (IANAZone.isValidZone(zone) && !/^(UTC|GMT)$/i.test(zone)) return zone;
  const fixed = Info.normalizeZone(zone);
  if (!(fixed instanceof FixedOffsetZone) && !/^(UTC|GMT)$/i.test(zone)) return zone;
  return (fixed as FixedOffsetZone).formatOffset(0, 'short');
}

/** True when the zone is an IANA name, a `±HH:MM` offset, or a fixed offset luxon understands (`UTC+2`). */
export function isValidZone(zone: string): boolean {
  const z = toLuxonZone(zone);
  if (IANAZone.isValidZone(z)) return true;
  const m = OFFSET.exec(zone.trim());
  if (m && (Number(m[2]) > 18 || Number(m[3] ?? 0) > 59)) return false;
  return DateTime.now().setZone(z).isValid;
}

/** The latest year in which the stamp is not in the future of `now` (with FUTURE_SLACK_MS). */
export function latestYearNotAfter(stamp: SyslogStamp, nowMs: number, clock: ZonedClock): number {
  const nowYear = DateTime.fromMillis(nowMs, { zone: clock.zone }).year;
  for (let year = nowYear + 1; year > nowYear - 8; year--) {
    if (stamp.month === 2 && stamp.day === 29 && !isLeapYear(year)) continue;
    if (clock.toMillis(year, stamp) <= nowMs + FUTURE_SLACK_MS) return year;
  }
  return nowYear - 1;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * A year rollover (December → January) is a backward jump of six months or more between two
 * consecutive lines; syslog files are written in time order, with at most small disorder.
 */
export function isRollover(prev: SyslogStamp, next: SyslogStamp): boolean {
  return prev.month - next.month >= 6;
}

/** What a first pass over a file learns about its year-less stamps. */
export interface StampScan {
  first?: SyslogStamp;
  last?: SyslogStamp;
  rollovers: number;
}

export function scanStamps(stamps: Iterable<SyslogStamp>): StampScan {
  const scan: StampScan = { rollovers: 0 };
  for (const s of stamps) addStamp(scan, s);
  return scan;
}

export function addStamp(scan: StampScan, s: SyslogStamp): void {
  if (!scan.first) scan.first = s;
  if (scan.last && isRollover(scan.last, s)) scan.rollovers++;
  scan.last = s;
}

/**
 * The year of a file's first year-less line: the last line takes the latest year that keeps it out
 * of the future, and each rollover in between moves one year back. `--year` (forcedYear) wins.
 */
export function planStartYear(
  scan: StampScan,
  nowMs: number,
  clock: ZonedClock,
  forcedYear?: number,
): number | undefined {
  if (forcedYear !== undefined) return forcedYear;
  if (!scan.last) return undefined;
  return latestYearNotAfter(scan.last, nowMs, clock) - scan.rollovers;
}

/** Assigns years to the stamps of one file in order, starting from a planned or inferred year. */
export class YearTracker {
  private year: number | undefined;
  private prev: SyslogStamp | undefined;
  private readonly clock: ZonedClock;

  constructor(clock: ZonedClock, startYear?: number) {
    this.clock = clock;
    this.year = startYear;
  }

  /** Epoch milliseconds of the next stamp of the file. */
  resolve(stamp: SyslogStamp, nowMs: number): number {
    if (this.year === undefined) this.year = latestYearNotAfter(stamp, nowMs, this.clock);
    else if (this.prev && isRollover(this.prev, stamp)) this.year++;
    this.prev = stamp;
    return this.clock.toMillis(this.year, stamp);
  }
}
