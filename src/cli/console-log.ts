/**
 * Human console output, separate from the audit file: concise, coloured by severity on a
 * terminal, filtered by level, with secrets masked like everywhere else.
 */
import { redactText } from '../audit/redact';
import type { Alert } from '../types';
import { colours, entityText, localInstant, paintSeverity, safeText, valueAgainstThreshold } from './output';

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type ConsoleLevel = keyof typeof LEVELS;

export interface ConsoleLog {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  alert(a: Alert): void;
}

export function createConsoleLog(
  level: ConsoleLevel,
  secrets: readonly string[],
  stream: NodeJS.WriteStream = process.stderr,
): ConsoleLog {
  const c = colours(stream);
  const on = (l: ConsoleLevel) => LEVELS[l] <= LEVELS[level];
  const write = (l: ConsoleLevel, tag: string, msg: string) => {
    if (on(l))
      stream.write(`${c.dim(new Date().toISOString().slice(11, 19))} ${tag} ${redactText(msg, secrets)}\n`);
  };
  return {
    error: (m) => write('error', c.red('error'), m),
    warn: (m) => write('warn', c.yellow('warn '), m),
    info: (m) => write('info', c.green('info '), m),
    debug: (m) => write('debug', c.dim('debug'), m),
    alert: (a) =>
      write(
        'info',
        paintSeverity(a.severity, c).trimEnd(),
        `${a.status} ${a.rule} ${safeText(entityText(a.entity), 60)} ${valueAgainstThreshold(a)} (${a.schedule === 'off_hours' ? 'off-hours' : 'business hours'})${a.firing_since ? `, firing since ${localInstant(a.firing_since, a.timezone)}` : ''}${a.silence_id ? `, silence ${a.silence_id}` : ''}`,
      ),
  };
}
