/**
 * JSON lines → ECS documents. A field map renames source keys (dotted paths into the object) to ECS
 * fields; keys not mapped are kept under `json.*`, which the template stores but does not index, so
 * arbitrary applications cannot explode or break the mapping.
 */
import { isIP } from 'node:net';
import { parseHttpDate } from './access-fields';
import { getField, setField } from './fields';
import { baseDoc, type ParseContext } from './parse-context';
import { failure, type ParseResult } from './types';

export interface JsonFieldMap {
  /** Source key of the event time; default: the first of @timestamp, timestamp, time, ts present. */
  timestampField?: string;
  /** Source key (dotted path) → ECS field (dotted path). */
  fields: Record<string, string>;
}

const DEFAULT_TIME_FIELDS = ['@timestamp', 'timestamp', 'time', 'ts'];

export function parseJsonLine(line: string, map: JsonFieldMap, ctx: ParseContext): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return failure('bad_json', `invalid JSON (${(e as Error).message.slice(0, 60)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failure('json_not_object', 'a JSON line must be an object');
  }
  const obj = value as Record<string, unknown>;
  const timeKey = map.timestampField ?? DEFAULT_TIME_FIELDS.find((k) => getField(obj, k) !== undefined);
  const ms = timeKey === undefined ? Number.NaN : toMillis(getField(obj, timeKey), ctx);
  if (Number.isNaN(ms))
    return failure('bad_timestamp', `no readable time in ${timeKey ?? DEFAULT_TIME_FIELDS.join('/')}`);

  const doc = baseDoc(ctx, line, ms, 'vigil', 'vigil.json');
  const mappedKeys = new Set<string>(timeKey ? [timeKey] : []);
  for (const [from, to] of Object.entries(map.fields)) {
    const v = getField(obj, from);
    if (v === undefined || v === null) continue;
    mappedKeys.add(from);
    if (to.endsWith('.ip') && (typeof v !== 'string' || !isIP(v))) {
      setField(doc, `${to.slice(0, -3)}.address`, String(v));
      continue;
    }
    setField(doc, to, v);
  }
  const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => !mappedKeys.has(k)));
  if (Object.keys(rest).length) doc.json = rest;
  return { ok: true, docs: [doc] };
}

function toMillis(v: unknown, ctx: ParseContext): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v !== 'string') return Number.NaN;
  if (/^\d+(\.\d+)?$/.test(v)) return toMillis(Number(v), ctx);
  const http = parseHttpDate(v);
  return Number.isNaN(http) ? ctx.clock.isoToMillis(v) : http;
}
