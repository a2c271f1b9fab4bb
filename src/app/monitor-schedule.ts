/**
 * Pure: the monitor's schedule as /healthz, leases and the first look-back need it. An interval
 * runs every period; a cron expression runs at its own times, with gaps as long as a night or a
 * weekend between active windows. Its period is the shortest gap between two runs: the length of
 * one cycle in the active window, which is what a cycle must hold its lease for.
 */
import { cronFires, type FireTimes } from './cron-fires';
import { cronHealthAt, type Health, type HealthState, healthAt } from './health';

export interface MonitorSchedule {
  /** the interval, or for a cron expression the shortest gap between two consecutive runs */
  periodMs: number;
  /** a cron expression's runs; undefined for an interval */
  fires?: FireTimes;
}

const DEFAULT_PERIOD_MS = 60_000;
/** runs looked at for a cron expression's shortest gap: several active windows of any real schedule */
const GAPS_SAMPLED = 64;

export function monitorSchedule(
  schedule: { interval?: number; cron?: string },
  timezone: string,
  nowMs: number,
): MonitorSchedule {
  if (!schedule.cron) return { periodMs: schedule.interval ?? DEFAULT_PERIOD_MS };
  const fires = cronFires(schedule.cron, timezone);
  return { periodMs: shortestGap(fires, nowMs) ?? DEFAULT_PERIOD_MS, fires };
}

/** The schedule's period in ms (see monitorSchedule). */
export function schedulePeriod(
  schedule: { interval?: number; cron?: string },
  timezone: string,
  nowMs: number,
): number {
  return monitorSchedule(schedule, timezone, nowMs).periodMs;
}

/** Health at `nowMs`: two intervals since the last success, or for cron the runs around `nowMs`. */
export function scheduleHealthAt(state: HealthState, nowMs: number, schedule: MonitorSchedule): Health {
  return schedule.fires
    ? cronHealthAt(state, nowMs, schedule.fires, schedule.periodMs)
    : healthAt(state, nowMs, schedule.periodMs);
}

function shortestGap(fires: FireTimes, fromMs: number): number | undefined {
  let shortest: number | undefined;
  let prev = fires.next(fromMs);
  for (let i = 0; prev !== undefined && i < GAPS_SAMPLED; i++) {
    const next = fires.next(prev);
    if (next === undefined) break;
    shortest = Math.min(shortest ?? Number.POSITIVE_INFINITY, next - prev);
    prev = next;
  }
  return shortest;
}
