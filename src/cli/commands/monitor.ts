import { Command, Option } from 'commander';
import type { startMonitor } from '../../app/monitor';
import { buildRuntime } from '../../app/runtime';
import { parseMinutes } from '../../app/scan-interval';
import { parseDuration } from '../../config/duration';
import { UsageError } from '../../errors';
import { selectRules } from '../../rules/load-rules';
import { type ConsoleLevel, createConsoleLog } from '../console-log';
import { configOption, rulesOption } from '../options';

interface MonitorOpts {
  duration?: number;
  config?: string;
  rules?: string;
  rule: string[];
  metricsPort?: number;
  metricsHost?: string;
  grace: string;
  logLevel?: ConsoleLevel;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535)
    throw new UsageError(`--metrics-port: expected a port number from 0 to 65535, got "${v.slice(0, 20)}"`);
  return n;
}

export function monitorCommand(): Command {
  return new Command('monitor')
    .description(
      'keep watching: run detection cycles on the configured schedule (interval or cron) until --duration elapses or a signal arrives',
    )
    .option(
      '-d, --duration <minutes>',
      'stop after this many minutes (fractions allowed; 0 or omitted: until stopped)',
      (v) => (v === '0' ? 0 : parseMinutes(v)),
    )
    .addOption(configOption())
    .addOption(rulesOption())
    .option(
      '-r, --rule <id>',
      'run only this rule (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--metrics-port <port>',
      'serve /metrics, /healthz (readiness) and /livez (liveness) on this port (default: metrics.port from the config, else off)',
      parsePort,
    )
    .option('--metrics-host <host>', 'address for the metrics listener (default: metrics.host, 127.0.0.1)')
    .option('--grace <duration>', 'on SIGINT/SIGTERM, how long the running cycle may take to finish', '30s')
    .addOption(
      new Option(
        '--log-level <level>',
        'console verbosity (the audit file has its own logging.level)',
      ).choices(['error', 'warn', 'info', 'debug']),
    )
    .addHelpText(
      'after',
      `
Each cycle evaluates every rule from its checkpoint to now − schedule.query_delay, so downtime is
caught up (bounded by state.max_catch_up). A tick that comes while a cycle still runs is skipped.
When Elasticsearch is down the cycle fails with one line and monitor keeps going.

Stopping: the first SIGINT/SIGTERM stops scheduling, lets the running cycle finish (--grace),
makes one last outbox attempt, flushes the logs and exits 0. A second signal exits at once
(130 for SIGINT, 143 for SIGTERM).

Exit codes: 0 stopped (--duration elapsed or a first signal), 2 config or usage error (e.g. the
metrics port is taken), 130/143 a second SIGINT/SIGTERM. Elasticsearch being down, even at start,
does not stop monitor: the cycles fail, are counted, /healthz answers 503 and /livez stays 200.`,
    )
    .action(async (opts: MonitorOpts) => {
      const graceMs = parseDuration(opts.grace);
      if (graceMs === undefined)
        throw new UsageError(`--grace: expected a duration like 30s, got "${opts.grace.slice(0, 20)}"`);
      const rt = buildRuntime(opts);
      const cfg = rt.loaded.config;
      // the scheduler, metrics server and prom-client load only for monitor, not for every command
      const { startMonitor } = await import('../../app/monitor');
      const out = createConsoleLog(opts.logLevel ?? cfg.logging.level, rt.loaded.secrets);
      let handle: Awaited<ReturnType<typeof startMonitor>>;
      try {
        handle = await startMonitor(
          rt,
          {
            durationMs: opts.duration ? Math.round(opts.duration * 60_000) : undefined,
            metricsPort: opts.metricsPort ?? cfg.metrics.port,
            metricsHost: opts.metricsHost ?? cfg.metrics.host,
            graceMs,
            rules: selectRules(rt.rules, opts.rule),
          },
          out,
        );
      } catch (e) {
        await rt.close();
        throw e;
      }
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          out.warn(`second ${sig}: exiting now`);
          process.exit(sig === 'SIGINT' ? 130 : 143);
        }
        handle.stop(sig);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const code = await handle.done;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await rt.close();
      process.exitCode = code;
    });
}
