/**
 * `vigil doctor`: do the most recent documents carry the fields a rule groups by? A rule whose
 * entity field is missing counts nothing for those documents, silently (ingested web logs without
 * host.hostname made data_transfer_spike blind). Per rule and index pattern, over the last day of
 * the documents that match the rule's filter (the day before the latest such document, so that
 * replayed or old data is checked too), a `missing` aggregation per group_by field. Two rounds of
 * one `_msearch` each: the latest matching document, then the counts.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { ruleFilter } from '../query/build-rule-query';
import { mapField, mapQueryFields } from '../query/field-map';
import type { MsearchItem } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { runMsearch } from './run-msearch';

/** How far back from the latest matching document the check looks. */
export const COVERAGE_SPAN_MS = 24 * 3600 * 1000;
/** A field missing from more than this share of the recent documents is a problem. */
export const MISSING_SHARE_PROBLEM = 0.5;

export interface EntityCoverage {
  rule: string;
  pattern: string;
  field: string;
  /** Documents matching the rule's filter in the day before `latest`. */
  documents: number;
  missing: number;
  share_missing: number;
  latest: string;
  problem: boolean;
}

type RulePattern = { rule: Rule; pattern: string };

const header = (pattern: string): estypes.MsearchMultisearchHeader => ({
  index: pattern,
  ignore_unavailable: true,
  allow_no_indices: true,
  expand_wildcards: 'open',
});

/** The latest document of the pattern that matches the rule's filter. */
export function latestQuery({ rule, pattern }: RulePattern): MsearchItem {
  return {
    header: header(pattern),
    body: {
      size: 0,
      track_total_hits: false,
      query: {
        bool: { filter: [mapQueryFields(rule.filter, rule.fieldMap) as estypes.QueryDslQueryContainer] },
      },
      aggs: { latest: { max: { field: rule.timestampField } } },
    },
  };
}

/** Matching documents in the day up to `latestMs`, and how many lack each group_by field. */
export function coverageQuery({ rule, pattern }: RulePattern, latestMs: number): MsearchItem {
  const aggs: Record<string, estypes.AggregationsAggregationContainer> = {};
  rule.group_by.forEach((f, i) => {
    aggs[`m${i}`] = { missing: { field: mapField(f, rule.fieldMap) } };
  });
  return {
    header: header(pattern),
    body: {
      size: 0,
      track_total_hits: true,
      query: {
        bool: { filter: ruleFilter(rule, { startMs: latestMs - COVERAGE_SPAN_MS, endMs: latestMs + 1 }) },
      },
      aggs,
    },
  };
}

export async function checkEntityCoverage(client: Client, rules: Rule[]): Promise<EntityCoverage[]> {
  const pairs = rules
    .filter((r) => r.enabled && r.group_by.length > 0)
    .flatMap((rule) => rule.indices.map((pattern) => ({ rule, pattern })));
  const label = (p: RulePattern) => `${p.rule.id} on ${p.pattern}`;
  const first = await runMsearch(client, pairs.map(latestQuery), pairs.map(label));
  const found: { pair: RulePattern; latestMs: number }[] = [];
  first.results.forEach((r, i) => {
    const latest = r.ok ? (r.response.aggregations?.latest as { value?: number | null })?.value : null;
    if (typeof latest === 'number') found.push({ pair: pairs[i], latestMs: latest });
  });
  const second = await runMsearch(
    client,
    found.map((f) => coverageQuery(f.pair, f.latestMs)),
    found.map((f) => label(f.pair)),
  );
  const out: EntityCoverage[] = [];
  second.results.forEach((r, i) => {
    if (!r.ok) return;
    const { pair, latestMs } = found[i];
    const documents = (r.response.hits.total as estypes.SearchTotalHits).value;
    pair.rule.group_by.forEach((field, j) => {
      const missing =
        (r.response.aggregations?.[`m${j}`] as { doc_count?: number } | undefined)?.doc_count ?? 0;
      const share = documents ? missing / documents : 0;
      out.push({
        rule: pair.rule.id,
        pattern: pair.pattern,
        field: mapField(field, pair.rule.fieldMap),
        documents,
        missing,
        share_missing: Math.round(share * 1000) / 1000,
        latest: new Date(latestMs).toISOString(),
        problem: share > MISSING_SHARE_PROBLEM,
      });
    });
  });
  return out;
}
