/**
 * The contenders of `npm run bench:peer`: vigil and ElastAlert 0.2.4 in three search modes (and
 * some of them under `--debug` with `alert: debug`: PEER_DEBUG), all evaluating the same rule —
 * ≥ 15 SSH failures per source.ip in 2 minutes — over the same interval of the same index.
 *
 * Each run is a fresh process, timed and measured (wall, peak RSS of the process) by a small
 * Python parent that reads the kernel's accounting of its child (getrusage RUSAGE_CHILDREN).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { PEER_INTERVAL, PEER_RULE } from './peer-data';

/** The node flags of vigil's shebang (scripts/vigil-node-args.js; read from the repo, not the build). */
const vigilNodeArgs = (repo: string): string[] =>
  require(path.join(repo, 'scripts', 'vigil-node-args.js')).vigilNodeArgs(repo);

export const PYTHON = '/usr/bin/python3';
/** where Debian's elastalert package puts its Elasticsearch index mappings */
const EA_MAPPINGS = '/usr/lib/python3/dist-packages/elastalert/es_mappings/6';
const EA_INDICES: [suffix: string, mapping: string][] = [
  ['', 'elastalert'],
  ['_status', 'elastalert_status'],
  ['_silence', 'silence'],
  ['_error', 'elastalert_error'],
  ['_past', 'past_elastalert'],
];

export interface Contender {
  name: string;
  /** before each run, untimed: reset what a previous run left behind */
  prepare(): Promise<void>;
  command: string[];
  env: Record<string, string>;
  /** the source.ip values the run reported */
  found(stdout: string): Set<string>;
}

export interface Measured {
  code: number;
  wallMs: number;
  peakRssKiB: number;
  stdout: string;
  stderr: string;
}

const MEASURE = `
import json, resource, subprocess, sys, time
t = time.perf_counter()
code = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - t
with open(sys.argv[1], 'w') as f:
    json.dump({'code': code, 'wall_ms': wall * 1000, 'peak_rss_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, f)
`;

/** Runs one contender's command once: its wall time and the peak RSS of its process. */
export function measure(c: Contender, workDir: string): Promise<Measured> {
  const out = path.join(workDir, 'measure.json');
  fs.rmSync(out, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', MEASURE, out, ...c.command], {
      env: { ...process.env, ...c.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', () => {
      try {
        const m = JSON.parse(fs.readFileSync(out, 'utf8'));
        resolve({ code: m.code, wallMs: m.wall_ms, peakRssKiB: m.peak_rss_kib, stdout, stderr });
      } catch (e) {
        reject(
          new Error(`${c.name}: no measurement (${(e as Error).message}); stderr: ${stderr.slice(-500)}`),
        );
      }
    });
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

export function vigilContender(repo: string, dir: string, url: string, index: string): Contender {
  fs.mkdirSync(path.join(dir, 'rules'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'rules', 'ssh_peer.yaml'),
    `id: ssh_peer
title: SSH brute force (peer benchmark)
description: At least ${PEER_RULE.threshold} failed SSH logins from one source address in 2 minutes.
remediation: Block the source address.
severity: high
source: auth
filter:
  bool:
    filter:
      - term: { event.action: ssh_login }
      - term: { event.outcome: failure }
group_by: [source.ip]
metric: { type: count }
window: 2m
thresholds: { business_hours: ${PEER_RULE.threshold}, off_hours: ${PEER_RULE.threshold} }
sample_fields: [user.name, host.hostname]
`,
  );
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    config,
    `elasticsearch: { nodes: ["${url}"], request_timeout: 120s }
sources:
  auth: { indices: [${index}] }
rules: { dir: ${path.join(dir, 'rules')} }
logging: { dir: ${path.join(dir, 'logs')} }
state: { index: ${index}-vigil-state, alerts_index: ${index}-vigil-alerts }
`,
  );
  return {
    name: 'vigil `scan --dry-run`',
    prepare: async () => undefined,
    command: [
      process.execPath,
      ...vigilNodeArgs(repo),
      path.join(repo, 'dist', 'cli', 'main.js'),
      'scan',
      '--config',
      config,
      '--dry-run',
      '--from',
      iso(PEER_INTERVAL.startMs),
      '--to',
      iso(PEER_INTERVAL.endMs),
      '--format',
      'json',
    ],
    env: {},
    found: (stdout) =>
      new Set(
        stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l).entity?.['source.ip'] as string),
      ),
  };
}

