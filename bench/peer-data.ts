/**
 * The data set of `npm run bench:peer` (issue 15), generated deterministically from one seed, with
 * its ground truth:
 *
 * - 305,001 SSH events over 10 minutes: 300,001 failures from 30,000 distinct addresses, and 5,000
 *   successes (from addresses of the same population);
 * - 200 attackers, each with 20–40 failures inside one burst of 30–110 s (so ≥ 20 in some 2 minutes);
 * - 6,000 "low and slow" addresses, each with 20–24 failures one every 25–30 s (≤ 5 in any 2
 *   minutes, but ≥ 15 over the interval);
 * - every other address with 1–24 failures at least 25 s apart (≤ 5 in any 2 minutes).
 *
 * Which address plays which part is shuffled, so the attackers are not the lowest keys (a terms
 * aggregation breaks ties by key).
 */
import { sshLogin } from '../tests/helpers/ecs';
import { prng } from '../tests/helpers/prng';

export const PEER_INTERVAL = {
  startMs: Date.parse('2026-11-18T03:00:00Z'),
  endMs: Date.parse('2026-11-18T03:10:00Z'),
};
export const PEER_RULE = { threshold: 15, windowMs: 120_000 };
export const PEER_SHAPE = {
  failures: 300_001,
  successes: 5_000,
  addresses: 30_000,
  attackers: 200,
  lowAndSlow: 6_000,
};
const SEED = 15;
/** events stay strictly inside the interval: ElastAlert's range is (start, end], vigil's [start, end) */
const EDGE = 1_000;
const MIN_GAP = 25_000;

export type Part = 'attacker' | 'low-and-slow' | 'other';

export interface PeerData {
  /** failure instants (ms) per address, ascending */
  failures: Map<string, number[]>;
  parts: Map<string, Part>;
  successes: { ip: string; atMs: number }[];
}

const addressOf = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 7)}`;

/** `n` instants in (lo, hi) at least `gap` apart, uniformly spread otherwise. */
function spaced(rnd: () => number, n: number, lo: number, hi: number, gap: number): number[] {
  const free = hi - lo - gap * (n - 1);
  const u = Array.from({ length: n }, () => rnd() * free).sort((a, b) => a - b);
  return u.map((x, k) => Math.ceil(lo + x + gap * k));
}

export function generatePeerData(): PeerData {
  const rnd = prng(SEED);
  const { addresses, attackers, lowAndSlow } = PEER_SHAPE;
  const order = Array.from({ length: addresses }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const failures = new Map<string, number[]>();
  const parts = new Map<string, Part>();
  const lo = PEER_INTERVAL.startMs + EDGE;
  const hi = PEER_INTERVAL.endMs - EDGE;
  let used = 0;
  const others: string[] = [];
  order.forEach((n, rank) => {
    const ip = addressOf(n);
    if (rank < attackers) {
      const count = 20 + Math.floor(rnd() * 21);
      const burst = 30_000 + Math.floor(rnd() * 80_000);
      const start = lo + Math.floor(rnd() * (hi - lo - burst));
      const times = Array.from({ length: count }, () => start + Math.floor(rnd() * burst));
      failures.set(
        ip,
        times.sort((a, b) => a - b),
      );
      parts.set(ip, 'attacker');
      used += count;
    } else if (rank < attackers + lowAndSlow) {
      const count = 20 + Math.floor(rnd() * 5);
      const maxGap = Math.min(30_000, (hi - lo) / (count - 1));
      const gap = MIN_GAP + rnd() * (maxGap - MIN_GAP);
      const start = lo + rnd() * (hi - lo - gap * (count - 1));
      failures.set(
        ip,
        Array.from({ length: count }, (_, k) => Math.ceil(start + gap * k)),
      );
      parts.set(ip, 'low-and-slow');
      used += count;
    } else {
      others.push(ip);
      parts.set(ip, 'other');
    }
  });
  // the other addresses share what is left of the 300,001 failures: 1–24 each
  const counts = others.map(() => 1 + Math.floor(rnd() * 12));
  let left = PEER_SHAPE.failures - used - counts.reduce((a, b) => a + b, 0);
  while (left !== 0) {
    const k = Math.floor(rnd() * counts.length);
    if (left > 0 && counts[k] < 24) {
      counts[k]++;
      left--;
    } else if (left < 0 && counts[k] > 1) {
      counts[k]--;
      left++;
    }
  }
  others.forEach((ip, k) => {
    failures.set(ip, spaced(rnd, counts[k], lo, hi, MIN_GAP));
  });
  const successes = Array.from({ length: PEER_SHAPE.successes }, () => ({
    ip: addressOf(Math.floor(rnd() * addresses)),
    atMs: lo + Math.floor(rnd() * (hi - lo)),
  }));
  return { failures, parts, successes };
}

/** Most failures of one address inside any half-open span [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while (times[to] - times[from] >= windowMs) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

/** The addresses that reach the rule's threshold in some window: what every contender should find. */
export function groundTruth(data: PeerData): Set<string> {
  const over = new Set<string>();
  for (const [ip, times] of data.failures)
    if (maxInWindow(times, PEER_RULE.windowMs) >= PEER_RULE.threshold) over.add(ip);
  return over;
}

/** Checks the generated data against its description; throws naming the first mismatch. */
export function checkShape(data: PeerData, truth: Set<string>): void {
  let failures = 0;
  for (const t of data.failures.values()) failures += t.length;
  const want = (what: string, got: number, expected: number) => {
    if (got !== expected) throw new Error(`peer data: ${what} is ${got}, expected ${expected}`);
  };
  want('failures', failures, PEER_SHAPE.failures);
  want('distinct addresses', data.failures.size, PEER_SHAPE.addresses);
  want('addresses over the threshold', truth.size, PEER_SHAPE.attackers);
  for (const ip of truth)
    if (data.parts.get(ip) !== 'attacker') throw new Error(`peer data: ${ip} is over but not an attacker`);
  for (const [ip, times] of data.failures) {
    const part = data.parts.get(ip);
    const inTwo = maxInWindow(times, PEER_RULE.windowMs);
    if (part === 'attacker' && inTwo < 20) throw new Error(`peer data: attacker ${ip} has ${inTwo} in 2 min`);
    if (part !== 'attacker' && inTwo > 5) throw new Error(`peer data: ${part} ${ip} has ${inTwo} in 2 min`);
    if (part === 'low-and-slow' && (times.length < 20 || times.length > 24))
      throw new Error(`peer data: low-and-slow ${ip} has ${times.length} failures`);
  }
}

/** The documents (Filebeat's ECS shape for sshd), in batches of `size`. */
export function* peerDocuments(data: PeerData, size: number): Generator<Record<string, unknown>[]> {
  let batch: Record<string, unknown>[] = [];
  let n = 0;
  for (const [ip, times] of data.failures)
    for (const at of times) {
      batch.push(sshLogin(ip, `user${n++ % 500}`, at, 'failure', `host-${n % 20}`));
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  for (const s of data.successes) {
    batch.push(sshLogin(s.ip, `user${n++ % 500}`, s.atMs, 'success', `host-${n % 20}`));
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
