/**
 * Preflight for a set of rules: which indices each pattern matches, and whether the fields the
 * rules aggregate or filter on are mapped with a usable type. One `_field_caps` per source group.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { mapField } from '../query/field-map';
import type { Rule } from '../rules/rule-schema';
import { mapEsError } from './client';

export interface SourceReport {
  indices: string[];
  patterns: { pattern: string; indices: string[] }[];
  fields: { field: string; types: string[]; usable: boolean; need: string }[];
}

/** Fields a rule needs, with the kind of type it needs them as. */
export function fieldsNeeded(rule: Rule): { field: string; need: 'aggregatable' | 'date' | 'numeric' }[] {
  const out: { field: string; need: 'aggregatable' | 'date' | 'numeric' }[] = [
    { field: rule.timestampField, need: 'date' },
  ];
  for (const f of rule.group_by) out.push({ field: mapField(f, rule.fieldMap), need: 'aggregatable' });
  if (rule.metric.type === 'sum')
    out.push({ field: mapField(rule.metric.field, rule.fieldMap), need: 'numeric' });
  if (rule.metric.type === 'cardinality')
    out.push({ field: mapField(rule.metric.field, rule.fieldMap), need: 'aggregatable' });
  return out;
}

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);
const DATE = new Set(['date', 'date_nanos']);

export function patternToRegExp(pattern: string): RegExp {
  const esc = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

export async function checkSource(
  client: Client,
  patterns: string[],
  needed: { field: string; need: string }[],
): Promise<SourceReport> {
  let res: estypes.FieldCapsResponse;
  const fields = [...new Set(needed.map((n) => n.field))];
  try {
    // `fields` in the query string: Elasticsearch 7.17 and 8.0–8.4 read it only from there (the
    // client puts it in the body, which they answer with "specified fields can't be null or empty")
    res = await client.fieldCaps(
      { index: patterns, ignore_unavailable: true, allow_no_indices: true },
      { querystring: { fields: fields.join(',') } },
    );
  } catch (e) {
    throw mapEsError(e, `reading mappings of ${patterns.join(',')}`, client);
  }
  const indices = res.indices as string[];
  const report: SourceReport = {
    indices,
    patterns: patterns.map((p) => ({
      pattern: p,
      indices: indices.filter((i) => patternToRegExp(p).test(i)),
    })),
    fields: [],
  };
  if (indices.length === 0) return report;
  const seen = new Set<string>();
  for (const n of needed) {
    const key = `${n.field}|${n.need}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const caps = res.fields[n.field] ?? {};
    const types = Object.keys(caps).filter((t) => t !== 'unmapped');
    const usable =
      types.length > 0 &&
      types.every((t) => {
        if (n.need === 'date') return DATE.has(t);
        if (n.need === 'numeric') return NUMERIC.has(t);
        return caps[t].aggregatable;
      });
    report.fields.push({ field: n.field, types: Object.keys(caps), usable, need: n.need });
  }
  return report;
}

/** One-line warnings a scan prints before it runs (empty when all is well). */
export function sourceWarnings(
  rulesByPatterns: { patterns: string[]; rules: Rule[]; report: SourceReport }[],
): string[] {
  const out: string[] = [];
  for (const { rules, report } of rulesByPatterns) {
    const ids = rules.map((r) => r.id).join(', ');
    if (report.indices.length === 0) {
      out.push(
        `no index matches ${report.patterns.map((p) => p.pattern).join(', ')} (rules ${ids}): nothing to scan there`,
      );
      continue;
    }
    for (const f of report.fields.filter((x) => !x.usable)) {
      const users = rules.filter((r) => fieldsNeeded(r).some((n) => n.field === f.field)).map((r) => r.id);
      const what =
        f.types.length === 0 || (f.types.length === 1 && f.types[0] === 'unmapped')
          ? 'is not mapped in any matching index'
          : `is mapped as ${f.types.join('/')}; needs ${f.need === 'aggregatable' ? 'keyword or ip' : f.need}`;
      out.push(`field ${f.field} ${what} (rules ${users.join(', ')})`);
    }
  }
  return out;
}
