/**
 * Pure: alert episodes. An episode is one rule × entity from its first firing until it recovers
 * (or a realert starts a new one). Its id is the id of its first alert and lives in the alert
 * memory, so every cycle, retry, crashed run or other instance that sees the same attack sends the
 * same id (and so the same Message-ID / X-Vigil-Delivery), and receivers drop repeats.
 *
 *   new        a new episode: id = alertIdFor(first finding), recorded as the episode id
 *   escalated  a further notification of the same episode: its own id, recorded before sending
 *   suppressed a repeat: carries the episode's id, nothing is sent
 *   recovered  the episode's end: id derived from the episode id alone
 */
import crypto from 'node:crypto';
import { alertIdFor } from '../state/alert-id';
import type { Alert, Finding } from '../types';
import { type AlertMemory, type DedupPolicy, decideAlert, rememberAlert } from './decide-alert';

/** The episode id of a memory (memories from before episodes: their last alert's id). */
export const episodeIdOf = (m: AlertMemory): string => m.episode_id ?? m.last_alert_id;

/** Id of an episode's recovery notice: the same whichever cycle or instance finds it. */
export function recoveryIdFor(memory: AlertMemory): string {
  return crypto
    .createHash('sha256')
    .update(`${episodeIdOf(memory)}\nrecovered`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * Decides one finding against the memory of its rule and entity. The memory returned holds the
 * alert as `pending` when it is to be sent (new or escalated): it is written before the outbox.
 */
export function decideEpisode(
  finding: Finding,
  prev: AlertMemory | undefined,
  policy: DedupPolicy,
): { alert: Alert; memory: AlertMemory } {
  const status = decideAlert(finding, prev, policy);
  if (status === 'suppressed' && prev) {
    const alert: Alert = { ...finding, id: episodeIdOf(prev), status };
    return { alert, memory: { ...rememberAlert(finding, alert.id, status, prev), pending: prev.pending } };
  }
  const id = alertIdFor(finding);
  const alert: Alert = { ...finding, id, status };
  const startsEpisode = status === 'new';
  const memory: AlertMemory = {
    ...rememberAlert(finding, id, status, prev),
    episode_id: startsEpisode || !prev ? id : episodeIdOf(prev),
    pending: alert,
  };
  return { alert, memory };
}

/** The memory of a recovered episode; `notice` is pending when the rule sends recoveries. */
export function recoverEpisode(
  prev: AlertMemory,
  notice: Alert | undefined,
  intervalEndMs: number,
): AlertMemory {
  return { ...prev, status: 'recovered', last_seen_end: intervalEndMs, pending: notice };
}

/** The memory once its pending alert is safely in the outbox. */
export function confirmEpisode(memory: AlertMemory): AlertMemory {
  const { pending: _, ...rest } = memory;
  return rest;
}
