// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} references in config values
/**
 * Config and rule validation: every message names the file and the path, unknown keys suggest the
 * nearest key, ${VAR} and *_file secrets, YAML bombs, time zones, cron and durations.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, validateConfig } from '../../../src/config/load-config';
import { parseYamlText } from '../../../src/config/read-yaml';
import { substituteEnv } from '../../../src/config/substitute-env';
import { ConfigError } from '../../../src/errors';
import { loadRules } from '../../../src/rules/load-rules';
import { QUERIES_DIR } from './fixtures';

const ES = 'elasticsearch: {nodes: ["http://localhost:9200"]}\n';

/** The problems a config text has, one line each (empty when valid). */
function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    validateConfig(parseYamlText(yaml, 'config.yaml'), 'config.yaml', env, { baseDir: '/', sha256: '' });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

describe('config: one line per problem, naming file and path', () => {
  test.each([
    {
      yaml: `${ES}calendar: {business_hours: {start: 9am, end: "18:00"}}`,
      line: 'config.yaml: calendar.business_hours.start: expected HH:MM, got "9am"',
    },
    {
      yaml: `${ES}calendar: {business_hours: {start: "08:00", end: "24:00"}}`,
      line: 'config.yaml: calendar.business_hours.end: expected HH:MM, got "24:00"',
    },
    {
      yaml: `${ES}rules: {overrides: {ssh_bruteforce: {thresholds: {off_hours: five}}}}`,
      line: 'config.yaml: rules.overrides.ssh_bruteforce.thresholds.off_hours: expected a positive number, got "five"',
    },
    {
      yaml: `${ES}rules: {overrides: {ssh_bruteforce: {thresholds: {off_hours: 0}}}}`,
      line: 'config.yaml: rules.overrides.ssh_bruteforce.thresholds.off_hours: expected a positive number, got 0',
    },
    {
      yaml: `${ES}calendar: {timezone: Europe/Berlinn}`,
      line: 'config.yaml: calendar.timezone: expected an IANA time zone like Europe/Berlin, got "Europe/Berlinn"',
    },
    {
      yaml: `${ES}calendar: {timezone: CEST+2}`,
      line: 'config.yaml: calendar.timezone: expected an IANA time zone like Europe/Berlin, got "CEST+2"',
    },
    {
      yaml: `${ES}schedule: {cron: "every 5 minutes"}`,
      line: 'config.yaml: schedule.cron: expected a cron expression like "*/5 * * * *", got "every 5 minutes"',
    },
    {
      yaml: `${ES}schedule: {cron: "61 * * * *"}`,
      line: 'config.yaml: schedule.cron: expected a cron expression like "*/5 * * * *", got "61 * * * *"',
    },
    {
      yaml: `${ES}schedule: {interval: 5 minutes}`,
      line: 'config.yaml: schedule.interval: expected a duration like 90s, 10m, 24h or 30d (at most 366d), got "5 minutes"',
    },
    {
      yaml: `${ES}schedule: {interval: 0s}`,
      line: 'config.yaml: schedule.interval: expected a duration like 90s, 10m, 24h or 30d (at most 366d), got "0s"',
    },
    {
      yaml: `${ES}schedule: {interval: 1m, cron: "*/5 * * * *"}`,
      line: 'config.yaml: schedule: set either interval or cron, not both',
    },
    {
      yaml: `${ES}calendar: {holidays: [25.12.2026]}`,
      line: 'config.yaml: calendar.holidays.0: expected a date YYYY-MM-DD, got "25.12.2026"',
    },
    {
      yaml: `${ES}calendar: {business_days: [monday]}`,
      line: 'config.yaml: calendar.business_days.0: expected weekdays from mon, tue, wed, thu, fri, sat, sun, got "monday"',
    },
    {
      yaml: `${ES}rules: {overrides: {ssh_bruteforce: {severity: urgent}}}`,
      line: 'config.yaml: rules.overrides.ssh_bruteforce.severity: expected low, medium, high or critical, got "urgent"',
    },
    {
      yaml: 'elasticsearch: {nodes: [localhost]}',
      line: 'config.yaml: elasticsearch.nodes.0: expected a URL like http://localhost:9200, got "localhost"',
    },
    { yaml: 'calendar: {}', line: 'config.yaml: elasticsearch: missing; expected a mapping' },
  ])('$line', ({ yaml, line }) => {
    expect(problemsOf(yaml)).toEqual([line]);
  });

  test.each([
    {
      yaml: `${ES}calendar: {timezon: UTC}`,
      line: 'config.yaml: calendar.timezon: unknown key, did you mean "timezone"?',
    },
    {
      yaml: `${ES}elasticserch: {}`,
      line: 'config.yaml: elasticserch: unknown key, did you mean "elasticsearch"?',
    },
    {
      yaml: `${ES}calendar: {business_hour: {start: "08:00", end: "18:00"}}`,
      line: 'config.yaml: calendar.business_hour: unknown key, did you mean "business_hours"?',
    },
    {
      yaml: `${ES}rules: {overrides: {ssh_bruteforce: {treshold: {off_hours: 5}}}}`,
      line: 'config.yaml: rules.overrides.ssh_bruteforce.treshold: unknown key, did you mean "thresholds"?',
    },
    {
      yaml: `${ES}schedule: {query_dealy: 1m}`,
      line: 'config.yaml: schedule.query_dealy: unknown key, did you mean "query_delay"?',
    },
    {
      yaml: 'elasticsearch: {nodes: ["http://x:9200"], pasword: x}',
      line: 'config.yaml: elasticsearch.pasword: unknown key, did you mean "password"?',
    },
  ])('unknown key: $line', ({ yaml, line }) => {
    expect(problemsOf(yaml)).toEqual([line]);
  });

  test('every problem is listed, not just the first', () => {
    const problems = problemsOf(`${ES}calendar:
  timezone: Mars/Olympus
  business_hours: {start: 9am, end: "18:00"}
schedule: {cron: nope, query_delay: soon}
rules: {overrides: {ssh_bruteforce: {thresholds: {off_hours: five}, windw: 2m}}}
`);
    expect(problems).toEqual([
      'config.yaml: calendar.timezone: expected an IANA time zone like Europe/Berlin, got "Mars/Olympus"',
      'config.yaml: calendar.business_hours.start: expected HH:MM, got "9am"',
      'config.yaml: schedule.cron: expected a cron expression like "*/5 * * * *", got "nope"',
      'config.yaml: schedule.query_delay: expected a duration like 90s, 10m, 24h or 30d (at most 366d), got "soon"',
      'config.yaml: rules.overrides.ssh_bruteforce.thresholds.off_hours: expected a positive number, got "five"',
      'config.yaml: rules.overrides.ssh_bruteforce.windw: unknown key, did you mean "window"?',
    ]);
  });

  test('a valid config fills the defaults', () => {
    const { config } = validateConfig(
      parseYamlText(ES, 'config.yaml'),
      'config.yaml',
      {},
      { baseDir: '/', sha256: '' },
    );
    expect(config.calendar).toEqual({
      timezone: 'UTC',
      business_days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      business_hours: { start: '08:00', end: '18:00' },
      holidays: [],
    });
    expect(config.schedule.query_delay).toBe(60_000);
    expect(config.elasticsearch.request_timeout).toBe(30_000);
  });
});

