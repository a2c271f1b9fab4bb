/**
 * What a user sees when the indices are not what the rules expect, against a real cluster:
 * a pattern with no index, a field that is missing or mapped as text, and a shard failure in
 * one rule while the other rules still report. Replayed over Wednesday 2026-11-18 03:00–04:00.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import {
  createEcsIndex,
  ECS_TEST_MAPPINGS,
  indexDocs,
  sshFailures,
  sudoEvent,
  testClient,
} from '../../helpers/ecs';
import { baseConfig, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { byEntity, deleteIndicesStartingWith, MIN, scanJson } from './scan-helpers';

const PREFIX = 'it-source-problems-';
const OK = `${PREFIX}ok`;
const TEXT_IP = `${PREFIX}textip`;
const NO_USER = `${PREFIX}nouser`;
const MISSING = `${PREFIX}none-*`;
const T0 = Date.parse('2026-11-18T03:00:00Z');
const REPLAY = ['--from', '2026-11-18T03:00:00Z', '--to', '2026-11-18T04:00:00Z'];
const IP_RULES =
  'root_ssh_session, ssh_bruteforce, ssh_bruteforce_success, ssh_distributed, ssh_invalid_users';

const properties = ECS_TEST_MAPPINGS.properties as Record<string, estypes.MappingProperty>;
const TEXT_IP_MAPPINGS: estypes.MappingTypeMapping = {
  ...ECS_TEST_MAPPINGS,
  properties: {
    ...properties,
    source: { properties: { ip: { type: 'text' }, port: { type: 'long' }, address: { type: 'keyword' } } },
  },
};
const keyword = { type: 'keyword' } as const;
/** Everything the SSH rules filter on, but no user.name (and nothing else gets mapped). */
const NO_USER_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' },
    event: { properties: { action: keyword, outcome: keyword, category: keyword } },
    source: { properties: { ip: { type: 'ip' } } },
    host: { properties: { hostname: keyword } },
    process: { properties: { name: keyword } },
    system: { properties: { auth: { properties: { ssh: { properties: { event: keyword } } } } } },
  },
};

jest.setTimeout(120_000);

let client: Client;
const configFor = (auth: string[], other: string[] = [OK]) =>
  writeConfig(tempDir(), baseConfig({ auth, web: other, windows: other, stateIndex: `${PREFIX}state` }));

/** An SSH brute force from `ip` and one sudo misuse by `user`, in the replayed hour. */
const attack = (ip: string, user: string) => [
  ...sshFailures(ip, 30, T0 + 10 * MIN, MIN),
  sudoEvent(user, T0 + 20 * MIN, '/bin/cat /etc/shadow', 'user NOT in sudoers'),
];

beforeAll(async () => {
  client = testClient();
  await Promise.all([
    createEcsIndex(client, OK),
    createEcsIndex(client, TEXT_IP, TEXT_IP_MAPPINGS),
    createEcsIndex(client, NO_USER, NO_USER_MAPPINGS),
  ]);
  await Promise.all([
    indexDocs(client, OK, attack('203.0.113.10', 'mallory')),
    indexDocs(client, TEXT_IP, attack('203.0.113.20', 'trudy')),
    // user.name is in the documents but not mapped: the rules that group by it cannot use it
    indexDocs(client, NO_USER, sshFailures('203.0.113.30', 30, T0 + 10 * MIN, MIN)),
  ]);
});

afterAll(async () => {
  await deleteIndicesStartingWith(client, PREFIX);
  await client.close();
});

test('a pattern that matches no index gives one warning line and the scan goes on', async () => {
  const r = await scanJson(configFor([OK], [MISSING]), REPLAY);
  expect(r.code).toBe(0);
  expect(r.messages).toEqual([
    expect.stringMatching(
      new RegExp(
        `^warning: no index matches ${MISSING.replace(/[.*]/g, '\\$&')} \\(rules [a-z_, 0-9]*dos_burst[a-z_, 0-9]*\\): nothing to scan there$`,
      ),
    ),
  ]);
  expect(r.stderr).not.toMatch(/error|exception|\n\s+at /i);
  expect(byEntity(r.findings, 'ssh_bruteforce').get('203.0.113.10')).toMatchObject({ value: 30 });
});

