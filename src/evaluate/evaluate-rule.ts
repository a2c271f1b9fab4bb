/**
 * Pure: per-entity values of one rule → findings, judged against the threshold in force at each
 * span's end (business hours or off-hours in the calendar's zone).
 */
import type { Calendar } from '../config/schema';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import type { Finding } from '../types';
import { precomputeBaseline } from './baseline-lookup';
import { type BaselineLookup, type BaselineModel, baselineContext } from './baseline-model';
import { scheduleAt, thresholdFor } from './calendar';
import { memoByNumber } from './memo';
import { type EntitySeries, entityKey } from './series';
import { type SpanResult, scanSpans } from './sliding-window';

export interface RuleEvaluation {
  findings: Finding[];
  /** per entity, the highest value seen in any span (for baselines and recovery) */
  peaks: { entity: Record<string, string>; peak: SpanResult }[];
}

export interface SeriesInput {
  /** per entity, 1-second buckets (or one bucket of totals when the interval is a single span) */
  series: EntitySeries[];
}

export function entityOf(rule: Pick<Rule, 'group_by'>, key: string[]): Record<string, string> {
  return Object.fromEntries(rule.group_by.map((f, i) => [f, key[i]]));
}

/** The fixed threshold and the schedule at an instant, read once per instant for all entities. */
function fixedThresholdAt(rule: Rule, calendar: Calendar) {
  return memoByNumber((ms) =>
    rule.thresholds
      ? thresholdFor(rule.thresholds, ms, calendar)
      : { threshold: Number.POSITIVE_INFINITY, schedule: scheduleAt(ms, calendar) },
  );
}

/**
 * The threshold at an instant: the fixed one for business hours or off-hours, or the entity's
 * baseline threshold, whichever is lower (a rule with both fires on either).
 */
function thresholdAtFor(
  fixedAt: ReturnType<typeof fixedThresholdAt>,
  baseline: BaselineLookup | undefined,
  entity: string,
  spanMs: number,
) {
  return (ms: number) => {
    const { threshold: fixed, schedule } = fixedAt(ms);
    const b = baseline?.threshold(entity, ms + 1, spanMs);
    return { threshold: b ? Math.min(fixed, b.threshold) : fixed, schedule };
  };
}

export function evaluateRule(
  rule: Rule,
  input: SeriesInput,
  interval: Interval,
  calendar: Calendar,
  baseline?: BaselineModel,
): RuleEvaluation {
  return evaluateRuleWith(rule, input, interval, calendar, baseline && precomputeBaseline(baseline));
}

/** evaluateRule with the baseline as a lookup (precomputed once for all the rule's entities). */
export function evaluateRuleWith(
  rule: Rule,
  input: SeriesInput,
  interval: Interval,
  calendar: Calendar,
  baseline?: BaselineLookup,
): RuleEvaluation {
  const findings: Finding[] = [];
  const peaks: RuleEvaluation['peaks'] = [];
  // a baseline is scaled to the span actually measured: one window, or a shorter whole interval
  const spanMs = Math.min(rule.window, interval.endMs - interval.startMs);
  const fixedAt = fixedThresholdAt(rule, calendar);
  for (const s of input.series) {
    const key = entityKey(s.key);
    const thresholdAt = thresholdAtFor(fixedAt, baseline, key, spanMs);
    const scan = scanSpans({
      series: s,
      interval,
      windowMs: rule.window,
      metric: rule.metric,
      thresholdAt,
    });
    const entity = entityOf(rule, s.key);
    peaks.push({ entity, peak: scan.peak });
    if (!scan.firing) continue;
    const finding = toFinding(rule, entity, scan.firing, calendar);
    const b = rule.baseline ? baseline?.threshold(key, scan.firing.endMs, spanMs) : undefined;
    if (b && rule.baseline) finding.baseline = baselineContext(scan.firing.value, b, rule.baseline);
    findings.push(finding);
  }
  findings.sort((a, b) => b.value / b.threshold - a.value / a.threshold);
  return { findings, peaks };
}

export function toFinding(
  rule: Rule,
  entity: Record<string, string>,
  span: SpanResult,
  calendar: Calendar,
): Finding {
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
    ...(span.eventsEndMs !== undefined ? { events_end: new Date(span.eventsEndMs).toISOString() } : {}),
    samples: [],
    indices: rule.indices,
    timezone: calendar.timezone,
    channels: rule.channels,
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
