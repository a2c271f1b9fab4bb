import { createDigest, digestId } from '../../../src/notify/digest';
import { signBody, verifySignature } from '../../../src/notify/signature';
import { buildWebhookPages, splitIntoPages } from '../../../src/notify/webhook-payload';
import { makeAlert, threeSources } from './alert-fixtures';

const numbered = (n: number) =>
  Array.from({ length: n }, (_, i) => makeAlert({ id: `p-${i}`, entity: { 'source.ip': `10.2.0.${i}` } }));

describe('webhook payload and signature', () => {
  it('carries the alerts, the delivery id and a summary; identical for a resend', () => {
    const digest = createDigest('hook', threeSources());
    const pages = buildWebhookPages(digest, { kibanaUrl: 'https://kibana.example.com' });
    expect(pages).toHaveLength(1);
    const [payload] = pages;
    expect(payload).toMatchObject({
      version: 1,
      delivery_id: digest.id,
      channel: 'hook',
      test: false,
      severity: 'high',
      page: 1,
      pages: 1,
      total_alerts: 3,
      idempotency_key: `${digest.id}:1`,
    });
    expect(payload.alerts.map((a) => a.entity['source.ip'])).toEqual([
      '203.0.113.5',
      '198.51.100.7',
      '192.0.2.44',
    ]);
    expect(payload.alerts[0].kibana_url).toMatch(/^https:\/\/kibana\.example\.com\/app\/discover#/);
    expect(JSON.stringify(buildWebhookPages(createDigest('hook', threeSources())))).toBe(
      JSON.stringify(buildWebhookPages(digest)),
    );
  });

  it.each([
    [0, 3, [0]],
    [1, 3, [1]],
    [3, 3, [3]],
    [4, 3, [3, 1]],
    [450, 200, [200, 200, 50]],
    [600, 200, [200, 200, 200]],
  ])('splits %i items into pages of %i: sizes %j, order kept', (n, size, sizes) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const pages = splitIntoPages(items, size);
    expect(pages.map((p) => p.length)).toEqual(sizes);
    expect(pages.flat()).toEqual(items);
  });

  it('rejects a page size below 1', () => {
    expect(() => splitIntoPages([1], 0)).toThrow('page size must be a positive integer, got 0');
  });

  it('pages a large digest: every alert once, page numbers, one idempotency key per page, stable', () => {
    const digest = createDigest('hook', numbered(450));
    const pages = buildWebhookPages(digest, { pageSize: 200 });
    expect(pages.map((p) => [p.page, p.pages, p.alerts.length, p.total_alerts])).toEqual([
      [1, 3, 200, 450],
      [2, 3, 200, 450],
      [3, 3, 50, 450],
    ]);
    expect(pages.map((p) => p.idempotency_key)).toEqual([1, 2, 3].map((n) => `${digest.id}:${n}`));
    expect(pages.every((p) => p.delivery_id === digest.id)).toBe(true);
    // the summary and severity describe the whole digest on every page
    expect(new Set(pages.map((p) => p.summary)).size).toBe(1);
    const ids = pages.flatMap((p) => p.alerts.map((a) => a.id));
    expect(ids).toEqual(digest.alerts.map((a) => a.id));
    // a resend builds the same bytes
    expect(JSON.stringify(buildWebhookPages(createDigest('hook', numbered(450)), { pageSize: 200 }))).toBe(
      JSON.stringify(pages),
    );
    // 200 alerts per request by default
    expect(buildWebhookPages(digest).map((p) => p.alerts.length)).toEqual([200, 200, 50]);
  });

  it('derives the delivery id from channel and sorted alert ids', () => {
    expect(digestId('hook', ['b', 'a'])).toBe(digestId('hook', ['a', 'b']));
    expect(digestId('hook', ['a', 'b'])).not.toBe(digestId('slack', ['a', 'b']));
    expect(digestId('hook', ['a'])).toMatch(/^[0-9a-f]{32}$/);
  });

  it('caps hostile fields in the JSON body', () => {
    const [payload] = buildWebhookPages(
      createDigest('hook', [makeAlert({ entity: { 'user.name': 'x'.repeat(10_240) } })]),
    );
    expect(Array.from(payload.alerts[0].entity['user.name']).length).toBe(512);
  });

  it('signs the raw body with HMAC-SHA256 (a known vector) and verifies it', () => {
    // expected value from `printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac s3cret`
    const sig = signBody('{"a":1}', 's3cret');
    expect(sig).toBe('sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d');
    expect(verifySignature('{"a":1}', 's3cret', sig)).toBe(true);
    expect(verifySignature('{"a":2}', 's3cret', sig)).toBe(false);
    expect(verifySignature('{"a":1}', 'other', sig)).toBe(false);
    expect(verifySignature('{"a":1}', 's3cret', undefined)).toBe(false);
  });
});
