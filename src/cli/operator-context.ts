/**
 * What the operator commands (`silence`, `ack`, `alerts`) need: the config and rules, a client,
 * the audit log (an operator's action is recorded like a cycle), who is acting and the clock.
 */
import os from 'node:os';
import path from 'node:path';
import { type AppContext, type ContextOptions, loadContext } from '../app/context';
import { type AuditLog, createAuditLog } from '../audit/audit-log';
import { ConfigError } from '../errors';
import { AUTHOR_MAX, checkText } from '../evaluate/operator-input';

export interface OperatorContext extends AppContext {
  audit: AuditLog;
  close(): Promise<void>;
}

export function operatorContext(opts: ContextOptions): OperatorContext {
  const ctx = loadContext(opts);
  const cfg = ctx.loaded.config;
  const dir = path.isAbsolute(cfg.logging.dir) ? cfg.logging.dir : path.resolve(cfg.logging.dir);
  const audit = createAuditLog({ ...cfg.logging, dir }, ctx.loaded.secrets);
  return {
    ...ctx,
    audit,
    close: async () => {
      await ctx.client.close();
      await audit.close();
    },
  };
}

/** `--author`, else $USER (or $LOGNAME, or the account name): who created a silence or an ack. */
export function resolveAuthor(flag: string | undefined): string {
  let fallback: string | undefined = process.env.USER || process.env.LOGNAME;
  if (!fallback) {
    try {
      fallback = os.userInfo().username;
    } catch {
      fallback = undefined;
    }
  }
  const { value, problem } = checkText('--author', flag ?? fallback, AUTHOR_MAX);
  if (problem || !value)
    throw new ConfigError(
      flag === undefined && !fallback ? '--author: missing; set --author or $USER' : (problem as string),
    );
  return value;
}
