/**
 * Issue 15 against a real cluster, through the CLI: a finding's value is the true maximum over any
 * T-long span (spans start on whole seconds), and its window is that span. The regression cases
 * are the issue's: a 1-minute burst the old T/8 buckets over-counted (they summed 70 s), and a
 * 15-minute failure ratio of 2/3 over 30 attempts that the old 1,120 s spans diluted to 0.09 and
 * missed. Then the real apache_access.log from shared/data, against an oracle computed here from
 * the raw lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, testClient, webRequest } from '../../helpers/ecs';
import { allSpans, bestSpans, type OracleEvent } from '../../helpers/span-oracle';
import { baseConfig, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { deleteIndicesStartingWith, iso, MIN, scanJson } from './scan-helpers';

const PREFIX = 'it-exact-windows-';
const S = 1000;
const T0 = Date.parse('2026-11-18T03:00:00Z'); // Wednesday night, UTC: off-hours
const APACHE_LOG = path.resolve(__dirname, '../../../../shared/data/elastic-examples/apache_access.log');

let client: Client;

beforeAll(() => {
  client = testClient();
});

afterAll(async () => {
  await deleteIndicesStartingWith(client, PREFIX);
  await client.close();
});

const at = (offsetMs: number, n: number, everyMs: number) =>
  Array.from({ length: n }, (_, i) => T0 + offsetMs + i * everyMs);

test('dos_burst: 350 requests in the busiest minute is reported as 350, not the 400 of a 70 s span', async () => {
  const index = `${PREFIX}web`;
  await createEcsIndex(client, index);
  // 300 requests from 03:01:00 to 03:01:30 (10/s), then 100 from 03:02:00 to 03:02:05 (20/s):
  // the minute from 03:01:05 holds 250 + 100 = 350, and no minute more
  const instants = [...at(MIN, 300, 100), ...at(2 * MIN, 100, 50)];
  await indexDocs(
    client,
    index,
    instants.map((t) => webRequest('198.51.100.7', t, 200)),
  );
  const oracle = bestSpans(
    allSpans(
      instants.map((t) => ({ at: t })),
      { startMs: T0, endMs: T0 + 10 * MIN },
      MIN,
      { type: 'count' },
      () => ({ threshold: 300, schedule: 'off_hours' }),
    ),
  ).firing;
  expect(oracle).toMatchObject({ value: 350, startMs: T0 + MIN + 5 * S, endMs: T0 + 2 * MIN + 5 * S });

  const config = writeConfig(tempDir(), baseConfig({ web: [index], stateIndex: `${PREFIX}state` }));
  const r = await scanJson(config, ['--rule', 'dos_burst', '--from', iso(T0), '--to', iso(T0 + 10 * MIN)]);
  expect(r.code).toBe(0);
  expect(r.findings).toHaveLength(1);
  expect(r.findings[0]).toMatchObject({
    rule: 'dos_burst',
    entity: { 'source.ip': '198.51.100.7' },
    value: 350,
    threshold: 300,
    schedule: 'off_hours',
    window: { start: '2026-11-18T03:01:05.000Z', end: '2026-11-18T03:02:05.000Z' },
  });
});

test('login_failure_rate: 20 failures in 30 attempts within 15 minutes fires at its true ratio', async () => {
  const index = `${PREFIX}auth`;
  await createEcsIndex(client, index);
  const login = (t: number, outcome: 'failure' | 'success') => ({
    '@timestamp': iso(t),
    event: { category: 'authentication', action: 'ssh_login', outcome },
    source: { ip: '203.0.113.9' },
    user: { name: 'admin' },
    host: { hostname: 'bastion-1' },
  });
  // 200 successes in a minute on each side (03:08:30–03:09:30 and 03:25:00–03:26:00), and between
  // them 30 attempts every 30 s from 03:10:00, failure, failure, success, …: the 15 minutes that
  // hold the 30 attempts and none of the successes around fail 2 of 3
  const events: OracleEvent[] = [
    ...at(8 * MIN + 30 * S, 200, 300).map((t) => ({ at: t, den: true })),
    ...at(10 * MIN, 30, 30 * S).map((t, i) => ({ at: t, den: true, num: i % 3 !== 2 })),
    ...at(25 * MIN, 200, 300).map((t) => ({ at: t, den: true })),
  ];
  await indexDocs(
    client,
    index,
    events.map((e) => login(e.at, e.num ? 'failure' : 'success')),
  );
  const interval = { startMs: T0 + 5 * MIN, endMs: T0 + 35 * MIN };
  const metric = {
    type: 'ratio' as const,
    numerator: { term: { 'event.outcome': 'failure' } },
    denominator: { terms: { 'event.outcome': ['failure', 'success'] } },
    min_total: 20,
  };
  const oracle = bestSpans(
    allSpans(events, interval, 15 * MIN, metric, () => ({ threshold: 0.3, schedule: 'off_hours' })),
  ).firing;
  expect(oracle?.value).toBeGreaterThanOrEqual(2 / 3);

  const config = writeConfig(tempDir(), baseConfig({ auth: [index], stateIndex: `${PREFIX}state` }));
  const r = await scanJson(config, [
    '--rule',
    'login_failure_rate',
    '--from',
    iso(interval.startMs),
    '--to',
    iso(interval.endMs),
  ]);
  expect(r.code).toBe(0);
  expect(r.findings).toHaveLength(1);
  const f = r.findings[0];
  expect(f).toMatchObject({
    entity: { 'host.hostname': 'bastion-1' },
    threshold: 0.3,
    schedule: 'off_hours',
  });
  expect(f.value).toBeCloseTo(oracle?.value as number, 3);
  expect(f.window).toEqual({ start: iso(oracle?.startMs as number), end: iso(oracle?.endMs as number) });
  expect(Date.parse(f.window.end) - Date.parse(f.window.start)).toBe(15 * MIN);
});

/** Requests per client address in apache_access.log, from the raw lines (method present). */
function apacheRequests(): Map<string, number[]> {
  const months: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5 };
  const byIp = new Map<string, number[]>();
  const line = /^(\S+) \S+ \S+ \[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\] "([A-Z]+) /;
  for (const l of fs.readFileSync(APACHE_LOG, 'utf8').split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const t = Date.UTC(Number(m[4]), months[m[3]], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
    byIp.set(m[1], [...(byIp.get(m[1]) ?? []), t]);
  }
  return byIp;
}

