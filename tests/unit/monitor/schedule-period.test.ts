import { schedulePeriod } from '../../../src/app/monitor';

describe('schedulePeriod: the period /healthz and leases are sized by', () => {
  it.each([
    [{ interval: 2_000 }, 2_000],
    [{ interval: 60_000 }, 60_000],
    [{ interval: 15 * 60_000 }, 15 * 60_000],
    [{}, 60_000],
  ])('interval %j → %i ms', (schedule, ms) => {
    expect(schedulePeriod(schedule, 'UTC')).toBe(ms);
  });

  it.each([
    ['* * * * *', 60_000],
    ['*/5 * * * *', 5 * 60_000],
    ['0 * * * *', 3_600_000],
    ['*/10 * * * * *', 10_000],
    ['0 3 * * *', 24 * 3_600_000],
  ])('cron "%s" → %i ms (the gap between its next two runs)', (cron, ms) => {
    expect(schedulePeriod({ cron }, 'UTC')).toBe(ms);
  });

  it('a cron expression wins over an interval', () => {
    expect(schedulePeriod({ cron: '*/5 * * * *', interval: 2_000 }, 'UTC')).toBe(5 * 60_000);
  });

  it('evaluates the cron expression in the configured time zone', () => {
    expect(schedulePeriod({ cron: '*/15 * * * *' }, 'Asia/Kolkata')).toBe(15 * 60_000);
    expect(schedulePeriod({ cron: '30 * * * *' }, 'Asia/Kolkata')).toBe(3_600_000);
  });
});
