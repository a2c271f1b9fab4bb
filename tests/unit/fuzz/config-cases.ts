/**
 * Generated invalid variants of a valid config.yaml and a valid rule file: wrong types, missing
 * and unknown keys, bad durations, time zones, cron expressions and regexps, huge values, YAML
 * bombs and broken YAML, and seeded random combinations of several mutations. Each case names a
 * text every problem report must contain (the path, the key, or the file for YAML errors).
 * Shared by the in-process fuzz test (tests/unit/fuzz) and the CLI sample (tests/reliability).
 */
import YAML from 'yaml';
import { prng } from '../../helpers/prng';
import { REGEXP_CASES } from './regexp-cases';

export interface FuzzCase {
  name: string;
  config: string;
  rule: string;
  /** which file is broken */
  file: 'config.yaml' | 'rule';
  /** texts that must each appear in some problem line */
  expect: string[];
}

type Obj = Record<string, unknown>;

export const VALID_CONFIG: Obj = {
  elasticsearch: {
    nodes: ['http://127.0.0.1:9200'],
    request_timeout: '30s',
    max_retries: 3,
    tls: { verify: true },
  },
  sources: { auth: { indices: ['logs-auth-*'], timestamp_field: '@timestamp' } },
  calendar: {
    timezone: 'Europe/Berlin',
    business_days: ['mon', 'tue'],
    business_hours: { start: '08:00', end: '18:00' },
    holidays: ['2026-12-25'],
  },
  schedule: { interval: '1m', query_delay: '30s' },
  rules: { dir: 'rules', overrides: { fuzz_rule: { thresholds: { off_hours: 3 }, realert: '1h' } } },
  state: { index: 'vigil-state', alerts_index: 'vigil-alerts', max_catch_up: '24h', lease: '1m' },
  logging: { level: 'info', dir: 'logs', max_size: '20m', max_files: '14d', zip: true },
  alerts: {
    outbox: { max_age: '48h', base_delay: '30s', max_delay: '30m', claim_timeout: '5m' },
    channels: {
      email: {
        type: 'email',
        host: 'smtp.example.com',
        port: 587,
        from: 'a@example.com',
        to: 'b@example.com',
        timeout: '10s',
      },
      hook: { type: 'webhook', url: 'https://hooks.example.com/x', timeout: '5s' },
    },
  },
  metrics: { port: 9464, host: '127.0.0.1' },
};

export const VALID_RULE: Obj = {
  id: 'fuzz_rule',
  title: 'Fuzz rule',
  description: 'Failed logins',
  remediation: 'Block it',
  severity: 'high',
  source: 'auth',
  filter: {
    bool: { filter: [{ term: { 'event.outcome': 'failure' } }, { regexp: { 'user.name': 'adm.*' } }] },
  },
  group_by: ['source.ip'],
  metric: { type: 'count' },
  window: '2m',
  thresholds: { business_hours: 10, off_hours: 5 },
  sample_fields: ['user.name'],
  realert: '1h',
};

const clone = <T>(v: T): T => structuredClone(v);

function setAt(obj: Obj, path: string, value: unknown): Obj {
  const out = clone(obj);
  const keys = path.split('.');
  let cur = out as Obj;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Obj;
  if (value === DELETE) delete cur[keys[keys.length - 1]];
  else cur[keys[keys.length - 1]] = value;
  return out;
}

const DELETE = Symbol('delete');

const leaf = (p: string) => p.split('.').pop() as string;

const WRONG_TYPES: Record<string, unknown[]> = {
  string: [42, ['x'], { a: 1 }, true],
  number: ['five', true, [1]],
  boolean: ['yes', 1],
  list: ['scalar', { a: 1 }, 7],
  mapping: ['scalar', [1, 2], 3],
};

const CONFIG_TYPED: [string, keyof typeof WRONG_TYPES][] = [
  ['elasticsearch.nodes', 'list'],
  ['elasticsearch.max_retries', 'number'],
  ['elasticsearch.tls.verify', 'boolean'],
  ['sources.auth.indices', 'list'],
  ['sources.auth', 'mapping'],
  ['calendar.business_days', 'list'],
  ['calendar.business_hours', 'mapping'],
  ['calendar.holidays', 'list'],
  ['schedule.interval', 'string'],
  ['state.index', 'string'],
  ['logging.level', 'string'],
  ['logging.zip', 'boolean'],
  ['metrics.port', 'number'],
  ['alerts.channels.email.port', 'number'],
  ['rules.overrides.fuzz_rule.thresholds.off_hours', 'number'],
];

