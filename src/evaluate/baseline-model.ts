/**
 * Pure: what is normal for an entity at a given time. Samples are hourly values (bytes, counts)
 * from the baseline period; hours with no events since the entity was first seen count as zero.
 * `by` picks which hours compare: the same hour of the week, the same hour of the day, or all.
 * The lookup that answers many queries fast is in baseline-lookup.ts.
 */
import { DateTime } from 'luxon';
import type { BaselineSpec } from '../rules/rule-schema';
import type { BaselineContext } from '../types';

export const HOUR_MS = 3_600_000;

export interface EntityBaseline {
  /** hour start (ms) → value in that hour */
  hours: Map<number, number>;
  /** first hour with data (ms) */
  firstSeen: number;
}

export interface BaselineModel {
  spec: BaselineSpec;
  timezone: string;
  /** up to which hour (exclusive, ms) the samples are complete */
  completeUntil: number;
  entities: Map<string, EntityBaseline>;
}

/** Mean and (population) standard deviation of the samples in one slot. */
export interface SlotStats {
  mean: number;
  sd: number;
  samples: number;
}

export interface BaselineThreshold {
  threshold: number;
  expected: number;
  sd: number;
  samples: number;
}

/**
 * What is normal for the entities of one model. `stats`: the samples in the same slot as `atMs`,
 * from the hours that closed before `beforeMs` (default: all complete hours). `threshold`: for a
 * span of `windowMs` ending at `endMs`, leaving out the hours that overlap the span.
 */
export interface BaselineLookup {
  stats(entity: string, atMs: number, beforeMs?: number): SlotStats | undefined;
  threshold(entity: string, endMs: number, windowMs: number): BaselineThreshold | undefined;
}

/** The slot an instant falls into: hour of the week (0 = Monday 00:00), hour of the day, or 0. */
export function slotOf(ms: number, by: BaselineSpec['by'], zone: string): number {
  if (by === 'none') return 0;
  const t = DateTime.fromMillis(ms, { zone });
  return by === 'hour_of_day' ? t.hour : (t.weekday - 1) * 24 + t.hour;
}

/** Mean and standard deviation of `values` (summed in order); undefined without values. */
export function statsOf(values: number[]): SlotStats | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, sd, samples: values.length };
}

/**
 * The baseline threshold for a span of `windowMs` from the hourly stats of its slot: expected ×
 * ratio, or mean + sigma × sd, scaled from hours to the window. Undefined with too few samples.
 */
export function thresholdFromStats(
  spec: BaselineSpec,
  s: SlotStats | undefined,
  windowMs: number,
): BaselineThreshold | undefined {
  if (!s || s.samples < spec.min_samples) return undefined;
  const scale = windowMs / HOUR_MS;
  const expected = s.mean * scale;
  const sd = s.sd * Math.sqrt(scale);
  const dev = spec.deviation;
  const raw = 'ratio' in dev ? expected * dev.ratio : expected + dev.sigma * sd;
  return {
    threshold: Math.max(raw, spec.min_value, Number.MIN_VALUE),
    expected,
    sd,
    samples: s.samples,
  };
}

export function baselineContext(
  value: number,
  b: { expected: number; sd: number; samples: number },
  spec: BaselineSpec,
): BaselineContext {
  const ctx: BaselineContext = {
    expected: round(b.expected),
    ratio: b.expected > 0 ? round(value / b.expected) : Number.POSITIVE_INFINITY,
    samples: b.samples,
  };
  if ('sigma' in spec.deviation)
    ctx.sigma = b.sd > 0 ? round((value - b.expected) / b.sd) : Number.POSITIVE_INFINITY;
  return ctx;
}

const round = (v: number) => Math.round(v * 1000) / 1000;
