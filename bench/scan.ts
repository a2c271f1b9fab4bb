/**
 * Scan benchmark (not a test): one detection cycle of every shipped rule over ~1M events and
 * 100k distinct source addresses in a real cluster, against a naive approach that fetches the
 * matching hits (PIT + search_after) and counts them in Node.
 *
 * Prints: the cycle's wall time, the sum of Elasticsearch `took`, their ratio (targets: ≤ 1.3 and
 * < 3 s), the share of the known over-threshold addresses found (target 100%), peak RSS, and how
 * much faster the aggregation path is than the naive one for ssh_bruteforce and dos_burst.
 *
 * Run from the repo root:   npm run bench:scan
 * It uses ELASTICSEARCH_URL when set, else starts a cluster of its own (scripts/es-harness.js,
 * name "bench") and stops it at the end. BENCH_EVENTS (default 1 000 000) scales the data.
 */
import os from 'node:os';
import path from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';
import { runCycle } from '../src/app/run-cycle';
import { createClient } from '../src/collect/client';
import { collectRuleValues } from '../src/collect/collect-rule-values';
import { fetchSamples, MAX_SAMPLED_FINDINGS } from '../src/collect/fetch-samples';
import { validateConfig } from '../src/config/load-config';
import type { Calendar } from '../src/config/schema';
import { evaluateRule } from '../src/evaluate/evaluate-rule';
import type { Interval } from '../src/query/types';
import { loadRules } from '../src/rules/load-rules';
import { isSequenceRule, type Rule } from '../src/rules/rule-schema';
import { ECS_TEST_MAPPINGS, sshLogin, webRequest } from '../tests/helpers/ecs';
import { prng } from '../tests/helpers/prng';

const REPO = process.cwd();
const AUTH = 'bench-scan-auth';
const WEB = 'bench-scan-web';
const TOTAL_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** Wednesday night, 10 minutes: off-hours thresholds (ssh_bruteforce 8 per 2 min, dos_burst 300 per min). */
const INTERVAL: Interval = {
  startMs: Date.parse('2026-11-18T03:00:00Z'),
  endMs: Date.parse('2026-11-18T03:10:00Z'),
};
const SPAN = INTERVAL.endMs - INTERVAL.startMs;
const BRUTE_IPS = 100;
const DOS_IPS = 100;
const BACKGROUND_IPS = 100_000;
const MEASURED_RUNS = 3;

interface Known {
  ssh_bruteforce: Set<string>;
  dos_burst: Set<string>;
}

const ipOf = (base: number, i: number) =>
  `${base + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}.${1 + (i % 7)}`;

/**
 * The data set, generated in batches so that it never sits in memory whole. Background: 40% of
 * the addresses log in over SSH (1 failure, the rest successes), 60% browse (status 200/304),
 * all spread over the interval and under every threshold. Known attackers: 100 addresses with
 * 12 SSH failures in 60 s, 100 with 400 requests in 50 s.
 */
function* batches(known: Known, size: number): Generator<{ index: string; docs: Record<string, unknown>[] }> {
  const rnd = prng(42);
  const at = (from: number, span: number) => from + Math.floor(rnd() * span);
  const attackEvents = BRUTE_IPS * 12 + DOS_IPS * 400;
  const perBackground = Math.max(2, Math.round((TOTAL_EVENTS - attackEvents) / BACKGROUND_IPS));
  const authIps = Math.round(BACKGROUND_IPS * 0.4);
  let auth: Record<string, unknown>[] = [];
  let web: Record<string, unknown>[] = [];
  function* flush(force = false) {
    if (auth.length >= size || (force && auth.length)) {
      yield { index: AUTH, docs: auth };
      auth = [];
    }
    if (web.length >= size || (force && web.length)) {
      yield { index: WEB, docs: web };
      web = [];
    }
  }
  for (let i = 0; i < BACKGROUND_IPS; i++) {
    if (i < authIps) {
      const ip = ipOf(10, i);
      for (let k = 0; k < perBackground; k++)
        auth.push(
          sshLogin(
            ip,
            `u${i % 8000}`,
            at(INTERVAL.startMs, SPAN),
            k === 0 ? 'failure' : 'success',
            `host-${i % 50}`,
          ),
        );
    } else {
      const ip = ipOf(100, i);
      for (let k = 0; k < perBackground; k++)
        web.push(
          webRequest(
            ip,
            at(INTERVAL.startMs, SPAN),
            rnd() < 0.9 ? 200 : 304,
            500 + Math.floor(rnd() * 50_000),
            `web-${i % 20}`,
          ),
        );
    }
    yield* flush();
  }
  for (let i = 0; i < BRUTE_IPS; i++) {
    const ip = ipOf(198, i);
    known.ssh_bruteforce.add(ip);
    const start = at(INTERVAL.startMs, SPAN - 60_000);
    for (let k = 0; k < 12; k++)
      auth.push(sshLogin(ip, 'root', start + k * 5000, 'failure', `host-${i % 50}`));
  }
  for (let i = 0; i < DOS_IPS; i++) {
    const ip = ipOf(203, i);
    known.dos_burst.add(ip);
    const start = at(INTERVAL.startMs, SPAN - 50_000);
    for (let k = 0; k < 400; k++) web.push(webRequest(ip, start + k * 125, 200, 1200, `web-${i % 20}`));
  }
  yield* flush(true);
}

