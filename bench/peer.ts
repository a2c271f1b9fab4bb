/**
 * `npm run bench:peer` (issue 15): vigil against ElastAlert 0.2.4 on the same data, the same rule
 * and the same cluster, alternating, PEER_ROUNDS (default 5) rounds each, then the table:
 * contender | addresses found /200 | wall, median | ratio to vigil | peak RSS.
 *
 * - ElastAlert is Debian's `elastalert` package (0.2.4-3). Missing, it is installed with apt-get
 *   when running as root; otherwise the bench says how and stops.
 * - Elasticsearch 7.17.29 (ElastAlert 0.2.4 needs 7.x) is started through scripts/es-harness.js
 *   (name bench-peer-<pid>) and stopped at the end, unless ELASTICSEARCH_URL is set.
 * - The data (bench/peer-data.ts) is generated from a fixed seed and bulk-loaded; its ground truth
 *   (the addresses with ≥ 15 failures in some 2 minutes) is what every contender is checked against.
 * - ElastAlert runs as it does by default and, for the terms modes, under `--debug` with `alert:
 *   debug` too (PEER_DEBUG=all adds the default mode under --debug, ~5 min a run; 0: no --debug row).
 * - PEER_ONLY=vigil runs vigil alone (on any engine).
 * - PEER_KEEP=1 (with ELASTICSEARCH_URL) keeps the data index and vigil's config, and prints the
 *   command, to profile vigil on this data afterwards.
 * - BENCH_JSON=<file> appends the figures as one JSON line (used by npm run bench).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../src/collect/client';
import { ECS_TEST_MAPPINGS } from '../tests/helpers/ecs';
import {
  type Contender,
  elastalertContender,
  elastalertModes,
  type Measured,
  measure,
  PYTHON,
  vigilContender,
} from './peer-contenders';
import { checkShape, generatePeerData, groundTruth, PEER_SHAPE, peerDocuments } from './peer-data';

const REPO = process.cwd();
const ENGINE = 'elasticsearch:7.17.29';
const ROUNDS = Math.max(1, Number(process.env.PEER_ROUNDS ?? 5));
const ONLY_VIGIL = process.env.PEER_ONLY === 'vigil';
const KEEP = process.env.PEER_KEEP === '1' && Boolean(process.env.ELASTICSEARCH_URL);
const INDEX = `bench-peer-auth-${process.pid}`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Debian's elastalert: present, or installed with apt-get when we are root. */
function ensureElastalert(): string {
  const probe = () =>
    spawnSync(PYTHON, ['-c', 'import elastalert.elastalert'], { encoding: 'utf8' }).status === 0;
  if (fs.existsSync(PYTHON) && probe()) return 'present';
  if (process.getuid?.() !== 0)
    throw new Error(
      "Debian's elastalert is not installed and this is not root: run `sudo apt-get install -y elastalert`, or run the bench as root",
    );
  console.log('installing elastalert (apt-get update; apt-get install -y elastalert)…');
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', 'elastalert'],
  ]) {
    const r = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
  }
  if (!probe()) throw new Error('elastalert was installed but `import elastalert` still fails');
  return 'installed by this run';
}

async function loadData(client: Client): Promise<{ truth: Set<string>; seconds: number }> {
  const t0 = performance.now();
  const data = generatePeerData();
  const truth = groundTruth(data);
  checkShape(data, truth);
  await client.indices.delete({ index: INDEX, ignore_unavailable: true });
  await client.indices.create({
    index: INDEX,
    mappings: ECS_TEST_MAPPINGS,
    settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' },
  });
  const inflight: Promise<void>[] = [];
  for (const docs of peerDocuments(data, 10_000)) {
    const operations = docs.flatMap((d) => [{ index: { _index: INDEX } }, d]);
    inflight.push(
      client.bulk({ operations }).then((res) => {
        if (res.errors)
          throw new Error(`bulk: ${JSON.stringify(res.items.find((x) => x.index?.error)?.index?.error)}`);
      }),
    );
    if (inflight.length >= 3) await inflight.shift();
  }
  await Promise.all(inflight);
  await client.indices.putSettings({ index: INDEX, settings: { refresh_interval: '1s' } });
  await client.indices.refresh({ index: INDEX });
  await client.indices.forcemerge({ index: INDEX, max_num_segments: 1 });
  const { count } = await client.count({ index: INDEX });
  const expected = PEER_SHAPE.failures + PEER_SHAPE.successes;
  if (count !== expected) throw new Error(`indexed ${count} documents, expected ${expected}`);
  return { truth, seconds: (performance.now() - t0) / 1000 };
}

