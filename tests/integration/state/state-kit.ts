/**
 * Helpers shared by the state tests: `vigil scan --format json` with statuses, the audit trail of a
 * log dir, the state documents of an index, and cleanup of a test's state and alerts indices.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import {
  baseConfig,
  jsonLines,
  type RunResult,
  runVigil,
  tempDir,
  writeConfig,
} from '../../helpers/vigil-cli';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const iso = (ms: number) => new Date(ms).toISOString();

export interface AlertLine {
  rule: string;
  entity: Record<string, string>;
  value: number;
  threshold: number;
  schedule: string;
  window: { start: string; end: string };
  status: 'new' | 'suppressed' | 'escalated' | 'recovered';
  id: string;
  baseline?: { expected: number; ratio: number; samples: number; sigma?: number };
  /** recoveries: when the episode first fired */
  firing_since?: string;
}

export interface ScanRun extends RunResult {
  alerts: AlertLine[];
  /** stderr lines that start with "warning:" */
  warnings: string[];
}

export async function scan(
  config: string,
  args: string[],
  env?: Record<string, string | undefined>,
): Promise<ScanRun> {
  const r = await runVigil(['scan', '--config', config, '--format', 'json', ...args], { env });
  const alerts = r.stdout.trim() ? (jsonLines(r.stdout) as unknown as AlertLine[]) : [];
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
  return { ...r, alerts, warnings };
}

/** The alerts of one rule for one entity value (the first group_by field). */
export function alertsFor(run: ScanRun, rule: string, entityValue: string): AlertLine[] {
  return run.alerts.filter((a) => a.rule === rule && Object.values(a.entity)[0] === entityValue);
}

/** A test's own config: its state index, alerts index and audit log dir. */
export interface StateSetup {
  config: string;
  stateIndex: string;
  alertsPrefix: string;
  logDir: string;
}

/**
 * `overrides`: rule overrides, one `rule_id: { ... }` per line, put under `rules.overrides`;
 * `state`: more keys of the state section (e.g. `max_catch_up: 30m`).
 */
export type StateSetupOptions = Parameters<typeof baseConfig>[0] & { overrides?: string[]; state?: string[] };

export function stateSetup(stateIndex: string, opts: StateSetupOptions = {}): StateSetup {
  const dir = tempDir('vigil-state-');
  const logDir = path.join(dir, 'logs');
  let yaml = baseConfig({ ...opts, stateIndex, logDir });
  if (opts.overrides?.length) {
    yaml = yaml.replace(
      /^(rules:\n {2}dir: .*\n)/m,
      `$1  overrides:\n${opts.overrides.map((o) => `    ${o}\n`).join('')}`,
    );
  }
  if (opts.state?.length) {
    yaml = yaml.replace(/^(state:\n)/m, `$1${opts.state.map((o) => `  ${o}\n`).join('')}`);
  }
  const config = writeConfig(dir, yaml);
  return { config, stateIndex, alertsPrefix: `${stateIndex}-alerts`, logDir };
}

/** Every audit record of a log dir, oldest first. */
export function auditRecords(logDir: string, event?: string): Record<string, unknown>[] {
  if (!fs.existsSync(logDir)) return [];
  const files = fs
    .readdirSync(logDir)
    .filter((f) => /^vigil-audit-.*\.log$/.test(f))
    .sort();
  const records = files.flatMap((f) => jsonLines(fs.readFileSync(path.join(logDir, f), 'utf8')));
  return event ? records.filter((r) => r.event === event) : records;
}

export interface AuditFinding {
  id: string;
  rule: string;
  entity: Record<string, string>;
  decision: string;
}

/** The findings of the cycle records, one list per cycle. */
export function cycleDecisions(logDir: string): AuditFinding[][] {
  return auditRecords(logDir, 'cycle').map((r) => r.findings as AuditFinding[]);
}

export async function stateDoc(
  client: Client,
  index: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const r = await client.get<Record<string, unknown>>({ index, id }, { ignore: [404] });
  return r.found ? r._source : undefined;
}

/** Deletes a test's state index, its monthly alerts indices and the alerts template. */
export async function dropState(
  client: Client,
  setup: Pick<StateSetup, 'stateIndex' | 'alertsPrefix'>,
): Promise<void> {
  const alerts = await client.indices.get({
    index: `${setup.alertsPrefix}-*`,
    allow_no_indices: true,
    expand_wildcards: 'all',
  });
  const names = [setup.stateIndex, ...Object.keys(alerts)];
  await client.indices.delete({ index: names.join(','), ignore_unavailable: true });
  await client.indices.deleteIndexTemplate({ name: `${setup.alertsPrefix}-template` }, { ignore: [404] });
}

/**
 * A test file's state setups: each test gets its own state index (`<prefix>-<name>`) with the
 * file's sources, and `dropAll` deletes them (with their alerts indices) in afterAll.
 */
export function stateSetups(prefix: string, defaults: StateSetupOptions) {
  const made: StateSetup[] = [];
  return {
    setup(name: string, opts: StateSetupOptions = {}): StateSetup {
      const s = stateSetup(`${prefix}-${name}`, { ...defaults, ...opts });
      made.push(s);
      return s;
    },
    /** a state index made some other way, dropped with the rest */
    track(stateIndex: string): void {
      made.push({ config: '', stateIndex, alertsPrefix: `${stateIndex}-alerts`, logDir: '' });
    },
    async dropAll(client: Client): Promise<void> {
      for (const s of made) await dropState(client, s);
    },
  };
}

/**
 * A rules folder with one baseline rule, `bytes_spike`: bytes per host against a short baseline
 * (`by: none`, ratio 2, at least 3 samples) so that a test needs only hours of history. `baseline`
 * replaces keys of the baseline section (e.g. `max_entities: 3`); the folder is `<dir>/rules`.
 */
export function baselineRulesDir(dir: string, baseline: Record<string, string | number> = {}): string {
  const spec = { period: '1d', by: 'none', deviation: '{ ratio: 2 }', min_samples: 3, ...baseline };
  const rules = path.join(dir, 'rules');
  fs.mkdirSync(rules, { recursive: true });
  fs.writeFileSync(
    path.join(rules, 'bytes_spike.yaml'),
    `id: bytes_spike
title: Bytes spike (test)
description: A host served far more bytes than its own baseline.
remediation: None; a test rule.
severity: medium
source: web
filter:
  exists: { field: http.response.body.bytes }
group_by: [host.hostname]
metric: { type: sum, field: http.response.body.bytes }
window: 1h
baseline:
${Object.entries(spec)
  .map(([k, v]) => `  ${k}: ${v}`)
  .join('\n')}
recovery: true
`,
  );
  return rules;
}

/** The stored baselines of a rule, after a refresh: entity key (a JSON list) → number of hours. */
export async function storedBaselineHours(
  client: Client,
  stateIndex: string,
  rule: string,
): Promise<Map<string, number>> {
  await client.indices.refresh({ index: stateIndex });
  const r = await client.search<{ entity_key: string; body: { hours: unknown[] } }>({
    index: stateIndex,
    size: 1000,
    query: {
      bool: {
        filter: [{ term: { doc_type: 'baseline' } }, { term: { rule } }, { exists: { field: 'entity_key' } }],
      },
    },
  });
  return new Map(
    r.hits.hits.map((h) => [h._source?.entity_key as string, h._source?.body.hours.length ?? 0]),
  );
}
