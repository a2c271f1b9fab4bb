import { parseAuthLine } from '../../../src/ingest/parse-auth';
import type { ParseContext } from '../../../src/ingest/parse-context';
import { parseShiftAnchor } from '../../../src/ingest/plan-times';
import type { SyslogStamp } from '../../../src/ingest/syslog-header';
import {
  latestYearNotAfter,
  planStartYear,
  scanStamps,
  YearTracker,
  ZonedClock,
} from '../../../src/ingest/syslog-time';

const st = (month: number, day: number, hour = 12): SyslogStamp => ({
  month,
  day,
  hour,
  minute: 0,
  second: 0,
  millis: 0,
});
const utc = new ZonedClock('UTC');

describe('year inference', () => {
  it.each<[string, SyslogStamp, string, number]>([
    ['same year when already past', st(3, 27), '2026-06-01T00:00:00Z', 2026],
    ['previous year when it would be in the future', st(12, 30), '2026-01-03T00:00:00Z', 2025],
    ['within the day of slack stays this year', st(1, 3, 12), '2026-01-03T00:00:00Z', 2026],
    ['Feb 29 goes to the last leap year', st(2, 29), '2026-06-01T00:00:00Z', 2024],
  ])('%s', (_n, stamp, now, year) => {
    expect(latestYearNotAfter(stamp, Date.parse(now), utc)).toBe(year);
  });

  it('handles a December → January rollover inside a file, keeping every event in the past', () => {
    const stamps = [st(12, 30), st(12, 31), st(1, 1), st(1, 2)];
    const now = Date.parse('2026-01-03T00:00:00Z');
    const start = planStartYear(scanStamps(stamps), now, utc);
    expect(start).toBe(2025);
    const tracker = new YearTracker(utc, start);
    const times = stamps.map((s) => tracker.resolve(s, now));
    expect(times.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual([
      '2025-12-30',
      '2025-12-31',
      '2026-01-01',
      '2026-01-02',
    ]);
    for (const t of times) expect(t).toBeLessThanOrEqual(now);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('--year sets the year of the first line and rollovers count up from it', () => {
    const tracker = new YearTracker(utc, planStartYear(scanStamps([]), 0, utc, 2019));
    expect(new Date(tracker.resolve(st(12, 31), 0)).toISOString()).toBe('2019-12-31T12:00:00.000Z');
    expect(new Date(tracker.resolve(st(1, 1), 0)).toISOString()).toBe('2020-01-01T12:00:00.000Z');
  });

  it('reads year-less stamps in the configured zone, across a DST change', () => {
    const paris = new ZonedClock('Europe/Paris');
    expect(new Date(paris.toMillis(2025, st(3, 29, 12))).toISOString()).toBe('2025-03-29T11:00:00.000Z');
    expect(new Date(paris.toMillis(2025, st(3, 31, 12))).toISOString()).toBe('2025-03-31T10:00:00.000Z');
  });

  it('applies the shift to every document', () => {
    const ctx: ParseContext = {
      path: 'a',
      offset: 0,
      nowMs: Date.parse('2026-06-01T00:00:00Z'),
      clock: utc,
      shiftMs: 3600_000,
    };
    const r = parseAuthLine('Mar 27 10:00:00 h sshd[1]: x', ctx);
    expect(r.ok && r.docs[0]['@timestamp']).toBe('2026-03-27T11:00:00.000Z');
  });
});

describe('parseShiftAnchor', () => {
  const last = Date.parse('2026-04-20T14:14:29Z');
  it.each([
    ['syslog time takes the year of the input', 'Mar 30 16:01:35', '2026-03-30T16:01:35.000Z'],
    ['syslog time after New Year goes back a year', 'Dec 30 16:01:35', '2025-12-30T16:01:35.000Z'],
    ['ISO with zone', '2026-04-20T16:14:29+02:00', '2026-04-20T14:14:29.000Z'],
    ['ISO without zone is in the configured zone', '2026-04-20T14:14:29', '2026-04-20T14:14:29.000Z'],
    ['access log time', '17/May/2015:10:05:03 +0200', '2015-05-17T08:05:03.000Z'],
  ])('%s', (_n, text, iso) => {
    expect(new Date(parseShiftAnchor(text, utc, last)).toISOString()).toBe(iso);
  });
  it('is NaN for nonsense', () => {
    expect(parseShiftAnchor('yesterday', utc, last)).toBeNaN();
  });
});
