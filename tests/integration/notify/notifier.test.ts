import type { Client } from '@elastic/elasticsearch';
import { createNotifier } from '../../../src/notify/notifier';
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtp } from '../../helpers/receivers';
import { makeAlert, sudoAlert, threeSources } from '../../unit/notify/alert-fixtures';
import { alertsConfig, createStateIndex, esClient, loopbackEmail, memoryLogger } from './test-kit';

const T0 = new Date('2024-03-10T07:01:00.000Z');

describe('createNotifier().deliver: the notify stage of a cycle', () => {
  let client: Client;
  let index: string;
  let smtp: SmtpReceiver;
  let hook: HttpReceiver;
  beforeAll(async () => {
    client = esClient();
    index = await createStateIndex(client, 'vigil-state-notify-notifier');
    smtp = await startSmtp({ kind: 'plain' });
    hook = await startHttpReceiver('/in');
  });
  afterAll(async () => {
    await Promise.all([smtp.close(), hook.close()]);
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
  });

  it('sends one digest per channel per cycle, nothing twice, and never a suppressed alert', async () => {
    const logger = memoryLogger();
    const alerts = alertsConfig({
      channels: {
        email: loopbackEmail(smtp.port, { min_severity: 'medium' }),
        hook: { type: 'webhook', url: hook.url },
      },
    });
    const notifier = createNotifier({ client, stateIndex: index, alerts, logger });
    const cycle = [
      ...threeSources(),
      sudoAlert(),
      makeAlert({ id: 'low-1', severity: 'low', entity: { 'source.ip': '10.0.0.1' } }),
      makeAlert({ id: 'old-1', status: 'suppressed', entity: { 'source.ip': '10.0.0.2' } }),
      makeAlert({ id: 'paged-1', channels: ['pager'], entity: { 'source.ip': '10.0.0.3' } }),
    ];
    const enqueued = await notifier.enqueue(cycle, T0);
    const summary = await notifier.drain(T0);
    expect(enqueued.map((d) => [d.channel, d.alertIds.length])).toEqual([
      ['email', 4],
      ['hook', 5],
    ]);
    expect(summary.channels).toEqual({
      email: { sent: 1, failed: 0, dead: 0, pending: 0 },
      hook: { sent: 1, failed: 0, dead: 0, pending: 0 },
    });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0].parsed;
    expect(mail.subject).toBe(
      '[vigil][CRITICAL] sudo by a user not in sudoers from mallory (off-hours) – host-a (+3 more)',
    );
    for (const who of ['203.0.113.5', '198.51.100.7', '192.0.2.44', 'mallory'])
      expect(mail.text).toContain(who);
    expect(mail.text).not.toContain('10.0.0.1');
    expect(`${mail.text}${hook.requests[0].raw}`).not.toContain('10.0.0.2');
    expect(logger.lines.find((l) => l.level === 'warn')?.message).toBe(
      'rules route to channels that are not configured under alerts.channels: pager',
    );

    // the next cycle sees the same alerts (dedup upstream failed, or a rerun): nothing is sent again
    const later = new Date(T0.getTime() + 60_000);
    const again = { enqueued: await notifier.enqueue(cycle, later), summary: await notifier.drain(later) };
    expect(again.enqueued.every((d) => !d.created)).toBe(true);
    expect(again.summary.channels.email.sent + again.summary.channels.hook.sent).toBe(0);
    expect(smtp.mails).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);
    notifier.close();
  });
});
