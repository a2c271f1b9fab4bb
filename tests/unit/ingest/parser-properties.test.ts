/**
 * Property tests of every parser (issue 16): seeded generators write valid lines of each format —
 * syslog auth (sshd Failed/Accepted/Invalid, sudo, PAM), nginx and apache access (combined, common,
 * vhost), JSON lines — with and without an extra pair of quotes around access lines, odd but legal
 * user agents (escaped quotes, unicode), IPv6 clients, `-` fields; the fields that went into each line
 * must come out of the parser unchanged. A failing case prints its seed and line.
 */
import { flattenFields } from '../../../src/ingest/fields';
import type { ParseContext } from '../../../src/ingest/parse-context';
import { parseLine } from '../../../src/ingest/parse-line';
import { YearTracker, ZonedClock } from '../../../src/ingest/syslog-time';
import type { LogType } from '../../../src/ingest/types';
import { prng } from '../../helpers/prng';

const CASES = 400;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const YEAR = 2024;

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function ipv4(r: Rand): string {
  return [int(r, 1, 223), int(r, 0, 255), int(r, 0, 255), int(r, 1, 254)].join('.');
}
function ipv6(r: Rand): string {
  const groups = Array.from({ length: 8 }, () => int(r, 0, 0xffff).toString(16));
  const form = int(r, 0, 2);
  if (form === 0) return groups.join(':');
  if (form === 1) return `${groups.slice(0, 3).join(':')}::${groups[7]}`;
  return `::ffff:${ipv4(r)}`;
}
const ip = (r: Rand) => (r() < 0.3 ? ipv6(r) : ipv4(r));
const word = (r: Rand, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789._-') =>
  Array.from({ length: int(r, 1, 10) }, () => alphabet[int(r, 0, alphabet.length - 1)]).join('');
const user = (r: Rand) => pick(r, ['root', 'admin', 'ubuntu', 'oracle', word(r), `${word(r)}ü`, 'ДИМА']);

/** A valid instant (no leap days or DST gaps: UTC) and its stamps. */
function instant(r: Rand) {
  const [month, day, hour, minute, second] = [
    int(r, 1, 12),
    int(r, 1, 28),
    int(r, 0, 23),
    int(r, 0, 59),
    int(r, 0, 59),
  ];
  return {
    iso: new Date(Date.UTC(YEAR, month - 1, day, hour, minute, second)).toISOString(),
    syslog: `${MONTHS[month - 1]} ${String(day).padStart(2, ' ')} ${pad(hour)}:${pad(minute)}:${pad(second)}`,
    http: `${pad(day)}/${MONTHS[month - 1]}/${YEAR}:${pad(hour)}:${pad(minute)}:${pad(second)} +0000`,
  };
}

interface Case {
  line: string;
  fields: Record<string, unknown>;
}

function authCase(r: Rand): Case {
  const t = instant(r);
  const host = pick(r, ['web1', 'ip-10-0-0-1', 'db.example.org']);
  const pid = int(r, 1, 99999);
  const addr = ip(r);
  const port = int(r, 1, 65535);
  const name = user(r);
  const head = `${t.syslog} ${host}`;
  const base = { '@timestamp': t.iso, 'host.hostname': host };
  switch (int(r, 0, 5)) {
    case 0:
    case 1: {
      const ev = pick(r, ['Failed', 'Accepted'] as const);
      const method = pick(r, ['password', 'publickey', 'keyboard-interactive/pam']);
      const invalid = ev === 'Failed' && r() < 0.5;
      // an invalid user name may hold " from <ip> port <n>": it must not become the source
      const shown = invalid && r() < 0.3 ? `${name} from 6.6.6.6 port 1` : name;
      return {
        line: `${head} sshd[${pid}]: ${ev} ${method} for ${invalid ? 'invalid user ' : ''}${shown} from ${addr} port ${port} ssh2`,
        fields: {
          ...base,
          'user.name': shown,
          'source.ip': addr,
          'source.port': port,
          'system.auth.ssh.event': ev,
          'system.auth.ssh.method': method,
          'event.outcome': ev === 'Failed' ? 'failure' : 'success',
          'process.pid': pid,
        },
      };
    }
    case 2:
      return {
        line: `${head} sshd[${pid}]: Invalid user ${name} from ${addr} port ${port}`,
        fields: { ...base, 'user.name': name, 'source.ip': addr, 'event.outcome': 'failure' },
      };
    case 3: {
      const cmd = `/usr/bin/${word(r)} --opt="${word(r)} x" ; echo ü`;
      return {
        line: `${head} sudo: ${name} : TTY=pts/${int(r, 0, 9)} ; PWD=/home/${name} ; USER=root ; COMMAND=${cmd}`,
        fields: {
          ...base,
          'user.name': name,
          'user.effective.name': 'root',
          'system.auth.sudo.command': cmd,
        },
      };
    }
    case 4: {
      const rhost = r() < 0.5 ? addr : `${word(r, 'abcdefghij')}.example.com`;
      return {
        line: `${head} sshd[${pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${rhost}  user=${name}`,
        fields: {
          ...base,
          'source.address': rhost,
          'source.ip': rhost === addr ? addr : undefined,
          'user.name': name,
          'event.action': 'authentication_failure',
        },
      };
    }
    default:
      return {
        line: `${head} sshd[${pid}]: pam_succeed_if(sshd:auth): requirement "uid >= 1000" not met by user "${name}"`,
        fields: { ...base, 'user.name': name, 'related.user': [name] },
      };
  }
}

const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
  'curl/8.5.0',
  'sqlmap/1.7 (https://sqlmap.org)',
  String.raw`Mozilla/5.0 \"quoted\" (compatible; bot)`,
  'Løvenskiold-Crawler/1.0 (日本語; +http://example.jp/ü)',
  'Nikto/2.5.0 (Evasions:None) (Test:000003)',
];

