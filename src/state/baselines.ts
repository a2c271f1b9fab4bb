/**
 * Baselines in the state index, per rule and entity: hourly values over the baseline period.
 * On first use one composite aggregation over the whole period fills them at once (no 30-day
 * wait); afterwards each cycle adds the hours that closed since. Per rule at most
 * `baseline.max_entities` entities are kept (the busiest), each with at most period/1h samples.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { readBucket } from '../collect/collect-rule-values';
import { type CollectStats, type Job, runJobs } from '../collect/page-composite';
import type { Calendar } from '../config/schema';
import { QueryError } from '../errors';
import { type BaselineModel, type EntityBaseline, HOUR_MS } from '../evaluate/baseline-model';
import { entityKey } from '../evaluate/series';
import { groupSources, headerFor, metricAggs, ruleFilter, TOTALS_PAGE_SIZE } from '../query/build-rule-query';
import type { AfterKey, Interval, MsearchItem } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { alertStateDocId } from './alert-id';
import { readStateDocs, searchStateDocs, writeStateDocs } from './state-index';

const ruleDocId = (rule: string) => `baseline:${rule}`;
const entityDocId = (rule: string, key: string[]) =>
  alertStateDocId(rule, Object.fromEntries(key.map((v, i) => [String(i), v]))).replace(
    /^alert:/,
    'baseline:',
  );

export function buildHourlyQuery(rule: Rule, interval: Interval, after?: AfterKey): MsearchItem {
  return {
    header: headerFor(rule),
    body: {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: ruleFilter(rule, interval) } },
      aggs: {
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
      },
    },
  };
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
  /** entity docs to write (empty in dry runs) */
  writes: number;
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
  const out: BaselineLoad = { models, failures: new Map(), bootstrapped: [], stats, writes: 0 };
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
      const entities = new Map<string, EntityBaseline>();
      if (meta?.complete_until) {
        for (const { doc } of await searchStateDocs(
          client,
          index,
          {
            bool: {
              filter: [
                { term: { doc_type: 'baseline' } },
                { term: { rule: rule.id } },
                { exists: { field: 'entity_key' } },
              ],
            },
          },
          spec.max_entities,
        )) {
          const body = doc.body as { key: string[]; hours: [number, number][]; first_seen: number };
          entities.set(entityKey(body.key), { hours: new Map(body.hours), firstSeen: body.first_seen });
        }
      }
      const from = Math.max(meta?.complete_until ?? 0, endHour - spec.period);
      return { rule, spec, entities, from, touched: new Set<string>(), bootstrap: !meta?.complete_until };
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
  const writes: { id: string; doc: Parameters<typeof writeStateDocs>[2][number]['doc'] }[] = [];
  for (const p of plans) {
    const failed = jobs.find((j) => j.rule.id === p.rule.id && j.error)?.error;
    if (failed) {
      // nothing is written: the stored baseline stays, and the hours are fetched again next cycle
      out.failures.set(p.rule.id, baselineError(p.rule.id, failed));
      continue;
    }
    if (p.bootstrap) out.bootstrapped.push(p.rule.id);
    // bound the state: drop hours older than the period, keep the busiest max_entities
    const oldest = endHour - p.spec.period;
    for (const e of p.entities.values())
      for (const h of [...e.hours.keys()]) if (h < oldest) e.hours.delete(h);
    const ranked = [...p.entities.entries()]
      .sort((a, b) => sum(b[1]) - sum(a[1]))
      .slice(0, p.spec.max_entities);
    const kept = new Map(ranked);
    models.set(p.rule.id, {
      spec: p.spec,
      timezone: calendar.timezone,
      completeUntil: endHour,
      entities: kept,
    });
    const now = new Date().toISOString();
    for (const [id, e] of kept) {
      if (!p.touched.has(id)) continue;
      const key = JSON.parse(id) as string[];
      writes.push({
        id: entityDocId(p.rule.id, key),
        doc: {
          doc_type: 'baseline',
          rule: p.rule.id,
          entity_key: id,
          updated_at: now,
          body: { key, hours: [...e.hours], first_seen: e.firstSeen },
        },
      });
    }
    writes.push({
      id: ruleDocId(p.rule.id),
      doc: { doc_type: 'baseline', rule: p.rule.id, updated_at: now, body: { complete_until: endHour } },
    });
  }
  if (!dryRun) {
    for (let i = 0; i < writes.length; i += 500)
      await writeStateDocs(client, index, writes.slice(i, i + 500), false);
    out.writes = writes.length;
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

const sum = (e: EntityBaseline) => [...e.hours.values()].reduce((a, b) => a + b, 0);
