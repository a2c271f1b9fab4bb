/**
 * Sequence rules, pure: a `followed_by` event fires when at least N `first` events of the same
 * entity fall in the seconds [s − window, s]; the earliest such event of the interval is the finding.
 */
import { validateConfig } from '../../../src/config/load-config';
import { parseYamlText } from '../../../src/config/read-yaml';
import {
  type EntitySeconds,
  evaluateSequence,
  matchSequence,
  type SecondCounts,
} from '../../../src/evaluate/evaluate-sequence';
import { loadRules } from '../../../src/rules/load-rules';
import type { Rule } from '../../../src/rules/rule-schema';
import { QUERIES_DIR } from './fixtures';

const S = 1000;
const MIN = 60 * S;
const T0 = Date.parse('2026-11-18T03:00:00Z'); // a Wednesday, off-hours in UTC
const fixed = (threshold: number) => () => ({ threshold, schedule: 'off_hours' as const });

/** seconds (relative to T0) with `first` events, and seconds with a `followed_by` event */
function seconds(first: number[], followedBy: number[]): Map<number, SecondCounts> {
  const m = new Map<number, SecondCounts>();
  const at = (s: number) => {
    const k = T0 + s * S;
    if (!m.has(k)) m.set(k, { first: 0, followedBy: 0 });
    return m.get(k) as SecondCounts;
  };
  for (const s of first) at(s).first += 1;
  for (const s of followedBy) at(s).followedBy += 1;
  return m;
}

const whole = { startMs: T0 - 3600 * S, endMs: T0 + 3600 * S };
const range = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);

describe('matchSequence', () => {
  test.each([
    ['10 failures, then a success 1 s later', range(0, 10), [10], 10, T0, T0 + 11 * S],
    ['a failure in the success second counts as before it', range(1, 10), [10], 10, T0 + S, T0 + 11 * S],
    [
      'the oldest failure exactly one window before counts',
      [0, ...range(550, 9)],
      [600],
      10,
      T0,
      T0 + 601 * S,
    ],
  ])('%s', (_name, first, next, value, start, end) => {
    const { match } = matchSequence(seconds(first, next), 10 * MIN, whole, fixed(10));
    expect(match).toMatchObject({ value, startMs: start, endMs: end, threshold: 10 });
  });

  test.each([
    ['9 failures is below 10', range(0, 9), [20]],
    ['a failure one second older than the window is out', [-1, ...range(550, 9)], [600]],
    ['failures after the success do not count', range(11, 20), [10]],
    ['no success', range(0, 50), []],
  ])('no match: %s', (_name, first, next) => {
    expect(matchSequence(seconds(first, next), 10 * MIN, whole, fixed(10)).match).toBeUndefined();
  });

  test('the earliest qualifying success is the finding; an earlier one below N is not', () => {
    // success at 5 after 5 failures (below), success at 30 after 25, another at 40
    const m = seconds(range(0, 25), [5, 30, 40]);
    const { match } = matchSequence(m, 10 * MIN, whole, fixed(10));
    expect(match).toMatchObject({ value: 25, endMs: T0 + 31 * S });
  });

  test('only successes inside the interval fire; their failures may come from before it', () => {
    const m = seconds(range(-300, 20), [-200, 100]);
    const interval = { startMs: T0, endMs: T0 + 3600 * S };
    const { match } = matchSequence(m, 10 * MIN, interval, fixed(10));
    // the success at −200 s belongs to the previous cycle; the one at 100 s sees all 20 failures
    expect(match).toMatchObject({ value: 20, startMs: T0 - 300 * S, endMs: T0 + 101 * S });
  });

  test('the same events give the same finding whatever interval sees the success', () => {
    const m = seconds(range(-120, 30, 2), [-5]);
    const a = matchSequence(m, 10 * MIN, { startMs: T0 - 10 * MIN, endMs: T0 }, fixed(10)).match;
    const b = matchSequence(m, 10 * MIN, { startMs: T0 - 60 * S, endMs: T0 + 10 * MIN }, fixed(10)).match;
    expect(a).toEqual(b);
    expect(a?.value).toBe(30);
  });

  test('the threshold is the one in force at the success', () => {
    const m = seconds(range(0, 12), [20]);
    const at = (ms: number) =>
      ms === T0 + 20 * S
        ? { threshold: 15, schedule: 'business_hours' as const }
        : { threshold: 5, schedule: 'off_hours' as const };
    const r = matchSequence(m, 10 * MIN, whole, at);
    expect(r.match).toBeUndefined();
    expect(r.peak).toMatchObject({ value: 12, threshold: 15, schedule: 'business_hours' });
  });
});

describe('evaluateSequence with the shipped ssh_bruteforce_success rule', () => {
  const yaml = 'elasticsearch: {nodes: ["http://localhost:9200"]}\ncalendar: {timezone: UTC}\n';
  const { config } = validateConfig(
    parseYamlText(yaml, 'config.yaml'),
    'config.yaml',
    {},
    {
      baseDir: '/',
      sha256: '',
    },
  );
  const rule = loadRules(QUERIES_DIR, config).all.find((r) => r.id === 'ssh_bruteforce_success') as Rule;

  test('one finding per source, with the failures counted and the success second as its end', () => {
    const entities: EntitySeconds[] = [
      { key: ['203.0.113.7'], seconds: seconds(range(0, 40, 3), [125]) },
      { key: ['198.51.100.2'], seconds: seconds(range(0, 4), [10]) },
    ];
    const ev = evaluateSequence(rule, entities, whole, config.calendar);
    expect(ev.findings).toHaveLength(1);
    expect(ev.findings[0]).toMatchObject({
      rule: 'ssh_bruteforce_success',
      severity: 'critical',
      entity: { 'source.ip': '203.0.113.7' },
      value: 40,
      threshold: 10,
      window: { start: new Date(T0).toISOString(), end: new Date(T0 + 126 * S).toISOString() },
    });
    expect(ev.peaks.map((p) => p.entity['source.ip']).sort()).toEqual(['198.51.100.2', '203.0.113.7']);
  });
});
