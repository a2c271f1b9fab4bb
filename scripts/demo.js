#!/usr/bin/env node

/**
 * npm run demo [-- --keep] [-- --out <dir>]
 *
 * vigil end to end on a laptop, from a fresh clone:
 *   1. installs what is missing (npm ci, the build, Debian packages for Elasticsearch as root);
 *   2. starts the local Elasticsearch from the harness, or uses ELASTICSEARCH_URL;
 *   3. starts a mail catcher on loopback that writes every message as an .eml file under <out>/mail;
 *   4. ingests the shipped sample logs (demo/logs) shifted to the last minutes: the real auth.log
 *      brute force (which ends in an accepted login: ssh_bruteforce_success), a web DoS burst and a
 *      sudo misuse, plus benign web traffic;
 *   5. replays the days before (alerts for the weekly report, no email), then runs
 *      `vigil scan --duration 30` with email delivery to the catcher;
 *   6. writes the weekly report (<out>/report.html) and mails it too;
 *   7. prints the findings and the paths of the emails, and stops everything it started
 *      (with --keep, Elasticsearch stays up and the demo says how to stop it).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { DependencyError, ensureBuild, ensureDebianPackages, ensureNodeModules } = require('./ensure-deps');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const CONFIG = path.join(ROOT, 'demo', 'config.yaml');
const LOGS = path.join(ROOT, 'demo', 'logs');
const CLUSTER = 'demo';
/** The real brute force of 24.151.103.17 in auth.log ends here (its login at 16:01:36): shifted to now. */
const AUTH_BURST_END = 'Mar 30 16:01:37';

function say(msg) {
  process.stdout.write(`${msg}\n`);
}

function step(msg) {
  say(`\n==> ${msg}`);
}

class DemoError extends Error {}

function parseArgs(argv) {
  const args = { keep: false, out: path.join(ROOT, 'demo-out') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keep') args.keep = true;
    else if (a === '--out') args.out = path.resolve(argv[++i] ?? '');
    else if (a.startsWith('--out=')) args.out = path.resolve(a.slice(6));
    else if (a === '--help' || a === '-h') args.help = true;
    else throw new DemoError(`unknown option ${a} (try --help)`);
  }
  return args;
}

const HELP = `usage: npm run demo [-- --keep] [-- --out DIR]

Ingests sample attacks into Elasticsearch, scans them, and delivers the alerts by email to a local
mail catcher that writes .eml files under DIR/mail (default demo-out/). Also writes DIR/report.html.
--keep   leave Elasticsearch running afterwards (the demo prints how to stop it)
Environment: ELASTICSEARCH_URL (use this cluster instead of starting one), VIGIL_DEMO_PREFIX
(prefix of every index the demo writes, default vigil-demo).`;

