/**
 * The runs of a cron expression around any instant, in the calendar's time zone: what /healthz
 * and the lease length are computed from. node-cron runs the ticks, so its own matcher is the
 * reference for which instants are runs.
 */
import cron from 'node-cron';
import { cronFires } from '../../../src/app/cron-fires';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cronFires: the run at or before an instant, and the first run after it', () => {
  test.each([
    {
      name: 'business hours on weekdays: Saturday looks back to Friday 18:55 and ahead to Monday 08:00',
      cron: '*/5 8-18 * * 1-5',
      zone: 'Europe/Berlin',
      at: '2026-03-21T12:00:00Z', // Saturday, CET (UTC+1)
      previous: '2026-03-20T17:55:00.000Z',
      next: '2026-03-23T07:00:00.000Z',
    },
    {
      name: 'the same across the change to summer time: Monday 08:00 is 06:00Z',
      cron: '*/5 8-18 * * 1-5',
      zone: 'Europe/Berlin',
      at: '2026-03-29T12:00:00Z', // Sunday, CEST (UTC+2) since 01:00Z
      previous: '2026-03-27T17:55:00.000Z',
      next: '2026-03-30T06:00:00.000Z',
    },
    {
      name: 'inside the window: the runs on either side',
      cron: '*/5 8-18 * * 1-5',
      zone: 'Europe/Berlin',
      at: '2026-03-24T09:12:30Z', // Tuesday 10:12:30 CET
      previous: '2026-03-24T09:10:00.000Z',
      next: '2026-03-24T09:15:00.000Z',
    },
    {
      name: 'an instant that is a run is its own previous run, not its next',
      cron: '*/5 8-18 * * 1-5',
      zone: 'Europe/Berlin',
      at: '2026-03-24T09:10:00Z',
      previous: '2026-03-24T09:10:00.000Z',
      next: '2026-03-24T09:15:00.000Z',
    },
    {
      name: 'a local time skipped by the change to summer time does not run that day',
      cron: '30 2 * * *',
      zone: 'Europe/Berlin',
      at: '2026-03-29T12:00:00Z',
      previous: '2026-03-28T01:30:00.000Z',
      next: '2026-03-30T00:30:00.000Z',
    },
    {
      name: 'a local time repeated by the change to winter time runs at both instants',
      cron: '30 2 * * *',
      zone: 'Europe/Berlin',
      at: '2026-10-25T01:00:00Z', // 02:00 CET, the second time round
      previous: '2026-10-25T00:30:00.000Z',
      next: '2026-10-25T01:30:00.000Z',
    },
    {
      name: 'six fields: seconds first',
      cron: '*/10 * * * * *',
      zone: 'UTC',
      at: '2026-03-24T09:12:37.500Z',
      previous: '2026-03-24T09:12:30.000Z',
      next: '2026-03-24T09:12:40.000Z',
    },
    {
      name: 'names for months and weekdays',
      cron: '0 9 * jan,jul mon',
      zone: 'UTC',
      at: '2026-03-24T00:00:00Z',
      previous: '2026-01-26T09:00:00.000Z',
      next: '2026-07-06T09:00:00.000Z',
    },
    {
      name: 'lists and ranges with steps',
      cron: '0 0,12 1-10/3 * *',
      zone: 'UTC',
      at: '2026-03-05T13:00:00Z',
      previous: '2026-03-04T12:00:00.000Z',
      next: '2026-03-07T00:00:00.000Z',
    },
    {
      name: 'the last day of the month',
      cron: '0 6 L * *',
      zone: 'Asia/Kolkata',
      at: '2026-02-15T00:00:00Z',
      previous: '2026-01-31T00:30:00.000Z',
      next: '2026-02-28T00:30:00.000Z',
    },
    {
      name: 'the second Monday of the month',
      cron: '0 9 * * 1#2',
      zone: 'UTC',
      at: '2026-03-24T00:00:00Z',
      previous: '2026-03-09T09:00:00.000Z',
      next: '2026-04-13T09:00:00.000Z',
    },
  ])('$name', (c) => {
    const fires = cronFires(c.cron, c.zone);
    expect({ previous: iso(fires.previous(at(c.at))), next: iso(fires.next(at(c.at))) }).toEqual({
      previous: c.previous,
      next: c.next,
    });
  });

  test('no run within the search horizon: undefined, not a made-up time', () => {
    const fires = cronFires('0 0 29 2 1', 'UTC'); // 29 February on a Monday: 2016, then 2044
    expect(fires.previous(at('2026-03-24T00:00:00Z'))).toBeUndefined();
    expect(fires.next(at('2026-03-24T00:00:00Z'))).toBeUndefined();
  });
});

describe('cronFires agrees with node-cron, which runs the ticks', () => {
  test.each([
    ['*/5 8-18 * * 1-5', 'Europe/Berlin', '2026-03-26T15:00:00Z'],
    ['*/20 1-3 * * *', 'Europe/Berlin', '2026-10-24T22:00:00Z'],
    ['*/20 1-3 * * *', 'America/New_York', '2026-03-07T22:00:00Z'],
    ['15 */2 * * sat,sun', 'Australia/Lord_Howe', '2026-04-03T00:00:00Z'],
    ['0 0 L * *', 'UTC', '2026-01-15T00:00:00Z'],
    ['0 0 15W * *', 'UTC', '2026-01-15T00:00:00Z'],
    ['0 0 L-2 * *', 'UTC', '2026-01-15T00:00:00Z'],
    ['0 0 * * 5L', 'UTC', '2026-01-15T00:00:00Z'],
    ['0 0 1-7 * 1', 'UTC', '2026-01-15T00:00:00Z'],
  ])('"%s" in %s from %s: every run matches, and nothing between two runs does', (expr, zone, from) => {
    const fires = cronFires(expr, zone);
    const task = cron.createTask(expr, () => {}, { timezone: zone });
    try {
      // minute steps between runs a day or less apart; day steps (at the run's local time) for monthly ones
      const step = expr.startsWith('0 0 ') ? 86_400_000 : 60_000;
      let t = at(from);
      for (let i = 0; i < 12; i++) {
        const next = fires.next(t) as number;
        expect({ run: iso(next), matches: task.match(new Date(next)) }).toEqual({
          run: iso(next),
          matches: true,
        });
        const between: string[] = [];
        for (let u = Math.floor(t / step) * step + step; u < next; u += step)
          if (task.match(new Date(u))) between.push(iso(u) as string);
        expect(between).toEqual([]);
        expect(fires.previous(next)).toBe(next);
        expect(fires.previous(next - 1)).toBe(i === 0 ? fires.previous(t) : t);
        t = next;
      }
    } finally {
      void task.destroy();
    }
  });
});
