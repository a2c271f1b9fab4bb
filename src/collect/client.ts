import fs from 'node:fs';
import {
  Client,
  type ClientOptions,
  errors,
  HttpConnection,
  SniffingTransport,
  type TransportOptions,
} from '@elastic/elasticsearch';
import { ConfigError, ElasticsearchUnavailable, QueryError, type VigilError } from '../errors';

export interface EsSettings {
  nodes: string[];
  username?: string;
  password?: string;
  api_key?: string;
  tls: { ca_file?: string; verify: boolean };
  /** milliseconds */
  request_timeout: number;
  max_retries: number;
}

/**
 * The official client's transport, speaking plain JSON to every engine. The 8.x client asks for
 * `application/vnd.elasticsearch+json; compatible-with=8`, which OpenSearch answers with 406, and
 * rejects any server without Elasticsearch's product header. vigil uses only APIs that
 * Elasticsearch 7.17–9.x and OpenSearch 2.x/3.x share (`npm run test:engines` runs them on each),
 * and tells the engines apart itself at connect time (engine.ts).
 */
export class EngineNeutralTransport extends SniffingTransport {
  constructor(opts: TransportOptions) {
    super({
      ...opts,
      productCheck: undefined,
      vendoredHeaders: {
        jsonContentType: 'application/json',
        ndjsonContentType: 'application/x-ndjson',
        accept: 'application/json, text/plain',
      },
    });
  }
}

/**
 * Options shared by every client vigil builds (commands, ingest): one transport for all engines,
 * over Node's own http module (HttpConnection) rather than undici: undici adds ~35 ms to every
 * start and ~18 MiB of RSS, and vigil sends a few requests per cycle, where it gains nothing
 * (cli/defer-modules.ts then keeps it from loading at all).
 */
export const ENGINE_NEUTRAL: Pick<ClientOptions, 'Transport' | 'Connection'> = {
  Transport: EngineNeutralTransport,
  Connection: HttpConnection,
};

/**
 * Builds the one search-engine client of a process (Elasticsearch or OpenSearch). Retries of 502/503/504 and connection errors
 * live here (maxRetries), and nowhere else.
 */
export function createClient(es: EsSettings, configPath = 'config.yaml'): Client {
  const opts: ClientOptions = {
    nodes: es.nodes,
    requestTimeout: es.request_timeout,
    maxRetries: es.max_retries,
    compression: false,
    name: 'vigil',
    ...ENGINE_NEUTRAL,
  };
  if (es.api_key) opts.auth = { apiKey: es.api_key };
  else if (es.username) opts.auth = { username: es.username, password: es.password ?? '' };
  const tls: NonNullable<ClientOptions['tls']> = {};
  if (es.tls.ca_file) {
    try {
      tls.ca = fs.readFileSync(es.tls.ca_file);
    } catch (e) {
      throw new ConfigError(
        `${configPath}: elasticsearch.tls.ca_file: cannot read ${es.tls.ca_file} (${(e as NodeJS.ErrnoException).code})`,
        { cause: e },
      );
    }
  }
  if (!es.tls.verify) tls.rejectUnauthorized = false;
  if (Object.keys(tls).length) opts.tls = tls;
  return new Client(opts);
}

/** Elasticsearch's own reason for a response error, e.g. "index_not_found_exception: no such index [x]". */
export function esReason(e: unknown): string {
  if (e instanceof errors.ResponseError) {
    const body = e.meta?.body as
      | {
          error?:
            | string
            | { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[] };
        }
      | string
      | undefined;
    // OpenSearch and older Elasticsearch answer some errors with a string, or a text body
    if (typeof body === 'string' && body.trim()) return `HTTP ${e.statusCode}: ${body.trim().slice(0, 300)}`;
    const err = typeof body === 'object' ? body?.error : undefined;
    if (typeof err === 'string') return `HTTP ${e.statusCode}: ${err.slice(0, 300)}`;
    if (err && typeof err === 'object') {
      const root = err.root_cause?.[0];
      const type = root?.type ?? err.type;
      const reason = root?.reason ?? err.reason;
      return [type, reason].filter(Boolean).join(': ');
    }
    return `HTTP ${e.statusCode}`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

function nodesOf(client: Client | undefined): string {
  if (!client) return 'the cluster';
  try {
    return client.connectionPool.connections.map((c) => c.url.origin).join(', ') || 'the cluster';
  } catch {
    return 'the cluster';
  }
}

/**
 * Maps a client error to the error tree with a one-line message. `what` says what we were doing,
 * e.g. `rule ssh_bruteforce on filebeat-*`.
 */
export function mapEsError(e: unknown, what: string, client?: Client): VigilError {
  const where = nodesOf(client);
  if (e instanceof errors.ConnectionError || e instanceof errors.NoLivingConnectionsError) {
    return new ElasticsearchUnavailable(
      `Elasticsearch unreachable at ${where} while ${what}: ${shortConnReason(e)}. Is it running? Check elasticsearch.nodes`,
      { cause: e },
    );
  }
  if (e instanceof errors.TimeoutError) {
    return new ElasticsearchUnavailable(
      `Elasticsearch at ${where} did not answer within elasticsearch.request_timeout while ${what}`,
      { cause: e },
    );
  }
  if (e instanceof errors.ResponseError) {
    const status = e.statusCode;
    if (status === 401) {
      return new ElasticsearchUnavailable(
        `Elasticsearch at ${where} refused our credentials (401) while ${what}: set elasticsearch.username/password or api_key`,
        { cause: e, reason: 'es_auth' },
      );
    }
    if (status === 403) {
      return new QueryError(`Elasticsearch at ${where} denied ${what} (403): ${esReason(e)}`, {
        cause: e,
        reason: 'es_auth',
      });
    }
    if (status === 502 || status === 503 || status === 504) {
      return new ElasticsearchUnavailable(
        `Elasticsearch at ${where} is unavailable (${status}) while ${what}: ${esReason(e)}`,
        { cause: e },
      );
    }
    if (status === 404 && /index_not_found/.test(esReason(e))) {
      return new QueryError(`no index matches while ${what}: ${esReason(e)}`, {
        cause: e,
        reason: 'index_missing',
      });
    }
    return new QueryError(`Elasticsearch rejected ${what} (${status}): ${esReason(e)}`, { cause: e });
  }
  if (e instanceof Error && /certificate|self[- ]signed|SSL|TLS/i.test(e.message)) {
    return new ElasticsearchUnavailable(
      `TLS to ${where} failed while ${what}: ${e.message}. Set elasticsearch.tls.ca_file`,
      { cause: e },
    );
  }
  return new QueryError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

function shortConnReason(e: Error): string {
  const m = e.message || '';
  if (/ECONNREFUSED/.test(m)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(m)) return 'host not found';
  if (/certificate|self[- ]signed|unable to verify/i.test(m))
    return `TLS: ${m.split('\n')[0]} (set elasticsearch.tls.ca_file)`;
  if (/ECONNRESET|socket hang up/.test(m)) return 'connection reset';
  return m.split('\n')[0] || 'connection error';
}
