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
import { confirmEpisode } from '../evaluate/episodes';
import { boundAlert } from '../notify/bound-alert';
import type { Notifier } from '../notify/notifier';
import { type DrainSummary, hasDeliveryProblems } from '../notify/outbox';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { readAlertMemories, type StoredMemory, writeAlertMemories } from '../state/alert-log';
import { ensureAlertsTemplate, writeAlertDocs } from '../state/alerts-index';
import { loadBaselines } from '../state/baselines';
import { readCheckpoints, writeCheckpoints } from '../state/checkpoints';
import { assignRules, heartbeat } from '../state/instances';
import { LeaseFence } from '../state/lease-fence';
import { acquireLeases, releaseLeases } from '../state/leases';
import { readSilences } from '../state/silences';
import { ensureStateIndex } from '../state/state-index';
import type { Alert } from '../types';
import { prepareAnomalyModels } from './anomaly-stage';
import { dedupFindings } from './dedup-stage';
import { nextCheckpoint, planIntervals } from './plan-intervals';
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
  /** monitor: share the rules with the other monitors on the state index (rendezvous hashing) */
  shareRules?: boolean;
  /** monitor: anomaly models retraining in the background, across cycles (app/anomaly-stage) */
  anomalyTraining?: Map<string, Promise<void>>;
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
  /** scan: drain the outbox once the cycle is over (monitor has a dispatcher loop instead) */
  drain?: boolean;
}

export interface PipelineResult {
  report: CycleReport;
  /** every finding with its id and status (new, suppressed, escalated) plus recoveries */
  alerts: Alert[];
  /** rules run elsewhere: leased by another instance, or (`share`) given to another monitor */
  skipped: { rule: string; owner: string; share?: true }[];
  /** monitor: how many monitors share the rules and how many this one runs */
  share?: { instances: number; rules: number };
  warnings: string[];
  delivery?: DrainSummary;
  /** alerts written to the outbox this cycle (0 without channels or in a dry run) */
  enqueued: number;
  deliveryFailed: boolean;
  checkpointed: string[];
  aborted: boolean;
}

