/**
 * Per rule, the end of the last interval it evaluated successfully. Checkpoints are read with their
 * versions and written only if unchanged since (and only by the lease holder): an instance that
 * lost its rule to another cannot move that rule's checkpoint.
 */
import type { Client } from '@elastic/elasticsearch';
import { readVersionedDocs, type VersionedDoc, writeStateDocsIfUnchanged } from './state-index';

const idOf = (rule: string) => `checkpoint:${rule}`;

export interface Checkpoints {
  /** rule → end of its last evaluated interval (ms) */
  until: Map<string, number>;
  versions: Map<string, VersionedDoc['version']>;
}

export async function readCheckpoints(client: Client, index: string, rules: string[]): Promise<Checkpoints> {
  const docs = await readVersionedDocs(client, index, rules.map(idOf));
  const out: Checkpoints = { until: new Map(), versions: new Map() };
  for (const r of rules) {
    const d = docs.get(idOf(r));
    if (d?.doc.until) out.until.set(r, Date.parse(d.doc.until));
    if (d) out.versions.set(r, d.version);
  }
  return out;
}

/** Writes checkpoints conditionally; returns the rules another writer moved first (not written). */
export async function writeCheckpoints(
  client: Client,
  index: string,
  untilByRule: Map<string, number>,
  read: Checkpoints | undefined,
  nowMs: number,
): Promise<string[]> {
  const { conflicts } = await writeStateDocsIfUnchanged(
    client,
    index,
    [...untilByRule].map(([rule, until]) => ({
      id: idOf(rule),
      version: read?.versions.get(rule),
      doc: {
        doc_type: 'checkpoint',
        rule,
        until: new Date(until).toISOString(),
        updated_at: new Date(nowMs).toISOString(),
      },
    })),
  );
  return [...untilByRule.keys()].filter((r) => conflicts.has(idOf(r)));
}
