/**
 * The anomaly stage against a real cluster, at fixed instants: a first cycle waits for its model
 * and stores it; a monitor whose stored model has gone stale keeps scoring with it and retrains in
 * the background (the cycle does not wait), and the next cycle finds the new model stored.
 */
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { prepareAnomalyModels } from '../../../src/app/anomaly-stage';
import type { AuditLog } from '../../../src/audit/audit-log';
import { validateConfig } from '../../../src/config/load-config';
import { loadRules } from '../../../src/rules/load-rules';
import { readModels } from '../../../src/state/model-store';
import { ensureStateIndex } from '../../../src/state/state-index';
import { createEcsIndex, indexDocs, sshLogin, testClient } from '../../helpers/ecs';
import { REPO } from '../../helpers/vigil-cli';

const AUTH = 'it-anomaly-training-auth';
const STATE = 'it-anomaly-training-state';
const HOUR = 3_600_000;
const T = Date.parse('2026-03-16T03:00:00Z');
let client: Client;

const audit = () => {
  const records: { event: string; data?: Record<string, unknown> }[] = [];
  const log = { record: (event: string, data?: Record<string, unknown>) => records.push({ event, data }) };
  return { log: log as unknown as AuditLog, records };
};

function rule() {
  const raw = {
    elasticsearch: { nodes: ['http://localhost:9200'] },
    sources: { auth: { indices: [AUTH] }, web: { indices: ['none'] }, windows: { indices: ['none'] } },
    rules: { overrides: { anomaly_auth_source: { enabled: true } } },
  };
  const { config } = validateConfig(raw, 'config', {}, { baseDir: REPO, sha256: '' });
  const r = loadRules(path.join(REPO, 'queries'), config).all.find((x) => x.id === 'anomaly_auth_source');
  if (!r) throw new Error('anomaly_auth_source not found');
  return {
    ...r,
    anomaly: {
      ...(r.anomaly as NonNullable<typeof r.anomaly>),
      training: { ...(r.anomaly as NonNullable<typeof r.anomaly>).training, min_samples: 20 },
    },
  };
}

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
  await client.indices.delete({ index: STATE, ignore_unavailable: true });
  await ensureStateIndex(client, STATE);
  const docs = [];
  for (let h = 0; h < 20 * 24; h += 3)
    for (let a = 0; a < 4; a++)
      docs.push(sshLogin(`10.0.0.${a}`, `admin${a}`, T - 20 * 24 * HOUR + h * HOUR + a * 60_000, 'success'));
  await indexDocs(client, AUTH, docs);
});

afterAll(async () => {
  await client.indices.delete({ index: `${AUTH},${STATE}`, ignore_unavailable: true });
  await client.close();
});

test('a stale model keeps scoring while the new one trains in the background; the next cycle has it', async () => {
  const r = rule();
  const at = (ms: number) => ({ startMs: ms - 60_000, endMs: ms });
  const first = audit();
  const one = await prepareAnomalyModels({
    client,
    stateIndex: STATE,
    rules: [r],
    intervalOf: () => at(T),
    audit: first.log,
    dryRun: false,
    stateExists: true,
    background: new Map(),
  });
  // no model yet: the cycle waits for it, stores it
  expect(one.trained).toEqual(['anomaly_auth_source']);
  const model = one.models.get('anomaly_auth_source');
  expect(model?.span.endMs).toBe(T - HOUR);
  expect(model?.forest?.trees).toHaveLength(100);

  // two days later the model is stale: the monitor scores with it and trains in the background
  const later = T + 2 * 24 * HOUR;
  const background = new Map<string, Promise<void>>();
  const second = audit();
  const two = await prepareAnomalyModels({
    client,
    stateIndex: STATE,
    rules: [r],
    intervalOf: () => at(later),
    audit: second.log,
    dryRun: false,
    stateExists: true,
    background,
  });
  expect(two.trained).toEqual([]);
  expect(two.models.get('anomaly_auth_source')?.span.endMs).toBe(T - HOUR);
  expect(second.records.map((x) => x.event)).toContain('anomaly_training_started');
  expect(background.has('anomaly_auth_source')).toBe(true);
  await background.get('anomaly_auth_source');
  expect(background.size).toBe(0);
  expect(second.records.find((x) => x.event === 'anomaly_trained')?.data).toMatchObject({ stored: true });

  const stored = (await readModels(client, STATE, ['anomaly_auth_source'])).get('anomaly_auth_source');
  expect(stored?.model.span.endMs).toBe(later - HOUR);
  // and the next cycle uses it without training
  const third = audit();
  const three = await prepareAnomalyModels({
    client,
    stateIndex: STATE,
    rules: [r],
    intervalOf: () => at(later),
    audit: third.log,
    dryRun: false,
    stateExists: true,
    background,
  });
  expect(three.trained).toEqual([]);
  expect(three.models.get('anomaly_auth_source')?.span.endMs).toBe(later - HOUR);
  expect(third.records).toEqual([]);
});
