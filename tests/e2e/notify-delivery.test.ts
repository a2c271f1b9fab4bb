/**
 * Issue 5 end to end, through the CLI: an SSH attack written as raw auth.log lines is ingested
 * into the real cluster, and `vigil scan` delivers it to a real SMTP server (STARTTLS + AUTH),
 * a Slack receiver and a signed webhook. With the SMTP server down the scan exits 4 and the
 * digest waits in the outbox; once the server is back the next scan delivers it exactly once,
 * and a further scan sends nothing. `vigil test-alert` works for each channel and fails cleanly.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { messageIdFor } from '../../src/notify/digest';
import type { WebhookPayload } from '../../src/notify/webhook-payload';
import { freePort, startSmtp } from '../helpers/receivers';
import { jsonLines, REPO } from '../helpers/vigil-cli';
import {
  ALERTS_FROM_ENV,
  createE2E,
  type E2E,
  type Receivers,
  readAuditLog,
  SECRETS,
  startReceivers,
} from './kit';

const ATTACKERS = ['203.0.113.10', '203.0.113.20', '203.0.113.30'];

/** 20 failed root logins from each attacker on web-a within a minute, then a sudo attempt. */
function attackLog(): string {
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) {
    ATTACKERS.forEach((ip, k) => {
      const ss = String(i * 3 + k).padStart(2, '0');
      lines.push(
        `Jan 10 03:00:${ss} web-a sshd[${4000 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2`,
      );
    });
  }
  lines.push(
    'Jan 10 03:01:00 web-a sudo:  mallory : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/mallory ; USER=root ; COMMAND=/bin/bash',
  );
  return `${lines.join('\n')}\n`;
}

let rx: Receivers;
let e2e: E2E;

beforeAll(async () => {
  rx = await startReceivers();
  e2e = createE2E('notify', { extra: ALERTS_FROM_ENV, env: rx.env });
  await ingestAuthLines('auth.log', attackLog());
});

/** Writes raw auth.log lines to a file and ingests them with the last line shifted to now. */
async function ingestAuthLines(name: string, text: string): Promise<void> {
  const file = path.join(e2e.dir, name);
  fs.writeFileSync(file, text);
  const index = `${e2e.prefix}-auth`;
  const res = await e2e.vigil([
    'ingest',
    file,
    '--type',
    'auth',
    '--index',
    index,
    '--timezone',
    'UTC',
    '--shift-to-now',
  ]);
  expect(res.code).toBe(0);
  await e2e.client.indices.refresh({ index });
}

afterAll(async () => {
  await e2e?.cleanup();
  await rx?.close();
});

interface OutboxRow {
  id: string;
  channel: string;
  status: string;
  attempts: number;
  alertIds: string[];
  lastError?: string;
}

async function outbox(...args: string[]): Promise<OutboxRow[]> {
  const res = await e2e.vigil(['outbox', '--format', 'json', ...args]);
  expect(res.code).toBe(0);
  return jsonLines(res.stdout) as unknown as OutboxRow[];
}

const scan = () => e2e.vigil(['scan', '--duration', '10', '--format', 'json']);

