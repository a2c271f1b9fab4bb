/**
 * Exact sliding windows over 1-second buckets: bursts across minute edges, spans clipped to the
 * interval, ratio and cardinality metrics, the threshold at the span's end, and which firing span
 * is reported. The brute-force oracle comparison is in exact-spans.test.ts.
 */
import type { Calendar } from '../../../src/config/schema';
import { thresholdFor } from '../../../src/evaluate/calendar';
import { evaluateRule } from '../../../src/evaluate/evaluate-rule';
import type { BucketValue } from '../../../src/evaluate/series';
import { metricValue, scanSpans, spanStarts } from '../../../src/evaluate/sliding-window';
import type { Interval } from '../../../src/query/types';
import type { Rule } from '../../../src/rules/rule-schema';
import { at, bucket, calendar, rule, seriesOf, spread } from './fixtures';

const S = 1000;
const MIN = 60 * S;
const utc = calendar();

interface Ev {
  at: number;
  value?: Partial<BucketValue>;
  distinct?: string;
}

/** What Elasticsearch would return for these events in this interval, evaluated like a cycle does. */
function evaluate(r: Rule, events: Ev[], interval: Interval, cal: Calendar = utc, key = ['203.0.113.10']) {
  const inside = events.filter((e) => e.at >= interval.startMs && e.at < interval.endMs);
  return evaluateRule(r, { series: [seriesOf(key, S, inside)] }, interval, cal);
}

const events = (instants: number[], extra: Omit<Ev, 'at'> = {}): Ev[] =>
  instants.map((t) => ({ at: t, ...extra }));
const iv = (from: string, to: string): Interval => ({ startMs: at(from), endMs: at(to) });

describe('spans start on whole seconds, inside the interval', () => {
  test.each([
    {
      name: 'interval on whole seconds',
      from: '2026-11-18T03:00:00Z',
      to: '2026-11-18T03:10:00Z',
      first: '2026-11-18T03:00:00Z',
      last: '2026-11-18T03:08:00Z',
    },
    {
      name: 'interval edges inside a second: the first and last spans lose less than a second',
      from: '2026-11-18T03:00:00.400Z',
      to: '2026-11-18T03:10:00.300Z',
      first: '2026-11-18T03:00:00Z',
      last: '2026-11-18T03:08:01Z',
    },
  ])('$name', ({ from, to, first, last }) => {
    expect(spanStarts(iv(from, to), 2 * MIN)).toEqual({ first: at(first), last: at(last) });
  });

  test('an interval no longer than the window is one span', () => {
    expect(spanStarts(iv('2026-11-18T03:00:00.400Z', '2026-11-18T03:02:00.400Z'), 2 * MIN)).toBeUndefined();
  });
});

describe('a burst straddling a bucket edge is found', () => {
  // ssh_bruteforce shape: 2 min window, off-hours threshold 8; Wednesday 03:00 UTC is off-hours
  const r = rule();
  test.each([
    {
      name: 'straddling the 03:02:00 edge (also a 2-minute boundary)',
      before: '2026-11-18T03:01:51Z',
      after: '2026-11-18T03:02:00Z',
    },
    { name: 'straddling the 03:04:15 edge', before: '2026-11-18T03:04:06Z', after: '2026-11-18T03:04:15Z' },
    {
      name: 'straddling the 03:00:15 edge, next to the interval start',
      before: '2026-11-18T03:00:06Z',
      after: '2026-11-18T03:00:15Z',
    },
  ])('$name', ({ before, after }) => {
    const burst = [...events(spread(5, at(before), 9 * S)), ...events(spread(5, at(after), 9 * S))];
    // no fixed bucket, and no fixed 2-minute window, holds 8 of them
    const edge = at(after);
    expect(burst.filter((e) => e.at < edge)).toHaveLength(5);
    expect(burst.filter((e) => e.at >= edge)).toHaveLength(5);
    const { findings } = evaluate(r, burst, iv('2026-11-18T03:00:00Z', '2026-11-18T03:10:00Z'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'test_rule',
      entity: { 'source.ip': '203.0.113.10' },
      value: 10,
      threshold: 8,
      schedule: 'off_hours',
    });
    const w = findings[0].window;
    expect(Date.parse(w.start)).toBeLessThanOrEqual(at(before));
    expect(Date.parse(w.end)).toBeGreaterThan(at(after));
  });

  test('events spread thinner than the threshold per window stay quiet', () => {
    // 10 events over 10 minutes: at most 2–3 in any 2-minute span
    const { findings, peaks } = evaluate(
      r,
      events(spread(10, at('2026-11-18T03:00:00Z'), 10 * MIN)),
      iv('2026-11-18T03:00:00Z', '2026-11-18T03:10:00Z'),
    );
    expect(findings).toEqual([]);
    expect(peaks[0].peak.value).toBeLessThan(8);
  });
});

