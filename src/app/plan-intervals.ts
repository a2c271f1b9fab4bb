/**
 * Pure: the interval each rule evaluates in this cycle.
 *  - without a checkpoint (or without --resume): the scan interval;
 *  - with one: from the checkpoint to the cycle end, so downtime is caught up, bounded by
 *    max_catch_up (one warning per cycle, naming the rules, when a gap was larger);
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
  /** monitor: a rule without a checkpoint looks back at least one window on its first cycle */
  firstLookbackWindow = false,
): IntervalPlan {
  const intervals = new Map<string, Interval>();
  const cut: { id: string; cp: number }[] = [];
  for (const r of rules) {
    const cp = checkpoints?.get(r.id);
    if (cp === undefined) {
      intervals.set(
        r.id,
        firstLookbackWindow
          ? { startMs: Math.min(base.startMs, base.endMs - r.window), endMs: base.endMs }
          : base,
      );
      continue;
    }
    if (cp >= base.endMs) continue; // evaluated up to this end already
    let from = cp;
    if (base.endMs - cp > maxCatchUpMs) {
      from = base.endMs - maxCatchUpMs;
      cut.push({ id: r.id, cp });
    }
    intervals.set(r.id, { startMs: from - r.window, endMs: base.endMs });
  }
  if (cut.length === 0) return { intervals, warnings: [] };
  const oldest = new Date(Math.min(...cut.map((c) => c.cp))).toISOString();
  const names = cut.map((c) => c.id).join(', ');
  return {
    intervals,
    warnings: [
      `the gap since the last checkpoint (${oldest}) is longer than state.max_catch_up for ${cut.length === 1 ? 'rule' : 'rules'} ${names}; only the last ${Math.round(maxCatchUpMs / 60_000)} minutes are caught up`,
    ],
  };
}
