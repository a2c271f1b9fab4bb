/**
 * Pure: what is normal for an entity at a given time. Samples are hourly values (bytes, counts)
 * from the baseline period; hours with no events since the entity was first seen count as zero.
 * `by` picks which hours compare: the same hour of the week, the same hour of the day, or all.
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

function slotOf(ms: number, by: BaselineSpec['by'], zone: string): number {
  if (by === 'none') return 0;
  const t = DateTime.fromMillis(ms, { zone });
  return by === 'hour_of_day' ? t.hour : (t.weekday - 1) * 24 + t.hour;
}

/**
 * Mean and standard deviation of the samples in the same slot as `atMs`, from the hours that
 * closed before `beforeMs` (default: all complete hours).
 */
export function slotStats(
  model: BaselineModel,
  entity: string,
  atMs: number,
  beforeMs = model.completeUntil,
): { mean: number; sd: number; samples: number } | undefined {
  const e = model.entities.get(entity);
  if (!e) return undefined;
  const slot = slotOf(atMs, model.spec.by, model.timezone);
  const from = Math.max(e.firstSeen, model.completeUntil - model.spec.period);
  const until = Math.min(model.completeUntil, Math.floor(beforeMs / HOUR_MS) * HOUR_MS);
  const values: number[] = [];
  for (let h = from; h < until; h += HOUR_MS) {
    if (slotOf(h, model.spec.by, model.timezone) === slot) values.push(e.hours.get(h) ?? 0);
  }
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, sd, samples: values.length };
}

/**
 * The baseline threshold for a span of `windowMs` ending at `endMs`: expected × ratio, or
 * mean + sigma × sd, scaled from hours to the window. Undefined with too few samples.
 * Hours that overlap the span are left out, so a spike never raises its own baseline.
 */
export function baselineThreshold(
  model: BaselineModel,
  entity: string,
  endMs: number,
  windowMs: number,
): { threshold: number; expected: number; sd: number; samples: number } | undefined {
  const s = slotStats(model, entity, endMs - 1, endMs - windowMs);
  if (!s || s.samples < model.spec.min_samples) return undefined;
  const scale = windowMs / HOUR_MS;
  const expected = s.mean * scale;
  const sd = s.sd * Math.sqrt(scale);
  const dev = model.spec.deviation;
  const raw = 'ratio' in dev ? expected * dev.ratio : expected + dev.sigma * sd;
  return {
    threshold: Math.max(raw, model.spec.min_value, Number.MIN_VALUE),
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
