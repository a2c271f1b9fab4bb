import { schedulePeriod } from '../../../src/app/monitor-schedule';

const NOW = Date.parse('2026-03-27T17:57:00Z'); // Friday 18:57 in Berlin, after the last run of the week

describe('schedulePeriod: the period /healthz and leases are sized by', () => {
  it.each([
    [{ interval: 2_000 }, 2_000],
    [{ interval: 60_000 }, 60_000],
    [{ interval: 15 * 60_000 }, 15 * 60_000],
    [{}, 60_000],
  ])('interval %j → %i ms', (schedule, ms) => {
    expect(schedulePeriod(schedule, 'UTC', NOW)).toBe(ms);
  });

  it.each([
    ['* * * * *', 60_000],
    ['*/5 * * * *', 5 * 60_000],
    ['0 * * * *', 3_600_000],
    ['*/10 * * * * *', 10_000],
    ['0 3 * * *', 24 * 3_600_000],
  ])('cron "%s" → %i ms (the shortest gap between two runs)', (cron, ms) => {
    expect(schedulePeriod({ cron }, 'UTC', NOW)).toBe(ms);
  });

  it.each([
    ['*/5 8-18 * * 1-5', 5 * 60_000],
    ['0 9 * * 1-5', 24 * 3_600_000],
    ['0 9 * * mon,thu', 3 * 24 * 3_600_000],
  ])('cron "%s" in Berlin, asked on Friday evening → %i ms, not the gap over the weekend', (cron, ms) => {
    expect(schedulePeriod({ cron }, 'Europe/Berlin', NOW)).toBe(ms);
  });

  it('a cron expression wins over an interval', () => {
    expect(schedulePeriod({ cron: '*/5 * * * *', interval: 2_000 }, 'UTC', NOW)).toBe(5 * 60_000);
  });

  it('evaluates the cron expression in the configured time zone', () => {
    expect(schedulePeriod({ cron: '*/15 * * * *' }, 'Asia/Kolkata', NOW)).toBe(15 * 60_000);
    expect(schedulePeriod({ cron: '30 * * * *' }, 'Asia/Kolkata', NOW)).toBe(3_600_000);
  });
});