function accessCase(r: Rand, flavour: 'nginx' | 'apache'): Case {
  const t = instant(r);
  const addr = ip(r);
  const name = r() < 0.6 ? '-' : word(r);
  const method = pick(r, ['GET', 'POST', 'HEAD', 'PUT', 'OPTIONS']);
  const url = pick(r, ['/', '/index.html', `/${word(r)}?q=${word(r)}&x=%22`, '/a%20b/c.php']);
  const status = pick(r, [200, 204, 301, 304, 400, 401, 403, 404, 499, 500, 503]);
  const bytes = int(r, 0, 5_000_000);
  const referrer = r() < 0.5 ? '-' : `https://${word(r, 'abcdefgh')}.example/${word(r)}`;
  const agent = r() < 0.1 ? '-' : pick(r, AGENTS);
  const common = flavour === 'apache' && r() < 0.3; // apache common log format: no referrer, no agent
  const vhost = flavour === 'apache' && !common && r() < 0.3 ? `${word(r, 'abcdefgh')}.example` : undefined;
  const apacheBytes = flavour === 'apache' && r() < 0.2 ? '-' : String(bytes);
  const vport = pick(r, [80, 443]);
  let line = `${vhost ? `${vhost}:${vport} ` : ''}${addr} - ${name} [${t.http}] "${method} ${url} HTTP/1.1" ${status} ${apacheBytes}`;
  if (!common) line += ` "${referrer}" "${agent}"`;
  const present = (v: string) => (v === '-' ? undefined : v);
  const fields: Record<string, unknown> = {
    '@timestamp': t.iso,
    'source.ip': addr,
    'source.address': addr,
    'user.name': present(name),
    'http.request.method': method,
    'url.original': url,
    'http.response.status_code': status,
    'http.response.body.bytes': apacheBytes === '-' ? undefined : bytes,
    'event.outcome': status >= 400 ? 'failure' : 'success',
  };
  if (!common) {
    fields['http.request.referrer'] = present(referrer);
    fields['user_agent.original'] = present(agent);
  }
  if (vhost) Object.assign(fields, { 'destination.domain': vhost, 'destination.port': vport });
  return { line: wrap(r, line), fields };
}

/** The line as it is, or inside one more pair of quotes: plain, CSV-doubled or JSON-escaped. */
function wrap(r: Rand, line: string): string {
  switch (int(r, 0, 5)) {
    case 0:
      return `"${line}"`;
    case 1:
      return `"${line.replace(/"/g, '""')}"`;
    case 2:
      return JSON.stringify(line);
    default:
      return line;
  }
}

function jsonCase(r: Rand): Case {
  const t = instant(r);
  const addr = ip(r);
  const name = user(r);
  const message = `login "${name}" from ${addr} — ü\\n`;
  const obj = { '@timestamp': t.iso, client: addr, user: name, msg: message, extra: { n: int(r, 0, 9) } };
  return {
    line: JSON.stringify(obj),
    fields: { '@timestamp': t.iso, 'source.ip': addr, 'user.name': name, message: message },
  };
}

function parse(type: LogType, line: string): Record<string, unknown> {
  const ctx: ParseContext = {
    path: 'gen.log',
    offset: 0,
    nowMs: Date.UTC(YEAR + 1, 0, 1),
    clock: new ZonedClock('UTC'),
    shiftMs: 0,
    years: new YearTracker(new ZonedClock('UTC'), YEAR),
  };
  const jsonMap = { fields: { client: 'source.ip', user: 'user.name', msg: 'message' } };
  const parsed = parseLine(line, { type, jsonMap }, ctx);
  if (!parsed.ok) throw new Error(`${parsed.reason}: ${parsed.detail}`);
  return flattenFields(parsed.docs[0]);
}

describe.each<[LogType, (r: Rand) => Case]>([
  ['auth', authCase],
  ['nginx', (r) => accessCase(r, 'nginx')],
  ['apache', (r) => accessCase(r, 'apache')],
  ['json', jsonCase],
])('%s lines: generated fields come back unchanged', (type, generate) => {
  it(`${CASES} seeded cases`, () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const { line, fields } = generate(prng(seed * 7919 + type.length));
      let doc: Record<string, unknown>;
      try {
        doc = parse(type, line);
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}\n${line}`);
      }
      const got = Object.fromEntries(Object.keys(fields).map((k) => [k, doc[k]]));
      if (JSON.stringify(got) !== JSON.stringify(fields)) {
        expect({ seed, line, fields: got }).toEqual({ seed, line, fields });
      }
    }
  });
});
