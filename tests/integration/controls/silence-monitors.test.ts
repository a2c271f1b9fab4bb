/**
 * Silences across instances, against a real cluster and a real SMTP server: a silence added with
 * `vigil silence add` keeps an attack out of the inbox while two `vigil monitor` processes share
 * the rule, while the one running it stops and the other takes over, and across a restart; the
 * finding is recorded as silenced (audit log, alerts index) with the silence id. When the silence
 * ends (`vigil silence expire`) and the attack still fires, it is delivered once, as new, and only
 * once. `vigil alerts --format json` lists the silenced and the new alert with their status.
 * The calendar is pinned to off-hours, so the result does not depend on when the test runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../../helpers/ecs';
import { type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import {
  baseConfig,
  jsonLines,
  OFF_HOURS_CALENDAR,
  runVigil,
  tempDir,
  writeConfig,
} from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, type VigilProcess, waitFor } from '../../helpers/vigil-process';
import { emailAlerts } from '../monitor/monitor-kit';
import { type AuditFinding, auditRecords, dropState } from '../state/state-kit';

jest.setTimeout(300_000);

const PREFIX = 'it-controls-silence';
const AUTH = `${PREFIX}-auth`;
const STATE = `${PREFIX}-state`;
const SILENCED = '198.51.100.7';
const OTHER = '198.51.100.8';
let client: Client;
let smtp: SmtpReceiver;

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
  await dropState(client, { stateIndex: STATE, alertsPrefix: `${STATE}-alerts` });
  smtp = await startSmtp({ kind: 'plain' });
});

afterAll(async () => {
  await killAllVigils();
  await smtp.close();
  await dropState(client, { stateIndex: STATE, alertsPrefix: `${STATE}-alerts` });
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

const mailsAbout = (ip: string) => smtp.mails.filter((m) => m.raw.toString('utf8').includes(ip));

test('a silence holds an attack back across two monitors and a restart; when it ends the attack is delivered once, as new', async () => {
  const dir = tempDir('vigil-silence-monitors-');
  const instances = ['a', 'b'].map((name) => {
    const logDir = path.join(dir, name, 'logs');
    fs.mkdirSync(path.dirname(logDir), { recursive: true });
    const yaml = baseConfig({ auth: [AUTH], stateIndex: STATE, logDir, calendar: OFF_HOURS_CALENDAR })
      .replace(/^schedule: .*$/m, 'schedule: { interval: 2s, query_delay: 0s }')
      .replace(/^state:\n/m, 'state:\n  lease: 5s\n')
      // a long window keeps the burst in every cycle's look-back: the attack "still fires"
      .replace(/^(rules:\n {2}dir: .*\n)/m, '$1  overrides:\n    ssh_bruteforce: { window: 30m }\n');
    return { name, logDir, config: writeConfig(path.join(dir, name), `${yaml}${emailAlerts(smtp.port)}`) };
  });
  const config = instances[0].config;

  const add = await runVigil([
    'silence',
    'add',
    '--config',
    config,
    '--rule',
    'ssh_bruteforce',
    '--entity',
    `source.ip=${SILENCED}`,
    '--for',
    '2h',
    '--comment',
    'pentest, ticket SEC-123',
    '--author',
    'alice',
    '--format',
    'json',
  ]);
  expect(add.stderr).toBe('');
  expect(add.code).toBe(0);
  const silence = JSON.parse(add.stdout) as { id: string; created_by: string };
  expect(silence.created_by).toBe('alice');
  const listed = await runVigil(['silence', 'list', '--config', config, '--format', 'json']);
  expect(jsonLines(listed.stdout)).toEqual([expect.objectContaining({ id: silence.id, state: 'active' })]);

  await indexDocs(client, AUTH, [
    ...sshFailures(SILENCED, 40, Date.now() - 60_000, 30_000),
    ...sshFailures(OTHER, 40, Date.now() - 60_000, 30_000),
  ]);
  const decisions = (logDir: string, ip: string) =>
    auditRecords(logDir, 'cycle').flatMap((c) =>
      (c.findings as (AuditFinding & { silence_id?: string })[]).filter((f) => f.entity['source.ip'] === ip),
    );
  const all = (ip: string) => instances.flatMap((i) => decisions(i.logDir, ip));
  const start = (i: number) =>
    startVigil(['monitor', '--config', instances[i].config, '--rule', 'ssh_bruteforce', '--duration', '5']);
  const procs: VigilProcess[] = [start(0), start(1)];
  const describe = () =>
    procs.map((p, i) => `${instances[i].name}:\n${p.stderr().slice(-1500)}`).join('\n') +
    `\nmails: ${smtp.mails.map((m) => m.parsed.subject).join(' | ')}`;

  // the other attack is delivered; the silenced one is recorded as silenced, with the silence id
  await waitFor('the unsilenced attack to be mailed', () => mailsAbout(OTHER).length === 1, { describe });
  const holder = await waitFor(
    'a silenced decision',
    () => {
      const i = instances.findIndex((x) =>
        decisions(x.logDir, SILENCED).some((f) => f.decision === 'silenced'),
      );
      return i >= 0 ? i : undefined;
    },
    { describe },
  );
  expect(
    decisions(instances[holder].logDir, SILENCED).find((f) => f.decision === 'silenced')?.silence_id,
  ).toBe(silence.id);
  const other = 1 - holder;

  // the monitor running the rule stops: the other takes it over, and keeps it silenced
  procs[holder].signal('SIGTERM');
  expect((await procs[holder].exited).code).toBe(0);
  await waitFor(
    'the other monitor to take the rule over, still silenced (its repeats name the silence)',
    () => decisions(instances[other].logDir, SILENCED).some((f) => f.silence_id === silence.id),
    { describe },
  );
  // a restart: the silence is in the state index, not in a process
  const cyclesBefore = auditRecords(instances[holder].logDir, 'cycle').length;
  procs[holder] = start(holder);
  await waitFor(
    'the restarted monitor to run three cycles',
    () => auditRecords(instances[holder].logDir, 'cycle').length >= cyclesBefore + 3,
    { describe },
  );
  const otherCycles = auditRecords(instances[other].logDir, 'cycle').length;
  await waitFor(
    'two more cycles of the other',
    () => auditRecords(instances[other].logDir, 'cycle').length >= otherCycles + 2,
    { describe },
  );
  expect(mailsAbout(SILENCED)).toHaveLength(0);
  expect(all(SILENCED).map((f) => f.decision)).not.toContain('new');

  // the silence ends while the attack still fires: delivered once, as new
  const expire = await runVigil(['silence', 'expire', silence.id, '--config', config, '--author', 'bob']);
  expect(expire.code).toBe(0);
  expect(expire.stdout).toContain(`silence ${silence.id} expired`);
  await waitFor('the attack to be mailed once the silence ended', () => mailsAbout(SILENCED).length === 1, {
    describe,
  });
  const counts = instances.map((i) => auditRecords(i.logDir, 'cycle').length);
  await waitFor(
    'three more cycles of each monitor',
    () => instances.every((i, k) => auditRecords(i.logDir, 'cycle').length >= counts[k] + 3),
    { describe },
  );
  expect(mailsAbout(SILENCED)).toHaveLength(1);
  expect(mailsAbout(OTHER)).toHaveLength(1);
  expect(all(SILENCED).filter((f) => f.decision === 'new')).toHaveLength(1);
  for (const p of procs) p.signal('SIGTERM');
  for (const p of procs) expect((await p.exited).code).toBe(0);

  // vigil alerts lists both with their status; the ended silence shows with --all only
  const alerts = await runVigil(['alerts', '--config', config, '--since', '1d', '--format', 'json']);
  expect(alerts.code).toBe(0);
  const lines = jsonLines(alerts.stdout) as {
    status: string;
    entity: Record<string, string>;
    silence_id?: string;
  }[];
  const of = (ip: string) =>
    lines.filter((l) => l.entity['source.ip'] === ip).map((l) => [l.status, l.silence_id]);
  expect(of(SILENCED).sort()).toEqual(
    [
      ['new', undefined],
      ['silenced', silence.id],
    ].sort(),
  );
  expect(of(OTHER)).toEqual([['new', undefined]]);
  const silencedOnly = await runVigil([
    'alerts',
    '--config',
    config,
    '--status',
    'silenced',
    '--format',
    'json',
  ]);
  expect(jsonLines(silencedOnly.stdout).map((l) => l.status)).toEqual(['silenced']);
  expect((await runVigil(['silence', 'list', '--config', config])).stdout).toMatch(/^no active silences/);
  const history = await runVigil(['silence', 'list', '--all', '--config', config, '--format', 'json']);
  expect(jsonLines(history.stdout)).toEqual([
    expect.objectContaining({
      id: silence.id,
      state: 'expired',
      expired_by: 'bob',
      comment: 'pentest, ticket SEC-123',
    }),
  ]);
});
