import { type Alert, SEVERITIES, type Severity } from '../types';
import type { ChannelConfig } from './channel-schema';

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function highestSeverity(alerts: readonly Alert[]): Severity {
  return alerts.reduce<Severity>(
    (max, a) => (severityRank(a.severity) > severityRank(max) ? a.severity : max),
    'low',
  );
}

/** Whether `channel` should carry `alert`: enabled, named by the rule (or the rule names none), severe enough. */
export function isRoutedTo(alert: Alert, name: string, channel: ChannelConfig): boolean {
  if (!channel.enabled) return false;
  if (alert.channels.length > 0 && !alert.channels.includes(name)) return false;
  return severityRank(alert.severity) >= severityRank(channel.min_severity);
}

/** Groups alerts into one digest per channel; channels that receive nothing are left out. */
export function routeAlerts(
  alerts: readonly Alert[],
  channels: Record<string, ChannelConfig>,
): Map<string, Alert[]> {
  const out = new Map<string, Alert[]>();
  for (const [name, channel] of Object.entries(channels)) {
    const routed = alerts.filter((a) => isRoutedTo(a, name, channel));
    if (routed.length > 0) out.set(name, routed);
  }
  return out;
}

/** Rule channel names that match no configured channel (a config mistake worth a warning). */
export function unknownChannelNames(
  alerts: readonly Alert[],
  channels: Record<string, ChannelConfig>,
): string[] {
  const names = new Set(alerts.flatMap((a) => a.channels).filter((n) => !(n in channels)));
  return [...names].sort();
}
