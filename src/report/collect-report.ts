/** Elasticsearch I/O for the weekly report: one `_msearch`, shaped into ReportData. */
import type { Client, estypes } from '@elastic/elasticsearch';
import { DateTime } from 'luxon';
import { runMsearch } from '../collect/run-msearch';
import type { Calendar } from '../config/schema';
import { ElasticsearchUnavailable } from '../errors';
import { scheduleAt } from '../evaluate/calendar';
import type { Rule } from '../rules/rule-schema';
import { SEVERITIES, type Severity } from '../types';
import {
  buildAnomalyAlertsQuery,
  buildFailuresQuery,
  readAnomalyAlerts,
  readFailureTypes,
} from './failure-summary';
import {
  MIN_BASELINE_DAYS,
  type NewEntity,
  type RankedEntity,
  type ReportData,
  type ReportPeriod,
  type VolumePoint,
} from './report-data';
import {
  buildActivityQuery,
  buildAlertsQuery,
  buildVolumeQuery,
  type ReportWindow,
  rulesBySource,
} from './report-queries';

export interface ReportOptions {
  days: number;
  nowMs: number;
  calendar: Calendar;
  alertsIndex: string;
  baselineDays?: number;
  newEntityLookbackDays?: number;
}

/** The period: `days` calendar days in the calendar's zone, the last one being today (up to now). */
export function reportPeriod(days: number, nowMs: number, timezone: string): ReportPeriod {
  const today = DateTime.fromMillis(nowMs, { zone: timezone }).startOf('day');
  const first = today.minus({ days: days - 1 });
  const list = Array.from({ length: days }, (_, i) => first.plus({ days: i }).toISODate() as string);
  return { startMs: first.toMillis(), endMs: nowMs, days: list, timezone };
}

interface Bucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  [sub: string]: unknown;
}

const buckets = (agg: unknown): Bucket[] =>
  ((agg as { buckets?: Bucket[] } | undefined)?.buckets ?? []) as Bucket[];
const dayOf = (b: Bucket) => b.key_as_string ?? String(b.key);
const ranked = (agg: unknown): RankedEntity[] =>
  buckets(agg).map((b) => ({ value: String(b.key_as_string ?? b.key), count: b.doc_count }));

