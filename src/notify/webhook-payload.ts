import type { Alert } from '../types';
import { boundAlert } from './bound-alert';
import type { Digest } from './digest';
import { buildDiscoverUrl } from './kibana';
import { highestSeverity } from './route';
import { buildSubject } from './subject';

/** Alerts carried by one webhook request; the rest are counted in `omitted`. */
export const WEBHOOK_MAX_ALERTS = 200;

export interface WebhookPayload {
  version: 1;
  /** digest id: the same on every resend, so receivers can drop repeats */
  delivery_id: string;
  channel: string;
  test: boolean;
  severity: string;
  summary: string;
  alerts: (Alert & { kibana_url?: string })[];
  omitted: number;
}

/** The JSON body of a generic webhook. Deterministic for a given digest (no send time inside). */
export function buildWebhookPayload(digest: Digest, options: { kibanaUrl?: string } = {}): WebhookPayload {
  const alerts = digest.alerts.map(boundAlert);
  const shown = alerts.slice(0, WEBHOOK_MAX_ALERTS);
  return {
    version: 1,
    delivery_id: digest.id,
    channel: digest.channel,
    test: digest.test === true,
    severity: highestSeverity(alerts),
    summary: buildSubject(alerts, { test: digest.test }),
    alerts: shown.map((a) =>
      options.kibanaUrl ? { ...a, kibana_url: buildDiscoverUrl(options.kibanaUrl, a) } : a,
    ),
    omitted: alerts.length - shown.length,
  };
}
