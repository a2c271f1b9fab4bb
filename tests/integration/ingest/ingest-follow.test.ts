/**
 * Follow mode against a real cluster: append, rotate by rename-and-create, rotate by copytruncate,
 * and a restart of the follower. Every line must be indexed exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { type IngestSummary, runIngest } from '../../../src/ingest/run-ingest';

jest.setTimeout(120_000);

const INDEX = `vigil-logs-it-ingest-follow-${process.pid}-${Date.now()}`;
const NOW = Date.parse('2026-03-01T00:00:00Z');
const client = new Client({ ...ENGINE_NEUTRAL, node: process.env.ELASTICSEARCH_URL });
let dir: string;
let seq = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-follow-'));
});

afterAll(async () => {
  await client.indices.delete({ index: INDEX, ignore_unavailable: true });
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Distinct auth lines: each carries a unique port so every line is a different document. */
function lines(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    seq++;
    const sec = String(seq % 60).padStart(2, '0');
    out += `Feb 27 10:${String(Math.floor(seq / 60) % 60).padStart(2, '0')}:${sec} web1 sshd[${1000 + seq}]: Failed password for root from 10.1.2.3 port ${10000 + seq} ssh2\n`;
  }
  return out;
}

async function indexedPorts(): Promise<number[]> {
  await client.indices.refresh({ index: INDEX });
  const res = await client.search<{ source: { port: number } }>({
    index: INDEX,
    size: 10000,
    _source: ['source.port'],
  });
  return res.hits.hits.map((h) => h._source!.source.port).sort((a, b) => a - b);
}

/** Starts a follower; returns a stop function that resolves with its summary after the flush. */
function startFollower(logPath: string, registry: string) {
  const controller = new AbortController();
  let cycles = 0;
  const done: Promise<IngestSummary> = runIngest(
    { paths: [logPath], type: 'auth', index: INDEX, follow: true, registry, pollMs: 50, timezone: 'UTC' },
    { client, now: () => NOW, signal: controller.signal, onCycle: () => cycles++ },
  );
  return {
    stop: async () => {
      controller.abort();
      return done;
    },
    cycles: () => cycles,
  };
}

/** Waits until the index holds `n` documents (the follower indexes asynchronously). */
async function waitForCount(n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await client.indices.refresh({ index: INDEX }).catch(() => undefined);
    const c = await client.count({ index: INDEX }).catch(() => ({ count: 0 }));
    if (c.count >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`index never reached ${n} documents`);
}

describe('ingest --follow', () => {
  it('indexes every line exactly once across append, rename, copytruncate and a restart', async () => {
    const log = path.join(dir, 'auth.log');
    const registry = path.join(dir, 'registry.json');
    fs.writeFileSync(log, lines(5));

    let follower = startFollower(log, registry);
    await waitForCount(5);

    fs.appendFileSync(log, lines(5)); // append
    await waitForCount(10);

    fs.appendFileSync(log, lines(3)); // written just before the rotation: must be drained from the old file
    fs.renameSync(log, `${log}.1`); // rotate by rename-and-create
    fs.writeFileSync(log, lines(4));
    await waitForCount(17);

    fs.appendFileSync(log, lines(2));
    await waitForCount(19);
    fs.copyFileSync(log, `${log}.2`); // rotate by copytruncate
    fs.truncateSync(log, 0);
    fs.appendFileSync(log, lines(3));
    await waitForCount(22);
    fs.copyFileSync(log, `${log}.3`); // copytruncate again, and the new content outgrows the old at once:
    fs.truncateSync(log, 0); // only the changed first bytes tell
    fs.appendFileSync(log, lines(10));
    await waitForCount(32);

    let summary = await follower.stop(); // restart: stop, write while down, start again
    expect(summary.unparsedLines).toBe(0);
    fs.appendFileSync(log, lines(6));
    follower = startFollower(log, registry);
    await waitForCount(38);
    fs.appendFileSync(log, lines(2));
    await waitForCount(40);
    summary = await follower.stop();
    expect(summary.duplicates).toBe(0);

    const ports = await indexedPorts();
    expect(ports).toEqual(Array.from({ length: seq }, (_, i) => 10001 + i)); // each line once, none missing
  });

  it('stops cleanly and leaves a registry a restart resumes from', async () => {
    const log = path.join(dir, 'second.log');
    const registry = path.join(dir, 'registry2.json');
    const before = seq;
    fs.writeFileSync(log, lines(3));
    const follower = startFollower(log, registry);
    await waitForCount(before + 3);
    await follower.stop();
    const saved = JSON.parse(fs.readFileSync(registry, 'utf8')) as {
      entries: { path: string; offset: number }[];
    };
    expect(saved.entries.find((e) => e.path === log)?.offset).toBe(fs.statSync(log).size);
  });
});