describe('${VAR} substitution', () => {
  test.each([
    {
      env: { ES_URL: 'http://es:9200' },
      yaml: 'elasticsearch: {nodes: ["${ES_URL}"]}',
      nodes: ['http://es:9200'],
    },
    {
      env: {},
      yaml: 'elasticsearch: {nodes: ["${ES_URL:-http://fallback:9200}"]}',
      nodes: ['http://fallback:9200'],
    },
    {
      env: { ES_URL: '' },
      yaml: 'elasticsearch: {nodes: ["${ES_URL:-http://fallback:9200}"]}',
      nodes: ['http://fallback:9200'],
    },
    {
      env: { HOST: 'es', PORT: '9201' },
      yaml: 'elasticsearch: {nodes: ["http://${HOST}:${PORT}"]}',
      nodes: ['http://es:9201'],
    },
  ])('$yaml with $env', ({ env, yaml, nodes }) => {
    const { config } = validateConfig(parseYamlText(yaml, 'config.yaml'), 'config.yaml', env, {
      baseDir: '/',
      sha256: '',
    });
    expect(config.elasticsearch.nodes).toEqual(nodes);
  });

  test('a missing variable names the path and how to give a default', () => {
    const problems = problemsOf(`${ES}calendar: {timezone: "\${TZ_NAME}"}`);
    expect(problems).toEqual([
      'config.yaml: calendar.timezone: environment variable TZ_NAME is not set (use ${TZ_NAME:-default} for a default)',
    ]);
  });

  test('a value from the environment cannot change the structure of the file', () => {
    const env = { EVIL: 'x"]\nschedule: {interval: 1s}' };
    const out = substituteEnv({ calendar: { timezone: '${EVIL}' } }, env, 'config.yaml');
    expect(out.value).toEqual({ calendar: { timezone: env.EVIL } });
  });

  test('$${ escapes a literal ${', () => {
    expect(substituteEnv({ a: 'cost $${X}' }, {}, 'config.yaml').value).toEqual({ a: 'cost ${X}' });
  });
});

