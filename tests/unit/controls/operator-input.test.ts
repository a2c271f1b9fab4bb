/**
 * What operators type is input like any other: matchers, comments and authors are validated and
 * bounded, and each problem names the flag; allowlists are checked in the config (a bad CIDR
 * names its path) and become must_not clauses in every query of a rule.
 */
import { allowlistSchema, mergeAllowlists } from '../../../src/config/allowlist-schema';
import { formatIssues } from '../../../src/config/format-issues';
import { configSchema } from '../../../src/config/schema';
import {
  checkText,
  parseEntityMatcher,
  parseMatchers,
  SILENCE_MAX_MS,
  silenceEnd,
} from '../../../src/evaluate/operator-input';
import { allowlistClauses } from '../../../src/query/allowlist-filter';
import {
  buildHeavyQuery,
  buildSamplesQuery,
  buildSeriesQuery,
  buildTotalsQuery,
} from '../../../src/query/build-rule-query';
import { buildAlertsQuery } from '../../../src/report/report-queries';
import type { Rule } from '../../../src/rules/rule-schema';

const RULES = ['ssh_bruteforce', 'sudo_misuse'];
const NOW = Date.parse('2026-12-05T08:00:00Z');

describe('entity matchers', () => {
  test.each([
    ['source.ip', '--entity: "source.ip" needs field=value, e.g. source.ip=198.51.100.7'],
    ['=1.2.3.4', '--entity: "=1.2.3.4" needs field=value, e.g. source.ip=198.51.100.7'],
    ['source.ip=', '--entity: "source.ip=" needs field=value, e.g. source.ip=198.51.100.7'],
    [
      'source.ip=1.2.3',
      '--entity: "source.ip=1.2.3": "1.2.3" is not an address or CIDR range (e.g. 198.51.100.7 or 10.0.5.0/24)',
    ],
    [
      'source.ip=10.0.5.0/33',
      '--entity: "source.ip=10.0.5.0/33": "10.0.5.0/33" is not an address or CIDR range (e.g. 198.51.100.7 or 10.0.5.0/24)',
    ],
    ['bad field=x', '--entity: "bad field=x": "bad field" is not a field name like source.ip'],
    ['user.name=a\u001b[31mb', '--entity: "user.name=a\\u001b[31mb": control characters are not allowed'],
    [`user.name=${'x'.repeat(300)}`, expect.stringMatching(/the value is longer than 256 characters$/)],
  ])('%j → %s', (text, problem) => {
    expect(parseEntityMatcher(text).problem).toEqual(problem);
  });

  test.each([
    ['source.ip=198.51.100.7', { field: 'source.ip', value: '198.51.100.7' }],
    ['source.ip=10.0.5.0/24', { field: 'source.ip', value: '10.0.5.0/24' }],
    ['source.ip=2001:db8::/32', { field: 'source.ip', value: '2001:db8::/32' }],
    ['source.ip=198.51.100.*', { field: 'source.ip', value: '198.51.100.*' }],
    ['user.name=a=b', { field: 'user.name', value: 'a=b' }],
  ])('%s is a matcher', (text, matcher) => {
    expect(parseEntityMatcher(text)).toEqual({ matcher });
  });
});

describe('silence matchers', () => {
  test('an unknown rule suggests the nearest; a bad severity names the choices; none at all is refused', () => {
    expect(parseMatchers({ rule: 'ssh_brutforce', entity: [] }, RULES).problems).toEqual([
      '--rule: no rule "ssh_brutforce", did you mean "ssh_bruteforce"?',
    ]);
    expect(parseMatchers({ severity: 'urgent', entity: [] }, RULES).problems).toEqual([
      '--severity: expected low, medium, high, critical, got "urgent"',
    ]);
    expect(parseMatchers({ entity: [] }, RULES).problems).toEqual([
      'a silence needs at least one matcher: --rule, --severity or --entity',
    ]);
    expect(parseMatchers({ rule: 'ssh_*', severity: 'h*', entity: ['source.ip=10.0.0.0/8'] }, RULES)).toEqual(
      {
        matchers: { rule: 'ssh_*', severity: 'h*', entity: [{ field: 'source.ip', value: '10.0.0.0/8' }] },
        problems: [],
      },
    );
  });
});

