/** What the weekly report shows: plain data, computed by collect-report, drawn by charts and html. */
import type { Severity } from '../types';
import type { AnomalyAlertRow, FailureType } from './failure-summary';

export interface ReportPeriod {
  /** first instant (start of the first day in the calendar's zone) and the end (now), epoch ms */
  startMs: number;
  endMs: number;
  /** the report's days in the calendar's zone, yyyy-MM-dd, oldest first */
  days: string[];
  timezone: string;
}

export interface AlertsByDay {
  day: string;
  severity: Severity;
  count: number;
}

export interface RuleDayCount {
  rule: string;
  day: string;
  count: number;
}

/** Daily event volume of one rule and its baseline band (trailing mean ± 1σ), per report day. */
export interface VolumePoint {
  rule: string;
  day: string;
  count: number;
  /** absent when the rule has fewer than MIN_BASELINE_DAYS days of history before this day */
  mean?: number;
  low?: number;
  high?: number;
}

export interface RankedEntity {
  value: string;
  count: number;
}

export interface ScheduleDayCount {
  day: string;
  schedule: 'business hours' | 'off-hours';
  count: number;
}

export interface NewEntity {
  field: 'source.ip' | 'user.name';
  value: string;
  firstSeen: string;
  count: number;
}

export interface RuleSummary {
  id: string;
  title: string;
  severity: Severity;
  alerts: number;
  events: number;
}

export interface ReportData {
  period: ReportPeriod;
  generatedAt: string;
  /** alerts (new and escalated; repeats are suppressed before they are written) per day by severity */
  alertsByDay: AlertsByDay[];
  alertsByRuleDay: RuleDayCount[];
  volume: VolumePoint[];
  topSourceIps: RankedEntity[];
  topUsers: RankedEntity[];
  schedule: ScheduleDayCount[];
  newEntities: NewEntity[];
  rules: RuleSummary[];
  /** failed events by action × dataset × outcome, with their latest messages (failure-summary) */
  failureTypes: FailureType[];
  /** the anomaly rules' alerts of the period, highest score first */
  anomalyAlerts: AnomalyAlertRow[];
  /** one line per search that failed; the report still shows the rest */
  warnings: string[];
  /** days of history before each day that make its baseline */
  baselineDays: number;
  /** days before the period an entity must be absent from to count as new */
  newEntityLookbackDays: number;
}

export const MIN_BASELINE_DAYS = 2;
