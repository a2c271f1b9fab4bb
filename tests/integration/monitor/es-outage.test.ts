/**
 * Elasticsearch goes away for a while and comes back (a TCP proxy in front of the real cluster is
 * closed and reopened on the same port): monitor keeps running, counts the failed cycles in
 * /metrics and the audit log, /healthz turns 503 and back to 200 while /livez stays 200, and the
 * attack indexed during the outage is caught up from the checkpoint with exactly one alert.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, sshFailures, testClient } from '../../helpers/ecs';
import { type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy';
import { tempDir } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, waitFor } from '../../helpers/vigil-process';
import {
  cleanupIndices,
  decisionsFor,
  emailAlerts,
  eventsOf,
  healthz,
  livez,
  metricsPortIn,
  monitorConfig,
  readAudit,
  sampleSum,
  sampleValue,
  scrape,
} from './monitor-kit';

const prefix = `mon-outage-${process.pid}-${Date.now().toString(36)}`;
const ATTACKER = '198.51.100.23';

describe('vigil monitor: Elasticsearch unreachable, then back', () => {
  let client: Client;
  let proxy: TcpProxy;
  let smtp: SmtpReceiver;
  let dir: string;

  beforeAll(async () => {
    client = testClient();
    proxy = await startTcpProxy(process.env.ELASTICSEARCH_URL as string);
    smtp = await startSmtp({ kind: 'plain' });
    dir = tempDir('vigil-mon-outage-');
    await createEcsIndex(client, `${prefix}-auth`);
  });
  afterAll(async () => {
    await killAllVigils();
    await proxy.close();
    await smtp.close();
    await cleanupIndices(client, prefix);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('survives, counts the failures, flips /healthz to 503 and back, and catches up the gap with one alert', async () => {
    const logDir = path.join(dir, 'logs');
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      monitorConfig({
        prefix,
        logDir,
        esUrl: proxy.url,
        requestTimeout: '5s',
        alerts: emailAlerts(smtp.port),
      }),
    );
    const vigil = startVigil([
      'monitor',
      '--config',
      config,
      '--rule',
      'ssh_bruteforce',
      '--metrics-port',
      '0',
    ]);
    const describe = () => `stderr:\n${vigil.stderr()}`;
    const port = await waitFor('the metrics listener', () => metricsPortIn(vigil.stderr()), { describe });
    await waitFor('a first cycle', () => eventsOf(readAudit(logDir), 'cycle').length >= 1, { describe });
    expect((await healthz(port)).status).toBe(200);

    // Elasticsearch becomes unreachable for monitor; the attack still reaches the cluster
    await proxy.down();
    await indexDocs(client, `${prefix}-auth`, sshFailures(ATTACKER, 25, Date.now() - 3_000, 3_000));
    await waitFor(
      'two failed cycles in the audit log',
      () => eventsOf(readAudit(logDir), 'cycle_failed').length >= 2,
      {
        describe,
      },
    );
    const down = await waitFor(
      '/healthz to report 503',
      async () => {
        const h = await healthz(port);
        return h.status === 503 && h;
      },
      { describe },
    );
    expect(down.type).toMatch(/^application\/json/);
    expect(down.body.status).toBe('unhealthy');
    expect(down.body.reason).toMatch(/more than two intervals.*last error: Elasticsearch unreachable/);
    // alive all the same: a liveness probe must not restart vigil for an outage
    expect(await livez(port)).toBe(200);
    const during = (await scrape(port)).families;
    expect(sampleValue(during, 'vigil_cycles_total', { result: 'failed' })).toBeGreaterThanOrEqual(2);
    expect(sampleSum(during, 'vigil_elasticsearch_errors_total')).toBeGreaterThanOrEqual(2);
    expect(
      sampleValue(during, 'vigil_elasticsearch_errors_total', { reason: 'es_unavailable' }),
    ).toBeGreaterThanOrEqual(2);
    expect(smtp.mails).toHaveLength(0);
    expect(vigil.isRunning()).toBe(true);

    // back again: healthy, and the gap is caught up
    await proxy.up();
    await waitFor(
      '/healthz to report 200 again',
      async () => {
        const h = await healthz(port);
        return h.status === 200 && h.body.status === 'ok';
      },
      { describe },
    );
    await waitFor('the alert email', () => smtp.mails.length >= 1, { describe });
    const afterMail = eventsOf(readAudit(logDir), 'cycle').length;
    await waitFor('two more cycles', () => eventsOf(readAudit(logDir), 'cycle').length >= afterMail + 2, {
      describe,
    });
    vigil.signal('SIGTERM');
    const { code } = await vigil.exited;
    expect({ code, stderr: vigil.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });

    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].parsed.text).toContain(ATTACKER);
    const records = readAudit(logDir);
    const failed = eventsOf(records, 'cycle_failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    for (const f of failed) {
      expect(f).toMatchObject({ level: 'error', reason: 'es_unavailable' });
      expect(String(f.error)).not.toContain('\n');
    }
    const decisions = decisionsFor(records, ATTACKER);
    expect(decisions.filter((d) => d === 'new')).toHaveLength(1);
    expect(decisions.filter((d) => d !== 'new' && d !== 'suppressed')).toEqual([]);
    expect(vigil.stderr()).toMatch(/cycle failed: Elasticsearch unreachable.*will retry and catch up/);
    expect(records[records.length - 1]).toMatchObject({ event: 'stop', exit: 0 });
  });
});