async function indexData(client: Client, known: Known): Promise<{ docs: number; seconds: number }> {
  for (const index of [AUTH, WEB]) {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.indices.create({
      index,
      mappings: ECS_TEST_MAPPINGS,
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' },
    });
  }
  const t0 = performance.now();
  let docs = 0;
  const inflight: Promise<void>[] = [];
  for (const b of batches(known, 20_000)) {
    const operations = b.docs.flatMap((d) => [{ index: { _index: b.index } }, d]);
    inflight.push(
      client.bulk({ operations }).then((res) => {
        if (res.errors)
          throw new Error(
            `bulk failed: ${JSON.stringify(res.items.find((x) => x.index?.error)?.index?.error)}`,
          );
      }),
    );
    docs += b.docs.length;
    if (inflight.length >= 2) await inflight.shift();
    if (docs % 200_000 < 20_000) process.stderr.write(`  indexed ${docs} events\r`);
  }
  await Promise.all(inflight);
  for (const index of [AUTH, WEB])
    await client.indices.putSettings({ index, settings: { refresh_interval: '1s' } });
  await client.indices.refresh({ index: [AUTH, WEB] });
  await client.indices.forcemerge({ index: [AUTH, WEB], max_num_segments: 1 });
  return { docs, seconds: (performance.now() - t0) / 1000 };
}

function shippedRules(): {
  rules: Rule[];
  calendar: Calendar;
  config: ReturnType<typeof validateConfig>['config'];
} {
  const raw = {
    elasticsearch: {
      nodes: [process.env.ELASTICSEARCH_URL ?? 'http://localhost:9200'],
      request_timeout: '60s',
    },
    sources: { auth: { indices: [AUTH] }, web: { indices: [WEB] }, windows: { indices: [AUTH] } },
  };
  const { config } = validateConfig(raw, 'bench config', {}, { baseDir: REPO, sha256: '' });
  const { all, problems } = loadRules(path.join(REPO, 'queries'), config);
  if (problems.length) throw new Error(problems.join('\n'));
  return { rules: all.filter((r) => r.enabled), calendar: config.calendar, config };
}

