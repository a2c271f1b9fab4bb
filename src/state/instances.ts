/**
 * Sharing the rules among the monitors on one state index. Each monitor keeps a heartbeat document
 * (`instance:<id>`, expiring like a lease); every cycle it reads the live ones and runs the rules
 * that rendezvous hashing (highest random weight) gives it: each rule goes to the live instance
 * with the highest hash of (rule, instance), so the rules spread evenly (about rules/N each), and
 * when an instance joins or dies only its share moves. The rule leases stay the arbiter: a rule
 * runs in one process at a time even while two instances briefly disagree on who is alive.
 */
import crypto from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { privilegeError, searchStateDocs } from './state-index';

const idOf = (instance: string) => `instance:${instance}`;

const weight = (rule: string, instance: string) =>
  crypto.createHash('sha256').update(`${rule}\n${instance}`).digest('hex');

/**
 * Pure: which live instance runs each rule. Rendezvous hashing with bounded loads: rules in id
 * order each go to the instance of highest weight that has fewer than ceil(rules / instances), so
 * every instance runs about rules/N (17 rules on 3 monitors: 6, 6, 5) and a change of the live set
 * moves few rules. Every instance computes the same answer from the same live set.
 */
export function assignRules(rules: readonly string[], instances: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (instances.length === 0) return out;
  // floor(R/N) each, and R mod N of them one more: 17 on 4 is 5, 4, 4, 4, never 5, 5, 5, 2
  const base = Math.floor(rules.length / instances.length);
  let extra = rules.length % instances.length;
  const load = new Map(instances.map((i) => [i, 0]));
  const hasRoom = (i: string) => {
    const n = load.get(i) ?? 0;
    return n < base || (n === base && extra > 0);
  };
  for (const rule of [...rules].sort()) {
    const ranked = [...instances].sort((a, b) => {
      const wa = weight(rule, a);
      const wb = weight(rule, b);
      return wa === wb ? a.localeCompare(b) : wa < wb ? 1 : -1;
    });
    const owner = ranked.find(hasRoom) ?? ranked[0];
    if ((load.get(owner) ?? 0) === base) extra--;
    out.set(rule, owner);
    load.set(owner, (load.get(owner) ?? 0) + 1);
  }
  return out;
}

/** Writes this instance's heartbeat and returns every live instance (itself included), sorted. */
export async function heartbeat(
  client: Client,
  index: string,
  instance: string,
  nowMs: number,
  ttlMs: number,
): Promise<string[]> {
  try {
    await client.index({
      index,
      id: idOf(instance),
      refresh: true,
      document: {
        doc_type: 'instance',
        owner: instance,
        expires_at: new Date(nowMs + ttlMs).toISOString(),
        updated_at: new Date(nowMs).toISOString(),
      },
    });
  } catch (e) {
    throw privilegeError(e, index, 'write', 'write to', client);
  }
  const hits = await searchStateDocs(
    client,
    index,
    {
      bool: {
        filter: [
          { term: { doc_type: 'instance' } },
          { range: { expires_at: { gt: new Date(nowMs).toISOString() } } },
        ],
      },
    },
    1000,
  );
  return [...new Set([instance, ...hits.map((h) => h.doc.owner as string)])].sort();
}

/** Removes this instance's heartbeat at shutdown, so the others take its rules at once. */
export async function leave(client: Client, index: string, instance: string): Promise<void> {
  await client.delete({ index, id: idOf(instance), refresh: true }, { ignore: [404] }).catch(() => undefined);
}
