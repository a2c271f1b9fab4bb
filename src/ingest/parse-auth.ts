/** auth.log / secure lines → ECS documents in Filebeat's system.auth shape. */
import { parseAccountChange, parseCronCommand } from './accounts';
import { type Fields, parsePam, parsePamFailure, parseSshd, parseSudo } from './auth-messages';
import { addRelated, mergeFields } from './fields';
import { addFilebeatMeta, baseDoc, type ParseContext } from './parse-context';
import { parseSyslogHeader, type SyslogHeader } from './syslog-header';
import { YearTracker } from './syslog-time';
import { type EcsDoc, failure, type ParseResult } from './types';

/** rsyslog's de-duplication line; the repeated message is parsed N times. */
const REPEATED = /^message repeated (\d{1,9}) times: \[ ?(.*?)\]?$/s;
/** An attacker can write `message repeated 999999999 times`; we expand at most this many. */
export const MAX_REPEAT = 10_000;

export function parseAuthLine(line: string, ctx: ParseContext): ParseResult {
  const header = parseSyslogHeader(line);
  if (!header) return failure('no_syslog_header', 'no syslog header (Mmm dd HH:MM:SS host prog:)');
  const ms = timeOf(header, ctx);
  if (Number.isNaN(ms)) return failure('bad_timestamp', 'unreadable syslog time stamp');

  let message = header.message;
  let copies = 1;
  const repeated = REPEATED.exec(message);
  if (repeated) {
    copies = Math.min(Number(repeated[1]), MAX_REPEAT);
    message = repeated[2];
  }
  const fields = parseMessage(header.program ?? '', message);
  const docs: EcsDoc[] = [];
  for (let i = 0; i < copies; i++) {
    docs.push(buildDoc(line, header, message, fields && i > 0 ? structuredCopy(fields) : fields, ms, ctx));
  }
  return { ok: true, docs };
}

function timeOf(header: SyslogHeader, ctx: ParseContext): number {
  if (header.time.kind === 'iso') return ctx.clock.isoToMillis(header.time.text);
  if (!ctx.years) ctx.years = new YearTracker(ctx.clock);
  return ctx.years.resolve(header.time.stamp, ctx.nowMs);
}

/**
 * Old-style PAM lines name the module in the program (RHEL 4/5, some appliances):
 * `sshd(pam_unix)[19939]: authentication failure; … rhost=218.188.2.4  user=root`.
 */
const OLD_PAM_PROGRAM = /^([\w-]+)\((pam_\w+)\)$/;

/** The program-specific fields, or undefined for a line indexed with its header and message only. */
export function parseMessage(program: string, message: string): Fields | undefined {
  const oldPam = OLD_PAM_PROGRAM.exec(program);
  if (oldPam) return parsePamFailure(`${oldPam[2]}(${oldPam[1]}:auth): ${message}`);
  switch (program) {
    case 'sshd':
    case 'sshd-session': // OpenSSH 9.8+ logs a connection's lines from its own sshd-session process
      return parseSshd(message) ?? parsePam(message);
    case 'sudo':
      return parseSudo(message) ?? parsePam(message);
    case 'CRON':
    case 'cron':
    case 'crond':
      return parseCronCommand(message) ?? parsePam(message);
    case 'useradd':
    case 'usermod':
    case 'userdel':
    case 'groupadd':
    case 'groupmod':
    case 'groupdel':
    case 'passwd':
      return parseAccountChange(program, message);
    default:
      return parsePam(message);
  }
}

function buildDoc(
  line: string,
  header: SyslogHeader,
  message: string,
  fields: Fields | undefined,
  ms: number,
  ctx: ParseContext,
): EcsDoc {
  const doc = baseDoc(ctx, line, ms, 'system', 'system.auth');
  doc.message = message;
  if (header.hostname) doc.host = { hostname: header.hostname };
  if (header.program)
    doc.process =
      header.pid === undefined ? { name: header.program } : { name: header.program, pid: header.pid };
  if (fields) mergeFields(doc, fields);
  addRelated(doc);
  addFilebeatMeta(doc, 'system', 'auth');
  return doc;
}

/** Each expanded copy gets its own objects, so that no two documents share one. */
function structuredCopy(fields: Fields): Fields {
  return JSON.parse(JSON.stringify(fields)) as Fields;
}
