/**
 * The recovery alert (issue 13, defect 11): its value is below the threshold in force for it
 * (never `0 ≥ 8`), and it says since when the episode was firing.
 */
import type { AlertMemory } from '../../../src/evaluate/decide-alert';
import { recoveryAlert } from '../../../src/evaluate/recovery-alert';
import { calendar, rule } from '../engine/fixtures';

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);
// the episode first fired on Monday 03:10 (off-hours) and was last seen at 03:20
const FIRST = at('2026-11-16T03:10:00Z');
const LAST = at('2026-11-16T03:20:00Z');

function firing(over: Partial<AlertMemory> = {}): AlertMemory {
  return {
    status: 'firing',
    entity: { 'source.ip': '203.0.113.7' },
    last_alert_id: 'a1',
    last_notified_end: FIRST,
    last_value: 12,
    last_threshold: 8,
    last_seen_end: LAST,
    first_seen_end: FIRST,
    ...over,
  };
}

/** a cycle of 10 minutes ending at `end` */
const cycle = (end: string) => ({ startMs: at(end) - 10 * MIN, endMs: at(end) });

describe('recoveryAlert', () => {
  test.each([
    {
      name: 'two days later, no events: 0 against the off-hours threshold',
      prev: firing(),
      peak: undefined,
      end: '2026-11-18T03:10:00Z',
      expected: { value: 0, threshold: 8, schedule: 'off_hours' },
    },
    {
      name: 'some events, below the off-hours threshold',
      prev: firing(),
      peak: { value: 5, threshold: 8, schedule: 'off_hours' as const },
      end: '2026-11-18T03:10:00Z',
      expected: { value: 5, threshold: 8, schedule: 'off_hours' },
    },
    {
      name: 'recovered in business hours: the business-hours threshold, not the one it fired on',
      prev: firing(),
      peak: { value: 10, threshold: 15, schedule: 'business_hours' as const },
      end: '2026-11-18T10:10:00Z',
      expected: { value: 10, threshold: 15, schedule: 'business_hours' },
    },
    {
      name: 'no events in business hours: the rule’s business-hours threshold',
      prev: firing(),
      peak: undefined,
      end: '2026-11-18T10:10:00Z',
      expected: { value: 0, threshold: 15, schedule: 'business_hours' },
    },
  ])('$name', ({ prev, peak, end, expected }) => {
    const alert = recoveryAlert({ rule: rule(), prev, peak, interval: cycle(end), calendar: calendar() });
    expect(alert).toMatchObject({
      status: 'recovered',
      rule: 'test_rule',
      title: 'Recovered: Test rule',
      entity: { 'source.ip': '203.0.113.7' },
      ...expected,
      window: { start: '2026-11-16T03:20:00.000Z', end: new Date(at(end)).toISOString() },
      firing_since: '2026-11-16T03:10:00.000Z',
    });
    expect(alert.value).toBeLessThan(alert.threshold);
  });

  test('a baseline-only rule: the threshold it last fired on when the peak has none', () => {
    const baselineRule = rule({ thresholds: undefined });
    const prev = firing({ last_threshold: 25_000_000, last_value: 60_000_000 });
    const noModel = { value: 3, threshold: Number.POSITIVE_INFINITY, schedule: 'off_hours' as const };
    for (const peak of [undefined, noModel]) {
      const alert = recoveryAlert({
        rule: baselineRule,
        prev,
        peak,
        interval: cycle('2026-11-18T03:10:00Z'),
        calendar: calendar(),
      });
      expect({ value: alert.value, threshold: alert.threshold }).toEqual({
        value: peak?.value ?? 0,
        threshold: 25_000_000,
      });
    }
  });

  test('a memory written before first_seen_end existed: no firing_since rather than a made-up one', () => {
    const { first_seen_end: _, ...legacy } = firing();
    const alert = recoveryAlert({
      rule: rule(),
      prev: legacy,
      interval: cycle('2026-11-18T03:10:00Z'),
      calendar: calendar(),
    });
    expect(alert.firing_since).toBeUndefined();
  });

  test('the id is deterministic and differs from the firing alert of the same window', () => {
    const input = {
      rule: rule(),
      prev: firing(),
      interval: cycle('2026-11-18T03:10:00Z'),
      calendar: calendar(),
    };
    expect(recoveryAlert(input).id).toBe(recoveryAlert(input).id);
    expect(recoveryAlert(input).id).toMatch(/^[0-9a-f]{24}$/);
  });
});
