/**
 * Issue 7 end to end, through the CLI as a user runs it: the real auth.log and apache_access.log
 * are ingested with --shift-to-now into the real cluster, `vigil scan` finds the SSH brute force
 * of 24.151.103.17 (and mails it) and nothing in the benign web log; malformed input is counted,
 * never fatal; a second ingest of the same file adds nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IngestSummary as Summary } from '../../src/ingest/summary';
import { jsonLines } from '../helpers/vigil-cli';
import { ALERTS_FROM_ENV, createE2E, type E2E, type Receivers, sharedFile, startReceivers } from './kit';

const AUTH_LOG = sharedFile('data', 'elastic-examples', 'auth.log');
const APACHE_LOG = sharedFile('data', 'elastic-examples', 'apache_access.log');
/** the last line of the 24.151.103.17 failure burst in auth.log */
const BURST_END = 'Mar 30 16:01:37';

let rx: Receivers;
let e2e: E2E;
let authIndex: string;
let webIndex: string;

beforeAll(async () => {
  rx = await startReceivers();
  e2e = createE2E('ingest', { extra: ALERTS_FROM_ENV, env: rx.env });
  authIndex = `${e2e.prefix}-auth`;
  webIndex = `${e2e.prefix}-web`;
});

afterAll(async () => {
  await e2e?.cleanup();
  await rx?.close();
});

/** Runs `vigil ingest --format json`; exit 0 when every line was indexed, 5 when some were not. */
async function ingest(args: string[], code = 0): Promise<Summary> {
  const res = await e2e.vigil(['ingest', ...args, '--format', 'json']);
  expect(res.stderr).not.toMatch(/error/i);
  expect(res.code).toBe(code);
  return JSON.parse(res.stdout.trim()) as Summary;
}

/** `vigil ingest` arguments that put the burst's last failure at now */
const ingestAuthLog = () => [
  AUTH_LOG,
  '--type',
  'auth',
  '--index',
  authIndex,
  '--timezone',
  'UTC',
  `--shift-to-now=${BURST_END}`,
];

async function count(index: string, query: object = { match_all: {} }): Promise<number> {
  await e2e.client.indices.refresh({ index });
  return (await e2e.client.count({ index, query })).count;
}

describe('vigil ingest → vigil scan on the real logs', () => {
  let authDocs: number;

  it('finds the SSH brute force of 24.151.103.17 in auth.log shifted to now, and mails it', async () => {
    const summary = await ingest(ingestAuthLog());
    expect(summary).toMatchObject({
      files: 1,
      linesRead: 7121,
      duplicates: 0,
      unparsedLines: 0,
      rejected: 0,
    });
    authDocs = summary.documentsIndexed;
    expect(await count(authIndex)).toBe(authDocs);

    const scan = await e2e.vigil(['scan', '--duration', '10', '--format', 'json']);
    expect(scan.code).toBe(0);
    const findings = jsonLines(scan.stdout);
    const brute = findings.filter((f) => f.rule === 'ssh_bruteforce');
    expect(brute).toEqual([
      expect.objectContaining({ entity: { 'source.ip': '24.151.103.17' }, severity: 'high', status: 'new' }),
    ]);
    expect(brute[0].value as number).toBeGreaterThanOrEqual(brute[0].threshold as number);
    // and it ended in an accepted login (elastic_user_0, 16:01:36): the brute force succeeded
    expect(findings.filter((f) => f.rule === 'ssh_bruteforce_success')).toEqual([
      expect.objectContaining({
        entity: { 'source.ip': '24.151.103.17' },
        severity: 'critical',
        status: 'new',
      }),
    ]);

    // the findings reached the mailbox as one digest, led by the most severe
    expect(rx.smtp.mails).toHaveLength(1);
    const mail = rx.smtp.mails[0];
    expect(mail.parsed.subject).toMatch(
      /^\[vigil\]\[CRITICAL\] SSH brute force that succeeded from 24\.151\.103\.17/,
    );
    expect(mail.parsed.text).toContain('SSH brute force (ssh_bruteforce)');
    expect(mail.parsed.text).toContain('24.151.103.17');
    expect(mail.user).toBe('vigil-mailer');
    expect(mail.secure).toBe(true);
  });

  it('adds nothing when the same file is ingested again: shifted to a new now, every event is replaced', async () => {
    const again = await ingest(ingestAuthLog());
    // --shift-to-now is a time option: the second run's now moved the times, so the earlier
    // documents are replaced, never copied (issue 16)
    expect(again).toMatchObject({
      linesRead: 7121,
      documentsIndexed: authDocs,
      replaced: authDocs,
      duplicates: 0,
      unparsedLines: 0,
    });
    expect(await count(authIndex)).toBe(authDocs);
  });

  it('finds no DoS burst and no HTTP spike in the benign apache_access.log shifted to now', async () => {
    const summary = await ingest([APACHE_LOG, '--type', 'apache', '--index', webIndex, '--shift-to-now']);
    expect(summary).toMatchObject({ linesRead: 10000, documentsIndexed: 10000, unparsedLines: 0 });
    const now = Date.now();
    // the web rules have data to look at in the last 10 minutes
    expect(await count(webIndex, { range: { '@timestamp': { gte: now - 10 * 60_000 } } })).toBeGreaterThan(0);

    const scan = await e2e.vigil(['scan', '--duration', '10', '--format', 'json', '--dry-run']);
    expect(scan.code).toBe(0);
    expect(scan.stderr).not.toContain(`no index matches ${webIndex}`);
    const rules = jsonLines(scan.stdout).map((f) => f.rule as string);
    expect(rules.filter((r) => r === 'dos_burst' || r.startsWith('http_'))).toEqual([]);

    // and none over the whole file (four days) for the rules whose off-hours thresholds it never reaches
    const from = new Date(now - 5 * 86_400_000).toISOString();
    const replay = await e2e.vigil([
      'scan',
      '--from',
      from,
      '--to',
      new Date(now).toISOString(),
      '--format',
      'json',
      '--dry-run',
      ...['dos_burst', 'http_401_spike', 'http_5xx_spike', 'http_5xx_total'].flatMap((r) => ['--rule', r]),
    ]);
    expect(replay.code).toBe(0);
    expect(jsonLines(replay.stdout)).toEqual([]);
    expect(replay.stderr).toMatch(/4 rules \(0 failed\), 0 findings/);
  });
});

