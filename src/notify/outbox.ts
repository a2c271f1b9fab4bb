import type { Client } from '@elastic/elasticsearch';
import { formatDuration } from '../config/duration';
import { DeliveryError, errorMessage, UsageError } from '../errors';
import type { Alert } from '../types';
import { isExpired, nextAttemptAt, type RandomSource } from './backoff';
import { boundAlert } from './bound-alert';
import type { ChannelConfig, OutboxSettings } from './channel-schema';
import { createDigest, type Digest } from './digest';
import { type NotifyLogger, silentLogger } from './logger';
import { type OutboxDoc, type OutboxStatus, OutboxStore, type StoredDoc } from './outbox-store';
import { routeAlerts } from './route';
import type { Sender } from './sender';

/**
 * The durable outbox. Every digest is written to the state index before anything is sent, and
 * only a successful send marks it delivered. Delivery is AT LEAST ONCE: a crash after the send
 * but before the mark sends again on the next drain. The entry id (hash of channel + sorted
 * alert ids) is the email Message-ID's basis and the webhook's X-Vigil-Delivery (with the page
 * number, its Idempotency-Key), so receivers can drop repeats.
 *
 * Two processes draining the same outbox do not both send an entry: each claims an entry by
 * moving it to `sending` with optimistic concurrency (if_seq_no/if_primary_term); the loser of
 * the race skips it. The claim is a lease: `next_attempt_at` = now + claim timeout, after which
 * a crashed sender's entry is due again.
 *
 * A process only claims entries of the channels it has a sender for. Instances may differ in
 * their channels (a monitor with Slack, an operator's `vigil scan` with only SMTP): an entry of a
 * channel this process lacks stays pending, untouched, for an instance that has it.
 */
export interface OutboxDeps {
  client: Client;
  /** the state index (created by the state module with STATE_MAPPINGS) */
  index: string;
  settings: OutboxSettings;
  /** enabled channels by name; needed by drain only, which claims entries of these channels only */
  senders?: Map<string, Sender>;
  logger?: NotifyLogger;
  /** uniform in [0, 1); Math.random by default, injected in tests */
  rand?: RandomSource;
  /** how long a claimed entry stays `sending` before another drain may take it (default 5m) */
  claimTimeoutMs?: number;
  /** entries read per search (default 100) */
  batchSize?: number;
}

export interface EnqueuedDigest {
  id: string;
  channel: string;
  alertIds: string[];
  /** false when the same digest was already in the outbox (a re-enqueue is a no-op) */
  created: boolean;
}

export interface ChannelDrainSummary {
  sent: number;
  failed: number;
  dead: number;
  /** entries of this channel still waiting after the drain */
  pending: number;
}

export interface DrainProblem {
  id: string;
  channel: string;
  message: string;
  retryable: boolean;
}

export interface DrainSummary {
  channels: Record<string, ChannelDrainSummary>;
  /** one line per failed or dead entry, already free of secrets */
  problems: DrainProblem[];
}

export interface OutboxEntry {
  id: string;
  channel: string;
  status: OutboxStatus;
  attempts: number;
  alertIds: string[];
  titles: string[];
  createdAt: string;
  updatedAt: string;
  nextAttemptAt: string;
  lastError?: string;
}

export interface Outbox {
  enqueue(
    alerts: readonly Alert[],
    channels: Record<string, ChannelConfig>,
    now: Date,
  ): Promise<EnqueuedDigest[]>;
  drain(now: Date): Promise<DrainSummary>;
  listOutbox(status?: OutboxStatus | readonly OutboxStatus[]): Promise<OutboxEntry[]>;
  retryEntry(id: string, now: Date): Promise<OutboxEntry>;
}

const DEFAULT_CLAIM_MS = 5 * 60_000;
const MAX_ERROR = 1000;

