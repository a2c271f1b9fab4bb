/**
 * Silences in the state index (`doc_type: silence`, `_id: silence:<id>`, `expires_at`: its end),
 * so that every instance reads the same ones each cycle and they survive restarts. A silence is
 * never deleted: `expire` moves its end to now, so `vigil silence list --all` keeps the history.
 */
import crypto from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { UsageError } from '../errors';
import type { Silence } from '../evaluate/match-silence';
import { readVersionedDocs, type StateDoc, searchStateDocs, writeStateDocsIfUnchanged } from './state-index';

const docId = (id: string) => `silence:${id}`;
export const newSilenceId = (): string => crypto.randomBytes(8).toString('hex');

function toDoc(s: Silence, nowMs: number): StateDoc {
  return {
    doc_type: 'silence',
    created_at: s.created_at,
    updated_at: new Date(nowMs).toISOString(),
    expires_at: s.ends_at,
    body: s as unknown as Record<string, unknown>,
  };
}

export async function addSilence(client: Client, index: string, s: Silence, nowMs: number): Promise<void> {
  await writeStateDocsIfUnchanged(client, index, [{ id: docId(s.id), doc: toDoc(s, nowMs) }]);
}

/**
 * The silences not yet ended at `nowMs` (active, or starting later), read once per cycle. With
 * `all`, ended ones too (newest first), up to `limit`.
 */
export async function readSilences(
  client: Client,
  index: string,
  nowMs: number,
  opts: { all?: boolean; limit?: number } = {},
): Promise<Silence[]> {
  const filter: Record<string, unknown>[] = [{ term: { doc_type: 'silence' } }];
  if (!opts.all) filter.push({ range: { expires_at: { gt: nowMs, format: 'epoch_millis' } } });
  const hits = await searchStateDocs(client, index, { bool: { filter } }, opts.limit ?? 10_000);
  return hits
    .map((h) => h.doc.body as unknown as Silence)
    .sort((a, b) => Date.parse(b.ends_at) - Date.parse(a.ends_at) || a.id.localeCompare(b.id));
}

/**
 * Ends a silence now. Conditional on the version read, so two operators expiring (or a silence
 * changed meanwhile) cannot overwrite each other. An unknown id is a usage error (exit 2).
 */
export async function expireSilence(
  client: Client,
  index: string,
  id: string,
  by: string,
  nowMs: number,
): Promise<{ silence: Silence; alreadyEnded: boolean }> {
  const found = (await readVersionedDocs(client, index, [docId(id)])).get(docId(id));
  if (found?.doc.doc_type !== 'silence' || !found)
    throw new UsageError(
      `silence expire: no silence with id "${id.slice(0, 40)}" (see vigil silence list --all)`,
    );
  const silence = found.doc.body as unknown as Silence;
  if (Date.parse(silence.ends_at) <= nowMs) return { silence, alreadyEnded: true };
  const now = new Date(nowMs).toISOString();
  const ended: Silence = {
    ...silence,
    ends_at: now,
    expired_by: by,
    // a silence that had not started yet ends before it starts: never active
    ...(Date.parse(silence.starts_at) > nowMs ? { starts_at: now } : {}),
  };
  const res = await writeStateDocsIfUnchanged(client, index, [
    { id: docId(id), version: found.version, doc: toDoc(ended, nowMs) },
  ]);
  if (res.conflicts.size)
    throw new UsageError(
      `silence expire: silence ${id} was changed by someone else just now; run the command again`,
    );
  return { silence: ended, alreadyEnded: false };
}
