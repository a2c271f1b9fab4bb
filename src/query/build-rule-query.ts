/**
 * Pure builders: (rule, interval) → the `_msearch` items that collect a rule's values.
 *
 *  totals  one composite page of per-entity totals over the whole interval, with the heavy
 *          histogram buckets that bound what a span can hold (prunes entities: prune-bound.ts)
 *  series  per-entity 1-second buckets for the candidate entities only (exact spans)
 *  samples up to 5 recent events of one entity in one window, only the fields that matter
 */
import type { estypes } from '@elastic/elasticsearch';
import { bucketBound } from '../evaluate/prune-bound';
import { spanStarts } from '../evaluate/sliding-window';
import type { Rule } from '../rules/rule-schema';
import { allowlistFilter } from './allowlist-filter';
import { type FieldMap, mapField, mapQueryFields } from './field-map';
import type { AfterKey, Interval, MsearchItem } from './types';

export const TOTALS_PAGE_SIZE = 10_000;
export const SERIES_PAGE_SIZE = 10_000;
export const SAMPLE_SIZE = 5;

type RuleShape = Pick<
  Rule,
  | 'indices'
  | 'filter'
  | 'group_by'
  | 'metric'
  | 'fieldMap'
  | 'timestampField'
  | 'thresholds'
  | 'baseline'
  | 'window'
  | 'allowlist'
>;

/** Series buckets are 1 second wide: spans start on whole seconds (sliding-window.ts). */
export const SERIES_BUCKET_MS = 1000;

export function headerFor(rule: Pick<Rule, 'indices'>): estypes.MsearchMultisearchHeader {
  return { index: rule.indices, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'open' };
}

/**
 * The rule's filter with field names mapped, inside the interval, without allowlisted events.
 * Every query of a rule starts from it: totals, series, samples, baselines and the report.
 */
export function ruleFilter(rule: RuleShape, interval: Interval): estypes.QueryDslQueryContainer[] {
  const allowed = allowlistFilter(rule.allowlist, rule.fieldMap);
  return [
    {
      range: { [rule.timestampField]: { gte: interval.startMs, lt: interval.endMs, format: 'epoch_millis' } },
    },
    mapQueryFields(rule.filter, rule.fieldMap) as estypes.QueryDslQueryContainer,
    ...(allowed ? [allowed] : []),
  ];
}

/**
 * precision_threshold of a distinct count per entity. Counts below it are near exact, and each
 * composite bucket reserves memory in proportion to it (about 8 bytes per unit): 40 000 over a page
 * of 10 000 entities asks for 3 GB and trips the circuit breaker. The totals only prune entities
 * (the series count exactly), so twice the highest threshold is precise enough.
 */
export function cardinalityPrecision(rule: Pick<Rule, 'thresholds'>): number {
  const highest = rule.thresholds
    ? Math.max(rule.thresholds.business_hours, rule.thresholds.off_hours)
    : 1500;
  return Math.min(40_000, Math.max(100, Math.ceil(2 * highest)));
}

/** Sub-aggregations that compute the metric inside a bucket (count is the bucket's doc_count). */
export function metricAggs(rule: RuleShape): Record<string, estypes.AggregationsAggregationContainer> {
  const m = rule.metric;
  const map: FieldMap = rule.fieldMap;
  switch (m.type) {
    case 'count':
      return {};
    case 'sum':
      return { value: { sum: { field: mapField(m.field, map) } } };
    case 'cardinality':
      return {
        value: {
          cardinality: { field: mapField(m.field, map), precision_threshold: cardinalityPrecision(rule) },
        },
      };
    case 'ratio':
      return {
        num: { filter: mapQueryFields(m.numerator, map) as estypes.QueryDslQueryContainer },
        den: { filter: mapQueryFields(m.denominator, map) as estypes.QueryDslQueryContainer },
      };
  }
}

export function groupSources(
  rule: RuleShape,
): Record<string, estypes.AggregationsCompositeAggregationSource>[] {
  return rule.group_by.map((f, i) => ({ [`g${i}`]: { terms: { field: mapField(f, rule.fieldMap) } } }));
}

/** Heavy entities per time bucket: at most this many per bucket, or the rule is not bucket-pruned. */
export const HEAVY_TERMS_SIZE = 10_000;

/**
 * What the prune needs besides the metric (prune-bound.ts): the lowest value of a sum's field,
 * for a distinct count whether its field holds arrays, and without group_by the heavy buckets
 * (with group_by they come from buildHeavyQuery).
 */
export function pruneAggs(rule: RuleShape): Record<string, estypes.AggregationsAggregationContainer> {
  const aggs: Record<string, estypes.AggregationsAggregationContainer> = {};
  const b = bucketBound(rule);
  if (b && rule.group_by.length === 0) aggs.heavy = heavyHistogram(rule, b.widthMs, b.heavyMin);
  const m = rule.metric;
  if (m.type === 'sum' && !rule.baseline) aggs.lowest = { min: { field: mapField(m.field, rule.fieldMap) } };
  if (m.type === 'cardinality' && b) {
    const field = mapField(m.field, rule.fieldMap);
    aggs.with_field = { filter: { exists: { field } } };
    aggs.field_values = { value_count: { field } };
  }
  return aggs;
}

