/**
 * Finding the earlier copies of the events being indexed. Ids do not depend on the derived time, so
 * a run with corrected `--year` / `--timezone` produces the ids of the earlier run; its documents
 * may sit in another daily index of the same pattern. One `ids` query per batch over the pattern
 * finds them: a copy with another time or in another index is replaced (deleted where it lives,
 * written where it belongs), a copy with the same time in the same index is a duplicate (the
 * `create` comes back 409). No `_delete_by_query`: the engines' test zips have no reindex module.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { mapEsError } from '../collect/client';
import type { BulkItem } from './bulk-index';
import type { IngestSummary } from './summary';

export type BulkOp =
  | { action: 'create' | 'index'; item: BulkItem }
  | { action: 'delete'; index: string; id: string };

/** Items looked up per query; the same id may live in several indices (copies of older versions). */
const BATCH = 1000;
const MAX_HITS = 10_000;

interface Earlier {
  index: string;
  ms: number;
}

/** Bulk operations for the items, with earlier copies under `lookup` (an index or pattern) replaced. */
export async function* planOperations(
  client: Client,
  items: AsyncIterable<BulkItem> | Iterable<BulkItem>,
  lookup: string,
  summary: IngestSummary,
): AsyncGenerator<BulkOp> {
  let batch: BulkItem[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length < BATCH) continue;
    yield* decide(batch, await findEarlier(client, batch, lookup), summary);
    batch = [];
  }
  if (batch.length) yield* decide(batch, await findEarlier(client, batch, lookup), summary);
}

async function findEarlier(
  client: Client,
  batch: BulkItem[],
  lookup: string,
): Promise<Map<string, Earlier[]>> {
  const search = () =>
    client.search<{ '@timestamp'?: string }>({
      index: lookup,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: MAX_HITS,
      track_total_hits: false,
      _source: ['@timestamp'],
      query: { ids: { values: [...new Set(batch.map((i) => i.id))] } },
    });
  let res: Awaited<ReturnType<typeof search>>;
  try {
    res = await whenShardsStarted(client, lookup, search);
  } catch (e) {
    throw mapEsError(e, `looking up earlier copies in ${lookup}`, client);
  }
  const found = new Map<string, Earlier[]>();
  for (const hit of res.hits.hits) {
    const id = hit._id as string;
    const ms = Date.parse(hit._source?.['@timestamp'] ?? '');
    found.set(id, [...(found.get(id) ?? []), { index: hit._index, ms }]);
  }
  return found;
}

/** 503 no_shard_available: a shard of the pattern is still starting. */
function isShardNotReady(e: unknown): boolean {
  const err = e as { meta?: { statusCode?: number }; message?: string };
  return err.meta?.statusCode === 503 || /no_shard_available/.test(err.message ?? '');
}

/** How long a lookup waits for the shards of an index this run's bulk has just created. */
const SHARD_START_WAIT_MS = 60_000;

/**
 * `search`, asked again while a shard of `lookup` is still starting (a daily index this run's
 * first bulk has just created), for up to SHARD_START_WAIT_MS. Waiting for yellow is not enough:
 * the engines report a new index yellow while its primary is unassigned (allocation throttled) or
 * initializing, so the search itself is the test. Any other error, or one past the wait, is thrown.
 */
async function whenShardsStarted<T>(client: Client, lookup: string, search: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + SHARD_START_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await search();
    } catch (e) {
      if (!isShardNotReady(e) || Date.now() >= deadline) throw e;
      await client.cluster
        .health({ index: lookup, wait_for_no_initializing_shards: true, timeout: '5s' })
        .catch(() => undefined); // only a wait; the search again decides
      await delay(Math.min(100 * 2 ** attempt, 2000));
    }
  }
}

function* decide(
  batch: BulkItem[],
  earlier: Map<string, Earlier[]>,
  summary: IngestSummary,
): Generator<BulkOp> {
  const handled = new Set<string>();
  for (const item of batch) {
    const copies = handled.has(item.id) ? [] : (earlier.get(item.id) ?? []);
    handled.add(item.id);
    const ms = Date.parse(item.doc['@timestamp'] as string);
    const here = copies.find((c) => c.index === item.index);
    const elsewhere = copies.filter((c) => c.index !== item.index);
    for (const c of elsewhere) yield { action: 'delete', index: c.index, id: item.id };
    const timeChanged = here !== undefined && here.ms !== ms;
    if (timeChanged || elsewhere.length) summary.replaced++;
    yield { action: timeChanged ? 'index' : 'create', item };
  }
}
