import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadContext } from '../../app/context';
import { createAuditLog } from '../../audit/audit-log';
import { EXIT } from '../../errors';
import { configOption, rulesOption } from '../options';
import { colours } from '../output';

interface ReportOpts {
  days: number;
  out?: string;
  email?: string;
  config?: string;
  rules?: string;
}

function parseDays(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 92)
    throw new InvalidArgumentError('expected a whole number of days from 1 to 92');
  return n;
}

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'weekly report with charts: alerts per rule per day, event volume against baseline, top IPs and users, business vs off-hours, new entities',
    )
    .option('--days <n>', 'days to cover, ending today in the calendar time zone', parseDays, 7)
    .option(
      '-o, --out <file>',
      'write the report as one self-contained HTML file (default: vigil-report.html unless --email)',
    )
    .option('--email <channel>', 'also mail it through this email channel of alerts.channels (charts as PNG)')
    .addOption(configOption())
    .addOption(rulesOption())
    .addHelpText(
      'after',
      `
Reads the alerts index (state.alerts_index) and the rules' source indices. The HTML file has no
script and no external resource: open it from disk, archive it, attach it.

Examples:
  vigil report --days 7 --out report.html
  vigil report --days 7 --email email        # the channel named "email" in config.yaml

Exit codes: 0 done, 2 config or usage error, 3 Elasticsearch unavailable, 4 the email could not be sent.`,
    )
    .action(async (opts: ReportOpts) => {
      process.exitCode = await runReportCommand(opts);
    });
}

async function runReportCommand(opts: ReportOpts): Promise<number> {
  const ctx = loadContext(opts);
  const cfg = ctx.loaded.config;
  const logDir = path.isAbsolute(cfg.logging.dir) ? cfg.logging.dir : path.resolve(cfg.logging.dir);
  const audit = createAuditLog({ ...cfg.logging, dir: logDir }, ctx.loaded.secrets);
  const err = colours(process.stderr);
  try {
    const out = opts.out ?? (opts.email ? undefined : 'vigil-report.html');
    // vega, vega-lite and resvg (~70 ms of start-up) load only for the report
    const { runReport } = await import('../../report/run-report');
    const r = await runReport(ctx, audit, { days: opts.days, out, email: opts.email, nowMs: Date.now() });
    for (const w of r.data.warnings) process.stderr.write(`${err.yellow('warning:')} ${w}\n`);
    const alerts = r.data.alertsByDay.reduce((a, b) => a + b.count, 0);
    const first = r.data.period.days[0];
    const last = r.data.period.days[r.data.period.days.length - 1];
    process.stderr.write(
      `report ${first} → ${last}: ${alerts} alerts, ${r.data.topSourceIps.length} top source IPs, ${r.data.newEntities.length} new entities\n`,
    );
    if (r.file) process.stdout.write(`${r.file}\n`);
    if (r.emailedTo) process.stderr.write(`report mailed through channel ${r.emailedTo}\n`);
    return EXIT.ok;
  } finally {
    await ctx.client.close();
    await audit.close();
  }
}
