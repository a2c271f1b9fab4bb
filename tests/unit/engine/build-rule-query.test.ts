/**
 * The pure query builders: snapshots of the `_msearch` items of shipped rules, and the properties
 * that keep a scan correct (size 0, composite paged by after_key, ignore_unavailable, field maps).
 */
import { validateConfig } from '../../../src/config/load-config';
import {
  buildHeavyQuery,
  buildSamplesQuery,
  buildSeriesQuery,
  buildTotalsQuery,
  cardinalityPrecision,
  HEAVY_TERMS_SIZE,
  TOTALS_PAGE_SIZE,
} from '../../../src/query/build-rule-query';
import { buildSamplesSearch, samplesOf } from '../../../src/query/build-samples-search';
import { mapQueryFields } from '../../../src/query/field-map';
import type { MsearchItem } from '../../../src/query/types';
import { loadRules } from '../../../src/rules/load-rules';
import type { Rule } from '../../../src/rules/rule-schema';
import { at, QUERIES_DIR } from './fixtures';

const interval = { startMs: at('2026-11-18T03:00:00Z'), endMs: at('2026-11-18T04:00:00Z') };

function shippedRules(sources?: Record<string, unknown>): Map<string, Rule> {
  const raw = { elasticsearch: { nodes: ['http://localhost:9200'] }, ...(sources ? { sources } : {}) };
  const { config } = validateConfig(raw, 'config.yaml', {}, { baseDir: '/', sha256: '' });
  const { all, problems } = loadRules(QUERIES_DIR, config);
  expect(problems).toEqual([]);
  return new Map(all.map((r) => [r.id, r]));
}

const rules = shippedRules();
const get = (id: string, from = rules): Rule => {
  const r = from.get(id);
  if (!r) throw new Error(`no shipped rule ${id}`);
  return r;
};

/** Every aggregation in a body, depth first. */
function aggsOf(body: MsearchItem['body']): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (aggs: unknown) => {
    for (const a of Object.values((aggs ?? {}) as Record<string, Record<string, unknown>>)) {
      out.push(a);
      walk(a.aggs);
    }
  };
  walk(body.aggs);
  return out;
}

const SNAPSHOT_RULES = [
  'ssh_bruteforce',
  'ssh_distributed',
  'login_failure_rate',
  'http_5xx_total',
  'data_transfer_spike',
];

describe.each(SNAPSHOT_RULES)('%s', (id) => {
  const r = get(id);
  const candidates = r.group_by.map((_, i) => [`value-${i}-a`, `value-${i}-b`]);
  const entity = Object.fromEntries(r.group_by.map((f, i) => [f, `value-${i}-a`]));
  const after = Object.fromEntries(r.group_by.map((_, i) => [`g${i}`, `value-${i}-a`]));

  test('totals, series and samples items match the snapshot', () => {
    expect({
      totals: buildTotalsQuery(r, interval),
      totalsNextPage: r.group_by.length ? buildTotalsQuery(r, interval, after) : null,
      series: buildSeriesQuery(r, interval, candidates),
      heavy: buildHeavyQuery(r, interval, candidates[0] ?? []) ?? null,
      samples: buildSamplesQuery(r, interval, entity),
    }).toMatchSnapshot();
  });

  test('aggregations are size 0, over the interval, with ignore_unavailable', () => {
    for (const item of [buildTotalsQuery(r, interval), buildSeriesQuery(r, interval, candidates)]) {
      expect(item.header).toMatchObject({
        index: r.indices,
        ignore_unavailable: true,
        allow_no_indices: true,
      });
      expect(item.body.size).toBe(0);
      expect(item.body.track_total_hits).toBe(false);
      expect(item.body.query?.bool?.filter).toContainEqual({
        range: { '@timestamp': { gte: interval.startMs, lt: interval.endMs, format: 'epoch_millis' } },
      });
      // entities come from composite aggregations, never from a size-limited terms aggregation
      for (const agg of aggsOf(item.body)) expect(agg).not.toHaveProperty('terms');
    }
  });
});

