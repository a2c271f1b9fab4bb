/**
 * Against a real cluster, through the CLI: a burst straddling a bucket edge is found, and the
 * same counts fire off-hours (night, weekend, holiday) but not in business hours.
 * Calendar: UTC, Mon–Fri 08:00–18:00, holiday 2026-12-25. ssh_bruteforce: 2 min window,
 * thresholds business 15 / off-hours 8, buckets of 15 s.
 */
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../../helpers/ecs';
import { baseConfig, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { byEntity, deleteIndicesStartingWith, iso, MIN, scanJson } from './scan-helpers';

const PREFIX = 'it-thresholds-in-time-';
const INDEX = `${PREFIX}auth`;
const STATE = `${PREFIX}state`;
const at = (s: string) => Date.parse(s);
const S = 1000;

jest.setTimeout(120_000);

let client: Client;
let config: string;

/** 10 failures from `ip`: 5 in the 9 s before `edge` and 5 in the 9 s from it. */
const straddling = (ip: string, edge: number) => [
  ...sshFailures(ip, 5, edge - 9 * S, 9 * S),
  ...sshFailures(ip, 5, edge, 9 * S),
];

const NIGHT = '2026-11-18'; // a Wednesday
const CASES = [
  { name: 'Wednesday 03:00 (night)', from: `${NIGHT}T03:00:00Z`, schedule: 'off_hours' },
  { name: 'Wednesday 10:00 (business hours)', from: `${NIGHT}T10:00:00Z`, schedule: 'business_hours' },
  { name: 'Saturday 10:00 (weekend)', from: '2026-11-21T10:00:00Z', schedule: 'off_hours' },
  {
    name: 'Friday 2026-12-25 10:00 (holiday in the config)',
    from: '2026-12-25T10:00:00Z',
    schedule: 'off_hours',
  },
  {
    name: 'Thursday 2026-12-24 10:00 (the day before)',
    from: '2026-12-24T10:00:00Z',
    schedule: 'business_hours',
  },
];

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, INDEX);
  const docs: Record<string, unknown>[] = [];
  for (const c of CASES) {
    const t0 = at(c.from);
    // 10 failures in one minute: over the off-hours threshold (8), under business hours (15)
    docs.push(...sshFailures('198.51.100.10', 10, t0 + 2 * MIN, MIN));
    // 20 failures in one minute: over both
    docs.push(...sshFailures('198.51.100.20', 20, t0 + 5 * MIN, MIN));
  }
  for (const t0 of [at('2026-12-23T21:00:00Z'), at('2026-12-24T21:00:00Z')]) {
    docs.push(
      ...sshFailures('198.51.100.31', 10, t0 + 2 * MIN, MIN),
      ...sshFailures('198.51.100.30', 20, t0 + 5 * MIN, MIN),
    );
  }
  // bucket edges at night: 03:32:00 is a 15 s bucket edge and a 2-minute boundary; 03:34:15 only a bucket edge
  docs.push(...straddling('203.0.113.1', at('2026-11-18T03:32:00Z')));
  docs.push(...straddling('203.0.113.2', at('2026-11-18T03:34:15Z')));
  // the same 10 failures, but the halves 3 minutes apart: no 2-minute span holds 8 of them
  docs.push(
    ...sshFailures('203.0.113.3', 5, at('2026-11-18T03:40:51Z'), 9 * S),
    ...sshFailures('203.0.113.3', 5, at('2026-11-18T03:44:00Z'), 9 * S),
  );
  await indexDocs(client, INDEX, docs);
  config = writeConfig(tempDir(), baseConfig({ auth: [INDEX], stateIndex: STATE }));
});

afterAll(async () => {
  await deleteIndicesStartingWith(client, PREFIX);
  await client.close();
});

