/**
 * Pure: which entities could reach a rule's threshold within its window, decided from per-entity
 * totals over the interval and "heavy" histogram buckets, before any exact series is fetched. The
 * prune must never drop an entity that reaches the threshold in some span (sliding-window.ts
 * defines the spans); it should drop as many of the others as it can (low-and-slow sources).
 *
 * The bucket bound (count; also the documents behind cardinality and ratio).
 *   Buckets have width w (whole seconds, aligned on the epoch, as a fixed_interval date_histogram
 *   makes them) and hold the rule's events inside the interval. Let K = ceil(T / w) + 1.
 *   (1) A span [s, s + T) meets at most K consecutive buckets: the buckets it meets are
 *       floor(s/w) … ceil((s+T)/w) − 1, that is ceil(s/w + T/w) − floor(s/w)
 *       ≤ ceil(T/w) + ceil(s/w) − floor(s/w) ≤ ceil(T/w) + 1 = K of them.
 *   (2) So the events of any span are at most the events of some K consecutive buckets (the span
 *       is clipped to the interval, and the buckets count only events inside it).
 *   (3) The query returns only the buckets holding at least m = ceil(N / K) events ("heavy"); every
 *       other bucket holds at most m − 1. So K consecutive buckets starting at bucket j hold at most
 *         U(j) = (m − 1)·K + Σ over heavy buckets h in j … j+K−1 of (count(h) − (m − 1)),
 *       and never more than the entity's total over the interval.
 *   (4) If an entity reaches N in some span, then by (2) and (3) N ≤ U(j) for some j. Since every
 *       heavy term is positive, U is largest for a run of K buckets starting at a heavy bucket
 *       (moving the run's start right to the next heavy bucket only loses light ones), so
 *       max over heavy starts of min(total, U) < N proves that no span reaches N: the entity is
 *       dropped safely. With no heavy bucket at all, U = (m − 1)·K < N: with fewer than m events in
 *       every bucket of width T/k, no span reaches N, which is the bound "some bucket of width T/k
 *       holds at least N/(k+1)".
 *   w is the smallest whole second ≥ T/k with k = min(8, N − 2), so that K ≤ k + 1 < N and m ≥ 2:
 *   a source that never puts two events in one bucket never reaches the series phase.
 *
 * Per metric, with N the lower of the business-hours and off-hours thresholds:
 *  - count: total ≥ N and the bucket bound ≥ N.
 *  - cardinality: distinct values in a span ≤ documents in it when each document has at most one
 *    value of the field, so the bucket bound on documents applies; an entity whose documents hold
 *    more values than documents with the field (an array field) skips it. The total distinct count
 *    over the interval (HyperLogLog, `precision_threshold` = twice the highest threshold) must also
 *    reach ⌊0.9·N⌋: below the precision threshold Elasticsearch counts distinct 32-bit hashes
 *    exactly, so it can only undercount by hash collisions, and missing a candidate would take
 *    N − ⌊0.9·N⌋ ≥ 1 collisions among fewer than 2N values; for the shipped thresholds (N ≤ 20)
 *    that is below 10⁻⁷ per entity, and the margin grows with N. The series count exactly.
 *  - ratio: a span with den ≥ min_total and num/den ≥ r holds at least min_total documents and
 *    num ≥ r·min_total; the bucket bound on documents (every denominator event is a document of
 *    the rule) with N = min_total, and the totals den ≥ min_total and num ≥ r·min_total. No bound
 *    on the ratio itself is sharp (a ratio over a span is not bounded by ratios of its buckets).
 *  - sum: a span's sum ≤ the total when the values are not negative (bytes never are); an entity
 *    with a negative value in the interval is always a candidate. No bucket bound (Elasticsearch
 *    cannot return only buckets whose sum is large without pipeline aggregations).
 *  - rules with a baseline: the `max_entities` largest by the metric, unpruned (rank-entities.ts).
 */
import type { Rule } from '../rules/rule-schema';
import type { BucketValue } from './series';

