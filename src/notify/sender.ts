import type { AlertsConfig, ChannelConfig } from './channel-schema';
import type { Digest } from './digest';
import { createEmailSender } from './email-channel';
import { type NotifyLogger, silentLogger } from './logger';
import { createSlackSender } from './slack-channel';
import { createWebhookSender } from './webhook-channel';

/** A configured channel, ready to deliver. `send` throws a DeliveryError with `retryable` set. */
export interface Sender {
  name: string;
  type: ChannelConfig['type'];
  send(digest: Digest): Promise<void>;
  close(): void;
}

export interface SenderOptions {
  kibanaUrl?: string;
  /** `state.alerts_index`: where a message that cannot show every finding sends the reader */
  alertsIndex?: string;
  logger?: NotifyLogger;
  /** the config file's name, for ConfigError messages */
  configPath?: string;
}

export function createSender(name: string, config: ChannelConfig, options: SenderOptions = {}): Sender {
  const opts = { ...options, logger: options.logger ?? silentLogger };
  switch (config.type) {
    case 'email':
      return createEmailSender(name, config, opts);
    case 'slack':
      return createSlackSender(name, config, opts);
    case 'webhook':
      return createWebhookSender(name, config, opts);
  }
}

/** One sender per enabled channel. */
export function createSenders(alerts: AlertsConfig, options: SenderOptions = {}): Map<string, Sender> {
  const out = new Map<string, Sender>();
  for (const [name, config] of Object.entries(alerts.channels)) {
    if (config.enabled)
      out.set(name, createSender(name, config, { kibanaUrl: alerts.kibana_url, ...options }));
  }
  return out;
}