describe('spans never leave the interval', () => {
  const r = rule();
  test.each([
    {
      name: 'burst at the very start, interval not on a bucket edge',
      from: '2026-11-18T03:00:07Z',
      to: '2026-11-18T03:09:53Z',
      burst: '2026-11-18T03:00:07Z',
    },
    {
      name: 'burst at the very end',
      from: '2026-11-18T03:00:07Z',
      to: '2026-11-18T03:09:53Z',
      burst: '2026-11-18T03:09:40Z',
    },
    {
      name: 'interval shorter than a span',
      from: '2026-11-18T03:00:03Z',
      to: '2026-11-18T03:01:11Z',
      burst: '2026-11-18T03:00:30Z',
    },
  ])('$name', ({ from, to, burst }) => {
    const interval = iv(from, to);
    const seen: number[] = [];
    const evs = events(spread(12, at(burst), 12 * S)).filter((e) => e.at < interval.endMs);
    const scan = scanSpans({
      series: seriesOf(['x'], S, evs),
      windowMs: r.window,
      interval,
      metric: r.metric,
      thresholdAt: (ms) => {
        seen.push(ms);
        return thresholdFor({ business_hours: 15, off_hours: 8 }, ms, utc);
      },
    });
    expect(seen.length).toBeGreaterThan(0);
    for (const ms of seen) {
      expect(ms).toBeGreaterThanOrEqual(interval.startMs);
      expect(ms).toBeLessThan(interval.endMs);
    }
    for (const span of [scan.firing, scan.peak]) {
      expect(span).toBeDefined();
      expect(span?.startMs).toBeGreaterThanOrEqual(interval.startMs);
      expect(span?.endMs).toBeLessThanOrEqual(interval.endMs);
      expect(span?.value).toBe(evs.length);
    }
  });

  test('an entity with no events reports an empty peak over the interval', () => {
    const interval = iv('2026-11-18T03:00:00Z', '2026-11-18T03:10:00Z');
    const scan = scanSpans({
      series: { key: ['x'], buckets: new Map() },
      windowMs: 2 * MIN,
      interval,
      metric: { type: 'count' },
      thresholdAt: () => ({ threshold: 8, schedule: 'off_hours' }),
    });
    expect(scan.firing).toBeUndefined();
    expect(scan.peak).toMatchObject({ value: 0, startMs: interval.startMs, endMs: interval.endMs });
  });
});

