/**
 * Pure: the baseline lookup evaluation uses. The slot of every hour of the period is computed once
 * per model (all entities share the period's hours), so a query reads only the hours of its slot,
 * about 4 of 720 for hour_of_week, instead of walking the whole period through luxon; an entity's
 * statistics are kept per slot and cut-off hour and reused by its other spans. The hours read,
 * their order and so every sum are those of the straightforward walk: results are identical.
 */
import {
  type BaselineLookup,
  type BaselineModel,
  type BaselineThreshold,
  HOUR_MS,
  type SlotStats,
  slotOf,
  statsOf,
  thresholdFromStats,
} from './baseline-model';
import { hourSlots } from './hour-slots';
import { memoByNumber } from './memo';

interface HourGrid {
  /** the first hour of the period (ms); the grid runs up to completeUntil */
  start: number;
  /** per slot, the indices (from `start`, in hours) of the period's hours in that slot, ascending */
  bySlot: number[][];
}

function hourGrid(model: BaselineModel): HourGrid {
  const start = model.completeUntil - model.spec.period;
  const count = Math.max(0, Math.ceil((model.completeUntil - start) / HOUR_MS));
  const slots = hourSlots(start, count, model.spec.by, model.timezone);
  const bySlot: number[][] = [];
  for (let i = 0; i < count; i++) {
    const list = bySlot[slots[i]] ?? [];
    list.push(i);
    bySlot[slots[i]] = list;
  }
  return { start, bySlot };
}

/** Builds the lookup for one model; the model must not change while the lookup is in use. */
export function precomputeBaseline(model: BaselineModel): BaselineLookup {
  const { spec, timezone, completeUntil } = model;
  const grid = hourGrid(model);
  const slotAt = memoByNumber((ms) => slotOf(ms, spec.by, timezone));
  /** per entity, per cut-off hour + slot (the hour is a multiple of HOUR_MS, the slot < 168) */
  const cache = new Map<string, Map<number, SlotStats | undefined>>();

  /** The values of the entity's hours in `slot` within [from, until), oldest first, 0 when quiet. */
  function slotValues(hours: Map<number, number>, slot: number, from: number, until: number): number[] {
    const values: number[] = [];
    if ((from - grid.start) % HOUR_MS === 0) {
      for (const i of grid.bySlot[slot] ?? []) {
        const h = grid.start + i * HOUR_MS;
        if (h < from) continue;
        if (h >= until) break;
        values.push(hours.get(h) ?? 0);
      }
      return values;
    }
    // first seen off the period's hour grid (a period that is not whole hours): walk its own hours
    for (let h = from; h < until; h += HOUR_MS) if (slotAt(h) === slot) values.push(hours.get(h) ?? 0);
    return values;
  }

  function stats(entity: string, atMs: number, beforeMs = completeUntil): SlotStats | undefined {
    const e = model.entities.get(entity);
    if (!e) return undefined;
    const slot = slotAt(atMs);
    const until = Math.min(completeUntil, Math.floor(beforeMs / HOUR_MS) * HOUR_MS);
    const known = cache.get(entity) ?? new Map<number, SlotStats | undefined>();
    cache.set(entity, known);
    const key = until + slot;
    if (!known.has(key)) {
      const from = Math.max(e.firstSeen, grid.start);
      known.set(key, statsOf(slotValues(e.hours, slot, from, until)));
    }
    return known.get(key);
  }

  return {
    stats,
    threshold: (entity, endMs, windowMs) =>
      thresholdFromStats(spec, stats(entity, endMs - 1, endMs - windowMs), windowMs),
  };
}

/** One query of a model (tests, one-off uses); evaluation builds one lookup per rule and cycle. */
export function slotStats(
  model: BaselineModel,
  entity: string,
  atMs: number,
  beforeMs?: number,
): SlotStats | undefined {
  return precomputeBaseline(model).stats(entity, atMs, beforeMs);
}

export function baselineThreshold(
  model: BaselineModel,
  entity: string,
  endMs: number,
  windowMs: number,
): BaselineThreshold | undefined {
  return precomputeBaseline(model).threshold(entity, endMs, windowMs);
}
