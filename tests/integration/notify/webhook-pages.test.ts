import type { Client } from '@elastic/elasticsearch';
import type { AlertsConfig } from '../../../src/notify/channel-schema';
import { createOutbox } from '../../../src/notify/outbox';
import { createSenders } from '../../../src/notify/sender';
import { verifySignature } from '../../../src/notify/signature';
import type { WebhookPayload } from '../../../src/notify/webhook-payload';
import type { Alert } from '../../../src/types';
import { type HttpReceiver, startHttpReceiver } from '../../helpers/receivers';
import { makeAlert } from '../../unit/notify/alert-fixtures';
import { alertsConfig, createStateIndex, esClient } from './test-kit';

const T0 = new Date('2024-03-10T07:01:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const SECRET = 'whsec-pages-0123456789';

/** 450 findings of one cycle: more than one webhook request carries. */
function manyAlerts(n: number): Alert[] {
  return Array.from({ length: n }, (_, i) =>
    makeAlert({
      id: `many-${String(i).padStart(3, '0')}`,
      entity: { 'source.ip': `10.1.${Math.floor(i / 250)}.${i % 250}` },
    }),
  );
}

/** Issue 13, defect 6: a digest of more alerts than one request carries reaches the webhook whole. */
describe('webhook delivery of a large digest, in pages', () => {
  let client: Client;
  let index: string;
  let hook: HttpReceiver;
  let alerts: AlertsConfig;

  beforeAll(async () => {
    client = esClient();
    index = await createStateIndex(client, 'vigil-state-notify-webhook-pages');
    hook = await startHttpReceiver('/pages');
    alerts = alertsConfig({ channels: { hook: { type: 'webhook', url: hook.url, secret: SECRET } } });
  });
  afterAll(async () => {
    await hook.close();
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });

  it('sends all 450 alerts across pages, marks the entry delivered only when every page was accepted, and resends with the same keys', async () => {
    const outbox = createOutbox({
      client,
      index,
      settings: alerts.outbox,
      senders: createSenders(alerts),
      rand: () => 0.5,
    });
    const batch = manyAlerts(450);
    const [entry] = await outbox.enqueue(batch, alerts.channels, T0);
    expect(entry.alertIds).toHaveLength(450);

    // page 1 accepted, page 2 answered 503: the entry is not delivered
    hook.respondWith(200, 503, 200);
    const first = await outbox.drain(T0);
    expect(first.channels.hook).toEqual({ sent: 0, failed: 1, dead: 0, pending: 1 });
    expect(first.problems[0].message).toMatch(/page 2 of 3/);
    const [waiting] = await outbox.listOutbox();
    expect(waiting).toMatchObject({ id: entry.id, status: 'pending', attempts: 1 });
    const failedTry = hook.requests.splice(0);
    expect(failedTry).toHaveLength(2);

    // the retry sends every page again, each with the same idempotency key and bytes as before
    const second = await outbox.drain(minutes(5));
    expect(second.channels.hook).toEqual({ sent: 1, failed: 0, dead: 0, pending: 0 });
    expect(hook.requests).toHaveLength(3);
    const keys = hook.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([`${entry.id}:1`, `${entry.id}:2`, `${entry.id}:3`]);
    for (const [i, r] of failedTry.entries()) {
      expect(r.headers['idempotency-key']).toBe(keys[i]);
      expect(r.raw.equals(hook.requests[i].raw)).toBe(true);
    }

    const bodies = hook.requests.map((r) => r.json as WebhookPayload);
    for (const [i, r] of hook.requests.entries()) {
      expect(r.headers['x-vigil-delivery']).toBe(entry.id);
      expect(verifySignature(r.raw, SECRET, r.headers['x-vigil-signature'] as string)).toBe(true);
      expect(bodies[i]).toMatchObject({
        delivery_id: entry.id,
        idempotency_key: `${entry.id}:${i + 1}`,
        page: i + 1,
        pages: 3,
        total_alerts: 450,
      });
    }
    expect(bodies.map((b) => b.alerts.length)).toEqual([200, 200, 50]);
    const received = bodies.flatMap((b) => b.alerts.map((a) => a.id));
    expect(new Set(received).size).toBe(450);
    expect(received.sort()).toEqual(batch.map((a) => a.id).sort());

    expect((await outbox.listOutbox('delivered')).map((e) => e.id)).toEqual([entry.id]);
    await outbox.drain(minutes(60));
    expect(hook.requests).toHaveLength(3);
  });
});
