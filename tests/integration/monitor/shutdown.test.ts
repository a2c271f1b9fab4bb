/**
 * Graceful shutdown of `vigil monitor`, with a cycle really in flight: Elasticsearch is reached
 * through a TCP proxy that can hold requests, so a signal lands while a cycle waits on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, testClient } from '../../helpers/ecs';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy';
import { tempDir } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, type VigilProcess, waitFor } from '../../helpers/vigil-process';
import { checkpointOf, cleanupIndices, eventsOf, monitorConfig, readAudit } from './monitor-kit';

const prefix = `mon-stop-${process.pid}-${Date.now().toString(36)}`;
const RULE = 'ssh_bruteforce';

describe('vigil monitor: SIGINT/SIGTERM', () => {
  let client: Client;
  let proxy: TcpProxy;
  let dir: string;

  beforeAll(async () => {
    client = testClient();
    proxy = await startTcpProxy(process.env.ELASTICSEARCH_URL as string);
    dir = tempDir('vigil-mon-stop-');
    await createEcsIndex(client, `${prefix}-auth`);
  });
  afterEach(() => proxy.release());
  afterAll(async () => {
    await killAllVigils();
    await proxy.close();
    await cleanupIndices(client, prefix);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A monitor through the proxy, its own state index and log dir; resolves once a cycle completed. */
  async function startMonitor(name: string, grace: string) {
    const logDir = path.join(dir, name, 'logs');
    const config = path.join(dir, name, 'config.yaml');
    fs.mkdirSync(path.dirname(config), { recursive: true });
    const p = `${prefix}-${name}`;
    fs.writeFileSync(
      config,
      monitorConfig({ prefix: p, logDir, esUrl: proxy.url }).replace(
        /^ {2}auth: .*$/m,
        `  auth: { indices: [${prefix}-auth] }`,
      ),
    );
    const vigil = startVigil(['monitor', '--config', config, '--rule', RULE, '--grace', grace]);
    const describe = () => `stderr:\n${vigil.stderr()}`;
    await waitFor('a completed cycle', () => eventsOf(readAudit(logDir), 'cycle').length >= 1, { describe });
    return { vigil, logDir, stateIndex: `${p}-state`, describe };
  }

  /** Holds Elasticsearch's answers and waits until the monitor has a request in flight. */
  async function holdMidCycle(vigil: VigilProcess, describe: () => string) {
    proxy.hold();
    await waitFor('a request held mid-cycle', () => proxy.heldBytes() > 0, { describe });
    expect(vigil.isRunning()).toBe(true);
  }

  it('lets the in-flight cycle finish within the grace period, advances the checkpoint to its end, writes a stop record and exits 0', async () => {
    const { vigil, logDir, stateIndex, describe } = await startMonitor('finish', '60s');
    await holdMidCycle(vigil, describe);
    const before = eventsOf(readAudit(logDir), 'cycle').length;
    vigil.signal('SIGTERM');
    await waitFor(
      'the stopping message',
      () => /stopping \(SIGTERM\): letting the running cycle finish/.test(vigil.stderr()),
      {
        describe,
      },
    );
    proxy.release();
    const { code } = await vigil.exited;
    expect({ code, stderr: vigil.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });

    const records = readAudit(logDir);
    const cycles = eventsOf(records, 'cycle');
    expect(cycles).toHaveLength(before + 1);
    const finished = cycles[cycles.length - 1];
    expect(finished).toMatchObject({ aborted: false, checkpointed: [RULE] });
    expect(await checkpointOf(client, stateIndex, RULE)).toBe((finished.interval as { end: string }).end);
    expect(records[records.length - 1]).toMatchObject({
      event: 'stop',
      reason: 'SIGTERM',
      exit: 0,
      cycles: before + 1,
    });
    expect(eventsOf(records, 'cycle_cut_off')).toHaveLength(0);
  });

  it('cuts off a cycle that outlasts the grace period: no checkpoint advanced past the last finished cycle, nothing recorded for it, a stop record, exit 0', async () => {
    const { vigil, logDir, stateIndex, describe } = await startMonitor('cut', '1s');
    await holdMidCycle(vigil, describe);
    const done = eventsOf(readAudit(logDir), 'cycle');
    const lastEnd = (done[done.length - 1].interval as { end: string }).end;
    expect(await checkpointOf(client, stateIndex, RULE)).toBe(lastEnd);
    vigil.signal('SIGTERM');
    await waitFor(
      'the cut-off warning',
      () => /did not finish within the grace period/.test(vigil.stderr()),
      {
        describe,
      },
    );
    // Elasticsearch answers again: the cut-off cycle must still record nothing
    proxy.release();
    const { code } = await vigil.exited;
    expect({ code, stderr: vigil.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });

    const records = readAudit(logDir);
    expect(eventsOf(records, 'cycle_cut_off')).toHaveLength(1);
    expect(eventsOf(records, 'cycle_failed')).toHaveLength(0);
    const cycles = eventsOf(records, 'cycle');
    expect(cycles.filter((c) => c.aborted === false)).toHaveLength(done.length);
    expect(cycles.filter((c) => (c.checkpointed as string[]).length > 0)).toHaveLength(done.length);
    expect(await checkpointOf(client, stateIndex, RULE)).toBe(lastEnd);
    expect(records[records.length - 1]).toMatchObject({ event: 'stop', reason: 'SIGTERM', exit: 0 });
    // the cut-off cycle could still have been writing: its lease is left to expire, not handed over
    const lease = await client.get<{ owner: string; expires_at: string }>({
      index: stateIndex,
      id: `lease:${RULE}`,
    });
    expect(Date.parse(lease._source?.expires_at as string)).toBeGreaterThan(Date.now());
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('a second %s exits at once with %i', async (sig, expected) => {
    const { vigil, describe } = await startMonitor(`twice-${sig.toLowerCase()}`, '60s');
    await holdMidCycle(vigil, describe);
    vigil.signal(sig);
    await waitFor('the stopping message', () => /stopping \(SIG(TERM|INT)\)/.test(vigil.stderr()), {
      describe,
    });
    vigil.signal(sig);
    const { code } = await vigil.exited;
    expect({ code, stderr: vigil.stderr() }).toEqual({
      code: expected,
      stderr: expect.stringContaining(`second ${sig}: exiting now`),
    });
  });
});
