import { z } from 'zod';
import type { Allowlist } from '../config/allowlist-schema';
import {
  duration,
  fieldName,
  nonEmptyString,
  positiveInt,
  positiveNumber,
  windowDuration,
} from '../config/schema-kit';
import { SEVERITIES } from '../types';
import { anomalyConflicts, anomalySchema, featureQueries } from './anomaly-schema';
import { findRegexps, luceneRegexpProblem } from './lucene-regexp';
import { queryDsl } from './query-dsl';
import { THRESHOLD_KEYS, thresholdProblem } from './threshold-checks';

const metricSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('count') }),
    z.strictObject({ type: z.literal('cardinality'), field: fieldName() }),
    z.strictObject({ type: z.literal('sum'), field: fieldName() }),
    z.strictObject({
      type: z.literal('ratio'),
      numerator: queryDsl,
      denominator: queryDsl,
      min_total: positiveInt(),
    }),
  ],
  { error: 'expected metric.type count, cardinality, sum or ratio' },
);

/**
 * A sequence rule fires at an event matching `followed_by` when at least the threshold of events matching
 * `first` came from the same entity (the group_by values) at most `window` before it
 * (see src/evaluate/evaluate-sequence.ts for the exact definition).
 */
const sequenceSchema = z.strictObject({
  first: queryDsl,
  followed_by: queryDsl,
});

const baselineSchema = z.strictObject({
  period: duration().default(30 * 86_400_000),
  by: z
    .enum(['hour_of_week', 'hour_of_day', 'none'], { error: 'expected hour_of_week, hour_of_day or none' })
    .default('hour_of_week'),
  deviation: z.union(
    [z.strictObject({ ratio: positiveNumber() }), z.strictObject({ sigma: positiveNumber() })],
    {
      error: 'expected {ratio: N} or {sigma: N}',
    },
  ),
  min_samples: positiveInt().default(3),
  /** a value below this never fires on the baseline alone (e.g. 1 MB for bytes) */
  min_value: z.number({ error: 'expected a number' }).min(0, { error: 'expected a number ≥ 0' }).default(0),
  max_entities: positiveInt().max(10_000, { error: 'expected at most 10000' }).default(1000),
});

export const ruleSchema = z
  .strictObject({
    id: z
      .string({ error: 'expected a rule id' })
      .regex(/^[a-z][a-z0-9_]{0,63}$/, { error: 'expected a rule id of lowercase letters, digits and _' }),
    title: nonEmptyString('a title'),
    description: nonEmptyString('a description'),
    remediation: nonEmptyString('remediation text'),
    severity: z.enum(SEVERITIES, { error: 'expected low, medium, high or critical' }),
    source: nonEmptyString('a source group name'),
    enabled: z.boolean({ error: 'expected true or false' }).default(true),
    filter: queryDsl,
    group_by: z.array(fieldName()).max(4, { error: 'expected at most 4 group_by fields' }).default([]),
    metric: metricSchema.default({ type: 'count' }),
    window: windowDuration(),
    thresholds: z.strictObject({ business_hours: positiveNumber(), off_hours: positiveNumber() }).optional(),
    baseline: baselineSchema.optional(),
    sequence: sequenceSchema.optional(),
    /** an Isolation Forest over per-entity feature vectors (src/rules/anomaly-schema.ts) */
    anomaly: anomalySchema.optional(),
    sample_fields: z.array(fieldName()).max(20).default([]),
    channels: z.array(nonEmptyString('a channel name')).default([]),
    realert: duration().default(3_600_000),
    escalate_factor: positiveNumber().default(2),
    recovery: z.boolean({ error: 'expected true or false' }).default(false),
  })
  .superRefine((r, ctx) => {
    // a broken regexp pattern is otherwise only found by Elasticsearch, on every cycle
    const queries: [(string | number)[], unknown][] = [[['filter'], r.filter]];
    if (r.anomaly) queries.push(...featureQueries(r.anomaly));
    if (r.metric.type === 'ratio')
      queries.push(
        [['metric', 'numerator'], r.metric.numerator],
        [['metric', 'denominator'], r.metric.denominator],
      );
    if (r.sequence)
      queries.push(
        [['sequence', 'first'], r.sequence.first],
        [['sequence', 'followed_by'], r.sequence.followed_by],
      );
    for (const [at, query] of queries)
      for (const [path, pattern] of findRegexps(query)) {
        const problem = luceneRegexpProblem(pattern);
        if (problem)
          ctx.addIssue({
            code: 'custom',
            path: [...at, ...path],
            message: `not a valid regular expression: ${problem}`,
            input: pattern,
          });
      }
    if (r.baseline && r.metric.type === 'ratio')
      ctx.addIssue({
        code: 'custom',
        path: ['baseline'],
        message: 'a baseline needs a count, sum or cardinality metric, not ratio',
      });
    for (const issue of sequenceProblems(r)) ctx.addIssue({ code: 'custom', ...issue });
    if (r.baseline && r.baseline.period < 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['baseline', 'period'], message: 'expected at least 1d' });
    if (r.anomaly) for (const issue of anomalyConflicts(r)) ctx.addIssue({ code: 'custom', ...issue });
    else if (!r.thresholds && !r.baseline)
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds'],
        message: 'missing; a rule needs thresholds, a baseline, or both',
      });
    if (r.thresholds) {
      for (const k of THRESHOLD_KEYS) {
        const problem = thresholdProblem(r.metric.type, r.thresholds[k]);
        if (problem)
          ctx.addIssue({ code: 'custom', path: ['thresholds', k], message: problem, input: r.thresholds[k] });
      }
    }
  });

/** What a sequence rule cannot combine with: it counts `first` events per entity before a `followed_by`. */
function sequenceProblems(r: {
  sequence?: unknown;
  group_by: string[];
  metric: { type: string };
  baseline?: unknown;
  recovery: boolean;
}): { path: string[]; message: string }[] {
  if (!r.sequence) return [];
  const out: { path: string[]; message: string }[] = [];
  if (r.group_by.length === 0)
    out.push({
      path: ['group_by'],
      message: 'a sequence rule follows one entity: expected at least one field (e.g. [source.ip])',
    });
  if (r.metric.type !== 'count')
    out.push({
      path: ['metric', 'type'],
      message: `a sequence rule counts its first events: expected count (or no metric), got ${r.metric.type}`,
    });
  if (r.baseline)
    out.push({ path: ['baseline'], message: 'a sequence rule has fixed thresholds, not a baseline' });
  if (r.recovery)
    out.push({ path: ['recovery'], message: 'a sequence rule fires on one event and has no recovery' });
  return out;
}

export type RuleInput = z.input<typeof ruleSchema>;
export type RuleSpec = z.output<typeof ruleSchema>;
export type Metric = RuleSpec['metric'];
export type BaselineSpec = NonNullable<RuleSpec['baseline']>;
export type SequenceSpec = NonNullable<RuleSpec['sequence']>;

/** A rule ready to run: its spec with config overrides applied and its source resolved. */
export interface Rule extends RuleSpec {
  /** index patterns of the source group */
  indices: string[];
  /** ECS name → field name in the source's indices */
  fieldMap: Record<string, string>;
  timestampField: string;
  /** the source group's allowlist and the rule override's, merged; applied in every query */
  allowlist?: Allowlist;
  /** file the rule came from, for messages */
  file: string;
}

/** A rule with a `sequence` block: collected and evaluated by the sequence stages. */
export function isSequenceRule(rule: Rule): rule is Rule & { sequence: SequenceSpec } {
  return rule.sequence !== undefined;
}
