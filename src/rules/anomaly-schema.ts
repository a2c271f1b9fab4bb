/**
 * The `anomaly` block of a rule: an Isolation Forest over per-entity feature vectors, one vector
 * per (entity, window). Each feature is an aggregation over the rule's window:
 *   count        events (optionally those matching `filter`)
 *   cardinality  distinct values of `field`
 *   sum          the sum of a numeric `field`
 *   ratio        events matching `numerator` / events matching `denominator`
 */
import { z } from 'zod';
import { duration, fieldName, positiveInt } from '../config/schema-kit';
import { queryDsl } from './query-dsl';

const featureName = () =>
  z
    .string({ error: 'expected a feature name' })
    .regex(/^[a-z][a-z0-9_]{0,39}$/, { error: 'expected a feature name of lowercase letters, digits and _' });

const featureSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ name: featureName(), type: z.literal('count'), filter: queryDsl.optional() }),
    z.strictObject({
      name: featureName(),
      type: z.literal('cardinality'),
      field: fieldName(),
      filter: queryDsl.optional(),
    }),
    z.strictObject({
      name: featureName(),
      type: z.literal('sum'),
      field: fieldName(),
      filter: queryDsl.optional(),
    }),
    z.strictObject({
      name: featureName(),
      type: z.literal('ratio'),
      numerator: queryDsl,
      denominator: queryDsl,
    }),
  ],
  { error: 'expected a feature type count, cardinality, sum or ratio' },
);

export const anomalySchema = z
  .strictObject({
    features: z
      .array(featureSchema, { error: 'expected a list of features' })
      .min(1, { error: 'expected at least one feature' })
      .max(16, { error: 'expected at most 16 features' }),
    training: z
      .strictObject({
        period: duration().default(14 * 86_400_000),
        refresh: duration().default(86_400_000),
        /** fewer (entity, window) vectors than this in the period: no model, the rule waits */
        min_samples: positiveInt().default(100),
        /** more than this: a uniform sample of this many is kept (and the audit says so) */
        max_samples: positiveInt().max(1_000_000, { error: 'expected at most 1000000' }).default(200_000),
      })
      .default({ period: 14 * 86_400_000, refresh: 86_400_000, min_samples: 100, max_samples: 200_000 }),
    /** alert when an (entity, window) scores above this (0.5 is ordinary; near 1 is isolated at once) */
    score_threshold: z
      .number({ error: 'expected a score between 0.5 and 1' })
      .gt(0.5, { error: 'expected a score between 0.5 and 1 (0.5 is an ordinary window)' })
      .lt(1, { error: 'expected a score between 0.5 and 1' }),
    trees: positiveInt().max(1000, { error: 'expected at most 1000' }).default(100),
    sample_size: z
      .number({ error: 'expected an integer from 16 to 4096' })
      .int({ error: 'expected an integer from 16 to 4096' })
      .min(16, { error: 'expected an integer from 16 to 4096' })
      .max(4096, { error: 'expected an integer from 16 to 4096' })
      .default(256),
  })
  .superRefine((a, ctx) => {
    const seen = new Map<string, number>();
    a.features.forEach((f, i) => {
      if (seen.has(f.name))
        ctx.addIssue({
          code: 'custom',
          path: ['features', i, 'name'],
          message: `"${f.name}" is already the name of features.${seen.get(f.name)}`,
          input: f.name,
        });
      seen.set(f.name, i);
    });
    if (a.training.period < 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['training', 'period'], message: 'expected at least 1d' });
  });

export type AnomalySpec = z.output<typeof anomalySchema>;
export type FeatureSpec = AnomalySpec['features'][number];

/** The queries inside the features, with their paths (for the regexp check of the rule schema). */
export function featureQueries(a: AnomalySpec): [(string | number)[], unknown][] {
  return a.features.flatMap((f, i): [(string | number)[], unknown][] => {
    const at = ['anomaly', 'features', i];
    if (f.type === 'ratio')
      return [
        [[...at, 'numerator'], f.numerator],
        [[...at, 'denominator'], f.denominator],
      ];
    return f.filter ? [[[...at, 'filter'], f.filter]] : [];
  });
}

/** "distinct_users" → "distinct users" */
export const featureLabel = (name: string) => name.replace(/_/g, ' ');

/** What an anomaly rule cannot also have: its values come from its features, its alerts from the score. */
export function anomalyConflicts(r: {
  group_by: string[];
  metric: { type: string };
  thresholds?: unknown;
  baseline?: unknown;
  sequence?: unknown;
}): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  if (r.group_by.length === 0)
    out.push({ path: ['group_by'], message: 'an anomaly rule needs a group_by (the entity it scores)' });
  if (r.thresholds)
    out.push({
      path: ['thresholds'],
      message: 'an anomaly rule alerts on anomaly.score_threshold, not thresholds',
    });
  if (r.baseline) out.push({ path: ['baseline'], message: 'an anomaly rule cannot also have a baseline' });
  if (r.sequence) out.push({ path: ['sequence'], message: 'an anomaly rule cannot also be a sequence rule' });
  if (r.metric.type !== 'count')
    out.push({
      path: ['metric'],
      message: 'an anomaly rule takes its values from anomaly.features, not metric',
    });
  return out;
}
