/**
 * The dedup stage, pure: findings and the alert memories in, alerts and the memories to write
 * out. Each finding is decided against its episode (new, escalated, suppressed); a firing episode
 * that a cycle covered without finding it again recovers; an alert that an earlier cycle recorded
 * but did not confirm in the outbox is sent again with its own id.
 */
import type { ParsedConfig } from '../config/schema';
import { scheduleAt } from '../evaluate/calendar';
import { type AlertMemory, hasRecovered } from '../evaluate/decide-alert';
import { decideEpisode, recoverEpisode, recoveryIdFor } from '../evaluate/episodes';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { alertStateDocId } from '../state/alert-id';
import type { StoredMemory } from '../state/alert-log';
import type { Alert, Finding } from '../types';

export interface DedupInput {
  findings: Finding[];
  /** per rule, the peak value of every entity seen (for recovery lines) */
  peaks: Map<string, { entity: Record<string, string>; value: number }[]>;
  /** rules whose query succeeded: only they can declare recoveries */
  okRules: Set<string>;
  intervals: Map<string, Interval>;
  rules: Map<string, Rule>;
  memories: Map<string, StoredMemory>;
  config: ParsedConfig;
}

export interface DedupResult {
  /** every finding with its id and status, plus recoveries */
  alerts: Alert[];
  /** alerts recorded by an earlier cycle that never confirmed them: sent again, same id */
  resend: Alert[];
  /** memories to write (conditional on the version read) */
  changes: StoredMemory[];
}

export function dedupFindings(input: DedupInput): DedupResult {
  const { memories, rules } = input;
  const result: DedupResult = { alerts: [], resend: [], changes: [] };
  for (const m of memories.values())
    if (m.memory.pending && rules.has(m.rule)) result.resend.push(m.memory.pending);
  const firingNow = new Set<string>();
  for (const f of input.findings) {
    const rule = rules.get(f.rule) as Rule;
    const docId = alertStateDocId(f.rule, f.entity);
    firingNow.add(docId);
    const prev = memories.get(docId);
    const { alert, memory } = decideEpisode(f, prev?.memory, {
      realertMs: rule.realert,
      escalateFactor: rule.escalate_factor,
    });
    result.alerts.push(alert);
    result.changes.push({ docId, rule: f.rule, memory, version: prev?.version });
  }
  for (const prev of memories.values()) {
    const rule = rules.get(prev.rule);
    const interval = input.intervals.get(prev.rule);
    if (!rule || !interval || !input.okRules.has(prev.rule) || firingNow.has(prev.docId)) continue;
    if (!hasRecovered(prev.memory, interval.endMs, false)) continue;
    const peak =
      input.peaks.get(prev.rule)?.find((p) => alertStateDocId(prev.rule, p.entity) === prev.docId)?.value ??
      0;
    const notice = recoveryAlert(rule, prev.memory, peak, interval, input.config);
    result.alerts.push(notice);
    result.changes.push({
      ...prev,
      memory: recoverEpisode(prev.memory, rule.recovery ? notice : undefined, interval.endMs),
    });
  }
  return result;
}

const isoOf = (ms: number) => new Date(ms).toISOString();

function recoveryAlert(
  rule: Rule,
  prev: AlertMemory,
  value: number,
  interval: Interval,
  config: ParsedConfig,
): Alert {
  return {
    rule: rule.id,
    title: `Recovered: ${rule.title}`,
    description: rule.description,
    remediation: 'No action needed: the entity fell back below its threshold.',
    severity: rule.severity,
    entity: prev.entity,
    value,
    threshold: prev.last_threshold,
    schedule: scheduleAt(interval.endMs - 1, config.calendar),
    window: { start: isoOf(prev.last_seen_end), end: isoOf(interval.endMs) },
    samples: [],
    indices: rule.indices,
    timezone: config.calendar.timezone,
    channels: rule.channels,
    id: recoveryIdFor(prev),
    status: 'recovered',
  };
}
