/** What was last notified per rule and entity: the memory behind dedup, realert and recovery. */
import type { Client } from '@elastic/elasticsearch';
import type { AlertMemory } from '../evaluate/decide-alert';
import { alertStateDocId, entityKeyOf } from './alert-id';
import { readStateDocs, searchStateDocs, writeStateDocs } from './state-index';

/** Every firing memory of these rules, keyed by state doc id. */
export async function readFiringAlerts(
  client: Client,
  index: string,
  rules: string[],
): Promise<Map<string, AlertMemory & { rule: string }>> {
  const out = new Map<string, AlertMemory & { rule: string }>();
  if (rules.length === 0) return out;
  const hits = await searchStateDocs(client, index, {
    bool: {
      filter: [{ term: { doc_type: 'alert' } }, { term: { status: 'firing' } }, { terms: { rule: rules } }],
    },
  });
  for (const h of hits)
    out.set(h.id, { ...(h.doc.body as unknown as AlertMemory), rule: h.doc.rule as string });
  return out;
}

/** The memories (firing or recovered) of these rule+entity pairs, keyed by state doc id. */
export async function readAlertMemories(
  client: Client,
  index: string,
  keys: { rule: string; entity: Record<string, string> }[],
): Promise<Map<string, AlertMemory & { rule: string }>> {
  const docs = await readStateDocs(
    client,
    index,
    keys.map((k) => alertStateDocId(k.rule, k.entity)),
  );
  const out = new Map<string, AlertMemory & { rule: string }>();
  for (const [id, d] of docs)
    if (d.doc_type === 'alert')
      out.set(id, { ...(d.body as unknown as AlertMemory), rule: d.rule as string });
  return out;
}

export async function writeAlertMemories(
  client: Client,
  index: string,
  memories: { rule: string; memory: AlertMemory }[],
  nowMs: number,
): Promise<void> {
  await writeStateDocs(
    client,
    index,
    memories.map(({ rule, memory }) => ({
      id: alertStateDocId(rule, memory.entity),
      doc: {
        doc_type: 'alert',
        rule,
        entity_key: entityKeyOf(memory.entity),
        status: memory.status,
        updated_at: new Date(nowMs).toISOString(),
        body: memory as unknown as Record<string, unknown>,
      },
    })),
  );
}
