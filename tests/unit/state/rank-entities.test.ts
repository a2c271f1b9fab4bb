/**
 * Which entities a baseline rule keeps: by the rule's metric (not by document count), largest
 * first, ties by entity key whatever the input order, never more than max; stored baselines ranked
 * by their total over the period after the hours older than the period are dropped.
 */
import type { EntityBaseline } from '../../../src/evaluate/baseline-model';
import {
  baselineCandidates,
  metricTotal,
  periodTotal,
  rankBaselines,
  topByValue,
  trimHours,
} from '../../../src/evaluate/rank-entities';
import type { Metric } from '../../../src/rules/rule-schema';
import { prng } from '../../helpers/prng';
import { bucket } from '../engine/fixtures';

const H = 3_600_000;
const GB = 1e9;
const SUM: Metric = { type: 'sum', field: 'http.response.body.bytes' };

const shuffled = <T>(xs: T[], seed: number): T[] => {
  const rnd = prng(seed);
  return xs
    .map((x) => ({ x, r: rnd() }))
    .sort((a, b) => a.r - b.r)
    .map((p) => p.x);
};

describe('topByValue', () => {
  const items = [
    { k: 'b', v: 5 },
    { k: 'a', v: 5 },
    { k: 'c', v: 9 },
    { k: 'd', v: 1 },
    { k: 'e', v: 5 },
  ];
  test.each([0, 1, 2, 3, 4, 5, 6])(
    'the top %i: largest first, ties by key, whatever the input order',
    (max) => {
      const expected = ['c', 'a', 'b', 'e', 'd'].slice(0, max);
      for (const seed of [1, 2, 3, 4])
        expect(
          topByValue(
            shuffled(items, seed),
            (i) => i.v,
            (i) => i.k,
            max,
          ).map((i) => i.k),
        ).toEqual(expected);
    },
  );
});

describe('baselineCandidates', () => {
  const chatty = (n: number) => ({ key: [`chatty-${n}`], total: bucket({ count: 5000, sum: 5000 * 1000 }) });
  const exfil = { key: ['exfil'], total: bucket({ count: 3, sum: 30 * GB }) };
  const totals = [chatty(1), chatty(2), chatty(3), exfil, chatty(4)];

  test('a sum rule: the host with 3 requests and 30 GB comes first, then the chatty ones by key', () => {
    expect(baselineCandidates(SUM, totals, 3).map((t) => t.key[0])).toEqual([
      'exfil',
      'chatty-1',
      'chatty-2',
    ]);
  });

  test('a count rule: by events', () => {
    expect(baselineCandidates({ type: 'count' }, totals, 2).map((t) => t.key[0])).toEqual([
      'chatty-1',
      'chatty-2',
    ]);
  });

  test('keys of several fields tie-break on all of them', () => {
    const t = (a: string, b: string) => ({ key: [a, b], total: bucket({ count: 1, sum: 7 }) });
    const picked = baselineCandidates(SUM, [t('h2', 'x'), t('h1', 'z'), t('h1', 'y')], 2);
    expect(picked.map((c) => c.key)).toEqual([
      ['h1', 'y'],
      ['h1', 'z'],
    ]);
  });
});

test.each([
  { metric: { type: 'count' } as Metric, total: bucket({ count: 4, sum: 99 }), value: 4 },
  { metric: SUM, total: bucket({ count: 4, sum: 99 }), value: 99 },
  {
    metric: { type: 'cardinality', field: 'user.name' } as Metric,
    total: bucket({ count: 40, sum: 7 }),
    value: 7,
  },
])('metricTotal of a $metric.type rule is $value', ({ metric, total, value }) => {
  expect(metricTotal(metric, total)).toBe(value);
});

describe('stored baselines', () => {
  const entity = (hours: [number, number][]): EntityBaseline => ({
    hours: new Map(hours),
    firstSeen: Math.min(...hours.map(([h]) => h)),
  });

  test('trimHours drops the hours before the period, keeps firstSeen, leaves a trimmed entity as it is', () => {
    const e = entity([
      [0, 5],
      [H, 6],
      [2 * H, 7],
    ]);
    const t = trimHours(e, H);
    expect([...t.hours]).toEqual([
      [H, 6],
      [2 * H, 7],
    ]);
    expect(t.firstSeen).toBe(0);
    expect(periodTotal(t)).toBe(13);
    expect([...e.hours.keys()]).toEqual([0, H, 2 * H]); // not changed
    expect(trimHours(t, H)).toBe(t);
  });

  test('rankBaselines keeps the largest totals over the period (ties by key) and names the rest', () => {
    // busy: 720 hours of 10 MB; one-off: a single hour of 1 GB; small ones: 1 kB an hour
    const busy = entity(Array.from({ length: 720 }, (_, i) => [i * H, 10e6] as [number, number]));
    const oneOff = entity([[700 * H, 1e9]]);
    const small = (v: number) => entity([[5 * H, v]]);
    const all = new Map<string, EntityBaseline>(
      shuffled(
        [
          ['["one-off"]', oneOff],
          ['["small-b"]', small(1000)],
          ['["busy"]', busy],
          ['["small-a"]', small(1000)],
          ['["small-c"]', small(10)],
        ],
        7,
      ),
    );
    const { kept, dropped } = rankBaselines(all, 3);
    expect([...kept.keys()]).toEqual(['["busy"]', '["one-off"]', '["small-a"]']);
    expect(kept.get('["busy"]')).toBe(busy);
    expect(dropped.sort()).toEqual(['["small-b"]', '["small-c"]']);
    expect(rankBaselines(all, 10).dropped).toEqual([]);
  });
});
