/**
 * The index template that types the ECS fields vigil's parsers produce (ip, keyword, long, date,
 * `message` as text). Exported so that tests and other stages can install it before indexing
 * synthetic ECS documents into `vigil-logs-*`.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { mapEsError } from '../collect/client';

export const ECS_TEMPLATE_NAME = 'vigil-logs-ecs';
export const ECS_INDEX_PATTERNS = ['vigil-logs-*'];

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const long = { type: 'long' } as const;
const ip = { type: 'ip' } as const;
const obj = (properties: Record<string, estypes.MappingProperty>): estypes.MappingProperty => ({
  properties,
});
const keywords = (...names: string[]) => Object.fromEntries(names.map((n) => [n, keyword]));

/** The ECS mappings (nested `properties`); strings not listed here become keywords. */
export const ECS_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: { ...keyword } } }],
  properties: {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    event: obj({
      ...keywords(
        'kind',
        'module',
        'dataset',
        'action',
        'category',
        'type',
        'outcome',
        'code',
        'timezone',
        'provider',
      ),
      original: { type: 'keyword', index: false, doc_values: false },
      created: { type: 'date' },
      ingested: { type: 'date' },
      sequence: long,
      duration: long,
    }),
    source: obj({ ip, address: keyword, port: long, domain: keyword, bytes: long }),
    destination: obj({ ip, address: keyword, port: long, domain: keyword, bytes: long }),
    client: obj({ ip, address: keyword, port: long }),
    related: obj({ ip, user: keyword, hosts: keyword }),
    user: obj({
      ...keywords('name', 'id', 'domain'),
      effective: obj(keywords('name', 'id')),
      target: obj(keywords('name', 'id')),
      changes: obj(keywords('name')),
    }),
    group: obj(keywords('name', 'id')),
    host: obj({ ...keywords('hostname', 'name'), ip }),
    process: obj({ name: keyword, pid: long, command_line: keyword, executable: keyword }),
    http: obj({
      version: keyword,
      request: obj({ method: keyword, referrer: keyword, bytes: long }),
      response: obj({ status_code: long, bytes: long, body: obj({ bytes: long }) }),
    }),
    url: obj(keywords('original', 'path', 'query', 'domain')),
    user_agent: obj({ original: keyword }),
    log: obj({ offset: long, file: obj({ path: keyword }) }),
    system: obj({
      auth: obj({
        ssh: obj(keywords('event', 'method', 'signature', 'dropped_ip')),
        sudo: obj(keywords('command', 'error', 'tty', 'pwd', 'user')),
        pam: obj(keywords('module', 'origin', 'type')),
        useradd: obj(keywords('home', 'shell')),
      }),
    }),
    nginx: obj({ access: obj({ remote_ip_list: keyword }) }),
    winlog: obj({ event_id: keyword }),
    json: { type: 'object', enabled: false },
  },
};

/** Installs (or updates) the composable index template for vigil-logs-*. Idempotent. */
export async function ensureEcsTemplate(
  client: Client,
  patterns: string[] = ECS_INDEX_PATTERNS,
): Promise<void> {
  try {
    await client.indices.putIndexTemplate({
      name: ECS_TEMPLATE_NAME,
      index_patterns: patterns,
      priority: 200,
      template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ECS_MAPPINGS },
      _meta: { managed_by: 'vigil', description: 'ECS fields of documents written by vigil ingest' },
    });
  } catch (e) {
    throw mapEsError(e, `installing index template ${ECS_TEMPLATE_NAME}`, client);
  }
}

/** `vigil-logs-<type>-<yyyy.MM.dd>` by the event's UTC day. */
export function dailyIndexName(type: string, timestamp: string): string {
  const day = timestamp.slice(0, 10).replace(/-/g, '.');
  return `vigil-logs-${type}-${day}`;
}
