/**
 * The straightforward baseline computation vigil used before the per-slot precomputation: every
 * query walks every hour of the period through luxon. Kept as the oracle the precomputed lookup
 * must agree with (tests/unit/state/baseline-lookup.test.ts) and as the "old" side of
 * bench/baseline-eval.ts. Not used by vigil itself.
 */
import {
  type BaselineLookup,
  type BaselineModel,
  HOUR_MS,
  type SlotStats,
  slotOf,
  statsOf,
  thresholdFromStats,
} from '../../src/evaluate/baseline-model';

/** The slot of every hour of the period through luxon, on every query. */
export function naiveSlotStats(
  model: BaselineModel,
  entity: string,
  atMs: number,
  beforeMs = model.completeUntil,
): SlotStats | undefined {
  const e = model.entities.get(entity);
  if (!e) return undefined;
  const slot = slotOf(atMs, model.spec.by, model.timezone);
  const from = Math.max(e.firstSeen, model.completeUntil - model.spec.period);
  const until = Math.min(model.completeUntil, Math.floor(beforeMs / HOUR_MS) * HOUR_MS);
  const values: number[] = [];
  for (let h = from; h < until; h += HOUR_MS) {
    if (slotOf(h, model.spec.by, model.timezone) === slot) values.push(e.hours.get(h) ?? 0);
  }
  return statsOf(values);
}

/** The old lookup: nothing precomputed, every query recomputed from the hours. */
export function naiveLookup(model: BaselineModel): BaselineLookup {
  return {
    stats: (entity, atMs, beforeMs) => naiveSlotStats(model, entity, atMs, beforeMs),
    threshold: (entity, endMs, windowMs) =>
      thresholdFromStats(model.spec, naiveSlotStats(model, entity, endMs - 1, endMs - windowMs), windowMs),
  };
}
