import { createHash } from 'node:crypto';
import type { Alert } from '../types';

/**
 * Deterministic ids. The same alerts always produce the same ids, so a resend after a crash
 * carries the same Message-ID / X-Vigil-Delivery and receivers can drop the repeat.
 */
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sortedIds(alertIds: readonly string[]): string[] {
  return [...new Set(alertIds)].sort();
}

/** Outbox `_id` and webhook delivery id: hash of channel + sorted alert ids (32 hex chars). */
export function digestId(channel: string, alertIds: readonly string[]): string {
  return sha256(`${channel}\n${sortedIds(alertIds).join('\n')}`).slice(0, 32);
}

/** RFC 5322 Message-ID derived from the sorted alert ids, e.g. `<3f2a…@vigil>`. */
export function messageIdFor(alertIds: readonly string[]): string {
  return `<${sha256(sortedIds(alertIds).join('\n')).slice(0, 40)}@vigil>`;
}

/** What a channel sends at once: every alert routed to it in one cycle. */
export interface Digest {
  /** digestId(channel, alert ids): the outbox `_id` and the webhook delivery id */
  id: string;
  channel: string;
  alerts: Alert[];
  /** a `vigil test-alert` message: marked as a test everywhere */
  test?: boolean;
}

export function createDigest(channel: string, alerts: Alert[], options: { test?: boolean } = {}): Digest {
  return {
    id: digestId(
      channel,
      alerts.map((a) => a.id),
    ),
    channel,
    alerts,
    ...(options.test ? { test: true } : {}),
  };
}
