/**
 * Data for bench/anomaly.ts: the real logs parsed by vigil's own parsers (flattened ECS), and a
 * generated labelled data set: three weeks of ordinary SSH administration, internet noise and web
 * browsing, with five attacks injected in the third week.
 */
import fs from 'node:fs';
import path from 'node:path';
import { flattenFields } from '../src/ingest/fields';
import { parseAccessLine } from '../src/ingest/parse-access';
import { parseAuthLine } from '../src/ingest/parse-auth';
import type { ParseContext } from '../src/ingest/parse-context';
import { ZonedClock } from '../src/ingest/syslog-time';
import type { ParseResult } from '../src/ingest/types';
import { prng } from '../tests/helpers/prng';
import type { Doc } from './anomaly-kit';

export const DATA =
  process.env.VIGIL_BENCH_DATA ?? path.resolve(process.cwd(), '../shared/data/elastic-examples');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** syslog stamps have no year: 2026, the year before the reference instant 2026-12-01 */
const ctx = (file: string): ParseContext => ({
  path: file,
  offset: 0,
  nowMs: Date.parse('2026-12-01T00:00:00Z'),
  clock: new ZonedClock('UTC'),
  shiftMs: 0,
});

function toDoc(ecs: unknown): Doc {
  const flat = flattenFields(ecs) as Record<string, unknown>;
  return { ...flat, '@timestamp': Date.parse(String(flat['@timestamp'])) } as Doc;
}

/** Every document vigil's parser makes of a file's lines (lines it cannot read are left out). */
function parseFile(name: string, parse: (line: string, c: ParseContext) => ParseResult): Doc[] {
  const file = path.join(DATA, name);
  const c = ctx(file);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const r = parse(line, c);
      return r.ok ? r.docs.map(toDoc) : [];
    });
}

export const loadAuthLog = () => parseFile('auth.log', parseAuthLine);
export const loadApacheLog = () =>
  parseFile('apache_access.log', (line, c) => parseAccessLine(line, 'apache', c));

export interface Labelled {
  name: string;
  ip: string;
  fromMs: number;
  toMs: number;
}

export interface Generated {
  docs: Doc[];
  startMs: number;
  /** training: [startMs, trainEndMs); scoring: [trainEndMs, endMs) */
  trainEndMs: number;
  endMs: number;
  attacks: Labelled[];
  /** addresses of ordinary administrators and browsers (an alert on them is a false alert on benign data) */
  benign: Set<string>;
}

const auth = (t: number, ip: string, user: string, outcome: string, host: string, invalid = false): Doc => ({
  '@timestamp': t,
  'event.action': 'ssh_login',
  'event.outcome': outcome,
  'event.category': 'authentication',
  'event.dataset': 'system.auth',
  'source.ip': ip,
  'user.name': user,
  'host.hostname': host,
  'system.auth.ssh.event': outcome === 'success' ? 'Accepted' : invalid ? 'Invalid' : 'Failed',
});

const web = (t: number, ip: string, url: string, status: number, bytes: number): Doc => ({
  '@timestamp': t,
  'source.ip': ip,
  'host.hostname': 'web-1',
  'url.original': url,
  'http.response.status_code': status,
  'http.response.body.bytes': bytes,
  'event.outcome': status >= 400 ? 'failure' : 'success',
});

