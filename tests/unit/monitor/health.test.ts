import { healthAt } from '../../../src/app/health';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const PERIOD = 60_000;
const S = 1000;

describe('healthAt: healthy when the last successful cycle is within two intervals', () => {
  it.each([
    [
      'just started, no cycle yet',
      { startedMs: T0 },
      T0 + 5 * S,
      true,
      'starting: no cycle has completed yet',
    ],
    [
      'no cycle yet, exactly two intervals after start',
      { startedMs: T0 },
      T0 + 2 * PERIOD,
      true,
      'starting: no cycle has completed yet',
    ],
    [
      'no success more than two intervals after start',
      { startedMs: T0 },
      T0 + 2 * PERIOD + 1,
      false,
      'no successful cycle since start',
    ],
    [
      'no success since start, with the last error',
      { startedMs: T0, lastError: 'Elasticsearch unreachable at http://es:9200' },
      T0 + 3 * PERIOD,
      false,
      'no successful cycle since start; last error: Elasticsearch unreachable at http://es:9200',
    ],
    [
      'success one interval ago',
      { startedMs: T0, lastSuccessMs: T0 + PERIOD },
      T0 + 2 * PERIOD,
      true,
      'last successful cycle 60 s ago',
    ],
    [
      'success exactly two intervals ago',
      { startedMs: T0, lastSuccessMs: T0 },
      T0 + 2 * PERIOD,
      true,
      'last successful cycle 120 s ago',
    ],
    [
      'success just over two intervals ago',
      { startedMs: T0, lastSuccessMs: T0 },
      T0 + 2 * PERIOD + S,
      false,
      'last successful cycle 121 s ago (more than two intervals)',
    ],
    [
      'stale success with the error since',
      { startedMs: T0, lastSuccessMs: T0, lastError: 'every rule failed' },
      T0 + 5 * PERIOD,
      false,
      'last successful cycle 300 s ago (more than two intervals); last error: every rule failed',
    ],
    [
      'recent success although an error came after it',
      { startedMs: T0, lastSuccessMs: T0 + PERIOD, lastError: 'one failed cycle' },
      T0 + 2 * PERIOD,
      true,
      'last successful cycle 60 s ago',
    ],
  ])('%s', (_name, state, now, ok, reason) => {
    expect(healthAt(state, now, PERIOD)).toEqual({ ok, reason });
  });

  it('scales with the period: a 2 s schedule is unhealthy after 4 s without success', () => {
    const state = { startedMs: T0, lastSuccessMs: T0 };
    expect(healthAt(state, T0 + 4 * S, 2 * S).ok).toBe(true);
    expect(healthAt(state, T0 + 4 * S + 1, 2 * S).ok).toBe(false);
  });
});
