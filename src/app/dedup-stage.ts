/**
 * The dedup stage, pure: findings and the alert memories in, alerts and the memories to write
 * out. Each finding is decided against its episode (new, escalated, suppressed); a firing episode
 * that a cycle covered without finding it again recovers; an alert that an earlier cycle recorded
 * but did not confirm in the outbox is sent again with its own id.
 */
import type { ParsedConfig } from '../config/schema';
import { decideControlledEpisode } from '../evaluate/controlled-episode';
import { hasRecovered } from '../evaluate/decide-alert';
import { recoverEpisode, recoveryIdFor } from '../evaluate/episodes';
import { findSilence, type Silence } from '../evaluate/match-silence';
import { recoveryAlert } from '../evaluate/recovery-alert';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { alertStateDocId } from '../state/alert-id';
import type { StoredMemory } from '../state/alert-log';
import type { Alert, Finding } from '../types';
import type { CycleReport } from './run-cycle';

export interface DedupInput {
  findings: Finding[];
  /** per rule, the peak value of every entity seen (for recovery lines) */
  peaks: CycleReport['peaks'];
  /** rules whose query succeeded: only they can declare recoveries */
  okRules: Set<string>;
  intervals: Map<string, Interval>;
  rules: Map<string, Rule>;
  memories: Map<string, StoredMemory>;
  config: ParsedConfig;
  /** the silences read this cycle, and the cycle's time they are judged at */
  silences?: { list: Silence[]; nowMs: number };
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
    const { alert, memory } = decideControlledEpisode(
      f,
      prev?.memory,
      { realertMs: rule.realert, escalateFactor: rule.escalate_factor },
      silenceFor(input, f),
    );
    result.alerts.push(alert);
    result.changes.push({ docId, rule: f.rule, memory, version: prev?.version });
  }
  for (const prev of memories.values()) {
    const rule = rules.get(prev.rule);
    const interval = input.intervals.get(prev.rule);
    if (!rule || !interval || !input.okRules.has(prev.rule) || firingNow.has(prev.docId)) continue;
    if (!hasRecovered(prev.memory, interval.endMs, false)) continue;
    const peak = input.peaks.get(prev.rule)?.find((p) => alertStateDocId(prev.rule, p.entity) === prev.docId);
    const notice: Alert = {
      ...recoveryAlert({ rule, prev: prev.memory, peak, interval, calendar: input.config.calendar }),
      id: recoveryIdFor(prev.memory),
    };
    // the recovery of a silenced episode, or one a silence matches now, is recorded, not delivered
    const silenceId = prev.memory.silenced?.silence_id ?? silenceFor(input, notice)?.id;
    if (silenceId) notice.silence_id = silenceId;
    result.alerts.push(notice);
    result.changes.push({
      ...prev,
      memory: recoverEpisode(prev.memory, rule.recovery && !silenceId ? notice : undefined, interval.endMs),
    });
  }
  return result;
}

function silenceFor(
  input: DedupInput,
  alert: Pick<Finding, 'rule' | 'severity' | 'entity'>,
): Silence | undefined {
  const s = input.silences;
  return s?.list.length ? findSilence(s.list, alert, s.nowMs) : undefined;
}
