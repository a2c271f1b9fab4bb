#!/usr/bin/env node

/**
 * node scripts/count-ssh-bruteforce-success.js <auth.log> [--year 2026] [--window 10m]
 *   [--threshold 10] [--per-user] [--from ISO --to ISO]
 *
 * Counts, from the raw lines of an OpenSSH auth.log and without vigil's parser, the sources that
 * failed to log in at least --threshold times and then logged in within --window: what
 * ssh_bruteforce_success (or, with --per-user, ssh_bruteforce_success_user) must report.
 *
 *   attempt    a `Failed <method> for [invalid user] U from IP port P` line; `message repeated N
 *              times: [ Failed ... ]` is N attempts. `Invalid user U from IP` is not an attempt.
 *   success    an `Accepted <method> for U from IP port P` line
 *   fires      at a success at second s (inside [--from, --to)) when the attempts from the same
 *              source (and user, with --per-user) at seconds f with s − window ≤ f ≤ s number at
 *              least --threshold; the earliest such success is reported, with that number
 * Time stamps are read as UTC in --year (rolling to the next year after December).
 * Prints one JSON object: { count, sources: [{ source, user?, success, failures, first_failure }] }.
 */
const fs = require('node:fs');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HEADER = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) \S+ sshd\[\d+\]: (.*)$/;
const REPEATED = /^message repeated (\d+) times: \[ ?(.*?)\]$/;
const FAILED = /^Failed \S+ for (?:invalid user )?(.*) from (\S+) port \d+ ssh2/;
const ACCEPTED = /^Accepted \S+ for (.*) from (\S+) port \d+ ssh2/;

function durationMs(s) {
  const m = /^(\d+)(s|m|h)$/.exec(s);
  if (!m) throw new Error(`--window: expected e.g. 90s, 10m or 1h, got ${s}`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2]];
}

/** Attempts and successes per key (source, or source and user), with their times in ms. */
function readEvents(text, year, perUser) {
  const failures = new Map();
  const successes = new Map();
  let y = year;
  let lastMonth = -1;
  const add = (map, key, t, n, user) => {
    if (!map.has(key)) map.set(key, []);
    for (let i = 0; i < n; i++) map.get(key).push({ t, user });
  };
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (!h) continue;
    const month = MONTHS.indexOf(h[1]);
    if (lastMonth === 11 && month === 0) y++;
    lastMonth = month;
    const t = Date.UTC(y, month, Number(h[2]), Number(h[3]), Number(h[4]), Number(h[5]));
    let msg = h[6];
    let copies = 1;
    const rep = REPEATED.exec(msg);
    if (rep) {
      copies = Number(rep[1]);
      msg = rep[2];
    }
    const f = FAILED.exec(msg);
    if (f) add(failures, perUser ? `${f[2]} ${f[1]}` : f[2], t, copies, f[1]);
    const a = ACCEPTED.exec(msg);
    if (a) add(successes, perUser ? `${a[2]} ${a[1]}` : a[2], t, copies, a[1]);
  }
  return { failures, successes };
}

function countBruteforceSuccess(text, opts) {
  const windowMs = opts.windowMs ?? 600_000;
  const threshold = opts.threshold ?? 10;
  const from = opts.fromMs ?? Number.NEGATIVE_INFINITY;
  const to = opts.toMs ?? Number.POSITIVE_INFINITY;
  const { failures, successes } = readEvents(text, opts.year, Boolean(opts.perUser));
  const found = [];
  for (const [key, wins] of successes) {
    const fails = (failures.get(key) ?? []).map((e) => e.t);
    for (const win of [...wins].sort((a, b) => a.t - b.t)) {
      if (win.t < from || win.t >= to) continue;
      const counted = fails.filter((t) => t >= win.t - windowMs && t <= win.t);
      if (counted.length < threshold) continue;
      const [source] = key.split(' ');
      found.push({
        source,
        ...(opts.perUser ? { user: win.user } : {}),
        success: new Date(win.t).toISOString(),
        failures: counted.length,
        first_failure: new Date(Math.min(...counted)).toISOString(),
      });
      break;
    }
  }
  found.sort((a, b) => `${a.source} ${a.user ?? ''}`.localeCompare(`${b.source} ${b.user ?? ''}`));
  return { count: found.length, sources: found };
}

function main(argv) {
  const opts = { year: new Date().getUTCFullYear() };
  let file;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--year') opts.year = Number(argv[++i]);
    else if (a === '--window') opts.windowMs = durationMs(argv[++i]);
    else if (a === '--threshold') opts.threshold = Number(argv[++i]);
    else if (a === '--per-user') opts.perUser = true;
    else if (a === '--from') opts.fromMs = Date.parse(argv[++i]);
    else if (a === '--to') opts.toMs = Date.parse(argv[++i]);
    else file = a;
  }
  if (!file) throw new Error('usage: count-ssh-bruteforce-success.js <auth.log> [--year YYYY] [options]');
  const result = countBruteforceSuccess(fs.readFileSync(file, 'utf8'), opts);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  }
}

module.exports = { countBruteforceSuccess };
