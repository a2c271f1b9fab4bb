/**
 * Anomaly rules are validated like every other rule: one line per problem, naming the file and the
 * path inside the anomaly block. The CLI (`vigil validate`, exit 2) is covered in
 * tests/integration/anomaly/anomaly-cycle.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateConfig } from '../../../src/config/load-config';
import { parseYamlText } from '../../../src/config/read-yaml';
import { loadRules } from '../../../src/rules/load-rules';
import { QUERIES_DIR } from '../engine/fixtures';

const config = () =>
  validateConfig(
    parseYamlText('elasticsearch: {nodes: ["http://localhost:9200"]}\n', 'config.yaml'),
    'config.yaml',
    {},
    { baseDir: '/', sha256: '' },
  ).config;

const GOOD_ANOMALY = `id: odd_logins
title: t
description: d
remediation: r
severity: medium
source: auth
filter: {exists: {field: source.ip}}
group_by: [source.ip]
window: 1h
anomaly:
  features:
    - {name: failures, type: count, filter: {term: {event.outcome: failure}}}
    - {name: distinct_users, type: cardinality, field: user.name}
    - {name: bytes, type: sum, field: http.response.body.bytes}
    - {name: invalid_share, type: ratio, numerator: {term: {system.auth.ssh.event: Invalid}}, denominator: {match_all: {}}}
  training: {period: 14d, refresh: 24h, min_samples: 50}
  score_threshold: 0.7
`;

describe('anomaly rules in queries/', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-anomaly-rules-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const problemsOf = (text: string) => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), text);
    return loadRules(dir, config()).problems.map((p) => p.replace(`${path.basename(dir)}/`, ''));
  };

  test('a valid anomaly rule loads with the training defaults filled in', () => {
    fs.writeFileSync(path.join(dir, 'good.yaml'), GOOD_ANOMALY);
    const { all, problems } = loadRules(dir, config());
    expect(problems).toEqual([]);
    expect(all[0].anomaly).toMatchObject({
      score_threshold: 0.7,
      trees: 100,
      sample_size: 256,
      training: { period: 14 * 86_400_000, refresh: 86_400_000, min_samples: 50, max_samples: 200_000 },
    });
  });

  test.each([
    [
      'score_threshold: 0.7',
      'score_threshold: 1.5',
      'bad.yaml: anomaly.score_threshold: expected a score between 0.5 and 1',
    ],
    ['type: cardinality, field: user.name', 'type: cardinality', 'bad.yaml: anomaly.features.1.field:'],
    ['type: sum,', 'type: median,', 'bad.yaml: anomaly.features.2.type: expected a feature type count'],
    ['period: 14d', 'period: fortnight', 'bad.yaml: anomaly.training.period: expected a duration'],
    [
      'min_samples: 50',
      'min_samples: -3',
      'bad.yaml: anomaly.training.min_samples: expected a positive integer',
    ],
    [
      'name: bytes',
      'name: failures',
      'bad.yaml: anomaly.features.2.name: "failures" is already the name of features.0',
    ],
    [
      'denominator: {match_all: {}}',
      'denominator: {}',
      'bad.yaml: anomaly.features.3.denominator: expected exactly one',
    ],
    [
      '{term: {event.outcome: failure}}',
      '{regexp: {user.name: "ad[min"}}',
      'bad.yaml: anomaly.features.0.filter.regexp.user.name: not a valid regular expression',
    ],
    ['group_by: [source.ip]', 'group_by: []', 'bad.yaml: group_by: an anomaly rule needs a group_by'],
    [
      'window: 1h',
      'window: 1h\nthresholds: {business_hours: 5, off_hours: 3}',
      'bad.yaml: thresholds: an anomaly rule alerts on',
    ],
    ['  score_threshold: 0.7', '  score_threshold: 0.7\n  depth: 3', 'bad.yaml: anomaly.depth: unknown key'],
    [
      'window: 1h',
      'window: 1h\nsequence: {first: {term: {event.outcome: failure}}, followed_by: {term: {event.outcome: success}}}',
      'bad.yaml: sequence: an anomaly rule cannot also be a sequence rule',
    ],
  ])('%s → %s names the path', (from, to, expected) => {
    const problems = problemsOf(GOOD_ANOMALY.replace(from, to));
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.join('\n')).toContain(expected);
    for (const p of problems) expect(p).not.toMatch(/\n|at .*\.ts:/);
  });

  test('a thresholds override of an anomaly rule is reported, not silently ignored; enabled and window apply', () => {
    fs.writeFileSync(path.join(dir, 'good.yaml'), GOOD_ANOMALY);
    const withOverrides = (o: string) =>
      loadRules(
        dir,
        validateConfig(
          parseYamlText(
            `elasticsearch: {nodes: ["http://localhost:9200"]}\nrules: {overrides: {odd_logins: ${o}}}\n`,
            'config.yaml',
          ),
          'config.yaml',
          {},
          { baseDir: '/', sha256: '' },
        ).config,
      );
    expect(withOverrides('{thresholds: {off_hours: 3}}').problems).toEqual([
      'config.yaml: rules.overrides.odd_logins.thresholds: odd_logins is an anomaly rule; it alerts on anomaly.score_threshold in its rule file, not thresholds',
    ]);
    const ok = withOverrides('{enabled: false, window: 30m}');
    expect(ok.problems).toEqual([]);
    expect(ok.all[0]).toMatchObject({ enabled: false, window: 1_800_000 });
  });

  test('the shipped anomaly rules are valid and each has five features', () => {
    const { all, problems } = loadRules(QUERIES_DIR, config());
    expect(problems).toEqual([]);
    const anomaly = all.filter((r) => r.anomaly);
    expect(anomaly.map((r) => r.id).sort()).toEqual(['anomaly_auth_source', 'anomaly_web_source']);
    for (const r of anomaly) expect(r.anomaly?.features).toHaveLength(5);
  });
});
