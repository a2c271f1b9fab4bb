import { Command } from 'commander';
import { cycleRecord, startRecord } from '../../app/audit-records';
import { runPipelineCycle } from '../../app/run-pipeline';
import { buildRuntime } from '../../app/runtime';
import { parseMinutes, scanInterval } from '../../app/scan-interval';
import { probeEngine } from '../../collect/engine';
import { EXIT, errorMessage, VigilError } from '../../errors';
import { selectRules } from '../../rules/load-rules';
import { configOption, formatOption, rulesOption } from '../options';
import { colours, type Format, findingJson, findingsTable } from '../output';

interface ScanOpts {
  duration?: number;
  config?: string;
  rules?: string;
  from?: string;
  to?: string;
  format: Format;
  dryRun?: boolean;
  resume?: boolean;
  rule: string[];
}

export function scanCommand(): Command {
  return new Command('scan')
    .description('run one detection cycle over the last --duration minutes (or --from/--to) and exit')
    .option(
      '-d, --duration <minutes>',
      'minutes to look back, ending at now − schedule.query_delay (default 5)',
      (v) => parseMinutes(v),
    )
    .addOption(configOption())
    .addOption(rulesOption())
    .option('--from <iso>', 'replay: start of the interval (ISO time)')
    .option('--to <iso>', 'replay: end of the interval (ISO time)')
    .option(
      '--resume',
      'continue each rule from its checkpoint (catches up downtime, bounded by state.max_catch_up)',
    )
    .addOption(formatOption())
    .option('--dry-run', 'evaluate only: no notifications, no state writes')
    .option(
      '-r, --rule <id>',
      'run only this rule (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addHelpText(
      'after',
      `
Output: a table on a terminal (coloured by severity), or with --format json one JSON object per
finding per line on stdout: rule, severity, entity, value, threshold, schedule, window, status
(new, suppressed, escalated, recovered) and id. Warnings and the summary go to stderr.

Exit codes: 0 success (with or without findings), 2 config or usage error,
3 Elasticsearch unavailable or every rule failed, 4 some alert could not be delivered
(it stays in the outbox and is retried by the next scan or monitor).`,
    )
    .action(async (opts: ScanOpts) => {
      process.exitCode = await runScan(opts);
    });
}

export async function runScan(opts: ScanOpts): Promise<number> {
  const rt = buildRuntime({ ...opts, withNotifier: !opts.dryRun });
  const err = colours(process.stderr);
  try {
    const rules = selectRules(rt.rules, opts.rule);
    const cfg = rt.loaded.config;
    const nowMs = Date.now();
    const base = scanInterval(
      { durationMin: opts.duration, from: opts.from, to: opts.to },
      nowMs,
      cfg.schedule.query_delay,
    );
    const engine = await probeEngine(rt.client);
    rt.audit.record('start', startRecord('scan', rt.loaded.sha256, rules, rt.instanceId, engine));
    const t0 = performance.now();
    let result: Awaited<ReturnType<typeof runPipelineCycle>>;
    try {
      result = await runPipelineCycle(
        {
          client: rt.client,
          config: cfg,
          rules,
          instanceId: rt.instanceId,
          audit: rt.audit,
          notifier: rt.notifier,
        },
        {
          nowMs,
          base,
          resume: Boolean(opts.resume),
          dryRun: Boolean(opts.dryRun),
          releaseLeases: true,
          drain: true,
        },
      );
    } catch (e) {
      rt.audit.record(
        'cycle_failed',
        { reason: e instanceof VigilError ? e.reason : 'internal', error: errorMessage(e) },
        'error',
      );
      throw e;
    }
    const wall = performance.now() - t0;
    rt.audit.record('cycle', cycleRecord(result, wall));
    const { report } = result;
    for (const w of [...report.warnings, ...result.warnings])
      process.stderr.write(`${err.yellow('warning:')} ${w}\n`);
    for (const s of result.skipped)
      process.stderr.write(
        `${err.yellow('warning:')} rule ${s.rule} skipped: its lease is held by ${s.owner}\n`,
      );
    for (const f of report.failures)
      process.stderr.write(`${err.red('error:')} rule ${f.rule}: ${f.message}\n`);
    for (const p of result.delivery?.problems ?? [])
      process.stderr.write(
        `${err.red('delivery:')} ${p.message} (outbox entry ${p.id}: ${p.retryable ? 'retried by the next scan' : 'dead; see vigil outbox'})\n`,
      );
    if (opts.format === 'json') {
      for (const a of result.alerts) process.stdout.write(`${findingJson(a)}\n`);
    } else if (result.alerts.length) {
      process.stdout.write(`${findingsTable(result.alerts, process.stdout)}\n`);
    }
    const count = (s: string) => result.alerts.filter((a) => a.status === s).length;
    process.stderr.write(
      `scan ${report.interval.start} → ${report.interval.end}: ${rules.length} rules (${report.failures.length} failed), ${report.findings.length} findings (${count('new')} new, ${count('escalated')} escalated, ${count('suppressed')} suppressed, ${count('silenced')} silenced, ${count('recovered')} recovered)${opts.dryRun ? ' [dry run]' : ''}; ${Math.round(wall)} ms, Elasticsearch took ${report.took} ms\n`,
    );
    rt.audit.record('stop', { mode: 'scan', exit: 0 });
    const ran = report.rules.filter((r) => r.ok).length;
    if (report.rules.length > 0 && ran === 0) {
      process.stderr.write(`vigil: every rule failed (${report.failures[0]?.message ?? 'no rule ran'})\n`);
      return EXIT.elasticsearch;
    }
    if (result.deliveryFailed) {
      process.stderr.write(
        'vigil: some alerts could not be delivered; they stay in the outbox (see `vigil outbox`)\n',
      );
      return EXIT.delivery;
    }
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}
