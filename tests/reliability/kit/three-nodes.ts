/**
 * Three nodes of one engine on loopback (scripts/es-harness.js startLocalCluster), for the
 * scenarios where a node dies: SIGKILL one, start it again on its data, wait for the health the
 * scenario needs, and say which node holds which shard.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { until } from './scenario';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require('../../../scripts/es-harness');

interface NodeState {
  name: string;
  dir: string;
  url: string;
  pid: number;
}

export interface ThreeNodes {
  name: string;
  urls: string[];
  nodeNames: string[];
  /** a client on node 1 (the node no scenario kills) */
  admin: Client;
  kill(node: number): Promise<void>;
  restart(node: number): Promise<void>;
  /** resolves once the cluster (or one index) reports this health */
  waitFor(status: 'green' | 'yellow' | 'red', index?: string, timeoutMs?: number): Promise<void>;
  /** node name → the shards of `index` it holds, e.g. {"x-node-2": ["0p", "2r"]} */
  shardsOf(index: string): Promise<Record<string, string[]>>;
  stop(): Promise<void>;
}

const alive = (pid: number): boolean => harness.pidAlive(pid);

export async function startThreeNodes(name: string): Promise<ThreeNodes> {
  const state = await harness.startLocalCluster(name, { nodes: 3 });
  const nodes = state.nodes as NodeState[];
  const javaPid = (i: number) => {
    const file = path.join(nodes[i].dir, 'es.pid');
    return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : nodes[i].pid;
  };
  const admin = new Client({ ...ENGINE_NEUTRAL, node: nodes[0].url, requestTimeout: 30_000 });
  const health = async (index?: string) =>
    (await admin.cluster.health({ index, timeout: '1s' }).catch(() => undefined))?.status;
  return {
    name,
    urls: nodes.map((n) => n.url),
    nodeNames: nodes.map((n) => n.name),
    admin,
    async kill(node) {
      const pid = javaPid(node);
      process.kill(pid, 'SIGKILL');
      await until(`node ${node + 1} gone`, () => !alive(pid), 10_000);
      fs.rmSync(path.join(nodes[node].dir, 'es.pid'), { force: true });
    },
    async restart(node) {
      const child = harness.spawnNode({ ...state, dir: nodes[node].dir }) as ChildProcess;
      nodes[node].pid = child.pid as number;
      // the harness's stop() kills the pids on record: keep them current
      fs.writeFileSync(path.join(harness.CACHE, 'clusters', `${name}.json`), JSON.stringify(state, null, 2));
      await until(
        `node ${node + 1} back in the cluster`,
        async () => (await admin.cat.nodes({ format: 'json' }).catch(() => [])).length === 3,
        180_000,
      );
    },
    async waitFor(status, index, timeoutMs = 180_000) {
      const rank = { red: 0, yellow: 1, green: 2 } as const;
      await until(
        `${index ?? 'the cluster'} ${status}`,
        async () => {
          const h = await health(index);
          if (!h) return false;
          return status === 'red' ? h === 'red' : rank[h as keyof typeof rank] >= rank[status];
        },
        timeoutMs,
      );
    },
    async shardsOf(index) {
      const rows = await admin.cat.shards({ index, format: 'json' });
      const held: Record<string, string[]> = {};
      for (const r of rows as { shard?: string; prirep?: string; node?: string | null; state?: string }[])
        if (r.node && r.state === 'STARTED')
          held[r.node] = [...(held[r.node] ?? []), `${r.shard}${r.prirep}`];
      return held;
    },
    async stop() {
      await admin.close();
      await harness.stop(name);
    },
  };
}
