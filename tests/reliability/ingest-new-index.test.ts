/**
 * Ingest into an index whose primary shard has not started yet. Elasticsearch reports a newly
 * created index as yellow while its primary is still unassigned (allocation throttled) or
 * initializing, so waiting for yellow is not enough: the lookup of earlier copies got 503
 * no_shard_available twice and `vigil ingest` failed, on a first ingest into a new index (2 runs
 * out of 3 of the ingest benchmark, 2026-12-06). Here a cluster of the test's own throttles every
 * initial primary recovery (a cluster-wide setting, so not on the shared test cluster) until a
 * moment after ingest's first bulk has created the index, while the lookups of the next batches
 * meet the unstarted primary.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../src/collect/client';
import { runIngest } from '../../src/ingest/run-ingest';
import { type KillableCluster, startKillableCluster } from './kit/cluster';

const AUTH_LOG = path.resolve(__dirname, '../../../shared/data/elastic-examples/auth.log');
const INDEX = 'vigil-logs-rel-new-index';
const NOW = Date.parse('2026-01-15T12:00:00Z');
const THROTTLE = 'cluster.routing.allocation.node_initial_primaries_recoveries';

jest.setTimeout(240_000);
let cluster: KillableCluster | undefined;
let client: Client;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-new-index-'));
  cluster = await startKillableCluster(`rel-newindex-${process.pid}`);
  client = new Client({ ...ENGINE_NEUTRAL, node: cluster.url });
});

afterAll(async () => {
  await client?.close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('ingest waits for the index its first bulk creates while the primary is still starting, and indexes every line', async () => {
  // several MB, so that the first bulk goes out while later batches are still being looked up
  const big = path.join(dir, 'auth.log');
  fs.writeFileSync(big, Buffer.concat(Array.from({ length: 12 }, () => fs.readFileSync(AUTH_LOG))));
  await client.cluster.putSettings({ transient: { [THROTTLE]: 0 } });
  // lifted only once the first bulk has created the index and the lookups have met its unstarted
  // primary for a while, whatever the machine's speed
  const lifted = (async () => {
    while (!(await client.indices.exists({ index: INDEX }))) await delay(50);
    await delay(1500);
    await client.cluster.putSettings({ transient: { [THROTTLE]: null } });
  })();
  const summary = await runIngest(
    { paths: [big], type: 'auth', index: INDEX, timezone: 'UTC', refresh: true },
    { client, now: () => NOW },
  );
  await lifted;
  expect(summary.unparsedLines).toBe(0);
  expect(summary.documentsIndexed).toBeGreaterThan(0);
  await client.indices.refresh({ index: INDEX });
  expect((await client.count({ index: INDEX })).count).toBe(summary.documentsIndexed);
});
