/**
 * Pure builders for anomaly rules: (rule, range) → the `_msearch` item that computes every feature
 * per entity, either over the whole range (scoring one window) or per fixed window of the range
 * (training: entity × date_histogram). Composite aggregations, paged by after_key to the end.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { FeatureSpec } from '../rules/anomaly-schema';
import type { Rule } from '../rules/rule-schema';
import { groupSources, headerFor, ruleFilter } from './build-rule-query';
import { mapField, mapQueryFields } from './field-map';
import type { AfterKey, Interval, MsearchItem } from './types';

/**
 * Entities per page. Each bucket carries every feature's sub-aggregations (a cardinality reserves
 * about 8 bytes per unit of precision), so pages are smaller than the threshold rules' totals.
 */
export const FEATURE_PAGE_SIZE = 2000;
/** Distinct counts are exact up to about this many values per (entity, window), then within a few %. */
export const FEATURE_CARDINALITY_PRECISION = 200;

/** A rule with an anomaly block. */
export type AnomalyRule = Rule & { anomaly: NonNullable<Rule['anomaly']> };

export const isAnomalyRule = (r: Rule): r is AnomalyRule => r.anomaly !== undefined;

type Aggs = Record<string, estypes.AggregationsAggregationContainer>;

function valueAgg(
  f: FeatureSpec & { field: string },
  rule: AnomalyRule,
): estypes.AggregationsAggregationContainer {
  const field = mapField(f.field, rule.fieldMap);
  return f.type === 'sum'
    ? { sum: { field } }
    : { cardinality: { field, precision_threshold: FEATURE_CARDINALITY_PRECISION } };
}

const mapQuery = (q: Record<string, unknown>, rule: AnomalyRule) =>
  mapQueryFields(q, rule.fieldMap) as estypes.QueryDslQueryContainer;

/** The sub-aggregations of one bucket: `f<i>` per feature (`f<i>n`/`f<i>d` for a ratio). */
export function featureAggs(rule: AnomalyRule): Aggs {
  const aggs: Aggs = {};
  rule.anomaly.features.forEach((f, i) => {
    switch (f.type) {
      case 'count':
        if (f.filter) aggs[`f${i}`] = { filter: mapQuery(f.filter, rule) };
        return;
      case 'cardinality':
      case 'sum':
        aggs[`f${i}`] = f.filter
          ? { filter: mapQuery(f.filter, rule), aggs: { v: valueAgg(f, rule) } }
          : valueAgg(f, rule);
        return;
      case 'ratio':
        aggs[`f${i}n`] = { filter: mapQuery(f.numerator, rule) };
        aggs[`f${i}d`] = { filter: mapQuery(f.denominator, rule) };
        return;
    }
  });
  return aggs;
}

/**
 * Every feature per entity over `range`. With `windowMs`, per entity and fixed window of that width
 * (aligned to the epoch) instead: the training vectors.
 */
export function buildFeatureQuery(
  rule: AnomalyRule,
  range: Interval,
  opts: { windowMs?: number; after?: AfterKey } = {},
): MsearchItem {
  const sources = groupSources(rule);
  if (opts.windowMs)
    sources.push({
      t: { date_histogram: { field: rule.timestampField, fixed_interval: `${opts.windowMs}ms` } },
    });
  const name = opts.windowMs ? 'series' : 'entities';
  return {
    header: headerFor(rule),
    body: {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: ruleFilter(rule, range) } },
      aggs: {
        [name]: {
          composite: { size: FEATURE_PAGE_SIZE, sources, ...(opts.after ? { after: opts.after } : {}) },
          aggs: featureAggs(rule),
        },
      },
    },
  };
}

const docCount = (b: unknown) => (b as { doc_count?: number } | undefined)?.doc_count ?? 0;
const metricValue = (b: unknown) => {
  const v = (b as { value?: number | null; v?: { value?: number | null } } | undefined) ?? {};
  return v.v ? (v.v.value ?? 0) : (v.value ?? 0);
};

/** One composite bucket → the feature vector, in the order of the rule's features. */
export function readFeatureVector(features: FeatureSpec[], bucket: Record<string, unknown>): number[] {
  return features.map((f, i) => {
    if (f.type === 'count') return f.filter ? docCount(bucket[`f${i}`]) : docCount(bucket);
    if (f.type === 'ratio') {
      const den = docCount(bucket[`f${i}d`]);
      return den > 0 ? docCount(bucket[`f${i}n`]) / den : 0;
    }
    return metricValue(bucket[`f${i}`]);
  });
}

/**
 * The windows a cycle scores: windows of the rule's width ending at the interval's end, back to
 * cover its start (one trailing window for a live cycle shorter than the window).
 */
export function scoringWindows(windowMs: number, interval: Interval): Interval[] {
  const n = Math.max(1, Math.ceil((interval.endMs - interval.startMs) / windowMs));
  return Array.from({ length: n }, (_, i) => ({
    startMs: interval.endMs - (n - i) * windowMs,
    endMs: interval.endMs - (n - i - 1) * windowMs,
  }));
}
