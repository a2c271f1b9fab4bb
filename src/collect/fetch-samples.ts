import type { Client } from '@elastic/elasticsearch';
import { errorMessage } from '../errors';
import { buildSamplesQuery } from '../query/build-rule-query';
import { buildSequenceSamplesQuery } from '../query/build-sequence-query';
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
 * `_msearch`. Samples only illustrate a finding: when they cannot be fetched, the findings stand
 * without them and `error` says why.
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
  const items = targets.map((f) => {
    const rule = rulesById.get(f.rule) as Rule;
    const window = { startMs: Date.parse(f.window.start), endMs: Date.parse(f.window.end) };
    return isSequenceRule(rule)
      ? buildSequenceSamplesQuery(rule, window, f.entity)
      : buildSamplesQuery(rule, window, f.entity);
  });
  let out: Awaited<ReturnType<typeof runMsearch>>;
  try {
    out = await runMsearch(
      client,
      items,
      targets.map((f) => `${f.rule} samples`),
    );
  } catch (e) {
    return { took: 0, error: `sample events not fetched: ${errorMessage(e)}` };
  }
  out.results.forEach((r, i) => {
    if (r.ok)
      targets[i].samples = r.response.hits.hits.map((h) => capStrings(h._source) as Record<string, unknown>);
  });
  return { took: out.took };
}

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