describe('composite paging', () => {
  const r = get('ssh_bruteforce');
  test('the first page has no after; the next page carries the after_key', () => {
    const first = buildTotalsQuery(r, interval).body.aggs?.entities.composite;
    expect(first).toEqual({ size: TOTALS_PAGE_SIZE, sources: [{ g0: { terms: { field: 'source.ip' } } }] });
    const next = buildTotalsQuery(r, interval, { g0: '203.0.113.10' }).body.aggs?.entities.composite;
    expect(next).toMatchObject({ size: TOTALS_PAGE_SIZE, after: { g0: '203.0.113.10' } });
  });

  test('series page by after_key too, with a 1-second date_histogram source (spans start on whole seconds)', () => {
    const item = buildSeriesQuery(r, interval, [['203.0.113.10']], { g0: '203.0.113.10', t: 1_000 });
    const comp = item.body.aggs?.series.composite;
    expect(comp?.after).toEqual({ g0: '203.0.113.10', t: 1_000 });
    expect(comp?.sources).toEqual([
      { g0: { terms: { field: 'source.ip' } } },
      { t: { date_histogram: { field: '@timestamp', fixed_interval: '1s' } } },
    ]);
    expect(item.body.query?.bool?.filter).toContainEqual({ terms: { 'source.ip': ['203.0.113.10'] } });
  });

  test('a cardinality rule pages over (entity, value, time) so distinct values are exact over any span', () => {
    const d = get('ssh_distributed');
    const comp = buildSeriesQuery(d, interval, [['oracle']]).body.aggs?.series;
    expect(comp?.composite?.sources?.map((s) => Object.keys(s)[0])).toEqual(['g0', 'v', 't']);
    expect(comp?.composite?.sources?.[1]).toEqual({ v: { terms: { field: 'source.ip' } } });
    expect(comp?.aggs).toEqual({});
  });

  test('a distinct count per entity stays near exact around the threshold with bounded memory', () => {
    const d = get('ssh_distributed'); // thresholds 20 / 10
    const totals = buildTotalsQuery(d, interval).body.aggs?.entities;
    expect(totals?.aggs).toMatchObject({
      value: { cardinality: { field: 'source.ip', precision_threshold: 100 } },
    });
    expect(cardinalityPrecision({ thresholds: { business_hours: 500, off_hours: 300 } })).toBe(1000);
    expect(cardinalityPrecision({ thresholds: { business_hours: 1e6, off_hours: 1e6 } })).toBe(40_000);
    expect(cardinalityPrecision({ thresholds: undefined })).toBe(3000);
  });

  test('a rule without group_by totals the interval in one filter aggregation', () => {
    const t = get('http_5xx_total');
    const body = buildTotalsQuery(t, interval).body;
    // http_5xx_total: 5 minutes, thresholds 100 / 50: buckets of 38 s (T/8 rounded up to a
    // second), 9 cover any span, so only buckets with ceil(50 / 9) = 6 events are returned
    expect(body.aggs).toEqual({
      all: {
        filter: { match_all: {} },
        aggs: {
          heavy: { date_histogram: { field: '@timestamp', fixed_interval: '38s', min_doc_count: 6 } },
        },
      },
    });
  });

  test('the latest event per entity is asked only when the interval is one span (it dates a finding without series)', () => {
    const b = get('ssh_bruteforce'); // 2 minutes
    const oneSpan = { startMs: interval.startMs, endMs: interval.startMs + 2 * 60_000 };
    expect(buildTotalsQuery(b, oneSpan).body.aggs?.entities?.aggs).toMatchObject({
      last: { max: { field: '@timestamp' } },
    });
    // over a longer interval the series date it: no max (and its date string) in 30,000 buckets
    const longer = { startMs: interval.startMs, endMs: interval.startMs + 2 * 60_000 + 1000 };
    expect(buildTotalsQuery(b, longer).body.aggs?.entities?.aggs).not.toHaveProperty('last');
  });

  test('the prune asks for heavy buckets only, and what makes it safe for sum and distinct counts', () => {
    const d = get('ssh_distributed'); // 10 minutes, off-hours 10: buckets of 75 s, heavy from 2
    expect(buildTotalsQuery(d, interval).body.aggs?.entities?.aggs).toMatchObject({
      with_field: { filter: { exists: { field: 'source.ip' } } },
      field_values: { value_count: { field: 'source.ip' } },
    });
    expect(buildHeavyQuery(d, interval, ['oracle'])?.body.aggs).toEqual({
      heavy: {
        date_histogram: { field: '@timestamp', fixed_interval: '75s', min_doc_count: 1 },
        aggs: { e: { terms: { field: 'user.name', size: HEAVY_TERMS_SIZE, min_doc_count: 2 } } },
      },
    });
    const sum: Rule = { ...get('ssh_bruteforce'), metric: { type: 'sum', field: 'x' } };
    const s = buildTotalsQuery(sum, interval).body.aggs?.entities?.aggs;
    expect(s).toEqual({
      value: { sum: { field: 'x' } },
      lowest: { min: { field: 'x' } },
    });
    expect(buildHeavyQuery(sum, interval, ['x'])).toBeUndefined();
  });
});

