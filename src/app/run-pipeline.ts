/**
 * The whole cycle, shared by `scan` and `monitor`:
 *   leases → checkpoints → baselines → collect+evaluate (run-cycle) → dedup → notify → persist.
 * A rule whose query failed keeps its checkpoint; an alert is in the outbox before anything is
 * recorded as notified; nothing is written in a dry run.
 */
import type { Client } from '@elastic/elasticsearch';
import type { AuditLog } from '../audit/audit-log';
import { fetchSamples } from '../collect/fetch-samples';
import type { ParsedConfig } from '../config/schema';
import { scheduleAt } from '../evaluate/calendar';
import { type AlertMemory, decideAlert, hasRecovered, rememberAlert } from '../evaluate/decide-alert';
import type { Notifier } from '../notify/notifier';
import { type DrainSummary, hasDeliveryProblems } from '../notify/outbox';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { alertIdFor, alertStateDocId } from '../state/alert-id';
import { readAlertMemories, readFiringAlerts, writeAlertMemories } from '../state/alert-log';
import { ensureAlertsTemplate, writeAlertDocs } from '../state/alerts-index';
import { loadBaselines } from '../state/baselines';
import { readCheckpoints, writeCheckpoints } from '../state/checkpoints';
import { acquireLeases, releaseLeases } from '../state/leases';
import { ensureStateIndex } from '../state/state-index';
import type { Alert, Finding } from '../types';
import { planIntervals } from './plan-intervals';
import { type CycleReport, runCycle } from './run-cycle';

export interface PipelineDeps {
  client: Client;
  config: ParsedConfig;
  rules: Rule[];
  instanceId: string;
  audit: AuditLog;
  notifier?: Notifier;
  /** set once the state index and alerts template are known to exist */
  stateReady?: boolean;
  /** monitor caches the source preflight: run it only when this is true */
  preflight?: boolean;
}

export interface CycleOptions {
  nowMs: number;
  /** the interval when a rule has no checkpoint (or resume is off) */
  base: Interval;
  resume: boolean;
  dryRun: boolean;
  /** monitor: rules without a checkpoint look back one window on their first cycle */
  firstLookbackWindow?: boolean;
  /** give leases back at the end (scan); monitor keeps renewing them */
  releaseLeases: boolean;
  /** checked between stages: a cut-off cycle records nothing */
  aborted?: () => boolean;
}

export interface PipelineResult {
  report: CycleReport;
  /** every finding with its id and status (new, suppressed, escalated) plus recoveries */
  alerts: Alert[];
  skipped: { rule: string; owner: string }[];
  warnings: string[];
  delivery?: DrainSummary;
  /** alerts written to the outbox this cycle (0 without channels or in a dry run) */
  enqueued: number;
  deliveryFailed: boolean;
  checkpointed: string[];
  aborted: boolean;
}

const isoNow = (ms: number) => new Date(ms).toISOString();

export async function runPipelineCycle(deps: PipelineDeps, opts: CycleOptions): Promise<PipelineResult> {
  try {
    return await runStages(deps, opts);
  } catch (e) {
    // a scan that failed gives its leases back: the next run (a retry, the next CronJob) is not skipped
    if (opts.releaseLeases && !opts.dryRun)
      await releaseLeases(
        deps.client,
        deps.config.state.index,
        deps.rules.map((r) => r.id),
        deps.instanceId,
        Date.now(),
      ).catch(() => undefined);
    throw e;
  }
}

