/**
 * vigil itself dies: `kill -9` in the middle of a cycle (after the SMTP server accepted a digest,
 * before the outbox marked it delivered), then a restart; and two monitors on the same data,
 * one of which is killed. Checked at the SMTP server: no alert is lost, none is sent twice, and
 * the one resend the at-least-once contract allows carries the same Message-ID.
 */
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../src/collect/client';
import { expectEachIpAlertedOnce } from './kit/expect';
import {
  auditRecords,
  createScenario,
  esUrl,
  type Scenario,
  sleep,
  until,
  useProxiedCluster,
} from './kit/scenario';

jest.setTimeout(300_000);

const ctx = useProxiedCluster();

async function stateDoc(s: Scenario, id: string): Promise<Record<string, unknown> | undefined> {
  const c = new Client({ ...ENGINE_NEUTRAL, node: esUrl() });
  try {
    const r = await c
      .get<Record<string, unknown>>({ index: `${s.prefix}-state`, id }, { ignore: [404] })
      .catch(() => undefined); // the state index may still be starting
    return r?.found ? r._source : undefined;
  } finally {
    await c.close();
  }
}

it('kill -9 mid-cycle, then restart: resumes from the checkpoint, loses nothing, resends with the same Message-ID', async () => {
  const s = await createScenario('kill9', { esUrl: ctx.proxy.url, directUrl: esUrl(), claimTimeout: '3s' });
  ctx.scenarios.push(s);
  const first = s.monitor();
  await until('a checkpoint', async () => Boolean(await stateDoc(s, 'checkpoint:rel_ssh')), 60_000);
  const checkpoint = await stateDoc(s, 'checkpoint:rel_ssh');

  // outbox updates (claim, mark delivered) answer late: the kill lands between send and mark
  ctx.proxy.faults.match = /\/_update\//;
  ctx.proxy.faults.delayMs = 4000;
  await s.attack(2);
  await until('the first mail', () => s.tally().raw > 0, 60_000);
  first.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  ctx.proxy.faults.delayMs = 0;
  const killedMessageId = [...s.tally().messageIds][0];
  const killedAlertIds = [...s.tally().alertMessages.keys()];

  await s.attack(2);
  const second = s.monitor();
  const tally = await s.waitForAllAlerts(90_000);
  await until('the resend of the interrupted digest', () => s.tally().resent.length > 0, 60_000);
  second.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);

  const final = s.tally();
  expectEachIpAlertedOnce(s.attacked, final);
  expect(tally.raw).toBeGreaterThanOrEqual(2);
  // the resend is the interrupted digest itself: same Message-ID, the same alerts
  expect(final.resent).toEqual([killedMessageId]);
  for (const id of killedAlertIds)
    expect([...(final.alertMessages.get(id) ?? [])]).toEqual([killedMessageId]);
  // the restarted process evaluated from the checkpoint the killed one left: it found the same alert ids
  expect(checkpoint).toBeDefined();
  const recomputed = auditRecords(s.logDir)
    .filter((r) => r.event === 'cycle')
    .flatMap((r) => (r.findings as { id: string }[]) ?? [])
    .map((f) => f.id);
  for (const id of killedAlertIds) expect(recomputed).toContain(id);
  expect(s.leakedSecrets()).toEqual([]);
});

it('two monitors on the same data: no duplicate email; when the lease holder is killed the other takes over', async () => {
  const s = await createScenario('twin', { esUrl: ctx.proxy.url, directUrl: esUrl(), claimTimeout: '3s' });
  ctx.scenarios.push(s);
  const a = s.monitor();
  const b = s.monitor();
  for (let i = 0; i < 5; i++) {
    await s.attack(2);
    await sleep(2000);
  }
  let tally = await s.waitForAllAlerts(60_000);
  expectEachIpAlertedOnce(s.attacked, tally);
  expect(tally.resent).toEqual([]);

  // the share settles: the monitor the rule is assigned to holds its lease, and the other one's
  // latest word is that it runs 0 of 1 (the first to start may hold the lease until it hands over)
  const lastShare = (m: typeof a) =>
    m
      .output()
      .match(/this one runs \d+ of 1/g)
      ?.at(-1);
  let holder = a;
  let other = b;
  await until(
    'the rule settled on one monitor',
    async () => {
      const lease = await stateDoc(s, 'lease:rel_ssh');
      const holderPid = Number(String(lease?.owner).split(':')[1]);
      [holder, other] = a.child.pid === holderPid ? [a, b] : [b, a];
      return holder.child.pid === holderPid && lastShare(other) === 'this one runs 0 of 1';
    },
    60_000,
  );
  // kill the holder (instance id: host:pid:random)
  holder.kill('SIGKILL');
  await holder.exited;
  for (let i = 0; i < 3; i++) {
    await s.attack(2);
    await sleep(2000);
  }
  tally = await s.waitForAllAlerts(90_000);
  other.kill('SIGTERM');
  expect((await other.exited).code).toBe(0);

  expectEachIpAlertedOnce(s.attacked, tally);
  // the survivor had left the rule to the other monitor (their share), then took it over
  expect(other.output()).toMatch(/2 monitors share the rules on .*: this one runs 0 of 1/);
  const taken = await stateDoc(s, 'lease:rel_ssh');
  expect(Number(String(taken?.owner).split(':')[1])).toBe(other.child.pid);
  expect(s.leakedSecrets()).toEqual([]);
});
