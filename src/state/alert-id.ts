import crypto from 'node:crypto';
import type { Finding } from '../types';

/** Canonical text of an entity: fields sorted, so {a,b} and {b,a} are the same entity. */
export function entityKeyOf(entity: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(entity)
      .sort()
      .map((k) => [k, entity[k]]),
  );
}

const hash = (s: string, n: number) => crypto.createHash('sha256').update(s).digest('hex').slice(0, n);

/** Deterministic alert id: hash of rule, entity and window. Receivers use it to drop repeats. */
export function alertIdFor(f: Pick<Finding, 'rule' | 'entity' | 'window'>): string {
  return hash(`${f.rule}\n${entityKeyOf(f.entity)}\n${f.window.start}\n${f.window.end}`, 24);
}

/** Id of the state document that remembers the last alert of one rule for one entity. */
export function alertStateDocId(rule: string, entity: Record<string, string>): string {
  return `alert:${rule}:${hash(entityKeyOf(entity), 32)}`;
}
