/**
 * One cycle of the pipeline: preflight → query → evaluate → samples. `scan` runs it once and
 * `monitor` on a schedule; later stages (dedup, notify, persist) take its findings.
 */
import type { Client } from '@elastic/elasticsearch';
import { checkSource, fieldsNeeded, type SourceReport, sourceWarnings } from '../collect/check-sources';
import { collectRuleValues } from '../collect/collect-rule-values';
import { collectSequences } from '../collect/collect-sequences';
import { fetchSamples } from '../collect/fetch-samples';
import type { Calendar } from '../config/schema';
import type { VigilError } from '../errors';
import type { AnomalyModel } from '../evaluate/anomaly-model';
import type { BaselineModel } from '../evaluate/baseline-model';
import { evaluateRule, type RuleEvaluation } from '../evaluate/evaluate-rule';
import { evaluateSequence } from '../evaluate/evaluate-sequence';
import { isAnomalyRule } from '../query/build-anomaly-query';
import type { Interval } from '../query/types';
import { isSequenceRule, type Rule } from '../rules/rule-schema';
import type { Finding, Schedule } from '../types';
import { runAnomalyRules } from './anomaly-cycle';

export interface RuleFailure {
  rule: string;
  reason: string;
  message: string;
}

export interface CycleReport {
  interval: { start: string; end: string };
  findings: Finding[];
  failures: RuleFailure[];
  warnings: string[];
  rules: { id: string; entities: number; findings: number; ok: boolean }[];
  /** Elasticsearch `took` summed over all searches, ms */
  took: number;
  searches: number;
  rounds: number;
  /** wall time per phase, ms */
  phases: Record<string, number>;
  /** per rule, per entity: the peak value and the threshold in force for it (for recovery) */
  peaks: Map<
    string,
    { entity: Record<string, string>; value: number; threshold: number; schedule: Schedule }[]
  >;
}

export interface CycleInput {
  client: Client;
  rules: Rule[];
  calendar: Calendar;
  interval: Interval;
  /** per-rule intervals (resume, catch-up); rules missing here use `interval` */
  intervals?: Map<string, Interval>;
  /** baselines of the rules that declare one */
  baselines?: Map<string, BaselineModel>;
  /**
   * Rules that failed before their query, by id: a baseline that could not be loaded. They are
   * not queried or evaluated and are reported failed (so they keep their checkpoint and send no
   * recoveries), with a warning.
   */
  failed?: Map<string, VigilError>;
  /** fetch sample events here (default); the pipeline fetches them after dedup instead */
  samples?: boolean;
  /** skip the preflight (monitor caches it) */
  preflight?: boolean;
  /** the anomaly rules' models (app/anomaly-stage); an anomaly rule without one is not scored */
  anomalyModels?: Map<string, AnomalyModel>;
}

async function timed<T>(phases: Record<string, number>, name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    phases[name] = Math.round((performance.now() - t0) * 10) / 10 + (phases[name] ?? 0);
  }
}

