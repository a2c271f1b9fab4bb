/**
 * Issue 13, defects 4 and 5, at the real SMTP server:
 *  - a scan killed after the mail server accepted its digest, retried with another --duration:
 *    the attack keeps one alert id (and one Message-ID), so the receiver sees no new alert;
 *  - an instance whose cycle outlasts its lease (its state writes stall) while a standby takes
 *    the rule over: the stalled instance records and sends nothing, the attack is sent once.
 */
import { expectEachIpAlertedOnce } from './kit/expect';
import { createScenario, esUrl, sleep, until, useProxiedCluster } from './kit/scenario';

jest.setTimeout(300_000);

const ctx = useProxiedCluster();

it('a retry after a crash mid-send carries the same alert id, whatever the interval', async () => {
  const s = await createScenario('episode', { esUrl: ctx.proxy.url, directUrl: esUrl(), claimTimeout: '2s' });
  ctx.scenarios.push(s);
  await s.attack(1);
  // marking the entry delivered answers late: the kill lands after the SMTP server accepted it
  ctx.proxy.faults.match = /\/_update\//;
  ctx.proxy.faults.delayMs = 4000;
  const first = s.start(['scan', '--duration', '2']);
  await until('the first mail', () => s.tally().raw > 0, 60_000);
  first.kill('SIGKILL');
  await first.exited;
  ctx.proxy.faults.delayMs = 0;
  await sleep(2500); // the killed sender's claim expires

  const retry = await s.run(['scan', '--duration', '5']);
  expect(retry.code).toBe(0);
  const tally = s.tally();
  const [ip] = s.attacked;
  // one alert id for the attack; its digest may be resent (at least once) with the same Message-ID
  expect([...(tally.ipAlerts.get(ip) ?? [])]).toHaveLength(1);
  expect(tally.messageIds.size).toBe(1);
});

it('an instance that lost its lease mid-cycle records and sends nothing; the rule is sent once', async () => {
  // A waits for Elasticsearch as long as it takes: a stalled write is a cycle outlasting its lease
  const s = await createScenario('fence', {
    esUrl: ctx.proxy.url,
    directUrl: esUrl(),
    esTuning: '  request_timeout: 60s\n  max_retries: 0',
  });
  ctx.scenarios.push(s);
  // A, a monitor, talks through the proxy; B, scans straight to the cluster, takes the rule over
  // only through the lease (a second monitor would take it through the share of the rules)
  const a = s.monitor();
  await until('A holds the rule', () => /monitoring 1 rules/.test(a.output()), 60_000);
  await until('A ran a cycle', () => /cycle 1:/.test(a.output()), 60_000);
  // A's writes about the attack stall far longer than its lease (2 periods + 10 s = 14 s)
  ctx.proxy.faults.match = /\/_bulk/;
  ctx.proxy.faults.bodyMatch = /10\.\d+\.\d+\.\d+/; // the scenario's attacking addresses
  ctx.proxy.faults.delayMs = 25_000;
  await s.attack(1);
  let standby = true;
  const b = (async () => {
    while (standby) {
      await s.start(['scan', '--duration', '1'], { VIGIL_REL_ES: esUrl() }).exited;
      await sleep(1000);
    }
  })();
  // the checkpoint as the cluster holds it, all along: a stale writer would move it back
  const seen: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const doc = await s.attacker
        .get<{ until: string }>({ index: `${s.prefix}-state`, id: 'checkpoint:rel_ssh' }, { ignore: [404] })
        .catch(() => undefined);
      if (doc?.found && doc._source && doc._source.until !== seen.at(-1)) seen.push(doc._source.until);
      await sleep(200);
    }
  })();
  await s.waitForAllAlerts(90_000);
  // A's stalled writes land after B took over; then everything is healthy for a few cycles
  await sleep(30_000);
  ctx.proxy.faults.delayMs = 0;
  ctx.proxy.faults.bodyMatch = undefined;
  await sleep(8_000);
  a.kill('SIGTERM');
  standby = false;
  await Promise.all([a.exited, b]);
  watching = false;
  await watcher;
  expectEachIpAlertedOnce(s.attacked, s.tally());
  expect(seen.length).toBeGreaterThan(2);
  expect(seen).toEqual([...seen].sort());
  expect(a.output()).toMatch(/lost the lease of rel_ssh|rel_ssh is handled by/);
});