describe('*_file secrets', () => {
  const files: Record<string, string> = {
    '/run/secrets/es-password': 's3cret-pass\n',
    '/run/secrets/api': 'aWQ6a2V5',
  };
  const reader = (p: string) => (p in files ? { text: files[p].replace(/\n$/, '') } : { error: 'ENOENT' });

  test('password_file sets password from the file, without its trailing newline, and marks it secret', () => {
    const out = substituteEnv(
      { elasticsearch: { username: 'vigil', password_file: '/run/secrets/es-password' } },
      {},
      'config.yaml',
      reader,
    );
    expect(out.value).toEqual({ elasticsearch: { username: 'vigil', password: 's3cret-pass' } });
    expect(out.secrets).toContain('s3cret-pass');
    expect(out.problems).toEqual([]);
  });

  test('the file path itself may come from the environment; empty means not set', () => {
    const out = substituteEnv(
      { elasticsearch: { api_key_file: '${KEY_FILE}', password_file: '${PW_FILE:-}' } },
      { KEY_FILE: '/run/secrets/api' },
      'config.yaml',
      reader,
    );
    expect(out.value).toEqual({ elasticsearch: { api_key: 'aWQ6a2V5' } });
  });

  test('an unreadable file names the path and the reason', () => {
    const out = substituteEnv(
      { elasticsearch: { password_file: '/run/secrets/missing' } },
      {},
      'config.yaml',
      reader,
    );
    expect(out.problems).toEqual([
      'config.yaml: elasticsearch.password_file: cannot read /run/secrets/missing (ENOENT)',
    ]);
  });

  test('through loadConfig, with a real file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-config-'));
    try {
      fs.writeFileSync(path.join(dir, 'pw'), 'from-a-file\n');
      const file = path.join(dir, 'config.yaml');
      fs.writeFileSync(
        file,
        `elasticsearch:\n  nodes: ["http://localhost:9200"]\n  username: vigil\n  password_file: ${path.join(dir, 'pw')}\n`,
      );
      const loaded = loadConfig(file, {});
      expect(loaded.config.elasticsearch.password).toBe('from-a-file');
      expect(loaded.secrets).toContain('from-a-file');
      fs.writeFileSync(
        file,
        `elasticsearch:\n  nodes: ["http://localhost:9200"]\n  password_file: ${path.join(dir, 'nope')}\n`,
      );
      expect(() => loadConfig(file, {})).toThrow(
        /elasticsearch\.password_file: cannot read .*nope \(ENOENT\)/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('YAML itself', () => {
  test('a billion-laughs alias bomb is rejected', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    expect(() => parseYamlText(levels.join('\n'), 'config.yaml')).toThrow(
      'config.yaml: not valid YAML: too many alias expansions (a YAML bomb?)',
    );
  });

  test('a few aliases are fine', () => {
    expect(parseYamlText('base: &b {business_hours: 10, off_hours: 5}\nother: *b', 'config.yaml')).toEqual({
      base: { business_hours: 10, off_hours: 5 },
      other: { business_hours: 10, off_hours: 5 },
    });
  });

  test.each([
    {
      text: 'calendar:\n  timezone: UTC\n  timezone: Europe/Berlin\n',
      line: /^config\.yaml:3: not valid YAML: Map keys must be unique/,
    },
    { text: 'calendar: [unclosed\n', line: /^config\.yaml(:\d+)?: not valid YAML: / },
  ])('broken YAML names the file and line: $line', ({ text, line }) => {
    expect(() => parseYamlText(text, 'config.yaml')).toThrow(line);
  });

  test('a top level that is not a mapping', () => {
    expect(() => validateConfig(['a'], 'config.yaml', {}, { baseDir: '/', sha256: '' })).toThrow(
      /^config\.yaml: expected a mapping of sections/,
    );
  });
});

describe('rules', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rules-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = (yaml = ES) =>
    validateConfig(parseYamlText(yaml, 'config.yaml'), 'config.yaml', {}, { baseDir: '/', sha256: '' })
      .config;
  const GOOD = `id: my_rule
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
  const problemsOfRule = (text: string, name = 'bad.yaml') => {
    fs.writeFileSync(path.join(dir, name), text);
    return loadRules(dir, config()).problems;
  };
  const label = () => `${path.basename(dir)}/bad.yaml`;

  test('a valid rule loads', () => {
    expect(problemsOfRule(GOOD)).toEqual([]);
  });

  test.each([
    {
      from: 'severity: high',
      to: 'severity: urgent',
      msg: 'severity: expected low, medium, high or critical, got "urgent"',
    },
    {
      from: 'window: 2m',
      to: 'window: 2 minutes',
      msg: 'window: expected a duration like 90s, 10m, 24h or 30d (at most 366d), got "2 minutes"',
    },
    {
      from: 'window: 2m',
      to: 'window: 1500ms',
      msg: 'window: expected whole seconds, e.g. 90s or 2m; milliseconds given, got 1500',
    },
    {
      from: 'off_hours: 8}',
      to: 'off_hours: five}',
      msg: 'thresholds.off_hours: expected a positive number, got "five"',
    },
    {
      from: 'off_hours: 8}',
      to: 'off_hours: 8.5}',
      msg: 'thresholds.off_hours: expected a positive integer, got 8.5',
    },
    {
      from: 'id: my_rule',
      to: 'id: My-Rule',
      msg: 'id: expected a rule id of lowercase letters, digits and _, got "My-Rule"',
    },
    {
      from: 'source: auth',
      to: 'source: auht',
      msg: 'source: unknown source group "auht", did you mean "auth"?',
    },
    {
      from: 'group_by: [source.ip]',
      to: 'group_by: [source.ip]\nsample_feilds: [user.name]',
      msg: 'sample_feilds: unknown key, did you mean "sample_fields"?',
    },
    {
      from: 'group_by: [source.ip]',
      to: 'group_by: source.ip',
      msg: 'group_by: expected a list, got "source.ip"',
    },
    {
      from: 'group_by: [source.ip]',
      to: 'group_by: [source.ip]\nmetric: {type: median}',
      msg: 'metric.type: expected metric.type count, cardinality, sum or ratio, got "median"',
    },
    {
      from: 'filter: {term: {event.outcome: failure}}',
      to: 'filter: {term: {a: b}, match: {c: d}}',
      msg: 'filter: expected exactly one query type at the top, e.g. bool or term',
    },
    {
      from: 'thresholds: {business_hours: 15, off_hours: 8}',
      to: '',
      msg: 'thresholds: missing; a rule needs thresholds, a baseline, or both',
    },
  ])('$msg', ({ from, to, msg }) => {
    expect(problemsOfRule(GOOD.replace(from, to))).toEqual([`${label()}: ${msg}`]);
  });

  test('ratio thresholds are between 0 and 1', () => {
    const text = GOOD.replace(
      'thresholds: {business_hours: 15, off_hours: 8}',
      'metric: {type: ratio, numerator: {term: {a: 1}}, denominator: {term: {a: 1}}, min_total: 20}\nthresholds: {business_hours: 1.5, off_hours: 0.3}',
    );
    expect(problemsOfRule(text)).toEqual([
      `${label()}: thresholds.business_hours: expected a ratio between 0 and 1, got 1.5`,
    ]);
  });

  test('every broken file is listed, and a duplicate id names the first file', () => {
    fs.writeFileSync(path.join(dir, 'a.yaml'), GOOD);
    fs.writeFileSync(path.join(dir, 'b.yaml'), GOOD);
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      GOOD.replace('my_rule', 'other').replace('window: 2m', 'window: soon'),
    );
    fs.writeFileSync(path.join(dir, 'd.yaml'), 'id: [unclosed\n');
    const base = path.basename(dir);
    const problems = loadRules(dir, config()).problems;
    expect(problems).toEqual([
      `${base}/b.yaml: id: "my_rule" is already used by ${base}/a.yaml`,
      `${base}/c.yaml: window: expected a duration like 90s, 10m, 24h or 30d (at most 366d), got "soon"`,
      expect.stringMatching(new RegExp(`^${base}/d\\.yaml(:\\d+)?: not valid YAML: `)),
    ]);
  });

  test('an override for a rule that does not exist suggests the nearest id', () => {
    const { problems } = loadRules(
      QUERIES_DIR,
      config(`${ES}rules: {overrides: {ssh_brutforce: {enabled: false}}}`),
    );
    expect(problems).toEqual([
      'config.yaml: rules.overrides.ssh_brutforce: no rule with this id, did you mean "ssh_bruteforce"?',
    ]);
  });

  test('overrides change thresholds, window and enabled of shipped rules', () => {
    const { all } = loadRules(
      QUERIES_DIR,
      config(
        `${ES}rules: {overrides: {ssh_bruteforce: {thresholds: {off_hours: 5}, window: 10m}, root_cron: {enabled: true}}}`,
      ),
    );
    const brute = all.find((r) => r.id === 'ssh_bruteforce');
    expect(brute).toMatchObject({ thresholds: { business_hours: 15, off_hours: 5 }, window: 600_000 });
    expect(all.find((r) => r.id === 'root_cron')?.enabled).toBe(true);
  });

  test('the shipped rules are valid', () => {
    const { all, problems } = loadRules(QUERIES_DIR, config());
    expect(problems).toEqual([]);
    expect(all.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'ssh_bruteforce',
        'ssh_distributed',
        'dos_burst',
        'login_failure_rate',
        'data_transfer_spike',
      ]),
    );
  });
});
