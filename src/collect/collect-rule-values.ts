/**
 * Collects per-entity values for all rules, one `_msearch` per round:
 *   round 1..n  totals per entity over the interval (composite pages, every page fetched)
 *   round n+1.. histogram buckets for the entities whose total could reach a threshold
 * No entity is ever cut off: composite aggregations are paged by after_key to the end.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { QueryError } from '../errors';
import { baselineCandidates } from '../evaluate/rank-entities';
import { type BucketValue, type EntitySeries, emptyBucket, entityKey } from '../evaluate/series';
import {
  buildSeriesQuery,
  buildTotalsQuery,
  SERIES_PAGE_SIZE,
  TOTALS_PAGE_SIZE,
} from '../query/build-rule-query';
import { bucketsPerSpan, bucketWidthMs } from '../query/resolution';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { type CollectStats, type Job, runJobs } from './page-composite';

export type { CollectStats };

export type RuleValues =
  | {
      rule: Rule;
      ok: true;
      series: EntitySeries[];
      bucketMs: number;
      spanBuckets: number;
      totalEntities: number;
    }
  | { rule: Rule; ok: false; error: QueryError };

const CANDIDATES_PER_SEARCH = 1000;

export function readBucket(b: Record<string, unknown>): BucketValue {
  const v = emptyBucket();
  v.count = (b.doc_count as number) ?? 0;
  const value = (b.value as { value?: number | null } | undefined)?.value;
  if (typeof value === 'number') v.sum = value;
  v.num = (b.num as { doc_count?: number } | undefined)?.doc_count ?? 0;
  v.den = (b.den as { doc_count?: number } | undefined)?.doc_count ?? 0;
  return v;
}

/** Value of a rule's metric over a bucket total; cardinality totals come as `sum` from the agg. */
function couldReach(rule: Rule, total: BucketValue, minThreshold: number): boolean {
  if (rule.baseline) return true;
  switch (rule.metric.type) {
    case 'count':
      return total.count >= minThreshold;
    case 'sum':
      return total.sum >= minThreshold;
    case 'cardinality':
      // the cardinality aggregation is approximate: keep a margin, the series are exact
      return total.sum >= Math.floor(minThreshold * 0.9);
    case 'ratio':
      return total.den >= rule.metric.min_total && total.num >= minThreshold * rule.metric.min_total;
  }
}

function minThreshold(rule: Rule): number {
  return rule.thresholds ? Math.min(rule.thresholds.business_hours, rule.thresholds.off_hours) : 0;
}