describe('ratio with min_total', () => {
  // login_failure_rate shape: failures ÷ (failures + successes), min_total 20, off-hours 0.3
  const r = rule({
    group_by: ['host.hostname'],
    metric: {
      type: 'ratio',
      numerator: { term: { 'event.outcome': 'failure' } },
      denominator: { terms: { 'event.outcome': ['failure', 'success'] } },
      min_total: 20,
    },
    window: 15 * MIN,
    thresholds: { business_hours: 0.5, off_hours: 0.3 },
  });
  const T0 = at('2026-11-18T03:00:00Z');
  const logins = (failures: number, successes: number, start = T0, span = 5 * MIN): Ev[] => [
    ...events(spread(failures, start, span), { value: { num: 1, den: 1 } }),
    ...events(spread(successes, start + 1000, span), { value: { num: 0, den: 1 } }),
  ];
  test.each([
    { name: '19 failures, no success: below min_total', evs: logins(19, 0), fires: false, value: 0 },
    { name: '20 failures, no success: 100%', evs: logins(20, 0), fires: true, value: 1 },
    {
      name: '6 failures, 14 successes: 30% is at the threshold',
      evs: logins(6, 14),
      fires: true,
      value: 0.3,
    },
    { name: '5 failures, 15 successes: 25%', evs: logins(5, 15), fires: false, value: 0.25 },
    { name: '1000 successes and 300 failures: 23%', evs: logins(300, 1000), fires: false, value: 0.23 },
    {
      name: '12 failures then 12 failures 40 minutes later: no 15-minute span reaches min_total',
      evs: [...logins(12, 0), ...logins(12, 0, T0 + 40 * MIN)],
      fires: false,
      value: 0,
    },
  ])('$name', ({ evs, fires, value }) => {
    const out = evaluate(r, evs, iv('2026-11-18T03:00:00Z', '2026-11-18T04:00:00Z'), utc, ['host-e']);
    expect(out.findings.length).toBe(fires ? 1 : 0);
    expect(out.peaks[0].peak.value).toBeCloseTo(value, 1);
    expect(out.peaks[0].peak.value >= 0.3).toBe(fires);
    if (fires)
      expect(out.findings[0]).toMatchObject({
        entity: { 'host.hostname': 'host-e' },
        threshold: 0.3,
        schedule: 'off_hours',
      });
  });

  test('the ratio is of the sums over the span, not an average of bucket ratios', () => {
    const b = [bucket({ num: 1, den: 1 }), bucket({ num: 0, den: 19 })];
    expect(metricValue(r.metric, b)).toBeCloseTo(1 / 20, 6);
  });
});

describe('cardinality counts distinct values across buckets', () => {
  // ssh_distributed shape: distinct source.ip per user.name, 10 min window, off-hours 10
  const r = rule({
    group_by: ['user.name'],
    metric: { type: 'cardinality', field: 'source.ip' },
    window: 10 * MIN,
    thresholds: { business_hours: 20, off_hours: 10 },
  });
  const T0 = at('2026-11-18T03:00:00Z');
  const tries = (ips: string[], everyMs: number, start = T0): Ev[] =>
    ips.map((ip, i) => ({ at: start + i * everyMs, distinct: ip }));
  const ipList = (n: number, prefix = '198.51.100.') =>
    Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  test.each([
    {
      name: 'the same 3 addresses in every bucket count 3',
      evs: [0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => tries(ipList(3), 1000, T0 + k * 75 * S)),
      value: 3,
      fires: false,
    },
    {
      name: '12 addresses, one per minute, count 12',
      evs: tries(ipList(12), 50 * S),
      value: 12,
      fires: true,
    },
    {
      name: '9 addresses, each seen 5 times, count 9',
      evs: [0, 1, 2, 3, 4].flatMap((k) => tries(ipList(9), 2000, T0 + k * 2 * MIN)),
      value: 9,
      fires: false,
    },
    {
      name: '20 addresses, one every 2 minutes: 5 in any 10 minutes',
      evs: tries(ipList(20), 2 * MIN),
      value: 5,
      fires: false,
    },
  ])('$name', ({ evs, value, fires }) => {
    const out = evaluate(r, evs, iv('2026-11-18T03:00:00Z', '2026-11-18T04:00:00Z'), utc, ['oracle']);
    expect(out.peaks[0].peak.value).toBe(value);
    expect(out.findings.length).toBe(fires ? 1 : 0);
  });

  test('without per-bucket values (the whole interval is one span) the aggregation total is used', () => {
    expect(metricValue(r.metric, [bucket({ count: 40, sum: 13 })])).toBe(13);
  });
});

describe('sum', () => {
  test('adds the field over the span', () => {
    const r = rule({
      metric: { type: 'sum', field: 'http.response.body.bytes' },
      thresholds: { business_hours: 5000, off_hours: 3000 },
    });
    const evs = events(spread(4, at('2026-11-18T03:01:00Z'), 30 * S), { value: { sum: 1000 } });
    const { findings } = evaluate(r, evs, iv('2026-11-18T03:00:00Z', '2026-11-18T03:10:00Z'));
    expect(findings).toMatchObject([{ value: 4000, threshold: 3000, schedule: 'off_hours' }]);
  });
});

