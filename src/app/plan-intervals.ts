/**
 * Pure: the interval each rule evaluates in this cycle.
 *  - without a checkpoint (or without --resume): the scan interval;
 *  - with one: from the checkpoint to the cycle end, so downtime is caught up, bounded by
 *    max_catch_up (one warning when the gap was larger);
 *  - a resumed interval reaches back one rule window before the checkpoint, so a burst that
 *    straddles two cycles is still seen whole (dedup drops what was already alerted);
 *  - a rule whose checkpoint is at or past the cycle end has nothing new: it is left out.
 */
import type { Interval } from '../query/types';

export interface IntervalPlan {
  intervals: Map<string, Interval>;
  warnings: string[];
}

export function planIntervals(
  rules: { id: string; window: number }[],
  base: Interval,
  checkpoints: Map<string, number> | undefined,
  maxCatchUpMs: number,
): IntervalPlan {
  const intervals = new Map<string, Interval>();
  const warnings: string[] = [];
  for (const r of rules) {
    const cp = checkpoints?.get(r.id);
    if (cp === undefined) {
      intervals.set(r.id, base);
      continue;
    }
    if (cp >= base.endMs) continue; // evaluated up to this end already
    let from = cp;
    if (base.endMs - cp > maxCatchUpMs) {
      from = base.endMs - maxCatchUpMs;
      warnings.push(
        `rule ${r.id}: the gap since its checkpoint (${new Date(cp).toISOString()}) is longer than state.max_catch_up; only the last ${Math.round(maxCatchUpMs / 60_000)} minutes are caught up`,
      );
    }
    intervals.set(r.id, { startMs: from - r.window, endMs: base.endMs });
  }
  return { intervals, warnings };
}