describe('samples', () => {
  test('several findings of a rule share one search: each its own entity within its own window', () => {
    const r = get('ssh_bruteforce');
    const a = { startMs: at('2026-11-18T03:00:00Z'), endMs: at('2026-11-18T03:10:00Z') };
    const b = { startMs: at('2026-11-18T03:30:00Z'), endMs: at('2026-11-18T03:40:00Z') };
    const item = buildSamplesSearch(r, [
      { entity: { 'source.ip': '203.0.113.10' }, window: a },
      { entity: { 'source.ip': '198.51.100.7' }, window: b },
    ]);
    const own = (ip: string, w: typeof a) => ({
      bool: {
        filter: [
          { range: { '@timestamp': { gte: w.startMs, lt: w.endMs, format: 'epoch_millis' } } },
          { term: { 'source.ip': ip } },
        ],
      },
    });
    expect(item.body.size).toBe(0);
    const filter = item.body.query?.bool?.filter as unknown[];
    // the rule's own filter over the span of all the windows, and only the findings' events
    expect(filter).toContainEqual({
      range: { '@timestamp': { gte: a.startMs, lt: b.endMs, format: 'epoch_millis' } },
    });
    expect(filter).toContainEqual({
      bool: { should: [own('203.0.113.10', a), own('198.51.100.7', b)], minimum_should_match: 1 },
    });
    const findings = item.body.aggs?.findings as {
      filters: { filters: Record<string, unknown> };
      aggs: { recent: { top_hits: { size: number; sort: unknown; _source: string[] } } };
    };
    expect(findings.filters.filters).toEqual({ 0: own('203.0.113.10', a), 1: own('198.51.100.7', b) });
    expect(findings.aggs.recent.top_hits).toMatchObject({
      size: 5,
      sort: [{ '@timestamp': { order: 'desc' } }],
    });
    expect(findings.aggs.recent.top_hits._source).toContain('user.name');
    // the response's buckets come back in the order of the findings; a finding with none has none
    const response = {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, failed: 0 },
      hits: { hits: [] },
      aggregations: { findings: { buckets: { 1: { recent: { hits: { hits: [{ _source: { x: 1 } }] } } } } } },
    };
    expect(samplesOf(response as never, 2)).toEqual([[], [{ x: 1 }]]);
  });

  test('5 newest events of the entity, only the fields that matter', () => {
    const r = get('ssh_bruteforce');
    const body = buildSamplesQuery(r, interval, { 'source.ip': '203.0.113.10' }).body;
    expect(body.size).toBe(5);
    expect(body.sort).toEqual([{ '@timestamp': { order: 'desc' } }]);
    expect(body.query?.bool?.filter).toContainEqual({ term: { 'source.ip': '203.0.113.10' } });
    expect(body._source).toEqual([
      '@timestamp',
      'source.ip',
      'user.name',
      'host.hostname',
      'system.auth.ssh.event',
      'system.auth.ssh.method',
      'source.port',
    ]);
  });
});

