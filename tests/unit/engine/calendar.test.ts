/**
 * Business hours or off-hours, read in the calendar's zone: DST changes, midnight, weekends,
 * holidays, start inclusive / end exclusive, and hours across midnight.
 */
import type { Calendar } from '../../../src/config/schema';
import { isBusinessHours, thresholdFor } from '../../../src/evaluate/calendar';
import { at, calendar } from './fixtures';

const ALL_WEEK: Calendar['business_days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const berlin = calendar({ timezone: 'Europe/Berlin' });
const berlinEveryDay = calendar({ timezone: 'Europe/Berlin', business_days: ALL_WEEK });
const newYork = calendar({ timezone: 'America/New_York', business_hours: { start: '09:00', end: '17:00' } });
const utc = calendar();

type Row = [instant: string, expected: boolean, why: string];

function table(cal: Calendar, rows: Row[]) {
  return rows.map(([instant, expected, why]) => ({ cal, instant, expected, why }));
}

describe.each([
  [
    'Europe/Berlin, spring forward (Sun 2026-03-29, 02:00 CET → 03:00 CEST)',
    table(berlin, [
      ['2026-03-27T06:59:59.999Z', false, 'Fri 07:59:59 CET'],
      ['2026-03-27T07:00:00.000Z', true, 'Fri 08:00 CET: start is inclusive'],
      ['2026-03-27T16:59:59.999Z', true, 'Fri 17:59:59 CET'],
      ['2026-03-27T17:00:00.000Z', false, 'Fri 18:00 CET: end is exclusive'],
      ['2026-03-30T05:59:59.999Z', false, 'Mon 07:59:59 CEST'],
      ['2026-03-30T06:00:00.000Z', true, 'Mon 08:00 CEST: an hour earlier in UTC than on Friday'],
      ['2026-03-30T06:30:00.000Z', true, 'Mon 08:30 CEST (the same UTC time was off-hours on Friday)'],
      ['2026-03-27T06:30:00.000Z', false, 'Fri 07:30 CET'],
      ['2026-03-30T15:59:59.999Z', true, 'Mon 17:59:59 CEST'],
      ['2026-03-30T16:00:00.000Z', false, 'Mon 18:00 CEST'],
      ['2026-03-29T10:00:00.000Z', false, 'Sunday: not a business day'],
    ]),
  ],
  [
    'Europe/Berlin, every day, on the day of the change',
    table(berlinEveryDay, [
      ['2026-03-28T06:59:00.000Z', false, 'Sat 07:59 CET'],
      ['2026-03-28T07:00:00.000Z', true, 'Sat 08:00 CET'],
      ['2026-03-29T05:59:00.000Z', false, 'Sun 07:59 CEST'],
      ['2026-03-29T06:00:00.000Z', true, 'Sun 08:00 CEST'],
      ['2026-03-29T16:00:00.000Z', false, 'Sun 18:00 CEST'],
      ['2026-10-25T06:59:00.000Z', false, 'Sun 07:59 CET, after fall back'],
      ['2026-10-25T07:00:00.000Z', true, 'Sun 08:00 CET'],
      ['2026-10-25T16:59:00.000Z', true, 'Sun 17:59 CET'],
      ['2026-10-25T17:00:00.000Z', false, 'Sun 18:00 CET'],
    ]),
  ],
  [
    'Europe/Berlin, fall back (Sun 2026-10-25, 03:00 CEST → 02:00 CET)',
    table(berlin, [
      ['2026-10-23T06:30:00.000Z', true, 'Fri 08:30 CEST'],
      ['2026-10-26T06:30:00.000Z', false, 'Mon 07:30 CET (the same UTC time was business hours on Friday)'],
      ['2026-10-26T07:00:00.000Z', true, 'Mon 08:00 CET'],
      ['2026-10-23T15:59:59.999Z', true, 'Fri 17:59:59 CEST'],
      ['2026-10-23T16:00:00.000Z', false, 'Fri 18:00 CEST'],
      ['2026-10-26T16:59:59.999Z', true, 'Mon 17:59:59 CET'],
      ['2026-10-26T17:00:00.000Z', false, 'Mon 18:00 CET'],
    ]),
  ],
  [
    'Europe/Berlin, hours in the repeated and the skipped hour (02:00–03:00 every day)',
    table(
      calendar({
        timezone: 'Europe/Berlin',
        business_days: ALL_WEEK,
        business_hours: { start: '02:00', end: '03:00' },
      }),
      [
        ['2026-10-25T00:30:00.000Z', true, '02:30 CEST, first pass through 02:xx'],
        ['2026-10-25T01:30:00.000Z', true, '02:30 CET, second pass through 02:xx'],
        ['2026-10-25T02:00:00.000Z', false, '03:00 CET'],
        ['2026-03-29T00:59:59.999Z', false, '01:59:59 CET'],
        ['2026-03-29T01:00:00.000Z', false, '03:00 CEST: 02:xx does not exist that night'],
        ['2026-03-30T00:30:00.000Z', true, 'Mon 02:30 CEST'],
      ],
    ),
  ],
  [
    'America/New_York (DST 2026-03-08 and 2026-11-01), 09:00–17:00',
    table(newYork, [
      ['2026-03-06T13:30:00.000Z', false, 'Fri 08:30 EST'],
      ['2026-03-06T14:00:00.000Z', true, 'Fri 09:00 EST'],
      ['2026-03-09T13:00:00.000Z', true, 'Mon 09:00 EDT'],
      ['2026-03-09T12:59:59.999Z', false, 'Mon 08:59:59 EDT'],
      ['2026-03-09T20:59:59.999Z', true, 'Mon 16:59:59 EDT'],
      ['2026-03-09T21:00:00.000Z', false, 'Mon 17:00 EDT'],
      ['2026-10-30T13:30:00.000Z', true, 'Fri 09:30 EDT'],
      ['2026-11-02T13:30:00.000Z', false, 'Mon 08:30 EST'],
      ['2026-11-02T14:00:00.000Z', true, 'Mon 09:00 EST'],
      ['2026-03-07T01:00:00.000Z', false, 'Fri 20:00 EST, Saturday in UTC'],
      ['2026-03-10T03:00:00.000Z', false, 'Mon 23:00 EDT, Tuesday in UTC'],
      ['2026-03-07T14:30:00.000Z', false, 'Saturday 09:30'],
    ]),
  ],
  [
    'midnight and weekends (UTC)',
    [
      ...table(calendar({ business_hours: { start: '00:00', end: '06:00' } }), [
        ['2026-11-23T00:00:00.000Z', true, 'Mon 00:00: start inclusive at midnight'],
        ['2026-11-22T23:59:59.999Z', false, 'Sun 23:59:59'],
        ['2026-11-21T00:00:00.000Z', false, 'Sat 00:00'],
        ['2026-11-20T05:59:59.999Z', true, 'Fri 05:59:59'],
        ['2026-11-20T06:00:00.000Z', false, 'Fri 06:00'],
      ]),
      ...table(calendar({ business_hours: { start: '18:00', end: '00:00' } }), [
        ['2026-11-20T18:00:00.000Z', true, 'Fri 18:00, hours until midnight'],
        ['2026-11-20T23:59:59.999Z', true, 'Fri 23:59:59'],
        ['2026-11-21T00:00:00.000Z', false, 'Sat 00:00'],
        ['2026-11-23T00:00:00.000Z', false, 'Mon 00:00: belongs to Sunday evening'],
        ['2026-11-20T17:59:59.999Z', false, 'Fri 17:59:59'],
      ]),
      ...table(utc, [
        ['2026-11-21T10:00:00.000Z', false, 'Saturday'],
        ['2026-11-22T10:00:00.000Z', false, 'Sunday'],
        ['2026-11-23T10:00:00.000Z', true, 'Monday'],
      ]),
      ...table(calendar({ business_days: ['sun', 'mon', 'tue', 'wed', 'thu'] }), [
        ['2026-11-22T10:00:00.000Z', true, 'Sunday is a business day in this week'],
        ['2026-11-20T10:00:00.000Z', false, 'Friday is not'],
      ]),
    ],
  ],
  [
    'overnight hours 22:00–06:00 belong to the day they start on',
    table(calendar({ business_hours: { start: '22:00', end: '06:00' } }), [
      ['2026-11-20T22:00:00.000Z', true, 'Fri 22:00'],
      ['2026-11-21T05:59:59.999Z', true, 'Sat 05:59: the Friday night shift'],
      ['2026-11-21T06:00:00.000Z', false, 'Sat 06:00'],
      ['2026-11-21T23:00:00.000Z', false, 'Sat 23:00: Saturday is no business day'],
      ['2026-11-23T02:00:00.000Z', false, 'Mon 02:00: the Sunday night shift'],
      ['2026-11-23T12:00:00.000Z', false, 'Mon noon: between shifts'],
      ['2026-11-23T22:00:00.000Z', true, 'Mon 22:00'],
      ['2026-11-24T03:00:00.000Z', true, 'Tue 03:00: the Monday night shift'],
    ]),
  ],
  [
    'holidays are off-hours all day in the calendar zone',
    [
      ...table(
        calendar({
          timezone: 'America/Los_Angeles',
          business_hours: { start: '09:00', end: '17:00' },
          holidays: ['2026-11-26'],
        }),
        [
          ['2026-11-26T18:00:00.000Z', false, 'Thu 2026-11-26 10:00 PST: the holiday'],
          ['2026-11-27T00:30:00.000Z', false, 'Thu 16:30 PST: still the holiday, though 2026-11-27 in UTC'],
          ['2026-11-26T00:30:00.000Z', true, 'Wed 16:30 PST: not the holiday, though 2026-11-26 in UTC'],
          ['2026-11-27T18:00:00.000Z', true, 'Fri 10:00 PST'],
        ],
      ),
      ...table(calendar({ timezone: 'Pacific/Auckland', holidays: ['2026-12-25'] }), [
        ['2026-12-24T21:00:00.000Z', false, 'Fri 2026-12-25 10:00 NZDT, Thursday 24th in UTC'],
        ['2026-12-23T21:00:00.000Z', true, 'Thu 2026-12-24 10:00 NZDT'],
      ]),
      ...table(calendar({ business_hours: { start: '22:00', end: '06:00' }, holidays: ['2026-11-25'] }), [
        ['2026-11-24T23:00:00.000Z', true, 'Tue night shift'],
        ['2026-11-25T23:00:00.000Z', false, 'Wed night shift starts on the holiday'],
        ['2026-11-26T02:00:00.000Z', false, 'Thu 02:00 belongs to the holiday night'],
        ['2026-11-26T23:00:00.000Z', true, 'Thu night shift'],
      ]),
    ],
  ],
  [
    'start equal to end means no business hours at all',
    table(calendar({ business_hours: { start: '09:00', end: '09:00' }, business_days: ALL_WEEK }), [
      ['2026-11-23T09:00:00.000Z', false, 'Mon 09:00'],
      ['2026-11-23T12:00:00.000Z', false, 'Mon noon'],
    ]),
  ],
])('isBusinessHours: %s', (_name, rows) => {
  test.each(rows)('$instant → $expected ($why)', ({ cal, instant, expected }) => {
    expect(isBusinessHours(at(instant), cal)).toBe(expected);
  });
});

describe('thresholdFor picks the threshold in force at the instant', () => {
  const thresholds = { business_hours: 15, off_hours: 8 };
  test.each([
    { cal: berlin, instant: '2026-03-30T06:00:00.000Z', threshold: 15, schedule: 'business_hours' },
    { cal: berlin, instant: '2026-03-27T06:30:00.000Z', threshold: 8, schedule: 'off_hours' },
    { cal: berlin, instant: '2026-10-26T06:30:00.000Z', threshold: 8, schedule: 'off_hours' },
    { cal: newYork, instant: '2026-03-09T13:30:00.000Z', threshold: 15, schedule: 'business_hours' },
    { cal: utc, instant: '2026-11-21T10:00:00.000Z', threshold: 8, schedule: 'off_hours' },
    {
      cal: calendar({ holidays: ['2026-11-23'] }),
      instant: '2026-11-23T10:00:00.000Z',
      threshold: 8,
      schedule: 'off_hours',
    },
    { cal: utc, instant: '2026-11-23T17:59:59.999Z', threshold: 15, schedule: 'business_hours' },
    { cal: utc, instant: '2026-11-23T18:00:00.000Z', threshold: 8, schedule: 'off_hours' },
  ])('$instant in $cal.timezone → $threshold ($schedule)', ({ cal, instant, threshold, schedule }) => {
    expect(thresholdFor(thresholds, at(instant), cal)).toEqual({ threshold, schedule });
  });

  test('never reads the clock: the same instant gives the same answer', () => {
    const ms = at('2026-03-30T06:00:00.000Z');
    expect(thresholdFor(thresholds, ms, berlin)).toEqual(thresholdFor(thresholds, ms, berlin));
  });
});
