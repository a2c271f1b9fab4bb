/**
 * A first pass over the input, before indexing: the start year of each file of year-less syslog
 * lines, and the time of the last event (the default anchor of `--shift-to-now`).
 */
import { parseHttpDate } from './access-fields';
import { decodeLine } from './line-splitter';
import type { ParseContext } from './parse-context';
import { type ParserOptions, parseLine } from './parse-line';
import { readLineBatches } from './read-file';
import { parseSyslogHeader, type SyslogStamp } from './syslog-header';
import { addStamp, latestYearNotAfter, planStartYear, type StampScan, type ZonedClock } from './syslog-time';

export interface FilePlan {
  /** Year of the first year-less stamp of the file (auth only). */
  startYear?: number;
  /** Epoch ms of the file's latest event, before any shift; undefined when it has none. */
  lastEventMs?: number;
}

export async function planFile(
  path: string,
  opts: ParserOptions,
  clock: ZonedClock,
  nowMs: number,
  forcedYear?: number,
): Promise<FilePlan> {
  if (opts.type === 'auth') return planSyslogFile(path, clock, nowMs, forcedYear);
  const ctx: ParseContext = { path, offset: 0, nowMs, clock, shiftMs: 0 };
  let last: number | undefined;
  for await (const batch of readLineBatches(path)) {
    for (const raw of batch) {
      const decoded = decodeLine(raw);
      if (!decoded.ok || decoded.text === '') continue;
      const parsed = parseLine(decoded.text, opts, ctx);
      if (!parsed.ok) continue;
      const ms = Date.parse(parsed.docs[0]['@timestamp'] as string);
      if (last === undefined || ms > last) last = ms;
    }
  }
  return { lastEventMs: last };
}

async function planSyslogFile(
  path: string,
  clock: ZonedClock,
  nowMs: number,
  forcedYear?: number,
): Promise<FilePlan> {
  const scan: StampScan = { rollovers: 0 };
  let lastIso: number | undefined;
  for await (const batch of readLineBatches(path)) {
    for (const raw of batch) {
      if (!raw.bytes) continue;
      const header = parseSyslogHeader(raw.bytes.toString('latin1'));
      if (!header) continue;
      if (header.time.kind === 'bsd') addStamp(scan, header.time.stamp);
      else {
        const ms = clock.isoToMillis(header.time.text);
        if (!Number.isNaN(ms) && (lastIso === undefined || ms > lastIso)) lastIso = ms;
      }
    }
  }
  const startYear = planStartYear(scan, nowMs, clock, forcedYear);
  let lastEventMs = lastIso;
  if (startYear !== undefined && scan.last) {
    const lastBsd = clock.toMillis(startYear + scan.rollovers, scan.last);
    if (lastEventMs === undefined || lastBsd > lastEventMs) lastEventMs = lastBsd;
  }
  return { startYear, lastEventMs };
}

const SYSLOG_ANCHOR = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Reads the `--shift-to-now=<time>` anchor: ISO 8601 (zone-less → the configured zone), an access
 * log time (`17/May/2015:10:05:03 +0000`) or a syslog time (`Apr 20 14:14:29`), whose year is the
 * latest that does not put it after the input's last event. NaN when unreadable.
 */
export function parseShiftAnchor(text: string, clock: ZonedClock, lastEventMs: number): number {
  const s = SYSLOG_ANCHOR.exec(text.trim());
  if (s) {
    const month = MONTHS.indexOf(s[1]) + 1;
    if (month === 0) return Number.NaN;
    const stamp: SyslogStamp = {
      month,
      day: Number(s[2]),
      hour: Number(s[3]),
      minute: Number(s[4]),
      second: Number(s[5]),
      millis: 0,
    };
    return clock.toMillis(latestYearNotAfter(stamp, lastEventMs, clock), stamp);
  }
  const http = parseHttpDate(text.trim());
  if (!Number.isNaN(http)) return http;
  return clock.isoToMillis(text.trim());
}
