/**
 * A baseline that cannot be loaded fails its rule (issue 13, defect 2). The rule's baseline search
 * covers the hours since the baseline was last complete; here one of them lies in a read-only index
 * whose bytes field is a keyword, so the sum aggregation fails on that shard. The cycle's own query
 * covers only the last hour and Elasticsearch skips that index (no documents in it), so the rule's
 * values are read fine, and without its baseline the rule would have no threshold at all: nothing
 * fires and the host that was firing would be declared recovered. Instead the rule is reported
 * failed: no recovery, the checkpoint and the alert memory stay, a warning, an audit error with
 * reason `baseline`. Once the index is gone, the next scan evaluates the same hour and recovers.
 */
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, testClient, webRequest } from '../../helpers/ecs';
import { tempDir } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, waitFor } from '../../helpers/vigil-process';
import { metricsPortIn, sampleValue, scrape } from '../monitor/monitor-kit';
import {
  auditRecords,
  baselineRulesDir,
  HOUR,
  iso,
  MIN,
  type StateSetup,
  scan,
  stateDoc,
  stateSetups,
} from './state-kit';

jest.setTimeout(180_000);

const PREFIX = 'it-state-baseline-failure';
const WEB = `${PREFIX}-web-live`;
/** an older index of the same source, read-only, where the bytes were mapped as a keyword */
const WEB_KEYWORD = `${PREFIX}-web-keyword`;
const MB = 1_000_000;
// Wednesday 2026-11-04, replayed with --from/--to
const D = Date.parse('2026-11-04T00:00:00Z');
const HOST = 'web-1';

const states = stateSetups(PREFIX, { web: [`${PREFIX}-web-*`] });
let client: Client;
let s: StateSetup;
let rulesDir: string;

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, WEB);
  const docs: Record<string, unknown>[] = [];
  // 1 MB an hour for a day, 10 MB in the hour 03:00–04:00, 1 MB again at 06:00
  for (let h = D - 26 * HOUR; h < D + 3 * HOUR; h += HOUR)
    docs.push(webRequest('198.51.100.7', h + 10 * MIN, 200, MB, HOST));
  docs.push(webRequest('198.51.100.7', D + 3 * HOUR + 10 * MIN, 200, 10 * MB, HOST));
  docs.push(webRequest('198.51.100.7', D + 6 * HOUR + 10 * MIN, 200, MB, HOST));
  await indexDocs(client, WEB, docs);
  rulesDir = baselineRulesDir(tempDir('vigil-baseline-failure-'));
  s = states.setup('rule', { rulesDir });
});

afterAll(async () => {
  await killAllVigils();
  await states.dropAll(client);
  await client.indices.delete({ index: [WEB, WEB_KEYWORD].join(','), ignore_unavailable: true });
  await client.close();
});

/** The keyword-mapped index with one request of web-1 at `atMs`, made read-only. */
async function createKeywordIndex(atMs: number): Promise<void> {
  const keyword = { type: 'keyword' as const };
  await client.indices.delete({ index: WEB_KEYWORD, ignore_unavailable: true });
  await client.indices.create({
    index: WEB_KEYWORD,
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: {
      properties: {
        '@timestamp': { type: 'date' },
        host: { properties: { hostname: keyword } },
        http: { properties: { response: { properties: { body: { properties: { bytes: keyword } } } } } },
      },
    },
  });
  await indexDocs(client, WEB_KEYWORD, [webRequest('198.51.100.7', atMs, 200, MB, HOST)]);
  await client.indices.putSettings({ index: WEB_KEYWORD, settings: { 'index.blocks.write': true } });
}

const replay = (fromMs: number, toMs: number) => scan(s.config, ['--from', iso(fromMs), '--to', iso(toMs)]);
const checkpoint = async () => (await stateDoc(client, s.stateIndex, 'checkpoint:bytes_spike'))?.until;

async function memoryStatus(): Promise<string[]> {
  await client.indices.refresh({ index: s.stateIndex });
  const r = await client.search<{ status: string }>({
    index: s.stateIndex,
    query: { bool: { filter: [{ term: { doc_type: 'alert' } }, { term: { rule: 'bytes_spike' } }] } },
  });
  return r.hits.hits.map((h) => h._source?.status as string);
}