export async function runPipelineCycle(deps: PipelineDeps, opts: CycleOptions): Promise<PipelineResult> {
  let result: PipelineResult;
  try {
    result = await runStages(deps, opts);
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
  // delivery is apart from detection: after the cycle recorded everything and let go of its leases
  if (opts.drain && deps.notifier && !opts.dryRun && !result.aborted) {
    const t0 = performance.now();
    result.delivery = await deps.notifier.drain(new Date());
    result.deliveryFailed = hasDeliveryProblems(result.delivery);
    result.report.phases.deliver = Math.round((performance.now() - t0) * 10) / 10;
  }
  return result;
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
  let leases: LeaseFence | undefined;
  let share: PipelineResult['share'];
  if (!opts.dryRun && deps.shareRules) {
    const live = await t('lease', () =>
      heartbeat(client, stateIndex, deps.instanceId, opts.nowMs, config.state.lease),
    );
    const owners = assignRules(
      rules.map((r) => r.id),
      live,
    );
    const elsewhere = rules.filter((r) => owners.get(r.id) !== deps.instanceId);
    // a rule another live monitor should run now (it joined): given back, it takes it next cycle
    await t('lease', () =>
      releaseLeases(
        client,
        stateIndex,
        elsewhere.map((r) => r.id),
        deps.instanceId,
        opts.nowMs,
      ),
    );
    for (const r of elsewhere) skipped.push({ rule: r.id, owner: owners.get(r.id) as string, share: true });
    rules = rules.filter((r) => !elsewhere.includes(r));
    share = { instances: live.length, rules: rules.length };
  }
  if (!opts.dryRun) {
    const ttl = config.state.lease;
    const acquired = await t('lease', () =>
      acquireLeases(
        client,
        stateIndex,
        rules.map((r) => r.id),
        deps.instanceId,
        opts.nowMs,
        ttl,
      ),
    );
    for (const [rule, owner] of acquired.heldElsewhere) skipped.push({ rule, owner });
    rules = rules.filter((r) => acquired.acquired.includes(r.id));
    leases = new LeaseFence(client, stateIndex, deps.instanceId, ttl, acquired.versions);
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
    opts.resume ? checkpoints?.until : undefined,
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
  const anomaly = await t('train', () =>
    prepareAnomalyModels({
      client,
      stateIndex,
      rules: active,
      intervalOf: (r) => plan.intervals.get(r.id) ?? opts.base,
      audit,
      dryRun: opts.dryRun,
      stateExists,
      background: deps.anomalyTraining,
    }),
  );
  warnings.push(...anomaly.warnings);
  const failed = new Map([...(baselines?.failures ?? []), ...anomaly.failures]);
  const report = await runCycle({
    client,
    rules: active,
    calendar: config.calendar,
    interval: opts.base,
    intervals: plan.intervals,
    baselines: baselines?.models,
    failed,
    anomalyModels: anomaly.models,
    preflight: deps.preflight !== false,
    samples: false,
  });
  Object.assign(report.phases, phases);
  const okRules = new Set(report.rules.filter((r) => r.ok).map((r) => r.id));
  const result: PipelineResult = {
    report,
    alerts: [],
    skipped,
    share,
    warnings,
    enqueued: 0,
    deliveryFailed: false,
    checkpointed: [],
    aborted: false,
  };
  if (opts.aborted?.()) return { ...result, aborted: true };

  // dedup: decide each finding against its episode in the alert memory
  const dedupStart = performance.now();
  const memories = stateExists
    ? await readAlertMemories(client, stateIndex, [...okRules], report.findings)
    : new Map<string, StoredMemory>();
  // silences from the state index, every cycle: shared by all instances, kept across restarts
  const decides = report.findings.length > 0 || memories.size > 0;
  const silences = stateExists && decides ? await readSilences(client, stateIndex, opts.nowMs) : [];
  const rulesById = new Map(active.map((r) => [r.id, r]));
  const dedup = dedupFindings({
    findings: report.findings,
    peaks: report.peaks,
    okRules,
    intervals: plan.intervals,
    rules: rulesById,
    memories,
    config,
    silences: { list: silences, nowMs: opts.nowMs },
  });
  result.alerts = dedup.alerts;
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
  const fence = leases as LeaseFence;

  // From here every state write is fenced: the leases are renewed (conditional on the version this
  // instance wrote) before each step, and a rule whose lease was lost records nothing more.
  // 1. intent: the memories, with each alert to send recorded as pending (conditional writes)
  const withSamples = new Map(result.alerts.map((a) => [a.id, a]));
  const lostRules = new Set<string>(await t('lease', () => fence.renew(Date.now())));
  const changes = dedup.changes
    .filter((c) => fence.holds(c.rule))
    .map((c) =>
      c.memory.pending
        ? {
            ...c,
            memory: {
              ...c.memory,
              pending: boundAlert(withSamples.get(c.memory.pending.id) ?? c.memory.pending),
            },
          }
        : c,
    );
  const intent = await t('persist', () => writeAlertMemories(client, stateIndex, changes, opts.nowMs));
  // a memory another instance changed since it was read: that instance decides this episode
  for (const c of changes) if (intent.conflicts.has(c.docId)) lostRules.add(c.rule);
  const recorded = changes.filter((c) => !intent.conflicts.has(c.docId));
  const notifiable = [
    ...dedup.resend.filter((a) => fence.holds(a.rule)),
    ...recorded.flatMap((c) => (c.memory.pending ? [c.memory.pending] : [])),
  ];
  // 2. the outbox: idempotent by alert id, so a resend of a pending alert adds nothing
  if (deps.notifier && !opts.aborted?.()) {
    const enqueued = await t('notify', () =>
      (deps.notifier as Notifier).enqueue(notifiable, new Date(opts.nowMs)),
    );
    result.enqueued = new Set(enqueued.flatMap((d) => d.alertIds)).size;
  }
  // a cycle cut off at shutdown stops here: what it recorded is completed by the next cycle
  if (opts.aborted?.()) return { ...result, aborted: true };
  // 3. the alerts index (document id = alert id), checkpoints, then the memories confirmed
  await t('persist', async () => {
    for (const r of await fence.renew(Date.now())) lostRules.add(r);
    const held = (rule: string) => fence.holds(rule) && !lostRules.has(rule);
    await writeAlertDocs(
      client,
      config.state.alerts_index,
      result.alerts.filter((a) => a.status !== 'suppressed' && held(a.rule)),
      opts.nowMs,
    );
    const until = new Map<string, number>();
    for (const id of okRules) {
      if (!held(id)) continue;
      const next = nextCheckpoint(
        plan.coverFrom.get(id) as number,
        (plan.intervals.get(id) as Interval).endMs,
        checkpoints?.until.get(id),
      );
      if (next !== undefined) until.set(id, next);
    }
    const moved = await writeCheckpoints(client, stateIndex, until, checkpoints, opts.nowMs);
    result.checkpointed = [...until.keys()].filter((r) => !moved.includes(r));
    const confirmed = recorded
      .filter((c) => c.memory.pending && held(c.rule))
      .map((c) => ({ ...c, memory: confirmEpisode(c.memory), version: intent.written.get(c.docId) }));
    const recordedIds = new Set(recorded.map((c) => c.docId));
    const resent = [...memories.values()].filter(
      (m) => m.memory.pending && held(m.rule) && !recordedIds.has(m.docId),
    );
    await writeAlertMemories(
      client,
      stateIndex,
      [...confirmed, ...resent.map((m) => ({ ...m, memory: confirmEpisode(m.memory) }))],
      opts.nowMs,
    );
  });
  if (lostRules.size > 0)
    warnings.push(
      `lost the lease of ${[...lostRules].sort().join(', ')} to another instance during the cycle: nothing more recorded for ${lostRules.size === 1 ? 'it' : 'them'}`,
    );
  report.phases = { ...report.phases, ...phases };
  if (opts.releaseLeases) await releaseLeases(client, stateIndex, fence.held, deps.instanceId, Date.now());
  return result;
}
