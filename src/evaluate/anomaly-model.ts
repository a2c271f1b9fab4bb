/**
 * Pure: an anomaly rule's model, fitted from training vectors, with the feature statistics that
 * explain a score (each feature's quantiles over the training windows), and when it is stale.
 */
import crypto from 'node:crypto';
import type { Rule } from '../rules/rule-schema';
import { type Forest, fitForest } from './isolation-forest';

/** Order statistics kept per feature: q(0), q(0.001), …, q(1) of the training windows. */
export const QUANTILES = 1000;

export interface FeatureStats {
  name: string;
  median: number;
  /** QUANTILES + 1 values, ascending */
  quantiles: number[];
}

export interface FitInput {
  vectors: number[][];
  names: string[];
  trees: number;
  sampleSize: number;
  seed: number;
}

export interface FitOutput {
  forest: Forest;
  stats: FeatureStats[];
}

export interface AnomalyModel extends Partial<FitOutput> {
  rule: string;
  /** hash of what the model depends on: a rule edited since training makes it stale */
  specHash: string;
  trainedAt: number;
  span: { startMs: number; endMs: number };
  /** training vectors used (a sample of `population` when sampled) */
  windows: number;
  population: number;
  sampled: boolean;
  /** set when there were fewer than min_samples windows: the rule is not scored until retrained */
  insufficient?: true;
  /** ms: collecting the vectors, fitting the forest */
  took: { collect: number; fit: number };
}

function quantilesOf(sorted: number[]): number[] {
  if (sorted.length === 0) return [];
  return Array.from(
    { length: QUANTILES + 1 },
    (_, i) => sorted[Math.round((i / QUANTILES) * (sorted.length - 1))],
  );
}

export function fitAnomalyModel(input: FitInput): FitOutput {
  const forest = fitForest(input.vectors, {
    trees: input.trees,
    sampleSize: input.sampleSize,
    seed: input.seed,
  });
  const stats = input.names.map((name, f) => {
    const column = input.vectors.map((v) => v[f]).sort((a, b) => a - b);
    return { name, median: column[Math.floor(column.length / 2)] ?? 0, quantiles: quantilesOf(column) };
  });
  return { forest, stats };
}

/** Share of training windows with a value below v, and with a value above it (from the quantiles). */
export function rankIn(quantiles: number[], v: number): { below: number; above: number } {
  if (quantiles.length === 0) return { below: 0, above: 0 };
  let lo = 0;
  while (lo < quantiles.length && quantiles[lo] < v) lo++;
  let hi = lo;
  while (hi < quantiles.length && quantiles[hi] <= v) hi++;
  const n = quantiles.length;
  return { below: lo / n, above: (n - hi) / n };
}

/** Hash of everything a model depends on: the features, filter, entity, window, indices, forest size. */
export function anomalySpecHash(rule: Rule): string {
  const a = rule.anomaly;
  const text = JSON.stringify([
    a?.features,
    a?.training.period,
    a?.trees,
    a?.sample_size,
    rule.filter,
    rule.group_by,
    rule.window,
    rule.indices,
    rule.fieldMap,
    rule.timestampField,
  ]);
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Where a rule's training period ends when it scores `scoreFromMs` on: the window boundary before it. */
export function trainingEnd(rule: Pick<Rule, 'window'>, scoreFromMs: number): number {
  return Math.floor(scoreFromMs / rule.window) * rule.window;
}

/**
 * Why a stored model must be retrained before scoring from `spanEndMs` (trainingEnd of the
 * interval), or undefined when it is fresh. Age is data time: a model trained on the period up to
 * T serves scoring until T + refresh; a replay of times before T trains anew.
 */
export function staleReason(
  model: AnomalyModel | undefined,
  rule: Rule,
  spanEndMs: number,
): string | undefined {
  if (!model) return 'no model yet';
  if (model.specHash !== anomalySpecHash(rule)) return 'the rule changed since training';
  const refresh = rule.anomaly?.training.refresh ?? 86_400_000;
  if (spanEndMs - model.span.endMs >= refresh) return `trained on data more than ${formatHours(refresh)} old`;
  if (spanEndMs < model.span.endMs) return 'the interval is before the end of its training period';
  return undefined;
}

const formatHours = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;

/** A seed from the rule and the training span: the same history grows the same forest. */
export function trainingSeed(rule: string, spanEndMs: number): number {
  return crypto.createHash('sha256').update(`${rule}\n${spanEndMs}`).digest().readUInt32BE(0);
}
