/**
 * `vigil doctor` with the shipped config.yaml against the secured cluster (x-pack security, TLS
 * from a generated CA): it reads ELASTICSEARCH_URL, ELASTIC_USER, ELASTIC_PASSWORD and
 * ELASTIC_CA_FILE, refuses with one line (exit 3) while any is missing, and passes with all.
 */

import path from 'node:path';
import { expectOneLine, secured } from '../helpers/secure-cluster';
import { REPO, runVigil } from '../helpers/vigil-cli';

const SHIPPED_CONFIG = path.join(REPO, 'config.yaml');

/** doctor with the shipped config and exactly these ELASTIC_* variables (the rest unset). */
function doctor(env: { url: string; user?: string; password?: string; ca?: string }) {
  return runVigil(['doctor', '--config', SHIPPED_CONFIG], {
    env: {
      ELASTICSEARCH_URL: env.url,
      ELASTIC_USER: env.user,
      ELASTIC_PASSWORD: env.password,
      ELASTIC_CA_FILE: env.ca,
      ELASTIC_API_KEY: undefined,
    },
  });
}

test('without credentials: one line saying the cluster refused us, exit 3', async () => {
  const s = secured();
  const r = await doctor({ url: s.url, ca: s.ca });
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  expectOneLine(
    r.stderr,
    /^vigil: Elasticsearch at https:\/\/\S+ refused our credentials \(401\) .*username\/password or api_key$/,
  );
});

test('with a wrong password: the same one line, exit 3', async () => {
  const s = secured();
  const r = await doctor({ url: s.url, ca: s.ca, user: s.user, password: `${s.password}-wrong` });
  expect(r.code).toBe(3);
  expectOneLine(r.stderr, /refused our credentials \(401\)/);
});

test('without the CA file: one line about TLS that names the setting to fix, exit 3', async () => {
  const s = secured();
  const r = await doctor({ url: s.url, user: s.user, password: s.password });
  expect(r.code).toBe(3);
  expectOneLine(r.stderr, /^vigil: .*TLS.*elasticsearch\.tls\.ca_file/);
});

test('with ELASTIC_USER, ELASTIC_PASSWORD and ELASTIC_CA_FILE: the cluster and every source are reported, exit 0', async () => {
  const s = secured();
  const r = await doctor(s);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^cluster \S+: Elasticsearch \d+\.\d+\.\d+, health (green|yellow), 1 node\(s\)$/m);
  for (const pattern of ['filebeat-*', 'logs-system.auth-*', 'logs-nginx.access-*', 'winlogbeat-*'])
    expect(r.stdout).toContain(pattern);
});
