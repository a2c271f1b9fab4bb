/**
 * Elasticsearch is SIGKILLed in the middle of `vigil monitor` while attacks keep coming (the
 * attacker buffers while the cluster is down, as a log shipper does), then restarted on the same
 * data. vigil keeps its URL (a loopback proxy in front of the cluster), reports the failed
 * cycles, and once the cluster is back catches up the gap from its checkpoint: every attacking IP
 * reaches the SMTP server in exactly one alert (0 lost, 0 duplicated).
 */
import { type KillableCluster, startKillableCluster } from './kit/cluster';
import { type EsProxy, startEsProxy } from './kit/es-proxy';
import { expectEachIpAlertedOnce } from './kit/expect';
import { auditRecords, createScenario, type Scenario, until, type VigilProcess } from './kit/scenario';

jest.setTimeout(480_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Elasticsearch killed and restarted during monitor', () => {
  let cluster: KillableCluster | undefined;
  let proxy: EsProxy | undefined;
  let sc: Scenario | undefined;
  let vigil: VigilProcess | undefined;

  beforeAll(async () => {
    cluster = await startKillableCluster(`rel-kill-${process.pid}`);
    proxy = await startEsProxy(cluster.url);
    sc = await createScenario('eskill', { esUrl: proxy.url, directUrl: cluster.url, claimTimeout: '5s' });
  }, 300_000);

  afterAll(async () => {
    vigil?.kill('SIGKILL');
    await sc?.cleanup().catch(() => undefined);
    await proxy?.close();
    await cluster?.stop();
  }, 120_000);

  it('delivers every alert once across the outage and catches up the gap', async () => {
    if (!sc || !cluster) throw new Error('setup failed');
    const s = sc;
    vigil = s.monitor();
    const v = vigil;
    // before: a few bursts, alerted while the cluster is up
    for (let i = 0; i < 3; i++) {
      await s.attack(2);
      await sleep(1500);
    }
    await until('the first alerts', () => s.tally().ipAlerts.size >= 2, 60_000);

    // outage: SIGKILL, while attacks keep coming (buffered by the attacker)
    await cluster.kill();
    const before = s.attacked.length;
    for (let i = 0; i < 4; i++) {
      await s.attack(2);
      await sleep(1500);
    }
    await until('a failed cycle reported', () => /cycle failed/.test(v.output()), 60_000);
    const duringOutage = s.attacked.slice(before);
    expect(await s.flush()).toBe(false); // still down: nothing could be indexed

    // back: same data, same port; the buffered events arrive, more attacks follow
    await cluster.restart();
    await until('the buffered events indexed', () => s.flush(), 60_000);
    for (let i = 0; i < 3; i++) {
      await s.attack(2);
      await sleep(1500);
    }
    const tally = await s.waitForAllAlerts(120_000);
    v.kill('SIGTERM');
    const exit = await v.exited;

    expectEachIpAlertedOnce(s.attacked, tally);
    for (const ip of duringOutage) expect(tally.ipAlerts.get(ip)?.size).toBe(1);
    // failures were reported, in the console and in the audit log, not hidden
    expect(v.output()).toMatch(/error cycle failed: Elasticsearch (unreachable|at .* did not answer)/);
    const failed = auditRecords(s.logDir).filter((r) => r.event === 'cycle_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(exit.code).toBe(0);
    expect(s.leakedSecrets()).toEqual([]);
  });
});
