import type { OutboxSettings } from './channel-schema';

/**
 * Pure retry decisions for the outbox. Time and randomness are arguments.
 *
 * Exponential backoff with full jitter: after the n-th failed attempt the next one is at
 * now + rand() × min(max_delay, base_delay × 2^(n-1)). Spreading retries uniformly keeps several
 * vigil processes (or a recovering SMTP server) from being hit in lockstep.
 */
export type RandomSource = () => number;

export function backoffCeiling(
  attempts: number,
  settings: Pick<OutboxSettings, 'base_delay' | 'max_delay'>,
): number {
  const n = Math.max(1, Math.floor(attempts));
  const exp = settings.base_delay * 2 ** Math.min(n - 1, 40);
  return Math.min(settings.max_delay, exp);
}

export function nextAttemptAt(
  attempts: number,
  now: Date,
  rand: RandomSource,
  settings: Pick<OutboxSettings, 'base_delay' | 'max_delay'>,
): Date {
  const r = Math.min(Math.max(rand(), 0), 1);
  return new Date(now.getTime() + Math.floor(r * backoffCeiling(attempts, settings)));
}

/** An entry older than max_age is given up on (marked dead) instead of being sent late. */
export function isExpired(createdAt: Date, now: Date, maxAgeMs: number): boolean {
  return now.getTime() - createdAt.getTime() > maxAgeMs;
}
