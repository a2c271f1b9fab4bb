/**
 * An engine older than vigil supports is refused at connect time, naming the minimum: `doctor`,
 * `scan` and `monitor` exit 3 with one line. The server answers `GET /` on loopback exactly as
 * Elasticsearch 6.8.23 and OpenSearch 1.3.19 do (their answers, recorded); anything else is 404,
 * so nothing past the version check could succeed either.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectOneLine } from '../../helpers/secure-cluster';
import { baseConfig, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';

const ROOTS: Record<string, { body: unknown }> = {
  'Elasticsearch 6.8.23': {
    body: {
      name: 'legacy-1',
      cluster_name: 'legacy',
      version: {
        number: '6.8.23',
        build_flavor: 'default',
        build_type: 'tar',
        lucene_version: '7.7.3',
        minimum_wire_compatibility_version: '5.6.0',
      },
      tagline: 'You Know, for Search',
    },
  },
  'OpenSearch 1.3.19': {
    body: {
      name: 'os-1',
      cluster_name: 'legacy-os',
      version: { distribution: 'opensearch', number: '1.3.19', build_type: 'tar', lucene_version: '8.10.1' },
      tagline: 'The OpenSearch Project: https://opensearch.org/',
    },
  },
  'a server that is no search engine': { body: { hello: 'world' } },
};

async function serve(answer: (typeof ROOTS)[string]): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const root = req.url === '/' || req.url?.startsWith('/?');
    res.writeHead(root ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(root ? answer.body : { error: 'not here', status: 404 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const EXPECTED: Record<string, RegExp> = {
  'Elasticsearch 6.8.23':
    /Elasticsearch 6\.8\.23 is older than the oldest vigil supports, Elasticsearch 7\.17: upgrade it/,
  'OpenSearch 1.3.19':
    /OpenSearch 1\.3\.19 is older than the oldest vigil supports, OpenSearch 2\.0: upgrade it/,
  'a server that is no search engine': /neither as Elasticsearch nor as OpenSearch/,
};

describe.each(Object.keys(ROOTS))('%s', (name) => {
  let server: Awaited<ReturnType<typeof serve>>;
  let config: string;
  beforeAll(async () => {
    server = await serve(ROOTS[name]);
    config = writeConfig(tempDir(), baseConfig({ auth: ['filebeat-*'] }));
  });
  afterAll(() => server.close());

  it.each(['doctor', 'scan --duration 5', 'monitor --duration 0.1'])(
    'vigil %s refuses it: one line, exit 3',
    async (command) => {
      const r = await runVigil([...command.split(' '), '--config', config], {
        env: { ELASTICSEARCH_URL: server.url },
      });
      expect(r.code).toBe(3);
      expectOneLine(r.stderr, EXPECTED[name]);
    },
  );
});
