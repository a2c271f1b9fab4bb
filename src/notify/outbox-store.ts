import { type Client, errors, type estypes } from '@elastic/elasticsearch';
import { esReason, mapEsError } from '../collect/client';
import type { Alert } from '../types';

/**
 * Outbox documents in the state index (doc_type: outbox). Only fields of STATE_MAPPINGS are
 * used; the alerts themselves live in the unindexed `body`.
 *
 * Status: pending → sending (a short lease while one process sends) → delivered | pending | dead.
 */
export const OUTBOX_STATUSES = ['pending', 'sending', 'delivered', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxDoc {
  doc_type: 'outbox';
  channel: string;
  status: OutboxStatus;
  attempts: number;
  alert_ids: string[];
  created_at: string;
  updated_at: string;
  next_attempt_at: string;
  last_error?: string;
  body: { alerts: Alert[] };
}

export interface StoredDoc {
  id: string;
  seqNo: number;
  primaryTerm: number;
  doc: OutboxDoc;
}

export type DocPatch = Partial<Omit<OutboxDoc, 'doc_type' | 'channel' | 'alert_ids' | 'body'>>;

export class OutboxStore {
  constructor(
    readonly client: Client,
    readonly index: string,
  ) {}

  /** Creates each document unless one with its id exists; returns the ids that already existed. */
  async createAll(docs: { id: string; doc: OutboxDoc }[]): Promise<Set<string>> {
    const existing = new Set<string>();
    if (docs.length === 0) return existing;
    let res: estypes.BulkResponse;
    try {
      res = await this.client.bulk({
        refresh: true,
        operations: docs.flatMap(({ id, doc }) => [{ create: { _index: this.index, _id: id } }, doc]),
      });
    } catch (e) {
      throw mapEsError(e, `writing the outbox to ${this.index}`, this.client);
    }
    for (const item of res.items) {
      const r = item.create;
      if (!r?.error) continue;
      if (r.status === 409) existing.add(String(r._id));
      else
        throw mapEsError(
          new Error(`${r.error.type}: ${r.error.reason}`),
          `writing the outbox to ${this.index}`,
          this.client,
        );
    }
    return existing;
  }

  /** Which of these alert ids some entry of `channel` (in any status) already carries. */
  async queuedAlertIds(channel: string, alertIds: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(alertIds);
    const hits = await this.search(
      {
        bool: {
          filter: [
            { term: { doc_type: 'outbox' } },
            { term: { channel } },
            { terms: { alert_ids: [...wanted] } },
          ],
        },
      },
      [{ created_at: 'desc' }],
      1000,
      'reading queued alert ids',
    );
    return new Set(hits.flatMap((h) => h.doc.alert_ids).filter((id) => wanted.has(id)));
  }

  /**
   * Entries of `channels` due at `now`: pending ones, and `sending` leases that expired (a crashed
   * sender). Entries of other channels belong to instances that have those channels configured.
   */
  async findDue(
    now: Date,
    size: number,
    exclude: string[],
    channels: readonly string[],
  ): Promise<StoredDoc[]> {
    if (channels.length === 0) return [];
    return this.search(
      {
        bool: {
          filter: [
            { term: { doc_type: 'outbox' } },
            { terms: { channel: [...channels] } },
            { terms: { status: ['pending', 'sending'] } },
            { range: { next_attempt_at: { lte: now.toISOString() } } },
          ],
          must_not: exclude.length ? [{ ids: { values: exclude } }] : [],
        },
      },
      [{ next_attempt_at: 'asc' }, { created_at: 'asc' }],
      size,
      'reading due outbox entries',
    );
  }

  async list(statuses: readonly OutboxStatus[], size: number): Promise<StoredDoc[]> {
    return this.search(
      { bool: { filter: [{ term: { doc_type: 'outbox' } }, { terms: { status: [...statuses] } }] } },
      [{ created_at: 'desc' }],
      size,
      'listing the outbox',
    );
  }

  async get(id: string): Promise<StoredDoc | undefined> {
    try {
      const res = await this.client.get<OutboxDoc>({ index: this.index, id });
      if (!res.found || res._source?.doc_type !== 'outbox') return undefined;
      return { id: res._id, seqNo: res._seq_no ?? 0, primaryTerm: res._primary_term ?? 0, doc: res._source };
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 404) return undefined;
      throw mapEsError(e, `reading outbox entry ${id} from ${this.index}`, this.client);
    }
  }

  /**
   * Applies `patch` only if the document has not changed since it was read (optimistic
   * concurrency). Returns the new version, or undefined when another process got there first.
   */
  async update(entry: StoredDoc, patch: DocPatch): Promise<StoredDoc | undefined> {
    try {
      const res = await this.client.update({
        index: this.index,
        id: entry.id,
        if_seq_no: entry.seqNo,
        if_primary_term: entry.primaryTerm,
        refresh: true,
        doc: patch,
      });
      return {
        id: entry.id,
        seqNo: res._seq_no ?? 0,
        primaryTerm: res._primary_term ?? 0,
        doc: { ...entry.doc, ...patch },
      };
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 409) return undefined;
      throw mapEsError(e, `updating outbox entry ${entry.id} in ${this.index}`, this.client);
    }
  }

  /** Entries not yet delivered (pending or mid-send), per channel. */
  async countUndelivered(): Promise<Map<string, number>> {
    try {
      const res = await this.client.search<unknown, { channels: estypes.AggregationsStringTermsAggregate }>({
        index: this.index,
        size: 0,
        query: {
          bool: { filter: [{ term: { doc_type: 'outbox' } }, { terms: { status: ['pending', 'sending'] } }] },
        },
        aggs: { channels: { terms: { field: 'channel', size: 1000 } } },
      });
      const buckets = (res.aggregations?.channels.buckets ?? []) as estypes.AggregationsStringTermsBucket[];
      return new Map(buckets.map((b) => [String(b.key), b.doc_count]));
    } catch (e) {
      if (isIndexMissing(e)) return new Map();
      throw mapEsError(e, `counting outbox entries in ${this.index}`, this.client);
    }
  }

  private async search(
    query: estypes.QueryDslQueryContainer,
    sort: estypes.Sort,
    size: number,
    what: string,
  ): Promise<StoredDoc[]> {
    try {
      const res = await this.client.search<OutboxDoc>({
        index: this.index,
        query,
        sort,
        size,
        seq_no_primary_term: true,
      });
      return res.hits.hits
        .filter((h) => h._source)
        .map((h) => ({
          id: h._id!,
          seqNo: h._seq_no ?? 0,
          primaryTerm: h._primary_term ?? 0,
          doc: h._source!,
        }));
    } catch (e) {
      if (isIndexMissing(e)) return []; // no state index yet: nothing was ever queued
      throw mapEsError(e, `${what} in ${this.index}`, this.client);
    }
  }
}

function isIndexMissing(e: unknown): boolean {
  return e instanceof errors.ResponseError && e.statusCode === 404 && /index_not_found/.test(esReason(e));
}
