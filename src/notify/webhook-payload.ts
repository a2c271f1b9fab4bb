import type { Alert } from '../types';
import { boundAlert } from './bound-alert';
import type { Digest } from './digest';
import { buildDiscoverUrl } from './kibana';
import { highestSeverity } from './route';
import { buildSubject } from './subject';

/** Alerts carried by one webhook request; a larger digest goes out in several requests (pages). */
export const WEBHOOK_PAGE_SIZE = 200;

export interface WebhookPayload {
  version: 1;
  /** digest id: the same on every page and every resend (also the X-Vigil-Delivery header) */
  delivery_id: string;
  /** `<delivery_id>:<page>`: one per request, the same on every resend, so receivers can drop repeats */
  idempotency_key: string;
  /** 1-based */
  page: number;
  pages: number;
  /** alerts in the whole digest, over all pages */
  total_alerts: number;
  channel: string;
  test: boolean;
  /** of the whole digest */
  severity: string;
  /** of the whole digest */
  summary: string;
  /** this page's alerts */
  alerts: (Alert & { kibana_url?: string })[];
}

/** Consecutive slices of at most `size` items, in order; always at least one (maybe empty) page. */
export function splitIntoPages<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`page size must be a positive integer, got ${size}`);
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages.length > 0 ? pages : [[]];
}

export function idempotencyKey(deliveryId: string, page: number): string {
  return `${deliveryId}:${page}`;
}

/**
 * The JSON bodies of a generic webhook, one per request, carrying every alert of the digest.
 * Deterministic for a given digest (no send time inside), so a resend repeats the same bytes.
 */
export function buildWebhookPages(
  digest: Digest,
  options: { kibanaUrl?: string; pageSize?: number } = {},
): WebhookPayload[] {
  const alerts = digest.alerts.map(boundAlert);
  const severity = highestSeverity(alerts);
  const summary = buildSubject(alerts, { test: digest.test });
  const pages = splitIntoPages(alerts, options.pageSize ?? WEBHOOK_PAGE_SIZE);
  return pages.map((shown, i) => ({
    version: 1,
    delivery_id: digest.id,
    idempotency_key: idempotencyKey(digest.id, i + 1),
    page: i + 1,
    pages: pages.length,
    total_alerts: alerts.length,
    channel: digest.channel,
    test: digest.test === true,
    severity,
    summary,
    alerts: shown.map((a) =>
      options.kibanaUrl ? { ...a, kibana_url: buildDiscoverUrl(options.kibanaUrl, a) } : a,
    ),
  }));
}
