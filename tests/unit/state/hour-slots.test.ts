/**
 * The slots of consecutive hours, read from the zone's offset every few hours, are those luxon
 * gives hour by hour: a whole year in zones with DST changes of one hour (Europe/Berlin,
 * America/New_York, southern-hemisphere America/Santiago) and of half an hour (Australia/Lord_Howe),
 * a half-hour offset (Asia/Kolkata), a fixed zone, and hours that start off the full hour.
 */
import { slotOf } from '../../../src/evaluate/baseline-model';
import { hourSlots } from '../../../src/evaluate/hour-slots';
import type { BaselineSpec } from '../../../src/rules/rule-schema';

const HOUR = 3_600_000;

function expectSameAsLuxon(startIso: string, count: number, by: BaselineSpec['by'], zone: string) {
  const start = Date.parse(startIso);
  const fast = [...hourSlots(start, count, by, zone)];
  const slow = Array.from({ length: count }, (_, i) => slotOf(start + i * HOUR, by, zone));
  expect(fast).toEqual(slow);
}

test.each(['Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe'])(
  '%s: every hour of 2026, hour of the week',
  (zone) => expectSameAsLuxon('2026-01-01T00:00:00Z', 365 * 24, 'hour_of_week', zone),
);

test.each([
  { start: '2026-10-20T00:30:00Z', by: 'hour_of_week' as const, zone: 'Europe/Berlin' },
  { start: '2026-03-25T00:00:00Z', by: 'hour_of_day' as const, zone: 'Europe/Berlin' },
  { start: '2026-05-01T00:00:00Z', by: 'hour_of_week' as const, zone: 'Asia/Kolkata' },
  { start: '2026-05-01T00:15:00Z', by: 'hour_of_day' as const, zone: 'UTC+5:30' },
  { start: '1969-12-20T00:00:00Z', by: 'hour_of_week' as const, zone: 'UTC' },
])('$zone from $start, $by, 30 days', ({ start, by, zone }) => expectSameAsLuxon(start, 30 * 24, by, zone));

test('none: one slot; no hours: no slots', () => {
  expect([...hourSlots(0, 5, 'none', 'Europe/Berlin')]).toEqual([0, 0, 0, 0, 0]);
  expect(hourSlots(0, 0, 'hour_of_week', 'Europe/Berlin')).toHaveLength(0);
  expect([...hourSlots(Date.parse('2026-11-16T00:00:00Z'), 1, 'hour_of_week', 'UTC')]).toEqual([0]);
});
