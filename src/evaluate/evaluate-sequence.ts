/**
 * Pure: sequence rules. An entity (the rule's group_by values, e.g. one source.ip) fires at an
 * event matching `followed_by` (an accepted login) at second s of the interval when at least N events
 * matching `first` (failed logins) from the same entity fall in the seconds [s − window, s]:
 *
 *   - "followed within T" means 0 ≤ s − f ≤ T for each counted `first` event at second f, read at
 *     the 1-second resolution of syslog time stamps (sub-second times are floored to the second);
 *   - a `first` event in the same second as the `followed_by` event counts as before it: syslog cannot
 *     order them, and a guess that succeeded in the second of the last failure is the case to catch;
 *   - N is the threshold in force at s (business hours or off-hours);
 *   - only `followed_by` events inside the interval fire; their `first` events may lie up to one window
 *     before the interval (the query reaches back), so cycle boundaries lose nothing;
 *   - per entity the earliest `followed_by` that qualifies is the finding (the moment access was gained):
 *     value = the `first` events counted for it, window = [second of the earliest counted `first`,
 *     end of the `followed_by` second). Both depend only on the events, so every cycle that sees the same
 *     attack reports the same window and dedup sends it once.
 */
import type { Calendar } from '../config/schema';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import type { Finding, Schedule } from '../types';
import { thresholdFor } from './calendar';
import type { RuleEvaluation } from './evaluate-rule';
import { entityOf, toFinding } from './evaluate-rule';
import { memoByNumber } from './memo';

/** Counts of `first` and `followed_by` events in one second. */
export interface SecondCounts {
  first: number;
  followedBy: number;
}

export interface EntitySeconds {
  /** values of the rule's group_by fields, in order */
  key: string[];
  /** start of the second (ms) → counts */
  seconds: Map<number, SecondCounts>;
}

export interface SequenceMatch {
  value: number;
  threshold: number;
  schedule: Schedule;
  /** second of the earliest counted `first` event */
  startMs: number;
  /** end of the `followed_by` event's second */
  endMs: number;
}

/**
 * The earliest qualifying `followed_by` of one entity, if any, and the highest count seen at any `followed_by`
 * in the interval (for recovery lines).
 */
export function matchSequence(
  seconds: Map<number, SecondCounts>,
  windowMs: number,
  interval: Interval,
  thresholdAt: (ms: number) => { threshold: number; schedule: Schedule },
  secondMs = 1000,
): { match?: SequenceMatch; peak?: SequenceMatch } {
  const keys = [...seconds.keys()].sort((a, b) => a - b);
  let lo = 0;
  let counted = 0;
  let peak: SequenceMatch | undefined;
  for (let i = 0; i < keys.length; i++) {
    const s = keys[i];
    const here = seconds.get(s) as SecondCounts;
    counted += here.first;
    while (keys[lo] < s - windowMs) counted -= (seconds.get(keys[lo++]) as SecondCounts).first;
    if (here.followedBy === 0 || s < interval.startMs || s >= interval.endMs) continue;
    let from = lo;
    while (from < i && (seconds.get(keys[from]) as SecondCounts).first === 0) from++;
    const t = thresholdAt(s);
    const candidate = { value: counted, ...t, startMs: keys[from], endMs: s + secondMs };
    if (counted >= t.threshold) return { match: candidate, peak: candidate };
    if (!peak || counted > peak.value) peak = candidate;
  }
  return { peak };
}

export function evaluateSequence(
  rule: Rule,
  entities: EntitySeconds[],
  interval: Interval,
  calendar: Calendar,
): RuleEvaluation {
  // the schema gives every sequence rule thresholds (it refuses a baseline)
  const thresholds = rule.thresholds as NonNullable<Rule['thresholds']>;
  const thresholdAt = memoByNumber((ms) => thresholdFor(thresholds, ms, calendar));
  const findings: Finding[] = [];
  const peaks: RuleEvaluation['peaks'] = [];
  for (const e of entities) {
    const entity = entityOf(rule, e.key);
    const { match, peak } = matchSequence(e.seconds, rule.window, interval, thresholdAt);
    if (peak) peaks.push({ entity, peak });
    if (match) findings.push(toFinding(rule, entity, match, calendar));
  }
  findings.sort((a, b) => Date.parse(a.window.end) - Date.parse(b.window.end));
  return { findings, peaks };
}
