/**
 * The dependencies misbehave while vigil runs: the SMTP server is down for several cycles, and
 * Elasticsearch answers slowly or with 503 (injected by a loopback proxy in front of the real
 * cluster). Alerts still arrive exactly once; what cannot be done within
 * elasticsearch.request_timeout / max_retries fails loudly (stderr, audit log, exit code).
 */
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

jest.setTimeout(240_000);

const ctx = useProxiedCluster();

afterEach(() => {
  Object.assign(ctx.proxy.faults, {
    delayMs: 0,
    fail503Every: 0,
    fail503Next: 0,
    down: false,
    match: undefined,
  });
});

it('SMTP down for several cycles, then back: every alert is delivered once', async () => {
  const s = await createScenario('smtpdown', { esUrl: ctx.proxy.url, directUrl: esUrl() });
  ctx.scenarios.push(s);
  await s.stopSmtp();
  const v = s.monitor();
  for (let i = 0; i < 4; i++) {
    await s.attack(2);
    await sleep(2000);
  }
  await until(
    'failed deliveries reported',
    () => (v.output().match(/warn {2}delivery email: /g) ?? []).length >= 3,
    60_000,
  );
  expect(s.tally().raw).toBe(0);
  await s.restartSmtp();
  await s.attack(1);
  const tally = await s.waitForAllAlerts(60_000);
  v.kill('SIGTERM');
  expect((await v.exited).code).toBe(0);

  expectEachIpAlertedOnce(s.attacked, tally);
  expect(tally.resent).toEqual([]);
  // the dispatcher records each drain that sent or failed something
  const problems = auditRecords(s.logDir)
    .filter((r) => r.event === 'delivery')
    .flatMap((r) => r.problems as unknown[]);
  expect(problems.length).toBeGreaterThanOrEqual(3);
  expect(s.leakedSecrets()).toEqual([]);
});

describe('Elasticsearch slow or answering 503', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await createScenario('flaky', {
      esUrl: ctx.proxy.url,
      directUrl: esUrl(),
      esTuning: '  request_timeout: 1500ms\n  max_retries: 2',
    });
    ctx.scenarios.push(s);
    await s.attack(3);
  });

  it('a 503 within max_retries is retried by the client and the scan succeeds', async () => {
    ctx.proxy.faults.match = /_msearch/;
    ctx.proxy.faults.fail503Next = 2;
    const before = ctx.proxy.stats.answered503;
    const res = await s.run(['scan', '--duration', '2', '--dry-run', '--format', 'json']);
    expect(ctx.proxy.stats.answered503 - before).toBe(2);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('503 on every try: the scan fails with one line naming the cause, exit 3, and the audit log says so', async () => {
    ctx.proxy.faults.match = /_msearch/;
    ctx.proxy.faults.fail503Every = 1;
    const before = ctx.proxy.stats.answered503;
    const res = await s.run(['scan', '--duration', '2']);
    // one try plus max_retries (2) per round, nothing more
    expect(ctx.proxy.stats.answered503 - before).toBe(3);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/503/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    const failures = auditRecords(s.logDir).filter((r) => JSON.stringify(r).includes('503'));
    expect(failures.length).toBeGreaterThan(0);
  });

  it('an answer slower than request_timeout: the request is abandoned, the failure reported, exit 3', async () => {
    ctx.proxy.faults.match = /_msearch/;
    ctx.proxy.faults.delayMs = 4000; // > request_timeout (1.5 s)
    const before = ctx.proxy.stats.delayed;
    const res = await s.run(['scan', '--duration', '2']);
    expect(ctx.proxy.stats.delayed - before).toBeGreaterThanOrEqual(1);
    expect(ctx.proxy.stats.delayed - before).toBeLessThanOrEqual(3); // at most 1 + max_retries tries
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/request_timeout/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('monitor through intermittent 503s and slow answers: alerts still arrive exactly once', async () => {
    const m = await createScenario('flakymon', {
      esUrl: ctx.proxy.url,
      directUrl: esUrl(),
      esTuning: '  request_timeout: 3s\n  max_retries: 3',
    });
    ctx.scenarios.push(m);
    ctx.proxy.faults.fail503Every = 4; // every 4th request of any kind
    ctx.proxy.faults.delayMs = 300;
    const v = m.monitor();
    for (let i = 0; i < 4; i++) {
      await m.attack(2);
      await sleep(2000);
    }
    const tally = await m.waitForAllAlerts(90_000);
    ctx.proxy.faults.fail503Every = 0;
    ctx.proxy.faults.delayMs = 0;
    v.kill('SIGTERM');
    expect((await v.exited).code).toBe(0);
    expectEachIpAlertedOnce(m.attacked, tally);
    expect(ctx.proxy.stats.answered503).toBeGreaterThan(3);
    expect(m.leakedSecrets()).toEqual([]);
  });
});
