/**
 * Pieces shared by the monitor tests: a config for `vigil monitor` pointed at the test's own
 * indices, the audit log read back (rotated and gzipped files included), the checkpoint from the
 * state index, and Prometheus text parsed from a real scrape.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Client } from '@elastic/elasticsearch';
import { REPO } from '../../helpers/vigil-cli';

const ENV_URL = '$' + '{ELASTICSEARCH_URL}';

export interface MonitorConfigOptions {
  esUrl?: string;
  /** extra lines under `elasticsearch:` (auth, tls) */
  esExtra?: string;
  prefix: string;
  logDir: string;
  interval?: string;
  requestTimeout?: string;
  logging?: { level?: string; max_size?: string; max_files?: string; zip?: boolean };
  /** the whole `alerts:` section, if any */
  alerts?: string;
}

/** A config for `vigil monitor`: sources `<prefix>-auth` / `-web` / `-win`, state `<prefix>-state`. */
export function monitorConfig(o: MonitorConfigOptions): string {
  const log = o.logging ?? {};
  return `elasticsearch:
  nodes: ["${o.esUrl ?? ENV_URL}"]
  request_timeout: ${o.requestTimeout ?? '20s'}
  max_retries: 0
${o.esExtra ?? ''}
sources:
  auth: { indices: [${o.prefix}-auth] }
  web: { indices: [${o.prefix}-web] }
  windows: { indices: [${o.prefix}-win] }
calendar:
  timezone: UTC
schedule: { interval: ${o.interval ?? '2s'}, query_delay: 0s }
rules:
  dir: ${path.join(REPO, 'queries')}
logging:
  level: ${log.level ?? 'info'}
  dir: ${o.logDir}
  max_size: ${log.max_size ?? '20m'}
  max_files: "${log.max_files ?? '14d'}"
  zip: ${log.zip ?? false}
state:
  index: ${o.prefix}-state
  alerts_index: ${o.prefix}-alerts
${o.alerts ?? ''}`;
}

/** An `alerts:` section with one plain-SMTP email channel to a loopback server; retries due at once. */
export function emailAlerts(smtpPort: number): string {
  return `alerts:
  outbox: { max_age: 1h, base_delay: 1ms, max_delay: 1ms }
  channels:
    email:
      type: email
      host: 127.0.0.1
      port: ${smtpPort}
      require_tls: false
      from: vigil@example.com
      to: soc@example.com
      timeout: 10s
`;
}

/** Every file under the audit directory (the rotation's own .json bookkeeping included). */
export function auditFiles(logDir: string): string[] {
  if (!fs.existsSync(logDir)) return [];
  return fs
    .readdirSync(logDir)
    .map((f) => path.join(logDir, f))
    .filter((f) => fs.statSync(f).isFile());
}

/** The text of an audit file, gunzipped when rotated with zip. */
export function auditText(file: string): string {
  const raw = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
}

export type AuditRecord = Record<string, unknown> & { event?: string; timestamp?: string };

/** Every JSON record of every log file, in time order. Half-written last lines are left out. */
export function readAudit(logDir: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const f of auditFiles(logDir)) {
    if (!/\.log(\.gz)?$|\.log\.\d+(\.gz)?$/.test(path.basename(f))) continue;
    for (const line of auditText(f).split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        // a line being written right now
      }
    }
  }
  return records.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
}

export const eventsOf = (records: AuditRecord[], event: string) => records.filter((r) => r.event === event);

/** The decisions (new, suppressed, …) the cycle records made about one source address, in order. */
export function decisionsFor(records: AuditRecord[], ip: string): string[] {
  return eventsOf(records, 'cycle').flatMap((c) =>
    (c.findings as { entity: Record<string, string>; decision: string }[])
      .filter((f) => f.entity['source.ip'] === ip)
      .map((f) => f.decision),
  );
}

/** The checkpoint of a rule in the state index, as an ISO string (undefined before the first). */
export async function checkpointOf(
  client: Client,
  stateIndex: string,
  rule: string,
): Promise<string | undefined> {
  const res = await client.get<{ until?: string }>(
    { index: stateIndex, id: `checkpoint:${rule}` },
    { ignore: [404] },
  );
  return res.found ? res._source?.until : undefined;
}

export interface PromFamily {
  help: string;
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** Parses the Prometheus text exposition format (what prom-client serves). */
export function parsePromText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { help: '', type: 'untyped', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
  const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]).help = meta[3];
      else family(meta[2]).type = meta[3];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = sampleRe.exec(line);
    if (!m) throw new Error(`not Prometheus text format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(labelRe)) labels[l[1]] = l[2];
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad sample value: ${line}`);
    // histogram/summary samples belong to their family
    const base = m[1].replace(/_(bucket|sum|count)$/, '');
    const owner = families.has(m[1]) ? m[1] : families.has(base) ? base : m[1];
    family(owner).samples.push({ name: m[1], labels, value });
  }
  return families;
}

/** The value of one sample (name + exact labels), or undefined. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values())
    for (const s of f.samples)
      if (
        s.name === name &&
        Object.keys(labels).every((k) => s.labels[k] === labels[k]) &&
        Object.keys(s.labels).length === Object.keys(labels).length
      )
        return s.value;
  return undefined;
}

/** Sum of a metric's samples whose labels include `labels`. */
export function sampleSum(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let n = 0;
  for (const f of families.values())
    for (const s of f.samples)
      if (s.name === name && Object.keys(labels).every((k) => s.labels[k] === labels[k])) n += s.value;
  return n;
}

export async function scrape(
  port: number,
): Promise<{ status: number; type: string; families: Map<string, PromFamily> }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', families: parsePromText(text) };
}

export async function healthz(
  port: number,
): Promise<{ status: number; type: string; body: { status: string; reason: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as { status: string; reason: string },
  };
}

/** GET /livez: the status code alone (liveness does not depend on Elasticsearch). */
export async function livez(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/livez`);
  await res.body?.cancel();
  return res.status;
}

/** The metrics port from monitor's console line "metrics on http://host:port/metrics". */
export function metricsPortIn(stderr: string): number | undefined {
  const m = /metrics on http:\/\/[^:\s]+:(\d+)\/metrics/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

/** Deletes the test's indices (`<prefix>-*`) and their alerts templates. */
export async function cleanupIndices(client: Client, prefix: string): Promise<void> {
  await client.indices.delete(
    { index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true },
    { ignore: [404] },
  );
  await client.indices
    .deleteIndexTemplate({ name: `${prefix}-*-template` }, { ignore: [404] })
    .catch(() => undefined);
}
