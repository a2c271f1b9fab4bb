/** Pure: the audit records of a cycle, a start and a stop. */
import os from 'node:os';
import type { EngineInfo } from '../collect/engine';
import type { DrainSummary } from '../notify/outbox';
import type { Rule } from '../rules/rule-schema';
import type { PipelineResult } from './run-pipeline';

export const VERSION: string = require('../../package.json').version;

export function startRecord(
  mode: string,
  configSha256: string,
  rules: Rule[],
  instanceId: string,
  engine: EngineInfo | undefined,
): Record<string, unknown> {
  return {
    mode,
    version: VERSION,
    // null: the cluster did not answer at start (the `engine` record follows once it does)
    engine: engine ? { product: engine.product, version: engine.version } : null,
    config_sha256: configSha256,
    rules: rules.filter((r) => r.enabled).map((r) => r.id),
    instance: instanceId,
    host: os.hostname(),
    pid: process.pid,
  };
}

/** Digests sent, failed, dead and still pending in one drain, over all channels. */
export function deliveryTotals(d: DrainSummary | undefined): {
  sent: number;
  failed: number;
  dead: number;
  pending: number;
} {
  const sum = (k: 'sent' | 'failed' | 'dead' | 'pending') =>
    d ? Object.values(d.channels).reduce((a, c) => a + c[k], 0) : 0;
  return { sent: sum('sent'), failed: sum('failed'), dead: sum('dead'), pending: sum('pending') };
}

export function cycleRecord(r: PipelineResult, wallMs: number): Record<string, unknown> {
  const delivery = r.delivery;
  const { sent, failed } = deliveryTotals(delivery);
  return {
    interval: r.report.interval,
    wall_ms: Math.round(wallMs),
    es_took_ms: r.report.took,
    searches: r.report.searches,
    rounds: r.report.rounds,
    phases: r.report.phases,
    rules: r.report.rules,
    findings: r.alerts.map((a) => ({
      id: a.id,
      rule: a.rule,
      entity: a.entity,
      value: a.value,
      threshold: a.threshold,
      schedule: a.schedule,
      window: a.window,
      decision: a.status,
      ...(a.silence_id ? { silence_id: a.silence_id } : {}),
      ...(a.baseline ? { baseline: a.baseline } : {}),
    })),
    alerts: {
      enqueued: r.enqueued,
      suppressed: r.alerts.filter((a) => a.status === 'suppressed').length,
      silenced: r.alerts.filter((a) => a.status === 'silenced').length,
      sent,
      failed,
      problems: delivery?.problems ?? [],
    },
    errors: r.report.failures,
    warnings: [...r.report.warnings, ...r.warnings],
    skipped: r.skipped,
    ...(r.share ? { share: r.share } : {}),
    checkpointed: r.checkpointed,
    aborted: r.aborted,
  };
}
