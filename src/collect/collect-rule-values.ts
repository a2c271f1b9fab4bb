/**
 * Collects per-entity values for all rules, one `_msearch` per round:
 *   round 1..n  totals per entity over the interval (composite pages, every page fetched)
 *   round n+1   for rules with many entities left, the heavy histogram buckets of those that bound
 *               what any span can hold
 *   round n+1.. 1-second buckets for the entities that could reach a threshold (prune-bound.ts
 *               proves the prune safe); sliding-window.ts then finds the exact best span
 * No entity is ever cut off: composite aggregations are paged by after_key to the end.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { QueryError } from '../errors';
import { couldReach, type EntityTotals, type HeavyBucket } from '../evaluate/prune-bound';
import { baselineCandidates } from '../evaluate/rank-entities';
import { type BucketValue, type EntitySeries, emptyBucket, entityKey } from '../evaluate/series';
import {
  buildHeavyQuery,
  buildSeriesQuery,
  buildTotalsQuery,
  HEAVY_TERMS_SIZE,
  SERIES_PAGE_SIZE,
  TOTALS_PAGE_SIZE,
} from '../query/build-rule-query';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { type CollectStats, type Job, runJobs } from './page-composite';

export type { CollectStats };

export type RuleValues =
  | {
      rule: Rule;
      ok: true;
      /** per candidate entity, 1-second buckets (one bucket of totals when the interval is one span) */
      series: EntitySeries[];
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
  const last = (b.last as { value?: number | null } | undefined)?.value;
  if (typeof last === 'number') v.lastMs = last;
  return v;
}

/** What the totals query says about one entity (its metric total and what the prune needs). */
export function readTotals(b: Record<string, unknown>): EntityTotals {
  const hist = b.heavy as { buckets?: { key: number; doc_count: number }[] } | undefined;
  const heavy = hist?.buckets?.map((h) => ({ startMs: Number(h.key), count: h.doc_count }));
  heavy?.sort((x, y) => x.startMs - y.startMs);
  const lowest = (b.lowest as { value?: number | null } | undefined)?.value;
  return {
    total: readBucket(b),
    heavy,
    lowest: typeof lowest === 'number' ? lowest : undefined,
    withField: (b.with_field as { doc_count?: number } | undefined)?.doc_count,
    fieldValues: (b.field_values as { value?: number } | undefined)?.value,
  };
}

/**
 * Heavy buckets per entity from buildHeavyQuery's response, or undefined when a time bucket may
 * have been cut (more heavy entities than HEAVY_TERMS_SIZE, or counts not exact across shards):
 * then the rule is pruned by its totals only, which is safe.
 */
export function readHeavy(resp: estypes.SearchResponse): Map<string, HeavyBucket[]> | undefined {
  type Terms = { buckets: { key: unknown; doc_count: number }[]; doc_count_error_upper_bound?: number };
  const hist = (resp.aggregations as Record<string, unknown> | undefined)?.heavy as
    | { buckets: ({ key: number } & { e: Terms })[] }
    | undefined;
  const byEntity = new Map<string, HeavyBucket[]>();
  for (const t of hist?.buckets ?? []) {
    if ((t.e.doc_count_error_upper_bound ?? 0) > 0 || t.e.buckets.length >= HEAVY_TERMS_SIZE)
      return undefined;
    for (const e of t.e.buckets) {
      const key = entityKey([String(e.key)]);
      const list = byEntity.get(key) ?? [];
      list.push({ startMs: Number(t.key), count: e.doc_count });
      byEntity.set(key, list);
    }
  }
  return byEntity;
}

/** Rules with more candidates than this by their totals also get the bucket bound (a search more). */
export const HEAVY_AFTER_CANDIDATES = 500;

interface HeavyOfRule {
  buckets: Map<string, HeavyBucket[]>;
  cut: boolean;
}

/**
 * The heavy buckets (prune-bound.ts) of the entities that pass the prune by totals, for the rules
 * grouped by one field where those are many: one round, one search per 10,000 entities. Rules with
 * few such entities go straight to their series, which costs less than the search.
 */
