import fs from 'node:fs';
import { inspect } from 'node:util';
import { DeliveryError } from '../../../src/errors';
import type { EmailChannelConfig } from '../../../src/notify/channel-schema';
import { createDigest } from '../../../src/notify/digest';
import { createEmailSender } from '../../../src/notify/email-channel';
import { makeSelfSignedCert, type SelfSigned, type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import { makeAlert, threeSources } from '../../unit/notify/alert-fixtures';
import { alertsConfig, loopbackEmail, memoryLogger } from './test-kit';

function emailConfig(port: number, extra: Record<string, unknown> = {}): EmailChannelConfig {
  const cfg = alertsConfig({
    channels: {
      email: loopbackEmail(port, {
        to: ['soc@example.com', 'oncall@example.com'],
        cc: 'lead@example.com',
        ...extra,
      }),
    },
  }).channels.email;
  if (cfg.type !== 'email') throw new Error('expected an email channel');
  return cfg;
}

async function sendAndCatch(send: () => Promise<void>): Promise<DeliveryError> {
  try {
    await send();
  } catch (e) {
    if (e instanceof DeliveryError) return e;
    throw e;
  }
  throw new Error('expected the send to fail');
}

describe('email channel against a real SMTP server (plain)', () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    smtp = await startSmtp({ kind: 'plain' });
  });
  afterAll(() => smtp.close());

  it('sends one digest with every finding, both parts and a stable Message-ID across a resend', async () => {
    const logger = memoryLogger();
    const sender = createEmailSender('email', emailConfig(smtp.port), {
      logger,
      kibanaUrl: 'https://kibana.example.com',
    });
    const digest = createDigest('email', threeSources());
    await sender.send(digest);
    await sender.send(createDigest('email', [...threeSources()].reverse()));
    sender.close();

    expect(smtp.mails).toHaveLength(2);
    const [first, resend] = smtp.mails;
    const m = first.parsed;
    expect(m.subject).toBe('[vigil][HIGH] SSH brute force from 3 sources (off-hours) – host-a');
    expect(m.from?.text).toBe('vigil@example.com');
    expect(m.headers.get('to')).toMatchObject({ text: 'soc@example.com, oncall@example.com' });
    expect(m.headers.get('cc')).toMatchObject({ text: 'lead@example.com' });
    expect(first.rcptTo.sort()).toEqual(['lead@example.com', 'oncall@example.com', 'soc@example.com']);
    expect(m.messageId).toMatch(/^<[0-9a-f]{40}@vigil>$/);
    expect(resend.parsed.messageId).toBe(m.messageId);
    expect(m.headers.get('x-vigil-delivery')).toBe(digest.id);
    expect(m.headers.get('auto-submitted')).toBe('auto-generated');

    // both parts, each with all three findings
    expect(typeof m.html).toBe('string');
    for (const ip of ['203.0.113.5', '198.51.100.7', '192.0.2.44']) {
      expect(m.html).toContain(ip);
      expect(m.text).toContain(ip);
    }
    expect(m.text).toContain('Window:    2024-03-10 01:50 – 03:00 EST/EDT (America/New_York)');
    expect(m.text).toContain('What to do: Block the source at the firewall');
    expect(m.html).toContain('Open in Kibana Discover');
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('keeps hostile log content out of the headers, escapes it in HTML and bounds the size', async () => {
    const before = smtp.mails.length;
    const sender = createEmailSender('email', emailConfig(smtp.port), { logger: memoryLogger() });
    const hostile = makeAlert({
      id: 'hostile-1',
      entity: { 'user.name': 'bob\r\nBcc: evil@example.com' },
      description: 'D'.repeat(10_240),
      samples: [
        {
          'url.original': '/login?next=<script>alert(document.cookie)</script>',
          'user_agent.original': 'Mozilla/5.0 \u202Egnp.exe 🚨 админ',
          'http.request.body.content': 'x'.repeat(10_240),
        },
      ],
    });
    await sender.send(createDigest('email', [hostile]));
    sender.close();

    const mail = smtp.mails[before];
    expect(mail.rcptTo.sort()).toEqual(['lead@example.com', 'oncall@example.com', 'soc@example.com']);
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    expect(mail.raw.toString('utf8')).not.toMatch(/^Bcc:/im);
    expect(mail.parsed.subject).toBe(
      '[vigil][HIGH] SSH brute force from bob Bcc: evil@example.com (off-hours)',
    );
    expect(mail.parsed.html).not.toMatch(/<script/i);
    expect(mail.parsed.html).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
    expect(mail.parsed.html).toContain('gnp.exe 🚨 админ');
    expect(`${mail.parsed.html}${mail.parsed.text}`).not.toMatch(/[\u202A-\u202E]/);
    expect(mail.parsed.text).not.toContain('x'.repeat(513));
    expect(mail.parsed.text).not.toContain('D'.repeat(2001));
    expect(mail.raw.length).toBeLessThan(40_000);
  });

  it('refuses to send without TLS when require_tls is on and the server has no STARTTLS', async () => {
    const sender = createEmailSender('email', emailConfig(smtp.port, { require_tls: true }), {
      logger: memoryLogger(),
    });
    const err = await sendAndCatch(() => sender.send(createDigest('email', [makeAlert()])));
    sender.close();
    expect(err.message).toMatch(/^email channel email: .*STARTTLS/);
    expect(err.message).toContain('require_tls: false');
  });
});