/** Peak RSS while `fn` runs, sampled every 5 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakRss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

/** The naive way: every matching hit through PIT + search_after, then a sliding count per address in Node. */
async function naiveCount(
  client: Client,
  rule: Rule,
): Promise<{ found: Set<string>; hits: number; ms: number; took: number }> {
  const t0 = performance.now();
  const pit = await client.openPointInTime({ index: rule.indices, keep_alive: '2m' });
  const byIp = new Map<string, number[]>();
  let searchAfter: estypes.SortResults | undefined;
  let hits = 0;
  let took = 0;
  const filter: estypes.QueryDslQueryContainer[] = [
    { range: { '@timestamp': { gte: INTERVAL.startMs, lt: INTERVAL.endMs, format: 'epoch_millis' } } },
    rule.filter as estypes.QueryDslQueryContainer,
  ];
  try {
    for (;;) {
      const res = await client.search<{ '@timestamp': string; source?: { ip?: string } }>({
        pit: { id: pit.id, keep_alive: '2m' },
        size: 10_000,
        query: { bool: { filter } },
        _source: ['@timestamp', 'source.ip'],
        sort: [{ _shard_doc: 'asc' }],
        track_total_hits: false,
        ...(searchAfter ? { search_after: searchAfter } : {}),
      });
      took += res.took;
      const page = res.hits.hits;
      for (const h of page) {
        const ip = h._source?.source?.ip;
        if (!ip) continue;
        const list = byIp.get(ip) ?? [];
        list.push(Date.parse(h._source?.['@timestamp'] ?? ''));
        byIp.set(ip, list);
      }
      hits += page.length;
      if (page.length < 10_000) break;
      searchAfter = page[page.length - 1].sort;
    }
  } finally {
    await client.closePointInTime({ id: pit.id });
  }
  const threshold = Math.min(rule.thresholds?.business_hours ?? 0, rule.thresholds?.off_hours ?? 0);
  const found = new Set<string>();
  for (const [ip, times] of byIp) {
    if (times.length < threshold) continue;
    times.sort((a, b) => a - b);
    for (let lo = 0, hi = 0; hi < times.length; hi++) {
      while (times[hi] - times[lo] >= rule.window) lo++;
      if (hi - lo + 1 >= threshold) {
        found.add(ip);
        break;
      }
    }
  }
  return { found, hits, ms: performance.now() - t0, took };
}