export async function collectReport(client: Client, rules: Rule[], opts: ReportOptions): Promise<ReportData> {
  const period = reportPeriod(opts.days, opts.nowMs, opts.calendar.timezone);
  const w: ReportWindow = {
    startMs: period.startMs,
    endMs: period.endMs,
    timezone: period.timezone,
    baselineDays: opts.baselineDays ?? 14,
    newEntityLookbackDays: opts.newEntityLookbackDays ?? 28,
  };
  const enabled = rules.filter((r) => r.enabled);
  const groups = [...rulesBySource(enabled)];
  const anomalyIds = rules.filter((r) => r.anomaly).map((r) => r.id);
  const items = [
    buildAlertsQuery(opts.alertsIndex, w),
    ...enabled.map((r) => buildVolumeQuery(r, w)),
    ...groups.map(([, rs]) => buildActivityQuery(rs, w)),
    ...(rules.length ? [buildFailuresQuery(rules, w)] : []),
    ...(anomalyIds.length ? [buildAnomalyAlertsQuery(opts.alertsIndex, anomalyIds, w)] : []),
  ];
  const labels = [
    'alerts',
    ...enabled.map((r) => `rule ${r.id}`),
    ...groups.map(([g]) => `source ${g}`),
    ...(rules.length ? ['failures by type'] : []),
    ...(anomalyIds.length ? ['anomaly alerts'] : []),
  ];
  const { results } = await runMsearch(client, items, labels);
  const warnings: string[] = [];
  const ok = (i: number): estypes.SearchResponse | undefined => {
    const r = results[i];
    if (r.ok) return r.response;
    if (r.error.reason !== 'index_missing') warnings.push(r.error.message);
    return undefined;
  };
  if (results.length > 0 && results.every((r) => !r.ok && r.error.reason !== 'index_missing')) {
    throw new ElasticsearchUnavailable(`every report search failed: ${warnings[0]}`);
  }

  const data: ReportData = {
    period,
    generatedAt: new Date(opts.nowMs).toISOString(),
    alertsByDay: [],
    alertsByRuleDay: [],
    volume: [],
    topSourceIps: [],
    topUsers: [],
    schedule: [],
    newEntities: [],
    rules: [],
    failureTypes: [],
    anomalyAlerts: [],
    warnings,
    baselineDays: w.baselineDays,
    newEntityLookbackDays: w.newEntityLookbackDays,
  };
  const inPeriod = new Set(period.days);
  const extra = 1 + enabled.length + groups.length;
  if (rules.length) data.failureTypes = readFailureTypes(ok(extra)?.aggregations as Record<string, unknown>);
  if (anomalyIds.length) data.anomalyAlerts = readAnomalyAlerts(ok(extra + (rules.length ? 1 : 0)));

  const alerts = ok(0)?.aggregations;
  const alertsPerRule = new Map<string, number>();
  if (alerts) {
    for (const day of buckets(alerts.days)) {
      if (!inPeriod.has(dayOf(day))) continue;
      for (const s of buckets(day.severity)) {
        if ((SEVERITIES as readonly string[]).includes(String(s.key)))
          data.alertsByDay.push({ day: dayOf(day), severity: s.key as Severity, count: s.doc_count });
      }
    }
    for (const r of buckets(alerts.rules)) {
      alertsPerRule.set(String(r.key), r.doc_count);
      for (const d of buckets(r.days))
        if (inPeriod.has(dayOf(d)) && d.doc_count > 0)
          data.alertsByRuleDay.push({ rule: String(r.key), day: dayOf(d), count: d.doc_count });
    }
  }

  enabled.forEach((rule, i) => {
    const aggs = ok(1 + i)?.aggregations;
    const series = buckets(aggs?.days).map((b) => ({ day: dayOf(b), count: b.doc_count }));
    const points = volumeWithBaseline(rule.id, series, period.days, w.baselineDays);
    data.volume.push(...points);
    data.rules.push({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      alerts: alertsPerRule.get(rule.id) ?? 0,
      events: points.reduce((a, p) => a + p.count, 0),
    });
  });

  const ips = new Map<string, number>();
  const users = new Map<string, number>();
  const slots = new Map<string, { business: number; off: number }>(
    period.days.map((d) => [d, { business: 0, off: 0 }]),
  );
  const fresh = new Map<string, NewEntity>();
  groups.forEach((_, g) => {
    const aggs = ok(1 + enabled.length + g)?.aggregations as Record<string, Bucket> | undefined;
    if (!aggs) return;
    for (const e of ranked(aggs.period.ips)) ips.set(e.value, (ips.get(e.value) ?? 0) + e.count);
    for (const e of ranked(aggs.period.users)) users.set(e.value, (users.get(e.value) ?? 0) + e.count);
    for (const s of buckets(aggs.period.slots)) {
      const at = Number(s.key);
      const day = DateTime.fromMillis(at, { zone: period.timezone }).toISODate() as string;
      const slot = slots.get(day);
      if (!slot) continue;
      if (scheduleAt(at, opts.calendar) === 'business_hours') slot.business += s.doc_count;
      else slot.off += s.doc_count;
    }
    for (const [agg, field] of [
      [aggs.new_ips, 'source.ip'],
      [aggs.new_users, 'user.name'],
    ] as const) {
      for (const b of buckets(agg)) {
        const firstMs = (b.first as { value?: number } | undefined)?.value ?? 0;
        const key = `${field}\u0000${b.key_as_string ?? b.key}`;
        const count = (b.in_period as { doc_count?: number } | undefined)?.doc_count ?? 0;
        const prev = fresh.get(key);
        if (prev && Date.parse(prev.firstSeen) <= firstMs) continue;
        fresh.set(key, {
          field,
          value: String(b.key_as_string ?? b.key),
          firstSeen: new Date(firstMs).toISOString(),
          count,
        });
      }
    }
  });
  const top = (m: Map<string, number>) =>
    [...m]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
      .slice(0, 10);
  data.topSourceIps = top(ips);
  data.topUsers = top(users);
  for (const [day, s] of slots) {
    data.schedule.push(
      { day, schedule: 'business hours', count: s.business },
      { day, schedule: 'off-hours', count: s.off },
    );
  }
  data.newEntities = [...fresh.values()]
    .filter((e) => Date.parse(e.firstSeen) >= period.startMs)
    .sort((a, b) => a.field.localeCompare(b.field) || b.count - a.count || a.value.localeCompare(b.value));
  return data;
}

/**
 * Daily counts of one rule over the period, each with the band mean ± 1σ of the `baselineDays`
 * days before it. Days before the rule's first event do not count (a new source has no history,
 * not a history of zeros); fewer than MIN_BASELINE_DAYS days of history give no band.
 */
export function volumeWithBaseline(
  rule: string,
  series: { day: string; count: number }[],
  days: string[],
  baselineDays: number,
): VolumePoint[] {
  const firstData = series.findIndex((s) => s.count > 0);
  const index = new Map(series.map((s, i) => [s.day, i]));
  return days.map((day) => {
    const i = index.get(day);
    const count = i === undefined ? 0 : series[i].count;
    if (i === undefined || firstData < 0) return { rule, day, count };
    const history = series.slice(Math.max(firstData, i - baselineDays), i).map((s) => s.count);
    if (history.length < MIN_BASELINE_DAYS) return { rule, day, count };
    const mean = history.reduce((a, b) => a + b, 0) / history.length;
    const sd = Math.sqrt(history.reduce((a, b) => a + (b - mean) ** 2, 0) / history.length);
    return {
      rule,
      day,
      count,
      mean: round(mean),
      low: round(Math.max(0, mean - sd)),
      high: round(mean + sd),
    };
  });
}

const round = (x: number) => Math.round(x * 10) / 10;