describe("the threshold in force at a span's end decides", () => {
  const r = rule(); // 2 min window, business 15, off-hours 8; Wednesday, UTC, 08:00–18:00
  // 10 failures 11 s apart from 17:58:00 to 17:59:39: too few for business hours. Only spans
  // ending after 18:00 are off-hours, and those miss the failure at 17:58:00: 9 ≥ 8
  const evening = events(spread(10, at('2026-11-18T17:58:00Z'), 110 * S));
  test.each([
    { to: '2026-11-18T17:59:00Z', fires: false, peakSchedule: 'business_hours', peak: 6 },
    { to: '2026-11-18T18:00:00Z', fires: false, peakSchedule: 'business_hours', peak: 10 },
    { to: '2026-11-18T18:00:15Z', fires: true, peakSchedule: 'business_hours', peak: 10 },
    { to: '2026-11-18T18:05:00Z', fires: true, peakSchedule: 'business_hours', peak: 10 },
  ])('interval ending $to: fires $fires', ({ to, fires, peakSchedule, peak }) => {
    const out = evaluate(r, evening, iv('2026-11-18T17:50:00Z', to));
    expect(out.peaks[0].peak).toMatchObject({ value: peak, schedule: peakSchedule });
    if (!fires) {
      expect(out.findings).toEqual([]);
      return;
    }
    expect(out.findings).toHaveLength(1);
    const f = out.findings[0];
    expect(f).toMatchObject({ value: 9, threshold: 8, schedule: 'off_hours' });
    // the first span ending after 18:00 (its last instant is off-hours): 2 minutes from 17:58:01
    expect(f.window).toEqual({ start: '2026-11-18T17:58:01.000Z', end: '2026-11-18T18:00:01.000Z' });
  });

  test('a span ending at 08:00 is still off-hours; one ending after it is not', () => {
    // 10 failures between 07:58:10 and 07:59:55, interval 07:50–08:10
    const morning = events(spread(10, at('2026-11-18T07:58:10Z'), 105 * S));
    const { findings } = evaluate(r, morning, iv('2026-11-18T07:50:00Z', '2026-11-18T08:10:00Z'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ value: 10, threshold: 8, schedule: 'off_hours' });
    expect(Date.parse(findings[0].window.end)).toBeLessThanOrEqual(at('2026-11-18T08:00:00Z'));
  });

  test('across the Berlin DST change the span end is read in local time', () => {
    const berlin = calendar({ timezone: 'Europe/Berlin' });
    // 10 failures at 06:30 UTC: 07:30 CET on Friday 2026-03-27 (off-hours), 08:30 CEST on Monday 2026-03-30 (business)
    const fri = evaluate(
      r,
      events(spread(10, at('2026-03-27T06:30:00Z'), 60 * S)),
      iv('2026-03-27T06:25:00Z', '2026-03-27T06:35:00Z'),
      berlin,
    );
    const mon = evaluate(
      r,
      events(spread(10, at('2026-03-30T06:30:00Z'), 60 * S)),
      iv('2026-03-30T06:25:00Z', '2026-03-30T06:35:00Z'),
      berlin,
    );
    expect(fri.findings).toMatchObject([
      { value: 10, schedule: 'off_hours', threshold: 8, timezone: 'Europe/Berlin' },
    ]);
    expect(mon.findings).toEqual([]);
    expect(mon.peaks[0].peak).toMatchObject({ value: 10, schedule: 'business_hours', threshold: 15 });
  });
});

