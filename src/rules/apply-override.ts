/** `rules.overrides.<id>` from the config, applied to a loaded rule. */
import type { ParsedConfig } from '../config/schema';
import type { Rule } from './rule-schema';
import { THRESHOLD_KEYS, type Thresholds, thresholdProblem } from './threshold-checks';

type Override = ParsedConfig['rules']['overrides'][string];

/**
 * The rule with its override applied, and the override's problems, one line each naming the path
 * (`config.yaml: rules.overrides.<id>.thresholds.off_hours: ...`). A threshold override that does
 * not fit the rule is reported and left out; the rule keeps its own thresholds.
 */
export function applyOverride(
  rule: Rule,
  override: Override | undefined,
  configLabel: string,
): { rule: Rule; problems: string[] } {
  if (!override) return { rule, problems: [] };
  const out: Rule = { ...rule };
  if (override.enabled !== undefined) out.enabled = override.enabled;
  if (override.window !== undefined) out.window = override.window;
  if (override.severity !== undefined) out.severity = override.severity;
  if (override.channels !== undefined) out.channels = override.channels;
  if (override.realert !== undefined) out.realert = override.realert;
  if (!override.thresholds) return { rule: out, problems: [] };
  if (rule.anomaly)
    return {
      rule: out,
      problems: [
        `${configLabel}: rules.overrides.${rule.id}.thresholds: ${rule.id} is an anomaly rule; it alerts on anomaly.score_threshold in its rule file, not thresholds`,
      ],
    };
  const merged = mergeThresholds(rule, override.thresholds);
  const at = `${configLabel}: rules.overrides.${rule.id}.thresholds`;
  const problems = merged.problems.map(({ key, message }) => `${at}.${key}: ${message}`);
  if (merged.thresholds) out.thresholds = merged.thresholds;
  return { rule: out, problems };
}

/**
 * Pure: the override's keys on top of the rule's own thresholds, each checked against the rule's
 * metric. A rule without thresholds of its own (baseline only) has nothing to fill a missing key
 * from, so the override must give both.
 */
export function mergeThresholds(
  rule: Pick<Rule, 'id' | 'metric' | 'thresholds'>,
  override: Partial<Thresholds>,
): { thresholds?: Thresholds; problems: { key: string; message: string }[] } {
  const problems: { key: string; message: string }[] = [];
  const merged: Partial<Thresholds> = { ...rule.thresholds, ...definedOnly(override) };
  for (const key of THRESHOLD_KEYS) {
    const value = merged[key];
    if (value === undefined) {
      problems.push({
        key,
        message: `missing; ${rule.id} has no thresholds of its own, so set both business_hours and off_hours`,
      });
      continue;
    }
    if (override[key] === undefined) continue;
    const problem = thresholdProblem(rule.metric.type, value);
    if (problem) problems.push({ key, message: `${problem} for a ${rule.metric.type} rule, got ${value}` });
  }
  return problems.length ? { problems } : { thresholds: merged as Thresholds, problems };
}

function definedOnly(o: Partial<Thresholds>): Partial<Thresholds> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
