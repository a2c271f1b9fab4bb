/** The anomaly rules' part of a cycle: collect the current vectors, score them, report per rule. */
import type { Client } from '@elastic/elasticsearch';
import { collectScoringVectors } from '../collect/collect-anomaly-features';
import type { CollectStats } from '../collect/page-composite';
import type { Calendar } from '../config/schema';
import type { VigilError } from '../errors';
import type { AnomalyModel } from '../evaluate/anomaly-model';
import { type AnomalyPeak, scoreAnomalies } from '../evaluate/score-anomaly';
import type { AnomalyRule } from '../query/build-anomaly-query';
import type { Interval } from '../query/types';
import type { Finding } from '../types';

export interface AnomalyCycle {
  findings: Finding[];
  peaks: Map<string, AnomalyPeak[]>;
  rules: { id: string; entities: number; findings: number; ok: boolean }[];
  errors: Map<string, VigilError>;
  stats: CollectStats;
}

/** Scores the rules that have a fitted model; a rule without one (too little history) is ok and silent. */
export async function runAnomalyRules(
  client: Client,
  rules: AnomalyRule[],
  models: Map<string, AnomalyModel>,
  intervalOf: (rule: AnomalyRule) => Interval,
  calendar: Calendar,
): Promise<AnomalyCycle> {
  const out: AnomalyCycle = {
    findings: [],
    peaks: new Map(),
    rules: [],
    errors: new Map(),
    stats: { took: 0, rounds: 0, searches: 0 },
  };
  const scored = rules.filter((r) => models.get(r.id)?.forest);
  for (const r of rules)
    if (!scored.includes(r)) out.rules.push({ id: r.id, entities: 0, findings: 0, ok: models.has(r.id) });
  if (scored.length === 0) return out;
  const { values, stats } = await collectScoringVectors(client, scored, intervalOf);
  out.stats = stats;
  for (const v of values) {
    if (!v.ok) {
      out.errors.set(v.rule.id, v.error);
      continue;
    }
    const ev = scoreAnomalies(v.rule, models.get(v.rule.id) as AnomalyModel, v.vectors, calendar);
    out.findings.push(...ev.findings);
    out.peaks.set(v.rule.id, ev.peaks);
    const entities = new Set(v.vectors.map((x) => JSON.stringify(x.key))).size;
    out.rules.push({ id: v.rule.id, entities, findings: ev.findings.length, ok: true });
  }
  return out;
}
