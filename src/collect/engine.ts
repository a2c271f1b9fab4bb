/**
 * Which search engine vigil talks to, found at connect time: Elasticsearch or OpenSearch, and its
 * version. One client serves both (see client.ts); this is where an engine too old for vigil is
 * refused, with the minimum named.
 */
import type { Client } from '@elastic/elasticsearch';
import { ElasticsearchUnavailable } from '../errors';
import { mapEsError } from './client';

export type Product = 'elasticsearch' | 'opensearch';

export interface EngineInfo {
  product: Product;
  /** as the engine reports it, e.g. "7.17.29", "2.19.6" */
  version: string;
  major: number;
  minor: number;
}

/**
 * The oldest version of each engine vigil runs on. Tested: Elasticsearch 7.17; OpenSearch from 2.19
 * (2.x kept every API vigil uses, so 2.0 is accepted too).
 */
export const MINIMUM: Record<Product, [number, number]> = { elasticsearch: [7, 17], opensearch: [2, 0] };

const NAMES: Record<Product, string> = { elasticsearch: 'Elasticsearch', opensearch: 'OpenSearch' };

export const describeEngine = (e: Pick<EngineInfo, 'product' | 'version'>): string =>
  `${NAMES[e.product]} ${e.version}`;

function versionOf(product: Product, version: string): EngineInfo | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? { product, version, major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/**
 * Pure: the engine from the answer to `GET /`, or from a node's version where the root endpoint is
 * missing (Elastic's test distributions; there the `x-elastic-product` header, which Elasticsearch
 * 7.14+ sends on every answer, says it is Elasticsearch).
 */
export function parseEngine(
  answer: { version?: { number?: string; distribution?: string } } | undefined,
  nodeVersion?: string,
): EngineInfo | undefined {
  const number = answer?.version?.number ?? nodeVersion;
  if (!number) return undefined;
  return versionOf(answer?.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch', number);
}

/** Pure: why vigil cannot run on this engine, or undefined when it can. */
export function unsupportedReason(e: EngineInfo, productHeader: string | undefined): string | undefined {
  const [major, minor] = MINIMUM[e.product];
  if (e.major > major || (e.major === major && e.minor >= minor)) return undefined;
  const hint =
    e.product === 'elasticsearch' && !productHeader
      ? ' (if this is OpenSearch answering in compatibility mode, turn compatibility.override_main_response_version off)'
      : '';
  return `${describeEngine(e)} is older than the oldest vigil supports, ${NAMES[e.product]} ${major}.${minor}: upgrade it${hint}`;
}

interface RawAnswer {
  statusCode?: number | null;
  body: unknown;
  headers?: Record<string, unknown> | null;
}

async function get(client: Client, path: string): Promise<RawAnswer> {
  return client.transport.request({ method: 'GET', path }, { meta: true, ignore: [404, 405] });
}

const header = (a: RawAnswer): string | undefined => {
  const h = a.headers?.['x-elastic-product'];
  return typeof h === 'string' ? h : undefined;
};

/**
 * Asks the cluster what it is. Throws ElasticsearchUnavailable (exit 3) when it cannot be reached,
 * is neither engine, or is older than MINIMUM.
 */
export async function detectEngine(client: Client): Promise<EngineInfo> {
  let engine: EngineInfo | undefined;
  let product: string | undefined;
  try {
    const root = await get(client, '/');
    product = header(root);
    if (root.statusCode === 200) {
      engine = parseEngine(root.body as Parameters<typeof parseEngine>[0]);
    } else {
      const nodes = await get(client, '/_nodes/_local?filter_path=nodes.*.version');
      product = header(nodes) ?? product;
      const first = Object.values(
        (nodes.body as { nodes?: Record<string, { version?: string }> }).nodes ?? {},
      )[0];
      if (product === 'Elasticsearch') engine = parseEngine(undefined, first?.version);
    }
  } catch (e) {
    throw mapEsError(e, 'connecting', client);
  }
  if (!engine)
    throw new ElasticsearchUnavailable(
      'the cluster answered, but neither as Elasticsearch nor as OpenSearch (no version in GET / or _nodes): check elasticsearch.nodes',
      { reason: 'es_unsupported' },
    );
  const why = unsupportedReason(engine, product);
  if (why) throw new ElasticsearchUnavailable(why, { reason: 'es_unsupported' });
  return engine;
}

/**
 * detectEngine for commands that outlive an outage (scan, monitor): the engine when the cluster
 * answers, undefined when it cannot be reached now (the cycle then fails and says why, as it
 * always did); an engine that is too old or not one of the two still throws.
 */
export async function probeEngine(client: Client): Promise<EngineInfo | undefined> {
  try {
    return await detectEngine(client);
  } catch (e) {
    if (e instanceof ElasticsearchUnavailable && e.reason === 'es_unsupported') throw e;
    return undefined;
  }
}