describe('comments and authors', () => {
  test.each([
    [undefined, '--comment: missing; say why'],
    ['   ', '--comment: missing; say why'],
    ['ok\u0007bell', '--comment: control characters are not allowed'],
    ['line\nbreak', '--comment: control characters are not allowed'],
    ['\u202egnp.exe', '--comment: control characters are not allowed'],
    ['x'.repeat(1001), '--comment: at most 1000 characters'],
  ])('%j is refused', (value, problem) => {
    expect(checkText('--comment', value, 1000, 'say why').problem).toBe(problem);
  });
  test('a comment is trimmed; <b>HTML</b> is kept as text (escaped where it is shown)', () => {
    expect(checkText('--comment', '  pentest <b>SEC-123</b> ', 1000)).toEqual({
      value: 'pentest <b>SEC-123</b>',
    });
  });
});

describe('how long a silence lasts', () => {
  test.each([
    [{}, NOW + 3_600_000],
    [{ for: '8h' }, NOW + 8 * 3_600_000],
    [{ until: '2026-12-05T18:00:00Z' }, Date.parse('2026-12-05T18:00:00Z')],
    [{ until: '2026-12-05T19:00:00+01:00' }, Date.parse('2026-12-05T18:00:00Z')],
  ])('%j', (input, end) => {
    expect(silenceEnd(input, NOW)).toEqual({ endMs: end });
  });
  test.each([
    [{ for: '8h', until: '2026-12-05T18:00:00Z' }, '--for and --until: give one of them, not both'],
    [{ for: 'soon' }, '--for: expected a duration like 30m, 8h or 2d, got "soon"'],
    [{ for: '0s' }, '--for: expected a duration like 30m, 8h or 2d, got "0s"'],
    [{ for: '91d' }, '--for: a silence lasts at most 90d'],
    [{ until: '2026-12-05T18:00' }, expect.stringMatching(/^--until: expected an ISO instant with its zone/)],
    [{ until: '2026-12-05T07:00:00Z' }, '--until: 2026-12-05T07:00:00Z is not in the future'],
    [{ until: '2026-12-05T08:00:00Z' }, '--until: 2026-12-05T08:00:00Z is not in the future'],
  ])('%j → %s', (input, problem) => {
    expect(silenceEnd(input, NOW).problem).toEqual(problem);
  });
  test('90d exactly is allowed', () => {
    expect(silenceEnd({ for: '90d' }, NOW)).toEqual({ endMs: NOW + SILENCE_MAX_MS });
  });
});

