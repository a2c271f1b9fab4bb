/**
 * Pages composite aggregations to the end for many searches at once: every round sends the next
 * page of every unfinished search in one `_msearch`.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { QueryError } from '../errors';
import type { AfterKey, MsearchItem } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { runMsearch } from './run-msearch';

export interface CollectStats {
  took: number;
  rounds: number;
  searches: number;
}

export interface Job {
  rule: Pick<Rule, 'id'>;
  build: (after?: AfterKey) => MsearchItem;
  after?: AfterKey;
  pageSize: number;
  onPage: (resp: estypes.SearchResponse) => void;
  done: boolean;
  error?: QueryError;
}

/** Runs jobs to completion, paging each, with one `_msearch` per round for all pending jobs. */
export async function runJobs(client: Client, jobs: Job[], stats: CollectStats): Promise<void> {
  for (;;) {
    const pending = jobs.filter((j) => !j.done && !j.error);
    if (pending.length === 0) return;
    const out = await runMsearch(
      client,
      pending.map((j) => j.build(j.after)),
      pending.map((j) => j.rule.id),
    );
    stats.took += out.took;
    stats.rounds += 1;
    stats.searches += pending.length;
    out.results.forEach((r, i) => {
      const job = pending[i];
      if (!r.ok) {
        job.error = r.error;
        return;
      }
      job.onPage(r.response);
      const agg = (r.response.aggregations ?? {}) as Record<string, estypes.AggregationsCompositeAggregate>;
      const comp = agg.entities ?? agg.series;
      const buckets = (comp?.buckets ?? []) as unknown[];
      if (!comp || buckets.length < job.pageSize || !comp.after_key) job.done = true;
      else job.after = comp.after_key as AfterKey;
    });
  }
}
