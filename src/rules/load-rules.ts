import fs from 'node:fs';
import path from 'node:path';
import { mergeAllowlists } from '../config/allowlist-schema';
import { formatIssues, nearest } from '../config/format-issues';
import { readYamlFile } from '../config/read-yaml';
import type { ParsedConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { applyOverride } from './apply-override';
import { type Rule, ruleSchema } from './rule-schema';

export interface LoadedRules {
  /** every rule, enabled or not, with overrides applied */
  all: Rule[];
  /** problems found, one line each; empty when every rule is valid */
  problems: string[];
}

/**
 * Reads every *.yaml / *.yml in the rules folder, validates each, applies `rules.overrides` from
 * the config and resolves the source group. Collects every problem instead of stopping at the first.
 */
export function loadRules(dir: string, config: ParsedConfig, configLabel = 'config.yaml'): LoadedRules {
  const problems: string[] = [];
  let files: string[];
  try {
    files = fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (e) {
    throw new ConfigError(
      `${configLabel}: rules.dir: cannot read the rules folder ${dir} (${(e as NodeJS.ErrnoException).code})`,
      { cause: e },
    );
  }
  if (files.length === 0) problems.push(`${dir}: no rule files (*.yaml) found`);
  const all: Rule[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const label = path.join(path.basename(dir), name);
    let raw: unknown;
    try {
      raw = readYamlFile(path.join(dir, name), label).value;
    } catch (e) {
      problems.push(...(e instanceof ConfigError ? e.problems : [`${label}: ${(e as Error).message}`]));
      continue;
    }
    const parsed = ruleSchema.safeParse(raw ?? {}, { reportInput: true });
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues, label, ruleSchema));
      continue;
    }
    const spec = parsed.data;
    if (seen.has(spec.id)) {
      problems.push(`${label}: id: "${spec.id}" is already used by ${seen.get(spec.id)}`);
      continue;
    }
    seen.set(spec.id, label);
    const source = config.sources[spec.source];
    if (!source) {
      const near = nearest(spec.source, Object.keys(config.sources));
      problems.push(
        `${label}: source: unknown source group "${spec.source}"${near ? `, did you mean "${near}"?` : ` (config has ${Object.keys(config.sources).join(', ')})`}`,
      );
      continue;
    }
    const overridden = applyOverride(
      {
        ...spec,
        indices: source.indices,
        fieldMap: source.fields,
        timestampField: source.timestamp_field,
        allowlist: mergeAllowlists(source.allowlist, config.rules.overrides[spec.id]?.allowlist),
        file: label,
      },
      config.rules.overrides[spec.id],
      configLabel,
    );
    problems.push(...overridden.problems);
    all.push(overridden.rule);
  }
  for (const id of Object.keys(config.rules.overrides)) {
    if (!seen.has(id)) {
      const near = nearest(id, [...seen.keys()]);
      problems.push(
        `${configLabel}: rules.overrides.${id}: no rule with this id${near ? `, did you mean "${near}"?` : ''}`,
      );
    }
  }
  return { all, problems };
}

/** Enabled rules, optionally limited to the ids named with --rule (unknown ids are a usage error). */
export function selectRules(rules: Rule[], only: string[] = []): Rule[] {
  if (only.length === 0) return rules.filter((r) => r.enabled);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const unknown = only.filter((id) => !byId.has(id));
  if (unknown.length) {
    const hints = unknown.map((id) => {
      const near = nearest(id, [...byId.keys()]);
      return `--rule ${id}: no such rule${near ? `, did you mean "${near}"?` : ''}`;
    });
    throw new ConfigError(hints);
  }
  return only.map((id) => byId.get(id) as Rule);
}
