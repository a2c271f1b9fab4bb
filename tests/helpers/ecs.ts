/** Synthetic ECS documents in a real cluster, for integration tests. */
import { Client, type estypes } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../src/collect/client';

export const ECS_TEST_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic_templates: [
    { strings: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
  ],
  properties: {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    source: { properties: { ip: { type: 'ip' }, port: { type: 'long' }, address: { type: 'keyword' } } },
    http: {
      properties: {
        response: {
          properties: { status_code: { type: 'long' }, body: { properties: { bytes: { type: 'long' } } } },
        },
      },
    },
  },
};

export function testClient(): Client {
  const node = process.env.ELASTICSEARCH_URL;
  if (!node) throw new Error('ELASTICSEARCH_URL is not set: the integration global setup did not run');
  return new Client({ ...ENGINE_NEUTRAL, node });
}

export async function createEcsIndex(
  client: Client,
  index: string,
  mappings: estypes.MappingTypeMapping = ECS_TEST_MAPPINGS,
): Promise<void> {
  await client.indices.delete({ index, ignore_unavailable: true });
  await client.indices.create({ index, mappings, settings: { number_of_shards: 1, number_of_replicas: 0 } });
}

export async function indexDocs(
  client: Client,
  index: string,
  docs: Record<string, unknown>[],
): Promise<void> {
  if (docs.length === 0) return;
  const operations = docs.flatMap((d) => [{ index: { _index: index } }, d]);
  const res = await client.bulk({ operations, refresh: 'wait_for' });
  if (res.errors) {
    const first = res.items.find((i) => i.index?.error)?.index?.error;
    throw new Error(`bulk indexing failed: ${JSON.stringify(first)}`);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** n SSH failures from one IP, spread evenly over [startMs, startMs + spanMs). */
export function sshFailures(
  ip: string,
  n: number,
  startMs: number,
  spanMs: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    '@timestamp': iso(startMs + Math.floor((i * spanMs) / Math.max(1, n))),
    event: { category: ['authentication'], action: 'ssh_login', outcome: 'failure', dataset: 'system.auth' },
    source: { ip },
    user: { name: `user${i % 3}` },
    host: { hostname: 'host-a' },
    process: { name: 'sshd' },
    system: { auth: { ssh: { event: 'Failed', method: 'password' } } },
    ...extra,
  }));
}

export function sshLogin(
  ip: string,
  user: string,
  atMs: number,
  outcome: 'success' | 'failure',
  host = 'host-a',
): Record<string, unknown> {
  return {
    '@timestamp': iso(atMs),
    event: { category: ['authentication'], action: 'ssh_login', outcome },
    source: { ip },
    user: { name: user },
    host: { hostname: host },
    process: { name: 'sshd' },
    system: { auth: { ssh: { event: outcome === 'success' ? 'Accepted' : 'Failed', method: 'password' } } },
  };
}

export function sudoEvent(
  user: string,
  atMs: number,
  command: string,
  error?: string,
): Record<string, unknown> {
  return {
    '@timestamp': iso(atMs),
    process: { name: 'sudo' },
    user: { name: user, effective: { name: 'root' } },
    host: { hostname: 'host-a' },
    system: {
      auth: { sudo: { command, tty: 'pts/0', pwd: '/home/x', user: 'root', ...(error ? { error } : {}) } },
    },
  };
}

export function webRequest(
  ip: string,
  atMs: number,
  status: number,
  bytes = 512,
  host = 'web-1',
  url = '/',
): Record<string, unknown> {
  return {
    '@timestamp': iso(atMs),
    source: { ip },
    host: { hostname: host },
    http: { request: { method: 'GET' }, response: { status_code: status, body: { bytes } } },
    url: { original: url },
    user_agent: { original: 'test-agent' },
    event: { outcome: status >= 400 ? 'failure' : 'success', dataset: 'nginx.access' },
  };
}
