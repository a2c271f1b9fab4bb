/**
 * Scale-out (issue 13): three `vigil monitor` processes on one state index share the 20 shipped
 * rules evenly, each rule held by exactly one of them; when one is killed without a word, its
 * rules move to the two others within the lease time, again evenly.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, testClient } from '../../helpers/ecs';
import { baseConfig, OFF_HOURS_CALENDAR, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, type VigilProcess, waitFor } from '../../helpers/vigil-process';
import { stateSetups } from './state-kit';

jest.setTimeout(240_000);

const PREFIX = 'it-state-scale-out';
const AUTH = `${PREFIX}-auth`;
const STATE = `${PREFIX}-state`;
// the anomaly rules ship disabled (bench/README.md) and stay off here
const RULES = fs
  .readdirSync(path.join(__dirname, '../../../queries'))
  .filter((f) => f.endsWith('.yaml') && !f.startsWith('anomaly_'));
const states = stateSetups(PREFIX, { auth: [AUTH] });
let client: Client;

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, AUTH);
  states.track(STATE);
});

afterAll(async () => {
  await killAllVigils();
  await states.dropAll(client);
  await client.indices.delete({ index: AUTH, ignore_unavailable: true });
  await client.close();
});

/** Live leases by owner: rule ids each instance holds now. */
async function holders(): Promise<Map<string, string[]>> {
  await client.indices.refresh({ index: STATE });
  const res = await client.search<{ rule: string; owner: string; expires_at: string }>({
    index: STATE,
    size: 100,
    query: {
      bool: {
        filter: [
          { term: { doc_type: 'lease' } },
          { range: { expires_at: { gt: new Date().toISOString() } } },
        ],
      },
    },
  });
  const out = new Map<string, string[]>();
  for (const h of res.hits.hits) {
    const { owner, rule } = h._source as { rule: string; owner: string };
    out.set(owner, [...(out.get(owner) ?? []), rule].sort());
  }
  return out;
}

const shape = (m: Map<string, string[]>) => [...m.values()].map((r) => r.length).sort((a, b) => a - b);

test('three monitors share 20 rules 6/7/7; a killed one’s rules move to the others within the lease', async () => {
  expect(RULES).toHaveLength(20);
  const dir = tempDir('vigil-scale-out-');
  const procs: VigilProcess[] = ['a', 'b', 'c'].map((name) => {
    const logDir = path.join(dir, name, 'logs');
    fs.mkdirSync(path.dirname(logDir), { recursive: true });
    const yaml = baseConfig({ auth: [AUTH], stateIndex: STATE, logDir, calendar: OFF_HOURS_CALENDAR })
      .replace(/^schedule: .*$/m, 'schedule: { interval: 2s, query_delay: 0s }')
      .replace(/^state:\n/m, 'state:\n  lease: 5s\n')
      // root_cron and ssh_bruteforce_success_user ship disabled: on, so that all 20 rules are shared
      .replace(
        /^rules:\n/m,
        'rules:\n  overrides: { root_cron: { enabled: true }, ssh_bruteforce_success_user: { enabled: true } }\n',
      );
    return startVigil(['monitor', '--config', writeConfig(path.join(dir, name), yaml), '--duration', '3']);
  });
  // while a monitor joins, a rule it is given stays with its old holder until that lease ends, so
  // the leases pass through uneven shares (3/7/10 was seen): wait for the settled share
  let seen = new Map<string, string[]>();
  const describe = () =>
    [`leases held now: ${JSON.stringify(shape(seen))}`, ...procs.map((p) => p.stderr().slice(-1500))].join(
      '\n---\n',
    );
  const settled = async (size: number, share: number[]) => {
    const h = await holders();
    seen = h;
    const held = [...h.values()].flat();
    const all = h.size === size && held.length === 20 && new Set(held).size === 20;
    return all && JSON.stringify(shape(h)) === JSON.stringify(share) ? h : undefined;
  };
  const spread = await waitFor('the three monitors to share the rules 6/7/7', () => settled(3, [6, 7, 7]), {
    timeoutMs: 90_000,
    describe,
  });
  expect(shape(spread)).toEqual([6, 7, 7]);
  // each says so once its cycle with the new share is over (the leases show a little earlier)
  await waitFor(
    'each monitor to report its share',
    () =>
      procs.every((p) =>
        /3 monitors share the rules on it-state-scale-out-state: this one runs [67] of 20/.test(p.stderr()),
      ),
    { timeoutMs: 30_000, describe },
  );

  // one dies without giving anything back; its heartbeat and leases expire (2 periods + 10 s)
  const victim = [...spread.keys()][0];
  const dying = procs.find((p) => p.child.pid !== undefined && victim.includes(`:${p.child.pid}:`));
  expect(dying).toBeDefined();
  await dying?.kill();
  const after = await waitFor(
    'the two survivors to take every rule over, 10/10',
    () => settled(2, [10, 10]),
    {
      timeoutMs: 90_000,
      describe,
    },
  );
  expect(after.has(victim)).toBe(false);
  expect(shape(after)).toEqual([10, 10]);
  for (const p of procs.filter((x) => x !== dying)) {
    p.signal('SIGTERM');
    expect((await p.exited).code).toBe(0);
  }
});