describe('an attack in the real cluster, delivered through the outbox', () => {
  let alertIds: string[];
  let pending: OutboxRow;

  it('exits 4 while the SMTP server is down and keeps the digest pending in the outbox', async () => {
    await rx.smtp.close();
    const res = await scan();
    expect(res.code).toBe(4);
    const findings = jsonLines(res.stdout);
    const byRule = (rule: string) => findings.filter((f) => f.rule === rule);
    expect(
      byRule('ssh_bruteforce')
        .map((f) => (f.entity as Record<string, string>)['source.ip'])
        .sort(),
    ).toEqual(ATTACKERS);
    expect(byRule('sudo_misuse').map((f) => f.entity)).toEqual([{ 'user.name': 'mallory' }]);
    expect(byRule('login_failure_rate').map((f) => f.entity)).toEqual([{ 'host.hostname': 'web-a' }]);
    expect(findings.length).toBeGreaterThanOrEqual(5);
    expect(findings.every((f) => f.status === 'new')).toBe(true);
    alertIds = findings.map((f) => f.id as string);

    const deliveryLines = res.stderr.split('\n').filter((l) => l.startsWith('delivery:'));
    expect(deliveryLines).toEqual([
      expect.stringMatching(
        /^delivery: email channel email: connection failed .*ECONNREFUSED.* \(outbox entry [0-9a-f]{32}: retried by the next scan\)$/,
      ),
    ]);
    expect(res.stderr).toContain('vigil: some alerts could not be delivered; they stay in the outbox');

    const rows = await outbox();
    expect(rows).toEqual([expect.objectContaining({ channel: 'email', status: 'pending', attempts: 1 })]);
    pending = rows[0];
    expect([...pending.alertIds].sort()).toEqual([...alertIds].sort());
    expect(pending.lastError).toMatch(/ECONNREFUSED/);
    // Slack (high and above) and the webhook (everything) were not held up by the email channel
    expect(rx.slack.requests).toHaveLength(1);
    expect(rx.hook.requests).toHaveLength(1);
    expect(rx.smtp.mails).toHaveLength(0);
  });

  it('delivers the pending digest once the server is back: ONE email with every finding', async () => {
    await rx.restartSmtp();
    const res = await scan();
    expect(res.code).toBe(0);
    expect(jsonLines(res.stdout).every((f) => f.status === 'suppressed')).toBe(true);
    expect(rx.smtp.mails).toHaveLength(1);

    const mail = rx.smtp.mails[0];
    expect(mail.secure).toBe(true); // STARTTLS
    expect(mail.user).toBe(SECRETS.smtpUser);
    expect(mail.rcptTo.sort()).toEqual(['oncall@example.com', 'soc@example.com']);
    expect(mail.parsed.subject).toMatch(
      /^\[vigil\]\[HIGH\] SSH brute force from 3 sources( \(off-hours\))? – web-a \(\+3 more\)$/,
    );
    expect(mail.parsed.messageId).toBe(messageIdFor(alertIds));
    expect(mail.parsed.headers.get('x-vigil-delivery')).toBe(pending.id);
    const text = mail.parsed.text ?? '';
    const html = String(mail.parsed.html);
    for (const part of [text, html]) {
      for (const ip of ATTACKERS) expect(part).toContain(ip);
      expect(part).toContain('mallory');
      expect(part).toContain('High login failure rate');
      for (const id of alertIds) expect(part).toContain(id);
    }
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(text).toMatch(/== HIGH: SSH brute force \(ssh_bruteforce\)/);

    expect(await outbox('--status', 'pending')).toEqual([]);
    expect(await outbox('--status', 'dead')).toEqual([]);
  });

  it('sends nothing new on a further run', async () => {
    const res = await scan();
    expect(res.code).toBe(0);
    expect(jsonLines(res.stdout).every((f) => f.status === 'suppressed')).toBe(true);
    expect(rx.smtp.mails).toHaveLength(1);
    expect(rx.slack.requests).toHaveLength(1);
    expect(rx.hook.requests).toHaveLength(1);
  });

  it('sent Slack the high findings and the webhook every finding, signed', () => {
    const slack = rx.slack.requests[0].json as { text: string; blocks: { type: string }[] };
    expect(slack.text).toMatch(/^\[vigil\]\[HIGH\] SSH brute force from 3 sources/);
    const slackText = JSON.stringify(slack.blocks);
    for (const ip of ATTACKERS) expect(slackText).toContain(ip);
    expect(slackText).toContain('mallory');
    expect(slackText).not.toContain('High login failure rate'); // medium: below Slack's min_severity

    const hook = rx.hook.requests[0];
    const expected = `sha256=${createHmac('sha256', SECRETS.webhookSecret).update(hook.raw).digest('hex')}`;
    expect(hook.headers['x-vigil-signature']).toBe(expected);
    const payload = hook.json as WebhookPayload;
    expect(hook.headers['x-vigil-delivery']).toBe(payload.delivery_id);
    expect(payload.test).toBe(false);
    expect(payload.alerts.map((a) => a.id).sort()).toEqual([...alertIds].sort());
  });

  it('marks a digest the webhook rejects (400) dead with the reason in the audit log; outbox retry requeues it', async () => {
    const ip = '203.0.113.40';
    const lines = Array.from(
      { length: 20 },
      (_, i) =>
        `Jan 10 04:00:${String(i * 2).padStart(2, '0')} web-a sshd[5000]: Failed password for admin from ${ip} port ${41000 + i} ssh2`,
    );
    await ingestAuthLines('auth-2.log', `${lines.join('\n')}\n`);
    const before = { mails: rx.smtp.mails.length, hook: rx.hook.requests.length };

    rx.hook.respondWith(400);
    const res = await scan().finally(() => rx.hook.respondWith(200));
    expect(res.code).toBe(4);
    const fresh = jsonLines(res.stdout).filter((f) => f.status === 'new');
    expect(fresh.map((f) => f.entity)).toEqual([{ 'source.ip': ip }]);
    expect(res.stderr).toMatch(
      /^delivery: permanent failure: webhook channel webhook .*HTTP 400.* \(outbox entry [0-9a-f]{32}: dead; see vigil outbox\)$/m,
    );
    expect(rx.smtp.mails).toHaveLength(before.mails + 1); // the other channels got the new finding
    const [dead] = await outbox('--status', 'dead');
    expect(dead).toMatchObject({ channel: 'webhook', status: 'dead', alertIds: [fresh[0].id] });
    const reasons = readAuditLog(e2e.logDir).filter((r) => r.outbox_id === dead.id && r.level === 'error');
    expect(reasons).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^permanent failure: .*HTTP 400/) }),
    ]);

    const retry = await e2e.vigil(['outbox', 'retry', dead.id]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(
      new RegExp(`^requeued outbox entry ${dead.id} \\(channel webhook, 1 alert\\)`),
    );
    expect((await scan()).code).toBe(0);
    expect(rx.hook.requests).toHaveLength(before.hook + 2); // the 400, then the delivery
    expect((rx.hook.requests.at(-1)!.json as WebhookPayload).alerts.map((a) => a.id)).toEqual([fresh[0].id]);
    expect(await outbox()).toEqual([]);
    expect(rx.smtp.mails).toHaveLength(before.mails + 1);
  });
});