test('a field mapped as text: a warning naming the field and rules, an error for those rules, findings from the others', async () => {
  const r = await scanJson(configFor([TEXT_IP]), REPLAY);
  expect(r.code).toBe(0);
  expect(r.messages).toContain(
    `warning: field source.ip is mapped as text; needs keyword or ip (rules ${IP_RULES})`,
  );
  const errors = r.messages.filter((m) => m.startsWith('error:'));
  expect(errors.map((e) => /^error: rule (\w+):/.exec(e)?.[1]).sort()).toEqual(IP_RULES.split(', ').sort());
  for (const e of errors) expect(e).toMatch(/source\.ip/);
  // never a silent zero: no ssh_bruteforce finding, but a reported error instead
  expect(r.findings.filter((f) => f.rule === 'ssh_bruteforce')).toEqual([]);
  expect(byEntity(r.findings, 'sudo_misuse').get('trudy')).toMatchObject({ value: 1 });
});

test('a field that is not mapped: a warning naming it, and the rules that need it find nothing', async () => {
  const r = await scanJson(configFor([NO_USER]), REPLAY);
  expect(r.code).toBe(0);
  expect(r.messages).toContainEqual(
    expect.stringMatching(
      /^warning: field user\.name is not mapped in any matching index \(rules [a-z_, ]*ssh_distributed[a-z_, ]*\)$/,
    ),
  );
  expect(r.messages).toContainEqual(expect.stringMatching(/^warning: field user\.name .*sudo_misuse/));
  expect(byEntity(r.findings, 'ssh_bruteforce').get('203.0.113.30')).toMatchObject({ value: 30 });
  expect(r.findings.filter((f) => f.rule === 'ssh_distributed')).toEqual([]);
});

test('vigil doctor reports the missing and the wrongly mapped field', async () => {
  const textIp = await runVigil(['doctor', '--config', configFor([TEXT_IP])]);
  expect(textIp.code).toBe(0);
  expect(textIp.stdout).toMatch(/field source\.ip\s+text \(needs keyword or ip\)/);
  expect(textIp.stdout).toMatch(/field user\.name\s+keyword\n/);
  expect(textIp.stdout).toMatch(/1 field problem\(s\)/);
  const noUser = await runVigil(['doctor', '--config', configFor([NO_USER])]);
  expect(noUser.stdout).toMatch(/field user\.name\s+not mapped \(needs keyword or ip\)/);
  expect(noUser.stdout).toMatch(/\d+ field problem\(s\)/);
  const fine = await runVigil(['doctor', '--config', configFor([OK])]);
  expect(fine.code).toBe(0);
  expect(fine.stdout).toMatch(/every needed field is mapped/);
  expect(fine.stdout).toMatch(new RegExp(`${OK}\\s+1 indices, 31 documents`));
});

test('a shard failure in one index of a source is an error for that rule; the other rules still report (exit 0)', async () => {
  // source.ip is `ip` in one index and `text` in the other: aggregating on it fails on one shard
  const cfg = configFor([OK, TEXT_IP]);
  const r = await scanJson(cfg, REPLAY);
  expect(r.code).toBe(0);
  const errors = r.messages.filter((m) => m.startsWith('error:'));
  expect(errors).toContainEqual(
    expect.stringMatching(
      new RegExp(`^error: rule ssh_bruteforce: .*1 of 2 shards failed.*\\(index ${TEXT_IP}\\)$`),
    ),
  );
  for (const e of errors) expect(e).not.toMatch(/\n/);
  // the half that worked is not reported as a count: no ssh_bruteforce finding at all
  expect(r.findings.filter((f) => f.rule === 'ssh_bruteforce')).toEqual([]);
  const sudo = byEntity(r.findings, 'sudo_misuse');
  expect([...sudo.keys()].sort()).toEqual(['mallory', 'trudy']);
  expect(r.stderr).toMatch(/18 rules \(5 failed\)/);

  // when every selected rule fails, the scan exits 3 and says so in one line
  const all = await runVigil([
    'scan',
    '--dry-run',
    '--config',
    cfg,
    ...REPLAY,
    '--rule',
    'ssh_bruteforce',
    '--rule',
    'ssh_invalid_users',
  ]);
  expect(all.code).toBe(3);
  expect(all.stderr).toMatch(/^vigil: every rule failed \(.*\)$/m);
  expect(all.stderr).not.toMatch(/\n\s+at /);
});
