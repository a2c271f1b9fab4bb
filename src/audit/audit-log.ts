/**
 * The audit trail: JSON lines through winston-daily-rotate-file (size limit, retention, gzip),
 * one record per step. Every record passes through redaction first.
 */
import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import { ConfigError } from '../errors';
import { redact } from './redact';

export interface AuditSettings {
  dir: string;
  level: 'error' | 'warn' | 'info' | 'debug';
  max_size: string;
  max_files: string;
  zip: boolean;
}

export interface AuditLog {
  /** one structured record: `event` names the step (start, cycle, stop, ...) */
  record(event: string, data?: Record<string, unknown>, level?: 'info' | 'warn' | 'error' | 'debug'): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  /** flushes and closes the files */
  close(): Promise<void>;
  dir?: string;
}

export function createAuditLog(settings: AuditSettings, secrets: readonly string[]): AuditLog {
  try {
    fs.mkdirSync(settings.dir, { recursive: true });
    fs.accessSync(settings.dir, fs.constants.W_OK);
  } catch (e) {
    throw new ConfigError(
      `logging.dir: cannot write audit logs to ${settings.dir} (${(e as NodeJS.ErrnoException).code})`,
      { cause: e },
    );
  }
  const transport = new DailyRotateFile({
    dirname: settings.dir,
    filename: 'vigil-audit-%DATE%.log',
    datePattern: 'YYYY-MM-DD',
    maxSize: settings.max_size,
    maxFiles: settings.max_files,
    zippedArchive: settings.zip,
    auditFile: path.join(settings.dir, '.vigil-audit-files.json'),
  });
  const scrub = winston.format((info) => {
    const clean = redact({ ...info }, secrets) as Record<string | symbol, unknown>;
    for (const k of Object.keys(info)) delete (info as Record<string, unknown>)[k];
    Object.assign(info, clean);
    return info;
  });
  const logger = winston.createLogger({
    level: settings.level,
    format: winston.format.combine(scrub(), winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
  const log = (level: string, message: string, meta?: Record<string, unknown>) =>
    logger.log(level, message, meta ?? {});
  return {
    dir: settings.dir,
    record: (event, data = {}, level = 'info') => log(level, event, { event, ...data }),
    info: (m, meta) => log('info', m, meta),
    warn: (m, meta) => log('warn', m, meta),
    error: (m, meta) => log('error', m, meta),
    close: () =>
      new Promise<void>((resolve) => {
        const done = () => resolve();
        transport.on('finish', done);
        setTimeout(done, 2000).unref();
        logger.end();
      }),
  };
}

/** An audit log that writes nothing (tests of pure stages, --dry-run without a log dir). */
export const nullAudit: AuditLog = {
  record: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  close: async () => {},
};