describe('vigil ingest of malformed input', () => {
  it('counts binary garbage, a 1 MB line and invalid UTF-8, indexes the good lines, exits 5 (partial)', async () => {
    const file = path.join(e2e.dir, 'bad-auth.log');
    const good = (i: number) =>
      `Feb 27 10:00:0${i} web1 sshd[1${i}]: Failed password for root from 10.9.9.${i} port 22${i} ssh2\n`;
    const garbage = Buffer.from(
      Array.from({ length: 600 }, (_, i) => (i * 7919) % 256).filter((b) => b !== 10),
    );
    fs.writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(good(1)),
        garbage,
        Buffer.from('\n'),
        Buffer.from(`Feb 27 10:00:09 web1 sshd[9]: ${'A'.repeat(1024 * 1024)}\n`),
        Buffer.from('Feb 27 10:00:08 web1 sshd[8]: Invalid user caf'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from(' from 10.9.9.8\n'),
        Buffer.from(good(2)),
      ]),
    );
    const index = `${e2e.prefix}-bad-auth`;
    // the table summary (on stderr) is what a user sees
    const res = await e2e.vigil(['ingest', file, '--type', 'auth', '--index', index, '--timezone', 'UTC']);
    expect(res.code).toBe(5);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /ingest: 1 file\(s\), 5 lines read, 3 documents indexed, 0 duplicates, 2 unparsed lines, 1 invalid UTF-8 lines indexed with U\+FFFD/,
    );
    expect(res.stderr).toMatch(/^ {2}binary: 1 /m);
    expect(res.stderr).toMatch(/^ {2}line_too_long: 1 /m);
    expect(res.stderr.length).toBeLessThan(4000); // samples are cut, not a megabyte echoed back
    expect(await count(index)).toBe(3);
  });

  it('counts truncated and non-object JSON lines and exits 5 (partial)', async () => {
    const file = path.join(e2e.dir, 'app.jsonl');
    fs.writeFileSync(
      file,
      [
        '{"@timestamp":"2026-02-27T10:00:00Z","source":{"ip":"10.0.0.1"},"user":{"name":"alice"}}',
        '{"@timestamp":"2026-02-27T10:00:01Z","source":{"ip":"10.0.0.2"},"user":{"na',
        '[1,2,3]',
        '{"@timestamp":"2026-02-27T10:00:02Z","source":{"ip":"10.0.0.3"},"user":{"name":"carol"}}',
        '',
      ].join('\n'),
    );
    const index = `${e2e.prefix}-bad-json`;
    const summary = await ingest([file, '--type', 'json', '--index', index], 5);
    expect(summary.linesRead).toBe(4);
    expect(summary.failures.bad_json?.count).toBe(1);
    expect(summary.failures.json_not_object?.count).toBe(1);
    expect(summary).toMatchObject({ documentsIndexed: 2, unparsedLines: 2 });
    expect(await count(index)).toBe(2);
  });
});

describe('secrets', () => {
  it('never reach the audit log (stdout and stderr are checked on every run)', () => {
    expect(fs.readdirSync(e2e.logDir).length).toBeGreaterThan(0);
    expect(e2e.secretsInAuditLog()).toEqual([]);
  });
});
