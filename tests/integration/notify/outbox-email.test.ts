import type { Client } from '@elastic/elasticsearch';
import type { AlertsConfig } from '../../../src/notify/channel-schema';
import { createOutbox, hasDeliveryProblems, type OutboxDeps } from '../../../src/notify/outbox';
import { createSenders } from '../../../src/notify/sender';
import { freePort, type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import { makeAlert, threeSources } from '../../unit/notify/alert-fixtures';
import { alertsConfig, createStateIndex, esClient, loopbackEmail, memoryLogger } from './test-kit';

const T0 = new Date('2024-03-10T07:01:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

describe('outbox with email: SMTP down, then up', () => {
  let client: Client;
  let index: string;
  let port: number;
  let alerts: AlertsConfig;
  let smtp: SmtpReceiver | undefined;

  beforeAll(async () => {
    client = esClient();
    index = await createStateIndex(client, 'vigil-state-notify-outbox-email');
    port = await freePort();
    alerts = alertsConfig({
      outbox: { max_age: '48h', base_delay: '30s', max_delay: '30m' },
      channels: {
        email: loopbackEmail(port, { timeout: '5s' }),
      },
    });
  });
  afterAll(async () => {
    await smtp?.close();
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });

  const outboxWith = (extra: Partial<OutboxDeps> = {}) =>
    createOutbox({
      client,
      index,
      settings: alerts.outbox,
      senders: createSenders(alerts, { logger: memoryLogger() }),
      rand: () => 1,
      ...extra,
    });

  it('keeps the digest pending while SMTP is down, then delivers it exactly once', async () => {
    const outbox = outboxWith();
    const enqueued = await outbox.enqueue(threeSources(), alerts.channels, T0);
    expect(enqueued).toEqual([
      expect.objectContaining({ channel: 'email', created: true, alertIds: threeSources().map((a) => a.id) }),
    ]);

    // SMTP is down: the send fails, the entry stays pending with a retry time and the reason
    const down = await outbox.drain(T0);
    expect(down.channels.email).toEqual({ sent: 0, failed: 1, dead: 0, pending: 1 });
    expect(hasDeliveryProblems(down)).toBe(true);
    expect(down.problems[0]).toMatchObject({ channel: 'email', retryable: true });
    expect(down.problems[0].message).toContain('is the SMTP server running?');
    const [pending] = await outbox.listOutbox();
    expect(pending).toMatchObject({
      id: enqueued[0].id,
      status: 'pending',
      attempts: 1,
      nextAttemptAt: '2024-03-10T07:01:30.000Z',
    });
    expect(pending.lastError).toContain(`127.0.0.1:${port}`);

    // the next cycle finds the same alerts again: re-enqueueing is a no-op
    const again = await outbox.enqueue(threeSources(), alerts.channels, minutes(1));
    expect(again[0]).toMatchObject({ id: enqueued[0].id, created: false });

    // not due yet: nothing is attempted
    expect((await outbox.drain(T0)).channels.email).toEqual({ sent: 0, failed: 0, dead: 0, pending: 1 });

    smtp = await startSmtp({ kind: 'plain' }, port);
    const up = await outbox.drain(minutes(2));
    expect(up.channels.email).toEqual({ sent: 1, failed: 0, dead: 0, pending: 0 });
    expect(hasDeliveryProblems(up)).toBe(false);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].parsed.text).toContain('3 findings from 1 rule.');

    const later = await outbox.drain(minutes(10));
    expect(later.channels.email).toEqual({ sent: 0, failed: 0, dead: 0, pending: 0 });
    expect(smtp.mails).toHaveLength(1);
    expect(await outbox.listOutbox()).toEqual([]);
    expect((await outbox.listOutbox('delivered')).map((e) => e.id)).toEqual([enqueued[0].id]);
  });

  it('two processes draining the same outbox send each digest once', async () => {
    const before = smtp!.mails.length;
    const a = outboxWith();
    const b = outboxWith();
    const batch = [1, 2, 3, 4, 5].map((i) =>
      makeAlert({ id: `race-${i}`, entity: { 'source.ip': `10.9.0.${i}` } }),
    );
    // five separate digests (one per cycle), so there is something to race for
    for (const [i, alert] of batch.entries()) await a.enqueue([alert], alerts.channels, minutes(20 + i));
    const [ra, rb] = await Promise.all([a.drain(minutes(30)), b.drain(minutes(30))]);
    expect(ra.channels.email.sent + rb.channels.email.sent).toBe(5);
    const received = smtp!.mails.slice(before).map((m) => m.parsed.messageId);
    expect(received).toHaveLength(5);
    expect(new Set(received).size).toBe(5);
  });

  it('gives up on a digest older than max_age and records why', async () => {
    const logger = memoryLogger();
    await smtp!.close();
    smtp = undefined;
    const outbox = outboxWith({ logger });
    const [entry] = await outbox.enqueue([makeAlert({ id: 'stale-1' })], alerts.channels, minutes(100));
    await outbox.drain(minutes(100)); // fails: SMTP is down again
    const late = await outbox.drain(new Date(minutes(100).getTime() + 49 * 3_600_000));
    expect(late.channels.email).toMatchObject({ dead: 1, sent: 0 });
    const [dead] = await outbox.listOutbox('dead');
    expect(dead.id).toBe(entry.id);
    expect(dead.lastError).toMatch(
      /^not delivered within alerts\.outbox\.max_age \(2d\); last error: email channel email: /,
    );
    expect(logger.lines.find((l) => l.level === 'error')?.meta).toMatchObject({
      outbox_id: entry.id,
      channel: 'email',
    });
  });
});

describe('outbox with an SMTP server that rejects with 5xx', () => {
  let client: Client;
  let index: string;
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    client = esClient();
    index = await createStateIndex(client, 'vigil-state-notify-outbox-reject');
    smtp = await startSmtp({ kind: 'reject', code: 550, message: '5.1.1 mailbox unavailable' });
  });
  afterAll(async () => {
    await smtp.close();
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });

  it('marks the digest dead at once, then a retry requeues it', async () => {
    const alerts = alertsConfig({
      channels: {
        email: loopbackEmail(smtp.port),
      },
    });
    const outbox = createOutbox({ client, index, settings: alerts.outbox, senders: createSenders(alerts) });
    const [entry] = await outbox.enqueue([makeAlert()], alerts.channels, T0);
    const summary = await outbox.drain(T0);
    expect(summary.channels.email).toEqual({ sent: 0, failed: 0, dead: 1, pending: 0 });
    expect(summary.problems[0].retryable).toBe(false);
    const [dead] = await outbox.listOutbox();
    expect(dead).toMatchObject({ id: entry.id, status: 'dead' });
    expect(dead.lastError).toMatch(
      /^permanent failure: email channel email: SMTP 550 .*mailbox unavailable$/,
    );

    const requeued = await outbox.retryEntry(entry.id, minutes(5));
    expect(requeued).toMatchObject({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: minutes(5).toISOString(),
    });
    expect((await outbox.listOutbox('pending')).map((e) => e.id)).toEqual([entry.id]);
  });
});
