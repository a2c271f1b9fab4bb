/**
 * The report's error summary: failures by type (event.action × event.outcome × event.dataset) with
 * their latest messages, over every source the rules read; and the anomaly rules' alerts of the
 * period with the score and what drove it. Pure builders and readers; collect-report sends them.
 */
import type { estypes } from '@elastic/elasticsearch';
import { cleanLine } from '../notify/sanitize';
import { headerFor } from '../query/build-rule-query';
import { mapField } from '../query/field-map';
import type { MsearchItem } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import type { ReportWindow } from './report-queries';

export const FAILURE_TYPES = 15;
export const MESSAGES_PER_TYPE = 3;
export const ANOMALY_ROWS = 20;

export interface FailureType {
  action: string;
  outcome: string;
  dataset: string;
  count: number;
  /** the latest messages of this type, newest first */
  messages: string[];
}

export interface AnomalyAlertRow {
  at: string;
  rule: string;
  entity: string;
  score: number;
  why: string;
}

const NONE = '(none)';
const range = (field: string, w: ReportWindow) => ({
  range: { [field]: { gte: w.startMs, lt: w.endMs, format: 'epoch_millis' } },
});

/** Failed events of every index the rules read, by action, dataset and outcome, with recent messages. */
export function buildFailuresQuery(rules: Rule[], w: ReportWindow): MsearchItem {
  const first = rules[0];
  const f = (name: string) => mapField(name, first.fieldMap);
  const terms = (
    field: string,
    size: number,
    aggs: Record<string, estypes.AggregationsAggregationContainer>,
  ) => ({
    terms: { field: f(field), size, missing: NONE },
    aggs,
  });
  return {
    header: headerFor({ indices: [...new Set(rules.flatMap((r) => r.indices))] }),
    body: {
      size: 0,
      track_total_hits: true,
      query: {
        bool: { filter: [range(first.timestampField, w), { term: { [f('event.outcome')]: 'failure' } }] },
      },
      aggs: {
        actions: terms('event.action', FAILURE_TYPES, {
          datasets: terms('event.dataset', 5, {
            outcomes: terms('event.outcome', 3, {
              latest: {
                top_hits: {
                  size: MESSAGES_PER_TYPE,
                  sort: [{ [first.timestampField]: { order: 'desc' } }],
                  _source: { includes: ['message'] },
                },
              },
            }),
          }),
        }),
      },
    },
  };
}

interface Bucket {
  key: string | number;
  doc_count: number;
  [sub: string]: unknown;
}
const bucketsOf = (agg: unknown) => ((agg as { buckets?: Bucket[] } | undefined)?.buckets ?? []) as Bucket[];

export function readFailureTypes(aggs: Record<string, unknown> | undefined): FailureType[] {
  const out: FailureType[] = [];
  for (const a of bucketsOf(aggs?.actions))
    for (const d of bucketsOf(a.datasets))
      for (const o of bucketsOf(d.outcomes)) {
        const hits =
          (o.latest as { hits?: { hits?: { _source?: { message?: unknown } }[] } })?.hits?.hits ?? [];
        out.push({
          action: cleanLine(String(a.key), 80),
          dataset: cleanLine(String(d.key), 80),
          outcome: cleanLine(String(o.key), 40),
          count: o.doc_count,
          messages: hits.map((h) => cleanLine(String(h._source?.message ?? ''), 200)).filter(Boolean),
        });
      }
  return out.sort((x, y) => y.count - x.count || x.action.localeCompare(y.action));
}

/** The anomaly rules' alerts of the period, highest score first. */
export function buildAnomalyAlertsQuery(
  alertsPrefix: string,
  ruleIds: string[],
  w: ReportWindow,
): MsearchItem {
  return {
    header: { index: `${alertsPrefix}-*`, ignore_unavailable: true, allow_no_indices: true },
    body: {
      size: ANOMALY_ROWS,
      track_total_hits: true,
      query: {
        bool: {
          filter: [range('@timestamp', w), { terms: { 'rule.id': ruleIds } }],
          must_not: [{ term: { 'vigil.status': 'recovered' } }],
        },
      },
      sort: [{ 'vigil.value': { order: 'desc' } }],
      _source: { includes: ['@timestamp', 'rule.id', 'vigil.entity', 'vigil.value', 'vigil.anomaly'] },
    },
  };
}

export function readAnomalyAlerts(resp: estypes.SearchResponse | undefined): AnomalyAlertRow[] {
  return (resp?.hits.hits ?? []).map((h) => {
    const s = (h._source ?? {}) as {
      '@timestamp'?: string;
      rule?: { id?: string };
      vigil?: { entity?: { field: string; value: string }[]; value?: number; anomaly?: { why?: string } };
    };
    return {
      at: String(s['@timestamp'] ?? ''),
      rule: cleanLine(String(s.rule?.id ?? ''), 64),
      entity: cleanLine((s.vigil?.entity ?? []).map((e) => `${e.field}=${e.value}`).join(' '), 120),
      score: Number(s.vigil?.value ?? 0),
      why: cleanLine(String(s.vigil?.anomaly?.why ?? ''), 600),
    };
  });
}
