/**
 * The state index: created at startup when missing (explicit mapping), read and written in bulk.
 * Missing privileges become one line naming the index and the privilege.
 */
import { type Client, errors, type estypes } from '@elastic/elasticsearch';
import { esReason, mapEsError } from '../collect/client';
import { QueryError, type VigilError } from '../errors';
import { STATE_MAPPINGS, STATE_SETTINGS, type StateDocType } from './mapping';

export interface StateDoc {
  doc_type: StateDocType;
  rule?: string;
  entity_key?: string;
  status?: string;
  owner?: string;
  channel?: string;
  until?: string;
  created_at?: string;
  updated_at?: string;
  expires_at?: string;
  body?: Record<string, unknown>;
}

export function privilegeError(
  e: unknown,
  index: string,
  privilege: string,
  doing: string,
  client: Client,
): VigilError {
  if (e instanceof errors.ResponseError && e.statusCode === 403) {
    return new QueryError(
      `cannot ${doing} the state index "${index}": the Elasticsearch user needs the "${privilege}" privilege on it (${esReason(e).slice(0, 160)})`,
      {
        cause: e,
        reason: 'state_privilege',
      },
    );
  }
  return mapEsError(e, `accessing the state index ${index}`, client);
}

export async function ensureStateIndex(client: Client, index: string): Promise<'created' | 'exists'> {
  try {
    if (await client.indices.exists({ index })) return 'exists';
  } catch (e) {
    throw privilegeError(e, index, 'view_index_metadata', 'read', client);
  }
  try {
    await client.indices.create({ index, mappings: STATE_MAPPINGS, settings: STATE_SETTINGS });
    return 'created';
  } catch (e) {
    if (e instanceof errors.ResponseError && /resource_already_exists/.test(esReason(e))) return 'exists';
    throw privilegeError(e, index, 'create_index', 'create', client);
  }
}

/** Reads documents by id; missing ones are absent from the map. */
export async function readStateDocs(
  client: Client,
  index: string,
  ids: string[],
): Promise<Map<string, StateDoc>> {
  const versioned = await readVersionedDocs(client, index, ids);
  return new Map([...versioned].map(([id, d]) => [id, d.doc]));
}

function isIndexMissing(e: unknown): boolean {
  return e instanceof errors.ResponseError && e.statusCode === 404 && /index_not_found/.test(esReason(e));
}

export async function searchStateDocs(
  client: Client,
  index: string,
  query: Record<string, unknown>,
  size = 10_000,
): Promise<VersionedDoc[]> {
  try {
    const res = await client.search<StateDoc>({ index, size, query, seq_no_primary_term: true });
    return res.hits.hits.map((h) => ({
      id: h._id as string,
      doc: h._source as StateDoc,
      version:
        h._seq_no !== undefined && h._primary_term !== undefined
          ? { seqNo: h._seq_no, primaryTerm: h._primary_term }
          : undefined,
    }));
  } catch (e) {
    if (isIndexMissing(e)) return [];
    throw privilegeError(e, index, 'read', 'read', client);
  }
}

/** Writes documents (whole replacement) in one bulk request; any item failure is an error. */
export async function writeStateDocs(
  client: Client,
  index: string,
  docs: { id: string; doc: StateDoc }[],
  refresh: boolean | 'wait_for' = true,
): Promise<void> {
  if (docs.length === 0) return;
  let res: Awaited<ReturnType<Client['bulk']>>;
  try {
    res = await client.bulk({
      refresh,
      operations: docs.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d.doc]),
    });
  } catch (e) {
    throw privilegeError(e, index, 'write', 'write to', client);
  }
  const failed = res.items.find((it) => it.index?.error)?.index;
  if (failed) throw bulkItemError(index, failed);
}

function bulkItemError(index: string, failed: estypes.BulkResponseItem): QueryError {
  if (failed.status === 403)
    return new QueryError(
      `cannot write to the state index "${index}": the Elasticsearch user needs the "write" privilege on it`,
      { reason: 'state_privilege' },
    );
  return new QueryError(
    `writing to the state index ${index} failed: ${failed.error?.type ?? 'error'}: ${failed.error?.reason ?? ''}`.slice(
      0,
      300,
    ),
  );
}

/** A document read with its version: writing it back is conditional on nobody having changed it. */
export interface VersionedDoc {
  id: string;
  doc: StateDoc;
  /** the version read; absent for a document that did not exist (then it is created) */
  version?: { seqNo: number; primaryTerm: number };
}

