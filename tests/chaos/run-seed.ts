/**
 * One seed, end to end: a scenario of its own (indices, rules, configs, SMTP server, webhook
 * receiver) on the killable cluster behind the proxy; the plan's operations at their times; then
 * everything healed and a healthy monitor left to settle until every expected alert arrived and
 * the outbox is empty (or a deadline); then what the receivers and the state index say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../src/collect/client';
import { startHttpReceiver } from '../helpers/receivers';
import type { KillableCluster } from '../reliability/kit/cluster';
import type { EsProxy } from '../reliability/kit/es-proxy';
import { sshRuleYaml } from '../reliability/kit/rules';
import { createScenario, type Scenario, sleep, until, type VigilProcess } from '../reliability/kit/scenario';
import { createFaults } from './faults';
import { buildPlan, describeOp, type Plan, type ScanConfig } from './plan';
import { CHANNELS, checkpointProblems, fromMailTally, judge, tallyWebhook, type Verdict } from './verdict';

export const RULES = ['chaos_ssh', 'chaos_ssh_low'];
const QUERY_DELAY_MS = 1000;
const SETTLE_MS = 90_000;

export interface SeedResult {
  plan: Plan;
  log: string[];
  verdict: Verdict;
  /** outbox entries dead (max_age is 1h: none may be) or still open after settling */
  dead: string[];
  open: string[];
  checkpoints: string[];
  /** where the outputs, configs and audit logs of a failed seed are kept */
  kept?: string;
}

export const problemsOf = (r: SeedResult): string[] => [
  ...r.verdict.lost.map((x) => `lost ${x}`),
  ...r.verdict.duplicated.map((x) => `duplicated ${x}`),
  ...r.verdict.unexpected.map((x) => `alerted below threshold or off its channel ${x}`),
  ...r.verdict.malformed.map((x) => `malformed ${x}`),
  ...r.dead.map((x) => `dead outbox entry ${x}`),
  ...r.open.map((x) => `outbox entry still open after settling ${x}`),
  ...r.checkpoints.map((x) => `checkpoint ${x}`),
];

const webhookChannel = (url: string) => `    webhook:
      type: webhook
      url: ${url}
      min_severity: medium
      timeout: 2s
`;

