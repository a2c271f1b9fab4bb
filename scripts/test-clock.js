#!/usr/bin/env node

/**
 * Runs the test suites with the clock of every node process (jest, its workers, every vigil the
 * tests spawn) moved to a given instant, through libfaketime. Elasticsearch keeps the real clock:
 * the harness removes the preload from its environment.
 *
 *   npm run test:clock -- 2026-12-24T12:00:00Z           npm test + npm run test:reliability
 *   npm run test:clock -- other-schedule                  the next instant whose schedule (shipped
 *                                                         calendar) differs from the real one now
 *   npm run test:clock -- <instant> --jest <args…>        only: npm run build && jest <args…>
 *
 * The offset is fixed once (instant − real now), so every process started later shares the same
 * moved clock, which keeps running. Exit code: the first failing command's, 2 on a usage error.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LIBS = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
];
const WEEKDAY = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

function fail(msg, code = 2) {
  process.stderr.write(`test:clock: ${msg}\n`);
  process.exit(code);
}

function findLibfaketime() {
  const found = LIBS.find((p) => fs.existsSync(p));
  if (found) return found;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    process.stdout.write('==> installing libfaketime (apt-get install faketime)\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'faketime'], { stdio: 'inherit', env });
    const now = LIBS.find((p) => fs.existsSync(p));
    if (now) return now;
  }
  return fail('libfaketime is missing: install it (apt-get install faketime)');
}

/** Business hours of the shipped calendar (UTC, Mon–Fri 08:00–18:00, its holidays). */
function isShippedBusinessHours(ms) {
  const yaml = require('yaml');
  const cfg = yaml.parse(fs.readFileSync(path.join(ROOT, 'config.yaml'), 'utf8'));
  const cal = cfg.calendar;
  const d = new Date(ms);
  const day = Object.keys(WEEKDAY).find((k) => WEEKDAY[k] === (d.getUTCDay() || 7));
  const minutes = d.getUTCHours() * 60 + d.getUTCMinutes();
  const [sh, sm] = cal.business_hours.start.split(':').map(Number);
  const [eh, em] = cal.business_hours.end.split(':').map(Number);
  return (
    cal.business_days.includes(day) &&
    !(cal.holidays || []).map(String).includes(d.toISOString().slice(0, 10)) &&
    minutes >= sh * 60 + sm &&
    minutes < eh * 60 + em
  );
}

/** The next Wednesday 10:00 UTC, or Saturday 22:00 UTC, whichever schedule is not in force now. */
function otherScheduleInstant(nowMs) {
  const wantBusiness = !isShippedBusinessHours(nowMs);
  const [weekday, hour] = wantBusiness ? [3, 10] : [6, 22];
  const d = new Date(nowMs);
  for (let i = 0; i < 21; i++) {
    const c = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + i, hour);
    if (c > nowMs && new Date(c).getUTCDay() === weekday && isShippedBusinessHours(c) === wantBusiness)
      return c;
  }
  return fail('found no instant of the other schedule in three weeks', 1);
}

function main(argv) {
  const [when, ...rest] = argv;
  if (!when || when === '--help' || when === '-h')
    fail('usage: npm run test:clock -- <ISO instant | other-schedule> [--jest <jest args…>]');
  // node_modules first (the shipped calendar is read with yaml), on the real clock
  const deps = spawnSync('node', [path.join(__dirname, 'ensure-deps.js'), 'test'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (deps.status !== 0) process.exit(deps.status ?? 1);
  const nowMs = Date.now();
  const target = when === 'other-schedule' ? otherScheduleInstant(nowMs) : Date.parse(when);
  if (!Number.isFinite(target)) fail(`"${when}" is not an ISO instant (e.g. 2026-12-24T12:00:00Z)`);
  const jestAt = rest.indexOf('--jest');
  if (rest.length > 0 && jestAt !== 0) fail(`unknown argument "${rest[0]}"; only --jest <args…> may follow`);
  const offset = Math.round((target - nowMs) / 1000);
  const env = {
    ...process.env,
    LD_PRELOAD: [findLibfaketime(), process.env.LD_PRELOAD].filter(Boolean).join(':'),
    FAKETIME: `${offset >= 0 ? '+' : ''}${offset}s`,
    // timers and timeouts keep real time; only the wall clock moves
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    VIGIL_TEST_CLOCK: new Date(target).toISOString(),
  };
  const schedule = isShippedBusinessHours(target) ? 'business hours' : 'off-hours';
  process.stdout.write(
    `==> test:clock: node processes run at ${new Date(target).toISOString()} (${schedule} of the shipped calendar); Elasticsearch keeps the real clock\n`,
  );
  const steps =
    jestAt === 0
      ? [
          ['npm', ['run', 'build']],
          ['npx', ['jest', ...rest.slice(1)]],
        ]
      : [
          ['npm', ['test']],
          ['npm', ['run', 'test:reliability']],
        ];
  for (const [cmd, args] of steps) {
    process.stdout.write(`==> [${new Date(target).toISOString()}] ${cmd} ${args.join(' ')}\n`);
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

main(process.argv.slice(2));
