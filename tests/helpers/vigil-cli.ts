/** Runs the built CLI as a user would (node dist/cli/main.js), with a config written for the test. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO, 'dist', 'cli', 'main.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runVigil(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string; cli?: string } = {},
): Promise<RunResult> {
  const cli = opts.cli ?? CLI;
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first (npm test does)`);
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: opts.cwd ?? REPO,
      env: env as NodeJS.ProcessEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

export function tempDir(prefix = 'vigil-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a config.yaml for a test: sources point at the test's own indices. */
export function writeConfig(dir: string, yaml: string): string {
  const file = path.join(dir, 'config.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

/**
 * A calendar with no business day: every instant is off-hours. Tests that put events at "now"
 * use it, so their result does not depend on the hour, the weekday or a holiday they run on.
 */
export const OFF_HOURS_CALENDAR = `calendar:
  timezone: UTC
  business_days: []
  business_hours: { start: "08:00", end: "18:00" }
  holidays: []`;

export function baseConfig(opts: {
  /** the whole calendar section, e.g. OFF_HOURS_CALENDAR; default: Mon–Fri 08–18 in `timezone` */
  calendar?: string;
  auth?: string[];
  web?: string[];
  windows?: string[];
  timezone?: string;
  extra?: string;
  rulesDir?: string;
  logDir?: string;
  stateIndex?: string;
}): string {
  const list = (xs: string[] | undefined, fallback: string) => `[${(xs ?? [fallback]).join(', ')}]`;
  return `elasticsearch:
  nodes: ["\${ELASTICSEARCH_URL}"]
  request_timeout: 20s
  max_retries: 1
sources:
  auth: { indices: ${list(opts.auth, 'none-auth-*')} }
  web: { indices: ${list(opts.web, 'none-web-*')} }
  windows: { indices: ${list(opts.windows, 'none-win-*')} }
${
  opts.calendar ??
  `calendar:
  timezone: ${opts.timezone ?? 'UTC'}
  business_days: [mon, tue, wed, thu, fri]
  business_hours: { start: "08:00", end: "18:00" }
  holidays: [2026-12-25]`
}
schedule: { interval: 1m, query_delay: 0s }
rules:
  dir: ${opts.rulesDir ?? path.join(REPO, 'queries')}
logging:
  dir: ${opts.logDir ?? tempDir('vigil-logs-')}
state:
  index: ${opts.stateIndex ?? `it-state-${process.pid}-${Math.random().toString(36).slice(2, 8)}`}
  alerts_index: ${opts.stateIndex ? `${opts.stateIndex}-alerts` : `it-alerts-${process.pid}`}
${opts.extra ?? ''}`;
}
