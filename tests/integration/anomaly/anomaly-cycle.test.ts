/**
 * Anomaly rules against a real cluster, through the CLI at fixed instants (--from/--to, so the
 * hour the test runs at does not matter): the first scan trains the model from 14 days of history
 * (composite aggregations), stores it in the state index and alerts on the address whose hour is
 * unlike any in the history, with the features that drove the score; a second scan (a restart: a
 * new process) uses the stored model without retraining and suppresses the repeat; a scan a day
 * later retrains (refresh: 24h). `vigil validate` names the path of a bad anomaly rule (exit 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { seededRandom } from '../../../src/evaluate/isolation-forest';
import { createEcsIndex, indexDocs, sshLogin, testClient } from '../../helpers/ecs';
import { REPO, runVigil, tempDir } from '../../helpers/vigil-cli';
import { alertsFor, auditRecords, HOUR, iso, MIN, scan, stateDoc, stateSetups } from '../state/state-kit';

jest.setTimeout(240_000);

const PREFIX = 'it-anomaly';
const AUTH = `${PREFIX}-auth`;
/** the end of the attack hour: a Monday, 03:00 UTC */
const T = Date.parse('2026-03-16T03:00:00Z');
const ATTACKER = '203.0.113.66';

/** The shipped rule, enabled, in a rules folder of its own (only this rule runs). */
function rulesDir(): string {
  const dir = tempDir('vigil-anomaly-rules-');
  const text = fs.readFileSync(path.join(REPO, 'queries', 'anomaly_auth_source.yaml'), 'utf8');
  fs.writeFileSync(path.join(dir, 'anomaly_auth_source.yaml'), text.replace(/^enabled: false\n/m, ''));
  return dir;
}

/** 14 days of ordinary administration: 40 addresses, each active a few hours a day. */
function history(): Record<string, unknown>[] {
  const random = seededRandom(17);
  const docs: Record<string, unknown>[] = [];
  for (let day = 14; day >= 1; day--) {
    for (let a = 0; a < 40; a++) {
      const ip = `10.0.${Math.floor(a / 10)}.${a % 10}`;
      const user = `admin${a % 7}`;
      for (let h = 0; h < 24; h++) {
        if (random() > 0.12) continue;
        const start = T - day * 24 * HOUR + h * HOUR;
        if (random() < 0.3) docs.push(sshLogin(ip, user, start + 2 * MIN, 'failure', `host-${a % 5}`));
        docs.push(sshLogin(ip, user, start + 5 * MIN, 'success', `host-${a % 5}`));
        if (random() < 0.3) docs.push(sshLogin(ip, user, start + 40 * MIN, 'success', `host-${(a + 1) % 5}`));
      }
    }
  }
  return docs;
}

/** In the hour before T: a few failures spread over 12 user names on 5 hosts, then a success. */
function attack(): Record<string, unknown>[] {
  const docs = Array.from({ length: 12 }, (_, i) =>
    sshLogin(ATTACKER, `user${i}`, T - 55 * MIN + i * 4 * MIN, 'failure', `host-${i % 5}`),
  );
  docs.push(sshLogin(ATTACKER, 'user11', T - 5 * MIN, 'success', 'host-1'));
  return docs;
}

const states = stateSetups(PREFIX, { auth: [AUTH] });
let client: Client;

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
  await indexDocs(client, AUTH, [...history(), ...attack()]);
});

