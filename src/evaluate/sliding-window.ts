/**
 * Pure: the best span of an entity's series. Every span covers `spanBuckets` consecutive buckets
 * and ends at a bucket's end (clipped to the interval); the threshold in force is the one at the
 * span's last instant, so business hours and off-hours are judged per span.
 */

import type { Interval } from '../query/types';
import type { Metric } from '../rules/rule-schema';
import type { Schedule } from '../types';
import type { BucketValue, EntitySeries } from './series';

export interface SpanResult {
  value: number;
  threshold: number;
  schedule: Schedule;
  startMs: number;
  endMs: number;
}

export interface SpanInput {
  series: EntitySeries;
  bucketMs: number;
  spanBuckets: number;
  interval: Interval;
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

export function metricValue(metric: Metric, buckets: BucketValue[]): number {
  switch (metric.type) {
    case 'count':
      return buckets.reduce((a, b) => a + b.count, 0);
    case 'sum':
      return buckets.reduce((a, b) => a + b.sum, 0);
    case 'cardinality': {
      if (buckets.every((b) => !b.values)) return buckets.reduce((a, b) => a + b.sum, 0);
      const all = new Set<string>();
      for (const b of buckets) for (const v of b.values ?? []) all.add(v);
      return all.size;
    }
    case 'ratio': {
      const num = buckets.reduce((a, b) => a + b.num, 0);
      const den = buckets.reduce((a, b) => a + b.den, 0);
      return den >= metric.min_total && den > 0 ? num / den : 0;
    }
  }
}

export function scanSpans(input: SpanInput): SpanScan {
  const { series, bucketMs, spanBuckets, interval, metric } = input;
  const starts = [...series.buckets.keys()].sort((a, b) => a - b);
  let firing: SpanResult | undefined;
  let peak: SpanResult | undefined;
  if (starts.length === 0) {
    const t = input.thresholdAt(interval.endMs - 1);
    return { peak: { value: 0, ...t, startMs: interval.startMs, endMs: interval.endMs } };
  }
  const first = starts[0];
  const last = Math.min(starts[starts.length - 1] + (spanBuckets - 1) * bucketMs, interval.endMs - 1);
  for (let end = first; end <= last; end += bucketMs) {
    const from = end - (spanBuckets - 1) * bucketMs;
    const inSpan: BucketValue[] = [];
    for (let b = from; b <= end; b += bucketMs) {
      const v = series.buckets.get(b);
      if (v) inSpan.push(v);
    }
    if (inSpan.length === 0) continue;
    const value = metricValue(metric, inSpan);
    const startMs = Math.max(from, interval.startMs);
    const endMs = Math.min(end + bucketMs, interval.endMs);
    const t = input.thresholdAt(endMs - 1);
    const span = { value, ...t, startMs, endMs };
    if (!peak || value > peak.value) peak = span;
    if (value >= t.threshold && (!firing || value / t.threshold > firing.value / firing.threshold))
      firing = span;
  }
  return { firing, peak: peak as SpanResult };
}
