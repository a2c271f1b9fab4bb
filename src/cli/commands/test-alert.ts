import { Command } from 'commander';
import { sendTestAlert } from '../../notify/test-alert';
import { configOption } from '../options';
import type { NotifyCommandDeps } from './outbox';

/** `vigil test-alert --channel <name>`: one clearly marked test message through the real channel, now. */
export function testAlertCommand(deps: NotifyCommandDeps): Command {
  return new Command('test-alert')
    .description('send a test message through one channel now (not via the outbox); exit 4 when it fails')
    .requiredOption('--channel <name>', 'a channel name under alerts.channels')
    .addOption(configOption())
    .action(async (opts: { channel: string; config?: string }) => {
      const ctx = await deps.loadContext({ config: opts.config });
      const now = deps.now?.() ?? new Date();
      // A failure throws a DeliveryError: main prints its one line and exits 4.
      const sent = await sendTestAlert(ctx.alerts, opts.channel, now, {
        logger: ctx.logger,
        configPath: ctx.configPath,
      });
      (deps.write ?? ((s: string) => process.stdout.write(s)))(
        `test message sent through ${sent.type} channel ${sent.channel}\n`,
      );
    });
}
