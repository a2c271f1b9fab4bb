// biome-ignore-all lint/suspicious/noExplicitAny: the tests read deep into query bodies
/**
 * Feature extraction and scoring of anomaly rules, pure: the query computes every feature per
 * (entity, window) with field names mapped; a composite bucket reads back into the vector in the
 * rule's order; the windows a cycle scores; the reservoir that bounds training; and a finding that
 * explains itself.
 */
import { reservoir } from '../../../src/collect/collect-anomaly-features';
import { type AnomalyModel, fitAnomalyModel, rankIn } from '../../../src/evaluate/anomaly-model';
import { seededRandom } from '../../../src/evaluate/isolation-forest';
import { scoreAnomalies } from '../../../src/evaluate/score-anomaly';
import { describeAnomaly } from '../../../src/notify/describe-anomaly';
import {
  type AnomalyRule,
  buildFeatureQuery,
  readFeatureVector,
  scoringWindows,
} from '../../../src/query/build-anomaly-query';
import { at, calendar, rule } from '../engine/fixtures';

const HOUR = 3_600_000;

function anomalyRule(fieldMap: Record<string, string> = {}): AnomalyRule {
  return {
    ...rule({ id: 'odd_logins', window: HOUR, thresholds: undefined, fieldMap }),
    anomaly: {
      features: [
        { name: 'failures', type: 'count', filter: { term: { 'event.outcome': 'failure' } } },
        { name: 'events', type: 'count' },
        { name: 'distinct_users', type: 'cardinality', field: 'user.name' },
        { name: 'bytes', type: 'sum', field: 'http.response.body.bytes', filter: { term: { x: 1 } } },
        {
          name: 'invalid_share',
          type: 'ratio',
          numerator: { term: { 'system.auth.ssh.event': 'Invalid' } },
          denominator: { match_all: {} },
        },
      ],
      training: { period: 14 * 86_400_000, refresh: 86_400_000, min_samples: 10, max_samples: 1000 },
      score_threshold: 0.7,
      trees: 100,
      sample_size: 256,
    },
  };
}

describe('the feature query', () => {
  const range = { startMs: at('2026-03-01T00:00:00Z'), endMs: at('2026-03-15T00:00:00Z') };

  test('training: entity × fixed window of the rule’s width, size 0, every feature as a sub-aggregation', () => {
    const item = buildFeatureQuery(anomalyRule(), range, { windowMs: HOUR });
    const body = item.body as Record<string, any>;
    expect(body.size).toBe(0);
    const comp = body.aggs.series;
    expect(comp.composite.sources).toEqual([
      { g0: { terms: { field: 'source.ip' } } },
      { t: { date_histogram: { field: '@timestamp', fixed_interval: `${HOUR}ms` } } },
    ]);
    expect(comp.aggs).toEqual({
      f0: { filter: { term: { 'event.outcome': 'failure' } } },
      f2: { cardinality: { field: 'user.name', precision_threshold: 200 } },
      f3: { filter: { term: { x: 1 } }, aggs: { v: { sum: { field: 'http.response.body.bytes' } } } },
      f4n: { filter: { term: { 'system.auth.ssh.event': 'Invalid' } } },
      f4d: { filter: { match_all: {} } },
    });
    expect(body.query.bool.filter[0]).toEqual({
      range: { '@timestamp': { gte: range.startMs, lt: range.endMs, format: 'epoch_millis' } },
    });
  });

  test('scoring: one bucket per entity over the window; the next page starts after the last key', () => {
    const body = buildFeatureQuery(anomalyRule(), range, { after: { g0: '10.0.0.9' } }).body as Record<
      string,
      any
    >;
    expect(body.aggs.entities.composite.sources).toEqual([{ g0: { terms: { field: 'source.ip' } } }]);
    expect(body.aggs.entities.composite.after).toEqual({ g0: '10.0.0.9' });
  });

  test('custom field names are mapped in the entity, the fields and the feature filters', () => {
    const item = buildFeatureQuery(anomalyRule({ 'source.ip': 'client_ip', 'user.name': 'login' }), range);
    const body = item.body as Record<string, any>;
    expect(body.aggs.entities.composite.sources).toEqual([{ g0: { terms: { field: 'client_ip' } } }]);
    expect(body.aggs.entities.aggs.f2.cardinality.field).toBe('login');
  });
});

describe('reading a bucket into the feature vector', () => {
  const features = anomalyRule().anomaly.features;
  test('count with and without a filter, cardinality, filtered sum and ratio, in the rule’s order', () => {
    const bucket = {
      key: { g0: '10.0.0.1' },
      doc_count: 40,
      f0: { doc_count: 30 },
      f2: { value: 14 },
      f3: { doc_count: 2, v: { value: 5120 } },
      f4n: { doc_count: 10 },
      f4d: { doc_count: 40 },
    };
    expect(readFeatureVector(features, bucket)).toEqual([30, 40, 14, 5120, 0.25]);
  });
  test('a ratio with no events in its denominator is 0, never NaN; missing sub-aggregations are 0', () => {
    expect(readFeatureVector(features, { doc_count: 3, f4d: { doc_count: 0 } })).toEqual([0, 3, 0, 0, 0]);
  });
});

