import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { type AlertsConfig, type AlertsConfigInput, alertsSchema } from '../../../src/notify/channel-schema';
import type { NotifyLogger } from '../../../src/notify/logger';
import { STATE_MAPPINGS, STATE_SETTINGS } from '../../../src/state/mapping';

/** A logger that keeps what it was told, so tests can check warnings and the dead-letter reasons. */
export function memoryLogger(): NotifyLogger & {
  lines: { level: string; message: string; meta?: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push({ level, message, meta });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export function esClient(): Client {
  const url = process.env.ELASTICSEARCH_URL;
  if (!url) throw new Error('ELASTICSEARCH_URL is not set: run through the integration jest project');
  return new Client({ ...ENGINE_NEUTRAL, node: url, requestTimeout: 30_000 });
}

/** A fresh state index, as the state module creates it. */
export async function createStateIndex(client: Client, name: string): Promise<string> {
  const index = `${name}-${process.pid}-${Date.now().toString(36)}`;
  await client.indices.create({ index, mappings: STATE_MAPPINGS, settings: STATE_SETTINGS });
  return index;
}

export function alertsConfig(input: AlertsConfigInput): AlertsConfig {
  return alertsSchema.parse(input);
}

/** An email channel (config input) pointing at a loopback SMTP server, plain SMTP unless `extra` says otherwise. */
export function loopbackEmail(port: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'email' as const,
    host: '127.0.0.1',
    port,
    require_tls: false,
    from: 'vigil@example.com',
    to: 'soc@example.com',
    ...extra,
  };
}
