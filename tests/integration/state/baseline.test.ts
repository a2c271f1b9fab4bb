/**
 * Baselines against a real cluster, through the CLI. 35 days of hourly web traffic with a weekly
 * shape (weekdays 08–18 UTC 50 MB an hour, otherwise 20 MB) for web-1, and a quiet web-2 (1 MB an
 * hour). The first scan bootstraps the baseline with one composite aggregation; a 1.6× spike at
 * 3 am fires data_transfer_spike with the baseline it compared with; the same bytes at a busy hour
 * do not; a quiet host stays under min_value. login_failure_rate runs end to end too.
 */
import type { Client } from '@elastic/elasticsearch';
import { DateTime } from 'luxon';
import { createEcsIndex, indexDocs, sshLogin, testClient, webRequest } from '../../helpers/ecs';
import {
  alertsFor,
  auditRecords,
  dropState,
  HOUR,
  iso,
  MIN,
  type StateSetup,
  scan,
  stateDoc,
  stateSetup,
  storedBaselineHours,
} from './state-kit';

jest.setTimeout(180_000);

const PREFIX = 'it-state-baseline';
const WEB = `${PREFIX}-web`;
const AUTH = `${PREFIX}-auth`;
const MB = 1_000_000;
const DAY = 24 * HOUR;
// Wednesday 2026-11-04, replayed
const D = Date.parse('2026-11-04T00:00:00Z');
const SPIKE = 1.6 * 20 * MB;

let client: Client;
let s: StateSetup;

const usual = (hourMs: number) => {
  const t = DateTime.fromMillis(hourMs, { zone: 'UTC' });
  return t.weekday <= 5 && t.hour >= 8 && t.hour < 18 ? 50 * MB : 20 * MB;
};

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, WEB);
  await createEcsIndex(client, AUTH);
  const docs: Record<string, unknown>[] = [];
  // one document per hour and host (the bytes of the whole hour), 35 days back from D + 12 h
  for (let h = D - 35 * DAY; h < D + 12 * HOUR; h += HOUR) {
    let bytes = usual(h);
    if (h === D + 3 * HOUR || h === D + 10 * HOUR) bytes = SPIKE; // 1.6× the night; under the day
    docs.push(webRequest('198.51.100.7', h + 10 * MIN, 200, bytes, 'web-1', '/export'));
    docs.push(webRequest('198.51.100.8', h + 10 * MIN, 200, h === D + 3 * HOUR ? 1.6 * MB : MB, 'web-2'));
  }
  await indexDocs(client, WEB, docs);
  // SSH logins on Wednesday 02:00–02:10: host-b 30 of 35 failed; host-c 10 of 50; host-d 15 of 15
  const logins: Record<string, unknown>[] = [];
  const at = (i: number, n: number) => D + 2 * HOUR + Math.floor((i * 10 * MIN) / n);
  for (let i = 0; i < 30; i++) logins.push(sshLogin('203.0.113.80', 'admin', at(i, 30), 'failure', 'host-b'));
  for (let i = 0; i < 5; i++) logins.push(sshLogin('192.0.2.5', 'alice', at(i, 5), 'success', 'host-b'));
  for (let i = 0; i < 10; i++) logins.push(sshLogin('192.0.2.6', 'bob', at(i, 10), 'failure', 'host-c'));
  for (let i = 0; i < 40; i++) logins.push(sshLogin('192.0.2.6', 'bob', at(i, 40), 'success', 'host-c'));
  for (let i = 0; i < 15; i++) logins.push(sshLogin('203.0.113.81', 'root', at(i, 15), 'failure', 'host-d'));
  await indexDocs(client, AUTH, logins);
  s = stateSetup(PREFIX, { web: [WEB], auth: [AUTH] });
});

afterAll(async () => {
  await dropState(client, s);
  await client.indices.delete({ index: [WEB, AUTH].join(','), ignore_unavailable: true });
  await client.close();
});

