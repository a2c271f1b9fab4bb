/** Pure: the alert that says a firing rule+entity has fallen back below its threshold. */
import type { Calendar } from '../config/schema';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { alertIdFor } from '../state/alert-id';
import type { Alert, Finding, Schedule } from '../types';
import { scheduleAt, thresholdFor } from './calendar';
import type { AlertMemory } from './decide-alert';

export interface RecoveryInput {
  rule: Rule;
  /** the memory of the firing episode */
  prev: AlertMemory;
  /**
   * the entity's highest value in the recovery interval and the threshold in force for it;
   * undefined when it had no events there
   */
  peak?: { value: number; threshold: number; schedule: Schedule };
  interval: Interval;
  calendar: Calendar;
}

/**
 * The value is the entity's peak in the interval that found it quiet, stated against the
 * threshold it was judged by: the peak span's own, else the rule's fixed one at the interval's
 * end, else the one it last fired on (a baseline-only rule without a model). `firing_since` is
 * the end of the episode's first firing window, when the memory has it.
 */
export function recoveryAlert({ rule, prev, peak, interval, calendar }: RecoveryInput): Alert {
  const atEnd = interval.endMs - 1;
  const judged =
    peak && Number.isFinite(peak.threshold)
      ? { threshold: peak.threshold, schedule: peak.schedule }
      : rule.thresholds
        ? thresholdFor(rule.thresholds, atEnd, calendar)
        : { threshold: prev.last_threshold, schedule: scheduleAt(atEnd, calendar) };
  const f: Finding = {
    rule: rule.id,
    title: `Recovered: ${rule.title}`,
    description: rule.description,
    remediation: 'No action needed: the entity fell back below its threshold.',
    severity: rule.severity,
    entity: prev.entity,
    value: peak?.value ?? 0,
    ...judged,
    window: {
      start: new Date(prev.last_seen_end).toISOString(),
      end: new Date(interval.endMs).toISOString(),
    },
    samples: [],
    indices: rule.indices,
    timezone: calendar.timezone,
    channels: rule.channels,
  };
  return {
    ...f,
    id: alertIdFor({ ...f, rule: `${rule.id}:recovered` }),
    status: 'recovered',
    ...(prev.first_seen_end !== undefined
      ? { firing_since: new Date(prev.first_seen_end).toISOString() }
      : {}),
  };
}

/** How a value stands against its threshold: a recovery is below it, anything else at or above. */
export function comparisonSign(status: string | undefined): '<' | '≥' {
  return status === 'recovered' ? '<' : '≥';
}
