/**
 * What is normal for an entity: which hours compare (hour_of_week, hour_of_day, none) in the
 * calendar's zone across DST, zero-filled quiet hours, min_samples, ratio vs sigma, the min_value
 * floor, scaling to the rule window, and that a window is never compared with its own hours.
 */
import { DateTime } from 'luxon';
import { baselineThreshold, slotStats } from '../../../src/evaluate/baseline-lookup';
import { type BaselineModel, baselineContext, HOUR_MS } from '../../../src/evaluate/baseline-model';
import type { BaselineSpec } from '../../../src/rules/rule-schema';

const DAY = 24 * HOUR_MS;
const MB = 1_000_000;
const KEY = JSON.stringify(['web-1']);

function spec(over: Partial<BaselineSpec> = {}): BaselineSpec {
  return {
    period: 28 * DAY,
    by: 'hour_of_week',
    deviation: { ratio: 1.5 },
    min_samples: 3,
    min_value: 0,
    max_entities: 1000,
    ...over,
  };
}

/** A model with one entity whose hourly value is `valueAt(hourStart)` over the period before `until`. */
function model(
  until: string,
  valueAt: (hourMs: number) => number | undefined,
  over: Partial<BaselineSpec> = {},
  timezone = 'UTC',
): BaselineModel {
  const s = spec(over);
  const completeUntil = Date.parse(until);
  const hours = new Map<number, number>();
  for (let h = completeUntil - s.period; h < completeUntil; h += HOUR_MS) {
    const v = valueAt(h);
    if (v !== undefined) hours.set(h, v);
  }
  const firstSeen = Math.min(...hours.keys());
  return { spec: s, timezone, completeUntil, entities: new Map([[KEY, { hours, firstSeen }]]) };
}

const utc = (ms: number) => DateTime.fromMillis(ms, { zone: 'UTC' });
/** Weekdays 08–18 UTC: 50 MB an hour; otherwise 20 MB; Wednesdays at 03:00 a little more (22 MB). */
const weekly = (h: number) => {
  const t = utc(h);
  if (t.weekday <= 5 && t.hour >= 8 && t.hour < 18) return 50 * MB;
  return t.weekday === 3 && t.hour === 3 ? 22 * MB : 20 * MB;
};

// Wednesday 2026-11-18; the model is complete up to Thursday 00:00
const UNTIL = '2026-11-19T00:00:00Z';
const WED_0300 = Date.parse('2026-11-18T03:00:00Z');
const WED_1000 = Date.parse('2026-11-18T10:00:00Z');

describe('which hours compare', () => {
  test.each([
    { by: 'hour_of_week' as const, mean: 22 * MB, samples: 4 },
    // 28 days: 4 Wednesdays at 22 MB, 24 other days at 20 MB
    { by: 'hour_of_day' as const, mean: (4 * 22 + 24 * 20) * (MB / 28), samples: 28 },
  ])('$by at Wednesday 03:00 → mean $mean over $samples samples', ({ by, mean, samples }) => {
    const s = slotStats(model(UNTIL, weekly, { by }), KEY, WED_0300 + 30 * 60_000);
    expect(s?.samples).toBe(samples);
    expect(s?.mean).toBeCloseTo(mean, 0);
  });

  test('none: every hour of the period is one sample', () => {
    const s = slotStats(model(UNTIL, weekly, { by: 'none' }), KEY, WED_0300);
    expect(s?.samples).toBe(28 * 24);
    // 20 weekdays × 10 business hours at 50 MB, 4 Wednesday nights at 22 MB, the rest at 20 MB
    const total = 200 * 50 + 4 * 22 + (28 * 24 - 204) * 20;
    expect(s?.mean).toBeCloseTo((total * MB) / (28 * 24), 0);
  });

  test('hour_of_week tells a busy Wednesday 10:00 from a quiet Wednesday 03:00', () => {
    const m = model(UNTIL, weekly);
    expect(slotStats(m, KEY, WED_1000)?.mean).toBe(50 * MB);
    expect(slotStats(m, KEY, WED_0300)?.mean).toBe(22 * MB);
    expect(slotStats(m, KEY, Date.parse('2026-11-15T10:00:00Z'))?.mean).toBe(20 * MB); // Sunday
  });

  test('hours in the calendar zone: the same local hour compares across a DST change', () => {
    // Europe/Berlin leaves summer time on 2026-10-25: local 03:00 is 01:00Z before, 02:00Z after
    const zone = 'Europe/Berlin';
    const localHourValue = (h: number) => DateTime.fromMillis(h, { zone }).hour * MB;
    const m = model('2026-11-05T00:00:00Z', localHourValue, { by: 'hour_of_day' }, zone);
    for (const localHour of [0, 3, 12, 23]) {
      const at = DateTime.fromObject({ year: 2026, month: 11, day: 4, hour: localHour }, { zone }).toMillis();
      const s = slotStats(m, KEY, at);
      expect(s?.mean).toBe(localHour * MB);
      expect(s?.sd).toBe(0);
    }
  });

  test('hours without events since the entity was first seen count as zero; hours before do not', () => {
    const first = Date.parse('2026-11-11T00:00:00Z'); // seen only in the last 8 days
    const m = model(
      UNTIL,
      (h) => (h >= first && utc(h).hour === 3 && utc(h).weekday !== 3 ? 10 * MB : undefined),
      {
        by: 'hour_of_day',
      },
    );
    const s = slotStats(m, KEY, WED_0300);
    // first seen Thursday 11-12 03:00: 7 days at 03:00 since, the last one (Wednesday) without events
    expect(s?.samples).toBe(7);
    expect(s?.mean).toBe((6 * 10 * MB) / 7);
  });

  test('an unknown entity has no baseline', () => {
    expect(slotStats(model(UNTIL, weekly), JSON.stringify(['web-2']), WED_0300)).toBeUndefined();
  });
});