export async function collectRuleValues(
  client: Client,
  rules: Rule[],
  intervalOf: Interval | ((rule: Rule) => Interval),
): Promise<{ values: RuleValues[]; stats: CollectStats }> {
  const intervalFor = typeof intervalOf === 'function' ? intervalOf : () => intervalOf;
  const stats: CollectStats = { took: 0, rounds: 0, searches: 0 };
  const totals = new Map<string, { key: string[]; total: BucketValue }[]>();
  const totalJobs: Job[] = rules.map((rule) => {
    const interval = intervalFor(rule);
    const list: { key: string[]; total: BucketValue }[] = [];
    totals.set(rule.id, list);
    return {
      rule,
      pageSize: TOTALS_PAGE_SIZE,
      build: (after) => buildTotalsQuery(rule, interval, after),
      done: false,
      onPage: (resp) => {
        const aggs = (resp.aggregations ?? {}) as Record<string, unknown>;
        if (rule.group_by.length === 0) {
          const all = aggs.all as Record<string, unknown> | undefined;
          if (!all) return; // no index matched: no aggregations at all
          const total = readBucket(all);
          if (total.count > 0) list.push({ key: [], total });
          return;
        }
        const comp = aggs.entities as estypes.AggregationsCompositeAggregate | undefined;
        if (!comp) return;
        for (const b of comp.buckets as unknown as Record<string, unknown>[]) {
          const key = rule.group_by.map((_, i) => String((b.key as Record<string, unknown>)[`g${i}`]));
          list.push({ key, total: readBucket(b) });
        }
      },
    };
  });
  await runJobs(client, totalJobs, stats);

  const values: RuleValues[] = [];
  const seriesJobs: Job[] = [];
  const seriesByRule = new Map<string, Map<string, EntitySeries>>();
  for (const job of totalJobs) {
    const rule = rules.find((r) => r.id === job.rule.id) as Rule;
    const interval = intervalFor(rule);
    const lengthMs = interval.endMs - interval.startMs;
    if (job.error) continue;
    const all = totals.get(rule.id) ?? [];
    let candidates = all.filter((t) => couldReach(rule, t.total, minThreshold(rule)));
    // a baseline rule evaluates its largest entities by its metric (bytes, not requests)
    if (rule.baseline) candidates = baselineCandidates(rule.metric, candidates, rule.baseline.max_entities);
    if (lengthMs <= rule.window || candidates.length === 0) {
      // the whole interval is one span: the totals are the answer
      const series = candidates.map((c) => ({ key: c.key, buckets: new Map([[interval.startMs, c.total]]) }));
      values.push({ rule, ok: true, series, bucketMs: lengthMs, spanBuckets: 1, totalEntities: all.length });
      continue;
    }
    const bucketMs = bucketWidthMs(rule.window);
    const byKey = new Map<string, EntitySeries>();
    for (const c of candidates) byKey.set(entityKey(c.key), { key: c.key, buckets: new Map() });
    seriesByRule.set(rule.id, byKey);
    values.push({
      rule,
      ok: true,
      series: [],
      bucketMs,
      spanBuckets: bucketsPerSpan(rule.window, bucketMs),
      totalEntities: all.length,
    });
    for (let i = 0; i < candidates.length; i += CANDIDATES_PER_SEARCH) {
      const chunk = candidates.slice(i, i + CANDIDATES_PER_SEARCH);
      const perField = rule.group_by.map((_, f) => [...new Set(chunk.map((c) => c.key[f]))]);
      seriesJobs.push({
        rule,
        pageSize: SERIES_PAGE_SIZE,
        build: (after) => buildSeriesQuery(rule, interval, bucketMs, perField, after),
        done: false,
        onPage: (resp) => {
          const comp = (
            resp.aggregations as Record<string, estypes.AggregationsCompositeAggregate> | undefined
          )?.series;
          if (!comp) return;
          for (const b of comp.buckets as unknown as Record<string, unknown>[]) {
            const k = b.key as Record<string, unknown>;
            const key = rule.group_by.map((_, f) => String(k[`g${f}`]));
            const s = byKey.get(entityKey(key));
            if (!s) continue; // a combination of candidate values that is not itself a candidate
            const t = Number(k.t);
            if (rule.metric.type === 'cardinality') {
              const cur = s.buckets.get(t) ?? { ...emptyBucket(), values: new Set<string>() };
              cur.values?.add(String(k.v));
              cur.count += (b.doc_count as number) ?? 0;
              s.buckets.set(t, cur);
            } else {
              s.buckets.set(t, readBucket(b));
            }
          }
        },
      });
    }
  }
  await runJobs(client, seriesJobs, stats);
  for (const v of values) {
    if (!v.ok) continue;
    const failed = seriesJobs.find((j) => j.rule.id === v.rule.id && j.error);
    const byKey = seriesByRule.get(v.rule.id);
    if (failed?.error) {
      values[values.indexOf(v)] = { rule: v.rule, ok: false, error: failed.error };
    } else if (byKey) {
      v.series = [...byKey.values()].filter((s) => s.buckets.size > 0);
    }
  }
  for (const job of totalJobs)
    if (job.error)
      values.push({ rule: rules.find((r) => r.id === job.rule.id) as Rule, ok: false, error: job.error });
  return { values, stats };
}
