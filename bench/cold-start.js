#!/usr/bin/env node
/**
 * Cold start of `vigil scan` (issue 15): from process spawn to the first request the cluster
 * receives, and to exit; against a bare Node process that makes one request, measured the same way
 * in the same run (the baseline: what any Node program pays before it can say anything).
 *
 * A loopback HTTP proxy stands in front of the cluster and notes when each child's first request
 * arrives; every request goes through to the cluster, so the scan runs for real. Each child
 * reports its own peak RSS (the kernel's getrusage maxRSS) at exit, through bench/report-rss.js
 * preloaded with --require into both vigil and the baseline.
 *
 * Used by bench/run-all.js; standalone: ELASTICSEARCH_URL=http://127.0.0.1:9200 node bench/cold-start.js
 * (after npm run build).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { vigilNodeArgs } = require('../scripts/vigil-node-args');

const REPO = path.resolve(__dirname, '..');
const TARGET_FIRST_QUERY_MS = 250;
const RUNS = 7;

/** A proxy to `target` that records the arrival (hrtime, ns) of its first request. */
function startProxy(target) {
  const upstream = new URL(target);
  const state = { first: undefined };
  const server = http.createServer((req, res) => {
    state.first ??= process.hrtime.bigint();
    const fwd = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(fwd);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, state, url: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

const REPORT_RSS = path.join(__dirname, 'report-rss.js');

/**
 * The children run with the V8 code cache the build wrote, as the `vigil` command does: a cache is
 * named by the node flags it was made under, and the preloaded report-rss.js would otherwise make
 * the warm-up run write one of its own, from a whole scan (about 10 ms faster than the build's).
 * --require is a Node option, not a V8 one, so V8 takes the build's cache under it.
 */
function useBuildCodeCache(childExecArgv) {
  const cli = path.join(REPO, 'dist', 'cli');
  const bundle = path.join(cli, 'vigil-bundle.js');
  if (!fs.existsSync(bundle)) return;
  const { codeCacheName } = require(path.join(cli, 'load-program.js'));
  const source = fs.readFileSync(bundle, 'utf8');
  const nodeOptions = process.env.NODE_OPTIONS ?? '';
  const built = path.join(cli, codeCacheName(source, vigilNodeArgs(REPO), nodeOptions));
  if (fs.existsSync(built))
    fs.copyFileSync(built, path.join(cli, codeCacheName(source, childExecArgv, nodeOptions)));
}

/** One child: ms from spawn to its first request, to exit; its peak RSS (MiB). */
function timeChild(proxy, args, rssFile) {
  proxy.state.first = undefined;
  return new Promise((resolve, reject) => {
    fs.rmSync(rssFile, { force: true });
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', REPORT_RSS, ...args], {
      cwd: REPO,
      env: { ...process.env, VIGIL_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const exit = process.hrtime.bigint();
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-400)}`));
      if (!proxy.state.first) return reject(new Error(`${args.join(' ')} made no request`));
      resolve({
        firstMs: Number(proxy.state.first - t0) / 1e6,
        exitMs: Number(exit - t0) / 1e6,
        rssMiB: Number(fs.readFileSync(rssFile, 'utf8')) / 1024,
        stderr,
      });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

/**
 * `vigil scan --dry-run` of every enabled shipped rule over two empty indices, RUNS times after one
 * warm-up, alternating with the bare-Node baseline. Returns the figures.
 */
async function measureColdStart(url) {
  const proxy = await startProxy(url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cold-'));
  const prefix = `bench-cold-${process.pid}`;
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    config,
    `elasticsearch: { nodes: ["${proxy.url}"] }
sources:
  auth: { indices: [${prefix}-auth] }
  web: { indices: [${prefix}-web] }
  windows: { indices: [${prefix}-auth] }
rules: { dir: ${path.join(REPO, 'queries')} }
logging: { dir: ${path.join(dir, 'logs')} }
state: { index: ${prefix}-state, alerts_index: ${prefix}-alerts }
`,
  );
  const rssFile = path.join(dir, 'rss');
  const vigil = [
    ...vigilNodeArgs(REPO),
    path.join(REPO, 'dist', 'cli', 'main.js'),
    'scan',
    '--config',
    config,
    '--duration',
    '5',
  ];
  const bare = ['-e', `require('node:http').get(${JSON.stringify(`${proxy.url}/`)}, (r) => r.resume())`];
  const runs = { vigil: [], bare: [] };
  try {
    for (const index of [`${prefix}-auth`, `${prefix}-web`])
      await fetch(`${url}/${index}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mappings: { properties: { '@timestamp': { type: 'date' } } } }),
      });
    useBuildCodeCache(['--require', REPORT_RSS, ...vigilNodeArgs(REPO)]);
    for (let i = 0; i <= RUNS; i++) {
      const v = await timeChild(proxy, vigil, rssFile);
      const b = await timeChild(proxy, bare, rssFile);
      if (i === 0) continue; // the first run warms the file cache
      runs.vigil.push(v);
      runs.bare.push(b);
    }
  } finally {
    proxy.server.close();
    await fetch(`${url}/${prefix}-*?ignore_unavailable=true&allow_no_indices=true`, { method: 'DELETE' });
    await fetch(`${url}/_index_template/${prefix}-alerts-template`, { method: 'DELETE' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const pick = (rs, k) => Math.round(median(rs.map((r) => r[k])));
  const last = runs.vigil[runs.vigil.length - 1].stderr.trim().split('\n').pop();
  return {
    bench: 'cold',
    runs: RUNS,
    rules: Number(/: (\d+) rules/.exec(last)?.[1] ?? 0),
    first_query_ms: pick(runs.vigil, 'firstMs'),
    first_query_max_ms: Math.round(Math.max(...runs.vigil.map((r) => r.firstMs))),
    exit_ms: pick(runs.vigil, 'exitMs'),
    rss_mib: pick(runs.vigil, 'rssMiB'),
    bare_first_query_ms: pick(runs.bare, 'firstMs'),
    bare_rss_mib: pick(runs.bare, 'rssMiB'),
    target_first_query_ms: TARGET_FIRST_QUERY_MS,
    last,
  };
}

function describeCold(f) {
  return `vigil scan cold start (${f.rules} enabled shipped rules, median of ${f.runs}): spawn → first query ${f.first_query_ms} ms (max ${f.first_query_max_ms}), spawn → exit ${f.exit_ms} ms, peak RSS ${f.rss_mib} MiB; bare Node making one request: ${f.bare_first_query_ms} ms, ${f.bare_rss_mib} MiB; last: ${f.last}`;
}

module.exports = { measureColdStart, describeCold, TARGET_FIRST_QUERY_MS };

if (require.main === module) {
  const url = process.env.ELASTICSEARCH_URL;
  if (!url) {
    console.error('cold-start: set ELASTICSEARCH_URL (npm run bench starts a cluster itself)');
    process.exit(2);
  }
  measureColdStart(url).then(
    (f) => console.log(describeCold(f)),
    (e) => {
      console.error(`cold-start: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
