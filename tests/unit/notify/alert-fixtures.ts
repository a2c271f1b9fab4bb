import type { Alert } from '../../../src/types';

/** An SSH brute-force alert as the evaluate stage produces it; override what a test is about. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a-ssh-203.0.113.5',
    status: 'new',
    rule: 'ssh_bruteforce',
    title: 'SSH brute force',
    description: 'Many failed SSH logins from one source.',
    remediation: 'Block the source at the firewall and check for successful logins from it.',
    severity: 'high',
    entity: { 'source.ip': '203.0.113.5' },
    value: 42,
    threshold: 8,
    schedule: 'off_hours',
    window: { start: '2024-03-10T06:50:00.000Z', end: '2024-03-10T07:00:00.000Z' },
    samples: [
      {
        '@timestamp': '2024-03-10T06:51:02.000Z',
        'user.name': 'root',
        'host.hostname': 'host-a',
        'source.ip': '203.0.113.5',
      },
    ],
    indices: ['filebeat-*'],
    timezone: 'America/New_York',
    channels: [],
    ...overrides,
  };
}

/** Three findings of one rule from three sources against host-a: one digest. */
export function threeSources(): Alert[] {
  return ['203.0.113.5', '198.51.100.7', '192.0.2.44'].map((ip, i) =>
    makeAlert({
      id: `a-ssh-${ip}`,
      entity: { 'source.ip': ip },
      value: 20 + i,
      samples: [{ 'user.name': 'root', 'host.hostname': 'host-a', 'source.ip': ip }],
    }),
  );
}

/** A critical sudo finding for user mallory (a second, more severe rule in the same cycle). */
export function sudoAlert(overrides: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'sudo-1',
    rule: 'sudo_not_in_sudoers',
    title: 'sudo by a user not in sudoers',
    severity: 'critical',
    entity: { 'user.name': 'mallory' },
    ...overrides,
  });
}

/**
 * The recovery of an SSH brute-force episode that first fired on Friday 2024-03-08 at 07:00Z
 * (02:00 EST) and was last seen 10 minutes later; two days on, the source is back below 8.
 */
export function recoveredAlert(overrides: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'r-ssh-203.0.113.5',
    status: 'recovered',
    title: 'Recovered: SSH brute force',
    remediation: 'No action needed: the entity fell back below its threshold.',
    value: 0,
    threshold: 8,
    schedule: 'off_hours',
    window: { start: '2024-03-08T07:10:00.000Z', end: '2024-03-10T06:00:00.000Z' },
    firing_since: '2024-03-08T07:00:00.000Z',
    samples: [],
    ...overrides,
  });
}