/** The table, into bench/README.md between the peer-results markers. */
function writeIntoReadme(block: string): void {
  const readme = path.join(REPO, 'bench', 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const marked = /<!-- peer-results -->[\s\S]*<!-- \/peer-results -->/;
  if (!marked.test(text)) return;
  fs.writeFileSync(readme, text.replace(marked, `<!-- peer-results -->\n${block}\n<!-- /peer-results -->`));
  console.log('written to bench/README.md');
}

/** The cluster's version: from `GET /`, or from the nodes where that is missing (8.x test zips). */
async function engineVersion(client: Client): Promise<string> {
  const info = (await client.transport.request({ method: 'GET', path: '/' }).catch(() => undefined)) as
    | { version?: { number?: string } }
    | undefined;
  if (info?.version?.number) return info.version.number;
  // the 8.x test zips answer GET / with 405: ask every node, no metric (`/_nodes/_none` alone
  // would name a node called _none)
  const nodes = await client.nodes.info({ node_id: '_all', metric: '_none' });
  return Object.values(nodes.nodes)[0]?.version ?? '?';
}

interface Row {
  contender: Contender;
  runs: Measured[];
  found: Set<string>[];
}

function table(rows: Row[], truth: Set<string>): { text: string; figures: Record<string, unknown>[] } {
  const vigilWall = median(rows[0].runs.map((r) => r.wallMs));
  const figures = rows.map((r) => {
    const hits = r.found.map((f) => [...f].filter((ip) => truth.has(ip)).length);
    const extra = r.found.map((f) => [...f].filter((ip) => !truth.has(ip)).length);
    const wall = median(r.runs.map((x) => x.wallMs));
    return {
      contender: r.contender.name,
      found_min: Math.min(...hits),
      found_max: Math.max(...hits),
      not_in_truth_max: Math.max(...extra),
      wall_median_ms: Math.round(wall),
      walls_ms: r.runs.map((x) => Math.round(x.wallMs)),
      ratio_to_vigil: Number((wall / vigilWall).toFixed(2)),
      peak_rss_mib: Math.round(Math.max(...r.runs.map((x) => x.peakRssKiB)) / 1024),
    };
  });
  const lines = [
    `| contender | IPs found /${truth.size} | wall, median of ${ROUNDS} | ratio to vigil | peak RSS |`,
    '|---|---|---|---|---|',
    ...figures.map((f) => {
      const found = f.found_min === f.found_max ? `${f.found_min}` : `${f.found_min}–${f.found_max}`;
      const extra = f.not_in_truth_max ? ` (+${f.not_in_truth_max} not over the threshold)` : '';
      return `| ${f.contender} | ${found}${extra} | ${(f.wall_median_ms / 1000).toFixed(2)} s | ${f.ratio_to_vigil}× | ${f.peak_rss_mib} MiB |`;
    }),
  ];
  return { text: lines.join('\n'), figures };
}

async function main(): Promise<void> {
  const elastalert = ONLY_VIGIL ? 'not used (PEER_ONLY=vigil)' : ensureElastalert();
  let url = process.env.ELASTICSEARCH_URL;
  let started: string | undefined;
  const harness = require(path.join(REPO, 'scripts', 'es-harness.js'));
  if (!url) {
    started = `bench-peer-${process.pid}`;
    const c = await harness.start({ name: started, engine: ENGINE, reuseEnv: false });
    url = c.url as string;
    console.log(`started Elasticsearch ${c.version} at ${url} (${c.source})`);
  }
  const client = new Client({ ...ENGINE_NEUTRAL, node: url, requestTimeout: 300_000 });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-peer-'));
  try {
    const version = await engineVersion(client);
    if (!ONLY_VIGIL && !version.startsWith('7.'))
      throw new Error(`ElastAlert 0.2.4 needs Elasticsearch 7.x; the cluster at ${url} is ${version}`);
    const { truth, seconds } = await loadData(client);
    console.log(
      `indexed ${PEER_SHAPE.failures + PEER_SHAPE.successes} events (${PEER_SHAPE.addresses} addresses, ${truth.size} over the threshold) in ${seconds.toFixed(1)} s; elastalert: ${elastalert}`,
    );
    const contenders: Contender[] = [vigilContender(REPO, path.join(work, 'vigil'), url, INDEX)];
    if (!ONLY_VIGIL)
      elastalertModes(process.env.PEER_DEBUG ?? 'terms').forEach((mode, i) => {
        contenders.push(
          elastalertContender(client, REPO, path.join(work, `ea${i}`), new URL(url as string), INDEX, mode),
        );
      });
    const rows: Row[] = contenders.map((contender) => ({ contender, runs: [], found: [] }));
    // one untimed warm-up of each (file cache, the cluster's caches), then the rounds, alternating
    for (let round = 0; round <= ROUNDS; round++) {
      for (const row of rows) {
        await row.contender.prepare();
        const m = await measure(row.contender, work);
        if (m.code !== 0)
          throw new Error(`${row.contender.name} exited ${m.code}:\n${m.stderr.slice(-2000)}`);
        const found = row.contender.found(m.stdout);
        const label = round === 0 ? 'warm-up' : `round ${round}/${ROUNDS}`;
        console.log(
          `  ${label}: ${row.contender.name}: ${(m.wallMs / 1000).toFixed(2)} s, ${found.size} addresses, peak RSS ${Math.round(m.peakRssKiB / 1024)} MiB`,
        );
        if (round === 0) continue;
        row.runs.push(m);
        row.found.push(found);
      }
    }
    const { text, figures } = table(rows, truth);
    const header = `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg()[0].toFixed(1)} at the end; node ${process.version}; Elasticsearch ${version}; ${PEER_SHAPE.failures + PEER_SHAPE.successes} events, rule ≥ 15 failures per source.ip in 2 minutes`;
    console.log(`\n${header}\n\n${text}`);
    if (!ONLY_VIGIL) writeIntoReadme(`${header}:\n\n${text}`);
    if (process.env.BENCH_JSON)
      fs.appendFileSync(
        process.env.BENCH_JSON,
        `${JSON.stringify({ bench: 'peer', engine: version, rounds: ROUNDS, contenders: figures })}\n`,
      );
  } finally {
    if (KEEP) {
      const vigil = vigilContender(REPO, path.join(work, 'vigil'), url, INDEX);
      console.log(`kept index ${INDEX} and ${work}; vigil: ${vigil.command.join(' ')}`);
    } else {
      await client.indices.delete({ index: `${INDEX}*`, ignore_unavailable: true }).catch(() => undefined);
      fs.rmSync(work, { recursive: true, force: true });
    }
    await client.close();
    if (started) await harness.stop(started);
  }
}

main().catch((e) => {
  console.error(`bench:peer: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
});
