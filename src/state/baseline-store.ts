/**
 * The stored baselines of a rule: one state document per entity with its hourly values. Loading
 * reads them page by page (in entity-key order) and keeps the top `max_entities` by their total
 * over the period, largest first, ties by entity key; the documents of the others (a store that
 * grew past max_entities, or a max_entities lowered since) are named so that the cycle deletes
 * them. Memory stays within max_entities plus one page.
 */
import type { Client } from '@elastic/elasticsearch';
import type { EntityBaseline } from '../evaluate/baseline-model';
import { rankBaselines, trimHours } from '../evaluate/rank-entities';
import { entityKey } from '../evaluate/series';
import { alertStateDocId } from './alert-id';
import { pageStateDocs, type StateDoc } from './state-index';

const PAGE_SIZE = 500;

export const ruleDocId = (rule: string) => `baseline:${rule}`;

export const entityDocId = (rule: string, key: string[]) =>
  alertStateDocId(rule, Object.fromEntries(key.map((v, i) => [String(i), v]))).replace(
    /^alert:/,
    'baseline:',
  );

interface EntityBody {
  key: string[];
  hours: [number, number][];
  first_seen: number;
}

export interface StoredBaselines {
  /** the kept entities by entity key, largest total first, without hours before the period */
  entities: Map<string, EntityBaseline>;
  /** entity key → document id, for the kept entities */
  ids: Map<string, string>;
  /** document ids of the stored entities that did not make the top max_entities */
  dropped: string[];
}

export async function loadStoredBaselines(
  client: Client,
  index: string,
  rule: string,
  oldestMs: number,
  maxEntities: number,
): Promise<StoredBaselines> {
  let entities = new Map<string, EntityBaseline>();
  const ids = new Map<string, string>();
  const dropped: string[] = [];
  const query = {
    bool: {
      filter: [{ term: { doc_type: 'baseline' } }, { term: { rule } }, { exists: { field: 'entity_key' } }],
    },
  };
  for await (const page of pageStateDocs(client, index, query, 'entity_key', PAGE_SIZE)) {
    for (const { id, doc } of page) {
      const body = doc.body as unknown as EntityBody;
      const key = entityKey(body.key);
      entities.set(key, trimHours({ hours: new Map(body.hours), firstSeen: body.first_seen }, oldestMs));
      ids.set(key, id);
    }
    const ranked = rankBaselines(entities, maxEntities);
    entities = ranked.kept;
    for (const key of ranked.dropped) {
      dropped.push(ids.get(key) as string);
      ids.delete(key);
    }
  }
  return { entities, ids, dropped };
}

/** The state document of one entity's baseline. */
export function entityDoc(
  rule: string,
  key: string,
  e: EntityBaseline,
  nowIso: string,
): { id: string; doc: StateDoc } {
  const values = JSON.parse(key) as string[];
  return {
    id: entityDocId(rule, values),
    doc: {
      doc_type: 'baseline',
      rule,
      entity_key: key,
      updated_at: nowIso,
      body: { key: values, hours: [...e.hours], first_seen: e.firstSeen },
    },
  };
}
