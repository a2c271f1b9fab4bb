// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the config under test holds ${VAR} references
/**
 * The CLI as a user meets its errors: `vigil validate` lists every problem with its path (exit 2),
 * and with Elasticsearch down `scan` and `doctor` exit 3 with one line and no stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { baseConfig, REPO, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';

jest.setTimeout(120_000);

const GOOD_RULE = `id: my_rule
title: t
description: d
remediation: r
severity: high
source: auth
filter: {term: {event.outcome: failure}}
group_by: [source.ip]
window: 2m
thresholds: {business_hours: 15, off_hours: 8}
`;

test('vigil validate on a broken config lists every problem with its path and exits 2', async () => {
  const dir = tempDir();
  const rules = path.join(dir, 'rules');
  fs.mkdirSync(rules);
  fs.writeFileSync(path.join(rules, 'good.yaml'), GOOD_RULE);
  fs.writeFileSync(
    path.join(rules, 'bad.yaml'),
    GOOD_RULE.replace('my_rule', 'bad_rule')
      .replace('window: 2m', 'window: 2 minutes')
      .replace('severity: high', 'severity: urgent'),
  );
  const config = writeConfig(
    dir,
    `elasticsearch:
  nodes: ["\${VIGIL_TEST_UNSET_URL}"]
  pasword: x
calendar:
  timezone: Mars/Olympus
  business_hours: { start: 9am, end: "18:00" }
schedule: { cron: "every five minutes" }
rules:
  dir: rules
  overrides:
    my_rule: { thresholds: { off_hours: five } }
`,
  );
  const r = await runVigil(['validate', '--config', config], {
    cwd: dir,
    env: { VIGIL_TEST_UNSET_URL: undefined },
  });
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toEqual(
    expect.arrayContaining([
      'config.yaml: elasticsearch.nodes.0: environment variable VIGIL_TEST_UNSET_URL is not set (use ${VIGIL_TEST_UNSET_URL:-default} for a default)',
      'config.yaml: elasticsearch.pasword: unknown key, did you mean "password"?',
      'config.yaml: calendar.timezone: expected an IANA time zone like Europe/Berlin, got "Mars/Olympus"',
      'config.yaml: calendar.business_hours.start: expected HH:MM, got "9am"',
      'config.yaml: schedule.cron: expected a cron expression like "*/5 * * * *", got "every five minutes"',
      'config.yaml: rules.overrides.my_rule.thresholds.off_hours: expected a positive number, got "five"',
    ]),
  );
  expect(lines[lines.length - 1]).toMatch(/^\d+ problems found$/);
  expect(r.stderr).not.toMatch(/\n\s+at /);

  // with the config fixed, the rule files' problems are listed too, each naming file and path
  writeConfig(dir, baseConfig({ rulesDir: rules, stateIndex: 'it-cli-errors-state' }));
  const rulesOnly = await runVigil(['validate', '--config', config], { cwd: dir });
  expect(rulesOnly.code).toBe(2);
  expect(rulesOnly.stderr.trim().split('\n')).toEqual([
    'rules/bad.yaml: severity: expected low, medium, high or critical, got "urgent"',
    'rules/bad.yaml: window: expected a duration like 90s, 10m, 24h or 30d (at most 366d), got "2 minutes"',
    '2 problems found',
  ]);

  // and a scan refuses to run on it, with the same lines
  const scan = await runVigil(['scan', '--config', config, '--duration', '5'], { cwd: dir });
  expect(scan.code).toBe(2);
  expect(scan.stderr).toMatch(/rules\/bad\.yaml: severity: expected low, medium, high or critical/);
  expect(scan.stdout).toBe('');

  fs.rmSync(path.join(rules, 'bad.yaml'));
  const ok = await runVigil(['validate', '--config', config], { cwd: dir });
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/valid; 1 rules \(1 enabled\)/);
});

test('vigil validate checks a threshold override against the rule’s own metric', async () => {
  const dir = tempDir();
  const withOverrides = (lines: string[]) =>
    writeConfig(
      dir,
      baseConfig({ stateIndex: 'it-cli-errors-state' }).replace(
        /^(rules:\n {2}dir: .*)$/m,
        `$1\n  overrides:\n${lines.map((l) => `    ${l}\n`).join('')}`,
      ),
    );
  const config = withOverrides([
    'login_failure_rate: { thresholds: { off_hours: 1.5 } }',
    'ssh_bruteforce: { thresholds: { business_hours: 30 } }',
  ]);
  const bad = await runVigil(['validate', '--config', config], { cwd: dir });
  expect(bad.code).toBe(2);
  expect(bad.stderr.trim().split('\n')).toEqual([
    'config.yaml: rules.overrides.login_failure_rate.thresholds.off_hours: expected a ratio between 0 and 1 for a ratio rule, got 1.5',
    '1 problem found',
  ]);

  withOverrides(['login_failure_rate: { thresholds: { off_hours: 0.4 } }']);
  const ok = await runVigil(['validate', '--config', config], { cwd: dir });
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
});

test('the shipped config and rules validate', async () => {
  const r = await runVigil(['validate'], { cwd: REPO, env: { ELASTICSEARCH_URL: 'http://localhost:9200' } });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

describe('Elasticsearch down', () => {
  const down = { ELASTICSEARCH_URL: 'http://127.0.0.1:1' };
  const config = () =>
    writeConfig(tempDir(), baseConfig({ auth: ['it-cli-errors-none-*'], stateIndex: 'it-cli-errors-state' }));

  test.each([
    ['scan', '--duration', '10'],
    ['scan', '--from', '2026-11-18T03:00:00Z', '--to', '2026-11-18T04:00:00Z', '--format', 'json'],
    ['doctor'],
  ])('vigil %s … exits 3 with exactly one line on stderr and no stack trace', async (...args) => {
    const r = await runVigil([...args, '--config', config()], { env: down });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^vigil: Elasticsearch unreachable at http:\/\/127\.0\.0\.1:1 .*connection refused/,
    );
    expect(r.stderr).not.toMatch(/\s+at \S+ \(|Error:/);
  });
});
