/**
 * `--from/--to` replays history: the same events, indexed once around now and once exactly a
 * week earlier (same weekday and time of day, so the same calendar decision), give the same
 * findings from a live scan (`--duration 10`) and from a replay of the week-old interval.
 * The calendar has no business day, so both intervals are off-hours whatever the hour, weekday or
 * holiday the test runs on (which thresholds apply is tested at fixed instants elsewhere).
 */
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, sshFailures, sudoEvent, testClient, webRequest } from '../../helpers/ecs';
import { baseConfig, OFF_HOURS_CALENDAR, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { deleteIndicesStartingWith, type FindingLine, iso, MIN, scanJson } from './scan-helpers';

jest.setTimeout(120_000);

const PREFIX = 'it-replay-matches-live-';
const AUTH = `${PREFIX}auth`;
const WEB = `${PREFIX}web`;
const WEEK = 7 * 24 * 60 * MIN;

let client: Client;
let config: string;
let now: number;

/** An attack mix placed in [base − 9 min, base − 1 min], away from the interval's edges. */
function attacks(base: number): { auth: Record<string, unknown>[]; web: Record<string, unknown>[] } {
  const t = (m: number) => base - m * MIN;
  return {
    auth: [
      ...sshFailures('203.0.113.10', 25, t(8), 80_000),
      ...sshFailures('203.0.113.11', 9, t(5), 40_000),
      ...sshFailures('203.0.113.12', 4, t(4), 30_000),
      ...Array.from({ length: 14 }, (_, i) =>
        sshFailures(`198.51.100.${i + 1}`, 1, t(7) + i * 20_000, 1000, { user: { name: 'oracle' } }),
      ).flat(),
      sudoEvent('mallory', t(3), '/bin/cat /etc/shadow', 'user NOT in sudoers'),
    ],
    web: [
      ...Array.from({ length: 700 }, (_, i) => webRequest('203.0.113.50', t(6) + i * 60, 200)),
      ...Array.from({ length: 40 }, (_, i) => webRequest('203.0.113.52', t(4) + i * 1000, 404)),
      ...Array.from({ length: 30 }, (_, c) => webRequest(`192.0.2.${c + 1}`, t(5) + c * 1000, 200)),
    ],
  };
}

/** What a user compares: which rule fired for which entity, how high, against which threshold. */
const summary = (findings: FindingLine[]) =>
  findings
    .map((f) => ({
      rule: f.rule,
      entity: f.entity,
      value: f.value,
      threshold: f.threshold,
      schedule: f.schedule,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

beforeAll(async () => {
  client = testClient();
  await Promise.all([createEcsIndex(client, AUTH), createEcsIndex(client, WEB)]);
  now = Date.now();
  const live = attacks(now);
  const past = attacks(now - WEEK);
  await Promise.all([
    indexDocs(client, AUTH, [...live.auth, ...past.auth]),
    indexDocs(client, WEB, [...live.web, ...past.web]),
  ]);
  config = writeConfig(
    tempDir(),
    baseConfig({
      auth: [AUTH],
      web: [WEB],
      windows: [AUTH],
      stateIndex: `${PREFIX}state`,
      calendar: OFF_HOURS_CALENDAR,
    }),
  );
});

afterAll(async () => {
  await deleteIndicesStartingWith(client, PREFIX);
  await client.close();
});

test('a replay of last week finds what the live scan finds now', async () => {
  const live = await scanJson(config, ['--duration', '10']);
  const replay = await scanJson(config, ['--from', iso(now - WEEK - 10 * MIN), '--to', iso(now - WEEK)]);
  expect([live.code, replay.code]).toEqual([0, 0]);
  expect(live.messages).toEqual([]);
  expect(replay.messages).toEqual([]);
  const rules = new Set(live.findings.map((f) => f.rule));
  for (const r of ['ssh_bruteforce', 'ssh_distributed', 'sudo_misuse', 'dos_burst', 'http_404_spike'])
    expect(rules).toContain(r);
  expect(summary(replay.findings)).toEqual(summary(live.findings));
  // each finding's window lies in the interval that was asked for
  for (const f of replay.findings) {
    expect(Date.parse(f.window.start)).toBeGreaterThanOrEqual(now - WEEK - 10 * MIN);
    expect(Date.parse(f.window.end)).toBeLessThanOrEqual(now - WEEK);
  }
  // off-hours threshold 8: 25 and 9 failures fire, 4 do not
  const brute = new Map(
    live.findings.filter((f) => f.rule === 'ssh_bruteforce').map((f) => [f.entity['source.ip'], f]),
  );
  expect(live.findings.every((f) => f.schedule === 'off_hours')).toBe(true);
  expect(brute.get('203.0.113.10')?.value).toBe(25);
  expect(brute.get('203.0.113.11')?.value).toBe(9);
  expect(brute.has('203.0.113.12')).toBe(false);
});

test('a replay of a quiet interval finds nothing', async () => {
  const quiet = await scanJson(config, [
    '--from',
    iso(now - WEEK - 40 * MIN),
    '--to',
    iso(now - WEEK - 20 * MIN),
  ]);
  expect(quiet.code).toBe(0);
  expect(quiet.findings).toEqual([]);
});
