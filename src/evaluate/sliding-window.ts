/**
 * Pure: the exact best span of an entity's series at 1-second resolution.
 *
 * Spans. For an interval [A, B) and a window T (whole seconds):
 *  - if B − A ≤ T there is one span, the whole interval;
 *  - otherwise the spans are [s, s + T) ∩ [A, B) for every whole second s (Unix time) with
 *    floor(A) ≤ s ≤ ceil(B) − T: each is T long, less the part of a second the interval's edges
 *    cut off when they are not on whole seconds. An event at instant t counts in span s when
 *    A ≤ t < B and s ≤ t < s + T, so every event of the interval is in some span.
 * The value of a span is the metric over its events; the threshold in force for it is the one at
 * its last instant, min(s + T, B) − 1 ms, so business hours and off-hours are judged per span.
 * `firing` is the span at or over its threshold with the highest value/threshold, `peak` the one
 * with the highest value; both the earliest span on ties.
 *
 * How. The series holds 1-second buckets, so a span's content is the buckets b with
 * s ≤ b < s + T. As s grows, the content only changes where a bucket enters (s = b − T + 1 s) or
 * leaves (s = b + 1 s), and the threshold only where it changes (threshold-changes.ts). Between two
 * consecutive such starts nothing changes, so evaluating the span at every one of them (and at
 * floor(A)) visits every distinct (content, threshold) pair at its earliest start: the maximum is
 * exact, for any metric, monotone or not (ratio). Two pointers over the sorted buckets make it
 * O(n) in the buckets (plus sorting the starts); distinct values are counted with a multiset.
 */

import type { Interval } from '../query/types';
import type { Metric } from '../rules/rule-schema';
import type { Schedule } from '../types';
import type { BucketValue, EntitySeries } from './series';
import { thresholdChanges } from './threshold-changes';

export const SECOND_MS = 1000;

export interface SpanResult {
  value: number;
  threshold: number;
  schedule: Schedule;
  startMs: number;
  endMs: number;
  /**
   * Just after the latest event the span counts: the end of its last second holding events, or the
   * latest event's time + 1 ms when the interval is one span (totals carry it). Undefined when not
   * known. Unlike the span's end, it does not depend on where the interval starts.
   */
  eventsEndMs?: number;
}

export interface SpanInput {
  /** 1-second buckets keyed by their start (ms); or one bucket of totals when the interval is one span */
  series: EntitySeries;
  interval: Interval;
  windowMs: number;
  metric: Metric;
  /** threshold and schedule in force at an instant */
  thresholdAt: (instantMs: number) => { threshold: number; schedule: Schedule };
}

export interface SpanScan {
  /** the firing span with the highest value/threshold (earliest on ties), if any */
  firing?: SpanResult;
  /** the highest value over all spans, firing or not (for baselines and recovery) */
  peak: SpanResult;
}

/** The whole seconds spans may start at, or undefined when the interval is a single span. */
export function spanStarts(
  interval: Interval,
  windowMs: number,
): { first: number; last: number } | undefined {
  if (interval.endMs - interval.startMs <= windowMs) return undefined;
  const first = Math.floor(interval.startMs / SECOND_MS) * SECOND_MS;
  const last = Math.ceil(interval.endMs / SECOND_MS) * SECOND_MS - windowMs;
  return { first, last };
}

/** The metric over a set of buckets (the whole interval as one span, or tests). */
export function metricValue(metric: Metric, buckets: BucketValue[]): number {
  const acc = new SpanContent();
  for (const b of buckets) acc.add(b);
  return acc.value(metric);
}

/** What a span holds: sums, and for distinct counts how many of its buckets hold each value. */
class SpanContent {
  buckets = 0;
  count = 0;
  sum = 0;
  num = 0;
  den = 0;
  /** totals without per-bucket values (the whole interval as one span): the aggregation's figure */
  hasValues = false;
  values = new Map<string, number>();

