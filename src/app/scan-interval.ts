import { UsageError } from '../errors';
import type { Interval } from '../query/types';

/**
 * Pure: the interval a scan evaluates. Live: [now − query_delay − D, now − query_delay).
 * Replay: [from, to) as given.
 */
export function scanInterval(
  opts: { durationMin?: number; from?: string; to?: string },
  nowMs: number,
  queryDelayMs: number,
): Interval {
  if (opts.from || opts.to) {
    if (!opts.from || !opts.to)
      throw new UsageError(
        '--from and --to go together (ISO times, e.g. --from 2026-03-01T00:00:00Z --to 2026-03-02T00:00:00Z)',
      );
    const startMs = parseInstant(opts.from, '--from');
    const endMs = parseInstant(opts.to, '--to');
    if (endMs <= startMs) throw new UsageError(`--to must be after --from (got ${opts.from} → ${opts.to})`);
    return { startMs, endMs };
  }
  const d = opts.durationMin ?? 5;
  const endMs = nowMs - queryDelayMs;
  return { startMs: endMs - Math.round(d * 60_000), endMs };
}

function parseInstant(s: string, flag: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(`${flag}: expected an ISO time like 2026-03-01T00:00:00Z, got "${s.slice(0, 40)}"`);
  return ms;
}

export function parseMinutes(v: string, flag = '--duration'): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !Number.isFinite(n) || n <= 0 || n > 525_600) {
    throw new UsageError(`${flag}: expected a number of minutes greater than 0, got "${v.slice(0, 40)}"`);
  }
  return n;
}
