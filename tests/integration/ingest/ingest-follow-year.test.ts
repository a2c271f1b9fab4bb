/**
 * Issue 16: `ingest --follow` re-derives the year of each file it opens. A follow started on 3 Jan on
 * a file spanning Dec → Jan dates that file's December lines in the previous year; the next file
 * after a rotation (its first line "Jan 10") is a new file whose year comes from its own lines, at
 * the time it is opened. Instants are pinned through the injected clock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { runIngest } from '../../../src/ingest/run-ingest';

jest.setTimeout(120_000);

const INDEX = `vigil-logs-it-follow-year-${process.pid}-${Date.now()}`;
const client = new Client({ ...ENGINE_NEUTRAL, node: process.env.ELASTICSEARCH_URL });
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-follow-year-'));
});

afterAll(async () => {
  await client.indices.delete({ index: INDEX, ignore_unavailable: true });
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const line = (stamp: string, port: number) =>
  `${stamp} web1 sshd[${port}]: Failed password for root from 10.1.2.3 port ${port} ssh2\n`;

async function timesByPort(): Promise<Record<number, string>> {
  await client.indices.refresh({ index: INDEX });
  const res = await client.search<{ '@timestamp': string; source: { port: number } }>({
    index: INDEX,
    size: 100,
    _source: ['@timestamp', 'source.port'],
  });
  return Object.fromEntries(res.hits.hits.map((h) => [h._source!.source.port, h._source!['@timestamp']]));
}

async function waitForCount(n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await client.indices.refresh({ index: INDEX }).catch(() => undefined);
    const c = await client.count({ index: INDEX }).catch(() => ({ count: 0 }));
    if (c.count >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`index never reached ${n} documents`);
}

describe('ingest --follow: the year of a rotated file', () => {
  it('dates the next file\'s "Jan 10" lines in the current year, the first file\'s December in the previous one', async () => {
    const log = path.join(dir, 'auth.log');
    fs.writeFileSync(
      log,
      line('Dec 30 23:00:00', 1) + line('Dec 31 23:59:59', 2) + line('Jan  2 08:00:00', 3),
    );
    let now = Date.parse('2027-01-03T12:00:00Z');
    const controller = new AbortController();
    const done = runIngest(
      {
        paths: [log],
        type: 'auth',
        index: INDEX,
        follow: true,
        registry: path.join(dir, 'registry.json'),
        pollMs: 50,
        timezone: 'UTC',
      },
      { client, now: () => now, signal: controller.signal },
    );
    await waitForCount(3);

    now = Date.parse('2027-01-10T12:00:00Z'); // a week later, logrotate runs
    fs.renameSync(log, `${log}.1`);
    fs.writeFileSync(log, line('Jan 10 09:00:00', 4) + line('Jan 10 09:00:05', 5));
    await waitForCount(5);
    controller.abort();
    const summary = await done;
    expect(summary.unparsedLines).toBe(0);

    expect(await timesByPort()).toEqual({
      1: '2026-12-30T23:00:00.000Z',
      2: '2026-12-31T23:59:59.000Z',
      3: '2027-01-02T08:00:00.000Z',
      4: '2027-01-10T09:00:00.000Z',
      5: '2027-01-10T09:00:05.000Z',
    });
  });
});
