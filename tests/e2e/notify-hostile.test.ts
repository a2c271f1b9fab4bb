/**
 * Log content is attacker-controlled. Hostile values indexed as ECS documents in the real cluster
 * (a user name carrying `\r\nBcc:`, `<script>` in a URL, a 10 KB field, a right-to-left override)
 * go through `vigil scan` to a real SMTP server, Slack and a webhook: no header injection, HTML
 * escaped, every field bounded, nothing that reorders text on screen.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import type { WebhookPayload } from '../../src/notify/webhook-payload';
import { createEcsIndex, indexDocs, sshFailures, sudoEvent, webRequest } from '../helpers/ecs';
import { jsonLines } from '../helpers/vigil-cli';
import { ALERTS_FROM_ENV, createE2E, type E2E, type Receivers, SECRETS, startReceivers } from './kit';

const INJECTED_USER = 'mallory\r\nBcc: evil@example.com';
const RLO = '\u202e';
const RTL_HOST = `web-${RLO}gpj.exe`;
const SCRIPT_URL = '/search?q=<script>alert(document.cookie)</script>';
const BIG = 'X'.repeat(10 * 1024);
/** how a capped 10 KB field could still show up: any run this long means it was not capped */
const BIG_RUN = 'X'.repeat(600);
const ATTACKER = '198.51.100.66';
/** reaches Slack too (sudo_misuse is high): a mention and markup Slack must not act on */
const SUDO_COMMAND = `/bin/cat <!channel> <script>x</script> ${BIG}`;

let rx: Receivers;
let e2e: E2E;

beforeAll(async () => {
  rx = await startReceivers();
  e2e = createE2E('hostile', { extra: ALERTS_FROM_ENV, env: rx.env });
  const now = Date.now();
  const auth = `${e2e.prefix}-auth`;
  const web = `${e2e.prefix}-web`;
  await createEcsIndex(e2e.client, auth);
  await createEcsIndex(e2e.client, web);
  await indexDocs(e2e.client, auth, [
    {
      ...sudoEvent(INJECTED_USER, now - 90_000, SUDO_COMMAND, 'user NOT in sudoers'),
      host: { hostname: RTL_HOST },
    },
    // below every SSH threshold: the sudo finding is the digest's headline, so the user name is in the Subject
    ...sshFailures('192.0.2.7', 5, now - 120_000, 60_000, {
      user: { name: INJECTED_USER },
      host: { hostname: RTL_HOST },
    }),
  ]);
  await indexDocs(
    e2e.client,
    web,
    Array.from({ length: 40 }, (_, i) => ({
      ...webRequest(ATTACKER, now - 80_000 + i * 1000, 404, 512, RTL_HOST, SCRIPT_URL),
      user_agent: { original: `<img src=x onerror=alert(1)>${BIG}` },
    })),
  );
});

afterAll(async () => {
  await e2e?.cleanup();
  await rx?.close();
});

/** Every string in a JSON value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

describe('hostile log content through scan to every channel', () => {
  let ids: string[];

  it('scan finds the hostile user and the scanner, and delivers them', async () => {
    const res = await e2e.vigil(['scan', '--duration', '10', '--format', 'json']);
    expect(res.code).toBe(0);
    const findings = jsonLines(res.stdout);
    const rules = findings.map((f) => f.rule);
    expect(rules.sort()).toEqual(['http_404_spike', 'sudo_misuse']);
    expect(findings.find((f) => f.rule === 'sudo_misuse')?.entity).toEqual({ 'user.name': INJECTED_USER });
    ids = findings.map((f) => f.id as string);
    expect(rx.smtp.mails).toHaveLength(1);
    expect(rx.slack.requests).toHaveLength(1);
    expect(rx.hook.requests).toHaveLength(1);
  });

  it('email: no injected header or recipient, escaped HTML, bounded fields, no bidi override', () => {
    const mail = rx.smtp.mails[0];
    expect(mail.rcptTo.sort()).toEqual(['oncall@example.com', 'soc@example.com']);
    const raw = mail.raw.toString('utf8');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).not.toMatch(/^bcc:/im);
    expect(head).not.toContain('evil@example.com');
    expect(mail.parsed.bcc).toBeUndefined();
    expect(mail.parsed.cc).toBeUndefined();

    const subject = mail.parsed.subject ?? '';
    expect(subject).not.toMatch(/[\r\n\u202a-\u202e\u2066-\u2069]/);
    expect(subject.length).toBeLessThanOrEqual(160);
    // the hostile name stays inside the Subject, on one line; the host without the override that reverses it
    expect(subject).toMatch(
      /^\[vigil\]\[HIGH\] sudo misuse from mallory Bcc: evil@example\.com( \(off-hours\))? – web-gpj\.exe \(\+1 more\)$/,
    );
    expect([...mail.parsed.headers.keys()]).not.toContain('bcc');

    const html = String(mail.parsed.html);
    const text = mail.parsed.text ?? '';
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;');
    for (const part of [html, text, subject]) {
      expect(part).not.toContain(RLO);
      expect(part).not.toContain(BIG_RUN);
      expect(part).not.toContain('\r');
    }
    for (const id of ids) expect(text).toContain(id);
    expect(mail.raw.length).toBeLessThan(200 * 1024);
  });

  it('Slack: escaped mrkdwn, no bidi override, blocks within Slack limits', () => {
    const req = rx.slack.requests[0];
    const msg = req.json as { text: string; blocks: { type: string; text?: { text: string } }[] };
    const all = strings(msg);
    expect(all.join('\n')).not.toMatch(/<script|<img|<!channel>/i);
    expect(all.join('\n')).toContain('&lt;!channel&gt; &lt;script&gt;');
    for (const s of all) {
      expect(s).not.toContain(RLO);
      expect(s).not.toContain(BIG_RUN);
      expect(s).not.toContain('\r');
      expect(s.length).toBeLessThanOrEqual(3000);
    }
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    expect(req.raw.length).toBeLessThan(100 * 1024);
  });

  it('webhook: signed JSON whose every string is bounded and free of CR and bidi overrides', () => {
    const req = rx.hook.requests[0];
    const signature = `sha256=${createHmac('sha256', SECRETS.webhookSecret).update(req.raw).digest('hex')}`;
    expect(req.headers['x-vigil-signature']).toBe(signature);
    const payload = req.json as WebhookPayload;
    expect(payload.alerts.map((a) => a.id).sort()).toEqual([...ids].sort());
    const sudo = payload.alerts.find((a) => a.rule === 'sudo_misuse');
    expect(sudo?.entity['user.name']).toBe('mallory\nBcc: evil@example.com'); // data, not a header: CR dropped
    for (const s of strings(payload)) {
      expect(s).not.toContain(RLO);
      expect(s).not.toContain('\r');
      expect(s.length).toBeLessThanOrEqual(2000);
    }
    expect(req.raw.length).toBeLessThan(200 * 1024);
  });

  it('the terminal table shows neither control characters nor the override', async () => {
    const res = await e2e.vigil(['scan', '--duration', '10', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('sudo_misuse');
    expect(res.stdout).not.toMatch(/[\r\u001b\u202a-\u202e\u2066-\u2069]/);
    expect(res.stdout).not.toContain(BIG_RUN);
  });
});

describe('secrets', () => {
  it('never reach the audit log (stdout and stderr are checked on every run)', () => {
    expect(fs.readdirSync(e2e.logDir).length).toBeGreaterThan(0);
    expect(e2e.secretsInAuditLog()).toEqual([]);
  });
});
