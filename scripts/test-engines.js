#!/usr/bin/env node

/**
 * `npm run test:engines`: the compatibility suite (jest project `engines`) on each engine, one
 * after the other, each on a fresh cluster of that engine's test distribution (no Docker needed).
 *
 *   VIGIL_ENGINE=opensearch:2.19.6 npm run test:engines          one engine
 *   VIGIL_ENGINE=elasticsearch:7.17.29,opensearch:3.3.2 npm run test:engines   several
 *   npm run test:engines                                        every tested engine (ENGINES below)
 *   npm run test:engines -- <jest args>                         e.g. -t doctor
 *
 * Prints one summary line per engine with its time. Exit code: 0 when every engine passed, else
 * the first failing jest's (build failures: tsc's; 2 for a bad VIGIL_ENGINE).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const harness = require('./es-harness');

const ROOT = path.resolve(__dirname, '..');
/** the engines vigil is tested on: the oldest and newest of each family, and the default */
const ENGINES = [
  'elasticsearch:7.17.29',
  'elasticsearch:8.19.21',
  'elasticsearch:9.2.4',
  'opensearch:2.19.6',
  'opensearch:3.3.2',
];

let engines;
try {
  engines = (process.env.VIGIL_ENGINE ? process.env.VIGIL_ENGINE.split(',') : ENGINES).map((e) => {
    const spec = harness.engineSpec(e.trim());
    return `${spec.product}:${spec.version}`;
  });
} catch (e) {
  process.stderr.write(`test:engines: ${e.message}\n`);
  process.exit(2);
}

const run = (cmd, argv, env) => spawnSync(cmd, argv, { cwd: ROOT, env, stdio: 'inherit' }).status ?? 1;
// VIGIL_BUILT=1: dist/ is current (.ci/run builds once before running suites side by side)
const built = process.env.VIGIL_BUILT === '1' ? 0 : run('npm', ['run', 'build'], process.env);
if (built !== 0) process.exit(built);

const results = [];
for (const engine of engines) {
  process.stdout.write(`\n==> test:engines on ${engine}\n`);
  // a cluster of this engine, started and stopped by the suite's global setup: not ELASTICSEARCH_URL
  const env = { ...process.env, VIGIL_ENGINE: engine, VIGIL_TEST_NO_SECURE: '1' };
  delete env.ELASTICSEARCH_URL;
  const began = Date.now();
  const code = run(
    process.execPath,
    // paths before --selectProjects, which would take them as more project names
    [require.resolve('jest/bin/jest'), ...process.argv.slice(2), '--selectProjects', 'engines'],
    env,
  );
  results.push({ engine, code, seconds: Math.round((Date.now() - began) / 1000) });
}

process.stdout.write('\ntest:engines summary\n');
for (const r of results)
  process.stdout.write(
    `  ${r.engine.padEnd(24)} ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`}  ${r.seconds} s\n`,
  );
const failed = results.find((r) => r.code !== 0);
process.exit(failed ? failed.code : 0);
