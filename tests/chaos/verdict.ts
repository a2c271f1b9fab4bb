/**
 * What the receivers got, compared with the ground truth. Email: the scenario's tally (by
 * Message-ID, alert id, IP). Webhook: every request as the receiver recorded it (hanging and
 * refused ones included), by idempotency key, delivery id, alert id and IP. A resend carries the
 * same Message-ID / idempotency key and is no visible duplicate; a second alert id for one IP on
 * one channel, or one alert id under two Message-IDs / delivery ids, is.
 */
import type { HttpRequestRecord } from '../helpers/receivers';
import type { MailTally } from '../reliability/kit/scenario';
import { type Episode, isAlerting } from './plan';

export interface ChannelTally {
  /** IP → distinct alert ids that named it */
  ipAlerts: Map<string, Set<string>>;
  /** alert id → distinct message ids (Message-ID or webhook delivery id) that carried it */
  alertMessages: Map<string, Set<string>>;
  /** requests received, resends included */
  raw: number;
  /** protocol problems seen by the receiver (headers vs body, resends with other bytes) */
  malformed: string[];
}

interface WebhookBody {
  delivery_id: string;
  idempotency_key: string;
  page: number;
  alerts: { id: string; entity: Record<string, string> }[];
}

const add = (m: Map<string, Set<string>>, k: string, v: string) => m.set(k, (m.get(k) ?? new Set()).add(v));

export function tallyWebhook(requests: readonly HttpRequestRecord[]): ChannelTally {
  const t: ChannelTally = {
    ipAlerts: new Map(),
    alertMessages: new Map(),
    raw: requests.length,
    malformed: [],
  };
  const bytesByKey = new Map<string, string>();
  for (const r of requests) {
    const body = r.json as WebhookBody | undefined;
    if (!body?.idempotency_key) {
      t.malformed.push(
        `a request without a JSON body and idempotency_key: ${r.raw.toString('utf8', 0, 200)}`,
      );
      continue;
    }
    const key = body.idempotency_key;
    if (r.headers['idempotency-key'] !== key || r.headers['x-vigil-delivery'] !== body.delivery_id)
      t.malformed.push(`headers do not match the body of ${key}`);
    if (key !== `${body.delivery_id}:${body.page}`)
      t.malformed.push(`idempotency key ${key} is not delivery:page`);
    const bytes = r.raw.toString('base64');
    if (bytesByKey.has(key) && bytesByKey.get(key) !== bytes)
      t.malformed.push(`resend of ${key} with other bytes`);
    bytesByKey.set(key, bytes);
    for (const a of body.alerts) {
      add(t.alertMessages, a.id, body.delivery_id);
      const ip = a.entity['source.ip'];
      if (ip) add(t.ipAlerts, ip, a.id);
    }
  }
  return t;
}

export function fromMailTally(m: MailTally): ChannelTally {
  return { ipAlerts: m.ipAlerts, alertMessages: m.alertMessages, raw: m.raw, malformed: [] };
}

/** Channel → whether it carries an episode (the webhook's min_severity is medium: no host-b alerts). */
export const CHANNELS: Record<string, (e: Episode) => boolean> = {
  email: (e) => isAlerting(e),
  webhook: (e) => isAlerting(e) && e.host === 'host-a',
};

export interface Verdict {
  lost: string[];
  duplicated: string[];
  unexpected: string[];
  malformed: string[];
}

export function judge(episodes: readonly Episode[], tallies: Record<string, ChannelTally>): Verdict {
  const v: Verdict = { lost: [], duplicated: [], unexpected: [], malformed: [] };
  for (const [channel, carries] of Object.entries(CHANNELS)) {
    const t = tallies[channel];
    const expected = new Set(episodes.filter(carries).map((e) => e.ip));
    for (const ip of expected) if (!t.ipAlerts.has(ip)) v.lost.push(`${channel}: ${ip}`);
    for (const [ip, ids] of t.ipAlerts) {
      if (!expected.has(ip)) v.unexpected.push(`${channel}: ${ip} (${describe(episodes, ip)})`);
      if (ids.size > 1)
        v.duplicated.push(`${channel}: ${ip} under ${ids.size} alert ids ${[...ids].join(', ')}`);
    }
    for (const [id, messages] of t.alertMessages)
      if (messages.size > 1)
        v.duplicated.push(`${channel}: alert ${id} in ${messages.size} messages ${[...messages].join(', ')}`);
    v.malformed.push(...t.malformed.map((m) => `${channel}: ${m}`));
  }
  return v;
}

function describe(episodes: readonly Episode[], ip: string): string {
  const e = episodes.find((x) => x.ip === ip);
  return e ? `${e.failures} failures on ${e.host}` : 'never attacked';
}

/** Checkpoint samples (rule → [sampled at, until]) that moved back or ran ahead of the clock. */
export function checkpointProblems(samples: Map<string, [number, number][]>, queryDelayMs: number): string[] {
  const out: string[] = [];
  for (const [rule, seq] of samples) {
    seq.forEach(([at, until], i) => {
      const iso = new Date(until).toISOString();
      if (i > 0 && until < seq[i - 1][1])
        out.push(`${rule}: moved back from ${new Date(seq[i - 1][1]).toISOString()} to ${iso}`);
      if (until > at - queryDelayMs + 500)
        out.push(`${rule}: ${iso} is ahead of the time it was read minus query_delay`);
    });
  }
  return out;
}