describe('allowlists in config', () => {
  const config = (allowlist: unknown, override?: unknown) => ({
    elasticsearch: { nodes: ['http://127.0.0.1:9200'] },
    sources: { auth: { indices: ['auth-*'], allowlist } },
    ...(override ? { rules: { overrides: { ssh_bruteforce: { allowlist: override } } } } : {}),
  });
  const problems = (raw: unknown) => {
    const r = configSchema.safeParse(raw, { reportInput: true });
    return r.success ? [] : formatIssues(r.error.issues, 'config.yaml', configSchema);
  };

  test('a bad range or address names its path; wildcards are fine on other fields', () => {
    expect(
      problems(config({ 'source.ip': ['10.0.5.0/24', '10.0.5.0/33', 'scanner'], 'user.name': ['backup-*'] })),
    ).toEqual([
      'config.yaml: sources.auth.allowlist.source.ip.1: "10.0.5.0/33" is not a CIDR range (expected an address like 10.0.5.7 or a range like 10.0.5.0/24 or 2001:db8::/32)',
      'config.yaml: sources.auth.allowlist.source.ip.2: "scanner" is not a CIDR range (expected an address like 10.0.5.7 or a range like 10.0.5.0/24 or 2001:db8::/32)',
    ]);
    expect(
      problems(config({ 'source.ip': ['2001:db8::/32', '192.0.2.1'] }, { 'user.name': ['root'] })),
    ).toEqual([]);
    expect(problems(config({ 'source.ip': [] }))).toEqual([
      'config.yaml: sources.auth.allowlist.source.ip: expected at least one value (or leave the field out)',
    ]);
    expect(problems(config({ 'user.name': ['ok', 'bad\u0000'] }))).toEqual([
      'config.yaml: sources.auth.allowlist.user.name.1: expected a value without control characters, got "bad\\u0000"',
    ]);
    expect(problems(config({}, { 'destination.ip': ['10.0.0.0/8x'] }))).toEqual([
      'config.yaml: rules.overrides.ssh_bruteforce.allowlist.destination.ip.0: "10.0.0.0/8x" is not a CIDR range (expected an address like 10.0.5.7 or a range like 10.0.5.0/24 or 2001:db8::/32)',
    ]);
  });

  test('the group and the rule lists merge; numbers read from YAML are values', () => {
    const a = allowlistSchema.parse({ 'user.name': ['backup-bot', 1234] });
    expect(mergeAllowlists(a, { 'user.name': ['backup-bot', 'svc-*'], 'source.ip': ['10.0.0.0/8'] })).toEqual(
      {
        'user.name': ['backup-bot', '1234', 'svc-*'],
        'source.ip': ['10.0.0.0/8'],
      },
    );
  });
});

describe('allowlists in queries', () => {
  const rule = {
    id: 'ssh_bruteforce',
    indices: ['auth-*'],
    filter: { term: { 'event.action': 'ssh_login' } },
    group_by: ['source.ip'],
    metric: { type: 'count' },
    fieldMap: { 'user.name': 'login' },
    timestampField: '@timestamp',
    thresholds: { business_hours: 8, off_hours: 8 },
    sample_fields: [],
    allowlist: { 'source.ip': ['10.0.5.0/24', '2001:db8::/32'], 'user.name': ['backup-bot', 'svc-*'] },
  } as unknown as Rule;
  const mustNot = [
    { terms: { 'source.ip': ['10.0.5.0/24', '2001:db8::/32'] } },
    { terms: { login: ['backup-bot'] } },
    { wildcard: { login: { value: 'svc-*' } } },
  ];
  const interval = { startMs: 0, endMs: 60_000 };

  test('become must_not clauses with mapped field names', () => {
    expect(allowlistClauses(rule.allowlist, rule.fieldMap)).toEqual(mustNot);
  });
  test('apply to totals, heavy buckets, series and samples alike', () => {
    const heavy = buildHeavyQuery({ ...rule, group_by: ['source.ip'] }, interval, ['198.51.100.7']);
    expect(heavy).toBeDefined();
    for (const item of [
      buildTotalsQuery(rule, interval),
      ...(heavy ? [heavy] : []),
      buildSeriesQuery(rule, interval, [['198.51.100.7']]),
      buildSamplesQuery(rule, interval, { 'source.ip': '198.51.100.7' }),
    ]) {
      const filter = (item.body.query as { bool: { filter: unknown[] } }).bool.filter;
      expect(filter).toContainEqual({ bool: { must_not: mustNot } });
    }
  });
  test('no allowlist adds nothing', () => {
    const item = buildTotalsQuery({ ...rule, allowlist: {} }, interval);
    expect(JSON.stringify(item.body.query)).not.toContain('must_not');
  });
});

test('the weekly report counts silenced alerts (they were detected) but not acknowledgement records', () => {
  const item = buildAlertsQuery('vigil-alerts', {
    startMs: 0,
    endMs: 7 * 86_400_000,
    timezone: 'UTC',
    baselineDays: 14,
    newEntityLookbackDays: 28,
  });
  const query = item.body.query as { bool: { must_not: unknown[] } };
  expect(query.bool.must_not).toEqual([{ terms: { 'vigil.status': ['recovered', 'acknowledged'] } }]);
});