describe('field-map rewriting', () => {
  const mapped = shippedRules({
    auth: {
      indices: ['custom-auth-*'],
      timestamp_field: 'ts',
      fields: {
        'source.ip': 'client_ip',
        'event.outcome': 'result',
        'event.action': 'action',
        'user.name': 'login',
        'host.hostname': 'server',
      },
    },
    web: {
      indices: ['custom-web-*'],
      fields: {
        'http.request.method': 'verb',
        'http.response.body.bytes': 'bytes',
        'host.hostname': 'vhost',
      },
    },
    windows: { indices: ['custom-win-*'] },
  });

  test('group_by, filter, time field, series and samples use the mapped names', () => {
    const r = get('ssh_bruteforce', mapped);
    const totals = buildTotalsQuery(r, interval);
    expect(totals.header.index).toEqual(['custom-auth-*']);
    expect(totals.body.aggs?.entities.composite?.sources).toEqual([
      { g0: { terms: { field: 'client_ip' } } },
    ]);
    expect(totals.body.query?.bool?.filter).toEqual([
      { range: { ts: { gte: interval.startMs, lt: interval.endMs, format: 'epoch_millis' } } },
      {
        bool: {
          filter: [{ term: { action: 'ssh_login' } }, { term: { result: 'failure' } }],
          must_not: [{ terms: { 'system.auth.ssh.event': ['Invalid', 'Illegal'] } }],
        },
      },
    ]);
    const series = buildSeriesQuery(r, interval, [['203.0.113.10']]);
    expect(series.body.query?.bool?.filter).toContainEqual({ terms: { client_ip: ['203.0.113.10'] } });
    expect(series.body.aggs?.series.composite?.sources?.[1]).toEqual({
      t: { date_histogram: { field: 'ts', fixed_interval: '1s' } },
    });
    const samples = buildSamplesQuery(r, interval, { 'source.ip': '203.0.113.10' });
    expect(samples.body.query?.bool?.filter).toContainEqual({ term: { client_ip: '203.0.113.10' } });
    expect(samples.body.sort).toEqual([{ ts: { order: 'desc' } }]);
    expect(samples.body._source).toEqual(expect.arrayContaining(['ts', 'client_ip', 'login', 'server']));
  });

  test('ratio filters, exists and sum fields are mapped', () => {
    const rate = buildTotalsQuery(get('login_failure_rate', mapped), interval).body.aggs?.entities;
    expect(rate?.aggs).toEqual({
      num: { filter: { term: { result: 'failure' } } },
      den: { filter: { terms: { result: ['failure', 'success'] } } },
    });
    // 15 minutes, min_total 20: 9 buckets of 113 s cover a span, so 3 documents make one heavy
    expect(
      buildHeavyQuery(get('login_failure_rate', mapped), interval, ['host-a'])?.body.aggs?.heavy,
    ).toEqual({
      date_histogram: { field: 'ts', fixed_interval: '113s', min_doc_count: 1 },
      aggs: { e: { terms: { field: 'server', size: HEAVY_TERMS_SIZE, min_doc_count: 3 } } },
    });
    const dos = buildTotalsQuery(get('dos_burst', mapped), interval).body.query?.bool?.filter;
    expect(dos).toContainEqual({ exists: { field: 'verb' } });
    const bytes = buildTotalsQuery(get('data_transfer_spike', mapped), interval).body.aggs?.entities;
    // one hour, the interval's length: one span, so the latest event is asked for
    expect(bytes?.aggs).toEqual({
      value: { sum: { field: 'bytes' } },
      last: { max: { field: '@timestamp' } },
    });
    expect(bytes?.composite?.sources).toEqual([{ g0: { terms: { field: 'vhost' } } }]);
  });

  test.each([
    { name: 'term', dsl: { term: { 'source.ip': '1.2.3.4' } }, out: { term: { ip: '1.2.3.4' } } },
    {
      name: 'boost and _name are not fields',
      dsl: { match: { 'source.ip': 'x', boost: 2, _name: 'n' } },
      out: { match: { ip: 'x', boost: 2, _name: 'n' } },
    },
    {
      name: 'nested bool',
      dsl: {
        bool: {
          must_not: [{ prefix: { 'user.name': 'svc_' } }],
          should: [{ wildcard: { 'source.ip': '10.*' } }],
        },
      },
      out: { bool: { must_not: [{ prefix: { user: 'svc_' } }], should: [{ wildcard: { ip: '10.*' } }] } },
    },
    {
      name: 'range',
      dsl: { range: { 'http.response.status_code': { gte: 500 } } },
      out: { range: { status: { gte: 500 } } },
    },
    { name: 'exists', dsl: { exists: { field: 'user.name' } }, out: { exists: { field: 'user' } } },
    {
      name: 'query_string is left alone',
      dsl: { query_string: { query: 'source.ip:1.2.3.4' } },
      out: { query_string: { query: 'source.ip:1.2.3.4' } },
    },
    {
      name: 'unmapped fields keep their names',
      dsl: { term: { 'event.action': 'x' } },
      out: { term: { 'event.action': 'x' } },
    },
  ])('$name', ({ dsl, out }) => {
    expect(
      mapQueryFields(dsl, { 'source.ip': 'ip', 'user.name': 'user', 'http.response.status_code': 'status' }),
    ).toEqual(out);
  });
});