describe('email channel with STARTTLS, a self-signed certificate and AUTH', () => {
  let cert: SelfSigned;
  let smtp: SmtpReceiver;
  const password = 'correct horse battery staple';
  beforeAll(async () => {
    cert = makeSelfSignedCert();
    smtp = await startSmtp({ kind: 'starttls', cert, user: 'bob', password });
  });
  afterAll(async () => {
    await smtp.close();
    fs.rmSync(cert.dir, { recursive: true, force: true });
  });

  const tlsConfig = (extra: Record<string, unknown>) =>
    emailConfig(smtp.port, {
      require_tls: true,
      username: 'bob',
      password,
      tls: { ca_file: cert.certFile },
      ...extra,
    });

  it('upgrades with STARTTLS, trusts the configured CA, logs in and delivers', async () => {
    const logger = memoryLogger();
    const sender = createEmailSender('email', tlsConfig({}), { logger });
    await sender.send(createDigest('email', threeSources()));
    sender.close();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].secure).toBe(true);
    expect(smtp.mails[0].user).toBe('bob');
    expect(smtp.mails[0].parsed.subject).toContain('SSH brute force from 3 sources');
    expect(logger.lines).toEqual([]);
  });

  it('rejects an untrusted certificate with a retryable, actionable message', async () => {
    const sender = createEmailSender('email', tlsConfig({ tls: { verify: true } }), {
      logger: memoryLogger(),
    });
    const err = await sendAndCatch(() => sender.send(createDigest('email', [makeAlert()])));
    sender.close();
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('tls.ca_file');
    expect(err.message).not.toContain(password);
  });

  it('warns when verify is false, and still delivers', async () => {
    const logger = memoryLogger();
    const sender = createEmailSender('email', tlsConfig({ tls: { verify: false } }), { logger });
    await sender.send(createDigest('email', [makeAlert({ id: 'verify-off' })]));
    sender.close();
    expect(logger.lines.map((l) => l.level)).toEqual(['warn']);
    expect(logger.lines[0].message).toContain('tls.verify is false');
    expect(smtp.mails.at(-1)?.parsed.text).toContain('203.0.113.5');
  });

  it('reports a wrong password as permanent without printing it', async () => {
    const wrong = 'hunter2-wrong-password';
    const sender = createEmailSender('email', tlsConfig({ password: wrong }), { logger: memoryLogger() });
    const err = await sendAndCatch(() => sender.send(createDigest('email', [makeAlert()])));
    sender.close();
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      /^email channel email: SMTP 535 at 127\.0\.0\.1:\d+: .*check username and password/,
    );
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(password);
    // nor in the cause chain (AUTH PLAIN carries base64 credentials)
    const everything = inspect(err, { depth: 10 });
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(Buffer.from(`\u0000bob\u0000${wrong}`).toString('base64'));
  });
});

describe('email channel against a server that rejects with 5xx', () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    smtp = await startSmtp({ kind: 'reject', code: 554, message: '5.7.1 Message rejected as spam' });
  });
  afterAll(() => smtp.close());

  it('fails permanently with the server reply', async () => {
    const sender = createEmailSender('email', emailConfig(smtp.port), { logger: memoryLogger() });
    const err = await sendAndCatch(() => sender.send(createDigest('email', [makeAlert()])));
    sender.close();
    expect(err.retryable).toBe(false);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(
      /^email channel email: SMTP 554 at 127\.0\.0\.1:\d+: .*Message rejected as spam$/,
    );
  });
});
