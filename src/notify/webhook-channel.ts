import type { WebhookChannelConfig } from './channel-schema';
import type { Digest } from './digest';
import { postBody } from './http-post';
import type { Sender } from './sender';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signBody } from './signature';
import { buildWebhookPayload } from './webhook-payload';

/**
 * POSTs the alerts as JSON. Custom headers go first so they cannot replace Content-Type, the
 * signature or the delivery id. With `secret`, `X-Vigil-Signature: sha256=<hex>` is the
 * HMAC-SHA256 of the exact bytes sent.
 */
export function createWebhookSender(
  name: string,
  config: WebhookChannelConfig,
  options: { kibanaUrl?: string },
): Sender {
  return {
    name,
    type: 'webhook',
    async send(digest: Digest): Promise<void> {
      const body = JSON.stringify(buildWebhookPayload(digest, options));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(config.headers)) headers[k] = v;
      for (const own of [
        'content-type',
        'user-agent',
        SIGNATURE_HEADER.toLowerCase(),
        DELIVERY_HEADER.toLowerCase(),
      ]) {
        for (const k of Object.keys(headers)) if (k.toLowerCase() === own) delete headers[k];
      }
      headers['Content-Type'] = 'application/json; charset=utf-8';
      headers['User-Agent'] = 'vigil';
      headers[DELIVERY_HEADER] = digest.id;
      if (config.secret) headers[SIGNATURE_HEADER] = signBody(body, config.secret);
      await postBody(
        {
          label: `webhook channel ${name}`,
          url: config.url,
          headers,
          timeoutMs: config.timeout,
          secrets: [config.secret, ...Object.values(config.headers)],
        },
        body,
      );
    },
    close(): void {},
  };
}
