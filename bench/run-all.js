#!/usr/bin/env node
/**
 * npm run bench: every benchmark, one after the other, on the same cluster in the same run, then
 * one table of figures against their targets, printed and written into bench/README.md (between
 * the results markers) with the raw output in bench/RESULTS.md.
 *
 *   ingest   bench/ingest.ts    parse and end-to-end ingest rates
 *   scan     bench/scan.ts      ~1M events / 100k distinct IPs: cycle vs sum of took, aggregation vs naive
 *   latency  bench/latency.ts   event indexed → SMTP accepted, through the monitor loop
 *   hang-latency bench/hang-latency.ts  event indexed → alert recorded, healthy vs hanging mail server
 *   cold     bench/cold-start.js `vigil scan` from process spawn to its first query and to exit, and
 *                               its peak RSS, against a bare Node process making one request
 *   peer     bench/peer.ts      `vigil scan` alone on the data of `npm run bench:peer` (305,001
 *                               events, 30,000 addresses): wall and peak RSS
 *   soak     bench/soak.ts      1,000 monitor cycles: RSS start/middle/end, event-loop delay
 *   baseline bench/baseline-eval.ts  1,000 baseline entities × 720 hours evaluated: new vs old (no cluster needed)
 *   anomaly  bench/anomaly.ts   anomaly rules vs threshold rules: precision, recall, false alerts/day (no cluster needed)
 *
 * Uses ELASTICSEARCH_URL when set, else starts a cluster of its own (scripts/es-harness.js, name
 * "bench-all-<pid>") and stops it at the end. BENCH_ONLY=soak,latency runs a subset (the table then only
 * has those rows and README.md is left alone).
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { describeCold, measureColdStart } = require('./cold-start');

const REPO = path.resolve(__dirname, '..');
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
const JSON_FILE = path.join(OUT, 'figures.jsonl');
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : undefined;
const want = (name) => !ONLY || ONLY.includes(name);

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const tee = (d) => {
      out += d;
      process.stdout.write(d);
    };
    child.stdout.on('data', tee);
    child.stderr.on('data', tee);
    child.on('close', (code) => resolve({ code, out }));
  });
}

function compile() {
  console.log('building dist/ (for the cold start) and compiling the benchmarks…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const dir = path.join(OUT, 'js');
  // type errors elsewhere in the repository must not stop a benchmark run: tsc still emits
  spawnSync(path.join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--outDir', dir], {
    cwd: REPO,
    stdio: 'ignore',
  });
  // src/app/audit-records.ts reads the version from ../../package.json
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  for (const b of ['ingest', 'scan', 'latency', 'hang-latency', 'soak', 'baseline-eval', 'peer', 'anomaly'])
    if (!fs.existsSync(path.join(dir, 'bench', `${b}.js`))) throw new Error(`compiling bench/${b}.ts failed`);
  return dir;
}

/** `vigil scan` from spawn to its first query and to exit, against bare Node (bench/cold-start.js). */
async function coldStart(url) {
  const figures = await measureColdStart(url);
  fs.appendFileSync(JSON_FILE, `${JSON.stringify(figures)}\n`);
  const line = describeCold(figures);
  console.log(line);
  return line;
}

const pick = (text, re) => {
  const m = re.exec(text);
  return m ? m.slice(1) : undefined;
};

