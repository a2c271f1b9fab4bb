/**
 * What was notified per rule and entity: the memory behind dedup, realert, recovery and episode
 * identity. Memories are read with their versions and written back only if nobody changed them
 * since (optimistic concurrency): of two instances deciding the same episode, one wins and the
 * other sends nothing.
 */
import type { Client } from '@elastic/elasticsearch';
import type { AlertMemory } from '../evaluate/decide-alert';
import { alertStateDocId, entityKeyOf } from './alert-id';
import {
  readVersionedDocs,
  searchStateDocs,
  type VersionedDoc,
  writeStateDocsIfUnchanged,
} from './state-index';

export interface StoredMemory {
  docId: string;
  rule: string;
  memory: AlertMemory;
  /** the version read; absent for a memory not yet stored */
  version?: VersionedDoc['version'];
}

/**
 * Top-level status of a memory document: `firing`, `recovering` (recovered, its notice not yet in
 * the outbox) or `recovered`. Firing and recovering memories are read every cycle.
 */
function indexedStatus(m: AlertMemory): string {
  return m.status === 'recovered' && m.pending ? 'recovering' : m.status;
}

const toStored = (d: VersionedDoc): StoredMemory => ({
  docId: d.id,
  rule: d.doc.rule as string,
  memory: d.doc.body as unknown as AlertMemory,
  version: d.version,
});

/**
 * The memories a cycle decides against: every firing or recovering memory of these rules, and the
 * memories (any status) of these rule + entity pairs. Keyed by state doc id.
 */
export async function readAlertMemories(
  client: Client,
  index: string,
  rules: string[],
  keys: { rule: string; entity: Record<string, string> }[],
): Promise<Map<string, StoredMemory>> {
  const out = new Map<string, StoredMemory>();
  if (rules.length > 0) {
    const hits = await searchStateDocs(client, index, {
      bool: {
        filter: [
          { term: { doc_type: 'alert' } },
          { terms: { status: ['firing', 'recovering'] } },
          { terms: { rule: rules } },
        ],
      },
    });
    for (const h of hits) out.set(h.id, toStored(h));
  }
  const wanted = [...new Set(keys.map((k) => alertStateDocId(k.rule, k.entity)))].filter(
    (id) => !out.has(id),
  );
  for (const [id, d] of await readVersionedDocs(client, index, wanted))
    if (d.doc.doc_type === 'alert') out.set(id, toStored(d));
  return out;
}

/** Writes memories, each only if unchanged since read; returns new versions and the conflicts. */
export async function writeAlertMemories(
  client: Client,
  index: string,
  memories: StoredMemory[],
  nowMs: number,
): ReturnType<typeof writeStateDocsIfUnchanged> {
  return writeStateDocsIfUnchanged(
    client,
    index,
    memories.map((m) => ({
      id: m.docId,
      version: m.version,
      doc: {
        doc_type: 'alert',
        rule: m.rule,
        entity_key: entityKeyOf(m.memory.entity),
        status: indexedStatus(m.memory),
        updated_at: new Date(nowMs).toISOString(),
        body: m.memory as unknown as Record<string, unknown>,
      },
    })),
  );
}
