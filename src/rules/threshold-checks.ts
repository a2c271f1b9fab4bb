/**
 * What a fixed threshold must be for a rule's metric: a ratio rule compares a share of events, so
 * its thresholds are fractions in (0, 1]; count, sum and cardinality rules compare whole numbers.
 * Shared by the rule files' schema and by `rules.overrides.<id>.thresholds` in the config.
 */
import type { Metric } from './rule-schema';

export const THRESHOLD_KEYS = ['business_hours', 'off_hours'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];
export type Thresholds = Record<ThresholdKey, number>;

/** Why a positive number does not fit this metric, or undefined when it does. */
export function thresholdProblem(metric: Metric['type'], value: number): string | undefined {
  if (metric === 'ratio') return value > 1 ? 'expected a ratio between 0 and 1' : undefined;
  return Number.isInteger(value) ? undefined : 'expected a positive integer';
}
