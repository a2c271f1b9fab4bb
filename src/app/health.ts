/** Pure: is the monitor healthy at `nowMs`? Healthy when the last cycle succeeded within two periods. */
export interface HealthState {
  startedMs: number;
  lastSuccessMs?: number;
  lastError?: string;
}

export function healthAt(
  state: HealthState,
  nowMs: number,
  periodMs: number,
): { ok: boolean; reason: string } {
  const limit = 2 * periodMs;
  if (state.lastSuccessMs === undefined) {
    if (nowMs - state.startedMs <= limit) return { ok: true, reason: 'starting: no cycle has completed yet' };
    return {
      ok: false,
      reason: `no successful cycle since start${state.lastError ? `; last error: ${state.lastError}` : ''}`,
    };
  }
  const age = nowMs - state.lastSuccessMs;
  if (age <= limit) return { ok: true, reason: `last successful cycle ${Math.round(age / 1000)} s ago` };
  return {
    ok: false,
    reason: `last successful cycle ${Math.round(age / 1000)} s ago (more than two intervals)${state.lastError ? `; last error: ${state.lastError}` : ''}`,
  };
}
