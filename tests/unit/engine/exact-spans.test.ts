/**
 * Property tests: the exact sliding window (src/evaluate/sliding-window.ts) against a brute-force
 * oracle (tests/helpers/span-oracle.ts) on generated event sets: every metric, windows from 1 s to
 * 5 minutes, intervals shorter and longer than the window and not on whole seconds, bursts
 * straddling minute edges and the interval's edges, thresholds that change inside the interval,
 * and real calendars on DST days. The peak and the firing span must be identical: value,
 * threshold, schedule and window.
 *
 * VIGIL_ORACLE_CASES sets the number of generated cases (default 10,000; e.g. 200000 for a long run).
 */
import type { Calendar } from '../../../src/config/schema';
import { thresholdFor } from '../../../src/evaluate/calendar';
import { memoByNumber } from '../../../src/evaluate/memo';
import { scanSpans } from '../../../src/evaluate/sliding-window';
import type { Interval } from '../../../src/query/types';
import type { Metric } from '../../../src/rules/rule-schema';
import type { Schedule } from '../../../src/types';
import { prng } from '../../helpers/prng';
import { allSpans, bestSpans, type OracleEvent } from '../../helpers/span-oracle';
import { at, calendar, seriesOf } from './fixtures';

const S = 1000;
const MIN = 60 * S;
const CASES = Number(process.env.VIGIL_ORACLE_CASES ?? 10_000);
const DST_CASES = Math.max(200, Math.round(CASES / 50));

type Rnd = () => number;
const int = (rnd: Rnd, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: Rnd, xs: T[]): T => xs[Math.floor(rnd() * xs.length)];

function randomMetric(rnd: Rnd, i: number): Metric {
  switch (i % 4) {
    case 0:
      return { type: 'count' };
    case 1:
      return { type: 'sum', field: 'bytes' };
    case 2:
      return { type: 'cardinality', field: 'source.ip' };
    default:
      return {
        type: 'ratio',
        numerator: { term: { 'event.outcome': 'failure' } },
        denominator: { exists: { field: 'event.outcome' } },
        min_total: int(rnd, 1, 8),
      };
  }
}

/** Events: uniform ones, bursts (often across a minute edge) and events on the interval's edges. */
function randomEvents(rnd: Rnd, interval: Interval): OracleEvent[] {
  const { startMs: A, endMs: B } = interval;
  const instants: number[] = [];
  const n = int(rnd, 0, 12);
  for (let i = 0; i < n; i++) instants.push(A + Math.floor(rnd() * (B - A)));
  for (let b = int(rnd, 0, 3); b > 0; b--) {
    const minuteEdge = Math.ceil((A + rnd() * (B - A)) / MIN) * MIN;
    const centre = rnd() < 0.6 ? minuteEdge : A + rnd() * (B - A);
    const width = int(rnd, 1, 20) * S;
    for (let k = int(rnd, 2, 10); k > 0; k--) instants.push(Math.floor(centre - width / 2 + rnd() * width));
  }
  if (rnd() < 0.3) instants.push(A);
  if (rnd() < 0.3) instants.push(B - 1);
  if (rnd() < 0.2) instants.push(A - 1, B); // outside: never counted
  return instants.map((t) => {
    const den = rnd() < 0.8;
    return {
      at: t,
      sum: int(rnd, 0, 1000),
      den,
      num: den && rnd() < 0.5,
      distinct: `10.0.0.${int(rnd, 1, 8)}`,
    };
  });
}

function randomThreshold(rnd: Rnd, metric: Metric): number {
  switch (metric.type) {
    case 'count':
      return int(rnd, 1, 15);
    case 'sum':
      return int(rnd, 100, 6000);
    case 'cardinality':
      return int(rnd, 1, 6);
    case 'ratio':
      return int(rnd, 1, 20) / 20;
  }
}

/** A threshold that changes at up to 3 whole minutes around the interval (business/off-hours). */
function stepThresholds(rnd: Rnd, metric: Metric, interval: Interval, windowMs: number) {
  const from = Math.floor((interval.startMs - windowMs) / MIN);
  const to = Math.ceil((interval.endMs + windowMs) / MIN);
  const edges = [...new Set(Array.from({ length: int(rnd, 0, 3) }, () => int(rnd, from, to) * MIN))].sort(
    (a, b) => a - b,
  );
  const steps = Array.from({ length: edges.length + 1 }, (_, i) => ({
    threshold: randomThreshold(rnd, metric),
    schedule: (i % 2 === 0 ? 'business_hours' : 'off_hours') as Schedule,
  }));
  return (ms: number) => {
    let k = 0;
    while (k < edges.length && edges[k] <= ms) k++;
    return steps[k];
  };
}