export async function preflightWarnings(client: Client, rules: Rule[]): Promise<string[]> {
  const groups = new Map<string, Rule[]>();
  for (const r of rules) {
    const k = r.indices.join(',');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const reports = await Promise.all(
    [...groups.entries()].map(async ([k, rs]) => ({
      patterns: k.split(','),
      rules: rs,
      report: (await checkSource(client, k.split(','), rs.flatMap(fieldsNeeded))) as SourceReport,
    })),
  );
  return sourceWarnings(reports);
}

function ruleFailure(rule: string, error: VigilError): RuleFailure {
  return {
    rule,
    reason: error.reason,
    // the message is labelled with the rule for other callers; here the rule is said apart
    message: error.message.startsWith(`${rule}: `) ? error.message.slice(rule.length + 2) : error.message,
  };
}

export async function runCycle(input: CycleInput): Promise<CycleReport> {
  const { client, rules, calendar, interval } = input;
  const phases: Record<string, number> = {};
  const warnings =
    input.preflight === false ? [] : await timed(phases, 'preflight', () => preflightWarnings(client, rules));
  const intervalOf = (r: Rule) => input.intervals?.get(r.id) ?? interval;
  const failed = new Map(input.failed ?? new Map<string, VigilError>());
  const queried = rules.filter((r) => !failed.has(r.id));
  // sequence and anomaly rules page their own searches, sent alongside the threshold rules' rounds
  const anomalyRules = queried.filter(isAnomalyRule);
  const sequenceRules = queried.filter(isSequenceRule);
  const thresholdRules = queried.filter((r) => !isSequenceRule(r) && !isAnomalyRule(r));
  const [{ values, stats }, sequences, anomaly] = await timed(phases, 'query', () =>
    Promise.all([
      collectRuleValues(client, thresholdRules, intervalOf),
      collectSequences(client, sequenceRules, intervalOf),
      runAnomalyRules(client, anomalyRules, input.anomalyModels ?? new Map(), intervalOf, calendar),
    ]),
  );
  for (const [id, error] of anomaly.errors) failed.set(id, error);
  const findings: Finding[] = [];
  const failures: RuleFailure[] = [];
  const ruleStats: CycleReport['rules'] = [];
  const peaks: CycleReport['peaks'] = new Map();
  for (const r of rules) {
    const error = failed.get(r.id);
    if (!error) continue;
    failures.push(ruleFailure(r.id, error));
    ruleStats.push({ id: r.id, entities: 0, findings: 0, ok: false });
    if (error.reason === 'baseline')
      warnings.push(
        `rule ${r.id} not evaluated: its baseline could not be loaded; it keeps its checkpoint and sends no recoveries until it can`,
      );
  }
  findings.push(...anomaly.findings);
  for (const [id, p] of anomaly.peaks) peaks.set(id, p);
  ruleStats.push(...anomaly.rules);
  await timed(phases, 'evaluate', () => {
    for (const v of [...values, ...sequences.values]) {
      if (!v.ok) {
        failures.push(ruleFailure(v.rule.id, v.error));
        ruleStats.push({ id: v.rule.id, entities: 0, findings: 0, ok: false });
        continue;
      }
      const ev: RuleEvaluation =
        'entities' in v
          ? evaluateSequence(v.rule, v.entities, intervalOf(v.rule), calendar)
          : evaluateRule(v.rule, v, intervalOf(v.rule), calendar, input.baselines?.get(v.rule.id));
      findings.push(...ev.findings);
      peaks.set(
        v.rule.id,
        ev.peaks.map(({ entity, peak }) => ({
          entity,
          value: peak.value,
          threshold: peak.threshold,
          schedule: peak.schedule,
        })),
      );
      ruleStats.push({ id: v.rule.id, entities: v.totalEntities, findings: ev.findings.length, ok: true });
    }
  });
  const samples =
    input.samples === false
      ? { took: 0, error: undefined }
      : await timed(phases, 'samples', () =>
          fetchSamples(client, findings, new Map(rules.map((r) => [r.id, r]))),
        );
  if (samples.error) warnings.push(samples.error);
  return {
    interval: {
      start: new Date(interval.startMs).toISOString(),
      end: new Date(interval.endMs).toISOString(),
    },
    findings,
    failures,
    warnings,
    rules: ruleStats,
    took: stats.took + sequences.stats.took + anomaly.stats.took + samples.took,
    searches:
      stats.searches +
      sequences.stats.searches +
      anomaly.stats.searches +
      (findings.length && input.samples !== false ? 1 : 0),
    // the sequence and anomaly rounds run at the same time as the others
    rounds:
      Math.max(stats.rounds, sequences.stats.rounds, anomaly.stats.rounds) +
      (findings.length && input.samples !== false ? 1 : 0),
    phases,
    peaks,
  };
}
