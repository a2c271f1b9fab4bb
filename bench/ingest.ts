/**
 * Ingest benchmark: parse rate (parser only, one core) and end-to-end rate into a real cluster,
 * for the auth and access formats, plus the rate of bulk-indexing the same pre-parsed documents
 * (Elasticsearch alone), so the ratio shows whether vigil or Elasticsearch is the limit.
 *
 * Run (from the repo root, with a cluster: `node scripts/es.js up --name bench` prints its URL):
 *   npx tsc -p tsconfig.json --outDir /tmp/vigil-bench && \
 *     NODE_PATH=$PWD/node_modules ELASTICSEARCH_URL=http://127.0.0.1:9200 node /tmp/vigil-bench/bench/ingest.js
 * Without ELASTICSEARCH_URL only the parse rates are measured. BENCH_COPIES (default 10) sets how
 * many copies of each sample file the end-to-end run ingests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../src/collect/client';
import { ensureEcsTemplate } from '../src/ingest/ecs-template';
import { decodeLine, LineSplitter } from '../src/ingest/line-splitter';
import type { ParseContext } from '../src/ingest/parse-context';
import { parseLine } from '../src/ingest/parse-line';
import { runIngest } from '../src/ingest/run-ingest';
import { YearTracker, ZonedClock } from '../src/ingest/syslog-time';
import type { EcsDoc, LogType } from '../src/ingest/types';

/** Run from the repo root; the shared data sits next to it. */
const ROOT_DATA =
  process.env.VIGIL_BENCH_DATA ?? path.resolve(process.cwd(), '../shared/data/elastic-examples');
const CASES: { name: string; file: string; type: LogType }[] = [
  { name: 'auth (syslog/sshd/sudo)', file: path.join(ROOT_DATA, 'auth.log'), type: 'auth' },
  { name: 'access (apache combined)', file: path.join(ROOT_DATA, 'apache_access.log'), type: 'apache' },
];
const PARSE_LINES = 500_000;
const COPIES = Number(process.env.BENCH_COPIES ?? 10);

function rawLines(file: string) {
  const s = new LineSplitter();
  return s.push(fs.readFileSync(file));
}

/** Lines per second of decode + parse on this thread. */
function parseRate(file: string, type: LogType): { rate: number; docs: EcsDoc[] } {
  const raws = rawLines(file);
  const clock = new ZonedClock('UTC');
  const ctx: ParseContext = {
    path: file,
    offset: 0,
    nowMs: Date.now(),
    clock,
    shiftMs: 0,
    years: new YearTracker(clock),
  };
  const docs: EcsDoc[] = [];
  for (const raw of raws.slice(0, 2000)) {
    const d = decodeLine(raw);
    if (d.ok) parseLine(d.text, { type }, ctx); // warm-up
  }
  const t0 = process.hrtime.bigint();
  let n = 0;
  while (n < PARSE_LINES) {
    for (const raw of raws) {
      ctx.offset = raw.offset;
      const d = decodeLine(raw);
      if (d.ok) {
        const r = parseLine(d.text, { type }, ctx);
        if (r.ok && docs.length < 20_000) docs.push(...r.docs);
      }
      if (++n >= PARSE_LINES) break;
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rate: n / secs, docs };
}

async function endToEnd(
  client: Client,
  file: string,
  type: LogType,
): Promise<{ rate: number; docs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
  const big = path.join(dir, path.basename(file));
  const content = fs.readFileSync(file);
  fs.writeFileSync(big, Buffer.concat(Array.from({ length: COPIES }, () => content)));
  const index = `vigil-logs-bench-e2e-${type}-${process.pid}`;
  try {
    const t0 = Date.now();
    const s = await runIngest({ paths: [big], type, index, timezone: 'UTC' }, { client });
    const secs = (Date.now() - t0) / 1000;
    return { rate: s.documentsIndexed / secs, docs: s.documentsIndexed };
  } finally {
    await client.indices.delete({ index, ignore_unavailable: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same number of pre-parsed documents through the bulk helper alone: Elasticsearch's rate. */
async function elasticsearchOnly(
  client: Client,
  docs: EcsDoc[],
  total: number,
  type: LogType,
): Promise<number> {
  const index = `vigil-logs-bench-es-${type}-${process.pid}`;
  async function* items() {
    for (let i = 0; i < total; i++) yield { id: `bench-${i}`, doc: docs[i % docs.length] };
  }
  try {
    const t0 = Date.now();
    const stats = await client.helpers.bulk({
      datasource: items(),
      // `create` with an explicit id, as vigil does: the same work for Elasticsearch.
      onDocument: (item) => [{ create: { _index: index, _id: item.id } }, item.doc],
      flushBytes: 5_000_000,
      concurrency: 4,
    });
    return stats.successful / ((Date.now() - t0) / 1000);
  } finally {
    await client.indices.delete({ index, ignore_unavailable: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}; parse: ${fmt(PARSE_LINES)} lines per format, one thread`,
  );
  const url = process.env.ELASTICSEARCH_URL;
  const client = url ? new Client({ ...ENGINE_NEUTRAL, node: url }) : undefined;
  if (client) await ensureEcsTemplate(client);
  for (const c of CASES) {
    const { rate, docs } = parseRate(c.file, c.type);
    const verdict = rate >= 100_000 ? 'meets' : 'BELOW';
    console.log(`${c.name}: parse ${fmt(rate)} lines/s (${verdict} the 100k lines/s target)`);
    if (!client) continue;
    const e2e = await endToEnd(client, c.file, c.type);
    const es = await elasticsearchOnly(client, docs, e2e.docs, c.type);
    console.log(
      `  end to end ${fmt(e2e.rate)} docs/s (${fmt(e2e.docs)} docs); Elasticsearch alone ${fmt(es)} docs/s; ` +
        `end to end / Elasticsearch alone = ${(e2e.rate / es).toFixed(2)}; parse / end to end = ${(rate / e2e.rate).toFixed(1)}×`,
    );
  }
  if (!client) console.log('set ELASTICSEARCH_URL to measure the end-to-end rate');
  await client?.close();
}

main().catch((e) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
