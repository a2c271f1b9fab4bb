/**
 * Baselines in the state index, per rule and entity: hourly values over the baseline period.
 * On first use one composite aggregation over the whole period fills them at once (no 30-day
 * wait); afterwards each cycle adds the hours that closed since. Per rule at most
 * `baseline.max_entities` entities are kept: the largest by the rule's metric over the period
 * (ties by entity key), loaded whole every cycle; the documents of the others are deleted. Each
 * entity has at most period/1h samples.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { readBucket } from '../collect/collect-rule-values';
import { type CollectStats, type Job, runJobs } from '../collect/page-composite';
import type { Calendar } from '../config/schema';
import { QueryError } from '../errors';
import { type BaselineModel, type EntityBaseline, HOUR_MS } from '../evaluate/baseline-model';
import { rankBaselines, trimHours } from '../evaluate/rank-entities';
import { entityKey } from '../evaluate/series';
import {
  aggregationSearch,
  groupSources,
  metricAggs,
  ruleFilter,
  TOTALS_PAGE_SIZE,
} from '../query/build-rule-query';
import type { AfterKey, Interval, MsearchItem } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { entityDoc, loadStoredBaselines, ruleDocId, type StoredBaselines } from './baseline-store';
import { deleteStateDocs, readStateDocs, type StateDoc, writeStateDocs } from './state-index';

export function buildHourlyQuery(rule: Rule, interval: Interval, after?: AfterKey): MsearchItem {
  return aggregationSearch(rule, ruleFilter(rule, interval), {
    entities: {
      composite: {
        size: TOTALS_PAGE_SIZE,
        sources: [
          ...groupSources(rule),
          { t: { date_histogram: { field: rule.timestampField, fixed_interval: '1h' } } },
        ],
        ...(after ? { after } : {}),
      },
      aggs: metricAggs(rule) as Record<string, estypes.AggregationsAggregationContainer>,
    },
  });
}

function hourlyValue(rule: Rule, b: Record<string, unknown>): number {
  const v = readBucket(b);
  return rule.metric.type === 'count' ? v.count : v.sum;
}

export interface BaselineLoad {
  models: Map<string, BaselineModel>;
  /**
   * Rules whose baseline could not be loaded (reason `baseline`). They have no model, and
   * evaluated without one a baseline-only rule would fire on nothing: the cycle must fail them.
   */
  failures: Map<string, QueryError>;
  bootstrapped: string[];
  stats: CollectStats;
  /** documents written (0 in dry runs) */
  writes: number;
  /** entity documents deleted: entities that fell out of the top max_entities (0 in dry runs) */
  deletes: number;
}

/**
 * Loads the baselines of the rules that declare one, bootstrapping or extending them up to the
 * last full hour before `untilMs`. Writes the new hours unless `dryRun`.
 */
export async function loadBaselines(
  client: Client,
  index: string,
  rules: Rule[],
  calendar: Calendar,
  untilMs: number,
  dryRun: boolean,
): Promise<BaselineLoad> {
  const withBaseline = rules.filter((r) => r.baseline);
  const stats: CollectStats = { took: 0, rounds: 0, searches: 0 };
  const models = new Map<string, BaselineModel>();
  const out: BaselineLoad = { models, failures: new Map(), bootstrapped: [], stats, writes: 0, deletes: 0 };
  if (withBaseline.length === 0) return out;
  const metas = await readStateDocs(
    client,
    index,
    withBaseline.map((r) => ruleDocId(r.id)),
  );
  const endHour = Math.floor(untilMs / HOUR_MS) * HOUR_MS;
  const plans = await Promise.all(
    withBaseline.map(async (rule) => {
      const spec = rule.baseline as NonNullable<Rule['baseline']>;
      const meta = metas.get(ruleDocId(rule.id))?.body as { complete_until?: number } | undefined;
      const oldest = endHour - spec.period;
      const stored: StoredBaselines = meta?.complete_until
        ? await loadStoredBaselines(client, index, rule.id, oldest, spec.max_entities)
        : { entities: new Map<string, EntityBaseline>(), ids: new Map(), dropped: [] };
      const from = Math.max(meta?.complete_until ?? 0, oldest);
      const bootstrap = !meta?.complete_until;
      return { rule, spec, stored, entities: stored.entities, from, touched: new Set<string>(), bootstrap };
    }),
  );
  const jobs: Job[] = plans
    .filter((p) => p.from < endHour)
    .map((p) => ({
      rule: p.rule,
      pageSize: TOTALS_PAGE_SIZE,
      done: false,
      build: (after?: AfterKey) => buildHourlyQuery(p.rule, { startMs: p.from, endMs: endHour }, after),
      onPage: (resp: estypes.SearchResponse) => {
        const comp = (resp.aggregations as Record<string, estypes.AggregationsCompositeAggregate> | undefined)
          ?.entities;
        for (const b of (comp?.buckets ?? []) as unknown as Record<string, unknown>[]) {
          const k = b.key as Record<string, unknown>;
          const key = p.rule.group_by.map((_, i) => String(k[`g${i}`]));
          const id = entityKey(key);
          const hour = Number(k.t);
          const e = p.entities.get(id) ?? { hours: new Map(), firstSeen: hour };
          e.hours.set(hour, hourlyValue(p.rule, b));
          e.firstSeen = Math.min(e.firstSeen, hour);
          p.entities.set(id, e);
          p.touched.add(id);
        }
      },
    }));
  await runJobs(client, jobs, stats);
  const writes: { id: string; doc: StateDoc }[] = [];
  const deletes: string[] = [];
  const now = new Date().toISOString();
  for (const p of plans) {
    const failed = jobs.find((j) => j.rule.id === p.rule.id && j.error)?.error;
    if (failed) {
      // nothing is written: the stored baseline stays, and the hours are fetched again next cycle
      out.failures.set(p.rule.id, baselineError(p.rule.id, failed));
      continue;
    }
    if (p.bootstrap) out.bootstrapped.push(p.rule.id);
    // bound the state: drop hours older than the period, keep the top max_entities by the metric
    const oldest = endHour - p.spec.period;
    const trimmed = new Map([...p.entities].map(([id, e]) => [id, trimHours(e, oldest)] as const));
    const { kept, dropped } = rankBaselines(trimmed, p.spec.max_entities);
    models.set(p.rule.id, {
      spec: p.spec,
      timezone: calendar.timezone,
      completeUntil: endHour,
      entities: kept,
    });
    for (const [id, e] of kept) if (p.touched.has(id)) writes.push(entityDoc(p.rule.id, id, e, now));
    deletes.push(...p.stored.dropped);
    for (const id of dropped) {
      const docId = p.stored.ids.get(id);
      if (docId) deletes.push(docId);
    }
    writes.push({
      id: ruleDocId(p.rule.id),
      doc: { doc_type: 'baseline', rule: p.rule.id, updated_at: now, body: { complete_until: endHour } },
    });
  }
  if (!dryRun) {
    for (let i = 0; i < writes.length; i += 500)
      await writeStateDocs(client, index, writes.slice(i, i + 500), false);
    for (let i = 0; i < deletes.length; i += 500)
      await deleteStateDocs(client, index, deletes.slice(i, i + 500));
    out.writes = writes.length;
    out.deletes = deletes.length;
  }
  return out;
}

function baselineError(rule: string, e: QueryError): QueryError {
  const detail = e.message.startsWith(`${rule}: `) ? e.message.slice(rule.length + 2) : e.message;
  return new QueryError(`${rule}: the baseline search failed: ${detail}`, {
    cause: e,
    ruleId: rule,
    reason: 'baseline',
  });
}
