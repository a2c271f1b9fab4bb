/**
 * Reading the alerts index back (`vigil alerts`, `vigil ack`): the documents alerts-index.ts
 * writes, newest first, filtered by rule, time and status.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { mapEsError } from '../collect/client';
import { UsageError } from '../errors';
import type { Acknowledgement, Alert, AlertStatus, Schedule, Severity, TimeWindow } from '../types';

/** An alert as the alerts index keeps it: no samples, remediation or routing. */
export type StoredAlert = Pick<
  Alert,
  | 'id'
  | 'status'
  | 'rule'
  | 'title'
  | 'description'
  | 'severity'
  | 'entity'
  | 'value'
  | 'threshold'
  | 'schedule'
  | 'window'
  | 'firing_since'
  | 'silence_id'
  | 'ack'
> & {
  /** ISO: the window end, or for an acknowledgement when it was made */
  timestamp: string;
};

interface AlertDoc {
  '@timestamp': string;
  rule: { id: string; name: string; description?: string };
  vigil: {
    alert_id: string;
    status: AlertStatus;
    severity: Severity;
    value: number;
    threshold: number;
    schedule: Schedule;
    window: TimeWindow;
    entity?: { field: string; value: string }[];
    firing_since?: string;
    silence_id?: string;
    ack?: Acknowledgement;
  };
}

/** Pure: a document of the alerts index as an alert. */
export function storedAlertOf(doc: AlertDoc): StoredAlert {
  const v = doc.vigil;
  return {
    id: v.alert_id,
    status: v.status,
    rule: doc.rule.id,
    title: doc.rule.name,
    description: doc.rule.description ?? '',
    severity: v.severity,
    entity: Object.fromEntries((v.entity ?? []).map((e) => [e.field, e.value])),
    value: v.value,
    threshold: v.threshold,
    schedule: v.schedule,
    window: v.window,
    timestamp: doc['@timestamp'],
    ...(v.firing_since ? { firing_since: v.firing_since } : {}),
    ...(v.silence_id ? { silence_id: v.silence_id } : {}),
    ...(v.ack ? { ack: v.ack } : {}),
  };
}

export interface AlertFilter {
  rules?: string[];
  sinceMs?: number;
  statuses?: AlertStatus[];
  limit: number;
}

async function searchAlertDocs(
  client: Client,
  prefix: string,
  query: estypes.QueryDslQueryContainer,
  size: number,
): Promise<StoredAlert[]> {
  try {
    const res = await client.search<AlertDoc>({
      index: `${prefix}-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
      size,
      query,
      sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
    });
    return res.hits.hits.flatMap((h) => (h._source?.vigil ? [storedAlertOf(h._source)] : []));
  } catch (e) {
    throw mapEsError(e, `reading alerts from ${prefix}-*`, client);
  }
}

export function searchAlerts(client: Client, prefix: string, f: AlertFilter): Promise<StoredAlert[]> {
  const filter: estypes.QueryDslQueryContainer[] = [{ exists: { field: 'vigil.alert_id' } }];
  if (f.rules?.length) filter.push({ terms: { 'rule.id': f.rules } });
  if (f.statuses?.length) filter.push({ terms: { 'vigil.status': f.statuses } });
  if (f.sinceMs !== undefined)
    filter.push({ range: { '@timestamp': { gte: f.sinceMs, format: 'epoch_millis' } } });
  return searchAlertDocs(client, prefix, { bool: { filter } }, f.limit);
}

/**
 * The alert with this id, or the one alert whose id starts with it (at least 8 characters, like
 * a short git hash). Acknowledgement records are not alerts to act on and are left out.
 */
export async function findAlert(client: Client, prefix: string, idOrPrefix: string): Promise<StoredAlert> {
  const id = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]{8,64}$/.test(id))
    throw new UsageError(
      `${JSON.stringify(idOrPrefix.slice(0, 80))} is not an alert id (24 hex characters, or at least the first 8; see vigil alerts)`,
    );
  const notAck: estypes.QueryDslQueryContainer = { term: { 'vigil.status': 'acknowledged' } };
  const exact = await searchAlertDocs(
    client,
    prefix,
    { bool: { filter: [{ term: { 'vigil.alert_id': id } }], must_not: [notAck] } },
    1,
  );
  if (exact.length) return exact[0];
  const byPrefix = await searchAlertDocs(
    client,
    prefix,
    { bool: { filter: [{ prefix: { 'vigil.alert_id': id } }], must_not: [notAck] } },
    50,
  );
  const ids = [...new Set(byPrefix.map((a) => a.id))];
  if (ids.length === 0) throw new UsageError(`no alert with id ${id} in ${prefix}-* (see vigil alerts)`);
  if (ids.length > 1)
    throw new UsageError(
      `alert id ${id} is ambiguous: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`,
    );
  return byPrefix[0];
}
