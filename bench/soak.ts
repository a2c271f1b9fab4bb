/**
 * Soak benchmark (not a test): 1,000 cycles of the real `vigil monitor` loop (startMonitor, in
 * process) on a 100 ms schedule against a real cluster, with an email channel to a loopback SMTP
 * server and a new attacking address every 50 cycles (so dedup, outbox and delivery all run).
 * Prints RSS and heap at the start, every 100 cycles, the middle and the end, and the event-loop
 * delay (perf_hooks.monitorEventLoopDelay). Targets: flat memory (live heap at the end within
 * 20% + 5 MB of the middle; sampled after a full GC with --expose-gc), RSS ≤ 150 MB. The SMTP
 * receiver runs in a process of its own.
 *
 * Run from the repo root (part of `npm run bench`):
 *   npx tsc -p tsconfig.json --outDir /tmp/vigil-bench && \
 *     NODE_PATH=$PWD/node_modules ELASTICSEARCH_URL=http://127.0.0.1:9200 node /tmp/vigil-bench/bench/soak.js
 * SOAK_CYCLES (default 1000) and SOAK_INTERVAL (default 100ms) change the run; BENCH_JSON=<file>
 * appends the figures as one JSON line.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startMonitor } from '../src/app/monitor';
import { createConsoleLog } from '../src/cli/console-log';
import { indexDocs, sshFailures } from '../tests/helpers/ecs';
import { setUpBenchMonitor } from './monitor-kit';

const CYCLES = Number(process.env.SOAK_CYCLES ?? 1000);
const INTERVAL = process.env.SOAK_INTERVAL ?? '100ms';
const MB = 1024 * 1024;

interface Sample {
  cycle: number;
  rssMb: number;
  heapMb: number;
  heapTotalMb: number;
  externalMb: number;
}

async function main(): Promise<void> {
  const b = await setUpBenchMonitor('soak', {
    interval: INTERVAL,
    window: '1m',
    logging: 'level: info, max_size: 5m, max_files: "2"',
  });
  const { rt, smtp, admin, url } = b;
  const quiet = createConsoleLog('error', []);
  const samples: Sample[] = [];
  const sample = (cycle: number) => {
    // with --expose-gc (as npm run bench runs it): live heap after a full GC, not GC timing
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    const s = {
      cycle,
      rssMb: m.rss / MB,
      heapMb: m.heapUsed / MB,
      heapTotalMb: m.heapTotal / MB,
      externalMb: m.external / MB,
    };
    samples.push(s);
    console.log(
      `cycle ${String(cycle).padStart(4)}: RSS ${s.rssMb.toFixed(1)} MB, heap ${s.heapMb.toFixed(1)} of ${s.heapTotalMb.toFixed(1)} MB, external ${s.externalMb.toFixed(1)} MB`,
    );
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let cycles = 0;
  let attackers = 0;
  let resolveDone: () => void = () => {};
  const allDone = new Promise<void>((r) => {
    resolveDone = r;
  });
  // count cycles through the audit records the monitor writes
  const record = rt.audit.record.bind(rt.audit);
  rt.audit.record = (event, data, level) => {
    record(event, data, level);
    if (event !== 'cycle' && event !== 'cycle_failed') return;
    cycles += 1;
    if (cycles === 1 || cycles % 100 === 0 || cycles === CYCLES / 2) sample(cycles);
    if (cycles % 50 === 0) {
      attackers += 1;
      void indexDocs(
        admin,
        b.index,
        sshFailures(`10.99.${Math.floor(attackers / 250)}.${attackers % 250}`, 6, Date.now() - 2000, 500),
      );
    }
    if (cycles >= CYCLES) resolveDone();
  };
  console.log(`soak: ${CYCLES} cycles every ${INTERVAL} against ${url}; node ${process.version}`);
  const t0 = Date.now();
  const handle = await startMonitor(
    rt,
    { graceMs: 10_000, metricsHost: '127.0.0.1', rules: rt.rules },
    quiet,
  );
  loop.enable();
  await allDone;
  loop.disable();
  handle.stop('soak done');
  await handle.done;
  const seconds = (Date.now() - t0) / 1000;
  await b.close();

  const first = samples[0];
  const middle = samples.find((s) => s.cycle === CYCLES / 2) ?? samples[Math.floor(samples.length / 2)];
  const end = samples[samples.length - 1];
  const peak = Math.max(...samples.map((s) => s.rssMb));
  // a leak shows as live heap that keeps growing; RSS also follows the allocator's high-water mark
  const flat = end.heapMb <= middle.heapMb * 1.2 + 5;
  const ms = (ns: number) => ns / 1e6;
  const figures = {
    bench: 'soak',
    cycles,
    seconds: Math.round(seconds),
    interval: INTERVAL,
    rss_start_mb: +first.rssMb.toFixed(1),
    rss_middle_mb: +middle.rssMb.toFixed(1),
    rss_end_mb: +end.rssMb.toFixed(1),
    rss_peak_mb: +peak.toFixed(1),
    heap_start_mb: +first.heapMb.toFixed(1),
    heap_middle_mb: +middle.heapMb.toFixed(1),
    heap_end_mb: +end.heapMb.toFixed(1),
    loop_delay_p50_ms: +ms(loop.percentile(50)).toFixed(1),
    loop_delay_p99_ms: +ms(loop.percentile(99)).toFixed(1),
    loop_delay_max_ms: +ms(loop.max).toFixed(1),
    mails: smtp.mails.length,
    attackers,
    flat,
    within_150mb: peak <= 150,
  };
  console.log(
    `RSS start ${figures.rss_start_mb} MB, middle ${figures.rss_middle_mb} MB, end ${figures.rss_end_mb} MB, peak ${figures.rss_peak_mb} MB (${figures.within_150mb ? 'within' : 'ABOVE'} the 150 MB target); live heap ${figures.heap_start_mb} / ${figures.heap_middle_mb} / ${figures.heap_end_mb} MB (${flat ? 'flat' : 'GROWING'})`,
  );
  console.log(
    `event-loop delay p50 ${figures.loop_delay_p50_ms} ms, p99 ${figures.loop_delay_p99_ms} ms, max ${figures.loop_delay_max_ms} ms; ${cycles} cycles in ${figures.seconds} s; ${figures.mails} mails for ${attackers} attackers`,
  );
  if (process.env.BENCH_JSON) fs.appendFileSync(process.env.BENCH_JSON, `${JSON.stringify(figures)}\n`);
}

main().catch((e) => {
  console.error(`soak: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
  process.exitCode = 1;
});
