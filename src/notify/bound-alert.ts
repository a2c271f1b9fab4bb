import type { Alert } from '../types';
import { capLength, cleanText, FIELD_MAX } from './sanitize';

/**
 * Bounds the size of an alert before it is stored in the outbox or rendered: every string that
 * can come from logs is capped, samples are limited in number and width. Idempotent.
 */
export const LIMITS = {
  field: FIELD_MAX,
  title: 200,
  prose: 2000,
  samples: 5,
  sampleFields: 12,
  key: 64,
  entityFields: 8,
  channels: 20,
  indices: 20,
} as const;

export function boundAlert(alert: Alert): Alert {
  return {
    ...alert,
    rule: capLength(alert.rule, LIMITS.key * 2),
    title: cleanText(alert.title, LIMITS.title),
    description: cleanText(alert.description, LIMITS.prose),
    remediation: cleanText(alert.remediation, LIMITS.prose),
    entity: boundRecord(alert.entity, LIMITS.entityFields, (v) => cleanText(v, LIMITS.field)),
    samples: (alert.samples ?? [])
      .slice(0, LIMITS.samples)
      .map((s) => boundRecord(s, LIMITS.sampleFields, (v) => boundValue(v))),
    indices: (alert.indices ?? []).slice(0, LIMITS.indices).map((i) => cleanText(i, LIMITS.field)),
    channels: (alert.channels ?? []).slice(0, LIMITS.channels),
    timezone: capLength(alert.timezone ?? 'UTC', LIMITS.key),
  };
}

function boundValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v) && depth < 3)
    return v.slice(0, LIMITS.sampleFields).map((x) => boundValue(x, depth + 1));
  if (typeof v === 'object' && v !== undefined && depth < 3) {
    return boundRecord(v as Record<string, unknown>, LIMITS.sampleFields, (x) => boundValue(x, depth + 1));
  }
  return cleanText(v, LIMITS.field);
}

function boundRecord<T>(
  record: Record<string, unknown> | undefined,
  maxKeys: number,
  bound: (v: unknown) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record ?? {}).slice(0, maxKeys))
    out[cleanText(k, LIMITS.key)] = bound(v);
  return out;
}
