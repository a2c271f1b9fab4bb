/**
 * Operator controls with `vigil scan` at fixed instants (so nothing depends on when the test
 * runs), against a real cluster and a real SMTP server:
 *  - an allowlisted address (a CIDR range of the source group, an IPv6 range of the rule) or user
 *    (a wildcard) never alerts, even far above the threshold; `vigil doctor` shows the allowlists;
 *  - an acknowledged episode is not re-alerted after realert, but is on escalation;
 *  - a silence that ends by itself (`--for`) lets the attack still firing through once, as new;
 *  - `vigil alerts --format json` lists them all with their status;
 *  - bad matchers, comments and ids exit 2 naming the flag.
 */
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../../helpers/ecs';
import { type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import { jsonLines, runVigil } from '../../helpers/vigil-cli';
import { waitFor } from '../../helpers/vigil-process';
import { emailAlerts } from '../monitor/monitor-kit';
import { alertsFor, dropState, iso, MIN, type StateSetup, scan, stateSetup } from '../state/state-kit';

jest.setTimeout(240_000);

const PREFIX = 'it-controls-scan';
const AUTH = `${PREFIX}-auth`;
// a Wednesday, off-hours in the default test calendar (Mon–Fri 08–18 UTC): threshold 8
const T = Date.parse('2026-11-18T02:00:00Z');
let client: Client;
let smtp: SmtpReceiver;
const made: StateSetup[] = [];

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
  smtp = await startSmtp({ kind: 'plain' });
});

