/**
 * Configurable access log formats: an nginx `log_format` string (`$remote_addr - $remote_user
 * [$time_local] "$request" ...`) or an Apache `LogFormat` string (`%h %l %u %t "%r" %>s %b ...`),
 * compiled once into a regular expression whose captures fill AccessParts.
 */
import { DateTime } from 'luxon';
import { type AccessParts, parseHttpDate } from './access-fields';

type Slot =
  | 'source'
  | 'user'
  | 'time'
  | 'time_iso'
  | 'request'
  | 'method'
  | 'url'
  | 'version'
  | 'status'
  | 'bytes'
  | 'referrer'
  | 'agent'
  | 'host'
  | 'ignore';

const NGINX_VARS: Record<string, Slot> = {
  remote_addr: 'source',
  realip_remote_addr: 'source',
  remote_user: 'user',
  time_local: 'time',
  time_iso8601: 'time_iso',
  request: 'request',
  request_method: 'method',
  request_uri: 'url',
  server_protocol: 'version',
  status: 'status',
  body_bytes_sent: 'bytes',
  bytes_sent: 'bytes',
  http_referer: 'referrer',
  http_user_agent: 'agent',
  host: 'host',
  server_name: 'host',
};

const APACHE_DIRECTIVES: Record<string, Slot> = {
  h: 'source',
  a: 'source',
  u: 'user',
  t: 'time',
  r: 'request',
  m: 'method',
  U: 'url',
  H: 'version',
  s: 'status',
  '>s': 'status',
  b: 'bytes',
  B: 'bytes',
  O: 'bytes',
  'Referer}i': 'referrer',
  'User-agent}i': 'agent',
  'User-Agent}i': 'agent',
  v: 'host',
  V: 'host',
};

export interface AccessFormat {
  source: string;
  match(line: string): AccessParts | undefined;
}

const TOKEN = /\$([a-z_][a-z0-9_]*)|%(>?[a-zA-Z]|\{[^}]*\}[a-zA-Z])/g;

/** Compiles a format string; throws an Error naming the unknown placeholder or an empty format. */
export function compileAccessFormat(format: string): AccessFormat {
  if (!format.trim()) throw new Error('the access log format is empty');
  const slots: Slot[] = [];
  let pattern = '^';
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    const literal = format.slice(last, m.index).replace(/\\"/g, '"');
    pattern += escapeRegex(literal);
    const name = m[1] ?? m[2];
    const slot = m[1] !== undefined ? (NGINX_VARS[name] ?? 'ignore') : apacheSlot(name);
    const quoted = literal.endsWith('"');
    const bracketed = literal.endsWith('[');
    slots.push(slot);
    pattern += quoted
      ? '((?:[^"\\\\]|\\\\.)*)'
      : bracketed
        ? '([^\\]]*)'
        : slot === 'time'
          ? '\\[([^\\]]*)\\]'
          : '(\\S*)';
    last = (m.index ?? 0) + m[0].length;
  }
  pattern += escapeRegex(format.slice(last).replace(/\\"/g, '"'));
  if (slots.length === 0) throw new Error('the access log format has no $variable or %directive');
  const re = new RegExp(pattern, 's');
  return { source: format, match: (line) => fill(re.exec(line), slots) };
}

function apacheSlot(directive: string): Slot {
  const key = directive.startsWith('{') ? directive.slice(1) : directive;
  return APACHE_DIRECTIVES[key] ?? 'ignore';
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fill(m: RegExpExecArray | null, slots: Slot[]): AccessParts | undefined {
  if (!m) return undefined;
  const parts: AccessParts = { ms: Number.NaN };
  slots.forEach((slot, i) => {
    const v = m[i + 1];
    switch (slot) {
      case 'source':
        parts.sourceAddress = v;
        break;
      case 'user':
        parts.user = v;
        break;
      case 'time':
        parts.ms = parseHttpDate(v);
        break;
      case 'time_iso': {
        const dt = DateTime.fromISO(v, { setZone: true });
        parts.ms = dt.isValid ? dt.toMillis() : Number.NaN;
        break;
      }
      case 'request':
        parts.request = v;
        break;
      case 'method':
        parts.method = v;
        break;
      case 'url':
        parts.url = v;
        break;
      case 'version':
        parts.httpVersion = v.replace(/^HTTP\//, '');
        break;
      case 'status':
        // garbage is NaN, never a silent absence: check-fields counts the line as bad_status
        parts.status = /^\d{3}$/.test(v) ? Number(v) : Number.NaN;
        break;
      case 'bytes':
        if (v !== '-') parts.bytes = /^\d+$/.test(v) ? Number(v) : Number.NaN;
        break;
      case 'referrer':
        parts.referrer = v;
        break;
      case 'agent':
        parts.userAgent = v;
        break;
      case 'host':
        if (v && v !== '-') parts.destination = { domain: v };
        break;
      default:
        break;
    }
  });
  return parts;
}
