/**
 * Dedup decisions by event time (the finding's window end; after a recovery, its events' end): new, suppressed within realert,
 * escalated when the value reaches escalate_factor × the last notified one, new again after
 * realert or after a recovery; what the memory keeps after each; when an entity has recovered.
 */
import {
  type AlertMemory,
  decideAlert,
  hasRecovered,
  rememberAlert,
} from '../../../src/evaluate/decide-alert';

const MIN = 60_000;
const T0 = Date.parse('2026-11-18T03:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const policy = { realertMs: 60 * MIN, escalateFactor: 2 };

const finding = (value: number, endMs: number) => ({
  value,
  threshold: 8,
  entity: { 'source.ip': '203.0.113.7' },
  window: { start: iso(endMs - 2 * MIN), end: iso(endMs) },
});

function memory(over: Partial<AlertMemory> = {}): AlertMemory {
  return {
    status: 'firing',
    entity: { 'source.ip': '203.0.113.7' },
    last_alert_id: 'a1',
    last_notified_end: T0,
    last_value: 10,
    last_threshold: 8,
    last_seen_end: T0,
    ...over,
  };
}

describe('decideAlert', () => {
  test.each([
    { name: 'nothing remembered', prev: undefined, value: 10, end: T0, status: 'new' },
    { name: 'the same window again', prev: memory(), value: 10, end: T0, status: 'suppressed' },
    { name: 'a repeat within realert', prev: memory(), value: 15, end: T0 + 59 * MIN, status: 'suppressed' },
    { name: 'exactly realert later', prev: memory(), value: 10, end: T0 + 60 * MIN, status: 'new' },
    { name: 'after realert, even if lower', prev: memory(), value: 9, end: T0 + 3 * 60 * MIN, status: 'new' },
    {
      name: 'value at 2× the last notified',
      prev: memory(),
      value: 20,
      end: T0 + 5 * MIN,
      status: 'escalated',
    },
    { name: 'value just under 2×', prev: memory(), value: 19.99, end: T0 + 5 * MIN, status: 'suppressed' },
    {
      name: 'an older window replayed (catch-up)',
      prev: memory(),
      value: 10,
      end: T0 - 30 * MIN,
      status: 'suppressed',
    },
    {
      name: 'the entity recovered since',
      prev: memory({ status: 'recovered' }),
      value: 10,
      end: T0 + MIN,
      status: 'new',
    },
    {
      name: 'after a recovery, an older window seen again (a longer look-back)',
      prev: memory({ status: 'recovered', last_seen_end: T0 + 20 * MIN }),
      value: 10,
      end: T0,
      status: 'suppressed',
    },
    {
      name: 'after a recovery, a window that ends after it, even within realert',
      prev: memory({ status: 'recovered', last_seen_end: T0 + 20 * MIN }),
      value: 10,
      end: T0 + 21 * MIN,
      status: 'new',
    },
  ])('$name → $status', ({ prev, value, end, status }) => {
    expect(decideAlert(finding(value, end), prev, policy)).toBe(status);
  });

  // the reliability test episode-fencing saw this send an attack twice: a monitor's exact window
  // (T long, so it ends T after where its look-back starts) ended after the recovery that a scan
  // had recorded, while its events were the ones already notified
  test('after a recovery, a window that ends after it but holds only older events is not new', () => {
    const prev = memory({ status: 'recovered', last_seen_end: T0 + 20 * MIN });
    const old = { ...finding(10, T0 + 21 * MIN), events_end: iso(T0 + 5 * MIN) };
    expect(decideAlert(old, prev, policy)).toBe('suppressed');
    // events at or after the recovery start a new episode, whatever the window
    const later = { ...finding(10, T0 + 21 * MIN), events_end: iso(T0 + 20 * MIN + 1) };
    expect(decideAlert(later, prev, policy)).toBe('new');
  });

  test('the escalation factor and realert period come from the rule', () => {
    const prev = memory();
    expect(decideAlert(finding(15, T0 + MIN), prev, { realertMs: 60 * MIN, escalateFactor: 1.5 })).toBe(
      'escalated',
    );
    expect(decideAlert(finding(10, T0 + 5 * MIN), prev, { realertMs: 5 * MIN, escalateFactor: 2 })).toBe(
      'new',
    );
  });

  test('a last value of 0 never escalates (no division by a zero baseline)', () => {
    expect(decideAlert(finding(1000, T0 + MIN), memory({ last_value: 0 }), policy)).toBe('suppressed');
  });
});

describe('rememberAlert', () => {
  test('a suppressed repeat keeps the last notified value and time, and moves last_seen_end on', () => {
    const prev = memory();
    const next = rememberAlert(finding(15, T0 + 10 * MIN), 'a2', 'suppressed', prev);
    expect(next).toEqual({ ...prev, last_seen_end: T0 + 10 * MIN });
  });

  test('a suppressed repeat of an older window does not move last_seen_end back', () => {
    const prev = memory({ last_seen_end: T0 + 20 * MIN });
    expect(rememberAlert(finding(10, T0 - 5 * MIN), 'a0', 'suppressed', prev).last_seen_end).toBe(
      T0 + 20 * MIN,
    );
  });

  test.each(['new', 'escalated'] as const)('%s: the memory is the notified alert', (status) => {
    const next = rememberAlert(finding(25, T0 + 10 * MIN), 'a3', status, memory());
    expect(next).toEqual({
      status: 'firing',
      entity: { 'source.ip': '203.0.113.7' },
      last_alert_id: 'a3',
      last_notified_end: T0 + 10 * MIN,
      last_value: 25,
      last_threshold: 8,
      last_seen_end: T0 + 10 * MIN,
    });
  });

  test('escalation compares with the escalated value from then on', () => {
    const escalated = rememberAlert(finding(20, T0 + 5 * MIN), 'a2', 'escalated', memory());
    expect(decideAlert(finding(30, T0 + 10 * MIN), escalated, policy)).toBe('suppressed');
    expect(decideAlert(finding(40, T0 + 10 * MIN), escalated, policy)).toBe('escalated');
  });
});

describe('rememberAlert: first_seen_end, when the episode first fired (for "firing since")', () => {
  const FIRST = T0 - 2 * 24 * 60 * MIN;
  test.each([
    { name: 'the first finding of an entity', prev: undefined, status: 'new' as const, first: T0 + 10 * MIN },
    {
      name: 'a repeat after realert, still firing',
      prev: memory({ first_seen_end: FIRST }),
      status: 'new' as const,
      first: FIRST,
    },
    {
      name: 'an escalation',
      prev: memory({ first_seen_end: FIRST }),
      status: 'escalated' as const,
      first: FIRST,
    },
    {
      name: 'a suppressed repeat',
      prev: memory({ first_seen_end: FIRST }),
      status: 'suppressed' as const,
      first: FIRST,
    },
    {
      name: 'a new episode after a recovery',
      prev: memory({ status: 'recovered', first_seen_end: FIRST }),
      status: 'new' as const,
      first: T0 + 10 * MIN,
    },
    {
      name: 'a memory written before first_seen_end existed: not made up',
      prev: memory(),
      status: 'new' as const,
      first: undefined,
    },
  ])('$name → $first', ({ prev, status, first }) => {
    expect(rememberAlert(finding(25, T0 + 10 * MIN), 'a3', status, prev).first_seen_end).toBe(first);
  });
});

describe('hasRecovered', () => {
  test.each([
    {
      name: 'a later cycle without the entity',
      prev: memory(),
      end: T0 + 5 * MIN,
      firingNow: false,
      recovered: true,
    },
    { name: 'still firing', prev: memory(), end: T0 + 5 * MIN, firingNow: true, recovered: false },
    {
      name: 'a cycle that ends before the last finding (replay)',
      prev: memory(),
      end: T0 - MIN,
      firingNow: false,
      recovered: false,
    },
    {
      name: 'a cycle that ends at the last finding',
      prev: memory(),
      end: T0,
      firingNow: false,
      recovered: false,
    },
    {
      name: 'already recovered',
      prev: memory({ status: 'recovered' }),
      end: T0 + 5 * MIN,
      firingNow: false,
      recovered: false,
    },
  ])('$name → $recovered', ({ prev, end, firingNow, recovered }) => {
    expect(hasRecovered(prev, end, firingNow)).toBe(recovered);
  });
});