  add(b: BucketValue): void {
    this.buckets += 1;
    this.count += b.count;
    this.sum += b.sum;
    this.num += b.num;
    this.den += b.den;
    if (!b.values) return;
    this.hasValues = true;
    for (const v of b.values) this.values.set(v, (this.values.get(v) ?? 0) + 1);
  }

  remove(b: BucketValue): void {
    this.buckets -= 1;
    this.count -= b.count;
    this.sum -= b.sum;
    this.num -= b.num;
    this.den -= b.den;
    // an empty span sums to exactly 0 (no floating-point residue from adds and removes)
    if (this.buckets === 0) this.count = this.sum = this.num = this.den = 0;
    for (const v of b.values ?? []) {
      const n = (this.values.get(v) ?? 0) - 1;
      if (n > 0) this.values.set(v, n);
      else this.values.delete(v);
    }
  }

  value(metric: Metric): number {
    switch (metric.type) {
      case 'count':
        return this.count;
      case 'sum':
        return this.sum;
      case 'cardinality':
        return this.hasValues ? this.values.size : this.sum;
      case 'ratio':
        return this.den >= metric.min_total && this.den > 0 ? this.num / this.den : 0;
    }
  }
}

function oneSpan(input: SpanInput): SpanScan {
  const { interval, metric } = input;
  const t = input.thresholdAt(interval.endMs - 1);
  const buckets = [...input.series.buckets.values()];
  const value = metricValue(metric, buckets);
  const lasts = buckets.flatMap((b) => (b.lastMs === undefined ? [] : [b.lastMs]));
  const eventsEndMs = lasts.length ? Math.min(Math.max(...lasts) + 1, interval.endMs) : undefined;
  const span = { value, ...t, startMs: interval.startMs, endMs: interval.endMs, eventsEndMs };
  return { peak: span, firing: value >= t.threshold && value > 0 ? span : undefined };
}

export function scanSpans(input: SpanInput): SpanScan {
  const { series, interval, windowMs: T, metric } = input;
  const range = spanStarts(interval, T);
  if (!range) return oneSpan(input);
  const times = [...series.buckets.keys()].sort((a, b) => a - b);
  const buckets = times.map((t) => series.buckets.get(t) as BucketValue);
  const { first, last } = range;
  const thresholdOfStart = (s: number) => input.thresholdAt(Math.min(s + T, interval.endMs) - 1);

  const starts: number[] = [first];
  for (const t of times) starts.push(t - T + SECOND_MS, t + SECOND_MS);
  for (const s of thresholdChanges(times, T, first, last, thresholdOfStart)) starts.push(s);
  const sorted = starts.filter((s) => s >= first && s <= last).sort((a, b) => a - b);

  let firing: SpanResult | undefined;
  let peak: SpanResult | undefined;
  const content = new SpanContent();
  let left = 0;
  let right = 0;
  let previous = Number.NaN;
  for (const s of sorted) {
    if (s === previous) continue;
    previous = s;
    while (right < times.length && times[right] < s + T) content.add(buckets[right++]);
    while (left < right && times[left] < s) content.remove(buckets[left++]);
    if (left === right) continue;
    const value = content.value(metric);
    const endMs = Math.min(s + T, interval.endMs);
    const t = thresholdOfStart(s);
    const eventsEndMs = Math.min(times[right - 1] + SECOND_MS, interval.endMs);
    const span = { value, ...t, startMs: Math.max(s, interval.startMs), endMs, eventsEndMs };
    if (!peak || value > peak.value) peak = span;
    if (value >= t.threshold && (!firing || value / t.threshold > firing.value / firing.threshold))
      firing = span;
  }
  if (!peak) {
    const t = input.thresholdAt(interval.endMs - 1);
    return { peak: { value: 0, ...t, startMs: interval.startMs, endMs: interval.endMs } };
  }
  return { firing, peak };
}