test('a failed baseline search fails the rule: no recovery, checkpoint kept, warning and audit error', async () => {
  // 03:00–04:00: the baseline is bootstrapped and web-1 fires (10 MB against 1 MB an hour)
  const first = await replay(D + 3 * HOUR, D + 4 * HOUR);
  expect(first.code).toBe(0);
  expect(first.alerts.map((a) => [a.entity['host.hostname'], a.status])).toEqual([[HOST, 'new']]);
  expect(await checkpoint()).toBe(iso(D + 4 * HOUR));

  // 04:30 in an index that maps the bytes as a keyword, closed for writes (as old indices are)
  await createKeywordIndex(D + 4 * HOUR + 30 * MIN);

  // 06:00–07:00: the baseline must add 04:00–07:00 and that search fails; the query of the hour works
  const second = await replay(D + 6 * HOUR, D + 7 * HOUR);
  expect(second.alerts.filter((a) => a.status === 'recovered')).toEqual([]);
  expect(second.alerts).toEqual([]);
  expect(second.code).toBe(3); // its only rule failed
  expect(second.warnings).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/rule bytes_spike not evaluated: its baseline could not be loaded/),
    ]),
  );
  expect(second.stderr).toMatch(/error: rule bytes_spike: .*baseline.*keyword/);
  expect(await checkpoint()).toBe(iso(D + 4 * HOUR));
  expect(await memoryStatus()).toEqual(['firing']);
  // the baseline itself is not advanced past the hours it could not read
  expect((await stateDoc(client, s.stateIndex, 'baseline:bytes_spike'))?.body).toEqual({
    complete_until: D + 4 * HOUR,
  });
  const cycle = auditRecords(s.logDir, 'cycle').at(-1);
  expect(cycle?.rules).toEqual([expect.objectContaining({ id: 'bytes_spike', ok: false })]);
  expect(cycle?.errors).toEqual([
    expect.objectContaining({
      rule: 'bytes_spike',
      reason: 'baseline',
      message: expect.stringMatching(/keyword/),
    }),
  ]);
  expect(cycle?.checkpointed).toEqual([]);
  expect(cycle?.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/bytes_spike.*baseline/)]));

  // the index gone, the same hour is evaluated with the baseline: web-1 is back to 1 MB, recovered
  await client.indices.delete({ index: WEB_KEYWORD });
  const third = await replay(D + 6 * HOUR, D + 7 * HOUR);
  expect(third.code).toBe(0);
  expect(third.alerts.map((a) => [a.entity['host.hostname'], a.status])).toEqual([[HOST, 'recovered']]);
  // a replay of 06:00–07:00 did not evaluate 04:00–06:00: the checkpoint stays for a resumed run
  expect(await checkpoint()).toBe(iso(D + 4 * HOUR));
  expect(await memoryStatus()).toEqual(['recovered']);
});

test('monitor counts it in vigil_elasticsearch_errors_total{reason="baseline"}', async () => {
  // a new state index: the first cycle bootstraps the last day, which holds the keyword index's
  // request (3 h ago); the cycle's own look-back (one window, 1 h) does not
  await createKeywordIndex(Date.now() - 3 * HOUR);
  const m = states.setup('monitor', { rulesDir });
  const vigil = startVigil(['monitor', '--config', m.config, '--duration', '2', '--metrics-port', '0']);
  const describe = () => `stderr:\n${vigil.stderr()}`;
  const port = await waitFor('the metrics listener', () => metricsPortIn(vigil.stderr()), { describe });
  const { families } = await waitFor(
    'a baseline error in the metrics',
    async () => {
      const r = await scrape(port);
      return (
        (sampleValue(r.families, 'vigil_elasticsearch_errors_total', { reason: 'baseline' }) ?? 0) >= 1 && r
      );
    },
    { describe },
  );
  // its only rule failed: the cycle counts as failed
  expect(sampleValue(families, 'vigil_cycles_total', { result: 'failed' })).toBeGreaterThanOrEqual(1);
  expect(vigil.stderr()).toMatch(/rule bytes_spike: the baseline search failed/);
  await vigil.kill();
});