describe('the firing span with the highest value/threshold is reported', () => {
  const r = rule(); // business 15, off-hours 8
  const interval = iv('2026-11-18T09:00:00Z', '2026-11-18T20:00:00Z');
  const burst = (n: number, iso: string) => events(spread(n, at(iso), 60 * S));
  test.each([
    {
      name: '20 in business hours (1.33×) loses to 12 off-hours (1.5×)',
      evs: [...burst(20, '2026-11-18T10:00:00Z'), ...burst(12, '2026-11-18T19:00:00Z')],
      value: 12,
      schedule: 'off_hours',
      peak: 20,
    },
    {
      name: '20 in business hours (1.33×) wins over 10 off-hours (1.25×)',
      evs: [...burst(20, '2026-11-18T10:00:00Z'), ...burst(10, '2026-11-18T19:00:00Z')],
      value: 20,
      schedule: 'business_hours',
      peak: 20,
    },
    {
      name: 'two equal bursts: the earlier one',
      evs: [...burst(9, '2026-11-18T18:30:00Z'), ...burst(9, '2026-11-18T19:30:00Z')],
      value: 9,
      schedule: 'off_hours',
      peak: 9,
      start: '2026-11-18T18:30:00Z',
    },
  ])('$name', ({ evs, value, schedule, peak, start }) => {
    const out = evaluate(r, evs, interval);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ value, schedule });
    expect(out.peaks[0].peak.value).toBe(peak);
    if (start) {
      expect(Date.parse(out.findings[0].window.start)).toBeLessThanOrEqual(at(start));
      expect(Date.parse(out.findings[0].window.end)).toBeLessThan(at('2026-11-18T19:30:00Z'));
    }
  });

  test("a finding says where its events end, which a span's end does not (it follows the interval)", () => {
    // a monitor's look-back: the interval starts 2 minutes before its new part, so every span
    // holding a burst at 03:01:20–29 ends at 03:02:00 or later
    const out = evaluate(
      rule(),
      events(spread(9, at('2026-11-18T03:01:20Z'), 10 * S)),
      iv('2026-11-18T03:00:00Z', '2026-11-18T03:02:02Z'),
    );
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0].window.end).toBe('2026-11-18T03:02:00.000Z');
    // the last of the 9 events is at 03:01:28.888, in the second 03:01:28
    expect(out.findings[0].events_end).toBe('2026-11-18T03:01:29.000Z');
  });

  test('when the interval is one span, the events end just after the latest event the totals name', () => {
    const interval = iv('2026-11-18T03:00:00Z', '2026-11-18T03:01:00Z');
    const total = { ...bucket({ count: 9 }), lastMs: at('2026-11-18T03:00:12.345Z') };
    const out = evaluateRule(
      rule(),
      { series: [{ key: ['203.0.113.10'], buckets: new Map([[interval.startMs, total]]) }] },
      interval,
      utc,
    );
    expect(out.findings[0].window).toEqual({
      start: '2026-11-18T03:00:00.000Z',
      end: '2026-11-18T03:01:00.000Z',
    });
    expect(out.findings[0].events_end).toBe('2026-11-18T03:00:12.346Z');
  });

  test('findings of one rule are ordered by value/threshold, entities named by group_by', () => {
    const T = at('2026-11-18T03:01:00Z');
    const series = [
      seriesOf(['10.0.0.1'], S, events(spread(9, T, 30 * S))),
      seriesOf(['10.0.0.2'], S, events(spread(40, T, 30 * S))),
      seriesOf(['10.0.0.3'], S, events(spread(3, T, 30 * S))),
      seriesOf(['10.0.0.4'], S, events(spread(16, T, 30 * S))),
    ];
    const { findings, peaks } = evaluateRule(
      r,
      { series },
      iv('2026-11-18T03:00:00Z', '2026-11-18T03:10:00Z'),
      utc,
    );
    expect(findings.map((f) => [f.entity['source.ip'], f.value])).toEqual([
      ['10.0.0.2', 40],
      ['10.0.0.4', 16],
      ['10.0.0.1', 9],
    ]);
    expect(peaks).toHaveLength(4);
  });

  test('a rule with only a baseline (no thresholds) raises no threshold finding', () => {
    const base = rule({
      thresholds: undefined,
      baseline: {
        period: 30 * 86_400_000,
        by: 'hour_of_week',
        deviation: { ratio: 3 },
        min_samples: 3,
        max_entities: 1000,
      } as Rule['baseline'],
    });
    const out = evaluate(
      base,
      events(spread(500, at('2026-11-18T03:01:00Z'), 30 * S)),
      iv('2026-11-18T03:00:00Z', '2026-11-18T03:10:00Z'),
    );
    expect(out.findings).toEqual([]);
    expect(out.peaks[0].peak.value).toBe(500);
  });
});
