/**
 * Pure: which entities a baseline rule keeps when there are more than `baseline.max_entities`:
 * the largest by the rule's own metric (bytes for a sum, events for a count, distinct values for
 * a cardinality), never by how many documents they have; ties go to the smaller entity key, so the
 * choice is the same on every run. Used for the entities a cycle evaluates and for the baselines
 * kept in the state index.
 */
import type { Metric } from '../rules/rule-schema';
import type { EntityBaseline } from './baseline-model';
import { type BucketValue, entityKey } from './series';

/** The `max` items with the largest values, largest first, ties by key (ascending). */
export function topByValue<T>(
  items: Iterable<T>,
  measure: (item: T) => number,
  keyOf: (item: T) => string,
  max: number,
): T[] {
  const ranked = [...items].map((item) => ({ item, value: measure(item), key: keyOf(item) }));
  ranked.sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return ranked.slice(0, Math.max(0, max)).map((r) => r.item);
}

/** The metric's value over a bucket of totals (cardinality totals come as `sum` from the aggregation). */
export function metricTotal(metric: Metric, total: BucketValue): number {
  switch (metric.type) {
    case 'count':
      return total.count;
    case 'sum':
    case 'cardinality':
      return total.sum;
    case 'ratio':
      return total.den > 0 ? total.num / total.den : 0;
  }
}

/** The entities a cycle evaluates for a baseline rule: the `max` largest totals over the interval. */
export function baselineCandidates<T extends { key: string[]; total: BucketValue }>(
  metric: Metric,
  totals: T[],
  max: number,
): T[] {
  return topByValue(
    totals,
    (t) => metricTotal(metric, t.total),
    (t) => entityKey(t.key),
    max,
  );
}

/** The sum of an entity's hourly values: its metric over the baseline period. */
export function periodTotal(e: EntityBaseline): number {
  let total = 0;
  for (const v of e.hours.values()) total += v;
  return total;
}

/** The entity without the hours before `oldestMs` (the same object when none are that old). */
export function trimHours(e: EntityBaseline, oldestMs: number): EntityBaseline {
  let old = false;
  for (const h of e.hours.keys()) if (h < oldestMs) old = true;
  if (!old) return e;
  return { firstSeen: e.firstSeen, hours: new Map([...e.hours].filter(([h]) => h >= oldestMs)) };
}

/**
 * The baselines to keep: the `max` entities with the largest period totals, largest first (ties
 * by entity key), and the keys of the others.
 */
export function rankBaselines(
  entities: Map<string, EntityBaseline>,
  max: number,
): { kept: Map<string, EntityBaseline>; dropped: string[] } {
  const top = topByValue(
    entities,
    ([, e]) => periodTotal(e),
    ([key]) => key,
    max,
  );
  const kept = new Map(top);
  return { kept, dropped: [...entities.keys()].filter((k) => !kept.has(k)) };
}
