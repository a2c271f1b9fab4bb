/**
 * Pure: an allowlist as query clauses. Allowlisted events are excluded inside every query of a
 * rule (`must_not`), so they cost nothing and never reach evaluation, baselines, samples or the
 * report: an address or CIDR range is a `terms` clause on an `ip` field (which takes ranges), a
 * wildcard pattern a `wildcard` clause, exact values a `terms` clause.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Allowlist } from '../config/allowlist-schema';
import { hasWildcard, isAddressField } from '../evaluate/match-value';
import { type FieldMap, mapField } from './field-map';

/** The clauses an allowlisted event matches (any one of them); empty for no allowlist. */
export function allowlistClauses(
  allowlist: Allowlist | undefined,
  fieldMap: FieldMap,
): estypes.QueryDslQueryContainer[] {
  const out: estypes.QueryDslQueryContainer[] = [];
  for (const [ecsField, values] of Object.entries(allowlist ?? {})) {
    const field = mapField(ecsField, fieldMap);
    const patterns = isAddressField(ecsField) ? [] : values.filter(hasWildcard);
    const exact = values.filter((v) => !patterns.includes(v));
    if (exact.length) out.push({ terms: { [field]: exact } });
    for (const value of patterns) out.push({ wildcard: { [field]: { value } } });
  }
  return out;
}

/** A filter clause that keeps only events off the allowlist, or undefined for no allowlist. */
export function allowlistFilter(
  allowlist: Allowlist | undefined,
  fieldMap: FieldMap,
): estypes.QueryDslQueryContainer | undefined {
  const clauses = allowlistClauses(allowlist, fieldMap);
  return clauses.length ? { bool: { must_not: clauses } } : undefined;
}
