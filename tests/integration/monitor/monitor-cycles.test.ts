/**
 * `vigil monitor` as a user runs it, against the real cluster and a real SMTP server: cycles on a
 * 2 s schedule, an attack indexed while it runs becomes one email, /metrics and /healthz answer,
 * and it exits 0 by itself when --duration elapses.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../../helpers/ecs';
import { type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import { tempDir } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, waitFor } from '../../helpers/vigil-process';
import {
  auditFiles,
  checkpointOf,
  cleanupIndices,
  decisionsFor,
  emailAlerts,
  eventsOf,
  healthz,
  metricsPortIn,
  monitorConfig,
  readAudit,
  sampleSum,
  sampleValue,
  scrape,
} from './monitor-kit';

const prefix = `mon-cycles-${process.pid}-${Date.now().toString(36)}`;
const ATTACKER = '203.0.113.77';

describe('vigil monitor: scheduled cycles against the real cluster', () => {
  let client: Client;
  let smtp: SmtpReceiver;
  let dir: string;

  beforeAll(async () => {
    client = testClient();
    smtp = await startSmtp({ kind: 'plain' });
    dir = tempDir('vigil-mon-cycles-');
    await createEcsIndex(client, `${prefix}-auth`);
  });
  afterAll(async () => {
    await killAllVigils();
    await smtp.close();
    await cleanupIndices(client, prefix);
    await cleanupIndices(client, `${prefix}-acc`);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs several cycles, alerts once on an attack indexed while it runs, serves metrics and exits 0 when --duration elapses', async () => {
    const logDir = path.join(dir, 'logs');
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(config, monitorConfig({ prefix, logDir, alerts: emailAlerts(smtp.port) }));
    const startedMs = Date.now();
    const vigil = startVigil([
      'monitor',
      '--config',
      config,
      '--rule',
      'ssh_bruteforce',
      '--duration',
      '0.5',
      '--metrics-port',
      '0',
      '--log-level',
      'debug',
    ]);
    const describe = () => `stderr:\n${vigil.stderr()}`;
    const port = await waitFor('the metrics listener', () => metricsPortIn(vigil.stderr()), { describe });

    // before anything happened: healthy while starting, metrics already typed
    await waitFor('a first cycle', () => eventsOf(readAudit(logDir), 'cycle').length >= 1, { describe });
    const quiet = await healthz(port);
    expect(quiet.status).toBe(200);
    expect(quiet.type).toMatch(/^application\/json/);
    expect(quiet.body.status).toBe('ok');

    // the attack arrives while monitor runs: 30 failures from one address in the last seconds
    const now = Date.now();
    await indexDocs(client, `${prefix}-auth`, sshFailures(ATTACKER, 30, now - 5_000, 5_000));
    await waitFor('the alert email', () => smtp.mails.length >= 1, { describe });

    // metrics scraped and parsed while it runs
    const { status, type, families } = await waitFor(
      'vigil_alerts_sent_total{channel="email"} to count the email',
      async () => {
        const s = await scrape(port);
        return (sampleValue(s.families, 'vigil_alerts_sent_total', { channel: 'email' }) ?? 0) >= 1 && s;
      },
      { describe },
    );
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const types = Object.fromEntries([...families].map(([name, f]) => [name, f.type]));
    expect(types).toMatchObject({
      vigil_cycles_total: 'counter',
      vigil_cycle_duration_seconds: 'histogram',
      vigil_findings_total: 'counter',
      vigil_alerts_sent_total: 'counter',
      vigil_alerts_failed_total: 'counter',
      vigil_elasticsearch_errors_total: 'counter',
      vigil_outbox_depth: 'gauge',
      vigil_last_success_timestamp_seconds: 'gauge',
    });
    const ok = sampleValue(families, 'vigil_cycles_total', { result: 'ok' }) ?? 0;
    expect(ok).toBeGreaterThanOrEqual(2);
    expect(sampleValue(families, 'vigil_cycles_total', { result: 'failed' })).toBe(0);
    expect(sampleValue(families, 'vigil_cycle_duration_seconds_count')).toBe(
      ok + (sampleValue(families, 'vigil_cycles_total', { result: 'failed' }) ?? 0),
    );
    expect(sampleValue(families, 'vigil_cycle_duration_seconds_bucket', { le: '+Inf' })).toBe(
      sampleValue(families, 'vigil_cycle_duration_seconds_count'),
    );
    expect(sampleValue(families, 'vigil_findings_total', { rule: 'ssh_bruteforce', severity: 'high' })).toBe(
      1,
    );
    expect(sampleSum(families, 'vigil_alerts_failed_total')).toBe(0);
    expect(sampleSum(families, 'vigil_elasticsearch_errors_total')).toBe(0);
    expect(sampleValue(families, 'vigil_outbox_depth')).toBe(0);
    const lastSuccess = sampleValue(families, 'vigil_last_success_timestamp_seconds') as number;
    expect(lastSuccess).toBeGreaterThanOrEqual(startedMs / 1000);
    expect(lastSuccess).toBeLessThanOrEqual(Date.now() / 1000);

    const healthy = await healthz(port);
    expect(healthy.status).toBe(200);
    expect(healthy.body).toEqual({
      status: 'ok',
      reason: expect.stringMatching(/^last successful cycle \d+ s ago$/),
    });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);

    // it stops by itself
    const { code } = await vigil.exited;
    expect({ code, stderr: vigil.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(vigil.stderr()).toMatch(/stopping \(--duration of 30 s elapsed\)/);

    const records = readAudit(logDir);
    const cycles = eventsOf(records, 'cycle');
    expect(cycles.length).toBeGreaterThanOrEqual(3);
    const decisions = decisionsFor(records, ATTACKER);
    expect(decisions[0]).toBe('new');
    expect(decisions.filter((d) => d === 'new')).toHaveLength(1);
    expect(decisions.slice(1).every((d) => d === 'suppressed')).toBe(true);
    // detection enqueues (the cycle record), the dispatcher sends (a delivery record)
    expect(cycles.some((c) => (c.alerts as { enqueued: number }).enqueued === 1)).toBe(true);
    expect(eventsOf(records, 'delivery').reduce((n, d) => n + (d.sent as number), 0)).toBe(1);
    for (const c of cycles)
      expect(Object.keys(c.phases as object)).toEqual(
        expect.arrayContaining(['query', 'evaluate', 'dedup', 'persist']),
      );

    // one email, about that address
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].parsed.text).toContain(ATTACKER);

    // start and stop records frame the run; the checkpoint is the last cycle's end
    expect(records[0]).toMatchObject({ event: 'start', mode: 'monitor', rules: ['ssh_bruteforce'] });
    expect(records[0].config_sha256).toMatch(/^[0-9a-f]{64}$/);
    const last = records[records.length - 1];
    expect(last).toMatchObject({ event: 'stop', mode: 'monitor', cycles: cycles.length, exit: 0 });
    const lastEnd = (cycles[cycles.length - 1].interval as { end: string }).end;
    expect(await checkpointOf(client, `${prefix}-state`, 'ssh_bruteforce')).toBe(lastEnd);
  });

  it('acceptance: `vigil monitor --duration 0.1` with every shipped rule writes audit files under logging.dir and exits 0 by itself', async () => {
    const cwd = tempDir('vigil-mon-accept-');
    try {
      const config = path.join(cwd, 'config.yaml');
      // a relative logging.dir is under the working directory
      fs.writeFileSync(config, monitorConfig({ prefix: `${prefix}-acc`, logDir: 'audit-logs' }));
      const vigil = startVigil(['monitor', '--config', config, '--duration', '0.1'], { cwd });
      const { code } = await vigil.exited;
      expect({ code, stderr: vigil.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });
      const logDir = path.join(cwd, 'audit-logs');
      expect(auditFiles(logDir).some((f) => /vigil-audit-\d{4}-\d{2}-\d{2}\.log$/.test(f))).toBe(true);
      const events = readAudit(logDir).map((r) => r.event);
      expect(events[0]).toBe('start');
      expect(events[events.length - 1]).toBe('stop');
      expect(events).toContain('cycle');
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a metrics port that is taken is a config error: one line, exit 2, no audit trail started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const cwd = tempDir('vigil-mon-port-');
    try {
      const config = path.join(cwd, 'config.yaml');
      fs.writeFileSync(config, monitorConfig({ prefix: `${prefix}-port`, logDir: path.join(cwd, 'logs') }));
      const vigil = startVigil(['monitor', '--config', config, '--metrics-port', String(taken)], { cwd });
      const { code } = await vigil.exited;
      expect({ code, stderr: vigil.stderr() }).toEqual({
        code: 2,
        stderr: `vigil: metrics: cannot listen on 127.0.0.1:${taken} (EADDRINUSE); the port is taken: choose another with --metrics-port or metrics.port\n`,
      });
      expect(eventsOf(readAudit(path.join(cwd, 'logs')), 'start')).toEqual([]);
    } finally {
      await new Promise((r) => blocker.close(r));
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
