import type { WebhookChannelConfig } from './channel-schema';
import type { Digest } from './digest';
import { postBody } from './http-post';
import type { Sender } from './sender';
import { DELIVERY_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody } from './signature';
import { buildWebhookPages, type WebhookPayload } from './webhook-payload';

const OWN_HEADERS = ['content-type', 'user-agent', SIGNATURE_HEADER, DELIVERY_HEADER, IDEMPOTENCY_HEADER].map(
  (h) => h.toLowerCase(),
);

/**
 * POSTs the alerts as JSON, in pages of at most WEBHOOK_PAGE_SIZE alerts, one request after the
 * other. `send` resolves only when every page was accepted; a failed page throws, and the outbox
 * resends the digest from page 1 with the same bytes and idempotency keys, so a receiver drops
 * the pages it already has. Custom headers go first so they cannot replace Content-Type, the
 * signature, the delivery id or the idempotency key. With `secret`, `X-Vigil-Signature:
 * sha256=<hex>` is the HMAC-SHA256 of the exact bytes of each request.
 */
export function createWebhookSender(
  name: string,
  config: WebhookChannelConfig,
  options: { kibanaUrl?: string },
): Sender {
  const custom: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.headers))
    if (!OWN_HEADERS.includes(k.toLowerCase())) custom[k] = v;

  const post = (payload: WebhookPayload) => {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      ...custom,
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'vigil',
      [DELIVERY_HEADER]: payload.delivery_id,
      [IDEMPOTENCY_HEADER]: payload.idempotency_key,
    };
    if (config.secret) headers[SIGNATURE_HEADER] = signBody(body, config.secret);
    const page = payload.pages > 1 ? `, page ${payload.page} of ${payload.pages}` : '';
    return postBody(
      {
        label: `webhook channel ${name}${page}`,
        url: config.url,
        headers,
        timeoutMs: config.timeout,
        secrets: [config.secret, ...Object.values(config.headers)],
      },
      body,
    );
  };

  return {
    name,
    type: 'webhook',
    async send(digest: Digest): Promise<void> {
      for (const payload of buildWebhookPages(digest, options)) await post(payload);
    },
    close(): void {},
  };
}
