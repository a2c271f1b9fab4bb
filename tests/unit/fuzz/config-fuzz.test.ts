/**
 * ≥ 200 generated invalid configs and rule files through the loaders, in process: each is
 * rejected with a ConfigError whose every line names its file and the broken path, with no
 * stack trace. (tests/reliability/fuzz-cli.test.ts runs a sample through `vigil validate`.)
 */

import YAML from 'yaml';
import { formatIssues } from '../../../src/config/format-issues';
import { validateConfig } from '../../../src/config/load-config';
import { parseYamlText } from '../../../src/config/read-yaml';
import { ConfigError } from '../../../src/errors';
import { ruleSchema } from '../../../src/rules/rule-schema';
import { fuzzCases, VALID_CONFIG, VALID_RULE } from './config-cases';

const RULE_LABEL = 'rules/fuzz_rule.yaml';

/** What `vigil validate` reports for one config text and one rule text (loadRules' steps, in memory). */
function problemsOf(config: string, rule: string): string[] {
  try {
    validateConfig(
      parseYamlText(config, 'config.yaml') ?? {},
      'config.yaml',
      {},
      { baseDir: '/tmp', sha256: '' },
    );
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  let raw: unknown;
  try {
    raw = parseYamlText(rule, RULE_LABEL);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  const parsed = ruleSchema.safeParse(raw ?? {}, { reportInput: true });
  return parsed.success ? [] : formatIssues(parsed.error.issues, RULE_LABEL, ruleSchema);
}

const cases = fuzzCases();

it('generates at least 200 invalid variants', () => {
  expect(cases.length).toBeGreaterThanOrEqual(200);
});

it('the unmutated config and rule are valid', () => {
  expect(problemsOf(YAML.stringify(VALID_CONFIG), YAML.stringify(VALID_RULE))).toEqual([]);
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('is rejected, one line per problem naming the file and the path, no stack trace', () => {
    const problems = problemsOf(c.config, c.rule);
    expect(problems.length).toBeGreaterThan(0);
    const label = c.file === 'rule' ? RULE_LABEL : 'config.yaml';
    for (const line of problems) {
      expect(line).not.toContain('\n');
      expect(line.startsWith(label)).toBe(true);
      expect(line.length).toBeLessThan(400);
      expect(line).not.toMatch(/\bat .+:\d+:\d+\)?$/); // a stack frame
    }
    for (const want of c.expect) {
      const text = want === 'rule' ? RULE_LABEL : want;
      expect(problems.some((l) => l.includes(text))).toBe(true);
    }
  });
});
