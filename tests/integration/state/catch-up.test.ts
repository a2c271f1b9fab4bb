/**
 * Checkpoints against a real cluster, through the CLI: cycles run with `scan --resume`, vigil is
 * "stopped", an attack happens in the gap, and the resumed scan raises it exactly once; a gap
 * longer than state.max_catch_up is cut with one warning; a rule whose query failed keeps its
 * checkpoint; a replay of older times does not move a checkpoint back.
 */
import type { Client } from '@elastic/elasticsearch';
import {
  createEcsIndex,
  ECS_TEST_MAPPINGS,
  indexDocs,
  sshFailures,
  testClient,
  webRequest,
} from '../../helpers/ecs';
import {
  alertsFor,
  auditRecords,
  HOUR,
  iso,
  MIN,
  type ScanRun,
  type StateSetup,
  scan,
  stateDoc,
  stateSetups,
} from './state-kit';

jest.setTimeout(180_000);

const PREFIX = 'it-state-catch-up';
const AUTH = `${PREFIX}-auth`;
const BAD_WEB = `${PREFIX}-web-textip`;
const states = stateSetups(PREFIX, { auth: [AUTH] });
let client: Client;
const setup = states.setup;
const NOW = Date.now();

const checkpointOf = async (s: StateSetup, rule: string) =>
  (await stateDoc(client, s.stateIndex, `checkpoint:${rule}`))?.until as string | undefined;

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
  // source.ip mapped as text: rules grouping by it fail there
  const props = ECS_TEST_MAPPINGS.properties ?? {};
  await createEcsIndex(client, BAD_WEB, {
    ...ECS_TEST_MAPPINGS,
    properties: { ...props, source: { properties: { ip: { type: 'text' } } } },
  });
  await indexDocs(client, BAD_WEB, [webRequest('198.51.100.9', NOW - 5 * MIN, 404)]);
});

afterAll(async () => {
  await states.dropAll(client);
  await client.indices.delete({ index: [AUTH, BAD_WEB].join(','), ignore_unavailable: true });
  await client.close();
});

