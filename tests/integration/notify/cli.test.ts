import type { Client } from '@elastic/elasticsearch';
import { type NotifyCommandDeps, type NotifyContext, outboxCommand } from '../../../src/cli/commands/outbox';
import { testAlertCommand } from '../../../src/cli/commands/test-alert';
import { DeliveryError, UsageError } from '../../../src/errors';
import type { AlertsConfig } from '../../../src/notify/channel-schema';
import { createOutbox } from '../../../src/notify/outbox';
import { createSenders } from '../../../src/notify/sender';
import type { WebhookPayload } from '../../../src/notify/webhook-payload';
import {
  freePort,
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtp,
} from '../../helpers/receivers';
import { makeAlert } from '../../unit/notify/alert-fixtures';
import { alertsConfig, createStateIndex, esClient, loopbackEmail, memoryLogger } from './test-kit';

const NOW = new Date('2024-03-10T08:00:00.000Z');

describe('vigil outbox and vigil test-alert', () => {
  let client: Client;
  let index: string;
  let hook: HttpReceiver;
  let slack: HttpReceiver;
  let smtp: SmtpReceiver;
  let alerts: AlertsConfig;
  let out: string[];

  beforeAll(async () => {
    client = esClient();
    index = await createStateIndex(client, 'vigil-state-notify-cli');
    hook = await startHttpReceiver('/in');
    slack = await startHttpReceiver('/services/T1/B1/clisecret987');
    smtp = await startSmtp({ kind: 'plain' });
    alerts = alertsConfig({
      channels: {
        email: loopbackEmail(smtp.port),
        slack: { type: 'slack', url: slack.url },
        hook: { type: 'webhook', url: hook.url, secret: 'cli-hmac-secret' },
        down: { type: 'webhook', url: `http://127.0.0.1:${await freePort()}/x?key=downsecret55` },
      },
    });
  });
  afterAll(async () => {
    await Promise.all([hook.close(), slack.close(), smtp.close()]);
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });
  beforeEach(() => {
    out = [];
  });

  const deps: NotifyCommandDeps = {
    loadContext: (): NotifyContext => ({ client, stateIndex: index, alerts, logger: memoryLogger() }),
    now: () => NOW,
    write: (s) => out.push(s),
  };
  const run = (factory: (d: NotifyCommandDeps) => import('commander').Command, args: string[]) => {
    const cmd = factory(deps).exitOverride();
    return cmd.parseAsync(args, { from: 'user' });
  };

  it('lists nothing when the outbox is empty, or when no state index exists yet', async () => {
    await run(outboxCommand, []);
    expect(out.join('')).toBe('the outbox is empty: nothing pending or dead\n');
    out = [];
    const fresh = outboxCommand({
      ...deps,
      loadContext: () => ({ client, stateIndex: `${index}-missing`, alerts, logger: memoryLogger() }),
    });
    await fresh.exitOverride().parseAsync([], { from: 'user' });
    expect(out.join('')).toBe('the outbox is empty: nothing pending or dead\n');
  });

  it('lists a dead entry as a table and as JSON, and requeues it with retry', async () => {
    hook.respondWith(400);
    const outbox = createOutbox({ client, index, settings: alerts.outbox, senders: createSenders(alerts) });
    const alert = makeAlert({ id: 'cli-1', channels: ['hook'] });
    const [entry] = await outbox.enqueue([alert], alerts.channels, NOW);
    await outbox.drain(NOW);

    await run(outboxCommand, []);
    const table = out.join('').split('\n');
    expect(table[0]).toMatch(
      /^ID\s+CHANNEL\s+STATUS\s+ATTEMPTS\s+ALERTS\s+CREATED\s+NEXT ATTEMPT\s+LAST ERROR \/ TITLE$/,
    );
    expect(table[1]).toMatch(
      new RegExp(
        `^${entry.id}\\s+hook\\s+dead\\s+1\\s+1\\s+2024-03-10T08:00:00.000Z\\s+-\\s+permanent failure: webhook channel hook .*HTTP 400`,
      ),
    );

    out = [];
    await run(outboxCommand, ['--format', 'json', '--status', 'dead']);
    const rows = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      expect.objectContaining({
        id: entry.id,
        channel: 'hook',
        status: 'dead',
        alertIds: ['cli-1'],
        titles: ['SSH brute force'],
      }),
    ]);

    out = [];
    await run(outboxCommand, ['retry', entry.id]);
    expect(out.join('')).toBe(
      `requeued outbox entry ${entry.id} (channel hook, 1 alert); the next scan or monitor cycle sends it\n`,
    );
    hook.respondWith(200);
    const summary = await outbox.drain(NOW);
    expect(summary.channels.hook).toMatchObject({ sent: 1, pending: 0 });
  });

  it('refuses to retry an unknown or delivered entry', async () => {
    await expect(run(outboxCommand, ['retry', 'nope'])).rejects.toThrow(UsageError);
    const [delivered] = await createOutbox({ client, index, settings: alerts.outbox }).listOutbox(
      'delivered',
    );
    await expect(run(outboxCommand, ['retry', delivered.id])).rejects.toThrow(
      `outbox entry ${delivered.id} was already delivered`,
    );
  });

  it('sends a marked test message through each channel', async () => {
    hook.requests.length = 0;
    await run(testAlertCommand, ['--channel', 'hook']);
    await run(testAlertCommand, ['--channel', 'slack']);
    await run(testAlertCommand, ['--channel', 'email']);
    expect(out).toEqual([
      'test message sent through webhook channel hook\n',
      'test message sent through slack channel slack\n',
      'test message sent through email channel email\n',
    ]);
    expect((hook.requests[0].json as WebhookPayload).test).toBe(true);
    expect((slack.requests.at(-1)!.json as { text: string }).text).toMatch(/^\[vigil\]\[TEST\] /);
    const mail = smtp.mails.at(-1)!.parsed;
    expect(mail.subject).toBe('[vigil][TEST] vigil test alert');
    expect(mail.text).toContain('*** TEST MESSAGE');
    // test messages do not go through the outbox
    expect(await createOutbox({ client, index, settings: alerts.outbox }).listOutbox()).toEqual([]);
  });

  it('fails with exit code 4 and a secret-free line when the channel is down', async () => {
    const err = await run(testAlertCommand, ['--channel', 'down']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).exitCode).toBe(4);
    expect((err as DeliveryError).message).toMatch(
      /^webhook channel down \(http:\/\/127\.0\.0\.1:\d+\): connection refused/,
    );
    expect((err as DeliveryError).message).not.toContain('downsecret55');
    expect(out).toEqual([]);
  });

  it('names the configured channels when the name is wrong', async () => {
    await expect(run(testAlertCommand, ['--channel', 'pager'])).rejects.toThrow(
      'no channel named pager under alerts.channels; configured: email, slack, hook, down',
    );
  });
});
