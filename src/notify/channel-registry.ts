/**
 * The channels every instance delivers to, kept in the state index. An alert is recorded once, by
 * whichever instance decides it, so it must be queued for every channel that any instance on the
 * state index serves, not only those of the deciding process: a `vigil scan` run with only SMTP
 * set must still queue the Slack entry that the monitor (which has Slack) will send. Each
 * instance registers its enabled channels (name, type, min_severity) whenever it enqueues; a
 * registration nobody renewed for `alerts.outbox.max_age` is dropped, so a removed channel stops
 * receiving new entries.
 */
import type { Client } from '@elastic/elasticsearch';
import { searchStateDocs, writeStateDocs } from '../state/state-index';
import type { ChannelConfig } from './channel-schema';

const idOf = (name: string) => `channel:${name}`;

/** Registers this instance's enabled channels, then returns every registered channel it lacks. */
export async function channelsOfAllInstances(
  client: Client,
  index: string,
  own: Record<string, ChannelConfig>,
  nowMs: number,
  ttlMs: number,
): Promise<Record<string, ChannelConfig>> {
  const enabled = Object.entries(own).filter(([, c]) => c.enabled);
  await writeStateDocs(
    client,
    index,
    enabled.map(([name, c]) => ({
      id: idOf(name),
      doc: {
        doc_type: 'channel',
        channel: name,
        updated_at: new Date(nowMs).toISOString(),
        expires_at: new Date(nowMs + ttlMs).toISOString(),
        body: { type: c.type, min_severity: c.min_severity },
      },
    })),
  );
  const hits = await searchStateDocs(
    client,
    index,
    {
      bool: {
        filter: [
          { term: { doc_type: 'channel' } },
          { range: { expires_at: { gt: new Date(nowMs).toISOString() } } },
        ],
      },
    },
    1000,
  );
  const out: Record<string, ChannelConfig> = {};
  for (const h of hits) {
    const name = h.doc.channel as string;
    if (own[name]?.enabled) continue;
    const body = h.doc.body as { type: ChannelConfig['type']; min_severity: ChannelConfig['min_severity'] };
    // routing needs only the name, enabled and min_severity; the sender is the other instance's
    out[name] = { type: body.type, min_severity: body.min_severity, enabled: true } as ChannelConfig;
  }
  return out;
}
