/**
 * Indexing through the client's bulk helper with `create` operations: documents have stable ids,
 * so a document already present comes back as 409 and is counted as a duplicate, not written twice.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { mapEsError } from '../collect/client';
import { type IngestSummary, recordFailure } from './summary';
import type { EcsDoc } from './types';

export interface BulkItem {
  index: string;
  id: string;
  doc: EcsDoc;
}

/** Stable id: the ingesting host, the file, the line's position, its content and its copy number. */
export function documentId(host: string, path: string, offset: number, line: string, copy: number): string {
  return createHash('sha256')
    .update(`${host}\u0000${path}\u0000${offset}\u0000${copy}\u0000`)
    .update(line)
    .digest('base64url')
    .slice(0, 32);
}

export interface BulkOptions {
  refresh?: boolean;
  flushBytes?: number;
  concurrency?: number;
}

/** Sends the items; counts indexed, duplicates (409) and rejected documents into the summary. */
export async function indexDocuments(
  client: Client,
  items: AsyncGenerator<BulkItem> | BulkItem[],
  summary: IngestSummary,
  opts: BulkOptions = {},
): Promise<void> {
  try {
    const stats = await client.helpers.bulk<BulkItem>({
      datasource: items,
      onDocument: (item) => [{ create: { _index: item.index, _id: item.id } }, item.doc],
      onDrop: (drop) => {
        if (drop.status === 409) {
          summary.duplicates++;
          return;
        }
        summary.rejected++;
        const err = drop.error as { type?: string; reason?: string } | null;
        const doc = drop.document as unknown as EcsDoc;
        const log = doc.log as { file?: { path?: string }; offset?: number } | undefined;
        recordFailure(summary, 'rejected', `${log?.file?.path}:${log?.offset}: ${err?.type}: ${err?.reason}`);
      },
      flushBytes: opts.flushBytes ?? 5_000_000,
      concurrency: opts.concurrency ?? 4,
      refreshOnCompletion: opts.refresh ?? false,
      retries: 3,
    });
    summary.documentsIndexed += stats.successful;
    if (stats.aborted) throw new Error('the bulk helper aborted');
  } catch (e) {
    throw mapEsError(e, 'bulk indexing log documents', client);
  }
}
