/**
 * nginx and apache access lines (combined format and the variants Filebeat's pipelines accept)
 * → ECS documents in Filebeat's nginx.access / apache.access shape.
 */
import { isIP } from 'node:net';
import {
  type AccessFlavour,
  type AccessParts,
  buildAccessDoc,
  parseHttpDate,
  pickSourceAddress,
  splitRequest,
} from './access-fields';
import type { AccessFormat } from './access-format';
import type { ParseContext } from './parse-context';
import { failure, type ParseResult } from './types';

/** A double-quoted field with backslash escapes, as an unrolled loop (much faster than `(?:a|b)*`). */
const Q = String.raw`([^"\\]*(?:\\.[^"\\]*)*)`;
const NGINX = new RegExp(String.raw`^(.*?) - (.*?) \[([^\]]+)\] "${Q}" (\d{3}) (\d+) "${Q}" "${Q}"`, 's');

const APACHE_COMMON = new RegExp(
  String.raw`^(?:(\S+) )?(\S+) - (\S+) \[([^\]]+)\] "${Q}" (\d{3}) (\d+|-)(?: "${Q}")?(?: "${Q}")?`,
  's',
);
const APACHE_SSL = new RegExp(String.raw`^\[([^\]]+)\] (\S+) (\S+) (\S+) "${Q}" (\d+|-)`, 's');

/** Parses one access line with the built-in format of the flavour, or with a configured format. */
export function parseAccessLine(
  line: string,
  flavour: AccessFlavour,
  ctx: ParseContext,
  format?: AccessFormat,
): ParseResult {
  const match = (text: string) =>
    format ? format.match(text) : flavour === 'nginx' ? matchNginx(text) : matchApache(text);
  let parts = match(line);
  // a line some exporter wrapped in one more pair of quotes: every parser reads what is inside
  if (!parts || parts.sourceAddress?.includes('"')) {
    const inner = unwrapQuotedLine(line);
    parts = (inner !== undefined && match(inner)) || parts;
  }
  if (!parts) return failure('bad_access_line', `not a ${flavour} access line in the expected format`);
  // never a document with a garbage address: a quote is in no address or host name
  if (parts.sourceAddress?.includes('"'))
    return failure(
      'bad_address',
      `unreadable client address ${JSON.stringify(parts.sourceAddress.slice(0, 40))}`,
    );
  if (Number.isNaN(parts.ms)) return failure('bad_timestamp', 'unreadable access log time stamp');
  splitRequest(parts);
  return { ok: true, docs: [buildAccessDoc(line, parts, flavour, ctx)] };
}

/**
 * The line inside one extra pair of double quotes, as some exporters and copy-pastes write access
 * logs: with the inner quotes as they were, doubled (CSV) or backslash-escaped (JSON strings).
 * Undefined when the line is not wrapped.
 */
export function unwrapQuotedLine(line: string): string | undefined {
  if (line.length < 2 || !line.startsWith('"') || !line.endsWith('"')) return undefined;
  const inner = line.slice(1, -1);
  if (inner.includes('""') && !inner.replace(/""/g, '').includes('"')) return inner.replace(/""/g, '"');
  if (inner.includes('\\"') && !inner.replace(/\\["\\]/g, '').includes('"'))
    return inner.replace(/\\(["\\])/g, '$1');
  return inner;
}

function matchNginx(line: string): AccessParts | undefined {
  const m = NGINX.exec(line);
  if (!m) return undefined;
  const prefix = splitNginxPrefix(m[1]);
  if (!prefix) return undefined;
  return {
    ms: parseHttpDate(m[3]),
    ...prefix,
    user: m[2],
    request: m[4],
    status: Number(m[5]),
    bytes: Number(m[6]),
    referrer: m[7],
    userAgent: m[8],
  };
}

type Prefix = Pick<AccessParts, 'sourceAddress' | 'remoteIpList' | 'destination'>;

/**
 * What precedes ` - user [time]` in nginx lines: an optional `host[:port] ` and then either an
 * address list (`a, b "c, d" e`) or a single token, as Filebeat's NGINX_HOST / NGINX_ADDRESS_LIST.
 */
export function splitNginxPrefix(prefix: string): Prefix | undefined {
  const space = prefix.indexOf(' ');
  if (space > 0) {
    const host = parseHost(prefix.slice(0, space));
    const rest = host && parseAddresses(prefix.slice(space + 1));
    if (host && rest) return { ...rest, destination: host };
  }
  return parseAddresses(prefix);
}

function parseHost(token: string): Prefix['destination'] | undefined {
  if (isIP(token)) return { ip: token };
  const m = /^([^\t ,:"]+)(?::(\d{1,5}))?$/.exec(token);
  if (!m) return undefined;
  const dest: NonNullable<Prefix['destination']> = isIP(m[1]) ? { ip: m[1] } : { domain: m[1] };
  if (m[2]) dest.port = Number(m[2]);
  return dest;
}

function parseAddresses(text: string): Prefix | undefined {
  const tokens = text
    .replace(/^"/, '')
    .replace(/"$/, '')
    .split(/"?,\s*"?|"?\s+"?/);
  if (tokens.length > 0 && tokens.every((t) => isIP(t) || /^\w+$/.test(t))) {
    return { remoteIpList: tokens, sourceAddress: pickSourceAddress(tokens) };
  }
  if (/^\S+$/.test(text)) return { sourceAddress: text };
  return undefined;
}

function matchApache(line: string): AccessParts | undefined {
  const m = APACHE_COMMON.exec(line);
  if (m) {
    const parts: AccessParts = {
      ms: parseHttpDate(m[4]),
      sourceAddress: m[2],
      user: m[3],
      request: m[5],
      status: Number(m[6]),
      bytes: m[7] === '-' ? undefined : Number(m[7]),
      referrer: m[8],
      userAgent: m[9],
    };
    if (m[1]) {
      // vhost_combined writes `%v:%p`: the port is not part of the server name
      const dest = parseHost(m[1]);
      if (!dest) return undefined;
      parts.destination = dest;
    }
    return parts;
  }
  const ssl = APACHE_SSL.exec(line);
  if (ssl) {
    return {
      ms: parseHttpDate(ssl[1]),
      sourceAddress: ssl[2],
      tls: { protocol: ssl[3], cipher: ssl[4] },
      request: ssl[5],
      bytes: ssl[6] === '-' ? undefined : Number(ssl[6]),
    };
  }
  return undefined;
}