export interface ElastalertMode {
  name: string;
  /** extra rule options */
  rule: string;
  debug: boolean;
}

/**
 * ElastAlert's three search modes, then (debug 'terms', the default) the two terms modes again under
 * `--debug` with `alert: debug`, or all three ('all': the default mode under --debug takes ~5 minutes
 * a run on 2 cores), or none ('0').
 */
export function elastalertModes(debug: string): ElastalertMode[] {
  const modes = [
    { name: 'default search mode (fetches every hit)', rule: '' },
    { name: '`use_terms_query`, `terms_size` 50', rule: 'use_terms_query: true\nterms_size: 50\n' },
    { name: '`use_terms_query`, `terms_size` 50,000', rule: 'use_terms_query: true\nterms_size: 50000\n' },
  ];
  return [
    ...modes.map((m) => ({ ...m, debug: false })),
    ...modes
      .filter((m) => debug === 'all' || (debug !== '0' && m.rule !== ''))
      .map((m) => ({ ...m, name: `${m.name}, \`--debug\``, debug: true })),
  ];
}

export function elastalertContender(
  client: Client,
  repo: string,
  dir: string,
  url: URL,
  index: string,
  mode: ElastalertMode,
): Contender {
  const writeback = `${index}-${path.basename(dir)}`;
  const rules = path.join(dir, 'rules');
  fs.mkdirSync(rules, { recursive: true });
  fs.writeFileSync(
    path.join(rules, 'ssh_peer.yaml'),
    `name: ssh_peer
type: frequency
index: ${index}
doc_type: _doc
num_events: ${PEER_RULE.threshold}
timeframe: { seconds: ${PEER_RULE.windowMs / 1000} }
query_key: source.ip
filter:
  - term: { event.action: ssh_login }
  - term: { event.outcome: failure }
${mode.rule}alert:
  - ${mode.debug ? 'debug' : 'elastalert_runner.MatchFileAlerter'}
`,
  );
  const config = path.join(dir, 'config.yaml');
  // ElastAlert's example config: run every minute, 15-minute buffer
  fs.writeFileSync(
    config,
    `rules_folder: ${rules}
run_every: { minutes: 1 }
buffer_time: { minutes: 15 }
es_host: ${url.hostname}
es_port: ${url.port}
writeback_index: ${writeback}
alert_time_limit: { days: 2 }
`,
  );
  const matches = path.join(dir, 'matches.txt');
  return {
    name: `ElastAlert 0.2.4 \`frequency\`, ${mode.name}`,
    async prepare() {
      fs.writeFileSync(matches, '');
      // a fresh writeback index each run: no silence or status left by the previous round
      for (const [suffix, mapping] of EA_INDICES) {
        const name = `${writeback}${suffix}`;
        await client.indices.delete({ index: name, ignore_unavailable: true });
        await client.indices.create({
          index: name,
          mappings: JSON.parse(fs.readFileSync(path.join(EA_MAPPINGS, `${mapping}.json`), 'utf8')),
          settings: { number_of_shards: 1, number_of_replicas: 0 },
        });
      }
    },
    command: [
      PYTHON,
      path.join(repo, 'bench', 'elastalert_runner.py'),
      '--config',
      config,
      '--start',
      iso(PEER_INTERVAL.startMs),
      '--end',
      iso(PEER_INTERVAL.endMs),
      ...(mode.debug ? ['--debug'] : []),
    ],
    env: {
      PEER_MATCH_FILE: matches,
      PYTHONPATH: [path.join(repo, 'bench'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    },
    found: () => new Set(fs.readFileSync(matches, 'utf8').split('\n').filter(Boolean)),
  };
}
