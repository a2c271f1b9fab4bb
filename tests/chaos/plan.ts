/**
 * The seeded schedule of one chaos run: the ground truth (attack episodes: an IP, the host it
 * attacks, how many failures, and so which rule must fire or stay silent) and the operations
 * around it (vigil processes started and killed, scans, dependency faults), each at an offset in
 * milliseconds from the start of the timeline. Pure: the same seed gives the same plan.
 */
import { prng } from '../helpers/prng';

export const THRESHOLD = 5; // both scenario rules fire at 5 failures per IP in their window

export interface Episode {
  ip: string;
  /** host-a: the high-severity rule (email and webhook); host-b: the low one (email only) */
  host: 'host-a' | 'host-b';
  failures: number;
}

export type ScanConfig = 'full' | 'email-only' | 'webhook-only';

export type Op =
  | { at: number; kind: 'attack'; episodes: Episode[] }
  | { at: number; kind: 'monitor-start' }
  | { at: number; kind: 'monitor-stop'; signal: 'SIGTERM' | 'SIGKILL'; pick: number }
  | { at: number; kind: 'scan'; args: string[]; config: ScanConfig; killAfterMs?: number }
  | { at: number; kind: 'es-kill'; downMs: number }
  | { at: number; kind: 'smtp-down'; forMs: number }
  | { at: number; kind: 'smtp-slow'; forMs: number; delayMs: number }
  | { at: number; kind: 'webhook-503'; forMs: number }
  | { at: number; kind: 'webhook-hang'; forMs: number; delayMs: number }
  | { at: number; kind: 'es-slow'; forMs: number; delayMs: number }
  | { at: number; kind: 'es-503'; forMs: number; every: number }
  | { at: number; kind: 'es-unreachable'; forMs: number };

export interface Plan {
  seed: number;
  /** length of the timeline (ms); the settling phase follows */
  lengthMs: number;
  episodes: Episode[];
  ops: Op[];
}

export const isAlerting = (e: Episode) => e.failures >= THRESHOLD;

/** Faults with a duration: at most one of each kind at a time. */
const FAULTS = [
  'smtp-down',
  'smtp-slow',
  'webhook-503',
  'webhook-hang',
  'es-slow',
  'es-503',
  'es-unreachable',
];

export function buildPlan(seed: number, lengthMs = 25_000): Plan {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const episodes: Episode[] = [];
  const ops: Op[] = [{ at: 0, kind: 'monitor-start' }];
  const newEpisode = (failures: number): Episode => {
    const n = episodes.length;
    const e: Episode = {
      ip: `10.${1 + (seed % 250)}.${Math.floor(n / 250)}.${(n % 250) + 1}`,
      host: rnd() < 0.3 ? 'host-b' : 'host-a',
      failures,
    };
    episodes.push(e);
    return e;
  };
  for (let i = 0, n = int(4, 7); i < n; i++) {
    const burst = [
      ...Array.from({ length: int(1, 3) }, () => newEpisode(int(THRESHOLD, THRESHOLD + 3))),
      ...Array.from({ length: int(0, 2) }, () => newEpisode(int(3, THRESHOLD - 1))),
    ];
    ops.push({ at: int(500, lengthMs - 3000), kind: 'attack', episodes: burst });
  }
  const busyUntil = new Map<string, number>();
  let esKills = 0;
  for (let i = 0, n = int(7, 13); i < n; i++) {
    const at = int(500, lengthMs);
    const kind = pick([
      'monitor-start',
      'monitor-start',
      'monitor-stop',
      'monitor-stop',
      'scan',
      'scan',
      'scan',
      'es-kill',
      ...FAULTS,
    ] as const);
    if (kind === 'monitor-start') ops.push({ at, kind });
    else if (kind === 'monitor-stop')
      ops.push({ at, kind, signal: rnd() < 0.5 ? 'SIGTERM' : 'SIGKILL', pick: rnd() });
    else if (kind === 'scan') {
      const args = pick([
        ['scan'],
        ['scan', '--resume'],
        ['scan', '--duration', '0.05'],
        ['scan', '--duration', '0.2'],
        ['scan', '--duration', '1'],
      ]);
      const config = pick(['full', 'full', 'email-only', 'webhook-only'] as const);
      ops.push({ at, kind, args, config, ...(rnd() < 0.25 ? { killAfterMs: int(200, 3000) } : {}) });
    } else if (kind === 'es-kill') {
      if (esKills++ === 0) ops.push({ at, kind, downMs: int(1000, 6000) });
    } else {
      const forMs = int(2000, 8000);
      if ((busyUntil.get(kind) ?? -1) >= at) continue;
      busyUntil.set(kind, at + forMs);
      if (kind === 'smtp-slow' || kind === 'webhook-hang' || kind === 'es-slow')
        ops.push({ at, kind, forMs, delayMs: int(500, 4000) });
      else if (kind === 'es-503') ops.push({ at, kind, forMs, every: int(2, 4) });
      else ops.push({ at, kind: kind as 'smtp-down' | 'webhook-503' | 'es-unreachable', forMs });
    }
  }
  ops.sort((a, b) => a.at - b.at);
  return { seed, lengthMs, episodes, ops };
}

/** One line per operation, for the log printed when a seed fails. */
export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'attack':
      return `attack ${op.episodes.map((e) => `${e.ip}@${e.host}×${e.failures}`).join(' ')}`;
    case 'monitor-stop':
      return `monitor ${op.signal}`;
    case 'scan':
      return `vigil ${op.args.join(' ')} (${op.config} config)${op.killAfterMs ? `, SIGKILL after ${op.killAfterMs} ms` : ''}`;
    case 'es-kill':
      return `Elasticsearch SIGKILL, restart after ${op.downMs} ms`;
    case 'monitor-start':
      return 'monitor start';
    default: {
      const { at: _at, kind, ...rest } = op;
      return `${kind} ${Object.entries(rest)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`;
    }
  }
}