function table(results, figures) {
  const rows = [];
  const verdict = (ok) => (ok === undefined ? '?' : ok ? 'meets' : '**misses**');
  const ing = results.ingest?.out ?? '';
  for (const m of ing.matchAll(
    /^(\S+) \([^)]*\): parse ([\d,]+) lines\/s[\s\S]*?end to end ([\d,]+) docs\/s \(([\d,]+) docs\); Elasticsearch alone ([\d,]+) docs\/s/gm,
  )) {
    const parse = Number(m[2].replace(/,/g, ''));
    rows.push([
      `ingest ${m[1]}: parse rate`,
      `${m[2]} lines/s`,
      '≥ 100,000 lines/s',
      verdict(parse >= 100_000),
    ]);
    rows.push([
      `ingest ${m[1]}: end to end (Elasticsearch alone)`,
      `${m[3]} docs/s (${m[5]} docs/s)`,
      'close to Elasticsearch alone',
      '—',
    ]);
  }
  const scan = results.scan?.out ?? '';
  const med = pick(scan, /median: cycle wall (\d+) ms, took (\d+) ms, ratio ([\d.]+)/);
  if (med) {
    rows.push([
      'scan cycle (every enabled shipped rule, ~1M events) vs sum of took',
      `wall ${med[0]} ms, took ${med[1]} ms, ratio ${med[2]}`,
      'ratio ≤ 1.3, wall < 3 s',
      verdict(Number(med[2]) <= 1.3 && Number(med[0]) < 3000),
    ]);
  }
  const ips = pick(scan, /indexed (\d+) events \((\d+) distinct source addresses\)/);
  const found = pick(scan, /known over-threshold addresses found: (\d+)\/(\d+)/);
  if (ips && found)
    rows.push([
      `${Number(ips[1]).toLocaleString('en-US')} distinct IPs: over-threshold addresses found`,
      `${found[0]}/${found[1]}`,
      '100%',
      verdict(found[0] === found[1]),
    ]);
  const faster = pick(scan, /aggregation path is ([\d.]+)× faster/);
  if (faster)
    rows.push([
      'aggregation vs naive fetch-and-count (ssh_bruteforce + dos_burst)',
      `${faster[0]}× faster`,
      '> 1× (aggregations win)',
      verdict(Number(faster[0]) > 1),
    ]);
  const lat = figures.find((f) => f.bench === 'latency');
  if (lat)
    rows.push([
      `alert latency, indexed → SMTP accepted (schedule ${lat.period_ms / 1000} s)`,
      `median ${lat.latency_median_ms} ms, max ${lat.latency_max_ms} ms`,
      `≤ ${lat.target_ms} ms (one period + 2 s)`,
      verdict(lat.meets),
    ]);
  const hang = figures.find((f) => f.bench === 'hang-latency');
  if (hang)
    rows.push([
      `detection latency while the mail server hangs (schedule ${hang.period_ms / 1000} s)`,
      `median ${hang.hanging_median_ms} ms vs ${hang.healthy_median_ms} ms healthy: ratio ${hang.ratio}`,
      `ratio ≤ ${hang.target_ratio}`,
      verdict(hang.meets),
    ]);
  const cold = figures.find((f) => f.bench === 'cold');
  if (cold) {
    rows.push([
      '`vigil scan` cold start: spawn → first query (bare Node: spawn → its one request)',
      `median ${cold.first_query_ms} ms, max ${cold.first_query_max_ms} ms (bare Node ${cold.bare_first_query_ms} ms: ${(cold.first_query_ms / cold.bare_first_query_ms).toFixed(1)}×)`,
      `≤ ${cold.target_first_query_ms} ms`,
      verdict(cold.first_query_ms <= cold.target_first_query_ms),
    ]);
    rows.push([
      `\`vigil scan\` cold start: spawn → exit, ${cold.rules} enabled shipped rules over empty indices`,
      `median ${cold.exit_ms} ms; peak RSS ${cold.rss_mib} MiB (bare Node ${cold.bare_rss_mib} MiB)`,
      '< 2000 ms',
      verdict(cold.exit_ms < 2000),
    ]);
  }
  const peer = figures.find((f) => f.bench === 'peer')?.contenders?.[0];
  if (peer)
    rows.push([
      '`vigil scan` peak RSS, peer data (305,001 events, 30,000 addresses; bare Node as above)',
      `${peer.peak_rss_mib} MiB${cold ? ` (${(peer.peak_rss_mib / cold.bare_rss_mib).toFixed(1)}× bare Node)` : ''}; wall ${(peer.wall_median_ms / 1000).toFixed(2)} s, ${peer.found_min}/200 found`,
      '≤ 100 MiB',
      verdict(peer.peak_rss_mib <= 100),
    ]);
  const soak = figures.find((f) => f.bench === 'soak');
  if (soak) {
    rows.push([
      `soak: ${soak.cycles} monitor cycles, RSS start / middle / end`,
      `${soak.rss_start_mb} / ${soak.rss_middle_mb} / ${soak.rss_end_mb} MB (peak ${soak.rss_peak_mb})`,
      '≤ 150 MB',
      verdict(soak.within_150mb),
    ]);
    rows.push([
      'soak: live heap start / middle / end',
      `${soak.heap_start_mb} / ${soak.heap_middle_mb} / ${soak.heap_end_mb} MB`,
      'flat (end ≤ middle × 1.2 + 5 MB)',
      verdict(soak.flat),
    ]);
    rows.push([
      'soak: event-loop delay p50 / p99 / max',
      `${soak.loop_delay_p50_ms} / ${soak.loop_delay_p99_ms} / ${soak.loop_delay_max_ms} ms`,
      '—',
      '—',
    ]);
  }
  const base = figures.find((f) => f.bench === 'baseline');
  if (base)
    rows.push([
      `baseline evaluation, ${base.entities.toLocaleString('en-US')} entities × ${base.hours} hours (live cycle; 2 h catch-up)`,
      `${base.new_ms} ms (${base.catch_up_ms} ms), ${base.ratio}× faster than before (${base.old_ms} ms), same results: ${base.same ? 'yes' : 'no'}`,
      `< ${base.target_ms} ms`,
      verdict(base.meets),
    ]);
  const anomaly = figures.find((f) => f.bench === 'anomaly');
  if (anomaly)
    rows.push([
      `anomaly rules: injected attacks found (generated), false alerts/day on benign data`,
      `${anomaly.generated.anomaly_found}/${anomaly.generated.attacks} (threshold rules ${anomaly.generated.threshold_found}/${anomaly.generated.attacks}), ${anomaly.benign_false_alerts_per_day}/day`,
      'add recall at ≤ 1 false alert/day to ship enabled',
      anomaly.enable ? 'meets' : 'misses: shipped disabled',
    ]);
  const lines = [
    '| figure | measured | target | verdict |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  return lines.join('\n');
}

