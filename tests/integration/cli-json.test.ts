/** `--format json` on validate and doctor: one JSON object on stdout that a machine can read. */
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../helpers/ecs';
import { baseConfig, runVigil, tempDir, writeConfig } from '../helpers/vigil-cli';

const AUTH = 'it-cli-json-auth';

afterAll(async () => {
  const client = testClient();
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

test('validate --format json lists every problem with its path and exits 2', async () => {
  const cfg = writeConfig(
    tempDir(),
    `${baseConfig({})}calendar_extra: 1\n`.replace('timezone: UTC', 'timezone: Mars/Olympus'),
  );
  const r = await runVigil(['validate', '--config', cfg, '--format', 'json']);
  expect(r.code).toBe(2);
  const out = JSON.parse(r.stdout);
  expect(out.valid).toBe(false);
  expect(out.problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/config\.yaml: calendar\.timezone: expected an IANA time zone/),
      expect.stringMatching(/config\.yaml: calendar_extra: unknown key/),
    ]),
  );
});

test('doctor --format json reports the cluster, the patterns and the fields', async () => {
  const client = testClient();
  await createEcsIndex(client, AUTH);
  await indexDocs(client, AUTH, sshFailures('203.0.113.9', 3, Date.now() - 60_000, 30_000));
  await client.close();
  const cfg = writeConfig(tempDir(), baseConfig({ auth: [AUTH] }));
  const r = await runVigil(['doctor', '--config', cfg, '--format', 'json']);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.cluster.versions[0]).toMatch(/^\d+\.\d+\.\d+/);
  const auth = out.sources.find((s: { rules: string[] }) => s.rules.includes('ssh_bruteforce'));
  expect(auth.patterns).toEqual([{ pattern: AUTH, indices: 1, documents: 3 }]);
  expect(auth.fields).toEqual(
    expect.arrayContaining([expect.objectContaining({ field: 'source.ip', types: ['ip'], usable: true })]),
  );
  expect(out.field_problems).toBe(0);
});
