import { createDigest, digestId } from '../../../src/notify/digest';
import { signBody, verifySignature } from '../../../src/notify/signature';
import { buildWebhookPayload } from '../../../src/notify/webhook-payload';
import { makeAlert, threeSources } from './alert-fixtures';

describe('webhook payload and signature', () => {
  it('carries the alerts, the delivery id and a summary; identical for a resend', () => {
    const digest = createDigest('hook', threeSources());
    const payload = buildWebhookPayload(digest, { kibanaUrl: 'https://kibana.example.com' });
    expect(payload).toMatchObject({
      version: 1,
      delivery_id: digest.id,
      channel: 'hook',
      test: false,
      severity: 'high',
      omitted: 0,
    });
    expect(payload.alerts.map((a) => a.entity['source.ip'])).toEqual([
      '203.0.113.5',
      '198.51.100.7',
      '192.0.2.44',
    ]);
    expect(payload.alerts[0].kibana_url).toMatch(/^https:\/\/kibana\.example\.com\/app\/discover#/);
    expect(JSON.stringify(buildWebhookPayload(createDigest('hook', threeSources())))).toBe(
      JSON.stringify(buildWebhookPayload(digest)),
    );
  });

  it('derives the delivery id from channel and sorted alert ids', () => {
    expect(digestId('hook', ['b', 'a'])).toBe(digestId('hook', ['a', 'b']));
    expect(digestId('hook', ['a', 'b'])).not.toBe(digestId('slack', ['a', 'b']));
    expect(digestId('hook', ['a'])).toMatch(/^[0-9a-f]{32}$/);
  });

  it('caps hostile fields in the JSON body', () => {
    const payload = buildWebhookPayload(
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