/** A mail catcher on 127.0.0.1: every message is written, as received, to <dir>/<n>-<subject>.eml. */
async function startMailCatcher(dir) {
  const { SMTPServer } = require('smtp-server');
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const subject = decodeWords(
          /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(
            raw.toString('utf8', 0, Math.min(raw.length, 8192)),
          )?.[1] ?? '',
        );
        const slug = subject
          .replace(/[^A-Za-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .slice(0, 60);
        const file = path.join(dir, `${String(files.length + 1).padStart(2, '0')}-${slug || 'message'}.eml`);
        try {
          fs.writeFileSync(file, raw);
        } catch (e) {
          return callback(e);
        }
        files.push(file);
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { port: server.server.address().port, files, close: () => new Promise((r) => server.close(r)) };
}

/** RFC 2047 encoded words (=?utf-8?B?...?= / =?utf-8?Q?...?=) of a folded header, decoded. */
function decodeWords(header) {
  return header
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?[^?]+\?([BQ])\?([^?]*)\?=/gi, (_, enc, text) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/** A path for humans: relative when it is under the working directory. */
function shown(p) {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** Runs the built CLI; its output goes to ours. Resolves with the exit code. */
function vigil(args, env, { quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
    });
    children.add(child);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

const children = new Set();

async function vigilOk(args, env, what, options) {
  const code = await vigil(args, env, options);
  if (code !== 0) throw new DemoError(`${what} failed: vigil ${args.join(' ')} exited ${code}`);
}

/** Deletes the demo's own indices so that a second run starts fresh (ingest ids are stable). */
async function resetDemoIndices(url, prefix, auth) {
  const targets = ['auth', 'nginx', 'apache', 'windows', 'state', 'alerts-*']
    .map((s) => `${prefix}-${s}`)
    .join(',');
  const r = await esRequest(
    url,
    'DELETE',
    `/${targets}?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=open,closed`,
    auth,
  );
  if (r.status !== 200 && r.status !== 404)
    throw new DemoError(
      `could not delete the demo indices ${targets}: HTTP ${r.status} ${r.body.slice(0, 200)}`,
    );
}

function esRequest(url, method, pathAndQuery, { username, password, caFile } = {}) {
  const u = new URL(pathAndQuery, url.endsWith('/') ? url : `${url}/`);
  const mod = u.protocol === 'https:' ? require('node:https') : require('node:http');
  const headers = {};
  if (username)
    headers.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  return new Promise((resolve) => {
    const req = mod.request(
      u,
      { method, headers, ca: caFile ? fs.readFileSync(caFile) : undefined, timeout: 30_000 },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    say(HELP);
    return 0;
  }
  const prefix = process.env.VIGIL_DEMO_PREFIX || 'vigil-demo';
  ensureNodeModules();
  ensureBuild();
  const harness = require('./es-harness');
  const external = Boolean(process.env.ELASTICSEARCH_URL);
  // the local Elasticsearch needs Java, Maven (to fetch it once) and unzip
  if (!external)
    ensureDebianPackages(
      ['java', 'mvn', 'unzip'],
      'the local Elasticsearch (or set ELASTICSEARCH_URL to a cluster you run)',
    );

  const cleanups = [];
  let stopping = false;
  const cleanup = async () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  const onSignal = (sig) => {
    say(`\n${sig}: stopping what the demo started`);
    cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    step(
      external
        ? `using Elasticsearch at ELASTICSEARCH_URL`
        : 'starting a local Elasticsearch (the first run downloads it once)',
    );
    const es = await harness.start({ name: CLUSTER });
    const startedHere = es.source !== 'ELASTICSEARCH_URL';
    if (startedHere && !args.keep) cleanups.push(() => harness.stop(CLUSTER));
    say(
      `Elasticsearch: ${es.url} (${es.source}${es.version ? ` ${es.version}` : ''}${es.reused ? ', already running' : ''})`,
    );
    const auth = external
      ? {
          username: process.env.ELASTIC_USER,
          password: process.env.ELASTIC_PASSWORD,
          caFile: process.env.ELASTIC_CA_FILE,
        }
      : {};

    fs.rmSync(path.join(args.out, 'mail'), { recursive: true, force: true });
    fs.mkdirSync(args.out, { recursive: true });
    const mail = await startMailCatcher(path.join(args.out, 'mail'));
    cleanups.push(() => mail.close());
    say(`mail catcher: smtp://127.0.0.1:${mail.port}, writing ${shown(path.join(args.out, 'mail'))}/*.eml`);

    const env = {
      ...process.env,
      ELASTICSEARCH_URL: es.url,
      VIGIL_CONFIG: CONFIG,
      VIGIL_DEMO_PREFIX: prefix,
      VIGIL_LOG_DIR: path.join(args.out, 'logs'),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mail.port),
      SMTP_REQUIRE_TLS: 'false',
      ALERT_EMAIL_FROM: 'vigil-demo@localhost',
      ALERT_EMAIL_TO: 'security-team@localhost',
    };
    if (!process.stdout.isTTY) env.NO_COLOR = '1';

    step(`ingesting the sample logs into ${prefix}-* (time stamps shifted so the attacks happened just now)`);
    await resetDemoIndices(es.url, prefix, auth);
    const ingest = (file, type, extra) =>
      vigilOk(
        [
          'ingest',
          path.join(LOGS, file),
          '--type',
          type,
          '--index',
          `${prefix}-${type}`,
          '--config',
          CONFIG,
          ...extra,
        ],
        env,
        `ingesting ${file}`,
      );
    // the real auth.log: four days of history whose last minutes are the brute force of 24.151.103.17,
    // 147 failed passwords for elastic_user_0 and then its accepted login (16:01:36)
    await ingest('auth.log', 'auth', [`--shift-to-now=${AUTH_BURST_END}`]);
    await ingest('sudo-misuse.log', 'auth', ['--shift-to-now']);
    await ingest('web-dos.log', 'nginx', ['--shift-to-now']);
    await ingest('apache_access.log', 'apache', ['--shift-to-now']);

    // The days before the last 30 minutes, without email: alerts for the weekly report.
    const now = Date.now();
    const historyEnd = new Date(now - 30 * 60_000).toISOString();
    const historyStart = new Date(now - 7 * 86_400_000).toISOString();
    step('replaying the previous 7 days (alerts for the weekly report; no email)');
    const quiet = { ...env, SMTP_HOST: '' };
    await vigilOk(
      ['scan', '--from', historyStart, '--to', historyEnd, '--format', 'json'],
      quiet,
      'the history scan',
      { quiet: true },
    );

    step('vigil scan --duration 30 (email to the mail catcher)');
    const scanCode = await vigil(['scan', '--duration', '30'], env);
    if (scanCode !== 0) throw new DemoError(`vigil scan exited ${scanCode}`);

    const report = path.join(args.out, 'report.html');
    step('vigil report --days 7 (HTML file, and the same report by email)');
    await vigilOk(['report', '--days', '7', '--out', report, '--email', 'email'], env, 'the report');

    step('emails received by the mail catcher');
    if (mail.files.length === 0) throw new DemoError('the mail catcher received no email');
    for (const f of mail.files) say(`  ${shown(f)}`);
    say(`\nreport: ${shown(report)} (open it in a browser)`);
    say(`audit log: ${shown(path.join(args.out, 'logs'))}/`);
    if (args.keep && startedHere) {
      say(`\nElasticsearch is still running (--keep):`);
      say(`  export ELASTICSEARCH_URL=${es.url} VIGIL_DEMO_PREFIX=${prefix}`);
      say('  npx vigil scan --config demo/config.yaml --duration 60');
      say(`stop it with: npm run es:down -- --name ${CLUSTER}`);
    }
    return 0;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(
      `demo: ${e instanceof DemoError || e instanceof DependencyError || e?.constructor?.name === 'HarnessError' ? e.message : e?.stack || e}\n`,
    );
    process.exitCode = 1;
  },
);
