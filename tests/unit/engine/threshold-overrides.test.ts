/**
 * `rules.overrides.<id>.thresholds` in config.yaml, through the loader as `vigil validate` runs it:
 * an override merges key by key onto the rule's own thresholds and is checked against the rule's
 * own metric (a ratio rule takes fractions, a count rule whole numbers). Issue 13, defect 8.
 */
import { validateConfig } from '../../../src/config/load-config';
import { parseYamlText } from '../../../src/config/read-yaml';
import { ConfigError } from '../../../src/errors';
import { loadRules } from '../../../src/rules/load-rules';
import type { Rule } from '../../../src/rules/rule-schema';
import { QUERIES_DIR } from './fixtures';

const ES = 'elasticsearch: {nodes: ["http://localhost:9200"]}\n';

/** Config problems, or else the shipped rules loaded with the overrides: what `vigil validate` sees. */
function loadWithOverrides(overrides: string): { problems: string[]; rules: Rule[] } {
  const yaml = `${ES}rules: {overrides: ${overrides}}`;
  try {
    const { config } = validateConfig(
      parseYamlText(yaml, 'config.yaml'),
      'config.yaml',
      {},
      {
        baseDir: '/',
        sha256: '',
      },
    );
    const { all, problems } = loadRules(QUERIES_DIR, config);
    return { problems, rules: all };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { problems: e.problems, rules: [] };
  }
}

describe('threshold overrides merge onto the rule’s own thresholds', () => {
  test.each([
    {
      name: 'a count rule, business_hours only: off_hours stays the rule’s own',
      overrides: '{ssh_bruteforce: {thresholds: {business_hours: 30}}}',
      id: 'ssh_bruteforce',
      thresholds: { business_hours: 30, off_hours: 8 },
    },
    {
      name: 'a count rule, off_hours only: business_hours stays the rule’s own',
      overrides: '{ssh_bruteforce: {thresholds: {off_hours: 5}}}',
      id: 'ssh_bruteforce',
      thresholds: { business_hours: 15, off_hours: 5 },
    },
    {
      name: 'a ratio rule takes a fraction',
      overrides: '{login_failure_rate: {thresholds: {off_hours: 0.4}}}',
      id: 'login_failure_rate',
      thresholds: { business_hours: 0.5, off_hours: 0.4 },
    },
    {
      name: 'a ratio rule takes 1 (every attempt failed)',
      overrides: '{login_failure_rate: {thresholds: {business_hours: 1, off_hours: 0.25}}}',
      id: 'login_failure_rate',
      thresholds: { business_hours: 1, off_hours: 0.25 },
    },
    {
      name: 'a baseline-only rule given both keys gets fixed thresholds next to its baseline',
      overrides: '{data_transfer_spike: {thresholds: {business_hours: 50000000, off_hours: 20000000}}}',
      id: 'data_transfer_spike',
      thresholds: { business_hours: 50_000_000, off_hours: 20_000_000 },
    },
  ])('$name', ({ overrides, id, thresholds }) => {
    const { problems, rules } = loadWithOverrides(overrides);
    expect(problems).toEqual([]);
    const rule = rules.find((r) => r.id === id);
    expect(rule?.thresholds).toEqual(thresholds);
    if (id === 'data_transfer_spike') expect(rule?.baseline).toBeDefined();
  });
});

describe('threshold overrides are checked against the rule’s own metric, one line naming the path', () => {
  const at = (id: string, key: string) => `config.yaml: rules.overrides.${id}.thresholds.${key}`;
  test.each([
    {
      overrides: '{login_failure_rate: {thresholds: {off_hours: 1.5}}}',
      line: `${at('login_failure_rate', 'off_hours')}: expected a ratio between 0 and 1 for a ratio rule, got 1.5`,
    },
    {
      overrides: '{login_failure_rate: {thresholds: {business_hours: 40}}}',
      line: `${at('login_failure_rate', 'business_hours')}: expected a ratio between 0 and 1 for a ratio rule, got 40`,
    },
    {
      overrides: '{ssh_bruteforce: {thresholds: {off_hours: 2.5}}}',
      line: `${at('ssh_bruteforce', 'off_hours')}: expected a positive integer for a count rule, got 2.5`,
    },
    {
      overrides: '{ssh_distributed: {thresholds: {business_hours: 0.5}}}',
      line: `${at('ssh_distributed', 'business_hours')}: expected a positive integer for a cardinality rule, got 0.5`,
    },
    {
      overrides: '{ssh_bruteforce: {thresholds: {off_hours: 0}}}',
      line: `${at('ssh_bruteforce', 'off_hours')}: expected a positive number, got 0`,
    },
    {
      overrides: '{login_failure_rate: {thresholds: {off_hours: -0.2}}}',
      line: `${at('login_failure_rate', 'off_hours')}: expected a positive number, got -0.2`,
    },
    {
      overrides: '{ssh_bruteforce: {thresholds: {off_hours: five}}}',
      line: `${at('ssh_bruteforce', 'off_hours')}: expected a positive number, got "five"`,
    },
    {
      overrides: '{data_transfer_spike: {thresholds: {business_hours: 50000000}}}',
      line: `${at('data_transfer_spike', 'off_hours')}: missing; data_transfer_spike has no thresholds of its own, so set both business_hours and off_hours`,
    },
  ])('$line', ({ overrides, line }) => {
    expect(loadWithOverrides(overrides).problems).toEqual([line]);
  });

  test('a rejected override leaves no rule with a made-up threshold', () => {
    const { rules } = loadWithOverrides('{data_transfer_spike: {thresholds: {business_hours: 50000000}}}');
    const rule = rules.find((r) => r.id === 'data_transfer_spike');
    expect(rule?.thresholds?.off_hours).not.toBe(1);
  });
});
