/**
 * Each shipped rule fires on its attack pattern and stays quiet on normal traffic, against a real
 * cluster, through the CLI as a user runs it (replayed with --from/--to so the calendar is fixed).
 */
import type { Client } from '@elastic/elasticsearch';
import {
  createEcsIndex,
  indexDocs,
  sshFailures,
  sshLogin,
  sudoEvent,
  testClient,
  webRequest,
} from '../../helpers/ecs';
import { baseConfig, jsonLines, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';

const AUTH = 'it-rules-auth';
const WEB = 'it-rules-web';
const WIN = 'it-rules-win';
const STATE = 'it-rules-state';
// Wednesday 2026-11-18, 03:00–04:00 UTC: off-hours in the test calendar (UTC, 08:00–18:00 Mon–Fri)
const T0 = Date.parse('2026-11-18T03:00:00Z');
const FROM = '2026-11-18T03:00:00Z';
const TO = '2026-11-18T04:00:00Z';
const min = 60_000;

let client: Client;
let config: string;

function normalTraffic(): { auth: Record<string, unknown>[]; web: Record<string, unknown>[] } {
  const auth: Record<string, unknown>[] = [];
  const web: Record<string, unknown>[] = [];
  // a few admins logging in fine, one typo each, ordinary sudo
  for (let i = 0; i < 6; i++) {
    auth.push(sshLogin(`10.0.0.${i + 1}`, `admin${i}`, T0 + i * 7 * min, 'success', 'host-b'));
    auth.push(sshLogin(`10.0.0.${i + 1}`, `admin${i}`, T0 + i * 7 * min + 5000, 'failure', 'host-b'));
    auth.push(sudoEvent(`admin${i}`, T0 + i * 7 * min + 60_000, '/usr/bin/systemctl restart nginx'));
  }
  // steady web traffic from 50 clients: a request every 30 s each, a rare 404
  for (let c = 0; c < 50; c++) {
    for (let t = 0; t < 60 * min; t += 30_000)
      web.push(webRequest(`192.0.2.${c + 1}`, T0 + t + c * 100, t % (20 * min) === 0 ? 404 : 200, 2000));
  }
  return { auth, web };
}

beforeAll(async () => {
  client = testClient();
  await Promise.all([createEcsIndex(client, AUTH), createEcsIndex(client, WEB), createEcsIndex(client, WIN)]);
  const normal = normalTraffic();
  const attack: Record<string, unknown>[] = [
    // ssh_bruteforce: 40 failures in 90 s from one IP
    ...sshFailures('203.0.113.10', 40, T0 + 10 * min, 90_000),
    // ssh_distributed: 15 IPs, 2 failures each, against "oracle" in 8 minutes
    ...Array.from({ length: 15 }, (_, i) =>
      sshFailures(`198.51.100.${i + 1}`, 2, T0 + 20 * min + i * 30_000, 10_000, { user: { name: 'oracle' } }),
    ).flat(),
    // ssh_invalid_users: 8 invalid users from one IP
    ...sshFailures('203.0.113.20', 8, T0 + 30 * min, 4 * min, {
      system: { auth: { ssh: { event: 'Invalid' } } },
    }),
    // sudo_misuse, sudo_shell, destructive_commands
    sudoEvent('mallory', T0 + 40 * min, '/bin/cat /etc/shadow', 'user NOT in sudoers'),
    sudoEvent('eve', T0 + 41 * min, '/bin/bash'),
    sudoEvent('trudy', T0 + 42 * min, '/bin/rm -rf /var/www'),
    // account_changes
    {
      '@timestamp': new Date(T0 + 43 * min).toISOString(),
      process: { name: 'useradd' },
      user: { name: 'backdoor' },
      host: { hostname: 'host-c' },
      event: { category: ['iam'] },
    },
    // root_ssh_session
    sshLogin('203.0.113.30', 'root', T0 + 44 * min, 'success', 'host-d'),
    // login_failure_rate on host-e: 18 failures, 6 successes
    ...Array.from({ length: 24 }, (_, i) =>
      sshLogin(
        `10.9.0.${i % 4}`,
        `u${i % 4}`,
        T0 + 45 * min + i * 10_000,
        i % 4 === 0 ? 'success' : 'failure',
        'host-e',
      ),
    ),
  ];
  const webAttack: Record<string, unknown>[] = [
    // dos_burst: 500 requests in 50 s
    ...Array.from({ length: 500 }, (_, i) => webRequest('203.0.113.50', T0 + 5 * min + i * 100, 200)),
    // http_401_spike, http_404_spike, http_5xx_spike (+ total 5xx: 60 in 2 minutes)
    ...Array.from({ length: 30 }, (_, i) => webRequest('203.0.113.51', T0 + 15 * min + i * 2000, 401)),
    ...Array.from({ length: 40 }, (_, i) => webRequest('203.0.113.52', T0 + 25 * min + i * 1000, 404)),
    ...Array.from({ length: 60 }, (_, i) => webRequest('203.0.113.53', T0 + 35 * min + i * 1500, 503)),
  ];
  const win = Array.from({ length: 120 }, (_, i) => ({
    '@timestamp': new Date(T0 + 50 * min + i * 300).toISOString(),
    event: { code: '4625', action: 'logon-failed', outcome: 'failure' },
    source: { ip: '203.0.113.60' },
    user: { name: 'Administrator' },
    host: { hostname: 'dc-1' },
  }));
  await Promise.all([
    indexDocs(client, AUTH, [...normal.auth, ...attack]),
    indexDocs(client, WEB, [...normal.web, ...webAttack]),
    indexDocs(client, WIN, win),
  ]);
  config = writeConfig(
    tempDir(),
    baseConfig({ auth: [AUTH], web: [WEB], windows: [WIN], stateIndex: STATE }),
  );
});

afterAll(async () => {
  await client.indices.delete({ index: [AUTH, WEB, WIN, `${STATE}*`], ignore_unavailable: true });
  await client.close();
});

test('every shipped rule fires on its attack pattern, with the off-hours threshold', async () => {
  const r = await runVigil(['scan', '--config', config, '--from', FROM, '--to', TO, '--format', 'json']);
  expect(r.stderr).not.toMatch(/error:/);
  expect(r.code).toBe(0);
  const findings = jsonLines(r.stdout);
  const got = new Set(findings.map((f) => `${f.rule} ${JSON.stringify(f.entity)}`));
  const expected = [
    'ssh_bruteforce {"source.ip":"203.0.113.10"}',
    'ssh_distributed {"user.name":"oracle"}',
    'ssh_invalid_users {"source.ip":"203.0.113.20"}',
    'sudo_misuse {"user.name":"mallory"}',
    'sudo_shell {"user.name":"eve"}',
    'destructive_commands {"user.name":"trudy"}',
    'account_changes {"host.hostname":"host-c"}',
    'root_ssh_session {"source.ip":"203.0.113.30"}',
    'login_failure_rate {"host.hostname":"host-e"}',
    // the brute force above hit host-a: 40 failures, no success, is a failure rate too
    'login_failure_rate {"host.hostname":"host-a"}',
    'dos_burst {"source.ip":"203.0.113.50"}',
    'http_401_spike {"source.ip":"203.0.113.51"}',
    'http_404_spike {"source.ip":"203.0.113.52"}',
    'http_5xx_spike {"source.ip":"203.0.113.53"}',
    'http_5xx_total {}',
    'windows_logon_failures {"source.ip":"203.0.113.60"}',
  ];
  for (const e of expected) expect(got).toContain(e);
  // nothing else: the normal traffic (admins, 50 steady web clients) stays quiet
  expect([...got].sort()).toEqual([...expected].sort());
  for (const f of findings) {
    expect(f.schedule).toBe('off_hours');
    expect(['low', 'medium', 'high', 'critical']).toContain(f.severity);
    expect(Number(f.value)).toBeGreaterThanOrEqual(Number(f.threshold));
    const w = f.window as { start: string; end: string };
    expect(Date.parse(w.start)).toBeGreaterThanOrEqual(Date.parse(FROM));
    expect(Date.parse(w.end)).toBeLessThanOrEqual(Date.parse(TO));
  }
  const brute = findings.find((f) => f.rule === 'ssh_bruteforce') as Record<string, unknown>;
  expect(brute.value).toBe(40);
  expect(brute.threshold).toBe(8);
  expect((brute.samples as unknown[]).length).toBe(5);
  const distributed = findings.find((f) => f.rule === 'ssh_distributed') as Record<string, unknown>;
  expect(distributed.value).toBe(15);
  const rate = findings.find(
    (f) => f.rule === 'login_failure_rate' && JSON.stringify(f.entity).includes('host-e'),
  ) as Record<string, unknown>;
  expect(rate.value).toBeCloseTo(18 / 24, 3);
});

test('normal traffic alone raises nothing', async () => {
  const quietAuth = 'it-rules-quiet-auth';
  const quietWeb = 'it-rules-quiet-web';
  await Promise.all([createEcsIndex(client, quietAuth), createEcsIndex(client, quietWeb)]);
  const normal = normalTraffic();
  await Promise.all([indexDocs(client, quietAuth, normal.auth), indexDocs(client, quietWeb, normal.web)]);
  const cfg = writeConfig(
    tempDir(),
    baseConfig({ auth: [quietAuth], web: [quietWeb], windows: [WIN], stateIndex: `${STATE}-quiet` }),
  );
  const r = await runVigil([
    'scan',
    '--config',
    cfg,
    '--from',
    FROM,
    '--to',
    '2026-11-18T03:50:00Z',
    '--format',
    'json',
  ]);
  expect(r.code).toBe(0);
  expect(jsonLines(r.stdout)).toEqual([]);
  expect(r.stderr).toMatch(/0 findings/);
  await client.indices.delete({ index: [quietAuth, quietWeb] });
});