/**
 * Writes documents in one bulk request, each conditional on the version it was read at (or
 * created only if still absent): optimistic concurrency. Returns the new versions of the written
 * documents and the ids another writer changed first (409), which were not written. Any other
 * item failure is an error.
 */
export async function writeStateDocsIfUnchanged(
  client: Client,
  index: string,
  docs: VersionedDoc[],
  refresh: boolean | 'wait_for' = true,
): Promise<{ written: Map<string, { seqNo: number; primaryTerm: number }>; conflicts: Set<string> }> {
  const written = new Map<string, { seqNo: number; primaryTerm: number }>();
  const conflicts = new Set<string>();
  if (docs.length === 0) return { written, conflicts };
  let res: Awaited<ReturnType<Client['bulk']>>;
  try {
    res = await client.bulk({
      refresh,
      operations: docs.flatMap((d) => [
        d.version
          ? {
              index: {
                _index: index,
                _id: d.id,
                if_seq_no: d.version.seqNo,
                if_primary_term: d.version.primaryTerm,
              },
            }
          : { create: { _index: index, _id: d.id } },
        d.doc,
      ]),
    });
  } catch (e) {
    throw privilegeError(e, index, 'write', 'write to', client);
  }
  res.items.forEach((item, i) => {
    const r = item.index ?? item.create;
    const id = docs[i].id;
    if (r?.status === 409) conflicts.add(id);
    else if (r && !r.error && r._seq_no !== undefined && r._primary_term !== undefined)
      written.set(id, { seqNo: r._seq_no, primaryTerm: r._primary_term });
  });
  const failed = res.items.map((it) => it.index ?? it.create).find((r) => r?.error && r.status !== 409);
  if (failed) throw bulkItemError(index, failed);
  return { written, conflicts };
}

/** Reads documents by id with their versions, for writeStateDocsIfUnchanged. */
export async function readVersionedDocs(
  client: Client,
  index: string,
  ids: string[],
): Promise<Map<string, VersionedDoc>> {
  const out = new Map<string, VersionedDoc>();
  if (ids.length === 0) return out;
  try {
    for (let i = 0; i < ids.length; i += 1000) {
      const res = await client.mget<StateDoc>({ index, ids: ids.slice(i, i + 1000) });
      for (const d of res.docs)
        if ('found' in d && d.found && d._source)
          out.set(d._id, {
            id: d._id,
            doc: d._source,
            version:
              d._seq_no !== undefined && d._primary_term !== undefined
                ? { seqNo: d._seq_no, primaryTerm: d._primary_term }
                : undefined,
          });
    }
  } catch (e) {
    if (isIndexMissing(e)) return out;
    throw privilegeError(e, index, 'read', 'read', client);
  }
  return out;
}

/**
 * Reads every document that matches, `pageSize` at a time in the order of `sortField` (a keyword
 * unique among the matches), so that a caller can keep a bounded part of a large set.
 */
export async function* pageStateDocs(
  client: Client,
  index: string,
  query: Record<string, unknown>,
  sortField: string,
  pageSize: number,
): AsyncGenerator<{ id: string; doc: StateDoc }[]> {
  let after: estypes.SortResults | undefined;
  for (;;) {
    let hits: estypes.SearchHit<StateDoc>[];
    try {
      const res = await client.search<StateDoc>({
        index,
        size: pageSize,
        query,
        sort: [{ [sortField]: 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      hits = res.hits.hits;
    } catch (e) {
      if (isIndexMissing(e)) return;
      throw privilegeError(e, index, 'read', 'read', client);
    }
    if (hits.length > 0) yield hits.map((h) => ({ id: h._id as string, doc: h._source as StateDoc }));
    if (hits.length < pageSize) return;
    after = hits[hits.length - 1].sort;
  }
}

/** Deletes documents by id in one bulk request; ids already gone are fine, any other failure is an error. */
export async function deleteStateDocs(client: Client, index: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  let res: Awaited<ReturnType<Client['bulk']>>;
  try {
    res = await client.bulk({ operations: ids.map((id) => ({ delete: { _index: index, _id: id } })) });
  } catch (e) {
    throw privilegeError(e, index, 'write', 'delete from', client);
  }
  const failed = res.items.find((it) => it.delete?.error)?.delete;
  if (failed)
    throw new QueryError(
      `deleting from the state index ${index} failed: ${failed.error?.type}: ${failed.error?.reason ?? ''}`.slice(
        0,
        300,
      ),
      { reason: failed.status === 403 ? 'state_privilege' : 'query' },
    );
}
