/**
 * A dedicated Elasticsearch (through scripts/es-harness.js) that a scenario may SIGKILL and
 * restart on the same data directory and port. Only the local test distribution can be killed
 * this way; the scenario says so when the harness picked something else.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require('../../../scripts/es-harness');

interface ClusterState {
  name: string;
  kind: string;
  url: string;
  pid: number;
  dir: string;
  java: string;
  version: string;
}

export interface KillableCluster {
  name: string;
  url: string;
  /** SIGKILL to the java process; resolves once it is gone */
  kill(): Promise<void>;
  /** starts Elasticsearch again on the same data and port; resolves once it is yellow */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const alive = (pid: number): boolean => harness.pidAlive(pid);

export async function startKillableCluster(name: string): Promise<KillableCluster> {
  // never the cluster named by ELASTICSEARCH_URL: this one gets killed
  const started = await harness.start({ name, reuseEnv: false });
  const state = harness.readState(name) as ClusterState | null;
  if (state?.kind !== 'local') {
    if (state) await harness.stop(name);
    throw new Error(
      `the Elasticsearch kill/restart scenario needs the local test distribution (the harness used ${started.source}); run it on a machine without Docker or set VIGIL_NO_DOCKER=1`,
    );
  }
  const pidFile = path.join(state.dir, 'es.pid');
  const stateFile = path.join(harness.CACHE, 'clusters', `${name}.json`);
  const javaPid = () => Number(fs.readFileSync(pidFile, 'utf8').trim());
  return {
    name,
    url: state.url,
    async kill() {
      const pid = javaPid();
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
      if (alive(pid)) throw new Error(`Elasticsearch (pid ${pid}) survived SIGKILL`);
      fs.rmSync(pidFile, { force: true });
    },
    async restart() {
      // the same command and environment as the first start (the real clock under test:clock too)
      const child = harness.spawnNode(state) as ChildProcess;
      // the harness's stop() kills the pid on record: keep it current
      fs.writeFileSync(stateFile, JSON.stringify({ ...state, pid: child.pid }, null, 2));
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        const r = await harness.request(`${state.url}/_cluster/health?wait_for_status=yellow&timeout=2s`);
        if (r.status === 200) return;
        if (child.exitCode !== null) break;
        await sleep(500);
      }
      throw new Error(`Elasticsearch ${name} did not come back after the restart (log: ${state.dir})`);
    },
    async stop() {
      await harness.stop(name);
    },
  };
}