describe('the windows a cycle scores', () => {
  test('a live cycle shorter than the window scores the one window ending at its end', () => {
    const end = at('2026-03-15T03:10:00Z');
    expect(scoringWindows(HOUR, { startMs: end - 60_000, endMs: end })).toEqual([
      { startMs: end - HOUR, endMs: end },
    ]);
  });
  test('a catch-up of 2.5 windows is tiled back from its end by three windows', () => {
    const end = at('2026-03-15T03:00:00Z');
    const w = scoringWindows(HOUR, { startMs: end - 2.5 * HOUR, endMs: end });
    expect(w.map((x) => new Date(x.startMs).toISOString())).toEqual([
      '2026-03-15T00:00:00.000Z',
      '2026-03-15T01:00:00.000Z',
      '2026-03-15T02:00:00.000Z',
    ]);
  });
});

describe('the training reservoir', () => {
  test('keeps everything below its bound, and a uniform, seeded sample of the bound above it', () => {
    const small = reservoir<number>(100, 1);
    for (let i = 0; i < 50; i++) small.add(i);
    expect(small.kept).toHaveLength(50);
    const big = reservoir<number>(1000, 1);
    for (let i = 0; i < 100_000; i++) big.add(i);
    expect(big.seen).toBe(100_000);
    expect(big.kept).toHaveLength(1000);
    // uniform: about as many from the first half as from the second
    const firstHalf = big.kept.filter((x) => x < 50_000).length;
    expect(firstHalf).toBeGreaterThan(420);
    expect(firstHalf).toBeLessThan(580);
    const again = reservoir<number>(1000, 1);
    for (let i = 0; i < 100_000; i++) again.add(i);
    expect(again.kept).toEqual(big.kept);
  });
});

describe('scoring and explaining', () => {
  const r = anomalyRule();
  // 2,000 ordinary hours: a few failures, one or two users, no invalid names
  const random = seededRandom(11);
  const training = Array.from({ length: 2000 }, () => {
    const events = 1 + Math.floor(random() * 6);
    return [Math.floor(random() * 3), events, 1 + Math.floor(random() * 2), Math.floor(random() * 4000), 0];
  });
  const fitted = fitAnomalyModel({
    vectors: training,
    names: r.anomaly.features.map((f) => f.name),
    trees: 100,
    sampleSize: 256,
    seed: 3,
  });
  const model: AnomalyModel = {
    rule: r.id,
    specHash: 'x',
    trainedAt: 0,
    span: { startMs: at('2026-03-01T00:00:00Z'), endMs: at('2026-03-15T00:00:00Z') },
    windows: 2000,
    population: 2000,
    sampled: false,
    took: { collect: 0, fit: 0 },
    ...fitted,
  };
  const window = { startMs: at('2026-03-15T02:00:00Z'), endMs: at('2026-03-15T03:00:00Z') };

  test('rank among training windows comes from the stored quantiles', () => {
    const users = fitted.stats[2];
    expect(rankIn(users.quantiles, 14)).toEqual({ below: 1, above: 0 });
    expect(rankIn(users.quantiles, 0)).toEqual({ below: 0, above: 1 });
  });

  test('a spray over many user names fires; its explanation leads with distinct users', () => {
    const { findings, peaks } = scoreAnomalies(
      r,
      model,
      [
        { key: ['10.0.0.1'], window, vector: [2, 4, 1, 1000, 0] },
        { key: ['203.0.113.9'], window, vector: [4, 16, 14, 0, 0.75] },
      ],
      calendar(),
    );
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f.entity).toEqual({ 'source.ip': '203.0.113.9' });
    expect(f.value).toBeGreaterThan(0.7);
    expect(f.threshold).toBe(0.7);
    expect(f.window).toEqual({ start: '2026-03-15T02:00:00.000Z', end: '2026-03-15T03:00:00.000Z' });
    expect(f.schedule).toBe('off_hours');
    const names = f.anomaly?.features.slice(0, f.anomaly.drivers).map((x) => x.name);
    expect(names).toContain('distinct_users');
    expect(f.anomaly?.features.find((x) => x.name === 'distinct_users')).toMatchObject({
      value: 14,
      below: 1,
    });
    expect(describeAnomaly(f.anomaly as NonNullable<typeof f.anomaly>)).toMatch(
      /^score 0\.\d+: .*distinct users 14, above 100% of training windows.*\(trained on 2000 windows, 2026-03-01 – 2026-03-15\)$/,
    );
    // both entities have a peak (for recoveries), the ordinary one far below the threshold
    expect(peaks.map((p) => p.entity['source.ip']).sort()).toEqual(['10.0.0.1', '203.0.113.9']);
    expect(peaks.find((p) => p.entity['source.ip'] === '10.0.0.1')?.value).toBeLessThan(0.6);
  });

  test('an entity anomalous in several windows of a catch-up is one finding, at its highest score', () => {
    const earlier = { startMs: window.startMs - HOUR, endMs: window.startMs };
    const { findings } = scoreAnomalies(
      r,
      model,
      [
        { key: ['203.0.113.9'], window: earlier, vector: [40, 40, 3, 0, 0] },
        { key: ['203.0.113.9'], window, vector: [4, 16, 14, 0, 0.75] },
      ],
      calendar(),
    );
    expect(findings).toHaveLength(1);
  });

  test('a model without a forest (too little history) scores nothing', () => {
    const { findings } = scoreAnomalies(
      r,
      { ...model, forest: undefined, stats: undefined, insufficient: true },
      [{ key: ['203.0.113.9'], window, vector: [4, 16, 14, 0, 0.75] }],
      calendar(),
    );
    expect(findings).toEqual([]);
  });
});
