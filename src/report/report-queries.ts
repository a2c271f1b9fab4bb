/**
 * Pure builders for the weekly report's searches, sent together as one `_msearch`:
 *  - alerts   the alerts index over the period: per day by severity, per rule per day, entities;
 *  - volume   one per rule: its matching events per day, from `baselineDays` before the period;
 *  - activity one per source group: events that match any of its rules (top IPs and users,
 *             15-minute buckets for business vs off-hours, first-seen time of every entity).
 */
import type { estypes } from '@elastic/elasticsearch';
import { allowlistClauses } from '../query/allowlist-filter';
import { headerFor, ruleFilter } from '../query/build-rule-query';
import { mapField, mapQueryFields } from '../query/field-map';
import type { MsearchItem } from '../query/types';
import type { Rule } from '../rules/rule-schema';

export const DAY_MS = 86_400_000;
export const TOP_N = 10;
/** distinct entities fetched for "new this week", newest first */
export const NEW_ENTITY_CANDIDATES = 500;
export const ACTIVITY_BUCKET = '15m';

export interface ReportWindow {
  startMs: number;
  endMs: number;
  timezone: string;
  baselineDays: number;
  newEntityLookbackDays: number;
}

type Aggs = Record<string, estypes.AggregationsAggregationContainer>;

const range = (field: string, startMs: number, endMs: number): estypes.QueryDslQueryContainer => ({
  range: { [field]: { gte: startMs, lt: endMs, format: 'epoch_millis' } },
});

function perDay(
  field: string,
  w: ReportWindow,
  fromMs: number,
  sub?: Aggs,
): estypes.AggregationsAggregationContainer {
  return {
    date_histogram: {
      field,
      calendar_interval: '1d',
      time_zone: w.timezone,
      min_doc_count: 0,
      extended_bounds: { min: fromMs, max: w.endMs - 1 },
      format: 'yyyy-MM-dd',
    },
    ...(sub ? { aggs: sub } : {}),
  };
}

/**
 * Alerts written by scan/monitor, silenced ones included (they were detected); recoveries are
 * notices and acknowledgements are records of an operator's action, not alerts: both left out.
 */
export function buildAlertsQuery(alertsPrefix: string, w: ReportWindow): MsearchItem {
  return {
    header: { index: `${alertsPrefix}-*`, ignore_unavailable: true, allow_no_indices: true },
    body: {
      size: 0,
      track_total_hits: true,
      query: {
        bool: {
          filter: [range('@timestamp', w.startMs, w.endMs)],
          must_not: [{ terms: { 'vigil.status': ['recovered', 'acknowledged'] } }],
        },
      },
      aggs: {
        days: perDay('@timestamp', w, w.startMs, {
          severity: { terms: { field: 'vigil.severity', size: 10 } },
        }),
        rules: { terms: { field: 'rule.id', size: 200 }, aggs: { days: perDay('@timestamp', w, w.startMs) } },
        ips: { terms: { field: 'source.ip', size: TOP_N } },
        users: { terms: { field: 'user.name', size: TOP_N } },
      },
    },
  };
}

/** Events matching one rule's filter per day, from `baselineDays` before the period to its end. */
export function buildVolumeQuery(rule: Rule, w: ReportWindow): MsearchItem {
  const from = w.startMs - w.baselineDays * DAY_MS;
  return {
    header: headerFor(rule),
    body: {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: ruleFilter(rule, { startMs: from, endMs: w.endMs }) } },
      aggs: { days: perDay(rule.timestampField, w, from) },
    },
  };
}

/** Events of one source group that match any of its rules: who, when, and who is new. */
export function buildActivityQuery(rules: Rule[], w: ReportWindow): MsearchItem {
  const first = rules[0];
  const map = first.fieldMap;
  const ts = first.timestampField;
  const ip = mapField('source.ip', map);
  const user = mapField('user.name', map);
  const from = w.startMs - w.newEntityLookbackDays * DAY_MS;
  const firstSeen = (field: string): estypes.AggregationsAggregationContainer => ({
    terms: { field, size: NEW_ENTITY_CANDIDATES, order: { first: 'desc' } },
    aggs: { first: { min: { field: ts } }, in_period: { filter: range(ts, w.startMs, w.endMs) } },
  });
  return {
    header: headerFor({ indices: [...new Set(rules.flatMap((r) => r.indices))] }),
    body: {
      size: 0,
      track_total_hits: false,
      query: {
        bool: {
          filter: [range(ts, from, w.endMs)],
          should: rules.map((r) => ({
            bool: {
              filter: mapQueryFields(r.filter, r.fieldMap) as estypes.QueryDslQueryContainer,
              must_not: allowlistClauses(r.allowlist, r.fieldMap),
            },
          })),
          minimum_should_match: 1,
        },
      },
      aggs: {
        period: {
          filter: range(ts, w.startMs, w.endMs),
          aggs: {
            ips: { terms: { field: ip, size: TOP_N } },
            users: { terms: { field: user, size: TOP_N } },
            slots: { date_histogram: { field: ts, fixed_interval: ACTIVITY_BUCKET, min_doc_count: 1 } },
          },
        },
        new_ips: firstSeen(ip),
        new_users: firstSeen(user),
      },
    },
  };
}

/** Enabled rules by source group, so each group is searched once for activity. */
export function rulesBySource(rules: Rule[]): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const r of rules) out.set(r.source, [...(out.get(r.source) ?? []), r]);
  return out;
}
