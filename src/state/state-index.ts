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
): Promise<Map<string, StateDoc & { _seq_no?: number; _primary_term?: number }>> {
  const out = new Map<string, StateDoc>();
  if (ids.length === 0) return out;
  try {
    for (let i = 0; i < ids.length; i += 1000) {
      const res = await client.mget<StateDoc>({ index, ids: ids.slice(i, i + 1000) });
      for (const d of res.docs) if ('found' in d && d.found && d._source) out.set(d._id, d._source);
    }
  } catch (e) {
    if (isIndexMissing(e)) return out; // a dry run before the state index exists
    throw privilegeError(e, index, 'read', 'read', client);
  }
  return out;
}

function isIndexMissing(e: unknown): boolean {
  return e instanceof errors.ResponseError && e.statusCode === 404 && /index_not_found/.test(esReason(e));
}

export async function searchStateDocs(
  client: Client,
  index: string,
  query: Record<string, unknown>,
  size = 10_000,
): Promise<{ id: string; doc: StateDoc }[]> {
  try {
    const res = await client.search<StateDoc>({ index, size, query, seq_no_primary_term: false });
    return res.hits.hits.map((h) => ({ id: h._id as string, doc: h._source as StateDoc }));
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
  if (res.errors) {
    const failed = res.items.find((it) => it.index?.error)?.index;
    const type = failed?.error?.type ?? 'error';
    if (failed?.status === 403)
      throw new QueryError(
        `cannot write to the state index "${index}": the Elasticsearch user needs the "write" privilege on it`,
        { reason: 'state_privilege' },
      );
    throw new QueryError(
      `writing to the state index ${index} failed: ${type}: ${failed?.error?.reason ?? ''}`.slice(0, 300),
    );
  }
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