test('a burst straddling a bucket edge is found, and a split one is not', async () => {
  const r = await scanJson(config, [
    '--rule',
    'ssh_bruteforce',
    '--from',
    '2026-11-18T03:30:00Z',
    '--to',
    '2026-11-18T03:50:00Z',
  ]);
  expect(r.code).toBe(0);
  expect(r.messages).toEqual([]);
  const found = byEntity(r.findings, 'ssh_bruteforce');
  expect([...found.keys()].sort()).toEqual(['203.0.113.1', '203.0.113.2']);
  for (const [ip, edge] of [
    ['203.0.113.1', '2026-11-18T03:32:00Z'],
    ['203.0.113.2', '2026-11-18T03:34:15Z'],
  ]) {
    const f = found.get(ip);
    expect(f).toMatchObject({ value: 10, threshold: 8, schedule: 'off_hours' });
    // the reported window holds both halves of the burst (edge − 9 s … edge + 7.2 s): the earliest
    // 2-minute span on whole seconds that does, ending just after the last failure
    expect(f?.window).toEqual({ start: iso(at(edge) + 8 * S - 2 * MIN), end: iso(at(edge) + 8 * S) });
    expect(f?.samples).toHaveLength(5);
  }
});

test.each(CASES)('$name: the threshold of the calendar applies ($schedule)', async ({ from, schedule }) => {
  const to = new Date(at(from) + 10 * MIN).toISOString();
  const r = await scanJson(config, ['--rule', 'ssh_bruteforce', '--from', from, '--to', to]);
  expect(r.code).toBe(0);
  const found = byEntity(r.findings, 'ssh_bruteforce');
  expect(found.get('198.51.100.20')).toMatchObject({
    value: 20,
    schedule,
    threshold: schedule === 'off_hours' ? 8 : 15,
  });
  if (schedule === 'off_hours')
    expect(found.get('198.51.100.10')).toMatchObject({ value: 10, threshold: 8, schedule });
  else expect(found.get('198.51.100.10')).toBeUndefined();
});

test('a holiday is read in the calendar zone: 2026-12-25 in Auckland starts on the 24th in UTC', async () => {
  const auckland = writeConfig(
    tempDir(),
    baseConfig({ auth: [INDEX], timezone: 'Pacific/Auckland', stateIndex: STATE }),
  );
  // 2026-12-23T21:00Z is Thursday 24th 10:00 NZDT; 2026-12-24T21:00Z is Friday 25th 10:00 NZDT
  const day = await scanJson(auckland, [
    '--rule',
    'ssh_bruteforce',
    '--from',
    '2026-12-23T21:00:00Z',
    '--to',
    '2026-12-23T21:10:00Z',
  ]);
  const holiday = await scanJson(auckland, [
    '--rule',
    'ssh_bruteforce',
    '--from',
    '2026-12-24T21:00:00Z',
    '--to',
    '2026-12-24T21:10:00Z',
  ]);
  expect([day.code, holiday.code]).toEqual([0, 0]);
  expect(byEntity(day.findings, 'ssh_bruteforce').get('198.51.100.30')).toMatchObject({
    value: 20,
    threshold: 15,
    schedule: 'business_hours',
  });
  expect(byEntity(day.findings, 'ssh_bruteforce').has('198.51.100.31')).toBe(false);
  expect(byEntity(holiday.findings, 'ssh_bruteforce').get('198.51.100.30')).toMatchObject({
    value: 20,
    threshold: 8,
    schedule: 'off_hours',
  });
  expect(byEntity(holiday.findings, 'ssh_bruteforce').get('198.51.100.31')).toMatchObject({
    value: 10,
    threshold: 8,
    schedule: 'off_hours',
  });
});

test('the table output shows the schedule of each finding, without colour when piped', async () => {
  const r = await runVigil([
    'scan',
    '--dry-run',
    '--config',
    config,
    '--rule',
    'ssh_bruteforce',
    '--from',
    `${NIGHT}T03:00:00Z`,
    '--to',
    `${NIGHT}T03:10:00Z`,
  ]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/HIGH\s+ssh_bruteforce\s+source\.ip=198\.51\.100\.10\s+10 ≥ 8\s+off-hours/);
  expect(r.stdout).toMatch(/HIGH\s+ssh_bruteforce\s+source\.ip=198\.51\.100\.20\s+20 ≥ 8\s+off-hours/);
  expect(r.stdout).not.toMatch(/\x1b\[/);
});
