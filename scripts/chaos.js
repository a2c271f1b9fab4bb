#!/usr/bin/env node

/**
 * `npm run test:chaos [-- --seed N | --seeds N [--first S]] [--length MS]`: builds, then runs the
 * randomized fault-schedule test (tests/chaos) with its seeds in the environment.
 *   (no flag)     seeds 1..5, the CI default
 *   --seed N      replay one seed (the number a failure printed)
 *   --seeds N     N seeds from a random first one (printed), or from --first S; long mode: --seeds 200
 *   --length MS   timeline per seed (default 25000)
 * Any other argument goes to jest. Exit code: jest's (build failures: tsc's).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const FLAGS = {
  '--seed': 'VIGIL_CHAOS_SEED',
  '--seeds': 'VIGIL_CHAOS_SEEDS',
  '--first': 'VIGIL_CHAOS_FIRST',
  '--length': 'VIGIL_CHAOS_LENGTH_MS',
};

const env = { ...process.env };
const rest = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split('=');
  if (!(flag in FLAGS)) {
    rest.push(args[i]);
    continue;
  }
  const value = inline ?? args[++i];
  if (!/^\d+$/.test(value ?? '')) {
    process.stderr.write(`test:chaos: ${flag} needs a whole number, got ${value ?? 'nothing'}\n`);
    process.exit(2);
  }
  env[FLAGS[flag]] = value;
}

const run = (cmd, argv) => spawnSync(cmd, argv, { cwd: ROOT, env, stdio: 'inherit' }).status ?? 1;
// VIGIL_BUILT=1: dist/ is current (.ci/run builds once before running suites side by side)
const built = process.env.VIGIL_BUILT === '1' ? 0 : run('npm', ['run', 'build']);
if (built !== 0) process.exit(built);
// jest arguments before --selectProjects, which would take them as more project names
process.exit(run(process.execPath, [require.resolve('jest/bin/jest'), ...rest, '--selectProjects', 'chaos']));