test('restart: an attack during downtime is raised exactly once by the resumed scan', async () => {
  const ip = '203.0.113.60';
  const s = setup('restart');
  const runs: ScanRun[] = [];
  const run = async (args: string[]) => {
    const r = await scan(s.config, ['--rule', 'ssh_bruteforce', ...args]);
    expect(r.code).toBe(0);
    runs.push(r);
    return r;
  };
  // two cycles before the downtime, each continuing from the last checkpoint
  await run(['--resume', '--from', iso(NOW - 3 * HOUR), '--to', iso(NOW - 170 * MIN)]);
  await run(['--resume', '--from', iso(NOW - 170 * MIN), '--to', iso(NOW - 160 * MIN)]);
  expect(await checkpointOf(s, 'ssh_bruteforce')).toBe(iso(NOW - 160 * MIN));

  // stopped; an attack an hour ago, in the gap
  await indexDocs(client, AUTH, sshFailures(ip, 20, NOW - HOUR, MIN));

  const resumed = await run(['--resume', '--duration', '10']);
  expect(alertsFor(resumed, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);
  expect(resumed.warnings).toEqual([]);
  const after = Date.parse((await checkpointOf(s, 'ssh_bruteforce')) ?? '');
  expect(after).toBeGreaterThan(NOW);
  expect(auditRecords(s.logDir, 'cycle').at(-1)?.checkpointed).toEqual(['ssh_bruteforce']);

  // the next cycle no longer sees it: the source has recovered; the one after has nothing to say
  const next = await run(['--resume', '--duration', '10']);
  expect(alertsFor(next, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['recovered']);
  const quiet = await run(['--resume', '--duration', '10']);
  expect(alertsFor(quiet, 'ssh_bruteforce', ip)).toEqual([]);
  // a scan that looks back over the attack again finds a repeat, not a new alert
  const lookBack = await run(['--duration', '90']);
  expect(alertsFor(lookBack, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['suppressed']);

  const raised = runs.flatMap((r) => alertsFor(r, 'ssh_bruteforce', ip)).filter((a) => a.status === 'new');
  expect(raised).toHaveLength(1);
});

test('a gap longer than state.max_catch_up is cut to it, with one warning for the cycle', async () => {
  const old = '203.0.113.61';
  const recent = '203.0.113.62';
  const s = setup('bounded', { state: ['max_catch_up: 30m'] });
  const rules = ['--rule', 'ssh_bruteforce', '--rule', 'ssh_invalid_users'];
  const before = await scan(s.config, [
    ...rules,
    '--resume',
    '--from',
    iso(NOW - 3 * HOUR),
    '--to',
    iso(NOW - 170 * MIN),
  ]);
  expect(before.code).toBe(0);
  await indexDocs(client, AUTH, [
    ...sshFailures(old, 20, NOW - HOUR, MIN),
    ...sshFailures(recent, 20, NOW - 20 * MIN, MIN),
  ]);

  const resumed = await scan(s.config, [...rules, '--resume', '--duration', '10']);
  expect(resumed.code).toBe(0);
  expect(resumed.warnings).toHaveLength(1);
  expect(resumed.warnings[0]).toMatch(/max_catch_up/);
  expect(resumed.warnings[0]).toMatch(/ssh_bruteforce, ssh_invalid_users/);
  expect(resumed.warnings[0]).toContain(iso(NOW - 170 * MIN));
  // 20 minutes ago is inside the last 30 minutes; an hour ago is not
  expect(alertsFor(resumed, 'ssh_bruteforce', recent).map((a) => a.status)).toEqual(['new']);
  expect(alertsFor(resumed, 'ssh_bruteforce', old)).toEqual([]);
  const cycle = auditRecords(s.logDir, 'cycle').at(-1);
  expect(cycle?.warnings).toEqual([expect.stringMatching(/max_catch_up/)]);
});

test('a rule whose query failed keeps its checkpoint; the others advance', async () => {
  const s = setup('failed', { web: [BAD_WEB] });
  const rules = ['--rule', 'ssh_bruteforce', '--rule', 'http_404_spike'];
  const first = await scan(s.config, [
    ...rules,
    '--resume',
    '--from',
    iso(NOW - 2 * HOUR),
    '--to',
    iso(NOW - HOUR),
  ]);
  expect(first.code).toBe(0);
  expect(first.stderr).toMatch(/error: rule http_404_spike/);
  expect(await checkpointOf(s, 'ssh_bruteforce')).toBe(iso(NOW - HOUR));
  expect(await checkpointOf(s, 'http_404_spike')).toBeUndefined();
  expect(auditRecords(s.logDir, 'cycle').at(-1)?.checkpointed).toEqual(['ssh_bruteforce']);
});

test('a replay of older times does not move a checkpoint back', async () => {
  const s = setup('replay');
  const live = await scan(s.config, ['--rule', 'ssh_bruteforce', '--resume', '--duration', '10']);
  expect(live.code).toBe(0);
  const cp = await checkpointOf(s, 'ssh_bruteforce');
  const replay = await scan(s.config, [
    '--rule',
    'ssh_bruteforce',
    '--from',
    iso(NOW - 30 * HOUR),
    '--to',
    iso(NOW - 29 * HOUR),
  ]);
  expect(replay.code).toBe(0);
  expect(await checkpointOf(s, 'ssh_bruteforce')).toBe(cp);
  // so the next resumed cycle does not warn about a gap of 29 hours (max_catch_up is 24h)
  const resumed = await scan(s.config, ['--rule', 'ssh_bruteforce', '--resume', '--duration', '10']);
  expect(resumed.warnings).toEqual([]);
});

test('a plain scan after downtime leaves the checkpoint, so the resumed run still raises the gap', async () => {
  const ip = '203.0.113.63';
  const s = setup('plain-scan');
  const rule = ['--rule', 'ssh_bruteforce'];
  // the monitor ran until 160 minutes ago, then went down
  const before = await scan(s.config, [
    ...rule,
    '--resume',
    '--from',
    iso(NOW - 3 * HOUR),
    '--to',
    iso(NOW - 160 * MIN),
  ]);
  expect(before.code).toBe(0);
  expect(await checkpointOf(s, 'ssh_bruteforce')).toBe(iso(NOW - 160 * MIN));
  // an attack two hours ago, during the downtime; someone runs a plain scan of the last 10 minutes
  await indexDocs(client, AUTH, sshFailures(ip, 20, NOW - 2 * HOUR, MIN));
  const plain = await scan(s.config, [...rule, '--duration', '10']);
  expect(plain.code).toBe(0);
  expect(alertsFor(plain, 'ssh_bruteforce', ip)).toEqual([]);
  // it evaluated 10 minutes, not the two hours since the checkpoint: the checkpoint stays
  expect(await checkpointOf(s, 'ssh_bruteforce')).toBe(iso(NOW - 160 * MIN));
  expect(auditRecords(s.logDir, 'cycle').at(-1)?.checkpointed).toEqual([]);
  // the monitor (a resumed run) comes back and covers the gap
  const resumed = await scan(s.config, [...rule, '--resume', '--duration', '10']);
  expect(alertsFor(resumed, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);
});
