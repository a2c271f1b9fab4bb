/**
 * Several instances on one state index, against a real cluster: two scans started at once raise
 * an attack once (the other sees a suppressed repeat or skips the rule on its lease); a lease left
 * by a dead instance blocks the rule until it expires, then another instance takes it over; two
 * `vigil monitor` processes alert once, and when the one holding the lease is killed the other
 * carries on.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { ensureStateIndex } from '../../../src/state/state-index';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../../helpers/ecs';
import { baseConfig, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, type VigilProcess, waitFor } from '../../helpers/vigil-process';
import { type AuditFinding, alertsFor, auditRecords, MIN, scan, stateDoc, stateSetups } from './state-kit';

jest.setTimeout(240_000);

const PREFIX = 'it-state-instances';
const AUTH = `${PREFIX}-auth`;
const states = stateSetups(PREFIX, { auth: [AUTH] });
let client: Client;
const setup = states.setup;

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
});

afterAll(async () => {
  await killAllVigils();
  await states.dropAll(client);
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

test('two scans started at once on the same data and state raise the alert once', async () => {
  const ip = '203.0.113.90';
  await indexDocs(client, AUTH, sshFailures(ip, 20, Date.now() - 5 * MIN, MIN));
  // a few rounds, each on a fresh state index, so that different interleavings get a chance
  for (const round of [1, 2, 3]) {
    const s = setup(`pair-${round}`);
    const runs = await Promise.all(
      [1, 2].map(() => scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce'])),
    );
    for (const r of runs) expect(r.code).toBe(0);
    const statuses = runs.map((r) => alertsFor(r, 'ssh_bruteforce', ip).map((a) => a.status));
    expect(statuses.flat().filter((st) => st === 'new')).toHaveLength(1);
    const other = runs.find((r) => !alertsFor(r, 'ssh_bruteforce', ip).some((a) => a.status === 'new'));
    // the other instance either skipped the rule on its lease or saw the alert already raised
    const skipped = other?.warnings.some((w) => /rule ssh_bruteforce skipped: its lease is held by/.test(w));
    const repeat = other && alertsFor(other, 'ssh_bruteforce', ip).map((a) => a.status);
    expect(skipped ? 'skipped' : repeat).toEqual(skipped ? 'skipped' : ['suppressed']);
  }
});

test('a lease held by a dead instance blocks its rule until it expires; then another instance takes it over', async () => {
  const ip = '203.0.113.91';
  await indexDocs(client, AUTH, sshFailures(ip, 20, Date.now() - 4 * MIN, MIN));
  const s = setup('dead');
  await ensureStateIndex(client, s.stateIndex);
  const expires = Date.now() + 8_000;
  await client.index({
    index: s.stateIndex,
    id: 'lease:ssh_bruteforce',
    refresh: true,
    document: {
      doc_type: 'lease',
      rule: 'ssh_bruteforce',
      owner: 'crashed-host:4242:dead00',
      expires_at: new Date(expires).toISOString(),
      updated_at: new Date().toISOString(),
    },
  });
  const blocked = await scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  expect(blocked.code).toBe(0);
  expect(blocked.warnings).toEqual([
    'warning: rule ssh_bruteforce skipped: its lease is held by crashed-host:4242:dead00',
  ]);
  expect(blocked.alerts).toEqual([]);
  expect(auditRecords(s.logDir, 'cycle').at(-1)?.skipped).toEqual([
    { rule: 'ssh_bruteforce', owner: 'crashed-host:4242:dead00' },
  ]);

  await waitFor('the dead lease to expire', () => Date.now() > expires + 500, { timeoutMs: 30_000 });
  const takeover = await scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  expect(takeover.code).toBe(0);
  expect(takeover.warnings).toEqual([]);
  expect(alertsFor(takeover, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);
  // scan gives the lease back when it is done: owned by the new instance, already expired
  const lease = await stateDoc(client, s.stateIndex, 'lease:ssh_bruteforce');
  expect(lease?.owner).not.toBe('crashed-host:4242:dead00');
  expect(Date.parse(lease?.expires_at as string)).toBeLessThanOrEqual(Date.now());
});

test('two monitors alert once; when the lease holder is killed the other carries on', async () => {
  const first = '203.0.113.92';
  const second = '203.0.113.93';
  const stateIndex = `${PREFIX}-monitors`;
  states.track(stateIndex);
  const dir = tempDir('vigil-state-monitors-');
  const instances = ['a', 'b'].map((name) => {
    const logDir = path.join(dir, name, 'logs');
    fs.mkdirSync(path.dirname(logDir), { recursive: true });
    const yaml = baseConfig({ auth: [AUTH], stateIndex, logDir })
      .replace(/^schedule: .*$/m, 'schedule: { interval: 2s, query_delay: 0s }')
      .replace(/^state:\n/m, 'state:\n  lease: 5s\n');
    return { name, logDir, config: writeConfig(path.join(dir, name), yaml) };
  });
  await indexDocs(client, AUTH, sshFailures(first, 20, Date.now() - 60_000, 20_000));

  const procs: VigilProcess[] = instances.map((i) =>
    startVigil(['monitor', '--config', i.config, '--rule', 'ssh_bruteforce', '--duration', '3']),
  );
  const decisions = (logDir: string, ip: string) =>
    auditRecords(logDir, 'cycle').flatMap((c) =>
      (c.findings as AuditFinding[]).filter((f) => f.entity['source.ip'] === ip).map((f) => f.decision),
    );
  const describe = () => procs.map((p, i) => `${instances[i].name}:\n${p.stderr().slice(-2000)}`).join('\n');
  // the first attack is raised by one of them
  const a = await waitFor(
    'one monitor to raise the first attack',
    () => {
      const i = instances.findIndex((x) => decisions(x.logDir, first).includes('new'));
      return i >= 0 ? i : undefined;
    },
    { describe },
  );
  const b = 1 - a;
  // a few more cycles of both: still raised once in all
  const cyclesOf = (i: number) => auditRecords(instances[i].logDir, 'cycle').length;
  const seenA = cyclesOf(a);
  const seenB = cyclesOf(b);
  await waitFor('two more cycles of each', () => cyclesOf(a) >= seenA + 2 && cyclesOf(b) >= seenB + 2, {
    describe,
  });
  const raised = instances.flatMap((i) => decisions(i.logDir, first)).filter((d) => d === 'new');
  expect(raised).toHaveLength(1);
  // meanwhile the other one skipped the rule: its lease was held
  const skips = auditRecords(instances[b].logDir, 'cycle').flatMap((c) => c.skipped as { rule: string }[]);
  expect(skips).toContainEqual(expect.objectContaining({ rule: 'ssh_bruteforce' }));

  // the holder dies without giving its lease back; a second attack comes
  await procs[a].kill();
  await indexDocs(client, AUTH, sshFailures(second, 20, Date.now() - 10_000, 5_000));
  await waitFor(
    'the other monitor to take over and raise the second attack',
    () => decisions(instances[b].logDir, second).includes('new'),
    {
      describe,
    },
  );
  expect(procs[b].isRunning()).toBe(true);
  // the first attack was not raised again by the survivor
  expect(instances.flatMap((i) => decisions(i.logDir, first)).filter((d) => d === 'new')).toHaveLength(1);
  procs[b].signal('SIGTERM');
  expect((await procs[b].exited).code).toBe(0);
});
