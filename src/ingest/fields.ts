/** Building ECS documents as nested objects. */
import type { EcsDoc } from './types';

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `extra` into `target` (objects merge, everything else replaces). Returns target. */
export function mergeFields<T extends Obj>(target: T, extra: Obj): T {
  for (const [k, v] of Object.entries(extra)) {
    const cur = (target as Obj)[k];
    if (isPlainObject(cur) && isPlainObject(v)) mergeFields(cur, v);
    else (target as Obj)[k] = v;
  }
  return target;
}

/** Sets a dotted path, e.g. setField(doc, 'source.ip', '1.2.3.4'). */
export function setField(doc: Obj, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur: Obj = doc;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur[keys[i]];
    if (!isPlainObject(next)) cur[keys[i]] = {};
    cur = cur[keys[i]] as Obj;
  }
  cur[keys[keys.length - 1]] = value;
}

/** Reads a dotted path from nested objects, also accepting flat dotted keys (`{"source.ip": ..}`). */
export function getField(doc: unknown, dotted: string): unknown {
  if (!isPlainObject(doc)) return undefined;
  if (dotted in doc) return doc[dotted];
  const dot = dotted.indexOf('.');
  if (dot < 0) return undefined;
  for (let i = dotted.indexOf('.'); i > 0; i = dotted.indexOf('.', i + 1)) {
    const head = dotted.slice(0, i);
    if (head in doc) {
      const found = getField(doc[head], dotted.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Flattens nested objects to dotted keys; arrays are values. */
export function flattenFields(
  doc: unknown,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  if (!isPlainObject(doc)) return out;
  for (const [k, v] of Object.entries(doc)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) flattenFields(v, key, out);
    else out[key] = v;
  }
  return out;
}

/** Adds the ECS `related.*` values of a document (ip, user, hosts), as Filebeat does. */
export function addRelated(doc: EcsDoc): void {
  const source = doc.source as { ip?: string } | undefined;
  const destination = doc.destination as { ip?: string } | undefined;
  const user = doc.user as { name?: string; effective?: { name?: string } } | undefined;
  const host = doc.host as { hostname?: string } | undefined;
  const related: Record<string, string[]> = {};
  const ips = [source?.ip, destination?.ip].filter((ip): ip is string => typeof ip === 'string');
  if (ips.length) related.ip = [...new Set(ips)];
  const users = [user?.name, user?.effective?.name].filter(
    (u): u is string => typeof u === 'string' && u !== '',
  );
  if (users.length) related.user = [...new Set(users)];
  if (host?.hostname) related.hosts = [host.hostname];
  if (related.ip || related.user || related.hosts) doc.related = related;
}