afterAll(async () => {
  await states.dropAll(client);
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

interface AnomalyLine {
  anomaly: {
    score: number;
    drivers: number;
    features: { name: string; value: number; below: number; above: number; contribution: number }[];
    training: { start: string; end: string; windows: number; sampled: boolean };
  };
}

test('train, store, alert with the features that drove the score; a restart scores without retraining and suppresses the repeat', async () => {
  const s = states.setup('cycle', { rulesDir: rulesDir() });
  const range = ['--from', iso(T - 10 * MIN), '--to', iso(T)];

  const first = await scan(s.config, range);
  expect(first.stderr).not.toMatch(/error/i);
  expect(first.code).toBe(0);
  const trained = auditRecords(s.logDir, 'anomaly_trained');
  expect(trained).toHaveLength(1);
  expect(trained[0]).toMatchObject({
    rule: 'anomaly_auth_source',
    reason: 'no model yet',
    from: iso(T - HOUR - 14 * 24 * HOUR),
    to: iso(T - HOUR),
    sampled: false,
    insufficient: false,
    stored: true,
    // dist/ has the compiled worker script: the forest grows off the main thread
    thread: 'worker',
  });
  expect(trained[0].windows as number).toBeGreaterThan(500);
  expect((trained[0].took as { fit: number }).fit).toBeGreaterThanOrEqual(0);

  // the model is in the state index with its training span and feature statistics
  const doc = await stateDoc(client, s.stateIndex, 'model:anomaly_auth_source');
  const body = doc?.body as {
    span: { startMs: number; endMs: number };
    stats: { name: string }[];
    forest: { trees: unknown[] };
  };
  expect(doc?.doc_type).toBe('model');
  expect(body.span).toEqual({ startMs: T - HOUR - 14 * 24 * HOUR, endMs: T - HOUR });
  expect(body.stats.map((x) => x.name)).toEqual([
    'failures',
    'successes',
    'distinct_users',
    'distinct_hosts',
    'invalid_user_share',
  ]);
  expect(body.forest.trees).toHaveLength(100);

  // one alert: the attacker, none of the administrators
  const alerts = first.alerts.filter((a) => a.rule === 'anomaly_auth_source');
  expect(alerts.map((a) => a.entity['source.ip'])).toEqual([ATTACKER]);
  const a = alerts[0] as (typeof alerts)[number] & AnomalyLine;
  expect(a.status).toBe('new');
  expect(a.threshold).toBe(0.75);
  expect(a.value).toBeGreaterThan(0.75);
  expect(a.anomaly.score).toBe(a.value);
  expect(a.window).toEqual({ start: iso(T - HOUR), end: iso(T) });
  const users = a.anomaly.features.find((f) => f.name === 'distinct_users');
  expect(users).toMatchObject({ value: 12, below: 1 });
  expect(a.anomaly.features.slice(0, a.anomaly.drivers).map((f) => f.name)).toContain('distinct_users');
  expect(a.anomaly.training).toMatchObject({ windows: trained[0].windows, sampled: false });

  // a restart: a new process reads the stored model, trains nothing, and the repeat is suppressed
  const second = await scan(s.config, range);
  expect(second.code).toBe(0);
  expect(auditRecords(s.logDir, 'anomaly_trained')).toHaveLength(1);
  const again = alertsFor(second, 'anomaly_auth_source', ATTACKER);
  expect(again.map((x) => ({ id: x.id, status: x.status }))).toEqual([{ id: a.id, status: 'suppressed' }]);

  // on a terminal the table explains the score under it
  const table = await runVigil(['scan', '--config', s.config, '--dry-run', ...range]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(
    new RegExp(
      `anomaly_auth_source source\\.ip=${ATTACKER.replace(/\./g, '\\.')}: score 0\\.\\d+: .*distinct users 12, above 100% of training windows`,
    ),
  );

  // a day later the model is stale (training.refresh 24h): it is trained again, on the newer period
  const later = await scan(s.config, ['--from', iso(T + 24 * HOUR - 10 * MIN), '--to', iso(T + 24 * HOUR)]);
  expect(later.code).toBe(0);
  const retrained = auditRecords(s.logDir, 'anomaly_trained');
  expect(retrained).toHaveLength(2);
  expect(retrained[1]).toMatchObject({ reason: 'trained on data more than 24h old', to: iso(T + 23 * HOUR) });
});

test('`vigil validate` names the path of a bad anomaly rule, one line, exit 2', async () => {
  const dir = rulesDir();
  const file = path.join(dir, 'anomaly_auth_source.yaml');
  fs.writeFileSync(
    file,
    fs
      .readFileSync(file, 'utf8')
      .replace('score_threshold: 0.75', 'score_threshold: 2')
      .replace('field: user.name', 'field: "user name"'),
  );
  const s = states.setup('validate', { rulesDir: dir });
  const r = await runVigil(['validate', '--config', s.config]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(
    /anomaly_auth_source\.yaml: anomaly\.score_threshold: expected a score between 0\.5 and 1/,
  );
  expect(r.stderr).toMatch(/anomaly_auth_source\.yaml: anomaly\.features\.2\.field: expected a field name/);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
});