const replay = (rule: string, fromMs: number, toMs: number) =>
  scan(s.config, ['--rule', rule, '--from', iso(fromMs), '--to', iso(toMs)]);

test('the first scan bootstraps 30 days of baseline with one aggregation; a 1.6× spike at 3 am fires', async () => {
  const r = await replay('data_transfer_spike', D + 3 * HOUR, D + 4 * HOUR);
  expect(r.code).toBe(0);

  const boot = auditRecords(s.logDir, 'baseline_bootstrapped');
  expect(boot).toHaveLength(1);
  expect(boot[0]).toMatchObject({ rules: ['data_transfer_spike'], searches: 1 });
  // the state index holds the hours: 30 days × 24 per host, complete up to the scan's last hour
  const meta = await stateDoc(client, s.stateIndex, 'baseline:data_transfer_spike');
  expect(meta?.body).toEqual({ complete_until: D + 4 * HOUR });
  const hours = await storedBaselineHours(client, s.stateIndex, 'data_transfer_spike');
  expect(hours).toEqual(
    new Map([
      [JSON.stringify(['web-1']), 30 * 24],
      [JSON.stringify(['web-2']), 30 * 24],
    ]),
  );

  const spike = alertsFor(r, 'data_transfer_spike', 'web-1');
  expect(spike).toHaveLength(1);
  expect(spike[0]).toMatchObject({
    status: 'new',
    value: SPIKE,
    threshold: 30 * MB, // 1.5 × the usual 20 MB of a Wednesday at 03:00
    schedule: 'off_hours',
    // four earlier Wednesdays at 03:00 in the 30 days; the spike's own hour is not its baseline
    baseline: { expected: 20 * MB, ratio: 1.6, samples: 4 },
  });
  expect(Date.parse(spike[0].window.start)).toBeGreaterThanOrEqual(D + 3 * HOUR);
  // 1.6 MB on a host that usually serves 1 MB: a 1.6× deviation, but under min_value (10 MB)
  expect(alertsFor(r, 'data_transfer_spike', 'web-2')).toEqual([]);
  // the audit trail keeps the baseline the finding was compared with
  const cycle = auditRecords(s.logDir, 'cycle').at(-1);
  expect(cycle?.findings).toEqual([
    expect.objectContaining({ rule: 'data_transfer_spike', decision: 'new', baseline: spike[0].baseline }),
  ]);
});

test('the same bytes at a normally busy hour do not fire; the baseline is extended, not bootstrapped again', async () => {
  const r = await replay('data_transfer_spike', D + 10 * HOUR, D + 11 * HOUR);
  expect(r.code).toBe(0);
  // 32 MB against the 50 MB usual for a Wednesday at 10:00: no finding; the 3 am alert is over
  const cycle = auditRecords(s.logDir, 'cycle').at(-1);
  expect(cycle?.rules).toEqual([
    expect.objectContaining({ id: 'data_transfer_spike', ok: true, findings: 0 }),
  ]);
  expect(r.alerts.map((a) => [a.entity['host.hostname'], a.status])).toEqual([['web-1', 'recovered']]);
  expect(auditRecords(s.logDir, 'baseline_bootstrapped')).toHaveLength(1);
  const meta = await stateDoc(client, s.stateIndex, 'baseline:data_transfer_spike');
  expect(meta?.body).toEqual({ complete_until: D + 11 * HOUR });
});

test('login_failure_rate: the share of failed logins per host, with at least min_total attempts', async () => {
  const r = await replay('login_failure_rate', D + 2 * HOUR, D + 2 * HOUR + 15 * MIN);
  expect(r.code).toBe(0);
  const hosts = r.alerts.filter((a) => a.rule === 'login_failure_rate');
  expect(hosts.map((a) => a.entity['host.hostname'])).toEqual(['host-b']);
  expect(hosts[0]).toMatchObject({ status: 'new', schedule: 'off_hours', threshold: 0.3 });
  expect(hosts[0].value).toBeCloseTo(30 / 35, 3);
});
