/**
 * Indexing through the client's bulk helper with `create` operations: documents have stable ids
 * (event-identity.ts), so a document already present comes back as 409 and is counted as a
 * duplicate, not written twice. With a lookup pattern, earlier copies whose time changed are
 * replaced (replace-earlier.ts).
 */
import type { Client } from '@elastic/elasticsearch';
import { mapEsError } from '../collect/client';
import { type BulkOp, planOperations } from './replace-earlier';
import { type IngestSummary, recordFailure } from './summary';
import type { EcsDoc } from './types';

export interface BulkItem {
  index: string;
  id: string;
  doc: EcsDoc;
}

export interface BulkOptions {
  refresh?: boolean;
  flushBytes?: number;
  concurrency?: number;
  /** Index or pattern where earlier copies of these events may be (`vigil-logs-auth-*`); none: no lookup. */
  lookup?: string;
}

async function* plainCreates(items: AsyncIterable<BulkItem> | Iterable<BulkItem>): AsyncGenerator<BulkOp> {
  for await (const item of items) yield { action: 'create', item };
}

/** Sends the items; counts indexed, duplicates (409) and rejected documents into the summary. */
export async function indexDocuments(
  client: Client,
  items: AsyncIterable<BulkItem> | BulkItem[],
  summary: IngestSummary,
  opts: BulkOptions = {},
): Promise<void> {
  const ops = opts.lookup ? planOperations(client, items, opts.lookup, summary) : plainCreates(items);
  try {
    const stats = await client.helpers.bulk<BulkOp>({
      datasource: ops,
      onDocument: (op) => {
        if (op.action === 'delete') return { delete: { _index: op.index, _id: op.id } };
        const target = { _index: op.item.index, _id: op.item.id };
        return op.action === 'index' ? [{ index: target }, op.item.doc] : [{ create: target }, op.item.doc];
      },
      onSuccess: ({ result }) => {
        if (!('delete' in result)) summary.documentsIndexed++;
      },
      onDrop: (drop) => {
        const op = Object.keys(drop.operation)[0];
        if (op === 'delete' && drop.status === 404) return; // already gone: deleted by an earlier batch
        if (drop.status === 409) {
          summary.duplicates++;
          return;
        }
        summary.rejected++;
        const err = drop.error as { type?: string; reason?: string } | null;
        const doc = drop.document as unknown as EcsDoc | null;
        const log = doc?.log as { file?: { path?: string }; offset?: number } | undefined;
        recordFailure(summary, 'rejected', `${log?.file?.path}:${log?.offset}: ${err?.type}: ${err?.reason}`);
      },
      flushBytes: opts.flushBytes ?? 5_000_000,
      concurrency: opts.concurrency ?? 4,
      refreshOnCompletion: opts.refresh ?? false,
      retries: 3,
    });
    if (stats.aborted) throw new Error('the bulk helper aborted');
  } catch (e) {
    throw mapEsError(e, 'bulk indexing log documents', client);
  }
}
