/**
 * No entity over a threshold is ever cut off: with more entities over the threshold than one
 * composite page (TOTALS_PAGE_SIZE = 10 000) and more series buckets than one series page,
 * every one of them is found, against a real cluster, through the CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { MAX_SAMPLED_FINDINGS } from '../../../src/collect/fetch-samples';
import { TOTALS_PAGE_SIZE } from '../../../src/query/build-rule-query';
import { createEcsIndex, testClient } from '../../helpers/ecs';
import { baseConfig, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { byEntity, deleteIndicesStartingWith, MIN, scanJson } from './scan-helpers';

const PREFIX = 'it-composite-paging-';
const INDEX = `${PREFIX}auth`;
const OVER = 12_000;
const UNDER = 3_000;
const EVENTS_EACH = 11;
const T0 = Date.parse('2026-11-18T03:01:00Z'); // Wednesday night: off-hours
const S = 1000;

const RULE = `id: paging_probe
title: Paging probe
description: Failures per source address over a low threshold, for many addresses.
remediation: None; this rule exists for a test.
severity: low
source: auth
filter: {term: {event.outcome: failure}}
group_by: [source.ip]
window: 2m
thresholds: {business_hours: 8, off_hours: 8}
`;

const ipOver = (i: number) => `10.${Math.floor(i / 250)}.${i % 250}.1`;
const ipUnder = (i: number) => `172.16.${Math.floor(i / 250)}.${i % 250}`;

let client: Client;
let config: string;

async function bulk(docs: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 20_000) {
    const operations = docs.slice(i, i + 20_000).flatMap((d) => [{ index: { _index: INDEX } }, d]);
    const res = await client.bulk({ operations });
    if (res.errors)
      throw new Error(
        `bulk indexing failed: ${JSON.stringify(res.items.find((x) => x.index?.error)?.index?.error)}`,
      );
  }
  await client.indices.refresh({ index: INDEX });
}

const failure = (ip: string, atMs: number) => ({
  '@timestamp': new Date(atMs).toISOString(),
  event: { action: 'ssh_login', outcome: 'failure' },
  source: { ip },
  user: { name: 'root' },
  host: { hostname: 'host-a' },
});

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, INDEX);
  const docs: Record<string, unknown>[] = [];
  // each address over the threshold: 11 failures 15 s apart (one per histogram bucket), so the
  // series of 1 000 candidates hold 11 000 buckets: more than one series page as well
  for (let i = 0; i < OVER; i++)
    for (let k = 0; k < EVENTS_EACH; k++) docs.push(failure(ipOver(i), T0 + k * 15 * S + (i % 13) * 100));
  // and addresses under it: 3 failures each
  for (let i = 0; i < UNDER; i++) for (let k = 0; k < 3; k++) docs.push(failure(ipUnder(i), T0 + k * 15 * S));
  await bulk(docs);
  const dir = tempDir();
  const rules = path.join(dir, 'rules');
  fs.mkdirSync(rules);
  fs.writeFileSync(path.join(rules, 'paging_probe.yaml'), RULE);
  config = writeConfig(dir, baseConfig({ auth: [INDEX], rulesDir: rules, stateIndex: `${PREFIX}state` }));
});

afterAll(async () => {
  await deleteIndicesStartingWith(client, PREFIX);
  await client.close();
});

test(`${OVER} entities over the threshold (more than one page of ${TOTALS_PAGE_SIZE}) are all found`, async () => {
  expect(OVER).toBeGreaterThan(TOTALS_PAGE_SIZE);
  const r = await scanJson(config, ['--from', '2026-11-18T03:00:00Z', '--to', '2026-11-18T03:10:00Z']);
  expect(r.code).toBe(0);
  expect(r.messages).toEqual([]);
  const found = byEntity(r.findings, 'paging_probe');
  expect(found.size).toBe(OVER);
  const missing = Array.from({ length: OVER }, (_, i) => ipOver(i)).filter((ip) => !found.has(ip));
  expect(missing).toEqual([]);
  for (let i = 0; i < UNDER; i++) expect(found.has(ipUnder(i))).toBe(false);
  // every address has the same events, so every finding has the same value: no bucket was lost
  // at a page boundary of the series
  const values = new Set([...found.values()].map((f) => f.value));
  expect(values.size).toBe(1);
  expect([...values][0]).toBeGreaterThanOrEqual(8);
  expect(r.stderr).toMatch(new RegExp(`, ${OVER} findings`));
  // sample events are fetched for the findings most over their threshold, not for all 12 000
  const sampled = [...found.values()].filter((f) => f.samples.length > 0);
  expect(sampled).toHaveLength(MAX_SAMPLED_FINDINGS);
  for (const f of sampled) expect(f.samples[0]).toMatchObject({ source: { ip: f.entity['source.ip'] } });
});

test('a distinct-count rule over 10 000 entities runs within the cluster memory limits', async () => {
  // ssh_distributed: distinct source.ip per user.name. 10 000 users with one failure each: every
  // user is a composite bucket with its own cardinality counter
  const index = `${PREFIX}users`;
  await createEcsIndex(client, index);
  const docs = Array.from({ length: 10_000 }, (_, i) => ({
    ...failure(ipUnder(i % 3000), T0 + (i % 500) * S),
    user: { name: `user${i}` },
  }));
  // and one user attacked from 12 addresses: over the off-hours threshold (10)
  for (let k = 0; k < 12; k++)
    docs.push({ ...failure(ipOver(k), T0 + k * 20 * S), user: { name: 'oracle' } });
  for (let i = 0; i < docs.length; i += 5000)
    await client.bulk({
      operations: docs.slice(i, i + 5000).flatMap((d) => [{ index: { _index: index } }, d]),
    });
  await client.indices.refresh({ index });
  const cfg = writeConfig(tempDir(), baseConfig({ auth: [index], stateIndex: `${PREFIX}state` }));
  const r = await scanJson(cfg, [
    '--rule',
    'ssh_distributed',
    '--from',
    '2026-11-18T03:00:00Z',
    '--to',
    '2026-11-18T03:20:00Z',
  ]);
  expect(r.messages).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.findings.map((f) => [f.entity['user.name'], f.value])).toEqual([['oracle', 12]]);
});

test('heavy buckets beyond search.max_buckets: the rule is pruned by its totals, every entity evaluated', async () => {
  // 9,000 addresses, each with 2 failures in each of 8 separate 20 s buckets: the prune's
  // histogram (ssh 8 in 2 minutes: 20 s buckets, heavy from 2) has 8 heavy buckets per address,
  // 72,000 in all, over the 65,536 Elasticsearch allows in one response
  const index = `${PREFIX}heavy`;
  await createEcsIndex(client, index);
  const ip = (i: number) => `10.200.${Math.floor(i / 250)}.${i % 250}`;
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < 9000; i++)
    for (let b = 0; b < 8; b++)
      for (const d of [0, 5 * S]) docs.push(failure(ip(i), T0 - MIN + b * MIN + d + (i % 7) * S));
  for (let i = 0; i < docs.length; i += 20_000)
    await client.bulk({
      operations: docs.slice(i, i + 20_000).flatMap((d) => [{ index: { _index: index } }, d]),
    });
  await client.indices.refresh({ index });
  const dir = tempDir();
  const rules = path.join(dir, 'rules');
  fs.mkdirSync(rules);
  // one span of 2 minutes holds 4 failures: under 8, so none fires, but all must be counted
  fs.writeFileSync(path.join(rules, 'paging_probe.yaml'), RULE);
  const cfg = writeConfig(dir, baseConfig({ auth: [index], rulesDir: rules, stateIndex: `${PREFIX}state` }));
  const r = await scanJson(cfg, ['--from', '2026-11-18T03:00:00Z', '--to', '2026-11-18T03:10:00Z']);
  expect(r.messages).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.findings).toEqual([]);
  expect(r.stderr).toMatch(/1 rules? \(0 failed\), 0 findings/);
});
