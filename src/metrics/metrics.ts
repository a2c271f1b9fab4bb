/** Prometheus metrics of a monitor process (prom-client, its own registry). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  const m = {
    registry,
    cycles: new Counter({
      name: 'vigil_cycles_total',
      help: 'Detection cycles by result (ok, failed, skipped)',
      labelNames: ['result'],
      registers: [registry],
    }),
    cycleSeconds: new Histogram({
      name: 'vigil_cycle_duration_seconds',
      help: 'Wall time of a detection cycle',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    findings: new Counter({
      name: 'vigil_findings_total',
      help: 'Findings by rule and severity',
      labelNames: ['rule', 'severity'],
      registers: [registry],
    }),
    alertsSent: new Counter({
      name: 'vigil_alerts_sent_total',
      help: 'Digests delivered, by channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    alertsFailed: new Counter({
      name: 'vigil_alerts_failed_total',
      help: 'Delivery attempts that failed, by channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    esErrors: new Counter({
      name: 'vigil_elasticsearch_errors_total',
      help: 'Elasticsearch errors by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'vigil_outbox_depth',
      help: 'Digests waiting in the outbox (pending)',
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'vigil_last_success_timestamp_seconds',
      help: 'Unix time of the last successful cycle',
      registers: [registry],
    }),
  };
  for (const r of ['ok', 'failed', 'skipped']) m.cycles.inc({ result: r }, 0);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
