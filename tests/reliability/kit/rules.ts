import type { Client } from '@elastic/elasticsearch';

/**
 * An SSH brute-force rule (per source.ip, fires at 5 failures) for scenarios and benchmarks;
 * optionally of another severity, or only for the failures on one host.
 */
export function sshRuleYaml(
  id: string,
  window: string,
  opts: { severity?: string; host?: string } = {},
): string {
  const host = opts.host ? `\n      - term: { host.hostname: ${opts.host} }` : '';
  return `id: ${id}
title: SSH brute force (${id})
description: Many failed SSH logins from one source address.
remediation: Block the source address.
severity: ${opts.severity ?? 'high'}
source: auth
filter:
  bool:
    filter:
      - term: { event.action: ssh_login }
      - term: { event.outcome: failure }${host}
group_by: [source.ip]
window: ${window}
thresholds: { business_hours: 5, off_hours: 5 }
realert: 24h
sample_fields: [user.name]
`;
}

/** Deletes every index a run created under `prefix` and the alerts index template. */
export async function deletePrefixed(client: Client, prefix: string): Promise<void> {
  await client.indices
    .delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true })
    .catch(() => undefined);
  await client.indices
    .deleteIndexTemplate({ name: `${prefix}-alerts-template` }, { ignore: [404] })
    .catch(() => undefined);
}
