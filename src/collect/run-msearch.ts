import type { Client, estypes } from '@elastic/elasticsearch';
import { QueryError } from '../errors';
import type { MsearchItem } from '../query/types';
import { mapEsError } from './client';

export type ItemResult =
  | { ok: true; response: estypes.SearchResponse; took: number }
  | { ok: false; error: QueryError };

export interface MsearchOutcome {
  results: ItemResult[];
  /** Elasticsearch's `took` summed over the items, in ms */
  took: number;
}

/**
 * Sends every item as one `_msearch`. A per-item error or a shard failure is an error for that
 * item (never a zero count); a transport failure (cluster down) throws for the whole request.
 */
export async function runMsearch(
  client: Client,
  items: MsearchItem[],
  labels: string[],
): Promise<MsearchOutcome> {
  if (items.length === 0) return { results: [], took: 0 };
  const searches: estypes.MsearchRequestItem[] = [];
  for (const it of items) searches.push(it.header, it.body);
  let res: estypes.MsearchResponse;
  try {
    res = await client.msearch({ searches, max_concurrent_searches: 8 });
  } catch (e) {
    throw mapEsError(e, `running ${items.length} searches (_msearch)`, client);
  }
  let took = 0;
  const results = res.responses.map((r, i): ItemResult => {
    const label = labels[i] ?? `search ${i}`;
    if ('error' in r) {
      const err = r.error as estypes.ErrorCause;
      const root = reasonOf(err);
      const missing = root.type === 'index_not_found_exception';
      return {
        ok: false,
        error: new QueryError(`${label}: ${root.type}: ${oneLine(root.reason)}`, {
          ruleId: label,
          reason: missing ? 'index_missing' : 'query',
          cause: err,
        }),
      };
    }
    const resp = r as estypes.SearchResponse;
    took += resp.took ?? 0;
    const failed = resp._shards?.failed ?? 0;
    if (failed > 0) {
      const f = resp._shards.failures?.[0];
      const why = f
        ? `${f.reason?.type ?? 'failure'}: ${oneLine(f.reason?.reason)}${f.index ? ` (index ${f.index})` : ''}`
        : 'unknown reason';
      return {
        ok: false,
        error: new QueryError(`${label}: ${failed} of ${resp._shards.total} shards failed: ${why}`, {
          ruleId: label,
          cause: resp._shards.failures,
        }),
      };
    }
    if (resp.timed_out) {
      return {
        ok: false,
        error: new QueryError(`${label}: the search timed out on the cluster; results would be partial`, {
          ruleId: label,
        }),
      };
    }
    return { ok: true, response: resp, took: resp.took ?? 0 };
  });
  return { results, took };
}

function oneLine(s: string | null | undefined): string {
  return (s ?? '').replace(/\s+/g, ' ').slice(0, 300);
}

/**
 * The cause that says what went wrong: the first root cause, or, when the engine gives none with
 * a reason (a too_many_buckets_exception arrives as a search_phase_execution_exception with an
 * empty reason and no root cause), the deepest caused_by that has one.
 */
function reasonOf(err: estypes.ErrorCause): estypes.ErrorCause {
  const root = err.root_cause?.[0];
  if (root?.reason) return root;
  let best: estypes.ErrorCause = root ?? err;
  for (let c: estypes.ErrorCause | undefined = err; c; c = c.caused_by) if (c.reason) best = c;
  return best;
}
