/**
 * The randomized fault-schedule test (`npm run test:chaos`): per seed, a generated ground truth of
 * attack episodes (above and below the threshold) is indexed while monitors start and die, scans
 * run with other channel sets, Elasticsearch is killed, slowed or answers 503, SMTP goes down and
 * the webhook answers 503 or hangs. Once everything is healthy and settled, the real receivers
 * must hold every alerting episode on every channel that admits it, once (resends with the same
 * Message-ID / idempotency key), nothing below threshold, no dead outbox entry, and checkpoints
 * that never moved back or ahead. A failing seed prints itself and its operation log.
 *
 *   VIGIL_CHAOS_SEED=N       replay one seed
 *   VIGIL_CHAOS_SEEDS=N      N seeds, from VIGIL_CHAOS_FIRST (default: 1 for 5 seeds, else random)
 *   VIGIL_CHAOS_LENGTH_MS    timeline per seed (default 25000)
 *   VIGIL_CHAOS_VERBOSE=1    print every seed's operation log, not only a failing one's
 */
import { type KillableCluster, startKillableCluster } from '../reliability/kit/cluster';
import { type EsProxy, startEsProxy } from '../reliability/kit/es-proxy';
import { problemsOf, runSeed } from './run-seed';

jest.setTimeout(300_000);

function chosenSeeds(): number[] {
  const one = process.env.VIGIL_CHAOS_SEED;
  if (one) return [Number(one)];
  const count = Number(process.env.VIGIL_CHAOS_SEEDS || 5);
  const first = Number(
    process.env.VIGIL_CHAOS_FIRST || (count === 5 ? 1 : 1 + Math.floor(Math.random() * 1e6)),
  );
  return Array.from({ length: count }, (_, i) => first + i);
}

const seeds = chosenSeeds();
const lengthMs = Number(process.env.VIGIL_CHAOS_LENGTH_MS || 25_000);
const totals = {
  seeds: 0,
  ops: 0,
  episodes: 0,
  alerting: 0,
  lost: 0,
  duplicated: 0,
  failedSeeds: [] as number[],
};

let cluster: KillableCluster | undefined;
let proxy: EsProxy | undefined;

beforeAll(async () => {
  process.stderr.write(`chaos: seeds ${seeds[0]}..${seeds.at(-1)} (${seeds.length}), ${lengthMs} ms each\n`);
  cluster = await startKillableCluster(`chaos-${process.pid}`);
  proxy = await startEsProxy(cluster.url);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
  process.stderr.write(`chaos totals: ${JSON.stringify(totals)}\n`);
}, 120_000);

it.each(seeds)('seed %i: every alerting episode reaches its channels once, nothing else', async (seed) => {
  if (!cluster || !proxy) throw new Error('setup failed');
  const began = Date.now();
  const r = await runSeed({ cluster, proxy }, seed, lengthMs);
  const problems = problemsOf(r);
  totals.seeds++;
  totals.ops += r.plan.ops.length;
  totals.episodes += r.plan.episodes.length;
  totals.alerting += r.plan.episodes.filter((e) => e.failures >= 5).length;
  totals.lost += r.verdict.lost.length;
  totals.duplicated += r.verdict.duplicated.length;
  process.stderr.write(
    `chaos seed ${seed}: ${r.plan.ops.length} operations, ${r.plan.episodes.length} episodes, ${problems.length} problems, ${Math.round((Date.now() - began) / 1000)} s\n`,
  );
  if (process.env.VIGIL_CHAOS_VERBOSE === '1')
    process.stderr.write(`${r.log.map((l) => `  ${l}`).join('\n')}\n`);
  if (problems.length > 0) {
    totals.failedSeeds.push(seed);
    throw new Error(
      [
        `chaos seed ${seed} failed (replay: npm run test:chaos -- --seed ${seed})`,
        ...problems.map((p) => `  ${p}`),
        'operation log:',
        ...r.log.map((l) => `  ${l}`),
        `outputs, configs and audit logs kept in ${r.kept}`,
      ].join('\n'),
    );
  }
});
