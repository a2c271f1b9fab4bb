import type { Client } from '@elastic/elasticsearch';
import { outboxCommand } from '../../../src/cli/commands/outbox';
import type { AlertsConfig } from '../../../src/notify/channel-schema';
import { createOutbox } from '../../../src/notify/outbox';
import { createSenders } from '../../../src/notify/sender';
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtp } from '../../helpers/receivers';
import { makeAlert } from '../../unit/notify/alert-fixtures';
import { alertsConfig, createStateIndex, esClient, loopbackEmail, memoryLogger } from './test-kit';

const T0 = new Date('2024-03-10T07:01:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/**
 * Issue 13, defect 3: the monitor has Slack, an operator runs `vigil scan` with only SMTP set.
 * The scan must leave the Slack entries alone for the monitor, not kill them.
 */
describe('outbox shared by instances with different channels', () => {
  let client: Client;
  let index: string;
  let smtp: SmtpReceiver;
  let slack: HttpReceiver;
  let monitorConfig: AlertsConfig;
  let scanConfig: AlertsConfig;

  beforeAll(async () => {
    client = esClient();
    index = await createStateIndex(client, 'vigil-state-notify-outbox-channels');
    smtp = await startSmtp({ kind: 'plain' });
    slack = await startHttpReceiver('/services/T1/B1/channelsecret');
    // the monitor: email and Slack
    monitorConfig = alertsConfig({
      channels: { email: loopbackEmail(smtp.port), slack: { type: 'slack', url: slack.url } },
    });
    // the operator's scan: SLACK_WEBHOOK_URL unset, so its slack channel is off
    scanConfig = alertsConfig({
      channels: { email: loopbackEmail(smtp.port), slack: { type: 'slack', url: '' } },
    });
  });
  afterAll(async () => {
    await Promise.all([smtp.close(), slack.close()]);
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });

  it('a drain without a slack sender leaves slack entries pending, untouched, for one that has it', async () => {
    const monitor = createOutbox({
      client,
      index,
      settings: monitorConfig.outbox,
      senders: createSenders(monitorConfig),
    });
    const logger = memoryLogger();
    const scanSenders = createSenders(scanConfig);
    expect([...scanSenders.keys()]).toEqual(['email']);
    const scan = createOutbox({ client, index, settings: scanConfig.outbox, senders: scanSenders, logger });

    // the monitor enqueued a digest for each of its channels (say it crashed before draining)
    const enqueued = await monitor.enqueue([makeAlert({ id: 'shared-1' })], monitorConfig.channels, T0);
    expect(enqueued.map((d) => d.channel)).toEqual(['email', 'slack']);
    const slackEntry = enqueued.find((d) => d.channel === 'slack')!;

    const drained = await scan.drain(minutes(1));
    expect(drained.channels.email).toEqual({ sent: 1, failed: 0, dead: 0, pending: 0 });
    expect(drained.channels.slack).toMatchObject({ sent: 0, failed: 0, dead: 0, pending: 1 });
    expect(drained.problems).toEqual([]);
    expect(smtp.mails).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);

    const [waiting] = await scan.listOutbox();
    expect(waiting).toMatchObject({
      id: slackEntry.id,
      channel: 'slack',
      status: 'pending',
      attempts: 0,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      nextAttemptAt: T0.toISOString(),
    });
    expect(waiting.lastError).toBeUndefined();
    expect(slack.requests).toHaveLength(0);

    // `vigil outbox` with the scan's config lists it, and says why this instance does not send it
    const out: string[] = [];
    const list = (args: string[]) =>
      outboxCommand({
        loadContext: () => ({ client, stateIndex: index, alerts: scanConfig, logger: memoryLogger() }),
        now: () => minutes(1),
        write: (t) => out.push(t),
      })
        .exitOverride()
        .parseAsync(args, { from: 'user' });
    await list([]);
    const row = out.join('').split('\n')[1];
    expect(row).toMatch(
      new RegExp(
        `^${slackEntry.id}\\s+slack\\s+pending\\s+0\\s+1\\s+\\S+\\s+now\\s+no sender here for this channel · SSH brute force$`,
      ),
    );
    out.length = 0;
    await list(['--format', 'json']);
    expect(JSON.parse(out.join(''))).toMatchObject({ id: slackEntry.id, handledHere: false });

    // the monitor's next drain delivers it
    const later = await monitor.drain(minutes(2));
    expect(later.channels.slack).toEqual({ sent: 1, failed: 0, dead: 0, pending: 0 });
    expect(slack.requests).toHaveLength(1);
    expect(JSON.stringify(slack.requests[0].json)).toContain('203.0.113.5');
    expect(await monitor.listOutbox()).toEqual([]);
    expect(smtp.mails).toHaveLength(1);
  });

  it('a drain without any sender claims nothing', async () => {
    await createOutbox({ client, index, settings: scanConfig.outbox }).enqueue(
      [makeAlert({ id: 'shared-2' })],
      monitorConfig.channels,
      minutes(10),
    );
    const none = createOutbox({ client, index, settings: scanConfig.outbox, senders: new Map() });
    const summary = await none.drain(minutes(11));
    expect(summary.problems).toEqual([]);
    expect(summary.channels.email).toMatchObject({ sent: 0, dead: 0, pending: 1 });
    const left = (await none.listOutbox()).map((e) => [e.channel, e.status, e.attempts, e.alertIds]);
    expect(left.sort()).toEqual([
      ['email', 'pending', 0, ['shared-2']],
      ['slack', 'pending', 0, ['shared-2']],
    ]);
  });
});
