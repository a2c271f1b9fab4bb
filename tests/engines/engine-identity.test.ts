/**
 * vigil says which engine it runs on: `doctor` (text and JSON) and the audit `start` record of a
 * scan name the product and version the harness started (VIGIL_ENGINE), and `doctor` reads the
 * field mappings there (`_field_caps`, which Elasticsearch 7.17 and 8.0–8.4 read from the query
 * string only, and which OpenSearch answered 406 to the 8.x client's media type).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../helpers/ecs';
import { baseConfig, runVigil, tempDir, writeConfig } from '../helpers/vigil-cli';

const AUTH = `eng-identity-auth-${process.pid}`;
// set by the global setup for a cluster it started; a cluster given by ELASTICSEARCH_URL is whatever it is
const [product, version] = (process.env.VIGIL_TEST_ENGINE ?? '').split(':');
const ours = Boolean(version);
const expected = { product, version };
const NAME = `${product === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${version}`;

let dir: string;
let config: string;

beforeAll(async () => {
  const client = testClient();
  await createEcsIndex(client, AUTH);
  // fixed instants: the scan below uses --from/--to
  await indexDocs(client, AUTH, sshFailures('203.0.113.9', 3, Date.parse('2026-11-18T03:10:00Z'), 30_000));
  await client.close();
  dir = tempDir();
  config = writeConfig(dir, baseConfig({ auth: [AUTH], logDir: path.join(dir, 'logs') }));
});

afterAll(async () => {
  const client = testClient();
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

test('doctor names the engine and its version, and every field the SSH rules need is mapped', async () => {
  const r = await runVigil(['doctor', '--config', config, '--rules', path.join(__dirname, '../../queries')]);
  expect(r.code).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('cluster '));
  expect(line).toMatch(
    /^cluster \S+: (Elasticsearch|OpenSearch) \d+\.\d+\.\d+, health (green|yellow), 1 node\(s\)$/,
  );
  if (ours) expect(line).toContain(`: ${NAME}, `);
  expect(r.stdout).toMatch(/field source\.ip\s+ip/);
});

test('doctor --format json carries the engine', async () => {
  const r = await runVigil(['doctor', '--config', config, '--format', 'json']);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.engine.product).toMatch(/^(elasticsearch|opensearch)$/);
  if (ours) expect(out.engine).toEqual(expected);
  const auth = out.sources.find((s: { rules: string[] }) => s.rules.includes('ssh_bruteforce'));
  expect(auth.patterns).toEqual([{ pattern: AUTH, indices: 1, documents: 3 }]);
});

test("a scan's audit start record names the engine", async () => {
  const r = await runVigil([
    'scan',
    '--config',
    config,
    '--from',
    '2026-11-18T03:00:00Z',
    '--to',
    '2026-11-18T04:00:00Z',
    '--dry-run',
  ]);
  expect(r.code).toBe(0);
  const logs = path.join(dir, 'logs');
  const records = fs
    .readdirSync(logs)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const start = records.find((x) => x.event === 'start');
  expect(start.engine.product).toMatch(/^(elasticsearch|opensearch)$/);
  if (ours) expect(start.engine).toEqual(expected);
});
