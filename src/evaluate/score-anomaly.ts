/**
 * Pure: an anomaly rule's current (entity, window) vectors → findings. A window scoring above
 * score_threshold is a finding whose value is the score; it explains itself with the features
 * that drove the score (how far the score falls when the feature takes its training median) and
 * each feature's rank among the training windows.
 */

import type { WindowVector } from '../collect/collect-anomaly-features';
import type { Calendar } from '../config/schema';
import type { AnomalyRule } from '../query/build-anomaly-query';
import type { AnomalyContext, AnomalyFeature, Finding, Schedule } from '../types';
import type { AnomalyModel } from './anomaly-model';
import { rankIn } from './anomaly-model';
import { scheduleAt } from './calendar';
import { entityOf, toFinding } from './evaluate-rule';
import { type Forest, scorePoint } from './isolation-forest';

export interface AnomalyPeak {
  entity: Record<string, string>;
  value: number;
  threshold: number;
  schedule: Schedule;
}

/** A contribution below this does not count as driving the score. */
const DRIVER_MIN = 0.005;

export function explainScore(model: Required<Pick<AnomalyModel, 'forest' | 'stats'>>, vector: number[]) {
  const score = scorePoint(model.forest as Forest, vector);
  const features: AnomalyFeature[] = model.stats.map((s, i) => {
    const usual = [...vector];
    usual[i] = s.median;
    const rank = rankIn(s.quantiles, vector[i]);
    return {
      name: s.name,
      value: round(vector[i]),
      below: rank.below,
      above: rank.above,
      contribution: round(score - scorePoint(model.forest as Forest, usual)),
    };
  });
  features.sort((a, b) => b.contribution - a.contribution || extremity(b) - extremity(a));
  const drivers = Math.max(1, features.filter((f) => f.contribution >= DRIVER_MIN).length);
  return { score, features, drivers };
}

const extremity = (f: AnomalyFeature) => Math.max(f.below, f.above);

export function scoreAnomalies(
  rule: AnomalyRule,
  model: AnomalyModel,
  vectors: WindowVector[],
  calendar: Calendar,
): { findings: Finding[]; peaks: AnomalyPeak[] } {
  const findings: Finding[] = [];
  const threshold = rule.anomaly.score_threshold;
  const peak = new Map<string, AnomalyPeak>();
  if (!model.forest || !model.stats) return { findings, peaks: [] };
  const fitted = { forest: model.forest, stats: model.stats };
  // per entity: its highest-scoring window of the interval (a catch-up scores several)
  const best = new Map<string, { v: WindowVector; score: number }>();
  for (const v of vectors) {
    const score = scorePoint(fitted.forest, v.vector);
    const k = JSON.stringify(v.key);
    const schedule = scheduleAt(v.window.endMs - 1, calendar);
    const entity = entityOf(rule, v.key);
    if ((peak.get(k)?.value ?? -1) < score) peak.set(k, { entity, value: round(score), threshold, schedule });
    if (score > threshold && (best.get(k)?.score ?? -1) < score) best.set(k, { v, score });
  }
  for (const { v } of best.values()) {
    const explained = explainScore(fitted, v.vector);
    const finding = toFinding(
      rule,
      entityOf(rule, v.key),
      {
        startMs: v.window.startMs,
        endMs: v.window.endMs,
        value: explained.score,
        threshold,
        schedule: scheduleAt(v.window.endMs - 1, calendar),
      },
      calendar,
    );
    finding.anomaly = {
      score: round(explained.score),
      features: explained.features,
      drivers: explained.drivers,
      training: {
        start: new Date(model.span.startMs).toISOString(),
        end: new Date(model.span.endMs).toISOString(),
        windows: model.windows,
        sampled: model.sampled,
      },
    } satisfies AnomalyContext;
    findings.push(finding);
  }
  findings.sort((a, b) => b.value - a.value);
  return { findings, peaks: [...peak.values()] };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
