/**
 * The precomputed baseline lookup (slots of the period's hours computed once per model, each
 * entity's slot statistics once per query shape) gives exactly what the straightforward
 * computation gave, on random-but-seeded data: every `by`, zones with DST changes (Europe/Berlin,
 * America/New_York) and a half-hour offset (Asia/Kolkata), entities first seen before, inside and
 * off the hour grid of the period, and whole rule evaluations.
 */
import { precomputeBaseline } from '../../../src/evaluate/baseline-lookup';
import {
  type BaselineLookup,
  type BaselineModel,
  type EntityBaseline,
  HOUR_MS,
} from '../../../src/evaluate/baseline-model';
import { evaluateRule, evaluateRuleWith } from '../../../src/evaluate/evaluate-rule';
import type { BaselineSpec } from '../../../src/rules/rule-schema';
import { naiveLookup } from '../../helpers/baseline-reference';
import { prng } from '../../helpers/prng';
import { calendar, rule, seriesOf } from '../engine/fixtures';

const DAY = 24 * HOUR_MS;
const MIN = 60_000;
const BYS: BaselineSpec['by'][] = ['hour_of_week', 'hour_of_day', 'none'];

/** A model of `entities` entities with sparse random hours; firstSeen before, inside and off the grid. */
function randomModel(
  seed: number,
  opts: { zone: string; by: BaselineSpec['by']; until: string; period?: number; entities?: number },
): BaselineModel {
  const rnd = prng(seed);
  const period = opts.period ?? 30 * DAY;
  const completeUntil = Date.parse(opts.until);
  const entities = new Map<string, EntityBaseline>();
  for (let i = 0; i < (opts.entities ?? 12); i++) {
    const kind = i % 4;
    const hours = new Map<number, number>();
    const firstHour = Math.floor((completeUntil - period - 3 * DAY) / HOUR_MS) * HOUR_MS;
    for (let h = firstHour; h < completeUntil; h += HOUR_MS) {
      if (rnd() < 0.35) continue; // a quiet hour: zero in the baseline
      // bytes (large), counts (small) and fractions, so the sums are not all exact
      const v = kind === 0 ? Math.floor(rnd() * 3e10) : kind === 1 ? Math.floor(rnd() * 40) : rnd() * 1e6;
      hours.set(h, v);
    }
    const firstSeen = [
      firstHour, // before the period: the whole period counts
      completeUntil - Math.floor(rnd() * (period / HOUR_MS)) * HOUR_MS, // on the grid, inside
      completeUntil - period + 30 * MIN + Math.floor(rnd() * 48) * HOUR_MS, // off the grid
      completeUntil - 2 * HOUR_MS, // seen only in the last hours
    ][kind];
    entities.set(JSON.stringify([`e-${i}`]), { hours, firstSeen });
  }
  const spec: BaselineSpec = {
    period,
    by: opts.by,
    deviation: seed % 2 ? { ratio: 1.5 } : { sigma: 3 },
    min_samples: 1 + (seed % 4),
    min_value: seed % 3 ? 0 : 1000,
    max_entities: 1000,
  };
  return { spec, timezone: opts.zone, completeUntil, entities };
}

/** Instants from a day before the period's end to three hours after it, at random minutes. */
function randomQueries(rnd: () => number, model: BaselineModel, n: number) {
  const windows = [5 * MIN, 15 * MIN, HOUR_MS, 2 * HOUR_MS, 6 * HOUR_MS];
  const keys = [...model.entities.keys(), JSON.stringify(['unknown'])];
  return Array.from({ length: n }, () => ({
    entity: keys[Math.floor(rnd() * keys.length)],
    endMs: model.completeUntil - DAY + Math.floor(rnd() * 27 * 60) * MIN + Math.floor(rnd() * 60_000),
    windowMs: windows[Math.floor(rnd() * windows.length)],
  }));
}

const CASES = [
  // Europe/Berlin leaves summer time on 2026-10-25 (03:00 → 02:00) and enters it on 2026-03-29
  { zone: 'Europe/Berlin', until: '2026-11-05T00:00:00Z' },
  { zone: 'Europe/Berlin', until: '2026-04-10T13:00:00Z' },
  // the DST change on the last day of the period and right at its end
  { zone: 'Europe/Berlin', until: '2026-10-25T03:00:00Z' },
  { zone: 'America/New_York', until: '2026-11-20T07:00:00Z' },
  { zone: 'Asia/Kolkata', until: '2026-06-01T18:00:00Z' },
  { zone: 'UTC', until: '2026-11-19T00:00:00Z' },
];

describe('precomputed lookup = straightforward computation', () => {
  const table = CASES.flatMap((c, i) => BYS.map((by, j) => ({ ...c, by, seed: 100 + i * 10 + j })));

  test.each(table)('$zone until $until, by $by: slot stats and thresholds', ({ zone, until, by, seed }) => {
    const model = randomModel(seed, { zone, by, until });
    const fast = precomputeBaseline(model);
    const slow = naiveLookup(model);
    const queries = randomQueries(prng(seed + 1), model, 60);
    const ask = (l: BaselineLookup) =>
      queries.map((q) => [
        l.stats(q.entity, q.endMs - 1, q.endMs - q.windowMs),
        l.stats(q.entity, q.endMs),
        l.threshold(q.entity, q.endMs, q.windowMs),
      ]);
    const answers = ask(fast);
    expect(answers).toEqual(ask(slow));
    // the comparison covers baselines that exist, not only missing ones
    expect(answers.filter((a) => a[2] !== undefined).length).toBeGreaterThan(10);
  });

  test.each(BYS)('a period that is not whole hours (1d 30m), by %s', (by) => {
    const model = randomModel(7, {
      zone: 'Europe/Berlin',
      by,
      until: '2026-10-25T12:00:00Z',
      period: DAY + 30 * MIN,
    });
    const fast = precomputeBaseline(model);
    const slow = naiveLookup(model);
    for (const q of randomQueries(prng(8), model, 60))
      expect(fast.threshold(q.entity, q.endMs, q.windowMs)).toEqual(
        slow.threshold(q.entity, q.endMs, q.windowMs),
      );
  });

  test.each(BYS)('whole rule evaluations across the Berlin DST change agree, by %s', (by) => {
    const model = randomModel(21, { zone: 'Europe/Berlin', by, until: '2026-10-25T02:00:00Z', entities: 12 });
    const r = rule({
      id: 'bytes',
      metric: { type: 'sum', field: 'http.response.body.bytes' },
      group_by: ['host.hostname'],
      window: HOUR_MS,
      thresholds: undefined,
      baseline: model.spec,
    });
    const cal = calendar({ timezone: 'Europe/Berlin' });
    // three hours live, across the change (01:00Z is 03:00 CEST → 02:00 CET)
    const interval = { startMs: model.completeUntil - 2 * HOUR_MS, endMs: model.completeUntil + HOUR_MS };
    const rnd = prng(22);
    const series = [...model.entities.keys()].map((k, i) => {
      const events = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => ({
        at: interval.startMs + Math.floor(rnd() * (interval.endMs - interval.startMs)),
        value: { sum: i % 3 === 0 ? 1e12 * rnd() : 1e9 * rnd() },
      }));
      return seriesOf(JSON.parse(k), 1000, events);
    });
    const input = { series };
    const fast = evaluateRule(r, input, interval, cal, model);
    expect(fast).toEqual(evaluateRuleWith(r, input, interval, cal, naiveLookup(model)));
    expect(fast.findings.length).toBeGreaterThan(0); // the comparison covers findings, not only peaks
  });
});
