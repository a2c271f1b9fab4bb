/**
 * `vigil report` over a week of real documents in a real cluster: alerts come from a real
 * `vigil scan` replay, the report is rendered in headless Chromium, and the email goes to a real
 * SMTP server.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, sshFailures, sudoEvent, testClient, webRequest } from '../../helpers/ecs';
import { type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import { baseConfig, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { measureCharts } from './chromium';

const DAY = 86_400_000;
const HOSTILE_USER = '<script>alert(1)</script>';
const tag = `it-report-${process.pid}`;

describe('vigil report --days 7', () => {
  let client: Client;
  let smtp: SmtpReceiver;
  let dir: string;
  let config: string;
  let htmlFile: string;
  let reportRun: Awaited<ReturnType<typeof runVigil>>;

  beforeAll(async () => {
    client = testClient();
    smtp = await startSmtp({ kind: 'plain' });
    dir = tempDir('vigil-report-');
    const auth = `${tag}-auth`;
    const web = `${tag}-web`;
    await createEcsIndex(client, auth);
    await createEcsIndex(client, web);
    const now = Date.now();
    const docs: Record<string, unknown>[] = [];
    // 203.0.113.7 was already seen 20 days ago: busy this week, but not new
    docs.push(...sshFailures('203.0.113.7', 3, now - 20 * DAY, 60_000));
    for (let d = 1; d <= 5; d++)
      docs.push(...sshFailures('203.0.113.7', 20 + d * 4, now - d * DAY - 2 * 3_600_000, 90_000));
    docs.push(...sshFailures('198.51.100.99', 40, now - 20 * 60_000, 60_000));
    docs.push(sudoEvent(HOSTILE_USER, now - 3 * DAY, '/bin/cat /etc/shadow', 'user NOT in sudoers'));
    docs.push(sudoEvent('mallory', now - 2 * DAY, '/usr/bin/passwd root', '3 incorrect password attempts'));
    await indexDocs(client, auth, docs);
    const requests: Record<string, unknown>[] = [];
    for (let d = 0; d <= 5; d++)
      for (let i = 0; i < 30; i++)
        requests.push(
          webRequest('192.0.2.5', now - d * DAY - 3 * 3_600_000 + i * 1000, i % 10 === 0 ? 404 : 200),
        );
    await indexDocs(client, web, requests);

    config = writeConfig(
      dir,
      baseConfig({
        auth: [auth],
        web: [web],
        stateIndex: `${tag}-state`,
        logDir: path.join(dir, 'logs'),
        extra: `alerts:
  channels:
    email: { type: email, host: 127.0.0.1, port: ${smtp.port}, require_tls: false, min_severity: low, from: vigil@example.com, to: soc@example.com }
`,
      }),
    );
    // a week of alerts, as scan/monitor would have written them (mailed as digests too)
    const scan = await runVigil([
      'scan',
      '--config',
      config,
      '--from',
      new Date(now - 7 * DAY).toISOString(),
      '--to',
      new Date(now).toISOString(),
      '--format',
      'json',
    ]);
    expect(scan.stderr).toContain('findings');
    expect(scan.code).toBe(0);
    smtp.mails.length = 0;
    htmlFile = path.join(dir, 'out', 'report.html');
    reportRun = await runVigil([
      'report',
      '--config',
      config,
      '--days',
      '7',
      '--out',
      htmlFile,
      '--email',
      'email',
    ]);
  });

  afterAll(async () => {
    await smtp?.close();
    await client?.indices.delete({ index: `${tag}-*`, ignore_unavailable: true, allow_no_indices: true });
    await client?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('writes the HTML file and names it on stdout', () => {
    expect(reportRun.stderr).not.toContain('warning');
    expect(reportRun.code).toBe(0);
    expect(reportRun.stdout.trim()).toBe(htmlFile);
    expect(reportRun.stderr).toMatch(/report \d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d: \d+ alerts/);
  });

  test('the HTML works offline and carries no script, even with a hostile user name in the data', () => {
    const html = fs.readFileSync(htmlFile, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(?:src|href)="https?:/);
    expect(html).not.toContain(HOSTILE_USER);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  test('Chromium renders every chart with visible marks', async () => {
    const charts = await measureCharts(htmlFile);
    expect(charts.map((c) => c.id)).toEqual([
      'alerts-by-day',
      'volume-vs-baseline',
      'top-source-ips',
      'top-users',
      'business-vs-off-hours',
      'failures-by-type',
    ]);
    for (const c of charts) {
      expect({ id: c.id, visible: c.width > 100 && c.height > 100 }).toEqual({ id: c.id, visible: true });
      expect({ id: c.id, hasMarks: c.marks > 0 }).toEqual({ id: c.id, hasMarks: true });
    }
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(byId['top-source-ips'].texts).toEqual(
      expect.arrayContaining(['203.0.113.7', '198.51.100.99', '192.0.2.5']),
    );
    // the hostile name is drawn as text, not run
    expect(byId['top-users'].texts).toContain(HOSTILE_USER);
    expect(byId['volume-vs-baseline'].texts).toEqual(
      expect.arrayContaining(['ssh_bruteforce', 'sudo_misuse']),
    );
    expect(byId['alerts-by-day'].marks).toBeGreaterThanOrEqual(5);
  });

  test('failures by type: action × outcome × dataset with counts and latest messages; the anomaly section is there', () => {
    const html = fs.readFileSync(htmlFile, 'utf8');
    const section = html.slice(
      html.indexOf('<h2>Failures by type</h2>'),
      html.indexOf('<h2>Anomaly alerts</h2>'),
    );
    // 200 SSH failures this week (the 3 of 20 days ago are outside it), 18 web 404s without an action
    expect(section).toContain('<td>ssh_login</td><td>failure</td><td>system.auth</td><td class="n">200</td>');
    expect(section).toContain('<td>(none)</td><td>failure</td><td>nginx.access</td><td class="n">18</td>');
    expect(html).toContain('<h2>Anomaly alerts</h2>');
    expect(html).toContain('No anomaly alerts in this period.');
    const text = String(smtp.mails[0]?.parsed.text ?? '');
    expect(text).toContain('ssh_login / failure / system.auth: 200');
  });

  test('new entities: the IP first seen this week is listed, the one seen 20 days ago is not', () => {
    const html = fs.readFileSync(htmlFile, 'utf8');
    const section = html.slice(html.indexOf('<h2>New this week</h2>'), html.indexOf('<h2>Rules</h2>'));
    expect(section).toContain('198.51.100.99');
    expect(section).not.toContain('203.0.113.7');
  });

  test('mails one report with the charts as PNG images referenced by Content-ID', () => {
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0].parsed;
    expect(mail.subject).toMatch(/^\[vigil\] vigil security report \d{4}-\d\d-\d\d/);
    const images = mail.attachments.filter((a) => a.contentType === 'image/png');
    expect(images.map((a) => a.filename).sort()).toEqual([
      'alerts-by-day.png',
      'business-vs-off-hours.png',
      'failures-by-type.png',
      'top-source-ips.png',
      'top-users.png',
      'volume-vs-baseline.png',
    ]);
    for (const img of images) {
      expect(img.content.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(img.content.readUInt32BE(16)).toBeGreaterThan(200); // IHDR width
    }
    // mailparser resolves every cid: reference that matches an attachment into a data: URL
    expect(String(mail.html).match(/<img src="data:image\/png;base64,/g)).toHaveLength(6);
    expect(String(mail.html)).not.toMatch(/<svg|cid:/);
    expect(mail.text).toContain('203.0.113.7');
    expect(mail.attachments.some((a) => a.filename === 'vigil-report.html')).toBe(true);
  });

  test('--email names a channel that does not exist: exit 2 with the channels there are', async () => {
    const r = await runVigil(['report', '--config', config, '--days', '7', '--email', 'pager']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--email pager: no email channel of that name under alerts.channels (email channels: email)',
    );
  });
});
