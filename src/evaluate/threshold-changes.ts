/**
 * Pure: the span starts (whole seconds) at which the threshold in force changes, within the starts
 * whose span holds any of the entity's buckets. sliding-window.ts evaluates a span at each of
 * them, so a burst whose spans cross 18:00 is judged by the off-hours threshold of the spans that
 * end after 18:00, exactly.
 *
 * The threshold of a span start is read once a minute and, where two readings differ, at every
 * second between them. This finds every change as long as the threshold, once changed, does not
 * come back to the same value and schedule within a minute: calendars switch at whole minutes
 * (HH:MM in a zone whose offset is whole minutes) and baselines at hour boundaries.
 */
import type { Schedule } from '../types';

const SECOND_MS = 1000;
const PROBE_MS = 60_000;

type ThresholdOf = (start: number) => { threshold: number; schedule: Schedule };

const differ = (a: ReturnType<ThresholdOf>, b: ReturnType<ThresholdOf>) =>
  a.threshold !== b.threshold || a.schedule !== b.schedule;

/**
 * @param times sorted starts of the entity's 1-second buckets
 * @param windowMs the window T
 * @param first,last the first and last span start of the interval
 */
export function thresholdChanges(
  times: number[],
  windowMs: number,
  first: number,
  last: number,
  thresholdOf: ThresholdOf,
): number[] {
  const changes: number[] = [];
  // the starts whose span holds bucket t are [t − T + 1 s, t]; merge them into runs
  let i = 0;
  while (i < times.length) {
    const from = Math.max(first, times[i] - windowMs + SECOND_MS);
    let to = times[i];
    while (i + 1 < times.length && times[i + 1] - windowMs + SECOND_MS <= to + SECOND_MS) to = times[++i];
    i += 1;
    const until = Math.min(last, to);
    if (from > until) continue;
    let at = from;
    let before = thresholdOf(at);
    while (at < until) {
      const next = Math.min(until, at + PROBE_MS);
      const now = thresholdOf(next);
      if (differ(before, now)) {
        let prev = before;
        for (let s = at + SECOND_MS; s <= next; s += SECOND_MS) {
          const cur = thresholdOf(s);
          if (differ(prev, cur)) changes.push(s);
          prev = cur;
        }
      }
      before = now;
      at = next;
    }
  }
  return changes;
}
