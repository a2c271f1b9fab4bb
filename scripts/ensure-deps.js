#!/usr/bin/env node

/**
 * Installs what is missing, so that `npm run demo` and `npm test` work from a fresh clone:
 * node_modules (npm ci), the build (when dist is missing or older than src), and, as root on
 * Debian, the system packages (Java and Maven for the local Elasticsearch, Chromium for the
 * report test).
 *
 *   node scripts/ensure-deps.js test     what `npm test` needs (the pretest script)
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
/** command → Debian package */
const DEBIAN = {
  java: 'openjdk-17-jre-headless',
  mvn: 'maven',
  unzip: 'unzip',
  openssl: 'openssl',
  chromium: 'chromium',
};

class DependencyError extends Error {}

function say(msg) {
  process.stdout.write(`==> ${msg}\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function runSync(cmd, args, what) {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0)
    throw new DependencyError(`${what} failed (${cmd} ${args.join(' ')} exited ${r.status ?? r.signal})`);
}

function ensureNodeModules() {
  if (fs.existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'))) return;
  say('installing dependencies (npm ci)');
  runSync('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuild() {
  if (fs.existsSync(CLI) && newestMtime(path.join(ROOT, 'src')) <= fs.statSync(CLI).mtimeMs) return;
  say('building vigil (npm run build)');
  runSync('npm', ['run', 'build', '--silent'], 'the build');
}

/** Installs the Debian packages of the missing commands as root; otherwise says what to install. */
function ensureDebianPackages(commands, forWhat) {
  const need = commands.filter((c) => !has(c)).map((c) => DEBIAN[c] ?? c);
  if (need.length === 0) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get'))
    throw new DependencyError(
      `${forWhat} needs ${need.join(', ')}: install them (apt-get install ${need.join(' ')})`,
    );
  say(`installing ${need.join(', ')} (apt-get)`);
  runSync('apt-get', ['update', '-qq'], 'apt-get update');
  runSync('apt-get', ['install', '-y', '-qq', ...need], 'apt-get install');
}

module.exports = { DependencyError, ensureBuild, ensureDebianPackages, ensureNodeModules };

if (require.main === module) {
  try {
    if (process.argv[2] !== 'test') throw new DependencyError('usage: node scripts/ensure-deps.js test');
    ensureNodeModules();
    // the integration tests start a secured local cluster even when ELASTICSEARCH_URL is set
    ensureDebianPackages(['java', 'mvn', 'unzip', 'openssl', 'chromium'], 'npm test');
  } catch (e) {
    process.stderr.write(`ensure-deps: ${e instanceof DependencyError ? e.message : e.stack}\n`);
    process.exit(1);
  }
}
