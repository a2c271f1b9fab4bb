/**
 * The prune (src/evaluate/prune-bound.ts) never drops an entity that the brute-force oracle says
 * reaches the threshold in some span, on generated event sets for count, distinct count, ratio and
 * sum; and it is sharp: low-and-slow sources (20–24 failures, one every 25–30 s) never become
 * candidates of a "15 (or 8) in 2 minutes" rule.
 */
import {
  bucketBound,
  couldReach,
  type EntityTotals,
  maxEventsInCover,
  minThreshold,
} from '../../../src/evaluate/prune-bound';
import type { Interval } from '../../../src/query/types';
import type { Rule } from '../../../src/rules/rule-schema';
import { prng } from '../../helpers/prng';
import { allSpans, type OracleEvent } from '../../helpers/span-oracle';
import { at, bucket, rule } from './fixtures';

const S = 1000;
const MIN = 60 * S;
const CASES = Math.max(2000, Math.round(Number(process.env.VIGIL_ORACLE_CASES ?? 10_000) / 5));

type Rnd = () => number;
const int = (rnd: Rnd, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

/** What the totals query returns for these events: totals and the heavy buckets of the bound. */
function totalsOf(r: Rule, events: OracleEvent[], interval: Interval): EntityTotals {
  const inside = events.filter((e) => e.at >= interval.startMs && e.at < interval.endMs);
  const b = bucketBound(r);
  const counts = new Map<number, number>();
  if (b)
    for (const e of inside) {
      const k = Math.floor(e.at / b.widthMs) * b.widthMs;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  const heavy = [...counts]
    .filter(([, n]) => b && n >= b.heavyMin)
    .map(([startMs, count]) => ({ startMs, count }))
    .sort((x, y) => x.startMs - y.startMs);
  const distinct = new Set(inside.map((e) => e.distinct).filter((d) => d !== undefined));
  return {
    total: bucket({
      count: inside.length,
      sum: r.metric.type === 'cardinality' ? distinct.size : inside.reduce((a, e) => a + (e.sum ?? 0), 0),
      num: inside.filter((e) => e.num).length,
      den: inside.filter((e) => e.den).length,
    }),
    heavy,
    lowest: inside.length ? Math.min(...inside.map((e) => e.sum ?? 0)) : undefined,
    withField: inside.filter((e) => e.distinct !== undefined).length,
    fieldValues: inside.filter((e) => e.distinct !== undefined).length,
  };
}

function randomRule(rnd: Rnd, i: number): Rule {
  const window = [10, 60, 90, 120, 300][int(rnd, 0, 4)] * S;
  const n = int(rnd, 1, 30);
  const other = n + int(rnd, 0, 10);
  switch (i % 4) {
    case 0:
      return rule({ window, thresholds: { business_hours: other, off_hours: n } });
    case 1:
      return rule({
        window,
        metric: { type: 'cardinality', field: 'source.ip' },
        thresholds: { business_hours: other, off_hours: Math.max(1, Math.round(n / 3)) },
      });
    case 2:
      return rule({
        window,
        metric: {
          type: 'ratio',
          numerator: { term: { 'event.outcome': 'failure' } },
          denominator: { exists: { field: 'event.outcome' } },
          min_total: int(rnd, 1, 20),
        },
        thresholds: { business_hours: 0.9, off_hours: int(rnd, 1, 19) / 20 },
      });
    default:
      return rule({
        window,
        metric: { type: 'sum', field: 'bytes' },
        thresholds: { business_hours: 50_000, off_hours: int(rnd, 100, 20_000) },
      });
  }
}

/** Bursts of various densities and lengths: some reach the threshold, some only nearly. */
function randomEvents(rnd: Rnd, interval: Interval): OracleEvent[] {
  const events: OracleEvent[] = [];
  const span = interval.endMs - interval.startMs;
  for (let b = int(rnd, 1, 4); b > 0; b--) {
    const start = interval.startMs + Math.floor(rnd() * span);
    const every = int(rnd, 100, 30_000);
    for (let k = int(rnd, 1, 30); k > 0; k--) {
      const den = rnd() < 0.85;
      events.push({
        at: start + k * every + int(rnd, 0, 999),
        sum: int(rnd, 0, 2000),
        den,
        num: den && rnd() < 0.6,
        distinct: `10.0.${int(rnd, 0, 1)}.${int(rnd, 1, 20)}`,
      });
    }
  }
  return events;
}

test(`the prune keeps every entity that reaches the threshold (${CASES} generated cases)`, () => {
  const rnd = prng(1515);
  let reached = 0;
  let pruned = 0;
  for (let i = 0; i < CASES; i++) {
    const r = randomRule(rnd, i);
    const startMs = at('2026-11-18T03:00:00Z') + int(rnd, 0, 999);
    const interval = { startMs, endMs: startMs + int(rnd, 2, 10) * MIN };
    const events = randomEvents(rnd, interval);
    const n = minThreshold(r);
    const spans = allSpans(events, interval, r.window, r.metric, () => ({
      threshold: n,
      schedule: 'off_hours',
    }));
    const reaches = spans.some((s) => s.value >= n);
    const kept = couldReach(r, totalsOf(r, events, interval));
    if (reaches) {
      reached += 1;
      if (!kept)
        throw new Error(
          `case ${i}: ${r.metric.type} ≥ ${n} in ${r.window} ms pruned; events ${JSON.stringify(events.map((e) => e.at))}`,
        );
    } else if (!kept) pruned += 1;
  }
  // both sides are exercised, and the prune drops most of those that never reach it
  expect(reached).toBeGreaterThan(CASES / 10);
  expect(pruned).toBeGreaterThan((CASES - reached) / 2);
});

describe('low-and-slow sources never reach the series phase', () => {
  const T0 = at('2026-11-18T03:00:00Z');
  const interval = { startMs: T0, endMs: T0 + 10 * MIN };
  // 20–24 failures, one every 25–30 s, spread over the 10 minutes
  const lowAndSlow = (seed: number): OracleEvent[] => {
    const rnd = prng(seed);
    const events: OracleEvent[] = [];
    let t = T0 + int(rnd, 0, 20) * S;
    for (let k = int(rnd, 20, 24); k > 0 && t < interval.endMs; k--) {
      events.push({ at: t });
      t += int(rnd, 25, 30) * S + int(rnd, 0, 999);
    }
    return events;
  };
  test.each([15, 8])('rule ≥ %i failures in 2 minutes: 6,000 such sources, none a candidate', (n) => {
    const r = rule({ window: 2 * MIN, thresholds: { business_hours: n, off_hours: n } });
    let kept = 0;
    for (let seed = 0; seed < 6000; seed++) {
      const events = lowAndSlow(seed);
      expect(events.length).toBeGreaterThanOrEqual(19);
      if (couldReach(r, totalsOf(r, events, interval))) kept += 1;
    }
    expect(kept).toBe(0);
  });

  test('an attacker with 20 failures in 2 minutes is a candidate', () => {
    const r = rule({ window: 2 * MIN, thresholds: { business_hours: 15, off_hours: 15 } });
    const events = Array.from({ length: 20 }, (_, k) => ({ at: T0 + 3 * MIN + k * 6 * S }));
    expect(couldReach(r, totalsOf(r, events, interval))).toBe(true);
  });
});

describe('the bucket bound', () => {
  test.each([
    { window: 2 * MIN, n: 15, width: 15 * S, cover: 9, heavy: 2 },
    { window: 2 * MIN, n: 8, width: 20 * S, cover: 7, heavy: 2 },
    { window: MIN, n: 300, width: 8 * S, cover: 9, heavy: 34 },
    { window: 10 * MIN, n: 5, width: 200 * S, cover: 4, heavy: 2 },
  ])(
    'window $window ms, threshold $n: buckets of $width ms, $cover cover a span, heavy from $heavy',
    ({ window, n, width, cover, heavy }) => {
      const b = bucketBound(rule({ window, thresholds: { business_hours: n, off_hours: n } }));
      expect(b).toEqual({ widthMs: width, cover, heavyMin: heavy, need: n });
      // K light buckets can never hold N events: an entity without a heavy bucket is dropped
      expect((heavy - 1) * cover).toBeLessThan(n);
    },
  );

  test('thresholds of 1 or 2 events have no bucket bound (every event counts)', () => {
    expect(bucketBound(rule({ thresholds: { business_hours: 5, off_hours: 2 } }))).toBeUndefined();
  });

  test('the bound of K consecutive buckets adds the heavy ones to the light allowance, capped by the total', () => {
    const b = { widthMs: 15 * S, cover: 9, heavyMin: 2, need: 15 };
    // 8 light buckets (≤ 1 each) + one heavy of 6: 14
    expect(maxEventsInCover(b, [{ startMs: 0, count: 6 }], 100)).toBe(14);
    // two heavy ones 8 buckets apart are in one run of 9: 6 + 4 + 7 × 1 = 17
    const two = [
      { startMs: 0, count: 6 },
      { startMs: 8 * 15 * S, count: 4 },
    ];
    expect(maxEventsInCover(b, two, 100)).toBe(17);
    // 9 buckets apart they are not: max(6, 4) + 8 = 14
    expect(maxEventsInCover(b, [two[0], { startMs: 9 * 15 * S, count: 4 }], 100)).toBe(14);
    expect(maxEventsInCover(b, two, 12)).toBe(12);
  });
});
