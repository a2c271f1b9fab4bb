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
  /**
   * Per rule, from when its interval counts as evaluated for the checkpoint: the interval's start,
   * or the checkpoint it resumes from (also when max_catch_up cut the gap, which is warned about).
   */
  coverFrom: Map<string, number>;
  warnings: string[];
}

/**
 * Pure: where a rule's checkpoint moves after its interval was evaluated cleanly: to the interval's
 * end, but only over time that was evaluated and contiguous with the checkpoint. A scan of the last
 * 10 minutes after two hours of downtime leaves the checkpoint where it was, so the monitor still
 * covers the gap. Undefined: the checkpoint stays.
 */
export function nextCheckpoint(
  coverFromMs: number,
  endMs: number,
  checkpoint: number | undefined,
): number | undefined {
  if (checkpoint === undefined) return endMs;
  if (endMs <= checkpoint || coverFromMs > checkpoint) return undefined;
  return endMs;
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
  const coverFrom = new Map<string, number>();
  const cut: { id: string; cp: number }[] = [];
  for (const r of rules) {
    const cp = checkpoints?.get(r.id);
    if (cp === undefined) {
      const interval = firstLookbackWindow
        ? { startMs: Math.min(base.startMs, base.endMs - r.window), endMs: base.endMs }
        : base;
      intervals.set(r.id, interval);
      coverFrom.set(r.id, interval.startMs);
      continue;
    }
    if (cp >= base.endMs) continue; // evaluated up to this end already
    let from = cp;
    if (base.endMs - cp > maxCatchUpMs) {
      from = base.endMs - maxCatchUpMs;
      cut.push({ id: r.id, cp });
    }
    intervals.set(r.id, { startMs: from - r.window, endMs: base.endMs });
    coverFrom.set(r.id, cp);
  }
  if (cut.length === 0) return { intervals, coverFrom, warnings: [] };
  const oldest = new Date(Math.min(...cut.map((c) => c.cp))).toISOString();
  const names = cut.map((c) => c.id).join(', ');
  return {
    intervals,
    coverFrom,
    warnings: [
      `the gap since the last checkpoint (${oldest}) is longer than state.max_catch_up for ${cut.length === 1 ? 'rule' : 'rules'} ${names}; only the last ${Math.round(maxCatchUpMs / 60_000)} minutes are caught up`,
    ],
  };
}
