/**
 * Hostile log content through the whole chain, as raw log files: `vigil ingest` (auth.log and an
 * nginx access log with CRLF line ends) → `vigil scan` → email (STARTTLS + AUTH), Slack and a
 * signed webhook on real loopback receivers → `vigil report`. User names, URLs and user agents
 * carry CR/LF header injections, HTML and script, Slack mentions and mrkdwn, ANSI escapes,
 * right-to-left overrides, invalid UTF-8 and 100 KB values. Nothing crashes, nothing is injected
 * (mail headers, HTML, Slack, terminal), every output is bounded, and no configured secret (the
 * Elasticsearch password of the secured cluster, the SMTP password, the webhook secret, the
 * Slack URL token) shows up in any output, audit file or the report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../src/collect/client';
import {
  type HttpReceiver,
  makeSelfSignedCert,
  type SelfSigned,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtp,
} from '../helpers/receivers';
import { REPO, type RunResult, runVigil, tempDir } from '../helpers/vigil-cli';
import { deletePrefixed } from './kit/rules';
import { findSecrets } from './kit/scenario';

jest.setTimeout(240_000);

const SECRETS = {
  smtpPassword: 'hostile-Smtp-Pa55-Lq8',
  webhookSecret: 'hostile-hmac-9Xv1',
  slackToken: 'hostileSlackTok3n',
};
const RLO = '\u202e';
const ESC = '\u001b';
const BIG = 'A'.repeat(100 * 1024);
const SSH_ATTACKER = '203.0.113.77';
const WEB_ATTACKER = '198.51.100.23';
const INVALID_UTF8 = Buffer.from([0x61, 0x64, 0xc3, 0x28, 0xff, 0xfe, 0x6d]); // "ad\xC3(\xFF\xFEm"

const USERS = [
  '<script>alert(1)</script>',
  `admin${RLO}gpj.exe`,
  '*bold*_<!channel>_<@U123>',
  `${ESC}[31mred${ESC}[0m`,
];
const AGENTS = [
  // a raw CRLF ends the log line early (both halves are counted as unparsed, nothing crashes);
  // a bare CR stays inside the field; nginx itself would write the escaped form
  'Mozilla/5.0\r\nBcc: evil@example.com',
  'Mozilla/5.0\rBcc: evil@example.com',
  'Mozilla/5.0\\x0D\\x0ABcc: evil@example.com',
  `<img src=x onerror=alert(1)> ${RLO}evil`,
  `${ESC}]0;pwned${ESC}\\ ${ESC}[2J`,
  BIG,
  '<!here> *x* `code` ```block```',
];
const URLS = [
  '/login?next=<script>alert(document.cookie)</script>',
  '/a%0d%0aBcc:%20evil@example.com',
  `/${BIG}`,
  '/javascript:alert(1)',
];

/** auth.log: sshd failures with hostile user names (one of them with invalid UTF-8 bytes). */
function authLog(): Buffer {
  const lines: Buffer[] = [];
  for (let i = 0; i < 24; i++) {
    const ts = `Nov 21 10:00:${String(10 + i).padStart(2, '0')}`;
    const head = Buffer.from(`${ts} host-a sshd[${4000 + i}]: Failed password for invalid user `);
    const user = i % 5 === 4 ? INVALID_UTF8 : Buffer.from(USERS[i % 5 === 4 ? 0 : i % 4]);
    lines.push(head, user, Buffer.from(` from ${SSH_ATTACKER} port ${40000 + i} ssh2\n`));
  }
  return Buffer.concat(lines);
}

/** nginx access log with CRLF line ends: 401s from one address with hostile URLs and agents. */
function accessLog(): Buffer {
  const lines: Buffer[] = [];
  for (let i = 0; i < 30; i++) {
    const ts = `21/Nov/2026:10:00:${String(10 + i).padStart(2, '0')} +0000`;
    const agent =
      i === 7 ? Buffer.concat([Buffer.from('curl '), INVALID_UTF8]) : Buffer.from(AGENTS[i % AGENTS.length]);
    lines.push(
      Buffer.from(`${WEB_ATTACKER} - - [${ts}] "GET ${URLS[i % URLS.length]} HTTP/1.1" 401 12 "-" "`),
      agent,
      Buffer.from('"\r\n'),
    );
  }
  return Buffer.concat(lines);
}

