/**
 * Alert ids are deterministic (rule, entity, window), independent of the order of the entity's
 * fields; the memory doc id is per rule and entity only; the alerts-index document is ECS-shaped.
 */
import { alertIdFor, alertStateDocId, entityKeyOf } from '../../../src/state/alert-id';
import { alertDocument, alertsIndexName } from '../../../src/state/alerts-index';
import type { Alert } from '../../../src/types';

const window = { start: '2026-11-18T03:08:00Z', end: '2026-11-18T03:10:00Z' };
const entity = { 'source.ip': '203.0.113.7', 'user.name': 'root' };
const reversed = { 'user.name': 'root', 'source.ip': '203.0.113.7' };

describe('alert ids', () => {
  test('the same rule, entity and window give the same id, whatever the order of entity fields', () => {
    const id = alertIdFor({ rule: 'ssh_bruteforce', entity, window });
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(alertIdFor({ rule: 'ssh_bruteforce', entity: { ...entity }, window: { ...window } })).toBe(id);
    expect(alertIdFor({ rule: 'ssh_bruteforce', entity: reversed, window })).toBe(id);
    expect(entityKeyOf(reversed)).toBe(entityKeyOf(entity));
  });

  test.each([
    { name: 'another rule', f: { rule: 'ssh_invalid_users', entity, window } },
    {
      name: 'another entity',
      f: { rule: 'ssh_bruteforce', entity: { ...entity, 'source.ip': '203.0.113.8' }, window },
    },
    {
      name: 'another window end',
      f: { rule: 'ssh_bruteforce', entity, window: { ...window, end: '2026-11-18T03:10:15Z' } },
    },
    {
      name: 'another window start',
      f: { rule: 'ssh_bruteforce', entity, window: { ...window, start: '2026-11-18T03:08:15Z' } },
    },
  ])('$name gives another id', ({ f }) => {
    expect(alertIdFor(f)).not.toBe(alertIdFor({ rule: 'ssh_bruteforce', entity, window }));
  });

  test('values are not confused with field names or with each other', () => {
    const a = alertIdFor({ rule: 'r', entity: { a: 'b', c: 'd' }, window });
    const b = alertIdFor({ rule: 'r', entity: { a: 'b,c', '': 'd' }, window });
    expect(a).not.toBe(b);
  });

  test('the memory doc is per rule and entity, not per window', () => {
    const id = alertStateDocId('ssh_bruteforce', entity);
    expect(id).toMatch(/^alert:ssh_bruteforce:[0-9a-f]{32}$/);
    expect(alertStateDocId('ssh_bruteforce', reversed)).toBe(id);
    expect(alertStateDocId('ssh_invalid_users', entity)).not.toBe(id);
    expect(alertStateDocId('ssh_bruteforce', { 'source.ip': '203.0.113.7' })).not.toBe(id);
  });
});

function alert(over: Partial<Alert> = {}): Alert {
  return {
    rule: 'ssh_bruteforce',
    title: 'SSH brute force',
    description: 'Many failed SSH logins',
    remediation: 'Block it',
    severity: 'high',
    entity: { 'source.ip': '203.0.113.7' },
    value: 12,
    threshold: 8,
    schedule: 'off_hours',
    window,
    samples: [{ 'user.name': 'root' }],
    indices: ['logs-*'],
    timezone: 'UTC',
    channels: [],
    id: 'abc123',
    status: 'new',
    ...over,
  };
}

describe('alertDocument', () => {
  const NOW = Date.parse('2026-11-18T03:11:00Z');

  test('ECS shape: @timestamp, event, rule, the entity at its ECS place, vigil details', () => {
    expect(alertDocument(alert(), NOW)).toEqual({
      '@timestamp': window.end,
      message: 'SSH brute force: source.ip=203.0.113.7 value 12 ≥ 8',
      event: {
        kind: 'alert',
        module: 'vigil',
        severity: 73,
        created: '2026-11-18T03:11:00.000Z',
        start: window.start,
        end: window.end,
      },
      rule: { id: 'ssh_bruteforce', name: 'SSH brute force', description: 'Many failed SSH logins' },
      source: { ip: '203.0.113.7' },
      vigil: {
        alert_id: 'abc123',
        status: 'new',
        severity: 'high',
        value: 12,
        threshold: 8,
        schedule: 'off_hours',
        window,
        entity: [{ field: 'source.ip', value: '203.0.113.7' }],
      },
    });
  });

  test('several entity fields nest side by side; a baseline context is kept', () => {
    const doc = alertDocument(
      alert({
        rule: 'data_transfer_spike',
        entity: { 'host.hostname': 'web-1', 'source.ip': '198.51.100.4' },
        baseline: { expected: 20_000_000, ratio: 1.6, samples: 4 },
      }),
      NOW,
    );
    expect(doc.host).toEqual({ hostname: 'web-1' });
    expect(doc.source).toEqual({ ip: '198.51.100.4' });
    expect((doc.vigil as Record<string, unknown>).baseline).toEqual({
      expected: 20_000_000,
      ratio: 1.6,
      samples: 4,
    });
  });

  test('a rule without group_by: message says "all", no entity fields', () => {
    const doc = alertDocument(alert({ entity: {} }), NOW);
    expect(doc.message).toBe('SSH brute force: all value 12 ≥ 8');
    expect(doc.source).toBeUndefined();
  });

  test.each([
    ['low', 21],
    ['medium', 47],
    ['high', 73],
    ['critical', 99],
  ] as const)('severity %s → event.severity %d', (severity, n) => {
    expect((alertDocument(alert({ severity }), NOW).event as Record<string, unknown>).severity).toBe(n);
  });

  test('the monthly index follows the window end', () => {
    expect(alertsIndexName('vigil-alerts', '2026-11-30T23:59:00Z')).toBe('vigil-alerts-2026.11');
    expect(alertsIndexName('vigil-alerts', '2026-12-01T00:00:00Z')).toBe('vigil-alerts-2026.12');
  });
});
