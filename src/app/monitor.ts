/**
 * `vigil monitor`: the same pipeline as `scan`, on a schedule. No overlap (a tick that finds a
 * cycle still running is skipped, with a warning), a failed cycle is counted and the next one
 * catches up from the checkpoints, and a stop lets the running cycle finish within a grace period.
 */
import cron from 'node-cron';
import type { ConsoleLog } from '../cli/console-log';
import { describeEngine, type EngineInfo, probeEngine } from '../collect/engine';
import { errorMessage, VigilError } from '../errors';
import { type MetricsServer, startMetricsServer } from '../metrics/http-server';
import { createMetrics } from '../metrics/metrics';
import type { DrainSummary } from '../notify/outbox';
import type { Rule } from '../rules/rule-schema';
import { leave } from '../state/instances';
import { releaseLeases } from '../state/leases';
import { cycleRecord, deliveryTotals, startRecord } from './audit-records';
import { startDispatcher } from './dispatcher';
import type { HealthState } from './health';
import { monitorSchedule, scheduleHealthAt } from './monitor-schedule';
import { type PipelineDeps, type PipelineResult, runPipelineCycle } from './run-pipeline';
import type { Runtime } from './runtime';

export interface MonitorOptions {
  /** stop after this long; undefined or 0 runs until a signal */
  durationMs?: number;
  metricsPort?: number;
  metricsHost: string;
  graceMs: number;
  rules: Rule[];
}

export interface MonitorHandle {
  /** resolves with the exit code once the monitor has stopped */
  done: Promise<number>;
  /** graceful stop (as on the first SIGTERM) */
  stop(reason: string): void;
  metricsPort?: number;
}

const PREFLIGHT_EVERY_MS = 10 * 60_000;
/** the dispatcher looks for due outbox entries this often (or every period, if shorter) */
const DISPATCH_EVERY_MS = 5_000;