export interface BucketBound {
  /** bucket width (ms, whole seconds) */
  widthMs: number;
  /** K: consecutive buckets that cover any span */
  cover: number;
  /** m: buckets with fewer events are not returned */
  heavyMin: number;
  /** N: events a span needs */
  need: number;
}

/** A bucket holding at least `heavyMin` events: its start (ms) and its count. */
export interface HeavyBucket {
  startMs: number;
  count: number;
}

/** What the totals query tells about one entity. */
export interface EntityTotals {
  total: BucketValue;
  /** heavy buckets, ascending; undefined when they are not known (no bucket bound applies) */
  heavy?: HeavyBucket[];
  /** sum: the smallest value of the field (negative values defeat the total bound) */
  lowest?: number;
  /** cardinality: documents with the field, and values of the field (more values: an array field) */
  withField?: number;
  fieldValues?: number;
}

/** The lower of the two fixed thresholds; 0 without fixed thresholds. */
export function minThreshold(rule: Pick<Rule, 'thresholds'>): number {
  return rule.thresholds ? Math.min(rule.thresholds.business_hours, rule.thresholds.off_hours) : 0;
}

/** Events a span needs for the rule to possibly fire; undefined when no event count bounds it. */
function eventsNeeded(rule: Pick<Rule, 'thresholds' | 'metric' | 'baseline'>): number | undefined {
  if (rule.baseline || !rule.thresholds) return undefined;
  switch (rule.metric.type) {
    case 'count':
    case 'cardinality':
      return Math.ceil(minThreshold(rule));
    case 'ratio':
      return rule.metric.min_total;
    case 'sum':
      return undefined;
  }
}

const MAX_BUCKETS_PER_WINDOW = 8;

/** The rule's bucket bound, or undefined when it has none (sum, baselines, N < 3). */
export function bucketBound(
  rule: Pick<Rule, 'thresholds' | 'metric' | 'baseline' | 'window'>,
): BucketBound | undefined {
  const need = eventsNeeded(rule);
  if (need === undefined || need < 3) return undefined;
  const k = Math.min(MAX_BUCKETS_PER_WINDOW, need - 2);
  const widthMs = Math.max(1000, Math.ceil(rule.window / k / 1000) * 1000);
  const cover = Math.ceil(rule.window / widthMs) + 1;
  return { widthMs, cover, heavyMin: Math.ceil(need / cover), need };
}

/** The most events any K consecutive buckets can hold, from the heavy ones (step (3)–(4) above). */
export function maxEventsInCover(b: BucketBound, heavy: HeavyBucket[], total: number): number {
  const light = b.heavyMin - 1;
  let best = 0;
  let extra = 0;
  let end = 0;
  for (let i = 0; i < heavy.length; i++) {
    const limit = heavy[i].startMs + b.cover * b.widthMs;
    while (end < heavy.length && heavy[end].startMs < limit) extra += heavy[end++].count - light;
    best = Math.max(best, extra);
    extra -= heavy[i].count - light;
  }
  return Math.min(total, light * b.cover + best);
}

const RATIO_EPSILON = 1e-9;

/** Could this entity reach the rule's threshold in some span of the interval? */
export function couldReach(rule: Rule, e: EntityTotals): boolean {
  if (rule.baseline) return true;
  const n = minThreshold(rule);
  const b = bucketBound(rule);
  const fits = (events: number) => !b || !e.heavy || maxEventsInCover(b, e.heavy, events) >= b.need;
  const t = e.total;
  switch (rule.metric.type) {
    case 'count':
      return t.count >= n && fits(t.count);
    case 'sum':
      return (e.lowest !== undefined && e.lowest < 0) || t.sum >= n;
    case 'cardinality': {
      const arrays = (e.fieldValues ?? 0) > (e.withField ?? 0);
      return t.sum >= Math.floor(n * 0.9) && (arrays || (t.count >= n && fits(t.count)));
    }
    case 'ratio': {
      const minTotal = rule.metric.min_total;
      return t.den >= minTotal && t.num >= n * minTotal - RATIO_EPSILON && fits(t.count);
    }
  }
}
