/**
 * A long-running vigil (e.g. `vigil monitor`) as a child process: its output is collected as it
 * comes, tests wait for conditions with bounded polling, and afterAll kills whatever is left.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import { CLI, REPO } from './vigil-cli';

export interface VigilProcess {
  child: ChildProcessWithoutNullStreams;
  /** everything printed so far */
  stdout(): string;
  stderr(): string;
  /** resolves once the process has exited: the exit code, or 128 + n for a signal */
  exited: Promise<{ code: number; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL if still running (afterAll) */
  kill(): Promise<void>;
}

const running = new Set<VigilProcess>();

export function startVigil(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string } = {},
): VigilProcess {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    env: env as NodeJS.ProcessEnv,
  });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  let alive = true;
  const exited = new Promise<{ code: number; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      alive = false;
      running.delete(proc);
      resolve({ code: code ?? 128, signal });
    });
  });
  const proc: VigilProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    isRunning: () => alive,
    signal: (sig) => {
      child.kill(sig);
    },
    kill: async () => {
      if (!alive) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(proc);
  return proc;
}

/** Kills every vigil child this test file started that is still running. */
export async function killAllVigils(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`
 * with `what` and the last state described by `describe`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { timeoutMs?: number; everyMs?: number; describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail = opts.describe ? `\n${opts.describe()}` : '';
      const cause = lastError ? `\nlast error: ${(lastError as Error).message}` : '';
      throw new Error(`timed out waiting for ${what}${cause}${detail}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 200));
  }
}
