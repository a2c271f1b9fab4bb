/**
 * `vigil validate` on sequence rules (`sequence: {first, followed_by}`): each problem is one line
 * naming the file and the path, as for every other rule.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateConfig } from '../../../src/config/load-config';
import { parseYamlText } from '../../../src/config/read-yaml';
import { loadRules } from '../../../src/rules/load-rules';
import { isSequenceRule } from '../../../src/rules/rule-schema';

const RULE = `id: seq
title: t
description: d
remediation: r
severity: critical
source: auth
filter: { term: { event.action: ssh_login } }
group_by: [source.ip]
sequence:
  first: { term: { event.outcome: failure } }
  followed_by: { term: { event.outcome: success } }
window: 10m
thresholds: { business_hours: 10, off_hours: 10 }
`;

function problemsOf(yaml: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-seq-'));
  const rules = path.join(dir, 'rules');
  fs.mkdirSync(rules);
  fs.writeFileSync(path.join(rules, 'seq.yaml'), yaml);
  const { config } = validateConfig(
    parseYamlText('elasticsearch: {nodes: ["http://localhost:9200"]}\n', 'config.yaml'),
    'config.yaml',
    {},
    { baseDir: dir, sha256: '' },
  );
  const loaded = loadRules(rules, config);
  if (loaded.problems.length === 0) expect(isSequenceRule(loaded.all[0])).toBe(true);
  return loaded.problems;
}

test('a valid sequence rule loads as one', () => {
  expect(problemsOf(RULE)).toEqual([]);
});

test.each([
  [
    'group_by: []',
    'rules/seq.yaml: group_by: a sequence rule follows one entity: expected at least one field (e.g. [source.ip])',
  ],
  [
    'metric: { type: sum, field: x }',
    'rules/seq.yaml: metric.type: a sequence rule counts its first events: expected count (or no metric), got sum',
  ],
  ['recovery: true', 'rules/seq.yaml: recovery: a sequence rule fires on one event and has no recovery'],
  [
    'baseline: { deviation: { ratio: 2 } }',
    'rules/seq.yaml: baseline: a sequence rule has fixed thresholds, not a baseline',
  ],
])('%s is refused with its path', (line, problem) => {
  const yaml = line.startsWith('group_by') ? RULE.replace('group_by: [source.ip]', line) : `${RULE}${line}\n`;
  expect(problemsOf(yaml)).toContain(problem);
});

test('a broken query or an unknown key in the sequence names its path', () => {
  expect(problemsOf(RULE.replace('followed_by: { term', 'then: { term'))).toEqual([
    'rules/seq.yaml: sequence.followed_by: missing; expected an Elasticsearch query (a mapping such as {term: {event.outcome: failure}})',
    'rules/seq.yaml: sequence.then: unknown key (expected one of first, followed_by)',
  ]);
  expect(
    problemsOf(
      RULE.replace('first: { term: { event.outcome: failure } }', 'first: { regexp: { user.name: "[a" } }'),
    ),
  ).toEqual([
    'rules/seq.yaml: sequence.first.regexp.user.name: not a valid regular expression: expected \']\' at position 2, got "[a"',
  ]);
});