afterAll(async () => {
  await smtp.close();
  for (const s of made) await dropState(client, s);
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

function setup(
  name: string,
  opts: { overrides?: string[]; extra?: string; sourceExtra?: string } = {},
): StateSetup {
  const s = stateSetup(`${PREFIX}-${name}`, {
    auth: [AUTH],
    overrides: opts.overrides,
    extra: `${emailAlerts(smtp.port)}${opts.extra ?? ''}`,
  });
  made.push(s);
  return s;
}

const window = (fromMs: number, minutes: number) => [
  '--from',
  iso(fromMs),
  '--to',
  iso(fromMs + minutes * MIN),
];
const mailsAbout = (ip: string) => smtp.mails.filter((m) => m.raw.toString('utf8').includes(ip));

test('allowlisted addresses and users never alert, even far above the threshold; doctor shows the allowlists', async () => {
  const at = T;
  await indexDocs(client, AUTH, [
    ...sshFailures('10.0.5.9', 500, at, MIN),
    ...sshFailures('2001:db8::9', 500, at, MIN),
    ...sshFailures('203.0.113.50', 500, at, MIN, { user: { name: 'backup-nightly' } }),
    ...sshFailures('203.0.113.51', 500, at, MIN),
  ]);
  const s = setup('allow', {
    overrides: ['ssh_bruteforce: { allowlist: { source.ip: ["2001:db8::/32"] } }'],
  });
  const fs = await import('node:fs');
  // the source group's own allowlist: a CIDR range and a wildcard user
  const yaml = fs
    .readFileSync(s.config, 'utf8')
    .replace(
      /^ {2}auth: \{ indices: \[(.*)\] \}$/m,
      '  auth:\n    indices: [$1]\n    allowlist:\n      source.ip: [10.0.5.0/24]\n      user.name: ["backup-*"]',
    );
  fs.writeFileSync(s.config, yaml);
  const run = await scan(s.config, [
    ...window(at - MIN, 5),
    '--rule',
    'ssh_bruteforce',
    '--rule',
    'ssh_distributed',
  ]);
  expect(run.stderr).not.toMatch(/error/);
  expect(run.code).toBe(0);
  const ips = run.alerts.filter((a) => a.rule === 'ssh_bruteforce').map((a) => a.entity['source.ip']);
  expect(ips).toEqual(['203.0.113.51']);
  expect(alertsFor(run, 'ssh_bruteforce', '203.0.113.51')[0].value).toBe(500);
  const listed = jsonLines(
    (await runVigil(['alerts', '--config', s.config, '--since', '2026-11-01T00:00:00Z', '--format', 'json']))
      .stdout,
  );
  expect(listed.map((l) => (l.entity as Record<string, string>)['source.ip'])).not.toContain('10.0.5.9');

  const doctor = await runVigil(['doctor', '--config', s.config, '--format', 'json']);
  expect(doctor.code).toBe(0);
  const sources = (
    JSON.parse(doctor.stdout) as { sources: { allowlists: { rules: string[]; allowlist: unknown }[] }[] }
  ).sources;
  const allowlists = sources.flatMap((x) => x.allowlists);
  expect(allowlists).toContainEqual({
    rules: ['ssh_bruteforce'],
    allowlist: { 'source.ip': ['10.0.5.0/24', '2001:db8::/32'], 'user.name': ['backup-*'] },
  });
  const text = await runVigil(['doctor', '--config', s.config]);
  expect(text.stdout).toContain(
    'allowlist (rules ssh_bruteforce): source.ip 10.0.5.0/24, 2001:db8::/32; user.name backup-*',
  );

  fs.writeFileSync(s.config, yaml.replace('10.0.5.0/24', '10.0.5.0/33'));
  const bad = await runVigil(['validate', '--config', s.config]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('sources.auth.allowlist.source.ip.0: "10.0.5.0/33" is not a CIDR range');
});

test('an acknowledged episode is not re-alerted after realert, but is on escalation', async () => {
  const acked = '203.0.113.60';
  const control = '203.0.113.61';
  const t = T + 60 * MIN;
  await indexDocs(client, AUTH, [
    ...[acked, control].flatMap((ip) => sshFailures(ip, 20, t, MIN)),
    // 20 minutes later, past realert (10m): the same again
    ...[acked, control].flatMap((ip) => sshFailures(ip, 20, t + 20 * MIN, MIN)),
    // 40 minutes later: more than twice as many (escalate_factor 2)
    ...sshFailures(acked, 60, t + 40 * MIN, MIN),
    ...sshFailures(control, 20, t + 40 * MIN, MIN),
  ]);
  const s = setup('ack', { overrides: ['ssh_bruteforce: { realert: 10m }'] });
  const first = await scan(s.config, [...window(t - MIN, 5), '--rule', 'ssh_bruteforce']);
  expect(first.code).toBe(0);
  const [alert] = alertsFor(first, 'ssh_bruteforce', acked);
  expect(alert.status).toBe('new');
  await waitFor('the first alert mailed', () => mailsAbout(acked).length === 1);

  const ack = await runVigil([
    'ack',
    alert.id.slice(0, 10),
    '--config',
    s.config,
    '--comment',
    'blocked at the firewall, SEC-124',
    '--author',
    'carol',
  ]);
  expect(ack.stderr).toBe('');
  expect(ack.code).toBe(0);
  expect(ack.stdout).toContain(`acknowledged episode ${alert.id} of ssh_bruteforce source.ip=${acked}`);

  const second = await scan(s.config, [...window(t + 19 * MIN, 5), '--rule', 'ssh_bruteforce']);
  expect(alertsFor(second, 'ssh_bruteforce', acked).map((a) => a.status)).toEqual(['suppressed']);
  // without the ack, realert applies: the control is alerted again
  expect(alertsFor(second, 'ssh_bruteforce', control).map((a) => a.status)).toEqual(['new']);

  const third = await scan(s.config, [...window(t + 39 * MIN, 5), '--rule', 'ssh_bruteforce']);
  expect(alertsFor(third, 'ssh_bruteforce', acked).map((a) => a.status)).toEqual(['escalated']);
  await waitFor('the escalation mailed', () => mailsAbout(acked).length === 2);
  // the attack stops: the episode recovers (and with it the ack ends)
  const fourth = await scan(s.config, [...window(t + 50 * MIN, 5), '--rule', 'ssh_bruteforce']);
  expect(alertsFor(fourth, 'ssh_bruteforce', acked).map((a) => a.status)).toEqual(['recovered']);

  const listed = jsonLines(
    (
      await runVigil([
        'alerts',
        '--config',
        s.config,
        '--since',
        '2026-11-01T00:00:00Z',
        '--rule',
        'ssh_bruteforce',
        '--format',
        'json',
      ])
    ).stdout,
  ).filter((l) => (l.entity as Record<string, string>)['source.ip'] === acked);
  expect(listed.map((l) => l.status).sort()).toEqual(['acknowledged', 'escalated', 'new', 'recovered']);
  expect(listed.find((l) => l.status === 'acknowledged')?.ack).toEqual({
    by: 'carol',
    comment: 'blocked at the firewall, SEC-124',
    at: expect.any(String),
    episode_id: alert.id,
  });
  const firing = jsonLines(
    (
      await runVigil([
        'alerts',
        '--config',
        s.config,
        '--since',
        '2026-11-01T00:00:00Z',
        '--status',
        'firing',
        '--format',
        'json',
      ])
    ).stdout,
  );
  expect(new Set(firing.map((l) => l.status))).toEqual(new Set(['new', 'escalated']));

  // an ack of an unknown alert, or without a comment, is refused with exit 2
  const unknown = await runVigil(['ack', 'deadbeefdeadbeef', '--config', s.config, '--comment', 'x']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^vigil: no alert with id deadbeefdeadbeef in /);
  const noComment = await runVigil(['ack', alert.id, '--config', s.config, '--comment', ' ']);
  expect(noComment.code).toBe(2);
  expect(noComment.stderr).toMatch(/--comment: missing/);
});

test('a silence that ends by itself lets the attack still firing through once, as new', async () => {
  const ip = '203.0.113.70';
  const t = T + 180 * MIN;
  await indexDocs(client, AUTH, sshFailures(ip, 20, t, MIN));
  const s = setup('expiry');
  const add = await runVigil([
    'silence',
    'add',
    '--config',
    s.config,
    '--entity',
    `source.ip=203.0.113.64/28`,
    '--for',
    // long enough that the scan below starts well within it, also on a busy machine
    '30s',
    '--comment',
    'maintenance <b>window</b>',
  ]);
  expect(add.code).toBe(0);
  const id = /silence ([0-9a-f]{16}) added/.exec(add.stdout)?.[1] as string;
  const during = await scan(s.config, [...window(t - MIN, 5), '--rule', 'ssh_bruteforce']);
  expect(
    alertsFor(during, 'ssh_bruteforce', ip).map((a) => [a.status, (a as { silence_id?: string }).silence_id]),
  ).toEqual([['silenced', id]]);
  // it ends by itself: wait until vigil no longer lists it as active
  await waitFor(
    'the silence to end',
    async () =>
      (await runVigil(['silence', 'list', '--config', s.config])).stdout.startsWith('no active silences'),
    { timeoutMs: 90_000, everyMs: 2_000 },
  );
  const after = await scan(s.config, [...window(t - MIN, 6), '--rule', 'ssh_bruteforce']);
  expect(alertsFor(after, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);
  const again = await scan(s.config, [...window(t - MIN, 7), '--rule', 'ssh_bruteforce']);
  expect(alertsFor(again, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['suppressed']);
  await waitFor('the attack mailed', () => mailsAbout(ip).length === 1);
  expect(mailsAbout(ip)).toHaveLength(1);
  const list = await runVigil(['silence', 'list', '--all', '--config', s.config]);
  expect(list.stdout).toContain('maintenance <b>window</b>');
  expect(list.stdout).toMatch(new RegExp(`${id}\\s+expired`));
});

test('invalid matchers, comments and durations exit 2 naming the flag; control characters never reach the terminal', async () => {
  const s = setup('hostile');
  const add = (...args: string[]) => runVigil(['silence', 'add', '--config', s.config, ...args]);
  const cases: [string[], string][] = [
    [
      ['--entity', 'source.ip', '--comment', 'x'],
      'vigil: --entity: "source.ip" needs field=value, e.g. source.ip=198.51.100.7',
    ],
    [
      ['--entity', 'source.ip=10.0.0.0/40', '--comment', 'x'],
      'vigil: --entity: "source.ip=10.0.0.0/40": "10.0.0.0/40" is not an address or CIDR range (e.g. 198.51.100.7 or 10.0.5.0/24)',
    ],
    [
      ['--rule', 'ssh_brutefroce', '--comment', 'x'],
      'vigil: --rule: no rule "ssh_brutefroce", did you mean "ssh_bruteforce"?',
    ],
    [
      ['--rule', 'ssh_bruteforce', '--comment', 'evil\u001b]0;owned\u0007'],
      'vigil: --comment: control characters are not allowed',
    ],
    [
      ['--rule', 'ssh_bruteforce', '--comment', 'x', '--for', 'forever'],
      'vigil: --for: expected a duration like 30m, 8h or 2d, got "forever"',
    ],
    [['--rule', 'ssh_bruteforce'], "error: required option '--comment <text>' not specified"],
  ];
  for (const [args, line] of cases) {
    const r = await add(...args);
    expect({ args, code: r.code, stderr: r.stderr.trim() }).toEqual({ args, code: 2, stderr: line });
  }
  const expire = await runVigil(['silence', 'expire', 'nope', '--config', s.config]);
  expect(expire.code).toBe(2);
  expect(expire.stderr).toMatch(/no silence with id "nope"/);
  const alerts = await runVigil(['alerts', '--config', s.config, '--since', 'yesterday']);
  expect(alerts.code).toBe(2);
  expect(alerts.stderr).toMatch(/--since: expected a duration like 24h/);
});
