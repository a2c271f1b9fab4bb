/** Per-entity values in time buckets, as collected from Elasticsearch. */
export interface BucketValue {
  count: number;
  /** sum metric */
  sum: number;
  /** ratio metric: numerator and denominator counts */
  num: number;
  den: number;
  /** cardinality metric: distinct values seen in this bucket */
  values?: Set<string>;
  /** totals only: the time (ms) of the entity's latest event in the interval */
  lastMs?: number;
}

export interface EntitySeries {
  /** values of the rule's group_by fields, in order */
  key: string[];
  /** bucket start (ms) → value */
  buckets: Map<number, BucketValue>;
}

export const emptyBucket = (): BucketValue => ({ count: 0, sum: 0, num: 0, den: 0 });

export function entityKey(key: string[]): string {
  return JSON.stringify(key);
}