/** Three weeks from Monday 2026-06-01: 14 days to train on, 7 to score, attacks in the last 7. */
export function generate(seed = 2026): Generated {
  const r = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const startMs = Date.parse('2026-06-01T00:00:00Z');
  const trainEndMs = startMs + 14 * DAY;
  const endMs = startMs + 21 * DAY;
  const docs: Doc[] = [];
  const benign = new Set<string>();
  const urls = Array.from({ length: 300 }, (_, i) => `/page/${i}`);
  for (let h = 0; h < 21 * 24; h++) {
    const hourMs = startMs + h * HOUR;
    const hourOfDay = h % 24;
    const work = hourOfDay >= 7 && hourOfDay < 19 && Math.floor(h / 24) % 7 < 5;
    // 30 administrators: mostly working hours, a few logins an hour, an occasional typo
    for (let a = 0; a < 30; a++) {
      if (r() > (work ? 0.25 : 0.03)) continue;
      const ip = `10.1.${Math.floor(a / 10)}.${a % 10}`;
      benign.add(ip);
      const user = `admin${a % 12}`;
      const host = `srv-${a % 6}`;
      if (r() < 0.2) docs.push(auth(hourMs + r() * HOUR, ip, user, 'failure', host));
      const n = 1 + Math.floor(r() * 3);
      for (let i = 0; i < n; i++)
        docs.push(auth(hourMs + r() * HOUR, ip, user, 'success', pick([host, `srv-${(a + 1) % 6}`])));
    }
    // internet noise: a few addresses an hour try a handful of common names and go away
    const noisy = Math.floor(r() * 4);
    for (let k = 0; k < noisy; k++) {
      const ip = `198.51.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
      const tries = 1 + Math.floor(r() * 6);
      const t0 = hourMs + r() * HOUR * 0.9;
      for (let i = 0; i < tries; i++)
        docs.push(
          auth(
            t0 + i * 5000,
            ip,
            pick(['root', 'admin', 'test', 'oracle', 'ubuntu']),
            'failure',
            `srv-${k % 6}`,
            r() < 0.6,
          ),
        );
    }
    // 150 web clients browsing; two crawlers every night
    for (let c = 0; c < 150; c++) {
      if (r() > (work ? 0.3 : 0.08)) continue;
      const ip = `172.16.${Math.floor(c / 100)}.${c % 100}`;
      benign.add(ip);
      const n = 3 + Math.floor(r() * 40);
      for (let i = 0; i < n; i++) {
        const status = r() < 0.02 ? 404 : r() < 0.002 ? 500 : 200;
        docs.push(
          web(hourMs + r() * HOUR, ip, pick(urls.slice(0, 60)), status, Math.floor(2000 + r() * 80_000)),
        );
      }
    }
    if (hourOfDay === 2)
      for (const ip of ['66.249.66.1', '157.55.39.1']) {
        benign.add(ip);
        for (let i = 0; i < 250; i++)
          docs.push(
            web(hourMs + r() * HOUR, ip, pick(urls), r() < 0.03 ? 404 : 200, Math.floor(2000 + r() * 40_000)),
          );
      }
  }
  const at = (day: number, hour: number) => startMs + day * DAY + hour * HOUR;
  const attacks: Labelled[] = [];
  const inject = (name: string, ip: string, fromMs: number, toMs: number, made: Doc[]) => {
    attacks.push({ name, ip, fromMs, toMs });
    docs.push(...made);
  };
  // 1. low and slow password spraying: one try every 12 minutes, a new user name each, for 6 hours
  inject(
    'low-and-slow spraying (5 tries/h, 30 user names, 6 h)',
    '203.0.113.7',
    at(15, 1),
    at(15, 7),
    Array.from({ length: 30 }, (_, i) =>
      auth(at(15, 1) + i * 12 * 60_000, '203.0.113.7', `user${i}`, 'failure', `srv-${i % 6}`, i % 2 === 0),
    ),
  );
  // 2. a burst of successes across many users: one address logs in as 12 accounts at 03:00
  inject(
    'burst of successes across 12 users at 03:00',
    '10.9.9.9',
    at(16, 3),
    at(16, 4),
    Array.from({ length: 12 }, (_, i) =>
      auth(at(16, 3) + i * 3 * 60_000, '10.9.9.9', `admin${i}`, 'success', `srv-${i % 6}`),
    ),
  );
  // 3. unusual bytes at night: 40 requests for 20 MB each at 02:00
  inject(
    'unusual bytes at night (800 MB in 40 requests)',
    '172.16.0.42',
    at(17, 2),
    at(17, 3),
    Array.from({ length: 40 }, (_, i) =>
      web(at(17, 2) + i * 60_000, '172.16.0.42', '/export/db.tar', 200, 20_000_000),
    ),
  );
  // 4. a new scanner: 400 requests in an hour to 380 URLs, 85% 404, at a steady 7 a minute
  inject(
    'new scanner (400 requests/h, 380 URLs, 85% 404)',
    '192.0.2.77',
    at(18, 14),
    at(18, 15),
    Array.from({ length: 400 }, (_, i) =>
      web(at(18, 14) + i * 9000, '192.0.2.77', `/scan/${i % 380}`, r() < 0.85 ? 404 : 200, 300),
    ),
  );
  // 5. a plain fast brute force: 200 failures in 10 minutes (the threshold rules' home ground)
  inject(
    'fast brute force (200 failures in 10 min)',
    '203.0.113.99',
    at(19, 22),
    at(19, 23),
    Array.from({ length: 200 }, (_, i) =>
      auth(at(19, 22) + i * 3000, '203.0.113.99', pick(['root', 'admin']), 'failure', 'srv-0'),
    ),
  );
  docs.sort((a, b) => a['@timestamp'] - b['@timestamp']);
  return { docs, startMs, trainEndMs, endMs, attacks, benign };
}
