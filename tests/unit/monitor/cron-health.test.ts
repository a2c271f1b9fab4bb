/**
 * /healthz with a cron schedule (issue 13, defect 10): computed from the runs around the instant,
 * not from one fixed period. `*` /5 8-18 * * 1-5 must not turn unhealthy every night and weekend;
 * two runs due without a success still do. Europe/Berlin changes to summer time on 2026-03-29.
 */
import { type HealthState, healthAt } from '../../../src/app/health';
import { monitorSchedule, scheduleHealthAt } from '../../../src/app/monitor-schedule';

const at = (iso: string) => Date.parse(iso);
const WORKDAYS = { cron: '*/5 8-18 * * 1-5' };
const BERLIN = 'Europe/Berlin';
const START = at('2026-03-23T05:00:00Z'); // Monday 06:00 CET, when the monitor started
const ES_DOWN = 'Elasticsearch unreachable at http://es:9200';

/** the run of a local time finished 20 s later */
const ranAt = (iso: string) => at(iso) + 20_000;

describe('health with a cron schedule, at instants across nights, a weekend and a DST change', () => {
  test.each<{ name: string; state: HealthState; now: string; ok: boolean; reason: string }>([
    {
      name: 'Tuesday night after a good evening: nothing is due until 08:00',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-24T17:55:00Z') }, // 18:55 CET
      now: '2026-03-25T02:00:00Z',
      ok: true,
      reason: 'last successful cycle 29080 s ago',
    },
    {
      name: 'Wednesday 07:59, a minute before the first run',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-24T17:55:00Z') },
      now: '2026-03-25T06:59:00Z',
      ok: true,
      reason: 'last successful cycle 47020 s ago',
    },
    {
      name: 'the 08:00 run failed: one missed run is tolerated',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-24T17:55:00Z'), lastError: ES_DOWN },
      now: '2026-03-25T07:09:59Z',
      ok: true,
      reason: 'last successful cycle 47679 s ago',
    },
    {
      name: 'the 08:00 and 08:05 runs failed: unhealthy once the second is due',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-24T17:55:00Z'), lastError: ES_DOWN },
      now: '2026-03-25T07:10:00Z',
      ok: false,
      reason: `last successful cycle 47680 s ago (none since the runs due at 2026-03-25T07:00:00.000Z and 2026-03-25T07:05:00.000Z); last error: ${ES_DOWN}`,
    },
    {
      name: 'the last two runs of the evening failed: unhealthy through the night (detection is down)',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-24T17:45:00Z'), lastError: ES_DOWN },
      now: '2026-03-25T02:00:00Z',
      ok: false,
      reason: `last successful cycle 29680 s ago (none since the runs due at 2026-03-24T17:50:00.000Z and 2026-03-24T17:55:00.000Z); last error: ${ES_DOWN}`,
    },
    {
      name: 'Saturday noon after a good Friday',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-27T17:55:00Z') },
      now: '2026-03-28T11:00:00Z',
      ok: true,
      reason: 'last successful cycle 61480 s ago',
    },
    {
      name: 'Sunday, after the change to summer time',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-27T17:55:00Z') },
      now: '2026-03-29T12:00:00Z',
      ok: true,
      reason: 'last successful cycle 151480 s ago',
    },
    {
      name: 'Monday 08:09 CEST: only the 08:00 run is due',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-27T17:55:00Z'), lastError: ES_DOWN },
      now: '2026-03-30T06:09:59Z',
      ok: true,
      reason: 'last successful cycle 216879 s ago',
    },
    {
      name: 'Monday 08:10 CEST: the 08:00 and 08:05 CEST runs are due (06:00Z and 06:05Z)',
      state: { startedMs: START, lastSuccessMs: ranAt('2026-03-27T17:55:00Z'), lastError: ES_DOWN },
      now: '2026-03-30T06:10:00Z',
      ok: false,
      reason: `last successful cycle 216880 s ago (none since the runs due at 2026-03-30T06:00:00.000Z and 2026-03-30T06:05:00.000Z); last error: ${ES_DOWN}`,
    },
    {
      name: 'started on Saturday with Elasticsearch down: starting until runs are due on Monday',
      state: { startedMs: at('2026-03-28T09:00:00Z'), lastError: ES_DOWN },
      now: '2026-03-29T20:00:00Z',
      ok: true,
      reason: 'starting: no cycle has completed yet',
    },
    {
      name: 'started on Saturday, still no success on Monday 08:10 CEST',
      state: { startedMs: at('2026-03-28T09:00:00Z'), lastError: ES_DOWN },
      now: '2026-03-30T06:10:00Z',
      ok: false,
      reason: `no successful cycle since start (none since the runs due at 2026-03-30T06:00:00.000Z and 2026-03-30T06:05:00.000Z); last error: ${ES_DOWN}`,
    },
  ])('$name', ({ state, now, ok, reason }) => {
    const schedule = monitorSchedule(WORKDAYS, BERLIN, START);
    expect(scheduleHealthAt(state, at(now), schedule)).toEqual({ ok, reason });
  });

  test.each([
    // 02:00–03:00 local happens twice on 2026-10-25: runs at 00:00Z, 00:30Z (CEST), 01:00Z, 01:30Z (CET)
    { now: '2026-10-25T01:31:00Z', ok: true },
    { now: '2026-10-25T01:59:59Z', ok: true },
    { now: '2026-10-25T02:00:00Z', ok: false },
  ])('every 30 minutes through the change to winter time, last success 02:30 CEST: $now → $ok', (c) => {
    const schedule = monitorSchedule({ cron: '*/30 * * * *' }, BERLIN, at('2026-10-24T00:00:00Z'));
    const state = { startedMs: at('2026-10-24T00:00:00Z'), lastSuccessMs: ranAt('2026-10-25T00:30:00Z') };
    expect(scheduleHealthAt(state, at(c.now), schedule).ok).toBe(c.ok);
  });
});

describe('health with an interval schedule behaves as before: two intervals since the last success', () => {
  const T0 = at('2026-03-01T12:00:00Z');
  test.each([
    { state: { startedMs: T0 }, now: T0 + 120_000 },
    { state: { startedMs: T0 }, now: T0 + 120_001 },
    { state: { startedMs: T0, lastSuccessMs: T0 }, now: T0 + 120_000 },
    { state: { startedMs: T0, lastSuccessMs: T0 }, now: T0 + 121_000 },
    { state: { startedMs: T0, lastSuccessMs: T0, lastError: 'every rule failed' }, now: T0 + 300_000 },
  ])('%j', ({ state, now }) => {
    const schedule = monitorSchedule({ interval: 60_000 }, 'Europe/Berlin', T0);
    expect(scheduleHealthAt(state, now, schedule)).toEqual(healthAt(state, now, 60_000));
  });
});
