/** Wiring for commands that run cycles: client, audit log, notifier, instance id. */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { type AuditLog, createAuditLog } from '../audit/audit-log';
import { createNotifier, type Notifier } from '../notify/notifier';
import { type AppContext, type ContextOptions, loadContext } from './context';

export interface Runtime extends AppContext {
  audit: AuditLog;
  notifier?: Notifier;
  instanceId: string;
  close(): Promise<void>;
}

export function instanceIdFor(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
}

export function buildRuntime(opts: ContextOptions & { withNotifier?: boolean }): Runtime {
  const ctx = loadContext(opts);
  const cfg = ctx.loaded.config;
  const logDir = path.isAbsolute(cfg.logging.dir) ? cfg.logging.dir : path.resolve(cfg.logging.dir);
  const audit = createAuditLog({ ...cfg.logging, dir: logDir }, ctx.loaded.secrets);
  const anyChannel = Object.values(cfg.alerts.channels).some((c) => c.enabled);
  const notifier =
    opts.withNotifier !== false && anyChannel
      ? createNotifier({
          client: ctx.client,
          stateIndex: cfg.state.index,
          alerts: cfg.alerts,
          logger: audit,
          configPath: ctx.loaded.file,
          alertsIndex: cfg.state.alerts_index,
        })
      : undefined;
  return {
    ...ctx,
    audit,
    notifier,
    instanceId: instanceIdFor(),
    async close() {
      notifier?.close();
      await ctx.client.close();
      await audit.close();
    },
  };
}