const secureUrl = () => process.env.VIGIL_TEST_SECURE_URL;

let dir: string;
let prefix: string;
let cert: SelfSigned;
let smtp: SmtpReceiver;
let slack: HttpReceiver;
let hook: HttpReceiver;
let env: Record<string, string>;
const runs: RunResult[] = [];

async function vigil(args: string[]): Promise<RunResult> {
  const res = await runVigil(args, { env, cwd: dir });
  runs.push(res);
  return res;
}

beforeAll(async () => {
  if (!secureUrl())
    throw new Error(
      'the secured test cluster is missing (VIGIL_TEST_SECURE_URL): do not set VIGIL_TEST_NO_SECURE',
    );
  dir = tempDir('vigil-rel-hostile-');
  prefix = `rel-hostile-${process.pid}-${Date.now().toString(36)}`;
  cert = makeSelfSignedCert();
  smtp = await startSmtp({ kind: 'starttls', cert, user: 'hostile-mailer', password: SECRETS.smtpPassword });
  slack = await startHttpReceiver(`/services/T0REL/B0REL/${SECRETS.slackToken}`);
  hook = await startHttpReceiver('/hook');
  env = {
    ELASTICSEARCH_URL: secureUrl() as string,
    ELASTIC_USER: process.env.VIGIL_TEST_SECURE_USER as string,
    ELASTIC_PASSWORD: process.env.VIGIL_TEST_SECURE_PASSWORD as string,
    ELASTIC_CA_FILE: process.env.VIGIL_TEST_SECURE_CA as string,
    SMTP_PASSWORD: SECRETS.smtpPassword,
    SLACK_URL: slack.url,
    HOOK_SECRET: SECRETS.webhookSecret,
  };
  fs.writeFileSync(path.join(dir, 'auth.log'), authLog());
  fs.writeFileSync(path.join(dir, 'access.log'), accessLog());
  fs.writeFileSync(
    path.join(dir, 'config.yaml'),
    `elasticsearch:
  nodes: ["\${ELASTICSEARCH_URL}"]
  username: \${ELASTIC_USER}
  password: \${ELASTIC_PASSWORD}
  tls: { ca_file: "\${ELASTIC_CA_FILE}" }
  request_timeout: 30s
  max_retries: 1
sources:
  auth: { indices: [${prefix}-auth] }
  web: { indices: [${prefix}-web] }
  windows: { indices: [${prefix}-auth] }
calendar: { timezone: UTC }
schedule: { interval: 1m, query_delay: 0s }
rules: { dir: ${path.join(REPO, 'queries')} }
logging: { dir: ${path.join(dir, 'logs')}, level: debug }
state: { index: ${prefix}-state, alerts_index: ${prefix}-alerts }
alerts:
  outbox: { max_age: 1h, base_delay: 1ms, max_delay: 1ms }
  channels:
    email:
      type: email
      host: 127.0.0.1
      port: ${smtp.port}
      require_tls: true
      username: hostile-mailer
      password: \${SMTP_PASSWORD}
      tls: { ca_file: ${cert.certFile} }
      from: vigil@example.com
      to: soc@example.com
      timeout: 10s
    slack: { type: slack, min_severity: high, url: "\${SLACK_URL}", timeout: 5s }
    webhook: { type: webhook, url: "${hook.url}", secret: "\${HOOK_SECRET}", timeout: 5s }
`,
  );
});

