/**
 * Detection latency while a receiver hangs (issue 13): from an attack indexed into a real cluster
 * to its alert recorded (the alerts index), through the real `vigil monitor` loop in process on a
 * 5 s schedule, first with a healthy SMTP server, then with one that accepts connections and never
 * answers (a 60 s timeout). Detection and delivery are separate loops, so the hanging receiver
 * must not slow detection: target ratio hanging / healthy ≤ 1.5 (medians of the same run).
 *
 * Run from the repo root (part of `npm run bench`); ELASTICSEARCH_URL must be set.
 * BENCH_JSON=<file> appends the figures as one JSON line.
 */
import fs from 'node:fs';
import net from 'node:net';
import { startMonitor } from '../src/app/monitor';
import { createConsoleLog } from '../src/cli/console-log';
import { sshFailures } from '../tests/helpers/ecs';
import { setUpBenchMonitor } from './monitor-kit';

const PERIOD_MS = 5000;
const ATTACKS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A mail server that takes connections and never says a word. */
async function startHangingReceiver(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

async function detectionLatencies(name: string, smtp?: { port: number; timeout: string }): Promise<number[]> {
  const b = await setUpBenchMonitor(name, {
    interval: `${PERIOD_MS}ms`,
    window: '1m',
    smtpPort: smtp?.port,
    smtpTimeout: smtp?.timeout,
  });
  const handle = await startMonitor(
    b.rt,
    { graceMs: 1000, metricsHost: '127.0.0.1', rules: b.rt.rules },
    createConsoleLog('error', []),
  );
  const latencies: number[] = [];
  try {
    await sleep(PERIOD_MS);
    for (let i = 1; i <= ATTACKS; i++) {
      await sleep(Math.random() * PERIOD_MS);
      const ip = `10.97.${name.length}.${i}`;
      const t0 = Date.now();
      await b.admin.bulk({
        refresh: 'wait_for',
        operations: sshFailures(ip, 6, t0 - 1000, 500).flatMap((d) => [{ index: { _index: b.index } }, d]),
      });
      for (;;) {
        // the alerts index may be created by this very alert: not searchable for a moment
        const r = await b.admin
          .count({ index: `${b.prefix}-alerts-*`, query: { term: { 'source.ip': ip } } }, { ignore: [404] })
          .catch(() => ({ count: 0 }));
        if ((r.count ?? 0) > 0) break;
        if (Date.now() - t0 > 90_000) throw new Error(`${name}: no alert recorded for ${ip} within 90 s`);
        await sleep(50);
      }
      latencies.push(Date.now() - t0);
      console.log(`${name}: attack ${i} indexed → alert recorded in ${latencies.at(-1)} ms`);
    }
  } finally {
    handle.stop('hang-latency bench done');
    await handle.done;
    await b.close();
  }
  return latencies;
}

async function main(): Promise<void> {
  const healthy = await detectionLatencies('hangok');
  const hanging = await startHangingReceiver();
  let stalled: number[];
  try {
    stalled = await detectionLatencies('hangno', { port: hanging.port, timeout: '60s' });
  } finally {
    hanging.close();
  }
  const ratio = Math.round((median(stalled) / median(healthy)) * 100) / 100;
  const figures = {
    bench: 'hang-latency',
    period_ms: PERIOD_MS,
    healthy_median_ms: median(healthy),
    hanging_median_ms: median(stalled),
    hanging_max_ms: Math.max(...stalled),
    ratio,
    target_ratio: 1.5,
    meets: ratio <= 1.5,
  };
  console.log(
    `detection latency, healthy receiver ${figures.healthy_median_ms} ms, hanging receiver ${figures.hanging_median_ms} ms (max ${figures.hanging_max_ms}): ratio ${ratio} (target ≤ 1.5)`,
  );
  if (process.env.BENCH_JSON) fs.appendFileSync(process.env.BENCH_JSON, `${JSON.stringify(figures)}\n`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
