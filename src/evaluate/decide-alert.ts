/**
 * Pure dedup decisions (after Alertmanager's needsUpdate): given a finding and what was last
 * notified for the same rule and entity, is it new, a suppressed repeat, or an escalation?
 * Time is the findings' own event time (window end), so replays and catch-up decide as live runs.
 */
import type { Acknowledgement, Alert, AlertStatus, Finding } from '../types';

export interface AlertMemory {
  status: 'firing' | 'recovered';
  entity: Record<string, string>;
  last_alert_id: string;
  /** window end (ms) of the last notified alert */
  last_notified_end: number;
  last_value: number;
  last_threshold: number;
  /** window end (ms) of the latest finding, notified or not */
  last_seen_end: number;
  /**
   * The episode's id: the id of its first alert, kept from first firing until recovery or realert,
   * the same across cycles, retries, crashes and instances. Absent in memories written before 0.2.
   */
  episode_id?: string;
  /**
   * An alert decided and recorded here before it was put in the outbox (intent first): a cycle
   * that stopped in between is completed by the next one, with this same alert and id.
   */
  pending?: Alert;
  /**
   * window end (ms) of the first finding of this episode (firing since); absent in memories
   * written before it was kept
   */
  first_seen_end?: number;
  /**
   * The episode is under a silence: its alert was recorded as `silenced` and never delivered.
   * When no silence matches any more and it still fires, it is delivered once, as new.
   */
  silenced?: { silence_id: string; alert_id: string };
  /** an operator acknowledged the episode: no realert until it recovers or escalates */
  acknowledged?: Acknowledgement;
}

export interface DedupPolicy {
  realertMs: number;
  escalateFactor: number;
}

export function decideAlert(
  finding: Pick<Finding, 'value' | 'window' | 'events_end'>,
  prev: AlertMemory | undefined,
  policy: DedupPolicy,
): 'new' | 'escalated' | 'suppressed' {
  const end = Date.parse(finding.window.end);
  // after a recovery only later events are new; older events seen again (a longer look-back, a
  // replay, a monitor's window of T ending after the recovery) are judged against what was
  // notified, so they are not sent twice. The events' end, not the window's: an exact window ends
  // T after where the interval starts, which can be long after its events
  const eventsEnd = finding.events_end ? Date.parse(finding.events_end) : end;
  if (!prev || (prev.status === 'recovered' && eventsEnd > prev.last_seen_end)) return 'new';
  if (end - prev.last_notified_end >= policy.realertMs) return 'new';
  if (prev.last_value > 0 && finding.value >= prev.last_value * policy.escalateFactor) return 'escalated';
  return 'suppressed';
}

/** The memory after this decision. Suppressed findings keep the last notified value and time. */
export function rememberAlert(
  finding: Pick<Finding, 'value' | 'threshold' | 'window' | 'entity'>,
  id: string,
  status: AlertStatus,
  prev: AlertMemory | undefined,
): AlertMemory {
  const end = Date.parse(finding.window.end);
  if (status === 'suppressed' && prev) return { ...prev, last_seen_end: Math.max(prev.last_seen_end, end) };
  // an episode runs from its first finding to its recovery; realerts and escalations continue it
  const first = prev?.status === 'firing' ? prev.first_seen_end : end;
  return {
    status: 'firing',
    entity: finding.entity,
    last_alert_id: id,
    last_notified_end: end,
    last_value: finding.value,
    last_threshold: finding.threshold,
    last_seen_end: end,
    ...(first !== undefined ? { first_seen_end: first } : {}),
  };
}

/**
 * A firing entity has recovered when a cycle that covered the span after its last finding found
 * nothing over the threshold for it.
 */
export function hasRecovered(prev: AlertMemory, intervalEndMs: number, firingNow: boolean): boolean {
  return prev.status === 'firing' && !firingNow && intervalEndMs > prev.last_seen_end;
}
