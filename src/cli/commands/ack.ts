/** `vigil ack <alert id> --comment …`: acknowledge an episode, so it is not re-alerted. */
import { Command } from 'commander';
import { ConfigError } from '../../errors';
import { COMMENT_MAX, checkText } from '../../evaluate/operator-input';
import { acknowledgeAlert } from '../../state/acks';
import { operatorContext, resolveAuthor } from '../operator-context';
import { configOption, formatOption } from '../options';
import { entityText, type Format, safeText } from '../output';

export function ackCommand(): Command {
  return new Command('ack')
    .description("acknowledge an alert's episode: it is not re-alerted until it recovers or escalates")
    .argument(
      '<alert-id>',
      'any alert id of the episode (as in emails, vigil alerts or scan --format json), or its first 8+ characters',
    )
    .requiredOption(
      '--comment <text>',
      `what is being done about it (required, at most ${COMMENT_MAX} characters)`,
    )
    .option('--author <name>', 'who acknowledges (default: $USER)')
    .addOption(formatOption('output format: table (text), or json: one JSON object'))
    .addOption(configOption())
    .addHelpText(
      'after',
      `
An episode is one rule × entity from its first firing until it recovers. Acknowledged, it is not
re-alerted when realert comes round; an escalation (the value reaching escalate_factor × the last
notified value) is still sent and ends the acknowledgement, and so does a recovery. The ack is
recorded on the episode in the state index and as an "acknowledged" document in the alerts index
(Kibana, vigil alerts), with who, when and the comment.

Example:
  vigil ack 5c1e0f7a9b2d4e6f8a0b1c2d --comment "blocked at the firewall, ticket SEC-124"

Exit codes: 0 acknowledged, 2 no such alert, its episode is over, or a bad comment, 3 Elasticsearch unavailable.`,
    )
    .action(
      async (id: string, opts: { comment?: string; author?: string; format: Format; config?: string }) => {
        const by = resolveAuthor(opts.author);
        const comment = checkText('--comment', opts.comment, COMMENT_MAX, 'say what is being done about it');
        if (comment.problem || !comment.value) throw new ConfigError(comment.problem as string);
        const nowMs = Date.now();
        const ctx = operatorContext(opts);
        try {
          const cfg = ctx.loaded.config;
          const r = await acknowledgeAlert(
            ctx.client,
            { state: cfg.state.index, alertsPrefix: cfg.state.alerts_index },
            id,
            { by, comment: comment.value, at: new Date(nowMs).toISOString() },
            nowMs,
          );
          ctx.audit.record('acknowledged', {
            alert_id: r.alert.id,
            rule: r.alert.rule,
            entity: r.alert.entity,
            ack: r.ack,
          });
          if (opts.format === 'json') {
            process.stdout.write(
              `${JSON.stringify({ alert_id: r.alert.id, rule: r.alert.rule, entity: r.alert.entity, ack: r.ack, record_id: r.recordId })}\n`,
            );
            return;
          }
          process.stdout.write(
            `acknowledged episode ${r.ack.episode_id} of ${r.alert.rule} ${safeText(entityText(r.alert.entity), 60)}: no realert until it recovers or escalates\n`,
          );
        } finally {
          await ctx.close();
        }
      },
    );
}