const CONFIG_DURATIONS = [
  'elasticsearch.request_timeout',
  'schedule.interval',
  'schedule.query_delay',
  'state.max_catch_up',
  'state.lease',
  'rules.overrides.fuzz_rule.realert',
  'alerts.outbox.max_age',
  'alerts.outbox.base_delay',
];
const BAD_DURATIONS = ['5 minutes', '-1s', '1y', '999999d', '10', '1.5.5m', '∞s'];

const CONFIG_UNKNOWN: [string, string][] = [
  ['', 'elasticsearh'],
  ['elasticsearch', 'request_timout'],
  ['calendar', 'timezon'],
  ['schedule', 'intervall'],
  ['state', 'leas'],
  ['logging', 'levle'],
  ['alerts', 'chanels'],
  ['sources.auth', 'indexes'],
  ['rules', 'overides'],
  ['alerts.outbox', 'max_ag'],
];

const RULE_TYPED: [string, keyof typeof WRONG_TYPES][] = [
  ['severity', 'string'],
  ['window', 'string'],
  ['group_by', 'list'],
  ['thresholds', 'mapping'],
  ['filter', 'mapping'],
  ['sample_fields', 'list'],
  ['enabled', 'boolean'],
  ['thresholds.off_hours', 'number'],
];

const yamlOf = (o: Obj) => YAML.stringify(o);
const validConfig = yamlOf(VALID_CONFIG);
const validRule = yamlOf(VALID_RULE);

function configCase(name: string, config: Obj | string, expect: string[]): FuzzCase {
  return {
    name: `config: ${name}`,
    config: typeof config === 'string' ? config : yamlOf(config),
    rule: validRule,
    file: 'config.yaml',
    expect,
  };
}

function ruleCase(name: string, rule: Obj | string, expect: string[]): FuzzCase {
  return {
    name: `rule: ${name}`,
    config: validConfig,
    rule: typeof rule === 'string' ? rule : yamlOf(rule),
    file: 'rule',
    expect,
  };
}

