import { UsageError } from '../errors';
import type { Alert } from '../types';
import type { AlertsConfig } from './channel-schema';
import { createDigest } from './digest';
import type { NotifyLogger } from './logger';
import { createSender } from './sender';

/** A harmless alert that reads as a test everywhere it lands. */
export function buildTestAlert(now: Date): Alert {
  const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  return {
    id: `test-${end.toISOString()}`,
    status: 'new',
    rule: 'vigil_test_alert',
    title: 'vigil test alert',
    description: 'This is a test message sent by `vigil test-alert`. If you can read it, this channel works.',
    remediation: 'No action is needed.',
    severity: 'low',
    entity: {},
    value: 1,
    threshold: 1,
    schedule: 'business_hours',
    window: { start: new Date(end.getTime() - 10 * 60_000).toISOString(), end: end.toISOString() },
    samples: [],
    indices: [],
    timezone: 'UTC',
    channels: [],
  };
}

/**
 * Sends a test message through channel `name` right now, bypassing the outbox, routing and
 * min_severity. Throws UsageError for an unknown or unconfigured channel and the channel's
 * DeliveryError (one secret-free line, exit 4) when the send fails.
 */
export async function sendTestAlert(
  alerts: AlertsConfig,
  name: string,
  now: Date,
  options: { logger?: NotifyLogger; configPath?: string } = {},
): Promise<{ channel: string; type: string }> {
  const config = alerts.channels[name];
  if (!config) {
    const known = Object.keys(alerts.channels);
    throw new UsageError(
      `no channel named ${name} under alerts.channels${known.length ? `; configured: ${known.join(', ')}` : ' (none configured)'}`,
    );
  }
  const endpoint = config.type === 'email' ? config.host : config.url;
  if (!endpoint) {
    const what = config.type === 'email' ? 'host (SMTP_HOST)' : 'url';
    throw new UsageError(
      `channel ${name} has no ${what}; set alerts.channels.${name}.${config.type === 'email' ? 'host' : 'url'}`,
    );
  }
  const sender = createSender(name, config, { kibanaUrl: alerts.kibana_url, ...options });
  try {
    await sender.send(createDigest(name, [buildTestAlert(now)], { test: true }));
  } finally {
    sender.close();
  }
  return { channel: name, type: config.type };
}
