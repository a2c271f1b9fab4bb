/**
 * Pure: the baseline slot (see slotOf) of each of many consecutive hours, without reading every
 * hour through luxon (tens of microseconds each). The zone's offset is read every few hours and,
 * where it changed, at the hours in between (by halving), then each hour's local weekday and hour
 * follow from its local time. Zones change their offset at most once in a few hours, so the
 * result is slotOf's for every hour (tests/unit/state/hour-slots.test.ts compares them).
 */
import { Info } from 'luxon';
import type { BaselineSpec } from '../rules/rule-schema';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** hours between two readings of the offset */
const STEP = 6;

/** The offset (minutes) at each of `count` hours, read every STEP hours and halved where it changed. */
function hourOffsets(offsetAt: (i: number) => number, count: number): Float64Array {
  const out = new Float64Array(count);
  let a = 0;
  let cur = offsetAt(0);
  out[0] = cur;
  while (a < count - 1) {
    const b = Math.min(a + STEP, count - 1);
    const end = offsetAt(b);
    let lo = a;
    let hi = b;
    if (end !== cur) {
      // the first hour with the new offset is in (lo, hi]
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (offsetAt(mid) === cur) lo = mid;
        else hi = mid;
      }
    } else {
      hi = b + 1;
    }
    out.fill(cur, a + 1, hi);
    out.fill(end, hi, b + 1);
    a = b;
    cur = end;
  }
  return out;
}

/** Slots of the hours startMs, startMs + 1h, … (count of them), as slotOf(hour, by, zone) gives them. */
export function hourSlots(startMs: number, count: number, by: BaselineSpec['by'], zone: string): Uint8Array {
  const slots = new Uint8Array(Math.max(0, count));
  if (by === 'none' || count <= 0) return slots;
  const z = Info.normalizeZone(zone);
  const offsets = hourOffsets((i) => z.offset(startMs + i * HOUR_MS), count);
  for (let i = 0; i < count; i++) {
    const local = startMs + i * HOUR_MS + offsets[i] * 60_000;
    const day = Math.floor(local / DAY_MS);
    const hour = Math.floor((local - day * DAY_MS) / HOUR_MS);
    // 1970-01-01 was a Thursday: Monday is weekday 0
    const weekday = (((day + 3) % 7) + 7) % 7;
    slots[i] = by === 'hour_of_day' ? hour : weekday * 24 + hour;
  }
  return slots;
}
