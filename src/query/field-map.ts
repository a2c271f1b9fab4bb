/**
 * Rules speak ECS. A source group may store a field under another name; these pure helpers
 * rewrite field names in rule filters and aggregations through the group's field map.
 */
export type FieldMap = Record<string, string>;

export const mapField = (name: string, map: FieldMap): string => map[name] ?? name;

/** Query types whose single key is a field name: {term: {<field>: ...}} */
const FIELD_KEYED = new Set([
  'term',
  'terms',
  'match',
  'match_phrase',
  'match_phrase_prefix',
  'wildcard',
  'prefix',
  'regexp',
  'fuzzy',
  'range',
]);
/** Query types that name the field in a `field` property: {exists: {field: <field>}} */
const FIELD_VALUED = new Set(['exists']);

export function mapQueryFields(dsl: unknown, map: FieldMap): unknown {
  if (Object.keys(map).length === 0) return dsl;
  if (Array.isArray(dsl)) return dsl.map((d) => mapQueryFields(d, map));
  if (!dsl || typeof dsl !== 'object') return dsl;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dsl as Record<string, unknown>)) {
    if (FIELD_KEYED.has(k) && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(
        Object.entries(v).map(([f, val]) => [f === 'boost' || f === '_name' ? f : mapField(f, map), val]),
      );
    } else if (FIELD_VALUED.has(k) && v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      out[k] = { ...o, field: typeof o.field === 'string' ? mapField(o.field, map) : o.field };
    } else if (k === 'query_string' || k === 'simple_query_string') {
      out[k] = v;
    } else {
      out[k] = mapQueryFields(v, map);
    }
  }
  return out;
}