async function runStages(deps: PipelineDeps, opts: CycleOptions): Promise<PipelineResult> {
  const { client, config, audit } = deps;
  const stateIndex = config.state.index;
  const phases: Record<string, number> = {};
  const t = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      phases[name] = Math.round((performance.now() - t0) * 10) / 10 + (phases[name] ?? 0);
    }
  };
  if (!opts.dryRun && !deps.stateReady) {
    const created = await ensureStateIndex(client, stateIndex);
    await ensureAlertsTemplate(client, config.state.alerts_index);
    if (created === 'created') audit.record('state_index_created', { index: stateIndex });
    deps.stateReady = true;
  }
  const warnings: string[] = [];
  const skipped: PipelineResult['skipped'] = [];
  let rules = deps.rules;
  if (!opts.dryRun) {
    const leases = await t('lease', () =>
      acquireLeases(
        client,
        stateIndex,
        rules.map((r) => r.id),
        deps.instanceId,
        opts.nowMs,
        config.state.lease,
      ),
    );
    for (const [rule, owner] of leases.heldElsewhere) skipped.push({ rule, owner });
    rules = rules.filter((r) => leases.acquired.includes(r.id));
  }
  const stateExists = !opts.dryRun || (await client.indices.exists({ index: stateIndex }).catch(() => false));
  // read even without --resume: a checkpoint never moves back (a replay of older times)
  const checkpoints = stateExists
    ? await t('checkpoints', () =>
        readCheckpoints(
          client,
          stateIndex,
          rules.map((r) => r.id),
        ),
      )
    : undefined;
  const plan = planIntervals(
    rules,
    opts.base,
    opts.resume ? checkpoints : undefined,
    config.state.max_catch_up,
    opts.firstLookbackWindow,
  );
  warnings.push(...plan.warnings);
  const active = rules.filter((r) => plan.intervals.has(r.id));
  const baselines = await t('baseline', async () =>
    stateExists || active.some((r) => r.baseline)
      ? loadBaselines(
          client,
          stateIndex,
          active,
          config.calendar,
          opts.base.endMs,
          opts.dryRun || !stateExists,
        )
      : undefined,
  );
  if (baselines?.bootstrapped.length)
    audit.record('baseline_bootstrapped', {
      rules: baselines.bootstrapped,
      searches: baselines.stats.searches,
      took: baselines.stats.took,
    });
  const report = await runCycle({
    client,
    rules: active,
    calendar: config.calendar,
    interval: opts.base,
    intervals: plan.intervals,
    baselines: baselines?.models,
    failed: baselines?.failures,
    preflight: deps.preflight !== false,
    samples: false,
  });
  Object.assign(report.phases, phases);
  const okRules = new Set(report.rules.filter((r) => r.ok).map((r) => r.id));
  const result: PipelineResult = {
    report,
    alerts: [],
    skipped,
    warnings,
    enqueued: 0,
    deliveryFailed: false,
    checkpointed: [],
    aborted: false,
  };
  if (opts.aborted?.()) return { ...result, aborted: true };

  // dedup: decide per finding against the memory of what was notified
  const dedupStart = performance.now();
  const firing = stateExists
    ? await readFiringAlerts(client, stateIndex, [...okRules])
    : new Map<string, AlertMemory & { rule: string }>();
  // recovered memories too: an old window seen again after a recovery is not new
  const known = stateExists ? await readAlertMemories(client, stateIndex, report.findings) : firing;
  const rulesById = new Map(active.map((r) => [r.id, r]));
  const memories: { rule: string; memory: AlertMemory }[] = [];
  const firingNow = new Set<string>();
  for (const f of report.findings) {
    const rule = rulesById.get(f.rule) as Rule;
    const docId = alertStateDocId(f.rule, f.entity);
    firingNow.add(docId);
    const prev = known.get(docId);
    const id = alertIdFor(f);
    const status = decideAlert(f, prev, { realertMs: rule.realert, escalateFactor: rule.escalate_factor });
    result.alerts.push({ ...f, id, status });
    memories.push({ rule: f.rule, memory: rememberAlert(f, id, status, prev) });
  }
  for (const [docId, prev] of firing) {
    const rule = rulesById.get(prev.rule);
    const interval = plan.intervals.get(prev.rule);
    if (!rule || !interval || firingNow.has(docId) || !hasRecovered(prev, interval.endMs, false)) continue;
    const peak =
      report.peaks.get(prev.rule)?.find((p) => alertStateDocId(prev.rule, p.entity) === docId)?.value ?? 0;
    const recovered = recoveryAlert(rule, prev, peak, interval, config);
    result.alerts.push(recovered);
    memories.push({
      rule: prev.rule,
      memory: { ...prev, status: 'recovered', last_seen_end: interval.endMs },
    });
  }
  report.phases.dedup = Math.round((performance.now() - dedupStart) * 10) / 10;
  // samples only for what a person will read: new and escalated alerts (not repeats)
  const samples = await t('samples', () =>
    fetchSamples(
      client,
      result.alerts.filter((a) => a.status === 'new' || a.status === 'escalated'),
      rulesById,
    ),
  );
  report.took += samples.took;
  if (samples.took) {
    report.searches += 1;
    report.rounds += 1;
  }
  if (samples.error) warnings.push(samples.error);
  Object.assign(report.phases, phases);
  if (opts.dryRun || opts.aborted?.()) return { ...result, aborted: Boolean(opts.aborted?.()) };

  // notify: into the outbox first, then a drain (which also retries older entries)
  const notifiable = result.alerts.filter(
    (a) =>
      a.status === 'new' ||
      a.status === 'escalated' ||
      (a.status === 'recovered' && rulesById.get(a.rule)?.recovery),
  );
  if (deps.notifier) {
    const delivered = await t('notify', () =>
      (deps.notifier as Notifier).deliver(notifiable, new Date(opts.nowMs)),
    );
    result.delivery = delivered.summary;
    result.enqueued = new Set(delivered.enqueued.flatMap((d) => d.alertIds)).size;
    result.deliveryFailed = hasDeliveryProblems(delivered.summary);
  }
  // persist: memories, the alerts index, then checkpoints of the rules that ran cleanly
  // a cycle cut off at shutdown stops here: what it enqueued is in the outbox, nothing else moves
  if (opts.aborted?.()) return { ...result, aborted: true };
  await t('persist', async () => {
    await writeAlertMemories(client, stateIndex, memories, opts.nowMs);
    await writeAlertDocs(
      client,
      config.state.alerts_index,
      result.alerts.filter((a) => a.status !== 'suppressed'),
      opts.nowMs,
    );
    const until = new Map(
      [...okRules]
        .map((id) => [id, (plan.intervals.get(id) as Interval).endMs] as const)
        .filter(([id, end]) => end > (checkpoints?.get(id) ?? Number.NEGATIVE_INFINITY)),
    );
    await writeCheckpoints(client, stateIndex, until, opts.nowMs);
    result.checkpointed = [...until.keys()];
  });
  report.phases = { ...report.phases, ...phases };
  if (opts.releaseLeases)
    await releaseLeases(
      client,
      stateIndex,
      rules.map((r) => r.id),
      deps.instanceId,
      Date.now(),
    );
  return result;
}

function recoveryAlert(
  rule: Rule,
  prev: AlertMemory,
  value: number,
  interval: Interval,
  config: ParsedConfig,
): Alert {
  const f: Finding = {
    rule: rule.id,
    title: `Recovered: ${rule.title}`,
    description: rule.description,
    remediation: 'No action needed: the entity fell back below its threshold.',
    severity: rule.severity,
    entity: prev.entity,
    value,
    threshold: prev.last_threshold,
    schedule: scheduleAt(interval.endMs - 1, config.calendar),
    window: { start: isoNow(prev.last_seen_end), end: isoNow(interval.endMs) },
    samples: [],
    indices: rule.indices,
    timezone: config.calendar.timezone,
    channels: rule.channels,
  };
  return { ...f, id: alertIdFor({ ...f, rule: `${rule.id}:recovered` }), status: 'recovered' };
}