describe('baselineThreshold', () => {
  // evaluating Wednesday 03:00–04:00 live: the model is complete up to 03:00
  const LIVE = '2026-11-18T03:00:00Z';
  const nightEnd = WED_0300 + HOUR_MS;

  test('ratio: expected × ratio for the hour of the week', () => {
    const b = baselineThreshold(model(LIVE, weekly), KEY, nightEnd, HOUR_MS);
    expect(b).toMatchObject({ expected: 22 * MB, threshold: 33 * MB, samples: 4 });
  });

  test('sigma: mean + sigma × standard deviation', () => {
    // Wednesdays 03:00: 10, 20, 30, 40 MB → mean 25 MB, sd √125 MB
    const values = new Map(
      [28, 21, 14, 7].map((daysBefore, i) => [WED_0300 - daysBefore * DAY, (i + 1) * 10 * MB] as const),
    );
    const m = model(LIVE, (h) => values.get(h) ?? 1, { deviation: { sigma: 3 } });
    const b = baselineThreshold(m, KEY, nightEnd, HOUR_MS);
    expect(b?.expected).toBeCloseTo(25 * MB, 0);
    expect(b?.sd).toBeCloseTo(Math.sqrt(125) * MB, 0);
    expect(b?.threshold).toBeCloseTo(25 * MB + 3 * Math.sqrt(125) * MB, 0);
  });

  test('min_value: a quiet entity never fires on the baseline below the floor', () => {
    const quiet = model(LIVE, () => MB, { min_value: 10 * MB });
    expect(baselineThreshold(quiet, KEY, nightEnd, HOUR_MS)?.threshold).toBe(10 * MB);
  });

  test('min_samples: too few samples in the slot → no baseline (the fixed threshold applies)', () => {
    const young = model(LIVE, weekly);
    const e = young.entities.get(KEY);
    if (!e) throw new Error('no entity');
    e.firstSeen = Date.parse('2026-11-04T00:00:00Z'); // two Wednesdays seen: 11-04 and 11-11
    expect(baselineThreshold(young, KEY, nightEnd, HOUR_MS)).toBeUndefined();
    expect(
      baselineThreshold({ ...young, spec: spec({ min_samples: 2 }) }, KEY, nightEnd, HOUR_MS)?.samples,
    ).toBe(2);
  });

  test('an all-zero baseline still needs a value above zero to fire', () => {
    const b = baselineThreshold(
      model(LIVE, () => 0),
      KEY,
      nightEnd,
      HOUR_MS,
    );
    expect(b?.threshold).toBeGreaterThan(0);
  });

  test('the expected value scales to the rule window', () => {
    const b = baselineThreshold(
      model(LIVE, () => 20 * MB, { by: 'none' }),
      KEY,
      nightEnd,
      15 * 60_000,
    );
    expect(b?.expected).toBe(5 * MB);
    expect(b?.threshold).toBe(7.5 * MB);
  });

  test('a window is not compared with its own hours: a spike does not raise its own baseline', () => {
    // the model already holds the spike hour (Wednesday 03:00, 35.2 MB = 1.6 × 22 MB)
    const spiked = model('2026-11-18T05:00:00Z', (h) => (h === WED_0300 ? 35.2 * MB : weekly(h)));
    const b = baselineThreshold(spiked, KEY, nightEnd, HOUR_MS);
    expect(b?.expected).toBe(22 * MB);
    expect(b?.samples).toBe(3);
    expect(35.2 * MB).toBeGreaterThanOrEqual(b?.threshold ?? Number.POSITIVE_INFINITY);
  });
});

describe('baselineContext', () => {
  test('ratio rule: expected, value ÷ expected and the samples', () => {
    expect(baselineContext(35.2 * MB, { expected: 22 * MB, sd: 0, samples: 4 }, spec())).toEqual({
      expected: 22 * MB,
      ratio: 1.6,
      samples: 4,
    });
  });

  test('sigma rule: also how many standard deviations off', () => {
    const ctx = baselineContext(40, { expected: 25, sd: 5, samples: 4 }, spec({ deviation: { sigma: 3 } }));
    expect(ctx).toEqual({ expected: 25, ratio: 1.6, sigma: 3, samples: 4 });
  });
});