function toSeriesEvents(events: OracleEvent[], interval: Interval) {
  return events
    .filter((e) => e.at >= interval.startMs && e.at < interval.endMs)
    .map((e) => ({
      at: e.at,
      value: { sum: e.sum, num: e.num ? 1 : 0, den: e.den ? 1 : 0 },
      distinct: e.distinct,
    }));
}

function compare(
  label: string,
  events: OracleEvent[],
  interval: Interval,
  windowMs: number,
  metric: Metric,
  thresholdAt: (ms: number) => { threshold: number; schedule: Schedule },
  oracleThresholdAt = thresholdAt,
): boolean {
  const series = seriesOf(['x'], S, toSeriesEvents(events, interval));
  // an interval of one span is read from totals, which carry the latest event's time (a max)
  if (interval.endMs - interval.startMs <= windowMs)
    for (const [b, v] of series.buckets)
      v.lastMs = Math.max(
        ...toSeriesEvents(events, interval)
          .filter((e) => e.at >= b && e.at < b + S)
          .map((e) => e.at),
      );
  const got = scanSpans({ series, interval, windowMs, metric, thresholdAt });
  const want = bestSpans(allSpans(events, interval, windowMs, metric, oracleThresholdAt));
  const inside = series.buckets.size > 0;
  try {
    if (inside) expect(got.peak).toEqual(want.peak);
    else expect(got.peak.value).toBe(0);
    expect(got.firing).toEqual(want.firing);
  } catch (e) {
    const detail = JSON.stringify({
      interval,
      windowMs,
      metric: metric.type,
      events: events.map((x) => x.at),
    });
    throw new Error(`${label}: ${detail}\n${(e as Error).message}`);
  }
  return got.firing !== undefined;
}

test(`the exact scan equals the brute-force oracle on ${CASES} generated cases`, () => {
  const rnd = prng(15);
  let firing = 0;
  for (let i = 0; i < CASES; i++) {
    const windowMs = pick(rnd, [int(rnd, 1, 10), int(rnd, 10, 120), 60, 90, 120, 300]) * S;
    const whole = rnd() < 0.5;
    const startMs = at('2026-11-18T17:50:00Z') + int(rnd, 0, 20 * 60) * S + (whole ? 0 : int(rnd, 1, 999));
    const lengthMs =
      rnd() < 0.15
        ? int(rnd, 1, windowMs)
        : Math.min(600 * S, windowMs + int(rnd, 1, 480) * S) + (whole ? 0 : int(rnd, 1, 999));
    const interval = { startMs, endMs: startMs + lengthMs };
    const metric = randomMetric(rnd, i);
    const events = randomEvents(rnd, interval);
    const thresholdAt = stepThresholds(rnd, metric, interval, windowMs);
    if (compare(`case ${i}`, events, interval, windowMs, metric, thresholdAt)) firing += 1;
  }
  // the cases are not all quiet or all firing
  expect(firing).toBeGreaterThan(CASES / 10);
  expect(firing).toBeLessThan(CASES * 0.9);
});

describe('DST days: business hours switch inside the interval, read in the calendar zone', () => {
  const days = [
    { zone: 'Europe/Berlin', change: '2026-03-29T01:00:00Z' }, // 02:00 CET → 03:00 CEST
    { zone: 'Europe/Berlin', change: '2026-10-25T01:00:00Z' }, // 03:00 CEST → 02:00 CET
    { zone: 'America/New_York', change: '2026-03-08T07:00:00Z' },
    { zone: 'America/New_York', change: '2026-11-01T06:00:00Z' },
  ];
  test.each(days)('$zone around $change', ({ zone, change }) => {
    const rnd = prng(Date.parse(change) / MIN);
    for (let i = 0; i < DST_CASES; i++) {
      // business hours starting or ending within an hour of the change, every day a business day
      const local = ['01:00', '01:30', '02:00', '03:00', '03:10', '03:30'];
      const [a, b] = [pick(rnd, local), pick(rnd, local)];
      const cal: Calendar = calendar({
        timezone: zone,
        business_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        business_hours: { start: a, end: b },
      });
      const metric = randomMetric(rnd, i);
      const levels = {
        business_hours: randomThreshold(rnd, metric),
        off_hours: randomThreshold(rnd, metric),
      };
      const windowMs = pick(rnd, [30, 60, 120, 300]) * S;
      const startMs = at(change) - int(rnd, 0, 70) * MIN + int(rnd, 0, 59) * S;
      const interval = { startMs, endMs: startMs + windowMs + int(rnd, 0, 600) * S };
      const events = randomEvents(rnd, interval);
      const thresholdAt = memoByNumber((ms) => thresholdFor(levels, ms, cal));
      // the oracle reads the calendar once a minute: business hours are whole minutes
      const byMinute = memoByNumber((m) => thresholdFor(levels, m * MIN, cal));
      compare(`${zone} case ${i}`, events, interval, windowMs, metric, thresholdAt, (ms) =>
        byMinute(Math.floor(ms / MIN)),
      );
    }
  });
});
