/**
 * Sample events of several findings of one threshold rule in one search, instead of one search per
 * finding: the query keeps the events of any of the findings (its entity, within its window), and a
 * `filters` aggregation with one bucket per finding returns the SAMPLE_SIZE most recent events of
 * each (top_hits), only the fields that matter. On the bench:peer data, 200 findings' samples
 * took 220 ms as 200 searches.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Rule } from '../rules/rule-schema';
import { headerFor, ruleFilter, SAMPLE_SIZE, sampleFields } from './build-rule-query';
import { mapField } from './field-map';
import type { Interval, MsearchItem } from './types';

/**
 * Findings per search: each adds a clause per group_by field and one range to the query and to the
 * aggregation, so 50 findings of a rule grouped by 4 fields stay far below the engines' 1024 clauses.
 */
export const SAMPLES_PER_SEARCH = 50;

export interface SampleTarget {
  entity: Record<string, string>;
  window: Interval;
}

type SampledRule = Parameters<typeof ruleFilter>[0] & Pick<Rule, 'sample_fields'>;

/** One search for up to SAMPLES_PER_SEARCH findings of `rule`; bucket i holds target i's samples. */
export function buildSamplesSearch(rule: SampledRule, targets: SampleTarget[]): MsearchItem {
  const own = targets.map(
    ({ entity, window }): estypes.QueryDslQueryContainer => ({
      bool: {
        filter: [
          {
            range: {
              [rule.timestampField]: { gte: window.startMs, lt: window.endMs, format: 'epoch_millis' },
            },
          },
          ...Object.entries(entity).map(([f, v]) => ({ term: { [mapField(f, rule.fieldMap)]: v } })),
        ],
      },
    }),
  );
  const span = {
    startMs: Math.min(...targets.map((t) => t.window.startMs)),
    endMs: Math.max(...targets.map((t) => t.window.endMs)),
  };
  return {
    header: headerFor(rule),
    body: {
      size: 0,
      track_total_hits: false,
      query: {
        bool: { filter: [...ruleFilter(rule, span), { bool: { should: own, minimum_should_match: 1 } }] },
      },
      aggs: {
        findings: {
          filters: { filters: Object.fromEntries(own.map((q, i) => [String(i), q])) },
          aggs: {
            recent: {
              top_hits: {
                size: SAMPLE_SIZE,
                sort: [{ [rule.timestampField]: { order: 'desc' } }],
                _source: sampleFields(rule),
              },
            },
          },
        },
      },
    },
  };
}

/** The samples of each target, in the order of the targets, from the search's response. */
export function samplesOf(response: estypes.SearchResponse, count: number): Record<string, unknown>[][] {
  const buckets = (
    response.aggregations?.findings as
      | { buckets: Record<string, { recent?: { hits: { hits: { _source?: unknown }[] } } }> }
      | undefined
  )?.buckets;
  return Array.from({ length: count }, (_, i) =>
    (buckets?.[String(i)]?.recent?.hits.hits ?? []).map((h) => (h._source ?? {}) as Record<string, unknown>),
  );
}
