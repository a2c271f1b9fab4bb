/**
 * Issue 16: data_transfer_spike groups by host.hostname, which ingested access logs never had, so
 * the rule could not fire on them. `vigil ingest` now writes host.* of the ingesting machine (as
 * Filebeat's add_host_metadata does), or of `--host`. 35 days of an nginx access log, 20 MB an hour,
 * are ingested through the CLI; a 60 MB hour fires the rule for the host; the same log without the
 * spike fires nothing. Instants are fixed and scanned with --from/--to.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { DateTime } from 'luxon';
import { testClient } from '../../helpers/ecs';
import { runVigil, tempDir } from '../../helpers/vigil-cli';
import { alertsFor, dropState, HOUR, iso, type StateSetup, scan, stateSetup } from '../state/state-kit';

jest.setTimeout(240_000);

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const SPIKE_INDEX = `vigil-logs-it-transfer-spike-${RUN}`;
const BENIGN_INDEX = `vigil-logs-it-transfer-benign-${RUN}`;
const MB = 1_000_000;
// Wednesday 2026-11-04, replayed
const D = Date.parse('2026-11-04T00:00:00Z');
const DAY = 24 * HOUR;

let client: Client;
let dir: string;
const setups: StateSetup[] = [];

/** One request an hour carrying the hour's bytes, 35 days back from D + 6 h; `spikeAt` carries 3×. */
function accessLog(spikeAt?: number): string {
  let out = '';
  for (let h = D - 35 * DAY; h < D + 6 * HOUR; h += HOUR) {
    const t = DateTime.fromMillis(h + 10 * 60_000, { zone: 'UTC' }).toFormat('dd/LLL/yyyy:HH:mm:ss');
    const bytes = h === spikeAt ? 60 * MB : 20 * MB;
    out += `198.51.100.7 - - [${t} +0000] "GET /export HTTP/1.1" 200 ${bytes} "-" "curl/8.5.0"\n`;
  }
  return out;
}

async function ingest(file: string, index: string, extra: string[] = []) {
  // no config file in the working directory: the CLI takes ELASTICSEARCH_URL from the environment
  return runVigil(['ingest', file, '--type', 'nginx', '--index', index, '--format', 'json', ...extra], {
    cwd: dir,
  });
}

beforeAll(() => {
  client = testClient();
  dir = tempDir('vigil-transfer-');
});

afterAll(async () => {
  for (const s of setups) await dropState(client, s);
  await client.indices.delete({ index: [SPIKE_INDEX, BENIGN_INDEX], ignore_unavailable: true });
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `vigil scan --rule data_transfer_spike` over Wednesday 03:00-04:00, with a state index of its own. */
function scanSpikeHour(name: string, index: string) {
  const s = stateSetup(`it-transfer-${name}-${RUN}`, { web: [index] });
  setups.push(s);
  return scan(s.config, [
    '--rule',
    'data_transfer_spike',
    '--from',
    iso(D + 3 * HOUR),
    '--to',
    iso(D + 4 * HOUR),
  ]);
}

describe('data_transfer_spike on logs ingested by vigil', () => {
  it('fires for the ingesting host on a 3× hour, with host.* as add_host_metadata writes it', async () => {
    const file = path.join(dir, 'access.log');
    fs.writeFileSync(file, accessLog(D + 3 * HOUR));
    const res = await ingest(file, SPIKE_INDEX);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);

    await client.indices.refresh({ index: SPIKE_INDEX });
    const one = await client.search<{ host: Record<string, unknown> }>({ index: SPIKE_INDEX, size: 1 });
    expect(one.hits.hits[0]._source!.host).toMatchObject({ hostname: os.hostname(), name: os.hostname() });
    expect(one.hits.hits[0]._source!.host.architecture).toEqual(expect.any(String));

    const r = await scanSpikeHour('spike', SPIKE_INDEX);
    expect(r.code).toBe(0);
    const spike = alertsFor(r, 'data_transfer_spike', os.hostname());
    expect(spike).toHaveLength(1);
    expect(spike[0].value).toBe(60 * MB);
  });

  it('fires nothing on the same traffic without the spike; --host names the server', async () => {
    const file = path.join(dir, 'benign.log');
    fs.writeFileSync(file, accessLog());
    const res = await ingest(file, BENIGN_INDEX, ['--host', 'web-1.example']);
    expect(res.code).toBe(0);
    await client.indices.refresh({ index: BENIGN_INDEX });
    const hosts = await client.search({
      index: BENIGN_INDEX,
      size: 0,
      aggs: { h: { terms: { field: 'host.hostname' } } },
    });
    expect((hosts.aggregations!.h as { buckets: { key: string; doc_count: number }[] }).buckets).toEqual([
      { key: 'web-1.example', doc_count: 35 * 24 + 6 },
    ]);

    const r = await scanSpikeHour('benign', BENIGN_INDEX);
    expect(r.code).toBe(0);
    expect(r.alerts).toEqual([]);
  });
});
