/** How `vigil doctor` shows the allowlists in force: rules that share one are listed together. */
import type { Allowlist } from '../config/allowlist-schema';
import type { Rule } from '../rules/rule-schema';

export interface AllowlistGroup {
  rules: string[];
  allowlist: Allowlist;
}

export function groupAllowlists(rules: Pick<Rule, 'id' | 'allowlist'>[]): AllowlistGroup[] {
  const byList = new Map<string, AllowlistGroup>();
  for (const r of rules) {
    if (!r.allowlist || Object.keys(r.allowlist).length === 0) continue;
    const key = JSON.stringify(Object.entries(r.allowlist).sort(([a], [b]) => a.localeCompare(b)));
    const group = byList.get(key) ?? { rules: [], allowlist: r.allowlist };
    group.rules.push(r.id);
    byList.set(key, group);
  }
  return [...byList.values()];
}

/** `allowlist (rules a, b): source.ip 10.0.5.0/24; user.name backup-bot, svc-*` */
export function describeAllowlist(g: AllowlistGroup): string {
  const fields = Object.entries(g.allowlist)
    .map(([field, values]) => `${field} ${values.join(', ')}`)
    .join('; ');
  return `allowlist (rules ${g.rules.join(', ')}): ${fields}`;
}
