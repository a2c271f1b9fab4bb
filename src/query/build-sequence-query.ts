/**
 * Pure builders for sequence rules (`sequence: {first, followed_by}`): (rule, interval) → `_msearch` items.
 *
 *  candidates  one composite page of entities over [start − window, end): per entity the number
 *              of `first` events and of `followed_by` events inside [start, end). Only an entity with a
 *              `followed_by` in the interval and enough `first` events in all can fire (exact prune).
 *  seconds     per candidate entity, 1-second buckets with the `first` and `followed_by` counts in each:
 *              the order of events at the resolution of syslog time stamps.
 *  samples     the `followed_by` events of a finding first (the login that worked), then the latest
 *              `first` events, only the fields that matter.
 * The query reaches back one window before the interval, so failures in one cycle and the success
 * in the next are seen together.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Rule, SequenceSpec } from '../rules/rule-schema';
import { buildSamplesQuery, groupSources, headerFor, ruleFilter } from './build-rule-query';
import { mapField, mapQueryFields } from './field-map';
import type { AfterKey, Interval, MsearchItem } from './types';

export const SEQUENCE_PAGE_SIZE = 10_000;
/** Width of the buckets that order `first` and `followed_by` events: syslog has whole seconds. */
export const SEQUENCE_BUCKET_MS = 1000;

type SequenceRuleShape = Pick<
  Rule,
  'indices' | 'filter' | 'group_by' | 'metric' | 'fieldMap' | 'timestampField' | 'thresholds' | 'window'
> & { sequence: SequenceSpec };

const dsl = (q: unknown, rule: SequenceRuleShape) =>
  mapQueryFields(q, rule.fieldMap) as estypes.QueryDslQueryContainer;

/** The interval the `first` events are read from: one window before the interval's start. */
export function lookbackInterval(rule: Pick<Rule, 'window'>, interval: Interval): Interval {
  return { startMs: interval.startMs - rule.window, endMs: interval.endMs };
}

function eitherEvent(rule: SequenceRuleShape): estypes.QueryDslQueryContainer {
  return {
    bool: {
      should: [dsl(rule.sequence.first, rule), dsl(rule.sequence.followed_by, rule)],
      minimum_should_match: 1,
    },
  };
}

/** The rule's filter over `read`, limited to `first` or `followed_by` events. */
function sequenceFilter(rule: SequenceRuleShape, read: Interval): estypes.QueryDslQueryContainer[] {
  return [...ruleFilter(rule, read), eitherEvent(rule)];
}

function inInterval(rule: SequenceRuleShape, interval: Interval): estypes.QueryDslQueryContainer {
  return {
    range: { [rule.timestampField]: { gte: interval.startMs, lt: interval.endMs, format: 'epoch_millis' } },
  };
}

/** One composite page of `name` over `filter`, with the `first` and `followed_by` counts per bucket. */
function countsPage(
  rule: SequenceRuleShape,
  filter: estypes.QueryDslQueryContainer[],
  name: 'entities' | 'series',
  sources: Record<string, estypes.AggregationsCompositeAggregationSource>[],
  followedBy: estypes.QueryDslQueryContainer,
  after?: AfterKey,
): MsearchItem {
  const composite = { size: SEQUENCE_PAGE_SIZE, sources, ...(after ? { after } : {}) };
  const aggs = { first: { filter: dsl(rule.sequence.first, rule) }, followed_by: { filter: followedBy } };
  return {
    header: headerFor(rule),
    body: {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter } },
      aggs: { [name]: { composite, aggs } },
    },
  };
}

export function buildSequenceCandidatesQuery(
  rule: SequenceRuleShape,
  interval: Interval,
  after?: AfterKey,
): MsearchItem {
  const filter = sequenceFilter(rule, lookbackInterval(rule, interval));
  // only a `followed_by` inside the interval can fire
  const followedBy = { bool: { filter: [dsl(rule.sequence.followed_by, rule), inInterval(rule, interval)] } };
  return countsPage(rule, filter, 'entities', groupSources(rule), followedBy, after);
}

/** `candidates` holds, per group_by position, the values to keep; the caller filters combinations. */
export function buildSequenceSecondsQuery(
  rule: SequenceRuleShape,
  interval: Interval,
  candidates: string[][],
  after?: AfterKey,
): MsearchItem {
  const filter = sequenceFilter(rule, lookbackInterval(rule, interval));
  rule.group_by.forEach((f, i) => {
    filter.push({ terms: { [mapField(f, rule.fieldMap)]: candidates[i] } });
  });
  const sources = [
    ...groupSources(rule),
    { t: { date_histogram: { field: rule.timestampField, fixed_interval: `${SEQUENCE_BUCKET_MS}ms` } } },
  ];
  return countsPage(rule, filter, 'series', sources, dsl(rule.sequence.followed_by, rule), after);
}

/** Sample events of a sequence finding: its `followed_by` events first, each group newest first. */
export function buildSequenceSamplesQuery(
  rule: SequenceRuleShape & Pick<Rule, 'sample_fields'>,
  window: Interval,
  entity: Record<string, string>,
): MsearchItem {
  const item = buildSamplesQuery(rule, window, entity);
  const bool = item.body.query?.bool as estypes.QueryDslBoolQuery;
  bool.filter = [...(bool.filter as estypes.QueryDslQueryContainer[]), eitherEvent(rule)];
  // scores only order the samples: a `followed_by` event scores 1, a `first` event 0
  bool.should = [{ constant_score: { filter: dsl(rule.sequence.followed_by, rule), boost: 1 } }];
  item.body.sort = [{ _score: { order: 'desc' } }, ...(item.body.sort as estypes.SortCombinations[])];
  return item;
}
