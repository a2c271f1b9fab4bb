/** Shared fixtures for the engine's unit tests: calendars, rules and series built in memory. */
import path from 'node:path';
import type { Calendar } from '../../../src/config/schema';
import { type BucketValue, type EntitySeries, emptyBucket } from '../../../src/evaluate/series';
import type { Rule } from '../../../src/rules/rule-schema';

export const QUERIES_DIR = path.resolve(__dirname, '../../../queries');

export const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};

export function calendar(over: Partial<Calendar> = {}): Calendar {
  return {
    timezone: 'UTC',
    business_days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    business_hours: { start: '08:00', end: '18:00' },
    holidays: [],
    ...over,
  };
}

export function rule(over: Partial<Rule> = {}): Rule {
  return {
    id: 'test_rule',
    title: 'Test rule',
    description: 'A rule for tests',
    remediation: 'Nothing to do',
    severity: 'high',
    source: 'auth',
    enabled: true,
    filter: { term: { 'event.outcome': 'failure' } },
    group_by: ['source.ip'],
    metric: { type: 'count' },
    window: 120_000,
    thresholds: { business_hours: 15, off_hours: 8 },
    sample_fields: [],
    channels: [],
    realert: 3_600_000,
    escalate_factor: 2,
    recovery: false,
    indices: ['logs-*'],
    fieldMap: {},
    timestampField: '@timestamp',
    file: 'queries/test_rule.yaml',
    ...over,
  };
}

/** A bucket holding `count` events (and, for ratio rules, num/den; for cardinality, values). */
export function bucket(over: Partial<BucketValue> & { values?: Set<string> } = {}): BucketValue {
  return { ...emptyBucket(), ...over };
}

/** Series from events: each event's instant falls into the bucket of width bucketMs that holds it. */
export function seriesOf(
  key: string[],
  bucketMs: number,
  events: { at: number; value?: Partial<BucketValue>; distinct?: string }[],
): EntitySeries {
  const buckets = new Map<number, BucketValue>();
  for (const e of events) {
    const start = Math.floor(e.at / bucketMs) * bucketMs;
    const b = buckets.get(start) ?? emptyBucket();
    b.count += 1;
    b.sum += e.value?.sum ?? 0;
    b.num += e.value?.num ?? 0;
    b.den += e.value?.den ?? 0;
    if (e.distinct !== undefined) {
      b.values = b.values ?? new Set<string>();
      b.values.add(e.distinct);
    }
    buckets.set(start, b);
  }
  return { key, buckets };
}

/** n instants spread evenly over [startMs, startMs + spanMs). */
export function spread(n: number, startMs: number, spanMs: number): number[] {
  return Array.from({ length: n }, (_, i) => startMs + Math.floor((i * spanMs) / n));
}
