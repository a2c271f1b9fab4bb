/**
 * Pure: per-entity values of one rule → findings, judged against the threshold in force at each
 * span's end (business hours or off-hours in the calendar's zone).
 */
import type { Calendar } from '../config/schema';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import type { Finding } from '../types';
import { thresholdFor } from './calendar';
import type { EntitySeries } from './series';
import { type SpanResult, scanSpans } from './sliding-window';

export interface RuleEvaluation {
  findings: Finding[];
  /** per entity, the highest value seen in any span (for baselines and recovery) */
  peaks: { entity: Record<string, string>; peak: SpanResult }[];
}

export interface SeriesInput {
  series: EntitySeries[];
  bucketMs: number;
  spanBuckets: number;
}

export function entityOf(rule: Pick<Rule, 'group_by'>, key: string[]): Record<string, string> {
  return Object.fromEntries(rule.group_by.map((f, i) => [f, key[i]]));
}

export function evaluateRule(rule: Rule, input: SeriesInput, interval: Interval, calendar: Calendar): RuleEvaluation {
  const findings: Finding[] = [];
  const peaks: RuleEvaluation['peaks'] = [];
  const thresholds = rule.thresholds;
  const thresholdAt = (ms: number) => (thresholds ? thresholdFor(thresholds, ms, calendar) : { threshold: Number.POSITIVE_INFINITY, schedule: thresholdFor({ business_hours: 0, off_hours: 0 }, ms, calendar).schedule });
  for (const s of input.series) {
    const scan = scanSpans({ series: s, bucketMs: input.bucketMs, spanBuckets: input.spanBuckets, interval, metric: rule.metric, thresholdAt });
    const entity = entityOf(rule, s.key);
    peaks.push({ entity, peak: scan.peak });
    if (scan.firing) findings.push(toFinding(rule, entity, scan.firing, calendar));
  }
  findings.sort((a, b) => b.value / b.threshold - a.value / a.threshold);
  return { findings, peaks };
}

export function toFinding(rule: Rule, entity: Record<string, string>, span: SpanResult, calendar: Calendar): Finding {
  return {
    rule: rule.id,
    title: rule.title,
    description: rule.description,
    remediation: rule.remediation,
    severity: rule.severity,
    entity,
    value: round(span.value),
    threshold: span.threshold,
    schedule: span.schedule,
    window: { start: new Date(span.startMs).toISOString(), end: new Date(span.endMs).toISOString() },
    samples: [],
    indices: rule.indices,
    timezone: calendar.timezone,
    channels: rule.channels,
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