afterAll(async () => {
  await Promise.all([smtp?.close(), slack?.close(), hook?.close()]);
  if (secureUrl() && prefix) {
    const c = new Client({
      ...ENGINE_NEUTRAL,
      node: secureUrl(),
      auth: { username: env.ELASTIC_USER, password: env.ELASTIC_PASSWORD },
      tls: { ca: fs.readFileSync(env.ELASTIC_CA_FILE) },
    });
    await deletePrefixed(c, prefix);
    await c.close();
  }
  if (cert) fs.rmSync(cert.dir, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** What a terminal would act on: escape sequences, bare CRs, direction overrides. */
function expectTerminalSafe(text: string) {
  expect(text).not.toContain(ESC);
  expect(text).not.toMatch(/\r/);
  expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
}

it('ingest → scan → email, Slack, webhook → report: no injection, bounded, no secret anywhere', async () => {
  const auth = await vigil([
    'ingest',
    'auth.log',
    '-t',
    'auth',
    '--index',
    `${prefix}-auth`,
    '--timezone',
    'UTC',
    '--shift-to-now',
  ]);
  expect(auth.stderr).not.toMatch(/\n\s+at /);
  expect(auth.code).toBe(0);
  const web = await vigil([
    'ingest',
    'access.log',
    '-t',
    'nginx',
    '--index',
    `${prefix}-web`,
    '--shift-to-now',
  ]);
  // the raw CRLF agents split lines into unparsed halves: the run says it is partial (exit 5)
  expect(web.stderr).toMatch(/unparsed lines/);
  expect(web.code).toBe(5);

  const scan = await vigil(['scan', '--config', 'config.yaml', '--duration', '15']);
  expect(scan.stderr).not.toMatch(/\n\s+at /);
  expect(scan.code).toBe(0);
  const fired = scan.stdout + scan.stderr;
  expect(fired).toMatch(/ssh_bruteforce/);
  expect(fired).toMatch(/http_401_spike/);

  // email: one message, no injected header, HTML escaped, bounded
  expect(smtp.mails.length).toBeGreaterThanOrEqual(1);
  for (const m of smtp.mails) {
    const raw = m.raw.toString('latin1');
    const headers = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(headers).not.toMatch(/^bcc:/im);
    expect(m.rcptTo).toEqual(['soc@example.com']);
    expect(m.parsed.subject ?? '').not.toMatch(/[\r\n]/);
    expect(m.raw.length).toBeLessThan(300 * 1024);
    const html = String(m.parsed.html || '');
    expect(html).not.toMatch(/<script|<img|onerror=/i);
    expect(html).toContain('&lt;script&gt;');
    for (const part of [html, m.parsed.text ?? '', m.parsed.subject ?? '']) {
      expect(part).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      expect(part).not.toContain(ESC);
      expect(part).not.toContain(BIG.slice(0, 2000));
    }
  }
  // Slack: no live mention, no raw markup, bounded
  expect(slack.requests.length).toBeGreaterThanOrEqual(1);
  for (const r of slack.requests) {
    const body = r.raw.toString('utf8');
    expect(r.raw.length).toBeLessThan(60 * 1024);
    expect(body).not.toMatch(/<!channel>|<!here>|<@U123>/);
    expect(body).not.toMatch(/<script|<img/i);
    expect(body).not.toMatch(/[\u202a-\u202e\u2066-\u2069]|\\u202e/i);
    expect(body).not.toContain(BIG.slice(0, 2000));
  }
  // webhook: signed JSON, every value bounded, no control characters that survive into consumers
  expect(hook.requests.length).toBeGreaterThanOrEqual(1);
  for (const r of hook.requests) {
    expect(r.json).toBeDefined();
    expect(r.headers['x-vigil-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(r.raw.length).toBeLessThan(200 * 1024);
    expect(r.raw.toString('utf8')).not.toContain(BIG.slice(0, 2000));
  }

  // the report: a self-contained HTML file without script, every value escaped, bounded
  const report = await vigil(['report', '--config', 'config.yaml', '--days', '1', '--out', 'report.html']);
  expect(report.stderr).not.toMatch(/\n\s+at /);
  expect(report.code).toBe(0);
  const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
  expect(html).not.toMatch(/<script|onerror=|<img src=x/i);
  expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  expect(html).not.toContain(BIG.slice(0, 2000));
  expect(html.length).toBeLessThan(5 * 1024 * 1024);

  // the terminal: nothing an attacker wrote can move the cursor, recolour or reorder the screen
  for (const r of runs) expectTerminalSafe(r.stdout + r.stderr);

  // secrets: 0 occurrences in every output, the audit log and the report
  const secrets = [SECRETS.smtpPassword, SECRETS.webhookSecret, SECRETS.slackToken, env.ELASTIC_PASSWORD];
  expect(
    findSecrets(secrets, [...runs.map((r) => r.stdout + r.stderr), html], path.join(dir, 'logs')),
  ).toEqual([]);
});