describe('vigil test-alert', () => {
  it.each(['email', 'slack', 'webhook'])('sends a marked test message through %s', async (channel) => {
    const before = {
      mails: rx.smtp.mails.length,
      slack: rx.slack.requests.length,
      hook: rx.hook.requests.length,
    };
    const res = await e2e.vigil(['test-alert', '--channel', channel]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toBe(`test message sent through ${channel} channel ${channel}\n`);
    if (channel === 'email') {
      expect(rx.smtp.mails).toHaveLength(before.mails + 1);
      expect(rx.smtp.mails.at(-1)?.parsed.subject).toBe('[vigil][TEST] vigil test alert');
    } else if (channel === 'slack') {
      expect(rx.slack.requests).toHaveLength(before.slack + 1);
      expect((rx.slack.requests.at(-1)!.json as { text: string }).text).toMatch(/^\[vigil\]\[TEST\] /);
    } else {
      expect(rx.hook.requests).toHaveLength(before.hook + 1);
      expect((rx.hook.requests.at(-1)!.json as WebhookPayload).test).toBe(true);
    }
  });

  /** exit 4 and exactly one line on stderr, naming the channel */
  async function expectCleanFailure(channel: string, env: Record<string, string>, reason: RegExp) {
    const res = await e2e.vigil(['test-alert', '--channel', channel], env);
    expect(res.code).toBe(4);
    expect(res.stdout).toBe('');
    const lines = res.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^vigil: ${channel} channel ${channel}\\b.*${reason.source}`));
  }

  it('fails with one line and exit 4 when a receiver is down', async () => {
    const port = await freePort();
    await expectCleanFailure('email', { SMTP_PORT: String(port) }, /ECONNREFUSED/);
    await expectCleanFailure(
      'slack',
      { SLACK_WEBHOOK_URL: `http://127.0.0.1:${port}/services/T0E2E/B0E2E/${SECRETS.slackToken}` },
      /connection refused/,
    );
    await expectCleanFailure(
      'webhook',
      { ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/vigil` },
      /connection refused/,
    );
  });

  it('fails with one line and exit 4 when a receiver rejects', async () => {
    await expectCleanFailure('email', { SMTP_PASSWORD: `${SECRETS.smtpPassword}-wrong` }, /535/);
    const rejecting = await startSmtp({ kind: 'reject', code: 550, message: '5.7.1 relaying denied' });
    try {
      await expectCleanFailure(
        'email',
        {
          SMTP_PORT: String(rejecting.port),
          SMTP_REQUIRE_TLS: 'false',
          SMTP_USERNAME: '',
          SMTP_PASSWORD: '',
        },
        /550/,
      );
    } finally {
      await rejecting.close();
    }
    rx.slack.respondWith(400);
    rx.hook.respondWith(500);
    try {
      await expectCleanFailure('slack', {}, /HTTP 400/);
      await expectCleanFailure('webhook', {}, /HTTP 500/);
    } finally {
      rx.slack.respondWith(200);
      rx.hook.respondWith(200);
    }
  });
});

describe('the shipped config.yaml, configured by the environment alone', () => {
  let shipped: E2E;
  beforeAll(() => {
    // the operator's own CA for a private SMTP server, through Node's standard variable
    shipped = createE2E('shipped', {
      configFile: path.join(REPO, 'config.yaml'),
      env: { ...rx.env, SMTP_CA_FILE: undefined, NODE_EXTRA_CA_CERTS: rx.cert.certFile },
    });
  });
  afterAll(() => shipped.cleanup());

  it('validates and sends a test alert through each channel with STARTTLS and AUTH', async () => {
    expect((await shipped.vigil(['validate'])).code).toBe(0);
    const mails = rx.smtp.mails.length;
    for (const channel of ['email', 'slack', 'webhook']) {
      const res = await shipped.vigil(['test-alert', '--channel', channel]);
      expect(res).toMatchObject({
        code: 0,
        stdout: `test message sent through ${channel} channel ${channel}\n`,
      });
    }
    expect(rx.smtp.mails).toHaveLength(mails + 1);
    expect(rx.smtp.mails.at(-1)).toMatchObject({ secure: true, user: SECRETS.smtpUser });
    expect(rx.smtp.mails.at(-1)?.rcptTo.sort()).toEqual(['oncall@example.com', 'soc@example.com']);
  });

  it('says which variable is missing when a channel is not set up', async () => {
    const res = await shipped.vigil(['test-alert', '--channel', 'email'], { SMTP_HOST: undefined });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('vigil: channel email has no host (SMTP_HOST); set alerts.channels.email.host\n');
    const invalid = await shipped.vigil(['validate'], { ALERT_EMAIL_TO: undefined });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(
      'alerts.channels.email.to: at least one recipient is required (set ALERT_EMAIL_TO)',
    );
  });

  it('keeps the secrets out of its audit log', () => {
    expect(fs.readdirSync(shipped.logDir).length).toBeGreaterThan(0);
    expect(shipped.secretsInAuditLog()).toEqual([]);
  });
});

describe('secrets', () => {
  it('never reach the audit log (stdout and stderr are checked on every run)', () => {
    expect(fs.readdirSync(e2e.logDir).length).toBeGreaterThan(0);
    expect(e2e.secretsInAuditLog()).toEqual([]);
  });
});
