import type { Client, estypes } from '@elastic/elasticsearch';
import { errorMessage } from '../errors';
import { buildSamplesSearch, SAMPLES_PER_SEARCH, samplesOf } from '../query/build-samples-search';
import { buildSequenceSamplesQuery } from '../query/build-sequence-query';
import type { MsearchItem } from '../query/types';
import { isSequenceRule, type Rule } from '../rules/rule-schema';
import type { Finding } from '../types';
import { runMsearch } from './run-msearch';

const MAX_FIELD_CHARS = 1024;

/**
 * Findings beyond this many get no samples (the highest over their threshold keep theirs): a
 * cycle with thousands of findings must not become one `_msearch` of thousands of searches.
 */
export const MAX_SAMPLED_FINDINGS = 200;

/**
 * Adds up to 5 recent sample events to the findings most over their threshold, with one
 * `_msearch`: one search per SAMPLES_PER_SEARCH findings of a threshold rule, one per finding of a
 * sequence rule (its own ordering). Samples only illustrate a finding: when they cannot be fetched,
 * the findings stand without them and `error` says why.
 */
export async function fetchSamples(
  client: Client,
  findings: Finding[],
  rulesById: Map<string, Rule>,
): Promise<{ took: number; error?: string }> {
  const targets = findings
    .filter((f) => rulesById.has(f.rule))
    .sort((a, b) => b.value / b.threshold - a.value / a.threshold)
    .slice(0, MAX_SAMPLED_FINDINGS);
  if (targets.length === 0) return { took: 0 };
  // each search and how its response gives the samples of its findings, in their order
  type Read = (r: estypes.SearchResponse) => Record<string, unknown>[][];
  const searches: { item: MsearchItem; label: string; findings: Finding[]; read: Read }[] = [];
  const hitsOf: Read = (r) => [r.hits.hits.map((h) => (h._source ?? {}) as Record<string, unknown>)];
  const byRule = new Map<string, Finding[]>();
  for (const f of targets) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  for (const [id, group] of byRule) {
    const rule = rulesById.get(id) as Rule;
    if (isSequenceRule(rule))
      for (const f of group)
        searches.push({
          item: buildSequenceSamplesQuery(rule, windowOf(f), f.entity),
          label: `${id} samples`,
          findings: [f],
          read: hitsOf,
        });
    else
      for (let i = 0; i < group.length; i += SAMPLES_PER_SEARCH) {
        const chunk = group.slice(i, i + SAMPLES_PER_SEARCH);
        const item = buildSamplesSearch(
          rule,
          chunk.map((f) => ({ entity: f.entity, window: windowOf(f) })),
        );
        searches.push({
          item,
          label: `${id} samples`,
          findings: chunk,
          read: (r) => samplesOf(r, chunk.length),
        });
      }
  }
  let out: Awaited<ReturnType<typeof runMsearch>>;
  try {
    out = await runMsearch(
      client,
      searches.map((s) => s.item),
      searches.map((s) => s.label),
    );
  } catch (e) {
    return { took: 0, error: `sample events not fetched: ${errorMessage(e)}` };
  }
  const failed: string[] = [];
  out.results.forEach((r, i) => {
    const { findings: of, read } = searches[i];
    if (!r.ok) {
      failed.push(`${errorMessage(r.error)} (${of.length} findings)`);
      return;
    }
    const sets = read(r.response);
    of.forEach((f, k) => {
      f.samples = (sets[k] ?? []).map((s) => capStrings(s) as Record<string, unknown>);
    });
  });
  const error = failed.length ? `sample events not fetched: ${failed.join('; ')}` : undefined;
  return { took: out.took, ...(error ? { error } : {}) };
}

const windowOf = (f: Finding) => ({ startMs: Date.parse(f.window.start), endMs: Date.parse(f.window.end) });

/** Log content is attacker-controlled: cap every string so one event cannot blow up a message. */
export function capStrings(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.length > MAX_FIELD_CHARS ? `${v.slice(0, MAX_FIELD_CHARS)}…` : v;
  if (depth > 8) return undefined;
  if (Array.isArray(v)) return v.slice(0, 20).map((x) => capStrings(x, depth + 1));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .slice(0, 50)
        .map(([k, x]) => [k, capStrings(x, depth + 1)]),
    );
  return v;
}
