/**
 * Alert dedup against a real cluster, through the CLI: two scans over the same attack report it
 * new then suppressed (JSON status and the audit trail's decisions), a repeat after `realert`
 * is new again, a value at 2× the last notified one is escalated, and an entity that falls back
 * below its threshold is reported recovered. The alerts index gets one ECS document per alert.
 * ssh_bruteforce: 2 min window, thresholds 15 (business hours) / 8 (off-hours): bursts of 20+
 * fire at any hour.
 */
import type { Client } from '@elastic/elasticsearch';
import type { AlertMemory } from '../../../src/evaluate/decide-alert';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../../helpers/ecs';
import {
  alertsFor,
  auditRecords,
  cycleDecisions,
  iso,
  MIN,
  type StateSetup,
  scan,
  stateDoc,
  stateSetups,
} from './state-kit';

jest.setTimeout(180_000);

const PREFIX = 'it-state-dedup';
type MemoryDoc = { doc_type: string; status: string; body: AlertMemory };
const AUTH = `${PREFIX}-auth`;
const states = stateSetups(PREFIX, { auth: [AUTH] });
let client: Client;
const setup = (name: string, overrides?: string[]) => states.setup(name, { overrides });

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
});

afterAll(async () => {
  await states.dropAll(client);
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

test('acceptance: `vigil scan --duration 10` twice over the same attack → new, then suppressed (JSON and audit trail)', async () => {
  const ip = '203.0.113.10';
  await indexDocs(client, AUTH, sshFailures(ip, 20, Date.now() - 6 * MIN, MIN));
  const s = setup('twice');

  const first = await scan(s.config, ['--duration', '10']);
  expect(first.code).toBe(0);
  const second = await scan(s.config, ['--duration', '10']);
  expect(second.code).toBe(0);

  const a1 = alertsFor(first, 'ssh_bruteforce', ip);
  const a2 = alertsFor(second, 'ssh_bruteforce', ip);
  expect(a1.map((a) => a.status)).toEqual(['new']);
  expect(a2.map((a) => a.status)).toEqual(['suppressed']);
  expect(a1[0].value).toBe(20);
  // the same burst in the same buckets: the same deterministic alert id
  expect(a2[0].id).toBe(a1[0].id);
  expect(second.stderr).toMatch(/\(0 new, 0 escalated, [1-9]\d* suppressed/);

  // the audit trail says the same, cycle by cycle
  const cycles = cycleDecisions(s.logDir).map((fs) =>
    fs.filter((f) => f.rule === 'ssh_bruteforce' && f.entity['source.ip'] === ip),
  );
  expect(cycles.map((fs) => fs.map((f) => ({ id: f.id, decision: f.decision })))).toEqual([
    [{ id: a1[0].id, decision: 'new' }],
    [{ id: a1[0].id, decision: 'suppressed' }],
  ]);
  const counts = auditRecords(s.logDir, 'cycle').map(
    (r) => r.alerts as { enqueued: number; suppressed: number },
  );
  expect(counts[1].suppressed).toBeGreaterThanOrEqual(1);

  // the memory and the alerts index for Kibana: one document for the one alert
  await client.indices.refresh({ index: `${s.alertsPrefix}-*` });
  const docs = await client.search<Record<string, unknown>>({
    index: `${s.alertsPrefix}-*`,
    query: { term: { 'source.ip': ip } },
  });
  expect(docs.hits.hits.map((h) => h._id)).toEqual([a1[0].id]);
  const doc = docs.hits.hits[0]._source;
  expect(doc).toMatchObject({
    '@timestamp': a1[0].window.end,
    event: { kind: 'alert', module: 'vigil' },
    rule: { id: 'ssh_bruteforce', name: 'SSH brute force' },
    source: { ip },
    vigil: {
      alert_id: a1[0].id,
      status: 'new',
      severity: 'high',
      value: 20,
      threshold: a1[0].threshold,
      schedule: a1[0].schedule,
      window: a1[0].window,
    },
  });
});

test('after realert has passed the same entity is raised again as new; within it, suppressed', async () => {
  const ip = '203.0.113.20';
  const t0 = Date.now();
  await indexDocs(client, AUTH, sshFailures(ip, 20, t0 - 9 * MIN, MIN));
  // realert 5m for this rule: the second burst ends ~7 minutes of event time after the first
  const s = setup('realert', ['ssh_bruteforce: { realert: 5m }']);
  const ctl = setup('realert-ctl');
  const first = await scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  const firstCtl = await scan(ctl.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  expect(alertsFor(first, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);
  expect(alertsFor(firstCtl, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);

  await indexDocs(client, AUTH, sshFailures(ip, 25, t0 - 2 * MIN, MIN));
  const again = await scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  const againCtl = await scan(ctl.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  const raised = alertsFor(again, 'ssh_bruteforce', ip);
  expect(raised.map((a) => ({ status: a.status, value: a.value }))).toEqual([{ status: 'new', value: 25 }]);
  expect(raised[0].id).not.toBe(alertsFor(first, 'ssh_bruteforce', ip)[0].id);
  // with the default realert (60 min) the same second burst is a suppressed repeat
  expect(alertsFor(againCtl, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['suppressed']);
  expect(cycleDecisions(s.logDir).map((c) => c.find((f) => f.entity['source.ip'] === ip)?.decision)).toEqual([
    'new',
    'new',
  ]);
  expect(
    cycleDecisions(ctl.logDir).map((c) => c.find((f) => f.entity['source.ip'] === ip)?.decision),
  ).toEqual(['new', 'suppressed']);
});

test('a value at 2× the last notified one re-notifies as escalated, and later repeats compare with it', async () => {
  const ip = '203.0.113.30';
  const t0 = Date.now();
  await indexDocs(client, AUTH, sshFailures(ip, 16, t0 - 9 * MIN, MIN));
  const s = setup('escalate');
  const first = await scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  expect(alertsFor(first, 'ssh_bruteforce', ip).map((a) => [a.status, a.value])).toEqual([['new', 16]]);

  await indexDocs(client, AUTH, sshFailures(ip, 40, t0 - 5 * MIN, MIN));
  const second = await scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  const escalated = alertsFor(second, 'ssh_bruteforce', ip);
  expect(escalated.map((a) => [a.status, a.value])).toEqual([['escalated', 40]]);

  // 60 is not 2 × 40: a repeat of the escalated alert, suppressed
  await indexDocs(client, AUTH, sshFailures(ip, 60, t0 - 2 * MIN, MIN));
  const third = await scan(s.config, ['--duration', '10', '--rule', 'ssh_bruteforce']);
  expect(alertsFor(third, 'ssh_bruteforce', ip).map((a) => [a.status, a.value])).toEqual([
    ['suppressed', 60],
  ]);

  expect(cycleDecisions(s.logDir).map((c) => c.find((f) => f.entity['source.ip'] === ip)?.decision)).toEqual([
    'new',
    'escalated',
    'suppressed',
  ]);
  // what is remembered: the escalated alert
  const memories = await client.search<MemoryDoc>({
    index: s.stateIndex,
    query: { bool: { filter: [{ term: { doc_type: 'alert' } }, { term: { rule: 'ssh_bruteforce' } }] } },
  });
  const mem = memories.hits.hits.map((h) => h._source?.body).find((b) => b?.entity['source.ip'] === ip);
  expect(mem).toMatchObject({ status: 'firing', last_value: 40, last_alert_id: escalated[0].id });
});

test('an entity back below its threshold is reported recovered, and a later burst is new again', async () => {
  const ip = '203.0.113.40';
  const t0 = Date.parse('2026-11-18T03:00:00Z'); // replayed: a Wednesday night
  await indexDocs(client, AUTH, [
    ...sshFailures(ip, 12, t0 + 2 * MIN, MIN),
    ...sshFailures(ip, 12, t0 + 42 * MIN, MIN),
  ]);
  const s = setup('recover');
  const replay = (fromMin: number, toMin: number) =>
    scan(s.config, [
      '--rule',
      'ssh_bruteforce',
      '--from',
      iso(t0 + fromMin * MIN),
      '--to',
      iso(t0 + toMin * MIN),
    ]);

  const fired = await replay(0, 10);
  const quiet = await replay(10, 20);
  const quietAgain = await replay(20, 30);
  const back = await replay(40, 50);
  expect(alertsFor(fired, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);
  const recovered = alertsFor(quiet, 'ssh_bruteforce', ip);
  expect(recovered.map((a) => a.status)).toEqual(['recovered']);
  expect(recovered[0].window.end).toBe(iso(t0 + 20 * MIN));
  // below the threshold it is judged by, and firing since the end of the window that first fired
  expect(recovered[0]).toMatchObject({ value: 0, threshold: 8, schedule: 'off_hours' });
  expect(recovered[0].firing_since).toBe(alertsFor(fired, 'ssh_bruteforce', ip)[0].window.end);
  expect(alertsFor(quietAgain, 'ssh_bruteforce', ip)).toEqual([]);
  expect(alertsFor(back, 'ssh_bruteforce', ip).map((a) => a.status)).toEqual(['new']);
  const memory = await stateDoc(client, s.stateIndex, (await memoryId(s, ip)) ?? '');
  expect(memory?.status).toBe('firing');
});

async function memoryId(s: StateSetup, ip: string): Promise<string | undefined> {
  const r = await client.search<MemoryDoc>({
    index: s.stateIndex,
    query: { term: { doc_type: 'alert' } },
  });
  return r.hits.hits.find((h) => h._source?.body.entity['source.ip'] === ip)?._id as string | undefined;
}
