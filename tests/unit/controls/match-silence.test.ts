/**
 * Silence matcher semantics, time passed in: active from start until end (the end excluded), and
 * every matcher must match: rule and severity (exact or wildcard), entity fields (CIDR ranges for
 * address fields, IPv4 and IPv6; exact values or wildcards otherwise).
 */
import {
  findSilence,
  isSilenceActive,
  type Silence,
  silenceMatches,
} from '../../../src/evaluate/match-silence';
import { valueMatches, wildcardRegExp } from '../../../src/evaluate/match-value';
import type { Severity } from '../../../src/types';

const START = Date.parse('2026-12-05T08:00:00Z');
const END = Date.parse('2026-12-05T16:00:00Z');
const silence = (over: Partial<Silence> = {}, matchers: Partial<Silence['matchers']> = {}): Silence => ({
  id: 'a1',
  matchers: { entity: [], ...matchers },
  created_by: 'alice',
  comment: 'pentest',
  created_at: new Date(START).toISOString(),
  starts_at: new Date(START).toISOString(),
  ends_at: new Date(END).toISOString(),
  ...over,
});
const alert = (entity: Record<string, string>, rule = 'ssh_bruteforce', severity: Severity = 'high') => ({
  rule,
  severity,
  entity,
});

describe('a silence is active from its start until its end, the end excluded', () => {
  test.each([
    ['1 ms before the start', START - 1, false],
    ['at the start', START, true],
    ['in between', START + 3_600_000, true],
    ['1 ms before the end', END - 1, true],
    ['at the end', END, false],
    ['after the end', END + 1, false],
  ])('%s', (_name, now, active) => {
    expect(isSilenceActive(silence(), now)).toBe(active);
    const found = findSilence([silence({}, { rule: 'ssh_bruteforce' })], alert({}), now);
    expect(found?.id).toBe(active ? 'a1' : undefined);
  });
});

describe('entity matchers', () => {
  test.each([
    ['an exact address', 'source.ip', '198.51.100.7', '198.51.100.7', true],
    ['another address', 'source.ip', '198.51.100.7', '198.51.100.8', false],
    ['an IPv4 range, inside', 'source.ip', '10.0.5.0/24', '10.0.5.200', true],
    ['an IPv4 range, just outside', 'source.ip', '10.0.5.0/24', '10.0.6.0', false],
    ['a /0 range', 'source.ip', '0.0.0.0/0', '203.0.113.9', true],
    ['an IPv6 range, inside', 'source.ip', '2001:db8::/32', '2001:db8:0:1::5', true],
    ['an IPv6 range, outside', 'source.ip', '2001:db8::/32', '2001:db9::5', false],
    ['an IPv4 range against an IPv6 address', 'source.ip', '10.0.0.0/8', '2001:db8::1', false],
    ['a range against a hostname in an address field', 'source.ip', '10.0.0.0/8', 'scanner.local', false],
    ['an address wildcard', 'source.ip', '198.51.100.*', '198.51.100.77', true],
    ['a range on another address field', 'destination.ip', '192.168.0.0/16', '192.168.3.4', true],
    ['an exact user', 'user.name', 'backup-bot', 'backup-bot', true],
    ['exact is exact (no prefix match)', 'user.name', 'backup', 'backup-bot', false],
    ['exact is case-sensitive', 'user.name', 'Backup-Bot', 'backup-bot', false],
    ['a * wildcard', 'user.name', 'backup-*', 'backup-nightly', true],
    ['a ? wildcard', 'user.name', 'svc?', 'svc1', true],
    ['a ? wildcard is one character', 'user.name', 'svc?', 'svc12', false],
    [
      'a CIDR-looking value on a non-address field is literal',
      'url.original',
      '10.0.0.0/8',
      '10.1.2.3',
      false,
    ],
    ['regexp characters are literal', 'url.original', '/a.b', '/axb', false],
    ['an escaped * is literal', 'user.name', 'a\\*', 'a*', true],
    ['an escaped * does not match anything else', 'user.name', 'a\\*', 'ab', false],
  ])('%s', (_name, field, pattern, value, match) => {
    expect(valueMatches(field, value, pattern)).toBe(match);
    const s = silence({}, { entity: [{ field, value: pattern }] });
    expect(silenceMatches(s.matchers, alert({ [field]: value }))).toBe(match);
  });

  test('every matcher must match: several fields are AND', () => {
    const s = silence(
      {},
      {
        entity: [
          { field: 'source.ip', value: '10.0.5.0/24' },
          { field: 'user.name', value: 'backup-*' },
        ],
      },
    );
    expect(silenceMatches(s.matchers, alert({ 'source.ip': '10.0.5.3', 'user.name': 'backup-x' }))).toBe(
      true,
    );
    expect(silenceMatches(s.matchers, alert({ 'source.ip': '10.0.5.3', 'user.name': 'root' }))).toBe(false);
    expect(silenceMatches(s.matchers, alert({ 'source.ip': '10.9.5.3', 'user.name': 'backup-x' }))).toBe(
      false,
    );
    // a field the alert's entity does not have does not match
    expect(silenceMatches(s.matchers, alert({ 'source.ip': '10.0.5.3' }))).toBe(false);
  });

  test('rule and severity matchers, exact or wildcard, with entity matchers', () => {
    const m = (rule?: string, severity?: string) =>
      silence({}, { rule, severity, entity: [{ field: 'source.ip', value: '198.51.100.7' }] }).matchers;
    const a = alert({ 'source.ip': '198.51.100.7' });
    expect(silenceMatches(m('ssh_bruteforce'), a)).toBe(true);
    expect(silenceMatches(m('ssh_*'), a)).toBe(true);
    expect(silenceMatches(m('ssh'), a)).toBe(false);
    expect(silenceMatches(m('web_*'), a)).toBe(false);
    expect(silenceMatches(m(undefined, 'high'), a)).toBe(true);
    expect(silenceMatches(m(undefined, 'critical'), a)).toBe(false);
    expect(silenceMatches(m('ssh_bruteforce', 'low'), a)).toBe(false);
    // no rule and no severity matcher: any rule, any severity with that entity
    expect(silenceMatches(m(), alert({ 'source.ip': '198.51.100.7' }, 'web_dos', 'critical'))).toBe(true);
  });
});

describe('of several active silences', () => {
  test('the one that ends last is named, whatever the order read', () => {
    const a = silence({ id: 'short', ends_at: new Date(END - 1000).toISOString() }, { rule: '*' });
    const b = silence({ id: 'long' }, { rule: 'ssh_*' });
    const ended = silence({ id: 'ended', ends_at: new Date(START + 1).toISOString() }, { rule: '*' });
    for (const list of [
      [a, b, ended],
      [ended, b, a],
    ])
      expect(findSilence(list, alert({}), START + 10)?.id).toBe('long');
  });
});

test('a wildcard pattern is anchored and matches across the whole value', () => {
  expect(wildcardRegExp('*bot').test('backup-bot')).toBe(true);
  expect(wildcardRegExp('bot').test('backup-bot')).toBe(false);
  expect(wildcardRegExp('a*').test('a\nb')).toBe(true);
});
