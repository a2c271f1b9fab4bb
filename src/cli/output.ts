/** Human and machine output. Colour only on a terminal (and never with NO_COLOR). */
import { DateTime } from 'luxon';
import pc from 'picocolors';
import { capStrings } from '../collect/fetch-samples';
import { comparisonSign } from '../evaluate/recovery-alert';
import { describeAnomaly } from '../notify/describe-anomaly';
import type { AnomalyContext, Finding, Severity } from '../types';

export type Format = 'table' | 'json';

export function colours(stream: NodeJS.WriteStream) {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return pc.createColors(on || process.env.FORCE_COLOR === '1');
}

export function paintSeverity(sev: Severity, c: ReturnType<typeof colours>): string {
  const label = sev.toUpperCase().padEnd(8);
  switch (sev) {
    case 'critical':
      return c.bold(c.magenta(label));
    case 'high':
      return c.bold(c.red(label));
    case 'medium':
      return c.yellow(label);
    default:
      return c.cyan(label);
  }
}

/** Control characters from log data must not reach a terminal. */
export function safeText(s: string, max = 80): string {
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export function entityText(entity: Record<string, string>): string {
  const parts = Object.entries(entity).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(' ') : '(all)';
}

export function localWindow(f: Finding): string {
  const s = DateTime.fromISO(f.window.start, { zone: f.timezone });
  const e = DateTime.fromISO(f.window.end, { zone: f.timezone });
  // a window over several days (a recovery after a quiet weekend) shows the end's date too
  const end = e.toFormat(s.hasSame(e, 'day') ? 'HH:mm:ss ZZZZ' : 'yyyy-MM-dd HH:mm:ss ZZZZ');
  return `${s.toFormat('yyyy-MM-dd HH:mm:ss')}–${end}`;
}

type Shown = Finding & { status?: string; firing_since?: string; silence_id?: string };

/** `2024-03-08 02:00 EST`: an instant in the calendar's zone. */
export function localInstant(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ');
}

/** `42 ≥ 8`, or for a recovery `0 < 8`: the value is below its threshold. */
export function valueAgainstThreshold(f: Pick<Shown, 'value' | 'threshold' | 'status'>): string {
  return `${fmtNum(f.value)} ${comparisonSign(f.status)} ${fmtNum(f.threshold)}`;
}

/** `recovered, firing since 2024-03-08 02:00 EST` for a recovery whose episode start is known. */
export function statusText(f: Shown): string {
  const silenced = f.silence_id ? ` (silence ${f.silence_id})` : '';
  if (f.status === 'recovered' && f.firing_since)
    return `recovered, firing since ${localInstant(f.firing_since, f.timezone)}${silenced}`;
  return `${f.status ?? ''}${silenced}`;
}

export function findingsTable(findings: Shown[], stream: NodeJS.WriteStream): string {
  const c = colours(stream);
  if (findings.length === 0) return '';
  const rows = findings.map((f) => [
    paintSeverity(f.severity, c),
    f.rule,
    safeText(entityText(f.entity), 48),
    valueAgainstThreshold(f),
    f.schedule === 'off_hours' ? 'off-hours' : 'business',
    statusText(f),
    localWindow(f),
  ]);
  const head = ['SEVERITY', 'RULE', 'ENTITY', 'VALUE', 'SCHEDULE', 'STATUS', 'WINDOW'];
  const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => plain(r[i]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell + ' '.repeat(Math.max(0, widths[i] - plain(cell).length)))
      .join('  ')
      .trimEnd();
  // anomaly findings explain themselves under the table: the features that drove the score
  const why = findings
    .filter((f) => f.anomaly)
    .map((f) =>
      c.dim(
        `  ${f.rule} ${safeText(entityText(f.entity), 48)}: ${describeAnomaly(f.anomaly as AnomalyContext)}`,
      ),
    );
  return [c.dim(line(head)), ...rows.map(line), ...why].join('\n');
}

export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, '');
}

/** One JSON object per finding, for machines. Log-derived strings are capped like in messages. */
export function findingJson(f: Shown & { id?: string }): string {
  return JSON.stringify({
    rule: f.rule,
    severity: f.severity,
    entity: capStrings(f.entity),
    value: f.value,
    threshold: f.threshold,
    schedule: f.schedule,
    window: f.window,
    ...(f.status ? { status: f.status } : {}),
    ...(f.id ? { id: f.id } : {}),
    ...(f.baseline ? { baseline: f.baseline } : {}),
    ...(f.anomaly ? { anomaly: f.anomaly } : {}),
    ...(f.firing_since ? { firing_since: f.firing_since } : {}),
    ...(f.silence_id ? { silence_id: f.silence_id } : {}),
    title: f.title,
    samples: capStrings(f.samples),
  });
}
