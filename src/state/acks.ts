/**
 * Acknowledgements (`vigil ack`): recorded on the episode's alert memory in the state index, so
 * that dedup does not realert it until it recovers or escalates (controlled-episode.ts), and as
 * an `acknowledged` document in the alerts index, so Kibana and `vigil alerts` show who and why.
 */
import crypto from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { UsageError } from '../errors';
import type { AlertMemory } from '../evaluate/decide-alert';
import { episodeIdOf } from '../evaluate/episodes';
import type { Acknowledgement, Alert } from '../types';
import { alertStateDocId } from './alert-id';
import { writeAlertMemories } from './alert-log';
import { writeAlertDocs } from './alerts-index';
import { findAlert, type StoredAlert } from './alerts-query';
import { readVersionedDocs } from './state-index';

export interface AckResult {
  alert: StoredAlert;
  ack: Acknowledgement;
  /** the record written to the alerts index */
  recordId: string;
}

/** Pure: the episode memory acknowledged, or why it cannot be. */
export function acknowledgeMemory(
  memory: AlertMemory | undefined,
  alert: Pick<StoredAlert, 'id' | 'window'>,
  ack: Omit<Acknowledgement, 'episode_id'>,
): { memory?: AlertMemory; ack?: Acknowledgement; problem?: string } {
  if (!memory)
    return { problem: `alert ${alert.id}: vigil has no memory of its episode (state index reset?)` };
  if (memory.status !== 'firing')
    return {
      problem: `alert ${alert.id}: its episode has recovered (last seen ${new Date(memory.last_seen_end).toISOString()}); nothing to acknowledge`,
    };
  // an alert of an earlier episode of the same rule and entity: that one is over
  if (memory.first_seen_end !== undefined && Date.parse(alert.window.end) < memory.first_seen_end)
    return {
      problem: `alert ${alert.id}: its episode is over; the episode firing now began ${new Date(memory.first_seen_end).toISOString()} (acknowledge one of its alerts)`,
    };
  const full: Acknowledgement = { ...ack, episode_id: episodeIdOf(memory) };
  return { memory: { ...memory, acknowledged: full }, ack: full };
}

/**
 * Acknowledges the episode of an alert (any alert id of it, or a unique prefix). The memory is
 * written conditionally on the version read, retried when a cycle changed it meanwhile.
 */
export async function acknowledgeAlert(
  client: Client,
  indices: { state: string; alertsPrefix: string },
  idOrPrefix: string,
  ack: Omit<Acknowledgement, 'episode_id'>,
  nowMs: number,
): Promise<AckResult> {
  const alert = await findAlert(client, indices.alertsPrefix, idOrPrefix);
  const docId = alertStateDocId(alert.rule, alert.entity);
  for (let attempt = 1; ; attempt++) {
    const read = (await readVersionedDocs(client, indices.state, [docId])).get(docId);
    const memory = read?.doc.doc_type === 'alert' ? (read.doc.body as unknown as AlertMemory) : undefined;
    const next = acknowledgeMemory(memory, alert, ack);
    if (next.problem || !next.memory || !next.ack) throw new UsageError(next.problem as string);
    const res = await writeAlertMemories(
      client,
      indices.state,
      [{ docId, rule: alert.rule, memory: next.memory, version: read?.version }],
      nowMs,
    );
    if (res.conflicts.size === 0) {
      const record = ackRecord(alert, next.ack);
      await writeAlertDocs(client, indices.alertsPrefix, [record], nowMs);
      return { alert, ack: next.ack, recordId: record.id };
    }
    if (attempt >= 5)
      throw new UsageError(`alert ${alert.id}: its episode keeps changing (a cycle is running); try again`);
  }
}

/** Pure: the alerts-index record of an acknowledgement, at the time it was made. */
export function ackRecord(alert: StoredAlert, ack: Acknowledgement): Alert {
  const id = crypto
    .createHash('sha256')
    .update(`${ack.episode_id}\nack\n${ack.at}`)
    .digest('hex')
    .slice(0, 24);
  return {
    rule: alert.rule,
    title: `Acknowledged: ${alert.title.replace(/^Acknowledged: /, '')}`,
    description: alert.description,
    remediation: '',
    severity: alert.severity,
    entity: alert.entity,
    value: alert.value,
    threshold: alert.threshold,
    schedule: alert.schedule,
    // the record sits at the time of the ack, in that month's index
    window: { start: alert.window.start, end: ack.at },
    samples: [],
    indices: [],
    timezone: 'UTC',
    channels: [],
    id,
    status: 'acknowledged',
    ack,
  };
}