function heavyHistogram(rule: RuleShape, widthMs: number, minDocCount: number) {
  return {
    date_histogram: {
      field: rule.timestampField,
      fixed_interval: `${widthMs / 1000}s`,
      min_doc_count: minDocCount,
    },
  };
}

/**
 * The heavy buckets of the prune for some entities of a rule grouped by one field, in one pass
 * over their events: per time bucket of width w, those with at least m events there (a terms aggregation with
 * min_doc_count m, so only those come back). Undefined when the rule has no bucket bound or
 * groups by several fields. The caller checks that no time bucket was cut (doc_count_error_upper_bound
 * 0, fewer than HEAVY_TERMS_SIZE entities), else it prunes that rule by totals only.
 */
export function buildHeavyQuery(
  rule: RuleShape,
  interval: Interval,
  values: string[],
): MsearchItem | undefined {
  const b = bucketBound(rule);
  if (!b || rule.group_by.length !== 1) return undefined;
  const field = mapField(rule.group_by[0], rule.fieldMap);
  const filter = [...ruleFilter(rule, interval), { terms: { [field]: values } }];
  return aggregationSearch(rule, filter, {
    heavy: {
      ...heavyHistogram(rule, b.widthMs, 1),
      aggs: { e: { terms: { field, size: HEAVY_TERMS_SIZE, min_doc_count: b.heavyMin } } },
    },
  });
}

/** A search of the rule's indices that returns aggregations only (size 0, no hit count). */
export function aggregationSearch(
  rule: Pick<Rule, 'indices'>,
  filter: estypes.QueryDslQueryContainer[],
  aggs: Record<string, estypes.AggregationsAggregationContainer>,
): MsearchItem {
  return {
    header: headerFor(rule),
    body: { size: 0, track_total_hits: false, query: { bool: { filter } }, aggs },
  };
}

export function buildTotalsQuery(rule: RuleShape, interval: Interval, after?: AfterKey): MsearchItem {
  // the latest event, only when the interval is one span: it then tells old events from new
  // (decide-alert.ts); otherwise the series do, and a max per entity would cost a field and its date
  // string in every bucket of every page (7 MiB and 0.25 s on 30,000 entities, bench:peer)
  const sub: Record<string, estypes.AggregationsAggregationContainer> = {
    ...metricAggs(rule),
    ...pruneAggs(rule),
  };
  if (!spanStarts(interval, rule.window)) sub.last = { max: { field: rule.timestampField } };
  const aggs: Record<string, estypes.AggregationsAggregationContainer> =
    rule.group_by.length === 0
      ? { all: { filter: { match_all: {} }, aggs: sub } }
      : {
          entities: {
            composite: { size: TOTALS_PAGE_SIZE, sources: groupSources(rule), ...(after ? { after } : {}) },
            aggs: sub,
          },
        };
  return aggregationSearch(rule, ruleFilter(rule, interval), aggs);
}

/**
 * 1-second buckets per candidate entity, composite-paged (so no search.max_buckets limit however
 * long the interval). `candidates` holds, per group_by position, the values to keep; the caller
 * filters combinations. A cardinality metric adds its field as a source so that distinct values
 * can be counted over any span exactly.
 */
export function buildSeriesQuery(
  rule: RuleShape,
  interval: Interval,
  candidates: string[][],
  after?: AfterKey,
): MsearchItem {
  const filter = ruleFilter(rule, interval);
  rule.group_by.forEach((f, i) => {
    filter.push({ terms: { [mapField(f, rule.fieldMap)]: candidates[i] } });
  });
  const sources = [...groupSources(rule)];
  if (rule.metric.type === 'cardinality')
    sources.push({ v: { terms: { field: mapField(rule.metric.field, rule.fieldMap) } } });
  sources.push({
    t: { date_histogram: { field: rule.timestampField, fixed_interval: `${SERIES_BUCKET_MS / 1000}s` } },
  });
  const sub = rule.metric.type === 'cardinality' ? {} : metricAggs(rule);
  return {
    header: headerFor(rule),
    body: {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter } },
      aggs: {
        series: { composite: { size: SERIES_PAGE_SIZE, sources, ...(after ? { after } : {}) }, aggs: sub },
      },
    },
  };
}

/** The fields a sample event keeps: time, entity and the rule's sample_fields, mapped. */
export function sampleFields(rule: RuleShape & Pick<Rule, 'sample_fields'>): string[] {
  const fields = [rule.timestampField, ...rule.group_by, ...rule.sample_fields];
  return [...new Set(fields.map((f) => mapField(f, rule.fieldMap)))];
}

export function buildSamplesQuery(
  rule: RuleShape & Pick<Rule, 'sample_fields'>,
  interval: Interval,
  entity: Record<string, string>,
): MsearchItem {
  const filter = ruleFilter(rule, interval);
  for (const [f, v] of Object.entries(entity)) filter.push({ term: { [mapField(f, rule.fieldMap)]: v } });
  return {
    header: headerFor(rule),
    body: {
      size: SAMPLE_SIZE,
      track_total_hits: false,
      query: { bool: { filter } },
      sort: [{ [rule.timestampField]: { order: 'desc' } }],
      _source: sampleFields(rule),
    },
  };
}