/** The most requests in [s, s + T) over whole seconds s: a span that starts at a request is as full. */
function busiestSpan(instants: number[], windowMs: number): number {
  let best = 0;
  for (const s of instants) best = Math.max(best, instants.filter((t) => t >= s && t < s + windowMs).length);
  return best;
}

test('dos_burst over the real apache_access.log equals the oracle computed from its raw lines', async () => {
  const index = `${PREFIX}apache`;
  const dir = tempDir();
  const rules = path.join(dir, 'rules');
  fs.mkdirSync(rules);
  // the shipped rule with a threshold this benign log reaches: 25 requests in a minute
  const shipped = fs.readFileSync(path.resolve(__dirname, '../../../queries/dos_burst.yaml'), 'utf8');
  fs.writeFileSync(
    path.join(rules, 'dos_burst.yaml'),
    shipped.replace(/^thresholds: .*$/m, 'thresholds: { business_hours: 25, off_hours: 25 }'),
  );
  const config = writeConfig(
    dir,
    baseConfig({ web: [index], rulesDir: rules, stateIndex: `${PREFIX}state` }),
  );
  const ingest = await runVigil([
    'ingest',
    APACHE_LOG,
    '--config',
    config,
    '--type',
    'apache',
    '--index',
    index,
  ]);
  expect(ingest.code).toBe(0);
  await client.indices.refresh({ index });
  const byIp = apacheRequests();
  const requests = [...byIp.values()].reduce((a, xs) => a + xs.length, 0);
  expect((await client.count({ index, query: { exists: { field: 'http.request.method' } } })).count).toBe(
    requests,
  );

  const r = await scanJson(config, ['--from', '2015-05-17T00:00:00Z', '--to', '2015-05-21T00:00:00Z']);
  expect(r.code).toBe(0);
  const want = new Map(
    [...byIp].map(([ip, xs]) => [ip, busiestSpan(xs, MIN)] as const).filter(([, n]) => n >= 25),
  );
  expect(want.size).toBeGreaterThan(3);
  const got = new Map(r.findings.map((f) => [f.entity['source.ip'], f]));
  expect(new Map([...got].map(([ip, f]) => [ip, f.value]))).toEqual(want);
  // each finding's window is one minute that holds that many requests
  for (const [ip, f] of got) {
    const [from, to] = [Date.parse(f.window.start), Date.parse(f.window.end)];
    expect(to - from).toBe(MIN);
    expect((byIp.get(ip) ?? []).filter((t) => t >= from && t < to)).toHaveLength(f.value);
  }
});
