import { z } from 'zod';
import { alertsSchema } from '../notify/channel-schema';
import { allowlistSchema } from './allowlist-schema';
import { DEFAULT_SOURCES } from './default-sources';
import {
  cronExpression,
  duration,
  fieldName,
  isoDate,
  nonEmptyString,
  optionalString,
  positiveNumber,
  timeOfDay,
  timezone,
  windowDuration,
} from './schema-kit';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * Only numbers here: whether a threshold must be a whole number or a fraction depends on the rule's
 * metric, which the rule loader checks (see rules/threshold-checks.ts).
 */
const thresholdOverrides = z.strictObject({
  business_hours: positiveNumber().optional(),
  off_hours: positiveNumber().optional(),
});

export const elasticsearchSchema = z.strictObject({
  nodes: z
    .array(z.url({ error: 'expected a URL like http://localhost:9200' }), {
      error: 'expected a list of URLs',
    })
    .min(1, { error: 'expected at least one node URL' }),
  username: optionalString(),
  password: optionalString(),
  api_key: optionalString(),
  tls: z
    .strictObject({
      ca_file: optionalString(),
      verify: z.boolean({ error: 'expected true or false' }).default(true),
    })
    .default({ verify: true }),
  request_timeout: duration().default(30_000),
  max_retries: z
    .number({ error: 'expected an integer from 0 to 10' })
    .int()
    .min(0)
    .max(10, { error: 'expected an integer from 0 to 10' })
    .default(3),
});

export const sourceSchema = z.strictObject({
  indices: z
    .array(nonEmptyString('an index pattern'), { error: 'expected a list of index patterns' })
    .min(1, { error: 'expected at least one index pattern' }),
  /** ECS field name → the field name in these indices (only where they differ) */
  fields: z.record(fieldName(), fieldName()).default({}),
  timestamp_field: fieldName().default('@timestamp'),
  /** events of these field values never reach the rules of this group (see allowlist-schema) */
  allowlist: allowlistSchema.optional(),
});

export const calendarSchema = z.strictObject({
  timezone: timezone().default('UTC'),
  business_days: z
    .array(z.enum(WEEKDAYS, { error: `expected weekdays from ${WEEKDAYS.join(', ')}` }))
    .default(['mon', 'tue', 'wed', 'thu', 'fri']),
  business_hours: z
    .strictObject({ start: timeOfDay(), end: timeOfDay() })
    .default({ start: '08:00', end: '18:00' }),
  holidays: z.array(isoDate()).default([]),
});

export const scheduleSchema = z
  .strictObject({
    interval: duration().optional(),
    cron: cronExpression().optional(),
    query_delay: duration({ allowZero: true }).default(60_000),
  })
  .refine((s) => !(s.interval !== undefined && s.cron !== undefined), {
    error: 'set either interval or cron, not both',
  });

export const ruleOverrideSchema = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).optional(),
  thresholds: thresholdOverrides.optional(),
  window: windowDuration().optional(),
  severity: z
    .enum(['low', 'medium', 'high', 'critical'], { error: 'expected low, medium, high or critical' })
    .optional(),
  channels: z.array(nonEmptyString('a channel name')).optional(),
  realert: duration().optional(),
  /** added to the source group's allowlist for this rule */
  allowlist: allowlistSchema.optional(),
});

export const rulesSectionSchema = z.strictObject({
  dir: nonEmptyString('a folder').default('queries'),
  overrides: z.record(z.string(), ruleOverrideSchema).default({}),
});

/** Elasticsearch index names: lowercase, no spaces or \\/*?"<>|,#:, not starting with - _ + . */
const indexName = (what: string) =>
  z.string({ error: `expected ${what}` }).regex(/^[a-z0-9][a-z0-9._-]{0,200}$/, {
    error: `expected ${what} in lowercase letters, digits, . _ and -`,
  });

export const stateSchema = z
  .strictObject({
    index: indexName('an index name').default('vigil-state'),
    alerts_index: indexName('an index name prefix').default('vigil-alerts'),
    max_catch_up: duration().default(86_400_000),
    lease: duration().default(60_000),
  })
  .refine((s) => !s.index.startsWith(`${s.alerts_index}-`), {
    error: 'state.index must not start with "<alerts_index>-": the alerts index template would apply to it',
    path: ['index'],
  });

/** A string setting that YAML may read as a number (`max_files: 14`, `max_size: 1048576`): take it as meant. */
const stringOrCount = (pattern: RegExp, error: string) =>
  z.union([z.int().positive().transform(String), z.string().regex(pattern, { error })], { error });

export const loggingSchema = z.strictObject({
  level: z
    .enum(['error', 'warn', 'info', 'debug'], { error: 'expected error, warn, info or debug' })
    .default('info'),
  dir: nonEmptyString('a folder').default('logs'),
  max_size: stringOrCount(/^\d+[kmg]?$/i, 'expected a size like 20m').default('20m'),
  max_files: stringOrCount(/^\d+d?$/, 'expected a count like 14 or days like 14d').default('14d'),
  zip: z.boolean({ error: 'expected true or false' }).default(true),
});

export const configSchema = z.strictObject({
  elasticsearch: elasticsearchSchema,
  sources: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'expected a lowercase name' }), sourceSchema)
    .default({})
    // groups named in the config replace the default group of that name; the others stay
    .transform((s): Record<string, z.output<typeof sourceSchema>> => ({ ...DEFAULT_SOURCES, ...s })),
  calendar: calendarSchema.default(calendarSchema.parse({})),
  schedule: scheduleSchema.default({ interval: 60_000, query_delay: 60_000 }),
  rules: rulesSectionSchema.default({ dir: 'queries', overrides: {} }),
  state: stateSchema.default(stateSchema.parse({})),
  alerts: alertsSchema.prefault({}),
  logging: loggingSchema.default(loggingSchema.parse({})),
  metrics: z
    .strictObject({
      port: z.number().int().min(0).max(65535).optional(),
      host: z.string().default('127.0.0.1'),
    })
    .default({ host: '127.0.0.1' }),
});

export type VigilConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type Calendar = z.output<typeof calendarSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type Weekday = (typeof WEEKDAYS)[number];
export { WEEKDAYS };
