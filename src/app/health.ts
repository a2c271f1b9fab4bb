/** Pure: is the monitor healthy at `nowMs`? (/healthz; readiness, not liveness) */
import type { FireTimes } from './cron-fires';

export interface HealthState {
  startedMs: number;
  lastSuccessMs?: number;
  lastError?: string;
}

export interface Health {
  ok: boolean;
  reason: string;
}

const STARTING: Health = { ok: true, reason: 'starting: no cycle has completed yet' };

/** An interval schedule: healthy when the last cycle succeeded within two periods. */
export function healthAt(state: HealthState, nowMs: number, periodMs: number): Health {
  const limit = 2 * periodMs;
  if (state.lastSuccessMs === undefined) {
    if (nowMs - state.startedMs <= limit) return STARTING;
    return { ok: false, reason: `no successful cycle since start${lastError(state)}` };
  }
  const age = nowMs - state.lastSuccessMs;
  if (age <= limit) return { ok: true, reason: succeeded(age) };
  return { ok: false, reason: `${succeeded(age)} (more than two intervals)${lastError(state)}` };
}

/**
 * A cron schedule: unhealthy once two runs have come due with no success since, as with an
 * interval. A run is due once it should have completed: `marginMs` (the shortest gap between
 * runs, one cycle) after it started. Between active windows (nights, weekends) nothing comes due,
 * so health stays what it was when the window closed.
 */
export function cronHealthAt(state: HealthState, nowMs: number, fires: FireTimes, marginMs: number): Health {
  const due = fires.previous(nowMs - marginMs);
  const before = due === undefined ? undefined : fires.previous(due - 1);
  // the monitor's first cycle runs at start, as if a run were due then
  const since = state.lastSuccessMs ?? state.startedMs;
  if (due === undefined || before === undefined || since >= before)
    return state.lastSuccessMs === undefined ? STARTING : { ok: true, reason: succeeded(nowMs - since) };
  const missed = `(none since the runs due at ${new Date(before).toISOString()} and ${new Date(due).toISOString()})`;
  const head =
    state.lastSuccessMs === undefined
      ? 'no successful cycle since start'
      : succeeded(nowMs - state.lastSuccessMs);
  return { ok: false, reason: `${head} ${missed}${lastError(state)}` };
}

const succeeded = (ageMs: number) => `last successful cycle ${Math.round(ageMs / 1000)} s ago`;
const lastError = (s: HealthState) => (s.lastError ? `; last error: ${s.lastError}` : '');
