import { inspect } from 'node:util';
import type { Client } from '@elastic/elasticsearch';
import { DeliveryError } from '../../../src/errors';
import type { AlertsConfig } from '../../../src/notify/channel-schema';
import { createDigest } from '../../../src/notify/digest';
import { createOutbox } from '../../../src/notify/outbox';
import { createSender, createSenders } from '../../../src/notify/sender';
import { verifySignature } from '../../../src/notify/signature';
import type { SlackBlock } from '../../../src/notify/slack-render';
import type { WebhookPayload } from '../../../src/notify/webhook-payload';
import { type HttpReceiver, startHttpReceiver } from '../../helpers/receivers';
import { makeAlert, threeSources } from '../../unit/notify/alert-fixtures';
import { alertsConfig, createStateIndex, esClient } from './test-kit';

const T0 = new Date('2024-03-10T07:01:00.000Z');
const SECRET = 'whsec-0123456789abcdef';
const SLACK_TOKEN_PATH = '/services/T0001/B0001/slacksecrettoken123';

describe('webhook and Slack channels against a real HTTP server', () => {
  let hook: HttpReceiver;
  let slack: HttpReceiver;
  let client: Client;
  let index: string;
  let alerts: AlertsConfig;

  beforeAll(async () => {
    hook = await startHttpReceiver('/vigil?token=querysecret42');
    slack = await startHttpReceiver(SLACK_TOKEN_PATH);
    client = esClient();
    index = await createStateIndex(client, 'vigil-state-notify-webhook');
    alerts = alertsConfig({
      kibana_url: 'https://kibana.example.com',
      channels: {
        hook: {
          type: 'webhook',
          url: hook.url,
          secret: SECRET,
          headers: {
            Authorization: 'Bearer tok-abcdef',
            'X-Vigil-Signature': 'forged',
            'idempotency-key': 'forged',
          },
        },
        slack: { type: 'slack', url: slack.url, min_severity: 'high' },
      },
    });
  });
  afterAll(async () => {
    await hook.close();
    await slack.close();
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });
  beforeEach(() => {
    hook.requests.length = 0;
    slack.requests.length = 0;
    hook.respondWith(200);
    slack.respondWith(200);
  });

  it('POSTs the alerts as JSON with a verifiable HMAC signature, the delivery id and custom headers', async () => {
    const digest = createDigest('hook', threeSources());
    await createSender('hook', alerts.channels.hook, { kibanaUrl: alerts.kibana_url }).send(digest);
    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0];
    expect(req.path).toBe('/vigil?token=querysecret42');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.headers.authorization).toBe('Bearer tok-abcdef');
    expect(req.headers['x-vigil-delivery']).toBe(digest.id);
    // the custom header could not replace the real signature
    expect(verifySignature(req.raw, SECRET, req.headers['x-vigil-signature'] as string)).toBe(true);
    expect(verifySignature(req.raw, 'another-secret', req.headers['x-vigil-signature'] as string)).toBe(
      false,
    );
    const body = req.json as WebhookPayload;
    expect(body).toMatchObject({
      version: 1,
      delivery_id: digest.id,
      channel: 'hook',
      test: false,
      severity: 'high',
      page: 1,
      pages: 1,
      total_alerts: 3,
    });
    expect(req.headers['idempotency-key']).toBe(`${digest.id}:1`);
    expect(body.alerts.map((a) => a.id)).toEqual(threeSources().map((a) => a.id));
    expect(body.alerts[0]).toMatchObject({
      rule: 'ssh_bruteforce',
      value: 20,
      threshold: 8,
      schedule: 'off_hours',
      entity: { 'source.ip': '203.0.113.5' },
    });
    expect(body.alerts[0].kibana_url).toContain('https://kibana.example.com/app/discover#/');
  });

  it('posts a Block Kit message to Slack', async () => {
    await createSender('slack', alerts.channels.slack).send(createDigest('slack', threeSources()));
    const body = slack.requests[0].json as { text: string; blocks: SlackBlock[] };
    expect(body.text).toBe('[vigil][HIGH] SSH brute force from 3 sources (off-hours) – host-a');
    expect(body.blocks[0].type).toBe('header');
    expect(body.blocks.filter((b) => b.type === 'section' && b.fields).length).toBe(3);
  });

  it('retries a 500 through the outbox and delivers the same body on the next drain', async () => {
    hook.respondWith(500, 200);
    slack.respondWith(503, 200);
    const outbox = createOutbox({
      client,
      index,
      settings: alerts.outbox,
      senders: createSenders(alerts),
      rand: () => 0.5,
    });
    const routed = await outbox.enqueue(
      [...threeSources(), makeAlert({ id: 'low-1', severity: 'low' })],
      alerts.channels,
      T0,
    );
    expect(routed.map((d) => [d.channel, d.alertIds.length])).toEqual([
      ['hook', 4],
      ['slack', 3],
    ]);

    const first = await outbox.drain(T0);
    expect(first.channels).toEqual({
      hook: { sent: 0, failed: 1, dead: 0, pending: 1 },
      slack: { sent: 0, failed: 1, dead: 0, pending: 1 },
    });
    const messages = first.problems.map((p) => p.message).sort();
    expect(messages[0]).toMatch(
      /^slack channel slack \(http:\/\/127\.0\.0\.1:\d+\): HTTP 503: server_error$/,
    );
    expect(messages[1]).toMatch(
      /^webhook channel hook \(http:\/\/127\.0\.0\.1:\d+\): HTTP 500: server_error$/,
    );
    for (const m of messages) {
      expect(m).not.toContain('slacksecrettoken123');
      expect(m).not.toContain('querysecret42');
    }
    // 30s base delay × rand 0.5
    expect((await outbox.listOutbox()).map((e) => e.nextAttemptAt)).toEqual([
      '2024-03-10T07:01:15.000Z',
      '2024-03-10T07:01:15.000Z',
    ]);

    const second = await outbox.drain(new Date(T0.getTime() + 60_000));
    expect(second.channels.hook).toEqual({ sent: 1, failed: 0, dead: 0, pending: 0 });
    expect(second.channels.slack).toEqual({ sent: 1, failed: 0, dead: 0, pending: 0 });
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1].raw.equals(hook.requests[0].raw)).toBe(true);
    expect(hook.requests[1].headers['x-vigil-delivery']).toBe(routed[0].id);
    expect(slack.requests).toHaveLength(2);

    await outbox.drain(new Date(T0.getTime() + 3_600_000));
    expect(hook.requests).toHaveLength(2);
  });

  it('marks a 400 dead with a secret-free reason', async () => {
    hook.respondWith(400);
    const outbox = createOutbox({ client, index, settings: alerts.outbox, senders: createSenders(alerts) });
    const [entry] = await outbox.enqueue(
      [makeAlert({ id: 'bad-request-1', severity: 'low' })],
      alerts.channels,
      T0,
    );
    const summary = await outbox.drain(T0);
    expect(summary.channels.hook).toEqual({ sent: 0, failed: 0, dead: 1, pending: 0 });
    const [dead] = await outbox.listOutbox('dead');
    expect(dead.id).toBe(entry.id);
    expect(dead.lastError).toMatch(
      /^permanent failure: webhook channel hook \(http:\/\/127\.0\.0\.1:\d+\): HTTP 400: invalid_payload$/,
    );
    expect(JSON.stringify(await outbox.listOutbox())).not.toMatch(/querysecret42|tok-abcdef|whsec-/);
  });

  it('reports a refused connection as retryable without the URL', async () => {
    const closed = await startHttpReceiver(SLACK_TOKEN_PATH);
    await closed.close();
    const sender = createSender('slack', {
      ...alerts.channels.slack,
      url: closed.url,
    } as AlertsConfig['channels'][string]);
    const err = await sender.send(createDigest('slack', [makeAlert()])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).retryable).toBe(true);
    expect((err as DeliveryError).message).toMatch(
      /^slack channel slack \(http:\/\/127\.0\.0\.1:\d+\): connection refused \(is the receiver running\?\)$/,
    );
    // not in the cause chain either, where an audit logger might look
    expect(inspect(err, { depth: 10 })).not.toContain('slacksecrettoken123');
  });
});
