#!/usr/bin/env node
/**
 * The start-up bundle (src/cli/load-program.ts says why): after `tsc`, bundles dist/cli/program.js
 * and what it loads at start-up into dist/cli/vigil-bundle.js, then runs `vigil validate` of the
 * shipped config once with the command's own node flags, so that it writes the bundle's V8 code
 * cache beside it.
 * Run by `npm run build`.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');
const { vigilNodeArgs } = require('./vigil-node-args');

const ROOT = path.resolve(__dirname, '..');
const CLI_DIR = path.join(ROOT, 'dist', 'cli');

/**
 * Loaded at run time from node_modules, not bundled: what src/cli/defer-modules.ts defers (it finds
 * them in require.cache by their files), and what only some commands load, on first use.
 */
const EXTERNAL = [
  'apache-arrow',
  'undici',
  '@opentelemetry/core',
  '@so-ric/colorspace',
  'nodemailer',
  'handlebars',
  'node-cron',
  'cli-progress',
  'prom-client',
  'vega',
  'vega-lite',
  '@resvg/resvg-js',
];

function bundle() {
  for (const name of fs.readdirSync(CLI_DIR))
    if (/^vigil-bundle\./.test(name)) fs.rmSync(path.join(CLI_DIR, name));
  esbuild.buildSync({
    // the compiled files, not src: the bundle runs the very code the tests run file by file
    entryPoints: [path.join(CLI_DIR, 'program.js')],
    outfile: path.join(CLI_DIR, 'vigil-bundle.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: EXTERNAL,
    // smaller source, less to hold in memory; names kept for stack traces and error classes
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'external',
    logLevel: 'error',
  });
  // the first run writes the code cache, with what it compiled: `validate` of the shipped config and
  // rules compiles the config, rule and time-zone code every command runs before its first query
  // (about 15 ms less start-up than a cache of `--version`); it also checks that the bundle starts
  const config = path.join(ROOT, 'config.yaml');
  const args = fs.existsSync(config) ? ['validate', '--config', config, '--format', 'json'] : ['--version'];
  const run = spawnSync(process.execPath, [...vigilNodeArgs(ROOT), path.join(CLI_DIR, 'main.js'), ...args], {
    env: { ...process.env, VIGIL_BUNDLE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  // exit 2 is a config problem (an unset ${ENV}, say): the cache is written all the same
  if (run.status !== 0 && run.status !== 2)
    throw new Error(`running the bundle (vigil ${args[0]}) failed: ${run.stderr || run.error || run.signal}`);
  const cache = fs.readdirSync(CLI_DIR).find((n) => /^vigil-bundle\..*\.cache$/.test(n));
  if (!cache) throw new Error('bundle: running the bundle wrote no code cache');
  const mib = (f) => (fs.statSync(path.join(CLI_DIR, f)).size / 2 ** 20).toFixed(1);
  console.log(
    `bundle: dist/cli/vigil-bundle.js (${mib('vigil-bundle.js')} MiB), code cache ${cache} (${mib(cache)} MiB)`,
  );
}

try {
  bundle();
} catch (e) {
  console.error(`bundle: ${e.message.split('\n')[0]}`);
  process.exit(1);
}