export function createOutbox(deps: OutboxDeps): Outbox {
  const store = new OutboxStore(deps.client, deps.index);
  const logger = deps.logger ?? silentLogger;
  const rand = deps.rand ?? Math.random;
  const batchSize = deps.batchSize ?? 100;
  const claimMs = deps.claimTimeoutMs ?? deps.settings.claim_timeout ?? DEFAULT_CLAIM_MS;

  async function enqueue(alerts: readonly Alert[], channels: Record<string, ChannelConfig>, now: Date) {
    const at = now.toISOString();
    const digests: Digest[] = [];
    const alreadyQueued: EnqueuedDigest[] = [];
    for (const [channel, routed] of routeAlerts(alerts, channels)) {
      const all = createDigest(channel, routed.map(boundAlert));
      // An alert already in an entry of this channel (a cycle that crashed after enqueueing,
      // then ran again with more alerts) is sent by that entry, never in a second message.
      const queued = await store.queuedAlertIds(
        channel,
        all.alerts.map((a) => a.id),
      );
      const fresh = all.alerts.filter((a) => !queued.has(a.id));
      if (fresh.length === 0)
        alreadyQueued.push({ id: all.id, channel, alertIds: all.alerts.map((a) => a.id), created: false });
      else digests.push(fresh.length === all.alerts.length ? all : createDigest(channel, fresh));
    }
    const docs = digests.map((d) => ({
      id: d.id,
      doc: {
        doc_type: 'outbox',
        channel: d.channel,
        status: 'pending',
        attempts: 0,
        alert_ids: d.alerts.map((a) => a.id),
        created_at: at,
        updated_at: at,
        next_attempt_at: at,
        body: { alerts: d.alerts },
      } satisfies OutboxDoc,
    }));
    const existing = await store.createAll(docs);
    return [
      ...digests.map((d) => ({
        id: d.id,
        channel: d.channel,
        alertIds: d.alerts.map((a) => a.id),
        created: !existing.has(d.id),
      })),
      ...alreadyQueued,
    ];
  }

  async function drain(now: Date): Promise<DrainSummary> {
    const summary: DrainSummary = { channels: {}, problems: [] };
    const tally = (channel: string) => {
      summary.channels[channel] ??= { sent: 0, failed: 0, dead: 0, pending: 0 };
      return summary.channels[channel];
    };
    const senders = deps.senders ?? new Map<string, Sender>();
    for (const name of senders.keys()) tally(name);
    const seen: string[] = [];
    for (;;) {
      const due = await store.findDue(now, batchSize, seen, [...senders.keys()]);
      if (due.length === 0) break;
      seen.push(...due.map((d) => d.id));
      const byChannel = new Map<string, StoredDoc[]>();
      for (const entry of due)
        byChannel.set(entry.doc.channel, [...(byChannel.get(entry.doc.channel) ?? []), entry]);
      // Channels in parallel (a slow SMTP server must not hold up Slack); entries of one channel in order.
      await Promise.all(
        [...byChannel].map(async ([channel, entries]) => {
          const sender = senders.get(channel);
          if (!sender) return; // findDue returns only channels with a sender
          for (const entry of entries)
            await processEntry(entry, sender, now, tally(channel), summary.problems);
        }),
      );
      if (due.length < batchSize) break;
    }
    const undelivered = await store.countUndelivered();
    for (const [channel, count] of undelivered) tally(channel).pending = count;
    const elsewhere = [...undelivered.keys()].filter((c) => !senders.has(c)).sort();
    if (elsewhere.length > 0) {
      logger.info(
        `outbox entries of channels without a sender here are left for an instance that has them: ${elsewhere.join(', ')}`,
        { channels: elsewhere },
      );
    }
    return summary;
  }

  async function processEntry(
    entry: StoredDoc,
    sender: Sender,
    now: Date,
    tally: ChannelDrainSummary,
    problems: DrainProblem[],
  ) {
    const { doc } = entry;
    const at = now.toISOString();
    const die = async (current: StoredDoc, reason: string, attempts = doc.attempts) => {
      const done = await store.update(current, {
        status: 'dead',
        attempts,
        updated_at: at,
        last_error: clip(reason),
      });
      if (!done) return;
      tally.dead++;
      problems.push({ id: entry.id, channel: doc.channel, message: reason, retryable: false });
      logger.error(`outbox entry ${entry.id} for channel ${doc.channel} is dead: ${reason}`, {
        outbox_id: entry.id,
        channel: doc.channel,
        alert_ids: doc.alert_ids,
        attempts,
        reason,
      });
    };

    if (isExpired(new Date(doc.created_at), now, deps.settings.max_age)) {
      const last = doc.last_error ? `; last error: ${doc.last_error}` : '';
      return die(
        entry,
        `not delivered within alerts.outbox.max_age (${formatDuration(deps.settings.max_age)})${last}`,
      );
    }
    const claimed = await store.update(entry, {
      status: 'sending',
      updated_at: at,
      next_attempt_at: new Date(now.getTime() + claimMs).toISOString(),
    });
    if (!claimed) return; // another process claimed it first

    try {
      await sender.send(createDigest(doc.channel, doc.body.alerts));
    } catch (e) {
      const err =
        e instanceof DeliveryError
          ? e
          : new DeliveryError(`channel ${doc.channel}: ${errorMessage(e)}`, true, { cause: e });
      const attempts = doc.attempts + 1;
      if (!err.retryable) return die(claimed, `permanent failure: ${err.message}`, attempts);
      const next = nextAttemptAt(attempts, now, rand, deps.settings);
      const done = await store.update(claimed, {
        status: 'pending',
        attempts,
        updated_at: at,
        next_attempt_at: next.toISOString(),
        last_error: clip(err.message),
      });
      if (!done) return;
      tally.failed++;
      problems.push({ id: entry.id, channel: doc.channel, message: err.message, retryable: true });
      logger.warn(
        `outbox entry ${entry.id} for channel ${doc.channel} failed (attempt ${attempts}), retrying at ${next.toISOString()}: ${err.message}`,
        {
          outbox_id: entry.id,
          channel: doc.channel,
          attempts,
          next_attempt_at: next.toISOString(),
        },
      );
      return;
    }
    tally.sent++;
    const marked = await store.update(claimed, {
      status: 'delivered',
      attempts: doc.attempts + 1,
      updated_at: at,
    });
    logger.info(`outbox entry ${entry.id} delivered to channel ${doc.channel}`, {
      outbox_id: entry.id,
      channel: doc.channel,
      alert_ids: doc.alert_ids,
    });
    if (!marked) {
      logger.warn(
        `outbox entry ${entry.id} was delivered but changed meanwhile (its claim expired); it may be sent again`,
        {
          outbox_id: entry.id,
        },
      );
    }
  }

  async function listOutbox(status?: OutboxStatus | readonly OutboxStatus[]): Promise<OutboxEntry[]> {
    const statuses: readonly OutboxStatus[] =
      status === undefined ? ['pending', 'sending', 'dead'] : typeof status === 'string' ? [status] : status;
    return (await store.list(statuses, 1000)).map(toEntry);
  }

  async function retryEntry(id: string, now: Date): Promise<OutboxEntry> {
    const entry = await store.get(id);
    if (!entry)
      throw new UsageError(`no outbox entry ${id} in ${deps.index}; run vigil outbox to list entries`);
    if (entry.doc.status === 'delivered') throw new UsageError(`outbox entry ${id} was already delivered`);
    if (entry.doc.status === 'sending' && new Date(entry.doc.next_attempt_at) > now) {
      throw new UsageError(`outbox entry ${id} is being sent right now; try again later`);
    }
    const at = now.toISOString();
    // The max_age clock restarts: a requeued entry gets a full max_age to be delivered.
    const updated = await store.update(entry, {
      status: 'pending',
      attempts: 0,
      created_at: at,
      updated_at: at,
      next_attempt_at: at,
      last_error: entry.doc.last_error ? clip(`requeued; before: ${entry.doc.last_error}`) : undefined,
    });
    if (!updated) throw new UsageError(`outbox entry ${id} changed while requeuing it; try again`);
    logger.info(`outbox entry ${id} requeued`, { outbox_id: id, channel: entry.doc.channel });
    return toEntry(updated);
  }

  return { enqueue, drain, listOutbox, retryEntry };
}

function toEntry({ id, doc }: StoredDoc): OutboxEntry {
  return {
    id,
    channel: doc.channel,
    status: doc.status,
    attempts: doc.attempts,
    alertIds: doc.alert_ids,
    titles: [...new Set((doc.body?.alerts ?? []).map((a) => a.title))],
    createdAt: doc.created_at,
    updatedAt: doc.updated_at,
    nextAttemptAt: doc.next_attempt_at,
    lastError: doc.last_error,
  };
}

function clip(text: string): string {
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text;
}

/** True when a drain left something undelivered or dead: `vigil scan` exits 4. */
export function hasDeliveryProblems(summary: DrainSummary): boolean {
  return summary.problems.length > 0;
}