async function collectHeavy(
  client: Client,
  rules: Rule[],
  intervalFor: (rule: Rule) => Interval,
  totals: Map<string, (EntityTotals & { key: string[] })[]>,
  totalJobs: Job[],
  stats: CollectStats,
): Promise<Map<string, HeavyOfRule>> {
  const byRule = new Map<string, HeavyOfRule>();
  const jobs: Job[] = [];
  for (const rule of rules) {
    if (totalJobs.find((j) => j.rule.id === rule.id)?.error) continue;
    const passing = (totals.get(rule.id) ?? []).filter((t) => couldReach(rule, t));
    if (passing.length <= HEAVY_AFTER_CANDIDATES) continue;
    const state: HeavyOfRule = { buckets: new Map(), cut: false };
    for (let i = 0; i < passing.length; i += HEAVY_TERMS_SIZE) {
      const values = passing.slice(i, i + HEAVY_TERMS_SIZE).map((t) => t.key[0]);
      const item = buildHeavyQuery(rule, intervalFor(rule), values);
      if (!item) break;
      byRule.set(rule.id, state);
      jobs.push({
        rule,
        pageSize: 1,
        build: () => item,
        done: false,
        onPage: (resp) => {
          const found = readHeavy(resp);
          if (!found) state.cut = true;
          else for (const [k, list] of found) state.buckets.set(k, list);
        },
      });
    }
  }
  await runJobs(client, jobs, stats);
  for (const j of jobs) if (j.error) (byRule.get(j.rule.id) as HeavyOfRule).cut = true;
  return byRule;
}

export async function collectRuleValues(
  client: Client,
  rules: Rule[],
  intervalOf: Interval | ((rule: Rule) => Interval),
): Promise<{ values: RuleValues[]; stats: CollectStats }> {
  const intervalFor = typeof intervalOf === 'function' ? intervalOf : () => intervalOf;
  const stats: CollectStats = { took: 0, rounds: 0, searches: 0 };
  type Totals = EntityTotals & { key: string[] };
  const totals = new Map<string, Totals[]>();
  const totalJobs: Job[] = rules.map((rule) => {
    const interval = intervalFor(rule);
    const list: Totals[] = [];
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
          const t = readTotals(all);
          if (t.total.count > 0) list.push({ key: [], ...t });
          return;
        }
        const comp = aggs.entities as estypes.AggregationsCompositeAggregate | undefined;
        if (!comp) return;
        for (const b of comp.buckets as unknown as Record<string, unknown>[]) {
          const key = rule.group_by.map((_, i) => String((b.key as Record<string, unknown>)[`g${i}`]));
          list.push({ key, ...readTotals(b) });
        }
      },
    };
  });
  await runJobs(client, totalJobs, stats);
  const heavyByRule = await collectHeavy(client, rules, intervalFor, totals, totalJobs, stats);

  const values: RuleValues[] = [];
  const seriesJobs: Job[] = [];
  const seriesByRule = new Map<string, Map<string, EntitySeries>>();
  for (const job of totalJobs) {
    const rule = rules.find((r) => r.id === job.rule.id) as Rule;
    const interval = intervalFor(rule);
    const lengthMs = interval.endMs - interval.startMs;
    if (job.error) continue;
    const all = totals.get(rule.id) ?? [];
    const heavy = heavyByRule.get(rule.id);
    // entities without a heavy bucket have none; a failed or cut heavy search leaves them unknown
    if (heavy && !heavy.cut) for (const t of all) t.heavy = heavy.buckets.get(entityKey(t.key)) ?? [];
    let candidates = all.filter((t) => couldReach(rule, t));
    // a baseline rule evaluates its largest entities by its metric (bytes, not requests)
    if (rule.baseline) candidates = baselineCandidates(rule.metric, candidates, rule.baseline.max_entities);
    // the whole interval is one span: the totals are the answer (a distinct count is the
    // cardinality aggregation's: exact below its precision_threshold but for hash collisions)
    const oneSpan = lengthMs <= rule.window;
    if (oneSpan || candidates.length === 0) {
      const series = candidates.map((c) => ({ key: c.key, buckets: new Map([[interval.startMs, c.total]]) }));
      values.push({ rule, ok: true, series, totalEntities: all.length });
      continue;
    }
    const byKey = new Map<string, EntitySeries>();
    for (const c of candidates) byKey.set(entityKey(c.key), { key: c.key, buckets: new Map() });
    seriesByRule.set(rule.id, byKey);
    values.push({ rule, ok: true, series: [], totalEntities: all.length });
    for (let i = 0; i < candidates.length; i += CANDIDATES_PER_SEARCH) {
      const chunk = candidates.slice(i, i + CANDIDATES_PER_SEARCH);
      const perField = rule.group_by.map((_, f) => [...new Set(chunk.map((c) => c.key[f]))]);
      seriesJobs.push({
        rule,
        pageSize: SERIES_PAGE_SIZE,
        build: (after) => buildSeriesQuery(rule, interval, perField, after),
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
