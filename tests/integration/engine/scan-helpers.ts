/** Small helpers shared by the engine's integration tests: scan through the CLI, read findings. */
import type { Client } from '@elastic/elasticsearch';
import { jsonLines, type RunResult, runVigil } from '../../helpers/vigil-cli';

export interface FindingLine {
  rule: string;
  severity: string;
  entity: Record<string, string>;
  value: number;
  threshold: number;
  schedule: 'business_hours' | 'off_hours';
  window: { start: string; end: string };
  samples: Record<string, unknown>[];
}

export interface ScanResult extends RunResult {
  findings: FindingLine[];
  /** stderr without the summary line */
  messages: string[];
}

/**
 * `vigil scan --format json --dry-run` with the given config and extra flags. These tests are about
 * detection: --dry-run keeps each scan independent of the alert memory (dedup, recovery) of others.
 */
export async function scanJson(
  config: string,
  args: string[],
  env?: Record<string, string | undefined>,
): Promise<ScanResult> {
  const r = await runVigil(['scan', '--config', config, '--format', 'json', '--dry-run', ...args], { env });
  const findings = r.code === 0 ? (jsonLines(r.stdout) as unknown as FindingLine[]) : [];
  const messages = r.stderr.split('\n').filter((l) => l.trim() && !/^scan \S+ → /.test(l));
  return { ...r, findings, messages };
}

/** Findings of one rule, keyed by the entity's first value. */
export function byEntity(findings: FindingLine[], rule: string): Map<string, FindingLine> {
  return new Map(findings.filter((f) => f.rule === rule).map((f) => [Object.values(f.entity).join(' '), f]));
}

export const MIN = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** Deletes every index whose name starts with `prefix` (the test's own, state indices included). */
export async function deleteIndicesStartingWith(client: Client, prefix: string): Promise<void> {
  const found = await client.indices.get({
    index: `${prefix}*`,
    ignore_unavailable: true,
    allow_no_indices: true,
    expand_wildcards: 'all',
  });
  const names = Object.keys(found).filter((n) => n.startsWith(prefix));
  if (names.length) await client.indices.delete({ index: names, ignore_unavailable: true });
}
