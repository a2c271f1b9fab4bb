/**
 * Turns schema validation issues into one line each, naming the file and the path:
 *   config.yaml: calendar.business_hours.start: expected HH:MM, got "9am"
 *   config.yaml: calendar.timezon: unknown key, did you mean "timezone"?
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue & { input?: unknown; keys?: string[]; discriminator?: string };

export function formatIssues(issues: readonly z.core.$ZodIssue[], file: string, schema: z.ZodType): string[] {
  const lines: string[] = [];
  // once a value has the wrong type, zod's other checks on it (e.g. the max length of a string
  // given for a list) only add noise
  const wrongType = new Set(
    (issues as readonly Issue[]).filter((i) => i.code === 'invalid_type').map((i) => i.path.join('\0')),
  );
  for (const raw of issues as readonly Issue[]) {
    const path = raw.path.map(String);
    if (raw.code !== 'invalid_type' && wrongType.has(raw.path.join('\0'))) continue;
    if (raw.code === 'unrecognized_keys') {
      const valid = keysAt(schema, path);
      for (const key of raw.keys ?? []) {
        const near = nearest(key, valid);
        lines.push(
          `${file}: ${[...path, key].join('.')}: unknown key${near ? `, did you mean "${near}"?` : valid.length ? ` (expected one of ${valid.join(', ')})` : ''}`,
        );
      }
      continue;
    }
    lines.push(`${file}: ${path.length ? path.join('.') : '(top level)'}: ${describe(raw)}`);
  }
  return [...new Set(lines)];
}

const TYPE_NAMES: Record<string, string> = { array: 'a list', object: 'a mapping', record: 'a mapping' };

function describe(issue: Issue): string {
  let msg = issue.message;
  let input = issue.input;
  if (issue.code === 'invalid_type' && /^Invalid input/.test(msg)) {
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    msg = issue.input === undefined ? `missing; expected ${expected}` : `expected ${expected}`;
  } else if (issue.code === 'invalid_value' && /^Invalid/.test(msg)) {
    msg = `expected one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (issue.code === 'invalid_union') {
    // a discriminated union reports the whole object: show the discriminator's value instead
    input =
      issue.discriminator && input && typeof input === 'object'
        ? (input as Record<string, unknown>)[issue.discriminator]
        : undefined;
    if (/^Invalid/.test(msg)) msg = 'does not match any allowed form';
  }
  // a refinement of a whole object (e.g. "set either interval or cron") gets the object as input
  const structured = input !== null && typeof input === 'object';
  if (input !== undefined && !(structured && issue.code !== 'invalid_type') && !/^missing/.test(msg))
    msg += `, got ${showInput(input)}`;
  else if (input === undefined && !/missing/.test(msg) && issue.code === 'invalid_type')
    msg = `missing; ${msg}`;
  return msg;
}

function showInput(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
}

/** The valid keys of the object found at `path` in a zod schema. */
export function keysAt(schema: z.ZodType, path: string[]): string[] {
  let def: Def | undefined = (schema as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = (d: Def | undefined): Def | undefined => {
    let cur = d;
    while (cur && !['object', 'array', 'record'].includes(cur.type)) {
      const next = cur.innerType ?? cur.in;
      if (!next) return cur;
      cur = next._zod.def;
    }
    return cur;
  };
  for (const seg of path) {
    def = unwrap(def);
    if (!def) return [];
    if (def.type === 'object') def = def.shape?.[seg]?._zod.def;
    else if (def.type === 'array') def = def.element?._zod.def;
    else if (def.type === 'record') def = def.valueType?._zod.def;
    else return [];
  }
  def = unwrap(def);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

export function nearest(word: string, candidates: string[]): string | undefined {
  const prefixed = candidates.filter((c) => word.length >= 3 && c.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.abs(a.length - b.length) + 64;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
