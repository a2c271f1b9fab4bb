import type { Client } from '@elastic/elasticsearch';
import type { Alert } from '../types';
import type { RandomSource } from './backoff';
import { channelsOfAllInstances } from './channel-registry';
import type { AlertsConfig } from './channel-schema';
import { type NotifyLogger, silentLogger } from './logger';
import { createOutbox, type DrainSummary, type EnqueuedDigest, type Outbox } from './outbox';
import { unknownChannelNames } from './route';
import { createSenders } from './sender';

export interface NotifierDeps {
  client: Client;
  stateIndex: string;
  /** the validated `alerts:` section (alertsSchema output) */
  alerts: AlertsConfig;
  logger?: NotifyLogger;
  rand?: RandomSource;
  configPath?: string;
  /** `state.alerts_index`, named in messages that cannot show every finding */
  alertsIndex?: string;
}

export interface Notifier {
  outbox: Outbox;
  /**
   * The notify stage of a detection cycle: writes this cycle's digests to the outbox and returns.
   * Sending is the dispatcher's (`drain`), on its own schedule, so a slow receiver never delays
   * detection nor makes a cycle outlast its lease.
   */
  enqueue(alerts: readonly Alert[], now: Date): Promise<EnqueuedDigest[]>;
  /** The dispatcher: sends what is due in the outbox. `problems` non-empty → scan exits 4. */
  drain(now: Date): Promise<DrainSummary>;
  close(): void;
}

/** Builds the senders for every enabled channel and the outbox over the state index. */
export function createNotifier(deps: NotifierDeps): Notifier {
  const logger = deps.logger ?? silentLogger;
  const senders = createSenders(deps.alerts, {
    logger,
    configPath: deps.configPath,
    alertsIndex: deps.alertsIndex,
  });
  const outbox = createOutbox({
    client: deps.client,
    index: deps.stateIndex,
    settings: deps.alerts.outbox,
    senders,
    logger,
    rand: deps.rand,
  });
  return {
    outbox,
    async enqueue(alerts, now) {
      // suppressed alerts were already sent (dedup decided); they never reach a person again
      const toSend = alerts.filter((a) => a.status !== 'suppressed');
      // queued for every channel any instance serves: the one that has it sends it
      const channels = {
        ...deps.alerts.channels,
        ...(await channelsOfAllInstances(
          deps.client,
          deps.stateIndex,
          deps.alerts.channels,
          now.getTime(),
          deps.alerts.outbox.max_age,
        )),
      };
      const unknown = unknownChannelNames(toSend, channels);
      if (unknown.length > 0) {
        logger.warn(
          `rules route to channels that are not configured under alerts.channels: ${unknown.join(', ')}`,
          {
            channels: unknown,
          },
        );
      }
      return outbox.enqueue(toSend, channels, now);
    },
    drain: (now) => outbox.drain(now),
    close() {
      for (const s of senders.values()) s.close();
    },
  };
}
