import type { estypes } from '@elastic/elasticsearch';

/**
 * The state index holds vigil's memory. Every document has `doc_type`; the other indexed fields
 * are shared by the types that need them, and each type keeps its body in an unindexed object.
 *
 *   checkpoint  rule, until (end of the last evaluated interval)
 *   baseline    rule, entity_key, body: bucketed samples
 *   alert       rule, entity_key, status, updated_at, body: the last alert sent for this rule+entity
 *   outbox      channel, status (pending|delivered|dead), next_attempt_at, attempts, alert_ids, body
 *   lease       rule (or shard), owner, expires_at
 *   instance    owner (a monitor's id), expires_at: the heartbeat of the monitors sharing the rules
 *   channel     channel, expires_at, body: a channel some instance delivers to (type, min_severity)
 *   silence     created_at, expires_at (its end), body: matchers, creator, comment, start, end
 *   model       rule, updated_at, body: an anomaly rule's forest, training span and feature statistics
 */
export const STATE_DOC_TYPES = [
  'checkpoint',
  'baseline',
  'alert',
  'outbox',
  'lease',
  'instance',
  'channel',
  'silence',
  'model',
] as const;
export type StateDocType = (typeof STATE_DOC_TYPES)[number];

export const STATE_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    doc_type: { type: 'keyword' },
    rule: { type: 'keyword' },
    entity_key: { type: 'keyword' },
    status: { type: 'keyword' },
    channel: { type: 'keyword' },
    owner: { type: 'keyword' },
    alert_ids: { type: 'keyword' },
    attempts: { type: 'integer' },
    until: { type: 'date' },
    created_at: { type: 'date' },
    updated_at: { type: 'date' },
    next_attempt_at: { type: 'date' },
    expires_at: { type: 'date' },
    last_error: { type: 'keyword', index: false, doc_values: false, ignore_above: 2048 },
    body: { type: 'object', enabled: false },
  },
};

export const STATE_SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  auto_expand_replicas: '0-1',
};