const BOMB = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
`;

export function fuzzCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  // wrong types
  for (const [path, kind] of CONFIG_TYPED)
    for (const v of WRONG_TYPES[kind])
      cases.push(configCase(`${path} = ${JSON.stringify(v)}`, setAt(VALID_CONFIG, path, v), [path]));
  for (const [path, kind] of RULE_TYPED)
    for (const v of WRONG_TYPES[kind])
      cases.push(ruleCase(`${path} = ${JSON.stringify(v)}`, setAt(VALID_RULE, path, v), [path]));
  // missing keys
  for (const path of [
    'elasticsearch',
    'elasticsearch.nodes',
    'sources.auth.indices',
    'alerts.channels.email.to',
  ])
    cases.push(configCase(`missing ${path}`, setAt(VALID_CONFIG, path, DELETE), [path]));
  for (const path of [
    'id',
    'title',
    'description',
    'remediation',
    'severity',
    'source',
    'filter',
    'window',
    'thresholds',
  ])
    cases.push(ruleCase(`missing ${path}`, setAt(VALID_RULE, path, DELETE), [path]));
  // unknown keys
  for (const [at, key] of CONFIG_UNKNOWN) {
    const parent = at ? `${at}.` : '';
    const cfg = at ? setAt(VALID_CONFIG, `${at}.${key}`, 1) : { ...clone(VALID_CONFIG), [key]: 1 };
    cases.push(configCase(`unknown ${parent}${key}`, cfg, [`${parent}${key}`]));
  }
  for (const key of ['tresholds', 'group-by', 'severtiy', 'windows'])
    cases.push(ruleCase(`unknown ${key}`, { ...clone(VALID_RULE), [key]: 1 }, [key]));
  // bad durations
  for (const path of CONFIG_DURATIONS)
    for (const v of BAD_DURATIONS)
      cases.push(configCase(`${path} = ${v}`, setAt(VALID_CONFIG, path, v), [path]));
  for (const v of BAD_DURATIONS)
    cases.push(ruleCase(`window = ${v}`, setAt(VALID_RULE, 'window', v), ['window']));
  for (const v of ['0s', '10x', '1hour'])
    cases.push(ruleCase(`realert = ${v}`, setAt(VALID_RULE, 'realert', v), ['realert']));
  // time zones
  for (const tz of ['Mars/Olympus', 'UTC+25', '', 'Europe/Berlinn', '../../etc/passwd', 'CEST'])
    cases.push(
      configCase(`timezone ${JSON.stringify(tz)}`, setAt(VALID_CONFIG, 'calendar.timezone', tz), [
        'calendar.timezone',
      ]),
    );
  // cron (instead of interval)
  for (const c of ['* * *', '61 * * * *', 'every minute', '* * 32 * *', '* * * 13 *', '@every 5m']) {
    const cfg = setAt(VALID_CONFIG, 'schedule.cron', c);
    delete (cfg.schedule as Obj).interval;
    cases.push(configCase(`cron ${JSON.stringify(c)}`, cfg, ['schedule.cron']));
  }
  // other bad scalars
  for (const [path, v] of [
    ['calendar.business_hours.start', '25:00'],
    ['calendar.business_hours.end', '9am'],
    ['calendar.holidays', ['2026-13-45x']],
    ['calendar.business_days', ['monday']],
    ['elasticsearch.nodes', ['not a url']],
    ['logging.level', 'verbose'],
    ['logging.max_size', '20 MB'],
    ['alerts.channels.email.type', 'pager'],
    ['alerts.channels.hook.url', 'ftp://x'],
    ['sources.auth.fields', { 'source.ip': 'bad field!' }],
  ] as [string, unknown][])
    cases.push(configCase(`${path} = ${JSON.stringify(v)}`, setAt(VALID_CONFIG, path, v), [path]));
  // bad regexps in the rule filter (each pattern Elasticsearch itself rejects)
  for (const [pattern] of REGEXP_CASES.filter(([, ok]) => !ok)) {
    const rule = setAt(VALID_RULE, 'filter', { regexp: { 'user.name': { value: pattern } } });
    cases.push(ruleCase(`regexp ${JSON.stringify(pattern.slice(0, 20))}`, rule, ['filter.regexp.user.name']));
  }
  // huge values
  for (const [path, v] of [
    ['elasticsearch.max_retries', 1e9],
    ['state.index', 'x'.repeat(20_000)],
    ['rules.overrides.fuzz_rule.thresholds.off_hours', 1e20],
    ['metrics.port', 70_000],
    ['schedule.interval', `${'9'.repeat(400)}d`],
  ] as [string, unknown][])
    cases.push(configCase(`huge ${path}`, setAt(VALID_CONFIG, path, v), [path]));
  for (const [path, v] of [
    ['thresholds.off_hours', 1e20],
    ['group_by', Array.from({ length: 10 }, (_, i) => `f${i}`)],
    ['title', 't'.repeat(20_000)],
    ['sample_fields', Array.from({ length: 500 }, (_, i) => `f${i}`)],
  ] as [string, unknown][])
    cases.push(ruleCase(`huge ${path}`, setAt(VALID_RULE, path, v), [path]));
  // YAML bombs and broken YAML
  cases.push(configCase('YAML bomb (anchors)', `${BOMB}${validConfig}`, ['config.yaml']));
  cases.push(ruleCase('YAML bomb (anchors)', `${BOMB}${validRule}`, ['rule']));
  cases.push(
    configCase('deep nesting', `elasticsearch: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, ['config.yaml']),
  );
  cases.push(configCase('duplicate key', `${validConfig}elasticsearch: {}\n`, ['config.yaml']));
  cases.push(configCase('tab indentation', 'elasticsearch:\n\tnodes: [x]\n', ['config.yaml']));
  cases.push(configCase('unclosed flow', 'elasticsearch: { nodes: [http://x\n', ['config.yaml']));
  cases.push(configCase('a list at the top', '- a\n- b\n', ['config.yaml']));
  cases.push(ruleCase('not YAML', '{{{ ::: ]]]', ['rule']));
  cases.push(ruleCase('a scalar', '"just a string"\n', ['rule']));
  // seeded combinations: every mutated path is reported, not just the first
  const rand = prng(9);
  for (let i = 0; i < 20; i++) {
    let cfg = clone(VALID_CONFIG);
    const paths = new Set<string>();
    for (let k = 0; k < 3; k++) {
      const [path, kind] = CONFIG_TYPED[Math.floor(rand() * CONFIG_TYPED.length)];
      if ([...paths].some((p) => p.startsWith(path) || path.startsWith(p))) continue;
      const wrong = WRONG_TYPES[kind];
      cfg = setAt(cfg, path, wrong[Math.floor(rand() * wrong.length)]);
      paths.add(path);
    }
    cases.push(configCase(`combination #${i + 1} (${[...paths].map(leaf).join(', ')})`, cfg, [...paths]));
  }
  return cases;
}
