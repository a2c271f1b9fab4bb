import type { Client } from '@elastic/elasticsearch';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import type { AlertsConfig } from '../../notify/channel-schema';
import type { NotifyLogger } from '../../notify/logger';
import { createOutbox, type OutboxEntry } from '../../notify/outbox';
import type { OutboxStatus } from '../../notify/outbox-store';
import { cleanLine } from '../../notify/sanitize';
import { configOption } from '../options';

/** What the notify commands need; main.ts provides `loadContext` from the config file. */
export interface NotifyContext {
  client: Client;
  stateIndex: string;
  /** the validated `alerts:` section (alertsSchema output) */
  alerts: AlertsConfig;
  logger: NotifyLogger;
  /** the config file's name, for messages */
  configPath?: string;
}

export interface NotifyCommandDeps {
  loadContext(options: { config?: string }): Promise<NotifyContext> | NotifyContext;
  /** the clock (tests pass a fixed one) */
  now?: () => Date;
  /** stdout (tests capture it) */
  write?: (text: string) => void;
}

const STATUS_CHOICES = ['pending', 'dead', 'sending', 'delivered', 'all'] as const;
type StatusChoice = (typeof STATUS_CHOICES)[number];

/** `vigil outbox` lists pending and dead entries; `vigil outbox retry <id>` requeues one. */
export function outboxCommand(deps: NotifyCommandDeps): Command {
  const write = deps.write ?? ((s: string) => process.stdout.write(s));
  const now = () => deps.now?.() ?? new Date();
  const load = async (config?: string) => {
    const ctx = await deps.loadContext({ config });
    const outbox = createOutbox({
      client: ctx.client,
      index: ctx.stateIndex,
      settings: ctx.alerts.outbox,
      logger: ctx.logger,
    });
    return { outbox, handled: enabledChannels(ctx.alerts) };
  };

  const cmd = new Command('outbox')
    .description('list alert deliveries that are pending (retrying) or dead; delivery is at least once')
    .addOption(
      new Option('--status <status>', 'which entries to list (default: pending and dead)').choices(
        STATUS_CHOICES,
      ),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(configOption())
    .action(async (opts: { status?: StatusChoice; format: 'table' | 'json'; config?: string }) => {
      const { outbox, handled } = await load(opts.config);
      const entries = await outbox.listOutbox(statusesFor(opts.status));
      if (opts.format === 'json') {
        for (const e of entries) write(`${JSON.stringify({ ...e, handledHere: handled.has(e.channel) })}\n`);
        return;
      }
      write(
        entries.length
          ? `${formatOutboxTable(entries, now(), handled)}\n`
          : 'the outbox is empty: nothing pending or dead\n',
      );
    });

  cmd
    .command('retry <id>')
    .description('requeue a dead (or waiting) entry so the next scan or monitor cycle sends it')
    .addOption(configOption())
    .action(async (id: string, opts: { config?: string }) => {
      const { outbox } = await load(opts.config ?? cmd.opts<{ config?: string }>().config);
      const entry = await outbox.retryEntry(id, now());
      const n = entry.alertIds.length;
      write(
        `requeued outbox entry ${entry.id} (channel ${entry.channel}, ${n} alert${n === 1 ? '' : 's'}); the next scan or monitor cycle sends it\n`,
      );
    });
  return cmd;
}

function statusesFor(choice: StatusChoice | undefined): OutboxStatus[] {
  if (choice === undefined) return ['pending', 'sending', 'dead'];
  if (choice === 'all') return ['pending', 'sending', 'dead', 'delivered'];
  return [choice];
}

/** Channels this configuration delivers; a drain here never claims entries of other channels. */
function enabledChannels(alerts: AlertsConfig): Set<string> {
  return new Set(
    Object.entries(alerts.channels)
      .filter(([, c]) => c.enabled)
      .map(([name]) => name),
  );
}

/**
 * A plain table; colour only on a terminal (picocolors honours NO_COLOR). With `handled` (the
 * channels this configuration delivers), a waiting entry of another channel says so.
 */
export function formatOutboxTable(entries: OutboxEntry[], now: Date, handled?: ReadonlySet<string>): string {
  const c = pc.createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const paint = (status: string) =>
    status === 'dead' ? c.red(status) : status === 'delivered' ? c.green(status) : c.yellow(status);
  const head = [
    'ID',
    'CHANNEL',
    'STATUS',
    'ATTEMPTS',
    'ALERTS',
    'CREATED',
    'NEXT ATTEMPT',
    'LAST ERROR / TITLE',
  ];
  const rows = entries.map((e) => [
    e.id,
    cleanLine(e.channel, 24),
    e.status,
    String(e.attempts),
    String(e.alertIds.length),
    e.createdAt,
    e.status === 'pending' || e.status === 'sending' ? relative(e.nextAttemptAt, now) : '-',
    cleanLine(
      `${waitsElsewhere(e, handled) ? NO_SENDER_NOTE : ''}${e.lastError ?? e.titles.join('; ')}`,
      100,
    ),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r[i]).length)));
  const line = (cells: string[], colour = false) =>
    cells
      .map((cell, i) => {
        const padded = cell + ' '.repeat(Math.max(0, widths[i] - Array.from(cell).length));
        return colour && i === 2 ? paint(cell) + padded.slice(cell.length) : padded;
      })
      .join('  ')
      .trimEnd();
  return [c.dim(line(head)), ...rows.map((r) => line(r, true))].join('\n');
}

const NO_SENDER_NOTE = 'no sender here for this channel · ';

function waitsElsewhere(e: OutboxEntry, handled: ReadonlySet<string> | undefined): boolean {
  return (
    handled !== undefined && (e.status === 'pending' || e.status === 'sending') && !handled.has(e.channel)
  );
}

function relative(iso: string, now: Date): string {
  const ms = new Date(iso).getTime() - now.getTime();
  if (ms <= 0) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 90) return `in ${s}s`;
  if (s < 5400) return `in ${Math.round(s / 60)}m`;
  return `in ${Math.round(s / 3600)}h`;
}