function writeIssue15(header, t) {
  const readme = path.join(REPO, 'bench', 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const block = `<!-- issue15 -->\nRun of ${header}:\n\n${t}\n<!-- /issue15 -->`;
  fs.writeFileSync(readme, text.replace(/<!-- issue15 -->[\s\S]*<!-- \/issue15 -->/, block));
}

async function main() {
  const jsDir = compile();
  let url = process.env.ELASTICSEARCH_URL;
  let started;
  const harness = require(path.join(REPO, 'scripts', 'es-harness.js'));
  if (!url) {
    const c = await harness.start({ name: `bench-all-${process.pid}`, reuseEnv: false });
    url = c.url;
    started = `bench-all-${process.pid}`;
    console.log(`started Elasticsearch ${c.version ?? ''} at ${url} (${c.source})`);
  }
  const env = { ELASTICSEARCH_URL: url, BENCH_JSON: JSON_FILE, NODE_PATH: path.join(REPO, 'node_modules') };
  const results = {};
  const header = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}; Elasticsearch at ${url}`;
  try {
    for (const name of [
      'ingest',
      'scan',
      'latency',
      'hang-latency',
      'cold',
      'peer',
      'soak',
      'baseline',
      'anomaly',
    ]) {
      if (!want(name)) continue;
      console.log(`\n=== ${name} ===`);
      if (name === 'cold') {
        results.cold = { code: 0, out: await coldStart(url) };
        continue;
      }
      // the soak samples live heap after a full GC (the leak figure); RSS is measured as it is
      const flags = name === 'soak' ? ['--expose-gc'] : [];
      const file = name === 'baseline' ? 'baseline-eval' : name;
      // the peer bench runs vigil alone here (ElastAlert needs Elasticsearch 7: npm run bench:peer)
      const extra = name === 'peer' ? { PEER_ONLY: 'vigil' } : {};
      results[name] = await run(process.execPath, [...flags, path.join(jsDir, 'bench', `${file}.js`)], {
        ...env,
        ...extra,
      });
      if (results[name].code !== 0) console.log(`bench ${name} exited ${results[name].code}`);
    }
  } finally {
    if (started) await harness.stop(started);
  }
  const figures = fs.existsSync(JSON_FILE)
    ? fs
        .readFileSync(JSON_FILE, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  // the anomaly evaluation's own tables (precision, recall, false alerts/day) follow the figures
  const anomalyTable = /--- anomaly table ---\n([\s\S]*?)\n--- end anomaly table ---/.exec(
    results.anomaly?.out ?? '',
  )?.[1];
  const t = table(results, figures) + (anomalyTable ? `\n\n${anomalyTable}` : '');
  console.log(`\n${header}\n\n${t}`);
  // the cold-start and memory targets of issue 15: written whenever both ran, even in a subset
  if (figures.some((f) => f.bench === 'cold') && figures.some((f) => f.bench === 'peer'))
    writeIssue15(
      header,
      table(
        {},
        figures.filter((f) => f.bench === 'cold' || f.bench === 'peer'),
      ),
    );
  if (!ONLY) {
    const readme = path.join(REPO, 'bench', 'README.md');
    const text = fs.readFileSync(readme, 'utf8');
    const block = `<!-- results -->\nRun of ${header}:\n\n${t}\n<!-- /results -->`;
    fs.writeFileSync(readme, text.replace(/<!-- results -->[\s\S]*<!-- \/results -->/, block));
    const raw = Object.entries(results).map(([k, r]) => `## ${k}\n\n\`\`\`\n${r.out.trim()}\n\`\`\`\n`);
    fs.writeFileSync(
      path.join(REPO, 'bench', 'RESULTS.md'),
      `# npm run bench: raw output\n\n${header}\n\n${raw.join('\n')}`,
    );
    console.log('\nwritten to bench/README.md and bench/RESULTS.md');
  }
  fs.rmSync(OUT, { recursive: true, force: true });
  if (Object.values(results).some((r) => r.code !== 0)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
});
