import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw request body>` keyed with the channel secret. */
export const SIGNATURE_HEADER = 'X-Vigil-Signature';
export const DELIVERY_HEADER = 'X-Vigil-Delivery';
/** Webhook requests: `<delivery id>:<page>`, one per request and stable across resends. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver does: recompute over the raw bytes and compare in constant time. */
export function verifySignature(body: string | Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
