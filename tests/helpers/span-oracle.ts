/**
 * A brute-force oracle for exact sliding windows, written from the definition and nothing else:
 * for every whole second s from floor(A) to ceil(B) − T, the events e with A ≤ e.at < B and
 * s ≤ e.at < s + T form the span [max(s, A), min(s + T, B)); an interval no longer than T is one
 * span. It reads the events themselves (no buckets, no pointers), so it shares no code with
 * src/evaluate/sliding-window.ts.
 */
import type { Interval } from '../../src/query/types';
import type { Metric } from '../../src/rules/rule-schema';
import type { Schedule } from '../../src/types';

export interface OracleEvent {
  at: number;
  /** sum metric: the field's value */
  sum?: number;
  /** ratio metric: the event matches the numerator / the denominator */
  num?: boolean;
  den?: boolean;
  /** cardinality metric: the field's value */
  distinct?: string;
}

export interface OracleSpan {
  /** how many events the span holds (the peak is taken over spans that hold any) */
  events?: number;
  value: number;
  threshold: number;
  schedule: Schedule;
  startMs: number;
  endMs: number;
  /**
   * Just after the latest event held: the end of its second, or, when the interval is one span
   * (totals carry the latest event's time), the event + 1 ms; at most B
   */
  eventsEndMs?: number;
}

/** The metric over the events with from ≤ at < to (a plain loop over all of them). */
function spanValue(
  metric: Metric,
  events: OracleEvent[],
  from: number,
  to: number,
): { held: number; value: number; latest: number } {
  let held = 0;
  let latest = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let num = 0;
  let den = 0;
  const distinct = new Set<string>();
  for (const e of events) {
    if (e.at < from || e.at >= to) continue;
    held += 1;
    latest = Math.max(latest, e.at);
    sum += e.sum ?? 0;
    if (e.num) num += 1;
    if (e.den) den += 1;
    if (e.distinct !== undefined) distinct.add(e.distinct);
  }
  switch (metric.type) {
    case 'count':
      return { held, latest, value: held };
    case 'sum':
      return { held, latest, value: sum };
    case 'cardinality':
      return { held, latest, value: distinct.size };
    case 'ratio':
      return { held, latest, value: den >= metric.min_total && den > 0 ? num / den : 0 };
  }
}

/** Every span of the interval, in order of its start. */
export function allSpans(
  events: OracleEvent[],
  interval: Interval,
  windowMs: number,
  metric: Metric,
  thresholdAt: (ms: number) => { threshold: number; schedule: Schedule },
): OracleSpan[] {
  const { startMs: A, endMs: B } = interval;
  const inside = events.filter((e) => e.at >= A && e.at < B);
  if (B - A <= windowMs) {
    const { held, value, latest } = spanValue(metric, inside, A, B);
    const eventsEndMs = held > 0 ? latest + 1 : undefined;
    return [{ events: held, value, ...thresholdAt(B - 1), startMs: A, endMs: B, eventsEndMs }];
  }
  const spans: OracleSpan[] = [];
  for (let s = Math.floor(A / 1000) * 1000; s <= Math.ceil(B / 1000) * 1000 - windowMs; s += 1000) {
    const endMs = Math.min(s + windowMs, B);
    const { held, value, latest } = spanValue(metric, inside, s, s + windowMs);
    const eventsEndMs = held > 0 ? Math.min(Math.floor(latest / 1000) * 1000 + 1000, B) : undefined;
    spans.push({
      events: held,
      value,
      ...thresholdAt(endMs - 1),
      startMs: Math.max(s, A),
      endMs,
      eventsEndMs,
    });
  }
  return spans;
}

/**
 * The highest value over the spans that hold events (earliest on ties) and the firing span with
 * the highest value/threshold (earliest on ties), without their event counts.
 */
export function bestSpans(all: OracleSpan[]): { peak: OracleSpan; firing?: OracleSpan } {
  const spans = all.map(({ events, ...s }) => ({ s, held: (events ?? 0) > 0 }));
  let peak = (spans.find((x) => x.held) ?? spans[0]).s;
  let firing: OracleSpan | undefined;
  for (const { s, held } of spans) {
    if (held && s.value > peak.value) peak = s;
    if (s.value >= s.threshold && (!firing || s.value / s.threshold > firing.value / firing.threshold))
      firing = s;
  }
  return { peak, firing };
}
