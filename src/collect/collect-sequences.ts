/**
 * Collects the 1-second `first`/`followed_by` counts of sequence rules, one `_msearch` per round for all
 * of them:
 *   round 1..n  candidates: per entity, `first` events over [start − window, end) and `followed_by`
 *               events in [start, end) (composite pages, every page fetched)
 *   round n+1.. 1-second buckets of the entities that have a `followed_by` in the interval and at least
 *               the lower threshold of `first` events: the only ones that can fire
 * No entity is cut off: composite aggregations are paged by after_key to the end.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { QueryError } from '../errors';
import type { EntitySeconds } from '../evaluate/evaluate-sequence';
import { entityKey } from '../evaluate/series';
import {
  buildSequenceCandidatesQuery,
  buildSequenceSecondsQuery,
  SEQUENCE_PAGE_SIZE,
} from '../query/build-sequence-query';
import type { Interval } from '../query/types';
import type { Rule, SequenceSpec } from '../rules/rule-schema';
import { type CollectStats, type Job, runJobs } from './page-composite';

type SequenceRule = Rule & { sequence: SequenceSpec };

export type SequenceValues =
  | { rule: Rule; ok: true; entities: EntitySeconds[]; totalEntities: number }
  | { rule: Rule; ok: false; error: QueryError };

const CANDIDATES_PER_SEARCH = 1000;

const docCount = (b: Record<string, unknown>, name: string) =>
  (b[name] as { doc_count?: number } | undefined)?.doc_count ?? 0;

function keyOf(rule: Rule, b: Record<string, unknown>): string[] {
  const k = b.key as Record<string, unknown>;
  return rule.group_by.map((_, i) => String(k[`g${i}`]));
}

function compositeBuckets(resp: estypes.SearchResponse, name: string): Record<string, unknown>[] {
  const comp = (resp.aggregations as Record<string, estypes.AggregationsCompositeAggregate> | undefined)?.[
    name
  ];
  return (comp?.buckets ?? []) as unknown as Record<string, unknown>[];
}

export async function collectSequences(
  client: Client,
  rules: SequenceRule[],
  intervalFor: (rule: Rule) => Interval,
): Promise<{ values: SequenceValues[]; stats: CollectStats }> {
  const stats: CollectStats = { took: 0, rounds: 0, searches: 0 };
  const candidates = new Map<string, string[][]>();
  const seen = new Map<string, number>();
  const candidateJobs: Job[] = rules.map((rule) => {
    const low = Math.min(rule.thresholds?.business_hours ?? 1, rule.thresholds?.off_hours ?? 1);
    const list: string[][] = [];
    candidates.set(rule.id, list);
    seen.set(rule.id, 0);
    return {
      rule,
      pageSize: SEQUENCE_PAGE_SIZE,
      build: (after) => buildSequenceCandidatesQuery(rule, intervalFor(rule), after),
      done: false,
      onPage: (resp) => {
        const buckets = compositeBuckets(resp, 'entities');
        seen.set(rule.id, (seen.get(rule.id) ?? 0) + buckets.length);
        for (const b of buckets)
          if (docCount(b, 'followed_by') > 0 && docCount(b, 'first') >= low) list.push(keyOf(rule, b));
      },
    };
  });
  await runJobs(client, candidateJobs, stats);

  const byRule = new Map<string, Map<string, EntitySeconds>>();
  const secondsJobs: Job[] = [];
  for (const rule of rules) {
    const list = candidates.get(rule.id) ?? [];
    const byKey = new Map<string, EntitySeconds>();
    for (const key of list) byKey.set(entityKey(key), { key, seconds: new Map() });
    byRule.set(rule.id, byKey);
    for (let i = 0; i < list.length; i += CANDIDATES_PER_SEARCH) {
      const chunk = list.slice(i, i + CANDIDATES_PER_SEARCH);
      const perField = rule.group_by.map((_, f) => [...new Set(chunk.map((c) => c[f]))]);
      secondsJobs.push({
        rule,
        pageSize: SEQUENCE_PAGE_SIZE,
        build: (after) => buildSequenceSecondsQuery(rule, intervalFor(rule), perField, after),
        done: false,
        onPage: (resp) => {
          for (const b of compositeBuckets(resp, 'series')) {
            // a combination of candidate values that is not itself a candidate is left out
            const s = byKey.get(entityKey(keyOf(rule, b)));
            if (!s) continue;
            const t = Number((b.key as Record<string, unknown>).t);
            s.seconds.set(t, { first: docCount(b, 'first'), followedBy: docCount(b, 'followed_by') });
          }
        },
      });
    }
  }
  await runJobs(client, secondsJobs, stats);

  const values: SequenceValues[] = rules.map((rule) => {
    const failed = [...candidateJobs, ...secondsJobs].find((j) => j.rule.id === rule.id && j.error);
    if (failed?.error) return { rule, ok: false, error: failed.error };
    const entities = [...(byRule.get(rule.id)?.values() ?? [])].filter((e) => e.seconds.size > 0);
    return { rule, ok: true, entities, totalEntities: seen.get(rule.id) ?? 0 };
  });
  return { values, stats };
}