export async function runSeed(
  env: { cluster: KillableCluster; proxy: EsProxy },
  seed: number,
  lengthMs: number,
): Promise<SeedResult> {
  const plan = buildPlan(seed, lengthMs);
  const started = Date.now();
  const log: string[] = [];
  const note = (line: string) => log.push(`+${((Date.now() - started) / 1000).toFixed(1)}s ${line}`);
  const webhook = await startHttpReceiver();
  const s = await createScenario(`chaos${seed}`, {
    esUrl: env.proxy.url,
    directUrl: env.cluster.url,
    claimTimeout: '3s',
    esTuning: '  request_timeout: 3s\n  max_retries: 1',
    rules: {
      chaos_ssh: sshRuleYaml('chaos_ssh', '15s', { host: 'host-a' }),
      chaos_ssh_low: sshRuleYaml('chaos_ssh_low', '15s', { host: 'host-b', severity: 'low' }),
    },
    extraChannels: webhookChannel(webhook.url),
  });
  const configs: Record<ScanConfig, string> = {
    full: s.configFile,
    'email-only': s.writeConfig('email-only.yaml', s.emailChannel),
    'webhook-only': s.writeConfig('webhook-only.yaml', webhookChannel(webhook.url)),
  };
  const faults = createFaults({ cluster: env.cluster, proxy: env.proxy, scenario: s, webhook }, note);
  const direct = new Client({
    ...ENGINE_NEUTRAL,
    node: env.cluster.url,
    requestTimeout: 2000,
    maxRetries: 0,
  });
  const processes: { label: string; p: VigilProcess }[] = [];
  const monitors: VigilProcess[] = [];
  const launch = (label: string, p: VigilProcess) => {
    processes.push({ label, p });
    note(`${label} started (pid ${p.child.pid})`);
    void p.exited.then((e) => note(`${label} exited ${e.code ?? e.signal}`));
    return p;
  };
  const startMonitor = () => monitors.push(launch(`monitor #${processes.length + 1}`, s.monitor()));

  // the checkpoints as the cluster holds them, all along
  const samples = new Map<string, [number, number][]>(RULES.map((r) => [r, []]));
  const readCheckpoints = async () => {
    const r = await direct.mget<{ until: string }>({
      index: `${s.prefix}-state`,
      ids: RULES.map((id) => `checkpoint:${id}`),
    });
    return r.docs.flatMap((d) => ('found' in d && d.found && d._source ? [d._source.until] : []));
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const at = Date.now();
      const docs = await direct
        .mget<{ rule: string; until: string }>({
          index: `${s.prefix}-state`,
          ids: RULES.map((id) => `checkpoint:${id}`),
        })
        .catch(() => undefined);
      for (const d of docs?.docs ?? [])
        if ('found' in d && d.found && d._source) {
          const seq = samples.get(d._source.rule) as [number, number][];
          const until = Date.parse(d._source.until);
          if (seq.at(-1)?.[1] !== until) seq.push([at, until]);
        }
      await sleep(300);
    }
  })();

  try {
    note(`seed ${seed}: ${plan.ops.length} operations over ${lengthMs} ms, ${plan.episodes.length} episodes`);
    startMonitor();
    // nothing is attacked before vigil has a checkpoint (a first run starts from now, by design)
    await until(
      'the first checkpoints',
      async () => (await readCheckpoints().catch(() => [])).length === 2,
      90_000,
    );
    const t0 = Date.now();
    let scans = 0;
    for (const op of plan.ops.slice(1)) {
      await sleep(t0 + op.at - Date.now());
      note(`op @${op.at}: ${describeOp(op)}`);
      if (op.kind === 'attack') {
        const at = Date.now() - 2000;
        for (const e of op.episodes)
          await s.burst(e.ip, e.failures, at, 1500, { host: { hostname: e.host } });
      } else if (op.kind === 'monitor-start') {
        if (monitors.length >= 3) note('  (3 monitors already run: skipped)');
        else startMonitor();
      } else if (op.kind === 'monitor-stop') {
        const [m] = monitors.splice(Math.floor(op.pick * monitors.length), 1);
        if (m) m.kill(op.signal);
        else note('  (no monitor runs: skipped)');
      } else if (op.kind === 'scan') {
        const p = launch(`scan #${++scans}`, s.start(op.args, {}, configs[op.config]));
        if (op.killAfterMs) void sleep(op.killAfterMs).then(() => p.kill('SIGKILL'));
      } else await faults.begin(op);
    }

    note('settle: every fault ends, Elasticsearch up, a healthy monitor');
    await faults.heal();
    const leftovers = processes.filter(({ p }) => !monitors.includes(p)).map(({ p }) => p);
    await Promise.race([Promise.all(leftovers.map((p) => p.exited)), sleep(30_000)]);
    for (const p of leftovers) p.kill('SIGKILL');
    startMonitor();
    const expected = (channel: string) => plan.episodes.filter(CHANNELS[channel]).map((e) => e.ip);
    const outbox = () => readOutbox(direct, `${s.prefix}-state`);
    const settled = async () => {
      const email = s.tally().ipAlerts;
      const hook = tallyWebhook(webhook.requests).ipAlerts;
      if (!expected('email').every((ip) => email.has(ip)) || !expected('webhook').every((ip) => hook.has(ip)))
        return false;
      return (await outbox().catch(() => ({ open: ['?'] }))).open.length === 0;
    };
    await until('settled', settled, SETTLE_MS).catch(() => note('settle deadline passed'));
    await sleep(4000); // late resends would show up here
    note('settled; SIGTERM to every monitor');
    for (const m of monitors) m.kill('SIGTERM');
    await Promise.race([Promise.all(monitors.map((m) => m.exited)), sleep(30_000)]);
    sampling = false;
    await sampler;

    const { dead, open } = await outbox();
    const result: SeedResult = {
      plan,
      log,
      verdict: judge(plan.episodes, {
        email: fromMailTally(s.tally()),
        webhook: tallyWebhook(webhook.requests),
      }),
      dead,
      open,
      checkpoints: checkpointProblems(samples, QUERY_DELAY_MS),
    };
    note(`email: ${s.tally().raw} mails; webhook: ${webhook.requests.length} requests`);
    if (problemsOf(result).length > 0) result.kept = keepArtifacts(s, seed, processes, log);
    return result;
  } finally {
    sampling = false;
    await sampler;
    await s.cleanup().catch(() => undefined);
    await webhook.close();
    await direct.close();
  }
}

async function readOutbox(client: Client, index: string): Promise<{ dead: string[]; open: string[] }> {
  const r = await client.search<{
    channel: string;
    status: string;
    alert_ids: string[];
    last_error?: string;
  }>({
    index,
    size: 1000,
    query: { term: { doc_type: 'outbox' } },
  });
  const line = (h: (typeof r.hits.hits)[number]) =>
    `${h._id} ${h._source?.channel} ${h._source?.status} [${h._source?.alert_ids.join(',')}] ${h._source?.last_error ?? ''}`;
  return {
    dead: r.hits.hits.filter((h) => h._source?.status === 'dead').map(line),
    open: r.hits.hits.filter((h) => ['pending', 'sending'].includes(h._source?.status ?? '')).map(line),
  };
}

function keepArtifacts(
  s: Scenario,
  seed: number,
  processes: { label: string; p: VigilProcess }[],
  log: string[],
): string {
  const dir = `${s.dir}-kept-seed-${seed}`;
  fs.cpSync(s.dir, dir, { recursive: true });
  for (const { label, p } of processes)
    fs.writeFileSync(path.join(dir, `${label.replace(/\W+/g, '-')}.out`), p.output());
  fs.writeFileSync(path.join(dir, 'operations.log'), `${log.join('\n')}\n`);
  return dir;
}
