/**
 * `vigil silence add | list | expire`: mute known alerts for a while, from the state index, so
 * every instance honours them and they survive restarts.
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../../errors';
import { isSilenceActive, type Silence } from '../../evaluate/match-silence';
import {
  COMMENT_MAX,
  checkText,
  parseMatchers,
  SILENCES_MAX,
  silenceEnd,
} from '../../evaluate/operator-input';
import { addSilence, expireSilence, newSilenceId, readSilences } from '../../state/silences';
import { ensureStateIndex } from '../../state/state-index';
import { type OperatorContext, operatorContext, resolveAuthor } from '../operator-context';
import { configOption, formatOption, rulesOption } from '../options';
import { colours, type Format, safeText } from '../output';
import { renderTable } from '../table';

const collect = (v: string, prev: string[]) => [...prev, v];

interface AddOpts {
  rule?: string;
  severity?: string;
  entity: string[];
  for?: string;
  until?: string;
  comment?: string;
  author?: string;
  format: Format;
  config?: string;
  rules?: string;
}

export function silenceCommand(): Command {
  const cmd = new Command('silence')
    .description(
      'mute alerts that are known (a pentest, a maintenance window) for a while; they are still recorded',
    )
    .addHelpText(
      'after',
      `
A silence matches an alert when all its matchers match: --rule and --severity (exact or with
wildcards * and ?), and every --entity field=value (an address or CIDR range for address fields
such as source.ip, an exact value or wildcard pattern otherwise). While a silence is active
(from its start until its end, the end itself excluded) a matching alert is recorded as
"silenced" in the audit log and the alerts index, with the silence id, but not delivered. When the
silence ends and the episode still fires, it is delivered once, as new. Silences live in the state
index: every instance reads them each cycle, and they survive restarts.

Examples:
  vigil silence add --rule ssh_bruteforce --entity source.ip=198.51.100.7 --for 8h --comment "pentest, ticket SEC-123"
  vigil silence add --entity source.ip=10.0.5.0/24 --until 2026-12-06T08:00:00Z --comment "scanner"
  vigil silence list                  active and upcoming silences (--all: ended ones too)
  vigil silence expire 3f2a9c0d1e4b5a67

Exit codes: 0 done, 2 invalid matcher, comment or flag (the flag is named), 3 Elasticsearch unavailable.`,
    );

  cmd
    .command('add')
    .description('add a silence (it starts now); prints its id')
    .option('--rule <id>', 'rule id, or a pattern like ssh_*')
    .option('--severity <severity>', 'low, medium, high or critical (or a pattern)')
    .addOption(
      new Option('--entity <field=value>', 'entity matcher, repeatable: all must match')
        .argParser(collect)
        .default([], 'none'),
    )
    .option('--for <duration>', 'how long, like 30m, 8h or 2d (default 1h, at most 90d)')
    .option('--until <instant>', 'end at this ISO instant with zone, like 2026-12-05T18:00:00Z')
    .requiredOption('--comment <text>', `why (required, at most ${COMMENT_MAX} characters), e.g. a ticket`)
    .option('--author <name>', 'who silences (default: $USER)')
    .addOption(formatOption('output format: table (text), or json: the silence as one JSON object'))
    .addOption(configOption())
    .addOption(rulesOption())
    .action(async (opts: AddOpts) => {
      const nowMs = Date.now();
      const author = resolveAuthor(opts.author);
      const comment = checkText('--comment', opts.comment, COMMENT_MAX, 'say why, e.g. a ticket');
      const end = silenceEnd(opts, nowMs);
      const ctx = operatorContext(opts);
      try {
        const parsed = parseMatchers(
          opts,
          ctx.rules.map((r) => r.id),
        );
        const problems = [
          ...parsed.problems,
          ...[comment.problem, end.problem].filter((p) => p !== undefined),
        ];
        if (problems.length || !parsed.matchers) throw new ConfigError(problems);
        const now = new Date(nowMs).toISOString();
        const silence: Silence = {
          id: newSilenceId(),
          matchers: parsed.matchers,
          created_by: author,
          comment: comment.value as string,
          created_at: now,
          starts_at: now,
          ends_at: new Date(end.endMs as number).toISOString(),
        };
        await ensureStateIndex(ctx.client, ctx.loaded.config.state.index);
        const current = await readSilences(ctx.client, ctx.loaded.config.state.index, nowMs, {
          limit: SILENCES_MAX,
        });
        if (current.length >= SILENCES_MAX)
          throw new ConfigError(
            `silence add: there are already ${SILENCES_MAX} silences not yet ended; expire some first (vigil silence list)`,
          );
        await addSilence(ctx.client, ctx.loaded.config.state.index, silence, nowMs);
        ctx.audit.record('silence_added', { silence });
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify(silence)}\n`);
        else
          process.stdout.write(
            `silence ${silence.id} added: ${matcherText(silence)} until ${silence.ends_at}, by ${safeText(author, 60)}\n`,
          );
      } finally {
        await ctx.close();
      }
    });

  cmd
    .command('list')
    .description('list active and upcoming silences (--all: ended ones too, newest first)')
    .option('--all', 'include silences that have ended')
    .addOption(formatOption('output format: table (text), or json: one JSON object per silence per line'))
    .addOption(configOption())
    .action(async (opts: { all?: boolean; format: Format; config?: string }) => {
      const nowMs = Date.now();
      const ctx = operatorContext(opts);
      try {
        const list = await readSilences(ctx.client, ctx.loaded.config.state.index, nowMs, {
          all: opts.all,
          limit: 1000,
        });
        if (opts.format === 'json') {
          for (const s of list)
            process.stdout.write(`${JSON.stringify({ ...s, state: silenceState(s, nowMs) })}\n`);
          return;
        }
        process.stdout.write(
          list.length
            ? `${silenceTable(list, nowMs)}\n`
            : `no ${opts.all ? '' : 'active '}silences${opts.all ? '' : ' (--all shows ended ones)'}\n`,
        );
      } finally {
        await ctx.close();
      }
    });

  cmd
    .command('expire <id>')
    .description('end a silence now; alerts it held back that still fire are delivered by the next cycle')
    .option('--author <name>', 'who ends it (default: $USER)')
    .addOption(configOption())
    .action(async (id: string, opts: { author?: string; config?: string }) => {
      const author = resolveAuthor(opts.author);
      const ctx: OperatorContext = operatorContext(opts);
      try {
        const r = await expireSilence(
          ctx.client,
          ctx.loaded.config.state.index,
          id.trim(),
          author,
          Date.now(),
        );
        if (!r.alreadyEnded) ctx.audit.record('silence_expired', { silence: r.silence, by: author });
        process.stdout.write(
          r.alreadyEnded
            ? `silence ${r.silence.id} had already ended at ${r.silence.ends_at}\n`
            : `silence ${r.silence.id} expired: ${matcherText(r.silence)}\n`,
        );
      } finally {
        await ctx.close();
      }
    });
  // usage errors of a subcommand (a missing --comment) exit 2 like the others, not commander's 1
  for (const sub of cmd.commands) sub.exitOverride();
  return cmd;
}

export function silenceState(s: Silence, nowMs: number): 'active' | 'pending' | 'expired' {
  if (isSilenceActive(s, nowMs)) return 'active';
  return Date.parse(s.starts_at) > nowMs ? 'pending' : 'expired';
}

/** `rule=ssh_bruteforce source.ip=198.51.100.7`, safe for a terminal. */
export function matcherText(s: Pick<Silence, 'matchers'>): string {
  const m = s.matchers;
  const parts = [
    ...(m.rule !== undefined ? [`rule=${m.rule}`] : []),
    ...(m.severity !== undefined ? [`severity=${m.severity}`] : []),
    ...m.entity.map((e) => `${e.field}=${e.value}`),
  ];
  return safeText(parts.join(' '), 120);
}

function silenceTable(list: Silence[], nowMs: number): string {
  const c = colours(process.stdout);
  const head = ['ID', 'STATE', 'MATCHERS', 'ENDS', 'BY', 'COMMENT'];
  const rows = list.map((s) => [
    s.id,
    silenceState(s, nowMs),
    matcherText(s),
    s.ends_at,
    safeText(s.created_by, 24),
    safeText(s.comment, 60),
  ]);
  const paint = (state: string) =>
    state === 'active' ? c.yellow(state) : state === 'pending' ? c.cyan(state) : c.dim(state);
  return renderTable(head, rows, c, (i, cell) => (i === 1 ? paint(cell) : cell));
}
