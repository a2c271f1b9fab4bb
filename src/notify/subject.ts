import type { Alert } from '../types';
import { highestSeverity, severityRank } from './route';
import { capLength, cleanLine } from './sanitize';

export const SUBJECT_MAX = 160;
const HOST_FIELDS = ['host.hostname', 'host.name', 'destination.domain'];

/**
 * One line that says what matters on a lock screen, e.g.
 * `[vigil][HIGH] SSH brute force from 3 sources (off-hours) – host-a (+2 more)`.
 * The headline is the most severe rule (most findings breaks ties); line breaks, controls and
 * bidi overrides are removed and the result is capped, so nothing can reach another header.
 */
export function buildSubject(alerts: readonly Alert[], options: { test?: boolean } = {}): string {
  const tag = options.test ? '[vigil][TEST]' : `[vigil][${highestSeverity(alerts).toUpperCase()}]`;
  if (alerts.length === 0) return options.test ? `${tag} test message from vigil` : tag;
  const group = headlineGroup(alerts);
  const first = group[0];
  let text = `${tag} ${cleanLine(first.title, 80)}`;
  if (group.length === 1) {
    const who = Object.entries(first.entity).find(([field]) => !HOST_FIELDS.includes(field))?.[1];
    if (who) text += ` from ${cleanLine(who, 60)}`;
  } else {
    text += ` from ${group.length} ${nounFor(first)}`;
  }
  if (group.every((a) => a.schedule === 'off_hours')) text += ' (off-hours)';
  const host = commonHost(group);
  if (host) text += ` – ${cleanLine(host, 60)}`;
  const more = alerts.length - group.length;
  if (more > 0) text += ` (+${more} more)`;
  return capLength(cleanLine(text, SUBJECT_MAX * 2), SUBJECT_MAX);
}

function headlineGroup(alerts: readonly Alert[]): Alert[] {
  const byRule = new Map<string, Alert[]>();
  for (const a of alerts) byRule.set(a.rule, [...(byRule.get(a.rule) ?? []), a]);
  return [...byRule.values()].sort(
    (x, y) => severityRank(highestSeverity(y)) - severityRank(highestSeverity(x)) || y.length - x.length,
  )[0];
}

function nounFor(alert: Alert): string {
  const fields = Object.keys(alert.entity).filter((f) => !HOST_FIELDS.includes(f));
  const field = fields[0] ?? '';
  if (field.startsWith('source.')) return 'sources';
  if (field.startsWith('user.')) return 'users';
  if (field.startsWith('host.') || field.startsWith('destination.')) return 'hosts';
  return 'entities';
}

/** The host all findings share (from the entity or the samples), when there is exactly one. */
function commonHost(alerts: readonly Alert[]): string | undefined {
  const hosts = new Set<string>();
  for (const a of alerts) {
    for (const doc of [a.entity, ...a.samples]) {
      const host = HOST_FIELDS.map((f) => readField(doc, f)).find((v) => typeof v === 'string' && v !== '');
      if (typeof host === 'string') hosts.add(host);
    }
  }
  return hosts.size === 1 ? [...hosts][0] : undefined;
}

/** Reads `a.b.c` from a sample stored either flat (`{"a.b.c": 1}`) or nested. */
export function readField(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
