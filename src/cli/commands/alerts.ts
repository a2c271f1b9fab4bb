/** `vigil alerts`: the recent alerts from the alerts index, with their status. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DateTime } from 'luxon';
import { capStrings } from '../../collect/fetch-samples';
import { parseDuration } from '../../config/duration';
import { ConfigError } from '../../errors';
import { type StoredAlert, searchAlerts } from '../../state/alerts-query';
import type { AlertStatus } from '../../types';
import { operatorContext } from '../operator-context';
import { configOption, formatOption } from '../options';
import { colours, entityText, type Format, paintSeverity, safeText, valueAgainstThreshold } from '../output';
import { renderTable } from '../table';

export const ALERT_STATUS_CHOICES = [
  'firing',
  'new',
  'escalated',
  'silenced',
  'acknowledged',
  'recovered',
] as const;
type StatusChoice = (typeof ALERT_STATUS_CHOICES)[number];

/** `firing` is what was notified as firing: new and escalated alerts. */
export function statusesFor(choices: StatusChoice[]): AlertStatus[] {
  return [...new Set(choices.flatMap((s): AlertStatus[] => (s === 'firing' ? ['new', 'escalated'] : [s])))];
}

/** `24h` (that long ago) or an ISO instant with zone → epoch ms. */
export function parseSince(text: string, nowMs: number): number {
  const ms = parseDuration(text);
  if (ms !== undefined) return nowMs - ms;
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(text) && !Number.isNaN(Date.parse(text)))
    return Date.parse(text);
  throw new InvalidArgumentError(
    'expected a duration like 24h or 7d, or an ISO instant like 2026-12-05T08:00:00Z',
  );
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('expected a whole number from 1 to 10000');
  return n;
}

interface AlertsOpts {
  rule: string[];
  since: string;
  status: StatusChoice[];
  limit: number;
  format: Format;
  config?: string;
}

export function alertsCommand(): Command {
  return new Command('alerts')
    .description(
      'list recent alerts (firing, silenced, acknowledged, recovered) from the alerts index, newest first',
    )
    .addOption(
      new Option('--rule <id>', 'only this rule (repeatable)')
        .argParser((v: string, p: string[]) => [...p, v])
        .default([], 'every rule'),
    )
    .option('--since <when>', 'a duration back from now (24h, 7d) or an ISO instant', '24h')
    .addOption(
      new Option('--status <status>', 'only this status (repeatable); firing = new and escalated')
        .choices(ALERT_STATUS_CHOICES)
        .argParser((v: string, p: StatusChoice[] | undefined) => {
          if (!(ALERT_STATUS_CHOICES as readonly string[]).includes(v))
            throw new InvalidArgumentError(`expected one of ${ALERT_STATUS_CHOICES.join(', ')}`);
          return [...(p ?? []), v as StatusChoice];
        })
        .default([], 'every status'),
    )
    .option('--limit <n>', 'at most this many (at most 10000)', parseLimit, 100)
    .addOption(formatOption('output format: table (text), or json: one JSON object per alert per line'))
    .addOption(configOption())
    .addHelpText(
      'after',
      `
Statuses: new and escalated (notified), silenced (a silence matched: recorded, not delivered),
acknowledged (a vigil ack record: who, when, why), recovered. Suppressed repeats are not in the
alerts index. The table is coloured by severity on a terminal.

Examples:
  vigil alerts                                  the last 24 hours
  vigil alerts --since 7d --rule ssh_bruteforce --status firing
  vigil alerts --status silenced --format json

Exit codes: 0 done (also when nothing matches), 2 usage error, 3 Elasticsearch unavailable.`,
    )
    .action(async (opts: AlertsOpts) => {
      const nowMs = Date.now();
      let sinceMs: number;
      try {
        sinceMs = parseSince(opts.since, nowMs);
      } catch (e) {
        throw new ConfigError(`--since: ${(e as Error).message}`);
      }
      const ctx = operatorContext(opts);
      try {
        const cfg = ctx.loaded.config;
        const alerts = await searchAlerts(ctx.client, cfg.state.alerts_index, {
          rules: opts.rule,
          sinceMs,
          statuses: statusesFor(opts.status),
          limit: opts.limit,
        });
        if (opts.format === 'json') {
          for (const a of alerts) process.stdout.write(`${alertJson(a)}\n`);
          return;
        }
        process.stdout.write(
          alerts.length
            ? `${alertsTable(alerts, cfg.calendar.timezone)}\n`
            : `no alerts since ${new Date(sinceMs).toISOString()}\n`,
        );
      } finally {
        await ctx.close();
      }
    });
}

export function alertJson(a: StoredAlert): string {
  return JSON.stringify({ ...a, entity: capStrings(a.entity), ...(a.ack ? { ack: capStrings(a.ack) } : {}) });
}

/** What else there is to know: the silence, or who acknowledged and why. */
function note(a: StoredAlert): string {
  if (a.ack) return `by ${a.ack.by}: ${a.ack.comment}`;
  if (a.silence_id) return `silence ${a.silence_id}`;
  return '';
}

function alertsTable(alerts: StoredAlert[], zone: string): string {
  const c = colours(process.stdout);
  const head = ['TIME', 'SEVERITY', 'STATUS', 'RULE', 'ENTITY', 'VALUE', 'ID', 'NOTE'];
  const rows = alerts.map((a) => [
    DateTime.fromISO(a.timestamp, { zone }).toFormat('yyyy-MM-dd HH:mm:ss ZZZZ'),
    // as wide as paintSeverity's label, so padding is measured on what is shown
    a.severity.toUpperCase().padEnd(8),
    a.status,
    safeText(a.rule, 40),
    safeText(entityText(a.entity), 48),
    a.status === 'acknowledged' ? '-' : valueAgainstThreshold(a),
    a.id,
    safeText(note(a), 60),
  ]);
  return renderTable(head, rows, c, (i, cell, row) =>
    i === 1 ? paintSeverity(alerts[row].severity, c) : cell,
  );
}
