import { Command, Option } from 'commander';
import { loadContext } from '../../app/context';
import { runCycle } from '../../app/run-cycle';
import { parseMinutes, scanInterval } from '../../app/scan-interval';
import { ElasticsearchUnavailable, EXIT } from '../../errors';
import { selectRules } from '../../rules/load-rules';
import { colours, findingJson, findingsTable, type Format } from '../output';

interface ScanOpts {
  duration?: number;
  config?: string;
  rules?: string;
  from?: string;
  to?: string;
  format: Format;
  dryRun?: boolean;
  rule: string[];
}

export function scanCommand(): Command {
  return new Command('scan')
    .description('run one detection cycle over the last --duration minutes (or --from/--to) and exit')
    .option('-d, --duration <minutes>', 'minutes to look back, ending at now − schedule.query_delay (default 5)', (v) => parseMinutes(v))
    .option('-c, --config <file>', 'config file (default: $VIGIL_CONFIG or ./config.yaml)')
    .option('--rules <dir>', 'rules folder (default: rules.dir from the config)')
    .option('--from <iso>', 'replay: start of the interval (ISO time)')
    .option('--to <iso>', 'replay: end of the interval (ISO time)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--dry-run', 'evaluate only: no notifications, no state writes')
    .option('-r, --rule <id>', 'run only this rule (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addHelpText(
      'after',
      `
Output: a table on a terminal (coloured by severity), or with --format json one JSON object per
finding per line on stdout: rule, severity, entity, value, threshold, schedule, window.
Warnings and the summary go to stderr.

Exit codes: 0 success (with or without findings), 2 config or usage error,
3 Elasticsearch unavailable or every rule failed, 4 some alert could not be delivered.`,
    )
    .action(async (opts: ScanOpts) => {
      process.exitCode = await runScan(opts);
    });
}

export async function runScan(opts: ScanOpts): Promise<number> {
  const ctx = loadContext(opts);
  const rules = selectRules(ctx.rules, opts.rule);
  const cfg = ctx.loaded.config;
  const interval = scanInterval({ durationMin: opts.duration, from: opts.from, to: opts.to }, Date.now(), cfg.schedule.query_delay);
  const err = colours(process.stderr);
  const t0 = performance.now();
  const report = await runCycle({ client: ctx.client, rules, calendar: cfg.calendar, interval });
  const wall = performance.now() - t0;
  for (const w of report.warnings) process.stderr.write(`${err.yellow('warning:')} ${w}\n`);
  for (const f of report.failures) process.stderr.write(`${err.red('error:')} rule ${f.rule}: ${f.message}\n`);
  if (opts.format === 'json') {
    for (const f of report.findings) process.stdout.write(`${findingJson(f)}\n`);
  } else if (report.findings.length) {
    process.stdout.write(`${findingsTable(report.findings, process.stdout)}\n`);
  }
  const ok = report.rules.filter((r) => r.ok).length;
  process.stderr.write(
    `scan ${report.interval.start} → ${report.interval.end}: ${rules.length} rules (${report.failures.length} failed), ${report.findings.length} findings; ${Math.round(wall)} ms, Elasticsearch took ${report.took} ms in ${report.rounds} round(s)\n`,
  );
  await ctx.client.close();
  if (rules.length > 0 && ok === 0) {
    const unavailable = new ElasticsearchUnavailable(`every rule failed (${report.failures[0]?.message ?? 'no rule ran'})`);
    process.stderr.write(`vigil: ${unavailable.message}\n`);
    return EXIT.elasticsearch;
  }
  return EXIT.ok;
}
