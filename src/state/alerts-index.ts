/**
 * Every alert is also an ECS-shaped document in `<prefix>-<yyyy.MM>` so people can browse alerts
 * in Kibana. The document id is the alert id: writing the same alert twice changes nothing.
 */
import type { Client } from '@elastic/elasticsearch';
import { mapEsError } from '../collect/client';
import { QueryError } from '../errors';
import { comparisonSign } from '../evaluate/recovery-alert';
import { describeAnomaly } from '../notify/describe-anomaly';
import type { Alert, Severity } from '../types';

const SEVERITY_NUMBER: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

export function alertsIndexName(prefix: string, windowEnd: string): string {
  return `${prefix}-${windowEnd.slice(0, 4)}.${windowEnd.slice(5, 7)}`;
}

/** Puts entity fields (ECS names like source.ip) at their ECS place in the document. */
function nest(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

export function alertDocument(a: Alert, nowMs: number): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    '@timestamp': a.window.end,
    message: `${a.title}: ${
      Object.entries(a.entity)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || 'all'
    } value ${a.value} ${comparisonSign(a.status)} ${a.threshold}`,
    event: {
      kind: 'alert',
      module: 'vigil',
      severity: SEVERITY_NUMBER[a.severity],
      created: new Date(nowMs).toISOString(),
      start: a.window.start,
      end: a.window.end,
    },
    rule: { id: a.rule, name: a.title, description: a.description },
    vigil: {
      alert_id: a.id,
      status: a.status,
      severity: a.severity,
      value: a.value,
      threshold: a.threshold,
      schedule: a.schedule,
      window: a.window,
      entity: Object.entries(a.entity).map(([field, value]) => ({ field, value })),
      ...(a.baseline ? { baseline: a.baseline } : {}),
      // the score explained, as one line (the report's anomaly section reads it)
      ...(a.anomaly ? { anomaly: { score: a.anomaly.score, why: describeAnomaly(a.anomaly) } } : {}),
      ...(a.firing_since ? { firing_since: a.firing_since } : {}),
      ...(a.silence_id ? { silence_id: a.silence_id } : {}),
      ...(a.ack ? { ack: a.ack } : {}),
    },
  };
  for (const [k, v] of Object.entries(a.entity)) nest(doc, k, v);
  return doc;
}

export async function ensureAlertsTemplate(client: Client, prefix: string): Promise<void> {
  try {
    await client.indices.putIndexTemplate({
      name: `${prefix}-template`,
      index_patterns: [`${prefix}-*`],
      priority: 200,
      template: {
        settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
        mappings: {
          dynamic_templates: [
            { strings: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
          ],
          properties: {
            '@timestamp': { type: 'date' },
            message: { type: 'text' },
            source: { properties: { ip: { type: 'ip' } } },
            event: {
              properties: {
                severity: { type: 'long' },
                created: { type: 'date' },
                start: { type: 'date' },
                end: { type: 'date' },
              },
            },
            vigil: {
              properties: {
                value: { type: 'double' },
                threshold: { type: 'double' },
                window: { properties: { start: { type: 'date' }, end: { type: 'date' } } },
                firing_since: { type: 'date' },
                entity: { type: 'object' },
                ack: {
                  properties: {
                    at: { type: 'date' },
                    comment: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } },
                  },
                },
              },
            },
          },
        },
      },
    });
  } catch (e) {
    const err = mapEsError(e, `installing the index template for ${prefix}-*`, client);
    if (err.reason === 'es_auth')
      throw new QueryError(
        `cannot install the index template for ${prefix}-*: the Elasticsearch user needs the "manage_index_templates" cluster privilege`,
        { cause: e, reason: 'state_privilege' },
      );
    throw err;
  }
}

export async function writeAlertDocs(
  client: Client,
  prefix: string,
  alerts: Alert[],
  nowMs: number,
): Promise<void> {
  if (alerts.length === 0) return;
  let res: Awaited<ReturnType<Client['bulk']>>;
  try {
    res = await client.bulk({
      // visible at once: a report or a look in Kibana right after the scan must see these alerts
      refresh: true,
      operations: alerts.flatMap((a) => [
        { index: { _index: alertsIndexName(prefix, a.window.end), _id: a.id } },
        alertDocument(a, nowMs),
      ]),
    });
  } catch (e) {
    throw mapEsError(e, `writing alerts to ${prefix}-*`, client);
  }
  if (res.errors) {
    const failed = res.items.find((i) => i.index?.error)?.index;
    if (failed?.status === 403)
      throw new QueryError(
        `cannot write to ${prefix}-*: the Elasticsearch user needs the "create_index" and "write" privileges on it`,
        { reason: 'state_privilege' },
      );
    throw new QueryError(
      `writing alerts to ${prefix}-* failed: ${failed?.error?.type}: ${failed?.error?.reason ?? ''}`.slice(
        0,
        300,
      ),
    );
  }
}
