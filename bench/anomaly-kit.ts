/**
 * In-memory evaluation for bench/anomaly.ts (no cluster): the shipped rules' filters evaluated on
 * flattened ECS documents (bool, term, terms, exists, range, match_all: what the shipped rules
 * use), anomaly feature vectors per (entity, hour) exactly as the composite aggregation computes
 * them, and threshold rules evaluated over exact sliding windows ending at each event.
 */
import type { Calendar } from '../src/config/schema';
import { thresholdFor } from '../src/evaluate/calendar';
import type { AnomalyRule } from '../src/query/build-anomaly-query';
import type { Rule } from '../src/rules/rule-schema';

export type Doc = Record<string, unknown> & { '@timestamp': number };

const values = (doc: Doc, field: string): unknown[] => {
  const v = doc[field];
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
};

/** Does the document match the query (the subset of the DSL the shipped rules use)? */
export function matches(query: Record<string, unknown>, doc: Doc): boolean {
  const [type, arg] = Object.entries(query)[0] as [string, Record<string, unknown>];
  switch (type) {
    case 'match_all':
      return true;
    case 'term': {
      const [f, v] = Object.entries(arg)[0];
      const want = typeof v === 'object' && v !== null ? (v as { value: unknown }).value : v;
      return values(doc, f).some((x) => String(x) === String(want));
    }
    case 'terms': {
      const [f, list] = Object.entries(arg)[0] as [string, unknown[]];
      return values(doc, f).some((x) => list.map(String).includes(String(x)));
    }
    case 'exists':
      return values(doc, arg.field as string).length > 0;
    case 'range': {
      const [f, r] = Object.entries(arg)[0] as [string, Record<string, number>];
      return values(doc, f).some((x) => {
        const n = Number(x);
        return (
          (r.gte === undefined || n >= r.gte) &&
          (r.gt === undefined || n > r.gt) &&
          (r.lte === undefined || n <= r.lte) &&
          (r.lt === undefined || n < r.lt)
        );
      });
    }
    case 'bool': {
      const list = (k: string) => {
        const v = arg[k];
        return v === undefined ? [] : Array.isArray(v) ? v : [v];
      };

      const must = [...list('filter'), ...list('must')].every((q) => matches(q, doc));
      const not = list('must_not').some((q) => matches(q, doc));
      const should = list('should');
      const min =
        (arg.minimum_should_match as number | undefined) ??
        (should.length && !list('filter').length && !list('must').length ? 1 : 0);
      const shouldOk = should.filter((q) => matches(q, doc)).length >= min;
      return must && !not && shouldOk;
    }
    default:
      throw new Error(`bench/anomaly-kit: query type ${type} is not evaluated in memory`);
  }
}

export interface WindowVector {
  key: string;
  startMs: number;
  vector: number[];
}

/** Every (entity, fixed window) with events, and its feature vector (exact distinct counts). */
export function featureVectors(rule: AnomalyRule, docs: Doc[], fromMs: number, toMs: number): WindowVector[] {
  const field = rule.group_by[0];
  const groups = new Map<string, Doc[]>();
  for (const d of docs) {
    if (d['@timestamp'] < fromMs || d['@timestamp'] >= toMs || !matches(rule.filter, d)) continue;
    const entity = values(d, field)[0];
    if (entity === undefined) continue;
    const start = Math.floor(d['@timestamp'] / rule.window) * rule.window;
    const k = `${entity}\n${start}`;
    const list = groups.get(k) ?? [];
    list.push(d);
    groups.set(k, list);
  }
  return [...groups].map(([k, list]) => {
    const [key, start] = k.split('\n');
    const vector = rule.anomaly.features.map((f) => {
      if (f.type === 'ratio') {
        const den = list.filter((d) => matches(f.denominator, d)).length;
        return den > 0 ? list.filter((d) => matches(f.numerator, d)).length / den : 0;
      }
      const kept = f.filter ? list.filter((d) => matches(f.filter as Record<string, unknown>, d)) : list;
      if (f.type === 'count') return kept.length;
      if (f.type === 'cardinality') return new Set(kept.flatMap((d) => values(d, f.field).map(String))).size;
      return kept.reduce((s, d) => s + (Number(values(d, f.field)[0]) || 0), 0);
    });
    return { key, startMs: Number(start), vector };
  });
}

export interface Firing {
  rule: string;
  key: string;
  atMs: number;
}

/**
 * A count or cardinality threshold rule grouped by one field, over exact sliding windows ending at
 * each matching event; one firing per episode (a new one after `realert` without firing).
 */
export function thresholdFirings(
  rule: Rule,
  docs: Doc[],
  calendar: Calendar,
  fromMs: number,
  toMs: number,
): Firing[] {
  if (!rule.thresholds || rule.group_by.length !== 1) return [];
  if (rule.metric.type !== 'count' && rule.metric.type !== 'cardinality') return [];
  const field = rule.group_by[0];
  const byKey = new Map<string, Doc[]>();
  for (const d of docs) {
    if (d['@timestamp'] < fromMs - rule.window || d['@timestamp'] >= toMs || !matches(rule.filter, d))
      continue;
    const k = values(d, field)[0];
    if (k === undefined) continue;
    const list = byKey.get(String(k)) ?? [];
    list.push(d);
    byKey.set(String(k), list);
  }
  const out: Firing[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a['@timestamp'] - b['@timestamp']);
    let lo = 0;
    let lastFire = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]['@timestamp'];
      while (list[lo]['@timestamp'] <= t - rule.window) lo++;
      const inSpan = list.slice(lo, i + 1);
      const value =
        rule.metric.type === 'count'
          ? inSpan.length
          : new Set(inSpan.flatMap((d) => values(d, (rule.metric as { field: string }).field).map(String)))
              .size;
      if (t < fromMs) continue;
      if (value >= thresholdFor(rule.thresholds, t + 1, calendar).threshold) {
        if (t - lastFire > rule.realert) out.push({ rule: rule.id, key, atMs: t });
        lastFire = t;
      }
    }
  }
  return out;
}