export async function startMonitor(
  rt: Runtime,
  opts: MonitorOptions,
  out: ConsoleLog,
): Promise<MonitorHandle> {
  const cfg = rt.loaded.config;
  const startedMs = Date.now();
  const schedule = monitorSchedule(cfg.schedule, cfg.calendar.timezone, startedMs);
  // for cron, the shortest gap between runs: one cycle, not the night between two active windows
  const periodMs = schedule.periodMs;
  const metrics = createMetrics();
  const health: HealthState = { startedMs };
  // an engine too old is refused here (exit 3); one that is down now is asked again each cycle
  let engine: EngineInfo | undefined = await probeEngine(rt.client);
  const deps: PipelineDeps = {
    client: rt.client,
    // a lease must outlive the gap between two cycles of its holder in the active window
    config: { ...cfg, state: { ...cfg.state, lease: Math.max(cfg.state.lease, 2 * periodMs + 10_000) } },
    rules: opts.rules,
    instanceId: rt.instanceId,
    audit: rt.audit,
    notifier: rt.notifier,
    shareRules: true,
    anomalyTraining: new Map(),
  };
  let server: MetricsServer | undefined;
  if (opts.metricsPort !== undefined) {
    server = await startMetricsServer(
      metrics,
      () => scheduleHealthAt(health, Date.now(), schedule),
      opts.metricsPort,
      opts.metricsHost,
    );
    out.info(
      `metrics on http://${opts.metricsHost}:${server.port}/metrics, readiness on /healthz, liveness on /livez`,
    );
  }
  rt.audit.record('start', {
    ...startRecord('monitor', rt.loaded.sha256, opts.rules, rt.instanceId, engine),
    period_ms: periodMs,
    duration_ms: opts.durationMs ?? null,
  });
  out.info(
    `monitoring ${opts.rules.length} rules${engine ? ` on ${describeEngine(engine)}` : ''} ${cadence(cfg.schedule.cron, cfg.calendar.timezone, periodMs)}${opts.durationMs ? ` for ${Math.round(opts.durationMs / 1000)} s` : ''}; audit log in ${rt.audit.dir}`,
  );

  // delivery on its own loop: a cycle enqueues, the dispatcher sends (and retries) what is due
  const dispatcher = rt.notifier
    ? startDispatcher(
        rt.notifier,
        Math.min(periodMs, DISPATCH_EVERY_MS),
        (s) => reportDelivery(s),
        (e) => out.warn(`outbox: ${errorMessage(e).split('\n')[0]} (retried on the next drain)`),
      )
    : undefined;
  const reportDelivery = (d: DrainSummary) => {
    for (const [channel, s] of Object.entries(d.channels)) {
      metrics.alertsSent.inc({ channel }, s.sent);
      metrics.alertsFailed.inc({ channel }, s.failed);
    }
    metrics.outboxDepth.set(Object.values(d.channels).reduce((n, s) => n + s.pending, 0));
    for (const p of d.problems) out.warn(`delivery ${p.channel}: ${p.message}`);
    const totals = deliveryTotals(d);
    if (totals.sent + totals.failed + totals.dead > 0)
      rt.audit.record(
        'delivery',
        { ...totals, channels: d.channels, problems: d.problems },
        totals.failed + totals.dead ? 'warn' : 'info',
      );
  };

  let running: Promise<void> | undefined;
  let stopping = false;
  let abort = false;
  let lastPreflight = 0;
  let lastWarnings = '';
  let lastShare = '';
  let cycles = 0;
  let tickTimer: NodeJS.Timeout | undefined;
  let durationTimer: NodeJS.Timeout | undefined;
  let cronTask: ReturnType<typeof cron.schedule> | undefined;

  const runOne = async () => {
    if (!engine) {
      engine = await probeEngine(rt.client).catch(() => undefined);
      if (engine) rt.audit.record('engine', { engine: { product: engine.product, version: engine.version } });
    }
    const nowMs = Date.now();
    const t0 = performance.now();
    deps.preflight = nowMs - lastPreflight >= PREFLIGHT_EVERY_MS;
    const delay = cfg.schedule.query_delay;
    try {
      const result = await runPipelineCycle(deps, {
        nowMs,
        base: { startMs: nowMs - delay - periodMs, endMs: nowMs - delay },
        resume: true,
        firstLookbackWindow: true,
        dryRun: false,
        releaseLeases: false,
        aborted: () => abort,
      });
      if (deps.preflight) lastPreflight = nowMs;
      // cut off at shutdown: the cycle_cut_off record stands for it, and the stop record stays last
      if (abort) return;
      const wall = performance.now() - t0;
      rt.audit.record('cycle', cycleRecord(result, wall), result.report.failures.length ? 'warn' : 'info');
      report(result, wall);
      if (result.enqueued > 0) dispatcher?.kick();
    } catch (e) {
      if (abort) return;
      const reason = e instanceof VigilError ? e.reason : 'internal';
      health.lastError = errorMessage(e).split('\n')[0];
      metrics.cycles.inc({ result: 'failed' });
      if (
        reason.startsWith('es_') ||
        reason === 'query' ||
        reason === 'index_missing' ||
        reason === 'state_privilege'
      )
        metrics.esErrors.inc({ reason });
      rt.audit.record('cycle_failed', { reason, error: health.lastError }, 'error');
      out.error(`cycle failed: ${health.lastError} (will retry and catch up from the checkpoints)`);
    }
  };

  const report = (r: PipelineResult, wallMs: number) => {
    cycles += 1;
    metrics.cycleSeconds.observe(wallMs / 1000);
    const allFailed = r.report.rules.length > 0 && r.report.rules.every((x) => !x.ok);
    metrics.cycles.inc({ result: r.aborted ? 'skipped' : allFailed ? 'failed' : 'ok' });
    for (const f of r.report.failures) metrics.esErrors.inc({ reason: f.reason });
    for (const a of r.alerts)
      if (a.status !== 'suppressed' && a.status !== 'recovered')
        metrics.findings.inc({ rule: a.rule, severity: a.severity });
    if (!allFailed && !r.aborted) {
      health.lastSuccessMs = Date.now();
      health.lastError = undefined;
      metrics.lastSuccess.set(health.lastSuccessMs / 1000);
    } else if (allFailed) {
      health.lastError = r.report.failures[0]?.message;
      out.error(`every rule failed: ${health.lastError}`);
    }
    for (const a of r.alerts) if (a.status !== 'suppressed') out.alert(a);
    for (const f of r.report.failures) out.error(`rule ${f.rule}: ${f.message}`);
    // among monitors sharing the rules, a lease still held by another is a hand-over in progress
    const leased = r.skipped
      .filter((s) => !s.share)
      .map((s) => `rule ${s.rule} is handled by ${s.owner} (lease)`);
    const sharing = (r.share?.instances ?? 1) > 1;
    if (sharing) for (const l of leased) out.debug(l);
    const warnings = [...r.report.warnings, ...r.warnings, ...(sharing ? [] : leased)];
    const shareKey = r.share ? `${r.share.rules}/${r.share.instances}` : '';
    if (r.share && shareKey !== lastShare && r.share.instances > 1)
      out.info(
        `${r.share.instances} monitors share the rules on ${cfg.state.index}: this one runs ${r.share.rules} of ${opts.rules.length}`,
      );
    lastShare = shareKey;
    const key = warnings.join('\n');
    if (key !== lastWarnings) for (const w of warnings) out.warn(w);
    lastWarnings = key;
    out.debug(
      `cycle ${cycles}: ${r.report.findings.length} findings, ${Math.round(wallMs)} ms, Elasticsearch took ${r.report.took} ms`,
    );
  };

  const tick = () => {
    if (stopping) return;
    if (running) {
      metrics.cycles.inc({ result: 'skipped' });
      rt.audit.record('tick_skipped', { reason: 'the previous cycle is still running' }, 'warn');
      out.warn('a tick came while the previous cycle was still running: skipped');
      return;
    }
    running = runOne().finally(() => {
      running = undefined;
    });
  };

  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });

  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(tickTimer);
    clearTimeout(durationTimer);
    void cronTask?.stop();
    out.info(
      `stopping (${why})${running ? `: letting the running cycle finish (up to ${Math.round(opts.graceMs / 1000)} s)` : ''}`,
    );
    void (async () => {
      if (running) {
        const graceOver = new Promise<'late'>((r) => {
          const t = setTimeout(() => r('late'), opts.graceMs);
          t.unref();
        });
        if ((await Promise.race([running.then(() => 'done' as const), graceOver])) === 'late') {
          abort = true;
          rt.audit.record('cycle_cut_off', { reason: 'grace period over; no checkpoint advanced' }, 'warn');
          out.warn('the running cycle did not finish within the grace period: it records nothing');
        }
      }
      await dispatcher?.stop();
      if (rt.notifier && !abort) {
        try {
          const s = await rt.notifier.drain(new Date());
          reportDelivery(s);
          if (s.problems.length) out.warn(`${s.problems.length} deliveries still pending in the outbox`);
        } catch (e) {
          out.warn(`last outbox attempt failed: ${errorMessage(e)}`);
        }
      }
      // a cut-off cycle may still be running: its leases are left to expire, never handed over
      // while it could still write (its writes are fenced by them)
      if (!abort) {
        await leave(rt.client, cfg.state.index, rt.instanceId);
        const owned = opts.rules.map((r) => r.id);
        await releaseLeases(rt.client, cfg.state.index, owned, rt.instanceId, Date.now()).catch(
          () => undefined,
        );
      }
      rt.audit.record('stop', { mode: 'monitor', reason: why, cycles, exit: 0 });
      await server?.close();
      resolveDone(0);
    })();
  };

  if (cfg.schedule.cron) {
    cronTask = cron.schedule(cfg.schedule.cron, tick, { timezone: cfg.calendar.timezone });
  } else {
    // ticks aligned to the start, so a slow cycle does not shift the schedule
    const t0 = Date.now();
    let n = 0;
    const next = () => {
      n += 1;
      tickTimer = setTimeout(
        () => {
          tick();
          next();
        },
        Math.max(0, t0 + n * periodMs - Date.now()),
      );
    };
    next();
  }
  tick();
  if (opts.durationMs)
    durationTimer = setTimeout(
      () => stop(`--duration of ${Math.round((opts.durationMs as number) / 1000)} s elapsed`),
      opts.durationMs,
    );
  return { done, stop, metricsPort: server?.port };
}

function cadence(cronExpression: string | undefined, timezone: string, periodMs: number): string {
  const seconds = Math.round(periodMs / 1000);
  return cronExpression
    ? `on "${cronExpression}" in ${timezone} (runs ${seconds} s apart at the closest)`
    : `every ${seconds} s`;
}
