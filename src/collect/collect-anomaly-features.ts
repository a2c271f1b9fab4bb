/**
 * Elasticsearch I/O for anomaly rules: feature vectors per (entity, window), from composite
 * aggregations paged to the end.
 *   training  every (entity, fixed window) of the training period; beyond max_samples a uniform
 *             reservoir sample is kept (seeded), and the population is counted
 *   scoring   every entity in each window a cycle scores, for many rules in one `_msearch` a round
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { QueryError } from '../errors';
import { seededRandom } from '../evaluate/isolation-forest';
import {
  type AnomalyRule,
  buildFeatureQuery,
  FEATURE_PAGE_SIZE,
  readFeatureVector,
  scoringWindows,
} from '../query/build-anomaly-query';
import type { Interval } from '../query/types';
import { type CollectStats, type Job, runJobs } from './page-composite';

export interface TrainingVectors {
  vectors: number[][];
  /** every (entity, window) in the period; more than vectors.length when sampled */
  population: number;
  sampled: boolean;
  stats: CollectStats;
  error?: QueryError;
}

const bucketsOf = (resp: estypes.SearchResponse, name: string) =>
  ((resp.aggregations as Record<string, estypes.AggregationsCompositeAggregate> | undefined)?.[name]
    ?.buckets ?? []) as unknown as Record<string, unknown>[];

/** Algorithm R: keeps a uniform sample of at most `max` items of a stream of unknown length. */
export function reservoir<T>(max: number, seed: number) {
  const random = seededRandom(seed);
  const kept: T[] = [];
  let seen = 0;
  return {
    add(item: T) {
      seen++;
      if (kept.length < max) kept.push(item);
      else {
        const j = Math.floor(random() * seen);
        if (j < max) kept[j] = item;
      }
    },
    get kept() {
      return kept;
    },
    get seen() {
      return seen;
    },
  };
}

export async function collectTrainingVectors(
  client: Client,
  rule: AnomalyRule,
  span: Interval,
  seed: number,
): Promise<TrainingVectors> {
  const stats: CollectStats = { took: 0, rounds: 0, searches: 0 };
  const sample = reservoir<number[]>(rule.anomaly.training.max_samples, seed);
  const job: Job = {
    rule,
    pageSize: FEATURE_PAGE_SIZE,
    build: (after) => buildFeatureQuery(rule, span, { windowMs: rule.window, after }),
    done: false,
    onPage: (resp) => {
      for (const b of bucketsOf(resp, 'series')) sample.add(readFeatureVector(rule.anomaly.features, b));
    },
  };
  await runJobs(client, [job], stats);
  return {
    vectors: sample.kept,
    population: sample.seen,
    sampled: sample.seen > sample.kept.length,
    stats,
    error: job.error,
  };
}

export interface WindowVector {
  key: string[];
  window: Interval;
  vector: number[];
}

export type RuleVectors =
  | { rule: AnomalyRule; ok: true; vectors: WindowVector[] }
  | {
      rule: AnomalyRule;
      ok: false;
      error: QueryError;
    };

/** The vectors to score for each rule: every entity with events in each of its scoring windows. */
export async function collectScoringVectors(
  client: Client,
  rules: AnomalyRule[],
  intervalOf: (rule: AnomalyRule) => Interval,
): Promise<{ values: RuleVectors[]; stats: CollectStats }> {
  const stats: CollectStats = { took: 0, rounds: 0, searches: 0 };
  const byRule = new Map<string, { jobs: Job[]; vectors: WindowVector[] }>();
  for (const rule of rules) {
    const vectors: WindowVector[] = [];
    const jobs = scoringWindows(rule.window, intervalOf(rule)).map(
      (window): Job => ({
        rule,
        pageSize: FEATURE_PAGE_SIZE,
        build: (after) => buildFeatureQuery(rule, window, { after }),
        done: false,
        onPage: (resp) => {
          for (const b of bucketsOf(resp, 'entities')) {
            const k = b.key as Record<string, unknown>;
            vectors.push({
              key: rule.group_by.map((_, i) => String(k[`g${i}`])),
              window,
              vector: readFeatureVector(rule.anomaly.features, b),
            });
          }
        },
      }),
    );
    byRule.set(rule.id, { jobs, vectors });
  }
  await runJobs(
    client,
    [...byRule.values()].flatMap((r) => r.jobs),
    stats,
  );
  const values = rules.map((rule): RuleVectors => {
    const r = byRule.get(rule.id) as { jobs: Job[]; vectors: WindowVector[] };
    const failed = r.jobs.find((j) => j.error)?.error;
    return failed ? { rule, ok: false, error: failed } : { rule, ok: true, vectors: r.vectors };
  });
  return { values, stats };
}