const fmt = (ms: number) => `${Math.round(ms)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  let started: string | undefined;
  if (!process.env.ELASTICSEARCH_URL) {
    const harness = require(path.join(REPO, 'scripts', 'es-harness.js'));
    const c = await harness.start({ name: 'bench' });
    process.env.ELASTICSEARCH_URL = c.url;
    if (!c.reused) started = 'bench'; // a cluster someone else started stays up
    console.log(`started Elasticsearch ${c.version ?? ''} at ${c.url} (${c.source})`);
  }
  const { rules, calendar, config } = shippedRules();
  const client = createClient({ ...config.elasticsearch, nodes: [process.env.ELASTICSEARCH_URL as string] });
  try {
    // GET / lives in the rest-root module, which Elastic's test distribution leaves out
    const nodes = await client.nodes.info({ filter_path: 'nodes.*.version' });
    const version = Object.values(nodes.nodes ?? {})[0]?.version;
    console.log(
      `Elasticsearch ${version} at ${process.env.ELASTICSEARCH_URL}; node ${process.version}; ${os.cpus().length} cores`,
    );
    const known: Known = { ssh_bruteforce: new Set(), dos_burst: new Set() };
    const loaded = await indexData(client, known);
    console.log(
      `indexed ${loaded.docs} events (${BACKGROUND_IPS + BRUTE_IPS + DOS_IPS} distinct source addresses) in ${loaded.seconds.toFixed(1)} s`,
    );

    // one warm-up cycle, then the measured ones
    await runCycle({ client, rules, calendar, interval: INTERVAL });
    const runs: {
      wall: number;
      took: number;
      peakRss: number;
      report: Awaited<ReturnType<typeof runCycle>>;
    }[] = [];
    for (let i = 0; i < MEASURED_RUNS; i++) {
      const t0 = performance.now();
      const { value: report, peakRss } = await withPeakRss(() =>
        runCycle({ client, rules, calendar, interval: INTERVAL }),
      );
      runs.push({ wall: performance.now() - t0, took: report.took, peakRss, report });
    }
    const last = runs[runs.length - 1].report;
    if (last.failures.length)
      console.log(`FAILED RULES: ${last.failures.map((f) => `${f.rule}: ${f.message}`).join('; ')}`);
    const foundOf = (rule: keyof Known) =>
      new Set(last.findings.filter((f) => f.rule === rule).map((f) => f.entity['source.ip']));
    const knownTotal = known.ssh_bruteforce.size + known.dos_burst.size;
    let knownFound = 0;
    let unexpected = 0;
    for (const rule of ['ssh_bruteforce', 'dos_burst'] as const) {
      const found = foundOf(rule);
      for (const ip of known[rule]) if (found.has(ip)) knownFound++;
      for (const ip of found) if (!known[rule].has(ip)) unexpected++;
    }
    const wall = median(runs.map((r) => r.wall));
    const took = median(runs.map((r) => r.took));
    console.log('\naggregation path: runCycle over all shipped rules');
    console.log(
      `  rules ${rules.length}, searches ${last.searches}, rounds ${last.rounds}, findings ${last.findings.length}`,
    );
    for (const r of runs)
      console.log(
        `  run: wall ${fmt(r.wall)}, Elasticsearch took (sum) ${fmt(r.took)}, ratio ${(r.wall / r.took).toFixed(2)}, peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MiB`,
      );
    console.log(
      `  phases (last run): ${Object.entries(last.phases)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`,
    );
    console.log(
      `  median: cycle wall ${fmt(wall)}, took ${fmt(took)}, ratio ${(wall / took).toFixed(2)} (target ≤ 1.3), cycle < 3 s: ${wall < 3000 ? 'yes' : 'NO'}`,
    );
    console.log(
      `  known over-threshold addresses found: ${knownFound}/${knownTotal} (${((100 * knownFound) / knownTotal).toFixed(1)}%), unexpected: ${unexpected}`,
    );
    console.log(
      `  peak RSS during the cycles: ${(Math.max(...runs.map((r) => r.peakRss)) / 2 ** 20).toFixed(0)} MiB (process max ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, includes indexing)`,
    );

    // where the cycle's time goes: the same stages as runCycle, timed one by one
    const tq = performance.now();
    // (threshold rules: sequence rules have their own collector, run beside it in runCycle)
    const collected = await collectRuleValues(
      client,
      rules.filter((r) => !isSequenceRule(r)),
      () => INTERVAL,
    );
    const queryMs = performance.now() - tq;
    const te = performance.now();
    const findings = collected.values.flatMap((v) =>
      v.ok ? evaluateRule(v.rule, v, INTERVAL, calendar).findings : [],
    );
    const evaluateMs = performance.now() - te;
    const ts = performance.now();
    const sampled = await fetchSamples(client, findings, new Map(rules.map((r) => [r.id, r])));
    const samplesMs = performance.now() - ts;
    console.log('  profile of one cycle, stage by stage:');
    console.log(
      `    query:    wall ${fmt(queryMs)}, Elasticsearch took (sum) ${fmt(collected.stats.took)}, ${collected.stats.searches} searches in ${collected.stats.rounds} rounds (one _msearch each)`,
    );
    console.log(
      `    evaluate: ${fmt(evaluateMs)} in Node for ${collected.values.reduce((a, v) => a + (v.ok ? v.series.length : 0), 0)} candidate series`,
    );
    console.log(
      `    samples:  wall ${fmt(samplesMs)}, Elasticsearch took (sum) ${fmt(sampled.took)}, ${Math.min(findings.length, MAX_SAMPLED_FINDINGS)} searches in one _msearch`,
    );

    console.log('\nnaive path vs aggregation path, ssh_bruteforce + dos_burst');
    const pair = rules.filter((r) => r.id === 'ssh_bruteforce' || r.id === 'dos_burst');
    const aggWalls: number[] = [];
    for (let i = 0; i < MEASURED_RUNS; i++) {
      const t0 = performance.now();
      await runCycle({ client, rules: pair, calendar, interval: INTERVAL, preflight: false });
      aggWalls.push(performance.now() - t0);
    }
    const aggWall = median(aggWalls);
    let naiveMs = 0;
    for (const rule of pair) {
      const n = await naiveCount(client, rule);
      naiveMs += n.ms;
      const k = known[rule.id as keyof Known];
      const hit = [...k].filter((ip) => n.found.has(ip)).length;
      console.log(
        `  naive ${rule.id}: ${n.hits} hits fetched, ${fmt(n.ms)} (took ${fmt(n.took)}), found ${hit}/${k.size}`,
      );
    }
    console.log(`  aggregation path for the same two rules: ${fmt(aggWall)} (median of ${MEASURED_RUNS})`);
    console.log(
      `  the aggregation path is ${(naiveMs / aggWall).toFixed(1)}× faster than fetching and counting in Node`,
    );
  } finally {
    await client.indices.delete({ index: [AUTH, WEB], ignore_unavailable: true }).catch(() => undefined);
    await client.close();
    if (started) {
      const harness = require(path.join(REPO, 'scripts', 'es-harness.js'));
      await harness.stop(started);
    }
  }
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
  process.exitCode = 1;
});
